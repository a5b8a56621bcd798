/* store-int.h: what the store's files share (struct au_store, statements, helpers); store*.c only. */
#ifndef AU_STORE_INT_H
#define AU_STORE_INT_H

#include <stdint.h>

#include <sqlite3.h>

#include "error.h"
#include "event.h"
#include "store.h"

/* Statements used per event or per file, prepared once at open. */
enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_HOST_GET,
	ST_HOST_INS,
	ST_HOST_RENAME,
	ST_EVENT_INS,
	ST_EVENT_NEAR,
	ST_EVENT_SHARPEN,
	ST_EVENT_UNRECOVER,
	ST_EVENT_FILE,
	ST_INSTALL_INS,
	ST_INSTALL_NEAR,
	ST_INSTALL_SHARPEN,
	ST_INSTALL_FILE,
	ST_FILE_INS,
	ST_FILE_UPD,
	ST_FILE_PARENT,
	ST_FILE_HOST,
	ST_RELATED_INS,
	ST_RELATED_NEAR,
	ST_EVENT_NEWEST,
	ST_FILE_PREV,
	ST_CHUNK_INS,
	ST_CHUNK_GET,
	ST_CHUNK_DROP,
	ST_COUNT
};

/*
 * Statements that keep host_status, prepared on first use: the migration
 * to schema 2 needs them before the tables of ST_* are all there.
 */
enum store_status_stmt {
	SS_EVENTS,
	SS_HAS_INSTALLS,
	SS_DEL,
	SS_DEL_CODES,
	SS_PUT,
	SS_PUT_CODE,
	SS_COUNT
};

/* A host row as the open file has it. */
struct store_host_cache {
	char *key;                  /* lower-case name */
	char *name;                 /* display name, as hosts.name should be */
	int64_t id;
	int64_t name_time;          /* STORE_NO_NAME_TIME: named by an install */
	int dirty;                  /* name/name_time not yet written */
};
#define STORE_NO_NAME_TIME INT64_MIN

/*
 * The open file's hosts by name, so that each is looked up once and its
 * latest spelling written once, at the end of the file, however its
 * events interleave with other hosts' (a collector's log): it grows with
 * the servers of one file, never with the history or the events.
 */
struct store_names {
	struct store_host_cache *e;   /* in order of first use */
	size_t n, cap;
	size_t *index;                /* open addressing over e: i + 1; 0 empty */
	size_t index_size;            /* 0 or a power of two */
	size_t last;                  /* the entry used last, + 1; 0 none */
};

/*
 * The hosts the open file added to (for host_status at commit), each with
 * the time of its newest stored event: an event a second or more newer
 * cannot be one already stored, so it is inserted without looking for
 * it (a log read in time order, a collector's above all). A hash table
 * of the file's hosts: it grows with the servers of one file, never with
 * the history or the events.
 */
struct store_summ;
struct store_touched_host {
	int64_t id;                 /* 0: an empty slot */
	int64_t newest;             /* valid once looked up */
	int looked_up;
	int has_events;             /* the host has events (newest is theirs) */
	/*
	 * The host's summary (host_status, host_codes) kept as its events
	 * are stored, while that is all there is to it: it had no events
	 * before this file, and each one came newer than the one before
	 * (so in the order of the summary's walk). NULL: computed again
	 * from all its events at commit.
	 */
	struct store_summ *summ;
};
struct store_touched {
	struct store_touched_host *slot;
	size_t n, cap;              /* cap: 0 or a power of two */
	int64_t last;               /* the host touched last (runs of one host are common) */
};

struct au_store {
	sqlite3 *db;
	char *path;                 /* ":memory:" for scan */
	int busy_ms;
	sqlite3_stmt *stmt[ST_COUNT];
	int in_file;                /* a file transaction is open */
	int read_only;              /* STORE_READ: nothing is ever written */
	int wal;                    /* switched to WAL at open: back to DELETE at close */
	/* The open file as stat saw it at begin (have_id 0: not known). */
	int have_id;
	uint64_t id_size, id_inode, id_device;
	int64_t id_mtime;
	uint64_t nnew, nknown;      /* is_new results of the open file */
	struct store_previous prev; /* the open file's path's latest import */
	int64_t prev_id;            /* its row; 0 when none */
	int in_member;              /* an archive member is open */
	int64_t file_id;            /* the open file's row */
	uint64_t member_nnew, member_nknown;   /* the same at the open member's begin */
	struct store_names names;       /* the open file's hosts */
	struct store_touched touched;   /* hosts the open file added to */
	sqlite3_stmt *sst[SS_COUNT];    /* host_status statements, prepared on first use */
	sqlite3_stmt *rq[3];            /* store_host_events' statements, prepared on first use */
};

/* A host a query covers. */
struct store_host_row {
	int64_t id;
	char *name;
	char *key;                  /* name_key */
};

