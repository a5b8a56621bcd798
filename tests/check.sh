#!/bin/sh
# check.sh: `aadc-upgrade check` as a monitoring plugin: states, first line and perfdata, attention lines, UNKNOWN on every problem.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

NOW=2025-03-01
DB="$tmp/history.db"
mkdir -p "$tmp/logs"
for d in "$srcdir"/tests/data/fleet-*.json; do
	"$EVTXGEN" -o "$tmp/logs/$(basename "$d" .json).evtx" "$d"
done
check_status "import" 0 "$AU" import -q --db "$DB" "$tmp/logs"
sum_before=$(cksum < "$DB")

# first_line NAME WANT: the first line of the output is exactly WANT.
first_line() {
	got=$(head -n 1 "$tmp/out")
	if [ "$got" = "$2" ]; then pass; else fail "$1: first line
  got:  $got
  want: $2"; fi
}
lines() {
	n=$(wc -l < "$tmp/out")
	if [ "$n" -eq "$2" ]; then pass; else fail "$1: $n lines, expected $2"; cat "$tmp/out" >&2; fi
}
PERF="'failed'=1;;;0 'blocked'=1;;;0 'unknown'=1;;;0 'retrying'=1;;;0 'silent'=0;;;0 'no-result'=0;;;0 'upgraded'=2;;;0"
# Only AADC11 has an installer event (2.4.27.0, supported until 2026-01-15).
SUPPORT="'support_recalled'=0;;;0 'support_below-floor'=0;;;0 'support_retired'=0;;;0 'support_retiring'=0;;;0 'support_unknown'=5;;;0 'support_supported'=1;;;0"

# The fleet: failed and blocked are CRITICAL; retrying for 27 days and an unknown code never
# seen to succeed are WARNING.
check_status "check, fleet" 2 "$AU" check --db "$DB" --now "$NOW"
first_line "check, fleet" "AADC-UPGRADE CRITICAL - 2 critical, 2 warning; 6 servers: 1 failed, 1 blocked, 1 unknown, 1 retrying, 2 upgraded | $PERF $SUPPORT"
lines "check, fleet: one line per server needing attention" 5
sed -n 2p "$tmp/out" > "$tmp/l2"
contains "check: failed first" "$tmp/l2" "CRITICAL: AADC16.contoso.local failed since 2025-02-14 (2 results in a row): UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed"
contains "check: blocked" "$tmp/out" "CRITICAL: AADC12.contoso.local blocked since 2025-01-10 (49 results in a row): UpgradeNotSupportedNonLocalDbInstall"
contains "check: retrying for long" "$tmp/out" "WARNING: AADC13.contoso.local retrying for 27 days, since 2025-02-01 (28 results in a row): UpgradeAbortedSyncExeInUse"
contains "check: unknown, never succeeded" "$tmp/out" "WARNING: AADC15.contoso.local unknown, never seen to succeed: DeferredByTenantPolicy"
lacks "check: upgraded servers need no attention" "$tmp/out" "AADC11"
if [ -s "$tmp/err" ]; then fail "check wrote to stderr"; else pass; fi
if [ "$(tr -cd '|' < "$tmp/out" | wc -c)" -eq 1 ]; then pass; else fail "check: one '|', before the perfdata"; fi

# Perfdata by the guidelines: 'label'=value[UOM];[warn];[crit];[min];[max], space-separated.
perf=$(head -n 1 "$tmp/out" | sed 's/^[^|]*| //')
for item in $perf; do
	if printf '%s\n' "$item" | grep -Eq "^'[a-z_-]+'=[0-9]+;;;0$"; then pass; else fail "perfdata item '$item'"; fi
done

