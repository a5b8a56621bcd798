/* cmd-import.c: `aadc-upgrade import`: adds .evtx files to the history database. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd.h"
#include "pipeline.h"

static const struct option import_longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "source", required_argument, NULL, 's' },
	{ "event-ids", required_argument, NULL, 'e' },
	{ "recovered", no_argument, NULL, 'r' },
	{ "decode-all", no_argument, NULL, 'A' },
	{ "quiet", no_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 }
};

static struct au_error *
cmd_import_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct au_error *err = NULL;
	struct au_store *store = NULL;
	struct au_ingest_opts opts;
	struct cmd_names sources = { NULL, 0 };
	struct pipeline_totals totals;
	const char *dbopt = NULL;
	char *db = NULL;
	int c, quiet = 0;

	ingest_opts_default(&opts);
	opts.hash = 1;
	while ((c = getopt_long(argc, argv, "d:s:e:rqA", import_longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbopt = optarg;
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
		case 'q':
			quiet = 1;
			break;
		default:
			err = au_error_new(AU_ERR_USAGE, NULL, "bad option");
			break;
		}
		if (err != NULL)
			goto done;
	}
	if (optind >= argc) {
		err = au_error_new(AU_ERR_USAGE, NULL, "no PATH given");
		goto done;
	}
	cmd_sources_apply(&sources, &opts);
	db = cmd_db_path(dbopt);
	if ((err = store_open(db, 1, &store)) != NULL)
		goto done;
	err = pipeline_collect(store, argv + optind, (size_t)(argc - optind),
	    &opts, ctx, !quiet, isatty(STDERR_FILENO), &totals);
	if (err != NULL)
		goto done;
	if (!quiet)
		printf("%zu file(s) imported into %s: %llu new event(s), %llu already known, "
		    "%llu installer event(s), %llu records read\n",
		    totals.files_read, db, (unsigned long long)totals.events_new,
		    (unsigned long long)totals.events_known,
		    (unsigned long long)totals.installs,
		    (unsigned long long)totals.records);
	if (totals.files_read == 0)
		err = au_error_new(AU_ERR_INPUT, NULL, "nothing could be imported");
	else
		ctx->status = ctx->warnings != NULL ? AU_EXIT_PARTIAL : AU_EXIT_OK;
done:
	store_close(store);
	cmd_names_free(&sources);
	free(db);
	return err;
}

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.args = "[-qrA] [-d DB] [-s SOURCE]... [-e IDS] PATH...",
	.summary = "Add .evtx files (or directories of them) to the history database.",
	.help =
	    "Each file is imported in one transaction: all of its events or none. Importing\n"
	    "a file or an overlapping export again adds nothing twice.\n\n"
	    "Options:\n"
	    "  -d, --db PATH         the database (default: $AADC_UPGRADE_DB, else\n"
	    "                        $XDG_DATA_HOME/aadc-upgrade/history.db)\n"
	    "  -s, --source NAME     upgrade event source; repeatable; replaces the defaults\n"
	    "  -e, --event-ids RANGE event IDs of upgrade results (default 300-399)\n"
	    "  -r, --recovered       also read records recovered from slack space\n"
	    "  -A, --decode-all      decode every record with libevtx, not only those that\n"
	    "                        can be upgrade events (slower; same events; counts\n"
	    "                        every unreadable record)\n"
	    "  -q, --quiet           print nothing but errors\n"
	    "  -h, --help            show this help\n",
	.exec = cmd_import_exec,
};
