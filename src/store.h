/* store.h: the history database (the only module that uses SQLite). */
#ifndef AU_STORE_H
#define AU_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "analyse.h"
#include "error.h"
#include "event.h"

struct au_store;

/* Busy timeout used when AADC_UPGRADE_BUSY_TIMEOUT_MS is not set. */
/*
 * An import holds the write lock for one file's whole transaction, which
 * for a big log takes minutes: a second import waits that long.
 */
#define STORE_BUSY_TIMEOUT_MS 600000

/* 'AADC': PRAGMA application_id of every history (schema 3 on). */
#define STORE_APPLICATION_ID UINT32_C(0x41414443)

/* What a command does with the history. */
enum store_mode {
	STORE_READ = 0,     /* report, fleet, export, check: never writes */
	STORE_CREATE = 1,   /* import: created, with its directory, if missing */
	STORE_WRITE = 2,    /* an existing history, written */
};

/*
 * Opens the database at path; path NULL opens a private database (scan)
 * in a temporary file SQLite makes and removes (so that memory does not
 * grow with the input), keeping the same summaries as a history.
 * Without STORE_CREATE, a missing database is an AU_ERR_DB error ("no
 * history yet"). A file is ours when it carries STORE_APPLICATION_ID, or
 * is an aadc-upgrade history from before (user_version and our tables:
 * stamped when migrated), or is empty (created); any other file, SQLite
 * or not, is refused without a byte of it changed.
 *
 * STORE_WRITE and STORE_CREATE migrate an older schema forward and refuse
 * a newer one; the history is in WAL mode while open (readers go on while
 * an import writes) and back to a rollback journal at close when no one
 * else has it open. STORE_READ opens read-only and never writes, creates
 * or migrates anything: an older schema is read through a migrated
 * private copy; a file or directory this process may not write is opened
 * immutable (read-only media, archived histories); a 0-byte file is "no
 * history yet". Every failure (not a database, read-only for a writer,
 * locked for longer than the busy timeout, disk full) is one AU_ERR_DB
 * error whose `where` is the path. The busy timeout is
 * AADC_UPGRADE_BUSY_TIMEOUT_MS milliseconds from the environment, else
 * STORE_BUSY_TIMEOUT_MS.
 */
struct au_error *store_open(const char *path, enum store_mode mode,
    struct au_store **out);
void store_close(struct au_store *store);
/* The database's path; "" for scan's private database. */
const char *store_path(const struct au_store *store);
/*
 * The SQL of the migration that brings a database to schema `version`
 * (1 is the first), or NULL: for tests that build an older database.
 */
const char *store_migration_sql(int version);
int store_schema_version(void);   /* the schema this aadc-upgrade writes */

/*
 * One transaction per input file: begin, add, then commit or rollback.
 * After an error from store_add_*, call store_file_rollback (it is a no-op
 * when no transaction is open); store_file_commit rolls back by itself
 * when it fails. The file row's events_new/events_known are the store's
 * own count of the is_new results between begin and commit; the other
 * counts, flags, errors, size and sha256 are taken from st at commit
 * (begin records path, size and sha256 as known then, and what stat
 * says of the file: its size, mtime, inode and device are kept at commit
 * when the size read equals stat's, for store_file_unchanged). In a database
 * file, commit also recomputes, in the same transaction, the summary of
 * every host the file added to (from all of that host's events: one
 * host's events are in memory at a time), so summaries never lag the
 * events.
 */
struct au_error *store_file_begin(struct au_store *store,
    const struct au_file_stats *st, int64_t *file_id);
/* *is_new is set to 0 when the store already had the event (or install). */
struct au_error *store_add_event(struct au_store *store, int64_t file_id,
    const struct au_event *ev, int *is_new);
struct au_error *store_add_install(struct au_store *store, int64_t file_id,
    const struct au_install *in, int *is_new);
/*
 * An event of a Connect-related provider (listed, never classified), kept
 * once per server, provider, ID, time and record ID.
 */
struct au_error *store_add_related(struct au_store *store, const char *host,
    const char *provider, uint32_t event_id, uint64_t time, uint64_t record_id);
struct au_error *store_file_commit(struct au_store *store, int64_t file_id,
    const struct au_file_stats *st);
void store_file_rollback(struct au_store *store);
/*
 * An archive member read inside the open file's transaction: a files row
 * of its own named `name` (ARCHIVE:MEMBER) with parent_id the archive's,
 * which the member's events are added to; end records what reading it
 * gave (m), as commit does for a file.
 */
struct au_error *store_member_begin(struct au_store *store, int64_t parent_id,
    const char *name, int64_t *member_id);
struct au_error *store_member_end(struct au_store *store, int64_t member_id,
    const struct au_file_stats *m);

/*
 * Sets *unchanged to 1 when path was imported before, completely and
 * without a problem, and is still the same file: the same size,
 * modification time (to the nanosecond), inode and device as stat saw
 * at that import's begin. Import then need not read it again; *matched
 * gets the upgrade events that import found (all known now). A scan's
 * store, a file that cannot be stat'ed, one that grew or changed in
 * place: *unchanged 0 (read again; its events are deduplicated).
 */
struct au_error *store_file_unchanged(struct au_store *store, const char *path,
    int *unchanged, uint64_t *matched);

/*
 * What the history knew of the open file's path when store_file_begin
 * opened it: its latest import (found 0: none, or scan's store), with
 * its SHA-256 (hex, to compare with what reading it gives) and import
 * time (RFC 3339 UTC); and how many of the open file's chunks store_chunk
 * found unchanged since.
 */
