/* event.h: the plain structs the modules exchange (no library types here). */
#ifndef AU_EVENT_H
#define AU_EVENT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Ownership: a struct owns every string it points to, except `code`
 * (a pointer into the static catalog). Free with the matching *_free
 * function, which accepts NULL. Times are FILETIME ticks: 100 ns since
 * 1601-01-01 UTC, as Windows stores them.
 */

enum au_category {
	AU_CAT_NONE = 0,          /* no result code in the event */
	AU_CAT_SUCCESS,
	AU_CAT_ABORTED,           /* UpgradeAborted */
	AU_CAT_NOT_SUPPORTED,     /* UpgradeNotSupported */
	AU_CAT_FAILED,            /* UpgradeFailed */
	AU_CAT_OTHER,
};

enum au_verdict {             /* ordered worst first */
	AU_VERDICT_FAILED = 0,
	AU_VERDICT_BLOCKED,
	AU_VERDICT_UNKNOWN,
	AU_VERDICT_RETRYING,
	AU_VERDICT_SILENT,        /* records in its logs, but no upgrade event */
	AU_VERDICT_NO_RESULT,
	AU_VERDICT_UPGRADED,
	AU_VERDICT_COUNT
};

struct au_code;               /* catalog entry, see classify.h */

/* One automatic-upgrade event, as read from a log and classified. */
struct au_event {
	int64_t id;               /* store row id; 0 before it is stored */
	uint64_t time;            /* TimeCreated, FILETIME ticks */
	char *host;               /* Computer */
	uint64_t record_id;
	uint32_t event_id;
	uint32_t qualifiers;
	uint8_t level;
	char *provider;
	char *channel;
	char *message;            /* the Data strings joined by '\n' ("" if none) */
	int recovered;            /* read from slack space */

	/* Filled by classify_event(). */
	char *result_code;        /* NULL when no code was found */
	char *detail;             /* part after '-' of a compound value, or NULL */
	enum au_category category;
	const struct au_code *code;   /* catalog entry, or NULL if unknown */

	char *source_file;        /* a file it came from (export), or NULL */
	int packed;               /* au_event_pack made it: AU_EVENT_PACKED or AU_EVENT_LENT */
};
#define AU_EVENT_PACKED 1         /* one allocation, struct and strings */
#define AU_EVENT_LENT 2           /* in memory its reader owns: au_event_free does nothing */

/*
 * An MsiInstaller event (1033, 1034, 1022, 11707, 11708, 11724) for the
 * Connect sync engine or wizard; install_action() (install.h) says what
 * it did from event_id and status.
 */
struct au_install {
	uint64_t time;
	char *host;
	uint64_t record_id;
	uint32_t event_id;
	char *product;
	char *version;            /* NULL (or "" when stored) when the event gives none */
	int status;               /* installer status (0 = success), or -1 when none given */
};

/* A computer met in the records of one input file (silent servers too). */
struct au_file_host {
	char *name;               /* Computer, as first spelled in the file */
	uint64_t records;         /* records read with that Computer */
	uint64_t first_time, last_time;   /* FILETIME of its oldest and newest record */
	uint64_t min_record, max_record;  /* range of their record IDs; 0 when unknown */
	int from_name;            /* the name is the file's: the form has no Computer */
};

/* What reading one input file gave. */
struct au_file_stats {
	char *path;
	uint64_t size;
	char sha256[65];          /* hex, "" when not computed */
	uint64_t records;         /* records read (incl. recovered when asked) */
	uint64_t matched;         /* upgrade events found */
	uint64_t recovered;       /* recovered records read */
	uint64_t corrupt;         /* records that could not be read */
	uint64_t installs;        /* installer events found */
	uint64_t events_new;      /* import: events new to the store */
	uint64_t events_known;    /* import: events the store already had */
	uint64_t chunks_known;    /* import: chunks an earlier import read (not read again) */
	int dirty;                /* header says the log was not closed cleanly */
	int file_corrupted;       /* libevtx says the file is corrupted */
	int host_from_name;       /* the form has no Computer: the host is the file's name */
	int times_utc;            /* local times without an offset were read as UTC */
	uint64_t passed_over;     /* archive members of no known form, passed over */
	uint64_t members;         /* an archive: members read, each a row of its own */
	int member;               /* this row is an archive member (path ARCHIVE:MEMBER) */
	char *errors;             /* problems, "; "-separated, or NULL */
	/*
	 * Every Computer met in a record read (any provider), in order of
	 * first appearance, and the period of all records read (0 when
	 * none): readers call au_file_stats_note_host once per record.
	 */
	struct au_file_host *hosts;
	size_t nhosts;
	uint64_t first_time, last_time;
	size_t *host_index;       /* private to au_file_stats_note_host */
	size_t host_index_size;
};

/*
 * What identifies one chunk of an .evtx file as read: its header's
 * checksum, its records' checksum (of the bytes from 512 to free_offset),
 * the free-space offset and the last record identifier.
 */
