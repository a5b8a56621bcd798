/* prefilter.c: case-insensitive UTF-16LE name search over chunk bytes, and rules over the names found. */
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
 * there by two rare letters of each at once (see names_found). Strings in
 * binary XML need not be 2-byte aligned, hence both alignments.
 */
struct pattern {
	char *ascii;             /* the name, ASCII letters lower-cased */
	size_t units;            /* its length in code units */
	size_t a1, a2;           /* two positions with rare letters: the anchors */
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

/*
 * How common a byte is in log text, roughly (lower is rarer): the search
 * looks for the two rarest letters of a name at their distance apart, so
 * that few places need a full comparison.
 */
static int
commonness(unsigned char c)
{
	static const char order[] = "zqxjkvbpygfwmucldrhsnioate ";
	const char *p = c != '\0' ? strchr(order, c) : NULL;

	return p != NULL ? (int)(p - order) : -1;   /* digits, punctuation: rare */
}

static void
choose_anchors(struct pattern *p)
{
	size_t best = 0, second = p->units > 1 ? 1 : 0;

	for (size_t j = 0; j < p->units; j++)
		if (commonness((unsigned char)p->ascii[j]) <
		    commonness((unsigned char)p->ascii[best]))
			best = j;
	if (second == best)
		second = 0;
	for (size_t j = 0; j < p->units; j++)
		if (j != best && commonness((unsigned char)p->ascii[j]) <
		    commonness((unsigned char)p->ascii[second]))
			second = j;
	p->a1 = best < second ? best : second;
	p->a2 = best < second ? second : best;
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
	choose_anchors(p);
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

/*
 * GCC vectorises these loops only at -O3; clang does at -O2 and has no
 * per-function optimize attribute.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define AU_VECTORISE __attribute__((optimize("O3")))
#else
#define AU_VECTORISE
#endif

/* Written so that the compiler vectorises it: no branches, no tables. */
AU_VECTORISE
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

/* Sets `bit` in hit[] where both anchors of a name match (a vectorised loop). */
AU_VECTORISE
static void
mark_anchors(const uint8_t *t, size_t places, size_t a1, size_t a2, uint8_t c1,
    uint8_t c2, uint8_t bit, uint8_t *hit)
{
	const uint8_t *x = t + a1, *y = t + a2;

	for (size_t i = 0; i < places; i++)
		hit[i] |= (uint8_t)(((x[i] == c1) & (y[i] == c2)) * bit);
}

static _Thread_local uint8_t hits[EVTX_CHUNK_SIZE / 2 + 64];

/*
 * The names that occur in the folded buffer, as a mask. Up to eight names
 * at a time mark where their two anchor letters (rare ones) stand at the
 * right distance, each in a bit of hits[]; one pass over hits[] then
 * compares the whole name where a bit is set. With pos, every occurrence
 * is recorded (see prefilter_positions); without, the search stops once
 * every name is found.
 */
static uint32_t
names_found(const struct prefilter *pf, const struct folded *f, uint32_t *pos,
    uint8_t *id, size_t max, size_t *n)
{
	uint32_t found = 0, all = pf->npat >= 32 ? UINT32_MAX :
	    (UINT32_C(1) << pf->npat) - 1;

	for (size_t a = 0; a < 2; a++) {
		const uint8_t *t = f->b[a];
		size_t len = f->n[a];

		for (size_t g = 0; g < pf->npat; g += 8) {
			size_t end = g + 8 < pf->npat ? g + 8 : pf->npat, places = 0;

			for (size_t i = g; i < end; i++)
				if (len >= pf->pat[i].units &&
				    len - pf->pat[i].units + 1 > places)
					places = len - pf->pat[i].units + 1;
			if (places == 0)
				continue;
			memset(hits, 0, places + 64);
			for (size_t i = g; i < end; i++) {
				const struct pattern *p = &pf->pat[i];
				if (len < p->units || (pos == NULL &&
				    (found >> i & 1)))
					continue;
				mark_anchors(t, len - p->units + 1, p->a1, p->a2,
				    (uint8_t)p->ascii[p->a1], (uint8_t)p->ascii[p->a2],
				    (uint8_t)(1u << (i - g)), hits);
			}
			for (size_t k0 = 0; k0 < places; k0 += 32) {
				uint64_t w[4];
				memcpy(w, hits + k0, 32);
				if ((w[0] | w[1] | w[2] | w[3]) == 0)
					continue;
				for (size_t k = k0; k < k0 + 32 && k < places; k++) {
					for (unsigned bits = hits[k]; bits != 0; bits &= bits - 1) {
						size_t i = g + (size_t)__builtin_ctz(bits);
						const struct pattern *p = &pf->pat[i];
						if (k + p->units > len ||
						    memcmp(t + k, p->ascii, p->units) != 0)
							continue;
						found |= UINT32_C(1) << i;
						if (pos == NULL)
							continue;
						if (*n < max) {
							pos[*n] = (uint32_t)(a + 2 * k);
							id[*n] = (uint8_t)i;
						}
						(*n)++;
					}
				}
				if (pos == NULL && found == all)
					return found;
			}
		}
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

/*
 * The record at off: its size in *size, and the chunk offset of the
 * template definition it instantiates in *toff (0 for the direct form,
 * whose names and values are inline). Returns 0 when it is no record.
 *
 * Record: "**\0\0", size (4), id (8), written time (8), binary XML, size.
 * Binary XML: fragment header (0x0f 1 1 0), then a template instance
 * (0x0c, 1 byte, template id (4), definition offset (4)); anything else
 * is the direct form.
 */
static int
record_parts(const uint8_t *chunk, size_t len, size_t off, uint32_t *size,
    uint32_t *toff)
{
	const uint8_t *r = chunk + off;

	if (off + 24 > len || memcmp(r, "**\0\0", 4) != 0)
		return 0;
	*size = le32(r + 4);
	if (*size < 24 + 14 + 4 || *size > len - off)
		return 0;
	*toff = r[24] == 0x0f && r[28] == 0x0c ? le32(r + 34) : 0;
	return 1;
}

int
prefilter_record(const struct prefilter *pf, const uint8_t *chunk, size_t len,
    size_t off, struct prefilter_cache *cache)
{
	uint32_t size, toff, found;

	if (!record_parts(chunk, len, off, &size, &toff))
		return 1;
	found = names_in_span(pf, chunk, off, off + size, cache);
	if (rules_met(pf, found))
		return 1;
	/* The direct form carries its names inline: searched above. */
	if (toff == 0)
		return 0;
	return rules_met(pf, found | template_names(pf, chunk, len, toff, cache));
}

/* ---- the Computer of a record ------------------------------------------- */

static unsigned
le16(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* Whether the name string at chunk offset noff (next (4), hash (2), length (2), UTF-16LE) is "Computer". */
static int
is_computer_name(const uint8_t *chunk, size_t len, size_t noff)
{
	static const uint8_t name[16] = { 'C', 0, 'o', 0, 'm', 0, 'p', 0,
	    'u', 0, 't', 0, 'e', 0, 'r', 0 };

	return noff >= EVTX_CHUNK_HEADER_SIZE && noff + 8 + 16 <= len &&
	    le16(chunk + noff + 6) == 8 && memcmp(chunk + noff + 8, name, 16) == 0;
}

/*
 * The text of the first <Computer> element in chunk[a..b): an open start
 * element token (0x01, or 0x41 with attributes), a dependency identifier
 * (2; absent in some writers' output, so both layouts are tried), the
 * data size (4) and the name's offset (4), the name itself when it is
 * defined there, the attribute list (size (4), attributes) for 0x41, a
 * close start element (0x02), one value text (0x05 or 0x45, type 0x01
 * string, length (2), UTF-16LE) and an end element (0x04). Returns 1 with
 * *text and *units, 0 when there is none in this form (a substitution
 * there, or another layout).
 */
static int
computer_in_span(const uint8_t *chunk, size_t len, size_t a, size_t b,
    uint32_t *text, unsigned *units)
{
	if (b > len)
		b = len;
	for (size_t p = a; p + 9 <= b; p++) {
		uint8_t t = chunk[p];

		if (t != 0x01 && t != 0x41)
			continue;
		for (size_t skip = 2; ; skip = 0) {
			size_t q = p + 1 + skip + 4, noff;

			if (q + 4 <= b && is_computer_name(chunk, len,
			    noff = le32(chunk + q))) {
				q += 4;
				if (noff == q)
					q += 8 + 16 + 2;
				if (t == 0x41) {
					if (q + 4 > b)
						return 0;
					q += 4 + (size_t)le32(chunk + q);
				}
				if (q + 4 > b || chunk[q] != 0x02 ||
				    (chunk[q + 1] & 0xbf) != 0x05 || chunk[q + 2] != 0x01)
					return 0;
				*units = le16(chunk + q + 3);
				q += 5;
				if (q + 2 * (size_t)*units + 1 > b ||
				    chunk[q + 2 * (size_t)*units] != 0x04)
					return 0;
				*text = (uint32_t)q;
				return 1;
			}
			if (skip == 0)
				break;
		}
	}
	return 0;
}

/* See prefilter.h. */
int
prefilter_utf16_to_utf8(const uint8_t *s, unsigned units, char *out, size_t outsz)
{
	size_t o = 0;

	for (unsigned i = 0; i < units; i++) {
		uint32_t c = le16(s + 2 * (size_t)i);

		if (c >= 0xd800 && c <= 0xdbff && i + 1 < units) {
			uint32_t d = le16(s + 2 * (size_t)(i + 1));
			if (d >= 0xdc00 && d <= 0xdfff) {
				c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
				i++;
			}
		}
		if (c >= 0xd800 && c <= 0xdfff)
			c = 0xfffd;
		if (c == 0 || o + 5 > outsz)
			return 0;
		if (c < 0x80)
			out[o++] = (char)c;
		else if (c < 0x800) {
			out[o++] = (char)(0xc0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			out[o++] = (char)(0xe0 | c >> 12);
			out[o++] = (char)(0x80 | (c >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | c >> 18);
			out[o++] = (char)(0x80 | (c >> 12 & 0x3f));
			out[o++] = (char)(0x80 | (c >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	out[o] = '\0';
	return 1;
}

int
prefilter_computer(const uint8_t *chunk, size_t len, size_t off,
    struct prefilter_host_cache *cache, char *out, size_t outsz)
{
	uint32_t size, toff, tsize, text = 0;
	unsigned units = 0, i;
	int found;

	if (!record_parts(chunk, len, off, &size, &toff))
		return 0;
	if (toff == 0)
		found = computer_in_span(chunk, len, off + 24, off + size, &text, &units);
	else {
		for (i = 0; i < cache->n; i++)
			if (cache->toff[i] == toff)
				break;
		if (i < cache->n) {
			found = cache->text[i] != 0;
			text = cache->text[i];
			units = cache->units[i];
		} else {
			/* Definition: next offset (4), GUID (16), data size (4), data. */
			found = 0;
			if (toff >= EVTX_CHUNK_HEADER_SIZE && (size_t)toff + 24 <= len) {
				tsize = le32(chunk + toff + 20);
				if (tsize <= len - toff - 24)
					found = computer_in_span(chunk, len, toff + 24,
					    toff + 24 + (size_t)tsize, &text, &units);
			}
			if (cache->n < sizeof(cache->toff) / sizeof(cache->toff[0])) {
				cache->toff[cache->n] = toff;
				cache->text[cache->n] = found ? text : 0;
				cache->units[cache->n] = (uint16_t)units;
				cache->n++;
			}
		}
	}
	return found && prefilter_utf16_to_utf8(chunk + text, units, out, outsz);
}
