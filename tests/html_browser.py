#!/usr/bin/env python3
"""html_browser.py: opens aadc-upgrade's HTML pages in headless Chromium (Selenium) and checks them.

usage: html_browser.py DIR [SCREENSHOT_DIR]
DIR holds fleet.html/fleet.json, report.html/report.json, hostile.html/hostile.json
(the same views as HTML and JSON) and the test writes control.html there.
Exit 0 when every check passes, 1 otherwise, 77 when no browser can be started.
"""
import json
import os
import shutil
import sys

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:
    print("SKIP: python3-selenium is not installed (Debian: apt-get install python3-selenium)")
    sys.exit(77)

d = sys.argv[1]
shots = sys.argv[2] if len(sys.argv) > 2 else None
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def visible(s):
    # What render_escape shows for control characters (the fixtures use only these).
    out = ""
    for c in s:
        o = ord(c)
        if c == "\n":
            out += "\\n"
        elif c == "\r":
            out += "\\r"
        elif c == "\t":
            out += "\\t"
        elif o < 0x20 or o == 0x7F:
            out += "\\x%02x" % o
        elif 0x80 <= o <= 0x9F or o in (0x61C, 0x200E, 0x200F, 0x2028, 0x2029) or \
                0x202A <= o <= 0x202E or 0x2066 <= o <= 0x2069:
            out += "\\u%04x" % o
        else:
            out += c
    return out


driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
browser = shutil.which("chromium") or shutil.which("chromium-browser")
if not os.path.exists(driver_path) or browser is None:
    print("SKIP: chromium and chromium-driver are needed (Debian: apt-get install chromium chromium-driver)")
    sys.exit(77)
opts = webdriver.ChromeOptions()
opts.binary_location = browser
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1200,1400", "--hide-scrollbars", "--force-device-scale-factor=1"):
    opts.add_argument(a)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
try:
    drv = webdriver.Chrome(service=Service(driver_path), options=opts)
except WebDriverException as e:
    print("SKIP: cannot start headless Chromium:", str(e).splitlines()[0])
    sys.exit(77)


def load(name):
    drv.get("file://" + os.path.abspath(os.path.join(d, name)))
    drv.find_element(By.TAG_NAME, "footer")   # the whole page is there


def console_errors():
    return [e for e in drv.get_log("browser") if e.get("level") in ("SEVERE", "ERROR")]


def no_alert():
    try:
        drv.switch_to.alert.text
        return False
    except NoAlertPresentException:
        return True


def page_checks(name, title):
    check(drv.title == title, "%s: title %r, expected %r" % (name, drv.title, title))
    check(no_alert(), "%s: an alert is open" % name)
    check(drv.execute_script("return document.scripts.length") == 0, "%s: has <script>" % name)
    check(drv.execute_script("return document.images.length") == 0, "%s: has <img>" % name)
    check(drv.execute_script("return document.querySelectorAll('iframe,object,embed,form,link,base').length") == 0,
          "%s: has external-resource elements" % name)
    check(drv.execute_script("return document.getElementById('injected')") is None,
          "%s: injected markup created an element" % name)
    csp = drv.execute_script(
        "var m=document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]');return m&&m.content")
    check(csp is not None and "default-src 'none'" in csp, "%s: CSP meta %r" % (name, csp))
    errs = console_errors()
    check(errs == [], "%s: console errors %r" % (name, errs))


