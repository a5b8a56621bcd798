#!/bin/sh
# differential.sh: the fast path gives exactly the naive path's results (--decode-all), event by event,
# on every fixture, every EVTX-writer test case (faults, direct form, slack) and every corpus file.
# Without the corpus, the fixtures and generated cases are still compared, then the test says SKIP.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

mkdir "$tmp/gen"
for desc in "$srcdir"/tests/evtxgen/*.json "$srcdir"/tests/data/*.json; do
	"$EVTXGEN" -o "$tmp/gen/$(basename "$desc" .json).evtx" "$desc" 2>/dev/null || true
done
files=$(ls "$FIXTURES"/*.evtx "$tmp"/gen/*.evtx)
if [ -d "$CORPUS" ]; then
	files="$files $(ls "$CORPUS"/*.evtx)"
fi

# One file at a time, so that a difference names its file; with and
# without --recovered, with the default sources and with sources that
# occur in the corpus (so that the corpus exercises the selective path).
for f in $files; do
	for opts in "" "--recovered" "--source MsiInstaller --source ESENT --source Microsoft-Windows-Security-Auditing --event-ids 0-65535" \
	    "--recovered --source Microsoft-Windows-Sysmon --source Microsoft-Windows-PowerShell --event-ids 0-65535"; do
		# shellcheck disable=SC2086
		fst=0; "$AU" scan --format json $opts "$f" > "$tmp/fast.json" 2> "$tmp/fast.err" || fst=$?
		# shellcheck disable=SC2086
		nst=0; "$AU" scan --format json --decode-all $opts "$f" > "$tmp/naive.json" 2> "$tmp/naive.err" || nst=$?
		if python3 - "$tmp/fast.json" "$tmp/naive.json" "$fst" "$nst" <<'PY'; then pass; else fail "$f ($opts): fast and naive differ"; fi
import json, sys, re
def load(p):
    try:
        return json.load(open(p))
    except ValueError:
        return None
a, b = load(sys.argv[1]), load(sys.argv[2])
fst, nst = int(sys.argv[3]), int(sys.argv[4])
# 0 = clean, 1 = nothing readable, 3 = partial: anything else (a crash, a
# sanitizer's exit, a usage error) fails, even when both modes do it.
if fst not in (0, 1, 3) or nst not in (0, 1, 3):
    print("exit status: fast %d, naive %d" % (fst, nst)); sys.exit(1)
if a is None:
    # The fast path may read what libevtx cannot open, never less.
    if b is not None or fst != 1 or nst != 1:
        print("fast path gave no report (status %d), naive %d" % (fst, nst)); sys.exit(1)
    sys.exit(0)
if b is None:
    # libevtx cannot open the file; the fast path read what it could.
    sys.exit(0 if nst == 1 else 1)
# Every server seen, silent ones too, with its log's records: the fast path
# reads the Computer of a record it does not decode from its bytes, so a
# record libevtx cannot read may count toward its server there, never more.
corrupt = sum(f["corrupt"] for f in b["files"])
for ha, hb in zip(a["hosts"], b["hosts"]):
    ra, rb = ha["log"].pop("records"), hb["log"].pop("records")
    if not rb <= ra <= rb + corrupt:
        print("%s: %d records (fast), %d (naive), %d unreadable" % (ha["host"], ra, rb, corrupt)); sys.exit(1)
    # The silent verdict's note quotes that count.
    for h in (ha, hb):
        h["notes"] = [re.sub(r" in \d+ records of its log", " in N records of its log", n) for n in h.get("notes", [])]
if a["hosts"] != b["hosts"]:
    for ha, hb in zip(a["hosts"], b["hosts"]):
        for k in sorted(set(ha) | set(hb)):
            if ha.get(k) != hb.get(k):
                print("%s: %s: fast %r, naive %r" % (ha.get("host"), k, ha.get(k), hb.get(k)))
    ea = [e for h in a["hosts"] for e in h["events"]]
    eb = [e for h in b["hosts"] for e in h["events"]]
    print("events: fast %d, naive %d" % (len(ea), len(eb)))
    for x, y in zip(ea, eb):
        if x != y:
            print(" fast:", x); print("naive:", y); break
    sys.exit(1)
# Files: the same records (read or unreadable: the fast path only decodes the
# chunks that can matter, so it may count an unreadable record as read),
# matches, recovered records and problems other than that count.
def norm(f):
    errs = [e for e in f["errors"] if not re.match(r"\d+ record\(s\) could not be read$", e)]
    return (f["path"], f["records"] + f["corrupt"], f["matched"], f["recovered"], errs,
            sorted(f["computers"]), f["first_time"], f["last_time"], f["dirty"])
fa, fb = [norm(f) for f in a["files"]], [norm(f) for f in b["files"]]
if fa != fb:
    print("files: fast %r\nnaive %r" % (fa, fb)); sys.exit(1)
PY
	done
done
if [ ! -d "$CORPUS" ]; then
	echo "$passed passed, $failed failed (fixtures only)"
	[ "$failed" -eq 0 ] || exit 1
	echo "SKIP: no corpus of real logs (set AU_CORPUS, or put it at ../shared/corpus)"
	exit 77
fi
finish
