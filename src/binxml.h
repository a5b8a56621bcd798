/* binxml.h: the fields we need, read straight from a record's binary XML (template walked once per chunk, substitution values taken as they are). */
#ifndef AU_BINXML_H
#define AU_BINXML_H

#include <stddef.h>
#include <stdint.h>

#include "evtxml.h"

/*
 * libevtx renders a record by instantiating its template into an XML
 * string, which evtxml.c then reads back: about 40% of the time of a log
 * where every record is wanted goes to building and freeing that string
 * (bench/RESULTS.md). Here the template definition a record points at is
 * walked once per chunk into a short plan ("substitution 3 is the
 * EventID, 10 the EventRecordID, the Data strings are in the nested
 * fragment at 19"), and each record's values are read from its
 * substitution array by that plan.
 *
 * The result is exactly what evtxml_parse would give for libevtx's
 * rendering of the same record (tests/test-binxml.c compares the two on
 * every record of the fixtures and the corpus). Whatever this reader is
 * not sure to read the same way (a value type it does not convert, an
 * entity reference in a field, a layout it does not know) makes it give
 * up on that record, and the caller asks libevtx instead.
 *
 * One difference is on purpose: a lone UTF-16 surrogate in a string is
 * read as U+FFFD, where libevtx fails the whole record.
 */

/* Plans of the templates seen in one chunk. */
struct binxml_cache;

struct binxml_cache *binxml_cache_new(void);
void binxml_cache_free(struct binxml_cache *c);
/* Forgets the plans: call before each new chunk. */
void binxml_cache_reset(struct binxml_cache *c);

/*
 * Reads the record at chunk offset off (chunk holds len valid bytes) into
 * *out (which the caller clears with evtxml_clear). Returns 1 when read,
 * 0 when the caller must ask libevtx (out is then left cleared).
 * On success out->has_event_id and out->has_time are set; has_record_id
 * only when the record carries an EventRecordID.
 */
int binxml_record(const uint8_t *chunk, size_t len, size_t off,
    struct binxml_cache *c, struct evtxml *out);

#endif
