#!/bin/sh
# fleet-export.sh: `fleet` and `export` on a history of six generated servers; JSON Schemas; CSV read back.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

SCHEMA="$srcdir/schema"
NOW=2025-03-01
DB="$tmp/history.db"

# py NAME [ARGS]: runs the Python program on stdin; the check passes when it exits 0.
py() {
	pyname=$1
	shift
	if python3 - "$@" > "$tmp/py.out" 2>&1; then
		pass
	else
		fail "$pyname"
		sed 's/^/  /' "$tmp/py.out" | head -20 >&2
	fi
}

# validate NAME SCHEMA FILE [lines]: FILE (or each of its lines) is valid against SCHEMA.
cat > "$tmp/validate.py" <<'EOF'
import json, sys
from jsonschema import Draft202012Validator

schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
text = open(sys.argv[2], encoding="utf-8").read()
docs = [json.loads(l) for l in text.split("\n") if l] if len(sys.argv) > 3 else [json.loads(text)]
assert docs, "nothing to validate"
bad = 0
for i, d in enumerate(docs):
    for e in v.iter_errors(d):
        bad += 1
        print("document %d: %s: %s" % (i + 1, e.json_path, e.message[:300]))
sys.exit(1 if bad else 0)
EOF
validate() {
	if python3 "$tmp/validate.py" "$2" "$3" ${4:+lines} > "$tmp/py.out" 2>&1; then
		pass
	else
		fail "$1: not valid against $(basename "$2")"
		head -10 "$tmp/py.out" >&2
	fi
}

# --- the history: six servers, one log each --------------------------------
# upgraded (AADC11), blocked for weeks (AADC12), retrying for long with a
# hostile message (AADC13), stale (aadc14), unknown code (AADC15), failed (AADC16).
mkdir -p "$tmp/logs"
: > "$tmp/expand.ndjson"
for d in "$srcdir"/tests/data/fleet-*.json; do
	"$EVTXGEN" -o "$tmp/logs/$(basename "$d" .json).evtx" "$d"
	# The oracle: what evtxgen wrote, record by record, file by file.
	"$EVTXGEN" --expand "$d" | sed "s|^{|{\"_file\":\"logs/$(basename "$d" .json).evtx\",|" \
	    >> "$tmp/expand.ndjson"
done
# Relative paths, so that source_file is the same on every machine.
cd "$tmp" || exit 1
check_status "import" 0 "$AU" import -q --db "$DB" logs
python3 - "$tmp/expand.ndjson" > "$tmp/oracle.json" <<'EOF'
import json, sys
ev = [r for r in map(json.loads, open(sys.argv[1])) if r["provider"].lower() in
      ("azure ad connect upgrade", "microsoft entra connect upgrade") and 300 <= r["event_id"] <= 399]
json.dump(ev, sys.stdout)
EOF
py "oracle holds the six servers' 88 upgrade events" "$tmp/oracle.json" <<'EOF'
import json, sys
ev = json.load(open(sys.argv[1]))
assert len(ev) == 88, len(ev)
assert len({e["computer"].lower() for e in ev}) == 6
EOF

# --- fleet -----------------------------------------------------------------
for f in text:txt markdown:md json:json; do
	check_status "fleet --format ${f%%:*}" 0 "$AU" fleet --db "$DB" --now "$NOW" --format "${f%%:*}"
	cp "$tmp/out" "$tmp/fleet.${f#*:}"
	compare "fleet --format ${f%%:*}" "$EXPECTED/fleet.${f#*:}" "$tmp/fleet.${f#*:}"
	if [ -s "$tmp/err" ]; then fail "fleet ${f%%:*} wrote to stderr"; else pass; fi
done
validate "fleet json" "$SCHEMA/fleet.schema.json" "$tmp/fleet.json"

