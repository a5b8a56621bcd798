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
	CMD_OPTION_COLOR,
	CMD_OPTION_END
};

static struct au_error *
cmd_report_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct au_error *err = NULL;
	struct au_store *store = NULL;
	struct au_query q = { NULL, 0, 0, 0 };
	char *db = NULL;
	struct au_report rep;

	analyse_report_init(&rep, analyse_now());
	q.hosts = args->common.hosts.names;
	q.nhosts = args->common.hosts.n;
	q.since = args->common.since;
	db = cmd_db_path(args->common.db);
	if ((err = store_open(db, STORE_READ, &store)) != NULL)
		goto done;
	if ((err = pipeline_report(store, &q, 0, &rep)) != NULL)
		goto done;
	for (size_t i = 0; i < q.nhosts; i++) {
		int found = 0;
		for (size_t j = 0; j < rep.nhosts && !found; j++)
			found = strcasecmp(rep.hosts[j]->host, q.hosts[i]) == 0;
		if (!found)
			au_error_append(&ctx->warnings, au_error_new(AU_ERR_NOTFOUND,
			    q.hosts[i], "no upgrade events for this server in %s", db));
	}
	if ((err = pipeline_render(&rep, &args->common)) != NULL)
		goto done;
	ctx->status = ctx->warnings != NULL ? AU_EXIT_PARTIAL : AU_EXIT_OK;
done:
	analyse_report_free(&rep);
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
