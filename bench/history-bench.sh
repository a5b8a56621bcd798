#!/bin/sh
# history-bench.sh: generates a fleet's logs and times each command, with the peak RSS of the tool itself.
#
# Environment: BENCH_SERVERS (5000), BENCH_EVENTS upgrade events per server
# (200: a 1M-event history), BENCH_PER_FILE servers per .evtx file (100),
# BENCH_ONE events of the one-server history (50000; 0 = none),
# BENCH_SCAN (1: also scan every log), BENCH_REPORTS runs of
# report --host (7, the median is shown), BENCH_DIR (a temp dir, removed
# afterwards; a given BENCH_DIR is kept, and logs already generated there
# for the same sizes are reused). srcdir and builddir as in make check.
set -eu
export LC_ALL=C
unset AADC_UPGRADE_DB XDG_DATA_HOME || true

: "${srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${builddir:=$(pwd)}"
servers=${BENCH_SERVERS:-5000}
events=${BENCH_EVENTS:-200}
one=${BENCH_ONE:-50000}
scan=${BENCH_SCAN:-1}
per_file=${BENCH_PER_FILE:-100}
reports=${BENCH_REPORTS:-7}
AU="$builddir/src/aadc-upgrade"
EVTXGEN="$builddir/tools/evtxgen"

for f in "$AU" "$EVTXGEN"; do
	[ -x "$f" ] || { echo "history-bench: $f: not built (run make)" >&2; exit 1; }
done
if [ -n "${BENCH_DIR:-}" ]; then
	dir=$BENCH_DIR
	mkdir -p "$dir"
else
	dir=$(mktemp -d "${TMPDIR:-/tmp}/aadc-bench.XXXXXX")
	trap 'rm -rf "$dir"' EXIT
fi
logs="$dir/logs-${servers}x${events}"
db="$dir/history.db"

# run OUT CMD...: runs CMD; OUT gets "seconds peak-RSS-KiB". GNU time if
# there, else the children's rusage from Python (both the kernel's maxrss).
run() {
	out=$1
	shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -o "$out" -f '%e %M' "$@" || {
			echo "history-bench: failed: $* ($(tail -1 "$out"))" >&2
			exit 1
		}
	else
		python3 - "$out" "$@" <<'PY' || { echo "history-bench: failed: $*" >&2; exit 1; }
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:])
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.2f %d\n" % (time.monotonic() - t, ru.ru_maxrss))
sys.exit(rc)
PY
	fi
}

ms() { echo $(($(date +%s%N) / 1000000)); }

# --- generate: one JSON description per BENCH_PER_FILE servers -------------
# Five kinds of server, so the fleet view has every list to fill: upgraded
# after aborts, blocked, retrying, failed (compound code), unknown code.
if [ ! -f "$logs/.done" ]; then
	rm -rf "$logs"
	mkdir -p "$logs"
	t0=$(ms)
	python3 - "$logs" "$servers" "$events" "$per_file" <<'PY'
import json, sys
out, servers, events, per_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
P = "Azure AD Connect Upgrade"
def res(code):
    return ["Azure AD Connect AutoUpgrade result = " + code]
