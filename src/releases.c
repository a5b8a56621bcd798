/* releases.c: loads the release catalog (TSV) and judges versions with it: lookup, successor, support status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "event.h"
#include "releases.h"
#include "xmalloc.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/aadc-upgrade"
#endif

#define RELEASES_HEADER "version\trelease_date\tauto_upgrade\tend_of_support\tnote"
#define RELEASES_NFIELDS 5
/* A catalog is small (about 100 rows); these bound a hostile one. */
#define RELEASES_MAX_LINE 65536
#define RELEASES_MAX_ROWS 10000

static const char *const auto_names[] = {
	[AU_AUTO_YES] = "yes",
	[AU_AUTO_NO] = "no",
	[AU_AUTO_DOWNLOAD_ONLY] = "download-only",
	[AU_AUTO_UNKNOWN] = "unknown",
};

static const char *const support_names[] = {
	[AU_SUPPORT_RECALLED] = "recalled",
	[AU_SUPPORT_BELOW_FLOOR] = "below-floor",
	[AU_SUPPORT_RETIRED] = "retired",
	[AU_SUPPORT_RETIRING] = "retiring",
	[AU_SUPPORT_UNKNOWN] = "unknown",
	[AU_SUPPORT_SUPPORTED] = "supported",
};

const char *
releases_auto_upgrade_name(enum au_auto_upgrade a)
{
	return (unsigned)a <= AU_AUTO_UNKNOWN ? auto_names[a] : "unknown";
}

const char *
releases_support_name(enum au_support s)
{
	return (unsigned)s < AU_SUPPORT_COUNT ? support_names[s] : "unknown";
}

int
releases_version_parse(const char *text, struct au_version *v)
{
	struct au_version out;
	const char *p = text;
	size_t n = 0;

	memset(&out, 0, sizeof(out));
	if (text == NULL)
		return 0;
	for (;;) {
		uint64_t x = 0;
		const char *start = p;

		if (n == AU_VERSION_PARTS)
			return 0;
		while (*p >= '0' && *p <= '9') {
			x = x * 10 + (uint64_t)(*p - '0');
			if (x > UINT32_MAX)
				return 0;
			p++;
		}
		if (p == start)
			return 0;
		out.part[n++] = (uint32_t)x;
		if (*p == '\0')
			break;
		if (*p++ != '.')
			return 0;
	}
	*v = out;
	return 1;
}

int
releases_version_cmp(const struct au_version *a, const struct au_version *b)
{
	for (size_t i = 0; i < AU_VERSION_PARTS; i++)
		if (a->part[i] != b->part[i])
			return a->part[i] < b->part[i] ? -1 : 1;
	return 0;
}

/* "YYYY-MM-DD" (or "YYYY-MM" when month_ok) as the FILETIME of its first day; 0 when not a date. */
static uint64_t
releases_date(const char *s, int month_ok)
{
	struct au_civil c;
	uint64_t ft;
	size_t len = strlen(s);

	memset(&c, 0, sizeof(c));
	for (size_t i = 0; i < len; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	if (len == 10) {
		c.day = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	} else if (len == 7 && month_ok) {
		c.day = 1;
	} else
		return 0;
	c.year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	c.month = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	if (!au_filetime_from_civil(&c, &ft))
		return 0;
	return ft;
}

/* The first "YYYY-MM-DD" in s, or 0. */
static uint64_t
releases_first_date(const char *s)
{
	char buf[11];

	for (; strlen(s) >= 10; s++) {
		uint64_t ft;

		memcpy(buf, s, 10);
		buf[10] = '\0';
		if ((ft = releases_date(buf, 0)) != 0)
			return ft;
	}
	return 0;
}

/*
 * "starting <Month> <day>[st|nd|rd|th], <year>", as the release notes
 * announce phased roll-outs; 0 when the note has none.
 */
static uint64_t
releases_rollout(const char *note)
{
	static const char *const months[] = { "January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December" };
	const char *p = note;

	while ((p = strstr(p, "starting ")) != NULL) {
		struct au_civil c;
		uint64_t ft;
		const char *q;
		char *end;
		size_t m;

		p += strlen("starting ");
		for (m = 0; m < 12; m++)
			if (strncasecmp(p, months[m], strlen(months[m])) == 0 &&
			    p[strlen(months[m])] == ' ')
				break;
		if (m == 12)
			continue;
		memset(&c, 0, sizeof(c));
		c.month = (unsigned)m + 1;
		q = p + strlen(months[m]) + 1;
		if (*q < '0' || *q > '9')
			continue;
		c.day = (unsigned)strtoul(q, &end, 10);
		q = end;
		if (strncmp(q, "st", 2) == 0 || strncmp(q, "nd", 2) == 0 ||
		    strncmp(q, "rd", 2) == 0 || strncmp(q, "th", 2) == 0)
			q += 2;
		if (strncmp(q, ", ", 2) != 0 || q[2] < '0' || q[2] > '9')
			continue;
		c.year = (int64_t)strtoul(q + 2, &end, 10);
		if (end != q + 6 || !au_filetime_from_civil(&c, &ft))
			continue;
		return ft;
	}
	return 0;
}

/* Whether s is valid UTF-8 without control characters. */
static int
releases_text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t n;
		uint32_t cp;

		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return 0;
		p += n + 1;
	}
	return 1;
}

