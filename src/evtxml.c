/* evtxml.c: a small reader for the fixed shape of rendered event XML (not a general XML parser). */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "evtxml.h"
#include "xmalloc.h"

/* Appends the UTF-8 encoding of cp to *p. */
static void
put_utf8(char **p, unsigned long cp)
{
	unsigned char *u = (unsigned char *)*p;

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80)
		*u++ = (unsigned char)cp;
	else if (cp < 0x800) {
		*u++ = (unsigned char)(0xc0 | cp >> 6);
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*u++ = (unsigned char)(0xe0 | cp >> 12);
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*u++ = (unsigned char)(0xf0 | cp >> 18);
		*u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*p = (char *)u;
}

/* Copies s[0..len) decoding the five XML entities and numeric references. */
static char *
decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *p = out;
	const char *end = s + len;

	while (s < end) {
		const char *semi;
		if (*s != '&' || (semi = memchr(s, ';', (size_t)(end - s))) == NULL ||
		    semi - s > 12) {
			*p++ = *s++;
			continue;
		}
		if (strncmp(s, "&amp;", 5) == 0)
			*p++ = '&';
		else if (strncmp(s, "&lt;", 4) == 0)
			*p++ = '<';
		else if (strncmp(s, "&gt;", 4) == 0)
			*p++ = '>';
		else if (strncmp(s, "&quot;", 6) == 0)
			*p++ = '"';
		else if (strncmp(s, "&apos;", 6) == 0)
			*p++ = '\'';
		else if (s[1] == '#') {
			char *e;
			unsigned long cp = s[2] == 'x' || s[2] == 'X' ?
			    strtoul(s + 3, &e, 16) : strtoul(s + 2, &e, 10);
			if (e != semi) {
				*p++ = *s++;
				continue;
			}
			put_utf8(&p, cp);
		} else {
			*p++ = *s++;
			continue;
		}
		s = semi + 1;
	}
	*p = '\0';
	return out;
}

/* Finds "<name" followed by a space, '>' or '/', from s. */
static const char *
find_tag(const char *s, const char *end, const char *name)
{
	size_t n = strlen(name);

	while (s < end && (s = memchr(s, '<', (size_t)(end - s))) != NULL) {
		if ((size_t)(end - s) > n + 1 && strncmp(s + 1, name, n) == 0 &&
		    (s[n + 1] == ' ' || s[n + 1] == '>' || s[n + 1] == '/' ||
		    s[n + 1] == '\t' || s[n + 1] == '\n' || s[n + 1] == '\r'))
			return s;
		s++;
	}
	return NULL;
}

/*
 * For the element starting at tag: its attribute string [*attrs, *attrs_end),
 * and its text [*text, *text_end) (empty for <x/>). Returns the position
 * after the element, or NULL when it is malformed.
 */
static const char *
element(const char *tag, const char *end, const char *name,
    const char **attrs, const char **attrs_end, const char **text,
    const char **text_end)
{
	const char *gt = memchr(tag, '>', (size_t)(end - tag));
	size_t n = strlen(name);
	const char *close;

	if (gt == NULL)
		return NULL;
	*attrs = tag + 1 + n;
	if (gt[-1] == '/') {
		*attrs_end = gt - 1;
		*text = *text_end = gt;
		return gt + 1;
	}
	*attrs_end = gt;
	*text = gt + 1;
	for (close = gt + 1; (close = memchr(close, '<', (size_t)(end - close))) != NULL;
	    close++) {
		if (close[1] == '/' && (size_t)(end - close) > n + 2 &&
		    strncmp(close + 2, name, n) == 0 && close[2 + n] == '>') {
			*text_end = close;
			return close + 3 + n;
		}
	}
	return NULL;
}

/* The value of attribute `name` in [a, end), decoded; NULL if absent. */
static char *
attribute(const char *a, const char *end, const char *name)
{
	size_t n = strlen(name);

	for (; a < end; a++) {
		if ((a[-1] == ' ' || a[-1] == '\t' || a[-1] == '\n') &&
		    (size_t)(end - a) > n + 2 && strncmp(a, name, n) == 0 &&
		    a[n] == '=' && (a[n + 1] == '"' || a[n + 1] == '\'')) {
			const char *v = a + n + 2;
			const char *q = memchr(v, a[n + 1], (size_t)(end - v));
			if (q == NULL)
				return NULL;
			return decode(v, (size_t)(q - v));
		}
	}
	return NULL;
}

static int
parse_u64(const char *s, const char *end, uint64_t *out, int hex_ok)
{
	uint64_t v = 0;
	int base = 10, any = 0;

	while (s < end && (*s == ' ' || *s == '\n' || *s == '\t'))
		s++;
	if (hex_ok && end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; s < end; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return 0;
		v = v * (uint64_t)base + (uint64_t)d;
		any = 1;
	}
	while (s < end && (*s == ' ' || *s == '\n' || *s == '\t'))
		s++;
	if (!any || s != end)
		return 0;
	*out = v;
	return 1;
}

int
evtxml_parse_u64(const char *s, size_t len, uint64_t *out, int hex_ok)
{
	return parse_u64(s, s + len, out, hex_ok);
}

