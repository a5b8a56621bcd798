#!/bin/sh
# progress.sh: the progress line on a terminal (files, bytes, rate, time left, the file's name escaped), none in a pipe or with --quiet.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"
if ! command -v script > /dev/null 2>&1; then
	echo "SKIP: script(1) (util-linux) is needed for a terminal"
	exit 77
fi
# The line from the first file on, however fast the machine reads.
AADC_UPGRADE_PROGRESS_AFTER=0
export AADC_UPGRADE_PROGRESS_AFTER
# A collector's log, every record wanted: the reader reports on the way.
python3 - "$tmp/coll.json" <<'PY'
import json, sys
recs = [{"time": "2024-01-01T00:00:00Z", "computer": "SRV%04d.contoso.local" % s,
         "provider": "Azure AD Connect Upgrade", "event_id": 300, "channel": "ForwardedEvents",
         "data": ["Azure AD Connect AutoUpgrade result = UpgradeAbortedSyncExeInUse"],
         "repeat": {"count": 200, "every": "1m"}} for s in range(1000)]
json.dump({"records": recs}, open(sys.argv[1], "w"))
PY
"$EVTXGEN" -o "$tmp/coll.evtx" "$tmp/coll.json"
# A hostile name: an OSC title sequence and a BEL, which must reach the terminal escaped.
hostile="$tmp/$(printf 'x\033]0;owned\007y')-coll.evtx"
cp "$tmp/coll.evtx" "$hostile"
cp "$tmp/coll.evtx" "$tmp/second.evtx"

# script(1) gives the command a terminal; its output is what the terminal got.
check_status "import on a terminal" 0 script -qec "stty cols 120; '$AU' import --db '$tmp/t.db' '$hostile' '$tmp/second.evtx'" /dev/null
tr '\r' '\n' < "$tmp/out" > "$tmp/lines"
contains "progress: files" "$tmp/lines" "reading 1/2 files, "
contains "progress: the second file" "$tmp/lines" "reading 2/2 files, "
if grep -Eq 'reading [12]/2 files, [0-9.]+ [kMG]?B of [0-9.]+ [kMG]?B \([0-9]+%\), [0-9.]+ [kMG]?B/s, ([0-9]+ (s|min) left|almost done): ' "$tmp/lines"; then
	pass
else
	fail "progress line: not 'files, bytes of all (percent), rate, time left: name'"; grep reading "$tmp/lines" | head -2 >&2
fi
grep "reading " "$tmp/lines" > "$tmp/progress" || true
contains "progress: the name escaped" "$tmp/progress" 'x\x1b]0;owned\x07y-coll.evtx'
if grep -q "$(printf '\033]')" "$tmp/out" || grep -q "$(printf '\007')" "$tmp/out"; then
	fail "progress: a raw OSC or BEL reached the terminal"
else
	pass
fi
if awk 'length > 121' "$tmp/lines" | grep -q reading; then fail "progress: a line wider than the terminal"; else pass; fi
contains "import finished" "$tmp/out" "2 file(s) imported into"
# scan too.
check_status "scan on a terminal" 0 script -qec "stty cols 120; '$AU' scan --format json --output '$tmp/s.json' '$tmp/second.evtx'" /dev/null
contains "scan: progress" "$tmp/out" "reading 1/1 files, "
# The delay is the variable's: an hour's delay shows no line on this short run.
check_status "scan with the line an hour away" 0 env AADC_UPGRADE_PROGRESS_AFTER=3600 \
	script -qec "stty cols 120; '$AU' scan --format json --output '$tmp/s2.json' '$tmp/second.evtx'" /dev/null
lacks "AADC_UPGRADE_PROGRESS_AFTER=3600: no progress" "$tmp/out" "reading "
# --quiet: nothing but errors.
check_status "import --quiet on a terminal" 0 script -qec "'$AU' import --quiet --db '$tmp/q.db' '$tmp/second.evtx'" /dev/null
lacks "--quiet: no progress" "$tmp/out" "reading "
# In a pipe: no progress line.
check_status "import in a pipe" 0 "$AU" import --db "$tmp/p.db" "$tmp/second.evtx"
lacks "pipe: no progress on stderr" "$tmp/err" "reading "
finish
