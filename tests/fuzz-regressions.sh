#!/bin/sh
# fuzz-regressions.sh: each fuzz harness, built without libFuzzer, replays its seeds (the fixtures,
# every export form, archives of them) and every earlier finding in fuzz/regressions/HARNESS/:
# none may crash, trip a sanitizer (in the sanitized build) or, for .evtx files, find fewer events
# on the fast path than with --decode-all. make fuzz runs the harnesses for real.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"
forms="$srcdir/tests/data/forms"
mkdir -p "$tmp/csv" "$tmp/json" "$tmp/xml"
for d in "$forms"/*/; do
	n=$(basename "$d")
	{ printf '\000'; cat "$d"evcsv/*; } > "$tmp/csv/$n-evcsv"
	{ printf '\001'; cat "$d"evtxt/*; } > "$tmp/csv/$n-evtxt"
	{ printf '\002'; cat "$d"pscsv7/*; } > "$tmp/csv/$n-pscsv7"
	cp "$d"json7/* "$tmp/json/$n-json7"
	cp "$d"wevtutil/* "$tmp/xml/$n-wevtutil"
done
python3 - "$FIXTURES" "$tmp/archive" <<'PY'
import glob, os, sys, tarfile, zipfile
fixtures, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
logs = sorted(glob.glob(os.path.join(fixtures, "*.evtx")))[:3]
with zipfile.ZipFile(os.path.join(out, "logs.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for f in logs:
        z.write(f, "logs/" + os.path.basename(f))
with tarfile.open(os.path.join(out, "logs.tar.gz"), "w:gz") as t:
    for f in logs:
        t.add(f, "logs/" + os.path.basename(f))
PY
# The fuzz corpus of fuzz-evtx, minimized (-merge=1): every input that reached new code in
# fuzzing, mutated past its checksums; replay-evtx asserts the fast path finds at least what
# --decode-all finds on each.
mkdir -p "$tmp/evtx-corpus"
xz -dc "$srcdir/fuzz/corpus/evtx.tar.xz" | tar -xf - -C "$tmp/evtx-corpus"
n=$(ls "$tmp/evtx-corpus" | wc -l)
[ "$n" -ge 100 ] && pass || fail "fuzz corpus: $n files"
seeds_evtx="$FIXTURES $tmp/evtx-corpus"; seeds_evtxml="$tmp/xml"; seeds_xml="$tmp/xml"; seeds_csv="$tmp/csv"
seeds_json="$tmp/json"; seeds_archive="$tmp/archive"
seeds_dates="$srcdir/fuzz/seeds/dates"; seeds_classify="$srcdir/fuzz/seeds/classify"
for h in evtx evtxml xml csv json archive dates classify; do
	eval "seeds=\$seeds_$h"
	set -- $seeds
	[ -d "$srcdir/fuzz/regressions/$h" ] && set -- "$@" "$srcdir/fuzz/regressions/$h"
	check_status "replay-$h" 0 "$builddir/tests/replay-$h" "$@"
	# Something was replayed: a harness that reads nothing would pass anything.
	if grep -Eq '^[1-9][0-9]* input\(s\) replayed' "$tmp/out"; then pass; else fail "replay-$h: $(cat "$tmp/out")"; fi
done
finish
