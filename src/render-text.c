/* render-text.c: the plain-text report, one block per server, worst first. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "render.h"
#include "xmalloc.h"

/* Event data can be huge; a report line should stay readable. */
#define TEXT_MAX_HOST 200
#define TEXT_MAX_FIELD 300
#define TEXT_MAX_MESSAGE 300

#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_FLAG "\033[33m"

struct text {
	FILE *out;
	int color;
};

static const char *
verdict_sgr(enum au_verdict v)
{
	switch (v) {
	case AU_VERDICT_FAILED:
	case AU_VERDICT_BLOCKED:    return "\033[1;31m";
	case AU_VERDICT_UNKNOWN:    return "\033[1;35m";
	case AU_VERDICT_RETRYING:   return "\033[1;33m";
	case AU_VERDICT_NO_RESULT:  return "\033[1;36m";
	case AU_VERDICT_UPGRADED:   return "\033[1;32m";
	case AU_VERDICT_COUNT:      break;
	}
	return SGR_BOLD;
}

static void
text_sgr(const struct text *t, const char *sgr)
{
	if (t->color)
		fputs(sgr, t->out);
}

/* Prints untrusted data escaped (see render_escape). */
static void
text_put(const struct text *t, const char *s, size_t max)
{
	char *esc = render_escape(s, max, RENDER_ESC_TEXT);

	fputs(esc, t->out);
	free(esc);
}

static void
text_label(const struct text *t, const char *label)
{
	fprintf(t->out, "  %-13s", label);
}

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void
text_header(const struct text *t, const struct au_host_report *hr)
{
	char date[32], verdict[32];
	const char *name = au_verdict_name(hr->verdict);
	uint64_t since, count;
	size_t i;

	for (i = 0; name[i] != '\0' && i < sizeof(verdict) - 1; i++)
		verdict[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ?
		    name[i] - 'a' + 'A' : name[i]);
	verdict[i] = '\0';

	text_sgr(t, SGR_BOLD);
	text_put(t, hr->host, TEXT_MAX_HOST);
	text_sgr(t, SGR_RESET);
	fputs("  ", t->out);
	text_sgr(t, verdict_sgr(hr->verdict));
	fputs(verdict, t->out);
	text_sgr(t, SGR_RESET);
	if (hr->latest == NULL)
		fprintf(t->out, "  %" PRIu64 " %s, none with a result code\n",
		    hr->events_count, plural(hr->events_count, "event", "events"));
	else if (hr->verdict == AU_VERDICT_UPGRADED)
		fprintf(t->out, "  on %s (%" PRIu64 " %s)\n",
		    render_date(hr->latest->time, date, sizeof(date)),
		    hr->attempts, plural(hr->attempts, "attempt", "attempts"));
	else {
		render_since(hr, &since, &count);
		fprintf(t->out, "  since %s (%" PRIu64 " %s)\n",
		    render_date(since, date, sizeof(date)), count,
		    plural(count, "attempt", "attempts"));
	}
}

/* Whether the category means "wait" or "act", in the article's words. */
static void
text_category(const struct text *t, const struct au_event *ev)
{
	const char *name = au_category_name(ev->category);
	const char *desc = classify_category_description(ev->category);

	text_label(t, "Category:");
	fputs(name ? name : "none", t->out);
	if (desc != NULL) {
		fputs(": ", t->out);
		text_put(t, desc, 0);
	}
	fputc('\n', t->out);
}

