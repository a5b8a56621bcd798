/*
 * fuzz-evtx.c: an .evtx file through the reader, the fast path and
 * --decode-all, each without and with --recovered. A finding is a crash, a
 * sanitizer report, or the fast path finding fewer upgrade events than
 * --decode-all (the differential property of tests/differential.sh).
 *
 * The mutator repairs the file header's and every chunk's checksums after
 * each mutation, so that mutations get past them to the records.
 */
#include <libdeflate.h>

#include "fuzz-common.h"

#define FILE_HEADER 4096
#define CHUNK 65536
#define CHUNK_HEADER 512

#ifndef FUZZ_REPLAY
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed);
#endif

#ifndef FUZZ_REPLAY
static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Makes the checksums of the file header and of each whole chunk hold again. */
static void
repair(uint8_t *d, size_t size)
{
	if (size >= 128 && memcmp(d, "ElfFile", 7) == 0)
		wr32(d + 124, (uint32_t)libdeflate_crc32(0, d, 120));
	for (size_t at = FILE_HEADER; at + CHUNK <= size; at += CHUNK) {
		uint8_t *c = d + at;
		uint32_t free_off = rd32(c + 48), crc;

		if (memcmp(c, "ElfChnk", 7) != 0)
			continue;
		if (free_off >= CHUNK_HEADER && free_off <= CHUNK)
			wr32(c + 52, (uint32_t)libdeflate_crc32(0, c + CHUNK_HEADER,
			    free_off - CHUNK_HEADER));
		crc = (uint32_t)libdeflate_crc32(0, c, 120);
		crc = (uint32_t)libdeflate_crc32(crc, c + 128, CHUNK_HEADER - 128);
		wr32(c + 124, crc);
	}
}

size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed)
{
	size_t n = LLVMFuzzerMutate(data, size, max);

	/* One mutation in eight keeps its broken checksums: that path matters too. */
	if (seed % 8 != 0)
		repair(data, n);
	return n;
}

#endif

static size_t
run(const char *path, int naive, int recovered)
{
	struct au_ingest_opts opts;
	struct au_file_stats st;
	struct fuzz_count c;
	struct au_ingest_sink sink = fuzz_sink(&c);
	struct au_error *err;

	ingest_opts_default(&opts);
	opts.naive = naive;
	opts.recovered = recovered;
	opts.installs = 1;
	opts.hash = 1;
	memset(&st, 0, sizeof(st));
	err = ingest_file(path, &opts, &sink, &st);
	au_error_free(err);
	au_file_stats_clear(&st);
	return c.events;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd;

	if (size > (8u << 20))
		return 0;
	fd = fuzz_memfd(data, size, path, sizeof(path));
	for (int recovered = 0; recovered <= 1; recovered++) {
		size_t fast = run(path, 0, recovered), naive = run(path, 1, recovered);

		if (fast < naive) {
			fprintf(stderr, "fuzz-evtx: the fast path found %zu upgrade events, "
			    "--decode-all %zu (recovered %d)\n", fast, naive, recovered);
			abort();
		}
	}
	close(fd);
	return 0;
}
