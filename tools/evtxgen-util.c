/* evtxgen: helpers (errors, memory, UTF-8/16, interning, CRC32, time). */
#define _POSIX_C_SOURCE 200809L
#include "evtxgen.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *g_file = "-";
const char *g_out_created;

_Noreturn void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "evtxgen: %s: ", g_file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (g_out_created)
		unlink(g_out_created);	/* no half-written log left behind */
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);
	memcpy(p, s, n);
	return p;
}

long utf8_to_16(const char *s, size_t len, uint16_t *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	size_t n = 0;
	while (p < e) {
		uint32_t c = *p++;
		int more;
		if (c < 0x80) {
			if (n >= cap)
				return -1;
			out[n++] = (uint16_t)c;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			c &= 0x1F; more = 1;
		} else if ((c & 0xF0) == 0xE0) {
			c &= 0x0F; more = 2;
		} else if ((c & 0xF8) == 0xF0) {
			c &= 0x07; more = 3;
		} else
			return -1;
		if (e - p < more)
			return -1;
		while (more--) {
			if ((*p & 0xC0) != 0x80)
				return -1;
			c = (c << 6) | (*p++ & 0x3F);
		}
		if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return -1;
		if (c >= 0x10000) {
			if (n + 2 > cap)
				return -1;
			c -= 0x10000;
			out[n++] = (uint16_t)(0xD800 | (c >> 10));
			out[n++] = (uint16_t)(0xDC00 | (c & 0x3FF));
		} else {
			if (n >= cap)
				return -1;
			out[n++] = (uint16_t)c;
		}
	}
	return (long)n;
}

/* ---- interning ---- */

typedef struct inode {
	estr_t s;
	struct inode *next;
} inode_t;

#define IHASH 4096
static inode_t *itab[IHASH];

