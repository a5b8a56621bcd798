/* evtxgen: the .evtx writer (file header, chunks, records, binary XML). */
#define _POSIX_C_SOURCE 200809L
#include "evtxgen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK_SIZE 65536u
#define CHUNK_HDR 512u
#define FILE_HDR 4096u

enum {
	N_EVENT, N_XMLNS, N_SYSTEM, N_PROVIDER, N_NAME, N_EVENTID, N_QUALIFIERS, N_LEVEL, N_TASK,
	N_KEYWORDS, N_TIMECREATED, N_SYSTEMTIME, N_EVENTRECORDID, N_CHANNEL, N_COMPUTER,
	N_SECURITY, N_USERID, N_EVENTDATA, N_DATA, N_BINARY, NNAMES
};
static const char *const name_str[NNAMES] = {
	"Event", "xmlns", "System", "Provider", "Name", "EventID", "Qualifiers", "Level", "Task",
	"Keywords", "TimeCreated", "SystemTime", "EventRecordID", "Channel", "Computer",
	"Security", "UserID", "EventData", "Data", "Binary"
};
static uint16_t name_hash[NNAMES];
static const char XMLNS[] = "http://schemas.microsoft.com/win/2004/08/events/event";

/* the shared EventData template; per-chunk template slots are indexed by tkey + 1 */
#define TK_EVENTDATA (-1)

typedef struct {
	const ev_t *ev;
	int chunk;
} slack_t;

struct writer {
	int fd;
	FILE *expand;
	faults_t f;
	uint8_t buf[CHUNK_SIZE];
	uint32_t pos, limit;
	int overflow;
	int selfcontained;	/* slack records: define names/templates inline, register nothing */
	uint32_t str_head[64], tpl_head[32];
	uint32_t name_off[NNAMES], name_gen[NNAMES];
	uint32_t *tpl_off, *tpl_gen;	/* index: tkey + 1 (0: EventData template) */
	int ntpl_cap;
	uint32_t gen;
	long nrec;
	uint64_t first_id, last_id;
	uint32_t last_rec_off;
	unsigned long long nchunks;	/* flushed */
	int started;		/* a chunk is open */
	int have_records;
	uint64_t next_id;
	slack_t *slack;
	size_t nslack;
	uint8_t edguid[16];
};

/* ---- low-level bounded writers ---- */

