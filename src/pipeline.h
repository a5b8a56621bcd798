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

/* Builds the report of the hosts q selects (and the files, when `files`). */
struct au_error *pipeline_report(struct au_store *store, const struct au_query *q,
    int files, struct au_report *rep);

/*
 * Builds the fleet view: every host q selects, with its counts and latest
 * event but without its other events (so memory stays small).
 */
struct au_error *pipeline_fleet(struct au_store *store, const struct au_query *q,
    struct au_report *rep);

/* Renders rep in the format, to the output and with the colour, that c asks for. */
struct au_error *pipeline_render(const struct au_report *rep,
    const struct cmd_common *c);

#endif
