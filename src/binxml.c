/* binxml.c: reads a record's System fields and Data strings from its binary XML, by a per-chunk plan of each template (see binxml.h). */
#include <stdlib.h>
#include <string.h>

#include "binxml.h"
#include "prefilter.h"
#include "xmalloc.h"

/*
 * Binary XML, as libyal's EVTX notes describe it. A token's 0x40 bit
 * says "more follows" (attributes, for an element) and is masked off.
 *   0x00 end of fragment      0x01 element: dependency id (2, inside
 *   template definitions only), data size (4), name offset (4), the name
 *   when defined here, attribute list size (4) with 0x40
 *   0x02 close start tag      0x03 close empty element   0x04 end element
 *   0x05 value: type (1), for a string units (2) and UTF-16LE
 *   0x06 attribute: name offset (4), name when defined here, then values
 *   0x07 CDATA: units (2), UTF-16LE   0x08 character reference (2)
 *   0x09 entity reference: name offset (4)   0x0a PI target: name offset
 *   0x0b PI data: units (2), UTF-16LE
 *   0x0c template instance: 1, template id (4), definition offset (4);
 *   the definition itself when it is defined here (next (4), GUID (16),
 *   data size (4), data), then the values: count (4), count times size
 *   (2) and type (1) and 0 (1), the values one after another
 *   0x0d / 0x0e normal / optional substitution: index (2), type (1)
 *   0x0f fragment header: 3 bytes of version and flags
 * A name at a chunk offset: next (4), hash (2), units (2), UTF-16LE, NUL.
 */

enum ctx {
	CTX_ROOT,        /* a record's fragment: one <Event> */
	CTX_EVENT,       /* children of <Event> */
	CTX_SYSTEM,      /* children of <System> */
	CTX_EVENTDATA,   /* children of <EventData> */
	CTX_OTHER,       /* anything else outside <System> */
	CTX_OTHER_SYS,   /* anything else inside <System> */
	CTX_FIELD,       /* the text of a field we read */
	CTX_DATA,        /* the text of a <Data> */
};

enum field {
	F_PROVIDER, F_EVENTID, F_QUALIFIERS, F_LEVEL, F_TIME, F_RECORDID,
	F_CHANNEL, F_COMPUTER, F_SOURCE, NFIELDS
};

enum act_kind { A_SYS_BEGIN, A_SYS_END, A_ED_BEGIN, A_ED_END, A_FIELD, A_DATA, A_NESTED };

/* Where a value comes from. */
enum src_kind {
	S_ABSENT,   /* an attribute we read is not there */
	S_EMPTY,    /* an element with no text */
	S_TEXT,     /* literal text: units at chunk offset off */
	S_SUB,      /* substitution `sub` */
};

struct act {
	uint8_t kind, field, ctx, src, optional;
	uint16_t sub, units;
	uint32_t off;
};

struct plan {
	uint32_t start;
	uint8_t ctx, ok;
	uint32_t first, n;
};

#define MAX_PLANS 128
#define MAX_ACTS 4096
#define MAX_SUBS 512
#define MAX_DEPTH 48
#define MAX_NESTING 6

struct binxml_cache {
	struct plan plan[MAX_PLANS];
	unsigned nplan;
	struct act act[MAX_ACTS];
	unsigned nact;
};

struct binxml_cache *
binxml_cache_new(void)
{
	return xcalloc(1, sizeof(struct binxml_cache));
}

void
binxml_cache_free(struct binxml_cache *c)
{
	free(c);
}

void
binxml_cache_reset(struct binxml_cache *c)
{
	c->nplan = 0;
	c->nact = 0;
}

