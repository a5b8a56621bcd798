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

struct md {
	FILE *out;
	int checks_due;
	size_t nfiles;
};

static void
md_summary_table(FILE *out, const struct au_report *rep)
{
	char date[32];
	size_t i;

	fputs("| Server | Verdict | Since | Attempts | Latest result | Build | Support | Last event |\n"
	    "| --- | --- | --- | ---: | --- | --- | --- | --- |\n", out);
	for (i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];
		char *res = render_result(hr->latest);

		fputs("| ", out);
		md_put(out, hr->host, MD_MAX_HOST);
		fprintf(out, " | **%s** | ", au_verdict_name(hr->verdict));
		if (hr->latest == NULL)
			fputs(hr->log_first != 0 ? render_date(hr->log_first, date,
			    sizeof(date)) : "n/a", out);
		else if (hr->verdict == AU_VERDICT_UPGRADED)
			fputs(render_date(hr->latest->time, date, sizeof(date)), out);
		else
			fputs(render_date(hr->condition_since, date, sizeof(date)), out);
		fprintf(out, " | %" PRIu64 " | ", hr->attempts);
		md_put(out, res != NULL ? res : hr->verdict == AU_VERDICT_SILENT ?
		    "no upgrade event" : "none", MD_MAX_FIELD);
		fputs(" | ", out);
		md_put(out, hr->build.installed_version != NULL ?
		    hr->build.installed_version : "unknown", MD_MAX_FIELD);
		fprintf(out, " | %s | %s |\n", releases_support_name(hr->build.support),
		    hr->last_seen != 0 ? render_date(hr->last_seen, date, sizeof(date)) :
		    hr->log_last != 0 ? render_date(hr->log_last, date, sizeof(date)) :
		    "n/a");
		free(res);
	}
}

