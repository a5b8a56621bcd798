#!/bin/sh
# tamper.sh: a record header damaged and the chunk's checksums made good again (what log-tampering
# tools leave) is reported as damage, never "problems: none"; --recovered reads on past it; the fast
# path finds what --decode-all finds.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"
log="$FIXTURES/upgrade-after-aborts.evtx"

# The fixture as it is: AADC01 upgraded (Success in record 18283), nothing wrong.
check_status "untouched" 0 "$AU" scan --format json "$log"
verdict() { python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["hosts"][0]; print(h["verdict"], h["events_count"], sum(1 for e in h["events"] if e["result_code"] == "Success" and e["recovered"]))' "$1"; }
[ "$(verdict "$tmp/out")" = "upgraded 6 0" ] && pass || fail "untouched: $(verdict "$tmp/out")"

# mode record: magic/size of the record before the Success (libevtx stops there), the
# Success swallowed by the record before it, the chunk's first record's signature.
for case in "magic 18282" "size 18282" "swallow 18283" "magic 18231"; do
	set -- $case
	mode=$1 rid=$2
	t="$tmp/$mode-$rid.evtx"
	python3 "$srcdir/tests/tamper.py" "$log" "$t" "$mode" "$rid"
	# Without --recovered nothing is left of a chunk whose first record is hit: no report (1).
	plain=3
	[ "$rid" = 18231 ] && plain=1
	for how in "" "--decode-all"; do
		check_status "$mode $rid $how: exit $plain" $plain "$AU" scan --format json $how "$t"
		contains "$mode $rid $how: said" "$tmp/err" "damaged: chunk 0 (records do not follow the chunk header, though its checksums hold: tampered?)"
		lacks "$mode $rid $how: no verdict of upgraded without the Success" "$tmp/out" '"verdict": "upgraded"'
		[ -s "$tmp/out" ] || echo '{"hosts": []}' > "$tmp/out"
		cp "$tmp/out" "$tmp/plain$how.json"
		check_status "$mode $rid $how --recovered: exit 3" 3 "$AU" scan --format json --recovered $how "$t"
		contains "$mode $rid $how --recovered: said" "$tmp/err" "records do not follow the chunk header"
		got=$(verdict "$tmp/out") want="upgraded 6 1"
		[ "$got" = "$want" ] && pass || fail "$mode $rid $how --recovered: '$got', expected '$want' (the Success read on, as recovered)"
		cp "$tmp/out" "$tmp/recovered$how.json"
	done
	# The fast path never finds fewer events than --decode-all.
	for r in plain recovered; do
		a=$(python3 -c 'import json,sys; print(sum(h["events_count"] for h in json.load(open(sys.argv[1]))["hosts"]))' "$tmp/$r.json")
		b=$(python3 -c 'import json,sys; print(sum(h["events_count"] for h in json.load(open(sys.argv[1]))["hosts"]))' "$tmp/$r--decode-all.json")
		[ "$a" -ge "$b" ] && pass || fail "$mode $rid $r: fast path $a events, --decode-all $b"
	done
	# import says so too, and stores what it read.
	check_status "$mode $rid: import --recovered" 3 "$AU" import --recovered --db "$tmp/$mode-$rid.db" "$t"
	contains "$mode $rid: import said" "$tmp/err" "records do not follow the chunk header"
	check_status "$mode $rid: report" 0 "$AU" report --db "$tmp/$mode-$rid.db" --format json
	[ "$(verdict "$tmp/out")" = "upgraded 6 1" ] && pass || fail "$mode $rid: report after import: $(verdict "$tmp/out")"
done

# A lone UTF-16 surrogate, which makes libevtx fail the whole record: in the Success's data
# string, and in the computer name of the template the upgrade events share. The events are
# kept, the unit read as U+FFFD, by the fast path and by --decode-all alike.
python3 "$srcdir/tests/tamper.py" "$log" "$tmp/sur-data.evtx" surrogate 18283 "Success"
python3 "$srcdir/tests/tamper.py" "$log" "$tmp/sur-host.evtx" surrogate 18234 "AADC01"
for how in "" "--decode-all"; do
	check_status "surrogate in data $how" 0 "$AU" scan --format json $how "$tmp/sur-data.evtx"
	[ "$(verdict "$tmp/out")" = "upgraded 6 0" ] && pass || fail "surrogate in data $how: $(verdict "$tmp/out")"
	contains "surrogate in data $how: U+FFFD in the message" "$tmp/out" "$(printf '\357\277\275')uccess"
	check_status "surrogate in the computer $how" 0 "$AU" scan --format json $how "$tmp/sur-host.evtx"
	got=$(python3 -c 'import json,sys; print(" ".join("%s:%s:%d" % (h["host"], h["verdict"], h["events_count"]) for h in json.load(open(sys.argv[1]))["hosts"]))' "$tmp/out")
	contains "surrogate in the computer $how: the server's events kept" "$tmp/out" "\"host\": \"$(printf '\357\277\275')ADC01.contoso.local\""
	case "$got" in
	*"$(printf '\357\277\275')ADC01.contoso.local:upgraded:6"*) pass ;;
	*) fail "surrogate in the computer $how: $got" ;;
	esac
done

# A damaged file header: its checksum fails, and its block size is gone, which makes libevtx
# refuse the file: --decode-all reads nothing (exit 1), the fast path reads the chunks (each has
# its own checksums) and says the header is damaged. With only unused bytes hit, both read it.
python3 - "$log" "$tmp" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[100:110] = b"\xff" * 10    # unused header bytes, inside the checksummed range
open(sys.argv[2] + "/header.evtx", "wb").write(d)
d[40:42] = b"\0\0"          # header block size
open(sys.argv[2] + "/header-size.evtx", "wb").write(d)
PY
for how in "" "--decode-all"; do
	check_status "file header checksum $how" 3 "$AU" scan --format json $how "$tmp/header.evtx"
	contains "file header checksum $how: said" "$tmp/err" "header.evtx: file header checksum mismatch"
	[ "$(verdict "$tmp/out")" = "upgraded 6 0" ] && pass || fail "file header checksum $how: $(verdict "$tmp/out")"
done
check_status "file header refused by libevtx" 3 "$AU" scan --format json "$tmp/header-size.evtx"
contains "file header refused by libevtx: said" "$tmp/err" "header-size.evtx: file header checksum mismatch"
[ "$(verdict "$tmp/out")" = "upgraded 6 0" ] && pass || fail "file header refused by libevtx: $(verdict "$tmp/out")"
check_status "file header refused by libevtx --decode-all" 1 "$AU" scan --format json --decode-all "$tmp/header-size.evtx"
contains "file header refused by libevtx --decode-all: said" "$tmp/err" "header-size.evtx: file header checksum mismatch"

# A chunk rebuilt whole by a tool (records and header in agreement) is not flagged: every fixture.
for f in "$FIXTURES"/*.evtx; do
	"$AU" scan "$f" > /dev/null 2> "$tmp/err" || true
	lacks "$(basename "$f"): no false alarm" "$tmp/err" "records do not follow"
done
finish
