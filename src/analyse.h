/* analyse.h: per-server verdicts and fleet aggregates, from stored events. */
#ifndef AU_ANALYSE_H
#define AU_ANALYSE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"
#include "releases.h"

struct au_host_report {
	char *host;                 /* as spelled in the latest event */
	enum au_verdict verdict;
	uint64_t attempts;          /* events with a result code */
	uint64_t events_count;
	uint64_t first_seen, last_seen;   /* FILETIME */
	uint64_t last_success;      /* 0 when never seen to succeed */
	const struct au_event *latest;    /* latest event with a result code, or NULL */
	/*
	 * Streak: how many of the latest results in a row share latest's code
	 * and detail (events without a result do not break it).
	 */
	uint64_t streak_count;      /* 0 when there is no result */
	uint64_t streak_since;      /* time of the first event of the streak */
	int unknown_codes;          /* events whose code is not in the catalog */
	int historical_codes;       /* events whose code the article dropped */
	struct au_event **events;   /* sorted by time, record id; owned */
	size_t nevents;
	struct au_install **installs;   /* version timeline; owned */
	size_t ninstalls;

	/*
	 * Condition: how many of the latest results in a row share latest's
	 * category (UpgradeAborted with changing reasons is one condition).
	 */
	uint64_t condition_count;   /* 0 when there is no result */
	uint64_t condition_since;   /* time of the first event of that run */
	struct au_code_count *codes;    /* distinct codes, in order of first appearance; owned */
	size_t ncodes;

	/*
	 * What its logs hold whatever the provider (silent servers too): the
	 * records read with this Computer, summed over the files, and their
	 * period (0 when unknown). From au_file_stats.hosts.
	 */
	uint64_t log_records;
	uint64_t log_first, log_last;
	int name_from_file;         /* the name came from a file name, not from the log */
	char *same_as;              /* then: the one server whose full name starts with it and a dot; owned */

	/* The installed build and its support status (analyse_host_build). */
	struct au_build build;

	/* Events of Connect-related providers, counted by provider and ID; owned. */
	struct au_related_count *related;
	size_t nrelated;
};

/* Events of one related provider and ID (listed, never classified). */
struct au_related_count {
	char *provider;
	uint32_t event_id;
	uint64_t count;
	uint64_t first, last;       /* FILETIME */
};

/* One distinct result code among a host's events. */
struct au_code_count {
	char *code;                 /* result code, "code-detail" for a compound value */
	const struct au_code *entry;    /* catalog entry, NULL when unknown */
	enum au_category category;
	uint64_t count;
	uint64_t first, last;       /* FILETIME of its first and last event */
};

/* Where a report's as-of time comes from. */
enum au_as_of {
	AU_AS_OF_RECORD,    /* the newest record read or stored */
	AU_AS_OF_NOW,       /* --now */
	AU_AS_OF_CLOCK      /* no record at all: the wall clock */
};
/* "newest record", "--now", "current time" (JSON's as_of_source). */
const char *au_as_of_name(enum au_as_of s);

struct au_report {
	struct au_host_report **hosts;    /* worst verdict first; owned */
	size_t nhosts;
	struct au_file_stats *files;      /* inputs read (scan, import), or NULL; owned */
	size_t nfiles;
	uint64_t now;                     /* FILETIME ages are measured up to (= as_of) */
	/*
	 * As of when: --now, else the newest record read (scan) or in the
	 * history (report, fleet). clock is the wall clock when the report
	 * was made (only for saying once that the collection is old).
	 */
	uint64_t as_of;
	enum au_as_of as_of_source;
	uint64_t clock;
	uint64_t stale_days;              /* --stale-days */
	const char *command;              /* "scan", "report", "fleet", "export" */
	size_t other_files;               /* files of no known form passed over */
};


/*
 * The newest time rep knows of: its hosts' last events, installs and log
 * records, and its files' newest records (0 when none): as_of by default.
 */
uint64_t analyse_report_newest(const struct au_report *rep);
/* Whether the collection is older than stale_days at the wall clock. */
int analyse_report_is_old(const struct au_report *rep);

