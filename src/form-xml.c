/* form-xml.c: XML exports (Event Viewer "Save As XML", wevtutil qe /f:xml and /f:RenderedXml, .ToXml()) read with expat. */
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "evtxml.h"
#include "input.h"
#include "xmalloc.h"

/*
 * expat, not libxml2's reader: it is a push parser, so the synthetic root
 * that wevtutil's rootless output needs is two more XML_Parse calls
 * rather than a custom input callback, it keeps no tree, and it is a
 * fifth of libxml2's size with no dependencies.
 */

#define MAX_TEXT (1u << 20)     /* longest field kept; hostile files cannot grow it */
#define MAX_DATA 4096           /* Data strings kept per event */
#define MAX_DEPTH 256           /* elements open at once; an event needs 6 */
#define WRAPPER "au-wrapper"

enum field {
	F_NONE = 0, F_EVENTID, F_LEVEL, F_RECORDID, F_CHANNEL, F_COMPUTER,
	F_DATA, F_MESSAGE, F_USERDATA
};

struct xml_state {
	XML_Parser p;
	struct input_ctx *c;
	struct au_error *err;           /* the sink's error, or a structural one */
	int depth;
	int event_depth;                /* depth of the open <Event>, 0 = none */
	int in_system, in_eventdata, in_userdata, in_rendering;
	int section_depth;              /* depth of System / EventData / UserData / RenderingInfo */
	enum field field;
	char *text;
	size_t text_len, text_cap;
	/* The event being read. */
	char *provider, *computer, *channel, *message;
	uint32_t event_id, qualifiers;
	uint8_t level;
	uint64_t record_id, time;
	int has_event_id, has_time, has_eventdata;
	char **data;
	size_t ndata;
	uint64_t events, bad;
};

static const char *
local_name(const char *name)
{
	const char *colon = strrchr(name, ':');
	return colon != NULL ? colon + 1 : name;
}

static const char *
attr(const char **atts, const char *name)
{
	for (size_t i = 0; atts[i] != NULL; i += 2)
		if (strcmp(local_name(atts[i]), name) == 0)
			return atts[i + 1];
	return NULL;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	x = strtoull(s, &end, 0);
	while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
		end++;
	if (*end != '\0')
		return 0;
	*v = x;
	return 1;
}

static void
event_clear(struct xml_state *x)
{
	free(x->provider);
	free(x->computer);
	free(x->channel);
	free(x->message);
	for (size_t i = 0; i < x->ndata; i++)
		free(x->data[i]);
	free(x->data);
	x->provider = x->computer = x->channel = x->message = NULL;
	x->data = NULL;
	x->ndata = 0;
	x->event_id = x->qualifiers = 0;
	x->level = 0;
	x->record_id = x->time = 0;
	x->has_event_id = x->has_time = x->has_eventdata = 0;
}

