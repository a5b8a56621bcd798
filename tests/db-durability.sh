#!/bin/sh
# db-durability.sh: the history database under SIGKILL, concurrent imports, bad databases and re-imports.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

# Events in the log that is killed mid-import (AU_DURABILITY_EVENTS).
big_events=${AU_DURABILITY_EVENTS:-40000}
P="Azure AD Connect Upgrade"

if ! command -v sqlite3 > /dev/null; then
	echo "SKIP: the sqlite3 shell is needed (Debian: sqlite3)"
	exit 77
fi

# mklog OUT HOST FIRST_RECORD COUNT START CODE: COUNT events of HOST, one a
# minute from START, record ids from FIRST_RECORD: two logs cut from the
# same history overlap exactly where their record ids do.
mklog() {
	printf '{"computer": "%s", "first_record_id": %s, "records": [{"time": "%s",' \
	    "$2" "$3" "$5" > "$1.json"
	printf ' "provider": "%s", "event_id": 300, "data": ["Azure AD Connect AutoUpgrade result = %s"],' \
	    "$P" "$6" >> "$1.json"
	printf ' "repeat": {"count": %s, "every": "1m"}}]}\n' "$4" >> "$1.json"
	"$EVTXGEN" -o "$1" "$1.json"
}
# minutes after 2024-01-01T00:00:00Z as RFC 3339
at() { date -u -d "@$((1704067200 + $1 * 60))" +%Y-%m-%dT%H:%M:%SZ; }
q() { sqlite3 "$1" "$2"; }
ms() { echo $(($(date +%s%N) / 1000000)); }
# dump DB: the database's content, comparable before and after
dump() { sqlite3 "$1" .dump | sha256sum | cut -d' ' -f1; }
# the line import printed for FILE, as "NEW KNOWN"
counts() { sed -n "s|^$2: \([0-9]*\) new, \([0-9]*\) already known.*|\1 \2|p" "$1"; }

# --- logs -----------------------------------------------------------------
mklog "$tmp/base.evtx" BASE01.contoso.local 1 500 "$(at 0)" UpgradeAbortedSyncExeInUse
# the big log: four servers, many chunks
quarter=$((big_events / 4))
{
	printf '{"records": ['
	for h in 1 2 3 4; do
		[ "$h" -eq 1 ] || printf ','
		printf '{"time": "%s", "computer": "SRV%02d.contoso.local", "provider": "%s",' \
		    "$(at $((h * 10)))" "$h" "$P"
		printf ' "event_id": 300, "data": ["Azure AD Connect AutoUpgrade result = %s"],' \
		    "$([ "$h" -eq 2 ] && echo Success || echo UpgradeNotSupportedStagingModeEnabled)"
		printf ' "repeat": {"count": %s, "every": "1m"}}' "$quarter"
	done
	printf ']}\n'
} > "$tmp/big.json"
"$EVTXGEN" -o "$tmp/big.evtx" "$tmp/big.json"
big_events=$((quarter * 4))

base_db="$tmp/base.db"
check_status "base import" 0 "$AU" import --db "$base_db" "$tmp/base.evtx"
base_sum=$(dump "$base_db")

# --- SIGKILL at many points of one import ----------------------------------
# How long the whole import takes here (the faster of two runs: a loaded
# machine varies), so the kills spread over it.
dur=
for _ in 1 2; do
	cp "$base_db" "$tmp/full.db"
	t0=$(ms)
	check_status "full import of the big log" 0 "$AU" import --db "$tmp/full.db" "$tmp/big.evtx"
	t=$(($(ms) - t0))
	[ -n "$dur" ] && [ "$dur" -le "$t" ] || dur=$t
	contains "full import counts" "$tmp/out" "$tmp/big.evtx: $big_events new, 0 already known"
done
echo "big log: $big_events events, import takes $dur ms"

