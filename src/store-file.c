/* store-file.c: one file's import transaction: its row, what identifies it on disk, its path's latest import, its chunks, archive members, commit and rollback. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "error.h"
#include "event.h"
#include "store.h"
#include "store-int.h"
#include "xmalloc.h"

/* Remembers what stat says of the file about to be read (have_id 0 if nothing). */
static void
store_file_stat(struct au_store *s, const char *path)
{
	struct stat sb;

	s->have_id = 0;
	if (path == NULL || s->path == NULL || stat(path, &sb) == -1 ||
	    !S_ISREG(sb.st_mode))
		return;
	s->have_id = 1;
	s->id_size = (uint64_t)sb.st_size;
	s->id_mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	s->id_inode = (uint64_t)sb.st_ino;
	s->id_device = (uint64_t)sb.st_dev;
}

struct au_error *
store_file_unchanged(struct au_store *store, const char *path, int *unchanged,
    uint64_t *matched)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	*unchanged = 0;
	*matched = 0;
	store_file_stat(store, path);
	if (!store->have_id)
		goto done;
	/* Its events: those read, and those of chunks an earlier import read. */
	if ((err = store_prepare(store, "SELECT events_new + events_known FROM files"
	    " WHERE path = ?1"
	    " AND size = ?2 AND mtime = ?3 AND inode = ?4 AND device = ?5"
	    " AND errors IS NULL ORDER BY id DESC LIMIT 1", &st)) != NULL)
		goto done;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)store->id_size);
	sqlite3_bind_int64(st, 3, store->id_mtime);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)store->id_inode);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)store->id_device);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*unchanged = 1;
		*matched = store_col_u64(st, 0);
	} else if (rc != SQLITE_DONE)
		err = store_error(store, "cannot look up a file");
done:
	store->have_id = 0;
	sqlite3_finalize(st);
	return err;
}

/* The latest import of path (a history's, not scan's): store->prev, prev_id. */
static struct au_error *
store_file_prev(struct au_store *s, const char *path)
{
	sqlite3_stmt *st = s->stmt[ST_FILE_PREV];
	int rc;

	memset(&s->prev, 0, sizeof(s->prev));
	s->prev_id = 0;
	if (s->path == NULL || path == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(st, 1);
		const char *when = (const char *)sqlite3_column_text(st, 2);

		s->prev_id = sqlite3_column_int64(st, 0);
		s->prev.found = 1;
		snprintf(s->prev.sha256, sizeof(s->prev.sha256), "%s",
		    sha != NULL ? sha : "");
		snprintf(s->prev.imported_at, sizeof(s->prev.imported_at), "%s",
		    when != NULL ? when : "");
		s->prev.size = store_col_u64(st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, "cannot look up a file");
	return NULL;
}

void
store_file_previous(const struct au_store *store, struct store_previous *prev)
{
	*prev = store->prev;
}

struct au_error *
store_chunk(struct au_store *store, uint64_t k, const struct au_chunk_sums *sums,
    uint64_t events, int *known, struct au_chunk_sums *before, int *had)
{
	sqlite3_stmt *st;
	int rc;

	*known = 0;
	*had = 0;
	memset(before, 0, sizeof(*before));
	if (store->path == NULL || !store->in_file || store->in_member)
		return NULL;
	if (store->prev_id != 0) {
		st = store->stmt[ST_CHUNK_GET];
		sqlite3_bind_int64(st, 1, store->prev_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)k);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*had = 1;
			before->header_crc = (uint32_t)sqlite3_column_int64(st, 0);
			before->records_crc = (uint32_t)sqlite3_column_int64(st, 1);
			before->last_record = store_col_u64(st, 2);
			before->free_offset = (uint32_t)sqlite3_column_int64(st, 3);
			*known = before->header_crc == sums->header_crc &&
			    before->records_crc == sums->records_crc;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return store_error(store, "cannot look up a chunk");
		if (*known) {
			store->prev.chunks_known++;
			store->nknown += events;
		}
	}
	st = store->stmt[ST_CHUNK_INS];
	sqlite3_bind_int64(st, 1, store->file_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)k);
	sqlite3_bind_int64(st, 3, sums->header_crc);
	sqlite3_bind_int64(st, 4, sums->records_crc);
	sqlite3_bind_int64(st, 5, sums->last_record > INT64_MAX ? INT64_MAX :
	    (sqlite3_int64)sums->last_record);
	sqlite3_bind_int64(st, 6, sums->free_offset);
	return store_run(store, st, "cannot record a chunk");
}