static unsigned
le16(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ---- building a plan ----------------------------------------------------- */

struct build {
	const uint8_t *c;
	size_t len;     /* valid bytes of the chunk: names may be anywhere in it */
	size_t end;     /* the fragment's end */
	int dep;        /* elements carry a dependency id */
	struct binxml_cache *k;
	int fail;
};

enum name {
	N_OTHER, N_EVENT, N_SYSTEM, N_EVENTDATA, N_DATA, N_BINARY, N_PROVIDER,
	N_EVENTID, N_LEVEL, N_TIMECREATED, N_EVENTRECORDID, N_CHANNEL, N_COMPUTER,
	N_NAME, N_QUALIFIERS, N_SYSTEMTIME, N_EVENTSOURCENAME
};

static const char *const names[] = {
	"", "Event", "System", "EventData", "Data", "Binary", "Provider",
	"EventID", "Level", "TimeCreated", "EventRecordID", "Channel", "Computer",
	"Name", "Qualifiers", "SystemTime", "EventSourceName"
};

static enum name
name_id(const uint8_t *c, uint32_t noff)
{
	unsigned units = le16(c + noff + 6);
	const uint8_t *s = c + noff + 8;

	for (size_t i = 1; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]), j;
		if (n != units)
			continue;
		for (j = 0; j < n; j++)
			if (s[2 * j] != (uint8_t)names[i][j] || s[2 * j + 1] != 0)
				break;
		if (j == n)
			return (enum name)i;
	}
	return N_OTHER;
}

static int
need(struct build *b, size_t at, size_t n)
{
	if (at > b->end || n > b->end - at)
		b->fail = 1;
	return !b->fail;
}

/* Reads a name reference at *p (and the name, when it is defined there). */
static int
name_ref(struct build *b, size_t *p, uint32_t *noff)
{
	size_t units;

	if (!need(b, *p, 4))
		return 0;
	*noff = le32(b->c + *p);
	*p += 4;
	if (*noff < EVTX_CHUNK_HEADER_SIZE || (size_t)*noff + 8 > b->len) {
		b->fail = 1;
		return 0;
	}
	units = le16(b->c + *noff + 6);
	if ((size_t)*noff + 8 + 2 * units + 2 > b->len) {
		b->fail = 1;
		return 0;
	}
	if (*noff == *p) {
		if (!need(b, *p, 8 + 2 * units + 2))
			return 0;
		*p += 8 + 2 * units + 2;
	}
	return 1;
}

static void
emit(struct build *b, uint8_t kind, uint8_t field, uint8_t ctx, const struct act *src)
{
	struct act *a;

	if (b->fail)
		return;
	if (b->k->nact >= MAX_ACTS) {
		b->fail = 1;
		return;
	}
	a = &b->k->act[b->k->nact++];
	if (src != NULL)
		*a = *src;
	else
		memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->field = field;
	a->ctx = ctx;
}

/*
 * Reads the value tokens at *p (attribute values, or an element's text
 * between its children). The first is kept in *item; *nitems counts
 * them, *other counts those that are no plain text or substitution.
 * Substitutions in a container context become A_NESTED (their value
 * may be a fragment of its own).
 */
static void
values(struct build *b, size_t *p, size_t end, int ctx, struct act *item,
    unsigned *nitems, unsigned *other)
{
	const uint8_t *c = b->c;

	while (!b->fail && *p < end) {
		uint8_t t = c[*p] & 0xbf;
		struct act a;
		uint32_t noff;
		size_t units;

		memset(&a, 0, sizeof(a));
		switch (t) {
		case 0x05:
			if (!need(b, *p, 4))
				return;
			if (c[*p + 1] != 0x01) {   /* only string values are known here */
				b->fail = 1;
				return;
			}
			units = le16(c + *p + 2);
			if (!need(b, *p + 4, 2 * units))
				return;
			a.src = S_TEXT;
			a.off = (uint32_t)(*p + 4);
			a.units = (uint16_t)units;
			*p += 4 + 2 * units;
			break;
		case 0x0d:
		case 0x0e:
			if (!need(b, *p, 4))
				return;
			a.src = S_SUB;
			a.sub = (uint16_t)le16(c + *p + 1);
			a.optional = t == 0x0e;
			*p += 4;
			if (ctx != CTX_FIELD && ctx != CTX_DATA)
				emit(b, A_NESTED, 0, (uint8_t)ctx, &a);
			break;
		case 0x07:
		case 0x0b:
			if (!need(b, *p, 3))
				return;
			units = le16(c + *p + 1);
			if (!need(b, *p + 3, 2 * units))
				return;
			*p += 3 + 2 * units;
			++*other;
			break;
		case 0x08:
			if (!need(b, *p, 3))
				return;
			*p += 3;
			++*other;
			break;
		case 0x09:
		case 0x0a:
			++*p;
			if (!name_ref(b, p, &noff))
				return;
			++*other;
			break;
		default:
			return;
		}
		if (*nitems == 0)
			*item = a;
		++*nitems;
	}
}

