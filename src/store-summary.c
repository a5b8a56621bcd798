/* store-summary.c: per-host summaries (host_status, host_codes): kept at import, read for reports. */
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

/* One host's events as analyse_host reads them (no text it does not use). */
static const char *const store_status_sql[SS_COUNT] = {
	[SS_NAME] = "SELECT name FROM hosts WHERE id = ?1",
	[SS_EVENTS] = "SELECT e.id, e.time, e.record_id, e.event_id,"
	    " e.qualifiers, e.level, NULL, NULL, NULL, e.recovered,"
	    " e.result_code, e.detail, e.category, NULL"
	    " FROM events e WHERE e.host_id = ?1"
	    " ORDER BY e.time, e.record_id, e.provider, e.event_id",
	[SS_HAS_INSTALLS] = "SELECT EXISTS (SELECT 1 FROM installs"
	    " WHERE host_id = ?1)",
	[SS_DEL] = "DELETE FROM host_status WHERE host_id = ?1",
	[SS_DEL_CODES] = "DELETE FROM host_codes WHERE host_id = ?1",
	[SS_PUT] = "INSERT OR REPLACE INTO host_status (host_id, verdict,"
	    " events, attempts, first_seen, last_seen, last_success,"
	    " latest_event, streak_count, streak_since, condition_count,"
	    " condition_since) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " ?10, ?11, ?12)",
	[SS_PUT_CODE] = "INSERT INTO host_codes (host_id, position,"
	    " result_code, detail, category, count, first, last)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
};

/* Whether an event's result is the one spelled code ("code" or "code-detail"). */
static int
store_code_is(const char *code, const struct au_event *ev)
{
	size_t len = strlen(ev->result_code);

	if (strncmp(code, ev->result_code, len) != 0)
		return 0;
	if (ev->detail == NULL)
		return code[len] == '\0';
	return code[len] == '-' && strcmp(code + len + 1, ev->detail) == 0;
}

static struct au_error *
store_status_prepare(struct au_store *s)
{
	struct au_error *err = NULL;

	for (int i = 0; i < SS_COUNT && err == NULL; i++)
		if (s->sst[i] == NULL)
			err = store_prepare(s, store_status_sql[i], &s->sst[i]);
	return err;
}

/*
 * Recomputes host_status and host_codes of one host from all its events,
 * with analyse_host itself, so the summary is what a report would say.
 * Only one host's events are in memory.
 */
