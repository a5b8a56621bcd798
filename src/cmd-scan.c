/* cmd-scan.c: `aadc-upgrade scan`: a report straight from log files, over a temporary store. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd.h"
#include "localtime.h"
#include "pipeline.h"
#include "xmalloc.h"

enum { OPT_SOURCE = 's', OPT_EVENT_IDS = 'e', OPT_RECOVERED = 'r',
	OPT_DECODE_ALL = 'A' };

static const struct cmd_option scan_options[] = {
	CMD_OPTION_FORMAT("text (default), json, markdown or html (one\n"
	    "self-contained page with charts)"),
	CMD_OPTION_OUTPUT,
	CMD_OPTION_HOST,
	CMD_OPTION_SINCE,
	CMD_OPTION_UNTIL,
	CMD_OPTION_NOW,
	CMD_OPTION_STALE_DAYS,
	CMD_OPTION_RELEASES,
	{ OPT_SOURCE, "source", "NAME", "upgrade event source; repeatable; replaces the defaults\n"
	    "'Azure AD Connect Upgrade' and 'Microsoft Entra Connect Upgrade'" },
	{ OPT_EVENT_IDS, "event-ids", "RANGE", "event IDs of upgrade results (default 300-399)" },
	{ OPT_RECOVERED, "recovered", NULL, "also read records recovered from slack space" },
	{ OPT_DECODE_ALL, "decode-all", NULL, "decode every record with libevtx, not only those that\n"
	    "can be upgrade events (slower; same events; counts\n"
	    "every unreadable record)" },
	CMD_OPTION_COMPUTER,
	CMD_OPTION_TIMEZONE,
	CMD_OPTION_DATE_ORDER,
	CMD_OPTION_COLOR,
	CMD_OPTION_QUIET_PROGRESS,
	CMD_OPTION_END
};

/* The options scan and import share: which events to read, and how. */
struct au_error *
cmd_scan_ingest_option(const struct cmd_optval *o, struct cmd_names *sources,
    struct au_ingest_opts *opts, int *handled)
{
	*handled = 1;
	switch (o->key) {
	case OPT_SOURCE:
		cmd_names_add(sources, o->arg);
		break;
	case OPT_EVENT_IDS:
		return cmd_parse_id_range(o->arg, &opts->id_min, &opts->id_max);
	case OPT_RECOVERED:
		opts->recovered = 1;
		break;
	case OPT_DECODE_ALL:
		opts->naive = 1;
		break;
	case CMD_OPT_COMPUTER:
		opts->computer = o->arg;
		break;
	case CMD_OPT_TIMEZONE: {
		struct au_tz *tz = NULL;
		struct au_error *err = au_tz_open(o->arg, &tz);
		if (err == NULL) {
			au_tz_free((struct au_tz *)opts->tz);
			opts->tz = tz;
		}
		return err;
	}
	case CMD_OPT_DATE_ORDER: {
		enum au_date_order order;
		struct au_error *err = au_date_order_parse(o->arg, &order);
		opts->date_order = (int)order;
		return err;
	}
	default:
		*handled = 0;
		break;
	}
	return NULL;
}

static struct au_error *
cmd_scan_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct au_error *err = NULL;
	struct au_store *store = NULL;
	struct au_ingest_opts opts;
	struct cmd_names sources = { NULL, 0 };
	struct au_query q = { NULL, 0, 0, 0 };
	struct pipeline_report_opts ro;
	struct pipeline_totals totals;
	int handled;

	ingest_opts_default(&opts);
	for (size_t i = 0; i < args->nopts; i++)
		if ((err = cmd_scan_ingest_option(&args->opts[i], &sources, &opts,
		    &handled)) != NULL)
			goto done;
	q.hosts = args->common.hosts.names;
	q.nhosts = args->common.hosts.n;
	q.since = args->common.since;
	q.until = args->common.until;
	cmd_sources_apply(&sources, &opts);

	if ((err = store_open(NULL, STORE_CREATE, &store)) != NULL)
		goto done;
	err = pipeline_collect(store, args->argv, (size_t)args->argc,
	    &opts, ctx, 0, !args->common.quiet && isatty(STDERR_FILENO), &totals);
	if (err != NULL)
		goto done;
	if (totals.files_read == 0) {
		err = au_error_new(AU_ERR_INPUT, NULL,
		    "nothing could be read; no report");
		goto done;
	}
	ro.c = &args->common;
	ro.command = "scan";
	ro.files = 1;
	ro.other_files = totals.passed_over;
	if ((err = pipeline_report(store, &q, &ro, ctx)) != NULL)
		goto done;
	ctx->status = ctx->warnings != NULL ? AU_EXIT_PARTIAL : AU_EXIT_OK;
done:
	au_tz_free((struct au_tz *)opts.tz);
	store_close(store);
	cmd_names_free(&sources);
	return err;
}

const struct cmd_entry cmd_scan_entry = {
	.name = "scan",
	.args = "PATH...",
	.min_args = 1,
	.max_args = -1,
	.summary = "Read log files (or directories of them) and print the troubleshooting report.",
	.options = scan_options,
	.formats = AU_FMT_BIT(AU_FMT_TEXT) | AU_FMT_BIT(AU_FMT_JSON) |
	    AU_FMT_BIT(AU_FMT_MARKDOWN) | AU_FMT_BIT(AU_FMT_HTML),
	.default_format = AU_FMT_TEXT,
	.exit_status = "0 everything was read; 1 nothing could be reported;\n"
	    "2 usage error; 3 a report was produced but some input could not be read.\n",
	.exec = cmd_scan_exec,
};
