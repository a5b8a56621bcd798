/* input-archive.h: archives and compressed files (libarchive, the only module that uses it), streamed member by member. */
#ifndef AU_INPUT_ARCHIVE_H
#define AU_INPUT_ARCHIVE_H

#include <stddef.h>

#include "error.h"
#include "event.h"
#include "ingest.h"

/* Limits on one member, against archive bombs. */
#define ARCHIVE_MEMBER_MAX (UINT64_C(4) << 30)   /* bytes unpacked */
#define ARCHIVE_RATIO_MAX 400                    /* unpacked : packed */
#define ARCHIVE_RATIO_FROM (UINT64_C(32) << 20)  /* checked past this size */

/* Whether buf (the first len bytes of a file) starts like an archive or compressed file. */
int archive_detect(const unsigned char *buf, size_t len);

/*
 * Reads every member of the archive open at fd (named `name`) by content,
 * as `NAME:MEMBER`, into *st: members of no known form are passed over
 * and counted in st->passed_over; a member that cannot be read, or that
 * passes a limit, is one error naming it and the rest goes on. Archives
 * inside are read one level deep (nested = 0 for a file).
 */
struct au_error *archive_read(int fd, const char *name,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st, int nested);

#endif
