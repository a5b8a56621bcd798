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

/*
 * Statements that keep host_status. Only schema-2 tables: the migration to
 * schema 2 runs them before later tables exist.
 */
static const char *const store_status_sql[SS_COUNT] = {
	/* What the summary needs of each event, in analyse_host's order. */
	[SS_EVENTS] = "SELECT id, time, record_id, result_code, detail, category"
	    " FROM events WHERE host_id = ?1 AND time >= ?2 AND time < ?3"
	    " ORDER BY time, record_id, recovered, event_id, id",
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

static struct au_error *
store_status_prepare(struct au_store *s)
{
	struct au_error *err = NULL;

	for (int i = 0; i < SS_COUNT && err == NULL; i++)
		if (s->sst[i] == NULL)
			err = store_prepare(s, store_status_sql[i], &s->sst[i]);
	return err;
}

/* One distinct result code of a host, as the summary accumulates it. */
struct store_code_acc {
	char *code, *detail;        /* as in the code's first event */
	char *key;                  /* "code" or "code-detail", as analyse names it */
	enum au_category category;
	uint64_t count, first, last;
};

/*
 * A host's summary, accumulated one event at a time in analyse_host's
 * order, so that no more than one event is in memory: what analyse_host
 * computes from the whole array (tests compare the two on random
 * histories). The runs (streak, condition) are counted forward: a
 * result unlike the previous one starts a new run.
 */
struct store_summ {
	uint64_t events, attempts, first, last, last_success;
	int64_t latest;             /* row id of the latest result; 0 = none */
	char *lcode, *ldetail;
	enum au_category lcat;
	uint64_t streak_count, streak_since, cond_count, cond_since;
	struct store_code_acc *codes;
	size_t ncodes, cap;
	uint64_t ptime, prec;       /* the previous event, for repeats */
};

static void
store_summ_clear(struct store_summ *m)
{
	for (size_t i = 0; i < m->ncodes; i++) {
		free(m->codes[i].code);
		free(m->codes[i].detail);
		free(m->codes[i].key);
	}
	free(m->codes);
	free(m->lcode);
	free(m->ldetail);
	memset(m, 0, sizeof(*m));
}

static int
store_same(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/*
 * Adds one event, stored as row with time, record ID rec, result code
 * (NULL: none), detail and category as stored (its name).
 */
void
store_summ_event(struct store_summ *m, int64_t row, uint64_t time, uint64_t rec,
    const char *code, const char *detail, const char *category)
{
	enum au_category cat;
	struct store_code_acc *cc = NULL;
	char *key;

	/* The same record read with another provider or id counts once. */
	if (m->events > 0 && time == m->ptime && rec == m->prec)
		return;
	m->ptime = time;
	m->prec = rec;
	if (m->events++ == 0)
		m->first = time;
	m->last = time;
	if (code == NULL)
		return;
	cat = store_category_parse(category);
	if (cat == AU_CAT_NONE)   /* edited by hand: derive it again */
		cat = classify_category(code);
	m->attempts++;
	if (cat == AU_CAT_SUCCESS)
		m->last_success = time;
	if (m->latest != 0 && strcmp(code, m->lcode) == 0 &&
	    store_same(detail, m->ldetail))
		m->streak_count++;
	else {
		m->streak_count = 1;
		m->streak_since = time;
		free(m->lcode);
		free(m->ldetail);
		m->lcode = xstrdup(code);
		m->ldetail = detail != NULL ? xstrdup(detail) : NULL;
	}
	if (m->latest != 0 && cat == m->lcat)
		m->cond_count++;
	else {
		m->cond_count = 1;
		m->cond_since = time;
	}
	m->latest = row;
	m->lcat = cat;

	key = detail != NULL ? xasprintf("%s-%s", code, detail) : xstrdup(code);
	for (size_t i = m->ncodes; i-- > 0;)
		if (strcmp(m->codes[i].key, key) == 0) {
			cc = &m->codes[i];
			break;
		}
	if (cc == NULL) {
		if (m->ncodes == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 8;
			m->codes = xreallocarray(m->codes, m->cap, sizeof(*m->codes));
		}
		cc = &m->codes[m->ncodes++];
		memset(cc, 0, sizeof(*cc));
		cc->code = xstrdup(code);
		cc->detail = detail != NULL ? xstrdup(detail) : NULL;
		cc->key = key;
		key = NULL;
		cc->category = cat;
		cc->first = time;
	}
	cc->count++;
	cc->last = time;
	free(key);
}

/* Adds one row of SS_EVENTS. */
static void
store_summ_add(struct store_summ *m, sqlite3_stmt *st)
{
	store_summ_event(m, sqlite3_column_int64(st, 0), store_col_u64(st, 1),
	    store_col_u64(st, 2), (const char *)sqlite3_column_text(st, 3),
	    (const char *)sqlite3_column_text(st, 4),
	    (const char *)sqlite3_column_text(st, 5));
}

struct store_summ *
store_summ_new(void)
{
	return xcalloc(1, sizeof(struct store_summ));
}

void
store_summ_free(struct store_summ *m)
{
	if (m == NULL)
		return;
	store_summ_clear(m);
	free(m);
}

/* Accumulates host_id's events in [since, until) (until 0: no end). */
static struct au_error *
store_summ_host(struct au_store *s, int64_t host_id, uint64_t since,
    uint64_t until, struct store_summ *m)
{
	sqlite3_stmt *st;
	struct au_error *err;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((err = store_status_prepare(s)) != NULL)
		return err;
	st = s->sst[SS_EVENTS];
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	sqlite3_bind_int64(st, 3, until != 0 && until <= INT64_MAX ?
	    (sqlite3_int64)until : INT64_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		store_summ_add(m, st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_error(s, "cannot read a host's events");
	return NULL;
}

/* Writes host_status and host_codes of one host from its summary m. */
static struct au_error *
store_status_write(struct au_store *s, int64_t host_id, const struct store_summ *mp)
{
	struct au_error *err = NULL;
	const struct store_summ m = *mp;
	sqlite3_stmt *st;
	int has_installs = 0;

	if ((err = store_status_prepare(s)) != NULL)
		return err;
	st = s->sst[SS_HAS_INSTALLS];
	sqlite3_bind_int64(st, 1, host_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		has_installs = sqlite3_column_int(st, 0);
	sqlite3_reset(st);

	st = s->sst[SS_DEL_CODES];
	sqlite3_bind_int64(st, 1, host_id);
	if ((err = store_run(s, st, "cannot update a host's summary")) != NULL)
		goto done;
	if (m.events == 0 && !has_installs) {
		st = s->sst[SS_DEL];
		sqlite3_bind_int64(st, 1, host_id);
		err = store_run(s, st, "cannot update a host's summary");
		goto done;
	}
	st = s->sst[SS_PUT];
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_text(st, 2, au_verdict_name(m.latest != 0 ?
	    au_verdict_from_category(m.lcat) : AU_VERDICT_NO_RESULT), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)m.events);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)m.attempts);
	if (m.events > 0) {
		sqlite3_bind_int64(st, 5, (sqlite3_int64)m.first);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)m.last);
	} else {
		sqlite3_bind_null(st, 5);
		sqlite3_bind_null(st, 6);
	}
	store_bind_time(st, 7, m.last_success);
	if (m.latest != 0)
		sqlite3_bind_int64(st, 8, m.latest);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)(m.latest ? m.streak_count : 0));
	if (m.latest != 0)
		sqlite3_bind_int64(st, 10, (sqlite3_int64)m.streak_since);
	else
		sqlite3_bind_null(st, 10);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)(m.latest ? m.cond_count : 0));
	if (m.latest != 0)
		sqlite3_bind_int64(st, 12, (sqlite3_int64)m.cond_since);
	else
		sqlite3_bind_null(st, 12);
	if ((err = store_run(s, st, "cannot update a host's summary")) != NULL)
		goto done;
	st = s->sst[SS_PUT_CODE];
	for (size_t i = 0; i < m.ncodes; i++) {
		const struct store_code_acc *cc = &m.codes[i];

		sqlite3_bind_int64(st, 1, host_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, cc->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, cc->detail, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, au_category_name(cc->category), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)cc->count);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)cc->first);
		sqlite3_bind_int64(st, 8, (sqlite3_int64)cc->last);
		if ((err = store_run(s, st, "cannot update a host's summary")) != NULL)
			goto done;
	}
