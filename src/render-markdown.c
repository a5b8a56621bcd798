/* render-markdown.c: the report as Markdown, for pasting into tickets and wikis. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "render.h"
#include "xmalloc.h"

#define MD_MAX_HOST 200
#define MD_MAX_FIELD 300
#define MD_MAX_MESSAGE 300

/* Prints untrusted data escaped, so it cannot break a table or add HTML. */
static void
md_put(FILE *out, const char *s, size_t max)
{
	char *esc = render_escape(s, max, RENDER_ESC_MARKDOWN);

	fputs(esc, out);
	free(esc);
}

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void
md_summary_table(FILE *out, const struct au_report *rep)
{
	char date[32];
	uint64_t since, count;
	size_t i;

	fputs("| Server | Verdict | Since | Attempts | Latest result | Last event |\n"
	    "| --- | --- | --- | --- | --- | --- |\n", out);
	for (i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];

		fputs("| ", out);
		md_put(out, hr->host, MD_MAX_HOST);
		fprintf(out, " | **%s** | ", au_verdict_name(hr->verdict));
		if (hr->latest == NULL)
			fputs("n/a", out);
		else if (hr->verdict == AU_VERDICT_UPGRADED)
			fputs(render_date(hr->latest->time, date, sizeof(date)), out);
		else {
			render_since(hr, &since, &count);
			fputs(render_date(since, date, sizeof(date)), out);
		}
		fprintf(out, " | %" PRIu64 " | ", hr->attempts);
		if (hr->latest != NULL)
			md_put(out, hr->latest->result_code, MD_MAX_FIELD);
		else
			fputs("none", out);
		fprintf(out, " | %s |\n", render_date(hr->last_seen, date, sizeof(date)));
	}
}

static void
md_latest(FILE *out, const struct au_host_report *hr)
{
	const struct au_event *ev = hr->latest;
	const struct au_code *code = ev->code;
	const char *cat = au_category_name(ev->category);
	const char *catdesc = classify_category_description(ev->category);
	char when[32], *streak;

	fputs("- **Latest result:** ", out);
	md_put(out, ev->result_code, MD_MAX_FIELD);
	fprintf(out, " at %s (event %" PRIu32 ", record %" PRIu64 ")\n",
	    render_time(ev->time, when, sizeof(when)), ev->event_id, ev->record_id);

	fprintf(out, "- **Category:** %s", cat ? cat : "none");
	if (catdesc != NULL) {
		fputs(": ", out);
		md_put(out, catdesc, 0);
	}
	fputc('\n', out);

	fputs("- **Microsoft's documented description:** ", out);
	if (code == NULL)
		fputs("not documented by Microsoft (the code is in none of the"
		    " article's lists)\n", out);
	else if (code->description == NULL)
		fputs("not documented by Microsoft\n", out);
	else {
		fputs("\"", out);
		md_put(out, code->description, 0);
		fputs("\"\n", out);
	}

	fputs("- **What to do:** ", out);
	if (code != NULL && code->remediation != NULL)
		md_put(out, code->remediation, 0);
	else
		fputs("go through the general checks below; if the result"
		    " persists, upgrade manually to the latest version", out);
	fputc('\n', out);

	if (ev->detail != NULL) {
		fputs("- **Detail:** ", out);
		md_put(out, ev->detail, MD_MAX_FIELD);
		fputs(" (from the compound value ", out);
		md_put(out, ev->result_code, MD_MAX_FIELD);
		fputc('-', out);
		md_put(out, ev->detail, MD_MAX_FIELD);
		fputs(")\n", out);
	}

	if (code == NULL) {
		if (ev->category == AU_CAT_OTHER || ev->category == AU_CAT_NONE)
			fputs("- **Flag:** UNKNOWN code, not in the catalog and"
			    " without a known prefix\n", out);
		else
			fprintf(out, "- **Flag:** UNKNOWN code, not in the catalog;"
			    " category %s taken from its prefix\n",
			    au_category_name(ev->category));
	} else if (code->historical) {
		fputs("- **Flag:** HISTORICAL code, dropped from the article", out);
		if (code->last_listed != NULL) {
			fputs(" after ", out);
			md_put(out, code->last_listed, 0);
		}
		fputs("; it may no longer apply to current builds\n", out);
	}

	fputs("- **Message:** \"", out);
	md_put(out, ev->message, MD_MAX_MESSAGE);
	fputs("\"\n", out);

	streak = render_streak(hr);
	if (streak != NULL) {
		fprintf(out, "- **Lasted:** %s\n", streak);
		free(streak);
	}
	streak = render_condition(hr);
	if (streak != NULL) {
		fprintf(out, "- **Condition:** %s\n", streak);
		free(streak);
	}
}

