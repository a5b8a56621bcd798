/* cmd-scan.c: `aadc-upgrade scan`: a report straight from .evtx files, over an in-memory store. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "pipeline.h"
#include "xmalloc.h"


static const struct option scan_longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "source", required_argument, NULL, 's' },
	{ "event-ids", required_argument, NULL, 'e' },
	{ "recovered", no_argument, NULL, 'r' },
	{ "decode-all", no_argument, NULL, 'A' },
	{ "host", required_argument, NULL, 'H' },
	{ "since", required_argument, NULL, 'S' },
	{ NULL, 0, NULL, 0 }
};

static struct au_error *
cmd_scan_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct au_error *err = NULL;
	struct au_store *store = NULL;
	struct au_ingest_opts opts;
	struct cmd_names sources = { NULL, 0 };
	struct au_query q = { NULL, 0, 0 };
	struct cmd_names hosts = { NULL, 0 };
	struct au_report rep;
	struct pipeline_totals totals;
	enum au_format fmt = AU_FMT_TEXT;
	int c;

	ingest_opts_default(&opts);
	analyse_report_init(&rep, analyse_now());
	while ((c = getopt_long(argc, argv, "f:s:e:rH:S:A", scan_longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			err = cmd_parse_format(optarg, &fmt, 1);
			break;
		case 's':
			cmd_names_add(&sources, optarg);
			break;
		case 'e':
			err = cmd_parse_id_range(optarg, &opts.id_min, &opts.id_max);
			break;
		case 'r':
			opts.recovered = 1;
			break;
		case 'A':
			opts.naive = 1;
			break;
		case 'H':
			cmd_names_add(&hosts, optarg);
			break;
		case 'S':
			err = cmd_parse_date(optarg, &q.since);
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
	if (optind >= argc) {
		err = au_error_new(AU_ERR_USAGE, NULL, "no PATH given");
		goto done;
	}
	cmd_sources_apply(&sources, &opts);

	if ((err = store_open(NULL, 1, &store)) != NULL)
		goto done;
	err = pipeline_collect(store, argv + optind, (size_t)(argc - optind),
	    &opts, ctx, 0, 0, &totals);
	if (err != NULL)
		goto done;
	if (totals.files_read == 0) {
		err = au_error_new(AU_ERR_INPUT, NULL,
		    "nothing could be read; no report");
		goto done;
	}
	if ((err = pipeline_report(store, &q, 1, &rep)) != NULL)
		goto done;
	if ((err = pipeline_render(&rep, fmt)) != NULL)
		goto done;
	ctx->status = ctx->warnings != NULL ? AU_EXIT_PARTIAL : AU_EXIT_OK;
done:
	analyse_report_free(&rep);
	store_close(store);
	cmd_names_free(&sources);
	cmd_names_free(&hosts);
	return err;
}

const struct cmd_entry cmd_scan_entry = {
	.name = "scan",
	.args = "[-rA] [-f FORMAT] [-s SOURCE]... [-e IDS] [-H HOST]... [-S DATE] PATH...",
	.summary = "Read .evtx files (or directories of them) and print the troubleshooting report.",
	.help =
	    "Options:\n"
	    "  -f, --format FORMAT   text (default), json or markdown\n"
	    "  -s, --source NAME     upgrade event source; repeatable; replaces the defaults\n"
	    "                        'Azure AD Connect Upgrade' and 'Microsoft Entra Connect Upgrade'\n"
	    "  -e, --event-ids RANGE event IDs of upgrade results (default 300-399)\n"
	    "  -r, --recovered       also read records recovered from slack space\n"
	    "  -A, --decode-all      decode every record with libevtx, not only those that\n"
	    "                        can be upgrade events (slower; same events; counts\n"
	    "                        every unreadable record)\n"
	    "  -H, --host NAME       report only this server; repeatable\n"
	    "  -S, --since DATE      only events at or after DATE (YYYY-MM-DD, UTC)\n"
	    "  -h, --help            show this help\n"
	    "\nExit status: 0 all input read; 1 nothing could be reported; 2 usage error;\n"
	    "3 a report was produced but some input could not be read.\n",
	.exec = cmd_scan_exec,
};