done:
	return err;
}

/*
 * Recomputes host_status and host_codes of one host from all its events,
 * streamed: one event in memory at a time, whatever the host's history.
 */
static struct au_error *
store_status_host(struct au_store *s, int64_t host_id)
{
	struct au_error *err;
	struct store_summ m;

	memset(&m, 0, sizeof(m));
	if ((err = store_summ_host(s, host_id, 0, 0, &m)) == NULL)
		err = store_status_write(s, host_id, &m);
	store_summ_clear(&m);
	return err;
}

static int
store_touched_cmp(const void *pa, const void *pb)
{
	int64_t a = (*(struct store_touched_host *const *)pa)->id;
	int64_t b = (*(struct store_touched_host *const *)pb)->id;

	return (a > b) - (a < b);
}

/* Brings host_status up to date for the hosts the open file touched. */
struct au_error *
store_status_touched(struct au_store *s)
{
	struct au_error *err = NULL;
	struct store_touched_host **th = s->touched.n > 0 ?
	    xcalloc(s->touched.n, sizeof(*th)) : NULL;
	size_t n = 0;

	for (size_t i = 0; i < s->touched.cap; i++)
		if (s->touched.slot[i].id != 0)
			th[n++] = &s->touched.slot[i];
	if (n > 1)
		qsort(th, n, sizeof(*th), store_touched_cmp);
	/* A summary kept while the file was read is all there is to know. */
	for (size_t i = 0; i < n && err == NULL; i++)
		err = th[i]->summ != NULL ? store_status_write(s, th[i]->id,
		    th[i]->summ) : store_status_host(s, th[i]->id);
	free(th);
	store_touched_clear(&s->touched);
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

/* The statements store_each_summary runs per host. */
enum {
	SR_STATUS,
	SR_LATEST,
	SR_CODES,
	SR_INSTALLS,
	SR_LOG,
	SR_RELATED,
	SR_SAME_AS,
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
	/* Related providers' events in range, most frequent first. */
	[SR_RELATED] = "SELECT provider, event_id, count(*), min(time), max(time)"
	    " FROM related_events WHERE host_id = ?1 AND time >= ?2 AND time < ?3"
	    " GROUP BY provider, event_id"
	    " ORDER BY count(*) DESC, provider, event_id",
	/*
	 * The host's logs: records read with its name, and their period,
	 * in order of record ID so that overlapping reads of one log merge.
	 */
	[SR_LOG] = "SELECT records, first_time, last_time, min_record,"
	    " max_record, from_name FROM file_hosts WHERE host_id = ?1"
	    " ORDER BY min_record IS NULL, min_record, max_record",
	/*
	 * A server named by its file ("AADC01"): the servers whose full
	 * name starts with it and a dot ("aadc01.contoso.local"), at most 2
	 * (a range on the unique index of name_key).
	 */
	[SR_SAME_AS] = "SELECT name FROM hosts WHERE name_key > ?1 || '.'"
	    " AND name_key < ?1 || '/' LIMIT 2",
};

/* Reads the summary import kept (host_status, host_codes); *found 0 when none. */
static struct au_error *
store_summ_stored(struct au_store *s, sqlite3_stmt **sr, int64_t host_id,
    struct store_summ *m, int *found)
{
	sqlite3_stmt *st = sr[SR_STATUS];
	int rc;

	memset(m, 0, sizeof(*m));
	*found = 0;
	sqlite3_bind_int64(st, 1, host_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = 1;
		m->events = store_col_u64(st, 0);
		m->attempts = store_col_u64(st, 1);
		m->first = store_col_u64(st, 2);
		m->last = store_col_u64(st, 3);
		m->last_success = store_col_u64(st, 4);
		m->latest = sqlite3_column_int64(st, 5);
		m->streak_count = store_col_u64(st, 6);
		m->streak_since = store_col_u64(st, 7);
		m->cond_count = store_col_u64(st, 8);
		m->cond_since = store_col_u64(st, 9);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, "cannot read a host's summary");
	if (!*found)
		return NULL;
	st = sr[SR_CODES];
	sqlite3_bind_int64(st, 1, host_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const char *detail = (const char *)sqlite3_column_text(st, 1);
		struct store_code_acc *cc;

		if (m->ncodes == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 8;
			m->codes = xreallocarray(m->codes, m->cap, sizeof(*m->codes));
		}
		cc = &m->codes[m->ncodes++];
		memset(cc, 0, sizeof(*cc));
		cc->code = xstrdup(code ? code : "");
		cc->detail = detail != NULL ? xstrdup(detail) : NULL;
		cc->key = detail != NULL ? xasprintf("%s-%s", cc->code, detail) :
		    xstrdup(cc->code);
		cc->category = store_category_parse((const char *)
		    sqlite3_column_text(st, 2));
		cc->count = store_col_u64(st, 3);
		cc->first = store_col_u64(st, 4);
		cc->last = store_col_u64(st, 5);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_error(s, "cannot read a host's codes");
	return NULL;
}

/* hr->related: the host's related providers' events in range. */
static struct au_error *
store_summ_related(struct au_store *s, sqlite3_stmt *st, int64_t host_id,
    uint64_t since, uint64_t until, struct au_host_report *hr)
{
	size_t cap = 0;
	int rc;

	sqlite3_bind_int64(st, 1, host_id);
	store_bind_range(st, since, until);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct au_related_count *r;

		if (hr->nrelated == cap) {
			cap = cap ? cap * 2 : 4;
			hr->related = xreallocarray(hr->related, cap, sizeof(*hr->related));
		}
		r = &hr->related[hr->nrelated++];
		r->provider = store_col_dup(st, 0);
		if (r->provider == NULL)
			r->provider = xstrdup("");
		r->event_id = (uint32_t)sqlite3_column_int64(st, 1);
		r->count = store_col_u64(st, 2);
		r->first = store_col_u64(st, 3);
		r->last = store_col_u64(st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_error(s, "cannot read a host's related events");
	return NULL;
}

/*
 * The records of a host's logs over every file that named it, and their
 * period: files whose record IDs overlap are reads of one log (an .evtx
 * and its export, or two collections of it), counted once, with
 * au_records_once over each run of overlapping ranges; an export without
 * record IDs within their period, too (au_period_within).
 */
static struct au_error *
store_summ_log(struct au_store *s, sqlite3_stmt *st, int64_t host_id,
    uint64_t *records, uint64_t *first, uint64_t *last, int *from_name)
{
	uint64_t grec = 0, gmin = 0, gmax = 0, covered = 0;
	struct au_file_host ranged = { NULL, 0, 0, 0, 0, 0, 0 };
	int rc, rows = 0, named = 0;

	*records = *first = *last = 0;
	sqlite3_bind_int64(st, 1, host_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct au_file_host row = { NULL, store_col_u64(st, 0),
		    store_col_u64(st, 1), store_col_u64(st, 2), store_col_u64(st, 3),
		    store_col_u64(st, 4), sqlite3_column_int(st, 5) };
		uint64_t n = row.records, lo = row.min_record, hi = row.max_record;

		rows++;
		named += !row.from_name;
		if (row.first_time != 0 && (*first == 0 || row.first_time < *first))
			*first = row.first_time;
		if (row.last_time > *last)
			*last = row.last_time;
		if (lo == 0 || hi < lo) {
			/*
			 * Without record IDs (the rows come after those with):
			 * within the period of the logs read with them, an
			 * export of (part of) the same log, counted once.
			 */
			if (au_period_within(&row, &ranged)) {
				if (n > covered)
					covered = n;
			} else
				*records += n;
			continue;
		}
		if (row.first_time != 0 && (ranged.first_time == 0 ||
		    row.first_time < ranged.first_time))
			ranged.first_time = row.first_time;
		if (row.last_time > ranged.last_time)
			ranged.last_time = row.last_time;
		if (gmin != 0 && lo <= gmax) {
			grec = au_records_once(grec, gmin, gmax, n, lo, hi);
			if (hi > gmax)
				gmax = hi;
			continue;
		}
		ranged.records += grec;
		grec = n;
		gmin = lo;
		gmax = hi;
	}
	ranged.records += grec;
	*records += ranged.records > covered ? ranged.records : covered;
	/* Only a file's name ever named it: no log of it gave its Computer. */
	*from_name = rows > 0 && named == 0;
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_error(s, "cannot read a host's logs");
	return NULL;
}

/*
 * One host's report: the summary kept at import, or (with a time range)
 * one accumulated from the events in range; its latest event and
 * installs; the records and period of its logs. *out is NULL for a host
 * with nothing in range (no events, installs or log records).
 */
static struct au_error *
store_summary_host(struct au_store *s, sqlite3_stmt **sr,
    const struct store_host_row *h, uint64_t since, uint64_t until,
    struct au_host_report **out)
{
	struct au_error *err = NULL;
	struct au_host_report *hr = NULL;
	struct au_event **events = NULL;
	struct au_install **installs = NULL;
	struct store_summ m;
	size_t nev = 0, nin = 0, cap = 0;
	sqlite3_stmt *st;
	uint64_t log_records = 0, log_first = 0, log_last = 0;
	int rc, found = 1, from_name = 0, ranged = since != 0 || until != 0;
	char *same_as = NULL;

	*out = NULL;
	memset(&m, 0, sizeof(m));
	if (ranged)
		err = store_summ_host(s, h->id, since, until, &m);
	else
		err = store_summ_stored(s, sr, h->id, &m, &found);
	if (err != NULL)
		goto done;

	if ((err = store_summ_log(s, sr[SR_LOG], h->id, &log_records,
	    &log_first, &log_last, &from_name)) != NULL)
		goto done;
	if (from_name && strchr(h->key, '.') == NULL) {
		/* One fully named server that is probably the same: said, not joined. */
		st = sr[SR_SAME_AS];
		sqlite3_bind_text(st, 1, h->key, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			same_as = store_col_dup(st, 0);
			if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
				free(same_as);     /* two: which one cannot be told */
				same_as = NULL;
			}
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			err = store_error(s, "cannot read the server names");
			goto done;
		}
	}
	if (m.latest != 0) {
		st = sr[SR_LATEST];
		sqlite3_bind_int64(st, 1, m.latest);
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
	store_bind_range(st, since, until);
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
	/*
	 * Nothing in range: skipped. A silent server (log records, no
	 * event) is kept when its logs' period meets the range.
	 */
	if ((!found || (ranged && m.events == 0 && nin == 0)) &&
	    (log_records == 0 || (since != 0 && log_last < since) ||
	    (until != 0 && log_first >= until)))
		goto done;

	/*
	 * The rest is what analyse_host derives from the latest event and
	 * the installs alone (verdict, latest, the version timeline).
	 */
	hr = analyse_host(events, nev, installs, nin);
	events = NULL;
	installs = NULL;
	nev = nin = 0;
	free(hr->host);
	hr->host = xstrdup(h->name);
	hr->events_count = m.events;
	hr->attempts = m.attempts;
	hr->first_seen = m.first;
	hr->last_seen = m.last;
	hr->last_success = m.last_success;
	hr->streak_count = m.latest ? m.streak_count : 0;
	hr->streak_since = m.latest ? m.streak_since : 0;
	hr->condition_count = m.latest ? m.cond_count : 0;
	hr->condition_since = m.latest ? m.cond_since : 0;
	hr->log_records = log_records;
	hr->log_first = log_first;
	hr->log_last = log_last;
	hr->name_from_file = from_name;
	hr->same_as = same_as;
	same_as = NULL;
	for (size_t i = 0; i < hr->ncodes; i++)
		free(hr->codes[i].code);
	free(hr->codes);
	hr->codes = m.ncodes ? xcalloc(m.ncodes, sizeof(*hr->codes)) : NULL;
	hr->ncodes = m.ncodes;
	for (size_t i = 0; i < m.ncodes; i++) {
		struct au_code_count *cc = &hr->codes[i];

		cc->code = m.codes[i].key;
		m.codes[i].key = NULL;
		/* Looked up now, as store_row_event does: this binary's catalog. */
		if (m.codes[i].detail != NULL)
			cc->entry = classify_lookup(cc->code);
		if (cc->entry == NULL)
			cc->entry = classify_lookup(m.codes[i].code);
		cc->category = m.codes[i].category;
		cc->count = m.codes[i].count;
		cc->first = m.codes[i].first;
		cc->last = m.codes[i].last;
	}
	if ((err = store_summ_related(s, sr[SR_RELATED], h->id, since, until,
	    hr)) != NULL)
		goto done;
	/* Catalog-dependent counts, from this binary's catalog. */
	analyse_host_count_codes(hr);
	*out = hr;
	hr = NULL;
done:
	store_free_rows(events, nev, installs, nin);
	store_summ_clear(&m);
	free(same_as);
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
	uint64_t since = q != NULL ? q->since : 0;
	uint64_t until = q != NULL ? q->until : 0;
	int began = 0;

	if ((err = store_read_begin(store, &began)) != NULL)
		goto done;
	if ((err = store_query_hosts(store, q, &hosts, &nhosts)) != NULL)
		goto done;
	for (int i = 0; i < SR_COUNT; i++)
		if ((err = store_prepare(store, store_summary_sql[i],
		    &sr[i])) != NULL)
			goto done;
	for (size_t h = 0; h < nhosts; h++) {
		if ((err = store_summary_host(store, sr, &hosts[h], since, until,
		    &hr)) != NULL)
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