# What the fleet must say, whatever the expected files hold (lines wrapped
# to 80 columns: compared with the spaces of the wrapping collapsed).
# (A single word longer than the line, such as a long result code, runs on.)
[ "$(grep -vE '[^ ]{40,}' "$tmp/fleet.txt" | awk 'length > 80' | wc -l)" -eq 0 ] && pass || fail "fleet text: lines over 80 columns"
tr '\n' ' ' < "$tmp/fleet.txt" | tr -s ' ' > "$tmp/fleet.flat"
t="$tmp/fleet.flat"
contains "fleet summary" "$t" "Automatic upgrade, fleet: 6 servers: 1 failed, 1 blocked, 1 unknown, 1 retrying, 2 upgraded"
contains "fleet as of --now" "$t" "As of 2025-03-01T00:00:00Z"
contains "fleet blocked since, retries" "$t" "AADC12.contoso.local blocked since 2025-01-10, 49 days: 49 results, retried 48 times; latest UpgradeNotSupportedNonLocalDbInstall"
contains "fleet failed counts as blocked" "$t" "AADC16.contoso.local failed since 2025-02-14, 14 days: 2 results, retried 1 time; latest UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed"
contains "fleet retrying across reasons" "$t" "AADC13.contoso.local retrying since 2025-02-01, 27 days: 28 results, retried 27 times"
contains "fleet stale" "$t" "aadc14.CONTOSO.local upgraded last event 2024-11-20, 100 days ago"
contains "fleet quotes Microsoft" "$t" "Microsoft's documented description: \"You aren't using a SQL Server Express LocalDB database.\""
contains "fleet flags unknown code" "$t" "3 x DeferredByTenantPolicy (Other) on 1 server, the latest result on 1 [unknown]"
contains "fleet markdown blocked table" "$tmp/fleet.md" "| AADC12.contoso.local | blocked | 2025-01-10 | 49 | 49 | 48 | UpgradeNotSupportedNonLocalDbInstall |"

py "fleet json: lists, order and counts" "$tmp/fleet.json" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))
names = lambda k: [e["host"] for e in f[k]]
assert f["now"] == f["as_of"] == "2025-03-01T00:00:00Z", f["now"]
assert f["retry_days"] == 7 and f["stale_days"] == 7
assert f["servers"] == 6 and sum(f["verdicts"].values()) == 6
assert f["verdicts"] == {"failed": 1, "blocked": 1, "unknown": 1, "retrying": 1,
                         "silent": 0, "no-result": 0, "upgraded": 2}, f["verdicts"]
assert [h["verdict"] for h in f["hosts"]] == ["failed", "blocked", "unknown", "retrying",
                                               "upgraded", "upgraded"]
assert names("blocked") == ["AADC16.contoso.local", "AADC12.contoso.local"], names("blocked")
b = f["blocked"][1]
assert (b["since"], b["days"], b["count"]) == ("2025-01-10T04:00:00Z", 49, 49), b
assert names("retrying") == ["AADC13.contoso.local"]
assert f["retrying"][0]["since"] == "2025-02-01T05:00:00Z"
assert names("stale") == ["aadc14.CONTOSO.local", "AADC16.contoso.local"], names("stale")
assert f["stale"][0]["since"] == "2024-11-20T06:00:00Z" and f["stale"][0]["days"] == 100
assert names("never_succeeded") == ["AADC13.contoso.local", "AADC16.contoso.local",
                                    "AADC15.contoso.local"], names("never_succeeded")
c = f["codes"][0]
assert (c["code"], c["count"], c["hosts"], c["current"], c["known"]) == \
    ("UpgradeNotSupportedNonLocalDbInstall", 49, 1, 1, True), c
assert c["description"] == "You aren't using a SQL Server Express LocalDB database."
u = [c for c in f["codes"] if c["code"] == "DeferredByTenantPolicy"][0]
assert u["known"] is False and u["category"] == "Other" and u["description"] is None
up = [h for h in f["hosts"] if h["host"] == "AADC11.contoso.local"][0]
assert up["last_success"] == "2025-02-22T03:00:00Z" and up["latest_result"] == "Success"
EOF

# Without --now: as of the newest record in the history, and said once that
# the collection is old (its newest record is from 2025; the clock is later).
for f in text markdown html; do
	check_status "fleet --format $f without --now" 0 "$AU" fleet --db "$DB" --format "$f"
	tr '\n' ' ' < "$tmp/out" | tr -s ' ' > "$tmp/out.flat"
	contains "fleet $f: as of the newest record" "$tmp/out.flat" "the newest record read: ages are measured up to then."
	contains "fleet $f: the collection is old" "$tmp/out.flat" "collect the logs again for the present state"
	[ "$(grep -o "collect the logs again" "$tmp/out.flat" | wc -l)" -eq 1 ] && pass || fail "fleet $f: old collection said more than once"
done
check_status "fleet json without --now" 0 "$AU" fleet --db "$DB" --format json
py "fleet json without --now: as of the newest record, old" "$tmp/out" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))
assert f["as_of_source"] == "newest record" and f["collection_is_old"] is True, (f["as_of_source"], f["collection_is_old"])
EOF