static void
text_latest(const struct text *t, const struct au_host_report *hr)
{
	const struct au_event *ev = hr->latest;
	const struct au_code *code = ev->code;
	char when[32], *streak;

	text_label(t, "Latest:");
	text_put(t, ev->result_code, TEXT_MAX_FIELD);
	fprintf(t->out, " at %s (event %" PRIu32 ", record %" PRIu64 ")\n",
	    render_time(ev->time, when, sizeof(when)), ev->event_id, ev->record_id);
	text_category(t, ev);

	text_label(t, "Documented:");
	if (code == NULL)
		fputs("not documented by Microsoft (the code is in none of the"
		    " article's lists)\n", t->out);
	else if (code->description == NULL)
		fputs("not documented by Microsoft\n", t->out);
	else {
		fputs("Microsoft's documented description: \"", t->out);
		text_put(t, code->description, 0);
		fputs("\"\n", t->out);
	}

	text_label(t, "What to do:");
	if (code != NULL && code->remediation != NULL)
		text_put(t, code->remediation, 0);
	else
		fputs("go through the general checks below; if the result"
		    " persists, upgrade manually to the latest version", t->out);
	fputc('\n', t->out);

	if (ev->detail != NULL) {
		text_label(t, "Detail:");
		text_put(t, ev->detail, TEXT_MAX_FIELD);
		fputs(" (from the compound value ", t->out);
		text_put(t, ev->result_code, TEXT_MAX_FIELD);
		fputc('-', t->out);
		text_put(t, ev->detail, TEXT_MAX_FIELD);
		fputs(")\n", t->out);
	}

	if (code == NULL) {
		text_label(t, "Flag:");
		text_sgr(t, SGR_FLAG);
		fputs("UNKNOWN", t->out);
		text_sgr(t, SGR_RESET);
		if (ev->category == AU_CAT_OTHER || ev->category == AU_CAT_NONE)
			fputs(" code, not in the catalog and without a known"
			    " prefix\n", t->out);
		else
			fprintf(t->out, " code, not in the catalog; category %s"
			    " taken from its prefix\n", au_category_name(ev->category));
	} else if (code->historical) {
		text_label(t, "Flag:");
		text_sgr(t, SGR_FLAG);
		fputs("HISTORICAL", t->out);
		text_sgr(t, SGR_RESET);
		fputs(" code, dropped from the article", t->out);
		if (code->last_listed != NULL) {
			fputs(" after ", t->out);
			text_put(t, code->last_listed, 0);
		}
		fputs("; it may no longer apply to current builds\n", t->out);
	}

	text_label(t, "Message:");
	fputc('"', t->out);
	text_put(t, ev->message, TEXT_MAX_MESSAGE);
	fputs("\"\n", t->out);

	streak = render_streak(hr);
	if (streak != NULL) {
		text_label(t, "Lasted:");
		fprintf(t->out, "%s\n", streak);
		free(streak);
	}
	streak = render_condition(hr);
	if (streak != NULL) {
		text_label(t, "Condition:");
		fprintf(t->out, "%s\n", streak);
		free(streak);
	}
}

static void
text_codes(const struct text *t, const struct au_host_report *hr)
{
	const struct au_code_count *cc = hr->codes;
	char first[32], last[32];
	size_t i;

	for (i = 0; i < hr->ncodes; i++) {
		text_label(t, i == 0 ? "Results:" : "");
		fprintf(t->out, "%" PRIu64 " x ", cc[i].count);
		text_put(t, cc[i].code, TEXT_MAX_FIELD);
		fprintf(t->out, " (%s .. %s)",
		    render_date(cc[i].first, first, sizeof(first)),
		    render_date(cc[i].last, last, sizeof(last)));
		if (cc[i].entry == NULL || cc[i].entry->historical) {
			fputc(' ', t->out);
			text_sgr(t, SGR_FLAG);
			fputs(cc[i].entry == NULL ? "[unknown]" : "[historical]", t->out);
			text_sgr(t, SGR_RESET);
		}
		fputc('\n', t->out);
	}
}

static void
text_installs(const struct text *t, const struct au_host_report *hr)
{
	char date[32];
	size_t i;

	if (hr->ninstalls == 0) {
		text_label(t, "Versions:");
		fputs("no installer events (MsiInstaller 1033/11707) found\n", t->out);
		return;
	}
	for (i = 0; i < hr->ninstalls; i++) {
		const struct au_install *in = hr->installs[i];

		text_label(t, i == 0 ? "Versions:" : "");
		text_put(t, in->version ? in->version : "unknown version",
		    TEXT_MAX_FIELD);
		fprintf(t->out, " installed %s", render_date(in->time, date, sizeof(date)));
		if (in->product != NULL) {
			fputs(" (", t->out);
			text_put(t, in->product, TEXT_MAX_FIELD);
			fputc(')', t->out);
		}
		if (in->status > 0)
			fprintf(t->out, ", installer status %d", in->status);
		fputc('\n', t->out);
	}
}