static void element(struct build *b, size_t *p, int ctx, int depth);

/* An element's content after its start tag, up to and with its end tag. */
static void
content(struct build *b, size_t *p, int ctx, int depth, struct act *item,
    unsigned *nitems, unsigned *other)
{
	while (!b->fail) {
		uint8_t t;

		if (!need(b, *p, 1))
			return;
		t = b->c[*p] & 0xbf;
		if (t == 0x04) {
			++*p;
			return;
		}
		if (t == 0x01) {
			if (ctx == CTX_FIELD || ctx == CTX_DATA) {
				b->fail = 1;   /* an element inside a text we read */
				return;
			}
			element(b, p, ctx, depth + 1);
			continue;
		}
		{
			size_t before = *p;
			values(b, p, b->end, ctx, item, nitems, other);
			if (*p == before)
				b->fail = 1;   /* a token that has no place here */
		}
	}
}

/* The field an element's text gives, in <System>; -1 for none. */
static int
text_field(enum name id)
{
	switch (id) {
	case N_EVENTID: return F_EVENTID;
	case N_LEVEL: return F_LEVEL;
	case N_EVENTRECORDID: return F_RECORDID;
	case N_CHANNEL: return F_CHANNEL;
	case N_COMPUTER: return F_COMPUTER;
	default: return -1;
	}
}

static int
is_system_name(enum name id)
{
	return id >= N_PROVIDER && id <= N_COMPUTER;
}

static void
element(struct build *b, size_t *p, int ctx, int depth)
{
	const uint8_t *c = b->c;
	uint8_t t = c[*p];
	size_t q = *p + 1, attr_end;
	uint32_t noff;
	enum name id;
	int child, tfield = -1, end_act = -1;
	int afield[2] = { -1, -1 };
	enum name aname[2] = { N_OTHER, N_OTHER };
	int aseen[2] = { 0, 0 };
	struct act item;
	unsigned nitems = 0, other = 0;

	if (depth > MAX_DEPTH) {
		b->fail = 1;
		return;
	}
	if (b->dep)
		q += 2;
	if (!need(b, q, 4))
		return;
	q += 4;   /* data size */
	if (!name_ref(b, &q, &noff))
		return;
	id = name_id(c, noff);
	switch (ctx) {
	case CTX_ROOT:
		if (id != N_EVENT) {
			b->fail = 1;
			return;
		}
		child = CTX_EVENT;
		break;
	case CTX_EVENT:
		if (id == N_SYSTEM) {
			child = CTX_SYSTEM;
			emit(b, A_SYS_BEGIN, 0, 0, NULL);
			end_act = A_SYS_END;
		} else if (id == N_EVENTDATA) {
			child = CTX_EVENTDATA;
			emit(b, A_ED_BEGIN, 0, 0, NULL);
			end_act = A_ED_END;
		} else
			child = CTX_OTHER;
		break;
	case CTX_SYSTEM:
		if (id == N_SYSTEM || id == N_EVENTDATA) {
			b->fail = 1;
			return;
		}
		tfield = text_field(id);
		child = tfield >= 0 ? CTX_FIELD : CTX_OTHER_SYS;
		if (id == N_PROVIDER) {
			afield[0] = F_PROVIDER;
			aname[0] = N_NAME;
			afield[1] = F_SOURCE;
			aname[1] = N_EVENTSOURCENAME;
		} else if (id == N_EVENTID) {
			afield[0] = F_QUALIFIERS;
			aname[0] = N_QUALIFIERS;
		} else if (id == N_TIMECREATED) {
			afield[0] = F_TIME;
			aname[0] = N_SYSTEMTIME;
		}
		break;
	case CTX_EVENTDATA:
		if (id == N_DATA)
			child = CTX_DATA;
		else if (id == N_BINARY)
			child = CTX_OTHER;
		else {
			b->fail = 1;   /* what evtxml would search for <Data> in */
			return;
		}
		break;
	case CTX_OTHER:
		if (id == N_SYSTEM || id == N_EVENTDATA) {
			b->fail = 1;
			return;
		}
		child = CTX_OTHER;
		break;
	case CTX_OTHER_SYS:
		if (id == N_SYSTEM || id == N_EVENTDATA || is_system_name(id)) {
			b->fail = 1;
			return;
		}
		child = CTX_OTHER_SYS;
		break;
	default:
		b->fail = 1;
		return;
	}

	if (t & 0x40) {
		if (!need(b, q, 4))
			return;
		attr_end = q + 4 + le32(c + q);
		q += 4;
		if (!need(b, q, attr_end - q))
			return;
		while (!b->fail && q < attr_end) {
			uint32_t anoff;
			enum name an;
			struct act a;
			unsigned na = 0, oa = 0;
			int f = -1;

			if ((c[q] & 0xbf) != 0x06) {
				b->fail = 1;
				return;
			}
			q++;
			if (!name_ref(b, &q, &anoff))
				return;
			an = name_id(c, anoff);
			/* The attribute's own values are no container of fragments. */
			values(b, &q, attr_end, CTX_FIELD, &a, &na, &oa);
			for (int i = 0; i < 2; i++)
				if (afield[i] >= 0 && aname[i] == an && !aseen[i]) {
					f = afield[i];
					aseen[i] = 1;
				}
			if (f < 0)
				continue;
			if (na > 1 || oa > 0) {
				b->fail = 1;
				return;
			}
			if (na == 0)
				a.src = S_EMPTY;
			emit(b, A_FIELD, (uint8_t)f, 0, &a);
		}
		if (q != attr_end)
			b->fail = 1;
	}
	for (int i = 0; i < 2; i++)
		if (afield[i] >= 0 && !aseen[i])
			emit(b, A_FIELD, (uint8_t)afield[i], 0, NULL);   /* S_ABSENT */
	if (!need(b, q, 1))
		return;
	memset(&item, 0, sizeof(item));
	if (c[q] == 0x03)
		q++;
	else if (c[q] == 0x02) {
		q++;
		content(b, &q, child, depth, &item, &nitems, &other);
	} else {
		b->fail = 1;
		return;
	}
	if (child == CTX_FIELD || child == CTX_DATA) {
		if (nitems > 1 || other > 0) {
			b->fail = 1;
			return;
		}
		if (nitems == 0)
			item.src = S_EMPTY;
		if (child == CTX_FIELD)
			emit(b, A_FIELD, (uint8_t)tfield, 0, &item);
		else
			emit(b, A_DATA, 0, 0, &item);
	}
	if (end_act >= 0)
		emit(b, (uint8_t)end_act, 0, 0, NULL);
	*p = q;
}