struct au_chunk_sums {
	uint32_t header_crc;
	uint32_t records_crc;
	uint32_t free_offset;
	uint64_t last_record;
};

void au_event_free(struct au_event *ev);
/*
 * ev as one block, its strings after the struct (ev is freed): one free
 * instead of seven. The block comes from alloc(ctx, size) when alloc is
 * not NULL (AU_EVENT_LENT: au_event_free leaves it to its owner), else
 * from malloc (AU_EVENT_PACKED). A packed event's strings must not be
 * replaced or freed one by one (classify it before).
 */
struct au_event *au_event_pack(struct au_event *ev, void *(*alloc)(void *ctx,
    size_t size), void *ctx);
/* The same as a copy: ev (whose strings may be borrowed) is left as it is. */
struct au_event *au_event_packed_copy(const struct au_event *ev,
    void *(*alloc)(void *ctx, size_t size), void *ctx);
void au_install_free(struct au_install *in);
void au_file_stats_clear(struct au_file_stats *st);
/* Adds one problem to st->errors. */
void au_file_stats_add_error(struct au_file_stats *st, const char *msg);
/*
 * Counts one record read with this Computer (NULL or "" counts toward
 * the period only) at time (FILETIME; 0 = unknown, not counted in the
 * period) with its record ID (0 = unknown). Names compare
 * ASCII-case-insensitively. Constant time.
 */
void au_file_stats_note_host(struct au_file_stats *st, const char *computer,
    uint64_t time, uint64_t record_id);
/*
 * Counts h->records records of one Computer (or none) over h's period and
 * record-ID range at once (h->name is not used).
 */
void au_file_stats_add_host(struct au_file_stats *st, const char *computer,
    const struct au_file_host *h);
/*
 * Adds src's hosts and period to dst's, as if dst had read src's records;
 * with once, a host's records whose record-ID range overlaps dst's are
 * counted once (au_records_once): the same log read twice, as an .evtx
 * and its XML export in one archive, counts its records once.
 */
void au_file_stats_merge_hosts(struct au_file_stats *dst,
    const struct au_file_stats *src, int once);
/* Widens dst's period of records to hold src's (0: none). */
void au_file_stats_merge_period(struct au_file_stats *dst,
    const struct au_file_stats *src);
/*
 * Whether a's records lie within b's period (both known): an export
 * without record IDs (Event Viewer CSV or text) of the log b was read
 * from is taken as (part of) the same log, its records counted once.
 */
int au_period_within(const struct au_file_host *a, const struct au_file_host *b);
/*
 * How many distinct records two sets of one server's records hold, a
 * records with IDs amin..amax and b with bmin..bmax (0 = unknown): a + b
 * when the ranges are disjoint or unknown; where they overlap, the two
 * are taken as reads of one log, and the count is the larger set's, or
 * as many as both ranges together span when that is more (a log read
 * again after more records were written), never more than a + b.
 */
uint64_t au_records_once(uint64_t a, uint64_t amin, uint64_t amax,
    uint64_t b, uint64_t bmin, uint64_t bmax);
/* A deep copy of src's hosts into dst (for a caller that keeps the stats). */
void au_file_stats_copy_hosts(struct au_file_stats *dst,
    const struct au_file_stats *src);

/*
 * FILETIME and the civil (proleptic Gregorian, UTC) calendar, one way and
 * the other: the one place that does date arithmetic (Howard Hinnant's
 * day algorithms, exact for any date, no time_t or time zone involved).
 */
#define AU_TICKS_PER_SECOND UINT64_C(10000000)
#define AU_TICKS_PER_DAY (UINT64_C(86400) * AU_TICKS_PER_SECOND)

/* The current time as FILETIME (0 if the clock cannot be read). */
uint64_t au_filetime_now(void);

struct au_civil {
	int64_t year;
	unsigned month, day, hour, minute, second;
	uint32_t ticks;           /* 100 ns units within the second */
};
void au_filetime_to_civil(uint64_t filetime, struct au_civil *c);
/* Returns 0 when a field is out of range or the date is before 1601. */
int au_filetime_from_civil(const struct au_civil *c, uint64_t *filetime);
/* RFC 3339 UTC, with seven fractional digits when `ticks` is set
 * ("2016-06-27T10:15:00.1234567Z"), else none; buf holds >= 32 bytes. */
char *au_time_text(uint64_t filetime, int ticks, char *buf, size_t len);

/*
 * Host names compare ASCII-case-insensitively whatever the locale; NULL
 * sorts before any name.
 */
int au_host_cmp(const char *a, const char *b);

const char *au_category_name(enum au_category cat);   /* "Success", ... "Other", NULL for NONE */
const char *au_verdict_name(enum au_verdict v);       /* "upgraded", "retrying", ... */
enum au_verdict au_verdict_from_category(enum au_category cat);

#endif
