/* store-import.c: what a file adds to the history: its hosts, events, installs and related events, each stored once. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "analyse.h"
#include "classify.h"
#include "error.h"
#include "event.h"
#include "store.h"
#include "store-int.h"
#include "xmalloc.h"

/* Writes the display names that events of the open file changed. */
struct au_error *
store_host_flush(struct au_store *s)
{
	sqlite3_stmt *st = s->stmt[ST_HOST_RENAME];
	struct au_error *err = NULL;

	for (size_t i = 0; i < s->names.n && err == NULL; i++) {
		struct store_host_cache *hc = &s->names.e[i];

		if (!hc->dirty)
			continue;
		sqlite3_bind_int64(st, 1, hc->id);
		sqlite3_bind_text(st, 2, hc->name, -1, SQLITE_STATIC);
		if (hc->name_time == STORE_NO_NAME_TIME)
			sqlite3_bind_null(st, 3);
		else
			sqlite3_bind_int64(st, 3, hc->name_time);
		hc->dirty = 0;
		err = store_run(s, st, "cannot store a host");
	}
	return err;
}

/* A host name's hash, the same for any ASCII case. */
static size_t
store_name_hash(const char *name)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ (uint64_t)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p)) *
		    UINT64_C(1099511628211);
	return (size_t)(h ^ (h >> 32));
}

/* The open file's entry for name (any case), or NULL. */
static struct store_host_cache *
store_names_find(struct store_names *nm, const char *name)
{
	size_t k;

	if (nm->last != 0 && au_host_cmp(nm->e[nm->last - 1].key, name) == 0)
		return &nm->e[nm->last - 1];
	if (nm->index_size == 0)
		return NULL;
	for (k = store_name_hash(name) & (nm->index_size - 1); nm->index[k] != 0;
	    k = (k + 1) & (nm->index_size - 1))
		if (au_host_cmp(nm->e[nm->index[k] - 1].key, name) == 0) {
			nm->last = nm->index[k];
			return &nm->e[nm->last - 1];
		}
	return NULL;
}

/* Adds hc (its strings taken over) to the open file's names. */
static struct store_host_cache *
store_names_add(struct store_names *nm, const struct store_host_cache *hc)
{
	size_t k;

	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? 2 * nm->cap : 16;
		nm->e = xreallocarray(nm->e, nm->cap, sizeof(*nm->e));
	}
	if (2 * (nm->n + 1) > nm->index_size) {
		free(nm->index);
		nm->index_size = nm->index_size ? 2 * nm->index_size : 64;
		nm->index = xcalloc(nm->index_size, sizeof(*nm->index));
		for (size_t i = 0; i < nm->n; i++) {
			for (k = store_name_hash(nm->e[i].key) & (nm->index_size - 1);
			    nm->index[k] != 0; k = (k + 1) & (nm->index_size - 1))
				;
			nm->index[k] = i + 1;
		}
	}
	nm->e[nm->n] = *hc;
	for (k = store_name_hash(hc->key) & (nm->index_size - 1); nm->index[k] != 0;
	    k = (k + 1) & (nm->index_size - 1))
		;
	nm->index[k] = ++nm->n;
	nm->last = nm->n;
	return &nm->e[nm->n - 1];
}

static size_t
store_touched_hash(int64_t id, size_t cap)
{
	uint64_t h = (uint64_t)id * UINT64_C(0x9E3779B97F4A7C15);

	return (size_t)(h >> 32) & (cap - 1);
}

/* The open file's entry for host id, made on first use. */
struct store_touched_host *
store_touch(struct au_store *s, int64_t id)
{
	struct store_touched *t = &s->touched;
	size_t i;

	if (t->cap == 0 || 2 * (t->n + 1) > t->cap) {
		struct store_touched old = *t;

		t->cap = old.cap ? old.cap * 2 : 64;
		t->slot = xcalloc(t->cap, sizeof(*t->slot));
		t->n = 0;
		for (size_t j = 0; j < old.cap; j++) {
			if (old.slot[j].id == 0)
				continue;
			for (i = store_touched_hash(old.slot[j].id, t->cap);
			    t->slot[i].id != 0; i = (i + 1) & (t->cap - 1))
				;
			t->slot[i] = old.slot[j];
			t->n++;
		}
		free(old.slot);
	}
	for (i = store_touched_hash(id, t->cap); t->slot[i].id != 0;
	    i = (i + 1) & (t->cap - 1))
		if (t->slot[i].id == id)
			return &t->slot[i];
	t->slot[i].id = id;
	t->n++;
	return &t->slot[i];
}