def servers_table(name, hosts):
    rows = drv.find_elements(By.CSS_SELECTOR, "#servers tbody tr")
    check(len(rows) == len(hosts), "%s: %d table rows, expected %d" % (name, len(rows), len(hosts)))
    got = [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows]
    want = [visible(h["host"]) for h in hosts]
    check(got == want, "%s: rows %r, expected (worst first) %r" % (name, got, want))
    got_v = [r.get_attribute("data-verdict") for r in rows]
    check(got_v == [h["verdict"] for h in hosts], "%s: verdict column %r" % (name, got_v))
    order = ["failed", "blocked", "unknown", "retrying", "silent", "no-result", "upgraded"]
    ranks = [order.index(v) if v in order else 99 for v in got_v]
    check(ranks == sorted(ranks), "%s: rows not worst first: %r" % (name, got_v))
    att = [int(r.find_elements(By.TAG_NAME, "td")[3].text) for r in rows]
    check(att == [h["attempts"] for h in hosts], "%s: attempts column %r" % (name, att))
    # Every row links to the server's section.
    for r in rows:
        href = r.find_element(By.TAG_NAME, "a").get_attribute("href").split("#")[1]
        check(len(drv.find_elements(By.ID, href)) == 1, "%s: link #%s has no target" % (name, href))


def bar_chart(name, hosts, key, order):
    """The chart #KEY-chart: one bar per state that has servers (data-KEY,
    data-count), worst first, lengths in proportion to the counts as drawn."""
    counts = {}
    for h in hosts:
        counts[h[key]] = counts.get(h[key], 0) + 1
    bars = drv.find_elements(By.CSS_SELECTOR, "#%s-chart rect.bar" % key)
    got = {b.get_attribute("data-" + key): int(b.get_attribute("data-count")) for b in bars}
    check(got == counts, "%s: %s bars %r, expected %r" % (name, key, got, counts))
    check(len(drv.find_elements(By.CSS_SELECTOR, "#%s-chart rect" % key)) == len(counts),
          "%s: one rect per %s with servers" % (name, key))
    drawn = [b.get_attribute("data-" + key) for b in bars]
    check(drawn == sorted(drawn, key=order.index), "%s: %s bars not worst first: %r" % (name, key, drawn))
    widths = {b.get_attribute("data-" + key): b.rect["width"] for b in bars}
    top = max(counts.values())
    for v, n in counts.items():
        ratio = widths[v] / widths[max(counts, key=counts.get)]
        check(abs(ratio - n / top) < 0.02, "%s: %s bar %s width ratio %.3f, expected %.3f" %
              (name, key, v, ratio, n / top))


def verdict_chart(name, hosts):
    bar_chart(name, hosts, "verdict",
              ["failed", "blocked", "unknown", "retrying", "silent", "no-result", "upgraded"])


def support_chart(name, hosts):
    bar_chart(name, hosts, "support", ["recalled", "below-floor", "retired", "retiring", "unknown", "supported"])
    rows = drv.find_elements(By.CSS_SELECTOR, "#servers tbody tr")
    col = [r.find_elements(By.TAG_NAME, "td")[6].text.lower() for r in rows]
    check(col == [h["support"] for h in hosts], "%s: support column %r" % (name, col))


def host_sections(name, hosts, events):
    secs = drv.find_elements(By.CSS_SELECTOR, "section.host")
    check(len(secs) == len(hosts), "%s: %d server sections, expected %d" % (name, len(secs), len(hosts)))
    for sec, h in zip(secs, hosts):
        title = sec.find_element(By.TAG_NAME, "h2").text
        check(title.startswith(visible(h["host"])), "%s: section %r for %r" % (name, title, h["host"]))
        latest = h.get("latest")
        rem = latest.get("remediation") if isinstance(latest, dict) else None
        if h["verdict"] != "upgraded" and rem:
            todo = sec.find_element(By.CSS_SELECTOR, ".todo").text
            check(rem in todo, "%s: %s: remediation missing from %r" % (name, h["host"], todo[:80]))
        if isinstance(latest, dict) and latest.get("description"):
            doc = sec.find_element(By.CSS_SELECTOR, "dd.documented").text
            check(latest["description"] in doc, "%s: %s: description missing" % (name, h["host"]))
        if events:
            attempts = sum(1 for e in h["events"] if e["result_code"] is not None)
            circles = sec.find_elements(By.CSS_SELECTOR, "svg.timeline circle.attempt")
            if attempts > 1:
                check(len(circles) == attempts, "%s: %s: %d circles, %d attempts" %
                      (name, h["host"], len(circles), attempts))
                cats = sorted(c.get_attribute("class").split()[1] for c in circles)
                want = sorted("cat-" + {"Success": "success", "UpgradeAborted": "aborted",
                              "UpgradeNotSupported": "notsupported", "UpgradeFailed": "failed"}
                              .get(e["category"], "other") for e in h["events"] if e["result_code"])
                check(cats == want, "%s: %s: circle colours %r" % (name, h["host"], cats[:5]))
        rows = sec.find_elements(By.CSS_SELECTOR, "table.codes tbody tr")
        ncodes = len(h["results"]) if "results" in h else len({(e["result_code"], e["detail"])
                                                               for e in h.get("events", []) if e["result_code"]})
        if events or "results" in h:
            check(len(rows) == ncodes, "%s: %s: %d result rows, %d codes" % (name, h["host"], len(rows), ncodes))