struct au_error *
store_file_begin(struct au_store *store, const struct au_file_stats *st,
    int64_t *file_id)
{
	struct au_error *err = NULL;
	sqlite3_stmt *ins = store->stmt[ST_FILE_INS];
	char now[40];

	*file_id = 0;
	if (store->in_file)
		return au_error_new(AU_ERR_INTERNAL, store->path,
		    "a file transaction is already open");
	au_time_text(au_filetime_now(), 0, now, sizeof(now));
	if ((err = store_run(store, store->stmt[ST_BEGIN],
	    "cannot start a transaction")) != NULL)
		goto done;
	store->in_file = 1;
	store->in_member = 0;
	store->nnew = store->nknown = 0;
	store_touched_clear(&store->touched);
	store_file_stat(store, st->path);
	if ((err = store_file_prev(store, st->path)) != NULL)
		goto done;
	sqlite3_bind_text(ins, 1, st->path ? st->path : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 2, (sqlite3_int64)st->size);
	sqlite3_bind_text(ins, 3, st->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, now, -1, SQLITE_STATIC);
	if ((err = store_run(store, ins, "cannot record the file")) != NULL)
		goto done;
	*file_id = store->file_id = sqlite3_last_insert_rowid(store->db);
done:
	if (err != NULL)
		store_file_rollback(store);
	return err;
}

/*
 * Every Computer the file's records named gets a host row (so that a
 * server without an upgrade event exists in the history) and a file_hosts
 * row with its records and period.
 */
static struct au_error *
store_file_hosts(struct au_store *s, int64_t file_id,
    const struct au_file_stats *st)
{
	struct au_error *err = NULL;
	sqlite3_stmt *ins = s->stmt[ST_FILE_HOST];
	int64_t host_id;

	for (size_t i = 0; i < st->nhosts; i++) {
		const struct au_file_host *fh = &st->hosts[i];

		if (fh->name == NULL || fh->name[0] == '\0')
			continue;
		if ((err = store_host(s, fh->name, 0, 0, &host_id)) != NULL)
			return err;
		sqlite3_bind_int64(ins, 1, host_id);
		sqlite3_bind_int64(ins, 2, file_id);
		sqlite3_bind_text(ins, 3, fh->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 4, (sqlite3_int64)fh->records);
		store_bind_time(ins, 5, fh->first_time);
		store_bind_time(ins, 6, fh->last_time);
		sqlite3_bind_int64(ins, 7, (sqlite3_int64)i);
		store_bind_time(ins, 8, fh->min_record);
		store_bind_time(ins, 9, fh->max_record);
		sqlite3_bind_int(ins, 10, fh->from_name != 0);
		if ((err = store_run(s, ins, "cannot record a file's hosts")) != NULL)
			return err;
	}
	return store_host_flush(s);
}

/*
 * Writes what reading a file (or member) gave into its row and its
 * file_hosts: nnew/nknown its events' is_new results; identity: keep
 * what stat said of it, for store_file_unchanged.
 */
static struct au_error *
store_file_update(struct au_store *store, int64_t file_id,
    const struct au_file_stats *st, uint64_t nnew, uint64_t nknown, int identity)
{
	struct au_error *err;
	sqlite3_stmt *upd = store->stmt[ST_FILE_UPD];

	if ((err = store_host_flush(store)) != NULL)
		return err;
	sqlite3_bind_int64(upd, 1, file_id);
	sqlite3_bind_int64(upd, 2, (sqlite3_int64)st->records);
	sqlite3_bind_int64(upd, 3, (sqlite3_int64)st->matched);
	sqlite3_bind_int64(upd, 4, (sqlite3_int64)st->recovered);
	sqlite3_bind_int64(upd, 5, (sqlite3_int64)st->corrupt);
	sqlite3_bind_int64(upd, 6, (sqlite3_int64)st->installs);
	sqlite3_bind_int64(upd, 7, (sqlite3_int64)nnew);
	sqlite3_bind_int64(upd, 8, (sqlite3_int64)nknown);
	sqlite3_bind_int(upd, 9, st->dirty != 0);
	sqlite3_bind_int(upd, 10, st->file_corrupted != 0);
	sqlite3_bind_text(upd, 11, st->errors, -1, SQLITE_STATIC);
	/* Reading the file is what measures and hashes it, after begin. */
	sqlite3_bind_int64(upd, 12, (sqlite3_int64)st->size);
	sqlite3_bind_text(upd, 13, st->sha256, -1, SQLITE_STATIC);
	store_bind_time(upd, 14, st->first_time);
	store_bind_time(upd, 15, st->last_time);
	/* A file that changed while it was read is not "the same file" later. */
	if (identity && store->have_id && store->id_size == st->size &&
	    st->errors == NULL) {
		sqlite3_bind_int64(upd, 16, store->id_mtime);
		sqlite3_bind_int64(upd, 17, (sqlite3_int64)store->id_inode);
		sqlite3_bind_int64(upd, 18, (sqlite3_int64)store->id_device);
	} else {
		sqlite3_bind_null(upd, 16);
		sqlite3_bind_null(upd, 17);
		sqlite3_bind_null(upd, 18);
	}
	sqlite3_bind_int64(upd, 19, (sqlite3_int64)st->members);
	if ((err = store_run(store, upd, "cannot record the file")) != NULL)
		return err;
	return store_file_hosts(store, file_id, st);
}