static void
md_codes(FILE *out, const struct au_host_report *hr)
{
	const struct au_code_count *cc = hr->codes;
	char first[32], last[32];
	size_t i;

	if (hr->ncodes > 0)
		fputs("\n### Results seen\n\n"
		    "| Result | Count | First | Last | Note |\n"
		    "| --- | --- | --- | --- | --- |\n", out);
	for (i = 0; i < hr->ncodes; i++) {
		fputs("| ", out);
		md_put(out, cc[i].code, MD_MAX_FIELD);
		fprintf(out, " | %" PRIu64 " | %s | %s | %s |\n", cc[i].count,
		    render_date(cc[i].first, first, sizeof(first)),
		    render_date(cc[i].last, last, sizeof(last)),
		    cc[i].entry == NULL ? "unknown" :
		    cc[i].entry->historical ? "historical" : "");
	}
}

static void
md_installs(FILE *out, const struct au_host_report *hr)
{
	char date[32];
	size_t i;

	fputs("\n### Versions\n\n", out);
	if (hr->ninstalls == 0)
		fputs("No installer events (MsiInstaller 1033/11707) found.\n", out);
	for (i = 0; i < hr->ninstalls; i++) {
		const struct au_install *in = hr->installs[i];

		fputs("- ", out);
		md_put(out, in->version ? in->version : "unknown version", MD_MAX_FIELD);
		fprintf(out, " installed %s", render_date(in->time, date, sizeof(date)));
		if (in->product != NULL) {
			fputs(" (", out);
			md_put(out, in->product, MD_MAX_FIELD);
			fputc(')', out);
		}
		if (in->status > 0)
			fprintf(out, ", installer status %d", in->status);
		fputc('\n', out);
	}
}

static void
md_checks(FILE *out)
{
	const char *const *checks;
	size_t n, i;

	checks = classify_general_checks(&n);
	fputs("\n### General checks\n\n", out);
	for (i = 0; i < n; i++) {
		fputs("- ", out);
		md_put(out, checks[i], 0);
		fputc('\n', out);
	}
}

static void
md_host(FILE *out, const struct au_host_report *hr)
{
	char first[32], last[32];
	uint64_t since, count;

	fputs("\n## ", out);
	md_put(out, hr->host, MD_MAX_HOST);
	fprintf(out, ": %s", au_verdict_name(hr->verdict));
	if (hr->latest == NULL)
		fprintf(out, " (%" PRIu64 " %s, none with a result code)\n\n",
		    hr->events_count, plural(hr->events_count, "event", "events"));
	else if (hr->verdict == AU_VERDICT_UPGRADED)
		fprintf(out, " on %s\n\n", render_date(hr->latest->time, first, sizeof(first)));
	else {
		render_since(hr, &since, &count);
		fprintf(out, " since %s (%" PRIu64 " %s)\n\n",
		    render_date(since, first, sizeof(first)), count,
		    plural(count, "attempt", "attempts"));
	}

	fprintf(out, "- **Events:** %" PRIu64 ", first %s, last %s\n",
	    hr->events_count, render_time(hr->first_seen, first, sizeof(first)),
	    render_time(hr->last_seen, last, sizeof(last)));
	fprintf(out, "- **Attempts:** %" PRIu64 " with a result code; last success ",
	    hr->attempts);
	if (hr->last_success != 0)
		fprintf(out, "%s\n", render_time(hr->last_success, last, sizeof(last)));
	else
		fputs("never seen\n", out);
	if (hr->latest != NULL)
		md_latest(out, hr);
	md_codes(out, hr);
	md_installs(out, hr);
	if (hr->verdict != AU_VERDICT_UPGRADED)
		md_checks(out);
}