static uint64_t fnv64(const void *d, size_t n, uint64_t h)
{
	const unsigned char *p = d;
	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

const estr_t *intern(const char *s)
{
	size_t len = strlen(s);
	unsigned h = (unsigned)(fnv64(s, len, 0xcbf29ce484222325ULL) % IHASH);
	for (inode_t *n = itab[h]; n; n = n->next)
		if (strcmp(n->s.u8, s) == 0)
			return &n->s;
	inode_t *n = xmalloc(sizeof *n);
	n->s.u8 = xstrdup(s);
	n->s.u16 = xmalloc((len + 1) * sizeof(uint16_t));
	long k = utf8_to_16(s, len, n->s.u16, len + 1);
	if (k < 0)
		die("invalid UTF-8 in string");
	n->s.n16 = (size_t)k;
	n->next = itab[h];
	itab[h] = n;
	return &n->s;
}

typedef struct {
	const estr_t *prov, *chan, *comp;
	uint8_t guid[16];
} tkey_t;

static tkey_t *tkeys;
static int ntkeys, captkeys;

int tkey_get(const estr_t *prov, const estr_t *chan, const estr_t *comp)
{
	for (int i = 0; i < ntkeys; i++)
		if (tkeys[i].prov == prov && tkeys[i].chan == chan && tkeys[i].comp == comp)
			return i;
	if (ntkeys == captkeys) {
		captkeys = captkeys ? captkeys * 2 : 32;
		tkeys = xrealloc(tkeys, (size_t)captkeys * sizeof *tkeys);
	}
	tkey_t *t = &tkeys[ntkeys];
	t->prov = prov;
	t->chan = chan;
	t->comp = comp;
	uint64_t h1 = 0x6a09e667f3bcc908ULL, h2 = 0xbb67ae8584caa73bULL;
	const estr_t *parts[3] = { prov, chan, comp };
	for (int i = 0; i < 3; i++) {
		if (!parts[i]) {
			h1 = fnv64("\1", 1, h1);
			continue;
		}
		h1 = fnv64(parts[i]->u16, parts[i]->n16 * 2, h1);
		h1 = fnv64("\0\0\0", 3, h1);
	}
	uint64_t st = h1;
	h1 = splitmix64(&st);
	h2 ^= splitmix64(&st);
	memcpy(t->guid, &h1, 8);
	memcpy(t->guid + 8, &h2, 8);
	return ntkeys++;
}

int tkey_count(void)
{
	return ntkeys;
}

void tkey_info(int k, const estr_t **prov, const estr_t **chan, const estr_t **comp, uint8_t guid[16])
{
	*prov = tkeys[k].prov;
	*chan = tkeys[k].chan;
	*comp = tkeys[k].comp;
	memcpy(guid, tkeys[k].guid, 16);
}

void intern_free_all(void)
{
	for (int i = 0; i < IHASH; i++) {
		inode_t *n = itab[i];
		while (n) {
			inode_t *x = n->next;
			free(n->s.u8);
			free(n->s.u16);
			free(n);
			n = x;
		}
		itab[i] = NULL;
	}
	free(tkeys);
	tkeys = NULL;
	ntkeys = captkeys = 0;
}

/* ---- CRC32 (IEEE, reflected), slicing by 8 ---- */

static uint32_t crctab[8][256];
static int crcinit;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crctab[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crctab[t][i] = (crctab[t - 1][i] >> 8) ^ crctab[0][crctab[t - 1][i] & 0xFF];
	crcinit = 1;
}

uint32_t crc32_buf(uint32_t crc, const uint8_t *p, size_t n)
{
	if (!crcinit)
		crc_init();
	crc = ~crc;
	while (n >= 8) {
		uint32_t a = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		uint32_t b = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
		crc = crctab[7][a & 0xFF] ^ crctab[6][(a >> 8) & 0xFF] ^ crctab[5][(a >> 16) & 0xFF] ^ crctab[4][a >> 24] ^
		      crctab[3][b & 0xFF] ^ crctab[2][(b >> 8) & 0xFF] ^ crctab[1][(b >> 16) & 0xFF] ^ crctab[0][b >> 24];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = crctab[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

/* ---- time ---- */

static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long yy = (long long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

#define EPOCH_DIFF 11644473600LL	/* seconds 1601-01-01 .. 1970-01-01 */

static int digits(const char **p, int n, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)((*p)[i] - '0');
	}
	*p += n;
	return 0;
}

int parse_time(const char *s, uint64_t *ft)
{
	unsigned Y, M, D, h, mi, se;
	const char *p = s;
	if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' || digits(&p, 2, &D))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &se))
		return -1;
	unsigned frac = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		while (*p >= '0' && *p <= '9') {
			if (n >= 7)
				return -1;
			frac = frac * 10 + (unsigned)(*p++ - '0');
			n++;
		}
		if (n == 0)
			return -1;
		for (; n < 7; n++)
			frac *= 10;
	}
	if ((*p != 'Z' && *p != 'z') || p[1])
		return -1;
	static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (Y < 1601 || M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || mi > 59 || se > 59)
		return -1;
	if (M == 2 && D == 29 && !((Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0))
		return -1;
	long long days = days_from_civil(Y, M, D);
	long long secs = days * 86400 + h * 3600 + mi * 60 + se + EPOCH_DIFF;
	*ft = (uint64_t)secs * 10000000ULL + frac;
	return 0;
}

void format_time(uint64_t ft, char out[32])
{
	long long secs = (long long)(ft / 10000000ULL) - EPOCH_DIFF;
	unsigned frac = (unsigned)(ft % 10000000ULL);
	long long days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	long long rem = secs - days * 86400;
	long long y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	char *p = out;
	unsigned yy = (unsigned)y;
	if (yy > 9999) {
		if (yy > 99999)
			yy = 99999;
		*p++ = (char)('0' + yy / 10000);
		yy %= 10000;
	}
	unsigned v[6] = { yy, m, d, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60) };
	static const char sep[6] = { '-', '-', 'T', ':', ':', '.' };
	for (int i = 0; i < 6; i++) {
		int nd = i == 0 ? 4 : 2;
		for (int k = nd - 1; k >= 0; k--) {
			p[k] = (char)('0' + v[i] % 10);
			v[i] /= 10;
		}
		p += nd;
		*p++ = sep[i];
	}
	for (int k = 6; k >= 0; k--) {
		p[k] = (char)('0' + frac % 10);
		frac /= 10;
	}
	p += 7;
	*p++ = 'Z';
	*p = 0;
}

void json_put_str(FILE *f, const char *s)
{
	putc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				putc(*p, f);
		}
	}
	putc('"', f);
}

uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}
