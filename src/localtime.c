/* localtime.c: local times of exports to UTC: time zones (tzdata through the C library) and locale date formats. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "localtime.h"
#include "xmalloc.h"

#define EPOCH_TICKS UINT64_C(116444736000000000)   /* 1970-01-01 as FILETIME */

struct au_tz {
	char *name;
	int named;                /* tzdata zone (else fixed offset) */
	long offset;              /* fixed: seconds east of UTC */
	/* Named: the offset found for the last local minute asked. */
	int64_t cache_minute;
	long cache_off;
	int cache_set;
};

static int
parse_offset(const char *s, long *off)
{
	int sign, hh, mm = 0, n = 0;

	if (strcasecmp(s, "UTC") == 0 || strcasecmp(s, "Z") == 0 ||
	    strcasecmp(s, "GMT") == 0) {
		*off = 0;
		return 1;
	}
	if (strncasecmp(s, "UTC", 3) == 0 || strncasecmp(s, "GMT", 3) == 0)
		s += 3;
	if (*s != '+' && *s != '-')
		return 0;
	sign = *s == '-' ? -1 : 1;
	s++;
	if (sscanf(s, "%2d:%2d%n", &hh, &mm, &n) == 2 && s[n] == '\0')
		;
	else if (strlen(s) == 4 && isdigit((unsigned char)s[0]) &&
	    sscanf(s, "%2d%2d%n", &hh, &mm, &n) == 2 && s[n] == '\0')
		;
	else if (sscanf(s, "%2d%n", &hh, &n) == 1 && s[n] == '\0')
		mm = 0;
	else
		return 0;
	if (!isdigit((unsigned char)s[0]) || hh > 14 || mm > 59)
		return 0;
	*off = sign * (hh * 3600L + mm * 60L);
	return 1;
}

/* A tzdata zone is a TZif file under TZDIR (or /usr/share/zoneinfo). */
static int
zone_exists(const char *name)
{
	const char *dir = getenv("TZDIR");
	char magic[4], *path;
	FILE *f;
	int ok = 0;

	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL)
		return 0;
	for (const char *p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_-+", *p) == NULL)
			return 0;
	path = xasprintf("%s/%s", dir != NULL && dir[0] != '\0' ? dir :
	    "/usr/share/zoneinfo", name);
	f = fopen(path, "rb");
	if (f != NULL) {
		ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
		fclose(f);
	}
	free(path);
	return ok;
}

struct au_error *
au_tz_open(const char *spec, struct au_tz **out)
{
	struct au_tz *tz;
	long off;
	char *env;

	*out = NULL;
	if (spec == NULL)
		return au_error_new(AU_ERR_USAGE, NULL, "no time zone given");
	if (parse_offset(spec, &off)) {
		tz = xcalloc(1, sizeof(*tz));
		tz->name = xstrdup(spec);
		tz->offset = off;
		*out = tz;
		return NULL;
	}
	if (!zone_exists(spec))
		return au_error_new(AU_ERR_USAGE, NULL,
		    "unknown time zone '%s' (an IANA name such as Europe/Berlin, "
		    "or an offset such as +02:00)", spec);
	tz = xcalloc(1, sizeof(*tz));
	tz->name = xstrdup(spec);
	tz->named = 1;
	env = xasprintf(":%s", spec);
	setenv("TZ", env, 1);
	free(env);
	tzset();
	*out = tz;
	return NULL;
}

void
au_tz_free(struct au_tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->name);
	free(tz);
}

const char *
au_tz_name(const struct au_tz *tz)
{
	return tz != NULL ? tz->name : "UTC";
}

static long
offset_at(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/*
 * The offset of local time `local` (seconds since 1970 read as if UTC):
 * the offsets 12 hours either side are the candidates; the one that
 * gives back its own offset is it. Two (a repeated hour): the first,
 * i.e. the larger offset. None (a skipped hour): the earlier offset,
 * which puts the time after the change.
 */
static long
named_offset(int64_t local)
{
	long a = offset_at((time_t)(local - 43200)), b = offset_at((time_t)(local + 43200));
	int va = offset_at((time_t)(local - a)) == a;
	int vb = offset_at((time_t)(local - b)) == b;

	if (va && vb)
		return a > b ? a : b;
	if (va)
		return a;
	if (vb)
		return b;
	return a;
}

int
au_tz_to_utc(const struct au_tz *tz, const struct au_civil *c, uint64_t *ft)
{
	uint64_t t;
	int64_t local, minute;
	long off;

	if (!au_filetime_from_civil(c, &t))
		return 0;
	if (tz == NULL)
		off = 0;
	else if (!tz->named)
		off = tz->offset;
	else {
		local = ((int64_t)t - (int64_t)EPOCH_TICKS) /
		    (int64_t)AU_TICKS_PER_SECOND;
		minute = local / 60;
		if (!tz->cache_set || tz->cache_minute != minute) {
			struct au_tz *m = (struct au_tz *)tz;   /* cache only */
			m->cache_off = named_offset(minute * 60);
			m->cache_minute = minute;
			m->cache_set = 1;
		}
		off = tz->cache_off;
	}
	if (off > 0 && t < (uint64_t)off * AU_TICKS_PER_SECOND)
		return 0;
	*ft = (uint64_t)((int64_t)t - (int64_t)off * (int64_t)AU_TICKS_PER_SECOND);
	return 1;
}

struct au_error *
au_date_order_parse(const char *arg, enum au_date_order *order)
{
	if (strcasecmp(arg, "DMY") == 0)
		*order = AU_DATE_DMY;
	else if (strcasecmp(arg, "MDY") == 0)
		*order = AU_DATE_MDY;
	else
		return au_error_new(AU_ERR_USAGE, NULL,
		    "bad date order '%s' (expected DMY or MDY)", arg);
	return NULL;
}

/* Reads 1..max digits at *i. */
static int
num(const char *s, size_t len, size_t *i, int min, int max, unsigned *v)
{
	int n = 0;

	*v = 0;
	while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9') {
		*v = *v * 10 + (unsigned)(s[*i] - '0');
		(*i)++;
		n++;
	}
	return n >= min;
}