# consistent DB: "ok" when SQLite's integrity check passes, every event
# has a file and the summaries count every event; else what is wrong.
consistent() {
	ic=$(q "$1" 'PRAGMA integrity_check')
	evs=$(q "$1" 'SELECT count(*) FROM events')
	orphans=$(q "$1" 'SELECT count(*) FROM events WHERE id NOT IN (SELECT event_id FROM event_files)')
	dangling=$(q "$1" 'SELECT count(*) FROM event_files WHERE file_id NOT IN (SELECT id FROM files)')
	summed=$(q "$1" 'SELECT coalesce(sum(events), 0) FROM host_status')
	if [ "$ic" != ok ]; then
		echo "integrity: $ic"
	elif [ "$orphans" != 0 ] || [ "$dangling" != 0 ] || [ "$summed" != "$evs" ]; then
		echo "inconsistent: $orphans events without a file, $dangling rows of no file," \
		    "summaries count $summed of $evs events"
	else
		echo ok
	fi
}

# state DB: "absent" or "present" when the big log is not there at all or
# all there (its file row and every event), anything else otherwise.
state() {
	c=$(consistent "$1")
	files=$(q "$1" "SELECT count(*) FROM files WHERE path = '$tmp/big.evtx'")
	evs=$(q "$1" 'SELECT count(*) FROM events')
	linked=$(q "$1" "SELECT count(DISTINCT ef.event_id) FROM event_files ef
	    JOIN files f ON f.id = ef.file_id WHERE f.path = '$tmp/big.evtx'")
	if [ "$c" != ok ]; then
		echo "$c"
	elif [ "$files" = 0 ] && [ "$evs" = 500 ] && [ "$linked" = 0 ]; then
		echo absent
	elif [ "$files" -ge 1 ] && [ "$evs" = $((500 + big_events)) ] &&
	    [ "$linked" = "$big_events" ]; then
		echo present
	else
		echo "partial: $files file rows, $evs events, $linked from the big log"
	fi
}

absent_db='' present_db=''
nabsent=0 npresent=0
for pct in 2 5 10 15 20 30 40 50 60 70 80 90 97 103; do
	db="$tmp/kill-$pct.db"
	cp "$base_db" "$db"
	"$AU" import -q --db "$db" "$tmp/big.evtx" > /dev/null 2>&1 &
	pid=$!
	delay=$((dur * pct / 100))
	sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
	kill -KILL "$pid" 2> /dev/null || true
	wait "$pid" 2> /dev/null || true
	st=$(state "$db")
	case $st in
	absent)
		pass
		nabsent=$((nabsent + 1))
		[ -n "$absent_db" ] || absent_db=$db
		;;
	present)
		pass
		npresent=$((npresent + 1))
		present_db=$db
		;;
	*)
		fail "killed at $pct% ($delay ms): $st"
		;;
	esac
	# What was there before the kill is untouched.
	n=$(q "$db" "SELECT count(*) FROM events e JOIN hosts h ON h.id = e.host_id
	    WHERE h.name_key = 'base01.contoso.local'")
	[ "$n" = 500 ] && pass || fail "killed at $pct%: base events $n, expected 500"
done
echo "kills: $nabsent during the import (nothing of the file stayed), $npresent after its commit"
[ "$nabsent" -gt 0 ] && pass || fail "no kill landed during the import"
# Importing again after a kill completes with exact counts.
if [ -n "$absent_db" ]; then
	check_status "import after a kill" 0 "$AU" import --db "$absent_db" "$tmp/big.evtx"
	contains "import after a kill: all new" "$tmp/out" "$tmp/big.evtx: $big_events new, 0 already known"
	[ "$(state "$absent_db")" = present ] && pass || fail "after re-import: $(state "$absent_db")"
	[ "$(q "$absent_db" 'SELECT count(*) FROM files')" = 2 ] && pass || fail "file rows after re-import"
fi
if [ -n "$present_db" ]; then
	check_status "import after a late kill" 0 "$AU" import --db "$present_db" "$tmp/big.evtx"
	contains "late kill: all known" "$tmp/out" "$tmp/big.evtx: 0 new, $big_events already known"
	[ "$(state "$present_db")" = present ] && pass || fail "after late re-import: $(state "$present_db")"
fi
rm -f "$tmp"/kill-*.db*

# --- concurrent imports of overlapping logs -------------------------------
# a: records 1..12000, b: 6001..18000 of the same history: 6000 in common.
mklog "$tmp/a.evtx" SYNC01.contoso.local 1 12000 "$(at 0)" UpgradeAbortedSyncExeInUse
mklog "$tmp/b.evtx" SYNC01.contoso.local 6001 12000 "$(at 6000)" UpgradeAbortedSyncExeInUse
db="$tmp/conc.db"
cp "$base_db" "$db"
"$AU" import --db "$db" "$tmp/a.evtx" > "$tmp/conc-a.out" 2> "$tmp/conc-a.err" &
pa=$!
"$AU" import --db "$db" "$tmp/b.evtx" > "$tmp/conc-b.out" 2> "$tmp/conc-b.err" &
pb=$!
sa=0 sb=0
wait "$pa" || sa=$?
wait "$pb" || sb=$?
[ "$sa" -eq 0 ] && pass || fail "concurrent import a: exit $sa: $(cat "$tmp/conc-a.err")"
[ "$sb" -eq 0 ] && pass || fail "concurrent import b: exit $sb: $(cat "$tmp/conc-b.err")"
[ "$(q "$db" 'SELECT count(*) FROM events')" = $((500 + 18000)) ] && pass ||
    fail "concurrent imports: $(q "$db" 'SELECT count(*) FROM events') events, expected $((500 + 18000))"
dups=$(q "$db" 'SELECT count(*) FROM (SELECT 1 FROM events GROUP BY host_id, time, record_id HAVING count(*) > 1)')
[ "$dups" = 0 ] && pass || fail "concurrent imports: $dups duplicates"
# shellcheck disable=SC2046 # "new known" pairs, split on purpose
set -- $(counts "$tmp/conc-a.out" "$tmp/a.evtx") $(counts "$tmp/conc-b.out" "$tmp/b.evtx")
if [ $# -eq 4 ] && [ $(($1 + $2)) -eq 12000 ] && [ $(($3 + $4)) -eq 12000 ] &&
    [ $(($1 + $3)) -eq 18000 ] && [ $(($2 + $4)) -eq 6000 ]; then
	pass
else
	fail "concurrent imports: per-file counts '$*' (new known, new known)"
fi
[ "$(consistent "$db")" = ok ] && pass || fail "concurrent: $(consistent "$db")"

# --- re-import and overlapping imports: exact counts per file and in total
db="$tmp/again.db"
check_status "import a" 0 "$AU" import --db "$db" "$tmp/a.evtx"
contains "import a: all new" "$tmp/out" "$tmp/a.evtx: 12000 new, 0 already known (12000 records read)"
check_status "import a again" 0 "$AU" import --db "$db" "$tmp/a.evtx"
contains "a again: all known" "$tmp/out" "$tmp/a.evtx: 0 new, 12000 already known"
contains "a again: totals" "$tmp/out" "1 file(s) imported into $db: 0 new event(s), 12000 already known"
contains "a again: not read again" "$tmp/out" "$tmp/a.evtx: 0 new, 12000 already known (unchanged since its import: not read again)"
contains "a again: no record read" "$tmp/out" "0 installer event(s), 0 records read"
# Touched (a new modification time): read again, its digest compared with
# the import's, and every chunk found unchanged: no record read again.
touch "$tmp/a.evtx"
check_status "import a after touch" 0 "$AU" import --db "$db" "$tmp/a.evtx"
contains "a touched: read again, the same bytes" "$tmp/out" "$tmp/a.evtx: 0 new, 12000 already known (0 records read; the same bytes as at its import of "
a_chunks=$(( ($(stat -c %s "$tmp/a.evtx") - 4096) / 65536 ))
contains "a touched: every chunk unchanged" "$tmp/out" ": $a_chunks chunks unchanged, not read again)"
check_status "import a, unchanged since" 0 "$AU" import --db "$db" "$tmp/a.evtx"
contains "a unchanged again" "$tmp/out" "not read again"
# The same bytes under another name (another inode): read.
cp -p "$tmp/a.evtx" "$tmp/a-copy.evtx"
check_status "import a copy" 0 "$AU" import --db "$db" "$tmp/a-copy.evtx"
contains "a copy: read" "$tmp/out" "$tmp/a-copy.evtx: 0 new, 12000 already known (12000 records read)"
# Rewritten in place (the same inode) with other content of another size: read again.
cp "$tmp/base.evtx" "$tmp/grow.evtx"
check_status "import grow" 0 "$AU" import --db "$tmp/grow.db" "$tmp/a.evtx" "$tmp/grow.evtx"
ino=$(stat -c %i "$tmp/grow.evtx")
cat "$tmp/a.evtx" > "$tmp/grow.evtx"
[ "$(stat -c %i "$tmp/grow.evtx")" = "$ino" ] && pass || fail "grow.evtx: not rewritten in place"
check_status "import grow after it changed" 0 "$AU" import --db "$tmp/grow.db" "$tmp/grow.evtx"
contains "changed in place: read again" "$tmp/out" "$tmp/grow.evtx: 0 new, 12000 already known (12000 records read; changed since its import of "
contains "changed in place: no chunk of the old log" "$tmp/out" ": read again)"

# A log that grew: the same five servers' log read twice, the second time
# with 5,000 more records written after (the chunks before unchanged but
# for the last, which was still being written): only the new chunks are
# read, and the history ends as if the grown log alone had been imported.
# growlog OUT COUNT: COUNT records in time order, servers in turn
growlog() {
	awk -v n="$2" -v p="$P" 'BEGIN {
		printf "{\"records\": ["
		for (k = 0; k < n; k++) {
			t = 1704067200 + k * 60
			printf "%s{\"time\": \"%s\", \"computer\": \"GROW%02d.contoso.local\",",
			    k ? "," : "", strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), k % 5
			printf " \"provider\": \"%s\", \"event_id\": 300, \"data\":", p
			printf " [\"Azure AD Connect AutoUpgrade result = UpgradeAbortedSyncExeInUse\"]}"
		}
		printf "]}\n"
	}' > "$1.json"
	"$EVTXGEN" -o "$1" "$1.json"
}
growlog "$tmp/grow-10k.evtx" 10000
growlog "$tmp/grow-15k.evtx" 15000
gdb="$tmp/grown.db"
cp "$tmp/grow-10k.evtx" "$tmp/live.evtx"
check_status "grown log: first import" 0 "$AU" import --db "$gdb" "$tmp/live.evtx"
contains "grown log: first import all new" "$tmp/out" "$tmp/live.evtx: 10000 new, 0 already known (10000 records read)"
cp "$tmp/grow-15k.evtx" "$tmp/live.evtx"
check_status "grown log: imported again" 0 "$AU" import --db "$gdb" "$tmp/live.evtx"
old_chunks=$(( ($(stat -c %s "$tmp/grow-10k.evtx") - 4096) / 65536 ))
# The last chunk of the first copy was written on: read again, its records
# known; every chunk before it unchanged.
contains "grown log: the new records only" "$tmp/out" "$tmp/live.evtx: 5000 new, 10000 already known (5000 records read; grew since its import of "
contains "grown log: the old chunks not read again" "$tmp/out" ": $((old_chunks - 1)) chunks unchanged, not read again)"
fdb="$tmp/fresh.db"
check_status "grown log: the grown copy alone" 0 "$AU" import --db "$fdb" "$tmp/grow-15k.evtx"
# Servers, events, records per server and periods as from the grown log alone.
for d in "$gdb" "$fdb"; do
	"$AU" report --db "$d" --format json | python3 -c '