static struct au_error *
store_status_host(struct au_store *s, int64_t host_id)
{
	struct au_error *err = NULL;
	struct au_host_report *hr = NULL;
	struct au_event **events = NULL;
	size_t nev = 0, cap = 0, next = 0;
	sqlite3_stmt *st;
	char *name = NULL;
	int rc, has_installs = 0;

	if ((err = store_status_prepare(s)) != NULL)
		goto done;
	st = s->sst[SS_NAME];
	sqlite3_bind_int64(st, 1, host_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		name = store_col_dup(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		err = store_error(s, "cannot read a host");
		goto done;
	}
	if (name == NULL)
		name = xstrdup("");
	st = s->sst[SS_EVENTS];
	sqlite3_bind_int64(st, 1, host_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nev == cap) {
			cap = cap ? cap * 2 : 256;
			events = xreallocarray(events, cap, sizeof(*events));
		}
		events[nev++] = store_row_event(st, name);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		err = store_error(s, "cannot read a host's events");
		goto done;
	}
	st = s->sst[SS_HAS_INSTALLS];
	sqlite3_bind_int64(st, 1, host_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		has_installs = sqlite3_column_int(st, 0);
	sqlite3_reset(st);

	st = s->sst[SS_DEL_CODES];
	sqlite3_bind_int64(st, 1, host_id);
	if ((err = store_run(s, st, "cannot update a host's summary")) != NULL)
		goto done;
	if (nev == 0 && !has_installs) {
		st = s->sst[SS_DEL];
		sqlite3_bind_int64(st, 1, host_id);
		err = store_run(s, st, "cannot update a host's summary");
		goto done;
	}
	hr = analyse_host(events, nev, NULL, 0);
	events = NULL;
	nev = 0;

	st = s->sst[SS_PUT];
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_text(st, 2, au_verdict_name(hr->verdict), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)hr->events_count);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)hr->attempts);
	if (hr->events_count > 0) {
		sqlite3_bind_int64(st, 5, (sqlite3_int64)hr->first_seen);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)hr->last_seen);
	} else {
		sqlite3_bind_null(st, 5);
		sqlite3_bind_null(st, 6);
	}
	store_bind_time(st, 7, hr->last_success);
	if (hr->latest != NULL)
		sqlite3_bind_int64(st, 8, hr->latest->id);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)hr->streak_count);
	if (hr->streak_count > 0)
		sqlite3_bind_int64(st, 10, (sqlite3_int64)hr->streak_since);
	else
		sqlite3_bind_null(st, 10);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)hr->condition_count);
	if (hr->condition_count > 0)
		sqlite3_bind_int64(st, 12, (sqlite3_int64)hr->condition_since);
	else
		sqlite3_bind_null(st, 12);
	if ((err = store_run(s, st, "cannot update a host's summary")) != NULL)
		goto done;

	/*
	 * Codes come in order of first appearance, so one walk over the
	 * sorted events meets each code's first event in turn: its own
	 * result_code and detail are stored, for the catalog lookup on reading.
	 */
	st = s->sst[SS_PUT_CODE];
	for (size_t i = 0; i < hr->nevents && next < hr->ncodes; i++) {
		const struct au_event *ev = hr->events[i];
		const struct au_code_count *cc = &hr->codes[next];

		if (ev->result_code == NULL || !store_code_is(cc->code, ev))
			continue;
		sqlite3_bind_int64(st, 1, host_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)next);
		sqlite3_bind_text(st, 3, ev->result_code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, ev->detail, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, au_category_name(cc->category), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)cc->count);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)cc->first);
		sqlite3_bind_int64(st, 8, (sqlite3_int64)cc->last);
		if ((err = store_run(s, st, "cannot update a host's summary")) != NULL)
			goto done;
		next++;
	}
	if (next != hr->ncodes)
		err = au_error_new(AU_ERR_INTERNAL, s->path, "host %s: %zu of %zu"
		    " codes found again", name, next, hr->ncodes);
done:
	for (size_t i = 0; i < nev; i++)
		au_event_free(events[i]);
	free(events);
	analyse_host_free(hr);
	free(name);
	return err;
}

static int
store_id_cmp(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return (a > b) - (a < b);
}

/* Brings host_status up to date for the hosts the open file touched. */
struct au_error *
store_status_touched(struct au_store *s)
{
	struct au_error *err = NULL;
	size_t n = 0;

	if (s->ntouched > 1)
		qsort(s->touched, s->ntouched, sizeof(*s->touched), store_id_cmp);
	for (size_t i = 0; i < s->ntouched && err == NULL; i++) {
		if (n > 0 && s->touched[i] == s->touched[n - 1])
			continue;
		s->touched[n++] = s->touched[i];
		err = store_status_host(s, s->touched[i]);
	}
	s->ntouched = 0;
	return err;
}

/* Builds host_status for every host (the migration to schema 2). */
struct au_error *
store_status_all(struct au_store *s)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = NULL;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if ((err = store_prepare(s, "SELECT id FROM hosts ORDER BY id",
	    &st)) != NULL)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			ids = xreallocarray(ids, cap, sizeof(*ids));
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE) {
		err = store_error(s, "cannot read the hosts");
		goto done;
	}
	for (size_t i = 0; i < n && err == NULL; i++)
		err = store_status_host(s, ids[i]);
done:
	sqlite3_finalize(st);
	free(ids);
	return err;
}

/* With `since`, summaries do not apply: each host is analysed from its events. */
struct store_summary_walk {
	store_summary_fn fn;
	void *arg;
};