static int
lit(const char *s, size_t len, size_t *i, char ch)
{
	if (*i < len && s[*i] == ch) {
		(*i)++;
		return 1;
	}
	return 0;
}

/* H:MM:SS[.fraction][ AM|PM] from *i to the end. */
static int
clock_part(const char *s, size_t len, size_t i, int ampm_ok, struct au_civil *c)
{
	unsigned h, m, sec, digits = 0;
	uint32_t frac = 0;

	if (!num(s, len, &i, 1, 2, &h) || !lit(s, len, &i, ':') ||
	    !num(s, len, &i, 2, 2, &m) || !lit(s, len, &i, ':') ||
	    !num(s, len, &i, 2, 2, &sec))
		return 0;
	if (lit(s, len, &i, '.') || lit(s, len, &i, ',')) {
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			if (digits++ < 7)
				frac = frac * 10 + (uint32_t)(s[i] - '0');
		if (digits == 0)
			return 0;
		for (; digits < 7; digits++)
			frac *= 10;
	}
	while (i < len && (s[i] == ' ' || s[i] == '\xa0' || s[i] == '\xc2'))
		i++;   /* also U+00A0 (UTF-8 C2 A0), used before AM/PM by some cultures */
	if (ampm_ok && i + 2 == len && (s[i + 1] == 'M' || s[i + 1] == 'm')) {
		int pm = s[i] == 'P' || s[i] == 'p';
		if (!pm && s[i] != 'A' && s[i] != 'a')
			return 0;
		if (h < 1 || h > 12)
			return 0;
		h = h % 12 + (pm ? 12 : 0);
		i = len;
	}
	if (i != len || h > 23 || m > 59 || sec > 60)
		return 0;
	c->hour = h;
	c->minute = m;
	c->second = sec == 60 ? 59 : sec;
	c->ticks = frac;
	return 1;
}

int
au_local_date_parse(const char *s, size_t len, enum au_date_order order,
    struct au_civil *c, enum au_date_order *hint)
{
	size_t i = 0;
	unsigned a, b, y;
	char sep;
	uint64_t check;

	*hint = AU_DATE_UNKNOWN;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\r'))
		len--;
	while (i < len && s[i] == ' ')
		i++;
	memset(c, 0, sizeof(*c));
	if (len - i >= 10 && s[i + 4] == '-') {
		if (!num(s, len, &i, 4, 4, &y) || !lit(s, len, &i, '-') ||
		    !num(s, len, &i, 2, 2, &a) || !lit(s, len, &i, '-') ||
		    !num(s, len, &i, 2, 2, &b))
			return 0;
		if (!lit(s, len, &i, 'T') && !lit(s, len, &i, ' '))
			return 0;
		c->year = y;
		c->month = a;
		c->day = b;
		if (!clock_part(s, len, i, 0, c))
			return 0;
		return au_filetime_from_civil(c, &check);
	}
	if (!num(s, len, &i, 1, 2, &a) || i >= len)
		return 0;
	sep = s[i++];
	if ((sep != '/' && sep != '.' && sep != '-') || !num(s, len, &i, 1, 2, &b) ||
	    !lit(s, len, &i, sep) || !num(s, len, &i, 4, 4, &y))
		return 0;
	if (sep == '.')
		lit(s, len, &i, '.');   /* "20.06.2016." (some cultures) */
	if (!lit(s, len, &i, ' '))
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	c->year = y;
	if (sep == '.') {
		c->day = a;
		c->month = b;
	} else {
		if (a > 12 && b <= 12)
			*hint = AU_DATE_DMY;
		else if (b > 12 && a <= 12)
			*hint = AU_DATE_MDY;
		if (a > 12 && b > 12)
			return 0;
		if (order == AU_DATE_UNKNOWN)
			order = *hint != AU_DATE_UNKNOWN ? *hint : AU_DATE_MDY;   /* checking only */
		c->day = order == AU_DATE_DMY ? a : b;
		c->month = order == AU_DATE_DMY ? b : a;
	}
	if (!clock_part(s, len, i, 1, c))
		return 0;
	return au_filetime_from_civil(c, &check);
}

int
au_iso_offset_parse(const char *s, size_t len, uint64_t *ft)
{
	struct au_civil c;
	enum au_date_order hint;
	size_t n = len;
	long off = 0;
	char buf[8];

	if (len < 20)
		return 0;
	if (s[len - 1] == 'Z')
		n = len - 1;
	else if (len >= 25 && (s[len - 6] == '+' || s[len - 6] == '-') &&
	    s[len - 3] == ':') {
		memcpy(buf, s + len - 6, 6);
		buf[6] = '\0';
		if (!parse_offset(buf, &off))
			return 0;
		n = len - 6;
	} else
		return 0;
	if (memchr(s, 'T', n) == NULL ||
	    !au_local_date_parse(s, n, AU_DATE_UNKNOWN, &c, &hint))
		return 0;
	{
		struct au_tz fixed;
		memset(&fixed, 0, sizeof(fixed));
		fixed.offset = off;
		return au_tz_to_utc(&fixed, &c, ft);
	}
}
