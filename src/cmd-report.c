/* cmd-report.c: `aadc-upgrade report`: the troubleshooting report, from the history database. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "cmd.h"
#include "pipeline.h"
#include "xmalloc.h"

static const struct cmd_option report_options[] = {
	CMD_OPTION_DB,
	CMD_OPTION_FORMAT("text (default), json, markdown or html (one\n"
	    "self-contained page with charts)"),
	CMD_OPTION_OUTPUT,
	CMD_OPTION_HOST,
	CMD_OPTION_SINCE,
	CMD_OPTION_UNTIL,
	CMD_OPTION_NOW,
	CMD_OPTION_STALE_DAYS,
	CMD_OPTION_RELEASES,
	CMD_OPTION_COLOR,
	CMD_OPTION_END
};

static struct au_error *
cmd_report_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct au_error *err = NULL;
	struct au_store *store = NULL;
	struct au_query q = { NULL, 0, 0, 0 };
	struct pipeline_report_opts ro = { &args->common, "report", 0, 0 };
	char *db = NULL;

	q.hosts = args->common.hosts.names;
	q.nhosts = args->common.hosts.n;
	q.since = args->common.since;
	q.until = args->common.until;
	db = cmd_db_path(args->common.db);
	if ((err = store_open(db, STORE_READ, &store)) != NULL)
		goto done;
	if ((err = pipeline_report(store, &q, &ro, ctx)) != NULL)
		goto done;
	ctx->status = ctx->warnings != NULL ? AU_EXIT_PARTIAL : AU_EXIT_OK;
done:
	store_close(store);
	free(db);
	return err;
}

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.args = "",
	.min_args = 0,
	.max_args = 0,
	.summary = "Print the troubleshooting report from the history database.",
	.options = report_options,
	.formats = AU_FMT_BIT(AU_FMT_TEXT) | AU_FMT_BIT(AU_FMT_JSON) |
	    AU_FMT_BIT(AU_FMT_MARKDOWN) | AU_FMT_BIT(AU_FMT_HTML),
	.default_format = AU_FMT_TEXT,
	.exit_status = "0 the report was written; 1 no history, or the database\n"
	    "failed, or a --host the history does not know; 2 usage error; 3 a server\n"
	    "asked for has no events in the period.\n",
	.exec = cmd_report_exec,
};
