/* cmd-check.c: `aadc-upgrade check`: a monitoring plugin (Nagios, Icinga, Naemon, Checkmk) over the history. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "install.h"
#include "pipeline.h"
#include "releases.h"
#include "xmalloc.h"

/* The Monitoring Plugins states; the exit status is the state. */
enum check_state { CHECK_OK = 0, CHECK_WARNING = 1, CHECK_CRITICAL = 2, CHECK_UNKNOWN = 3 };

#define CHECK_MAX_DAYS 36500
#define CHECK_MAX_FIELD 200

static const char *const check_state_names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

enum { OPT_WARNING_DAYS = CMD_OPT_OWN };

static const struct cmd_option check_options[] = {
	{ CMD_OPT_DB, "db", "PATH",
	    "the history database, only read (default: $AADC_UPGRADE_DB,\n"
	    "else $XDG_DATA_HOME/aadc-upgrade/history.db)" },
	CMD_OPTION_HOST,
	CMD_OPTION_SINCE,
	CMD_OPTION_UNTIL,
	CMD_OPTION_RELEASES,
	{ CMD_OPT_NOW, "now", "WHEN",
	    "measure ages as of WHEN instead of the current time" },
	{ OPT_WARNING_DAYS, "warning-days", "N",
	    "retrying or without a success for more than N days\n"
	    "is WARNING (default 7)" },
	CMD_OPTION_END
};

struct check_opts {
	uint64_t now;
	uint64_t warning_days;
};

/* One server's state and why. */
struct check_host {
	enum check_state state;     /* the worse of the two below */
	enum check_state vstate, sstate;
	char *why;          /* the verdict's line, escaped; NULL when OK */
	char *swhy;         /* the build's support line; NULL when OK */
	enum au_support support;
};

/*
 * Event data on a plugin's output: visible control characters (as in the
 * text report), and no '|', which would start the performance data.
 */
static char *
check_escape(const char *s)
{
	char *esc = render_escape(s, CHECK_MAX_FIELD, RENDER_ESC_TEXT), *out;
	size_t n = 0, i, j;

	for (i = 0; esc[i] != '\0'; i++)
		n += esc[i] == '|' ? 4 : 1;
	out = xmalloc(n + 1);
	for (i = 0, j = 0; esc[i] != '\0'; i++) {
		if (esc[i] == '|') {
			memcpy(out + j, "\\x7c", 4);
			j += 4;
		} else
			out[j++] = esc[i];
	}
	out[j] = '\0';
	free(esc);
	return out;
}

/*
 * The upgrade verdict's state: blocked or failed are CRITICAL (a manual
 * upgrade is needed); retrying is WARNING once it has lasted more than N
 * days; a server whose latest result is unknown, or without one, is
 * WARNING when it has not succeeded for more than N days; upgraded is OK.
 */
static void
check_verdict(const struct au_host_report *hr, const struct check_opts *o,
    struct check_host *ch)
{
	uint64_t since = 0, count = 0, days;
	char date[32], *host = check_escape(hr->host), *res = NULL, *code;
	const char *v = au_verdict_name(hr->verdict);

	ch->state = CHECK_OK;
	ch->why = NULL;
	if (hr->latest != NULL)
		render_since(hr, &since, &count);
	res = render_result(hr->latest);
	code = check_escape(res != NULL ? res : "no result");
	switch (hr->verdict) {
	case AU_VERDICT_FAILED:
	case AU_VERDICT_BLOCKED:
		ch->state = CHECK_CRITICAL;
		ch->why = xasprintf("%s %s since %s (%" PRIu64 " %s in a row): %s",
		    host, v, render_date(since, date, sizeof(date)), count,
		    count == 1 ? "result" : "results", code);
		break;
	case AU_VERDICT_RETRYING:
		days = render_days(since, o->now);
		if (days > o->warning_days) {
			ch->state = CHECK_WARNING;
			ch->why = xasprintf("%s retrying for %" PRIu64 " days, since %s"
			    " (%" PRIu64 " %s in a row): %s", host, days,
			    render_date(since, date, sizeof(date)), count,
			    count == 1 ? "result" : "results", code);
		}
		break;
	case AU_VERDICT_UPGRADED:
		break;
	default:
		if (hr->last_success == 0) {
			ch->state = CHECK_WARNING;
			ch->why = xasprintf("%s %s, never seen to succeed: %s", host, v, code);
		} else if ((days = render_days(hr->last_success, o->now)) > o->warning_days) {
			ch->state = CHECK_WARNING;
			ch->why = xasprintf("%s %s, no success for %" PRIu64 " days (last %s): %s",
			    host, v, days, render_date(hr->last_success, date, sizeof(date)),
			    code);
		}
		break;
	}
	free(host);
	free(res);
	free(code);
}