static void
md_files(FILE *out, const struct au_report *rep)
{
	size_t i;

	fputs("\n## Files read\n\n"
	    "| File | Records | Upgrade events | Recovered | Corrupt | Problems |\n"
	    "| --- | --- | --- | --- | --- | --- |\n", out);
	for (i = 0; i < rep->nfiles; i++) {
		const struct au_file_stats *st = &rep->files[i];

		fputs("| ", out);
		md_put(out, st->path, 0);
		fprintf(out, " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %"
		    PRIu64 " | ", st->records, st->matched, st->recovered,
		    st->corrupt);
		/* As in the text report: the damage once, dirty as a note. */
		if (st->errors != NULL)
			md_put(out, st->errors, 0);
		else
			fputs("none", out);
		if (st->dirty)
			fputs("; note: log not closed cleanly (dirty)", out);
		fputs(" |\n", out);
	}
}

struct au_error *
render_report_markdown(FILE *out, const struct au_report *rep)
{
	char *summary = render_summary(rep);
	size_t i;

	fprintf(out, "# Automatic upgrade report\n\n%s\n", summary);
	free(summary);
	if (rep->nhosts > 0) {
		fputc('\n', out);
		md_summary_table(out, rep);
	}
	for (i = 0; i < rep->nhosts; i++)
		md_host(out, rep->hosts[i]);
	if (rep->nhosts == 0)
		md_checks(out);
	if (rep->nfiles > 0)
		md_files(out, rep);
	return render_check_io(out);
}

/* --- the fleet view ------------------------------------------------------ */

static void
md_result(FILE *out, const struct au_event *ev)
{
	char *res = render_result(ev);

	if (res != NULL)
		md_put(out, res, MD_MAX_FIELD);
	else
		fputs("none", out);
	free(res);
}

/* Blocked and retrying servers: since when, how long, how many results. */
static void
md_fleet_condition(FILE *out, const char *title, const struct au_fleet_host *list,
    size_t n, uint64_t now)
{
	char date[32];
	size_t i;

	fprintf(out, "\n## %s\n\n", title);
	if (n == 0) {
		fputs("None.\n", out);
		return;
	}
	fputs("| Server | Verdict | Since | Days | Results | Retries | Latest result |\n"
	    "| --- | --- | --- | --- | --- | --- | --- |\n", out);
	for (i = 0; i < n; i++) {
		const struct au_fleet_host *fh = &list[i];

		fputs("| ", out);
		md_put(out, fh->hr->host, MD_MAX_HOST);
		fprintf(out, " | %s | %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | ",
		    au_verdict_name(fh->hr->verdict),
		    render_date(fh->since, date, sizeof(date)),
		    render_days(fh->since, now), fh->count,
		    fh->count > 0 ? fh->count - 1 : 0);
		md_result(out, fh->hr->latest);
		fputs(" |\n", out);
	}
}

