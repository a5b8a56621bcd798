/* cmd-import.c: `aadc-upgrade import`: adds log files to the history database. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd.h"
#include "localtime.h"
#include "pipeline.h"
#include "render.h"

static const struct cmd_option import_options[] = {
	CMD_OPTION_DB,
	{ 's', "source", "NAME", "upgrade event source; repeatable; replaces the defaults" },
	{ 'e', "event-ids", "RANGE", "event IDs of upgrade results (default 300-399)" },
	{ 'r', "recovered", NULL, "also read records recovered from slack space" },
	{ 'A', "decode-all", NULL, "decode every record with libevtx, not only those that\n"
	    "can be upgrade events (slower; same events; counts\n"
	    "every unreadable record)" },
	CMD_OPTION_COMPUTER,
	CMD_OPTION_TIMEZONE,
	CMD_OPTION_DATE_ORDER,
	CMD_OPTION_QUIET,
	CMD_OPTION_END
};

static struct au_error *
cmd_import_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct au_error *err = NULL;
	struct au_store *store = NULL;
	struct au_ingest_opts opts;
	struct cmd_names sources = { NULL, 0 };
	struct pipeline_totals totals;
	char *db = NULL;
	int handled, quiet = args->common.quiet;

	ingest_opts_default(&opts);
	opts.hash = 1;
	for (size_t i = 0; i < args->nopts; i++)
		if ((err = cmd_scan_ingest_option(&args->opts[i], &sources, &opts,
		    &handled)) != NULL)
			goto done;
	cmd_sources_apply(&sources, &opts);
	db = cmd_db_path(args->common.db);
	if ((err = store_open(db, STORE_CREATE, &store)) != NULL)
		goto done;
	err = pipeline_collect(store, args->argv, (size_t)args->argc,
	    &opts, ctx, !quiet, !quiet && isatty(STDERR_FILENO), &totals);
	if (err != NULL)
		goto done;
	if (!quiet) {
		char *name = render_escape(db, 0, RENDER_ESC_TEXT);
		printf("%zu file(s) imported into %s: %llu new event(s), %llu already known, "
		    "%llu installer event(s), %llu records read\n",
		    totals.files_read, name, (unsigned long long)totals.events_new,
		    (unsigned long long)totals.events_known,
		    (unsigned long long)totals.installs,
		    (unsigned long long)totals.records);
		free(name);
	}
	if (totals.files_read == 0)
		err = au_error_new(AU_ERR_INPUT, NULL, "nothing could be imported");
	else
		ctx->status = ctx->warnings != NULL ? AU_EXIT_PARTIAL : AU_EXIT_OK;
done:
	au_tz_free((struct au_tz *)opts.tz);
	store_close(store);
	cmd_names_free(&sources);
	free(db);
	return err;
}

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.args = "PATH...",
	.min_args = 1,
	.max_args = -1,
	.summary = "Add log files (or directories of them) to the history database.",
	.help =
	    "Each file is imported in one transaction: all of its events or none. Importing\n"
	    "a file or an overlapping export again adds nothing twice. A file unchanged\n"
	    "since its import is not read again; of a log that grew, only the chunks\n"
	    "written since are read; a file read again is compared with its import.\n",
	.options = import_options,
	.exit_status = "0 everything was imported; 1 nothing could be imported or the\n"
	    "database failed; 2 usage error; 3 some input could not be read (the rest\n"
	    "was imported).\n",
	.exec = cmd_import_exec,
};
