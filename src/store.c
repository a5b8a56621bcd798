/* store.c: the history database: open and close, its statements, shared helpers; the schema is store-schema.c. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sqlite3.h>

#include "analyse.h"
#include "classify.h"
#include "error.h"
#include "event.h"
#include "store.h"
#include "store-int.h"
#include "xmalloc.h"

static const char *const store_stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_HOST_GET] = "SELECT id, name, name_time FROM hosts"
	    " WHERE name_key = ?1",
	[ST_HOST_INS] = "INSERT INTO hosts (name, name_key, name_time)"
	    " VALUES (?1, ?2, ?3)",
	[ST_HOST_RENAME] = "UPDATE hosts SET name = ?2, name_time = ?3"
	    " WHERE id = ?1",
	[ST_EVENT_INS] = "INSERT INTO events (host_id, time, time_text,"
	    " record_id, event_id, qualifiers, level, provider, channel,"
	    " result_code, detail, category, message, recovered)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14) ON CONFLICT (host_id, time, record_id, provider, event_id)"
	    " DO NOTHING",
	/*
	 * The events that may be this one read from another form: the same
	 * host, provider and ID within a second (exports keep times to the
	 * second or millisecond); store_same_event decides.
	 */
	[ST_EVENT_NEAR] = "SELECT id, recovered, time, record_id, message,"
	    " result_code, detail FROM events WHERE host_id = ?1"
	    " AND time > ?2 - 10000000 AND time < ?2 + 10000000"
	    " AND provider = ?3 AND event_id = ?4",
	/* The same event from a form that tells more: its record ID, exact time. */
	[ST_EVENT_SHARPEN] = "UPDATE OR IGNORE events SET time = ?2,"
	    " time_text = ?3, record_id = ?4 WHERE id = ?1",
	[ST_EVENT_UNRECOVER] = "UPDATE events SET recovered = 0 WHERE id = ?1",
	[ST_EVENT_FILE] = "INSERT INTO event_files (event_id, file_id)"
	    " VALUES (?1, ?2) ON CONFLICT DO NOTHING",
	[ST_INSTALL_INS] = "INSERT INTO installs (host_id, time, time_text,"
	    " record_id, event_id, product, version, status)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT (host_id, time, record_id, event_id) DO NOTHING",
	[ST_INSTALL_NEAR] = "SELECT id, time, record_id, product, version"
	    " FROM installs WHERE host_id = ?1 AND time > ?2 - 10000000"
	    " AND time < ?2 + 10000000 AND event_id = ?3",
	[ST_INSTALL_SHARPEN] = "UPDATE OR IGNORE installs SET time = ?2,"
	    " time_text = ?3, record_id = ?4 WHERE id = ?1",
	[ST_INSTALL_FILE] = "INSERT INTO install_files (install_id, file_id)"
	    " VALUES (?1, ?2) ON CONFLICT DO NOTHING",
	[ST_FILE_INS] = "INSERT INTO files (path, size, sha256, imported_at)"
	    " VALUES (?1, ?2, lower(?3), ?4)",
	[ST_FILE_UPD] = "UPDATE files SET records = ?2, matched = ?3,"
	    " recovered = ?4, corrupt = ?5, installs = ?6, events_new = ?7,"
	    " events_known = ?8, dirty = ?9, file_corrupted = ?10, errors = ?11, size = ?12,"
	    " sha256 = lower(?13), first_time = ?14, last_time = ?15, mtime = ?16,"
	    " inode = ?17, device = ?18, members = ?19 WHERE id = ?1",
	[ST_FILE_PARENT] = "UPDATE files SET parent = ?2 WHERE id = ?1",
	[ST_RELATED_INS] = "INSERT INTO related_events (host_id, provider,"
	    " event_id, time, record_id) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT DO NOTHING",
	/* Related events that may be this one from another form (store_same_read). */
	[ST_RELATED_NEAR] = "SELECT time, record_id FROM related_events"
	    " WHERE host_id = ?1 AND provider = ?2 AND event_id = ?3"
	    " AND time > ?4 - 10000000 AND time < ?4 + 10000000",
	/* The latest import of a path (files_path), before the open file's row. */
	[ST_FILE_PREV] = "SELECT id, sha256, imported_at, size FROM files"
	    " WHERE path = ?1 AND parent IS NULL ORDER BY id DESC LIMIT 1",
	[ST_CHUNK_INS] = "INSERT OR REPLACE INTO file_chunks (file_id, chunk,"
	    " header_crc, records_crc, last_record, free_offset)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_CHUNK_GET] = "SELECT header_crc, records_crc, last_record, free_offset"
	    " FROM file_chunks WHERE file_id = ?1 AND chunk = ?2",
	[ST_CHUNK_DROP] = "DELETE FROM file_chunks WHERE file_id = ?1",
	/* The newest stored event of a host (the UNIQUE index's prefix). */
	[ST_EVENT_NEWEST] = "SELECT max(time) FROM events WHERE host_id = ?1",
	[ST_FILE_HOST] = "INSERT INTO file_hosts (host_id, file_id, name, records,"
	    " first_time, last_time, position, min_record, max_record, from_name)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	    " ON CONFLICT (host_id, file_id) DO UPDATE SET"
	    " records = records + excluded.records,"
	    " from_name = max(from_name, excluded.from_name),"
	    " first_time = coalesce(min(first_time, excluded.first_time),"
	    " first_time, excluded.first_time),"
	    " last_time = coalesce(max(last_time, excluded.last_time),"
	    " last_time, excluded.last_time),"
	    " min_record = coalesce(min(min_record, excluded.min_record),"
	    " min_record, excluded.min_record),"
	    " max_record = coalesce(max(max_record, excluded.max_record),"
	    " max_record, excluded.max_record)",
};

