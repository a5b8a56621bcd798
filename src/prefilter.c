/* prefilter.c: case-insensitive UTF-16LE name search over chunk bytes (Boyer-Moore-Horspool), and rules over the names found. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "prefilter.h"
#include "xmalloc.h"

#define MAX_NAMES 32

/*
 * The search folds each alignment of the UTF-16LE bytes into a string of
 * one byte per code unit (ASCII letters lower-cased, units outside ASCII
 * as 0x80), a loop the compiler vectorises, and then looks for the names
 * there with memmem. Strings in binary XML need not be 2-byte aligned,
 * hence both alignments.
 */
struct pattern {
	char *ascii;             /* the name, ASCII letters lower-cased */
	size_t units;            /* its length in code units */
	uint32_t holds;          /* the other names inside this one: absent, so is it */
};

struct prefilter {
	struct pattern pat[MAX_NAMES];
	size_t npat;
	uint32_t *rule;          /* each rule: the mask of names it needs */
	size_t nrule;
	uint8_t fold[256];
};

static int
name_ok(const char *name)
{
	if (name[0] == '\0')
		return 0;
	for (const char *p = name; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return 0;
	return 1;
}

/* Index of name among the patterns, adding it when new; -1 when full. */
static int
pattern_index(struct prefilter *pf, const char *name)
{
	size_t chars = strlen(name);
	struct pattern *p;

	for (size_t i = 0; i < pf->npat; i++)
		if (pf->pat[i].units == chars &&
		    strncasecmp(pf->pat[i].ascii, name, chars) == 0)
			return (int)i;
	if (pf->npat == MAX_NAMES)
		return -1;
	p = &pf->pat[pf->npat];
	p->units = chars;
	p->ascii = xmalloc(chars + 1);
	for (size_t j = 0; j <= chars; j++)
		p->ascii[j] = (char)pf->fold[(unsigned char)name[j]];
	return (int)pf->npat++;
}

struct prefilter *
prefilter_new(const char *const *const *rules, size_t nrules)
{
	struct prefilter *pf;

	if (nrules == 0)
		return NULL;
	for (size_t r = 0; r < nrules; r++)
		for (const char *const *n = rules[r]; *n != NULL; n++)
			if (!name_ok(*n))
				return NULL;
	pf = xcalloc(1, sizeof(*pf));
	for (int i = 0; i < 256; i++)
		pf->fold[i] = (uint8_t)(i >= 'A' && i <= 'Z' ? i | 0x20 : i);
	/* Shorter names first, so that a name held in another is searched before it. */
	for (size_t len = 1, left = 1; left; len++) {
		left = 0;
		for (size_t r = 0; r < nrules; r++)
			for (const char *const *n = rules[r]; *n != NULL; n++) {
				if (strlen(*n) == len && pattern_index(pf, *n) < 0) {
					prefilter_free(pf);
					return NULL;
				}
				if (strlen(*n) > len)
					left = 1;
			}
	}
	pf->rule = xcalloc(nrules, sizeof(*pf->rule));
	for (size_t r = 0; r < nrules; r++) {
		uint32_t mask = 0;
		for (const char *const *n = rules[r]; *n != NULL; n++) {
			int i = pattern_index(pf, *n);
			if (i < 0) {
				prefilter_free(pf);
				return NULL;
			}
			mask |= UINT32_C(1) << i;
		}
		if (mask != 0)
			pf->rule[pf->nrule++] = mask;
	}
	if (pf->nrule == 0) {
		prefilter_free(pf);
		return NULL;
	}
	/* Names are searched in order: a held name must come first. */
	for (size_t i = 0; i < pf->npat; i++)
		for (size_t j = 0; j < i; j++)
			if (pf->pat[j].units < pf->pat[i].units &&
			    strstr(pf->pat[i].ascii, pf->pat[j].ascii) != NULL)
				pf->pat[i].holds |= UINT32_C(1) << j;
	return pf;
}

void
prefilter_free(struct prefilter *pf)
{
	if (pf == NULL)
		return;
	for (size_t i = 0; i < pf->npat; i++)
		free(pf->pat[i].ascii);
	free(pf->rule);
	free(pf);
}

static int
rules_met(const struct prefilter *pf, uint32_t found)
{
	for (size_t r = 0; r < pf->nrule; r++)
		if ((pf->rule[r] & found) == pf->rule[r])
			return 1;
	return 0;
}

/* One alignment of a buffer, folded to a byte per code unit. */
struct folded {
	uint8_t b[2][EVTX_CHUNK_SIZE / 2 + 1];
	size_t n[2];
};

static _Thread_local struct folded scratch;

/* Written so that the compiler vectorises it: no branches, no tables. */
__attribute__((optimize("O3")))
static void
fold_alignment(const uint8_t *t, size_t units, uint8_t *out)
{
	for (size_t i = 0; i < units; i++) {
		uint8_t lo = t[2 * i], hi = t[2 * i + 1];
		uint8_t up = (uint8_t)((uint8_t)(lo - 'A') < 26);
		uint8_t v = (uint8_t)(lo | (uint8_t)(up << 5));
		out[i] = hi != 0 ? 0x80 : v;
	}
}

static const struct folded *
fold_units(const uint8_t *buf, size_t len)
{
	if (len > EVTX_CHUNK_SIZE)
		len = EVTX_CHUNK_SIZE;
	for (size_t a = 0; a < 2; a++) {
		size_t units = len > a ? (len - a) / 2 : 0;
		fold_alignment(buf + a, units, scratch.b[a]);
		scratch.n[a] = units;
	}
	return &scratch;
}

/*
 * Searches the folded buffer for pattern p. Without pos, stops at the
 * first occurrence and returns 1 if any. With pos, appends every
 * occurrence (counting beyond max in *n), in no particular order.
 */
static int
pattern_search(const struct pattern *p, const struct folded *f, uint32_t *pos,
    uint8_t *id, uint8_t which, size_t max, size_t *n)
{
	int any = 0;

	for (size_t a = 0; a < 2; a++) {
		const uint8_t *h = f->b[a], *end = f->b[a] + f->n[a], *hit;

		while ((size_t)(end - h) >= p->units &&
		    (hit = memmem(h, (size_t)(end - h), p->ascii, p->units)) != NULL) {
			any = 1;
			if (pos == NULL)
				return 1;
			if (*n < max) {
				pos[*n] = (uint32_t)(a + 2 * (size_t)(hit - f->b[a]));
				id[*n] = which;
			}
			(*n)++;
			h = hit + 1;
		}
	}
	return any;
}

/*
 * The names that occur in the folded buffer, as a mask. A name that holds
 * another name that is absent is absent too, and is not searched. With
 * pos, every occurrence is recorded (see prefilter_positions).
 */
static uint32_t
names_found(const struct prefilter *pf, const struct folded *f, uint32_t *pos,
    uint8_t *id, size_t max, size_t *n)
{
	uint32_t found = 0, absent = 0;

	for (size_t i = 0; i < pf->npat; i++) {
		if (pf->pat[i].holds & absent) {
			absent |= UINT32_C(1) << i;
			continue;
		}
		if (pattern_search(&pf->pat[i], f, pos, id, (uint8_t)i, max, n))
			found |= UINT32_C(1) << i;
		else
			absent |= UINT32_C(1) << i;
	}
	return found;
}

static uint32_t
names_in(const struct prefilter *pf, const uint8_t *buf, size_t len)
{
	return names_found(pf, fold_units(buf, len), NULL, NULL, 0, NULL);
}

int
prefilter_match(const struct prefilter *pf, const uint8_t *buf, size_t len)
{
	return rules_met(pf, names_in(pf, buf, len));
}

size_t
prefilter_positions(const struct prefilter *pf, const uint8_t *buf, size_t len,
    uint32_t *pos, uint8_t *id, size_t max, int *match)
{
	size_t n = 0, kept;
	uint32_t found;

	found = names_found(pf, fold_units(buf, len), pos, id, max, &n);
	*match = rules_met(pf, found);
	/* Insertion sort by position: lists are short. */
	kept = n < max ? n : max;
	for (size_t i = 1; i < kept; i++) {
		uint32_t p = pos[i];
		uint8_t d = id[i];
		size_t j = i;
		while (j > 0 && pos[j - 1] > p) {
			pos[j] = pos[j - 1];
			id[j] = id[j - 1];
			j--;
		}
		pos[j] = p;
		id[j] = d;
	}
	return n;
}

/* The names whose occurrence lies wholly in chunk[from, to). */
static uint32_t
names_in_span(const struct prefilter *pf, const uint8_t *chunk, size_t from,
    size_t to, const struct prefilter_cache *cache)
{
	size_t lo = 0, hi;
	uint32_t found = 0;

	if (cache->pos == NULL)
		return names_in(pf, chunk + from, to - from);
	hi = cache->npos;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cache->pos[mid] < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < cache->npos && cache->pos[lo] < to; lo++)
		if (cache->pos[lo] + 2 * pf->pat[cache->id[lo]].units <= to)
			found |= UINT32_C(1) << cache->id[lo];
	return found;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

#define ALL_NAMES UINT32_MAX

/* The names in the template definition at chunk offset toff (ALL_NAMES when unparsable). */
static uint32_t
template_names(const struct prefilter *pf, const uint8_t *chunk, size_t len,
    uint32_t toff, struct prefilter_cache *cache)
{
	uint32_t size, found;

	for (unsigned i = 0; i < cache->n; i++)
		if (cache->off[i] == toff)
			return cache->mask[i];
	/* Definition: next offset (4), GUID (16), data size (4), data. */
	if (toff < EVTX_CHUNK_HEADER_SIZE || (size_t)toff + 24 > len)
		return ALL_NAMES;
	size = le32(chunk + toff + 20);
	if (size > len - toff - 24)
		return ALL_NAMES;
	found = names_in_span(pf, chunk, toff, toff + 24 + (size_t)size, cache);
	if (cache->n < sizeof(cache->off) / sizeof(cache->off[0])) {
		cache->off[cache->n] = toff;
		cache->mask[cache->n] = found;
		cache->n++;
	}
	return found;
}

int
prefilter_record(const struct prefilter *pf, const uint8_t *chunk, size_t len,
    size_t off, struct prefilter_cache *cache)
{
	const uint8_t *r = chunk + off;
	uint32_t size, found;

	/* Record: "**\0\0", size (4), id (8), written time (8), binary XML, size. */
	if (off + 24 > len || memcmp(r, "**\0\0", 4) != 0)
		return 1;
	size = le32(r + 4);
	if (size < 24 + 14 + 4 || size > len - off)
		return 1;
	found = names_in_span(pf, chunk, off, off + size, cache);
	if (rules_met(pf, found))
		return 1;
	/*
	 * Binary XML: fragment header (0x0f 1 1 0), then a template instance
	 * (0x0c, 1 byte, template id (4), definition offset (4)). Anything
	 * else (the direct form) carries its names inline: searched above.
	 */
	r += 24;
	if (r[0] != 0x0f || r[4] != 0x0c)
		return 0;
	return rules_met(pf, found | template_names(pf, chunk, len, le32(r + 10),
	    cache));
}