/*
 * Builds one host's report; takes ownership of the arrays. The events are
 * sorted and an event seen twice (same host in any case, record id and
 * time) is kept once: the copy not only recovered from slack space.
 * Host names compare ASCII-case-insensitively.
 */
struct au_host_report *analyse_host(struct au_event **events, size_t nevents,
    struct au_install **installs, size_t ninstalls);
void analyse_host_free(struct au_host_report *hr);
/*
 * Sets hr->build from hr->installs and the catalog (NULL: none) at now
 * (FILETIME): installed build, support status, releases behind. The
 * catalog must outlive hr->build.
 */
void analyse_host_build(struct au_host_report *hr, const struct au_catalog *cat,
    uint64_t now);
/*
 * Frees the host's events except `latest` (then events holds only it, or
 * nothing), keeping every count: for the fleet view of many hosts.
 */
void analyse_host_drop_events(struct au_host_report *hr);
/*
 * Sets unknown_codes and historical_codes from codes alone (each code's
 * catalog entry and count): what analyse_host counts event by event, for
 * a report rebuilt from a stored summary with this binary's catalog.
 */
void analyse_host_count_codes(struct au_host_report *hr);

void analyse_report_init(struct au_report *rep, uint64_t now);
void analyse_report_add(struct au_report *rep, struct au_host_report *hr);
/* Sorts hosts worst verdict first, then longest-lasting condition, then name. */
void analyse_report_sort(struct au_report *rep);
void analyse_report_free(struct au_report *rep);

uint64_t analyse_now(void);   /* current time as FILETIME */


/* Fleet aggregates, computed from host reports alone (no events needed). */
struct au_fleet_opts {
	uint64_t retry_days;        /* list servers retrying for longer (default 7) */
	uint64_t stale_days;        /* list servers without an event for longer (default 30) */
	size_t top_codes;           /* most frequent codes to keep; 0 = all (default 10) */
};

/* A server in one of the fleet lists; hr is borrowed from the report. */
struct au_fleet_host {
	const struct au_host_report *hr;
	uint64_t since;             /* start of what the list is about */
	uint64_t count;             /* results since then (retries) */
};

struct au_fleet_code {
	const char *code;           /* borrowed from a host report */
	const struct au_code *entry;    /* NULL when not in the catalog */
	enum au_category category;
	uint64_t count;             /* events with the code */
	uint64_t hosts;             /* servers that reported it */
	uint64_t current;           /* servers whose latest result it is */
};

struct au_fleet {
	uint64_t now;
	size_t nhosts;
	size_t verdicts[AU_VERDICT_COUNT];  /* servers per verdict */
	/* Each list is longest-lasting first (since ascending), then by name. */
	struct au_fleet_host *blocked;  /* since condition_since, count its results */
	size_t nblocked;
	struct au_fleet_host *retrying; /* retrying for more than retry_days */
	size_t nretrying;
	struct au_fleet_host *stale;    /* since last_seen, more than stale_days ago */
	size_t nstale;
	struct au_fleet_host *never;    /* never seen to succeed: since first_seen, count attempts */
	size_t nnever;
	struct au_fleet_code *codes;    /* most frequent first (count, then hosts, then code) */
	size_t ncodes;
	size_t support[AU_SUPPORT_COUNT];   /* servers per support status */
	uint64_t support_now;           /* the time the statuses are for (0: none) */
	struct au_fleet_build *builds;  /* builds in use: worst status first, then most servers */
	size_t nbuilds;
};

/* One build in use across the fleet (installed_version NULL: none seen). */
struct au_fleet_build {
	const char *version;            /* borrowed from a host report; NULL = unknown */
	enum au_support support;
	size_t hosts;
};

void analyse_fleet_opts_default(struct au_fleet_opts *opts);
/* Fills *fleet from rep (at rep->now); free it before rep. */
void analyse_fleet(const struct au_report *rep, const struct au_fleet_opts *opts,
    struct au_fleet *fleet);
void analyse_fleet_free(struct au_fleet *fleet);

#endif