static struct au_error *
store_summary_from_events(void *arg, struct au_event **events, size_t nevents,
    struct au_install **installs, size_t ninstalls)
{
	struct store_summary_walk *w = arg;
	struct au_host_report *hr;

	hr = analyse_host(events, nevents, installs, ninstalls);
	analyse_host_drop_events(hr);
	return w->fn(w->arg, hr);
}

/* The statements store_each_summary runs per host. */
enum {
	SR_STATUS,
	SR_LATEST,
	SR_CODES,
	SR_INSTALLS,
	SR_COUNT
};

static const char *const store_summary_sql[SR_COUNT] = {
	[SR_STATUS] = "SELECT events, attempts, first_seen, last_seen,"
	    " last_success, latest_event, streak_count, streak_since,"
	    " condition_count, condition_since"
	    " FROM host_status WHERE host_id = ?1",
	[SR_LATEST] = "SELECT e.id, e.time, e.record_id, e.event_id,"
	    " e.qualifiers, e.level, e.provider, e.channel, e.message,"
	    " e.recovered, e.result_code, e.detail, e.category,"
	    " (SELECT f.path FROM event_files ef JOIN files f"
	    " ON f.id = ef.file_id WHERE ef.event_id = e.id"
	    " ORDER BY ef.file_id LIMIT 1)"
	    " FROM events e WHERE e.id = ?1",
	[SR_CODES] = "SELECT result_code, detail, category, count, first, last"
	    " FROM host_codes WHERE host_id = ?1 ORDER BY position",
	[SR_INSTALLS] = STORE_INSTALL_COLUMNS,
};

/* One host's report from host_status, host_codes, its latest event and installs. */
static struct au_error *
store_summary_host(struct au_store *s, sqlite3_stmt **sr,
    const struct store_host_row *h, struct au_host_report **out)
{
	struct au_error *err = NULL;
	struct au_host_report *hr = NULL;
	struct au_event **events = NULL;
	struct au_install **installs = NULL;
	struct au_code_count *codes = NULL;
	size_t nev = 0, nin = 0, ncodes = 0, cap = 0;
	sqlite3_stmt *st = sr[SR_STATUS];
	int64_t latest = 0;
	int rc;

	*out = NULL;
	sqlite3_bind_int64(st, 1, h->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {   /* a host with neither events nor installs */
		sqlite3_reset(st);
		goto done;
	}
	if (rc != SQLITE_ROW) {
		err = store_error(s, "cannot read a host's summary");
		sqlite3_reset(st);
		goto done;
	}
	hr = xcalloc(1, sizeof(*hr));
	hr->events_count = store_col_u64(st, 0);
	hr->attempts = store_col_u64(st, 1);
	hr->first_seen = store_col_u64(st, 2);
	hr->last_seen = store_col_u64(st, 3);
	hr->last_success = store_col_u64(st, 4);
	latest = sqlite3_column_int64(st, 5);
	hr->streak_count = store_col_u64(st, 6);
	hr->streak_since = store_col_u64(st, 7);
	hr->condition_count = store_col_u64(st, 8);
	hr->condition_since = store_col_u64(st, 9);
	sqlite3_reset(st);

	if (latest != 0) {
		st = sr[SR_LATEST];
		sqlite3_bind_int64(st, 1, latest);
		if (sqlite3_step(st) == SQLITE_ROW) {
			events = xcalloc(1, sizeof(*events));
			events[nev++] = store_row_event(st, h->name);
		}
		sqlite3_reset(st);
		if (nev == 0) {
			err = store_error(s, "cannot read a host's latest event");
			goto done;
		}
	}
	st = sr[SR_INSTALLS];
	sqlite3_bind_int64(st, 1, h->id);
	sqlite3_bind_int64(st, 2, 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nin == cap) {
			cap = cap ? cap * 2 : 8;
			installs = xreallocarray(installs, cap, sizeof(*installs));
		}
		installs[nin++] = store_row_install(st, h->name);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		err = store_error(s, "cannot read installer events");
		goto done;
	}
	st = sr[SR_CODES];
	sqlite3_bind_int64(st, 1, h->id);
	cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const char *detail = (const char *)sqlite3_column_text(st, 1);
		struct au_code_count *cc;

		if (ncodes == cap) {
			cap = cap ? cap * 2 : 4;
			codes = xreallocarray(codes, cap, sizeof(*codes));
		}
		cc = &codes[ncodes++];
		memset(cc, 0, sizeof(*cc));
		cc->code = detail != NULL ? xasprintf("%s-%s", code ? code : "",
		    detail) : xstrdup(code ? code : "");
		/* Looked up now, as store_row_event does: this binary's catalog. */
		if (detail != NULL)
			cc->entry = classify_lookup(cc->code);
		if (cc->entry == NULL && code != NULL)
			cc->entry = classify_lookup(code);
		cc->category = store_category_parse((const char *)
		    sqlite3_column_text(st, 2));
		cc->count = store_col_u64(st, 3);
		cc->first = store_col_u64(st, 4);
		cc->last = store_col_u64(st, 5);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		err = store_error(s, "cannot read a host's codes");
		goto done;
	}

	/*
	 * The rest is what analyse_host derives from the latest event and
	 * the installs alone (verdict, latest, the version timeline).
	 */
	{
		struct au_host_report *base = analyse_host(events, nev,
		    installs, nin);

		events = NULL;
		installs = NULL;
		nev = nin = 0;
		hr->verdict = base->verdict;
		hr->latest = base->latest;
		hr->events = base->events;
		hr->nevents = base->nevents;
		hr->installs = base->installs;
		hr->ninstalls = base->ninstalls;
		base->events = NULL;
		base->nevents = 0;
		base->installs = NULL;
		base->ninstalls = 0;
		analyse_host_free(base);
	}
	hr->host = xstrdup(h->name);
	hr->codes = codes;
	hr->ncodes = ncodes;
	codes = NULL;
	ncodes = 0;
	/* Catalog-dependent counts, from this binary's catalog. */
	analyse_host_count_codes(hr);
	*out = hr;
	hr = NULL;