/*
 * A fragment's plan: [start, end) holds a fragment header and its
 * elements (or substitutions), up to an end-of-fragment token.
 */
static int
build_plan(struct build *b, size_t start, int ctx)
{
	size_t p = start;

	if (!need(b, p, 4) || b->c[p] != 0x0f)
		return 0;
	p += 4;
	while (!b->fail) {
		uint8_t t;

		if (!need(b, p, 1))
			break;
		t = b->c[p] & 0xbf;
		if (t == 0x00)
			return 1;
		if (t == 0x01)
			element(b, &p, ctx, 0);
		else if ((t == 0x0d || t == 0x0e) && ctx != CTX_ROOT) {
			struct act item;
			unsigned n = 0, o = 0;
			values(b, &p, p + 4, ctx, &item, &n, &o);
		} else
			b->fail = 1;
	}
	return 0;
}

/* The plan of the template definition whose data is at [start, end), built once per chunk. */
static const struct plan *
template_plan(struct binxml_cache *k, const uint8_t *c, size_t len, size_t start,
    size_t end, int ctx)
{
	struct build b;
	struct plan *pl;

	for (unsigned i = 0; i < k->nplan; i++)
		if (k->plan[i].start == start && k->plan[i].ctx == ctx)
			return k->plan[i].ok ? &k->plan[i] : NULL;
	if (k->nplan >= MAX_PLANS)
		return NULL;
	pl = &k->plan[k->nplan];
	pl->start = (uint32_t)start;
	pl->ctx = (uint8_t)ctx;
	pl->first = k->nact;
	memset(&b, 0, sizeof(b));
	b.c = c;
	b.len = len;
	b.end = end;
	b.dep = 1;
	b.k = k;
	pl->ok = (uint8_t)(build_plan(&b, start, ctx) && !b.fail);
	if (!pl->ok)
		k->nact = pl->first;   /* a failed plan keeps no actions */
	pl->n = k->nact - pl->first;
	k->nplan++;
	return pl->ok ? pl : NULL;
}