/* A host's events in [?2, ?3); the 14th column, the first file that brought it, is src. */
#define STORE_EVENT_SELECT(src) \
	"SELECT e.id, e.time, e.record_id, e.event_id, e.qualifiers, e.level," \
	" e.provider, e.channel, e.message, e.recovered, e.result_code," \
	" e.detail, e.category, " src \
	" FROM events e WHERE e.host_id = ?1 AND e.time >= ?2 AND e.time < ?3" \
	" ORDER BY e.time, e.record_id, e.provider, e.event_id"
#define STORE_EVENT_COLUMNS STORE_EVENT_SELECT("(SELECT f.path FROM event_files ef" \
	" JOIN files f ON f.id = ef.file_id WHERE ef.event_id = e.id" \
	" ORDER BY ef.file_id LIMIT 1)")
/* The same without the file: a report names none per event. */
#define STORE_EVENT_COLUMNS_NO_FILE STORE_EVENT_SELECT("NULL")
#define STORE_INSTALL_COLUMNS \
	"SELECT time, record_id, event_id, product, version, status" \
	" FROM installs WHERE host_id = ?1 AND time >= ?2 AND time < ?3" \
	" ORDER BY time, record_id, event_id"

/* Helpers (store.c). */
void store_lower(char *s);   /* ASCII lower case in place: host name keys */
/* An AU_ERR_DB error about the database, with SQLite's reason. */
struct au_error *store_error(struct au_store *s, const char *what);
struct au_error *store_exec(struct au_store *s, const char *sql, const char *what);
/* Steps a statement that returns no rows (or ignores them) and resets it. */
struct au_error *store_run(struct au_store *s, sqlite3_stmt *st, const char *what);
char *store_col_dup(sqlite3_stmt *st, int col);
uint64_t store_col_u64(sqlite3_stmt *st, int col);   /* NULL reads 0 */
struct au_error *store_prepare(struct au_store *s, const char *sql, sqlite3_stmt **st);
void store_bind_time(sqlite3_stmt *st, int col, uint64_t t);   /* 0 (unknown) binds NULL */
/* Binds ?2 and ?3 to [since, until) (until 0: no end). */
void store_bind_range(sqlite3_stmt *st, uint64_t since, uint64_t until);
void store_names_clear(struct store_names *nm);
/* A category as stored (its name), AU_CAT_NONE when absent or unknown. */
enum au_category store_category_parse(const char *name);
/* A row of STORE_EVENT_COLUMNS (or STORE_INSTALL_COLUMNS), classified again. */
struct au_event *store_row_event(sqlite3_stmt *st, const char *host);
struct au_install *store_row_install(sqlite3_stmt *st, const char *host);
/* Frees n events and m installs and their arrays. */
void store_free_rows(struct au_event **events, size_t n, struct au_install **installs,
    size_t m);
/* A read transaction so one walk sees one snapshot (WAL). */
struct au_error *store_read_begin(struct au_store *s, int *began);
void store_read_end(struct au_store *s, int began);

/* The schema (store-schema.c). */
/* Reads PRAGMA user_version: the first read, so it finds a non-database too. */
struct au_error *store_user_version(struct au_store *s, const char *what, int *version);
/* An error when version is newer than this aadc-upgrade's schema. */
struct au_error *store_check_version(struct au_store *s, int version);
/* Brings the database to the newest schema, one transaction per version. */
struct au_error *store_migrate(struct au_store *s);
/* Copies the code catalog into the codes table when it changed. */
struct au_error *store_refresh_codes(struct au_store *s);

/* The open file's hosts (store-import.c). */
/*
 * The host row for name, made when new; an event (from_event) later than
 * the one that named it renames it (written by store_host_flush).
 */
struct au_error *store_host(struct au_store *s, const char *name, int from_event,
    uint64_t time, int64_t *id);
/* Writes the display names that events of the open file changed. */
struct au_error *store_host_flush(struct au_store *s);
struct store_touched_host *store_touch(struct au_store *s, int64_t id);
void store_touched_clear(struct store_touched *t);
void store_touched_free(struct store_touched *t);

/* Summaries (store-summary.c). */
struct store_summ *store_summ_new(void);
void store_summ_free(struct store_summ *m);
/* One event stored as row (time, record ID, code, detail, category's name as stored), in walk order. */
void store_summ_event(struct store_summ *m, int64_t row, uint64_t time, uint64_t rec,
    const char *code, const char *detail, const char *category);
/* Brings host_status up to date for the hosts the open file touched. */
struct au_error *store_status_touched(struct au_store *s);
/* Builds host_status for every host (the migration to schema 2). */
struct au_error *store_status_all(struct au_store *s);

/* Host selection (store-query.c). */
/*
 * The hosts q covers, ordered by lower-case name. A named host the
 * history does not hold is an AU_ERR_NOTFOUND error naming all of them.
 */
struct au_error *store_query_hosts(struct au_store *s, const struct au_query *q,
    struct store_host_row **out, size_t *nout);
void store_free_hosts(struct store_host_row *hosts, size_t n);

#endif
