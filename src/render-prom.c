/* render-prom.c: the fleet as Prometheus text exposition, for node_exporter's textfile collector. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "install.h"
#include "releases.h"
#include "render.h"
#include "xmalloc.h"

/* 1601-01-01 to 1970-01-01 in FILETIME ticks. */
#define PROM_UNIX_EPOCH UINT64_C(116444736000000000)

/*
 * A label value. Event data is first made visible (render_escape: control
 * and bidi characters as \xNN / \uNNNN, bad UTF-8 as \xNN), so a scrape or
 * a `cat` of the file never carries raw control characters; then the
 * format's own escapes (backslash, double quote; a newline cannot be left).
 */
static void
prom_label(FILE *out, const char *s)
{
	char *esc = render_escape(s, 0, RENDER_ESC_TEXT);

	for (const char *p = esc; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\\\", out);
		else if (*p == '"')
			fputs("\\\"", out);
		else if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
	free(esc);
}

static void
prom_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Seconds since the Unix epoch (negative before 1970, from garbage only). */
static void
prom_seconds(FILE *out, uint64_t filetime)
{
	if (filetime >= PROM_UNIX_EPOCH)
		fprintf(out, "%" PRIu64, (filetime - PROM_UNIX_EPOCH) /
		    AU_TICKS_PER_SECOND);
	else
		fprintf(out, "-%" PRIu64, (PROM_UNIX_EPOCH - filetime) /
		    AU_TICKS_PER_SECOND);
}

static void
prom_host_start(FILE *out, const char *metric, const char *host)
{
	fprintf(out, "%s{host=\"", metric);
	prom_label(out, host);
	fputc('"', out);
}

/* One series per host: NAME{host="..."} VALUE, for hosts where want(). */
enum prom_value { PROM_ATTEMPTS, PROM_EVENTS, PROM_LAST_SUCCESS, PROM_LAST_EVENT,
	PROM_FIRST_EVENT, PROM_CONDITION_RESULTS, PROM_CONDITION_SINCE };

static void
prom_per_host(FILE *out, const struct au_report *rep, const char *name,
    const char *type, const char *help, enum prom_value what)
{
	prom_family(out, name, type, help);
	for (size_t i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];
		uint64_t since = 0, count = 0;

		if (hr->latest != NULL)
			render_since(hr, &since, &count);
		switch (what) {
		case PROM_LAST_SUCCESS:
			if (hr->last_success == 0)
				continue;   /* never: no series, see the man page */
			break;
		case PROM_LAST_EVENT:
		case PROM_FIRST_EVENT:
			if (hr->events_count == 0)
				continue;
			break;
		case PROM_CONDITION_SINCE:
			if (hr->latest == NULL)
				continue;
			break;
		default:
			break;
		}
		prom_host_start(out, name, hr->host);
		fputs("} ", out);
		switch (what) {
		case PROM_ATTEMPTS:
			fprintf(out, "%" PRIu64, hr->attempts);
			break;
		case PROM_EVENTS:
			fprintf(out, "%" PRIu64, hr->events_count);
			break;
		case PROM_LAST_SUCCESS:
			prom_seconds(out, hr->last_success);
			break;
		case PROM_LAST_EVENT:
			prom_seconds(out, hr->last_seen);
			break;
		case PROM_FIRST_EVENT:
			prom_seconds(out, hr->first_seen);
			break;
		case PROM_CONDITION_RESULTS:
			fprintf(out, "%" PRIu64, count);
			break;
		case PROM_CONDITION_SINCE:
			prom_seconds(out, since);
			break;
		}
		fputc('\n', out);
	}
}