check_status "check, one upgraded server" 0 "$AU" check --db "$DB" --now "$NOW" --host aadc11.contoso.local
first_line "check OK" "AADC-UPGRADE OK - 1 server: 1 upgraded | 'failed'=0;;;0 'blocked'=0;;;0 'unknown'=0;;;0 'retrying'=0;;;0 'silent'=0;;;0 'no-result'=0;;;0 'upgraded'=1;;;0 'support_recalled'=0;;;0 'support_below-floor'=0;;;0 'support_retired'=0;;;0 'support_retiring'=0;;;0 'support_unknown'=0;;;0 'support_supported'=1;;;0"
lines "check OK: one line" 1
check_status "check, retrying 27 days" 1 "$AU" check --db "$DB" --now "$NOW" --host AADC13.contoso.local
contains "check WARNING" "$tmp/out" "AADC-UPGRADE WARNING - 0 critical, 1 warning; 1 server: 1 retrying |"
check_status "check, retrying 27 days, --warning-days 27" 0 "$AU" check --db "$DB" --now "$NOW" --host AADC13.contoso.local --warning-days 27
check_status "check, retrying 27 days, --warning-days 26" 1 "$AU" check --db "$DB" --now "$NOW" --host AADC13.contoso.local --warning-days 26
check_status "check, retrying, a week in" 0 "$AU" check --db "$DB" --now 2025-02-08 --host AADC13.contoso.local
check_status "check, two servers" 2 "$AU" check --db "$DB" --now "$NOW" --host AADC11.contoso.local --host AADC12.contoso.local
contains "check, two servers: counts" "$tmp/out" "'blocked'=1;;;0 'unknown'=0;;;0 'retrying'=0;;;0 'silent'=0;;;0 'no-result'=0;;;0 'upgraded'=1;;;0"
# The wall clock by default: every fixture is from 2025 or earlier, so retrying is long.
check_status "check without --now" 1 "$AU" check --db "$DB" --host AADC13.contoso.local
# AADC11 upgraded to 2.4.27.0, below the 2.5.79.0 floor since 2026-09-30: by the clock, CRITICAL.
check_status "check without --now, upgraded to a build now below the floor" 2 "$AU" check --db "$DB" --host AADC11.contoso.local
contains "check without --now: below the floor" "$tmp/out" "CRITICAL: AADC11.contoso.local runs 2.4.27.0, below the mandatory minimum 2.5.79.0 (synchronization stops from 2026-09-30): upgrade manually"
# A read command: the database is not changed.
if [ "$(cksum < "$DB")" = "$sum_before" ]; then pass; else fail "check changed the database"; fi

# Every problem is UNKNOWN (3), with the plugin line on stdout and the error on stderr.
unknown() {
	name=$1
	shift
	check_status "$name" 3 "$@"
	if head -n 1 "$tmp/out" | grep -q "^AADC-UPGRADE UNKNOWN - "; then pass; else fail "$name: no UNKNOWN line"; cat "$tmp/out" >&2; fi
	if grep -q "^aadc-upgrade: " "$tmp/err"; then pass; else fail "$name: no error on stderr"; fi
}
unknown "missing database" "$AU" check --db "$tmp/missing.db"
if [ -e "$tmp/missing.db" ]; then fail "check created a database"; else pass; fi
echo "not a database" > "$tmp/junk.db"
unknown "not a database" "$AU" check --db "$tmp/junk.db"
unknown "no such host" "$AU" check --db "$DB" --host nosuch.contoso.local
unknown "nothing since" "$AU" check --db "$DB" --since 2030-01-01
contains "nothing since: says no server" "$tmp/out" "no server"
unknown "bad option" "$AU" check --db "$DB" --frob
unknown "bad --warning-days" "$AU" check --db "$DB" --warning-days x
unknown "bad --now" "$AU" check --db "$DB" --now yesterday
unknown "extra argument" "$AU" check --db "$DB" extra