# --stale-days moves both thresholds.
check_status "fleet --stale-days 30" 0 "$AU" fleet --db "$DB" --now "$NOW" --stale-days 30 --format json
py "fleet --stale-days 30: fewer stale, none retrying for long" "$tmp/out" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))
assert f["stale_days"] == 30 and f["retry_days"] == 30
assert [e["host"] for e in f["stale"]] == ["aadc14.CONTOSO.local"], f["stale"]
assert f["retrying"] == [], f["retrying"]
EOF
check_status "fleet --stale-days 0" 0 "$AU" fleet --db "$DB" --now "$NOW" --stale-days 0 --format json
py "fleet --stale-days 0: every server is stale" "$tmp/out" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))
assert len(f["stale"]) == 6 and len(f["retrying"]) == 1, (f["stale"], f["retrying"])
EOF
check_status "fleet text --stale-days 30" 0 "$AU" fleet --db "$DB" --now "$NOW" --stale-days 30
contains "fleet text names the threshold" "$tmp/out" "No upgrade event for more than 30 days (stale):"
if grep -A1 "^Retrying (UpgradeAborted) for more than 30 days, longest first:$" "$tmp/out" |
    tail -n 1 | grep -qx "  none"; then pass; else fail "fleet text: an empty list says none"; fi

# Without --now, ages run up to the current time.
before=$(date -u +%Y-%m-%dT%H:%M:%S)
check_status "fleet without --now" 0 "$AU" fleet --db "$DB" --format json
after=$(date -u +%Y-%m-%dT%H:%M:%S)
py "fleet without --now: as of the newest record in the history" "$tmp/out" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))
newest = max(h["last_seen"] for h in f["hosts"] if h["last_seen"])
assert f["now"] == f["as_of"] == newest and f["as_of_source"] == "newest record", (f["now"], newest)
# said once, for the whole collection: it is older than --stale-days
assert f["collection_is_old"] is True
EOF

# The database: --db, else $AADC_UPGRADE_DB, else $XDG_DATA_HOME/aadc-upgrade/history.db.
check_status "fleet with AADC_UPGRADE_DB" 0 env AADC_UPGRADE_DB="$DB" "$AU" fleet --now "$NOW"
compare "fleet with AADC_UPGRADE_DB" "$tmp/fleet.txt" "$tmp/out"
mkdir -p "$tmp/xdg/aadc-upgrade"
cp "$DB" "$tmp/xdg/aadc-upgrade/history.db"
check_status "fleet with XDG_DATA_HOME" 0 env XDG_DATA_HOME="$tmp/xdg" "$AU" fleet --now "$NOW"
compare "fleet with XDG_DATA_HOME" "$tmp/fleet.txt" "$tmp/out"
check_status "--db wins over AADC_UPGRADE_DB" 0 env AADC_UPGRADE_DB="$tmp/nowhere.db" "$AU" fleet --db "$DB" --now "$NOW"
check_status "fleet, missing database" 1 "$AU" fleet --db "$tmp/missing.db"
contains "fleet, missing database: clear error" "$tmp/err" "aadc-upgrade: $tmp/missing.db: "
if [ -e "$tmp/missing.db" ]; then fail "fleet created a missing database"; else pass; fi
check_status "fleet, no database anywhere" 1 "$AU" fleet
if [ -e "$HOME/.local/share/aadc-upgrade/history.db" ]; then fail "fleet created the default database"; else pass; fi

# Usage errors.
for bad in "--stale-days -1" "--stale-days abc" "--stale-days 36501" "--stale-days 7x" \
    "--now 2025-13-01" "--now yesterday" "--format yaml" "extra" "--frob"; do
	# shellcheck disable=SC2086
	check_status "fleet $bad" 2 "$AU" fleet --db "$DB" $bad
	contains "fleet $bad prints usage" "$tmp/err" "usage: aadc-upgrade fleet"
done
check_status "fleet --help" 0 "$AU" fleet --help
contains "fleet --help documents --stale-days" "$tmp/out" "--stale-days N"
contains "fleet --help documents --now" "$tmp/out" "--now WHEN"

