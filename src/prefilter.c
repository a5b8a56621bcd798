/* prefilter.c: case-insensitive UTF-16LE name search over chunk bytes (Boyer-Moore-Horspool). */
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"
#include "xmalloc.h"

struct pattern {
	uint8_t *bytes;          /* UTF-16LE, ASCII letters folded to lower case */
	size_t len;
	size_t shift[256];       /* BMH shift on the folded byte */
};

struct prefilter {
	struct pattern *pat;
	size_t npat;
	uint8_t fold[256];
};

static const uint8_t *
fold_table(uint8_t fold[256])
{
	for (int i = 0; i < 256; i++)
		fold[i] = (uint8_t)(i >= 'A' && i <= 'Z' ? i | 0x20 : i);
	return fold;
}

struct prefilter *
prefilter_new(const char *const *names, size_t n)
{
	struct prefilter *pf;

	for (size_t i = 0; i < n; i++) {
		if (names[i][0] == '\0')
			return NULL;
		for (const char *p = names[i]; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80)
				return NULL;
	}
	pf = xcalloc(1, sizeof(*pf));
	fold_table(pf->fold);
	pf->pat = xcalloc(n, sizeof(*pf->pat));
	pf->npat = n;
	for (size_t i = 0; i < n; i++) {
		struct pattern *p = &pf->pat[i];
		size_t chars = strlen(names[i]);

		p->len = chars * 2;
		p->bytes = xmalloc(p->len);
		for (size_t j = 0; j < chars; j++) {
			p->bytes[2 * j] = pf->fold[(unsigned char)names[i][j]];
			p->bytes[2 * j + 1] = 0;
		}
		for (int b = 0; b < 256; b++)
			p->shift[b] = p->len;
		for (size_t j = 0; j + 1 < p->len; j++)
			p->shift[p->bytes[j]] = p->len - 1 - j;
		/* Unfolded upper-case bytes shift like their lower-case letter. */
		for (int b = 'A'; b <= 'Z'; b++)
			p->shift[b] = p->shift[b | 0x20];
	}
	return pf;
}

void
prefilter_free(struct prefilter *pf)
{
	if (pf == NULL)
		return;
	for (size_t i = 0; i < pf->npat; i++)
		free(pf->pat[i].bytes);
	free(pf->pat);
	free(pf);
}

static int
pattern_search(const struct pattern *p, const uint8_t *fold, const uint8_t *buf,
    size_t len)
{
	size_t m = p->len, i = 0;
	uint8_t last = p->bytes[m - 1];

	if (len < m)
		return 0;
	while (i <= len - m) {
		uint8_t c = buf[i + m - 1];
		if (fold[c] == last) {
			size_t j = m - 1;
			while (j > 0 && fold[buf[i + j - 1]] == p->bytes[j - 1])
				j--;
			if (j == 0)
				return 1;
		}
		i += p->shift[c];
	}
	return 0;
}

int
prefilter_match(const struct prefilter *pf, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < pf->npat; i++)
		if (pattern_search(&pf->pat[i], pf->fold, buf, len))
			return 1;
	return 0;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Verdict on the template definition at chunk offset `toff` (1 = may match). */
static int
template_verdict(const struct prefilter *pf, const uint8_t *chunk, size_t len,
    uint32_t toff, struct prefilter_cache *cache)
{
	uint32_t size;
	int v;

	for (unsigned i = 0; i < cache->n; i++)
		if (cache->off[i] == toff)
			return cache->verdict[i];
	/* Definition: next offset (4), GUID (16), data size (4), data. */
	if (toff < EVTX_CHUNK_HEADER_SIZE || (size_t)toff + 24 > len)
		return 1;
	size = le32(chunk + toff + 20);
	if (size > len - toff - 24)
		return 1;
	v = prefilter_match(pf, chunk + toff, 24 + (size_t)size);
	if (cache->n < sizeof(cache->off) / sizeof(cache->off[0])) {
		cache->off[cache->n] = toff;
		cache->verdict[cache->n] = (int8_t)v;
		cache->n++;
	}
	return v;
}

int
prefilter_record(const struct prefilter *pf, const uint8_t *chunk, size_t len,
    size_t off, struct prefilter_cache *cache)
{
	const uint8_t *r = chunk + off;
	uint32_t size;

	/* Record: "**\0\0", size (4), id (8), written time (8), binary XML, size. */
	if (off + 24 > len || memcmp(r, "**\0\0", 4) != 0)
		return 1;
	size = le32(r + 4);
	if (size < 24 + 14 + 4 || size > len - off)
		return 1;
	if (prefilter_match(pf, r, size))
		return 1;
	/*
	 * Binary XML: fragment header (0x0f 1 1 0), then a template instance
	 * (0x0c, 1 byte, template id (4), definition offset (4)). Anything
	 * else (the direct form) carries its names inline: checked above.
	 */
	r += 24;
	if (r[0] != 0x0f || r[4] != 0x0c)
		return 0;
	return template_verdict(pf, chunk, len, le32(r + 10), cache);
}