int
evtxml_parse_time(const char *s, size_t len, uint64_t *filetime)
{
	int v[6];
	static const int width[6] = { 4, 2, 2, 2, 2, 2 };
	static const char sep[6] = { '-', '-', 'T', ':', ':', 0 };
	struct au_civil c;
	size_t i = 0;
	uint32_t frac = 0;
	int digits = 0;

	for (int f = 0; f < 6; f++) {
		v[f] = 0;
		for (int k = 0; k < width[f]; k++, i++) {
			if (i >= len || s[i] < '0' || s[i] > '9')
				return 0;
			v[f] = v[f] * 10 + (s[i] - '0');
		}
		if (sep[f] != 0) {
			if (i >= len || s[i] != sep[f])
				return 0;
			i++;
		}
	}
	if (i < len && s[i] == '.') {
		/* Windows keeps 100 ns ticks: digits past the seventh are dropped. */
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			if (digits++ < 7)
				frac = frac * 10 + (uint32_t)(s[i] - '0');
		for (; digits < 7; digits++)
			frac *= 10;
	}
	if (i < len && s[i] == 'Z')
		i++;
	if (i != len)
		return 0;
	c.year = v[0];
	c.month = (unsigned)v[1];
	c.day = (unsigned)v[2];
	c.hour = (unsigned)v[3];
	c.minute = (unsigned)v[4];
	c.second = (unsigned)v[5];
	c.ticks = frac;
	return au_filetime_from_civil(&c, filetime);
}

/* Text of the first <name> element inside [s, end), decoded; NULL if none. */
static char *
child_text(const char *s, const char *end, const char *name, char **attrs_out,
    const char *attr_name)
{
	const char *tag = find_tag(s, end, name), *a, *ae, *t, *te;

	if (tag == NULL || element(tag, end, name, &a, &ae, &t, &te) == NULL)
		return NULL;
	if (attrs_out != NULL)
		*attrs_out = attribute(a, ae, attr_name);
	return decode(t, (size_t)(te - t));
}

int
evtxml_parse(const char *xml, struct evtxml *x)
{
	const char *end = xml + strlen(xml), *sys, *sys_end, *a, *ae, *t, *te;
	const char *ed, *p;
	char *txt, *attr = NULL;
	uint64_t v;

	memset(x, 0, sizeof(*x));
	if (find_tag(xml, end, "Event") == NULL)
		return 0;
	sys = find_tag(xml, end, "System");
	if (sys == NULL || element(sys, end, "System", &a, &ae, &t, &te) == NULL)
		return 0;
	sys = t;
	sys_end = te;

	p = find_tag(sys, sys_end, "Provider");
	if (p != NULL && element(p, sys_end, "Provider", &a, &ae, &t, &te) != NULL) {
		x->provider = attribute(a, ae, "Name");
		x->source_name = attribute(a, ae, "EventSourceName");
	}
	if ((txt = child_text(sys, sys_end, "EventID", &attr, "Qualifiers")) != NULL) {
		if (parse_u64(txt, txt + strlen(txt), &v, 0) && v <= UINT32_MAX) {
			x->event_id = (uint32_t)v;
			x->has_event_id = 1;
		}
		if (attr != NULL && parse_u64(attr, attr + strlen(attr), &v, 1) &&
		    v <= UINT32_MAX)
			x->qualifiers = (uint32_t)v;
		free(txt);
		free(attr);
		attr = NULL;
	}
	if ((txt = child_text(sys, sys_end, "Level", NULL, NULL)) != NULL) {
		if (parse_u64(txt, txt + strlen(txt), &v, 0) && v <= 255) {
			x->level = (uint8_t)v;
			x->has_level = 1;
		}
		free(txt);
	}
	p = find_tag(sys, sys_end, "TimeCreated");
	if (p != NULL && element(p, sys_end, "TimeCreated", &a, &ae, &t, &te) != NULL &&
	    (attr = attribute(a, ae, "SystemTime")) != NULL) {
		x->has_time = evtxml_parse_time(attr, strlen(attr), &x->time);
		free(attr);
		attr = NULL;
	}
	if ((txt = child_text(sys, sys_end, "EventRecordID", NULL, NULL)) != NULL) {
		x->has_record_id = parse_u64(txt, txt + strlen(txt), &x->record_id, 0);
		free(txt);
	}
	x->channel = child_text(sys, sys_end, "Channel", NULL, NULL);
	x->computer = child_text(sys, sys_end, "Computer", NULL, NULL);

	ed = find_tag(sys_end, end, "EventData");
	if (ed != NULL && element(ed, end, "EventData", &a, &ae, &t, &te) != NULL) {
		const char *d = t, *dend = te;
		x->has_event_data = 1;
		while ((p = find_tag(d, dend, "Data")) != NULL) {
			const char *da, *dae, *dt, *dte, *next;
			next = element(p, dend, "Data", &da, &dae, &dt, &dte);
			if (next == NULL)
				break;
			x->data = xreallocarray(x->data, x->ndata + 1, sizeof(*x->data));
			x->data[x->ndata++] = decode(dt, (size_t)(dte - dt));
			d = next;
		}
	}
	return 1;
}

void
evtxml_clear(struct evtxml *x)
{
	free(x->provider);
	free(x->source_name);
	free(x->channel);
	free(x->computer);
	for (size_t i = 0; i < x->ndata; i++)
		free(x->data[i]);
	free(x->data);
	memset(x, 0, sizeof(*x));
}