static void
text_checks(const struct text *t)
{
	const char *const *checks;
	size_t n, i;

	checks = classify_general_checks(&n);
	for (i = 0; i < n; i++) {
		text_label(t, i == 0 ? "Checks:" : "");
		fputs("- ", t->out);
		text_put(t, checks[i], 0);
		fputc('\n', t->out);
	}
}

static void
text_host(const struct text *t, const struct au_host_report *hr)
{
	char first[32], last[32];

	text_header(t, hr);
	text_label(t, "Events:");
	fprintf(t->out, "%" PRIu64 ", first %s, last %s\n", hr->events_count,
	    render_time(hr->first_seen, first, sizeof(first)),
	    render_time(hr->last_seen, last, sizeof(last)));
	text_label(t, "Attempts:");
	fprintf(t->out, "%" PRIu64 " with a result code; last success ",
	    hr->attempts);
	if (hr->last_success != 0)
		fprintf(t->out, "%s\n", render_time(hr->last_success, last, sizeof(last)));
	else
		fputs("never seen\n", t->out);
	if (hr->latest != NULL)
		text_latest(t, hr);
	text_codes(t, hr);
	text_installs(t, hr);
	if (hr->verdict != AU_VERDICT_UPGRADED)
		text_checks(t);
}

static void
text_files(const struct text *t, const struct au_report *rep)
{
	size_t i;

	text_sgr(t, SGR_BOLD);
	fputs("Files read:", t->out);
	text_sgr(t, SGR_RESET);
	fputc('\n', t->out);
	for (i = 0; i < rep->nfiles; i++) {
		const struct au_file_stats *st = &rep->files[i];

		fputs("  ", t->out);
		text_put(t, st->path, 0);
		fprintf(t->out, ": %" PRIu64 " records read, %" PRIu64
		    " upgrade events, %" PRIu64 " recovered, %" PRIu64
		    " corrupt; problems: ", st->records, st->matched,
		    st->recovered, st->corrupt);
		/*
		 * st->errors already names the damage behind file_corrupted;
		 * a dirty flag alone is normal for a log copied while open.
		 */
		if (st->errors != NULL)
			text_put(t, st->errors, 0);
		else
			fputs("none", t->out);
		if (st->dirty)
			fputs("; note: log not closed cleanly (dirty)", t->out);
		fputc('\n', t->out);
	}
}

struct au_error *
render_report_text(FILE *out, const struct au_report *rep,
    const struct au_render_opts *opts)
{
	struct text t = { out, opts != NULL && opts->color };
	char *summary = render_summary(rep);
	size_t i;

	fprintf(out, "Automatic upgrade: %s\n", summary);
	free(summary);
	for (i = 0; i < rep->nhosts; i++) {
		fputc('\n', out);
		text_host(&t, rep->hosts[i]);
	}
	if (rep->nhosts == 0) {
		fputc('\n', out);
		text_checks(&t);
	}
	if (rep->nfiles > 0) {
		fputc('\n', out);
		text_files(&t, rep);
	}
	return render_check_io(out);
}

/* --- the fleet view ------------------------------------------------------ */

#define TEXT_FLEET_HOST_WIDTH 40

/* Display width of an escaped host name, capped for the column. */
static size_t
fleet_host_width(const struct au_report *rep)
{
	size_t w = 6, i;

	for (i = 0; i < rep->nhosts; i++) {
		char *esc = render_escape(rep->hosts[i]->host, TEXT_MAX_HOST,
		    RENDER_ESC_TEXT);
		size_t n = strlen(esc);

		free(esc);
		if (n > w)
			w = n;
	}
	return w > TEXT_FLEET_HOST_WIDTH ? TEXT_FLEET_HOST_WIDTH : w;
}

