#!/usr/bin/env python3
"""Round-trip check of an .evtx file written by tools/evtxgen.

usage: evtx_roundtrip.py [--evtxgen PATH] DESC.json EVTX
       evtx_roundtrip.py --cross EVTX        (parser self-check on a real log:
                                              python-evtx is compared with libevtx)

Runs `evtxgen --expand DESC.json` to learn what was asked for, then reads EVTX
with two independent parsers, libevtx (`evtxexport -f xml`, `evtxinfo`) and
python-evtx (`evtx_dump.py`), and compares every record: provider, event ID,
qualifiers, level, task, keywords, TimeCreated (to the 100 ns tick; to the
microsecond, through python-evtx's own float conversion, for python-evtx),
EventRecordID, computer, channel and every Data string.  Recovered (slack)
records are compared with libevtx's `evtxexport -m recovered`.  Faults asked
for in the description are checked three ways: as libevtx reports them
(evtxinfo flags, "Is corrupted", which records it reads), and structurally in
the file bytes (magics, CRC32s, flags), so that a fault is seen as the fault
it is and no unasked-for fault is present.

Known parser limits are handled by leaving a check to the other parser and
printing a "note" line that says which check, for which records and why.
Prints one "ok"/"FAIL" line per checked file; exits 1 on any mismatch (with
the first mismatching fields), 2 on a usage or tool error.

Python standard library only.
"""

import datetime
import json
import os
import re
import struct
import subprocess
import sys
import zlib

FILE_HEADER_SIZE = 4096
CHUNK_SIZE = 65536
MAX_DIFF_LINES = 12
# Most strings in one template-form string array that evtxexport 20240504
# (libfwevt) exports; found by experiment (66 and more: record left out).
LIBEVTX_MAX_ARRAY = 65

EVTXEXPORT = os.environ.get("EVTXEXPORT", "evtxexport")
EVTXINFO = os.environ.get("EVTXINFO", "evtxinfo")
EVTX_DUMP = os.environ.get("EVTX_DUMP", "evtx_dump.py")


class ToolError(Exception):
    pass


# --------------------------------------------------------------------------
# small helpers

def run(cmd, timeout=900):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except FileNotFoundError:
        raise ToolError("cannot run %s: not found" % cmd[0])
    except subprocess.TimeoutExpired:
        raise ToolError("%s timed out after %d s" % (" ".join(cmd), timeout))
    return p.returncode, p.stdout, p.stderr


def ranges(ids):
    """[1,2,3,7,9,10] -> '1-3,7,9-10' (ids of records, in order given)."""
    ids = list(ids)
    if not ids:
        return "none"
    out = []
    start = prev = None
    for i in ids:
        if isinstance(i, int) and prev is not None and isinstance(prev, int) and i == prev + 1:
            prev = i
            continue
        if start is not None:
            out.append(str(start) if start == prev else "%s-%s" % (start, prev))
        start = prev = i
    out.append(str(start) if start == prev else "%s-%s" % (start, prev))
    s = ",".join(out)
    if len(s) > 200:
        s = s[:200] + "..."
    return s


def short(v, n=120):
    r = repr(v)
    return r if len(r) <= n else r[:n] + "...(%d chars)" % len(r)


_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")


def xml_unescape(s):
    """Undo XML escaping once, exactly (no newline normalisation, no HTML quirks)."""
    def sub(m):
        e = m.group(1)
        if e[0] == "#":
            cp = int(e[2:], 16) if e[1] in "xX" else int(e[1:])
            try:
                return chr(cp)
            except (ValueError, OverflowError):
                return m.group(0)
        return {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}[e]
    return _ENTITY.sub(sub, s)


# --------------------------------------------------------------------------
# times

_EPOCH_1601 = datetime.datetime(1601, 1, 1)
_RFC3339 = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]00:?00)?$")


def parse_time_ticks(s, digits_ok=9):
    """RFC 3339-ish UTC time -> 100 ns ticks since 1601 (exact; None if more
    precision than ticks)."""
    m = _RFC3339.match(s.strip())
    if not m:
        raise ValueError("bad time %r" % s)
    y, mo, d, h, mi, se = (int(x) for x in m.groups()[:6])
    frac = m.group(7) or ""
    if len(frac) > digits_ok:
        raise ValueError("bad time %r" % s)
    ns = int((frac + "000000000")[:9])
    dt = datetime.datetime(y, mo, d, h, mi, se)
    delta = dt - _EPOCH_1601
    secs = delta.days * 86400 + delta.seconds
    if ns % 100:
        return None
    return secs * 10**7 + ns // 100


def ticks_to_str(t):
    if t is None:
        return None
    secs, rem = divmod(t, 10**7)
    dt = _EPOCH_1601 + datetime.timedelta(seconds=secs)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%07dZ" % rem