try:
    # A control page without escaping or CSP: proves the checks below see script when it runs.
    with open(os.path.join(d, "control.html"), "w") as f:
        f.write("<!DOCTYPE html><title>control</title><img src=x onerror=\"document.title='ran'\">"
                "<b id=injected></b><footer></footer>")
    load("control.html")
    drv.implicitly_wait(0)
    for _ in range(50):
        if drv.title == "ran":
            break
        drv.execute_script("return 1")
    check(drv.title == "ran", "control: the browser did not run an inline handler, so the checks prove nothing")
    check(drv.execute_script("return document.getElementById('injected')") is not None, "control: no element")
    drv.get_log("browser")   # the control's own 404 for src=x

    fleet = json.load(open(os.path.join(d, "fleet.json")))
    load("fleet.html")
    page_checks("fleet", "Automatic upgrade: fleet")
    servers_table("fleet", fleet["hosts"])
    verdict_chart("fleet", fleet["hosts"])
    support_chart("fleet", fleet["hosts"])
    secs = drv.find_elements(By.CSS_SELECTOR, "section.host")
    check(len(secs) == len(fleet["hosts"]), "fleet: one section per server")
    spans = drv.find_elements(By.CSS_SELECTOR, "svg.timeline rect.span")
    check(len(spans) > 0, "fleet: result-code spans drawn")
    codes = drv.find_elements(By.CSS_SELECTOR, "#codes tbody tr")
    check(len(codes) == len(fleet["codes"]), "fleet: %d code rows, %d codes" % (len(codes), len(fleet["codes"])))
    if shots:
        drv.set_window_size(1100, 1300)
        drv.save_screenshot(os.path.join(shots, "fleet.png"))

    for name in ("report", "hostile"):
        rep = json.load(open(os.path.join(d, name + ".json")))
        load(name + ".html")
        page_checks(name, "Automatic upgrade report")
        servers_table(name, rep["hosts"])
        verdict_chart(name, rep["hosts"])
        support_chart(name, rep["hosts"])
        host_sections(name, rep["hosts"], True)
        if name == "hostile":
            body = drv.find_element(By.TAG_NAME, "body").text
            check("<img src=x onerror=alert(1)>" in body, "hostile: the server name is not shown as text")
            check("\u202e" not in body and "\x1b" not in body, "hostile: raw bidi/control character on the page")
            check("\\u202e" in drv.page_source or "\\x1b" in drv.page_source, "hostile: controls not shown escaped")
        if shots and name == "report":
            drv.set_window_size(1100, 1300)
            sec = drv.find_elements(By.CSS_SELECTOR, "section.host")[1]
            drv.execute_script("arguments[0].scrollIntoView()", sec)
            drv.save_screenshot(os.path.join(shots, "report-server.png"))
    # Print: the page still renders with print media (no errors, charts kept).
    drv.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    check(len(drv.find_elements(By.CSS_SELECTOR, "svg.chart")) > 0, "print: charts")
    check(console_errors() == [], "print: console errors")
finally:
    drv.quit()

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
