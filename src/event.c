/* event.c: freeing the shared structs and naming their enums. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "xmalloc.h"

void
au_event_free(struct au_event *ev)
{
	if (ev == NULL)
		return;
	if (ev->packed == AU_EVENT_LENT)
		return;
	if (ev->packed == AU_EVENT_PACKED) {
		free(ev);
		return;
	}
	free(ev->host);
	free(ev->provider);
	free(ev->channel);
	free(ev->message);
	free(ev->result_code);
	free(ev->detail);
	free(ev->source_file);
	free(ev);
}

/* Copies s (if not NULL) to *at, returning the copy. */
static char *
pack_str(const char *s, char **at)
{
	char *copy = *at;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	memcpy(copy, s, n);
	*at += n;
	return copy;
}

struct au_event *
au_event_packed_copy(const struct au_event *ev, void *(*alloc)(void *ctx,
    size_t size), void *ctx)
{
	const char *const str[] = { ev->host, ev->provider, ev->channel,
	    ev->message, ev->result_code, ev->detail, ev->source_file };
	struct au_event *p;
	size_t len = sizeof(*p);
	char *at;

	for (size_t i = 0; i < sizeof(str) / sizeof(str[0]); i++)
		if (str[i] != NULL)
			len += strlen(str[i]) + 1;
	/* Strings are bytes: the struct's alignment is all the block needs. */
	p = alloc != NULL ? alloc(ctx, len) : xmalloc(len);
	*p = *ev;
	at = (char *)(p + 1);
	p->host = pack_str(ev->host, &at);
	p->provider = pack_str(ev->provider, &at);
	p->channel = pack_str(ev->channel, &at);
	p->message = pack_str(ev->message, &at);
	p->result_code = pack_str(ev->result_code, &at);
	p->detail = pack_str(ev->detail, &at);
	p->source_file = pack_str(ev->source_file, &at);
	p->packed = alloc != NULL ? AU_EVENT_LENT : AU_EVENT_PACKED;
	return p;
}

struct au_event *
au_event_pack(struct au_event *ev, void *(*alloc)(void *ctx, size_t size),
    void *ctx)
{
	struct au_event *p;

	if (ev->packed)
		return ev;
	p = au_event_packed_copy(ev, alloc, ctx);
	au_event_free(ev);
	return p;
}

void
au_install_free(struct au_install *in)
{
	if (in == NULL)
		return;
	free(in->host);
	free(in->product);
	free(in->version);
	free(in);
}

void
au_file_stats_clear(struct au_file_stats *st)
{
	free(st->path);
	free(st->errors);
	for (size_t i = 0; i < st->nhosts; i++)
		free(st->hosts[i].name);
	free(st->hosts);
	free(st->host_index);
	memset(st, 0, sizeof(*st));
}

static uint64_t
host_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * UINT64_C(1099511628211);
	}
	return h;
}

/* Open addressing over st->hosts; slot value is index + 1, 0 = empty. */
static void
host_index_rebuild(struct au_file_stats *st, size_t size)
{
	free(st->host_index);
	st->host_index = xcalloc(size, sizeof(*st->host_index));
	st->host_index_size = size;
	for (size_t i = 0; i < st->nhosts; i++) {
		size_t k = (size_t)host_hash(st->hosts[i].name) & (size - 1);
		while (st->host_index[k] != 0)
			k = (k + 1) & (size - 1);
		st->host_index[k] = i + 1;
	}
}

static void
period_note(uint64_t *first, uint64_t *last, uint64_t time)
{
	if (time == 0)
		return;
	if (*first == 0 || time < *first)
		*first = time;
	if (time > *last)
		*last = time;
}

int
au_period_within(const struct au_file_host *a, const struct au_file_host *b)
{
	return a->first_time != 0 && b->first_time != 0 &&
	    a->first_time >= b->first_time && a->last_time <= b->last_time;
}

uint64_t
au_records_once(uint64_t a, uint64_t amin, uint64_t amax, uint64_t b,
    uint64_t bmin, uint64_t bmax)
{
	uint64_t lo = amin < bmin ? amin : bmin, hi = amax > bmax ? amax : bmax;
	uint64_t span = hi - lo + 1, sum = a + b, n = sum < span ? sum : span;

	if (amin == 0 || bmin == 0 || amin > bmax || bmin > amax)
		return sum;
	if (n < a)
		n = a;
	if (n < b)
		n = b;
	return n;
}

static void host_add(struct au_file_stats *st, const char *computer,
    const struct au_file_host *add, int once);

/*
 * The room hosts[] has for n hosts: 4, then the next power of two, so
 * that adding one host at a time reallocates only at powers of two (a
 * collector's chunk names a hundred servers).
 */
static size_t
hosts_room(size_t n)
{
	size_t r = 4;

	while (r < n)
		r *= 2;
	return r;
}

void
au_file_stats_note_host(struct au_file_stats *st, const char *computer,
    uint64_t time, uint64_t record_id)
{
	struct au_file_host one = { NULL, 1, time, time, record_id, record_id, 0 };

	au_file_stats_add_host(st, computer, &one);
}

