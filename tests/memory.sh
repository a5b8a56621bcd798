#!/bin/sh
# memory.sh: peak memory of each command does not grow with the history (RSS at 5x the events <= 1.25x).
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"
# AddressSanitizer keeps freed memory in quarantine, so RSS is not the tool's own:
# the ratio is measured in the plain builds only.
if [ -n "${AU_SANITIZED:-}" ]; then
	echo "SKIP: RSS under AddressSanitizer is not the tool's (measured in the plain and clang builds)"
	exit 77
fi

if [ ! -x /usr/bin/time ]; then
	echo "SKIP: GNU time is needed for the peak RSS (Debian: time)"
	exit 77
fi
P="Azure AD Connect Upgrade"
SERVERS=50
# The commands whose memory is checked ('+' for a space): they read the
# history host by host, and the JSON document is written host by host and
# event by event.
COMMANDS="fleet fleet+--format+json fleet+--format+markdown export+--format+ndjson export+--format+csv
export+--format+json report report+--format+json report+--format+markdown report+--format+html"

# mklogs DIR EVENTS: one log of SERVERS servers, EVENTS upgrade events each
# (aborts, then a run of another result), plus a silent server.
mklogs() {
	mkdir -p "$1"
	{
		printf '{"records": ['
		s=0
		while [ "$s" -lt "$SERVERS" ]; do
			printf '{"time": "2024-01-01T00:00:00Z", "computer": "SRV%03d.contoso.local",' "$s"
			printf ' "provider": "%s", "event_id": 300,' "$P"
			printf ' "data": ["Azure AD Connect AutoUpgrade result = UpgradeAbortedSyncExeInUse"],'
			printf ' "repeat": {"count": %s, "every": "1m"}},' "$(($2 / 2))"
			printf '{"time": "2024-06-01T00:00:00Z", "computer": "SRV%03d.contoso.local",' "$s"
			printf ' "provider": "%s", "event_id": 300,' "$P"
			printf ' "data": ["Azure AD Connect AutoUpgrade result = UpgradeNotSupportedStagingModeEnabled"],'
			printf ' "repeat": {"count": %s, "every": "1m"}},' "$(($2 - $2 / 2))"
			s=$((s + 1))
		done
		printf '{"time": "2024-06-01T00:00:00Z", "computer": "QUIET01.contoso.local",'
		printf ' "provider": "Service Control Manager", "event_id": 7036, "data": ["x"]}'
		printf ']}\n'
	} > "$1/fleet.json"
	"$EVTXGEN" -o "$1/fleet.evtx" "$1/fleet.json"
	rm -f "$1/fleet.json"
}

# rss NAME CMD...: runs CMD (status 0 expected), prints its peak RSS in KiB.
rss() {
	name=$1
	shift
	if /usr/bin/time -o "$tmp/time" -f %M "$@" > /dev/null 2> "$tmp/err"; then
		tail -1 "$tmp/time"
	else
		fail "$name: exit status $?: $(head -3 "$tmp/err")"
		echo 0
	fi
}

small=400 large=2000
for n in $small $large; do
	mklogs "$tmp/logs-$n" "$n"
done
for n in $small $large; do
	db="$tmp/h-$n.db"
	# Shown, not checked: the reader's memory grows with the input file
	# (35 MB log: 41 MB RSS, 7 MB log: 20 MB) and the log here grows 5x.
	echo "import of one log of $n x $SERVERS events: $(rss "import $n" "$AU" import -q --db "$db" "$tmp/logs-$n") KiB (not checked)"
	stored=$(sqlite3 "$db" 'SELECT count(*) FROM events' 2> /dev/null || echo "?")
	echo "history of $n events x $SERVERS servers: $stored events stored"
	for c in $COMMANDS; do
		c=$(echo "$c" | tr '+' ' ')
		# shellcheck disable=SC2086 # the command and its options, split on purpose
		echo "$(echo "$c" | tr ' ' '-') $(rss "$c $n" "$AU" $c --db "$db")" >> "$tmp/rss.$n"
	done
done
# The ratio of the peak RSS, large over small, per command (not a time).
paste -d' ' "$tmp/rss.$small" "$tmp/rss.$large" | awk '{print $1, $2, $4}' > "$tmp/joined"
printf '%-32s %10s %10s %6s\n' command "KiB@$small" "KiB@$large" ratio
while read -r cmd a b; do
	ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 99) }')
	printf '%-32s %10s %10s %6s\n' "$cmd" "$a" "$b" "$ratio"
	if awk -v a="$a" -v b="$b" 'BEGIN { exit !(a > 0 && b <= 1.25 * a) }'; then
		pass
	else
		fail "$cmd: peak RSS $b KiB at $((large * SERVERS)) events, $a KiB at $((small * SERVERS)): more than 1.25x"
	fi
done < "$tmp/joined"
finish
