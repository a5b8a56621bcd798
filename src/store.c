/* store.c: the history database in SQLite: schema, migrations, import transactions and queries. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <sqlite3.h>

#include "analyse.h"
#include "classify.h"
#include "error.h"
#include "event.h"
#include "store.h"
#include "xmalloc.h"

/*
 * Schema migrations: entry i brings a database from user_version i to
 * i + 1, in one transaction. Append new versions; never edit a released one.
 * The comments on the views are copied into the man page.
 */
static const char *const store_migrations[] = {
	/* 1 */
	"CREATE TABLE meta (\n"
	"	key TEXT PRIMARY KEY,\n"
	"	value TEXT NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE hosts (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	name TEXT NOT NULL,             -- as spelled in the host's latest event\n"
	"	name_key TEXT NOT NULL UNIQUE,  -- lower-case name: hosts match case-insensitively\n"
	"	name_time INTEGER               -- FILETIME of the event that gave name; NULL: from an installer event\n"
	");\n"
	"CREATE TABLE files (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	path TEXT NOT NULL,\n"
	"	size INTEGER NOT NULL,\n"
	"	sha256 TEXT NOT NULL,           -- lower-case hex, '' when not computed\n"
	"	imported_at TEXT NOT NULL,      -- RFC 3339 UTC\n"
	"	records INTEGER NOT NULL DEFAULT 0,\n"
	"	matched INTEGER NOT NULL DEFAULT 0,\n"
	"	recovered INTEGER NOT NULL DEFAULT 0,\n"
	"	corrupt INTEGER NOT NULL DEFAULT 0,\n"
	"	installs INTEGER NOT NULL DEFAULT 0,\n"
	"	events_new INTEGER NOT NULL DEFAULT 0,\n"
	"	events_known INTEGER NOT NULL DEFAULT 0,\n"
	"	dirty INTEGER NOT NULL DEFAULT 0,\n"
	"	file_corrupted INTEGER NOT NULL DEFAULT 0,\n"
	"	errors TEXT\n"
	");\n"
	"CREATE TABLE events (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	host_id INTEGER NOT NULL REFERENCES hosts(id),\n"
	"	time INTEGER NOT NULL,          -- FILETIME ticks: 100 ns since 1601-01-01 UTC\n"
	"	time_text TEXT NOT NULL,        -- the same, RFC 3339 UTC with 7 fractional digits\n"
	"	record_id INTEGER NOT NULL,\n"
	"	event_id INTEGER NOT NULL,\n"
	"	qualifiers INTEGER NOT NULL,\n"
	"	level INTEGER NOT NULL,\n"
	"	provider TEXT NOT NULL COLLATE NOCASE,\n"
	"	channel TEXT,\n"
	"	result_code TEXT,               -- NULL when the event holds none\n"
	"	detail TEXT,                    -- part after '-' of a compound value\n"
	"	category TEXT,                  -- Success, UpgradeAborted, UpgradeNotSupported, UpgradeFailed, Other\n"
	"	message TEXT NOT NULL,          -- the Data strings joined by newlines\n"
	"	recovered INTEGER NOT NULL DEFAULT 0,   -- only ever read from slack space\n"
	"	-- one event, however often read; in this order it also serves\n"
	"	-- per-host queries sorted by time\n"
	"	UNIQUE (host_id, time, record_id, provider, event_id)\n"
	");\n"
	"CREATE TABLE event_files (        -- provenance: every file an event was read from\n"
	"	event_id INTEGER NOT NULL REFERENCES events(id),\n"
	"	file_id INTEGER NOT NULL REFERENCES files(id),\n"
	"	PRIMARY KEY (event_id, file_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE installs (           -- MsiInstaller 1033/11707 events for Connect products\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	host_id INTEGER NOT NULL REFERENCES hosts(id),\n"
	"	time INTEGER NOT NULL,\n"
	"	time_text TEXT NOT NULL,\n"
	"	record_id INTEGER NOT NULL,\n"
	"	event_id INTEGER NOT NULL,\n"
	"	product TEXT NOT NULL,\n"
	"	version TEXT NOT NULL,\n"
	"	status INTEGER,                 -- NULL when the event gave none\n"
	"	UNIQUE (host_id, time, record_id, event_id)\n"
	");\n"
	"CREATE TABLE install_files (\n"
	"	install_id INTEGER NOT NULL REFERENCES installs(id),\n"
	"	file_id INTEGER NOT NULL REFERENCES files(id),\n"
	"	PRIMARY KEY (install_id, file_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE codes (              -- the result-code catalog of this aadc-upgrade\n"
	"	code TEXT PRIMARY KEY,\n"
	"	category TEXT NOT NULL,\n"
	"	description TEXT,\n"
	"	older TEXT,\n"
	"	source TEXT,\n"
	"	first_listed TEXT,\n"
	"	last_listed TEXT,\n"
	"	historical INTEGER NOT NULL,\n"
	"	remediation TEXT,\n"
	"	position INTEGER NOT NULL      -- display order\n"
	");\n"
	"-- latest_result: per host, the latest event that has a result code:\n"
	"-- host, time_text, result_code, detail, category.\n"
	"CREATE VIEW latest_result AS\n"
	"SELECT h.name AS host, e.time_text AS time_text, e.result_code AS result_code,\n"
	"	e.detail AS detail, e.category AS category\n"
	"FROM hosts h JOIN events e ON e.id = (\n"
	"	SELECT l.id FROM events l\n"
	"	WHERE l.host_id = h.id AND l.result_code IS NOT NULL\n"
	"	ORDER BY l.time DESC, l.record_id DESC, l.provider DESC,\n"
	"	l.event_id DESC LIMIT 1);\n"
	"-- attempts_per_day: per host and UTC day, the events with a result code\n"
	"-- (attempts) and how many of them fell in each category.\n"
	"CREATE VIEW attempts_per_day AS\n"
	"SELECT h.name AS host, substr(e.time_text, 1, 10) AS day, count(*) AS attempts,\n"
	"	sum(e.category = 'Success') AS success,\n"
	"	sum(e.category = 'UpgradeAborted') AS aborted,\n"
	"	sum(e.category = 'UpgradeNotSupported') AS not_supported,\n"
	"	sum(e.category = 'UpgradeFailed') AS failed,\n"
	"	sum(e.category = 'Other') AS other\n"
	"FROM events e JOIN hosts h ON h.id = e.host_id\n"
	"WHERE e.result_code IS NOT NULL\n"
	"GROUP BY e.host_id, day;\n"
	"-- host_summary: per host, the events stored, attempts, first and last\n"
	"-- event, last success and the latest result.\n"
	"CREATE VIEW host_summary AS\n"
	"SELECT h.name AS host, count(e.id) AS events,\n"
	"	count(e.result_code) AS attempts,\n"
	"	min(e.time_text) AS first_seen, max(e.time_text) AS last_seen,\n"
	"	max(CASE WHEN e.category = 'Success' THEN e.time_text END) AS last_success,\n"
	"	(SELECT r.result_code FROM latest_result r WHERE r.host = h.name) AS latest_result\n"
	"FROM hosts h LEFT JOIN events e ON e.host_id = h.id\n"
	"GROUP BY h.id;\n"
	"-- event_sources: every event with each file it was read from.\n"
	"CREATE VIEW event_sources AS\n"
	"SELECT h.name AS host, e.time_text AS time_text, e.record_id AS record_id,\n"
	"	e.result_code AS result_code, f.path AS path, f.imported_at AS imported_at\n"
	"FROM events e JOIN hosts h ON h.id = e.host_id\n"
	"JOIN event_files ef ON ef.event_id = e.id JOIN files f ON f.id = ef.file_id;\n",
	/* 2 */
	"-- host_status: per host, what the fleet view needs, brought up to date\n"
	"-- inside every import transaction for the hosts the file touched\n"
	"-- (recomputed from all their events, so the order of imports does\n"
	"-- not matter). Times are FILETIME; counts as the report counts them.\n"
	"CREATE TABLE host_status (\n"
	"	host_id INTEGER PRIMARY KEY REFERENCES hosts(id),\n"
	"	verdict TEXT NOT NULL,          -- failed, blocked, unknown, retrying, no-result, upgraded\n"
	"	events INTEGER NOT NULL,        -- events (one time and record id counted once)\n"
	"	attempts INTEGER NOT NULL,      -- events with a result code\n"
	"	first_seen INTEGER,             -- NULL without events\n"
	"	last_seen INTEGER,\n"
	"	last_success INTEGER,           -- NULL when never seen to succeed\n"
	"	latest_event INTEGER REFERENCES events(id),  -- latest event with a result code\n"
	"	streak_count INTEGER NOT NULL,  -- latest results in a row with latest's code and detail\n"
	"	streak_since INTEGER,\n"
	"	condition_count INTEGER NOT NULL,   -- latest results in a row with latest's category\n"
	"	condition_since INTEGER\n"
	");\n"
	"-- host_codes: per host, each distinct result code, in order of first\n"
	"-- appearance, with its count and first and last time.\n"
	"CREATE TABLE host_codes (\n"
	"	host_id INTEGER NOT NULL REFERENCES hosts(id),\n"
	"	position INTEGER NOT NULL,\n"
	"	result_code TEXT NOT NULL,      -- as in the code's first event\n"
	"	detail TEXT,\n"
	"	category TEXT,\n"
	"	count INTEGER NOT NULL,\n"
	"	first INTEGER NOT NULL,\n"
	"	last INTEGER NOT NULL,\n"
	"	PRIMARY KEY (host_id, position)\n"
	") WITHOUT ROWID;\n",
};
#define STORE_VERSION ((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