static void
md_latest(FILE *out, const struct au_host_report *hr)
{
	const struct au_event *ev = hr->latest;
	const struct au_code *code = ev->code;
	const char *cat = au_category_name(ev->category);
	const char *catdesc = classify_category_description(ev->category);
	char when[32], ref[64], *res = render_result(ev);

	fputs("- **Latest result:** ", out);
	md_put(out, res, MD_MAX_FIELD);
	free(res);
	fprintf(out, " at %s (%s)\n", render_time(ev->time, when, sizeof(when)),
	    render_event_ref(ev, ref, sizeof(ref)));

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
		fputs("go through the general checks at the end; if the result"
		    " persists, upgrade manually to the latest version", out);
	fputc('\n', out);

	if (ev->detail != NULL) {
		fputs("- **Detail:** ", out);
		md_put(out, ev->detail, MD_MAX_FIELD);
		fputc('\n', out);
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
}

static void
md_codes(FILE *out, const struct au_host_report *hr)
{
	const struct au_code_count **cc = render_codes_by_count(hr);
	char first[32], last[32];
	size_t i;

	if (hr->ncodes > 0)
		fputs("\n### Results seen\n\n"
		    "| Result | Count | First | Last | Note |\n"
		    "| --- | ---: | --- | --- | --- |\n", out);
	for (i = 0; i < hr->ncodes; i++) {
		fputs("| ", out);
		md_put(out, cc[i]->code, MD_MAX_FIELD);
		fprintf(out, " | %" PRIu64 " | %s | %s | %s |\n", cc[i]->count,
		    render_time(cc[i]->first, first, sizeof(first)),
		    render_time(cc[i]->last, last, sizeof(last)),
		    cc[i]->entry == NULL ? "unknown" :
		    cc[i]->entry->historical ? "historical" : "");
	}
	free(cc);
}

static void
md_installs(FILE *out, const struct au_host_report *hr)
{
	const struct au_build *b = &hr->build;
	struct render_version *v;
	char date[32];
	size_t n;

	fputs("\n### Build and versions\n\n", out);
	if (b->installed_version != NULL) {
		fputs("- **Installed build:** ", out);
		md_put(out, b->installed_version, MD_MAX_FIELD);
		fputs(" (", out);
		md_put(out, b->product, MD_MAX_FIELD);
		fprintf(out, "), installed %s\n", render_date(b->installed_time, date,
		    sizeof(date)));
	} else
		fputs("- **Installed build:** unknown (no installer event of the"
		    " Connect sync engine or wizard)\n", out);
	fprintf(out, "- **Support:** %s", releases_support_name(b->support));
	if (b->release != NULL && b->release->end_of_support[0] != '\0')
		fprintf(out, ", end of support %s", b->release->end_of_support);
	if (b->releases_behind >= 0)
		fprintf(out, "; %" PRId64 " auto-upgrade %s behind", b->releases_behind,
		    plural((uint64_t)b->releases_behind, "release", "releases"));
	if (b->newest_auto != NULL)
		fprintf(out, "; newest auto-upgrade release %s", b->newest_auto->version);
	fputc('\n', out);
	v = render_versions(hr, &n);
	for (size_t i = 0; i < n; i++) {
		char *s = render_version_text(&v[i]);
		fputs("- ", out);
		md_put(out, s, MD_MAX_FIELD);
		if (v[i].product != NULL) {
			fputs(" (", out);
			md_put(out, v[i].product, MD_MAX_FIELD);
			fputc(')', out);
		}
		fputc('\n', out);
		free(s);
	}
	free(v);
}

static void
md_checks(FILE *out)
{
	const char *const *checks;
	size_t n, i;

	checks = classify_general_checks(&n);
	fputs("\n## General checks for every server that did not upgrade\n\n", out);
	for (i = 0; i < n; i++) {
		fputs("- ", out);
		md_put(out, checks[i], 0);
		fputc('\n', out);
	}
}

static struct au_error *
md_begin(void *st, const struct au_report *rep)
{
	struct md *m = st;
	char *summary = render_summary(rep), *asof = render_as_of_text(rep);

	fprintf(m->out, "# Automatic upgrade report\n\n%s\n\n", summary);
	md_put(m->out, asof, 0);
	fputc('\n', m->out);
	free(summary);
	free(asof);
	if (rep->nhosts > 0) {
		fputc('\n', m->out);
		md_summary_table(m->out, rep);
	}
	return NULL;
}

static struct au_error *
md_host(void *st, const struct au_host_report *hr)
{
	struct md *m = st;
	FILE *out = m->out;
	char first[32], last[32], succ[32], **notes, *streak;
	size_t nnotes;

	fputs("\n## ", out);
	md_put(out, hr->host, MD_MAX_HOST);
	fprintf(out, ": %s", au_verdict_name(hr->verdict));
	if (hr->latest == NULL)
		fputs(hr->verdict == AU_VERDICT_SILENT ? " (no automatic-upgrade event)\n\n" :
		    " (upgrade events, none with a result code)\n\n", out);
	else if (hr->verdict == AU_VERDICT_UPGRADED)
		fprintf(out, " on %s\n\n", render_date(hr->latest->time, first, sizeof(first)));
	else
		fprintf(out, " since %s (%" PRIu64 " %s in a row)\n\n",
		    render_date(hr->condition_since, first, sizeof(first)),
		    hr->condition_count, plural(hr->condition_count, "result", "results"));
	if (hr->name_from_file)
		fprintf(out, "- **Name:** %s\n", render_name_from_file);
	if ((streak = render_streak(hr)) != NULL) {
		fputs("- **Streak:** ", out);
		md_put(out, streak, 0);
		fputc('\n', out);
		free(streak);
	}
	if (hr->events_count > 0)
		fprintf(out, "- **Attempts:** %" PRIu64 " (upgrade events with a result"
		    " code) of %" PRIu64 " upgrade %s, %s .. %s; last success %s\n",
		    hr->attempts, hr->events_count, plural(hr->events_count, "event",
		    "events"), render_time(hr->first_seen, first, sizeof(first)),
		    render_time(hr->last_seen, last, sizeof(last)),
		    hr->last_success != 0 ? render_time(hr->last_success, succ,
		    sizeof(succ)) : "never seen");
	if (hr->log_records > 0)
		fprintf(out, "- **Log:** %" PRIu64 " %s read, %s .. %s\n",
		    hr->log_records, plural(hr->log_records, "record", "records"),
		    render_time(hr->log_first, first, sizeof(first)),
		    render_time(hr->log_last, last, sizeof(last)));
	if (hr->latest != NULL)
		md_latest(out, hr);
	notes = render_host_notes(hr, &nnotes);
	for (size_t i = 0; i < nnotes; i++) {
		fputs("- **Note:** ", out);
		md_put(out, notes[i], 0);
		fputc('\n', out);
	}
	render_free_strings(notes, nnotes);
	md_codes(out, hr);
	md_installs(out, hr);
	if (hr->nrelated > 0) {
		fputs("\n### Related events (not classified)\n\n"
		    "| Provider | Event ID | Count | First | Last |\n"
		    "| --- | ---: | ---: | --- | --- |\n", out);
		for (size_t i = 0; i < hr->nrelated; i++) {
			fputs("| ", out);
			md_put(out, hr->related[i].provider, MD_MAX_FIELD);
			fprintf(out, " | %" PRIu32 " | %" PRIu64 " | %s | %s |\n",
			    hr->related[i].event_id, hr->related[i].count,
			    render_time(hr->related[i].first, first, sizeof(first)),
			    render_time(hr->related[i].last, last, sizeof(last)));
		}
	}
	if (hr->verdict != AU_VERDICT_UPGRADED)
		m->checks_due = 1;
	return NULL;
}

static struct au_error *
md_file(void *st, const struct au_file_stats *f)
{
	struct md *m = st;
	FILE *out = m->out;
	char first[32], last[32];

	if (m->nfiles++ == 0)
		fputs("\n## Files read\n\n"
		    "| File | Computers | Records | First | Last | Upgrade events | Recovered | Corrupt | Problems |\n"
		    "| --- | --- | ---: | --- | --- | ---: | ---: | ---: | --- |\n", out);
	fputs("| ", out);
	md_put(out, f->path, 0);
	fputs(" | ", out);
	for (size_t i = 0; i < f->nhosts && i < 5; i++) {
		if (i > 0)
			fputs(", ", out);
		md_put(out, f->hosts[i].name, MD_MAX_HOST);
		if (f->hosts[i].from_name)
			fputs(render_name_from_file_mark, out);
	}
	if (f->nhosts > 5)
		fprintf(out, " and %zu more", f->nhosts - 5);
	if (f->nhosts == 0 && f->members > 0)
		fprintf(out, "in its %" PRIu64 " %s below", f->members,
		    f->members == 1 ? "member" : "members");
	fprintf(out, " | %" PRIu64 " | %s | %s | %" PRIu64 " | %" PRIu64 " | %"
	    PRIu64 " | ", f->records,
	    f->first_time != 0 ? render_time(f->first_time, first, sizeof(first)) : "",
	    f->last_time != 0 ? render_time(f->last_time, last, sizeof(last)) : "",
	    f->matched, f->recovered, f->corrupt);
	if (f->errors != NULL)
		md_put(out, f->errors, 0);
	else
		fputs("none", out);
	if (f->dirty)
		fputs("; note: log not closed cleanly (dirty)", out);
	fputs(" |\n", out);
	return NULL;
}

static struct au_error *
md_end(void *st, const struct au_report *rep)
{
	struct md *m = st;

	if (m->checks_due || rep->nhosts == 0)
		md_checks(m->out);
	if (rep->other_files > 0)
		fprintf(m->out, "\n%zu other %s passed over (no known log form).\n",
		    rep->other_files, plural(rep->other_files, "file", "files"));
	return render_check_io(m->out);
}

static void
md_free(void *st)
{
	free(st);
}

void
render_markdown_writer(FILE *out, struct au_report_writer *w)
{
	struct md *m = xcalloc(1, sizeof(*m));

	m->out = out;
	w->st = m;
	w->begin = md_begin;
	w->host = md_host;
	w->file = md_file;
	w->end = md_end;
	w->free = md_free;
}

struct au_error *
render_report_markdown(FILE *out, const struct au_report *rep)
{
	struct au_report_writer w;

	render_markdown_writer(out, &w);
	return render_report_all(&w, rep);
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
md_fleet_builds(FILE *out, const struct au_fleet *f)
{
	char d[32];

	fprintf(out, "\n## Support status of the installed builds, as of %s\n\n"
	    "| Support | Servers |\n| --- | ---: |\n",
	    render_date(f->support_now, d, sizeof(d)));
	for (int s = 0; s < AU_SUPPORT_COUNT; s++)
		if (f->support[s] > 0)
			fprintf(out, "| %s | %zu |\n",
			    releases_support_name((enum au_support)s), f->support[s]);
	fputs("\n## Builds in use, worst first\n\n| Build | Support | Servers |\n"
	    "| --- | --- | ---: |\n", out);
	for (size_t i = 0; i < f->nbuilds; i++) {
		fputs("| ", out);
		md_put(out, f->builds[i].version != NULL ? f->builds[i].version :
		    "none seen", 40);
		fprintf(out, " | %s | %zu |\n",
		    releases_support_name(f->builds[i].support), f->builds[i].hosts);
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
	char *summary = render_summary(rep), *asof = render_as_of_text(rep), *title;

	fprintf(out, "# Automatic upgrade: fleet\n\n%s\n\n%s\n", summary, asof);
	free(summary);
	free(asof);
	if (rep->nhosts == 0)
		return render_check_io(out);
	fputs("\n## Servers, worst first\n\n", out);
	md_summary_table(out, rep);
	md_fleet_builds(out, f);
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