# --- export ------------------------------------------------------------------
check_status "export ndjson" 0 "$AU" export --db "$DB" --format ndjson
cp "$tmp/out" "$tmp/export.ndjson"
compare "export ndjson" "$EXPECTED/export.ndjson" "$tmp/export.ndjson"
validate "export ndjson" "$SCHEMA/event.schema.json" "$tmp/export.ndjson" lines
py "export ndjson: every event once, in order, with its file" "$tmp/export.ndjson" "$tmp/oracle.json" "$srcdir/tests/data/fleet-retrying.json" <<'EOF'
import json, sys
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b"\n") and b"\r" not in raw, "one line per event, LF only"
lines = [json.loads(l) for l in raw.decode().split("\n") if l]
oracle = json.load(open(sys.argv[2]))
assert len(lines) == len(oracle) == 88, (len(lines), len(oracle))
assert sorted((e["host"].lower(), e["record_id"]) for e in lines) == \
    sorted((o["computer"].lower(), o["record_id"]) for o in oracle)
assert lines == sorted(lines, key=lambda e: (e["host"].lower(), e["time"], e["record_id"]))
byid = {(o["computer"].lower(), o["record_id"]): o for o in oracle}
for e in lines:
    o = byid[(e["host"].lower(), e["record_id"])]
    assert e["@timestamp"] == e["time"] and e["time"][:19] == o["time"][:19], e
    assert (e["time_unix"] + 11644473600) * 10**7 == e["time_filetime"] - e["time_filetime"] % 10**7, e
    assert e["source_file"] == o["_file"], (e["source_file"], o["_file"])
    assert e["message"] == "\n".join(o["data"]), e
    assert (e["event_id"], e["level"], e["provider"]) == (o["event_id"], o["level"], o["provider"])
desc = json.load(open(sys.argv[3]))
hostile = "\n".join(desc["records"][-1]["data"])
assert "," in hostile and '"' in hostile and "\r\n" in hostile
assert [e["message"] for e in lines if e["message"] == hostile], "hostile message lost"
EOF

check_status "export ndjson --host (any case)" 0 "$AU" export --db "$DB" --format ndjson --host aadc13.CONTOSO.local
py "export --host keeps one server" "$tmp/out" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 28 and {e["host"] for e in ev} == {"AADC13.contoso.local"}, len(ev)
EOF
check_status "export ndjson two --host" 0 "$AU" export --db "$DB" --format ndjson -H AADC11.contoso.local -H AADC16.contoso.local
py "export two --host" "$tmp/out" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 5 and {e["host"] for e in ev} == {"AADC11.contoso.local", "AADC16.contoso.local"}
EOF
check_status "export ndjson --since" 0 "$AU" export --db "$DB" --format ndjson --since 2025-02-20
py "export --since keeps later events only" "$tmp/out" "$tmp/oracle.json" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
want = [o for o in json.load(open(sys.argv[2])) if o["time"] >= "2025-02-20"]
assert len(ev) == len(want) and len(want) > 0 and len(want) < 88, (len(ev), len(want))
assert all(e["time"] >= "2025-02-20T00:00:00.0000000Z" for e in ev)
EOF
check_status "export unknown --host" 1 "$AU" export --db "$DB" --format csv --host AADC99
contains "export unknown --host names it" "$tmp/err" "AADC99"
if [ -s "$tmp/out" ]; then fail "export unknown --host wrote output"; else pass; fi

check_status "export csv" 0 "$AU" export --db "$DB" --format csv
cp "$tmp/out" "$tmp/export.csv"
compare "export csv" "$EXPECTED/export.csv" "$tmp/export.csv"
check_status "export csv --raw-csv" 0 "$AU" export --db "$DB" --format csv --raw-csv
cp "$tmp/out" "$tmp/export-raw.csv"
py "export csv --raw-csv: RFC 4180, one row per event, same data as ndjson" "$tmp/export-raw.csv" "$tmp/export.ndjson" "$srcdir/tests/data/fleet-retrying.json" <<'EOF'
import csv, io, json, sys
raw = open(sys.argv[1], "rb").read()
text = raw.decode("utf-8")
rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
cols = ["time", "host", "record_id", "event_id", "level", "provider", "result_code", "detail",
        "category", "known", "historical", "description", "remediation", "message", "source_file"]
assert rows[0] == cols, rows[0]
ev = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) - 1 == len(ev) == 88, (len(rows), len(ev))
# Minimal quoting and CRLF: Python writes exactly these bytes back.
out = io.StringIO(newline="")
csv.writer(out, lineterminator="\r\n").writerows(rows)
assert out.getvalue() == text, "not RFC 4180 minimal quoting with CRLF"
assert raw.count(b"\r\n") >= len(rows) and raw.endswith(b"\r\n")
def cell(v):
    return "" if v is None else ("true" if v is True else "false" if v is False else str(v))
