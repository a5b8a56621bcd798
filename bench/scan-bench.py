#!/usr/bin/env python3
"""scan-bench.py: aadc-upgrade scan against its peers on a generated collection (make bench).

Generates, with tools/evtxgen, 20 busy Azure AD Connect Application logs of
about 50 MB each (1 GB in all), one 2 GB log, and a collector's forwarded
log where every record is wanted (BENCH_COLLECTOR servers, default 1000,
x 200 upgrade events, interleaved in time order), then times, on the same
files in the same run, with the files in the page cache:
  aadc-upgrade scan --format json    (ours)
  aadc-upgrade scan                  (ours, the text report)
  aadc-upgrade import                (ours, into a new database)
  aadc-upgrade import, again         (the same files into that history: unchanged)
  evtx-naive                         (a plain libevtx loop: provider + event ID of every record)
  evtxexport -f xml                  (libevtx's exporter)
  evtx_dump.py                       (python-evtx, on a fixed subset, scaled)
  cat > /dev/null                    (the floor: reading the bytes)
Each is run several times (BENCH_RUNS, default 3; the slow peers
BENCH_SLOW_RUNS, default 1) and the median is reported, with peak RSS.
Then each export form (tools/formgen.py) of the events of one of the
50 MB logs: scan's MB/s and peak RSS on each against the .evtx of the same
events (BENCH_FORMS=0 skips it).
Writes the tables to bench/RESULTS.md.
"""
import json, os, platform, resource, shutil, statistics, subprocess, sys, time

top = os.environ.get("srcdir") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.environ.get("builddir") or top
AU = os.path.join(build, "src", "aadc-upgrade")
EVTXGEN = os.path.join(build, "tools", "evtxgen")
NAIVE = os.path.join(build, "bench", "evtx-naive")
DIR = os.environ.get("BENCH_DIR", "/var/tmp/aadc-upgrade-bench")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SLOW_RUNS = int(os.environ.get("BENCH_SLOW_RUNS", "1"))
SERVERS = int(os.environ.get("BENCH_SERVERS", "20"))
SERVER_MB = int(os.environ.get("BENCH_SERVER_MB", "50"))
BIG_MB = int(os.environ.get("BENCH_BIG_MB", "2048"))
SUBSET_MB = int(os.environ.get("BENCH_PY_SUBSET_MB", "8"))
FORMS = os.environ.get("BENCH_FORMS", "1") != "0"
COLLECTOR = int(os.environ.get("BENCH_COLLECTOR", "1000"))
COLLECTOR_EVENTS = 200     # upgrade events per server in the collector's log
FORMGEN = os.path.join(top, "tools", "formgen.py")
FORM_LIST = [("evxml", "xml"), ("wevtutil-rendered", "xml"), ("evcsv", "csv"), ("evtxt", "txt"),
             ("pscsv7", "csv"), ("json7", "json"), ("json51", "json")]


def forms_bench(evtx):
    """scan on each export form of evtx's events, against scan on evtx itself."""
    d = os.path.join(DIR, "forms")
    os.makedirs(d, exist_ok=True)
    nd = os.path.join(d, "events.ndjson")
    desc = evtx[:-5] + ".json"
    if not os.path.exists(nd) or os.path.getmtime(nd) < os.path.getmtime(evtx):
        with open(nd, "w") as f:
            subprocess.run([EVTXGEN, "--expand", desc], stdout=f, check=True)
    files = [("evtx", evtx)]
    for form, ext in FORM_LIST:
        out = os.path.join(d, "AADC-BENCH-Application.%s.%s" % (form, ext))
        if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(nd):
            with open(nd) as f:
                subprocess.run([sys.executable, FORMGEN, form, "--locale", "iso", "-o", out], stdin=f, check=True)
        files.append((form, out))
    results = {}
    for form, path in files:
        subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)
        t, r = run([AU, "scan", "--format", "json", path], RUNS)
        results[form] = (os.path.getsize(path), t, r)
        print("forms %-20s %7.0f MB %8.2f s %9.1f MB/s %6.0f MB RSS" % (form, os.path.getsize(path) / 1e6, t,
              os.path.getsize(path) / 1e6 / t, r / 1024), flush=True)
    return results


