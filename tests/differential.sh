#!/bin/sh
# differential.sh: the fast path gives exactly the naive path's results (--decode-all), event by event,
# on every fixture, every EVTX-writer test case (faults, direct form, slack) and every corpus file.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

mkdir "$tmp/gen"
for desc in "$srcdir"/tests/evtxgen/*.json "$srcdir"/tests/data/*.json; do
	"$EVTXGEN" -o "$tmp/gen/$(basename "$desc" .json).evtx" "$desc" 2>/dev/null || true
done
files=$(ls "$FIXTURES"/*.evtx "$tmp"/gen/*.evtx "$CORPUS"/*.evtx)

# One file at a time, so that a difference names its file; with and
# without --recovered, with the default sources and with sources that
# occur in the corpus (so that the corpus exercises the selective path).
for f in $files; do
	for opts in "" "--recovered" "--source MsiInstaller --source ESENT --source Microsoft-Windows-Security-Auditing --event-ids 0-65535" \
	    "--recovered --source Microsoft-Windows-Sysmon --source Microsoft-Windows-PowerShell --event-ids 0-65535"; do
		# shellcheck disable=SC2086
		"$AU" scan --format json $opts "$f" > "$tmp/fast.json" 2> "$tmp/fast.err" || true
		# shellcheck disable=SC2086
		"$AU" scan --format json --decode-all $opts "$f" > "$tmp/naive.json" 2> "$tmp/naive.err" || true
		if python3 - "$tmp/fast.json" "$tmp/naive.json" <<'PY'; then pass; else fail "$f ($opts): fast and naive differ"; fi
import json, sys, re
def load(p):
    try:
        return json.load(open(p))
    except ValueError:
        return None
a, b = load(sys.argv[1]), load(sys.argv[2])
if a is None or b is None:
    sys.exit(0 if a is None and b is None else 1)
if a["hosts"] != b["hosts"]:
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
    return (f["path"], f["records"] + f["corrupt"], f["matched"], f["recovered"], errs)
fa, fb = [norm(f) for f in a["files"]], [norm(f) for f in b["files"]]
if fa != fb:
    print("files: fast %r\nnaive %r" % (fa, fb)); sys.exit(1)
PY
	done
done
finish
