/* cmd-export.c: `aadc-upgrade export`: the history as JSON, NDJSON or CSV, for dashboards. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "pipeline.h"
#include "xmalloc.h"

enum export_format { EXPORT_NONE = 0, EXPORT_JSON, EXPORT_NDJSON, EXPORT_CSV };

enum { OPT_ESCAPE_FORMULAS = 256 };

static const struct option export_longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "format", required_argument, NULL, 'f' },
	{ "host", required_argument, NULL, 'H' },
	{ "since", required_argument, NULL, 'S' },
	{ "escape-formulas", no_argument, NULL, OPT_ESCAPE_FORMULAS },
	{ NULL, 0, NULL, 0 }
};

static struct au_error *
export_parse_format(const char *arg, enum export_format *fmt)
{
	if (strcmp(arg, "json") == 0)
		*fmt = EXPORT_JSON;
	else if (strcmp(arg, "ndjson") == 0)
		*fmt = EXPORT_NDJSON;
	else if (strcmp(arg, "csv") == 0)
		*fmt = EXPORT_CSV;
	else
		return au_error_new(AU_ERR_USAGE, NULL,
		    "unknown format '%s' (json, ndjson, csv)", arg);
	return NULL;
}

struct export_state {
	int csv_flags;
	int header_done;    /* CSV: written at the first event, or at the end */
};

/* Called once per stored event; owns ev. */
static struct au_error *
export_ndjson_event(void *arg, struct au_event *ev)
{
	struct au_error *err;

	(void)arg;
	err = render_event_ndjson(stdout, ev);
	au_event_free(ev);
	return err;
}

static struct au_error *
export_csv_event(void *arg, struct au_event *ev)
{
	struct export_state *s = arg;
	struct au_error *err = NULL;

	/* Not before: an unknown --host fails before the first event. */
	if (!s->header_done) {
		s->header_done = 1;
		err = render_csv_header(stdout);
	}
	if (err == NULL)
		err = render_event_csv(stdout, ev, s->csv_flags);
	au_event_free(ev);
	return err;
}

static struct au_error *
cmd_export_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct au_error *err = NULL;
	struct au_store *store = NULL;
	struct au_query q = { NULL, 0, 0 };
	struct export_state st = { 0 };
	struct cmd_names hosts = { NULL, 0 };
	const char *dbopt = NULL;
	char *db = NULL;
	struct au_report rep;
	enum export_format fmt = EXPORT_NONE;
	int c;

	analyse_report_init(&rep, analyse_now());
	while ((c = getopt_long(argc, argv, "d:f:H:S:", export_longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbopt = optarg;
			break;
		case 'f':
			err = export_parse_format(optarg, &fmt);
			break;
		case 'H':
			cmd_names_add(&hosts, optarg);
			break;
		case 'S':
			err = cmd_parse_date(optarg, &q.since);
			break;
		case OPT_ESCAPE_FORMULAS:
			st.csv_flags |= RENDER_CSV_FORMULAS;
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
	if (fmt == EXPORT_NONE) {
		err = au_error_new(AU_ERR_USAGE, NULL,
		    "no --format given (json, ndjson, csv)");
		goto done;
	}
	if (st.csv_flags != 0 && fmt != EXPORT_CSV) {
		err = au_error_new(AU_ERR_USAGE, NULL,
		    "--escape-formulas applies to --format csv only");
		goto done;
	}
	db = cmd_db_path(dbopt);
	if ((err = store_open(db, 0, &store)) != NULL)
		goto done;
	switch (fmt) {
	case EXPORT_JSON:
		/* The document of `scan --format json`, with every imported file. */
		if ((err = pipeline_report(store, &q, 1, &rep)) != NULL)
			goto done;
		err = render_report_json(stdout, &rep);
		break;
	case EXPORT_NDJSON:
		/* Streamed: one event in memory at a time, whatever the history. */
		if ((err = store_each_event(store, &q, export_ndjson_event, NULL)) == NULL)
			err = render_check_io(stdout);
		break;
	case EXPORT_CSV:
		err = store_each_event(store, &q, export_csv_event, &st);
		if (err == NULL && !st.header_done)
			err = render_csv_header(stdout);
		if (err == NULL)
			err = render_check_io(stdout);
		break;
	case EXPORT_NONE:
		break;
	}
	if (err == NULL)
		ctx->status = AU_EXIT_OK;
done:
	analyse_report_free(&rep);
	store_close(store);
	cmd_names_free(&hosts);
	free(db);
	return err;
}

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.args = "-f FORMAT [-d DB] [-H HOST]... [-S DATE] [--escape-formulas]",
	.summary = "Write the history as JSON, NDJSON or CSV for dashboards and spreadsheets.",
	.help =
	    "Formats (-f is required):\n"
	    "  json     one document, as `scan --format json`: hosts with their events,\n"
	    "           and every imported file\n"
	    "  ndjson   one event a line (the JSON event keys, source_file, @timestamp),\n"
	    "           for Elasticsearch/OpenSearch or Splunk; streamed\n"
	    "  csv      RFC 4180, one event a row after a header line; streamed\n\n"
	    "Options:\n"
	    "  -d, --db PATH         the database (default: $AADC_UPGRADE_DB, else\n"
	    "                        $XDG_DATA_HOME/aadc-upgrade/history.db)\n"
	    "  -f, --format FORMAT   json, ndjson or csv\n"
	    "  -H, --host NAME       only this server (any case); repeatable\n"
	    "  -S, --since DATE      only events at or after DATE (YYYY-MM-DD, UTC)\n"
	    "      --escape-formulas csv: put a ' before text fields starting with\n"
	    "                        = + - @ TAB or CR, so spreadsheets do not run them\n"
	    "                        as formulas (changes the data; off by default)\n"
	    "  -h, --help            show this help\n",
	.exec = cmd_export_exec,
};