for r, e in zip(rows[1:], ev):
    assert r == [cell(e[c]) for c in cols], (r, e)
hostile = "\n".join(json.load(open(sys.argv[3]))["records"][-1]["data"])
got = [r for r in rows if r[cols.index("message")] == hostile]
assert len(got) == 1, "the hostile message does not round-trip"
assert got[0][cols.index("message")].startswith("=")
EOF
check_status "export csv --raw-csv --escape-formulas" 0 "$AU" export --db "$DB" --format csv --raw-csv --escape-formulas
cp "$tmp/out" "$tmp/export-formulas.csv"
py "export csv: safe by default (formulas guarded, controls visible); --escape-formulas guards only" "$tmp/export.csv" "$tmp/export-raw.csv" "$tmp/export-formulas.csv" <<'EOF'
import csv, io, sys
rd = lambda p: list(csv.reader(io.StringIO(open(p, encoding="utf-8", newline="").read(), newline="")))
safe, plain, formulas = rd(sys.argv[1]), rd(sys.argv[2]), rd(sys.argv[3])
assert len(safe) == len(plain) == len(formulas)
def visible(s):
    out = ""
    for c in s:
        o = ord(c)
        if c in "\n\r\t":
            out += {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[c]
        elif o < 0x20 or o == 0x7F:
            out += "\\x%02x" % o
        elif 0x80 <= o <= 0x9F or o in (0x61C, 0x200E, 0x200F, 0x2028, 0x2029) or \
                0x202A <= o <= 0x202E or 0x2066 <= o <= 0x2069:
            out += "\\u%04x" % o
        else:
            out += c
    return out
guard = lambda v: "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
changed = escaped = 0
for s, p, f in zip(safe, plain, formulas):
    for a, b, c in zip(s, p, f):
        assert c == guard(b), (c, b)
        assert a == guard(visible(b)), (a, b)
        changed += a[:1] == "'"
        escaped += visible(b) != b
assert changed == 1, changed
assert escaped > 0, "the fixtures hold control characters"
raw = open(sys.argv[1], "rb").read().decode()
assert "\x1b" not in raw and "\x07" not in raw, "raw control character in the default CSV"
EOF

check_status "export json" 0 "$AU" export --db "$DB" --format json
cp "$tmp/out" "$tmp/export.json"
validate "export json" "$SCHEMA/report.schema.json" "$tmp/export.json"
check_status "report json" 0 "$AU" report --db "$DB" --format json
cp "$tmp/out" "$tmp/report.json"
validate "report json" "$SCHEMA/report.schema.json" "$tmp/report.json"
py "export json: the report's hosts, every event, every file" "$tmp/export.json" "$tmp/report.json" "$tmp/fleet.json" <<'EOF'
import json, sys
x, r, f = (json.load(open(p)) for p in sys.argv[1:4])
assert x["hosts"] == r["hosts"], "export json and report json differ"
assert [h["host"] for h in x["hosts"]] == [h["host"] for h in f["hosts"]], "not worst first"
assert sum(len(h["events"]) for h in x["hosts"]) == 88
assert sorted(p["path"] for p in x["files"]) == sorted(
    "logs/fleet-%s.evtx" % n for n in ("up", "blocked", "retrying", "stale", "unknown", "failed"))
EOF
check_status "scan json" 0 "$AU" scan --format json logs
validate "scan json" "$SCHEMA/report.schema.json" "$tmp/out"
check_status "scan json, damaged fixtures" 3 "$AU" scan --format json "$FIXTURES"
validate "scan json, fixtures" "$SCHEMA/report.schema.json" "$tmp/out"

# The schemas are strict: an extra key or a wrong type is refused.
py "schemas refuse extra keys and wrong types" "$SCHEMA" "$tmp/export.ndjson" "$tmp/export.json" "$tmp/fleet.json" <<'EOF'
import copy, json, sys
from jsonschema import Draft202012Validator as V
s = lambda n: V(json.load(open("%s/%s.schema.json" % (sys.argv[1], n))))
ev = json.loads(open(sys.argv[2]).readline())
rep, fl = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
cases = [("event", dict(ev, extra=1)), ("event", dict(ev, record_id="1")),
         ("event", dict(ev, time="2025-02-01T05:00:00.0000000Z")), ("event", dict(ev, known=None))]
r = copy.deepcopy(rep); r["hosts"][0]["events"][0]["level"] = -1; cases.append(("report", r))
r = copy.deepcopy(rep); r["files"][0]["surprise"] = True; cases.append(("report", r))
r = copy.deepcopy(fl); r["blocked"][0]["count"] = None; cases.append(("fleet", r))
r = copy.deepcopy(fl); r["verdicts"]["maybe"] = 0; cases.append(("fleet", r))
for name, doc in cases:
    assert not s(name).is_valid(doc), (name, doc)
assert s("event").is_valid(ev) and s("report").is_valid(rep) and s("fleet").is_valid(fl)
EOF

# An empty history: a header, no lines, no servers.
check_status "import a log without upgrade events" 0 "$AU" import -q --db "$tmp/empty.db" "$FIXTURES/no-upgrade-events.evtx"
check_status "export csv, empty" 0 "$AU" export --db "$tmp/empty.db" --format csv
if [ "$(cat "$tmp/out")" = "$(head -1 "$tmp/export.csv")" ]; then pass; else fail "export csv, empty: not the header alone"; fi
check_status "export ndjson, empty" 0 "$AU" export --db "$tmp/empty.db" --format ndjson
if [ -s "$tmp/out" ]; then fail "export ndjson, empty: output"; else pass; fi
check_status "fleet, empty" 0 "$AU" fleet --db "$tmp/empty.db" --format json
validate "fleet json, empty" "$SCHEMA/fleet.schema.json" "$tmp/out"
# A history without a single record: as of the current time, said as such.
"$EVTXGEN" -o "$tmp/no-records.evtx" "$srcdir/tests/evtxgen/empty-log.json"
"$AU" import -q --db "$tmp/none.db" "$tmp/no-records.evtx" 2>/dev/null || true
check_status "fleet json, no record" 0 "$AU" fleet --db "$tmp/none.db" --format json
py "fleet json, no record: as of the current time" "$tmp/out" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))
assert f["as_of_source"] == "current time" and f["collection_is_old"] is False, f["as_of_source"]
EOF
check_status "fleet text, no record" 0 "$AU" fleet --db "$tmp/none.db"
contains "fleet text, no record: the current time" "$tmp/out" "the current time: no record was read"