static inline void need(writer_t *w, size_t n)
{
	if (w->pos + n > w->limit)
		w->overflow = 1;
}
static inline void put8(writer_t *w, uint8_t v)
{
	need(w, 1);
	if (!w->overflow)
		w->buf[w->pos++] = v;
}
static inline void put16(writer_t *w, uint16_t v)
{
	need(w, 2);
	if (!w->overflow) {
		w->buf[w->pos] = (uint8_t)v;
		w->buf[w->pos + 1] = (uint8_t)(v >> 8);
		w->pos += 2;
	}
}
static inline void put32(writer_t *w, uint32_t v)
{
	need(w, 4);
	if (!w->overflow) {
		for (int i = 0; i < 4; i++)
			w->buf[w->pos + i] = (uint8_t)(v >> (8 * i));
		w->pos += 4;
	}
}
static inline void put64(writer_t *w, uint64_t v)
{
	need(w, 8);
	if (!w->overflow) {
		for (int i = 0; i < 8; i++)
			w->buf[w->pos + i] = (uint8_t)(v >> (8 * i));
		w->pos += 8;
	}
}
static inline void putbytes(writer_t *w, const void *p, size_t n)
{
	need(w, n);
	if (!w->overflow) {
		memcpy(w->buf + w->pos, p, n);
		w->pos += (uint32_t)n;
	}
}
static inline void put16s(writer_t *w, const uint16_t *s, size_t n)
{
	need(w, 2 * n);
	if (!w->overflow) {
		uint8_t *d = w->buf + w->pos;
		for (size_t i = 0; i < n; i++) {
			d[2 * i] = (uint8_t)s[i];
			d[2 * i + 1] = (uint8_t)(s[i] >> 8);
		}
		w->pos += (uint32_t)(2 * n);
	}
}
static inline void set32(writer_t *w, uint32_t at, uint32_t v)
{
	if (w->overflow)
		return;
	for (int i = 0; i < 4; i++)
		w->buf[at + i] = (uint8_t)(v >> (8 * i));
}
static inline void set16(writer_t *w, uint32_t at, uint16_t v)
{
	if (w->overflow)
		return;
	w->buf[at] = (uint8_t)v;
	w->buf[at + 1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void wr64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* ---- names (chunk string table) ---- */

static uint16_t hash_name(const char *s)
{
	uint32_t h = 0;
	while (*s)
		h = h * 65599u + (unsigned char)*s++;
	return (uint16_t)h;
}

/* writes the 4-byte name offset; the name itself follows inline the first time in a chunk */
static void put_name(writer_t *w, int idx)
{
	if (!w->selfcontained && w->name_gen[idx] == w->gen) {
		put32(w, w->name_off[idx]);
		return;
	}
	uint32_t off = w->pos + 4;
	const char *s = name_str[idx];
	size_t n = strlen(s);
	put32(w, off);
	uint16_t h = name_hash[idx];
	put32(w, w->selfcontained ? 0 : w->str_head[h % 64]);
	put16(w, h);
	put16(w, (uint16_t)n);
	for (size_t i = 0; i < n; i++)
		put16(w, (uint16_t)(unsigned char)s[i]);
	put16(w, 0);
	if (!w->selfcontained && !w->overflow) {
		w->str_head[h % 64] = off;
		w->name_off[idx] = off;
		w->name_gen[idx] = w->gen;
	}
}

/* ---- binary XML building blocks ---- */

/* open start element; returns position of its data-size field.
   dep < -1: no dependency field (direct form); attrs: 0x40 flag */
static uint32_t open_elem(writer_t *w, int name, int dep, int attrs, uint32_t *attrsz)
{
	put8(w, attrs ? 0x41 : 0x01);
	if (dep >= -1)
		put16(w, (uint16_t)dep);
	uint32_t szpos = w->pos;
	put32(w, 0);
	put_name(w, name);
	if (attrs) {
		*attrsz = w->pos;
		put32(w, 0);
	}
	return szpos;
}
static void end_size(writer_t *w, uint32_t szpos)
{
	set32(w, szpos, w->pos - (szpos + 4));
}
static void attr(writer_t *w, int name, int more)
{
	put8(w, more ? 0x46 : 0x06);
	put_name(w, name);
}
static void value_str(writer_t *w, const uint16_t *s, size_t n)
{
	put8(w, 0x05);
	put8(w, 0x01);
	put16(w, (uint16_t)n);
	put16s(w, s, n);
}
static void value_ascii(writer_t *w, const char *s)
{
	size_t n = strlen(s);
	put8(w, 0x05);
	put8(w, 0x01);
	put16(w, (uint16_t)n);
	for (size_t i = 0; i < n; i++)
		put16(w, (uint16_t)(unsigned char)s[i]);
}
static void csubst(writer_t *w, uint16_t idx, uint8_t type)
{
	put8(w, 0x0E);
	put16(w, idx);
	put8(w, type);
}
static void close_attrs(writer_t *w, uint32_t attrsz)
{
	set32(w, attrsz, w->pos - (attrsz + 4));
}

/* simple element: <name>subst</name> */
static void elem_subst(writer_t *w, int name, uint16_t idx, uint8_t type)
{
	uint32_t a;
	uint32_t sz = open_elem(w, name, idx, 0, &a);
	put8(w, 0x02);
	csubst(w, idx, type);
	put8(w, 0x04);
	end_size(w, sz);
}

static void frag_hdr(writer_t *w)
{
	put8(w, 0x0F);
	put8(w, 0x01);
	put8(w, 0x01);
	put8(w, 0x00);
}

static uint16_t xmlns16[sizeof XMLNS];

/* body of the classic System template (literal provider, channel, computer) */
static void tpl_body_system(writer_t *w, const estr_t *prov, const estr_t *chan, const estr_t *comp)
{
	uint32_t a, a2;
	frag_hdr(w);
	uint32_t ev = open_elem(w, N_EVENT, 0x13, 1, &a);
	attr(w, N_XMLNS, 0);
	value_str(w, xmlns16, sizeof XMLNS - 1);
	close_attrs(w, a);
	put8(w, 0x02);
	uint32_t sys = open_elem(w, N_SYSTEM, -1, 0, &a);
	put8(w, 0x02);

	uint32_t e = open_elem(w, N_PROVIDER, -1, 1, &a2);
	attr(w, N_NAME, 0);
	value_str(w, prov->u16, prov->n16);
	close_attrs(w, a2);
	put8(w, 0x03);
	end_size(w, e);

	e = open_elem(w, N_EVENTID, 3, 1, &a2);
	attr(w, N_QUALIFIERS, 0);
	csubst(w, 4, 0x06);
	close_attrs(w, a2);
	put8(w, 0x02);
	csubst(w, 3, 0x06);
	put8(w, 0x04);
	end_size(w, e);

	elem_subst(w, N_LEVEL, 0, 0x04);
	elem_subst(w, N_TASK, 2, 0x06);
	elem_subst(w, N_KEYWORDS, 5, 0x15);

	e = open_elem(w, N_TIMECREATED, -1, 1, &a2);
	attr(w, N_SYSTEMTIME, 0);
	csubst(w, 6, 0x11);
	close_attrs(w, a2);
	put8(w, 0x03);
	end_size(w, e);

	elem_subst(w, N_EVENTRECORDID, 10, 0x0A);

	e = open_elem(w, N_CHANNEL, -1, 0, &a2);
	put8(w, 0x02);
	value_str(w, chan->u16, chan->n16);
	put8(w, 0x04);
	end_size(w, e);

	e = open_elem(w, N_COMPUTER, -1, 0, &a2);
	put8(w, 0x02);
	value_str(w, comp->u16, comp->n16);
	put8(w, 0x04);
	end_size(w, e);

	e = open_elem(w, N_SECURITY, -1, 1, &a2);
	attr(w, N_USERID, 0);
	csubst(w, 12, 0x13);
	close_attrs(w, a2);
	put8(w, 0x03);
	end_size(w, e);

	put8(w, 0x04);	/* </System> */
	end_size(w, sys);
	csubst(w, 19, 0x21);
	put8(w, 0x04);	/* </Event> */
	end_size(w, ev);
	put8(w, 0x00);
}

/* body of the shared EventData template: <EventData><Data>%0</Data><Binary>%2</Binary></EventData> */
static void tpl_body_eventdata(writer_t *w)
{
	uint32_t a;
	frag_hdr(w);
	uint32_t ed = open_elem(w, N_EVENTDATA, -1, 0, &a);
	put8(w, 0x02);
	elem_subst(w, N_DATA, 0, 0x81);
	elem_subst(w, N_BINARY, 2, 0x0E);
	put8(w, 0x04);
	end_size(w, ed);
	put8(w, 0x00);
}

static void ensure_tpl_cap(writer_t *w)
{
	int need_n = tkey_count() + 1;
	if (need_n <= w->ntpl_cap)
		return;
	int nc = w->ntpl_cap ? w->ntpl_cap : 64;
	while (nc < need_n)
		nc *= 2;
	w->tpl_off = xrealloc(w->tpl_off, (size_t)nc * sizeof(uint32_t));
	w->tpl_gen = xrealloc(w->tpl_gen, (size_t)nc * sizeof(uint32_t));
	for (int i = w->ntpl_cap; i < nc; i++)
		w->tpl_off[i] = w->tpl_gen[i] = 0;
	w->ntpl_cap = nc;
}

/* template instance: token, id, offset, and the definition when it is new in this chunk */
static void tpl_instance(writer_t *w, int k)
{
	uint8_t guid[16];
	const estr_t *p = NULL, *c = NULL, *m = NULL;
	if (k == TK_EVENTDATA)
		memcpy(guid, w->edguid, 16);
	else
		tkey_info(k, &p, &c, &m, guid);
	uint32_t tid = (uint32_t)guid[0] | (uint32_t)guid[1] << 8 | (uint32_t)guid[2] << 16 | (uint32_t)guid[3] << 24;
	put8(w, 0x0C);
	put8(w, 0x01);
	put32(w, tid);
	if (!w->selfcontained && w->tpl_gen[k + 1] == w->gen) {
		put32(w, w->tpl_off[k + 1]);
		return;
	}
	uint32_t off = w->pos + 4;
	put32(w, off);
	unsigned b = tid % 32;
	put32(w, w->selfcontained ? 0 : w->tpl_head[b]);
	putbytes(w, guid, 16);
	uint32_t szpos = w->pos;
	put32(w, 0);
	if (k == TK_EVENTDATA)
		tpl_body_eventdata(w);
	else
		tpl_body_system(w, p, c, m);
	set32(w, szpos, w->pos - (szpos + 4));
	if (!w->selfcontained && !w->overflow) {
		w->tpl_head[b] = off;
		w->tpl_off[k + 1] = off;
		w->tpl_gen[k + 1] = w->gen;
	}
}

static void encode_templated(writer_t *w, const ev_t *ev)
{
	frag_hdr(w);
	tpl_instance(w, ev->tkey);
	/* 20 substitutions, as Windows writes them for a classic source */
	static const uint8_t types[20] = { 0x04, 0x04, 0x06, 0x06, 0x06, 0x15, 0x11, 0x00, 0x08, 0x08,
					   0x0A, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21 };
	static const uint8_t sizes[20] = { 1, 1, 2, 2, 2, 8, 8, 0, 4, 4, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	put32(w, 20);
	uint32_t bxsize_pos = 0;
	for (int i = 0; i < 20; i++) {
		if (i == 19)
			bxsize_pos = w->pos;
		put16(w, sizes[i]);
		put8(w, types[i]);
		put8(w, 0);
	}
	put8(w, ev->level);
	put8(w, 0);		/* Opcode */
	put16(w, ev->task);
	put16(w, ev->event_id);
	put16(w, ev->qualifiers);
	put64(w, ev->keywords);
	put64(w, ev->ft);
	put32(w, 0);		/* ProcessID */
	put32(w, 0);		/* ThreadID */
	put64(w, ev->rid);
	put8(w, 0);		/* Version */
	/* 19: EventData, nested binary XML */
	uint32_t bx = w->pos;
	frag_hdr(w);
	tpl_instance(w, TK_EVENTDATA);
	put32(w, 3);
	if (ev->ndata) {
		size_t bytes = ev->arr16_n * 2;
		if (bytes > 0xFFFF)
			die("record %llu: EventData strings too long (%zu bytes, max 65535)",
			    (unsigned long long)ev->rid, bytes);
		put16(w, (uint16_t)bytes);
		put8(w, 0x81);
	} else {
		put16(w, 0);
		put8(w, 0x00);
	}
	put8(w, 0);
	put16(w, 4); put8(w, 0x08); put8(w, 0);
	put16(w, 0); put8(w, 0x00); put8(w, 0);
	if (ev->ndata)
		put16s(w, ev->arr16, ev->arr16_n);
	put32(w, 0);
	put8(w, 0x00);	/* end of nested stream */
	uint32_t bxlen = w->pos - bx;
	if (bxlen > 0xFFFF && !w->overflow)
		die("record %llu: EventData too large", (unsigned long long)ev->rid);
	set16(w, bxsize_pos, (uint16_t)bxlen);
	put8(w, 0x00);	/* end of stream */
}

static void fmt_u(char *b, unsigned long long v)
{
	snprintf(b, 32, "%llu", v);
}

/* direct form: the element tree with values inline, no template */
static void encode_direct(writer_t *w, const ev_t *ev)
{
	uint32_t a, a2;
	char num[40];
	frag_hdr(w);
	uint32_t evp = open_elem(w, N_EVENT, -2, 1, &a);
	attr(w, N_XMLNS, 0);
	value_str(w, xmlns16, sizeof XMLNS - 1);
	close_attrs(w, a);
	put8(w, 0x02);
	uint32_t sys = open_elem(w, N_SYSTEM, -2, 0, &a);
	put8(w, 0x02);

	uint32_t e = open_elem(w, N_PROVIDER, -2, 1, &a2);
	attr(w, N_NAME, 0);
	value_str(w, ev->prov->u16, ev->prov->n16);
	close_attrs(w, a2);
	put8(w, 0x03);
	end_size(w, e);

	e = open_elem(w, N_EVENTID, -2, 1, &a2);
	attr(w, N_QUALIFIERS, 0);
	fmt_u(num, ev->qualifiers);
	value_ascii(w, num);
	close_attrs(w, a2);
	put8(w, 0x02);
	fmt_u(num, ev->event_id);
	value_ascii(w, num);
	put8(w, 0x04);
	end_size(w, e);

	struct { int n; unsigned long long v; } simple[2] = { { N_LEVEL, ev->level }, { N_TASK, ev->task } };
	for (int i = 0; i < 2; i++) {
		e = open_elem(w, simple[i].n, -2, 0, &a2);
		put8(w, 0x02);
		fmt_u(num, simple[i].v);
		value_ascii(w, num);
		put8(w, 0x04);
		end_size(w, e);
	}
	e = open_elem(w, N_KEYWORDS, -2, 0, &a2);
	put8(w, 0x02);
	snprintf(num, sizeof num, "0x%016llx", (unsigned long long)ev->keywords);
	value_ascii(w, num);
	put8(w, 0x04);
	end_size(w, e);

	e = open_elem(w, N_TIMECREATED, -2, 1, &a2);
	attr(w, N_SYSTEMTIME, 0);
	format_time(ev->ft, num);
	value_ascii(w, num);
	close_attrs(w, a2);
	put8(w, 0x03);
	end_size(w, e);

	e = open_elem(w, N_EVENTRECORDID, -2, 0, &a2);
	put8(w, 0x02);
	fmt_u(num, ev->rid);
	value_ascii(w, num);
	put8(w, 0x04);
	end_size(w, e);

	e = open_elem(w, N_CHANNEL, -2, 0, &a2);
	put8(w, 0x02);
	value_str(w, ev->chan->u16, ev->chan->n16);
	put8(w, 0x04);
	end_size(w, e);

	e = open_elem(w, N_COMPUTER, -2, 0, &a2);
	put8(w, 0x02);
	value_str(w, ev->comp->u16, ev->comp->n16);
	put8(w, 0x04);
	end_size(w, e);

	e = open_elem(w, N_SECURITY, -2, 0, &a2);
	put8(w, 0x03);
	end_size(w, e);

	put8(w, 0x04);
	end_size(w, sys);

	uint32_t ed = open_elem(w, N_EVENTDATA, -2, 0, &a2);
	if (ev->ndata == 0) {
		put8(w, 0x03);
	} else {
		put8(w, 0x02);
		const uint16_t *s = ev->arr16;
		for (size_t i = 0; i < ev->ndata; i++) {
			size_t n = 0;
			while (s[n])
				n++;
			e = open_elem(w, N_DATA, -2, 0, &a2);
			if (n == 0) {
				put8(w, 0x03);
			} else {
				put8(w, 0x02);
				value_str(w, s, n);
				put8(w, 0x04);
			}
			end_size(w, e);
			s += n + 1;
		}
		put8(w, 0x04);
	}
	end_size(w, ed);
	put8(w, 0x04);
	end_size(w, evp);
	put8(w, 0x00);
}

static void encode_record(writer_t *w, const ev_t *ev)
{
	uint32_t start = w->pos;
	put32(w, 0x00002A2A);
	put32(w, 0);
	put64(w, ev->rid);
	put64(w, ev->ft);
	if (ev->direct)
		encode_direct(w, ev);
	else
		encode_templated(w, ev);
	while (!w->overflow && (w->pos - start + 4) % 8)
		put8(w, 0);
	uint32_t size = w->pos - start + 4;
	put32(w, size);
	set32(w, start + 4, size);
}

/* ---- chunks ---- */

static void chunk_reset(writer_t *w)
{
	memset(w->buf, 0, CHUNK_SIZE);
	w->pos = CHUNK_HDR;
	w->limit = CHUNK_SIZE;
	memset(w->str_head, 0, sizeof w->str_head);
	memset(w->tpl_head, 0, sizeof w->tpl_head);
	w->gen++;
	w->nrec = 0;
	w->first_id = w->last_id = 0;
	w->last_rec_off = 0;
	w->overflow = 0;
}

static uint32_t slack_size(writer_t *w, const ev_t *ev);

static void chunk_begin(writer_t *w)
{
	chunk_reset(w);
	uint32_t reserve = 0;
	for (size_t i = 0; i < w->nslack; i++)
		if ((unsigned long long)w->slack[i].chunk == w->nchunks)
			reserve += slack_size(w, w->slack[i].ev);
	if (reserve > CHUNK_SIZE - CHUNK_HDR - 8)
		die("faults.slack: stale records of chunk %llu do not fit in a chunk", w->nchunks);
	/* libevtx 20240504 drops a record that ends exactly at the chunk end; Windows never
	   fills a chunk to the last byte either (observed maximum free-space offset 65528) */
	w->limit = CHUNK_SIZE - 8 - reserve;
}

static int in_list(const int *l, size_t n, unsigned long long v)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] >= 0 && (unsigned long long)l[i] == v)
			return 1;
	return 0;
}