void
au_file_stats_add_host(struct au_file_stats *st, const char *computer,
    const struct au_file_host *add)
{
	host_add(st, computer, add, 0);
}

static void
host_add(struct au_file_stats *st, const char *computer,
    const struct au_file_host *add, int once)
{
	struct au_file_host *h = NULL;
	size_t k;

	period_note(&st->first_time, &st->last_time, add->first_time);
	period_note(&st->first_time, &st->last_time, add->last_time);
	if (computer == NULL || computer[0] == '\0')
		return;
	if (st->nhosts > 0 && au_host_cmp(st->hosts[st->nhosts - 1].name,
	    computer) == 0)
		h = &st->hosts[st->nhosts - 1];
	else {
		if (st->host_index_size < 2 * (st->nhosts + 1))
			host_index_rebuild(st, st->host_index_size == 0 ? 16 :
			    st->host_index_size * 2);
		k = (size_t)host_hash(computer) & (st->host_index_size - 1);
		while (st->host_index[k] != 0) {
			struct au_file_host *c = &st->hosts[st->host_index[k] - 1];
			if (au_host_cmp(c->name, computer) == 0) {
				h = c;
				break;
			}
			k = (k + 1) & (st->host_index_size - 1);
		}
		if (h == NULL) {
			/* Room doubles at each power of two (see hosts_room). */
			if (st->nhosts == 0 || (st->nhosts >= 4 &&
			    (st->nhosts & (st->nhosts - 1)) == 0))
				st->hosts = xreallocarray(st->hosts,
				    hosts_room(st->nhosts + 1), sizeof(*st->hosts));
			h = &st->hosts[st->nhosts];
			memset(h, 0, sizeof(*h));
			h->name = xstrdup(computer);
			st->host_index[k] = ++st->nhosts;
		}
	}
	if (once && add->min_record != 0 && h->min_record != 0 &&
	    add->min_record <= h->max_record && h->min_record <= add->max_record)
		h->records = au_records_once(h->records, h->min_record,
		    h->max_record, add->records, add->min_record, add->max_record);
	else if (once && (add->min_record == 0) != (h->min_record == 0) &&
	    au_period_within(add->min_record == 0 ? add : h, add->min_record == 0 ? h : add)) {
		/* An export without record IDs of (part of) the same log. */
		if (add->records > h->records)
			h->records = add->records;
	} else
		h->records += add->records;
	period_note(&h->first_time, &h->last_time, add->first_time);
	period_note(&h->first_time, &h->last_time, add->last_time);
	period_note(&h->min_record, &h->max_record, add->min_record);
	period_note(&h->min_record, &h->max_record, add->max_record);
	h->from_name |= add->from_name;
}

void
au_file_stats_merge_hosts(struct au_file_stats *dst,
    const struct au_file_stats *src, int once)
{
	for (size_t i = 0; i < src->nhosts; i++)
		host_add(dst, src->hosts[i].name, &src->hosts[i], once);
	au_file_stats_merge_period(dst, src);
}

void
au_file_stats_merge_period(struct au_file_stats *dst, const struct au_file_stats *src)
{
	period_note(&dst->first_time, &dst->last_time, src->first_time);
	period_note(&dst->first_time, &dst->last_time, src->last_time);
}

void
au_file_stats_copy_hosts(struct au_file_stats *dst,
    const struct au_file_stats *src)
{
	dst->hosts = NULL;
	dst->nhosts = 0;
	dst->host_index = NULL;
	dst->host_index_size = 0;
	if (src->nhosts == 0)
		return;
	dst->hosts = xreallocarray(NULL, hosts_room(src->nhosts), sizeof(*dst->hosts));
	for (size_t i = 0; i < src->nhosts; i++) {
		dst->hosts[i] = src->hosts[i];
		dst->hosts[i].name = xstrdup(src->hosts[i].name);
	}
	dst->nhosts = src->nhosts;
}

void
au_file_stats_add_error(struct au_file_stats *st, const char *msg)
{
	char *joined;

	if (st->errors == NULL) {
		st->errors = xstrdup(msg);
		return;
	}
	joined = xasprintf("%s; %s", st->errors, msg);
	free(st->errors);
	st->errors = joined;
}

const char *
au_category_name(enum au_category cat)
{
	switch (cat) {
	case AU_CAT_SUCCESS:       return "Success";
	case AU_CAT_ABORTED:       return "UpgradeAborted";
	case AU_CAT_NOT_SUPPORTED: return "UpgradeNotSupported";
	case AU_CAT_FAILED:        return "UpgradeFailed";
	case AU_CAT_OTHER:         return "Other";
	case AU_CAT_NONE:          break;
	}
	return NULL;
}

const char *
au_verdict_name(enum au_verdict v)
{
	static const char *const names[AU_VERDICT_COUNT] = {
		[AU_VERDICT_FAILED] = "failed",
		[AU_VERDICT_BLOCKED] = "blocked",
		[AU_VERDICT_UNKNOWN] = "unknown",
		[AU_VERDICT_RETRYING] = "retrying",
		[AU_VERDICT_SILENT] = "silent",
		[AU_VERDICT_NO_RESULT] = "no-result",
		[AU_VERDICT_UPGRADED] = "upgraded",
	};
	return (unsigned)v < AU_VERDICT_COUNT ? names[v] : "unknown";
}