struct au_error *
store_file_commit(struct au_store *store, int64_t file_id,
    const struct au_file_stats *st)
{
	struct au_error *err = NULL;

	if (!store->in_file)
		return au_error_new(AU_ERR_INTERNAL, store->path,
		    "no file transaction to commit");
	if ((err = store_file_update(store, file_id, st, store->nnew,
	    store->nknown, 1)) != NULL)
		goto done;
	if ((err = store_status_touched(store)) != NULL)
		goto done;
	/* Only the latest import of a path keeps its chunks' checksums. */
	if (store->prev_id != 0) {
		sqlite3_stmt *drop = store->stmt[ST_CHUNK_DROP];

		sqlite3_bind_int64(drop, 1, store->prev_id);
		if ((err = store_run(store, drop, "cannot record the file")) != NULL)
			goto done;
	}
	if ((err = store_run(store, store->stmt[ST_COMMIT],
	    "cannot commit the file's events")) != NULL)
		goto done;
	store->in_file = 0;
	/* Written, and the next file may name other hosts: memory stays the file's. */
	store_names_clear(&store->names);
done:
	if (err != NULL)
		store_file_rollback(store);
	return err;
}

struct au_error *
store_member_begin(struct au_store *store, int64_t parent_id, const char *name,
    int64_t *member_id)
{
	struct au_error *err;
	sqlite3_stmt *ins = store->stmt[ST_FILE_INS], *par = store->stmt[ST_FILE_PARENT];
	char now[40];

	*member_id = 0;
	if (!store->in_file)
		return au_error_new(AU_ERR_INTERNAL, store->path,
		    "an archive member outside its file's transaction");
	au_time_text(au_filetime_now(), 0, now, sizeof(now));
	sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 2, 0);
	sqlite3_bind_text(ins, 3, "", -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, now, -1, SQLITE_STATIC);
	if ((err = store_run(store, ins, "cannot record an archive member")) != NULL)
		return err;
	*member_id = sqlite3_last_insert_rowid(store->db);
	sqlite3_bind_int64(par, 1, *member_id);
	sqlite3_bind_int64(par, 2, parent_id);
	if ((err = store_run(store, par, "cannot record an archive member")) != NULL)
		return err;
	store->member_nnew = store->nnew;
	store->member_nknown = store->nknown;
	store->in_member = 1;
	return NULL;
}

struct au_error *
store_member_end(struct au_store *store, int64_t member_id,
    const struct au_file_stats *m)
{
	if (!store->in_file)
		return au_error_new(AU_ERR_INTERNAL, store->path,
		    "an archive member outside its file's transaction");
	store->in_member = 0;
	return store_file_update(store, member_id, m,
	    store->nnew - store->member_nnew, store->nknown - store->member_nknown, 0);
}

void
store_file_rollback(struct au_store *store)
{
	if (store == NULL)
		return;
	if (!sqlite3_get_autocommit(store->db)) {
		sqlite3_step(store->stmt[ST_ROLLBACK]);
		sqlite3_reset(store->stmt[ST_ROLLBACK]);
	}
	/* The host rows may have been rolled back with the rest. */
	store_names_clear(&store->names);
	store->in_file = 0;
	store->nnew = store->nknown = 0;
	store_touched_clear(&store->touched);
}