struct au_store;
static struct au_error *store_status_all(struct au_store *s);
static struct au_error *store_status_touched(struct au_store *s);

/*
 * What runs after migration i's SQL, in the same transaction: filling
 * what the new schema derives from the data already stored.
 */
static struct au_error *(*const store_migration_fill[])(struct au_store *) = {
	/* 1 */ NULL,
	/* 2 */ store_status_all,
};
_Static_assert(sizeof(store_migration_fill) / sizeof(store_migration_fill[0]) ==
    sizeof(store_migrations) / sizeof(store_migrations[0]),
    "one fill function (or NULL) per migration");

/* Statements used per event or per file, prepared once at open. */
enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_HOST_GET,
	ST_HOST_INS,
	ST_HOST_RENAME,
	ST_EVENT_INS,
	ST_EVENT_FIND,
	ST_EVENT_UNRECOVER,
	ST_EVENT_FILE,
	ST_INSTALL_INS,
	ST_INSTALL_FIND,
	ST_INSTALL_FILE,
	ST_FILE_INS,
	ST_FILE_UPD,
	ST_COUNT
};

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
	[ST_EVENT_FIND] = "SELECT id, recovered FROM events WHERE host_id = ?1"
	    " AND record_id = ?2 AND time = ?3 AND provider = ?4"
	    " AND event_id = ?5",
	[ST_EVENT_UNRECOVER] = "UPDATE events SET recovered = 0 WHERE id = ?1",
	[ST_EVENT_FILE] = "INSERT INTO event_files (event_id, file_id)"
	    " VALUES (?1, ?2) ON CONFLICT DO NOTHING",
	[ST_INSTALL_INS] = "INSERT INTO installs (host_id, time, time_text,"
	    " record_id, event_id, product, version, status)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT (host_id, time, record_id, event_id) DO NOTHING",
	[ST_INSTALL_FIND] = "SELECT id FROM installs WHERE host_id = ?1"
	    " AND record_id = ?2 AND time = ?3 AND event_id = ?4",
	[ST_INSTALL_FILE] = "INSERT INTO install_files (install_id, file_id)"
	    " VALUES (?1, ?2) ON CONFLICT DO NOTHING",
	[ST_FILE_INS] = "INSERT INTO files (path, size, sha256, imported_at)"
	    " VALUES (?1, ?2, lower(?3), ?4)",
	[ST_FILE_UPD] = "UPDATE files SET records = ?2, matched = ?3,"
	    " recovered = ?4, corrupt = ?5, installs = ?6, events_new = ?7,"
	    " events_known = ?8, dirty = ?9, file_corrupted = ?10, errors = ?11, size = ?12,"
	    " sha256 = lower(?13) WHERE id = ?1",
};

