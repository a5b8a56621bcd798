/* cmd-export.c: `aadc-upgrade export`: the history as JSON, NDJSON, CSV or an Elasticsearch bulk body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "pipeline.h"
#include "xmalloc.h"

enum { OPT_ESCAPE_FORMULAS = CMD_OPT_OWN, OPT_INDEX, OPT_RAW_CSV };

static const struct cmd_option export_options[] = {
	CMD_OPTION_DB,
	CMD_OPTION_FORMAT("json, ndjson, csv or bulk (required)"),
	CMD_OPTION_OUTPUT,
	CMD_OPTION_HOST,
	CMD_OPTION_SINCE,
	CMD_OPTION_UNTIL,
	CMD_OPTION_RAW_CSV(OPT_RAW_CSV),
	CMD_OPTION_ESCAPE_FORMULAS(OPT_ESCAPE_FORMULAS),
	{ OPT_INDEX, "index", "NAME",
	    "bulk: the index to write to (default aadc-upgrade)" },
	CMD_OPTION_END
};

struct export_state {
	FILE *out;
	struct render_ndjson *ndjson;
	const char *index;  /* bulk */
	int csv_flags;
	int header_done;    /* CSV: written at the first event, or at the end */
};

/* Called once per stored event; owns ev. */
static struct au_error *
export_ndjson_event(void *arg, struct au_event *ev)
{
	struct export_state *s = arg;
	struct au_error *err;

	err = render_ndjson_event(s->ndjson, ev);
	au_event_free(ev);
	return err;
}

static struct au_error *
export_bulk_event(void *arg, struct au_event *ev)
{
	const struct export_state *s = arg;
	struct au_error *err;

	err = render_event_bulk(s->out, ev, s->index);
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
		err = render_csv_header(s->out);
	}
	if (err == NULL)
		err = render_event_csv(s->out, ev, s->csv_flags);
	au_event_free(ev);
	return err;
}

static struct au_error *
cmd_export_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct au_error *err = NULL, *cerr;
	struct au_store *store = NULL;
	struct au_query q = { NULL, 0, 0, 0 };
	struct export_state st = { NULL, NULL, NULL, 0, 0 };
	struct cmd_output out = { NULL, NULL, NULL };
	char *db = NULL;
	struct pipeline_report_opts ro = { NULL, "export", 1, 0 };
	enum au_format fmt = args->common.format;
	int raw_csv = 0, escape_formulas = 0;

	for (size_t i = 0; i < args->nopts && err == NULL; i++) {
		if (args->opts[i].key == OPT_ESCAPE_FORMULAS)
			escape_formulas = 1;
		else if (args->opts[i].key == OPT_RAW_CSV)
			raw_csv = 1;
		else if (args->opts[i].key == OPT_INDEX) {
			st.index = args->opts[i].arg;
			err = render_bulk_check_index(st.index);
		}
	}
	if (err != NULL)
		goto done;
	q.hosts = args->common.hosts.names;
	q.nhosts = args->common.hosts.n;
	q.since = args->common.since;
	q.until = args->common.until;
	if (!args->common.has_format) {
		err = au_error_new(AU_ERR_USAGE, NULL,
		    "no --format given (json, ndjson, csv, bulk)");
		goto done;
	}
	if ((err = cmd_csv_flags(fmt, raw_csv, escape_formulas, &st.csv_flags)) != NULL)
		goto done;
	if (st.index != NULL && fmt != AU_FMT_BULK) {
		err = au_error_new(AU_ERR_USAGE, NULL,
		    "--index applies to --format bulk only");
		goto done;
	}
	if (st.index == NULL)
		st.index = RENDER_BULK_DEFAULT_INDEX;
	db = cmd_db_path(args->common.db);
	if ((err = store_open(db, STORE_READ, &store)) != NULL)
		goto done;
	if (fmt != AU_FMT_JSON && (err = cmd_output_open(&args->common, &out)) != NULL)
		goto done;
	st.out = out.fp;
	switch (fmt) {
	case AU_FMT_JSON:
		/* The document of `scan --format json`, with every imported file. */
		ro.c = &args->common;
		err = pipeline_report(store, &q, &ro, ctx);
		break;
	case AU_FMT_NDJSON:
		/* Streamed: one event in memory at a time, whatever the history. */
		st.ndjson = render_ndjson_new(out.fp);
		if ((err = store_each_event(store, &q, export_ndjson_event, &st)) == NULL &&
		    (err = render_ndjson_end(st.ndjson)) == NULL)
			err = render_check_io(out.fp);
		render_ndjson_free(st.ndjson);
		break;
	case AU_FMT_BULK:
		if ((err = store_each_event(store, &q, export_bulk_event, &st)) == NULL)
			err = render_check_io(out.fp);
		break;
	case AU_FMT_CSV:
		err = store_each_event(store, &q, export_csv_event, &st);
		if (err == NULL && !st.header_done)
			err = render_csv_header(out.fp);
		if (err == NULL)
			err = render_check_io(out.fp);
		break;
	default:
		break;
	}
	cerr = cmd_output_close(&out, err == NULL);
	if (err == NULL)
		err = cerr;
	else
		au_error_free(cerr);
	if (err == NULL)
		ctx->status = AU_EXIT_OK;
done:
	cmd_output_close(&out, 0);
	store_close(store);
	free(db);
	return err;
}

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.args = "",
	.min_args = 0,
	.max_args = 0,
	.summary = "Write the history as JSON, NDJSON, CSV or an Elasticsearch bulk body.",
	.help =
	    "Formats (--format is required):\n"
	    "  json     one document, as `scan --format json`: hosts with their events,\n"
	    "           and every imported file\n"
	    "  ndjson   one event a line (the JSON event keys, source_file, @timestamp),\n"
	    "           for Elasticsearch/OpenSearch or Splunk; streamed\n"
	    "  csv      RFC 4180, one event a row after a header line, safe for\n"
	    "           spreadsheets and terminals unless --raw-csv; streamed\n"
	    "  bulk     the Elasticsearch/OpenSearch _bulk body: an action line with\n"
	    "           _index and a stable _id, then the event with ECS field names\n"
	    "           (schema/elasticsearch-template.json); streamed\n",
	.options = export_options,
	.formats = AU_FMT_BIT(AU_FMT_JSON) | AU_FMT_BIT(AU_FMT_NDJSON) |
	    AU_FMT_BIT(AU_FMT_CSV) | AU_FMT_BIT(AU_FMT_BULK),
	.default_format = AU_FMT_JSON,
	.exit_status = "0 the export was written; 1 no history, or the database\n"
	    "failed, or a --host the history does not know; 2 usage error.\n",
	.exec = cmd_export_exec,
};
