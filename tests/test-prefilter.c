/* test-prefilter.c: the byte-level name search that decides which chunks and records libevtx decodes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"

static int passed, failed;

static void
check(int ok, const char *what)
{
	if (ok)
		passed++;
	else {
		failed++;
		printf("FAIL: %s\n", what);
	}
}

/* Writes s as UTF-16LE at buf+at; returns the end. */
static size_t
put16(uint8_t *buf, size_t at, const char *s)
{
	for (; *s != '\0'; s++) {
		buf[at++] = (uint8_t)*s;
		buf[at++] = 0;
	}
	return at;
}

static void
fill_noise(uint8_t *buf, size_t len)
{
	/* ASCII text in UTF-16LE, as most of a log is, with the anchor letters. */
	const char *text = "Connect the upgrade to Azure when the sync cycle ends. ";
	size_t at = 0, n = strlen(text);

	for (size_t i = 0; at + 2 <= len; i++)
		at = put16(buf, at, (char[]){ text[i % n], 0 });
}

int
main(void)
{
	static const char *const src[] = { "Azure AD Connect Upgrade", NULL };
	static const char *const msi[] = { "MsiInstaller", "Azure AD Connect", NULL };
	const char *const *rules[] = { src, msi };
	static const char *const bad[] = { "Azure\xc3\xa9", NULL };
	const char *const *bad_rules[] = { bad };
	struct prefilter *pf = prefilter_new(rules, 2);
	/* Room past the chunk: a name is written across its end on purpose. */
	uint8_t *buf = calloc(1, EVTX_CHUNK_SIZE + 64);
	uint32_t pos[64];
	uint8_t id[64];
	int match;
	size_t n;

	check(pf != NULL, "prefilter_new");
	check(prefilter_new(bad_rules, 1) == NULL, "non-ASCII names are refused");

	fill_noise(buf, EVTX_CHUNK_SIZE);
	check(!prefilter_match(pf, buf, EVTX_CHUNK_SIZE), "noise holds no name");

	/* Every offset class and letter case, near both ends of the chunk. */
	const size_t where[] = { 0, 1, 2, 3, 513, 30000, 30001,
	    EVTX_CHUNK_SIZE - 48, EVTX_CHUNK_SIZE - 49 };
	const char *spell[] = { "Azure AD Connect Upgrade", "AZURE AD CONNECT UPGRADE",
	    "azure ad connect upgrade", "aZuRe Ad CoNnEcT uPgRaDe" };
	for (size_t w = 0; w < sizeof(where) / sizeof(where[0]); w++) {
		for (size_t c = 0; c < 4; c++) {
			char what[128];
			fill_noise(buf, EVTX_CHUNK_SIZE);
			put16(buf, where[w], spell[c]);
			snprintf(what, sizeof(what), "'%s' at %zu", spell[c], where[w]);
			check(prefilter_match(pf, buf, EVTX_CHUNK_SIZE), what);
			n = prefilter_positions(pf, buf, EVTX_CHUNK_SIZE, pos, id, 64, &match);
			check(match && n >= 1, "positions find it");
			int at = 0;
			for (size_t i = 0; i < n && i < 64; i++)
				at |= pos[i] == where[w];
			check(at, "positions give its offset");
		}
	}

	/* A name cut by the end of the buffer, or broken by a non-ASCII unit, is no name. */
	fill_noise(buf, EVTX_CHUNK_SIZE);
	put16(buf, EVTX_CHUNK_SIZE - 46, "Azure AD Connect Upgrade");
	check(!prefilter_match(pf, buf, EVTX_CHUNK_SIZE), "name cut by the end");
	fill_noise(buf, EVTX_CHUNK_SIZE);
	put16(buf, 1000, "Azure AD Connect Upgrade");
	buf[1000 + 2 * 5 + 1] = 0x01;   /* the space becomes U+0120 */
	check(!prefilter_match(pf, buf, EVTX_CHUNK_SIZE), "non-ASCII unit inside");

	/* A rule of two names needs both. */
	fill_noise(buf, EVTX_CHUNK_SIZE);
	put16(buf, 100, "MsiInstaller");
	check(!prefilter_match(pf, buf, EVTX_CHUNK_SIZE), "MsiInstaller alone");
	put16(buf, 5001, "Azure AD Connect");
	check(prefilter_match(pf, buf, EVTX_CHUNK_SIZE), "MsiInstaller and the product");

	/*
	 * Records: one holds the name in its own bytes; the next instantiates a
	 * template whose definition (inside the first) holds it; a third
	 * instantiates a template without it.
	 */
	memset(buf, 0, EVTX_CHUNK_SIZE);
	size_t r1 = 512, r2 = 1024, r3 = 1536, toff_yes = r1 + 24 + 4 + 10, toff_no = r3 + 200;
	for (size_t r = r1; r <= r3; r += 512) {
		memcpy(buf + r, "**\0\0", 4);
		buf[r + 4] = 0x00; buf[r + 5] = 0x02;           /* size 512 */
		buf[r + 24] = 0x0f; buf[r + 25] = 1; buf[r + 26] = 1; buf[r + 27] = 0;
		buf[r + 28] = 0x0c;
	}
	/* r1's template definition: next (4), GUID (16), size (4), data with the name. */
	buf[toff_yes + 20] = 100;
	put16(buf, toff_yes + 24, "Azure AD Connect Upgrade");
	for (int b = 0; b < 4; b++) {
		buf[r1 + 24 + 10 + b] = (uint8_t)(toff_yes >> (8 * b));
		buf[r2 + 24 + 10 + b] = (uint8_t)(toff_yes >> (8 * b));
		buf[r3 + 24 + 10 + b] = (uint8_t)(toff_no >> (8 * b));
	}
	buf[toff_no + 20] = 50;
	put16(buf, toff_no + 24, "Directory Synchronization");
	for (int with_positions = 0; with_positions < 2; with_positions++) {
		struct prefilter_cache cache;
		memset(&cache, 0, sizeof(cache));
		if (with_positions) {
			cache.npos = prefilter_positions(pf, buf, EVTX_CHUNK_SIZE, pos, id, 64, &match);
			cache.pos = pos;
			cache.id = id;
		}
		check(prefilter_record(pf, buf, EVTX_CHUNK_SIZE, r1, &cache), "record with the name in its bytes");
		check(prefilter_record(pf, buf, EVTX_CHUNK_SIZE, r2, &cache), "record whose template holds the name");
		check(!prefilter_record(pf, buf, EVTX_CHUNK_SIZE, r3, &cache), "record whose template lacks the name");
	}
	/* What cannot be parsed is let through. */
	{
		struct prefilter_cache cache;
		memset(&cache, 0, sizeof(cache));
		check(prefilter_record(pf, buf, EVTX_CHUNK_SIZE, 2048, &cache), "no record signature: let through");
		buf[r3 + 24 + 10] = 0xff; buf[r3 + 24 + 11] = 0xff; buf[r3 + 24 + 12] = 0xff; buf[r3 + 24 + 13] = 0x7f;
		memset(&cache, 0, sizeof(cache));
		check(prefilter_record(pf, buf, EVTX_CHUNK_SIZE, r3, &cache), "template offset out of the chunk: let through");
	}
	prefilter_free(pf);
	free(buf);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
