#!/bin/sh
# scan.sh: `scan` end to end on the shipped fixtures: outputs against expected files, and what they must say.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"
# Support status and the age of the collection are measured against the
# clock: a fixed one (the reproducible-builds convention) keeps the expected
# outputs true on any day.
SOURCE_DATE_EPOCH=1764547200   # 2025-12-01T00:00:00Z
export SOURCE_DATE_EPOCH

# The whole folder: one fixture is damaged on purpose, so the status is 3.
cd "$srcdir"
check_status "scan fixtures text" 3 "$AU" scan fixtures
compare "scan text" "$EXPECTED/scan.txt" "$tmp/out"
# Not a terminal: 80 columns, but for a single word longer than the line.
[ "$(grep -vE '[^ ]{40,}' "$tmp/out" | awk 'length > 80' | wc -l)" -eq 0 ] && pass || fail "scan text: lines over 80 columns"
contains "damaged fixture named on stderr" "$tmp/err" "aadc-upgrade: fixtures/dirty-corrupt-chunk.evtx: damaged: chunk 1 (checksum mismatch)"
[ "$(wc -l < "$tmp/err")" -eq 1 ] && pass || fail "scan fixtures: expected exactly one stderr line"
check_status "scan fixtures markdown" 3 "$AU" scan --format markdown fixtures
compare "scan markdown" "$EXPECTED/scan.md" "$tmp/out"
check_status "scan fixtures json" 3 "$AU" scan --format json fixtures
compare "scan json" "$EXPECTED/scan.json" "$tmp/out"
cp "$tmp/out" "$tmp/scan.json"

# What the report must say, independent of the expected files.
if python3 - "$tmp/scan.json" <<'PY'; then pass; else fail "scan json: semantic checks (see above)"; fi
import json, sys
d = json.load(open(sys.argv[1]))
hosts = {h["host"].lower(): h for h in d["hosts"]}
order = ["failed", "blocked", "unknown", "retrying", "silent", "no-result", "upgraded"]
verdicts = [h["verdict"] for h in d["hosts"]]
assert verdicts == sorted(verdicts, key=order.index), verdicts
def host(name):
    return hosts[name.lower()]
bad = []
def want(cond, msg):
    if not cond:
        bad.append(msg)
# A server that upgraded after several aborts.
h = [h for h in d["hosts"] if any(e["result_code"] == "UpgradeAbortedSyncExeInUse" for e in h["events"]) and h["verdict"] == "upgraded"]
want(h, "no server upgraded after aborts")
# One blocked for weeks by UpgradeNotSupported: the streak says how long.
b = [h for h in d["hosts"] if h["verdict"] == "blocked" and h["streak"] and h["streak"]["count"] >= 20]
want(b and b[0]["streak"]["category"] == "UpgradeNotSupported", "no server blocked for weeks")
# One vocabulary: attempts are the results, and the streak ends at the latest.
for h in d["hosts"]:
    want(h["attempts"] == sum(r["count"] for r in h["results"]), "%s: attempts != results" % h["host"])
    if h["streak"]:
        want(h["streak"]["count"] <= h["attempts"], "%s: streak longer than attempts" % h["host"])
# Top-level facts of the document.
want(d["generator"] == "aadc-upgrade" and d["schema_version"] == 3 and d["as_of"], "document head")
newest = [f["last_time"] for f in d["files"] if f["last_time"]] + [h["last_seen"] for h in d["hosts"] if h["last_seen"]]
want(d["as_of"] == max(newest), "as_of is not the newest record read")
want(all(isinstance(e["time_unix"], int) and e["time"].endswith("Z") and "." not in e["time"] for h in d["hosts"] for e in h["events"]), "times not to the second")
# The compound value: code and detail apart.
c = [e for h in d["hosts"] for e in h["events"] if e["result_code"] == "UpgradeFailedRollbackSuccess"]
want(c and c[0]["detail"] == "GetPasswordHashSyncStateFailed" and c[0]["category"] == "UpgradeFailed" and c[0]["known"], "compound value wrong: %r" % c[:1])
# Undocumented and unknown codes are kept, classified and flagged.
pre = [e for h in d["hosts"] for e in h["events"] if e["result_code"] == "PreUpgradeFailure"]
want(pre and pre[0]["category"] == "UpgradeFailed" and pre[0]["known"] and pre[0]["description"] is None, "PreUpgradeFailure wrong: %r" % pre[:1])
unk = [e for h in d["hosts"] for e in h["events"] if e["result_code"] == "UpgradeAbortedSomethingNew"]
want(unk and unk[0]["category"] == "UpgradeAborted" and not unk[0]["known"], "unknown code with known prefix wrong")
# The newer source name is read.
want(any(e["provider"] == "Microsoft Entra Connect Upgrade" for h in d["hosts"] for e in h["events"]), "Entra source not read")
# Success is a documented result, not an unknown code.
s = [e for h in d["hosts"] for e in h["events"] if e["result_code"] == "Success"]
want(s and all(e["known"] and e["category"] == "Success" for e in s), "Success flagged unknown")
# Historical codes are flagged.
hist = [e for h in d["hosts"] for e in h["events"] if e["historical"]]
want(hist and all(e["known"] for e in hist), "no historical code flagged")
# No event is counted twice (overlapping exports), and events are in time order.
for h in d["hosts"]:
    keys = [(e["record_id"], e["time"], e["provider"], e["event_id"]) for e in h["events"]]
    want(len(keys) == len(set(keys)), "%s: duplicate events" % h["host"])
    want([e["time"] for e in h["events"]] == sorted(e["time"] for e in h["events"]), "%s: not in time order" % h["host"])
    want(h["events_count"] == len(h["events"]), "%s: events_count" % h["host"])
