#!/bin/sh
# bad-input.sh: missing, empty, non-EVTX, truncated and damaged files, and hostile event text.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

good="$FIXTURES/upgrade-after-aborts.evtx"
[ -f "$good" ] && pass || fail "fixture $good missing"

# A path that does not exist: one line naming it, nothing to report.
check_status "missing file" 1 "$AU" scan "$tmp/missing.evtx"
contains "missing file line" "$tmp/err" "aadc-upgrade: $tmp/missing.evtx: cannot read: No such file or directory"
# ...next to a good file: the report is produced, status 3.
check_status "missing + good" 3 "$AU" scan --format json "$tmp/missing.evtx" "$good"
contains "missing + good still reports" "$tmp/out" '"verdict"'
contains "missing + good names the missing file" "$tmp/err" "$tmp/missing.evtx: cannot read"
[ "$(wc -l < "$tmp/err")" -eq 1 ] && pass || fail "missing + good: expected exactly one stderr line"

# Empty, not an EVTX file, a directory without logs.
: > "$tmp/empty.evtx"
printf 'this is not an event log\n' > "$tmp/text.evtx"
mkdir "$tmp/nologs"
check_status "empty file" 1 "$AU" scan "$tmp/empty.evtx"
contains "empty file line" "$tmp/err" "aadc-upgrade: $tmp/empty.evtx: empty file, not an EVTX log"
check_status "text file" 1 "$AU" scan "$tmp/text.evtx"
contains "text file line" "$tmp/err" "aadc-upgrade: $tmp/text.evtx: not an EVTX log (no ElfFile signature)"
check_status "dir without logs" 1 "$AU" scan "$tmp/nologs"
contains "dir without logs line" "$tmp/err" "aadc-upgrade: $tmp/nologs: no .evtx files found"
check_status "all bad + good" 3 "$AU" scan "$tmp/empty.evtx" "$tmp/text.evtx" "$tmp/nologs" "$good"
[ "$(wc -l < "$tmp/err")" -eq 3 ] && pass || fail "all bad + good: expected 3 stderr lines"

# Truncated inside the second chunk: the events of the first chunk are still reported.
head -c 150000 "$FIXTURES/filtered-export-direct.evtx" > "$tmp/truncated.evtx"
check_status "truncated" 3 "$AU" scan --format json "$tmp/truncated.evtx"
contains "truncated names the file" "$tmp/err" "aadc-upgrade: $tmp/truncated.evtx: "
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["hosts"] and d["hosts"][0]["events_count"]>0 else 1)' "$tmp/out" && pass || fail "truncated: no events reported from the readable part"

# A dirty log with a corrupt chunk.
check_status "corrupt chunk" 3 "$AU" scan --format json "$FIXTURES/dirty-corrupt-chunk.evtx"
contains "corrupt chunk names the file" "$tmp/err" "aadc-upgrade: $FIXTURES/dirty-corrupt-chunk.evtx: "

# Hostile strings in event data: no raw control characters reach the terminal or the JSON.
"$EVTXGEN" -o "$tmp/hostile.evtx" "$srcdir/tests/data/hostile.json"
check_status "hostile text" 0 "$AU" scan "$tmp/hostile.evtx"
if LC_ALL=C grep -q "$(printf '\033')" "$tmp/out"; then fail "hostile text: raw ESC in text output"; else pass; fi
if LC_ALL=C grep -q "$(printf '\007')" "$tmp/out"; then fail "hostile text: raw BEL in text output"; else pass; fi
contains "hostile text: code still found" "$tmp/out" "UpgradeNotSupportedStagingModeEnabled"
check_status "hostile markdown" 0 "$AU" scan --format markdown "$tmp/hostile.evtx"
lacks "hostile markdown: no raw <script>" "$tmp/out" "<script>"
if LC_ALL=C grep -q "$(printf '\033')" "$tmp/out"; then fail "hostile markdown: raw ESC"; else pass; fi
check_status "hostile json" 0 "$AU" scan --format json "$tmp/hostile.evtx"
python3 - "$tmp/out" <<'PY' && pass || fail "hostile json: not valid JSON or text lost"
import json, sys
d = json.load(open(sys.argv[1]))
h = d["hosts"]
assert len(h) == 1, h
evs = h[0]["events"]
assert len(evs) == 3
assert "\x1b]0;pwned" in evs[0]["message"], evs[0]["message"]
assert "Ω 漢字 😀" in evs[1]["message"]
assert evs[1]["result_code"] == "UpgradeNotSupportedStagingModeEnabled"
assert evs[2]["result_code"].startswith("UpgradeAbortedAAAA") and evs[2]["known"] is False
PY
# A chunk whose header-size field is 0, its checksum repaired: the problem
# names the file and the chunk, never the memory file it was read through.
python3 - "$FIXTURES/dirty-corrupt-chunk.evtx" "$tmp/hsize0.evtx" <<'PY'
import struct, sys, zlib
d = bytearray(open(sys.argv[1], "rb").read())
c = 4096 + 65536
struct.pack_into("<I", d, c + 0x28, 0)
struct.pack_into("<I", d, c + 0x7c, zlib.crc32(bytes(d[c:c + 120]) + bytes(d[c + 128:c + 512])))
open(sys.argv[2], "wb").write(d)
PY
check_status "chunk header size 0" 3 "$AU" scan "$tmp/hsize0.evtx"
contains "chunk header size 0: file and chunk named" "$tmp/err" "hsize0.evtx: damaged: chunk 1 (unsupported header size: 0)"
lacks "chunk header size 0: no internal descriptor" "$tmp/err" "/proc/self/fd"
check_status "chunk header size 0, --decode-all" 1 "$AU" scan --decode-all "$tmp/hsize0.evtx"
contains "--decode-all: libevtx's innermost reason" "$tmp/err" "hsize0.evtx: cannot open as EVTX: chunk 1: unsupported header size: 0"
finish