/*
 * Statements that keep host_status, prepared on first use: the migration
 * to schema 2 needs them before the tables of ST_* are all there.
 */
enum store_status_stmt {
	SS_NAME,
	SS_EVENTS,
	SS_HAS_INSTALLS,
	SS_DEL,
	SS_DEL_CODES,
	SS_PUT,
	SS_PUT_CODE,
	SS_COUNT
};

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

/* The previous event's host, kept because a file holds long runs of one host. */
struct store_host_cache {
	char *key;                  /* lower-case name; NULL when empty */
	char *name;                 /* display name, as hosts.name should be */
	int64_t id;
	int64_t name_time;          /* STORE_NO_NAME_TIME: named by an install */
	int dirty;                  /* name/name_time not yet written */
};
#define STORE_NO_NAME_TIME INT64_MIN

struct au_store {
	sqlite3 *db;
	char *path;                 /* ":memory:" for scan */
	int busy_ms;
	sqlite3_stmt *stmt[ST_COUNT];
	int in_file;                /* a file transaction is open */
	int no_status;              /* in memory (scan): host_status not kept */
	uint64_t nnew, nknown;      /* is_new results of the open file */
	struct store_host_cache host;
	int64_t *touched;           /* hosts the open file added to, for host_status */
	size_t ntouched, touched_cap;
	sqlite3_stmt *sst[SS_COUNT];    /* host_status statements, prepared on first use */
};

static void
store_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* An AU_ERR_DB error about the database, with SQLite's reason. */
static struct au_error *
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

static struct au_error *
store_exec(struct au_store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_error(s, what);
	return NULL;
}

/* Steps a statement that returns no rows (or ignores them) and resets it. */
static struct au_error *
store_run(struct au_store *s, sqlite3_stmt *st, const char *what)
{
	struct au_error *err = NULL;
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_error(s, what);
	sqlite3_reset(st);
	return err;
}

static char *
store_col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

static struct au_error *
store_prepare(struct au_store *s, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return store_error(s, "cannot prepare a query");
	return NULL;
}

/* Reads PRAGMA user_version: the first read, so it finds a non-database too. */
static struct au_error *
store_user_version(struct au_store *s, const char *what, int *version)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = NULL;

	if ((err = store_prepare(s, "PRAGMA user_version", &st)) != NULL)
		goto done;
	if (sqlite3_step(st) != SQLITE_ROW) {
		err = store_error(s, what);
		goto done;
	}
	*version = sqlite3_column_int(st, 0);
done:
	sqlite3_finalize(st);
	return err;
}

/* A database from a newer aadc-upgrade is refused as it is. */
static struct au_error *
store_check_version(struct au_store *s, int version)
{
	if (version <= STORE_VERSION)
		return NULL;
	return au_error_new(AU_ERR_DB, s->path, "schema version %d is newer than"
	    " this aadc-upgrade knows (%d): use a newer aadc-upgrade", version,
	    STORE_VERSION);
}

