/* prefilter.h: finds which EVTX chunks and records can hold an event of given providers, from their bytes. */
#ifndef AU_PREFILTER_H
#define AU_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Provider names are stored in a chunk as UTF-16LE, either in each
 * record (substitution values, direct form) or in a template definition
 * that lives in the same chunk. So a chunk (or a record together with
 * its template) whose bytes do not contain the name, in any ASCII letter
 * case, cannot hold a record of that provider. This module answers that
 * question without decoding anything; libevtx decodes what it lets pass.
 *
 * Names with non-ASCII characters cannot be folded reliably byte-wise:
 * prefilter_new returns NULL for them, and the caller decodes everything.
 */

struct prefilter;

struct prefilter *prefilter_new(const char *const *names, size_t n);
void prefilter_free(struct prefilter *pf);

/* Whether buf[0..len) contains any of the names (UTF-16LE, ASCII case folded). */
int prefilter_match(const struct prefilter *pf, const uint8_t *buf, size_t len);

/* EVTX layout constants. */
#define EVTX_FILE_HEADER_SIZE 4096
#define EVTX_CHUNK_SIZE 65536
#define EVTX_CHUNK_HEADER_SIZE 512

/*
 * Whether the record at offset `off` of a chunk (64 KiB, `len` bytes valid)
 * may belong to one of the names: its own bytes hold one, or the template
 * definition it instantiates does. Anything it cannot parse counts as a
 * possible match. `cache` remembers template verdicts per chunk: zero it
 * for each new chunk.
 */
struct prefilter_cache {
	uint32_t off[64];
	int8_t verdict[64];
	unsigned n;
};
int prefilter_record(const struct prefilter *pf, const uint8_t *chunk, size_t len,
    size_t off, struct prefilter_cache *cache);

#endif