enum au_verdict
au_verdict_from_category(enum au_category cat)
{
	switch (cat) {
	case AU_CAT_SUCCESS:       return AU_VERDICT_UPGRADED;
	case AU_CAT_ABORTED:       return AU_VERDICT_RETRYING;
	case AU_CAT_NOT_SUPPORTED: return AU_VERDICT_BLOCKED;
	case AU_CAT_FAILED:        return AU_VERDICT_FAILED;
	case AU_CAT_OTHER:         return AU_VERDICT_UNKNOWN;
	case AU_CAT_NONE:          break;
	}
	return AU_VERDICT_NO_RESULT;
}

/* Days from 0000-03-01 (the algorithms' epoch) to 1601-01-01. */
#define DAYS_0000_03_01_TO_1601 INT64_C(584694)

void
au_filetime_to_civil(uint64_t filetime, struct au_civil *c)
{
	uint64_t secs = filetime / AU_TICKS_PER_SECOND, sod = secs % 86400;
	int64_t z = (int64_t)(secs / 86400) + DAYS_0000_03_01_TO_1601;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	c->day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	c->year = yoe + era * 400 + (c->month <= 2);
	c->hour = (unsigned)(sod / 3600);
	c->minute = (unsigned)(sod / 60 % 60);
	c->second = (unsigned)(sod % 60);
	c->ticks = (uint32_t)(filetime % AU_TICKS_PER_SECOND);
}

int
au_filetime_from_civil(const struct au_civil *c, uint64_t *filetime)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t y, era, yoe, doy, doe, days;

	if (c->year < 1601 || c->year > 60000 || c->month < 1 || c->month > 12 ||
	    c->day < 1 || c->day > mdays[c->month - 1] || c->hour > 23 ||
	    c->minute > 59 || c->second > 60 || c->ticks >= AU_TICKS_PER_SECOND)
		return 0;
	if (c->month == 2 && c->day == 29 && (c->year % 4 != 0 ||
	    (c->year % 100 == 0 && c->year % 400 != 0)))
		return 0;
	y = c->year - (c->month <= 2);
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (c->month > 2 ? c->month - 3 : c->month + 9) + 2) / 5 +
	    c->day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - DAYS_0000_03_01_TO_1601;
	*filetime = ((uint64_t)days * 86400 + (uint64_t)c->hour * 3600 +
	    (uint64_t)c->minute * 60 + c->second) * AU_TICKS_PER_SECOND + c->ticks;
	return 1;
}

/* n decimal digits of v, zero-padded, at *p. */
static void
put_digits(char **p, uint32_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		(*p)[i] = (char)('0' + v % 10);
		v /= 10;
	}
	*p += n;
}

char *
au_time_text(uint64_t filetime, int ticks, char *buf, size_t len)
{
	struct au_civil c;

	au_filetime_to_civil(filetime, &c);
	if (c.year >= 0 && c.year <= 9999 && len >= 29) {
		/* Digits by hand: every event's time is written this way (snprintf was 5% of a scan). */
		char *p = buf;

		put_digits(&p, (uint32_t)c.year, 4);
		*p++ = '-';
		put_digits(&p, c.month, 2);
		*p++ = '-';
		put_digits(&p, c.day, 2);
		*p++ = 'T';
		put_digits(&p, c.hour, 2);
		*p++ = ':';
		put_digits(&p, c.minute, 2);
		*p++ = ':';
		put_digits(&p, c.second, 2);
		if (ticks) {
			*p++ = '.';
			put_digits(&p, c.ticks, 7);
		}
		*p++ = 'Z';
		*p = '\0';
		return buf;
	}
	if (ticks)
		snprintf(buf, len, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%07" PRIu32 "Z",
		    c.year, c.month, c.day, c.hour, c.minute, c.second, c.ticks);
	else
		snprintf(buf, len, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ",
		    c.year, c.month, c.day, c.hour, c.minute, c.second);
	return buf;
}

uint64_t
au_filetime_now(void)
{
	struct timespec ts;
	const char *sde = getenv("SOURCE_DATE_EPOCH");

	/* The reproducible-builds convention: a fixed "now" for tests and archives. */
	if (sde != NULL && sde[0] >= '0' && sde[0] <= '9') {
		char *end;
		unsigned long long v = strtoull(sde, &end, 10);
		if (*end == '\0' && v < UINT64_C(100000000000))
			return ((uint64_t)v + UINT64_C(11644473600)) * AU_TICKS_PER_SECOND;
	}
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 0;
	/* 11644473600 s from 1601-01-01 to 1970-01-01. */
	return ((uint64_t)ts.tv_sec + UINT64_C(11644473600)) * AU_TICKS_PER_SECOND +
	    (uint64_t)ts.tv_nsec / 100;
}

int
au_host_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;

		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || ca == 0)
			return ca - cb;
	}
}
