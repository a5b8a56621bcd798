/* render.c: time formatting and the helpers the report writers share. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "xmalloc.h"

/* A growing string; the writers here build escaped copies with it. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void
sbuf_add(struct sbuf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xreallocarray(b->s, cap, 1);
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
sbuf_addf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_add(b, p, strlen(p));
	free(p);
}

static char *
sbuf_finish(struct sbuf *b)
{
	if (b->s == NULL)
		return xstrdup("");
	return b->s;
}

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), storing its
 * code point; 0 when the first byte does not start one. Strict as in
 * RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF, which is
 * also what Jansson accepts.
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		unsigned char cc = s[i];
		if (i == 1 ? (cc < lo || cc > hi) : (cc < 0x80 || cc > 0xBF))
			return 0;
		v = (v << 6) | (cc & 0x3F);
	}
	*cp = v;
	return len;
}

/* Code points that can reorder or hide text on screen (Trojan Source). */
static int
is_invisible_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C ||
	    cp == 0x200E || cp == 0x200F ||
	    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x2028 || cp == 0x2029;
}

char *
render_escape(const char *str, size_t max, enum render_escape how)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t n = strlen((const char *)s), i = 0, shown;
	struct sbuf b = { 0 };

	shown = (max > 0 && n > max) ? max : n;
	while (i < shown) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0) {
			sbuf_addf(&b, "\\x%02x", s[i]);
			i++;
			continue;
		}
		if (i + len > shown)
			break;     /* never cut a character in half */
		if (cp == '\n')
			sbuf_add(&b, "\\n", 2);
		else if (cp == '\r')
			sbuf_add(&b, "\\r", 2);
		else if (cp == '\t')
			sbuf_add(&b, "\\t", 2);
		else if (cp < 0x20 || cp == 0x7F)
			sbuf_addf(&b, "\\x%02x", (unsigned)cp);
		else if (is_invisible_control(cp))
			sbuf_addf(&b, "\\u%04x", (unsigned)cp);
		else if (how == RENDER_ESC_MARKDOWN && cp == '<')
			sbuf_add(&b, "&lt;", 4);
		else if (how == RENDER_ESC_MARKDOWN && cp == '>')
			sbuf_add(&b, "&gt;", 4);
		else if (how == RENDER_ESC_MARKDOWN && cp == '&')
			sbuf_add(&b, "&amp;", 5);
		else if (how == RENDER_ESC_MARKDOWN && cp < 0x80 &&
		    strchr("\\`*_[]#|~", (int)cp) != NULL) {
			sbuf_add(&b, "\\", 1);
			sbuf_add(&b, (const char *)s + i, 1);
		} else
			sbuf_add(&b, (const char *)s + i, len);
		i += len;
	}
	if (i < n)
		sbuf_addf(&b, "... (%zu more bytes)", n - i);
	return sbuf_finish(&b);
}

char *
render_utf8_sanitise(const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t n = strlen((const char *)s), i = 0;
	struct sbuf b = { 0 };

	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0) {
			sbuf_add(&b, "\xEF\xBF\xBD", 3);    /* U+FFFD */
			i++;
		} else {
			sbuf_add(&b, (const char *)s + i, len);
			i += len;
		}
	}
	return sbuf_finish(&b);
}

char *
render_time(uint64_t filetime, char *buf, size_t len)
{
	return au_time_text(filetime, 1, buf, len);
}

char *
render_date(uint64_t filetime, char *buf, size_t len)
{
	struct au_civil c;

	au_filetime_to_civil(filetime, &c);
	snprintf(buf, len, "%04" PRId64 "-%02u-%02u", c.year, c.month, c.day);
	return buf;
}

uint64_t
render_days(uint64_t from, uint64_t to)
{
	return to > from ? (to - from) / AU_TICKS_PER_DAY : 0;
}

