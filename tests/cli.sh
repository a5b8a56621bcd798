#!/bin/sh
# cli.sh: the command line: help, versions, usage errors and their exit statuses.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

check_status "--version" 0 "$AU" --version
contains "--version" "$tmp/out" "aadc-upgrade "
check_status "--help" 0 "$AU" --help
for c in scan import report fleet export codes help; do
	contains "--help lists $c" "$tmp/out" "  $c "
done
check_status "no command" 2 "$AU"
check_status "unknown command" 2 "$AU" frobnicate
contains "unknown command message" "$tmp/err" "aadc-upgrade: unknown command 'frobnicate'"
for c in scan import report fleet export check releases codes help; do
	check_status "$c --help" 0 "$AU" "$c" --help
	contains "$c --help usage" "$tmp/out" "usage: aadc-upgrade $c"
	# Each option once: the command table lists it once.
	dup=$(grep -oE '^  (-[A-Za-z], |    )--[a-z-]+' "$tmp/out" | sed 's/^ *//; s/^-[A-Za-z], //' | sort | uniq -d)
	[ -z "$dup" ] && pass || fail "$c --help lists an option twice: $dup"
	cp "$tmp/out" "$tmp/help.$c"
	check_status "help $c" 0 "$AU" help "$c"
	cmp -s "$tmp/out" "$tmp/help.$c" && pass || fail "help $c differs from $c --help"
done
check_status "scan without PATH" 2 "$AU" scan
contains "scan without PATH says so" "$tmp/err" "aadc-upgrade: no PATH given"
contains "scan without PATH prints usage" "$tmp/err" "usage: aadc-upgrade scan"
check_status "scan bad format" 2 "$AU" scan --format yaml "$FIXTURES"
contains "scan bad format message" "$tmp/err" "unknown format 'yaml'"
check_status "scan bad id range" 2 "$AU" scan --event-ids 399-300 "$FIXTURES"
check_status "scan bad option" 2 "$AU" scan --frob "$FIXTURES"
check_status "scan bad date" 2 "$AU" scan --since 2016-13-01 "$FIXTURES"
check_status "scan no 29 February in 2015" 2 "$AU" scan --since 2015-02-29 "$FIXTURES"
check_status "scan 29 February 2016" 0 "$AU" scan --since 2016-02-29 "$FIXTURES/blocked-staging-mode.evtx"
check_status "codes lists" 0 "$AU" codes
contains "codes lists three-e code" "$tmp/out" "UpgradeNotSupportedMetaverseSizeExceeeded"
check_status "codes explains" 0 "$AU" codes UpgradeAbortedSyncExeInUse
contains "codes quotes Microsoft" "$tmp/out" "The synchronization service manager UI is open on the server."
check_status "codes any case" 0 "$AU" codes upgradeabortedsyncexeinuse
check_status "codes compound" 0 "$AU" codes UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed
check_status "codes unknown" 1 "$AU" codes UpgradeAbortedSomethingNew
contains "codes unknown prefix" "$tmp/out" "Its prefix says UpgradeAborted"
contains "codes unknown error line" "$tmp/err" "aadc-upgrade: UpgradeAbortedSomethingNew: not a documented result code"
finish