void
store_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* An AU_ERR_DB error about the database, with SQLite's reason. */
struct au_error *
store_error(struct au_store *s, const char *what)
{
	int code = sqlite3_errcode(s->db) & 0xff;
	int sys = sqlite3_system_errno(s->db);
	const char *msg = sqlite3_errmsg(s->db);

	if (code == SQLITE_READONLY)
		return au_error_new(AU_ERR_DB, s->path, "%s: it is read-only:"
		    " %s (%s)", what, msg, sqlite3_extended_errcode(s->db) ==
		    SQLITE_READONLY_DIRECTORY ? "its directory is not writable" :
		    "this user may not write the file or create files beside it");
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return au_error_new(AU_ERR_DB, s->path, "%s: %s (still busy after"
		    " %d ms: another aadc-upgrade may be importing)", what, msg,
		    s->busy_ms);
	if ((code == SQLITE_CANTOPEN || code == SQLITE_IOERR) && sys != 0)
		return au_error_new(AU_ERR_DB, s->path, "%s: %s (%s)", what,
		    msg, strerror(sys));
	if (sqlite3_extended_errcode(s->db) == SQLITE_IOERR_WRITE)
		return au_error_new(AU_ERR_DB, s->path, "%s: %s (writing"
		    " failed: is the disk full?)", what, msg);
	return au_error_new(AU_ERR_DB, s->path, "%s: %s", what, msg);
}

struct au_error *
store_exec(struct au_store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_error(s, what);
	return NULL;
}

/* Steps a statement that returns no rows (or ignores them) and resets it. */
struct au_error *
store_run(struct au_store *s, sqlite3_stmt *st, const char *what)
{
	struct au_error *err = NULL;
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_error(s, what);
	sqlite3_reset(st);
	return err;
}

char *
store_col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

struct au_error *
store_prepare(struct au_store *s, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return store_error(s, "cannot prepare a query");
	return NULL;
}

void
store_names_clear(struct store_names *nm)
{
	for (size_t i = 0; i < nm->n; i++) {
		free(nm->e[i].key);
		free(nm->e[i].name);
	}
	free(nm->e);
	free(nm->index);
	memset(nm, 0, sizeof(*nm));
}

/* A category as stored (its name), AU_CAT_NONE when absent or unknown. */
enum au_category
store_category_parse(const char *name)
{
	for (int c = AU_CAT_SUCCESS; name != NULL && c <= AU_CAT_OTHER; c++)
		if (strcmp(name, au_category_name((enum au_category)c)) == 0)
			return (enum au_category)c;
	return AU_CAT_NONE;
}

/*
 * A row of STORE_EVENT_COLUMNS as an event, classified as classify_event
 * does; one allocation, its strings after it (AU_EVENT_PACKED: a report
 * reads hundreds of thousands).
 */
