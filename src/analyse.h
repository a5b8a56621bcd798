/* analyse.h: per-server verdicts and fleet aggregates, from stored events. */
#ifndef AU_ANALYSE_H
#define AU_ANALYSE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"

struct au_host_report {
	char *host;                 /* as spelled in the latest event */
	enum au_verdict verdict;
	uint64_t attempts;          /* events with a result code */
	uint64_t events_count;
	uint64_t first_seen, last_seen;   /* FILETIME */
	uint64_t last_success;      /* 0 when never seen to succeed */
	const struct au_event *latest;    /* latest event with a result code, or NULL */
	/* Streak: how many of the latest results in a row share latest's code. */
	uint64_t streak_count;      /* 0 when there is no result */
	uint64_t streak_since;      /* time of the first event of the streak */
	int unknown_codes;          /* events whose code is not in the catalog */
	int historical_codes;       /* events whose code the article dropped */
	struct au_event **events;   /* sorted by time, record id; owned */
	size_t nevents;
	struct au_install **installs;   /* version timeline; owned */
	size_t ninstalls;
};

struct au_report {
	struct au_host_report **hosts;    /* worst verdict first */
	size_t nhosts;
	struct au_file_stats *files;      /* inputs read (scan, import), or NULL */
	size_t nfiles;
	uint64_t now;                     /* FILETIME the report was made */
};

/* Builds one host's report; takes ownership of the arrays. */
struct au_host_report *analyse_host(struct au_event **events, size_t nevents,
    struct au_install **installs, size_t ninstalls);
void analyse_host_free(struct au_host_report *hr);

void analyse_report_init(struct au_report *rep, uint64_t now);
void analyse_report_add(struct au_report *rep, struct au_host_report *hr);
/* Sorts hosts worst verdict first, then longest-lasting condition, then name. */
void analyse_report_sort(struct au_report *rep);
void analyse_report_free(struct au_report *rep);

uint64_t analyse_now(void);   /* current time as FILETIME */

#endif