def generate():
    os.makedirs(os.path.join(DIR, "fleet"), exist_ok=True)
    logs = []
    for i in range(SERVERS):
        path = os.path.join(DIR, "fleet", "AADC%02d-Application.evtx" % (i + 1))
        desc = {"realistic": {"seed": 1000 + i, "start": "2024-01-01T00:00:00Z",
                              "days": 3650, "events_per_day": 3000,
                              "upgrade_events_per_day": [1, 4],
                              "computer": "AADC%02d.contoso.local" % (i + 1),
                              "target_bytes": SERVER_MB << 20}}
        logs.append(make(path, desc))
    big = make(os.path.join(DIR, "big", "AADC-BIG-Application.evtx"),
               {"realistic": {"seed": 7, "start": "2020-01-01T00:00:00Z", "days": 36500,
                              "events_per_day": 3000, "upgrade_events_per_day": [1, 4],
                              "computer": "AADCBIG.contoso.local",
                              "target_bytes": BIG_MB << 20}})
    # A collector's ForwardedEvents log filtered to the upgrade source: every
    # record wanted, the servers' events interleaved in time order as the
    # collector receives them (so a chunk names many servers, each with a
    # template of its own, as Windows writes them: 174 MB for 1,000 servers).
    coll = make(os.path.join(DIR, "collector", "ForwardedEvents.evtx"),
                {"records": [{"time": "2024-01-01T%02d:%02d:00Z" % (k // 60, k % 60),
                              "computer": "SRV%04d.contoso.local" % s,
                              "provider": "Azure AD Connect Upgrade", "event_id": 300,
                              "channel": "ForwardedEvents",
                              "data": ["Azure AD Connect AutoUpgrade result = UpgradeAbortedSyncExeInUse"]}
                             for k in range(COLLECTOR_EVENTS) for s in range(COLLECTOR)]})
    # The python-evtx subset: the first SUBSET_MB of one server's log, cut at a chunk boundary.
    sub = os.path.join(DIR, "subset", "subset.evtx")
    os.makedirs(os.path.dirname(sub), exist_ok=True)
    if not os.path.exists(sub):
        with open(logs[0], "rb") as f, open(sub, "wb") as g:
            g.write(f.read(4096 + (SUBSET_MB << 20) // 65536 * 65536))
    return logs, big, coll, sub


def make(path, desc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    dpath = path[:-5] + ".json"
    if os.path.exists(path) and os.path.exists(dpath) and json.load(open(dpath)) == desc:
        return path
    with open(dpath, "w") as f:
        json.dump(desc, f)
    t = time.monotonic()
    subprocess.run([EVTXGEN, "-o", path, dpath], check=True)
    print("generated %s: %.0f MB in %.1f s" % (path, os.path.getsize(path) / 1e6, time.monotonic() - t), flush=True)
    return path


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(cmd, runs):
    """Median wall time and the largest peak RSS (KiB) of cmd itself over runs.

    The RSS is GNU time's %M where it is installed: a child forked from this
    Python process starts with Python's pages, and the kernel's maxrss of
    that child counts them (the driver's size, not the tool's)."""
    times, rss = [], 0
    for _ in range(runs):
        rss_file = os.path.join(DIR, "rss.txt")
        if TIME is not None:
            cmd_run = [TIME, "-o", rss_file, "-f", "%M"] + cmd
        else:
            cmd_run = cmd
        t = time.monotonic()
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            try:
                os.execvp(cmd_run[0], cmd_run)
            finally:
                os._exit(127)
        _, status, usage = os.wait4(pid, 0)
        times.append(time.monotonic() - t)
        if TIME is not None:
            try:
                rss = max(rss, int(open(rss_file).read().split()[-1]))
            except (OSError, ValueError, IndexError):
                rss = max(rss, usage.ru_maxrss)
        else:
            rss = max(rss, usage.ru_maxrss)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 3):
            sys.exit("bench: %s exited %d" % (cmd[0], code))
    return statistics.median(times), rss


def records_in(paths):
    out = subprocess.run([AU, "scan", "--format", "json"] + paths, capture_output=True, text=True)
    doc = json.loads(out.stdout)
    return sum(f["records"] for f in doc["files"]), sum(f["matched"] for f in doc["files"])


def main():
    for tool in (AU, EVTXGEN, NAIVE):
        if not os.access(tool, os.X_OK):
            sys.exit("bench: %s missing: run make first" % tool)
    logs, big, coll, sub = generate()
    sets = [("1 GB collection (%d logs)" % len(logs), logs), ("one %d MB log" % (os.path.getsize(big) >> 20), [big]),
            ("collector log, every record wanted (%d servers)" % COLLECTOR, [coll])]
    rows = []
    for label, paths in sets:
        size = sum(os.path.getsize(p) for p in paths)
        nrec, nmatch = records_in(paths)
        subprocess.run(["cat"] + paths, stdout=subprocess.DEVNULL, check=True)   # into the page cache
        db = os.path.join(DIR, "bench.db")
        results = {}
        results["aadc-upgrade scan"] = run([AU, "scan", "--format", "json"] + paths, RUNS)
        results["aadc-upgrade scan (text)"] = run([AU, "scan"] + paths, RUNS)
        def imp():
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.unlink(db + suffix)
            return run([AU, "import", "-q", "--db", db] + paths, 1)
        imports = [imp() for _ in range(RUNS)]
        results["aadc-upgrade import"] = (statistics.median(t for t, _ in imports), max(r for _, r in imports))
        # The same files again into that history: unchanged, not read again.
        results["aadc-upgrade import, again"] = run([AU, "import", "-q", "--db", db] + paths, RUNS)
        results["cat > /dev/null"] = run(["cat"] + paths, RUNS)
        results["evtx-naive (libevtx loop)"] = run([NAIVE] + paths, SLOW_RUNS)
        results["evtxexport -f xml"] = run(["sh", "-c", 'for f; do evtxexport -f xml "$f"; done', "sh"] + paths, SLOW_RUNS)
        if label.startswith("1 GB"):
            t, r = run(["evtx_dump.py", sub], SLOW_RUNS)
            results["evtx_dump.py (python-evtx, scaled)"] = (t * size / os.path.getsize(sub), r)
        ours = results["aadc-upgrade scan"][0]
        rows.append((label, size, nrec, nmatch, results, ours))
        for name, (t, r) in results.items():
            print("%-28s %-36s %8.2f s %9.1f MB/s %6.0f MB RSS  x%.1f" % (label, name, t, size / 1e6 / t, r / 1024, t / ours), flush=True)
    write_results(rows, forms_bench(logs[0]) if FORMS else None)


def write_results(rows, forms=None):
    commit = subprocess.run(["git", "-C", top, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "?"
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    out = ["# Benchmark results", "",
           "`make bench` (bench/scan-bench.py), %s UTC, commit %s, on %d cores (%s), %.0f GiB, %s." % (
               time.strftime("%Y-%m-%d %H:%M", time.gmtime()), commit, os.cpu_count(), cpu, mem, platform.platform()),
           "Files in the page cache; median of %d runs (%d for the slow peers); the ratio is each tool's time divided by `scan`'s." % (RUNS, SLOW_RUNS), ""]
    for label, size, nrec, nmatch, results, ours in rows:
        out += ["## %s: %.0f MB, %d records, %d upgrade events" % (label, size / 1e6, nrec, nmatch), "",
                "| tool | time (s) | MB/s | records/s | peak RSS (MB) | time / scan |", "|---|---:|---:|---:|---:|---:|"]
        for name, (t, r) in results.items():
            out.append("| %s | %.2f | %.0f | %.0f | %.0f | %.2f |" % (name, t, size / 1e6 / t, nrec / t, r / 1024, t / ours))
        out.append("")
    if forms:
        ev = forms["evtx"][1]
        out += ["## Export forms of the same events (one %.0f MB log)" % (forms["evtx"][0] / 1e6), "",
                "| form | size (MB) | time (s) | MB/s | peak RSS (MB) | time / .evtx |", "|---|---:|---:|---:|---:|---:|"]
        for form, (size, t, r) in forms.items():
            out.append("| %s | %.0f | %.2f | %.0f | %.0f | %.2f |" % (form, size / 1e6, t, size / 1e6 / t, r / 1024, t / ev))
        out.append("")
    path = os.path.join(top, "bench", "RESULTS.md")
    with open(path, "w") as f:
        f.write("\n".join(out))
    print("wrote", path)


if __name__ == "__main__":
    main()
