#!/bin/sh
# forms.sh: every export form (XML, CSV, text, JSON; in archives too) gives the same report as the .evtx of the same events.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

FORMGEN="$srcdir/tools/formgen.py"
mkdir "$tmp/forms"

# The report JSON of a form against the .evtx's, modulo what the form
# cannot carry (listed here, per form):
#   evcsv, evtxt (Event Viewer CSV / text): no record IDs; times to the second;
#     the server's name is the file's (and the report says so).
#   pscsv51, pscsv7 (Export-Csv): times to the second (DateTime.ToString()).
#   json51 (ConvertTo-Json 5.1): times to the millisecond (\/Date(ms)\/).
#   XML forms and json7: nothing; the report must be identical.
# Files: the same records, matches and problems (paths and sizes differ).
cat > "$tmp/cmp.py" <<'PY'
import json, re, sys
form, ref, got = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?Z$")
digits = {"evcsv": 0, "evtxt": 0, "pscsv51": 0, "pscsv7": 0, "json51": 3}.get(form, 7)
no_record_id = form in ("evcsv", "evtxt")
SKIP = ()
def norm(v, key=None):
    if isinstance(v, dict):
        return {k: norm(x, k) for k, x in v.items() if k not in SKIP}
    if key == "event_key" and (no_record_id or digits < 7):
        return None
    if key == "time_filetime":
        return v - v % 10 ** (7 - digits)
    if isinstance(v, list):
        return [norm(x) for x in v]
    if key == "record_id" and no_record_id:
        return None
    if isinstance(v, str):
        m = TIME.match(v)
        if m:
            frac = ((m.group(2) or "") + "0000000")[:7]
            return m.group(1) + "." + (frac[:digits] + "0000000")[:7] + "Z"
    return v
a, b = norm(ref["hosts"]), norm(got["hosts"])
# Forms without a Computer take the file's name, and say so.
for h in b:
    if h["flags"]["name_from_file"] != no_record_id:
        print("%s: name_from_file is %r" % (h["host"], h["flags"]["name_from_file"])); sys.exit(1)
    h["flags"]["name_from_file"] = False
if a != b:
    ea = [e for h in a for e in h["events"]]
    eb = [e for h in b for e in h["events"]]
    print("hosts differ: evtx %d events, %s %d" % (len(ea), form, len(eb)))
    for x, y in zip(a, b):
        for k in x:
            if x.get(k) != y.get(k) and k != "events":
                print(" %s: evtx %r, %s %r" % (k, x.get(k), form, y.get(k)))
    for x, y in zip(ea, eb):
        if x != y:
            print(" evtx:", x); print(" %s:" % form, y); break
    sys.exit(1)
f = lambda r: [(x["records"], x["matched"], x["recovered"], x["corrupt"], x["errors"], x["computers"],
               norm(x["first_time"]), norm(x["last_time"])) for x in r["files"]]
if f(ref) != f(got):
    print("files differ: evtx %r, %s %r" % (f(ref), form, f(got))); sys.exit(1)
PY

