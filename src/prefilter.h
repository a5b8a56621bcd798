/* prefilter.h: finds which EVTX chunks and records can hold an event we want, from their bytes. */
#ifndef AU_PREFILTER_H
#define AU_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Provider names are stored in a chunk as UTF-16LE, either in each
 * record (substitution values, the direct form) or in a template
 * definition that lives in the same chunk; Data strings are in the record.
 * So a chunk (or a record together with its template) whose bytes do not
 * contain the names a wanted event must carry, in any ASCII letter case,
 * cannot hold such an event. This module answers that question without
 * decoding anything; libevtx decodes what it lets pass.
 *
 * What is wanted is a list of rules, each a list of names that must all
 * occur (e.g. {"Azure AD Connect Upgrade"}, or {"MsiInstaller",
 * "Azure AD Connect"} for installer events of our product). A name with
 * characters outside ASCII cannot be case-folded byte-wise:
 * prefilter_new returns NULL then, and the caller decodes everything.
 */

struct prefilter;

/* rules[i] is a NULL-terminated list of names; at most 32 distinct names. */
struct prefilter *prefilter_new(const char *const *const *rules, size_t nrules);
void prefilter_free(struct prefilter *pf);

/* Whether buf[0..len) satisfies a rule. */
int prefilter_match(const struct prefilter *pf, const uint8_t *buf, size_t len);

/*
 * Where the names occur in buf: fills pos[] and id[] (by position,
 * ascending; at most max) with the start of each occurrence and which
 * name it is; returns how many were found (more than max: only the first
 * max are kept, and the caller must not rely on them). Sets *match as
 * prefilter_match would.
 */
size_t prefilter_positions(const struct prefilter *pf, const uint8_t *buf,
    size_t len, uint32_t *pos, uint8_t *id, size_t max, int *match);

/* EVTX layout constants. */
#define EVTX_FILE_HEADER_SIZE 4096
#define EVTX_CHUNK_SIZE 65536
#define EVTX_CHUNK_HEADER_SIZE 512

/*
 * Whether the record at offset `off` of a chunk (`len` bytes valid) may
 * be wanted: the names found in its own bytes together with those in the
 * template definition it instantiates satisfy a rule. Anything it cannot
 * parse counts as a possible match. `cache` remembers template findings
 * per chunk: zero it for each new chunk, then optionally point pos/id/npos
 * at the chunk's prefilter_positions to avoid searching again.
 */
struct prefilter_cache {
	uint32_t off[64];
	uint32_t mask[64];
	unsigned n;
	const uint32_t *pos;
	const uint8_t *id;
	size_t npos;
};
int prefilter_record(const struct prefilter *pf, const uint8_t *chunk, size_t len,
    size_t off, struct prefilter_cache *cache);

/*
 * The Computer of the record at offset off of a chunk, read from the
 * <Computer> element of the template definition it instantiates (or of
 * the record itself, in the direct form), where Windows writes it as
 * literal text: as UTF-8 in out (NUL-terminated, outsz bytes). Returns 1
 * when found, 0 when it cannot be told this way (a substitution, another
 * layout, an unpaired surrogate): the caller asks libevtx then. Zero
 * cache for each new chunk.
 */
struct prefilter_host_cache {
	uint32_t toff[64];
	uint32_t text[64];
	uint16_t units[64];
	unsigned n;
};
int prefilter_computer(const uint8_t *chunk, size_t len, size_t off,
    struct prefilter_host_cache *cache, char *out, size_t outsz);

/*
 * UTF-16LE units to NUL-terminated UTF-8 in out, a lone surrogate as
 * U+FFFD (binxml.c reads strings the same way); 0 for a NUL unit or when
 * out has no room (3 bytes a unit and 5 more always do).
 */
int prefilter_utf16_to_utf8(const uint8_t *s, unsigned units, char *out, size_t outsz);

#endif