/*
 * The installed build's support status: retiring is WARNING; retired,
 * below the floor or recalled are CRITICAL; supported or unknown are OK.
 */
static void
check_support(const struct au_host_report *hr, const struct au_catalog *cat,
    const struct check_opts *o, struct check_host *ch)
{
	const struct au_install *in = install_current(hr->installs, hr->ninstalls);
	struct au_build b;
	char *host, *ver, date[32];
	const char *eos;

	releases_build(cat, in, o->now, &b);
	ch->support = b.support;
	ch->sstate = CHECK_OK;
	ch->swhy = NULL;
	switch (b.support) {
	case AU_SUPPORT_RETIRING:
		ch->sstate = CHECK_WARNING;
		break;
	case AU_SUPPORT_RECALLED:
	case AU_SUPPORT_BELOW_FLOOR:
	case AU_SUPPORT_RETIRED:
		ch->sstate = CHECK_CRITICAL;
		break;
	default:
		return;
	}
	host = check_escape(hr->host);
	ver = check_escape(b.installed_version);
	eos = b.release != NULL && b.release->end_of_support[0] != '\0' ?
	    b.release->end_of_support : NULL;
	if (b.support == AU_SUPPORT_BELOW_FLOOR && cat->floor != NULL)
		ch->swhy = xasprintf("%s runs %s, below the mandatory minimum %s"
		    " (synchronization stops from %s): upgrade manually", host, ver,
		    cat->floor->version, render_date(cat->floor_time, date, sizeof(date)));
	else
		ch->swhy = xasprintf("%s runs %s, %s%s%s%s", host, ver,
		    releases_support_name(b.support), eos != NULL ? " (end of support " : "",
		    eos != NULL ? eos : "", eos != NULL ? ")" : "");
	free(host);
	free(ver);
}

/* The first line: "AADC-UPGRADE STATE - summary | perfdata". */
static void
check_print(FILE *out, enum check_state state, const struct au_report *rep,
    const size_t counts[AU_VERDICT_COUNT], const size_t per_state[4],
    struct check_host *hosts)
{
	char *summary = render_summary(rep);
	size_t i, support[AU_SUPPORT_COUNT] = { 0 };

	fprintf(out, "AADC-UPGRADE %s - ", check_state_names[state]);
	if (per_state[CHECK_CRITICAL] + per_state[CHECK_WARNING] > 0)
		fprintf(out, "%zu critical, %zu warning; ", per_state[CHECK_CRITICAL],
		    per_state[CHECK_WARNING]);
	fputs(summary, out);
	free(summary);
	fputs(" |", out);
	for (i = 0; i < AU_VERDICT_COUNT; i++)
		fprintf(out, " '%s'=%zu;;;0", au_verdict_name((enum au_verdict)i), counts[i]);
	for (i = 0; i < rep->nhosts; i++)
		if ((unsigned)hosts[i].support < AU_SUPPORT_COUNT)
			support[hosts[i].support]++;
	/* Prefixed: "unknown" is a verdict too. */
	for (i = 0; i < AU_SUPPORT_COUNT; i++)
		fprintf(out, " 'support_%s'=%zu;;;0",
		    releases_support_name((enum au_support)i), support[i]);
	fputc('\n', out);
	/* Worst first, as the servers are sorted. */
	for (int s = CHECK_CRITICAL; s >= CHECK_WARNING; s--)
		for (i = 0; i < rep->nhosts; i++) {
			if ((int)hosts[i].vstate == s && hosts[i].why != NULL)
				fprintf(out, "%s: %s\n", check_state_names[s], hosts[i].why);
			if ((int)hosts[i].sstate == s && hosts[i].swhy != NULL)
				fprintf(out, "%s: %s\n", check_state_names[s], hosts[i].swhy);
		}
}