# Other sources' events in 300-399 are never upgrade events.
files = {f["path"].split("/")[-1]: f for f in d["files"]}
want(files["no-upgrade-events.evtx"]["matched"] == 0 and files["no-upgrade-events.evtx"]["records"] > 0, "no-upgrade-events matched something")
want(files["dirty-corrupt-chunk.evtx"]["errors"], "damaged fixture has no error")
# The direct form (filtered export) is read.
want(files["filtered-export-direct.evtx"]["matched"] > 0, "direct-form log gave nothing")
for e in (e for h in d["hosts"] for e in h["events"]):
    want(e["time"].endswith("Z") and len(e["time"]) == 20, "time format: " + e["time"])
if bad:
    print("\n".join(bad)); sys.exit(1)
PY

# Overlapping exports: each file alone, then both: the union counts each event once.
n1=$("$AU" scan --format json fixtures/overlapping-export-1.evtx | python3 -c 'import json,sys; print(sum(h["events_count"] for h in json.load(sys.stdin)["hosts"]))')
n2=$("$AU" scan --format json fixtures/overlapping-export-2.evtx | python3 -c 'import json,sys; print(sum(h["events_count"] for h in json.load(sys.stdin)["hosts"]))')
n12=$("$AU" scan --format json fixtures/overlapping-export-1.evtx fixtures/overlapping-export-2.evtx | python3 -c 'import json,sys; print(sum(h["events_count"] for h in json.load(sys.stdin)["hosts"]))')
if [ "$n12" -lt $((n1 + n2)) ] && [ "$n12" -ge "$n1" ] && [ "$n12" -ge "$n2" ]; then pass; else fail "overlap: $n1 + $n2 -> $n12"; fi

# Options: --host, --since, --source, --event-ids.
check_status "scan --host" 0 "$AU" scan --format json --host aadc02.CONTOSO.local fixtures/blocked-staging-mode.evtx
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if [h["host"] for h in d["hosts"]]==["AADC02.contoso.local"] else 1)' "$tmp/out" && pass || fail "--host selects the server in any case"
# A NetBIOS name, a glob on first labels; an unknown name: one line, the nearest names, no history.
check_status "scan --host NetBIOS name" 0 "$AU" scan --format json --host aadc02 fixtures/blocked-staging-mode.evtx
contains "scan --host NetBIOS name selects the server" "$tmp/out" '"host": "AADC02.contoso.local"'
check_status "scan --host glob on first labels" 0 "$AU" scan --format json --host 'AADC0?' fixtures/blocked-staging-mode.evtx
contains "scan --host glob selects the server" "$tmp/out" '"host": "AADC02.contoso.local"'
check_status "scan --host unknown" 1 "$AU" scan --host aadc2 fixtures/blocked-staging-mode.evtx
contains "scan --host unknown: nearest names" "$tmp/err" "aadc-upgrade: no such host in the logs read: aadc2 (nearest: AADC02.contoso.local)"
[ "$(wc -l < "$tmp/err")" -eq 1 ] && pass || fail "scan --host unknown: not one line"
check_status "scan --since" 0 "$AU" scan --format json --since 2019-09-20 fixtures/blocked-staging-mode.evtx
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["hosts"][0]["events"]; sys.exit(0 if e and all(x["time"]>="2019-09-20" for x in e) and len(e)<28 else 1)' "$tmp/out" && pass || fail "--since keeps only later events"
check_status "scan --source elsewhere" 0 "$AU" scan --format json --source "Some Other Source" fixtures/blocked-staging-mode.evtx
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if [(h["verdict"], h["attempts"], h["events"]) for h in d["hosts"]]==[("silent", 0, [])] else 1)' "$tmp/out" && pass || fail "--source replaces the default sources"
check_status "scan --event-ids" 0 "$AU" scan --format json --event-ids 900-999 fixtures/blocked-staging-mode.evtx
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if [(h["verdict"], h["attempts"], h["events"]) for h in d["hosts"]]==[("silent", 0, [])] else 1)' "$tmp/out" && pass || fail "--event-ids narrows the range"

# Colour: never when not a terminal, never with NO_COLOR.
check_status "no colour in a pipe" 0 "$AU" scan fixtures/blocked-staging-mode.evtx
if LC_ALL=C grep -q "$(printf '\033')" "$tmp/out"; then fail "ESC in piped output"; else pass; fi
finish
