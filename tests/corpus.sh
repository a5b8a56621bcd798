#!/bin/sh
# corpus.sh: every real Windows log of ../shared/corpus scans without a crash and yields no upgrade event.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

if [ ! -d "$CORPUS" ]; then
	echo "SKIP: no corpus of real logs (set AU_CORPUS, or put it at ../shared/corpus)"
	exit 77
fi
n=$(ls "$CORPUS"/*.evtx | wc -l)
[ "$n" -ge 90 ] && pass || fail "only $n corpus files found"

for mode in plain recovered; do
	flag=""
	[ "$mode" = recovered ] && flag="--recovered"
	# shellcheck disable=SC2086
	set +e
	"$AU" scan $flag --format json "$CORPUS" > "$tmp/corpus-$mode.json" 2> "$tmp/corpus-$mode.err"
	st=$?
	set -e
	# Some corpus files are damaged or empty: a report with problems is exit 3.
	[ "$st" -eq 3 ] && pass || fail "corpus scan ($mode): exit status $st, expected 3"
	if python3 - "$tmp/corpus-$mode.json" "$tmp/corpus-$mode.err" "$n" "$CORPUS" <<'PY'; then pass; else fail "corpus scan ($mode): see above"; fi
import json, sys, os, subprocess
doc = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read().splitlines()
n = int(sys.argv[3]); corpus = sys.argv[4]
bad = []
# Every computer named in a record is a server, silent here: not one upgrade
# event in the corpus; and the servers are exactly the files' computers.
for h in doc["hosts"]:
    if h["verdict"] != "silent" or h["attempts"] != 0 or h["events"]:
        bad.append("%s: %s with %d attempts" % (h["host"], h["verdict"], h["attempts"]))
    if h["log"]["records"] == 0:
        bad.append("%s: a server without records" % h["host"])
seen = {c.lower() for f in doc["files"] for c in f["computers"]}
if {h["host"].lower() for h in doc["hosts"]} != seen:
    bad.append("servers %r are not the files' computers %r" % (sorted(h["host"] for h in doc["hosts"]), sorted(seen)))
if len(seen) < 20:
    bad.append("only %d computers in the corpus" % len(seen))
files = {os.path.basename(f["path"]): f for f in doc["files"]}
names = sorted(f for f in os.listdir(corpus) if f.lower().endswith(".evtx"))
# The empty file cannot be opened at all; every other file is read and listed.
for name in names:
    size = os.path.getsize(os.path.join(corpus, name))
    if name not in files:
        if size == 0 and any(name in line and "empty file" in line for line in err):
            continue
        bad.append("file missing from report: " + name)
        continue
    f = files[name]
    if f["matched"] != 0:
        bad.append("%s: %d upgrade events" % (name, f["matched"]))
    if f["records"] == 0 and size > 4096 and "MSExchange" not in name:
        bad.append("%s: no records read" % name)
    if f["records"] > 0 and not f["computers"]:
        bad.append("%s: %d records but no computer" % (name, f["records"]))
    # The period is the records' written times; a hand-made sample whose
    # records all say 1601 (zero) has none, as evtxexport shows.
    if f["records"] > 0 and not (f["first_time"] and f["last_time"]):
        out = subprocess.run(["evtxexport", os.path.join(corpus, name)], capture_output=True, text=True).stdout
        written = [l for l in out.splitlines() if l.startswith("Written time")]
        if not written or any("1601" not in l for l in written):
            bad.append("%s: %d records but no period" % (name, f["records"]))
# Every stderr line is one "aadc-upgrade: PATH: reason" line about a corpus file.
for line in err:
    if not line.startswith("aadc-upgrade: " + corpus):
        bad.append("odd stderr line: " + line)
for f in doc["files"]:
    if f["errors"] and not any(f["path"] in line for line in err):
        bad.append("problem not reported on stderr: " + f["path"])
if bad:
    print("\n".join(bad)); sys.exit(1)
PY
done

# Files holding events with IDs 300-399 from other sources give no upgrade event even
# when the ID range is all that matches.
"$AU" scan --format json "$CORPUS/hayabusa-sample-evtx__ID325-327-IFM_created_-_ESENT.evtx" > "$tmp/esent.json" || true
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(1 if any(h["attempts"] or h["events"] for h in d["hosts"]) or d["files"][0]["records"]==0 else 0)' "$tmp/esent.json" && pass || fail "ESENT 325-327 taken for upgrade events"
# ...and the same file does give events when its source is named, proving the file is read.
"$AU" scan --format json --source ESENT "$CORPUS/hayabusa-sample-evtx__ID325-327-IFM_created_-_ESENT.evtx" > "$tmp/esent2.json" || true
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); ids=sorted({e["event_id"] for h in d["hosts"] for e in h["events"]}); sys.exit(0 if ids and all(300<=i<=399 for i in ids) else 1)' "$tmp/esent2.json" && pass || fail "--source ESENT finds no 300-399 events"
finish