static struct au_error *
store_migrate(struct au_store *s)
{
	struct au_error *err = NULL;
	int version = 0, in_tx = 0;
	char *sql = NULL;

	for (;;) {
		if ((err = store_exec(s, "BEGIN IMMEDIATE",
		    "cannot start the schema upgrade")) != NULL)
			goto done;
		in_tx = 1;
		/* Another process may have migrated while we waited. */
		if ((err = store_user_version(s, "cannot read the schema version",
		    &version)) != NULL ||
		    (err = store_check_version(s, version)) != NULL)
			goto done;
		if (version == STORE_VERSION)
			break;
		if ((err = store_exec(s, store_migrations[version],
		    "cannot upgrade the schema")) != NULL)
			goto done;
		if (store_migration_fill[version] != NULL &&
		    (err = store_migration_fill[version](s)) != NULL)
			goto done;
		sql = xasprintf("PRAGMA user_version = %d", version + 1);
		if ((err = store_exec(s, sql, "cannot upgrade the schema")) != NULL)
			goto done;
		free(sql);
		sql = NULL;
		if ((err = store_exec(s, "COMMIT",
		    "cannot upgrade the schema")) != NULL)
			goto done;
		in_tx = 0;
	}
	if ((err = store_exec(s, "COMMIT", "cannot read the schema")) != NULL)
		goto done;
	in_tx = 0;
done:
	if (in_tx && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	free(sql);
	return err;
}

/* FNV-1a over one catalog string (NULL differs from ""). */
static uint64_t
store_hash_str(uint64_t h, const char *str)
{
	if (str == NULL)
		return (h ^ 0xff) * UINT64_C(0x100000001b3);
	for (; *str != '\0'; str++)
		h = (h ^ (unsigned char)*str) * UINT64_C(0x100000001b3);
	return (h ^ 0x1f) * UINT64_C(0x100000001b3);   /* separator */
}

/*
 * Copies classify_catalog() into the codes table when the stored hash of
 * it differs, so sqlite3-shell users see this binary's catalog; one
 * SELECT when nothing changed.
 */
static struct au_error *
store_refresh_codes(struct au_store *s)
{
	struct au_error *err = NULL;
	sqlite3_stmt *get = NULL, *ins = NULL;
	const struct au_code *cat;
	size_t n;
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	char hash[17];
	int in_tx = 0, rc;

	cat = classify_catalog(&n);
	for (size_t i = 0; i < n; i++) {
		char num[32];

		snprintf(num, sizeof(num), "%d/%d", (int)cat[i].category,
		    cat[i].historical);
		h = store_hash_str(h, cat[i].code);
		h = store_hash_str(h, num);
		h = store_hash_str(h, cat[i].description);
		h = store_hash_str(h, cat[i].older);
		h = store_hash_str(h, cat[i].source);
		h = store_hash_str(h, cat[i].first_listed);
		h = store_hash_str(h, cat[i].last_listed);
		h = store_hash_str(h, cat[i].remediation);
	}
	snprintf(hash, sizeof(hash), "%016" PRIx64, h);

	if ((err = store_prepare(s, "SELECT value FROM meta"
	    " WHERE key = 'catalog'", &get)) != NULL)
		goto done;
	rc = sqlite3_step(get);
	if (rc == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(get, 0), hash) == 0)
		goto done;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		err = store_error(s, "cannot read the code catalog");
		goto done;
	}
	sqlite3_finalize(get);
	get = NULL;

	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		/* Only a copy for shell users: a busy writer need not stop a report. */
		if ((sqlite3_errcode(s->db) & 0xff) != SQLITE_BUSY)
			err = store_error(s, "cannot update the code catalog");
		goto done;
	}
	in_tx = 1;
	if ((err = store_exec(s, "DELETE FROM codes",
	    "cannot update the code catalog")) != NULL)
		goto done;
	if ((err = store_prepare(s, "INSERT INTO codes (code, category,"
	    " description, older, source, first_listed, last_listed, historical,"
	    " remediation, position)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &ins)) != NULL)
		goto done;
	for (size_t i = 0; i < n; i++) {
		const struct au_code *c = &cat[i];
		const char *catname = au_category_name(c->category);

		sqlite3_bind_text(ins, 1, c->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, catname ? catname : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, c->description, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, c->older, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, c->source, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, c->first_listed, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 7, c->last_listed, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 8, c->historical != 0);
		sqlite3_bind_text(ins, 9, c->remediation, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 10, (sqlite3_int64)i);
		if ((err = store_run(s, ins,
		    "cannot update the code catalog")) != NULL)
			goto done;
	}
	sqlite3_finalize(ins);
	ins = NULL;
	if ((err = store_prepare(s, "INSERT OR REPLACE INTO meta (key, value)"
	    " VALUES ('catalog', ?1)", &ins)) != NULL)
		goto done;
	sqlite3_bind_text(ins, 1, hash, -1, SQLITE_STATIC);
	if ((err = store_run(s, ins, "cannot update the code catalog")) != NULL)
		goto done;
	if ((err = store_exec(s, "COMMIT",
	    "cannot update the code catalog")) != NULL)
		goto done;
	in_tx = 0;
done:
	if (in_tx && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(get);
	sqlite3_finalize(ins);
	return err;
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

struct au_error *
store_open(const char *path, int create, struct au_store **out)
{
	struct au_error *err = NULL;
	struct au_store *s = NULL;
	struct stat sb;
	sqlite3_stmt *st = NULL;
	int flags = SQLITE_OPEN_READWRITE, version = 0;

	*out = NULL;
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path != NULL ? path : ":memory:");
	s->busy_ms = store_busy_timeout_ms();
	s->host.name_time = STORE_NO_NAME_TIME;

	if (path != NULL) {
		if (stat(path, &sb) == 0) {
			if (S_ISDIR(sb.st_mode)) {
				err = au_error_new(AU_ERR_DB, path,
				    "is a directory, not a database");
				goto done;
			}
		} else if (errno != ENOENT) {
			err = au_error_errno(AU_ERR_DB, path, errno,
			    "cannot open database");
			goto done;
		} else if (!create) {
			err = au_error_new(AU_ERR_DB, path,
			    "no history yet: run aadc-upgrade import first");
			goto done;
		} else {
			if ((err = store_make_parent(path)) != NULL)
				goto done;
			flags |= SQLITE_OPEN_CREATE;
		}
	} else {
		flags |= SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY;
		/* scan reports from the events: summaries would be work for nothing. */
		s->no_status = 1;
	}

	if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
		if (s->db == NULL)
			err = au_error_new(AU_ERR_DB, s->path,
			    "cannot open database: out of memory");
		else
			err = store_error(s, "cannot open database");
		goto done;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, s->busy_ms);

	/* Checked before anything writes: a foreign or newer file stays as is. */
	if ((err = store_user_version(s, "cannot open database",
	    &version)) != NULL ||
	    (err = store_check_version(s, version)) != NULL)
		goto done;
	/* SQLite quietly opens a file it may not write read-only. */
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		err = au_error_new(AU_ERR_DB, s->path, "cannot open database: it is"
		    " read-only (this user may not write the file)");
		goto done;
	}
	if ((err = store_exec(s, "PRAGMA foreign_keys = ON",
	    "cannot open database")) != NULL)
		goto done;
	if (path != NULL) {
		/*
		 * WAL: reports read while an import writes; NORMAL is safe
		 * with WAL; a big cache keeps the indexes of large imports.
		 */
		if ((err = store_prepare(s, "PRAGMA journal_mode = WAL",
		    &st)) != NULL)
			goto done;
		if (sqlite3_step(st) != SQLITE_ROW) {
			err = store_error(s, "cannot switch to WAL mode");
			goto done;
		}
		sqlite3_finalize(st);
		st = NULL;
		if ((err = store_exec(s, "PRAGMA synchronous = NORMAL;"
		    " PRAGMA cache_size = -65536", "cannot open database")) != NULL)
			goto done;
	}
	if (version < STORE_VERSION && (err = store_migrate(s)) != NULL)
		goto done;
	if ((err = store_refresh_codes(s)) != NULL)
		goto done;
	for (int i = 0; i < ST_COUNT; i++)
		if ((err = store_prepare(s, store_stmt_sql[i],
		    &s->stmt[i])) != NULL)
			goto done;
	*out = s;
	s = NULL;
done:
	sqlite3_finalize(st);
	store_close(s);
	return err;
}

static void
store_host_cache_clear(struct store_host_cache *hc)
{
	free(hc->key);
	free(hc->name);
	memset(hc, 0, sizeof(*hc));
	hc->name_time = STORE_NO_NAME_TIME;
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
	free(store->touched);
	sqlite3_close(store->db);
	store_host_cache_clear(&store->host);
	free(store->path);
	free(store);
}

const char *
store_migration_sql(int version)
{
	if (version < 1 || version > STORE_VERSION)
		return NULL;
	return store_migrations[version - 1];
}

int
store_schema_version(void)
{
	return STORE_VERSION;
}

const char *
store_path(const struct au_store *store)
{
	return store->path;
}

/* Writes the cached host's display name if an event changed it. */
static struct au_error *
store_host_flush(struct au_store *s)
{
	sqlite3_stmt *st = s->stmt[ST_HOST_RENAME];

	if (!s->host.dirty)
		return NULL;
	sqlite3_bind_int64(st, 1, s->host.id);
	sqlite3_bind_text(st, 2, s->host.name, -1, SQLITE_STATIC);
	if (s->host.name_time == STORE_NO_NAME_TIME)
		sqlite3_bind_null(st, 3);
	else
		sqlite3_bind_int64(st, 3, s->host.name_time);
	s->host.dirty = 0;
	return store_run(s, st, "cannot store a host");
}

/* Remembers that the open file added to host id (runs of one host are common). */
static void
store_touch(struct au_store *s, int64_t id)
{
	if (s->ntouched > 0 && s->touched[s->ntouched - 1] == id)
		return;
	if (s->ntouched == s->touched_cap) {
		s->touched_cap = s->touched_cap ? s->touched_cap * 2 : 16;
		s->touched = xreallocarray(s->touched, s->touched_cap,
		    sizeof(*s->touched));
	}
	s->touched[s->ntouched++] = id;
}

/*
 * Finds or creates the host row for name. An event (from_event) at a
 * later time than the one that named the host renames it, so the name is
 * the spelling of the latest event.
 */
static struct au_error *
store_host(struct au_store *s, const char *name, int from_event, uint64_t time,
    int64_t *id)
{
	struct au_error *err = NULL;
	struct store_host_cache *hc = &s->host;
	sqlite3_stmt *st;
	char *key = NULL;

	if (hc->key == NULL || au_host_cmp(name, hc->key) != 0) {
		if ((err = store_host_flush(s)) != NULL)
			goto done;
		store_host_cache_clear(hc);
		key = xstrdup(name);
		store_lower(key);
		st = s->stmt[ST_HOST_GET];
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		switch (sqlite3_step(st)) {
		case SQLITE_ROW:
			hc->id = sqlite3_column_int64(st, 0);
			hc->name = store_col_dup(st, 1);
			if (sqlite3_column_type(st, 2) != SQLITE_NULL)
				hc->name_time = sqlite3_column_int64(st, 2);
			sqlite3_reset(st);
			break;
		case SQLITE_DONE:
			sqlite3_reset(st);
			st = s->stmt[ST_HOST_INS];
			sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
			if (from_event)
				sqlite3_bind_int64(st, 3, (sqlite3_int64)time);
			else
				sqlite3_bind_null(st, 3);
			if ((err = store_run(s, st,
			    "cannot store a host")) != NULL)
				goto done;
			hc->id = sqlite3_last_insert_rowid(s->db);
			hc->name = xstrdup(name);
			if (from_event)
				hc->name_time = (int64_t)time;
			break;
		default:
			err = store_error(s, "cannot look up a host");
			sqlite3_reset(st);
			goto done;
		}
		hc->key = key;
		key = NULL;
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
	if (!s->no_status)
		store_touch(s, hc->id);
done:
	free(key);
	return err;
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
	store->nnew = store->nknown = 0;
	store->ntouched = 0;
	sqlite3_bind_text(ins, 1, st->path ? st->path : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 2, (sqlite3_int64)st->size);
	sqlite3_bind_text(ins, 3, st->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, now, -1, SQLITE_STATIC);
	if ((err = store_run(store, ins, "cannot record the file")) != NULL)
		goto done;
	*file_id = sqlite3_last_insert_rowid(store->db);
done:
	if (err != NULL)
		store_file_rollback(store);
	return err;
}

struct au_error *
store_add_event(struct au_store *store, int64_t file_id,
    const struct au_event *ev, int *is_new)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = store->stmt[ST_EVENT_INS];
	const char *provider = ev->provider ? ev->provider : "";
	int64_t host_id, event_row;
	int was_recovered;
	char tt[40];

	*is_new = 0;
	if ((err = store_host(store, ev->host ? ev->host : "", 1, ev->time,
	    &host_id)) != NULL)
		goto done;
	au_time_text(ev->time, 1, tt, sizeof(tt));
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)ev->time);
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
		goto done;
	if (sqlite3_changes(store->db) == 1) {
		event_row = sqlite3_last_insert_rowid(store->db);
		*is_new = 1;
	} else {
		st = store->stmt[ST_EVENT_FIND];
		sqlite3_bind_int64(st, 1, host_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)ev->record_id);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)ev->time);
		sqlite3_bind_text(st, 4, provider, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, ev->event_id);
		if (sqlite3_step(st) != SQLITE_ROW) {
			err = store_error(store, "cannot find a stored event");
			sqlite3_reset(st);
			goto done;
		}
		event_row = sqlite3_column_int64(st, 0);
		was_recovered = sqlite3_column_int(st, 1);
		sqlite3_reset(st);
		/* Read normally from this file: no longer only a recovered record. */
		if (was_recovered && !ev->recovered) {
			st = store->stmt[ST_EVENT_UNRECOVER];
			sqlite3_bind_int64(st, 1, event_row);
			if ((err = store_run(store, st,
			    "cannot store an event")) != NULL)
				goto done;
		}
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
store_add_install(struct au_store *store, int64_t file_id,
    const struct au_install *in, int *is_new)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = store->stmt[ST_INSTALL_INS];
	int64_t host_id, row;
	char tt[40];

	*is_new = 0;
	if ((err = store_host(store, in->host ? in->host : "", 0, in->time,
	    &host_id)) != NULL)
		goto done;
	au_time_text(in->time, 1, tt, sizeof(tt));
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)in->time);
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
	} else {
		st = store->stmt[ST_INSTALL_FIND];
		sqlite3_bind_int64(st, 1, host_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)in->record_id);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)in->time);
		sqlite3_bind_int64(st, 4, in->event_id);
		if (sqlite3_step(st) != SQLITE_ROW) {
			err = store_error(store,
			    "cannot find a stored installer event");
			sqlite3_reset(st);
			goto done;
		}
		row = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	st = store->stmt[ST_INSTALL_FILE];
	sqlite3_bind_int64(st, 1, row);
	sqlite3_bind_int64(st, 2, file_id);
	err = store_run(store, st, "cannot store an installer event's source");
