/* store.c: the history database: open and close, schema and migrations, the code catalog, shared helpers. */
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
	/* 3 */
	"-- The file says it is an aadc-upgrade history ('AADC'): another\n"
	"-- application's SQLite file is refused, not changed.\n"
	"PRAGMA application_id = 1094796355;\n",
	/* 4 */
	"-- file_hosts: per imported file, every computer its records named\n"
	"-- (any provider: servers without an upgrade event too), with the\n"
	"-- records read and their period (FILETIME, NULL when unknown).\n"
	"CREATE TABLE file_hosts (\n"
	"	host_id INTEGER NOT NULL REFERENCES hosts(id),\n"
	"	file_id INTEGER NOT NULL REFERENCES files(id),\n"
	"	position INTEGER NOT NULL,      -- order of first appearance in the file\n"
	"	name TEXT NOT NULL,             -- as the file spelled it\n"
	"	records INTEGER NOT NULL,\n"
	"	first_time INTEGER,\n"
	"	last_time INTEGER,\n"
	"	PRIMARY KEY (host_id, file_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX file_hosts_file ON file_hosts (file_id);\n"
	"-- the period of every record read from the file\n"
	"ALTER TABLE files ADD COLUMN first_time INTEGER;\n"
	"ALTER TABLE files ADD COLUMN last_time INTEGER;\n"
	"-- what identifies the file on disk, to skip it when unchanged:\n"
	"-- modification time (ns since 1970), inode and device\n"
	"ALTER TABLE files ADD COLUMN mtime INTEGER;\n"
	"ALTER TABLE files ADD COLUMN inode INTEGER;\n"
	"ALTER TABLE files ADD COLUMN device INTEGER;\n"
	"CREATE INDEX files_path ON files (path);\n",
	/* 5 */
	"-- the range of record IDs of a file's records per computer, so that\n"
	"-- the same log read twice (an .evtx and its export) counts once\n"
	"ALTER TABLE file_hosts ADD COLUMN min_record INTEGER;\n"
	"ALTER TABLE file_hosts ADD COLUMN max_record INTEGER;\n",
	/* 6 */
	"-- related_events: events of Connect-related providers (names with\n"
	"-- 'Agent Updater', 'Entra Connect' or 'AD Connect') that are not\n"
	"-- upgrade results or installer events: listed per server by provider\n"
	"-- and ID, never classified; each once.\n"
	"CREATE TABLE related_events (\n"
	"	host_id INTEGER NOT NULL REFERENCES hosts(id),\n"
	"	provider TEXT NOT NULL,\n"
	"	event_id INTEGER NOT NULL,\n"
	"	time INTEGER NOT NULL,          -- FILETIME\n"
	"	record_id INTEGER NOT NULL,     -- 0 when unknown\n"
	"	PRIMARY KEY (host_id, provider, event_id, time, record_id)\n"
	") WITHOUT ROWID;\n",
	/* 7 */
	"-- 1 when the computer's name is the file's (an Event Viewer CSV or\n"
	"-- text export holds none, and --computer was not given)\n"
	"ALTER TABLE file_hosts ADD COLUMN from_name INTEGER NOT NULL DEFAULT 0;\n",
	/* 8 */
	"-- archive members: a row each, named ARCHIVE:MEMBER, with parent the\n"
	"-- archive's row (whose computers are its members'); members: how\n"
	"-- many of an archive's members were read\n"
	"ALTER TABLE files ADD COLUMN parent INTEGER REFERENCES files(id);\n"
	"ALTER TABLE files ADD COLUMN members INTEGER NOT NULL DEFAULT 0;\n"
	"CREATE INDEX files_parent ON files (parent);\n",
};
#define STORE_VERSION ((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

/*
 * What runs after migration i's SQL, in the same transaction: filling
 * what the new schema derives from the data already stored.
 */
static struct au_error *(*const store_migration_fill[])(struct au_store *) = {
	/* 1 */ NULL,
	/* 2 */ store_status_all,
	/* 3 */ NULL,
	/* 4 */ NULL,
	/* 5 */ NULL,
	/* 6 */ NULL,
	/* 7 */ NULL,
	/* 8 */ NULL,
};
_Static_assert(sizeof(store_migration_fill) / sizeof(store_migration_fill[0]) ==
    sizeof(store_migrations) / sizeof(store_migrations[0]),
    "one fill function (or NULL) per migration");

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
store_host_cache_clear(struct store_host_cache *hc)
{
	free(hc->key);
	free(hc->name);
	memset(hc, 0, sizeof(*hc));
	hc->name_time = STORE_NO_NAME_TIME;
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

/* A row of STORE_EVENT_COLUMNS as an event, classified as classify_event does. */
struct au_event *
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
	s->host.name_time = STORE_NO_NAME_TIME;
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
	if ((err = store_exec(s, "PRAGMA foreign_keys = ON",
	    "cannot open database")) != NULL)
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
	if (version < STORE_VERSION) {
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
	return store->path != NULL ? store->path : "";
}