import json, sys
for h in json.load(sys.stdin)["hosts"]:
    print(h["host"], h["events_count"], h["attempts"], h["log"], h["streak"])' > "$d.hosts"
done
if cmp -s "$gdb.hosts" "$fdb.hosts" && [ "$(wc -l < "$fdb.hosts")" -eq 5 ]; then
	pass
else
	fail "grown log: report differs from the grown log's alone: $(diff "$gdb.hosts" "$fdb.hosts" | head -5)"
fi
contains "grown log: 3000 records per server" "$gdb.hosts" "GROW03.contoso.local 3000 3000 {'records': 3000,"
[ "$(q "$gdb" 'SELECT count(*) FROM events')" = 15000 ] && pass ||
    fail "grown log: $(q "$gdb" 'SELECT count(*) FROM events') events, expected 15000"
[ "$(consistent "$gdb")" = ok ] && pass || fail "grown log: $(consistent "$gdb")"
# Only the latest import of a path keeps its chunks' checksums.
[ "$(q "$gdb" 'SELECT count(DISTINCT file_id) FROM file_chunks')" = 1 ] && pass ||
    fail "grown log: file_chunks of $(q "$gdb" 'SELECT count(DISTINCT file_id) FROM file_chunks') imports"
# Another log written over it (other records, other checksums): read whole.
growlog "$tmp/other.evtx" 12000
sed 's/GROW/OTHR/g' "$tmp/other.evtx.json" > "$tmp/other2.json"
"$EVTXGEN" -o "$tmp/live.evtx" "$tmp/other2.json"
check_status "grown log: another log in its place" 0 "$AU" import --db "$gdb" "$tmp/live.evtx"
contains "another log in its place: read whole" "$tmp/out" "$tmp/live.evtx: 12000 new, 0 already known (12000 records read; changed since its import of "
contains "another log in its place: no chunk skipped" "$tmp/out" ": read again)"
# --recovered reads slack space, which the checksums do not cover: every chunk read.
check_status "grown log: --recovered" 0 "$AU" import --recovered --db "$tmp/rec.db" "$tmp/grow-10k.evtx"
cp "$tmp/grow-15k.evtx" "$tmp/grow-10k.evtx"
check_status "grown log: --recovered again" 0 "$AU" import --recovered --db "$tmp/rec.db" "$tmp/grow-10k.evtx"
contains "--recovered: every chunk read" "$tmp/out" "$tmp/grow-10k.evtx: 5000 new, 10000 already known (15000 records read; changed since its import of "