kinds = [
    ("UpgradeAbortedSyncExeInUse", "Success"),
    ("UpgradeAbortedSyncExeInUse", "UpgradeNotSupportedStagingModeEnabled"),
    ("UpgradeNotSupportedNonLocalDbInstall", "UpgradeAbortedSyncExeInUse"),
    ("UpgradeAbortedSyncExeInUse", "UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed"),
    ("Success", "UpgradeAbortedSomethingNew"),
]
for f in range(0, servers, per_file):
    recs = []
    for s in range(f, min(f + per_file, servers)):
        first, then = kinds[s % len(kinds)]
        n1 = events // 2
        computer = "SRV%05d.contoso.local" % s
        day = 1 + s % 28
        recs.append({"time": "2024-01-%02dT00:00:00Z" % day, "computer": computer,
                     "provider": P, "event_id": 300, "data": res(first),
                     "repeat": {"count": n1, "every": "1h"}})
        recs.append({"time": "2024-06-%02dT00:00:00Z" % day, "computer": computer,
                     "provider": P, "event_id": 300, "data": res(then),
                     "repeat": {"count": events - n1, "every": "1h"}})
    with open("%s/fleet-%05d.json" % (out, f // per_file), "w") as fh:
        json.dump({"records": recs}, fh)
PY
	for j in "$logs"/*.json; do
		"$EVTXGEN" -o "${j%.json}.evtx" "$j"
		rm -f "$j"
	done
	touch "$logs/.done"
	echo "generated $servers servers x $events events in $(( ($(ms) - t0) / 1000 )) s: $(du -sh "$logs" | cut -f1)" >&2
fi
total=$((servers * events))

# --- import -------------------------------------------------------------
rm -f "$db" "$db-wal" "$db-shm"
run "$dir/import.time" "$AU" import -q --db "$db" "$logs"
read -r import_s import_kb < "$dir/import.time"
db_bytes=$(stat -c %s "$db")
stored=$(sqlite3 "$db" 'SELECT count(*) FROM events' 2>/dev/null || echo "$total")

# --- fleet: the command if this build has it, else the same path in-process
fleet_how="aadc-upgrade fleet"
if "$AU" help 2>/dev/null | grep -q '^ *fleet '; then
	run "$dir/fleet.time" "$AU" fleet --db "$db" > "$dir/fleet.out"
else
	fleet_how="bench/fleet-probe (store_each_summary + analyse_fleet)"
	cc=$(sed -n 's/^CC = //p' "$builddir/Makefile")
	ldflags=$(sed -n 's/^SAN_LDFLAGS = //p' "$builddir/Makefile")
	cflags=$(sed -n 's/^SAN_CFLAGS = //p' "$builddir/Makefile")
	# shellcheck disable=SC2086,SC2046 # flags split on purpose
	${cc:-cc} -std=c11 -O2 $cflags -D_GNU_SOURCE -I"$srcdir/src" -o "$dir/fleet-probe" \
	    "$srcdir/bench/fleet-probe.c" "$builddir/src/libaadc.a" $ldflags \
	    $(pkg-config --libs libevtx sqlite3 zlib jansson) -lpthread
	run "$dir/fleet.time" "$dir/fleet-probe" "$db" summary > "$dir/fleet.out"
fi
read -r fleet_s fleet_kb < "$dir/fleet.time"

# --- report --host: median of several runs -------------------------------
host=SRV$(printf %05d $((servers / 2))).contoso.local
: > "$dir/report.ms"
i=0
while [ "$i" -lt "$reports" ]; do
	t0=$(ms)
	"$AU" report --db "$db" --host "$host" > "$dir/report.out"
	echo $(($(ms) - t0)) >> "$dir/report.ms"
	i=$((i + 1))
done
report_ms=$(sort -n "$dir/report.ms" | sed -n "$(((reports + 1) / 2))p")
run "$dir/report.time" "$AU" report --db "$db" --host "$host" > /dev/null
read -r _ report_kb < "$dir/report.time"

# --- every read command in every format over the whole history -----------
# cmds NAME DB: one "NAME: command  seconds  KiB" line per command and format.
cmds() {
	for c in "report" "report --format json" "report --format markdown" \
	    "fleet" "fleet --format json" "fleet --format markdown" \
	    "export --format json" "export --format ndjson" "export --format csv"; do
		# shellcheck disable=SC2086 # the command and its options, split on purpose
		run "$dir/cmd.time" "$AU" $c --db "$2" > /dev/null
		read -r t kb < "$dir/cmd.time"
		printf '%-10s %-34s %10.2f %12d\n' "$1" "$c" "$t" "$kb"
	done
}
cmds "fleet" "$db" > "$dir/cmds.txt"
if [ "$scan" = 1 ]; then
	run "$dir/scan.time" "$AU" scan --format json "$logs" > /dev/null
	read -r t kb < "$dir/scan.time"
	printf '%-10s %-34s %10.2f %12d\n' "fleet" "scan --format json (every log)" "$t" "$kb" >> "$dir/cmds.txt"
fi
printf '%-10s %-34s %10.2f %12d\n' "fleet" "import (every log)" "$import_s" "$import_kb" >> "$dir/cmds.txt"

# --- one server with a long history ---------------------------------------
if [ "$one" -gt 0 ]; then
	onelog="$dir/one-$one.evtx"
	if [ ! -f "$onelog" ]; then
		printf '{"computer": "LONG01.contoso.local", "records": [{"time": "2020-01-01T00:00:00Z",' > "$dir/one.json"
		printf ' "provider": "Azure AD Connect Upgrade", "event_id": 300,' >> "$dir/one.json"
		printf ' "data": ["Azure AD Connect AutoUpgrade result = UpgradeAbortedSyncExeInUse"],' >> "$dir/one.json"
		printf ' "repeat": {"count": %s, "every": "1h"}}]}\n' "$one" >> "$dir/one.json"
		"$EVTXGEN" -o "$onelog" "$dir/one.json"
	fi
	onedb="$dir/one.db"
	rm -f "$onedb"
	run "$dir/one.time" "$AU" import -q --db "$onedb" "$onelog"
	read -r one_s one_kb < "$dir/one.time"
	cmds "one" "$onedb" >> "$dir/cmds.txt"
	run "$dir/one.time" "$AU" scan --format json "$onelog" > /dev/null
	read -r t2 kb2 < "$dir/one.time"
	printf '%-10s %-34s %10.2f %12d\n' "one" "scan --format json" "$t2" "$kb2" >> "$dir/cmds.txt"
	printf '%-10s %-34s %10.2f %12d\n' "one" "import" "$one_s" "$one_kb" >> "$dir/cmds.txt"
fi

awk -v s="$servers" -v e="$events" -v n="$stored" -v is="$import_s" -v ik="$import_kb" \
    -v b="$db_bytes" -v fs="$fleet_s" -v fk="$fleet_kb" -v rm="$report_ms" -v rk="$report_kb" \
    -v how="$fleet_how" -v r="$reports" 'BEGIN {
	printf "aadc-upgrade history benchmark: %d servers x %d upgrade events (%d stored)\n", s, e, n
	printf "%-34s %14s\n", "measure", "value"
	printf "%-34s %14.0f\n", "import rate (events/s)", (is > 0 ? n / is : 0)
	printf "%-34s %14.1f\n", "import time (s)", is
	printf "%-34s %14d\n", "import peak RSS (KiB)", ik
	printf "%-34s %14.1f\n", "database size per event (bytes)", (n > 0 ? b / n : 0)
	printf "%-34s %14.1f\n", "database size (MiB)", b / 1048576
	printf "%-34s %14.3f\n", "fleet time (s)", fs
	printf "%-34s %14d\n", "fleet peak RSS (KiB)", fk
	printf "%-34s %14d\n", "report --host time (ms, median of " r ")", rm
	printf "%-34s %14d\n", "report --host peak RSS (KiB)", rk
	printf "fleet measured with: %s\n", how
}'
echo
echo "peak RSS of aadc-upgrade itself (GNU time %M, else the child's rusage)"
echo "fleet = $servers servers x $events events; one = 1 server x $one events"
printf '%-10s %-34s %10s %12s\n' history command "time (s)" "RSS (KiB)"
cat "$dir/cmds.txt"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