done:
	return err;
}

struct au_error *
store_file_commit(struct au_store *store, int64_t file_id,
    const struct au_file_stats *st)
{
	struct au_error *err = NULL;
	sqlite3_stmt *upd = store->stmt[ST_FILE_UPD];

	if (!store->in_file)
		return au_error_new(AU_ERR_INTERNAL, store->path,
		    "no file transaction to commit");
	if ((err = store_host_flush(store)) != NULL)
		goto done;
	sqlite3_bind_int64(upd, 1, file_id);
	sqlite3_bind_int64(upd, 2, (sqlite3_int64)st->records);
	sqlite3_bind_int64(upd, 3, (sqlite3_int64)st->matched);
	sqlite3_bind_int64(upd, 4, (sqlite3_int64)st->recovered);
	sqlite3_bind_int64(upd, 5, (sqlite3_int64)st->corrupt);
	sqlite3_bind_int64(upd, 6, (sqlite3_int64)st->installs);
	sqlite3_bind_int64(upd, 7, (sqlite3_int64)store->nnew);
	sqlite3_bind_int64(upd, 8, (sqlite3_int64)store->nknown);
	sqlite3_bind_int(upd, 9, st->dirty != 0);
	sqlite3_bind_int(upd, 10, st->file_corrupted != 0);
	sqlite3_bind_text(upd, 11, st->errors, -1, SQLITE_STATIC);
	/* Reading the file is what measures and hashes it, after begin. */
	sqlite3_bind_int64(upd, 12, (sqlite3_int64)st->size);
	sqlite3_bind_text(upd, 13, st->sha256, -1, SQLITE_STATIC);
	if ((err = store_run(store, upd, "cannot record the file")) != NULL)
		goto done;
	if ((err = store_status_touched(store)) != NULL)
		goto done;
	if ((err = store_run(store, store->stmt[ST_COMMIT],
	    "cannot commit the file's events")) != NULL)
		goto done;
	store->in_file = 0;
done:
	if (err != NULL)
		store_file_rollback(store);
	return err;
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
	/* The cached host row may have been rolled back with the rest. */
	store_host_cache_clear(&store->host);
	store->in_file = 0;
	store->nnew = store->nknown = 0;
	store->ntouched = 0;
}

