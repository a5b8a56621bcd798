/* render-text.c: the plain-text report, one block per server, worst first. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "render.h"

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
		int problems = 0;

		fputs("  ", t->out);
		text_put(t, st->path, 0);
		fprintf(t->out, ": %" PRIu64 " records read, %" PRIu64
		    " upgrade events, %" PRIu64 " recovered, %" PRIu64
		    " corrupt; problems: ", st->records, st->matched,
		    st->recovered, st->corrupt);
		if (st->dirty) {
			fputs("log not closed cleanly", t->out);
			problems++;
		}
		if (st->file_corrupted) {
			fputs(problems++ ? "; " : "", t->out);
			fputs("file flagged as corrupted", t->out);
		}
		if (st->errors != NULL) {
			fputs(problems++ ? "; " : "", t->out);
			text_put(t, st->errors, 0);
		}
		fputs(problems ? "\n" : "none\n", t->out);
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
