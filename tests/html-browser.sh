#!/bin/sh
# html-browser.sh: the HTML pages (fleet, report, hostile scan) in headless Chromium: rows, charts, texts, nothing run.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

# Selenium may be installed for the system Python only (python3-selenium).
py=""
for p in "${PYTHON:-python3}" python3 /usr/bin/python3; do
	if command -v "$p" > /dev/null 2>&1 && "$p" -c "import selenium" 2> /dev/null; then py=$p; break; fi
done
if [ -z "$py" ] || ! command -v chromedriver > /dev/null 2>&1 ||
    ! { command -v chromium > /dev/null 2>&1 || command -v chromium-browser > /dev/null 2>&1; }; then
	echo "SKIP: headless Chromium tests need chromium, chromium-driver and python3-selenium (tools/setup-debian.sh installs them)"
	exit 77
fi

NOW=2025-03-01
mkdir -p "$tmp/logs" "$tmp/pages"
for d in "$srcdir"/tests/data/fleet-*.json; do
	"$EVTXGEN" -o "$tmp/logs/$(basename "$d" .json).evtx" "$d"
done
"$EVTXGEN" -o "$tmp/hostile.evtx" "$srcdir/tests/data/hostile.json"
"$EVTXGEN" -o "$tmp/hostile-html.evtx" "$srcdir/tests/data/hostile-html.json"
check_status "import" 0 "$AU" import -q --db "$tmp/h.db" "$tmp/logs"
P="$tmp/pages"
check_status "fleet html" 0 "$AU" fleet --db "$tmp/h.db" --now "$NOW" --format html -o "$P/fleet.html"
check_status "fleet json" 0 "$AU" fleet --db "$tmp/h.db" --now "$NOW" --format json -o "$P/fleet.json"
check_status "report html" 0 "$AU" report --db "$tmp/h.db" --format html
cp "$tmp/out" "$P/report.html"
check_status "report json" 0 "$AU" report --db "$tmp/h.db" --format json
cp "$tmp/out" "$P/report.json"
check_status "scan html, hostile" 0 "$AU" scan --format html "$tmp/hostile.evtx" "$tmp/hostile-html.evtx"
cp "$tmp/out" "$P/hostile.html"
check_status "scan json, hostile" 0 "$AU" scan --format json "$tmp/hostile.evtx" "$tmp/hostile-html.evtx"
cp "$tmp/out" "$P/hostile.json"

# Self-contained: nothing that could fetch anything, whatever a browser allows.
for f in fleet report hostile; do
	if grep -qiE '<(script|img|iframe|object|embed|link|base)[ >]|(src|href)="?(https?:|//)|url\(' "$P/$f.html"; then
		fail "$f.html refers to something external or has script"
		grep -noiE '<(script|img|iframe|object|embed|link|base)[ >]|(src|href)="?(https?:|//)|url\(' "$P/$f.html" | head -3 >&2
	else
		pass
	fi
done

shots=""
[ -n "${AU_SCREENSHOTS:-}" ] && shots=$AU_SCREENSHOTS
set +e
"$py" "$srcdir/tests/html_browser.py" "$P" $shots > "$tmp/browser.out" 2>&1
rc=$?
set -e
if [ "$rc" -eq 77 ]; then
	cat "$tmp/browser.out"
	exit 77
fi
sed "s/^/  browser: /" "$tmp/browser.out"
if [ "$rc" -eq 0 ]; then pass; else fail "browser checks"; sed 's/^/  /' "$tmp/browser.out" | head -30 >&2; fi
finish