char *
render_summary(const struct au_report *rep)
{
	size_t counts[AU_VERDICT_COUNT] = { 0 }, i;
	struct sbuf b = { 0 };
	int first = 1;

	for (i = 0; i < rep->nhosts; i++) {
		unsigned v = (unsigned)rep->hosts[i]->verdict;
		counts[v < AU_VERDICT_COUNT ? v : AU_VERDICT_UNKNOWN]++;
	}
	sbuf_addf(&b, "%zu %s", rep->nhosts, rep->nhosts == 1 ? "server" : "servers");
	if (rep->nhosts == 0)
		sbuf_addf(&b, ": no automatic-upgrade events found");
	for (i = 0; i < AU_VERDICT_COUNT; i++) {
		if (counts[i] == 0)
			continue;
		sbuf_addf(&b, "%s %zu %s", first ? ":" : ",", counts[i],
		    au_verdict_name((enum au_verdict)i));
		first = 0;
	}
	return sbuf_finish(&b);
}

/* "N results in a row since T (D days up to the last event)" */
static char *
run_text(uint64_t count, uint64_t since, uint64_t last)
{
	char when[32];
	uint64_t days = render_days(since, last);

	render_time(since, when, sizeof(when));
	if (days == 0)
		return xasprintf("%" PRIu64 " results in a row since %s (less"
		    " than a day up to the last event)", count, when);
	return xasprintf("%" PRIu64 " results in a row since %s (%" PRIu64
	    " %s up to the last event)", count, when, days,
	    days == 1 ? "day" : "days");
}

char *
render_streak(const struct au_host_report *hr)
{
	char when[32], *run, *s;
	uint64_t retries;

	if (hr->latest == NULL || hr->streak_count == 0 ||
	    hr->verdict == AU_VERDICT_UPGRADED)
		return NULL;
	if (hr->streak_count == 1)
		return xasprintf("once, at %s; not retried yet",
		    render_time(hr->streak_since, when, sizeof(when)));
	retries = hr->streak_count - 1;
	run = run_text(hr->streak_count, hr->streak_since, hr->last_seen);
	s = xasprintf("%s; retried %" PRIu64 " %s", run, retries,
	    retries == 1 ? "time" : "times");
	free(run);
	return s;
}

char *
render_condition(const struct au_host_report *hr)
{
	const char *cat;
	char *run, *s;

	if (hr->latest == NULL || hr->condition_count <= hr->streak_count ||
	    hr->verdict == AU_VERDICT_UPGRADED)
		return NULL;
	cat = au_category_name(hr->latest->category);
	run = run_text(hr->condition_count, hr->condition_since, hr->last_seen);
	s = xasprintf("%s: %s, with changing result codes", cat ? cat : "none", run);
	free(run);
	return s;
}

void
render_since(const struct au_host_report *hr, uint64_t *since, uint64_t *count)
{
	if (hr->condition_count > 0) {
		*since = hr->condition_since;
		*count = hr->condition_count;
	} else {
		*since = hr->streak_since;
		*count = hr->streak_count;
	}
}

char *
render_result(const struct au_event *ev)
{
	if (ev == NULL || ev->result_code == NULL)
		return NULL;
	if (ev->detail != NULL)
		return xasprintf("%s-%s", ev->result_code, ev->detail);
	return xstrdup(ev->result_code);
}

struct au_error *
render_check_io(FILE *out)
{
	int failed;

	errno = 0;
	failed = fflush(out) != 0;
	if (ferror(out) || failed) {
		if (errno != 0)
			return au_error_errno(AU_ERR_IO, NULL, errno,
			    "cannot write the report");
		return au_error_new(AU_ERR_IO, NULL, "cannot write the report");
	}
	return NULL;
}

const char *
render_format_name(enum au_format fmt)
{
	static const char *const names[AU_FMT_COUNT] = {
		"text", "json", "markdown", "csv", "ndjson", "html", "prometheus",
		"bulk"
	};

	return (unsigned)fmt < AU_FMT_COUNT ? names[fmt] : "?";
}