/* The host name escaped and padded to width (longer names are not cut). */
static void
fleet_host(const struct text *t, const char *host, size_t width)
{
	char *esc = render_escape(host, TEXT_MAX_HOST, RENDER_ESC_TEXT);
	size_t n = strlen(esc);

	fputs(esc, t->out);
	free(esc);
	for (; n < width; n++)
		fputc(' ', t->out);
}

static void
fleet_result(const struct text *t, const struct au_event *ev)
{
	char *res = render_result(ev);

	text_put(t, res != NULL ? res : "no result", TEXT_MAX_FIELD);
	free(res);
}

static void
fleet_days(const struct text *t, uint64_t days)
{
	fprintf(t->out, "%" PRIu64 " %s", days, plural(days, "day", "days"));
}

static void
fleet_servers(const struct text *t, const struct au_report *rep, size_t width)
{
	char date[32], verdict[16];
	uint64_t since, count;
	size_t i, j;

	fputs("\nServers, worst first:\n", t->out);
	for (i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];
		const char *name = au_verdict_name(hr->verdict);

		for (j = 0; name[j] != '\0' && j < sizeof(verdict) - 1; j++)
			verdict[j] = (char)(name[j] >= 'a' && name[j] <= 'z' ?
			    name[j] - 'a' + 'A' : name[j]);
		verdict[j] = '\0';
		fputs("  ", t->out);
		fleet_host(t, hr->host, width);
		fputs("  ", t->out);
		text_sgr(t, verdict_sgr(hr->verdict));
		fprintf(t->out, "%-9s", verdict);
		text_sgr(t, SGR_RESET);
		if (hr->events_count == 0) {
			fputs("  no upgrade events, only installer events\n", t->out);
			continue;
		}
		if (hr->latest == NULL) {
			fprintf(t->out, "  %" PRIu64 " %s, none with a result code;"
			    " last %s\n", hr->events_count,
			    plural(hr->events_count, "event", "events"),
			    render_date(hr->last_seen, date, sizeof(date)));
			continue;
		}
		/* As the report's header: the upgrade, or the present condition. */
		if (hr->verdict == AU_VERDICT_UPGRADED) {
			count = hr->attempts;
			fprintf(t->out, "  on %s", render_date(hr->latest->time,
			    date, sizeof(date)));
		} else {
			render_since(hr, &since, &count);
			fprintf(t->out, "  since %s", render_date(since, date,
			    sizeof(date)));
		}
		fprintf(t->out, " (%" PRIu64 " %s): ", count,
		    plural(count, "attempt", "attempts"));
		fleet_result(t, hr->latest);
		fputc('\n', t->out);
	}
}

/* "since T, D days: N results, retried N-1 times; latest R" */
static void
fleet_condition_list(const struct text *t, const char *title,
    const struct au_fleet_host *list, size_t n, uint64_t now, size_t width)
{
	char date[32];
	size_t i;

	fprintf(t->out, "\n%s\n", title);
	if (n == 0)
		fputs("  none\n", t->out);
	for (i = 0; i < n; i++) {
		const struct au_fleet_host *fh = &list[i];
		uint64_t retries = fh->count > 0 ? fh->count - 1 : 0;

		fputs("  ", t->out);
		fleet_host(t, fh->hr->host, width);
		fprintf(t->out, "  %-9s since %s, ", au_verdict_name(fh->hr->verdict),
		    render_date(fh->since, date, sizeof(date)));
		fleet_days(t, render_days(fh->since, now));
		fprintf(t->out, ": %" PRIu64 " %s, retried %" PRIu64 " %s; latest ",
		    fh->count, plural(fh->count, "result", "results"), retries,
		    plural(retries, "time", "times"));
		fleet_result(t, fh->hr->latest);
		fputc('\n', t->out);
	}
}