/* ---- reading a record by a plan ------------------------------------------ */

struct run {
	const uint8_t *c;
	size_t len;
	struct binxml_cache *k;
	struct evtxml *x;
	int sys, ed;            /* 0 before, 1 inside, 2 after the first <System> / <EventData> */
	uint8_t seen[NFIELDS];
	int nesting;
};

struct value {
	uint32_t off;
	uint16_t size;
	uint8_t type;
};

/* UTF-16LE to a new UTF-8 string; a lone surrogate becomes U+FFFD. NULL for a NUL unit. */
static char *
utf8_of(const uint8_t *s, size_t units)
{
	size_t cap = 3 * units + 5;
	char *out = xmalloc(cap);

	if (!prefilter_utf16_to_utf8(s, (unsigned)units, out, cap)) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * Whether the units are all blanks (space, tab, CR, LF): libevtx renders
 * such a text as no text at all (a <Data> holding "\n" comes out as
 * <Data/>), so those are left to it rather than guessed at.
 */
static int
all_blank(const uint8_t *s, size_t units)
{
	for (size_t i = 0; i < units; i++) {
		unsigned u = le16(s + 2 * i);
		if (u != ' ' && u != '\t' && u != '\r' && u != '\n')
			return 0;
	}
	return units > 0;
}

/* A string substitution (type 0x01): its text without the trailing NULs; NULL to ask libevtx. */
static char *
string_value(const uint8_t *c, const struct value *v)
{
	size_t units = v->size / 2;

	if (v->size % 2 != 0)
		return NULL;
	while (units > 0 && le16(c + v->off + 2 * (units - 1)) == 0)
		units--;
	if (all_blank(c + v->off, units))
		return NULL;
	return utf8_of(c + v->off, units);
}

static void
add_data(struct evtxml *x, char *s)
{
	x->data = xreallocarray(x->data, x->ndata + 1, sizeof(*x->data));
	x->data[x->ndata++] = s;
}

/* Latest FILETIME that renders as a four-digit year (9999-12-31T23:59:59.9999999). */
#define FILETIME_YEAR_9999 UINT64_C(2650467743999999999)

enum num { NUM_OK, NUM_NONE, NUM_FAIL };

/* A numeric substitution as evtxml would read libevtx's rendering of it. */
static enum num
number_value(const uint8_t *c, const struct value *v, int hex_ok, uint64_t *out)
{
	static const uint8_t width[0x16] = {
		[0x03] = 1, [0x04] = 1, [0x05] = 2, [0x06] = 2, [0x07] = 4,
		[0x08] = 4, [0x09] = 8, [0x0a] = 8, [0x14] = 4, [0x15] = 8
	};
	uint64_t u;
	unsigned w;

	if (v->type >= sizeof(width) || (w = width[v->type]) == 0 || v->size != w)
		return NUM_FAIL;
	u = w == 1 ? c[v->off] : w == 2 ? le16(c + v->off) :
	    w == 4 ? le32(c + v->off) : le64(c + v->off);
	switch (v->type) {
	case 0x03: if (u & 0x80) return NUM_NONE; break;
	case 0x05: if (u & 0x8000) return NUM_NONE; break;
	case 0x07: if (u & 0x80000000u) return NUM_NONE; break;
	case 0x09: if (u >> 63) return NUM_NONE; break;
	case 0x14: case 0x15: if (!hex_ok) return NUM_NONE; break;
	default: break;
	}
	*out = u;
	return NUM_OK;
}

/* Sets a field from its source; 0 when libevtx must be asked. */
static int
set_field(struct run *r, const struct act *a, const struct value *vals, uint32_t nvals)
{
	struct evtxml *x = r->x;
	const struct value *v = NULL;
	char *text = NULL;
	uint64_t n = 0;
	enum num got = NUM_NONE;
	int f = a->field;
	int string = f == F_PROVIDER || f == F_SOURCE || f == F_CHANNEL ||
	    f == F_COMPUTER;

	if (r->sys != 1 || r->seen[f])
		return 1;
	r->seen[f] = 1;
	switch (a->src) {
	case S_ABSENT:
		return 1;
	case S_EMPTY:
		text = xstrdup("");
		break;
	case S_TEXT:
		if (all_blank(r->c + a->off, a->units) ||
		    (text = utf8_of(r->c + a->off, a->units)) == NULL)
			return 0;
		break;
	case S_SUB:
		if (a->sub >= nvals)
			return 0;
		v = &vals[a->sub];
		if (v->type == 0x00) {
			/* An optional substitution with no value drops its element or attribute. */
			return a->optional && v->size == 0;
		}
		if (string) {
			if (v->type != 0x01 || v->size == 0 ||
			    (text = string_value(r->c, v)) == NULL)
				return 0;
		} else if (f == F_TIME) {
			if (v->type != 0x11 || v->size != 8)
				return 0;
			n = le64(r->c + v->off);
			if (n == 0 || n > FILETIME_YEAR_9999)
				return 0;
			x->time = n;
			x->has_time = 1;
			return 1;
		} else if ((got = number_value(r->c, v, f == F_QUALIFIERS, &n)) == NUM_FAIL)
			return 0;
		break;
	default:
		return 0;
	}
	if (string) {
		char **to = f == F_PROVIDER ? &x->provider : f == F_SOURCE ?
		    &x->source_name : f == F_CHANNEL ? &x->channel : &x->computer;
		*to = text;
		return 1;
	}
	if (text != NULL) {
		/* Literal or empty text: read as evtxml reads it. */
		if (f == F_TIME) {
			x->has_time = evtxml_parse_time(text, strlen(text), &x->time);
			free(text);
			return x->has_time;
		}
		got = evtxml_parse_u64(text, strlen(text), &n, f == F_QUALIFIERS) ?
		    NUM_OK : NUM_NONE;
		free(text);
	}
	if (got != NUM_OK)
		return 1;
	switch (f) {
	case F_EVENTID:
		if (n <= UINT32_MAX) {
			x->event_id = (uint32_t)n;
			x->has_event_id = 1;
		}
		break;
	case F_QUALIFIERS:
		if (n <= UINT32_MAX)
			x->qualifiers = (uint32_t)n;
		break;
	case F_LEVEL:
		if (n <= 255) {
			x->level = (uint8_t)n;
			x->has_level = 1;
		}
		break;
	case F_RECORDID:
		x->record_id = n;
		x->has_record_id = 1;
		break;
	}
	return 1;
}

/* A <Data>'s text: one string, or one per item of a string array. */
static int
set_data(struct run *r, const struct act *a, const struct value *vals, uint32_t nvals)
{
	const struct value *v;
	char *s;

	if (r->ed != 1)
		return 1;
	if (a->src == S_EMPTY) {
		add_data(r->x, xstrdup(""));
		return 1;
	}
	if (a->src == S_TEXT) {
		if (all_blank(r->c + a->off, a->units) ||
		    (s = utf8_of(r->c + a->off, a->units)) == NULL)
			return 0;
		add_data(r->x, s);
		return 1;
	}
	if (a->sub >= nvals)
		return 0;
	v = &vals[a->sub];
	if (v->type == 0x00)
		return a->optional && v->size == 0;
	if (v->type == 0x01) {
		if (v->size == 0 || (s = string_value(r->c, v)) == NULL)
			return 0;
		add_data(r->x, s);
		return 1;
	}
	if (v->type == 0x81 && v->size >= 2 && v->size % 2 == 0) {
		/* NUL-terminated strings one after another. */
		size_t units = v->size / 2, from = 0;
		const uint8_t *u = r->c + v->off;

		for (size_t i = 0; i <= units; i++) {
			if (i < units && le16(u + 2 * i) != 0)
				continue;
			if (i == units && from == units)
				break;
			if (all_blank(u + 2 * from, i - from))
				return 0;
			add_data(r->x, utf8_of(u + 2 * from, i - from));
			from = i + 1;
		}
		return 1;
	}
	return 0;
}

static int fragment(struct run *r, size_t p, size_t end, int ctx);

static int
run_plan(struct run *r, const struct act *act, uint32_t nact, const struct value *vals,
    uint32_t nvals)
{
	for (uint32_t i = 0; i < nact; i++) {
		const struct act *a = &act[i];

		switch (a->kind) {
		case A_SYS_BEGIN:
			if (r->sys == 0)
				r->sys = 1;
			break;
		case A_SYS_END:
			if (r->sys == 1)
				r->sys = 2;
			break;
		case A_ED_BEGIN:
			/* evtxml looks for <EventData> after </System>. */
			if (r->sys == 2 && r->ed == 0) {
				r->ed = 1;
				r->x->has_event_data = 1;
			}
			break;
		case A_ED_END:
			if (r->ed == 1)
				r->ed = 2;
			break;
		case A_FIELD:
			if (!set_field(r, a, vals, nvals))
				return 0;
			break;
		case A_DATA:
			if (!set_data(r, a, vals, nvals))
				return 0;
			break;
		case A_NESTED:
			if (a->sub >= nvals)
				return 0;
			if (vals[a->sub].type == 0x21 && vals[a->sub].size > 0 &&
			    !fragment(r, vals[a->sub].off,
			    (size_t)vals[a->sub].off + vals[a->sub].size, a->ctx))
				return 0;
			break;
		}
	}
	return 1;
}

/* A fragment at [p, end): a template instance and its values, or elements written out. */
static int
fragment(struct run *r, size_t p, size_t end, int ctx)
{
	const uint8_t *c = r->c;
	struct value vals[MAX_SUBS];
	const struct plan *pl;
	uint32_t toff, tsize, count;
	size_t q, v;
	int ok;

	if (++r->nesting > MAX_NESTING || end > r->len || p + 4 > end || c[p] != 0x0f)
		return 0;
	if (c[p + 4] != 0x0c) {
		/* The direct form: a plan of its own, not kept. */
		struct build b;
		unsigned mark = r->k->nact;

		memset(&b, 0, sizeof(b));
		b.c = c;
		b.len = r->len;
		b.end = end;
		b.dep = 0;
		b.k = r->k;
		ok = build_plan(&b, p, ctx) && !b.fail &&
		    run_plan(r, &r->k->act[mark], r->k->nact - mark, NULL, 0);
		r->k->nact = mark;
		r->nesting--;
		return ok;
	}
	if (p + 14 > end)
		return 0;
	toff = le32(c + p + 10);
	q = p + 14;
	if (toff < EVTX_CHUNK_HEADER_SIZE || (size_t)toff + 24 > r->len)
		return 0;
	tsize = le32(c + toff + 20);
	if (tsize > r->len - toff - 24)
		return 0;
	if (toff == q)
		q = (size_t)toff + 24 + tsize;
	pl = template_plan(r->k, c, r->len, (size_t)toff + 24,
	    (size_t)toff + 24 + tsize, ctx);
	if (pl == NULL || q + 4 > end)
		return 0;
	count = le32(c + q);
	q += 4;
	if (count > MAX_SUBS || 4 * (size_t)count > end - q)
		return 0;
	v = q + 4 * (size_t)count;
	for (uint32_t i = 0; i < count; i++) {
		vals[i].size = (uint16_t)le16(c + q + 4 * i);
		vals[i].type = c[q + 4 * i + 2];
		vals[i].off = (uint32_t)v;
		v += vals[i].size;
		if (v > end)
			return 0;
	}
	ok = run_plan(r, &r->k->act[pl->first], pl->n, vals, count);
	r->nesting--;
	return ok;
}

int
binxml_record(const uint8_t *chunk, size_t len, size_t off, struct binxml_cache *c,
    struct evtxml *out)
{
	struct run r;
	uint32_t size;

	memset(out, 0, sizeof(*out));
	if (off + 24 + 4 + 4 > len || memcmp(chunk + off, "**\0\0", 4) != 0)
		return 0;
	size = le32(chunk + off + 4);
	if (size < 24 + 4 + 4 || size > len - off)
		return 0;
	memset(&r, 0, sizeof(r));
	r.c = chunk;
	r.len = len;
	r.k = c;
	r.x = out;
	if (!fragment(&r, off + 24, off + size - 4, CTX_ROOT) || r.sys != 2 ||
	    !out->has_event_id || !out->has_time) {
		evtxml_clear(out);
		return 0;
	}
	return 1;
}
