#!/usr/bin/env python3
"""Damages one record of an .evtx file the way log-tampering tools do, then
makes the chunk's checksums good again, so that only a check of the records
against the chunk header can tell.

usage: tamper.py IN OUT MODE RECORD_ID [TEXT]
  magic    the record's signature overwritten
  size     the record's size field changed (its copy at the end left alone)
  swallow  the record before it grows over it (its size, and the copy at
           the end of the swallowed record, say the sum): the record is gone
           from a reader's view, its header still inside the one before
"""
import struct
import sys
import zlib

FILE_HEADER, CHUNK, CHUNK_HEADER = 4096, 65536, 512


def records(c):
    at, free_off = CHUNK_HEADER, struct.unpack_from("<I", c, 48)[0]
    while at + 24 <= free_off and c[at:at + 4] == b"**\0\0":
        size = struct.unpack_from("<I", c, at + 4)[0]
        yield at, size, struct.unpack_from("<Q", c, at + 8)[0]
        at += size


def fix_crcs(c):
    free_off = struct.unpack_from("<I", c, 48)[0]
    struct.pack_into("<I", c, 52, zlib.crc32(bytes(c[CHUNK_HEADER:free_off])))
    struct.pack_into("<I", c, 124, zlib.crc32(bytes(c[:120] + c[128:CHUNK_HEADER])))


def main():
    src, dst, mode, rid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    data = bytearray(open(src, "rb").read())
    for k in range((len(data) - FILE_HEADER) // CHUNK):
        base = FILE_HEADER + k * CHUNK
        c = data[base:base + CHUNK]
        recs = list(records(c))
        for i, (at, size, ident) in enumerate(recs):
            if ident != rid:
                continue
            if mode == "magic":
                c[at:at + 4] = b"XX\0\0"
            elif mode == "size":
                struct.pack_into("<I", c, at + 4, size + 8)
            elif mode == "swallow":
                if i == 0:
                    sys.exit("the record to swallow must not be a chunk's first")
                pat, psize, _ = recs[i - 1]
                struct.pack_into("<I", c, pat + 4, psize + size)
                struct.pack_into("<I", c, at + size - 4, psize + size)
                if i + 1 == len(recs):
                    struct.pack_into("<I", c, 44, pat)   # the last record is the one before
            elif mode == "surrogate":
                units = sys.argv[5].encode("utf-16-le")
                where = bytes(c[at:at + size]).find(units)
                if where < 0:
                    sys.exit("%r not in record %d" % (sys.argv[5], rid))
                c[at + where:at + where + 2] = b"\x00\xd8"
            else:
                sys.exit("unknown mode " + mode)
            fix_crcs(c)
            data[base:base + CHUNK] = c
            open(dst, "wb").write(data)
            return
    sys.exit("record %d not found" % rid)


main()