forms_xml="evxml wevtutil wevtutil-rendered toxml json7 json51"
for desc in "$FIXTURES"/*.json; do
	base=$(basename "$desc" .json)
	grep -q '"faults"' "$desc" && continue   # damaged logs: their own tests
	"$EVTXGEN" --expand "$desc" > "$tmp/forms/$base.ndjson"
	"$AU" scan --format json "$FIXTURES/$base.evtx" > "$tmp/forms/$base.ref.json" 2>/dev/null || true
	[ "$base" = upgrade-after-aborts ] && ref0="$tmp/forms/$base.ref.json"
	hosts=$(python3 -c 'import json,sys; print(len({json.loads(l)["computer"] for l in open(sys.argv[1])}))' "$tmp/forms/$base.ndjson")
	host=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["computer"])' "$tmp/forms/$base.ndjson")
	d="$tmp/forms/$base"
	mkdir "$d"
	for form in $forms_xml evcsv evtxt pscsv51 pscsv7; do
		locales=iso
		case $form in
		evcsv|evtxt)
			# One computer per file: the name gives it.
			[ "$hosts" = 1 ] || continue
			locales="iso de-DE" ;;
		esac
		for loc in $locales; do
			case $form in
			ev*xml|wevtutil*|toxml) ext=xml ;;
			json*) ext=json ;;
			evtxt) ext=txt ;;
			*) ext=csv ;;
			esac
			mkdir -p "$d/$form.$loc"
			out="$d/$form.$loc/$host-Application.$ext"
			python3 "$FORMGEN" "$form" --locale "$loc" -o "$out" < "$tmp/forms/$base.ndjson"
			"$AU" scan --format json "$out" > "$out.out" 2> "$out.err" || true
			if python3 "$tmp/cmp.py" "$form" "$tmp/forms/$base.ref.json" "$out.out" > "$out.diff"; then
				pass
			else
				fail "$base: $form ($loc) differs from the .evtx"
				cut -c1-300 "$out.diff" | head -8 >&2
				head -3 "$out.err" >&2
			fi
		done
	done
done

# The same events from the .evtx and from every export of them count once,
# in either order: with record IDs, the same host, record ID and time (to
# the second or millisecond the form keeps); without (Event Viewer CSV and
# text), the same host, second, provider, ID and message. The report is the
# .evtx's alone.
base=upgrade-after-aborts
d="$tmp/forms/$base"
ref="$tmp/forms/$base.ref.json"
cat > "$tmp/same.py" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
if a["hosts"] != b["hosts"]:
    for x, y in zip(a["hosts"], b["hosts"]):
        for k in x:
            if x[k] != y.get(k):
                print("%s: evtx %s, all forms %s" % (k, str(x[k])[:200], str(y.get(k))[:200]))
    sys.exit(1)
if len(b["files"]) != int(sys.argv[3]):
    print("%d files listed, expected %s" % (len(b["files"]), sys.argv[3])); sys.exit(1)
PY
set -- "$d"/*.iso/*-Application.xml "$d"/*.iso/*-Application.csv "$d"/*.iso/*-Application.txt "$d"/*.iso/*-Application.json
nforms=$#
for order in evtx-first evtx-last; do
	if [ $order = evtx-first ]; then set -- "$FIXTURES/$base.evtx" "$d"/*.iso/*-Application.xml "$d"/*.iso/*-Application.csv "$d"/*.iso/*-Application.txt "$d"/*.iso/*-Application.json
	else set -- "$d"/*.iso/*-Application.xml "$d"/*.iso/*-Application.csv "$d"/*.iso/*-Application.txt "$d"/*.iso/*-Application.json "$FIXTURES/$base.evtx"; fi
	"$AU" scan --format json --computer AADC01.contoso.local "$@" > "$tmp/all.json" 2> "$tmp/all.err" || true
	if python3 "$tmp/same.py" "$ref" "$tmp/all.json" $((nforms + 1)) > "$tmp/all.diff"; then pass; else
		fail "evtx + every form of the same log ($order): events not counted once"; head -5 "$tmp/all.diff" >&2; fi
done
[ "$nforms" -ge 10 ] && pass || fail "only $nforms forms generated"
# The same across imports: the CSV first, then the .evtx, then the rest.
rm -f "$tmp/same.db"
check_status "import the CSV" 0 "$AU" import -q --db "$tmp/same.db" --timezone UTC --computer AADC01.contoso.local "$d"/evcsv.iso/*.csv
check_status "import the .evtx after it" 0 "$AU" import -q --db "$tmp/same.db" "$FIXTURES/$base.evtx"
check_status "import every form" 0 "$AU" import -q --db "$tmp/same.db" --timezone UTC --computer AADC01.contoso.local "$d"/*.iso/*-Application.xml "$d"/*.iso/*-Application.csv "$d"/*.iso/*-Application.txt "$d"/*.iso/*-Application.json
check_status "report after the imports" 0 "$AU" report --db "$tmp/same.db" --format json
python3 - "$ref" "$tmp/out" <<'PY' && pass || fail "history of every form: not the .evtx's report"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ka = [(e["time_filetime"], e["record_id"], e["result_code"]) for h in a["hosts"] for e in h["events"]]
kb = [(e["time_filetime"], e["record_id"], e["result_code"]) for h in b["hosts"] for e in h["events"]]
strip = lambda h: {k: v for k, v in h.items() if k not in ("events",)}
sys.exit(0 if ka == kb and [strip(h) for h in a["hosts"]] == [strip(h) for h in b["hosts"]] else 1)
PY
contains "CSV events of the .evtx: record IDs kept" "$tmp/out" "\"record_id\": 18"
# Two different events in one second of a CSV stay two; the same one twice is one.
{
	printf 'Level,Date and Time,Source,Event ID,Task Category\r\n'
	printf 'Information,2024-05-01 02:10:41,Azure AD Connect Upgrade,300,None,UpgradeAbortedSyncExeInUse\r\n'
	printf 'Information,2024-05-01 02:10:41,Azure AD Connect Upgrade,300,None,UpgradeAbortedAdSyncExeInUse\r\n'
	printf 'Information,2024-05-01 02:10:41,Azure AD Connect Upgrade,300,None,UpgradeAbortedSyncExeInUse\r\n'
} > "$tmp/SRV7-Application.csv"
check_status "one second, two events" 0 "$AU" scan --format json --timezone UTC "$tmp/SRV7-Application.csv"
n=$(python3 -c 'import json,sys; print(sum(h["events_count"] for h in json.load(open(sys.argv[1]))["hosts"]))' "$tmp/out")
if [ "$n" = 2 ]; then pass; else fail "one second of a CSV: $n events, expected 2"; fi
contains "record-less event: record_id null" "$tmp/out" '"record_id": null'
contains "host named from the file" "$tmp/out" '"computers_from_name": ['
check_status "one second, text" 0 "$AU" scan --timezone UTC "$tmp/SRV7-Application.csv"
contains "no record ID said" "$tmp/out" "no record ID)"
contains "name from the file said" "$tmp/out" "taken from the file's name"
contains "files list: the file's name" "$tmp/out" "SRV7 (the file's name)"

# Event Viewer CSV: the host is the file's name (without -Application), and
# times without an offset are read as UTC with one warning line.
f=$(ls "$d"/evcsv.iso/*-Application.csv)
check_status "evcsv scan" 0 "$AU" scan --format json "$f"
contains "host from the file name" "$tmp/out" '"host": "AADC01.contoso.local"'
# Named by its short name beside the .evtx that names it in full: two
# servers, and a note that says which one it probably is and how to join.
cp "$f" "$tmp/AADC01-Application.csv"
check_status "short file name beside the .evtx" 0 "$AU" scan --format json "$FIXTURES/$base.evtx" "$tmp/AADC01-Application.csv"
contains "short name: the note" "$tmp/out" 'Probably the same server as AADC01.contoso.local, whose logs name it in full: read this export with --computer AADC01.contoso.local'
check_status "short name, --computer joins" 0 "$AU" scan --format json --computer AADC01.contoso.local "$FIXTURES/$base.evtx" "$tmp/AADC01-Application.csv"
python3 - "$ref" "$tmp/out" <<'PY' && pass || fail "short name with --computer: not the .evtx's report"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(0 if [h["host"] for h in b["hosts"]] == [h["host"] for h in a["hosts"]] else 1)
PY

# A directory holding every form: all are found, the other files are passed over.
mkdir "$tmp/dir"
for sub in "$d"/*.iso; do
	mkdir "$tmp/dir/$(basename "$sub")"
	for f in "$sub"/*; do
		case $f in *.out|*.err|*.diff) ;; *) cp "$f" "$tmp/dir/$(basename "$sub")/" ;; esac
	done
done
echo "not a log" > "$tmp/dir/notes.txt"
printf '{"a": 1}\n' > "$tmp/dir/config.json"
check_status "directory of forms" 0 "$AU" scan --format json "$tmp/dir"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["files"]))' "$tmp/out")
want=$(ls -d "$d"/*.iso | wc -l)
if [ "$n" = "$want" ]; then pass; else fail "directory: $n files read, expected $want"; fi
lacks "directory: no false server from other files" "$tmp/out" '"host": "notes"'

# Local times: written in Europe/Berlin (the fixture crosses no switch, the
# unit test does), read back with --timezone; en-US and en-GB dates with
# --date-order where the file's own dates cannot tell.
nd="$tmp/forms/$base.ndjson"
for spec in "evcsv en-US MDY" "evtxt en-GB DMY" "evcsv de-DE -" "pscsv51 en-US MDY" "pscsv7 de-DE -"; do
	set -- $spec
	mkdir -p "$tmp/tz/$1.$2"
	out="$tmp/tz/$1.$2/AADC01.contoso.local-Application.csv"
	python3 "$FORMGEN" "$1" --locale "$2" --tz Europe/Berlin -o "$out" < "$nd"
	order=""
	[ "$3" = - ] || order="--date-order $3"
	# shellcheck disable=SC2086
	"$AU" scan --format json --timezone Europe/Berlin $order "$out" > "$out.out" 2> "$out.err" || true
	if python3 "$tmp/cmp.py" "$1" "$ref0" "$out.out" > "$out.diff"; then pass; else
		fail "$1 $2 in Europe/Berlin differs from the .evtx"; cut -c1-300 "$out.diff" | head -5 >&2; head -3 "$out.err" >&2; fi
	lacks "$1 $2: no UTC warning with --timezone" "$out.err" "read as UTC"
done
# Without --timezone: one line says the times were read as UTC; status 0.
check_status "no --timezone" 0 "$AU" scan --date-order MDY "$tmp/tz/evcsv.en-US/AADC01.contoso.local-Application.csv"
contains "UTC warning" "$tmp/err" "times without an offset read as UTC"
n=$(grep -c "read as UTC" "$tmp/err")
if [ "$n" = 1 ]; then pass; else fail "UTC warning: $n lines, expected 1"; fi
# Ambiguous dates without --date-order: a clear error naming the file.
check_status "ambiguous dates" 1 "$AU" scan --timezone Europe/Berlin "$tmp/tz/evcsv.en-US/AADC01.contoso.local-Application.csv"
contains "ambiguous dates" "$tmp/err" "AADC01.contoso.local-Application.csv: cannot tell day from month"
# An unknown zone is a usage error naming it.
check_status "unknown zone" 2 "$AU" scan --timezone Mars/Olympus "$tmp/tz/evcsv.de-DE/AADC01.contoso.local-Application.csv"
contains "unknown zone named" "$tmp/err" "unknown time zone 'Mars/Olympus'"
check_status "bad date order" 2 "$AU" scan --date-order YMD "$tmp/tz/evcsv.de-DE/AADC01.contoso.local-Application.csv"
# --computer names the server of a CSV.
check_status "--computer" 0 "$AU" scan --format json --timezone Europe/Berlin --computer SRV9 "$tmp/tz/evcsv.de-DE/AADC01.contoso.local-Application.csv"
contains "--computer" "$tmp/out" '"host": "SRV9"'
# import takes the options too, and keeps the events.
check_status "import a CSV" 0 "$AU" import --db "$tmp/h.db" --timezone Europe/Berlin "$tmp/tz/evcsv.de-DE/AADC01.contoso.local-Application.csv"
check_status "report after import" 0 "$AU" report --db "$tmp/h.db" --format json
contains "report after import" "$tmp/out" '"host": "AADC01.contoso.local"'

# Archives (libarchive, streamed): a KAPE/Velociraptor-style zip with
# URL-encoded names, a .tar.gz, a single .gz and .xz, and a zip inside a zip
# give the events of their members, once; other members are passed over.
ref="$tmp/forms/$base.ref.json"
mkdir -p "$tmp/kape/AADC01/C%3A/Windows/System32/winevt/Logs"
cp "$FIXTURES/$base.evtx" "$tmp/kape/AADC01/C%3A/Windows/System32/winevt/Logs/Application.evtx"
cp "$d"/json7.iso/*.json "$tmp/kape/AADC01/export.json"
echo "collection log" > "$tmp/kape/AADC01/collection.log"
python3 - "$tmp/kape" "$tmp/kape.zip" "$tmp/nested.zip" "$tmp/bomb.zip" <<'PY'
import os, sys, zipfile
src, out, nested, bomb = sys.argv[1:5]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for root, _, files in sorted(os.walk(src)):
        for f in sorted(files):
            p = os.path.join(root, f)
            z.write(p, os.path.relpath(p, src))
with zipfile.ZipFile(nested, "w", zipfile.ZIP_STORED) as z:
    z.write(out, "inner/kape.zip")
# An XML export padded with 200 MiB of blanks: about 1000 times its packed
# size. 200 MiB of zeros beside it is no form at all: passed over after its
# first bytes, never unpacked further.
with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("big.xml", "w", force_zip64=True) as m:
        m.write(b"<?xml version='1.0'?><Events>")
        block = b" " * (1 << 20)
        for _ in range(200):
            m.write(block)
    with z.open("zeros.bin", "w", force_zip64=True) as m:
        block = b"\0" * (1 << 20)
        for _ in range(200):
            m.write(block)
    z.write(out, "good/kape.zip")
PY
(cd "$tmp/kape" && tar czf "$tmp/kape.tgz" AADC01)
gzip -c "$d"/wevtutil.iso/*.xml > "$tmp/wevtutil.xml.gz"
xz -c "$d"/evxml.iso/*.xml > "$tmp/evxml.xml.xz"
(cd "$tmp/kape" && tar cf "$tmp/kape.tar" AADC01)
bzip2 -c "$d"/json7.iso/*.json > "$tmp/json7.json.bz2"
archives="kape.zip kape.tgz kape.tar nested.zip wevtutil.xml.gz evxml.xml.xz json7.json.bz2"
# 7z: written by bsdtar (libarchive-tools) where it is installed.
if command -v bsdtar > /dev/null 2>&1; then
	(cd "$tmp/kape" && bsdtar --format 7zip -cf "$tmp/kape.7z" AADC01)
	archives="$archives kape.7z"
elif [ -n "${CI:-}" ]; then
	fail "bsdtar (libarchive-tools) missing: no .7z test"
fi
for a in $archives; do
	check_status "archive $a" 0 "$AU" scan --format json "$tmp/$a"
	if python3 "$tmp/cmp.py" xml "$ref" "$tmp/out" > "$tmp/arc.diff" 2>&1 ||
	    python3 - "$ref" "$tmp/out" <<'PY'; then pass; else fail "archive $a: not the .evtx's report"; cat "$tmp/arc.diff" | cut -c1-200 | head -5 >&2; fi
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(0 if a["hosts"] == b["hosts"] else 1)
PY
done
lacks "KAPE zip: no false server from the log member" "$tmp/out" '"host": "collection"'
# Files list: each member read is a row of its own, ARCHIVE:MEMBER, under
# its archive's, which has no computers of its own; in scan and in import.
check_status "archive files list" 0 "$AU" scan --format json "$tmp/kape.zip" "$tmp/nested.zip"
python3 - "$tmp/out" "$tmp/kape.zip" "$tmp/nested.zip" <<'PY' && pass || fail "archive files list: members not listed as ARCHIVE:MEMBER"
import json, sys
f = json.load(open(sys.argv[1]))["files"]
z, n = sys.argv[2], sys.argv[3]
evtx, js = "AADC01/C:/Windows/System32/winevt/Logs/Application.evtx", "AADC01/export.json"
want = [z, z + ":" + evtx, z + ":" + js, n, n + ":inner/kape.zip:" + evtx, n + ":inner/kape.zip:" + js]
paths = [x["path"] for x in f]
assert sorted(paths[1:3]) == sorted(want[1:3]) and sorted(paths[4:]) == sorted(want[4:]) and \
    [paths[0], paths[3]] == [z, n], paths
for a in (f[0], f[3]):
    assert a["members"] == 2 and not a["archive_member"] and a["computers"] == [], a
for m in f[1:3] + f[4:]:
    assert m["archive_member"] and m["members"] == 0, m
    assert m["computers"] == ["AADC01.contoso.local"] and m["matched"] > 0, m
assert f[0]["records"] == f[1]["records"] + f[2]["records"], f[0]
PY
check_status "archive files list, text" 0 "$AU" scan "$tmp/kape.zip"
contains "text: the archive's computers are its members'" "$tmp/out" "in its 2 members below"
contains "text: a member under its archive" "$tmp/out" "    $tmp/kape.zip:AADC01/export.json: "
check_status "import an archive" 0 "$AU" import -q --db "$tmp/arc.db" "$tmp/kape.zip"
check_status "export bulk of an archive" 0 "$AU" export --db "$tmp/arc.db" --format bulk
contains "events belong to their member" "$tmp/out" "kape.zip:AADC01/"
n=$(sqlite3 "$tmp/arc.db" "SELECT count(*) FROM files WHERE parent = (SELECT id FROM files WHERE path = '$tmp/kape.zip') AND path LIKE '$tmp/kape.zip:AADC01/%'")
if [ "$n" = 2 ]; then pass; else fail "history: $n member rows under the archive, expected 2"; fi
check_status "report of an archive" 0 "$AU" report --db "$tmp/arc.db" --format json
contains "report of an archive: its server" "$tmp/out" '"host": "AADC01.contoso.local"'
# A member larger than the bytes kept for a look-ahead: an Event Viewer CSV
# of about 3 MiB whose dates tell day from month only near its end, so that
# the reader's second pass unpacks the member anew. Zipped, gzipped and
# plain, it gives the same report.
python3 - "$tmp/big/SRV8-Application.csv" <<'PY'
import os, sys
out = sys.argv[1]
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w", newline="") as f:
    f.write("Level,Date and Time,Source,Event ID,Task Category\r\n")
    f.write("Information,5/3/2024 2:10:41 AM,Azure AD Connect Upgrade,300,None,"
            "UpgradeAbortedSyncExeInUse\r\n")
    for i in range(24000):
        f.write("Information,5/%d/2024 1:%02d:%02d AM,Filler,%d,None,\"filler line %d, "
                "nothing to do with upgrades\r\nsecond line\"\r\n"
                % (1 + i % 12, i // 60 % 60, i % 60, 100 + i % 50, i))
    f.write("Information,5/20/2024 2:10:41 AM,Azure AD Connect Upgrade,300,None,"
            "UpgradeNotSupportedCustomizedSyncRules\r\n")
PY
(cd "$tmp/big" && python3 -c 'import zipfile; z = zipfile.ZipFile("big.zip", "w", zipfile.ZIP_DEFLATED); z.write("SRV8-Application.csv"); z.close()')
gzip -c "$tmp/big/SRV8-Application.csv" > "$tmp/big/SRV8-Application.csv.gz"
check_status "big CSV" 0 "$AU" scan --format json --timezone UTC "$tmp/big/SRV8-Application.csv"
cp "$tmp/out" "$tmp/big.ref"
contains "big CSV: day after month" "$tmp/big.ref" '"time": "2024-05-20T02:10:41Z"'
for a in big.zip SRV8-Application.csv.gz; do
	check_status "big CSV in $a" 0 "$AU" scan --format json --timezone UTC "$tmp/big/$a"
	python3 - "$tmp/big.ref" "$tmp/out" <<'PY' && pass || fail "big CSV in $a: not the plain file's report"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(0 if a["hosts"] == b["hosts"] and len(a["hosts"]) == 1 else 1)
PY
done
# Streamed: a text member is never copied whole into memory (no memory
# file is made for it, as one is for an .evtx member, which libevtx seeks).
if command -v strace > /dev/null 2>&1; then
	strace -f -e trace=memfd_create -o "$tmp/strace" "$AU" scan -q --timezone UTC "$tmp/big/big.zip" > /dev/null 2>&1 || true
	if grep -q "memfd_create" "$tmp/strace"; then fail "big CSV in a zip: copied into memory"; else pass; fi
	strace -f -e trace=memfd_create -o "$tmp/strace" "$AU" scan -q "$tmp/kape.zip" > /dev/null 2>&1 || true
	if grep -q "memfd_create" "$tmp/strace"; then pass; else fail "strace saw no memory file for an .evtx member: the check above proves nothing"; fi
elif [ -n "${CI:-}" ]; then
	fail "strace missing: streaming of archive members not checked"
fi
# A member past the ratio limit stops with a clear error naming it; the rest is read.
check_status "zip bomb" 3 "$AU" scan --format json "$tmp/bomb.zip"
contains "zip bomb named" "$tmp/err" "bomb.zip:big.xml"
contains "zip bomb reason" "$tmp/err" "archive bomb"
if python3 - "$ref" "$tmp/out" <<'PY'; then pass; else fail "zip bomb: the good members were not read"; fi
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(0 if a["hosts"] == b["hosts"] else 1)
PY
# An archive that is not what its name says: read by content, or one error.
cp "$d"/wevtutil.iso/*.xml "$tmp/really-xml.zip"
check_status "xml named .zip" 0 "$AU" scan --format json "$tmp/really-xml.zip"
head -c 3000 "$tmp/kape.zip" > "$tmp/cut.zip"
check_status "truncated zip: the members before the cut are read" 3 "$AU" scan "$tmp/cut.zip"
contains "truncated zip named" "$tmp/err" "cut.zip: "
contains "truncated zip reason" "$tmp/err" "damaged archive after"
printf 'PK\003\004garbage that is no zip at all........................' > "$tmp/garbage.zip"
check_status "garbage zip" 1 "$AU" scan "$tmp/garbage.zip"
contains "garbage zip named" "$tmp/err" "garbage.zip"

# A file of no known form named on the command line is an error naming it:
# 3 beside files that were read, 1 when nothing could be read.
check_status "unknown form named" 3 "$AU" scan "$FIXTURES/$base.evtx" "$tmp/dir/notes.txt"
contains "unknown form named" "$tmp/err" "notes.txt: not an event log of a known form"
contains "the rest reported" "$tmp/out" "AADC01.contoso.local"
check_status "unknown form alone" 1 "$AU" scan "$tmp/dir/notes.txt"
contains "unknown form alone named" "$tmp/err" "notes.txt: not an event log of a known form"

finish