void
store_touched_clear(struct store_touched *t)
{
	for (size_t i = 0; t->n > 0 && i < t->cap; i++)
		store_summ_free(t->slot[i].summ);
	if (t->n > 0)
		memset(t->slot, 0, t->cap * sizeof(*t->slot));
	t->n = 0;
	t->last = 0;
}

void
store_touched_free(struct store_touched *t)
{
	store_touched_clear(t);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/*
 * Finds or creates the host row for name. An event (from_event) at a
 * later time than the one that named the host renames it, so the name is
 * the spelling of the latest event.
 */
struct au_error *
store_host(struct au_store *s, const char *name, int from_event, uint64_t time,
    int64_t *id)
{
	struct au_error *err = NULL;
	struct store_host_cache *hc = store_names_find(&s->names, name), add;
	sqlite3_stmt *st;

	if (hc == NULL) {
		memset(&add, 0, sizeof(add));
		add.name_time = STORE_NO_NAME_TIME;
		add.key = xstrdup(name);
		store_lower(add.key);
		st = s->stmt[ST_HOST_GET];
		sqlite3_bind_text(st, 1, add.key, -1, SQLITE_STATIC);
		switch (sqlite3_step(st)) {
		case SQLITE_ROW:
			add.id = sqlite3_column_int64(st, 0);
			add.name = store_col_dup(st, 1);
			if (add.name == NULL)
				add.name = xstrdup("");
			if (sqlite3_column_type(st, 2) != SQLITE_NULL)
				add.name_time = sqlite3_column_int64(st, 2);
			sqlite3_reset(st);
			break;
		case SQLITE_DONE:
			sqlite3_reset(st);
			st = s->stmt[ST_HOST_INS];
			sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, add.key, -1, SQLITE_STATIC);
			if (from_event)
				sqlite3_bind_int64(st, 3, (sqlite3_int64)time);
			else
				sqlite3_bind_null(st, 3);
			if ((err = store_run(s, st, "cannot store a host")) != NULL) {
				free(add.key);
				return err;
			}
			add.id = sqlite3_last_insert_rowid(s->db);
			add.name = xstrdup(name);
			if (from_event)
				add.name_time = (int64_t)time;
			break;
		default:
			err = store_error(s, "cannot look up a host");
			sqlite3_reset(st);
			free(add.key);
			return err;
		}
		hc = store_names_add(&s->names, &add);
	}
	if (from_event && (hc->name_time == STORE_NO_NAME_TIME ||
	    (int64_t)time > hc->name_time)) {
		if (strcmp(hc->name, name) != 0) {
			free(hc->name);
			hc->name = xstrdup(name);
		}
		hc->name_time = (int64_t)time;
		hc->dirty = 1;
	}
	*id = hc->id;
	if (s->touched.last != hc->id) {
		store_touch(s, hc->id);
		s->touched.last = hc->id;
	}
	return NULL;
}

/* FILETIME ticks in a second: the precision of the coarsest forms' times. */
#define STORE_SECOND UINT64_C(10000000)
/* Tries at a free time for a record-less event (see store_insert_event). */
#define STORE_NUDGES 100

/* How many of a time's last decimal digits are 0 (0..7): the coarser its form, the more. */
static int
store_time_zeros(uint64_t t)
{
	int z = 0;

	while (z < 7 && t % 10 == 0) {
		t /= 10;
		z++;
	}
	return z;
}

