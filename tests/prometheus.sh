#!/bin/sh
# prometheus.sh: `fleet --format prometheus` checked by promtool and read back against fleet JSON; -o is atomic.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

if ! command -v promtool > /dev/null 2>&1; then
	echo "SKIP: promtool not found (Debian: apt-get install prometheus, or run tools/setup-debian.sh)"
	exit 77
fi

NOW=2025-03-01
DB="$tmp/history.db"
mkdir -p "$tmp/logs"
for d in "$srcdir"/tests/data/fleet-*.json "$srcdir"/tests/data/hostile.json; do
	"$EVTXGEN" -o "$tmp/logs/$(basename "$d" .json).evtx" "$d"
done
check_status "import" 0 "$AU" import -q --db "$DB" "$tmp/logs"

check_status "fleet --format prometheus" 0 "$AU" fleet --db "$DB" --now "$NOW" --format prometheus
cp "$tmp/out" "$tmp/metrics.prom"
if [ -s "$tmp/err" ]; then fail "fleet prometheus wrote to stderr"; else pass; fi
# promtool parses the exposition and lints names, types and HELP (exit 0, nothing said).
if promtool check metrics < "$tmp/metrics.prom" > "$tmp/promtool.out" 2>&1 && [ ! -s "$tmp/promtool.out" ]; then
	pass
else
	fail "promtool check metrics"
	head -20 "$tmp/promtool.out" >&2
fi
check_status "fleet --format json" 0 "$AU" fleet --db "$DB" --now "$NOW" --format json
cp "$tmp/out" "$tmp/fleet.json"

# Read the exposition back with the format's own rules and compare it with the JSON view.
if python3 - "$tmp/metrics.prom" "$tmp/fleet.json" > "$tmp/py.out" 2>&1 <<'PYEOF'
import json, re, sys, datetime
raw = open(sys.argv[1], "rb").read()
fleet = json.load(open(sys.argv[2]))
assert raw.endswith(b"\n")
for b in raw:
    assert b == 0x0A or 0x20 <= b < 0x7F or b >= 0x80, "raw control byte %#x" % b
text = raw.decode("utf-8")
assert "\u202e" not in text and "\x1b" not in text

def labels(s):
    out, i = {}, 0
    while i < len(s):
        m = re.match(r'([a-zA-Z_][a-zA-Z0-9_]*)="', s[i:])
        assert m, s[i:]
        i += m.end()
        v = ""
        while s[i] != '"':
            if s[i] == "\\":
                v += {"\\": "\\", '"': '"', "n": "\n"}[s[i + 1]]
                i += 2
            else:
                v += s[i]
                i += 1
        out[m.group(1)] = v
        i += 1
        if i < len(s) and s[i] == ",":
            i += 1
    return out