static void
add_data(struct xml_state *x, char *s)
{
	if (x->ndata >= MAX_DATA) {
		free(s);
		return;
	}
	x->data = xreallocarray(x->data, x->ndata + 1, sizeof(*x->data));
	x->data[x->ndata++] = s;
}

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **atts)
{
	struct xml_state *x = arg;
	const char *n = local_name(name), *v;

	if (++x->depth > MAX_DEPTH) {
		/* Expat keeps every open element: a hostile file could grow it without end. */
		if (x->err == NULL)
			x->err = au_error_new(AU_ERR_INPUT, x->c->name, "XML nested deeper"
			    " than %d elements at line %lu: not an event export", MAX_DEPTH,
			    (unsigned long)XML_GetCurrentLineNumber(x->p));
		XML_StopParser(x->p, XML_FALSE);
		return;
	}
	if (x->event_depth == 0) {
		if (strcmp(n, "Event") == 0) {
			event_clear(x);
			x->event_depth = x->depth;
		}
		return;
	}
	if (x->depth == x->event_depth + 1) {
		x->in_system = strcmp(n, "System") == 0;
		x->in_eventdata = strcmp(n, "EventData") == 0;
		x->in_userdata = strcmp(n, "UserData") == 0;
		x->in_rendering = strcmp(n, "RenderingInfo") == 0;
		x->has_eventdata |= x->in_eventdata;
		x->section_depth = x->depth;
		return;
	}
	x->field = F_NONE;
	x->text_len = 0;
	if (x->in_system && x->depth == x->section_depth + 1) {
		if (strcmp(n, "Provider") == 0) {
			if ((v = attr(atts, "Name")) != NULL ||
			    (v = attr(atts, "EventSourceName")) != NULL) {
				free(x->provider);
				x->provider = xstrdup(v);
			}
		} else if (strcmp(n, "EventID") == 0) {
			uint64_t q;
			x->field = F_EVENTID;
			if ((v = attr(atts, "Qualifiers")) != NULL && parse_u64(v, &q))
				x->qualifiers = (uint32_t)q;
		} else if (strcmp(n, "Level") == 0)
			x->field = F_LEVEL;
		else if (strcmp(n, "TimeCreated") == 0) {
			if ((v = attr(atts, "SystemTime")) != NULL)
				x->has_time = evtxml_parse_time(v, strlen(v), &x->time);
		} else if (strcmp(n, "EventRecordID") == 0)
			x->field = F_RECORDID;
		else if (strcmp(n, "Channel") == 0)
			x->field = F_CHANNEL;
		else if (strcmp(n, "Computer") == 0)
			x->field = F_COMPUTER;
	} else if (x->in_eventdata && x->depth == x->section_depth + 1) {
		if (strcmp(n, "Data") == 0)
			x->field = F_DATA;
	} else if (x->in_userdata && x->depth >= x->section_depth + 2)
		x->field = F_USERDATA;   /* the leaves, as libevtx gives them */
	else if (x->in_rendering && x->depth == x->section_depth + 1 &&
	    strcmp(n, "Message") == 0)
		x->field = F_MESSAGE;
}

static void XMLCALL
on_text(void *arg, const XML_Char *s, int len)
{
	struct xml_state *x = arg;

	if (x->field == F_NONE || len <= 0)
		return;
	if (x->text_len + (size_t)len > MAX_TEXT)
		len = (int)(MAX_TEXT - x->text_len);
	if (x->text_len + (size_t)len + 1 > x->text_cap) {
		x->text_cap = (x->text_len + (size_t)len + 1) * 2;
		x->text = xreallocarray(x->text, x->text_cap, 1);
	}
	memcpy(x->text + x->text_len, s, (size_t)len);
	x->text_len += (size_t)len;
}

static void
event_end(struct xml_state *x)
{
	struct input_record r;

	x->events++;
	if (x->provider == NULL || !x->has_event_id || !x->has_time) {
		x->c->st->records++;
		x->c->st->corrupt++;
		return;
	}
	memset(&r, 0, sizeof(r));
	r.time = x->time;
	r.host = x->computer;
	r.provider = x->provider;
	r.channel = x->channel;
	r.event_id = x->event_id;
	r.qualifiers = x->qualifiers;
	r.level = x->level;
	r.record_id = x->record_id;
	r.data = x->data;
	r.ndata = x->ndata;
	r.has_data = x->has_eventdata || x->ndata > 0;
	r.message = x->message;
	if ((x->err = input_emit(x->c, &r)) != NULL)
		XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct xml_state *x = arg;
	char *t;
	uint64_t v;

	(void)name;
	if (x->event_depth != 0 && x->field != F_NONE && x->depth > x->event_depth + 1) {
		if (x->text == NULL)
			x->text = xmalloc(x->text_cap = 64);
		x->text[x->text_len] = '\0';
		t = x->text;
		switch (x->field) {
		case F_EVENTID:
			if (parse_u64(t, &v) && v <= UINT32_MAX) {
				x->event_id = (uint32_t)v;
				x->has_event_id = 1;
			}
			break;
		case F_LEVEL:
			if (parse_u64(t, &v) && v <= 255)
				x->level = (uint8_t)v;
			break;
		case F_RECORDID:
			if (parse_u64(t, &v))
				x->record_id = v;
			break;
		case F_CHANNEL:
			free(x->channel);
			x->channel = xstrdup(t);
			break;
		case F_COMPUTER:
			free(x->computer);
			x->computer = xstrdup(t);
			break;
		case F_DATA:
		case F_USERDATA:
			add_data(x, xstrdup(t));
			break;
		case F_MESSAGE:
			free(x->message);
			x->message = xstrdup(t);
			break;
		case F_NONE:
			break;
		}
		x->field = F_NONE;
		x->text_len = 0;
	}
	if (x->event_depth != 0 && x->depth == x->event_depth) {
		x->event_depth = 0;
		event_end(x);
	}
	if (x->depth == x->section_depth)
		x->in_system = x->in_eventdata = x->in_userdata = x->in_rendering = 0;
	x->depth--;
}