static int
store_streq(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/*
 * Whether a stored event or installer event (its time and record ID, and
 * whether it says the same) is the new one (time, rec) read again,
 * perhaps from another form. Record IDs on both sides: the same ID, the
 * times within the second that a coarser form keeps (Export-Csv to the
 * second, ConvertTo-Json 5.1 to the millisecond). A side without one
 * (Event Viewer CSV and text, whose times are cut to the second): it must
 * say the same, in the same second.
 */
static int
store_same_read(uint64_t row_time, uint64_t row_rec, int says_same,
    uint64_t time, uint64_t rec)
{
	uint64_t d = row_time > time ? row_time - time : time - row_time;

	if (row_rec != 0 && rec != 0)
		return row_rec == rec && d < STORE_SECOND;
	return says_same && row_time / STORE_SECOND == time / STORE_SECOND;
}

/*
 * What a stored read becomes when the same event comes again: the record
 * ID where only the new read has one, and the more exact time (a read
 * with a record ID is exact where the stored one has none). Returns
 * whether anything changes.
 */
static int
store_sharpen(uint64_t row_time, uint64_t row_rec, uint64_t time, uint64_t rec,
    uint64_t *new_time, uint64_t *new_rec)
{
	*new_rec = rec != 0 ? rec : row_rec;
	*new_time = row_time;
	if ((row_rec == 0 && rec != 0) || ((row_rec == 0) == (rec == 0) &&
	    store_time_zeros(time) < store_time_zeros(row_time)))
		*new_time = time;
	return *new_time != row_time || *new_rec != row_rec;
}

/* Points the update statement st (id, time, time_text, record_id) at row and runs it. */
static struct au_error *
store_run_sharpen(struct au_store *store, sqlite3_stmt *st, int64_t row,
    uint64_t time, uint64_t rec, const char *what)
{
	char tt[40];

	au_time_text(time, 1, tt, sizeof(tt));
	sqlite3_bind_int64(st, 1, row);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time);
	sqlite3_bind_text(st, 3, tt, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)rec);
	return store_run(store, st, what);
}

/*
 * The host's entry in the open file's table, with the time of its newest
 * stored event looked up on first use (one step down the UNIQUE index).
 */
static struct au_error *
store_newest(struct au_store *s, int64_t host_id, struct store_touched_host **out)
{
	struct store_touched_host *th = store_touch(s, host_id);
	sqlite3_stmt *st = s->stmt[ST_EVENT_NEWEST];
	int rc;

	*out = th;
	if (th->looked_up)
		return NULL;
	sqlite3_bind_int64(st, 1, host_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		th->has_events = sqlite3_column_type(st, 0) != SQLITE_NULL;
		th->newest = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_error(s, "cannot look up a stored event");
	th->looked_up = 1;
	if (!th->has_events)
		th->summ = store_summ_new();
	return NULL;
}

/*
 * Whether an event at time may be one the host has stored already: not
 * when its newest stored event is a second or more older (the window in
 * which store_find_event looks). Times past INT64_MAX, which SQLite
 * keeps as negative numbers, are always looked for.
 */
static int
store_may_be_stored(const struct store_touched_host *th, uint64_t time)
{
	if (!th->has_events)
		return 0;
	if (th->newest < 0 || time > (uint64_t)INT64_MAX)
		return 1;
	return time < (uint64_t)th->newest + STORE_SECOND;
}

/* An event of the host now stored at time. */
static void
store_newer(struct store_touched_host *th, uint64_t time)
{
	int64_t t = (int64_t)time;

	if (!th->has_events || (th->newest >= 0 && (time > (uint64_t)INT64_MAX ||
	    t > th->newest)))
		th->newest = t;
	th->has_events = 1;
}

/*
 * The stored event that ev is (read again, from this or another form),
 * sharpened by what ev adds; *row 0 when none is.
 */
static struct au_error *
store_find_event(struct au_store *store, int64_t host_id, const struct au_event *ev,
    const char *provider, int64_t *row)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = store->stmt[ST_EVENT_NEAR];
	uint64_t row_time = 0, row_rec = 0, t, r;
	int rc, recovered = 0;

	*row = 0;
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)ev->time);
	sqlite3_bind_text(st, 3, provider, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, ev->event_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 5);
		uint64_t tm = store_col_u64(st, 2), rec = store_col_u64(st, 3);
		int says = store_streq((const char *)sqlite3_column_text(st, 4),
		    ev->message) || (code != NULL && ev->result_code != NULL &&
		    strcmp(code, ev->result_code) == 0 &&
		    store_streq((const char *)sqlite3_column_text(st, 6), ev->detail));

		if (!store_same_read(tm, rec, says, ev->time, ev->record_id))
			continue;
		*row = sqlite3_column_int64(st, 0);
		recovered = sqlite3_column_int(st, 1);
		row_time = tm;
		row_rec = rec;
		if (tm == ev->time && rec == ev->record_id)
			break;   /* the very read: no better match */
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(store, "cannot look up a stored event");
	if (*row == 0)
		return NULL;
	/* Read normally from this file: no longer only a recovered record. */
	if (recovered && !ev->recovered) {
		st = store->stmt[ST_EVENT_UNRECOVER];
		sqlite3_bind_int64(st, 1, *row);
		if ((err = store_run(store, st, "cannot store an event")) != NULL)
			return err;
	}
	if (store_sharpen(row_time, row_rec, ev->time, ev->record_id, &t, &r)) {
		err = store_run_sharpen(store, store->stmt[ST_EVENT_SHARPEN], *row,
		    t, r, "cannot store an event");
		store_newer(store_touch(store, host_id), t);
	}
	return err;
}

