/* store-query.c: queries of the history: host selection, walks by host, event and file, counts. */
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
 * Reads the events (stmt evq) and installs (stmt inq) of host id in
 * [since, until) and hands them to fn, unless it has none in range.
 */
static struct au_error *
store_read_host(struct au_store *store, sqlite3_stmt *evq, sqlite3_stmt *inq,
    int64_t id, const char *name, uint64_t since, uint64_t until,
    store_host_fn fn, void *arg)
{
	struct au_error *err = NULL;
	struct au_event **events = NULL;
	struct au_install **installs = NULL;
	size_t nev = 0, nin = 0, cap = 0;
	int rc;

	sqlite3_bind_int64(evq, 1, id);
	store_bind_range(evq, since, until);
	while ((rc = sqlite3_step(evq)) == SQLITE_ROW) {
		if (nev == cap) {
			cap = cap ? cap * 2 : 64;
			events = xreallocarray(events, cap, sizeof(*events));
		}
		events[nev++] = store_row_event(evq, name);
	}
	sqlite3_reset(evq);
	if (rc != SQLITE_DONE) {
		err = store_error(store, "cannot read events");
		goto done;
	}
	cap = 0;
	sqlite3_bind_int64(inq, 1, id);
	store_bind_range(inq, since, until);
	while ((rc = sqlite3_step(inq)) == SQLITE_ROW) {
		if (nin == cap) {
			cap = cap ? cap * 2 : 8;
			installs = xreallocarray(installs, cap, sizeof(*installs));
		}
		installs[nin++] = store_row_install(inq, name);
	}
	sqlite3_reset(inq);
	if (rc != SQLITE_DONE) {
		err = store_error(store, "cannot read installer events");
		goto done;
	}
	if (nev == 0 && nin == 0)
		goto done;
	/* fn owns the arrays from here, even when it fails. */
	err = fn(arg, events, nev, installs, nin);
	events = NULL;
	installs = NULL;
	nev = nin = 0;
done:
	store_free_rows(events, nev, installs, nin);
	return err;
}

struct au_error *
store_each_host(struct au_store *store, const struct au_query *q,
    store_host_fn fn, void *arg)
{
	struct au_error *err = NULL;
	struct store_host_row *hosts = NULL;
	size_t nhosts = 0;
	sqlite3_stmt *evq = NULL, *inq = NULL;
	uint64_t since = q != NULL ? q->since : 0;
	uint64_t until = q != NULL ? q->until : 0;
	int began = 0;

	if ((err = store_read_begin(store, &began)) != NULL)
		goto done;
	if ((err = store_query_hosts(store, q, &hosts, &nhosts)) != NULL)
		goto done;
	if ((err = store_prepare(store, STORE_EVENT_COLUMNS, &evq)) != NULL ||
	    (err = store_prepare(store, STORE_INSTALL_COLUMNS, &inq)) != NULL)
		goto done;
	for (size_t h = 0; h < nhosts && err == NULL; h++)
		err = store_read_host(store, evq, inq, hosts[h].id, hosts[h].name,
		    since, until, fn, arg);
done:
	sqlite3_finalize(evq);
	sqlite3_finalize(inq);
	store_free_hosts(hosts, nhosts);
	store_read_end(store, began);
	return err;
}

struct au_error *
store_host_events(struct au_store *store, const char *host, uint64_t since,
    uint64_t until, store_host_fn fn, void *arg)
{
	static const char *const sql[3] = {
		"SELECT id, name FROM hosts WHERE name_key = ?1",
		STORE_EVENT_COLUMNS_NO_FILE,
		STORE_INSTALL_COLUMNS,
	};
	struct au_error *err = NULL;
	sqlite3_stmt *hq;
	char *key = xstrdup(host != NULL ? host : "");
	char *name = NULL;
	int64_t id = 0;
	int began = 0, rc;

	for (int i = 0; i < 3; i++)
		if (store->rq[i] == NULL &&
		    (err = store_prepare(store, sql[i], &store->rq[i])) != NULL)
			goto done;
	if ((err = store_read_begin(store, &began)) != NULL)
		goto done;
	store_lower(key);
	hq = store->rq[0];
	sqlite3_bind_text(hq, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(hq);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(hq, 0);
		name = store_col_dup(hq, 1);
	}
	sqlite3_reset(hq);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_error(store, "cannot read the hosts");
	else if (rc == SQLITE_ROW)
		err = store_read_host(store, store->rq[1], store->rq[2], id,
		    name != NULL ? name : "", since, until, fn, arg);
done:
	store_read_end(store, began);
	free(name);
	free(key);
	return err;
}