# Usage errors and a missing database.
check_status "export without --format" 2 "$AU" export --db "$DB"
contains "export without --format says so" "$tmp/err" "no --format given"
for bad in "--format text" "--format markdown" "--format ndjson --escape-formulas" \
    "--format csv extra" "--format csv --since 2025-02-30"; do
	# shellcheck disable=SC2086
	check_status "export $bad" 2 "$AU" export --db "$DB" $bad
	contains "export $bad prints usage" "$tmp/err" "usage: aadc-upgrade export"
done
check_status "export, missing database" 1 "$AU" export --db "$tmp/missing.db" --format csv
if [ -e "$tmp/missing.db" ]; then fail "export created a missing database"; else pass; fi
check_status "export with AADC_UPGRADE_DB" 0 env AADC_UPGRADE_DB="$DB" "$AU" export --format csv
compare "export with AADC_UPGRADE_DB" "$tmp/export.csv" "$tmp/out"
if [ -w /dev/full ]; then
	# shellcheck disable=SC2016 # expanded by the inner shell
	check_status "export to a full disk" 1 sh -c '"$1" export --db "$2" --format ndjson > /dev/full' sh "$AU" "$DB"
	# shellcheck disable=SC2016
	check_status "fleet to a full disk" 1 sh -c '"$1" fleet --db "$2" > /dev/full' sh "$AU" "$DB"
fi

# --- the files section of the text report: problems once, dirty as a note ------
check_status "scan damaged and dirty" 3 "$AU" scan "$FIXTURES/dirty-corrupt-chunk.evtx"
lacks "no second corruption line" "$tmp/out" "flagged as corrupted"
tr '\n' ' ' < "$tmp/out" | tr -s ' ' > "$tmp/out.flat"
contains "damage named once" "$tmp/out.flat" "problems: damaged: chunk 1 (checksum mismatch)"
contains "dirty is a note" "$tmp/out.flat" "; note: log not closed cleanly (dirty)"
if [ "$(grep -c "damaged" "$tmp/out")" -eq 1 ]; then pass; else fail "damage printed more than once"; fi

finish