struct au_event *
store_row_event(sqlite3_stmt *st, const char *host)
{
	/* The row's strings, borrowed until the copy. */
	struct au_event row = {
		.id = sqlite3_column_int64(st, 0),
		.time = (uint64_t)sqlite3_column_int64(st, 1),
		.host = (char *)host,
		.record_id = (uint64_t)sqlite3_column_int64(st, 2),
		.event_id = (uint32_t)sqlite3_column_int64(st, 3),
		.qualifiers = (uint32_t)sqlite3_column_int64(st, 4),
		.level = (uint8_t)sqlite3_column_int(st, 5),
		.provider = (char *)sqlite3_column_text(st, 6),
		.channel = (char *)sqlite3_column_text(st, 7),
		.message = (char *)sqlite3_column_text(st, 8),
		.recovered = sqlite3_column_int(st, 9),
		.result_code = (char *)sqlite3_column_text(st, 10),
		.detail = (char *)sqlite3_column_text(st, 11),
		.source_file = (char *)sqlite3_column_text(st, 13),
	};
	struct au_event *ev;
	const char *cat;

	if (row.message == NULL)
		row.message = (char *)"";
	ev = au_event_packed_copy(&row, NULL, NULL);
	if (ev->result_code == NULL)
		return ev;

	cat = (const char *)sqlite3_column_text(st, 12);
	ev->category = store_category_parse(cat);
	if (ev->category == AU_CAT_NONE)   /* edited by hand: derive it again */
		ev->category = classify_category(ev->result_code);
	/* A compound value may itself be a catalog entry. */
	if (ev->detail != NULL) {
		char *full = xasprintf("%s-%s", ev->result_code, ev->detail);

		ev->code = classify_lookup(full);
		free(full);
	}
	if (ev->code == NULL)
		ev->code = classify_lookup(ev->result_code);
	return ev;
}

struct au_install *
store_row_install(sqlite3_stmt *st, const char *host)
{
	struct au_install *in = xcalloc(1, sizeof(*in));

	in->time = (uint64_t)sqlite3_column_int64(st, 0);
	in->host = xstrdup(host);
	in->record_id = (uint64_t)sqlite3_column_int64(st, 1);
	in->event_id = (uint32_t)sqlite3_column_int64(st, 2);
	in->product = store_col_dup(st, 3);
	in->version = store_col_dup(st, 4);
	in->status = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 5);
	if (in->product == NULL)
		in->product = xstrdup("");
	if (in->version == NULL)
		in->version = xstrdup("");
	return in;
}

void
store_free_rows(struct au_event **events, size_t n, struct au_install **installs,
    size_t m)
{
	for (size_t i = 0; i < n; i++)
		au_event_free(events[i]);
	free(events);
	for (size_t i = 0; i < m; i++)
		au_install_free(installs[i]);
	free(installs);
}

/* Starts a read transaction so one walk sees one snapshot (WAL). */
struct au_error *
store_read_begin(struct au_store *s, int *began)
{
	*began = 0;
	if (!sqlite3_get_autocommit(s->db))
		return NULL;
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(s, "cannot read the history");
	*began = 1;
	return NULL;
}

void
store_read_end(struct au_store *s, int began)
{
	if (began && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

uint64_t
store_col_u64(sqlite3_stmt *st, int col)
{
	return (uint64_t)sqlite3_column_int64(st, col);   /* NULL reads 0 */
}

void
store_bind_range(sqlite3_stmt *st, uint64_t since, uint64_t until)
{
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(since <= INT64_MAX ? since :
	    INT64_MAX));
	sqlite3_bind_int64(st, 3, until != 0 && until <= INT64_MAX ?
	    (sqlite3_int64)until : INT64_MAX);
}

void
store_bind_time(sqlite3_stmt *st, int col, uint64_t t)
{
	if (t == 0)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int64(st, col, (sqlite3_int64)t);
}

/* mkdir -p of path's parent; directories made here are private (0700). */
static struct au_error *
store_make_parent(const char *path)
{
	struct au_error *err = NULL;
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash == NULL || slash == dir)
		goto done;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		struct stat sb;
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			err = au_error_errno(AU_ERR_DB, path, errno,
			    "cannot create directory %s", dir);
			goto done;
		}
		if (stat(dir, &sb) == -1) {
			err = au_error_errno(AU_ERR_DB, path, errno, "%s", dir);
			goto done;
		}
		if (!S_ISDIR(sb.st_mode)) {
			err = au_error_new(AU_ERR_DB, path, "%s is not a directory",
			    dir);
			goto done;
		}
		*p = c;
		if (c == '\0')
			break;
	}
