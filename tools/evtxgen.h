/* evtxgen: writes .evtx files from a JSON description (see EVTXGEN-SPEC.md). */
#ifndef EVTXGEN_H
#define EVTXGEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* An interned string: UTF-8 for --expand, UTF-16LE units for the file. */
typedef struct {
	char *u8;
	uint16_t *u16;
	size_t n16;		/* UTF-16 units, without terminator */
} estr_t;

/* One event record as the writer sees it. */
typedef struct {
	const estr_t *prov, *chan, *comp;
	int tkey;		/* template key (provider, channel, computer) */
	uint16_t event_id, qualifiers, task;
	uint8_t level;
	uint64_t keywords;
	uint64_t ft;		/* FILETIME of TimeCreated (and written time) */
	uint64_t rid;
	int direct;
	size_t ndata;
	const char *const *data8;	/* ndata UTF-8 strings */
	const uint16_t *arr16;		/* concatenated NUL-terminated UTF-16 strings */
	size_t arr16_n;			/* units in arr16 (incl. NULs) */
} ev_t;

/* evtxgen-util.c */
extern const char *g_file;	/* description file name, for messages */
extern const char *g_out_created;	/* output file to remove on error */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* UTF-8 -> UTF-16LE; returns units written (cap in units), -1 on bad UTF-8 or overflow */
long utf8_to_16(const char *s, size_t len, uint16_t *out, size_t cap);
const estr_t *intern(const char *s);
int tkey_get(const estr_t *prov, const estr_t *chan, const estr_t *comp);
int tkey_count(void);
void tkey_info(int k, const estr_t **prov, const estr_t **chan, const estr_t **comp, uint8_t guid[16]);
void intern_free_all(void);
uint32_t crc32_buf(uint32_t crc, const uint8_t *p, size_t n);
int parse_time(const char *s, uint64_t *ft);
void format_time(uint64_t ft, char out[32]);
void json_put_str(FILE *f, const char *s);
uint64_t splitmix64(uint64_t *state);

/* evtxgen-writer.c */
typedef struct writer writer_t;
typedef struct {
	int dirty, full, bad_header_crc;
	long long truncate;	/* -1: none */
	int *bad_records_crc; size_t n_bad_records_crc;
	int *bad_chunk_header_crc; size_t n_bad_chunk_header_crc;
	int *bad_chunk_magic; size_t n_bad_chunk_magic;
	long records_per_chunk;	/* 0: fill chunks */
} faults_t;
writer_t *writer_new(int fd, FILE *expand, const faults_t *faults);
void writer_add_slack(writer_t *w, int chunk, const ev_t *ev);	/* ev copied by reference: keep alive */
void writer_emit(writer_t *w, const ev_t *ev);
unsigned long long writer_bytes(const writer_t *w);	/* file size so far (header + flushed chunks + current) */
void writer_finish(writer_t *w);
void writer_free(writer_t *w);
void expand_line(FILE *f, const ev_t *ev, int slack, long chunk);

/* evtxgen-real.c */
typedef struct {
	uint64_t seed;
	uint64_t start_ft;
	long days;
	long events_per_day;
	long upg_min, upg_max;
	const char *computer;
	const char *channel;
	unsigned long long target_bytes;	/* 0: none */
	uint64_t first_rid;
} realistic_t;
uint64_t realistic_run(writer_t *w, const realistic_t *r);	/* returns next record id */

#endif