struct au_error *
store_file_known(struct au_store *store, const char *sha256, uint64_t size,
    int *known)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	*known = 0;
	if (sha256 == NULL || *sha256 == '\0')
		goto done;
	if ((err = store_prepare(store, "SELECT 1 FROM files"
	    " WHERE sha256 = lower(?1) AND size = ?2 LIMIT 1", &st)) != NULL)
		goto done;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*known = 1;
	else if (rc != SQLITE_DONE)
		err = store_error(store, "cannot look up a file");
done:
	sqlite3_finalize(st);
	return err;
}

/* A host a query covers. */
struct store_host_row {
	int64_t id;
	char *name;
	char *key;                  /* name_key, only while sorting named hosts */
};

static void
store_free_hosts(struct store_host_row *hosts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(hosts[i].name);
		free(hosts[i].key);
	}
	free(hosts);
}

static int
store_host_row_cmp(const void *pa, const void *pb)
{
	const struct store_host_row *a = pa, *b = pb;

	return strcmp(a->key, b->key);
}

/*
 * The hosts q covers, ordered by lower-case name. A named host the
 * history does not hold is an AU_ERR_NOTFOUND error naming all of them.
 */
static struct au_error *
store_query_hosts(struct au_store *s, const struct au_query *q,
    struct store_host_row **out, size_t *nout)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = NULL;
	struct store_host_row *hosts = NULL;
	size_t n = 0;
	char *missing = NULL, *tmp;
	int rc, *found = NULL;
	size_t nwant = q != NULL ? q->nhosts : 0;

	*out = NULL;
	*nout = 0;
	found = xcalloc(nwant ? nwant : 1, sizeof(*found));
	if (nwant > 0) {
		/* Named hosts: one lookup each in name_key's index, not a scan. */
		if ((err = store_prepare(s, "SELECT id, name, name_key FROM hosts"
		    " WHERE name_key = ?1", &st)) != NULL)
			goto done;
		for (size_t i = 0; i < nwant; i++) {
			char *key = xstrdup(q->hosts[i]);
			int dup = 0;

			store_lower(key);
			sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
			free(key);
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW) {
				int64_t id = sqlite3_column_int64(st, 0);

				found[i] = 1;
				for (size_t j = 0; j < n; j++)
					dup = dup || hosts[j].id == id;
				if (!dup) {
					hosts = xreallocarray(hosts, n + 1,
					    sizeof(*hosts));
					hosts[n].id = id;
					hosts[n].name = store_col_dup(st, 1);
					hosts[n].key = store_col_dup(st, 2);
					n++;
				}
			}
			sqlite3_reset(st);
			if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
				err = store_error(s, "cannot read the hosts");
				goto done;
			}
		}
		if (n > 1)
			qsort(hosts, n, sizeof(*hosts), store_host_row_cmp);
	} else {
		if ((err = store_prepare(s, "SELECT id, name, name_key FROM hosts"
		    " ORDER BY name_key", &st)) != NULL)
			goto done;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			hosts = xreallocarray(hosts, n + 1, sizeof(*hosts));
			hosts[n].id = sqlite3_column_int64(st, 0);
			hosts[n].name = store_col_dup(st, 1);
			hosts[n].key = NULL;
			n++;
		}
		if (rc != SQLITE_DONE) {
			err = store_error(s, "cannot read the hosts");
			goto done;
		}
	}
	for (size_t i = 0; i < nwant; i++) {
		if (found[i])
			continue;
		tmp = missing ? xasprintf("%s, %s", missing, q->hosts[i]) :
		    xstrdup(q->hosts[i]);
		free(missing);
		missing = tmp;
	}
	if (missing != NULL) {
		err = au_error_new(AU_ERR_NOTFOUND, s->path,
		    "no such host in the history: %s", missing);
		goto done;
	}
	*out = hosts;
	*nout = n;
	hosts = NULL;
	n = 0;