/* Walks the events (or installs) of the hosts q covers, one row at a time. */
static struct au_error *
store_walk(struct au_store *s, const struct au_query *q, int installs,
    store_event_fn efn, store_install_fn ifn, void *arg)
{
	struct au_error *err = NULL;
	struct store_host_row *hosts = NULL;
	size_t nhosts = 0;
	sqlite3_stmt *st = NULL;
	uint64_t since = q != NULL ? q->since : 0;
	uint64_t until = q != NULL ? q->until : 0;
	int began = 0, rc = SQLITE_DONE;

	if ((err = store_read_begin(s, &began)) != NULL)
		goto done;
	if ((err = store_query_hosts(s, q, &hosts, &nhosts)) != NULL)
		goto done;
	if ((err = store_prepare(s, installs ? STORE_INSTALL_COLUMNS :
	    STORE_EVENT_COLUMNS, &st)) != NULL)
		goto done;
	for (size_t h = 0; h < nhosts; h++) {
		const char *name = hosts[h].name;

		sqlite3_bind_int64(st, 1, hosts[h].id);
		store_bind_range(st, since, until);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (installs)
				err = ifn(arg, store_row_install(st, name));
			else
				err = efn(arg, store_row_event(st, name));
			if (err != NULL)
				goto done;
		}
		if (rc != SQLITE_DONE) {
			err = store_error(s, "cannot read the history");
			goto done;
		}
		sqlite3_reset(st);
	}
done:
	sqlite3_finalize(st);
	store_free_hosts(hosts, nhosts);
	store_read_end(s, began);
	return err;
}

struct au_error *
store_each_event(struct au_store *store, const struct au_query *q,
    store_event_fn fn, void *arg)
{
	return store_walk(store, q, 0, fn, NULL, arg);
}

struct au_error *
store_each_install(struct au_store *store, const struct au_query *q,
    store_install_fn fn, void *arg)
{
	return store_walk(store, q, 1, NULL, fn, arg);
}

struct au_error *
store_event_files(struct au_store *store, int64_t event_id, char ***paths,
    size_t *npaths)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = NULL;
	char **list = NULL;
	size_t n = 0;
	int rc;

	*paths = NULL;
	*npaths = 0;
	if ((err = store_prepare(store, "SELECT f.path FROM event_files ef"
	    " JOIN files f ON f.id = ef.file_id WHERE ef.event_id = ?1"
	    " ORDER BY ef.file_id", &st)) != NULL)
		goto done;
	sqlite3_bind_int64(st, 1, event_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, n + 1, sizeof(*list));
		list[n++] = store_col_dup(st, 0);
	}
	if (rc != SQLITE_DONE) {
		err = store_error(store, "cannot read an event's files");
		goto done;
	}
	*paths = list;
	*npaths = n;
	list = NULL;
	n = 0;
done:
	store_free_paths(list, n);
	sqlite3_finalize(st);
	return err;
}

void
store_free_paths(char **paths, size_t npaths)
{
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
}

/* Fills st->hosts with file_id's rows of file_hosts, in order of appearance. */
static struct au_error *
store_file_host_rows(struct au_store *s, sqlite3_stmt *st, int64_t file_id,
    struct au_file_stats *fs)
{
	size_t cap = 0;
	int rc;

	sqlite3_bind_int64(st, 1, file_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct au_file_host *fh;

		if (fs->nhosts == cap) {
			cap = cap ? cap * 2 : 4;
			fs->hosts = xreallocarray(fs->hosts, cap, sizeof(*fs->hosts));
		}
		fh = &fs->hosts[fs->nhosts++];
		fh->name = store_col_dup(st, 0);
		if (fh->name == NULL)
			fh->name = xstrdup("");
		fh->records = store_col_u64(st, 1);
		fh->first_time = store_col_u64(st, 2);
		fh->last_time = store_col_u64(st, 3);
		fh->min_record = store_col_u64(st, 4);
		fh->max_record = store_col_u64(st, 5);
		fh->from_name = sqlite3_column_int(st, 6);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_error(s, "cannot read a file's hosts");
	return NULL;
}

struct au_error *
store_each_file(struct au_store *store, store_file_fn fn, void *arg)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = NULL, *hq = NULL;
	struct au_file_stats fs;
	int began = 0, rc;

	memset(&fs, 0, sizeof(fs));
	if ((err = store_read_begin(store, &began)) != NULL)
		goto done;
	if ((err = store_prepare(store, "SELECT path, size, sha256, records,"
	    " matched, recovered, corrupt, installs, events_new, events_known, dirty,"
	    " file_corrupted, errors, id, first_time, last_time, members,"
	    " parent IS NOT NULL FROM files ORDER BY id", &st)) != NULL ||
	    (err = store_prepare(store, "SELECT name, records, first_time,"
	    " last_time, min_record, max_record, from_name FROM file_hosts"
	    " WHERE file_id = ?1 ORDER BY position",
	    &hq)) != NULL)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(st, 2);

