/* cmd-fleet.c: `aadc-upgrade fleet`: the whole fleet on one screen, from the history. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "pipeline.h"
#include "xmalloc.h"

/* Long enough for any history; small enough that days * ticks cannot overflow. */
#define FLEET_MAX_DAYS 36500

enum { OPT_STALE_DAYS = 256, OPT_NOW };

static const struct option fleet_longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "format", required_argument, NULL, 'f' },
	{ "stale-days", required_argument, NULL, OPT_STALE_DAYS },
	{ "now", required_argument, NULL, OPT_NOW },
	{ NULL, 0, NULL, 0 }
};

static struct au_error *
fleet_parse_days(const char *arg, uint64_t *days)
{
	char *end = NULL;
	unsigned long v;

	if (!isdigit((unsigned char)arg[0]))
		goto bad;
	v = strtoul(arg, &end, 10);
	if (*end != '\0' || v > FLEET_MAX_DAYS)
		goto bad;
	*days = v;
	return NULL;
bad:
	return au_error_new(AU_ERR_USAGE, NULL,
	    "bad number of days '%s' (expected 0 to %d)", arg, FLEET_MAX_DAYS);
}

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
cmd_fleet_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct au_error *err = NULL;
	struct au_store *store = NULL;
	struct au_query q = { NULL, 0, 0 };
	struct au_fleet_opts fopts;
	struct au_fleet fleet;
	struct au_render_opts ropts = { 0 };
	struct au_report rep;
	const char *dbopt = NULL;
	char *db = NULL;
	enum au_format fmt = AU_FMT_TEXT;
	uint64_t now = 0, days = 7;
	int c, have_now = 0;

	memset(&fleet, 0, sizeof(fleet));
	analyse_report_init(&rep, 0);
	while ((c = getopt_long(argc, argv, "d:f:", fleet_longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbopt = optarg;
			break;
		case 'f':
			err = cmd_parse_format(optarg, &fmt, 1);
			break;
		case OPT_STALE_DAYS:
			err = fleet_parse_days(optarg, &days);
			break;
		case OPT_NOW:
			err = cmd_parse_date(optarg, &now);
			have_now = 1;
			break;
		default:
			err = au_error_new(AU_ERR_USAGE, NULL, "bad option");
			break;
		}
		if (err != NULL)
			goto done;
	}
	if (optind != argc) {
		err = au_error_new(AU_ERR_USAGE, NULL, "unexpected argument '%s'",
		    argv[optind]);
		goto done;
	}
	/* Stale means no news: measured against the clock, not the newest event. */
	rep.now = have_now ? now : analyse_now();
	db = cmd_db_path(dbopt);
	if ((err = store_open(db, 0, &store)) != NULL)
		goto done;
	if ((err = pipeline_fleet(store, &q, &rep)) != NULL)
		goto done;
	analyse_fleet_opts_default(&fopts);
	fopts.retry_days = days;
	fopts.stale_days = days;
	analyse_fleet(&rep, &fopts, &fleet);
	fleet_add_failed(&rep, &fleet);
	switch (fmt) {
	case AU_FMT_JSON:
		err = render_fleet_json(stdout, &rep, &fleet, &fopts);
		break;
	case AU_FMT_MARKDOWN:
		err = render_fleet_markdown(stdout, &rep, &fleet, &fopts);
		break;
	case AU_FMT_TEXT:
		ropts.color = cmd_want_color(STDOUT_FILENO);
		err = render_fleet_text(stdout, &rep, &fleet, &fopts, &ropts);
		break;
	}
	if (err == NULL)
		ctx->status = AU_EXIT_OK;
done:
	analyse_fleet_free(&fleet);
	analyse_report_free(&rep);
	store_close(store);
	free(db);
	return err;
}

const struct cmd_entry cmd_fleet_entry = {
	.name = "fleet",
	.args = "[-d DB] [-f FORMAT] [--stale-days N] [--now DATE]",
	.summary = "Summarise the whole fleet from the history database, worst first.",
	.help =
	    "Servers by verdict; servers blocked (UpgradeNotSupported, UpgradeFailed)\n"
	    "with since when and how many retries; servers retrying for more than N\n"
	    "days; servers without an upgrade event for more than N days (stale);\n"
	    "servers never seen to succeed; the most frequent result codes.\n\n"
	    "Options:\n"
	    "  -d, --db PATH         the database (default: $AADC_UPGRADE_DB, else\n"
	    "                        $XDG_DATA_HOME/aadc-upgrade/history.db)\n"
	    "  -f, --format FORMAT   text (default), json or markdown\n"
	    "      --stale-days N    retrying for long and stale mean more than N days\n"
	    "                        (default 7)\n"
	    "      --now DATE        measure ages up to DATE (YYYY-MM-DD or\n"
	    "                        YYYY-MM-DDTHH:MM:SSZ, UTC) instead of the current\n"
	    "                        time, for reproducible reports and tests\n"
	    "  -h, --help            show this help\n",
	.exec = cmd_fleet_exec,
};
