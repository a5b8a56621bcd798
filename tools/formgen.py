#!/usr/bin/env python3
# formgen.py: writes the same events as an .evtx fixture in each export form Windows makes (deterministic).
#
#   tools/evtxgen --expand DESC.json | tools/formgen.py FORM [options] -o OUT
#
# FORM: evxml (Event Viewer "Save All Events As" XML, UTF-16LE with BOM),
#   wevtutil (wevtutil qe /f:xml), wevtutil-rendered (/f:RenderedXml),
#   toxml (PowerShell 5.1 .ToXml() | Out-File: UTF-16LE with BOM),
#   evcsv / evtxt (Event Viewer CSV / "Text (Tab delimited)"),
#   pscsv51 / pscsv7 (Get-WinEvent | Export-Csv), json7 / json51 (ConvertTo-Json).
# Options: --tz ZONE (local times of CSV/TXT and PowerShell CSV/JSON 7; default UTC),
#   --locale en-US|en-GB|de-DE|iso (date format of CSV/TXT; default en-US),
#   --encoding utf-8|utf-8-bom|utf-16le|utf-16le-bom (override the form's own).
# Messages are rendered as Windows renders them for MsiInstaller 1033/1034;
# for other events as the Data strings one per line (the Connect providers'
# messages are their strings).
import argparse, datetime, json, sys
from xml.sax.saxutils import escape, quoteattr

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover
    ZoneInfo = None

LEVELS = {0: "Information", 1: "Critical", 2: "Error", 3: "Warning", 4: "Information", 5: "Verbose"}
LEVELS_DE = {0: "Informationen", 1: "Kritisch", 2: "Fehler", 3: "Warnung", 4: "Informationen", 5: "Ausführlich"}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def parse_time(s):
    # "2017-03-01T02:10:41.5530012Z" -> (aware datetime to the microsecond, 7-digit ticks)
    base, frac = s.rstrip("Z"), "0"
    if "." in base:
        base, frac = base.split(".")
    ticks = int((frac + "0000000")[:7])
    dt = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return dt, ticks


def message(r):
    d = r["data"]
    if r["provider"] == "MsiInstaller" and r["event_id"] in (1033, 1034) and len(d) >= 5:
        verb, what = ("installed", "Installation") if r["event_id"] == 1033 else ("removed", "Removal")
        return ("Windows Installer %s the product. Product Name: %s. Product Version: %s. "
                "Product Language: %s. Manufacturer: %s. %s success or error status: %s."
                % (verb, d[0], d[1], d[2], d[4], what, d[3]))
    return "\n".join(d)


def system_xml(r, q, digits):
    dt, ticks = parse_time(r["time"])
    t = dt.strftime("%Y-%m-%dT%H:%M:%S") + "." + ("%07d" % ticks) + ("00" if digits == 9 else "") + "Z"
    a = lambda v: quoteattr(str(v)) if q == '"' else "'" + escape(str(v), {"'": "&apos;"}) + "'"
    return ("<System><Provider Name=%s/><EventID Qualifiers=%s>%d</EventID><Level>%d</Level>"
            "<Task>%d</Task><Keywords>%s</Keywords><TimeCreated SystemTime=%s/>"
            "<EventRecordID>%d</EventRecordID><Channel>%s</Channel><Computer>%s</Computer>"
            "<Security/></System>"
            % (a(r["provider"]), a(r["qualifiers"]), r["event_id"], r["level"], r["task"],
               r["keywords"], a(t), r["record_id"], escape(r["channel"]), escape(r["computer"])))


def event_xml(r, q='"', digits=7, rendered=False):
    ns = "http://schemas.microsoft.com/win/2004/08/events/event"
    x = "<Event xmlns=%s>" % ('"%s"' % ns if q == '"' else "'%s'" % ns)
    x += system_xml(r, q, digits)
    x += "<EventData>" + "".join("<Data>%s</Data>" % escape(d) for d in r["data"]) + "</EventData>"
    if rendered:
        x += ("<RenderingInfo Culture=%sen-US%s><Message>%s</Message><Level>%s</Level>"
              "<Task></Task><Opcode>Info</Opcode><Channel></Channel><Provider></Provider>"
              "<Keywords><Keyword>Classic</Keyword></Keywords></RenderingInfo>"
              % (q, q, escape(message(r)), LEVELS.get(r["level"], "")))
    return x + "</Event>"


def local(r, tz):
    dt, ticks = parse_time(r["time"])
    if tz is not None:
        dt = dt.astimezone(tz)
    return dt, ticks