static void write_all(int fd, const void *p, size_t n, off_t off)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t k = pwrite(fd, b, n, off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			die("write failed: %s", strerror(errno));
		}
		b += k;
		n -= (size_t)k;
		off += k;
	}
}

static void chunk_flush(writer_t *w)
{
	uint8_t *h = w->buf;
	uint32_t free_off = w->pos;
	/* stale records after the free-space offset */
	w->limit = CHUNK_SIZE;
	w->selfcontained = 1;
	for (size_t i = 0; i < w->nslack; i++)
		if ((unsigned long long)w->slack[i].chunk == w->nchunks) {
			encode_record(w, w->slack[i].ev);
			if (w->overflow)
				die("faults.slack: stale records of chunk %llu do not fit", w->nchunks);
		}
	w->selfcontained = 0;

	memcpy(h, "ElfChnk", 8);
	wr64(h + 8, w->first_id);
	wr64(h + 16, w->last_id);
	wr64(h + 24, w->first_id);
	wr64(h + 32, w->last_id);
	wr32(h + 40, 128);
	wr32(h + 44, w->last_rec_off);
	wr32(h + 48, free_off);
	uint32_t rc = crc32_buf(0, h + CHUNK_HDR, free_off - CHUNK_HDR);
	if (in_list(w->f.bad_records_crc, w->f.n_bad_records_crc, w->nchunks))
		rc ^= 0x5A5A5A5Au;
	wr32(h + 52, rc);
	wr32(h + 120, 1);
	for (int i = 0; i < 64; i++)
		wr32(h + 128 + 4 * i, w->str_head[i]);
	for (int i = 0; i < 32; i++)
		wr32(h + 384 + 4 * i, w->tpl_head[i]);
	uint32_t hc = crc32_buf(0, h, 120);
	hc = crc32_buf(hc, h + 128, 384);
	if (in_list(w->f.bad_chunk_header_crc, w->f.n_bad_chunk_header_crc, w->nchunks))
		hc ^= 0x5A5A5A5Au;
	wr32(h + 124, hc);
	if (in_list(w->f.bad_chunk_magic, w->f.n_bad_chunk_magic, w->nchunks))
		memcpy(h, "BadChnk", 8);
	if (w->fd >= 0)
		write_all(w->fd, w->buf, CHUNK_SIZE, (off_t)(FILE_HDR + w->nchunks * (unsigned long long)CHUNK_SIZE));
	w->nchunks++;
}