# Support status of the installed build: retired (1.x) is CRITICAL, retiring (end of
# support within 90 days) is WARNING, even for an upgraded server.
for c in "AADC21:1.6.4.0" "AADC22:2.3.20.0"; do
	cat > "$tmp/${c%%:*}.json" <<JEOF
{ "computer": "${c%%:*}.contoso.local", "channel": "Application", "records": [
  { "time": "2025-02-01T00:00:00Z", "provider": "MsiInstaller", "event_id": 1033, "level": 4,
    "data": ["Microsoft Azure AD Connect synchronization services", "${c#*:}", "1033", "0", "Microsoft Corporation"] },
  { "time": "2025-02-01T01:00:00Z", "provider": "Azure AD Connect Upgrade", "event_id": 300,
    "qualifiers": 0, "level": 4, "data": ["Azure AD Connect AutoUpgrade result = Success"] } ] }
JEOF
	"$EVTXGEN" -o "$tmp/${c%%:*}.evtx" "$tmp/${c%%:*}.json"
	check_status "import ${c%%:*}" 0 "$AU" import -q --db "$tmp/support.db" "$tmp/${c%%:*}.evtx"
done
check_status "check, retired build" 2 "$AU" check --db "$tmp/support.db" --now "$NOW" --host AADC21.contoso.local
contains "retired build: first line" "$tmp/out" "AADC-UPGRADE CRITICAL - 1 critical, 0 warning; 1 server: 1 upgraded |"
contains "retired build: perfdata" "$tmp/out" "'support_retired'=1;;;0"
contains "retired build: line" "$tmp/out" "CRITICAL: AADC21.contoso.local runs 1.6.4.0, retired (end of support 2022-08-31)"
check_status "check, retiring build" 1 "$AU" check --db "$tmp/support.db" --now "$NOW" --host AADC22.contoso.local
contains "retiring build: line" "$tmp/out" "WARNING: AADC22.contoso.local runs 2.3.20.0, retiring (end of support 2025-04-30)"
check_status "check, retiring build, earlier" 0 "$AU" check --db "$tmp/support.db" --now 2024-12-01 --host AADC22.contoso.local
contains "supported build counted" "$tmp/out" "'support_supported'=1;;;0"
check_status "check, both" 2 "$AU" check --db "$tmp/support.db" --now "$NOW"
if [ "$(sed -n 2p "$tmp/out" | cut -c1-9)" = "CRITICAL:" ] && [ "$(sed -n 3p "$tmp/out" | cut -c1-8)" = "WARNING:" ]; then pass; else fail "check: critical lines before warning lines"; cat "$tmp/out" >&2; fi
printf 'version\trelease_date\n' > "$tmp/bad.tsv"
unknown "malformed catalog" "$AU" check --db "$tmp/support.db" --releases "$tmp/bad.tsv"

# A server name that would split the perfdata or drive the terminal.
cat > "$tmp/evil.json" <<'JEOF'
{ "computer": "EVIL|HOST\u001b[2J", "channel": "Application", "records": [
  { "time": "2025-02-20T00:00:00Z", "provider": "Azure AD Connect Upgrade", "event_id": 300,
    "qualifiers": 0, "level": 2, "data": ["result = UpgradeNotSupportedNonLocalDbInstall"] } ] }
JEOF
"$EVTXGEN" -o "$tmp/evil.evtx" "$tmp/evil.json"
check_status "import evil" 0 "$AU" import -q --db "$tmp/evil.db" "$tmp/evil.evtx"
check_status "check, evil name" 2 "$AU" check --db "$tmp/evil.db" --now "$NOW"
contains "evil name escaped" "$tmp/out" "CRITICAL: EVIL\\x7cHOST\\x1b[2J blocked since 2025-02-20"
if [ "$(tr -cd '|' < "$tmp/out" | wc -c)" -eq 1 ]; then pass; else fail "evil name: a '|' besides the perfdata's"; fi
if LC_ALL=C grep -q "$(printf '\033')" "$tmp/out"; then fail "evil name: raw ESC"; else pass; fi

check_status "check --help" 0 "$AU" check --help
contains "check --help: --warning-days" "$tmp/out" "--warning-days N"
contains "check --help: states" "$tmp/out" "3 UNKNOWN"
finish
