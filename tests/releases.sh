#!/bin/sh
# releases.sh: `releases` end to end: the catalog newest first, one build explained, --releases and $AADC_UPGRADE_RELEASES, errors.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

CAT="$srcdir/data/releases.tsv"

check_status "releases list" 0 "$AU" releases --now 2026-12-03
[ "$(grep -c '^[12]\.[0-9]' "$tmp/out")" -eq 97 ] && pass || fail "releases: not 97 rows"
grep '^[12]\.' "$tmp/out" | awk '{print $1}' > "$tmp/versions"
sort -t. -k1,1nr -k2,2nr -k3,3nr -k4,4nr "$tmp/versions" | cmp -s - "$tmp/versions" && pass || fail "releases: not newest first"
[ "$(head -1 "$tmp/versions")" = 2.6.91.0 ] && pass || fail "releases: newest is not 2.6.91.0"
contains "recalled row" "$tmp/out" "2.6.79.0       -            no             -              recalled"
contains "retiring row" "$tmp/out" "2.5.190.0      2025-11-19   no             2027-02-02     retiring"
contains "below the floor" "$tmp/out" "2.5.76.0       2025-07-31   yes            2026-09-01     below-floor"
contains "status date" "$tmp/out" "status as of 2026-12-03T00:00:00Z"

# --now moves every status: before the floor date 2.5.76.0 is merely retired.
check_status "releases --now" 0 "$AU" releases --now 2026-09-29
contains "retired before the floor" "$tmp/out" "2.5.76.0       2025-07-31   yes            2026-09-01     retired"

check_status "releases VERSION" 0 "$AU" releases --now 2026-12-03 2.6.3.0
contains "released" "$tmp/out" "  released:        2026-03-10"
contains "auto-upgrade" "$tmp/out" "  auto-upgrade:    yes: released for automatic upgrade"
contains "roll-out" "$tmp/out" "  roll-out:        phased, starting 2026-03-11"
contains "end of support" "$tmp/out" "  end of support:  2027-07-07"
contains "status" "$tmp/out" "  status:          supported as of 2026-12-03"
contains "successor skips the recalled build" "$tmp/out" "  successor:       2.6.84.0 (released 2026-07-07)"
contains "note" "$tmp/out" "Auto-upgrade now detects modified miiserver.exe.config"

check_status "releases 1.x" 0 "$AU" releases --now 2026-12-03 1.0.419.0911
contains "1.x below the floor" "$tmp/out" "  status:          below-floor as of 2026-12-03"
contains "1.x month precision" "$tmp/out" "  released:        2014-09"
check_status "releases recalled" 0 "$AU" releases 2.6.79.0
contains "recalled, no date" "$tmp/out" "no date published (recalled)"
contains "recalled status" "$tmp/out" "  status:          recalled"
check_status "releases behind" 0 "$AU" releases --now 2026-12-03 2.4.131.0
contains "behind" "$tmp/out" "  auto-upgrade releases since: 4 (newest: 2.6.3.0)"

# Unknown builds exit 1, with one line naming them.
check_status "releases unknown" 1 "$AU" releases 2.4.130.0
contains "unknown build" "$tmp/err" "aadc-upgrade: 2.4.130.0: not in the release catalog"
check_status "releases newer" 1 "$AU" releases 2.6.92.0
contains "newer build" "$tmp/err" "aadc-upgrade: 2.6.92.0: newer than every release in"
check_status "releases junk" 1 "$AU" releases 'x.y'
contains "not a version" "$tmp/err" "aadc-upgrade: x.y: not a build number"
check_status "releases two args" 2 "$AU" releases 2.6.3.0 2.6.1.0

# An updated copy: --releases and $AADC_UPGRADE_RELEASES; --releases wins.
cp "$CAT" "$tmp/added.tsv"
printf '2.7.1.0\t2026-11-20\tyes\t\tAdded by the test.\n' >> "$tmp/added.tsv"
check_status "--releases added" 0 "$AU" releases --releases "$tmp/added.tsv" --now 2026-12-03 2.4.131.0
contains "added release counts" "$tmp/out" "  auto-upgrade releases since: 5 (newest: 2.7.1.0)"
check_status "--releases new build" 0 "$AU" releases --releases "$tmp/added.tsv" 2.7.1.0
AADC_UPGRADE_RELEASES="$tmp/added.tsv" check_status "env added" 0 "$AU" releases 2.7.1.0
AADC_UPGRADE_RELEASES="$tmp/added.tsv" check_status "--releases over env" 1 "$AU" releases --releases "$CAT" 2.7.1.0

# A malformed catalog: one line naming the file and the line.
head -3 "$CAT" > "$tmp/bad.tsv"
printf '2.7.x\t2026-11-20\tyes\t\tbad\n' >> "$tmp/bad.tsv"
check_status "malformed catalog" 1 "$AU" releases --releases "$tmp/bad.tsv"
contains "malformed: file and line" "$tmp/err" "aadc-upgrade: $tmp/bad.tsv: line 4: bad version \"2.7.x\""
[ "$(wc -l < "$tmp/err")" -eq 1 ] && pass || fail "malformed catalog: not one line"
check_status "missing catalog" 1 "$AU" releases --releases "$tmp/absent.tsv"
contains "missing catalog" "$tmp/err" "aadc-upgrade: $tmp/absent.tsv: cannot open the release catalog"

# -o writes the file whole.
check_status "releases -o" 0 "$AU" releases -o "$tmp/list.txt"
[ -s "$tmp/list.txt" ] && [ ! -s "$tmp/out" ] && pass || fail "releases -o"

finish
