#!/bin/sh
# fuzz.sh: `make fuzz`: builds the libFuzzer harnesses of fuzz/ with clang
# (AddressSanitizer, UndefinedBehaviorSanitizer) in $builddir/_fuzz, replays
# fuzz/regressions (every earlier finding), then runs each harness for
# FUZZ_TIME seconds (default 60) from seeds made of the fixtures and the
# export forms. Fails on any finding: a crash, a sanitizer report, a hang,
# a leak, or (fuzz-evtx) the fast path finding fewer events than
# --decode-all. Findings are kept in _fuzz/findings/ to become regressions.
set -eu
: "${srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${builddir:=$(pwd)}"
time=${FUZZ_TIME:-60}
[ -n "$time" ] || time=60
out="$builddir/_fuzz"
harnesses="evtx evtxml xml csv json archive dates classify"

command -v clang > /dev/null || { echo "fuzz: clang is needed (tools/setup-debian.sh installs it)" >&2; exit 1; }
mkdir -p "$out"
if [ ! -f "$out/Makefile" ]; then
	(cd "$out" && CC=clang "$srcdir/configure" -q --enable-fuzz CFLAGS="-O1 -g")
fi
targets=""
for h in $harnesses; do targets="$targets fuzz/fuzz-$h"; done
make -C "$out" -j"$(nproc 2>/dev/null || echo 2)" $targets > "$out/build.log" 2>&1 ||
	{ tail -30 "$out/build.log" >&2; echo "fuzz: build failed ($out/build.log)" >&2; exit 1; }

# Seeds: the fixtures and every export form of them, sorted per harness.
seeds="$out/seeds"
rm -rf "$seeds"
for h in $harnesses; do mkdir -p "$seeds/$h"; done
cp "$srcdir"/fixtures/*.evtx "$seeds/evtx/"
# and what earlier fuzzing found, minimized (fuzz/corpus/evtx.tar.xz).
xz -dc "$srcdir/fuzz/corpus/evtx.tar.xz" | tar -xf - -C "$seeds/evtx"
forms="$srcdir/tests/data/forms"
for d in "$forms"/*/; do
	n=$(basename "$d")
	for f in "$d"evxml/* "$d"toxml/* "$d"wevtutil/* "$d"wevtutil-rendered/*; do
		[ -f "$f" ] && cp "$f" "$seeds/xml/$n-$(basename "$(dirname "$f")")-$(basename "$f")"
	done
	# fuzz-csv: the first byte picks Event Viewer CSV (0), text (1), Export-Csv (2).
	for f in "$d"evcsv/*; do [ -f "$f" ] && { printf '\000'; cat "$f"; } > "$seeds/csv/$n-evcsv"; done
	for f in "$d"evtxt/*; do [ -f "$f" ] && { printf '\001'; cat "$f"; } > "$seeds/csv/$n-evtxt"; done
	for f in "$d"pscsv51/* "$d"pscsv7/*; do
		[ -f "$f" ] && { printf '\002'; cat "$f"; } > "$seeds/csv/$n-$(basename "$(dirname "$f")")"
	done
	for f in "$d"json51/* "$d"json7/*; do
		[ -f "$f" ] && cp "$f" "$seeds/json/$n-$(basename "$(dirname "$f")")"
	done
done
cp "$srcdir"/fuzz/seeds/dates/* "$seeds/dates/"
cp "$srcdir"/fuzz/seeds/classify/* "$seeds/classify/"
python3 - "$srcdir" "$seeds" <<'PY'
import glob, io, os, re, sys, tarfile, zipfile, gzip
src, seeds = sys.argv[1], sys.argv[2]
# fuzz-evtxml: single <Event> elements as wevtutil renders them.
n = 0
for f in sorted(glob.glob(os.path.join(src, "tests/data/forms/*/wevtutil*/*"))):
    text = open(f, encoding="utf-8", errors="replace").read()
    for m in re.finditer(r"<Event[ >].*?</Event>", text, re.S):
        n += 1
        open(os.path.join(seeds, "evtxml", "event-%03d" % n), "w").write(m.group(0))
        if n % 40 == 0:
            break
# fuzz-archive: small collections in each form libarchive reads.
small = sorted(glob.glob(os.path.join(src, "fixtures/*.evtx")), key=os.path.getsize)[:2]
xml = sorted(glob.glob(os.path.join(src, "tests/data/forms/*/evxml/*")), key=os.path.getsize)[:1]
members = small + xml
with zipfile.ZipFile(os.path.join(seeds, "archive", "logs.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for m in members:
        z.write(m, "logs/" + os.path.basename(m))
for mode, ext in (("w:gz", "tar.gz"), ("w:xz", "tar.xz"), ("w", "tar")):
    with tarfile.open(os.path.join(seeds, "archive", "logs." + ext), mode) as t:
        for m in members:
            t.add(m, "logs/" + os.path.basename(m))
with open(small[0], "rb") as f, gzip.open(os.path.join(seeds, "archive", "one.evtx.gz"), "wb") as g:
    g.write(f.read())
PY

status=0
report="$out/report.txt"
: > "$report"
for h in $harnesses; do
	bin="$out/fuzz/fuzz-$h"
	reg="$srcdir/fuzz/regressions/$h"
	# Every earlier finding first: each must now pass.
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg" 2>/dev/null)" ]; then
		if ! "$bin" -runs=0 "$reg"/* > "$out/$h-regressions.log" 2>&1; then
			echo "fuzz-$h: a regression fails again ($out/$h-regressions.log)" >&2
			status=1
		fi
	fi
	corpus="$out/corpus/$h"
	mkdir -p "$corpus" "$out/findings"
	set +e
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	"$bin" -max_total_time="$time" -timeout=20 -rss_limit_mb=2048 -max_len=1048576 \
		-print_final_stats=1 -artifact_prefix="$out/findings/$h-" \
		"$corpus" "$seeds/$h" > "$out/$h.log" 2>&1
	rc=$?
	set -e
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$h.log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$out/$h.log" | tail -n 1)
	printf 'fuzz-%-9s %8s runs  %-22s %s\n' "$h" "${execs:-?}" "${cov:-?}" \
		"$([ $rc -eq 0 ] && echo ok || echo "FINDING (exit $rc): $out/$h.log")" | tee -a "$report"
	[ $rc -eq 0 ] || status=1
done
if [ $status -ne 0 ]; then
	echo "fuzz: findings in $out/findings (each becomes a file in fuzz/regressions/HARNESS/)" >&2
fi
exit $status