done:
	free(dir);
	return err;
}

static int
store_busy_timeout_ms(void)
{
	const char *env = getenv("AADC_UPGRADE_BUSY_TIMEOUT_MS");
	char *end;
	long ms;

	if (env == NULL || *env == '\0')
		return STORE_BUSY_TIMEOUT_MS;
	errno = 0;
	ms = strtol(env, &end, 10);
	if (errno != 0 || *end != '\0' || ms < 0 || ms > 3600000)
		return STORE_BUSY_TIMEOUT_MS;
	return (int)ms;
}

/*
 * What the first bytes of path say, before SQLite sees the file: a
 * non-empty file that is not an SQLite database is refused untouched.
 * *empty is set for a 0-byte file.
 */
static struct au_error *
store_check_header(const char *path, int *empty)
{
	static const char magic[16] = "SQLite format 3";   /* and its NUL */
	struct au_error *err = NULL;
	unsigned char head[100];
	size_t n;
	FILE *f;

	*empty = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return au_error_errno(AU_ERR_DB, path, errno,
		    "cannot open database");
	n = fread(head, 1, sizeof(head), f);
	if (ferror(f))
		err = au_error_errno(AU_ERR_DB, path, errno,
		    "cannot read database");
	else if (n == 0)
		*empty = 1;
	else if (n < sizeof(head) || memcmp(head, magic, sizeof(magic)) != 0)
		err = au_error_new(AU_ERR_DB, path, "not an SQLite database"
		    " (nor an aadc-upgrade history): left as it is; give --db"
		    " a new file or an existing history");
	fclose(f);
	return err;
}

/*
 * Whether this process may write path and create files beside it: when
 * not, the database is opened immutable (no locks, no -wal or -shm).
 */
static int
store_writable(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int ok;

	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	ok = access(path, W_OK) == 0 && access(dir, W_OK) == 0;
	free(dir);
	return ok;
}

/* "file:" URI of path, read-only and immutable (SQLite's URI rules). */
static char *
store_immutable_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(path);
	char *uri = xmalloc(3 * len + 40), *p = uri;

	p += sprintf(p, path[0] == '/' ? "file://" : "file:");
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if (*c == '%' || *c == '?' || *c == '#' || *c <= ' ' || *c >= 0x7f) {
			*p++ = '%';
			*p++ = hex[*c >> 4];
			*p++ = hex[*c & 15];
		} else
			*p++ = (char)*c;
	}
	strcpy(p, "?mode=ro&immutable=1");
	return uri;
}

static struct au_error *
store_pragma_int(struct au_store *s, const char *sql, int *value)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = NULL;

	if ((err = store_prepare(s, sql, &st)) != NULL)
		goto done;
	if (sqlite3_step(st) != SQLITE_ROW) {
		err = store_error(s, "cannot open database");
		goto done;
	}
	*value = sqlite3_column_int(st, 0);
done:
	sqlite3_finalize(st);
	return err;
}

/*
 * Whether the open database is ours, before anything writes: our
 * application_id, or (an aadc-upgrade history from before it was
 * stamped) a user_version and our meta and hosts tables; *fresh when it
 * holds no schema at all. Anything else is refused as it is.
 */
static struct au_error *
store_check_identity(struct au_store *s, int *fresh)
{
	struct au_error *err = NULL;
	int app = 0, version = 0, tables = 0, ours = 0;

	*fresh = 0;
	if ((err = store_user_version(s, "cannot open database",
	    &version)) != NULL ||
	    (err = store_pragma_int(s, "PRAGMA application_id", &app)) != NULL ||
	    (err = store_pragma_int(s, "SELECT count(*) FROM sqlite_master",
	    &tables)) != NULL ||
	    (err = store_pragma_int(s, "SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'table' AND name IN ('meta', 'hosts', 'events')",
	    &ours)) != NULL)
		return err;
	if ((uint32_t)app == STORE_APPLICATION_ID)
		return store_check_version(s, version);
	if (app != 0)
		return au_error_new(AU_ERR_DB, s->path, "an SQLite database of"
		    " another application (application_id 0x%08x), not an"
		    " aadc-upgrade history: left as it is", (unsigned)app);
	if (version == 0 && tables == 0) {
		*fresh = 1;
		return NULL;
	}
	if (version >= 1 && ours == 3)
		return store_check_version(s, version);
	return au_error_new(AU_ERR_DB, s->path, "an SQLite database that is"
	    " not an aadc-upgrade history (no application_id 0x%08x, no"
	    " history tables): left as it is; give --db a new file",
	    (unsigned)STORE_APPLICATION_ID);
}