static struct au_error *
check_run(const char *dbopt, const char *releases, const struct au_query *q,
    const struct check_opts *o, enum check_state *state)
{
	struct au_error *err = NULL;
	struct au_store *store = NULL;
	struct au_catalog *cat = NULL;
	struct check_host *hosts = NULL;
	struct au_report rep;
	size_t counts[AU_VERDICT_COUNT] = { 0 }, per_state[4] = { 0 }, i;
	char *db = cmd_db_path(dbopt);

	analyse_report_init(&rep, o->now);
	if ((err = releases_load(releases != NULL ? releases : releases_default_path(),
	    &cat)) != NULL)
		goto done;
	if ((err = store_open(db, STORE_READ, &store)) != NULL)
		goto done;
	if ((err = pipeline_fleet(store, q, &rep)) != NULL)
		goto done;
	if (rep.nhosts == 0) {
		err = au_error_new(AU_ERR_NOTFOUND, db, "no server in the history%s",
		    q->nhosts > 0 || q->since != 0 ? " matches" : "");
		goto done;
	}
	hosts = xcalloc(rep.nhosts, sizeof(*hosts));
	*state = CHECK_OK;
	for (i = 0; i < rep.nhosts; i++) {
		unsigned v = (unsigned)rep.hosts[i]->verdict;

		counts[v < AU_VERDICT_COUNT ? v : AU_VERDICT_UNKNOWN]++;
		check_verdict(rep.hosts[i], o, &hosts[i]);
		hosts[i].vstate = hosts[i].state;
		check_support(rep.hosts[i], cat, o, &hosts[i]);
		if (hosts[i].sstate > hosts[i].state)
			hosts[i].state = hosts[i].sstate;
		per_state[hosts[i].state]++;
		if (hosts[i].state > *state)
			*state = hosts[i].state;
	}
	check_print(stdout, *state, &rep, counts, per_state, hosts);
done:
	for (i = 0; hosts != NULL && i < rep.nhosts; i++) {
		free(hosts[i].why);
		free(hosts[i].swhy);
	}
	releases_free(cat);
	free(hosts);
	analyse_report_free(&rep);
	store_close(store);
	free(db);
	return err;
}

/* The plugin's line for a problem: UNKNOWN, on stdout (main prints the error on stderr). */
static void
check_report_error(FILE *out, const struct au_error *err)
{
	char *msg = check_escape(err->msg);
	char *where = err->where != NULL ? check_escape(err->where) : NULL;

	fprintf(out, "AADC-UPGRADE UNKNOWN - %s%s%s\n", where != NULL ? where : "",
	    where != NULL ? ": " : "", msg);
	free(msg);
	free(where);
}

/*
 * Every problem is the UNKNOWN state (3), a bad option too (unlike the
 * other commands' usage status 2); main prints the plugin line through
 * check_report_error, then the error on stderr.
 */
static struct au_error *
cmd_check_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct au_error *err = NULL;
	struct au_query q = { NULL, 0, 0, 0 };
	struct check_opts o = { 0, 7 };
	enum check_state state = CHECK_UNKNOWN;

	ctx->failure_status = CHECK_UNKNOWN;
	for (size_t i = 0; i < args->nopts && err == NULL; i++)
		if (args->opts[i].key == OPT_WARNING_DAYS)
			err = cmd_parse_uint("number of days", args->opts[i].arg,
			    CHECK_MAX_DAYS, &o.warning_days);
	if (err != NULL)
		return err;
	q.hosts = args->common.hosts.names;
	q.nhosts = args->common.hosts.n;
	q.since = args->common.since;
	q.until = args->common.until;
	/* A monitoring check is about now, not about the collection's end. */
	o.now = args->common.has_now ? args->common.now : analyse_now();
	if ((err = check_run(args->common.db, args->common.releases, &q, &o,
	    &state)) != NULL)
		return err;
	ctx->status = (enum au_exit)state;
	return NULL;
}

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.args = "",
	.min_args = 0,
	.max_args = 0,
	.summary = "Monitoring plugin: the fleet's state for Nagios, Icinga, Naemon or Checkmk.",
	.help =
	    "Prints one line, AADC-UPGRADE STATE - summary | perfdata (a counter per\n"
	    "verdict: 'blocked'=2;;;0 ...), then one line per server needing attention,\n"
	    "worst first, and exits with the state: the worst over the servers.\n"
	    "  0 OK        upgraded, or retrying for at most N days; the build\n"
	    "              supported or unknown\n"
	    "  1 WARNING   retrying for more than N days; no success for more than N\n"
	    "              days (latest result unknown, or none); a retiring build\n"
	    "  2 CRITICAL  blocked (UpgradeNotSupported) or failed (UpgradeFailed);\n"
	    "              a retired, below-floor or recalled build\n"
	    "  3 UNKNOWN   the database is missing or unreadable, no server matches,\n"
	    "              or a bad option\n"
	    "Ages are measured up to the current time (not the newest record).\n",
	.options = check_options,
	.formats = 0,
	.exit_status = "the state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for\n"
	    "a bad option or a missing database).\n",
	.usage_status = CHECK_UNKNOWN,
	.report_error = check_report_error,
	.exec = cmd_check_exec,
};