def python_evtx_time(ticks):
    """What python-evtx prints for a FILETIME: it converts through a float
    (Evtx.BinaryParser.parse_filetime) and prints str(datetime)."""
    try:
        x = float(ticks) * 1e-7 - 11644473600
        dt = datetime.datetime.fromtimestamp(x, datetime.timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        dt = datetime.datetime.min
    return str(dt)


# --------------------------------------------------------------------------
# expected records

def load_expected(evtxgen, desc_path):
    rc, out, err = run([evtxgen, "--expand", desc_path], timeout=300)
    if rc != 0:
        raise ToolError("%s --expand %s failed (rc=%d): %s" % (
            evtxgen, desc_path, rc, err.decode("utf-8", "replace").strip()[:500]))
    recs = []
    for n, line in enumerate(out.decode("utf-8").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        try:
            r = json.loads(line)
        except ValueError as e:
            raise ToolError("--expand line %d is not JSON (%s): %s" % (n, e, line[:200]))
        recs.append(normalise_expected(r, n))
    return recs


def normalise_expected(r, n):
    e = {}
    try:
        e["record_id"] = int(r["record_id"])
        e["time_str"] = r["time"]
        e["ticks"] = parse_time_ticks(r["time"], digits_ok=7)
        e["provider"] = r["provider"]
        e["event_id"] = int(r["event_id"])
        q = r.get("qualifiers", 0)
        e["qualifiers"] = 0 if q is None else int(q)
        e["level"] = int(r.get("level", 0) or 0)
        e["task"] = int(r.get("task", 0) or 0)
        kw = r.get("keywords", 0)
        e["keywords"] = int(kw, 16) if isinstance(kw, str) else int(kw or 0)
        e["computer"] = r["computer"]
        e["channel"] = r["channel"]
        e["data"] = list(r.get("data") or [])
        e["direct"] = bool(r.get("direct", False))
        e["slack"] = bool(r.get("slack", False))
        e["chunk"] = int(r.get("chunk", 0))
    except (KeyError, TypeError, ValueError) as ex:
        raise ToolError("--expand line %d: bad or missing field (%s): %s" % (n, ex, short(r, 300)))
    return e


# --------------------------------------------------------------------------
# parsing the XML that the two parsers print

_EVENT = re.compile(r"<Event\b[^>]*>(.*?)</Event>", re.S)
_ATTR = re.compile(r'([A-Za-z_][\w:.-]*)\s*=\s*"([^"]*)"')


def _elem(block, name):
    """(attrs dict, text or None) of the first element `name` in block, or None."""
    m = re.search(r"<%s(?=[\s/>])([^>]*?)(/>|>(.*?)</%s\s*>)" % (name, name), block, re.S)
    if not m:
        return None
    attrs = {k: xml_unescape(v) for k, v in _ATTR.findall(m.group(1))}
    text = None if m.group(2) == "/>" else m.group(3)
    return attrs, text


def _int(s):
    s = (s or "").strip()
    if s == "":
        raise ValueError("empty number")
    if s.lower().startswith("0x"):
        return int(s, 16)
    return int(s)


def parse_event_block(block, parser):
    """Common fields of one <Event> block; 'data_raw' is the list of raw (escaped)
    <Data> texts (None for <Data/>) inside <EventData>, or None when the block
    has no EventData element."""
    rec = {"parse_errors": []}

    def field(name, key, conv, attr=None):
        el = _elem(block, name)
        if el is None:
            rec[key] = None
            return
        attrs, text = el
        try:
            if attr:
                v = attrs.get(attr)
                rec[key] = conv(v) if v is not None else None
            else:
                rec[key] = conv(xml_unescape(text or ""))
        except ValueError as ex:
            rec[key] = None
            rec["parse_errors"].append("%s: %s" % (name, ex))

    field("Provider", "provider", str, attr="Name")
    el = _elem(block, "EventID")
    if el is None:
        rec["event_id"] = rec["qualifiers_raw"] = None
    else:
        attrs, text = el
        try:
            rec["event_id"] = _int(text)
        except ValueError:
            rec["event_id"] = None
        rec["qualifiers_raw"] = attrs.get("Qualifiers")
    field("Level", "level", _int)
    field("Task", "task", _int)
    field("Keywords", "keywords", _int)
    field("TimeCreated", "time_raw", str, attr="SystemTime")
    field("EventRecordID", "record_id", _int)
    field("Channel", "channel", str)
    field("Computer", "computer", str)

    m = re.search(r"<EventData(?=[\s/>])[^>]*?(/>|>(.*?)</EventData\s*>)", block, re.S)
    if not m:
        rec["data_raw"] = None
    elif m.group(1) == "/>":
        rec["data_raw"] = []
    else:
        inner = m.group(2)
        rec["data_named"] = bool(re.search(r"<Data\s+Name=", inner))
        raws = []
        for dm in re.finditer(r"<Data(?=[\s/>])[^>]*?(/>|>(.*?)</Data\s*>)", inner, re.S):
            raws.append(None if dm.group(1) == "/>" else dm.group(2))
        rec["data_raw"] = raws
    return rec


def parse_libevtx_xml(text):
    recs = []
    for m in _EVENT.finditer(text):
        r = parse_event_block(m.group(1), "libevtx")
        r["data"] = None if r["data_raw"] is None else [
            "" if d is None else xml_unescape(d) for d in r["data_raw"]]
        r["ticks"] = None
        if r["time_raw"]:
            try:
                r["ticks"] = parse_time_ticks(r["time_raw"], digits_ok=9)
                if r["ticks"] is None:
                    r["parse_errors"].append("TimeCreated finer than 100 ns: %r" % r["time_raw"])
            except ValueError as ex:
                r["parse_errors"].append(str(ex))
        r["qualifiers"] = qualifiers(r)
        recs.append(r)
    return recs


def qualifiers(r):
    """Qualifiers attribute as a number; absent (libevtx, null substitution)
    or empty (python-evtx, null substitution) means 0."""
    q = r["qualifiers_raw"]
    if q is None or q.strip() == "":
        return 0
    try:
        return _int(q)
    except ValueError:
        r["parse_errors"].append("EventID Qualifiers=%r" % q)
        return None


_PY_STRING_ARRAY = re.compile(r"\A(?:<string>(.*?)</string>\n)+\Z", re.S)


def parse_python_evtx_xml(text):
    recs = []
    for m in _EVENT.finditer(text):
        r = parse_event_block(m.group(1), "python-evtx")
        data = None
        if r["data_raw"] is not None:
            data = []
            for d in r["data_raw"]:
                t = xml_unescape(d or "")
                if t == "":
                    # python-evtx prints an empty string array as one empty <Data>
                    continue
                if _PY_STRING_ARRAY.match(t):
                    data.extend(re.findall(r"<string>(.*?)</string>\n", t, re.S))
                else:
                    data.append(t)
        r["data"] = data
        r["qualifiers"] = qualifiers(r)
        recs.append(r)
    return recs


# --------------------------------------------------------------------------
# running the parsers

def libevtx_info(path):
    rc, out, err = run([EVTXINFO, path])
    text = out.decode("utf-8", "replace")
    info = {"rc": rc, "text": text, "err": err.decode("utf-8", "replace").strip()}
    m = re.search(r"Number of records\s*:\s*(\d+)", text)
    info["records"] = int(m.group(1)) if m else None
    m = re.search(r"Number of recovered records\s*:\s*(\d+)", text)
    info["recovered"] = int(m.group(1)) if m else None
    m = re.search(r"Version\s*:\s*(\S+)", text)
    info["version"] = m.group(1) if m else None
    info["corrupted"] = bool(re.search(r"^\s*Is corrupted\s*$", text, re.M))
    info["dirty"] = bool(re.search(r"^\s*Is dirty\s*$", text, re.M))
    info["full"] = bool(re.search(r"^\s*Is full\s*$", text, re.M))
    return info


def libevtx_export(path, mode):
    rc, out, err = run([EVTXEXPORT, "-f", "xml", "-m", mode, path])
    text = out.decode("utf-8", "replace")
    return rc, parse_libevtx_xml(text), err.decode("utf-8", "replace").strip(), text


def python_evtx_dump(path):
    rc, out, err = run([EVTX_DUMP, path])
    text = out.decode("utf-8", "surrogateescape")
    recs = parse_python_evtx_xml(text)
    errtext = err.decode("utf-8", "replace").strip()
    last = errtext.splitlines()[-1] if errtext else ""
    return rc, recs, last


# --------------------------------------------------------------------------
# structural check of the file bytes

def structure(path):
    """Facts about the file bytes, independent of both parsers."""
    with open(path, "rb") as f:
        b = f.read()
    s = {"size": len(b), "chunks": []}
    if len(b) < 128:
        s["header"] = None
        return s
    h = {}
    h["magic_ok"] = b[0:8] == b"ElfFile\x00"
    h["chunk_count"] = struct.unpack_from("<H", b, 42)[0]
    h["flags"] = struct.unpack_from("<I", b, 120)[0]
    h["crc_ok"] = struct.unpack_from("<I", b, 124)[0] == (zlib.crc32(b[0:120]) & 0xFFFFFFFF)
    h["first_chunk"], h["last_chunk"], h["next_record_id"] = struct.unpack_from("<QQQ", b, 8)
    h["header_size"], h["minor"], h["major"], h["block_size"] = struct.unpack_from("<IHHH", b, 32)
    s["header"] = h
    off = FILE_HEADER_SIZE
    idx = 0
    while off + CHUNK_SIZE <= len(b):
        c = b[off:off + CHUNK_SIZE]
        ch = {"index": idx, "zero": c.count(0) == CHUNK_SIZE}
        ch["magic_ok"] = c[0:8] == b"ElfChnk\x00"
        ch["hdr_crc_ok"] = struct.unpack_from("<I", c, 124)[0] == (
            zlib.crc32(c[128:512], zlib.crc32(c[0:120])) & 0xFFFFFFFF)
        free = struct.unpack_from("<I", c, 48)[0]
        ch["free"] = free
        if 512 <= free <= CHUNK_SIZE:
            ch["rec_crc_ok"] = struct.unpack_from("<I", c, 52)[0] == (
                zlib.crc32(c[512:free]) & 0xFFFFFFFF)
        else:
            ch["rec_crc_ok"] = None
        (ch["first_num"], ch["last_num"], ch["first_id"], ch["last_id"]) = struct.unpack_from("<QQQQ", c, 8)
        ch["last_offset"] = struct.unpack_from("<I", c, 44)[0]
        # walk the records from 512 to the free-space offset
        ids, offsets, walk_error = [], [], None
        pos = 512
        while 512 <= free <= CHUNK_SIZE and pos < free:
            if pos + 24 > free or c[pos:pos + 4] != b"**\x00\x00":
                walk_error = "no record signature at chunk offset %d" % pos
                break
            rsize = struct.unpack_from("<I", c, pos + 4)[0]
            if rsize < 28 or pos + rsize > free or struct.unpack_from("<I", c, pos + rsize - 4)[0] != rsize:
                walk_error = "bad record size %d at chunk offset %d" % (rsize, pos)
                break
            ids.append(struct.unpack_from("<Q", c, pos + 8)[0])
            offsets.append(pos)
            pos += rsize
        ch["record_ids"], ch["record_offsets"], ch["walk_error"] = ids, offsets, walk_error
        s["chunks"].append(ch)
        off += CHUNK_SIZE
        idx += 1
    s["partial_tail"] = len(b) - off
    return s


# --------------------------------------------------------------------------
# comparison

class Report:
    def __init__(self, name):
        self.name = name
        self.notes = []
        self.diffs = []      # (title, [lines])
        self.summary = []

    def note(self, text):
        self.notes.append(text)

    def fail(self, title, lines=()):
        self.diffs.append((title, list(lines)))


def python_evtx_data_problem(strings):
    """Why python-evtx cannot render this string array faithfully (a reason
    shared by many records, for the note), or None.  Its
    WstringArrayTypeNode.string() splits the UTF-16LE bytes with the regex
    ((?:[^\\x00].)+): a code unit whose low byte is 0 ends a string early, one
    whose high byte is 0x0A ('.' does not match a newline byte) too, a
    surrogate pair may be cut in two, the search is unanchored (a leading
    empty string moves), and its output is stripped of XML-1.1 restricted
    control characters."""
    for s in strings:
        if any(ord(c) > 0xFFFF for c in s):
            return "they hold non-BMP text"
    for s in strings:
        for c in s:
            cp = ord(c)
            if cp & 0xFF == 0:
                return "they hold a character whose UTF-16 low byte is 0 (such as U+%04X), taken for a terminator" % cp
            if (cp >> 8) == 0x0A:
                return "they hold a character whose UTF-16 high byte is 0x0A (such as U+%04X), which its split regex skips" % cp
            if re.match("[\x01-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F]", c):
                return "they hold a control character that python-evtx strips (such as U+%04X)" % cp
    if strings and strings[0] == "" and any(s != "" for s in strings):
        return "the first string is empty, which its unanchored split moves"
    return None


def text_problem_for_python(s):
    if s is None:
        return None
    if any(ord(c) > 0xFFFF for c in s):
        return "non-BMP text"
    return None


def libevtx_view(e):
    """The record as libevtx prints it: a Data string that is exactly "\\n"
    comes out empty."""
    if "\n" not in e["data"]:
        return e
    e = dict(e)
    e["data"] = ["" if d == "\n" else d for d in e["data"]]
    return e


def compare_record(exp, got, parser, time_mode):
    """List of (field, expected, got) that differ."""
    out = []

    def cmp(field, e, g):
        if e != g:
            out.append((field, e, g))

    cmp("EventRecordID", exp["record_id"], got.get("record_id"))
    if not exp.get("skip_provider"):
        cmp("Provider", exp["provider"], got.get("provider"))
    cmp("EventID", exp["event_id"], got.get("event_id"))
    cmp("Qualifiers", exp["qualifiers"], got.get("qualifiers"))
    cmp("Level", exp["level"], got.get("level"))
    cmp("Task", exp["task"], got.get("task"))
    cmp("Keywords", "0x%016x" % exp["keywords"],
        None if got.get("keywords") is None else "0x%016x" % got["keywords"])
    if time_mode == "tick":
        cmp("TimeCreated", ticks_to_str(exp["ticks"]), ticks_to_str(got.get("ticks")) if got.get("ticks") is not None else got.get("time_raw"))
    elif time_mode == "python-evtx":
        want = python_evtx_time(exp["ticks"])
        cmp("TimeCreated (python-evtx float, to the microsecond)", want, got.get("time_raw"))
    if not exp.get("skip_computer"):
        cmp("Computer", exp["computer"], got.get("computer"))
    if not exp.get("skip_channel"):
        cmp("Channel", exp["channel"], got.get("channel"))
    if not exp.get("skip_data"):
        gd = got.get("data")
        if gd is None:
            if exp["data"]:
                out.append(("EventData", exp["data"], "no <EventData> element"))
        else:
            if len(gd) != len(exp["data"]):
                out.append(("number of Data strings", len(exp["data"]), len(gd)))
            for i in range(max(len(gd), len(exp["data"]))):
                e = exp["data"][i] if i < len(exp["data"]) else None
                g = gd[i] if i < len(gd) else None
                if e != g:
                    out.append(("Data[%d]" % i, e, g))
    for pe in got.get("parse_errors", []):
        out.append(("parse", "well-formed field", pe))
    return out


def compare_lists(rep, parser, expected, got, time_mode, what="records"):
    """Compare two record lists in file order."""
    ok = True
    if len(expected) != len(got):
        ok = False
        eids = [e["record_id"] for e in expected]
        gids = [g.get("record_id") for g in got]
        gset, eset = set(gids), set(eids)
        missing = [i for i in eids if i not in gset]
        extra = [i for i in gids if i not in eset]
        rep.fail("%s: %d %s read, %d expected" % (parser, len(got), what, len(expected)),
                 ["missing EventRecordIDs: %s" % ranges(missing),
                  "unexpected EventRecordIDs: %s" % ranges(extra)])
        # still compare the ones that match by record id, in order
        byid = {}
        for g in got:
            byid.setdefault(g.get("record_id"), []).append(g)
        pairs = []
        for e in expected:
            lst = byid.get(e["record_id"])
            if lst:
                pairs.append((e, lst.pop(0)))
    else:
        pairs = list(zip(expected, got))
    bad = []
    for n, (e, g) in enumerate(pairs):
        d = compare_record(e, g, parser, time_mode)
        if d:
            bad.append((n, e, g, d))
    if bad:
        ok = False
        n, e, g, d = bad[0]
        lines = ["first mismatch: %s #%d in file order (expected EventRecordID %d, chunk %d%s)" % (
            what[:-1] if what.endswith("s") else what, n + 1, e["record_id"], e["chunk"],
            ", direct form" if e["direct"] else "")]
        for field, ev, gv in d[:MAX_DIFF_LINES]:
            lines.append("  %-22s expected %s" % (field + ":", short(ev)))
            lines.append("  %-22s      got %s" % ("", short(gv)))
        if len(d) > MAX_DIFF_LINES:
            lines.append("  ... %d more differing fields" % (len(d) - MAX_DIFF_LINES))
        if len(bad) > 1:
            lines.append("%d %s differ in all; EventRecordIDs: %s" % (
                len(bad), what, ranges(b[1]["record_id"] for b in bad)))
        rep.fail("%s: %s differ from the description" % (parser, what), lines)
    return ok


# --------------------------------------------------------------------------

def require_libevtx():
    """libevtx >= 20240504: older ones cannot read the direct form."""
    rc, out, err = run([EVTXEXPORT, "-V"], timeout=60)
    m = re.search(r"evtxexport\s+(\d{8})", out.decode("utf-8", "replace"))
    if not m:
        raise ToolError("cannot tell the version of %s (rc=%d)" % (EVTXEXPORT, rc))
    if int(m.group(1)) < 20240504:
        raise ToolError("%s is version %s; libevtx >= 20240504 is needed (older ones cannot read the direct form): run tools/setup-debian.sh" % (
            EVTXEXPORT, m.group(1)))


def check(desc_path, evtx_path, evtxgen):
    require_libevtx()
    name = os.path.basename(evtx_path)
    rep = Report(name)
    with open(desc_path, "rb") as f:
        desc = json.loads(f.read().decode("utf-8"))
    faults = desc.get("faults") or {}
    expected = load_expected(evtxgen, desc_path)
    st = structure(evtx_path)
    size = st["size"]

    normal = [e for e in expected if not e["slack"]]
    slack = [e for e in expected if e["slack"]]
    # chunks the records fill; an empty log still has its one (empty) chunk
    n_chunks = max([e["chunk"] for e in expected] or [0]) + 1
    complete = max(0, (size - FILE_HEADER_SIZE) // CHUNK_SIZE) if size >= FILE_HEADER_SIZE else 0
    bad_magic = set(int(i) for i in faults.get("bad_chunk_magic") or [])
    bad_rec_crc = set(int(i) for i in faults.get("bad_records_crc") or [])
    bad_hdr_crc = set(int(i) for i in faults.get("bad_chunk_header_crc") or [])
    truncate = faults.get("truncate")
    header_cut = size < FILE_HEADER_SIZE

    def chunk_lost(c):
        return c >= complete

    # ---------------- structure of the bytes
    lines = []
    h = st.get("header")
    if truncate is not None and size != int(truncate):
        lines.append("faults.truncate=%s but the file is %d bytes" % (truncate, size))
    if truncate is None and (size - FILE_HEADER_SIZE) % CHUNK_SIZE != 0:
        lines.append("file size %d is not 4096 + n*65536 and no truncation was asked for" % size)
    if h is None:
        if not header_cut:
            lines.append("file too short for a file header")
    else:
        if not h["magic_ok"]:
            lines.append("file header magic is not ElfFile\\0")
        if h["crc_ok"] == bool(faults.get("bad_header_crc")):
            lines.append("file header CRC32 %s, but bad_header_crc=%s" % (
                "correct" if h["crc_ok"] else "wrong", bool(faults.get("bad_header_crc"))))
        if bool(h["flags"] & 1) != bool(faults.get("dirty")):
            lines.append("file header dirty flag (0x1) is %s, expected %s" % (
                bool(h["flags"] & 1), bool(faults.get("dirty"))))
        if bool(h["flags"] & 2) != bool(faults.get("full")):
            lines.append("file header full flag (0x2) is %s, expected %s" % (
                bool(h["flags"] & 2), bool(faults.get("full"))))
        if h["chunk_count"] != n_chunks:
            lines.append("file header chunk count %d, but the records fill %d chunk(s)" % (
                h["chunk_count"], n_chunks))
    for ch in st["chunks"]:
        i = ch["index"]
        if i >= n_chunks:
            if not ch["zero"]:
                lines.append("chunk %d: beyond the %d chunk(s) the records need, yet not all zero" % (i, n_chunks))
            continue
        if ch["magic_ok"] == (i in bad_magic):
            lines.append("chunk %d: magic %s, but bad_chunk_magic %s it" % (
                i, "intact" if ch["magic_ok"] else "overwritten",
                "lists" if i in bad_magic else "does not list"))
        if i not in bad_magic and ch["hdr_crc_ok"] == (i in bad_hdr_crc):
            lines.append("chunk %d: header CRC32 %s, but bad_chunk_header_crc %s it" % (
                i, "correct" if ch["hdr_crc_ok"] else "wrong",
                "lists" if i in bad_hdr_crc else "does not list"))
        if ch["rec_crc_ok"] is None:
            lines.append("chunk %d: free space offset %d out of range" % (i, ch["free"]))
        elif ch["rec_crc_ok"] == (i in bad_rec_crc):
            lines.append("chunk %d: event-records CRC32 %s, but bad_records_crc %s it" % (
                i, "correct" if ch["rec_crc_ok"] else "wrong",
                "lists" if i in bad_rec_crc else "does not list"))
    # each complete chunk holds, in order, the records --expand puts in it,
    # and its header describes them
    for ch in st["chunks"]:
        i = ch["index"]
        if i >= n_chunks:
            continue
        want = [e["record_id"] for e in normal if e["chunk"] == i]
        if ch["walk_error"]:
            lines.append("chunk %d: %s" % (i, ch["walk_error"]))
        elif ch["record_ids"] != want:
            lines.append("chunk %d holds EventRecordIDs %s, --expand puts %s in it" % (
                i, ranges(ch["record_ids"]), ranges(want)))
        if want and not ch["walk_error"] and i not in bad_magic and i not in bad_hdr_crc:
            if (ch["first_id"], ch["last_id"]) != (want[0], want[-1]):
                lines.append("chunk %d header: first/last record identifier %d/%d, records hold %d/%d" % (
                    i, ch["first_id"], ch["last_id"], want[0], want[-1]))
            if ch["last_num"] - ch["first_num"] + 1 != len(want):
                lines.append("chunk %d header: record numbers %d..%d for %d records" % (
                    i, ch["first_num"], ch["last_num"], len(want)))
            if ch["record_offsets"] and ch["last_offset"] != ch["record_offsets"][-1]:
                lines.append("chunk %d header: last record offset %d, last record at %d" % (
                    i, ch["last_offset"], ch["record_offsets"][-1]))
    if h is not None and not header_cut:
        if (h["header_size"], h["major"], h["block_size"]) != (128, 3, 4096) or h["minor"] not in (1, 2):
            lines.append("file header: size %d, version %d.%d, block size %d (expected 128, 3.1 or 3.2, 4096)" % (
                h["header_size"], h["major"], h["minor"], h["block_size"]))
        if (h["first_chunk"], h["last_chunk"]) != (0, n_chunks - 1):
            lines.append("file header: first/last chunk number %d/%d, expected 0/%d" % (
                h["first_chunk"], h["last_chunk"], n_chunks - 1))
        if normal and h["next_record_id"] != normal[-1]["record_id"] + 1:
            lines.append("file header: next record identifier %d, expected %d (the last record's + 1)" % (
                h["next_record_id"], normal[-1]["record_id"] + 1))
    for lst, key in ((bad_magic, "bad_chunk_magic"), (bad_rec_crc, "bad_records_crc"),
                     (bad_hdr_crc, "bad_chunk_header_crc")):
        for i in sorted(lst):
            if i >= n_chunks:
                lines.append("%s lists chunk %d, but the file has %d chunk(s)" % (key, i, n_chunks))
            elif chunk_lost(i):
                rep.note("structure: %s chunk %d is cut off by the truncation; its fault is not checked" % (key, i))
    if lines:
        rep.fail("file bytes do not hold exactly the faults asked for", lines)

    # ---------------- what libevtx should read
    exp_items = [e for e in normal if not chunk_lost(e["chunk"]) and e["chunk"] not in bad_magic]
    n_items_info = len(exp_items)
    # libfwevt 20240504 expands a string array through a bounded recursion:
    # a template-form record with more than 65 Data strings is counted by
    # evtxinfo but left out of evtxexport, silently.  Its check is left to
    # python-evtx.
    too_many = [e for e in exp_items if not e["direct"] and len(e["data"]) > LIBEVTX_MAX_ARRAY]
    if too_many:
        rep.note("libevtx: records %s (%d) left to python-evtx: template-form string array of more than %d strings, which evtxexport 20240504 silently leaves out (evtxinfo still counts them)" % (
            ranges(e["record_id"] for e in too_many), len(too_many), LIBEVTX_MAX_ARRAY))
        exp_items = [e for e in exp_items if not (not e["direct"] and len(e["data"]) > LIBEVTX_MAX_ARRAY)]
    # libevtx scans a chunk whose magic is bad for record signatures, as it
    # scans slack space: the records of such a chunk come back as recovered
    # records (after the slack records of the chunks before it).
    exp_recovered = []
    for c in range(n_chunks):
        if chunk_lost(c):
            continue
        if c in bad_magic:
            exp_recovered += [e for e in normal if e["chunk"] == c]
        exp_recovered += [e for e in slack if e["chunk"] == c]
    n_recovered_info = len(exp_recovered)
    too_many = [e for e in exp_recovered if not e["direct"] and len(e["data"]) > LIBEVTX_MAX_ARRAY]
    if too_many:
        rep.note("libevtx: recovered records %s left unchecked: template-form string array of more than %d strings, which evtxexport 20240504 silently leaves out" % (
            ranges(e["record_id"] for e in too_many), LIBEVTX_MAX_ARRAY))
        exp_recovered = [e for e in exp_recovered if not (not e["direct"] and len(e["data"]) > LIBEVTX_MAX_ARRAY)]
    lost_trunc = [e["record_id"] for e in normal if chunk_lost(e["chunk"])]
    lost_slack = [e["record_id"] for e in slack if chunk_lost(e["chunk"])]
    if lost_slack:
        rep.note("libevtx: slack records %s are in chunks cut off at byte %d; expected not recovered" % (
            ranges(lost_slack), size))
    lost_magic = [e["record_id"] for e in normal if not chunk_lost(e["chunk"]) and e["chunk"] in bad_magic]
    if lost_trunc:
        rep.note("libevtx, python-evtx: records %s (%d) are in chunks cut off at byte %d; expected unread" % (
            ranges(lost_trunc), len(lost_trunc), size))
    if lost_magic:
        rep.note("libevtx: records %s (%d) are in bad-magic chunk(s) %s; expected unread as records, and read back as recovered records" % (
            ranges(lost_magic), len(lost_magic), ",".join(map(str, sorted(bad_magic)))))
    expect_corrupt = bool(faults.get("bad_header_crc") or
                          any(i < n_chunks and not chunk_lost(i) for i in bad_magic | bad_rec_crc | bad_hdr_crc) or
                          complete < n_chunks)

    info = libevtx_info(evtx_path)
    lines = []
    if header_cut:
        if info["rc"] == 0 and info["records"] not in (0, None):
            lines.append("file cut inside its header (%d bytes), yet evtxinfo reports %s records" % (size, info["records"]))
        rep.note("libevtx: file cut inside its 4096-byte header; evtxinfo rc=%d (%s)" % (
            info["rc"], (info["err"].splitlines() or ["no message"])[-1][:120]))
    else:
        if info["rc"] != 0:
            lines.append("evtxinfo failed (rc=%d): %s" % (info["rc"], info["err"][:300]))
        else:
            if info["dirty"] != bool(faults.get("dirty")):
                lines.append("evtxinfo 'Is dirty': %s, expected %s" % (info["dirty"], bool(faults.get("dirty"))))
            if info["full"] != bool(faults.get("full")):
                lines.append("evtxinfo 'Is full': %s, expected %s" % (info["full"], bool(faults.get("full"))))
            if info["corrupted"] != expect_corrupt:
                lines.append("evtxinfo 'Is corrupted': %s, expected %s" % (info["corrupted"], expect_corrupt))
            if info["records"] != n_items_info:
                lines.append("evtxinfo number of records %s, expected %d" % (info["records"], n_items_info))
            if info["recovered"] != n_recovered_info:
                lines.append("evtxinfo number of recovered records %s, expected %d" % (
                    info["recovered"], n_recovered_info))
    if lines:
        rep.fail("libevtx (evtxinfo) does not see the file as described", lines)

    # libevtx prints a Data string that is exactly one newline as empty
    # (<Data/>): expect that from it, and leave the newline to python-evtx.
    nl = [e["record_id"] for e in exp_items + exp_recovered if "\n" in e["data"]]
    if nl:
        rep.note("libevtx: Data strings that are exactly a newline, in records %s (%d), are expected empty from libevtx (it prints them as <Data/>); the newline itself is left to python-evtx" % (
            ranges(nl), len(nl)))
        exp_items = [libevtx_view(e) for e in exp_items]
        exp_recovered = [libevtx_view(e) for e in exp_recovered]

    # ---------------- libevtx records
    if not header_cut:
        rc, items, err, _ = libevtx_export(evtx_path, "items")
        if rc != 0:
            rep.fail("libevtx: evtxexport -m items failed (rc=%d)" % rc, [err[:300]])
        compare_lists(rep, "libevtx", exp_items, items, "tick")
        rc, rec, err, _ = libevtx_export(evtx_path, "recovered")
        if rc != 0:
            rep.fail("libevtx: evtxexport -m recovered failed (rc=%d)" % rc, [err[:300]])
        compare_lists(rep, "libevtx recovered", exp_recovered, rec, "tick", what="recovered records")
    else:
        items, rec = [], []

    # ---------------- python-evtx records
    # python-evtx reads every complete chunk, whatever its magic or CRCs say,
    # stops at the free-space offset (so it never shows slack records) and
    # cannot read the direct (template-less) form: evtx_dump.py then stops.
    py_exp = [dict(e) for e in normal if not chunk_lost(e["chunk"])]
    if bad_magic and any(e["chunk"] in bad_magic for e in py_exp):
        rep.note("python-evtx: records %s are in bad-magic chunk(s); python-evtx does not check chunk magic, so they are expected read by it" % (
            ranges(e["record_id"] for e in py_exp if e["chunk"] in bad_magic)))
    if slack:
        rep.note("python-evtx: recovered (slack) records %s are left to libevtx: python-evtx does not scan slack space" % (
            ranges(e["record_id"] for e in slack)))
    if header_cut:
        rep.note("python-evtx: not run: file cut inside its header")
        py_got = []
        py_exp = []
    else:
        rc, py_got, last = python_evtx_dump(evtx_path)
        if rc != 0:
            nread = len(py_got)
            stop = py_exp[nread] if nread < len(py_exp) else None
            rest = py_exp[nread:]
            if stop is not None and stop["direct"]:
                rep.note("python-evtx: records %s (%d) left to libevtx: evtx_dump.py stopped at record %d, which is in direct (template-less) form that python-evtx cannot read (%s)" % (
                    ranges(e["record_id"] for e in rest), len(rest), stop["record_id"], last[:100]))
                py_exp = py_exp[:nread]
            elif stop is not None and (python_evtx_data_problem(stop["data"]) or
                                       any(text_problem_for_python(stop[k]) for k in ("provider", "computer", "channel"))):
                why = python_evtx_data_problem(stop["data"]) or "non-BMP text in System fields"
                rep.note("python-evtx: records %s (%d) left to libevtx: evtx_dump.py stopped at record %d: %s (%s)" % (
                    ranges(e["record_id"] for e in rest), len(rest), stop["record_id"], why, last[:100]))
                py_exp = py_exp[:nread]
            else:
                rep.fail("python-evtx: evtx_dump.py failed (rc=%d) after %d record(s)%s" % (
                    rc, nread, "" if stop is None else ", at expected record %d" % stop["record_id"]), [last[:300]])
                py_exp = py_exp[:nread]
        skipped = {}
        for e in py_exp:
            why = python_evtx_data_problem(e["data"])
            if why:
                e["skip_data"] = True
                skipped.setdefault("Data strings|" + why, []).append(e["record_id"])
            for k, flag in (("provider", "skip_provider"), ("computer", "skip_computer"), ("channel", "skip_channel")):
                if text_problem_for_python(e[k]):
                    e[flag] = True
                    skipped.setdefault("%s|it holds non-BMP text" % k.capitalize(), []).append(e["record_id"])
        for key, ids in skipped.items():
            what, why = key.split("|", 1)
            rep.note("python-evtx: %s of records %s (%d) left to libevtx: %s; python-evtx mangles such text" % (
                what, ranges(ids), len(ids), why))
        if py_exp:
            rep.note("python-evtx: TimeCreated compared to the microsecond only (python-evtx converts FILETIME through a float); the 100 ns tick is left to libevtx")
        compare_lists(rep, "python-evtx", py_exp, py_got, "python-evtx")

    rep.summary = [
        "%d records" % len(normal),
        "%d slack" % len(slack) if slack else None,
        "libevtx %d/%d" % (len(items), len(exp_items)),
        "recovered %d/%d" % (len(rec), len(exp_recovered)) if (slack or rec) else None,
        "python-evtx %d/%d" % (len(py_got), len(py_exp)),
        "%d chunk(s)" % n_chunks,
        "faults: %s" % fault_summary(faults),
    ]
    return rep


def fault_summary(faults):
    parts = []
    for k in ("dirty", "full", "bad_header_crc"):
        if faults.get(k):
            parts.append(k)
    for k in ("bad_records_crc", "bad_chunk_header_crc", "bad_chunk_magic"):
        if faults.get(k):
            parts.append("%s=%s" % (k, ",".join(map(str, faults[k]))))
    if faults.get("truncate") is not None:
        parts.append("truncate=%s" % faults["truncate"])
    if faults.get("slack"):
        parts.append("slack")
    return " ".join(parts) or "none"


def cross(evtx_path):
    """Parser self-check on a real log: python-evtx against libevtx."""
    rep = Report(os.path.basename(evtx_path))
    rc, items, err, _ = libevtx_export(evtx_path, "items")
    if rc != 0:
        rep.fail("libevtx: evtxexport failed (rc=%d)" % rc, [err[:300]])
    exp = []
    for g in items:
        e = {"record_id": g["record_id"], "ticks": g["ticks"], "provider": g["provider"],
             "event_id": g["event_id"], "qualifiers": g["qualifiers"], "level": g["level"],
             "task": g["task"], "keywords": g["keywords"] or 0, "computer": g["computer"],
             "channel": g["channel"], "data": g["data"] or [], "direct": False, "slack": False,
             "chunk": 0}
        for k in ("level", "task"):
            if e[k] is None:
                e[k] = 0
        exp.append(e)
    rc, py, last = python_evtx_dump(evtx_path)
    if rc != 0:
        rep.note("python-evtx: evtx_dump.py stopped after %d records: %s" % (len(py), last[:120]))
        exp = exp[:len(py)]
    skipped, named = [], []
    for e, g in zip(exp, items):
        if g.get("data_named"):
            # manifest-based events: typed values that the two parsers format
            # differently (GUID case, times, ...); only classic sources' plain
            # strings, the upgrade source's form, are compared
            e["skip_data"] = True
            named.append(e["record_id"])
        elif python_evtx_data_problem(e["data"]) or "" in e["data"]:
            # ("" may be libevtx's rendering of a lone newline)
            e["skip_data"] = True
            skipped.append(e["record_id"])
    if named:
        rep.note("cross: Data of %d records with named <Data> (manifest-based, typed values) not compared" % len(named))
    if skipped:
        rep.note("python-evtx: Data of records %s left out (text python-evtx mangles, or an empty string libevtx may have made of a newline)" % ranges(skipped))
    compare_lists(rep, "python-evtx vs libevtx", exp, py, "python-evtx")
    rep.summary = ["%d records" % len(items), "python-evtx %d" % len(py)]
    return rep


def print_report(rep):
    for n in rep.notes:
        print("note %s: %s" % (rep.name, n))
    status = "FAIL" if rep.diffs else "ok"
    print("%-4s %s: %s" % (status, rep.name, ", ".join(s for s in rep.summary if s)))
    for title, lines in rep.diffs:
        print("  - %s" % title)
        for l in lines:
            print("      %s" % l)
    sys.stdout.flush()
    return 1 if rep.diffs else 0


def main(argv):
    args = argv[1:]
    evtxgen = os.environ.get("EVTXGEN")
    if len(args) >= 2 and args[0] == "--evtxgen":
        evtxgen = args[1]
        args = args[2:]
    if len(args) == 2 and args[0] == "--cross":
        try:
            return print_report(cross(args[1]))
        except ToolError as ex:
            print("FAIL %s: %s" % (os.path.basename(args[1]), ex))
            return 2
    if len(args) != 2:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    if not evtxgen:
        evtxgen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "evtxgen")
    desc, evtx = args
    try:
        rep = check(desc, evtx, evtxgen)
    except ToolError as ex:
        print("FAIL %s: %s" % (os.path.basename(evtx), ex))
        return 2
    return print_report(rep)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