static uint32_t slack_size(writer_t *w, const ev_t *ev)
{
	/* dry-run encoding at the start of the chunk data area (saved and restored around it) */
	uint32_t save_pos = w->pos, save_limit = w->limit;
	int save_of = w->overflow, save_sc = w->selfcontained;
	static uint8_t saved[CHUNK_SIZE];
	memcpy(saved, w->buf + CHUNK_HDR, CHUNK_SIZE - CHUNK_HDR);
	w->pos = CHUNK_HDR;
	w->limit = CHUNK_SIZE;
	w->overflow = 0;
	w->selfcontained = 1;
	encode_record(w, ev);
	uint32_t n = w->pos - CHUNK_HDR;
	if (w->overflow)
		die("faults.slack: stale record %llu does not fit in a chunk", (unsigned long long)ev->rid);
	memcpy(w->buf + CHUNK_HDR, saved, CHUNK_SIZE - CHUNK_HDR);
	w->pos = save_pos;
	w->limit = save_limit;
	w->overflow = save_of;
	w->selfcontained = save_sc;
	return n;
}

writer_t *writer_new(int fd, FILE *expand, const faults_t *faults)
{
	writer_t *w = xmalloc(sizeof *w);
	memset(w, 0, sizeof *w);
	w->fd = fd;
	w->expand = expand;
	w->f = *faults;
	for (int i = 0; i < NNAMES; i++)
		name_hash[i] = hash_name(name_str[i]);
	for (size_t i = 0; i < sizeof XMLNS; i++)
		xmlns16[i] = (uint16_t)(unsigned char)XMLNS[i];
	uint64_t st = 0x4576656E74446174ULL;	/* fixed identifier of the EventData template */
	uint64_t g1 = splitmix64(&st), g2 = splitmix64(&st);
	memcpy(w->edguid, &g1, 8);
	memcpy(w->edguid + 8, &g2, 8);
	w->gen = 0;
	w->nchunks = 0;
	w->started = 0;
	return w;
}