/*
 * Inserts ev as a new event. Two events of a form without record IDs can
 * share host, second, provider and ID and say different things: the later
 * one is stored a tick (100 ns) later, which that form cannot tell apart.
 */
static struct au_error *
store_insert_event(struct au_store *store, int64_t host_id, const struct au_event *ev,
    const char *provider, int64_t *row, uint64_t *stored_time)
{
	struct au_error *err;
	sqlite3_stmt *st = store->stmt[ST_EVENT_INS];
	char tt[40];

	for (unsigned nudge = 0; nudge < STORE_NUDGES; nudge++) {
		uint64_t time = ev->time + nudge;

		au_time_text(time, 1, tt, sizeof(tt));
		sqlite3_bind_int64(st, 1, host_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)time);
		sqlite3_bind_text(st, 3, tt, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)ev->record_id);
		sqlite3_bind_int64(st, 5, ev->event_id);
		sqlite3_bind_int64(st, 6, ev->qualifiers);
		sqlite3_bind_int(st, 7, ev->level);
		sqlite3_bind_text(st, 8, provider, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, ev->channel, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, ev->result_code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, ev->result_code ? ev->detail : NULL, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 12, ev->result_code ?
		    au_category_name(ev->category) : NULL, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 13, ev->message ? ev->message : "", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(st, 14, ev->recovered != 0);
		if ((err = store_run(store, st, "cannot store an event")) != NULL)
			return err;
		if (sqlite3_changes(store->db) == 1) {
			*row = sqlite3_last_insert_rowid(store->db);
			*stored_time = time;
			return NULL;
		}
		if (ev->record_id != 0 || (ev->time + nudge + 1) / STORE_SECOND !=
		    ev->time / STORE_SECOND)
			break;
	}
	return au_error_new(AU_ERR_INTERNAL, store->path,
	    "cannot store an event: another one holds its time and record ID");
}

struct au_error *
store_add_event(struct au_store *store, int64_t file_id,
    const struct au_event *ev, int *is_new)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st;
	const char *provider = ev->provider ? ev->provider : "";
	struct store_touched_host *th;
	int64_t host_id, event_row = 0;
	uint64_t stored_time = 0;

	*is_new = 0;
	if ((err = store_host(store, ev->host ? ev->host : "", 1, ev->time,
	    &host_id)) != NULL)
		goto done;
	if ((err = store_newest(store, host_id, &th)) != NULL)
		goto done;
	if (store_may_be_stored(th, ev->time)) {
		/* Not newer than all before it: the summary is walked again. */
		store_summ_free(th->summ);
		th->summ = NULL;
		if ((err = store_find_event(store, host_id, ev, provider,
		    &event_row)) != NULL)
			goto done;
	}
	if (event_row == 0) {
		if ((err = store_insert_event(store, host_id, ev, provider,
		    &event_row, &stored_time)) != NULL)
			goto done;
		*is_new = 1;
		th = store_touch(store, host_id);
		store_newer(th, stored_time);
		if (th->summ != NULL)
			store_summ_event(th->summ, event_row, stored_time,
			    ev->record_id, ev->result_code, ev->result_code ?
			    ev->detail : NULL, ev->result_code ?
			    au_category_name(ev->category) : NULL);
	}
	st = store->stmt[ST_EVENT_FILE];
	sqlite3_bind_int64(st, 1, event_row);
	sqlite3_bind_int64(st, 2, file_id);
	if ((err = store_run(store, st,
	    "cannot store an event's source")) != NULL)
		goto done;
	if (*is_new)
		store->nnew++;
	else
		store->nknown++;
done:
	return err;
}