static void
md_fleet_stale(FILE *out, const struct au_fleet *f, const struct au_fleet_opts *fopts)
{
	char date[32];
	size_t i;

	fprintf(out, "\n## Stale: no upgrade event for more than %" PRIu64 " %s\n\n",
	    fopts->stale_days, plural(fopts->stale_days, "day", "days"));
	if (f->nstale == 0) {
		fputs("None.\n", out);
		return;
	}
	fputs("| Server | Verdict | Last event | Days ago |\n"
	    "| --- | --- | --- | --- |\n", out);
	for (i = 0; i < f->nstale; i++) {
		const struct au_fleet_host *fh = &f->stale[i];

		fputs("| ", out);
		md_put(out, fh->hr->host, MD_MAX_HOST);
		fprintf(out, " | %s | %s | %" PRIu64 " |\n",
		    au_verdict_name(fh->hr->verdict),
		    render_date(fh->since, date, sizeof(date)),
		    render_days(fh->since, f->now));
	}
}

static void
md_fleet_never(FILE *out, const struct au_fleet *f)
{
	char date[32];
	size_t i;

	fputs("\n## Never seen to succeed\n\n", out);
	if (f->nnever == 0) {
		fputs("None.\n", out);
		return;
	}
	fputs("| Server | Verdict | First event | Attempts |\n"
	    "| --- | --- | --- | --- |\n", out);
	for (i = 0; i < f->nnever; i++) {
		const struct au_fleet_host *fh = &f->never[i];

		fputs("| ", out);
		md_put(out, fh->hr->host, MD_MAX_HOST);
		fprintf(out, " | %s | %s | %" PRIu64 " |\n",
		    au_verdict_name(fh->hr->verdict),
		    render_date(fh->since, date, sizeof(date)), fh->count);
	}
}

static void
md_fleet_codes(FILE *out, const struct au_fleet *f)
{
	size_t i;

	fputs("\n## Most frequent result codes\n\n", out);
	if (f->ncodes == 0) {
		fputs("None.\n", out);
		return;
	}
	fputs("| Result | Category | Events | Servers | Latest on | Note |"
	    " Microsoft's documented description |\n"
	    "| --- | --- | --- | --- | --- | --- | --- |\n", out);
	for (i = 0; i < f->ncodes; i++) {
		const struct au_fleet_code *fc = &f->codes[i];
		const char *cat = au_category_name(fc->category);

		fputs("| ", out);
		md_put(out, fc->code, MD_MAX_FIELD);
		fprintf(out, " | %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %s | ",
		    cat != NULL ? cat : "none", fc->count, fc->hosts, fc->current,
		    fc->entry == NULL ? "unknown" :
		    fc->entry->historical ? "historical" : "");
		if (fc->entry == NULL || fc->entry->description == NULL)
			fputs("not documented by Microsoft", out);
		else {
			fputc('"', out);
			md_put(out, fc->entry->description, 0);
			fputc('"', out);
		}
		fputs(" |\n", out);
	}
}

struct au_error *
render_fleet_markdown(FILE *out, const struct au_report *rep,
    const struct au_fleet *f, const struct au_fleet_opts *fopts)
{
	char *summary = render_summary(rep), now[32], *title;

	fprintf(out, "# Automatic upgrade: fleet\n\n%s\n\nAs of %s (ages are"
	    " measured up to this time).\n", summary,
	    render_time(f->now, now, sizeof(now)));
	free(summary);
	if (rep->nhosts == 0)
		return render_check_io(out);
	fputs("\n## Servers, worst first\n\n", out);
	md_summary_table(out, rep);
	md_fleet_condition(out, "Blocked (UpgradeNotSupported, UpgradeFailed),"
	    " failed first, then longest first",
	    f->blocked, f->nblocked, f->now);
	title = xasprintf("Retrying (UpgradeAborted) for more than %" PRIu64
	    " %s, longest first",
	    fopts->retry_days, plural(fopts->retry_days, "day", "days"));
	md_fleet_condition(out, title, f->retrying, f->nretrying, f->now);
	free(title);
	md_fleet_stale(out, f, fopts);
	md_fleet_never(out, f);
	md_fleet_codes(out, f);
	return render_check_io(out);
}