done:
	sqlite3_finalize(st);
	store_free_hosts(hosts, n);
	free(found);
	free(missing);
	return err;
}

/* Starts a read transaction so one walk sees one snapshot (WAL). */
static struct au_error *
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

static void
store_read_end(struct au_store *s, int began)
{
	if (began && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

#define STORE_EVENT_COLUMNS \
	"SELECT e.id, e.time, e.record_id, e.event_id, e.qualifiers, e.level," \
	" e.provider, e.channel, e.message, e.recovered, e.result_code," \
	" e.detail, e.category, (SELECT f.path FROM event_files ef" \
	" JOIN files f ON f.id = ef.file_id WHERE ef.event_id = e.id" \
	" ORDER BY ef.file_id LIMIT 1)" \
	" FROM events e WHERE e.host_id = ?1 AND e.time >= ?2" \
	" ORDER BY e.time, e.record_id, e.provider, e.event_id"
#define STORE_INSTALL_COLUMNS \
	"SELECT time, record_id, event_id, product, version, status" \
	" FROM installs WHERE host_id = ?1 AND time >= ?2" \
	" ORDER BY time, record_id, event_id"

/* A category as stored (its name), AU_CAT_NONE when absent or unknown. */
static enum au_category
store_category_parse(const char *name)
{
	for (int c = AU_CAT_SUCCESS; name != NULL && c <= AU_CAT_OTHER; c++)
		if (strcmp(name, au_category_name((enum au_category)c)) == 0)
			return (enum au_category)c;
	return AU_CAT_NONE;
}

/* A row of STORE_EVENT_COLUMNS as an event, classified as classify_event does. */
static struct au_event *
store_row_event(sqlite3_stmt *st, const char *host)
{
	struct au_event *ev = xcalloc(1, sizeof(*ev));
	const char *cat;

	ev->id = sqlite3_column_int64(st, 0);
	ev->time = (uint64_t)sqlite3_column_int64(st, 1);
	ev->host = xstrdup(host);
	ev->record_id = (uint64_t)sqlite3_column_int64(st, 2);
	ev->event_id = (uint32_t)sqlite3_column_int64(st, 3);
	ev->qualifiers = (uint32_t)sqlite3_column_int64(st, 4);
	ev->level = (uint8_t)sqlite3_column_int(st, 5);
	ev->provider = store_col_dup(st, 6);
	ev->channel = store_col_dup(st, 7);
	ev->message = store_col_dup(st, 8);
	ev->recovered = sqlite3_column_int(st, 9);
	ev->result_code = store_col_dup(st, 10);
	ev->detail = store_col_dup(st, 11);
	ev->source_file = store_col_dup(st, 13);
	if (ev->message == NULL)
		ev->message = xstrdup("");
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

static struct au_install *
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

static void
store_bind_time(sqlite3_stmt *st, int col, uint64_t t)
{
	if (t == 0)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int64(st, col, (sqlite3_int64)t);
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
static struct au_error *
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
static struct au_error *
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

struct au_error *
store_each_host(struct au_store *store, const struct au_query *q,
    store_host_fn fn, void *arg)
{
	struct au_error *err = NULL;
	struct store_host_row *hosts = NULL;
	size_t nhosts = 0, nev = 0, nin = 0;
	sqlite3_stmt *evq = NULL, *inq = NULL;
	struct au_event **events = NULL;
	struct au_install **installs = NULL;
	uint64_t since = q != NULL ? q->since : 0;
	int began = 0, rc;

	if ((err = store_read_begin(store, &began)) != NULL)
		goto done;
	if ((err = store_query_hosts(store, q, &hosts, &nhosts)) != NULL)
		goto done;
	if ((err = store_prepare(store, STORE_EVENT_COLUMNS, &evq)) != NULL ||
	    (err = store_prepare(store, STORE_INSTALL_COLUMNS, &inq)) != NULL)
		goto done;
	for (size_t h = 0; h < nhosts; h++) {
		size_t cap = 0;

		sqlite3_bind_int64(evq, 1, hosts[h].id);
		sqlite3_bind_int64(evq, 2, (sqlite3_int64)since);
		while ((rc = sqlite3_step(evq)) == SQLITE_ROW) {
			if (nev == cap) {
				cap = cap ? cap * 2 : 64;
				events = xreallocarray(events, cap,
				    sizeof(*events));
			}
			events[nev++] = store_row_event(evq, hosts[h].name);
		}
		sqlite3_reset(evq);
		if (rc != SQLITE_DONE) {
			err = store_error(store, "cannot read events");
			goto done;
		}
		cap = 0;
		sqlite3_bind_int64(inq, 1, hosts[h].id);
		sqlite3_bind_int64(inq, 2, (sqlite3_int64)since);
		while ((rc = sqlite3_step(inq)) == SQLITE_ROW) {
			if (nin == cap) {
				cap = cap ? cap * 2 : 8;
				installs = xreallocarray(installs, cap,
				    sizeof(*installs));
			}
			installs[nin++] = store_row_install(inq, hosts[h].name);
		}
		sqlite3_reset(inq);
		if (rc != SQLITE_DONE) {
			err = store_error(store,
			    "cannot read installer events");
			goto done;
		}
		if (nev == 0 && nin == 0)
			continue;
		/* fn owns the arrays from here, even when it fails. */
		err = fn(arg, events, nev, installs, nin);
		events = NULL;
		installs = NULL;
		nev = nin = 0;
		if (err != NULL)
			goto done;
	}
done:
	for (size_t i = 0; i < nev; i++)
		au_event_free(events[i]);
	free(events);
	for (size_t i = 0; i < nin; i++)
		au_install_free(installs[i]);
	free(installs);
	sqlite3_finalize(evq);
	sqlite3_finalize(inq);
	store_free_hosts(hosts, nhosts);
	store_read_end(store, began);
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
		sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
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

static uint64_t
store_col_u64(sqlite3_stmt *st, int col)
{
	return (uint64_t)sqlite3_column_int64(st, col);   /* NULL reads 0 */
}

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

struct au_error *
store_each_file(struct au_store *store, store_file_fn fn, void *arg)
{
	struct au_error *err = NULL;
	sqlite3_stmt *st = NULL;
	struct au_file_stats fs;
	int began = 0, rc;

	memset(&fs, 0, sizeof(fs));
	if ((err = store_read_begin(store, &began)) != NULL)
		goto done;
	if ((err = store_prepare(store, "SELECT path, size, sha256, records,"
	    " matched, recovered, corrupt, installs, events_new, events_known, dirty,"
	    " file_corrupted, errors FROM files ORDER BY id", &st)) != NULL)
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
	sqlite3_int64 since = (sqlite3_int64)(q != NULL ? q->since : 0);
	int began = 0;

	memset(c, 0, sizeof(*c));
	if ((err = store_read_begin(store, &began)) != NULL)
		goto done;
	if ((err = store_query_hosts(store, q, &hosts, &nhosts)) != NULL)
		goto done;
	if ((err = store_prepare(store, "SELECT count(*), count(result_code),"
	    " min(time), max(time) FROM events"
	    " WHERE host_id = ?1 AND time >= ?2", &evq)) != NULL ||
	    (err = store_prepare(store, "SELECT count(*) FROM installs"
	    " WHERE host_id = ?1 AND time >= ?2", &inq)) != NULL ||
	    (err = store_prepare(store, "SELECT count(*) FROM files",
	    &fq)) != NULL)
		goto done;
	for (size_t h = 0; h < nhosts; h++) {
		uint64_t nev, nin, first, last;

		sqlite3_bind_int64(evq, 1, hosts[h].id);
		sqlite3_bind_int64(evq, 2, since);
		sqlite3_bind_int64(inq, 1, hosts[h].id);
		sqlite3_bind_int64(inq, 2, since);
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
