/* ingest-int.h: what ingest.c (records, chunks, damage) and ingest-fast.c (the fast path) share; private to the EVTX reader. */
#ifndef AU_INGEST_INT_H
#define AU_INGEST_INT_H

#include <stdint.h>

#include <libevtx.h>
#include <openssl/evp.h>

#include "ingest.h"
#include "prefilter.h"

static inline uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static inline void
put_le32(uint8_t *p, uint32_t v)
{
	for (int b = 0; b < 4; b++)
		p[b] = (uint8_t)(v >> (8 * b));
}

enum chunk_state {
	CHUNK_OK,
	CHUNK_UNUSED,       /* all zero: preallocated, never written */
	CHUNK_BAD_MAGIC,    /* no "ElfChnk" signature */
	CHUNK_PARTIAL,      /* cut short by the end of the file */
	CHUNK_BAD_CRC,      /* header or event-records checksum mismatch */
	CHUNK_RECORDS,      /* checksums hold, the records do not follow the header */
};

/* What is wrong with a file's chunks, gathered for one line of report. */
struct damage {
	uint64_t bad_magic, partial, bad_crc, records;
	int header_crc;     /* the file header's checksum does not hold */
	char where[96];     /* the first damaged chunks' numbers */
};

/*
 * The file's SHA-256, taken from the bytes the reader reads anyway (libcrypto
 * is the one SHA-256 we use; no second read of the file). md is NULL when
 * no digest is wanted; complete is set once every byte went through it.
 */
struct digest {
	EVP_MD_CTX *md;
	int complete;
};

/*
 * Wanted records libevtx read but could not render (a lone UTF-16
 * surrogate in a string or the computer name fails the whole record), by
 * identifier, for binxml.c to read from the chunk instead (retry_chunk).
 * Bounded: past RETRY_MAX a failed record counts as unreadable at once.
 */
struct binxml_cache;
#define RETRY_MAX 256
struct retry {
	uint64_t id[RETRY_MAX];
	size_t n;
};

/*
 * One record read by libevtx: counted, and handed to the sink when it
 * matters. A wanted record libevtx cannot render goes on retry (when not
 * NULL and not recovered), else counts in st->corrupt.
 */
struct au_error *ingest_record(libevtx_record_t *rec, int recovered,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st, struct retry *retry);
/*
 * Reads the records of chunk c that are on retry from their binary XML;
 * each one read is taken off the list. retry_give_up counts what is left
 * as unreadable.
 */
struct au_error *retry_chunk(const uint8_t *c, struct retry *retry,
    struct binxml_cache *bx, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st);
void retry_give_up(struct retry *retry, struct au_file_stats *st);
/*
 * The same for the record at chunk offset off, read from its binary XML
 * (binxml.h) instead of libevtx: 1 when done (*err set as ingest_record
 * returns it), 0 when libevtx has to read the record (nothing given to
 * the sink, st unchanged). A recovered record (see chunk_read_on) is also
 * counted in st: read, recovered, and toward its computer.
 */
struct binxml_cache;
int ingest_binxml(const uint8_t *chunk, size_t len, size_t off, struct binxml_cache *bx,
    int recovered, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st,
    struct au_error **err);
/*
 * --recovered on a chunk whose records do not follow its header
 * (CHUNK_RECORDS): libevtx stops where the walk does, or skips a record
 * swallowed by the one before it. The records it did not read are found
 * by their headers and read from their binary XML, as recovered records;
 * one that cannot be read that way counts in st->corrupt.
 */
struct au_error *chunk_read_on(const uint8_t *c, struct binxml_cache *bx,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st);
/* Every record of an open file (and recovered ones when asked); see ingest_record for retry. */
struct au_error *read_records(libevtx_file_t *file, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st, struct retry *retry);
struct au_error *evtx_open(const char *open_path, const char *path, int64_t chunk,
    libevtx_file_t **out);
void evtx_close(libevtx_file_t **file);

/*
 * The records of a chunk, as libevtx finds them: one after another from
 * offset 512 while the offset is not past the header's last-record offset.
 * Fills off[] (room for CHUNK_MAX_RECORDS) with their offsets and *end
 * with where the last one ends; returns how many.
 */
#define CHUNK_MAX_RECORDS (EVTX_CHUNK_SIZE / 24)
size_t chunk_walk(const uint8_t *c, size_t len, uint32_t *off, uint32_t *end);
/* Whether nothing lies after the chunk's free-space offset. */
int slack_empty(const uint8_t *c);
enum chunk_state chunk_check(const uint8_t *c, size_t len);
void damage_note(struct damage *d, enum chunk_state cs, uint64_t k);
void digest_update(struct digest *dg, const void *buf, size_t len);

/* ingest-fast.c */
struct au_error *ingest_fast(const char *path, int fd, const struct prefilter *pf,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st, struct damage *dmg, struct digest *dg,
    int *fallback);
struct prefilter *ingest_prefilter(const struct au_ingest_opts *opts, int installs,
    int related);

#endif