def date_text(dt, locale):
    if locale == "en-US":
        h = dt.hour % 12 or 12
        return "%d/%d/%d %d:%02d:%02d %s" % (dt.month, dt.day, dt.year, h, dt.minute, dt.second,
                                            "AM" if dt.hour < 12 else "PM")
    if locale == "en-GB":
        return dt.strftime("%d/%m/%Y %H:%M:%S")
    if locale == "de-DE":
        return dt.strftime("%d.%m.%Y %H:%M:%S")
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def csv_field(s, delim, always=False):
    if always or any(c in s for c in (delim, '"', "\n", "\r")):
        return '"' + s.replace('"', '""') + '"'
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("form")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--tz")
    ap.add_argument("--locale", default="en-US")
    ap.add_argument("--encoding")
    args = ap.parse_args()
    tz = ZoneInfo(args.tz) if args.tz else None
    recs = [json.loads(l) for l in sys.stdin if l.strip()]
    recs = [r for r in recs if not r.get("slack")]
    f = args.form
    out, enc = [], "utf-8"
    if f == "evxml":
        enc = "utf-16le-bom"
        out.append('<?xml version="1.0" encoding="UTF-16"?>\r\n<Events>')
        out += [event_xml(r, '"', 9, True) for r in recs]
        out.append("</Events>")
        text = "".join(out)
    elif f in ("wevtutil", "wevtutil-rendered"):
        text = "".join(event_xml(r, "'", 7, f == "wevtutil-rendered") for r in recs)
    elif f == "toxml":
        enc = "utf-16le-bom"
        text = "".join(event_xml(r, '"', 7) + "\r\n" for r in recs)
    elif f in ("evcsv", "evtxt"):
        enc = "utf-8-bom"
        d = "," if f == "evcsv" else "\t"
        names = LEVELS_DE if args.locale == "de-DE" else LEVELS
        head = (["Ebene", "Datum und Uhrzeit", "Quelle", "Ereignis-ID", "Aufgabenkategorie"]
                if args.locale == "de-DE" else
                ["Level", "Date and Time", "Source", "Event ID", "Task Category"])
        lines = [d.join(head)]
        # Event Viewer lists the newest first.
        for r in reversed(recs):
            dt, _ = local(r, tz)
            lines.append(d.join([names.get(r["level"], ""), date_text(dt, args.locale),
                                 csv_field(r["provider"], d), str(r["event_id"]),
                                 "None" if r["task"] == 0 else "(%d)" % r["task"],
                                 csv_field(message(r).replace("\n", "\r\n"), d)]))
        text = "\r\n".join(lines) + "\r\n"
    elif f in ("pscsv51", "pscsv7"):
        cols = ["Message", "Id", "Version", "Qualifiers", "Level", "Task", "RecordId",
                "ProviderName", "LogName", "MachineName", "TimeCreated", "LevelDisplayName"]
        lines = []
        if f == "pscsv51":
            lines.append("#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord")
        lines.append(",".join('"%s"' % c for c in cols))
        for r in reversed(recs):
            dt, _ = local(r, tz)
            v = [message(r).replace("\n", "\r\n"), str(r["event_id"]), "0", str(r["qualifiers"]),
                 str(r["level"]), str(r["task"]), str(r["record_id"]), r["provider"], r["channel"],
                 r["computer"], date_text(dt, args.locale), LEVELS.get(r["level"], "")]
            lines.append(",".join(csv_field(x, ",", True) for x in v))
        text = "\r\n".join(lines) + "\r\n"
    elif f in ("json7", "json51"):
        objs = []
        for r in reversed(recs):
            dt, ticks = parse_time(r["time"])
            if f == "json7":
                ldt = dt.astimezone(tz) if tz else dt
                off = ldt.utcoffset()
                mins = int(off.total_seconds() // 60)
                t = "%s.%07d%s%02d:%02d" % (ldt.strftime("%Y-%m-%dT%H:%M:%S"), ticks,
                                          "+" if mins >= 0 else "-", abs(mins) // 60, abs(mins) % 60)
            else:
                ms = int((dt - EPOCH).total_seconds()) * 1000 + ticks // 10000
                t = "/Date(%d)/" % ms
            objs.append({"Id": r["event_id"], "Version": 0, "Qualifiers": r["qualifiers"],
                         "Level": r["level"], "Task": r["task"], "RecordId": r["record_id"],
                         "ProviderName": r["provider"], "LogName": r["channel"],
                         "MachineName": r["computer"], "TimeCreated": t,
                         "Message": message(r), "Properties": [{"Value": d} for d in r["data"]]})
        text = json.dumps(objs, indent=2, ensure_ascii=False)
        if f == "json51":
            text = text.replace("/Date(", "\\/Date(").replace(")/\"", ")\\/\"")
            enc = "utf-16le-bom"   # Windows PowerShell 5.1 Out-File / > writes UTF-16LE
        text = text.replace("\n", "\r\n")
    else:
        sys.exit("formgen: unknown form %s" % f)
    enc = args.encoding or enc
    data = text.encode("utf-16-le" if enc.startswith("utf-16le") else "utf-8")
    if enc == "utf-16le-bom":
        data = b"\xff\xfe" + data
    elif enc == "utf-8-bom":
        data = b"\xef\xbb\xbf" + data
    with open(args.output, "wb") as fh:
        fh.write(data)


if __name__ == "__main__":
    main()