void writer_add_slack(writer_t *w, int chunk, const ev_t *ev)
{
	if (w->started || w->nchunks)
		die("internal: slack records must be added before the first record");
	w->slack = xrealloc(w->slack, (w->nslack + 1) * sizeof *w->slack);
	w->slack[w->nslack].ev = ev;
	w->slack[w->nslack].chunk = chunk;
	w->nslack++;
}

void writer_emit(writer_t *w, const ev_t *ev)
{
	if (!w->started) {
		chunk_begin(w);
		w->started = 1;
	}
	/* a chunk holds a contiguous run of record ids (libevtx flags gaps inside a chunk as corruption) */
	if ((w->f.records_per_chunk > 0 && w->nrec >= w->f.records_per_chunk) ||
	    (w->nrec > 0 && ev->rid != w->last_id + 1)) {
		chunk_flush(w);
		chunk_begin(w);
	}
	for (int attempt = 0;; attempt++) {
		uint32_t start = w->pos;
		uint32_t sh[64], th[32];
		memcpy(sh, w->str_head, sizeof sh);
		memcpy(th, w->tpl_head, sizeof th);
		ensure_tpl_cap(w);
		encode_record(w, ev);
		if (!w->overflow) {
			if (w->nrec == 0)
				w->first_id = ev->rid;
			w->last_id = ev->rid;
			w->last_rec_off = start;
			w->nrec++;
			break;
		}
		/* does not fit: undo, close this chunk, retry in a fresh one */
		memset(w->buf + start, 0, w->limit - start);
		w->pos = start;
		w->overflow = 0;
		memcpy(w->str_head, sh, sizeof sh);
		memcpy(w->tpl_head, th, sizeof th);
		if (w->nrec == 0 || attempt)
			die("record %llu does not fit in a 64 KiB chunk", (unsigned long long)ev->rid);
		chunk_flush(w);
		chunk_begin(w);
	}
	w->have_records = 1;
	w->next_id = ev->rid + 1;
	if (w->expand)
		expand_line(w->expand, ev, 0, (long)w->nchunks);
}

