#!/bin/sh
# hostile-names.sh: file names, arguments and database paths with terminal escapes reach no terminal raw.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

good="$FIXTURES/upgrade-after-aborts.evtx"
ESC=$(printf '\033')
BEL=$(printf '\007')
RLO=$(printf '\342\200\256')   # U+202E RIGHT-TO-LEFT OVERRIDE
NL='
'

# clean NAME FILE: FILE has no control character but the line feeds ending
# its lines (no ESC, BEL, CR, C1 control, bidi override, invalid UTF-8).
clean() {
	if python3 - "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    print("invalid UTF-8 at byte %d" % e.start)
    sys.exit(1)
bidi = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C, 0x2028, 0x2029}
for i, ch in enumerate(text):
    cp = ord(ch)
    if (cp < 0x20 and ch != "\n") or cp == 0x7F or 0x80 <= cp <= 0x9F or cp in bidi:
        print("raw U+%04X at character %d" % (cp, i))
        sys.exit(1)
PY
	then pass; else fail "$1: raw control character in $(basename "$2")"; sed 's/^/  /' "$2" | cat -A | head -5 >&2; fi
}
# json_clean NAME FILE: valid JSON without raw C0 controls (JSON's own rule;
# its strings keep the names exactly, bidi characters included, for programs).
json_clean() {
	if python3 - "$2" <<'PY'
import json, sys
data = open(sys.argv[1], "rb").read()
json.loads(data.decode("utf-8"))
bad = [b for b in data if (b < 0x20 and b != 0x0A) or b == 0x7F]
if bad:
    print("raw byte 0x%02x" % bad[0])
    sys.exit(1)
PY
	then pass; else fail "$1: not clean JSON"; fi
}
# lines NAME FILE N: FILE has exactly N lines.
lines() {
	got=$(wc -l < "$2")
	if [ "$got" -eq "$3" ]; then pass; else fail "$1: $got lines in $(basename "$2"), expected $3"; cat -A "$2" | head -10 >&2; fi
}

# One good log and four bad files, each named with another attack.
d="$tmp/logs"
mkdir "$d"
cp "$good" "$d/good${ESC}]0;pwned${BEL}.evtx"
printf 'not a log' > "$d/csi${ESC}[2J${ESC}[31mred.evtx"
printf 'not a log' > "$d/bidi${RLO}txt.exe.evtx"
printf 'not a log' > "$d/new${NL}line.evtx"
: > "$d/bel${BEL}.evtx"
# A folder whose own name is hostile, holding one more bad file.
sub="$d/dir${ESC}[1m${NL}x"
mkdir "$sub"
printf 'not a log' > "$sub/inner.evtx"

for fmt in text markdown json; do
	check_status "scan dir $fmt" 3 "$AU" scan --format "$fmt" "$d"
	if [ "$fmt" = json ]; then
		json_clean "scan dir json stdout" "$tmp/out"
		contains "json keeps the name" "$tmp/out" ']0;pwned\u0007.evtx'
	else
		clean "scan dir $fmt stdout" "$tmp/out"
	fi
	clean "scan dir $fmt stderr" "$tmp/err"
	lines "scan dir $fmt: one stderr line per bad file" "$tmp/err" 5
done
# The names are shown, escaped visibly, not dropped.
check_status "scan dir text" 3 "$AU" scan "$d"
contains "CSI shown escaped" "$tmp/err" "csi\\x1b[2J\\x1b[31mred.evtx: not an EVTX log"
contains "BEL shown escaped" "$tmp/err" "bel\\x07.evtx: empty file"
contains "bidi shown escaped" "$tmp/err" "bidi\\u202etxt.exe.evtx: not an EVTX log"
contains "newline shown escaped" "$tmp/err" "new\\nline.evtx: not an EVTX log"
contains "folder name shown escaped" "$tmp/err" "dir\\x1b[1m\\nx/inner.evtx: not an EVTX log"
contains "OSC in the report escaped" "$tmp/out" "good\\x1b]0;pwned\\x07.evtx"
contains "the good log still read" "$tmp/out" "AADC01.contoso.local"

# The same files named on the command line.
check_status "scan args" 3 "$AU" scan "$d/good${ESC}]0;pwned${BEL}.evtx" \
    "$d/csi${ESC}[2J${ESC}[31mred.evtx" "$d/bidi${RLO}txt.exe.evtx" \
    "$d/new${NL}line.evtx" "$d/bel${BEL}.evtx" "$d/missing${ESC}[5m.evtx"
clean "scan args stdout" "$tmp/out"
clean "scan args stderr" "$tmp/err"
lines "scan args: one stderr line per problem" "$tmp/err" 5
contains "missing file named escaped" "$tmp/err" "missing\\x1b[5m.evtx: cannot read"

# import: per-file lines on stdout, problems on stderr, the summary names
# the database (itself hostile) escaped.
db="$tmp/hist${ESC}[1m${RLO}.sqlite"
check_status "import dir" 3 "$AU" import --db "$db" "$d"
clean "import dir stdout" "$tmp/out"
clean "import dir stderr" "$tmp/err"
lines "import dir: a line per file and a summary" "$tmp/out" 7
lines "import dir: one stderr line per bad file" "$tmp/err" 5
contains "import summary names the database escaped" "$tmp/out" "hist\\x1b[1m\\u202e.sqlite"
contains "import per-file line escaped" "$tmp/out" "good\\x1b]0;pwned\\x07.evtx: 6 new"
check_status "import args" 3 "$AU" import --db "$db" "$d/new${NL}line.evtx" "$d/good${ESC}]0;pwned${BEL}.evtx"
clean "import args stdout" "$tmp/out"
clean "import args stderr" "$tmp/err"
lines "import args: per-file lines and summary" "$tmp/out" 3
lines "import args: one problem" "$tmp/err" 1
contains "import args: already known" "$tmp/out" "0 new, 6 already known"
check_status "report" 0 "$AU" report --db "$db"
clean "report stdout" "$tmp/out"
clean "report stderr" "$tmp/err"

# Arguments echoed back.
check_status "unknown command" 2 "$AU" "frob${ESC}]0;x${BEL}${NL}"
clean "unknown command stderr" "$tmp/err"
lines "unknown command: one line" "$tmp/err" 1
contains "unknown command escaped" "$tmp/err" "unknown command 'frob\\x1b]0;x\\x07\\n'"
check_status "unknown format" 2 "$AU" scan --format "x${ESC}[1m${RLO}" "$good"
clean "unknown format stderr" "$tmp/err"
contains "unknown format escaped" "$tmp/err" "unknown format 'x\\x1b[1m\\u202e'"
check_status "unknown option" 2 "$AU" scan "--frob${ESC}[1m${NL}" "$good"
clean "unknown option stderr" "$tmp/err"
lacks "unknown option: no raw name" "$tmp/err" "${ESC}"
check_status "unknown code" 1 "$AU" codes "Upgrade${ESC}[2J${NL}${RLO}"
clean "unknown code stdout" "$tmp/out"
clean "unknown code stderr" "$tmp/err"
lines "unknown code: one stderr line" "$tmp/err" 1
check_status "unknown host" 1 "$AU" report --db "$db" --host "h${ESC}[1m${NL}"
clean "unknown host stderr" "$tmp/err"

finish