series, helps, types = [], {}, {}
for line in text.split("\n"):
    if not line:
        continue
    if line.startswith("# HELP "):
        helps[line.split()[2]] = line
        continue
    if line.startswith("# TYPE "):
        types[line.split()[2]] = line.split()[3]
        continue
    m = re.match(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$', line)
    assert m, line
    series.append((m.group(1), labels(m.group(2) or ""), float(m.group(3))))
names = {s[0] for s in series}
assert names <= set(types) and set(types) == set(helps), (names, types.keys())
for want in ("aadc_upgrade_servers", "aadc_upgrade_server_verdict",
             "aadc_upgrade_last_success_timestamp_seconds",
             "aadc_upgrade_last_event_timestamp_seconds", "aadc_upgrade_attempts_total"):
    assert want in names, want
assert types["aadc_upgrade_attempts_total"] == "counter"

# Every verdict, zeros included, the same counts as the JSON view.
per_verdict = {l["verdict"]: v for n, l, v in series if n == "aadc_upgrade_servers"}
assert per_verdict == {k: float(c) for k, c in fleet["verdicts"].items()}, (per_verdict, fleet["verdicts"])
assert 0.0 in per_verdict.values(), "a verdict without servers is still a series"

def ts(rfc):
    d = datetime.datetime.strptime(rfc[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return float(int(d.timestamp()))

def visible(h):
    # The label shows control characters as the text report does (\xNN).
    return "".join("\\x%02x" % ord(c) if ord(c) < 0x20 else c for c in h)

hosts = {visible(h["host"]): h for h in fleet["hosts"]}
verdict = {l["host"]: l["verdict"] for n, l, v in series if n == "aadc_upgrade_server_verdict"}
assert verdict == {k: h["verdict"] for k, h in hosts.items()}, (verdict, hosts.keys())
succ = {l["host"]: v for n, l, v in series if n == "aadc_upgrade_last_success_timestamp_seconds"}
assert succ == {k: ts(h["last_success"]) for k, h in hosts.items() if h["last_success"]}, succ
last = {l["host"]: v for n, l, v in series if n == "aadc_upgrade_last_event_timestamp_seconds"}
assert last == {k: ts(h["last_seen"]) for k, h in hosts.items()}, last
att = {l["host"]: v for n, l, v in series if n == "aadc_upgrade_attempts_total"}
assert att == {k: float(h["attempts"]) for k, h in hosts.items()}, att
assert "AADC-EVIL\\x1b[31m.contoso.local" in verdict, verdict.keys()
# Support status from the catalog: every status counted, one series per server.
by_support = {l["support"]: v for n, l, v in series if n == "aadc_upgrade_servers_by_support"}
assert set(by_support) == {"recalled", "below-floor", "retired", "retiring", "unknown", "supported"}, by_support
assert sum(by_support.values()) == len(hosts) and by_support["supported"] == 1.0, by_support
sup = {l["host"]: l["support"] for n, l, v in series if n == "aadc_upgrade_server_support"}
assert set(sup) == set(hosts) and sup["AADC11.contoso.local"] == "supported", sup
builds = {l["host"]: l["version"] for n, l, v in series if n == "aadc_upgrade_installed_build_info"}
assert builds == {"AADC11.contoso.local": "2.4.27.0"}, builds
behind = {l["host"]: v for n, l, v in series if n == "aadc_upgrade_auto_upgrade_releases_behind"}
assert set(behind) == {"AADC11.contoso.local"} and behind["AADC11.contoso.local"] >= 0, behind
asof = [v for n, l, v in series if n == "aadc_upgrade_report_timestamp_seconds"]
assert asof == [ts("2025-03-01T00:00:00")], asof
PYEOF
then pass; else fail "exposition read back"; sed 's/^/  /' "$tmp/py.out" | head -20 >&2; fi

# Label values that need the format's escapes: a quote, a backslash.
cat > "$tmp/quote.json" <<'JEOF'
{ "computer": "AADC\"Q\\uote.contoso.local", "channel": "Application", "records": [
  { "time": "2025-02-01T00:00:00Z", "provider": "Azure AD Connect Upgrade", "event_id": 300,
    "qualifiers": 0, "level": 4, "data": ["result = Success"] } ] }
JEOF
"$EVTXGEN" -o "$tmp/logs/quote.evtx" "$tmp/quote.json"
check_status "import quote" 0 "$AU" import -q --db "$DB" "$tmp/logs/quote.evtx"
check_status "fleet prometheus, quoted host" 0 "$AU" fleet --db "$DB" --now "$NOW" -f prometheus
contains "label escapes quote and backslash" "$tmp/out" 'aadc_upgrade_server_verdict{host="AADC\"Q\\uote.contoso.local",verdict="upgraded"} 1'
if promtool check metrics < "$tmp/out" > /dev/null 2>&1; then pass; else fail "promtool: quoted host"; fi

# -o: written beside, renamed into place, readable by the collector's user.
mkdir -p "$tmp/textfile"
echo "old" > "$tmp/textfile/aadc.prom"
(umask 022 && "$AU" fleet --db "$DB" --now "$NOW" -f prometheus -o "$tmp/textfile/aadc.prom") > "$tmp/out" 2> "$tmp/err" && pass || fail "fleet -o"
if [ -s "$tmp/out" ]; then fail "fleet -o also wrote to stdout"; else pass; fi
if promtool check metrics < "$tmp/textfile/aadc.prom" > /dev/null 2>&1; then pass; else fail "-o file: promtool"; fi
contains "-o replaced the old file" "$tmp/textfile/aadc.prom" "aadc_upgrade_servers{verdict=\"failed\"} 1"
if [ "$(ls -A "$tmp/textfile")" = "aadc.prom" ]; then pass; else fail "-o left a temporary file: $(ls -A "$tmp/textfile")"; fi
mode=$(stat -c %a "$tmp/textfile/aadc.prom")
if [ "$mode" = 644 ]; then pass; else fail "-o mode $mode, expected 644 under umask 022"; fi
check_status "-o into a missing directory" 1 "$AU" fleet --db "$DB" --now "$NOW" -f prometheus -o "$tmp/nowhere/aadc.prom"
contains "-o missing directory: names the file" "$tmp/err" "$tmp/nowhere/aadc.prom"
check_status "-o, missing database" 1 "$AU" fleet --db "$tmp/missing.db" -f prometheus -o "$tmp/textfile/aadc.prom"
contains "-o failure leaves the old file" "$tmp/textfile/aadc.prom" "aadc_upgrade_servers{verdict=\"failed\"} 1"
if [ "$(ls -A "$tmp/textfile")" = "aadc.prom" ]; then pass; else fail "failed -o left files: $(ls -A "$tmp/textfile")"; fi

# The catalog is read: --releases with a later end of support for 2.4.27.0 changes nothing but
# a malformed one is an error naming the file.
printf 'version\trelease_date\n' > "$tmp/bad.tsv"
check_status "fleet prometheus, malformed catalog" 1 "$AU" fleet --db "$DB" --now "$NOW" -f prometheus --releases "$tmp/bad.tsv"
contains "malformed catalog named" "$tmp/err" "$tmp/bad.tsv"
check_status "fleet prometheus, build below the floor by 2027" 0 "$AU" fleet --db "$DB" --now 2027-01-01 -f prometheus
contains "below-floor at 2027" "$tmp/out" 'aadc_upgrade_server_support{host="AADC11.contoso.local",support="below-floor"} 1'

# An empty history: still every verdict, at zero.
check_status "import nothing" 0 "$AU" import -q --db "$tmp/empty.db" "$srcdir/fixtures/no-upgrade-events.evtx"
check_status "fleet prometheus, no server" 0 "$AU" fleet --db "$tmp/empty.db" --now "$NOW" -f prometheus
contains "no server: zero counts" "$tmp/out" 'aadc_upgrade_servers{verdict="upgraded"} 0'
if promtool check metrics < "$tmp/out" > /dev/null 2>&1; then pass; else fail "promtool: empty fleet"; fi

finish