unsigned long long writer_bytes(const writer_t *w)
{
	return FILE_HDR + (w->nchunks + (w->started ? 1 : 0)) * (unsigned long long)CHUNK_SIZE;
}

void writer_finish(writer_t *w)
{
	int maxslack = -1;
	for (size_t i = 0; i < w->nslack; i++)
		if (w->slack[i].chunk > maxslack)
			maxslack = w->slack[i].chunk;
	if (!w->started) {
		chunk_begin(w);
		w->started = 1;
	}
	chunk_flush(w);
	w->started = 0;
	while ((long long)w->nchunks <= maxslack) {
		chunk_begin(w);
		chunk_flush(w);
	}
	if (w->expand)
		for (size_t i = 0; i < w->nslack; i++)
			expand_line(w->expand, w->slack[i].ev, 1, w->slack[i].chunk);
	uint8_t h[FILE_HDR];
	memset(h, 0, sizeof h);
	memcpy(h, "ElfFile", 8);
	wr64(h + 8, 0);
	wr64(h + 16, w->nchunks - 1);
	wr64(h + 24, w->have_records ? w->next_id : 1);
	wr32(h + 32, 128);
	wr16(h + 36, 1);
	wr16(h + 38, 3);
	wr16(h + 40, FILE_HDR);
	/* 16 bits. Windows never has more than 65535 chunks (maximum log size 4 GiB); beyond that
	   the count saturates, and libevtx reads the chunks after the 65535th as recovered records */
	wr16(h + 42, (uint16_t)(w->nchunks > 0xFFFF ? 0xFFFF : w->nchunks));
	uint32_t flags = (w->f.dirty ? 1u : 0u) | (w->f.full ? 2u : 0u);
	wr32(h + 120, flags);
	uint32_t c = crc32_buf(0, h, 120);
	if (w->f.bad_header_crc)
		c ^= 0x5A5A5A5Au;
	wr32(h + 124, c);
	if (w->fd >= 0) {
		write_all(w->fd, h, sizeof h, 0);
		unsigned long long total = FILE_HDR + w->nchunks * (unsigned long long)CHUNK_SIZE;
		if (w->f.truncate >= 0 && (unsigned long long)w->f.truncate < total) {
			if (ftruncate(w->fd, (off_t)w->f.truncate) != 0)
				die("truncate failed: %s", strerror(errno));
		}
	}
}