check_status "import a and b" 0 "$AU" import --db "$db" "$tmp/a.evtx" "$tmp/b.evtx"
contains "a and b: a known" "$tmp/out" "$tmp/a.evtx: 0 new, 12000 already known"
contains "a and b: b half new" "$tmp/out" "$tmp/b.evtx: 6000 new, 6000 already known"
contains "a and b: totals" "$tmp/out" "2 file(s) imported into $db: 6000 new event(s), 18000 already known"
[ "$(q "$db" 'SELECT count(*) FROM events')" = 18000 ] && pass || fail "a and b: event count"
[ "$(q "$db" "SELECT events || ' ' || attempts || ' ' || verdict FROM host_status")" = "18000 18000 retrying" ] &&
    pass || fail "a and b: summary $(q "$db" 'SELECT * FROM host_status')"

# --- bad databases: one line naming the database, status 1, nothing changed
# refused NAME DB REASON CMD...: runs CMD, checks the line and that DB's content is the same.
refused() {
	name=$1 db=$2 reason=$3
	shift 3
	before=$(dump "$db")
	check_status "$name" 1 "$@"
	echo "$name: $(cat "$tmp/err")"
	contains "$name: names the database" "$tmp/err" "aadc-upgrade: $db: "
	contains "$name: says why" "$tmp/err" "$reason"
	[ "$(wc -l < "$tmp/err")" -eq 1 ] && pass || fail "$name: $(wc -l < "$tmp/err") lines on stderr"
	[ "$(dump "$db")" = "$before" ] && pass || fail "$name: the database changed"
}