		fs.path = store_col_dup(st, 0);
		fs.size = (uint64_t)sqlite3_column_int64(st, 1);
		snprintf(fs.sha256, sizeof(fs.sha256), "%s", sha ? sha : "");
		fs.records = (uint64_t)sqlite3_column_int64(st, 3);
		fs.matched = (uint64_t)sqlite3_column_int64(st, 4);
		fs.recovered = (uint64_t)sqlite3_column_int64(st, 5);
		fs.corrupt = (uint64_t)sqlite3_column_int64(st, 6);
		fs.installs = (uint64_t)sqlite3_column_int64(st, 7);
		fs.events_new = (uint64_t)sqlite3_column_int64(st, 8);
		fs.events_known = (uint64_t)sqlite3_column_int64(st, 9);
		fs.dirty = sqlite3_column_int(st, 10);
		fs.file_corrupted = sqlite3_column_int(st, 11);
		fs.errors = store_col_dup(st, 12);
		fs.first_time = store_col_u64(st, 14);
		fs.last_time = store_col_u64(st, 15);
		fs.members = store_col_u64(st, 16);
		fs.member = sqlite3_column_int(st, 17);
		if ((err = store_file_host_rows(store, hq,
		    sqlite3_column_int64(st, 13), &fs)) == NULL)
			err = fn(arg, &fs);
		au_file_stats_clear(&fs);
		if (err != NULL)
			goto done;
	}
	if (rc != SQLITE_DONE)
		err = store_error(store, "cannot read the files");
done:
	au_file_stats_clear(&fs);
	sqlite3_finalize(st);
	sqlite3_finalize(hq);
	store_read_end(store, began);
	return err;
}

struct au_error *
store_counts(struct au_store *store, const struct au_query *q,
    struct au_store_counts *c)
{
	struct au_error *err = NULL;
	struct store_host_row *hosts = NULL;
	size_t nhosts = 0;
	sqlite3_stmt *evq = NULL, *inq = NULL, *fq = NULL;
	uint64_t since = q != NULL ? q->since : 0;
	uint64_t until = q != NULL ? q->until : 0;
	int began = 0;

	memset(c, 0, sizeof(*c));
	if ((err = store_read_begin(store, &began)) != NULL)
		goto done;
	if ((err = store_query_hosts(store, q, &hosts, &nhosts)) != NULL)
		goto done;
	if ((err = store_prepare(store, "SELECT count(*), count(result_code),"
	    " min(time), max(time) FROM events"
	    " WHERE host_id = ?1 AND time >= ?2 AND time < ?3", &evq)) != NULL ||
	    (err = store_prepare(store, "SELECT count(*) FROM installs"
	    " WHERE host_id = ?1 AND time >= ?2 AND time < ?3", &inq)) != NULL ||
	    (err = store_prepare(store, "SELECT count(*) FROM files WHERE parent IS NULL",
	    &fq)) != NULL)
		goto done;
	for (size_t h = 0; h < nhosts; h++) {
		uint64_t nev, nin, first, last;

		sqlite3_bind_int64(evq, 1, hosts[h].id);
		store_bind_range(evq, since, until);
		sqlite3_bind_int64(inq, 1, hosts[h].id);
		store_bind_range(inq, since, until);
		if (sqlite3_step(evq) != SQLITE_ROW ||
		    sqlite3_step(inq) != SQLITE_ROW) {
			err = store_error(store, "cannot count the history");
			goto done;
		}
		nev = (uint64_t)sqlite3_column_int64(evq, 0);
		nin = (uint64_t)sqlite3_column_int64(inq, 0);
		first = (uint64_t)sqlite3_column_int64(evq, 2);
		last = (uint64_t)sqlite3_column_int64(evq, 3);
		c->events += nev;
		c->results += (uint64_t)sqlite3_column_int64(evq, 1);
		c->installs += nin;
		if (nev + nin > 0)
			c->hosts++;
		if (nev > 0 && (c->first == 0 || first < c->first))
			c->first = first;
		if (nev > 0 && last > c->last)
			c->last = last;
		sqlite3_reset(evq);
		sqlite3_reset(inq);
	}
	if (sqlite3_step(fq) != SQLITE_ROW) {
		err = store_error(store, "cannot count the files");
		goto done;
	}
	c->files = (uint64_t)sqlite3_column_int64(fq, 0);
done:
	sqlite3_finalize(evq);
	sqlite3_finalize(inq);
	sqlite3_finalize(fq);
	store_free_hosts(hosts, nhosts);
	store_read_end(store, began);
	return err;
}