void writer_free(writer_t *w)
{
	if (!w)
		return;
	free(w->tpl_off);
	free(w->tpl_gen);
	free(w->slack);
	free(w);
}

void expand_line(FILE *f, const ev_t *ev, int slack, long chunk)
{
	char t[32];
	format_time(ev->ft, t);
	fprintf(f, "{\"record_id\":%llu,\"time\":\"%s\",\"provider\":", (unsigned long long)ev->rid, t);
	json_put_str(f, ev->prov->u8);
	fprintf(f, ",\"event_id\":%u,\"qualifiers\":%u,\"level\":%u,\"task\":%u,\"keywords\":\"0x%016llx\",\"computer\":",
		ev->event_id, ev->qualifiers, ev->level, ev->task, (unsigned long long)ev->keywords);
	json_put_str(f, ev->comp->u8);
	fputs(",\"channel\":", f);
	json_put_str(f, ev->chan->u8);
	fputs(",\"data\":[", f);
	for (size_t i = 0; i < ev->ndata; i++) {
		if (i)
			putc(',', f);
		json_put_str(f, ev->data8[i]);
	}
	fprintf(f, "],\"direct\":%s,\"slack\":%s,\"chunk\":%ld}\n", ev->direct ? "true" : "false",
		slack ? "true" : "false", chunk);
}