struct au_error *
store_add_related(struct au_store *store, const char *host,
    const char *provider, uint32_t event_id, uint64_t time, uint64_t record_id)
{
	struct au_error *err;
	sqlite3_stmt *st = store->stmt[ST_RELATED_INS], *near;
	int64_t host_id;
	int rc, same = 0;

	if (host == NULL || host[0] == '\0')
		return NULL;   /* no server to list it under */
	if ((err = store_host(store, host, 0, time, &host_id)) != NULL)
		return err;
	/*
	 * Read already, perhaps from another form: only what a form without
	 * record IDs cannot tell apart counts once (its messages are not kept).
	 */
	near = store->stmt[ST_RELATED_NEAR];
	sqlite3_bind_int64(near, 1, host_id);
	sqlite3_bind_text(near, 2, provider != NULL ? provider : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(near, 3, event_id);
	sqlite3_bind_int64(near, 4, (sqlite3_int64)time);
	while ((rc = sqlite3_step(near)) == SQLITE_ROW && !same)
		same = store_same_read(store_col_u64(near, 0), store_col_u64(near, 1),
		    1, time, record_id);
	sqlite3_reset(near);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(store, "cannot look up a related event");
	if (same)
		return NULL;
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_text(st, 2, provider != NULL ? provider : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, event_id);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)record_id);
	return store_run(store, st, "cannot store a related event");
}

/* The stored installer event that in is (see store_find_event); *row 0 when none is. */
static struct au_error *
store_find_install(struct au_store *store, int64_t host_id,
    const struct au_install *in, int64_t *row)
{
	sqlite3_stmt *st = store->stmt[ST_INSTALL_NEAR];
	uint64_t row_time = 0, row_rec = 0, t, r;
	int rc;

	*row = 0;
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)in->time);
	sqlite3_bind_int64(st, 3, in->event_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t tm = store_col_u64(st, 1), rec = store_col_u64(st, 2);
		int says = store_streq((const char *)sqlite3_column_text(st, 3),
		    in->product) && store_streq((const char *)sqlite3_column_text(st, 4),
		    in->version);

		if (!store_same_read(tm, rec, says, in->time, in->record_id))
			continue;
		*row = sqlite3_column_int64(st, 0);
		row_time = tm;
		row_rec = rec;
		if (tm == in->time && rec == in->record_id)
			break;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(store, "cannot look up a stored installer event");
	if (*row != 0 && store_sharpen(row_time, row_rec, in->time, in->record_id, &t, &r))
		return store_run_sharpen(store, store->stmt[ST_INSTALL_SHARPEN], *row,
		    t, r, "cannot store an installer event");
	return NULL;
}

struct au_error *
store_add_install(struct au_store *store, int64_t file_id,
    const struct au_install *in, int *is_new)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = store->stmt[ST_INSTALL_INS];
	int64_t host_id, row = 0;
	char tt[40];

	*is_new = 0;
	if ((err = store_host(store, in->host ? in->host : "", 0, in->time,
	    &host_id)) != NULL)
		goto done;
	if ((err = store_find_install(store, host_id, in, &row)) != NULL)
		goto done;
	/* As store_insert_event: a record-less read a tick later when its time is taken. */
	for (unsigned nudge = 0; row == 0 && nudge < STORE_NUDGES; nudge++) {
		uint64_t time = in->time + nudge;

		au_time_text(time, 1, tt, sizeof(tt));
		sqlite3_bind_int64(st, 1, host_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)time);
		sqlite3_bind_text(st, 3, tt, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)in->record_id);
		sqlite3_bind_int64(st, 5, in->event_id);
		sqlite3_bind_text(st, 6, in->product ? in->product : "", -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 7, in->version ? in->version : "", -1,
		    SQLITE_STATIC);
		if (in->status < 0)
			sqlite3_bind_null(st, 8);
		else
			sqlite3_bind_int(st, 8, in->status);
		if ((err = store_run(store, st,
		    "cannot store an installer event")) != NULL)
			goto done;
		if (sqlite3_changes(store->db) == 1) {
			row = sqlite3_last_insert_rowid(store->db);
			*is_new = 1;
		} else if (in->record_id != 0 || (time + 1) / STORE_SECOND !=
		    in->time / STORE_SECOND)
			break;
	}
	if (row == 0) {
		err = au_error_new(AU_ERR_INTERNAL, store->path, "cannot store an"
		    " installer event: another one holds its time and record ID");
		goto done;
	}
	st = store->stmt[ST_INSTALL_FILE];
	sqlite3_bind_int64(st, 1, row);
	sqlite3_bind_int64(st, 2, file_id);
	err = store_run(store, st, "cannot store an installer event's source");
done:
	return err;
}