# Not a database.
printf 'not a database, only text\n%.0s' $(seq 100) > "$tmp/junk.db"
cp "$tmp/junk.db" "$tmp/junk.orig"
check_status "not a database" 1 "$AU" import --db "$tmp/junk.db" "$tmp/a.evtx"
echo "not a database: $(cat "$tmp/err")"
contains "not a database: line" "$tmp/err" "aadc-upgrade: $tmp/junk.db: not an SQLite database"
cmp -s "$tmp/junk.db" "$tmp/junk.orig" && pass || fail "not a database: file changed"
[ ! -e "$tmp/junk.db-wal" ] && pass || fail "not a database: a -wal file was made"

# A newer schema: refused, the file's bytes unchanged.
db="$tmp/newer.db"
cp "$base_db" "$db"
q "$db" 'PRAGMA user_version = 99'
cp "$db" "$tmp/newer.orig"
check_status "newer schema" 1 "$AU" import --db "$db" "$tmp/a.evtx"
echo "newer schema: $(cat "$tmp/err")"
contains "newer schema: line" "$tmp/err" "aadc-upgrade: $db: schema version 99 is newer than this aadc-upgrade knows"
cmp -s "$db" "$tmp/newer.orig" && pass || fail "newer schema: file changed"
check_status "newer schema: report" 1 "$AU" report --db "$db"
contains "newer schema: report line" "$tmp/err" "aadc-upgrade: $db: schema version 99"

