#!/bin/sh
# builds.sh: the installed build and its support status end to end, on evtxgen logs of six servers
# (tests/data/builds): 2.x with only MsiInstaller events, 1.x, a recalled build, an upgrade from
# one 2.x build to the next, a build newer than the catalog, and the Health agent, Agent Updater
# and LocalDB installed beside Connect; and the events of related providers, listed.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

NOW=2026-12-03
mkdir "$tmp/logs"
for d in "$srcdir"/tests/data/builds/*.json; do
	"$EVTXGEN" -o "$tmp/logs/$(basename "$d" .json).evtx" "$d" || fail "evtxgen $(basename "$d")"
done

# One JSON report from scan, one from the history: the same answers.
check_status "scan the six servers" 0 "$AU" scan --now "$NOW" --format json "$tmp/logs"
cp "$tmp/out" "$tmp/scan.json"
check_status "import the six servers" 0 "$AU" import -q --db "$tmp/h.db" "$tmp/logs"
check_status "report the six servers" 0 "$AU" report --db "$tmp/h.db" --now "$NOW" --format json
cp "$tmp/out" "$tmp/report.json"
for f in scan report; do
	if python3 - "$tmp/$f.json" <<'PY'; then pass; else fail "$f: builds, support and related events"; fi
import json, sys
d = json.load(open(sys.argv[1]))
h = {x["host"].split(".")[0]: x for x in d["hosts"]}
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
def is_(host, key, value):
    got = h[host][key]
    want(got == value, "%s: %s is %r, expected %r" % (host, key, got, value))
want(sorted(h) == ["BUILDS-1X", "BUILDS-2X", "BUILDS-AGENTS", "BUILDS-NEWER", "BUILDS-RECALLED",
                   "BUILDS-UPGRADED"], "servers: %r" % sorted(h))
# 2.x with installer events only: silent, and silence is not good news.
is_("BUILDS-2X", "verdict", "silent")
is_("BUILDS-2X", "installed_version", "2.6.1.0")
is_("BUILDS-2X", "support", "supported")          # end of support 2027-03-10: 97 days away
is_("BUILDS-2X", "auto_upgrade_releases_behind", 1)  # 2.6.3.0
notes = " ".join(h["BUILDS-2X"]["notes"])
for s in ("Agent Updater", "Get-ADSyncAutoUpgrade -Detail", "AutoUpgrader", "4 records"):
    want(s in notes, "BUILDS-2X notes lack %r" % s)
# 11707 names no version: it is the install of the 1033 before it.
want([(v["version"], v["event_id"]) for v in h["BUILDS-2X"]["versions"]] ==
     [("2.6.1.0", 1033), ("2.6.1.0", 11707)], "BUILDS-2X versions %r" % h["BUILDS-2X"]["versions"])
# The newest auto-upgrade release's phased roll-out, and a newer release that
# only a manual upgrade installs, named.
want(any("2.6.3.0, is rolled out in phases starting 2026-03-11" in n for n in h["BUILDS-2X"]["notes"]),
     "BUILDS-2X: no roll-out note")
want(any("The newest release, 2.6.91.0, is not released for automatic upgrade" in n
         for n in h["BUILDS-UPGRADED"]["notes"]), "BUILDS-UPGRADED: no newest-release note")
is_("BUILDS-UPGRADED", "newest_release", "2.6.91.0")
# 1.x: below the floor after 2026-09-30.
is_("BUILDS-1X", "installed_version", "1.6.16.0")
is_("BUILDS-1X", "support", "below-floor")
want(any("below the mandatory minimum 2.5.79.0" in n for n in h["BUILDS-1X"]["notes"]), "BUILDS-1X: no floor note")
# Recalled.
is_("BUILDS-RECALLED", "installed_version", "2.6.79.0")
is_("BUILDS-RECALLED", "support", "recalled")
# Upgraded 2.5.79.0 -> 2.6.3.0: both builds on the timeline, oldest first.
is_("BUILDS-UPGRADED", "verdict", "upgraded")
is_("BUILDS-UPGRADED", "installed_version", "2.6.3.0")
is_("BUILDS-UPGRADED", "support", "supported")
is_("BUILDS-UPGRADED", "auto_upgrade_releases_behind", 0)
want([(v["version"], v["action"]) for v in h["BUILDS-UPGRADED"]["versions"]] ==
     [("2.5.79.0", "install"), ("2.5.79.0", "remove"), ("2.6.3.0", "install")],
     "BUILDS-UPGRADED versions %r" % h["BUILDS-UPGRADED"]["versions"])
# Newer than the catalog: unknown, and the catalog is what to update.
is_("BUILDS-NEWER", "installed_version", "2.9.99.0")
is_("BUILDS-NEWER", "support", "unknown")
is_("BUILDS-NEWER", "newer_than_catalog", True)
is_("BUILDS-NEWER", "auto_upgrade_releases_behind", None)
# Health agent, Agent Updater and LocalDB are not the Connect build.
is_("BUILDS-AGENTS", "installed_version", "2.5.190.0")
is_("BUILDS-AGENTS", "support", "retiring")       # end of support 2027-02-02: 61 days away
want({v["version"] for v in h["BUILDS-AGENTS"]["versions"]} == {"2.5.190.0"},
     "BUILDS-AGENTS versions %r" % h["BUILDS-AGENTS"]["versions"])
want([(r["provider"], r["event_id"], r["count"]) for r in h["BUILDS-AGENTS"]["related"]] ==
     [("Microsoft Entra Connect Agent Updater", 1000, 2), ("Azure AD Connect Health Sync Insights", 2001, 1)],
     "BUILDS-AGENTS related %r" % h["BUILDS-AGENTS"]["related"])
want(all(x["related"] == [] for k, x in h.items() if k != "BUILDS-AGENTS"), "related events elsewhere")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
done

# Every form of the report names the build, the status and the related events.
check_status "scan text" 0 "$AU" scan --now "$NOW" "$tmp/logs"
tr '\n' ' ' < "$tmp/out" | tr -s ' ' > "$tmp/flat"
contains "text: build and status" "$tmp/flat" "Build: 2.5.190.0 (Microsoft Azure AD Connect synchronization services), installed 2026-01-10; support: retiring"
contains "text: related events" "$tmp/flat" "Related: 2 x Microsoft Entra Connect Agent Updater 1000 (2026-02-01 .. 2026-02-08)"
contains "text: recalled" "$tmp/flat" "2.6.79.0 (recalled)"
lacks "text: no Health agent version" "$tmp/out" "4.5.2520.0"
lacks "text: no LocalDB version" "$tmp/out" "15.0.4153.1"
check_status "scan markdown" 0 "$AU" scan --now "$NOW" --format markdown "$tmp/logs"
contains "markdown: related table" "$tmp/out" "| Microsoft Entra Connect Agent Updater | 1000 | 2 | 2026-02-01T03:00:00Z | 2026-02-08T03:00:00Z |"

# --now moves the status: on 2026-06-01 the 1.x build is merely retired.
check_status "scan --now before the floor" 0 "$AU" scan --now 2026-06-01 --format json --host builds-1x "$tmp/logs"
contains "1.x retired before the floor" "$tmp/out" '"support": "retired"'

# A catalog with one more auto-upgrade release, released before --now: one more behind.
cp "$srcdir/data/releases.tsv" "$tmp/more.tsv"
printf '2.6.95.0\t2026-11-01\tyes\t2028-01-01\tadded by the test\n' >> "$tmp/more.tsv"
check_status "report with an added release" 0 "$AU" report --db "$tmp/h.db" --now "$NOW" --format json \
    --releases "$tmp/more.tsv" --host builds-upgraded --host builds-2x
if python3 - "$tmp/out" <<'PY'; then pass; else fail "--releases with an added release: releases behind"; fi
import json, sys
h = {x["host"].split(".")[0]: x for x in json.load(open(sys.argv[1]))["hosts"]}
ok = h["BUILDS-UPGRADED"]["auto_upgrade_releases_behind"] == 1 and \
     h["BUILDS-2X"]["auto_upgrade_releases_behind"] == 2 and \
     h["BUILDS-UPGRADED"]["newest_auto_upgrade_release"] == "2.6.95.0"
print({k: (v["auto_upgrade_releases_behind"], v["newest_auto_upgrade_release"]) for k, v in h.items()})
sys.exit(0 if ok else 1)
PY

# The fleet: servers by support status, and the builds in use, worst first.
check_status "fleet json" 0 "$AU" fleet --db "$tmp/h.db" --now "$NOW" --format json
if python3 - "$tmp/out" <<'PY'; then pass; else fail "fleet json: support and builds"; fi
import json, sys
f = json.load(open(sys.argv[1]))
want = {"recalled": 1, "below-floor": 1, "retired": 0, "retiring": 1, "unknown": 1, "supported": 2}
b = [(x["version"], x["support"], x["hosts"]) for x in f["builds"]]
print(f["support"], b)
sys.exit(0 if f["support"] == want and f["support_as_of"] == "2026-12-03" and b == [
    ("2.6.79.0", "recalled", 1), ("1.6.16.0", "below-floor", 1), ("2.5.190.0", "retiring", 1),
    ("2.9.99.0", "unknown", 1), ("2.6.3.0", "supported", 1), ("2.6.1.0", "supported", 1)] else 1)
PY
check_status "fleet text" 0 "$AU" fleet --db "$tmp/h.db" --now "$NOW"
contains "fleet text: support status" "$tmp/out" "  1 recalled, 1 below-floor, 1 retiring, 1 unknown, 2 supported"
contains "fleet text: builds in use" "$tmp/out" "  2.6.79.0        recalled     1 server"
check_status "fleet markdown" 0 "$AU" fleet --db "$tmp/h.db" --now "$NOW" --format markdown
contains "fleet markdown: builds in use" "$tmp/out" "| 2.5.190.0 | retiring | 1 |"
check_status "fleet html" 0 "$AU" fleet --db "$tmp/h.db" --now "$NOW" --format html
contains "fleet html: builds in use" "$tmp/out" '<table id="builds">'

# The same log collected again, a day later (one more record): its related
# events are counted once.
python3 - "$srcdir/tests/data/builds/agents.json" > "$tmp/later.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["records"].append({"time": "2026-02-16T09:00:00Z", "provider": "Application Error", "event_id": 1000,
                     "level": 4, "data": ["Faulting application name: z.exe"]})
json.dump(d, sys.stdout)
PY
"$EVTXGEN" -o "$tmp/later.evtx" "$tmp/later.json"
check_status "import the later collection" 0 "$AU" import -q --db "$tmp/h.db" "$tmp/later.evtx"
check_status "report after a second import" 0 "$AU" report --db "$tmp/h.db" --now "$NOW" --format json --host builds-agents
contains "related counted once" "$tmp/out" '"count": 2,'
finish