done:
	for (size_t i = 0; i < nev; i++)
		au_event_free(events[i]);
	free(events);
	for (size_t i = 0; i < nin; i++)
		au_install_free(installs[i]);
	free(installs);
	for (size_t i = 0; i < ncodes; i++)
		free(codes[i].code);
	free(codes);
	analyse_host_free(hr);
	return err;
}

struct au_error *
store_each_summary(struct au_store *store, const struct au_query *q,
    store_summary_fn fn, void *arg)
{
	struct au_error *err = NULL;
	struct store_host_row *hosts = NULL;
	struct au_host_report *hr;
	sqlite3_stmt *sr[SR_COUNT] = { NULL };
	size_t nhosts = 0;
	int began = 0;

	if ((q != NULL && q->since != 0) || store->no_status) {
		struct store_summary_walk w = { fn, arg };

		return store_each_host(store, q, store_summary_from_events, &w);
	}
	if ((err = store_read_begin(store, &began)) != NULL)
		goto done;
	if ((err = store_query_hosts(store, q, &hosts, &nhosts)) != NULL)
		goto done;
	for (int i = 0; i < SR_COUNT; i++)
		if ((err = store_prepare(store, store_summary_sql[i],
		    &sr[i])) != NULL)
			goto done;
	for (size_t h = 0; h < nhosts; h++) {
		if ((err = store_summary_host(store, sr, &hosts[h], &hr)) != NULL)
			goto done;
		if (hr != NULL && (err = fn(arg, hr)) != NULL)
			goto done;
	}
done:
	for (int i = 0; i < SR_COUNT; i++)
		sqlite3_finalize(sr[i]);
	store_free_hosts(hosts, nhosts);
	store_read_end(store, began);
	return err;
}