# Locked by another writer for longer than the busy timeout.
db="$tmp/locked.db"
cp "$base_db" "$db"
python3 - "$db" "$tmp/locked.ready" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO meta (key, value) VALUES ('held', 'by python')")
open(sys.argv[2], "w").close()
time.sleep(60)
PY
holder=$!
i=0
while [ ! -e "$tmp/locked.ready" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t0=$(ms)
export AADC_UPGRADE_BUSY_TIMEOUT_MS=400
check_status "locked" 1 "$AU" import --db "$db" "$tmp/a.evtx"
unset AADC_UPGRADE_BUSY_TIMEOUT_MS
waited=$(($(ms) - t0))
kill "$holder" 2> /dev/null || true
wait "$holder" 2> /dev/null || true
echo "locked: $(cat "$tmp/err")"
contains "locked: line" "$tmp/err" "aadc-upgrade: $db: "
contains "locked: reason" "$tmp/err" "database is locked (still busy after 400 ms"
[ "$(wc -l < "$tmp/err")" -eq 1 ] && pass || fail "locked: $(wc -l < "$tmp/err") lines on stderr"
[ "$waited" -ge 400 ] && pass || fail "locked: gave up after $waited ms"
[ "$(dump "$db")" = "$base_sum" ] && pass || fail "locked: the database changed"

# Read-only: as root every file is writable, so run as nobody (util-linux setpriv).
db="$tmp/ro/history.db"
mkdir -p "$tmp/ro"
cp "$base_db" "$db"
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv > /dev/null && chmod 755 "$tmp" "$tmp/ro" && chmod 644 "$tmp/a.evtx" &&
	    setpriv --reuid=65534 --regid=65534 --clear-groups true 2> /dev/null; then
		refused "read-only (as uid 65534)" "$db" "read-only" \
		    setpriv --reuid=65534 --regid=65534 --clear-groups "$AU" import --db "$db" "$tmp/a.evtx"
		# The directory writable but not the file: the same.
		chown 65534:65534 "$tmp/ro"
		refused "read-only file (as uid 65534)" "$db" "read-only" \
		    setpriv --reuid=65534 --regid=65534 --clear-groups "$AU" import --db "$db" "$tmp/a.evtx"
		chmod 700 "$tmp"
	else
		echo "SKIP read-only: cannot drop privileges with setpriv"
	fi
else
	chmod 444 "$db"
	chmod 555 "$tmp/ro"
	refused "read-only" "$db" "read-only" "$AU" import --db "$db" "$tmp/a.evtx"
	chmod 755 "$tmp/ro"
fi

# --- read commands never write: read-only media, foreign and empty files ---
# reads NAME DB [AS...]: report, fleet and export (every format) on DB work,
# DB's bytes and its directory's listing unchanged.
reads() {
	name=$1 db=$2
	shift 2
	cp "$db" "$tmp/reads.orig"
	ls -a "$(dirname "$db")" > "$tmp/reads.ls"
	for c in "report" "report --format json" "fleet" "fleet --format json" \
	    "export --format json" "export --format ndjson" "export --format csv"; do
		# shellcheck disable=SC2086 # the command and its options, split on purpose
		check_status "$name: $c" 0 "$@" "$AU" $c --db "$db"
		contains "$name: $c: reads the history" "$tmp/out" "BASE01"
	done
	cmp -s "$db" "$tmp/reads.orig" && pass || fail "$name: the database changed"
	ls -a "$(dirname "$db")" | cmp -s - "$tmp/reads.ls" && pass ||
	    fail "$name: files appeared beside it: $(ls -a "$(dirname "$db")" | tr '\n' ' ')"
}
reads "idle history" "$base_db"
db="$tmp/ro2/history.db"
mkdir -p "$tmp/ro2"
cp "$base_db" "$db"
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv > /dev/null && chmod 755 "$tmp" &&
	    setpriv --reuid=65534 --regid=65534 --clear-groups true 2> /dev/null; then
		as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
		# Another user's history, in a directory this user may not write.
		reads "another user's history" "$db" $as_nobody
		# Read-only media: the directory and file not writable even by their owner.
		chown -R 65534:65534 "$tmp/ro2"
		chmod a-w "$db" "$tmp/ro2"
		reads "read-only directory (as its owner)" "$db" $as_nobody
		refused "import into a read-only directory" "$db" "read-only" \
		    $as_nobody "$AU" import --db "$db" "$tmp/a.evtx"
		chmod 755 "$tmp/ro2"
		chmod 700 "$tmp"
	else
		echo "SKIP read-only reads: cannot drop privileges with setpriv"
	fi
else
	chmod a-w "$db" "$tmp/ro2"
	reads "read-only directory" "$db"
	chmod 755 "$tmp/ro2"
fi

# Another application's SQLite file: refused by every command, byte for byte as it was.
db="$tmp/other.db"
q "$db" "CREATE TABLE meta (key, value); INSERT INTO meta VALUES ('owner', 'someone else')"
cp "$db" "$tmp/other.orig"
for c in import report fleet "export --format json"; do
	# shellcheck disable=SC2086 # the command and its options, split on purpose
	if [ "$c" = import ]; then set -- "$tmp/a.evtx"; else set --; fi
	# shellcheck disable=SC2086
	check_status "foreign database: $c" 1 "$AU" $c --db "$db" "$@"
	contains "foreign database: $c: line" "$tmp/err" \
	    "aadc-upgrade: $db: an SQLite database that is not an aadc-upgrade history"
	cmp -s "$db" "$tmp/other.orig" && pass || fail "foreign database: $c changed it"
	[ ! -e "$db-wal" ] && [ ! -e "$db-journal" ] && pass || fail "foreign database: $c made a journal"
done
# A database stamped by another application.
db="$tmp/stamped.db"
q "$db" "PRAGMA application_id = 42; CREATE TABLE t (x)"
cp "$db" "$tmp/stamped.orig"
check_status "stamped database: import" 1 "$AU" import --db "$db" "$tmp/a.evtx"
contains "stamped database: line" "$tmp/err" "another application (application_id 0x0000002a)"
cmp -s "$db" "$tmp/stamped.orig" && pass || fail "stamped database: import changed it"
# Ours carries our application_id ('AADC').
[ "$(q "$base_db" 'PRAGMA application_id')" = 1094796355 ] && pass ||
    fail "application_id: $(q "$base_db" 'PRAGMA application_id')"

# A 0-byte file: a read command writes nothing into it; import makes it a history.
db="$tmp/empty.db"
: > "$db"
for c in report fleet "export --format csv"; do
	# shellcheck disable=SC2086
	check_status "0-byte file: $c" 1 "$AU" $c --db "$db"
	contains "0-byte file: $c: line" "$tmp/err" "aadc-upgrade: $db: an empty file: no history yet"
	[ ! -s "$db" ] && [ ! -e "$db-wal" ] && pass || fail "0-byte file: $c wrote into it"
done
check_status "0-byte file: import" 0 "$AU" import --db "$db" "$tmp/base.evtx"
check_status "0-byte file: then report" 0 "$AU" report --db "$db"

# A full disk: a small tmpfs when this user may mount one, else a file-size
# limit (writes past it fail with EFBIG, as they would with ENOSPC).
db="$tmp/full/history.db"
mkdir -p "$tmp/full"
mklog "$tmp/large.evtx" FULL01.contoso.local 1 30000 "$(at 0)" UpgradeAbortedSyncExeInUse
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1200k aadc-test "$tmp/full" 2> /dev/null; then
	trap 'umount "$tmp/full" 2> /dev/null; cleanup' EXIT
	cp "$base_db" "$db"
	refused "disk full (tmpfs of 1200 KiB)" "$db" "full" "$AU" import --db "$db" "$tmp/large.evtx"
	[ "$(state "$db")" = absent ] && pass || fail "disk full: $(state "$db")"
	umount "$tmp/full" && pass || fail "umount $tmp/full"
	trap cleanup EXIT
else
	cp "$base_db" "$db"
	size_kb=$(( $(stat -c %s "$db") / 1024 + 300 ))
	before=$(dump "$db")
	set +e
	(trap '' XFSZ; ulimit -f $((size_kb * 2)); exec "$AU" import --db "$db" "$tmp/large.evtx") \
	    > "$tmp/out" 2> "$tmp/err"
	got=$?
	set -e
	[ "$got" -eq 1 ] && pass || fail "disk full (ulimit -f): exit $got"
	contains "disk full (ulimit -f): names the database" "$tmp/err" "aadc-upgrade: $db: "
	[ "$(dump "$db")" = "$before" ] && pass || fail "disk full (ulimit -f): the database changed"
fi
finish