static void
releases_row_clear(struct au_release *r)
{
	free(r->version);
	free(r->release_date);
	free(r->end_of_support);
	free(r->note);
}

/* Newest version first. */
static int
releases_row_cmp(const void *pa, const void *pb)
{
	const struct au_release *a = pa, *b = pb;

	return releases_version_cmp(&b->v, &a->v);
}

/* One data line (without its newline) into *r; a message on error. */
static char *
releases_parse_row(char *line, struct au_release *r)
{
	char *field[RELEASES_NFIELDS];
	size_t n = 0;
	char *p = line;
	size_t a;

	memset(r, 0, sizeof(*r));
	for (const char *q = line; *q != '\0'; q++)
		n += *q == '\t';
	if (++n != RELEASES_NFIELDS)
		return xasprintf("%zu fields, expected %d (tab-separated)", n,
		    RELEASES_NFIELDS);
	for (size_t i = 0; i < n; i++) {
		char *tab = strchr(p, '\t');

		field[i] = p;
		if (tab != NULL) {
			*tab = '\0';
			p = tab + 1;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!releases_text_ok(field[i]))
			return xasprintf("a control character or invalid UTF-8");
	if (!releases_version_parse(field[0], &r->v))
		return xasprintf("bad version \"%.40s\"", field[0]);
	if (field[1][0] != '\0' &&
	    (r->released = releases_date(field[1], 1)) == 0)
		return xasprintf("bad release_date \"%.40s\" (YYYY-MM-DD, YYYY-MM or empty)",
		    field[1]);
	for (a = 0; a <= AU_AUTO_UNKNOWN; a++)
		if (strcmp(field[2], auto_names[a]) == 0)
			break;
	if (a > AU_AUTO_UNKNOWN)
		return xasprintf("bad auto_upgrade \"%.40s\" (yes, no, download-only or unknown)",
		    field[2]);
	r->auto_upgrade = (enum au_auto_upgrade)a;
	if (field[3][0] != '\0' &&
	    (r->support_ends = releases_date(field[3], 0)) == 0)
		return xasprintf("bad end_of_support \"%.40s\" (YYYY-MM-DD or empty)",
		    field[3]);
	r->recalled = strncmp(field[4], "RECALLED", 8) == 0;
	r->rollout_start = releases_rollout(field[4]);
	r->version = xstrdup(field[0]);
	r->release_date = xstrdup(field[1]);
	r->end_of_support = xstrdup(field[3]);
	r->note = xstrdup(field[4]);
	return NULL;
}

/* Sorts, rejects repeated versions and finds the floor. */
static char *
releases_finish(struct au_catalog *cat, size_t *line)
{
	qsort(cat->rows, cat->nrows, sizeof(*cat->rows), releases_row_cmp);
	for (size_t i = 0; i < cat->nrows; i++) {
		struct au_release *r = &cat->rows[i];

		if (i > 0 && releases_version_cmp(&r->v, &cat->rows[i - 1].v) == 0) {
			*line = r->line > cat->rows[i - 1].line ? r->line :
			    cat->rows[i - 1].line;
			return xasprintf("version %s listed twice (lines %zu and %zu)",
			    r->version, cat->rows[i - 1].line < r->line ?
			    cat->rows[i - 1].line : r->line, *line);
		}
		if (strncmp(r->note, "MANDATORY MINIMUM", 17) == 0 &&
		    cat->floor == NULL) {
			if ((cat->floor_time = releases_first_date(r->note)) == 0) {
				*line = r->line;
				return xasprintf("a MANDATORY MINIMUM note needs the date sync stops (YYYY-MM-DD)");
			}
			cat->floor = r;
		}
	}
	return NULL;
}

/*
 * Reads one line without its newline into buf (RELEASES_MAX_LINE + 1
 * bytes), NUL bytes included: -1 at the end of the file, 1 when the line
 * is too long (the rest of it is not read), else 0.
 */
static int
releases_getline(FILE *f, char *buf, size_t *len)
{
	int c;

	*len = 0;
	while ((c = getc(f)) != EOF && c != '\n') {
		if (*len == RELEASES_MAX_LINE)
			return 1;
		buf[(*len)++] = (char)c;
	}
	buf[*len] = '\0';
	return c == EOF && *len == 0 ? -1 : 0;
}

struct au_error *
releases_load(const char *path, struct au_catalog **out)
{
	struct au_error *err = NULL;
	struct au_catalog *cat = xcalloc(1, sizeof(*cat));
	char *buf = xmalloc(RELEASES_MAX_LINE + 1), *msg = NULL;
	size_t line = 0, cap = 0, len;
	int rc;
	FILE *f = NULL;

	*out = NULL;
	cat->path = xstrdup(path);
	if ((f = fopen(path, "r")) == NULL) {
		err = au_error_errno(AU_ERR_INPUT, path, errno,
		    "cannot open the release catalog");
		goto done;
	}
	while ((rc = releases_getline(f, buf, &len)) >= 0) {
		struct au_release r;

		line++;
		if (rc > 0) {
			msg = xasprintf("longer than %d bytes", RELEASES_MAX_LINE);
			goto done;
		}
		if (len > 0 && buf[len - 1] == '\r')   /* edited on Windows */
			buf[--len] = '\0';
		if (memchr(buf, '\0', len) != NULL) {
			msg = xasprintf("a NUL byte");
			goto done;
		}
		if (line == 1) {
			if (strcmp(buf, RELEASES_HEADER) != 0) {
				msg = xasprintf("the header is not \"version<TAB>release_date<TAB>auto_upgrade<TAB>end_of_support<TAB>note\"");
				goto done;
			}
			continue;
		}
		if (len == 0)
			continue;
		if (cat->nrows == RELEASES_MAX_ROWS) {
			msg = xasprintf("more than %d releases", RELEASES_MAX_ROWS);
			goto done;
		}
		if ((msg = releases_parse_row(buf, &r)) != NULL)
			goto done;
		r.line = line;
		if (cat->nrows == cap) {
			cap = cap ? 2 * cap : 128;
			cat->rows = xreallocarray(cat->rows, cap, sizeof(*cat->rows));
		}
		cat->rows[cat->nrows++] = r;
	}
	if (ferror(f)) {
		err = au_error_errno(AU_ERR_INPUT, path, errno,
		    "cannot read the release catalog");
		goto done;
	}
	if (line == 0) {
		line = 1;
		msg = xasprintf("empty file, expected the header");
		goto done;
	}
	if (cat->nrows == 0) {
		msg = xasprintf("no releases after the header");
		goto done;
	}
	msg = releases_finish(cat, &line);
done:
	if (msg != NULL)
		err = au_error_new(AU_ERR_INPUT, path, "line %zu: %s", line, msg);
	if (f != NULL)
		fclose(f);
	free(msg);
	free(buf);
	if (err != NULL)
		releases_free(cat);
	else
		*out = cat;
	return err;
}

void
releases_free(struct au_catalog *cat)
{
	if (cat == NULL)
		return;
	for (size_t i = 0; i < cat->nrows; i++)
		releases_row_clear(&cat->rows[i]);
	free(cat->rows);
	free(cat->path);
	free(cat);
}

const char *
releases_default_path(void)
{
	const char *env = getenv("AADC_UPGRADE_RELEASES");

	return env != NULL && env[0] != '\0' ? env : PKGDATADIR "/releases.tsv";
}

const struct au_release *
releases_lookup(const struct au_catalog *cat, const char *version)
{
	struct au_version v;
	size_t lo = 0, hi;

	if (cat == NULL || !releases_version_parse(version, &v))
		return NULL;
	hi = cat->nrows;
	while (lo < hi) {   /* rows are newest first */
		size_t mid = lo + (hi - lo) / 2;
		int c = releases_version_cmp(&cat->rows[mid].v, &v);

		if (c == 0)
			return &cat->rows[mid];
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
releases_is_released(const struct au_release *r, uint64_t now)
{
	return r->released != 0 && r->released <= now && !r->recalled;
}

const struct au_release *
releases_successor(const struct au_catalog *cat, const struct au_release *r)
{
	const struct au_release *best = NULL;

	if (cat == NULL || r == NULL)
		return NULL;
	for (size_t i = 0; i < cat->nrows; i++) {
		const struct au_release *x = &cat->rows[i];

		if (releases_version_cmp(&x->v, &r->v) <= 0)
			break;
		if (x->released != 0 && !x->recalled)
			best = x;
	}
	return best;
}

const struct au_release *
releases_newest_auto(const struct au_catalog *cat, uint64_t now)
{
	for (size_t i = 0; cat != NULL && i < cat->nrows; i++)
		if (cat->rows[i].auto_upgrade == AU_AUTO_YES &&
		    releases_is_released(&cat->rows[i], now))
			return &cat->rows[i];
	return NULL;
}

const struct au_release *
releases_newest(const struct au_catalog *cat, uint64_t now)
{
	for (size_t i = 0; cat != NULL && i < cat->nrows; i++)
		if (releases_is_released(&cat->rows[i], now))
			return &cat->rows[i];
	return NULL;
}

int
releases_newer_than_catalog(const struct au_catalog *cat, const char *version)
{
	struct au_version v;

	return cat != NULL && cat->nrows > 0 &&
	    releases_version_parse(version, &v) &&
	    releases_version_cmp(&v, &cat->rows[0].v) > 0;
}

enum au_support
releases_support(const struct au_catalog *cat, const char *version,
    uint64_t now)
{
	const struct au_release *r = releases_lookup(cat, version);
	uint64_t retiring = AU_RETIRING_DAYS * AU_TICKS_PER_DAY;

	if (r == NULL)
		return AU_SUPPORT_UNKNOWN;
	if (r->recalled)
		return AU_SUPPORT_RECALLED;
	if (cat->floor != NULL && now >= cat->floor_time &&
	    releases_version_cmp(&r->v, &cat->floor->v) < 0)
		return AU_SUPPORT_BELOW_FLOOR;
	if (r->support_ends != 0) {
		if (now >= r->support_ends + AU_TICKS_PER_DAY)
			return AU_SUPPORT_RETIRED;
		if (now + retiring >= r->support_ends)
			return AU_SUPPORT_RETIRING;
	}
	return AU_SUPPORT_SUPPORTED;
}

int64_t
releases_auto_upgrade_behind(const struct au_catalog *cat, const char *version,
    uint64_t now)
{
	const struct au_release *r = releases_lookup(cat, version);
	int64_t n = 0;

	if (r == NULL)
		return -1;
	for (size_t i = 0; i < cat->nrows; i++) {
		const struct au_release *x = &cat->rows[i];

		if (releases_version_cmp(&x->v, &r->v) <= 0)
			break;
		if (x->auto_upgrade == AU_AUTO_YES && releases_is_released(x, now))
			n++;
	}
	return n;
}

void
releases_build(const struct au_catalog *cat, const struct au_install *in,
    uint64_t now, struct au_build *b)
{
	memset(b, 0, sizeof(*b));
	b->now = now;
	b->install = in;
	if (in != NULL && in->version != NULL && in->version[0] != '\0')
		b->installed_version = in->version;
	if (in != NULL) {
		b->product = in->product;
		b->installed_time = in->time;
	}
	b->support = releases_support(cat, b->installed_version, now);
	b->releases_behind = releases_auto_upgrade_behind(cat,
	    b->installed_version, now);
	b->newer_than_catalog = releases_newer_than_catalog(cat,
	    b->installed_version);
	b->release = releases_lookup(cat, b->installed_version);
	b->successor = releases_successor(cat, b->release);
	b->newest_auto = releases_newest_auto(cat, now);
	b->newest = releases_newest(cat, now);
}
