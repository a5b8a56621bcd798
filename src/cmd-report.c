/* cmd-report.c: `aadc-upgrade report`: the troubleshooting report, from the history database. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "cmd.h"
#include "pipeline.h"
#include "xmalloc.h"

static const struct option report_longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "host", required_argument, NULL, 'H' },
	{ "since", required_argument, NULL, 'S' },
	{ "format", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 }
};

static struct au_error *
cmd_report_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct au_error *err = NULL;
	struct au_store *store = NULL;
	struct au_query q = { NULL, 0, 0 };
	struct cmd_names hosts = { NULL, 0 };
	const char *dbopt = NULL;
	char *db = NULL;
	struct au_report rep;
	enum au_format fmt = AU_FMT_TEXT;
	int c;

	analyse_report_init(&rep, analyse_now());
	while ((c = getopt_long(argc, argv, "d:H:S:f:", report_longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbopt = optarg;
			break;
		case 'H':
			cmd_names_add(&hosts, optarg);
			break;
		case 'S':
			err = cmd_parse_date(optarg, &q.since);
			break;
		case 'f':
			err = cmd_parse_format(optarg, &fmt, 1);
			break;
		default:
			err = au_error_new(AU_ERR_USAGE, NULL, "bad option");
			break;
		}
		if (err != NULL)
			goto done;
	}
	q.hosts = hosts.names;
	q.nhosts = hosts.n;
	if (optind != argc) {
		err = au_error_new(AU_ERR_USAGE, NULL, "unexpected argument '%s'",
		    argv[optind]);
		goto done;
	}
	db = cmd_db_path(dbopt);
	if ((err = store_open(db, 0, &store)) != NULL)
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
	if ((err = pipeline_render(&rep, fmt)) != NULL)
		goto done;
	ctx->status = ctx->warnings != NULL ? AU_EXIT_PARTIAL : AU_EXIT_OK;
done:
	analyse_report_free(&rep);
	store_close(store);
	cmd_names_free(&hosts);
	free(db);
	return err;
}

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.args = "[-d DB] [-H HOST]... [-S DATE] [-f FORMAT]",
	.summary = "Print the troubleshooting report from the history database.",
	.help =
	    "Options:\n"
	    "  -d, --db PATH         the database (default: $AADC_UPGRADE_DB, else\n"
	    "                        $XDG_DATA_HOME/aadc-upgrade/history.db)\n"
	    "  -H, --host NAME       report only this server (any case); repeatable\n"
	    "  -S, --since DATE      only events at or after DATE (YYYY-MM-DD, UTC)\n"
	    "  -f, --format FORMAT   text (default), json or markdown\n"
	    "  -h, --help            show this help\n",
	.exec = cmd_report_exec,
};
