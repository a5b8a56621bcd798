/* pipeline.h: ingest -> classify -> store for input paths, and store -> analyse for reports. */
#ifndef AU_PIPELINE_H
#define AU_PIPELINE_H

#include <stddef.h>

#include "analyse.h"
#include "cmd.h"
#include "ingest.h"
#include "store.h"

struct pipeline_totals {
	size_t files;            /* files found */
	size_t files_read;       /* files read at least in part */
	size_t files_failed;     /* files with a problem */
	uint64_t records, matched, installs, events_new, events_known;
	size_t passed_over;      /* files in directories and archive members of no known form */
};

/*
 * Reads every file under paths into the store, one transaction per file.
 * Per-file problems go to ctx->warnings; a database error stops and is
 * returned. With `verbose`, prints a line per file on stdout (import).
 * With `progress`, shows a progress line on stderr after a second.
 */
struct au_error *pipeline_collect(struct au_store *store, char *const *paths,
    size_t npaths, const struct au_ingest_opts *opts, struct cmd_ctx *ctx,
    int verbose, int progress, struct pipeline_totals *totals);

/*
 * The release catalog: --releases, else $AADC_UPGRADE_RELEASES, else the
 * installed one (else the copy beside a binary run from its build tree).
 * A catalog given by the user that cannot be read is an error; a missing
 * default one is a warning, and *cat is NULL (support status unknown).
 */
struct au_error *pipeline_catalog(const struct cmd_common *c,
    struct au_catalog **cat, struct cmd_ctx *ctx);

/*
 * Every host q selects as a summary (events dropped, latest kept), with
 * its build and support status, worst first; and rep's as_of (--now, else
 * the newest time known), clock and stale_days.
 */
struct au_error *pipeline_summaries(struct au_store *store,
    const struct au_query *q, const struct cmd_common *c,
    const struct au_catalog *cat, struct au_report *rep);

/*
 * Every host q selects as a summary (no catalog, no as_of: check keeps
 * the wall clock and judges support itself), worst first.
 */
struct au_error *pipeline_fleet(struct au_store *store, const struct au_query *q,
    struct au_report *rep);

struct pipeline_report_opts {
	const struct cmd_common *c;   /* format, output, colour, --now, --releases */
	const char *command;          /* "scan", "report", "export" */
	int files;                    /* list the files read (scan) or imported */
	size_t other_files;           /* files of no known form passed over */
};

/*
 * Writes the report of the hosts q selects: the summaries first (the
 * table), then each host in full, one at a time, then the files; memory
 * holds one host's events, never the history.
 */
struct au_error *pipeline_report(struct au_store *store, const struct au_query *q,
    const struct pipeline_report_opts *o, struct cmd_ctx *ctx);

#endif