/* The installed build and its support status, per server, from the catalog. */
static void
prom_support(FILE *out, const struct au_report *rep, const struct au_catalog *cat,
    uint64_t now)
{
	size_t counts[AU_SUPPORT_COUNT] = { 0 }, i;
	struct au_build b;

	for (i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];

		releases_build(cat, install_current(hr->installs, hr->ninstalls), now, &b);
		counts[(unsigned)b.support < AU_SUPPORT_COUNT ? b.support : AU_SUPPORT_UNKNOWN]++;
	}
	prom_family(out, "aadc_upgrade_servers_by_support", "gauge",
	    "Servers by support status of their installed build.");
	for (i = 0; i < AU_SUPPORT_COUNT; i++)
		fprintf(out, "aadc_upgrade_servers_by_support{support=\"%s\"} %zu\n",
		    releases_support_name((enum au_support)i), counts[i]);
	prom_family(out, "aadc_upgrade_server_support", "gauge",
	    "The support status of the server's installed build (1 for the status it has).");
	for (i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];

		releases_build(cat, install_current(hr->installs, hr->ninstalls), now, &b);
		prom_host_start(out, "aadc_upgrade_server_support", hr->host);
		fprintf(out, ",support=\"%s\"} 1\n", releases_support_name(b.support));
	}
	prom_family(out, "aadc_upgrade_installed_build_info", "gauge",
	    "The build the server runs, from installer events (always 1).");
	for (i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];

		releases_build(cat, install_current(hr->installs, hr->ninstalls), now, &b);
		if (b.installed_version == NULL)
			continue;
		prom_host_start(out, "aadc_upgrade_installed_build_info", hr->host);
		fputs(",version=\"", out);
		prom_label(out, b.installed_version);
		fputs("\"} 1\n", out);
	}
	prom_family(out, "aadc_upgrade_auto_upgrade_releases_behind", "gauge",
	    "Releases for automatic upgrade newer than the installed build (no series"
	    " when the build is unknown).");
	for (i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];

		releases_build(cat, install_current(hr->installs, hr->ninstalls), now, &b);
		if (b.releases_behind < 0)
			continue;
		prom_host_start(out, "aadc_upgrade_auto_upgrade_releases_behind", hr->host);
		fprintf(out, "} %" PRId64 "\n", b.releases_behind);
	}
}

struct au_error *
render_fleet_prometheus(FILE *out, const struct au_report *rep,
    const struct au_fleet *f, const struct au_catalog *cat)
{
	size_t i;

	prom_family(out, "aadc_upgrade_report_timestamp_seconds", "gauge",
	    "Time the ages of this report are measured up to (as of).");
	fputs("aadc_upgrade_report_timestamp_seconds ", out);
	prom_seconds(out, f->now);
	fputc('\n', out);

	prom_family(out, "aadc_upgrade_servers", "gauge",
	    "Servers by automatic-upgrade verdict.");
	for (i = 0; i < AU_VERDICT_COUNT; i++)
		fprintf(out, "aadc_upgrade_servers{verdict=\"%s\"} %zu\n",
		    au_verdict_name((enum au_verdict)i), f->verdicts[i]);

	prom_family(out, "aadc_upgrade_server_verdict", "gauge",
	    "The server's automatic-upgrade verdict (1 for the verdict it has).");
	for (i = 0; i < rep->nhosts; i++) {
		prom_host_start(out, "aadc_upgrade_server_verdict", rep->hosts[i]->host);
		fprintf(out, ",verdict=\"%s\"} 1\n",
		    au_verdict_name(rep->hosts[i]->verdict));
	}

	prom_family(out, "aadc_upgrade_latest_result", "gauge",
	    "The server's latest upgrade result code and its category (always 1).");
	for (i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];
		const char *category;
		char *res;

		if (hr->latest == NULL)
			continue;
		res = render_result(hr->latest);
		category = au_category_name(hr->latest->category);
		prom_host_start(out, "aadc_upgrade_latest_result", hr->host);
		fputs(",code=\"", out);
		prom_label(out, res);
		fprintf(out, "\",category=\"%s\",known=\"%s\"} 1\n",
		    category != NULL ? category : "none",
		    hr->latest->code != NULL ? "true" : "false");
		free(res);
	}

	prom_per_host(out, rep, "aadc_upgrade_attempts_total", "counter",
	    "Upgrade events with a result code in the history.", PROM_ATTEMPTS);
	prom_per_host(out, rep, "aadc_upgrade_events_total", "counter",
	    "Upgrade events in the history.", PROM_EVENTS);
	prom_per_host(out, rep, "aadc_upgrade_condition_results", "gauge",
	    "Results in a row in the present condition (the latest result's"
	    " category).", PROM_CONDITION_RESULTS);
	prom_per_host(out, rep, "aadc_upgrade_condition_since_timestamp_seconds",
	    "gauge", "Time of the first result of the present condition.",
	    PROM_CONDITION_SINCE);
	prom_per_host(out, rep, "aadc_upgrade_last_success_timestamp_seconds",
	    "gauge", "Time of the last successful upgrade (no series when never"
	    " seen to succeed).", PROM_LAST_SUCCESS);
	prom_per_host(out, rep, "aadc_upgrade_first_event_timestamp_seconds",
	    "gauge", "Time of the first upgrade event.", PROM_FIRST_EVENT);
	prom_per_host(out, rep, "aadc_upgrade_last_event_timestamp_seconds",
	    "gauge", "Time of the last upgrade event.", PROM_LAST_EVENT);
	if (cat != NULL)
		prom_support(out, rep, cat, f->now);
	return render_check_io(out);
}
