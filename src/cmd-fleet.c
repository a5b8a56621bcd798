/* cmd-fleet.c: `aadc-upgrade fleet`: the whole fleet on one screen, from the history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "pipeline.h"
#include "releases.h"
#include "xmalloc.h"

enum { OPT_RAW_CSV = CMD_OPT_OWN, OPT_ESCAPE_FORMULAS };

static const struct cmd_option fleet_options[] = {
	CMD_OPTION_DB,
	CMD_OPTION_FORMAT("text (default), json, markdown, csv or ndjson (one\n"
	    "server a row or line), html (one self-contained page\n"
	    "with charts) or prometheus (text exposition for\n"
	    "node_exporter's textfile collector)"),
	CMD_OPTION_OUTPUT,
	CMD_OPTION_HOST,
	CMD_OPTION_SINCE,
	CMD_OPTION_UNTIL,
	CMD_OPTION_STALE_DAYS,
	CMD_OPTION_NOW,
	CMD_OPTION_RELEASES,
	CMD_OPTION_COLOR,
	CMD_OPTION_RAW_CSV(OPT_RAW_CSV),
	CMD_OPTION_ESCAPE_FORMULAS(OPT_ESCAPE_FORMULAS),
	CMD_OPTION_END
};

/* Worst verdict first, then the longest-lasting condition, then the name. */
static int
fleet_blocked_cmp(const void *pa, const void *pb)
{
	const struct au_fleet_host *a = pa, *b = pb;
	int c;

	if (a->hr->verdict != b->hr->verdict)
		return a->hr->verdict < b->hr->verdict ? -1 : 1;
	if (a->since != b->since)
		return a->since < b->since ? -1 : 1;
	if ((c = strcasecmp(a->hr->host, b->hr->host)) != 0)
		return c;
	return strcmp(a->hr->host, b->hr->host);
}

/*
 * analyse_fleet lists UpgradeNotSupported servers as blocked; the fleet
 * view counts a failed upgrade (UpgradeFailed) as blocked too, since it
 * also needs a manual upgrade. Servers already listed are not added twice.
 */
static void
fleet_add_failed(const struct au_report *rep, struct au_fleet *f)
{
	for (size_t i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];
		int listed = 0;

		if (hr->verdict != AU_VERDICT_FAILED)
			continue;
		for (size_t j = 0; j < f->nblocked && !listed; j++)
			listed = f->blocked[j].hr == hr;
		if (listed)
			continue;
		f->blocked = xreallocarray(f->blocked, f->nblocked + 1,
		    sizeof(*f->blocked));
		f->blocked[f->nblocked].hr = hr;
		f->blocked[f->nblocked].since = hr->condition_since;
		f->blocked[f->nblocked].count = hr->condition_count;
		f->nblocked++;
	}
	if (f->nblocked > 1)
		qsort(f->blocked, f->nblocked, sizeof(*f->blocked), fleet_blocked_cmp);
}

static struct au_error *
cmd_fleet_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct au_error *err = NULL;
	struct au_store *store = NULL;
	struct au_query q = { NULL, 0, 0, 0 };
	struct au_fleet_opts fopts;
	struct au_fleet fleet;
	struct au_render_opts ropts = { 0 };
	struct au_report rep;
	struct cmd_output out = { NULL, NULL, NULL };
	struct au_catalog *cat = NULL;
	char *db = NULL;
	uint64_t days = args->common.stale_days;
	int raw_csv = 0, escape_formulas = 0, csv_flags;

	for (size_t i = 0; i < args->nopts; i++) {
		if (args->opts[i].key == OPT_RAW_CSV)
			raw_csv = 1;
		else if (args->opts[i].key == OPT_ESCAPE_FORMULAS)
			escape_formulas = 1;
	}
	if ((err = cmd_csv_flags(args->common.format, raw_csv, escape_formulas,
	    &csv_flags)) != NULL)
		return err;

	memset(&fleet, 0, sizeof(fleet));
	analyse_report_init(&rep, 0);
	rep.command = "fleet";
	q.hosts = args->common.hosts.names;
	q.nhosts = args->common.hosts.n;
	q.since = args->common.since;
	q.until = args->common.until;
	db = cmd_db_path(args->common.db);
	if ((err = store_open(db, STORE_READ, &store)) != NULL)
		goto done;
	if ((err = pipeline_catalog(&args->common, &cat, ctx)) != NULL)
		goto done;
	if ((err = pipeline_summaries(store, &q, &args->common, cat, &rep)) != NULL)
		goto done;
	analyse_fleet_opts_default(&fopts);
	fopts.retry_days = days;
	fopts.stale_days = days;
	analyse_fleet(&rep, &fopts, &fleet);
	fleet_add_failed(&rep, &fleet);
	if ((err = cmd_output_open(&args->common, &out)) != NULL)
		goto done;
	switch (args->common.format) {
	case AU_FMT_CSV:
		err = render_fleet_csv(out.fp, &rep, csv_flags);
		break;
	case AU_FMT_NDJSON:
		err = render_fleet_ndjson(out.fp, &rep);
		break;
	case AU_FMT_JSON:
		err = render_fleet_json(out.fp, &rep, &fleet, &fopts);
		break;
	case AU_FMT_MARKDOWN:
		err = render_fleet_markdown(out.fp, &rep, &fleet, &fopts);
		break;
	case AU_FMT_HTML:
		err = render_fleet_html(out.fp, &rep, &fleet, &fopts);
		break;
	case AU_FMT_PROMETHEUS:
		/* The support status series need the catalog. */
		err = render_fleet_prometheus(out.fp, &rep, &fleet, cat);
		break;
	default:
		ropts.color = out.path == NULL &&
		    cmd_want_color(&args->common, STDOUT_FILENO);
		ropts.width = 80;
		err = render_fleet_text(out.fp, &rep, &fleet, &fopts, &ropts);
		break;
	}
	if (err == NULL)
		err = render_check_io(out.fp);
	{
		struct au_error *cerr = cmd_output_close(&out, err == NULL);
		if (err == NULL)
			err = cerr;
		else
			au_error_free(cerr);
	}
	if (err == NULL)
		ctx->status = AU_EXIT_OK;
done:
	cmd_output_close(&out, 0);
	analyse_fleet_free(&fleet);
	analyse_report_free(&rep);
	render_set_catalog(NULL);
	releases_free(cat);
	store_close(store);
	free(db);
	return err;
}

const struct cmd_entry cmd_fleet_entry = {
	.name = "fleet",
	.args = "",
	.min_args = 0,
	.max_args = 0,
	.summary = "Summarise the whole fleet from the history database, worst first.",
	.help =
	    "Servers by verdict; servers blocked (UpgradeNotSupported, UpgradeFailed)\n"
	    "with since when and how many retries; servers retrying for more than N\n"
	    "days; servers without an upgrade event for more than N days (stale);\n"
	    "servers never seen to succeed; the most frequent result codes.\n",
	.options = fleet_options,
	.formats = AU_FMT_BIT(AU_FMT_TEXT) | AU_FMT_BIT(AU_FMT_JSON) |
	    AU_FMT_BIT(AU_FMT_MARKDOWN) | AU_FMT_BIT(AU_FMT_HTML) |
	    AU_FMT_BIT(AU_FMT_PROMETHEUS) | AU_FMT_BIT(AU_FMT_CSV) |
	    AU_FMT_BIT(AU_FMT_NDJSON),
	.default_format = AU_FMT_TEXT,
	.exit_status = "0 the fleet view was written; 1 no history, or the\n"
	    "database failed; 2 usage error.\n",
	.exec = cmd_fleet_exec,
};