struct store_previous {
	int found;
	char sha256[65];
	char imported_at[40];
	uint64_t size;
	uint64_t chunks_known;
};
void store_file_previous(const struct au_store *store, struct store_previous *prev);

/*
 * Chunk k (from 0) of the open .evtx file, whose checksums hold, as sums
 * says: kept with the file. *known is set to 1 when its path's latest
 * import had chunk k with the same checksums, so that its records,
 * imported then, need not be read again (its `events` upgrade events
 * count as known to the file); else, when that import had a chunk k,
 * *had is set and *before is what it read of it (a chunk written on
 * since, a live log's last one, still begins with those records). In
 * scan's store, or inside an archive member: both 0 and nothing is kept.
 */
struct au_error *store_chunk(struct au_store *store, uint64_t k,
    const struct au_chunk_sums *sums, uint64_t events, int *known,
    struct au_chunk_sums *before, int *had);

/* Which part of the history a query covers. */
struct au_query {
	/*
	 * Host selectors, any case: a full name, its first label (when only
	 * one host has it) or a shell glob (fnmatch: * ? [...]); none = all.
	 */
	const char *const *hosts;
	size_t nhosts;
	uint64_t since;             /* FILETIME, inclusive; 0 = from the start */
	uint64_t until;             /* FILETIME, exclusive end; 0 = to the end */
};

/*
 * A selector that matches no host (or a first label several hosts share)
 * fails with AU_ERR_NOTFOUND before any callback, naming every such
 * selector and the nearest names the history holds. `since` and `until`
 * apply to events and installs alike; a host left with neither is
 * skipped (store_each_summary keeps a silent host whose logs' period
 * meets the range). Each call reads one consistent snapshot.
 */

/*
 * The names (latest spelling, in order of lower-case name) of the hosts
 * the selectors match, as a new array of new strings (free with
 * store_free_paths), or the AU_ERR_NOTFOUND error above. No selector:
 * every host, silent ones included.
 */
struct au_error *store_match_hosts(struct au_store *store,
    const char *const *selectors, size_t nselectors, char ***names,
    size_t *nnames);

/*
 * Calls fn once per host (in order of lower-case name) with that host's
 * events, sorted by time then record id, and its installs sorted by time.
 * The arrays and their contents are owned by the callee from then on.
 * Only one host's events are in memory at a time. Every event's host is
 * the host's latest spelling, source_file the first file that brought it,
 * code and category as classify_event would set them.
 */
typedef struct au_error *(*store_host_fn)(void *arg, struct au_event **events,
    size_t nevents, struct au_install **installs, size_t ninstalls);
struct au_error *store_each_host(struct au_store *store,
    const struct au_query *q, store_host_fn fn, void *arg);
/*
 * The same for one host, named in full (any case), in [since, until)
 * (until 0: no end), without source_file (NULL): a report's host by host,
 * on statements prepared once. fn is not called when the history does not
 * know the host or it has nothing in range.
 */
struct au_error *store_host_events(struct au_store *store, const char *host,
    uint64_t since, uint64_t until, store_host_fn fn, void *arg);

/*
 * Calls fn once per host q covers (in order of lower-case name) with a
 * report equal to analyse_host's on all its events (in range) after
 * analyse_host_drop_events: every count, streak, condition and code, the
 * latest event (with its source_file) and the installs; and log_records,
 * log_first, log_last from the host's imported files. Without a time
 * range it reads the summary each import keeps (host_status,
 * host_codes); with one, it accumulates the events in range one at a
 * time: never more than one host's latest event and installs in memory.
 * A silent host (records in its logs, no upgrade event or install) comes
 * with events_count 0 and latest NULL. fn owns the report from then on;
 * its error stops the walk and is returned.
 */
typedef struct au_error *(*store_summary_fn)(void *arg, struct au_host_report *hr);
struct au_error *store_each_summary(struct au_store *store,
    const struct au_query *q, store_summary_fn fn, void *arg);

/*
 * Streams events (or installs) one at a time, in order of host name (lower
 * case), time, record id, without loading them all (export). fn owns what
 * it is given; a non-NULL error from fn stops the walk and is returned.
 */
typedef struct au_error *(*store_event_fn)(void *arg, struct au_event *ev);
struct au_error *store_each_event(struct au_store *store,
    const struct au_query *q, store_event_fn fn, void *arg);
typedef struct au_error *(*store_install_fn)(void *arg, struct au_install *in);
struct au_error *store_each_install(struct au_store *store,
    const struct au_query *q, store_install_fn fn, void *arg);

/*
 * Every file the stored event with row id event_id (au_event.id) was read
 * from, in import order, as a new array of new strings.
 */
struct au_error *store_event_files(struct au_store *store, int64_t event_id,
    char ***paths, size_t *npaths);
void store_free_paths(char **paths, size_t npaths);

/*
 * Calls fn for each source file recorded, in import order, with its
 * counts, period (first_time, last_time), dirty flag and hosts (every
 * Computer its records named, with their records and period; the names as
 * the file spelled them at import).
 */
typedef struct au_error *(*store_file_fn)(void *arg, const struct au_file_stats *st);
struct au_error *store_each_file(struct au_store *store, store_file_fn fn, void *arg);

/* Sizes of the history, or of the part a query covers (files: all). */
struct au_store_counts {
	uint64_t hosts;             /* hosts with events or installs in range */
	uint64_t events;
	uint64_t results;           /* events with a result code */
	uint64_t installs;
	uint64_t files;
	uint64_t first, last;       /* FILETIME of the first and last event; 0 if none */
};
struct au_error *store_counts(struct au_store *store, const struct au_query *q,
    struct au_store_counts *c);

#endif