static void
fleet_stale(const struct text *t, const struct au_fleet *f,
    const struct au_fleet_opts *fopts, size_t width)
{
	char date[32];
	size_t i;

	fprintf(t->out, "\nNo upgrade event for more than %" PRIu64 " %s (stale):\n",
	    fopts->stale_days, plural(fopts->stale_days, "day", "days"));
	if (f->nstale == 0)
		fputs("  none\n", t->out);
	for (i = 0; i < f->nstale; i++) {
		const struct au_fleet_host *fh = &f->stale[i];

		fputs("  ", t->out);
		fleet_host(t, fh->hr->host, width);
		fprintf(t->out, "  %-9s last event %s, ", au_verdict_name(fh->hr->verdict),
		    render_date(fh->since, date, sizeof(date)));
		fleet_days(t, render_days(fh->since, f->now));
		fputs(" ago\n", t->out);
	}
}

static void
fleet_never(const struct text *t, const struct au_fleet *f, size_t width)
{
	char date[32];
	size_t i;

	fputs("\nNever seen to succeed:\n", t->out);
	if (f->nnever == 0)
		fputs("  none\n", t->out);
	for (i = 0; i < f->nnever; i++) {
		const struct au_fleet_host *fh = &f->never[i];

		fputs("  ", t->out);
		fleet_host(t, fh->hr->host, width);
		fprintf(t->out, "  %-9s first event %s, %" PRIu64 " %s\n",
		    au_verdict_name(fh->hr->verdict),
		    render_date(fh->since, date, sizeof(date)), fh->count,
		    plural(fh->count, "attempt", "attempts"));
	}
}

static void
fleet_codes(const struct text *t, const struct au_fleet *f)
{
	size_t i;

	fputs("\nMost frequent result codes:\n", t->out);
	if (f->ncodes == 0)
		fputs("  none\n", t->out);
	for (i = 0; i < f->ncodes; i++) {
		const struct au_fleet_code *fc = &f->codes[i];
		const char *cat = au_category_name(fc->category);

		fprintf(t->out, "  %" PRIu64 " x ", fc->count);
		text_put(t, fc->code, TEXT_MAX_FIELD);
		fprintf(t->out, " (%s) on %" PRIu64 " %s, the latest result on %"
		    PRIu64, cat != NULL ? cat : "none", fc->hosts,
		    plural(fc->hosts, "server", "servers"), fc->current);
		if (fc->entry == NULL || fc->entry->historical) {
			fputc(' ', t->out);
			text_sgr(t, SGR_FLAG);
			fputs(fc->entry == NULL ? "[unknown]" : "[historical]", t->out);
			text_sgr(t, SGR_RESET);
		}
		fputs("\n      ", t->out);
		if (fc->entry == NULL)
			fputs("not documented by Microsoft (the code is in none"
			    " of the article's lists)\n", t->out);
		else if (fc->entry->description == NULL)
			fputs("not documented by Microsoft\n", t->out);
		else {
			fputs("Microsoft's documented description: \"", t->out);
			text_put(t, fc->entry->description, 0);
			fputs("\"\n", t->out);
		}
	}
}

struct au_error *
render_fleet_text(FILE *out, const struct au_report *rep,
    const struct au_fleet *f, const struct au_fleet_opts *fopts,
    const struct au_render_opts *opts)
{
	struct text t = { out, opts != NULL && opts->color };
	char *summary = render_summary(rep), now[32], *title;
	size_t width = fleet_host_width(rep);

	fprintf(out, "Automatic upgrade, fleet: %s\n", summary);
	free(summary);
	fprintf(out, "As of %s (ages are measured up to this time).\n",
	    render_time(f->now, now, sizeof(now)));
	if (rep->nhosts == 0)
		return render_check_io(out);
	fleet_servers(&t, rep, width);
	fleet_condition_list(&t, "Blocked (UpgradeNotSupported, UpgradeFailed),"
	    " failed first, then longest first:", f->blocked, f->nblocked,
	    f->now, width);
	title = xasprintf("Retrying (UpgradeAborted) for more than %" PRIu64
	    " %s, longest first:", fopts->retry_days,
	    plural(fopts->retry_days, "day", "days"));
	fleet_condition_list(&t, title, f->retrying, f->nretrying, f->now, width);
	free(title);
	fleet_stale(&t, f, fopts, width);
	fleet_never(&t, f, width);
	fleet_codes(&t, f);
	return render_check_io(out);
}
