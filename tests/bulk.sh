#!/bin/sh
# bulk.sh: `export --format bulk`: the _bulk body, stable _ids across re-imports, every document fits the index template.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

TEMPLATE="$srcdir/schema/elasticsearch-template.json"
mkdir -p "$tmp/logs"
for d in "$srcdir"/tests/data/fleet-*.json "$srcdir"/tests/data/hostile.json; do
	"$EVTXGEN" -o "$tmp/logs/$(basename "$d" .json).evtx" "$d"
done
cd "$tmp" || exit 1
check_status "import" 0 "$AU" import -q --db "$tmp/a.db" logs
check_status "export bulk" 0 "$AU" export --db "$tmp/a.db" --format bulk
cp "$tmp/out" "$tmp/a.bulk"
if [ -s "$tmp/err" ]; then fail "export bulk wrote to stderr"; else pass; fi
check_status "export ndjson" 0 "$AU" export --db "$tmp/a.db" --format ndjson
cp "$tmp/out" "$tmp/a.ndjson"

# The same logs imported again, into a new history, one file at a time in reverse order.
for f in $(ls logs | sort -r); do
	check_status "re-import $f" 0 "$AU" import -q --db "$tmp/b.db" "logs/$f"
done
check_status "import again" 0 "$AU" import -q --db "$tmp/b.db" logs
check_status "export bulk again" 0 "$AU" export --db "$tmp/b.db" --format bulk --index fleet-2025
cp "$tmp/out" "$tmp/b.bulk"

if python3 - "$TEMPLATE" "$tmp/a.bulk" "$tmp/a.ndjson" "$tmp/b.bulk" > "$tmp/py.out" 2>&1 <<'PYEOF'
import datetime, hashlib, json, re, sys
template = json.load(open(sys.argv[1]))
mappings = template["template"]["mappings"]
assert mappings["dynamic"] == "strict"

def parse(path):
    raw = open(path, "rb").read()
    assert raw.endswith(b"\n") and b"\r" not in raw, "LF-terminated lines"
    lines = [json.loads(l) for l in raw.decode("utf-8").split("\n") if l]
    assert len(lines) % 2 == 0
    return list(zip(lines[0::2], lines[1::2]))

TYPES = {"keyword": str, "text": str, "match_only_text": str, "long": int, "boolean": bool}
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")

def fits(doc, props, path=""):
    for k, v in doc.items():
        p = path + k
        assert k in props, "unmapped field %s (dynamic is strict)" % p
        m = props[k]
        if "properties" in m:
            assert isinstance(v, dict), "%s: object expected" % p
            fits(v, m["properties"], p + ".")
            continue
        t = m["type"]
        if t == "date":
            assert isinstance(v, str) and DATE.match(v), "%s: date %r" % (p, v)
        elif t == "long":
            assert isinstance(v, int) and not isinstance(v, bool) and -2**63 <= v < 2**63, "%s: %r" % (p, v)
        else:
            assert isinstance(v, TYPES[t]), "%s: %s expected, got %r" % (p, t, v)

def ticks(ts):
    d = datetime.datetime.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    frac = ts[20:-1] if len(ts) > 20 else ""
    secs = int((d - datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds())
    return secs * 10**7 + int((frac + "0000000")[:7])

a = parse(sys.argv[2])
events = [json.loads(l) for l in open(sys.argv[3], encoding="utf-8") if l.strip()]
assert len(a) == len(events) == 91, (len(a), len(events))
ids = []
for (action, doc), ev in zip(a, events):
    assert list(action) == ["index"] and set(action["index"]) == {"_index", "_id"}, action
    assert action["index"]["_index"] == "aadc-upgrade"
    fits(doc, mappings["properties"])
    _id = action["index"]["_id"]
    # The export's time is to the second; time_filetime is exact.
    assert ticks(ev["time"]) == ev["time_filetime"] - ev["time_filetime"] % 10**7
    key = "%s\n%d\n%d" % (ev["host"].lower(), ev["record_id"], ev["time_filetime"])
    assert _id == hashlib.sha256(key.encode("utf-8")).hexdigest(), (key, _id)
    assert doc["event"]["id"] == _id
    assert ticks(doc["@timestamp"]) == ev["time_filetime"], (doc["@timestamp"], ev)
    assert doc["host"]["name"] == ev["host"].lower()
    assert doc["winlog"]["computer_name"] == ev["host"]
    assert doc["event"]["code"] == str(ev["event_id"])
    assert doc["event"]["provider"] == ev["provider"]
    assert doc["message"] == ev["message"]
    assert doc["event"]["outcome"] == {"Success": "success", "UpgradeAborted": "failure",
        "UpgradeNotSupported": "failure", "UpgradeFailed": "failure"}.get(ev["category"], "unknown"), doc
    assert doc["aadc_upgrade"]["known"] == ev["known"]
    assert doc["aadc_upgrade"].get("remediation") == ev["remediation"]
    assert doc["log"]["file"]["path"] == ev["source_file"]
    ids.append(_id)
assert len(set(ids)) == len(ids), "one _id per event"
outcomes = {d["event"]["outcome"] for _, d in a}
assert outcomes == {"success", "failure", "unknown"}, outcomes

b = parse(sys.argv[4])
assert {x["index"]["_index"] for x, _ in b} == {"fleet-2025"}
assert sorted(x["index"]["_id"] for x, _ in b) == sorted(ids), "re-import changed the _ids"
assert [d for _, d in b] == [d for _, d in a], "the same documents"
PYEOF
then pass; else fail "bulk body and template"; sed 's/^/  /' "$tmp/py.out" | head -20 >&2; fi

# Streamed one event at a time: --host and --since select as for the other formats.
check_status "export bulk --host" 0 "$AU" export --db "$tmp/a.db" --format bulk --host aadc11.contoso.local
if [ "$(wc -l < "$tmp/out")" -eq 6 ]; then pass; else fail "bulk --host: $(wc -l < "$tmp/out") lines, expected 6"; fi

for bad in "Upper" "a/b" "-x" "_x" "a b" "a,b" "a*" "."; do
	check_status "bad index '$bad'" 2 "$AU" export --db "$tmp/a.db" --format bulk --index "$bad"
	contains "bad index '$bad' says why" "$tmp/err" "bad index name"
done
# A form without record IDs (Event Viewer CSV): no fake record 0.
{
	printf 'Level,Date and Time,Source,Event ID,Task Category\r\n'
	printf 'Information,2024-05-01 02:10:41,Azure AD Connect Upgrade,300,None,UpgradeAbortedSyncExeInUse\r\n'
} > "$tmp/SRV7-Application.csv"
check_status "import a CSV" 0 "$AU" import -q --db "$tmp/c.db" --timezone UTC "$tmp/SRV7-Application.csv"
check_status "export bulk of a CSV" 0 "$AU" export --db "$tmp/c.db" --format bulk
contains "bulk of a CSV: its event" "$tmp/out" '"code":"300"'
lacks "bulk of a CSV: no record ID made up" "$tmp/out" '"record_id"'
check_status "--index without bulk" 2 "$AU" export --db "$tmp/a.db" --format ndjson --index x
check_status "export --help documents bulk" 0 "$AU" export --help
contains "export --help: bulk" "$tmp/out" "--index NAME"

finish