/*
 * A read command on a history of an older schema must not migrate it: it
 * reads a private migrated copy instead (a temporary file SQLite removes).
 */
static struct au_error *
store_read_copy(struct au_store *s)
{
	struct au_error *err = NULL;
	sqlite3 *tmp = NULL;
	sqlite3_backup *bk;

	if (sqlite3_open_v2("", &tmp, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		err = au_error_new(AU_ERR_DB, s->path, "cannot make a temporary"
		    " copy of the older history: %s", tmp ? sqlite3_errmsg(tmp) :
		    "out of memory");
		goto done;
	}
	if ((bk = sqlite3_backup_init(tmp, "main", s->db, "main")) == NULL) {
		err = au_error_new(AU_ERR_DB, s->path, "cannot copy the older"
		    " history: %s", sqlite3_errmsg(tmp));
		goto done;
	}
	sqlite3_backup_step(bk, -1);
	if (sqlite3_backup_finish(bk) != SQLITE_OK) {
		err = au_error_new(AU_ERR_DB, s->path, "cannot copy the older"
		    " history: %s", sqlite3_errmsg(tmp));
		goto done;
	}
	sqlite3_close(s->db);
	s->db = tmp;
	tmp = NULL;
	sqlite3_extended_result_codes(s->db, 1);
	err = store_migrate(s);
done:
	sqlite3_close(tmp);
	return err;
}

struct au_error *
store_open(const char *path, enum store_mode mode, struct au_store **out)
{
	struct au_error *err = NULL;
	struct au_store *s = NULL;
	struct stat sb;
	sqlite3_stmt *st = NULL;
	char *uri = NULL;
	const char *name;
	int flags = SQLITE_OPEN_READWRITE, version = 0, empty = 0, fresh = 0;

	*out = NULL;
	s = xcalloc(1, sizeof(*s));
	s->path = path != NULL ? xstrdup(path) : NULL;
	s->busy_ms = store_busy_timeout_ms();
	s->read_only = path != NULL && mode == STORE_READ;
	name = path != NULL ? path : "";

	if (path != NULL) {
		if (stat(path, &sb) == 0) {
			if (S_ISDIR(sb.st_mode)) {
				err = au_error_new(AU_ERR_DB, path,
				    "is a directory, not a database");
				goto done;
			}
			if ((err = store_check_header(path, &empty)) != NULL)
				goto done;
			if (empty && s->read_only) {
				err = au_error_new(AU_ERR_DB, path, "an empty"
				    " file: no history yet: run aadc-upgrade"
				    " import first");
				goto done;
			}
		} else if (errno != ENOENT) {
			err = au_error_errno(AU_ERR_DB, path, errno,
			    "cannot open database");
			goto done;
		} else if (mode != STORE_CREATE) {
			err = au_error_new(AU_ERR_DB, path,
			    "no history yet: run aadc-upgrade import first");
			goto done;
		} else {
			if ((err = store_make_parent(path)) != NULL)
				goto done;
			flags |= SQLITE_OPEN_CREATE;
		}
		if (s->read_only) {
			flags = SQLITE_OPEN_READONLY;
			/* Read-only media: WAL cannot make its -shm there. */
			if (!store_writable(path)) {
				uri = store_immutable_uri(path);
				name = uri;
				flags |= SQLITE_OPEN_URI;
			}
		}
	} else {
		/* "": a private database in a temporary file, removed at close. */
		flags |= SQLITE_OPEN_CREATE;
	}

	/* One thread uses a connection (readers hand it their events): no mutexes. */
	if (sqlite3_open_v2(name, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (s->db == NULL)
			err = au_error_new(AU_ERR_DB, s->path,
			    "cannot open database: out of memory");
		else
			err = store_error(s, "cannot open database");
		goto done;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, s->busy_ms);
	/* A refused file must not even be checkpointed on close. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);

	/* Checked before anything writes: a foreign or newer file stays as is. */
	if ((err = store_check_identity(s, &fresh)) != NULL)
		goto done;
	if (fresh && s->read_only) {
		err = au_error_new(AU_ERR_DB, s->path, "an empty database: no"
		    " history yet: run aadc-upgrade import first");
		goto done;
	}
	if ((err = store_user_version(s, "cannot open database",
	    &version)) != NULL)
		goto done;
	/* SQLite quietly opens a file it may not write read-only. */
	if (!s->read_only && sqlite3_db_readonly(s->db, "main") == 1) {
		err = au_error_new(AU_ERR_DB, s->path, "cannot open database: it is"
		    " read-only (this user may not write the file)");
		goto done;
	}
	/* Nor does it say that it cannot make its journal beside it. */
	if (path != NULL && !s->read_only && !store_writable(path)) {
		err = au_error_new(AU_ERR_DB, s->path, "cannot open database: it is"
		    " read-only (its directory is not writable: the journal"
		    " cannot be made beside it)");
		goto done;
	}
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	/*
	 * A history checks its references. scan's database is its own and
	 * thrown away at the end: there the checks (two look-ups per event's
	 * source, a tenth of a collector log's storing) guard only against
	 * our own mistakes, which import, on the same code, still meets.
	 */
	if ((err = store_exec(s, path != NULL ? "PRAGMA foreign_keys = ON" :
	    "PRAGMA foreign_keys = OFF", "cannot open database")) != NULL)
		goto done;
	if (path != NULL && !s->read_only) {
		/*
		 * WAL: reports read while an import writes; NORMAL is safe
		 * with WAL; a 16 MiB cache holds the indexes of an import (a bigger
		 * one only adds to the peak memory).
		 * store_close turns WAL off again, so that a report on an
		 * idle history creates no -wal or -shm file.
		 */
		if ((err = store_prepare(s, "PRAGMA journal_mode = WAL",
		    &st)) != NULL)
			goto done;
		/*
		 * The switch needs the file to itself: SQLite says busy at
		 * once, without its busy handler, while another connection
		 * is writing, so wait here up to the busy timeout.
		 */
		for (int waited = 0;; waited += 20) {
			int rc = sqlite3_step(st);

			if (rc == SQLITE_ROW)
				break;
			if ((rc & 0xff) != SQLITE_BUSY || waited >= s->busy_ms) {
				err = store_error(s, "cannot switch to WAL mode");
				goto done;
			}
			sqlite3_reset(st);
			sqlite3_sleep(20);
		}
		sqlite3_finalize(st);
		st = NULL;
		s->wal = 1;
		if ((err = store_exec(s, "PRAGMA synchronous = NORMAL;"
		    " PRAGMA cache_size = -16384", "cannot open database")) != NULL)
			goto done;
	}
	if (path == NULL && (err = store_exec(s, "PRAGMA synchronous = OFF;"
	    " PRAGMA cache_size = -16384", "cannot open a temporary database")) != NULL)
		goto done;
	if (version < store_schema_version()) {
		if (s->read_only)
			err = store_read_copy(s);
		else
			err = store_migrate(s);
		if (err != NULL)
			goto done;
	}
	if (!s->read_only && (err = store_refresh_codes(s)) != NULL)
		goto done;
	for (int i = 0; i < ST_COUNT; i++)
		if ((err = store_prepare(s, store_stmt_sql[i],
		    &s->stmt[i])) != NULL)
			goto done;
	*out = s;
	s = NULL;
done:
	sqlite3_finalize(st);
	free(uri);
	store_close(s);
	return err;
}

void
store_close(struct au_store *store)
{
	if (store == NULL)
		return;
	if (store->db != NULL && !sqlite3_get_autocommit(store->db))
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(store->stmt[i]);
	for (int i = 0; i < SS_COUNT; i++)
		sqlite3_finalize(store->sst[i]);
	for (size_t i = 0; i < sizeof(store->rq) / sizeof(store->rq[0]); i++)
		sqlite3_finalize(store->rq[i]);
	/*
	 * Back to a rollback journal when no one else has the history open
	 * (else SQLite says busy at once and it stays WAL): a read-only
	 * reader then needs no -wal or -shm file.
	 */
	if (store->wal && store->db != NULL) {
		sqlite3_busy_timeout(store->db, 0);
		sqlite3_exec(store->db, "PRAGMA journal_mode = DELETE", NULL,
		    NULL, NULL);
	}
	store_touched_free(&store->touched);
	sqlite3_close(store->db);
	store_names_clear(&store->names);
	free(store->path);
	free(store);
}

const char *
store_path(const struct au_store *store)
{
	return store->path != NULL ? store->path : "";
}