/* An event log export never has a DTD: one is refused, entities and all. */
static void XMLCALL
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal)
{
	struct xml_state *x = arg;

	(void)name; (void)sysid; (void)pubid; (void)has_internal;
	if (x->err == NULL)
		x->err = au_error_new(AU_ERR_INPUT, x->c->name,
		    "XML with a document type declaration is not an event export");
	XML_StopParser(x->p, XML_FALSE);
}

static struct au_error *
parse_error(struct xml_state *x, int at_end)
{
	enum XML_Error code = XML_GetErrorCode(x->p);
	unsigned long line = (unsigned long)XML_GetCurrentLineNumber(x->p);

	if (at_end && (code == XML_ERROR_TAG_MISMATCH || code == XML_ERROR_NO_ELEMENTS ||
	    code == XML_ERROR_UNCLOSED_TOKEN || code == XML_ERROR_UNCLOSED_CDATA_SECTION ||
	    code == XML_ERROR_PARTIAL_CHAR || code == XML_ERROR_INVALID_TOKEN))
		return au_error_new(AU_ERR_INPUT, x->c->name,
		    "truncated XML: the file ends inside an event (after %llu event(s))",
		    (unsigned long long)x->events);
	return au_error_new(AU_ERR_INPUT, x->c->name,
	    "XML not well-formed at line %lu: %s (after %llu event(s))", line,
	    XML_ErrorString(code), (unsigned long long)x->events);
}

struct au_error *
form_xml_read(struct input_ctx *c, struct input_src *s)
{
	struct xml_state x;
	struct au_error *err = NULL;
	char *buf = xmalloc(65536);
	ssize_t n;
	int first = 1, at_end = 0;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.p = XML_ParserCreate("UTF-8");
	if (x.p == NULL) {
		err = au_error_new(AU_ERR_INTERNAL, c->name, "out of memory for the XML parser");
		goto done;
	}
	XML_SetUserData(x.p, &x);
	XML_SetElementHandler(x.p, on_start, on_end);
	XML_SetCharacterDataHandler(x.p, on_text);
	XML_SetStartDoctypeDeclHandler(x.p, on_doctype);
	/* wevtutil writes events back to back with no root: give them one. */
	if (XML_Parse(x.p, "<" WRAPPER ">", (int)strlen(WRAPPER) + 2, 0) != XML_STATUS_OK)
		goto parse_failed;
	for (;;) {
		const char *p;
		n = input_src_read(s, buf, 65536, &err);
		if (n < 0)
			goto done;
		if (n == 0)
			break;
		p = buf;
		if (first) {
			/* The declaration may only open a document: it goes, its newline stays. */
			const char *q = p;
			first = 0;
			while (q < buf + n && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
				q++;
			if (buf + n - q >= 5 && memcmp(q, "<?xml", 5) == 0) {
				const char *e = memmem(q, (size_t)(buf + n - q), "?>", 2);
				if (e != NULL)
					p = e + 2;
			}
		}
		if (XML_Parse(x.p, p, (int)(buf + n - p), 0) != XML_STATUS_OK)
			goto parse_failed;
	}
	at_end = 1;
	if (XML_Parse(x.p, "</" WRAPPER ">", (int)strlen(WRAPPER) + 3, 1) != XML_STATUS_OK)
		goto parse_failed;
	if (x.events == 0)
		err = au_error_new(AU_ERR_INPUT, c->name, "XML without any <Event>");
	goto done;
parse_failed:
	if (x.err != NULL) {
		err = x.err;
		x.err = NULL;
	} else
		err = parse_error(&x, at_end);
done:
	if (err == NULL && x.c->st->corrupt > 0)
		err = au_error_new(AU_ERR_INPUT, c->name,
		    "%llu event(s) without a provider, event ID or time",
		    (unsigned long long)x.c->st->corrupt);
	au_error_free(x.err);
	event_clear(&x);
	free(x.text);
	free(buf);
	if (x.p != NULL)
		XML_ParserFree(x.p);
	return err;
}
