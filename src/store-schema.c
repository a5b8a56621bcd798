/* store-schema.c: the history database's schema: migrations from each version to the next, and the code catalog copied into it. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "classify.h"
#include "error.h"
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
	/* 9 */
	"-- file_chunks: per .evtx file imported, the checksums of each chunk\n"
	"-- read (its header's and its records'), kept for the file's latest\n"
	"-- import only: the same path imported again (a log that grew) reads\n"
	"-- only the chunks whose checksums changed\n"
	"CREATE TABLE file_chunks (\n"
	"	file_id INTEGER NOT NULL REFERENCES files(id),\n"
	"	chunk INTEGER NOT NULL,         -- from 0, in file order\n"
	"	header_crc INTEGER NOT NULL,\n"
	"	records_crc INTEGER NOT NULL,\n"
	"	last_record INTEGER NOT NULL,   -- its header's last record identifier\n"
	"	free_offset INTEGER NOT NULL,   -- its records end there (the checksum's range)\n"
	"	PRIMARY KEY (file_id, chunk)\n"
	") WITHOUT ROWID;\n",
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
	/* 9 */ NULL,
};
_Static_assert(sizeof(store_migration_fill) / sizeof(store_migration_fill[0]) ==
    sizeof(store_migrations) / sizeof(store_migrations[0]),
    "one fill function (or NULL) per migration");

/* Reads PRAGMA user_version: the first read, so it finds a non-database too. */
struct au_error *
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
struct au_error *
store_check_version(struct au_store *s, int version)
{
	if (version <= STORE_VERSION)
		return NULL;
	return au_error_new(AU_ERR_DB, s->path, "schema version %d is newer than"
	    " this aadc-upgrade knows (%d): use a newer aadc-upgrade", version,
	    STORE_VERSION);
}

struct au_error *
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
struct au_error *
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
