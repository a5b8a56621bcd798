/* render-text.c: the plain-text report (summary table, one block per server, worst first) and fleet view. */
#include <inttypes.h>
#include <stdarg.h>
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
#define TEXT_INDENT 15         /* where a field's text starts: "  Label:      " */
#define TEXT_TABLE_HOST 32     /* widest server column of the summary table */

#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_FLAG "\033[33m"

struct text {
	FILE *out;
	int color;
	int width;
	int checks_due;        /* some server needs the general checks */
	size_t nfiles;
};

static const char *
verdict_sgr(enum au_verdict v)
{
	switch (v) {
	case AU_VERDICT_FAILED:
	case AU_VERDICT_BLOCKED:    return "\033[1;31m";
	case AU_VERDICT_UNKNOWN:    return "\033[1;35m";
	case AU_VERDICT_RETRYING:   return "\033[1;33m";
	case AU_VERDICT_SILENT:
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

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Display width of UTF-8 text: one column a code point (no wide scripts in reports). */
static size_t
text_cols(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/*
 * Writes already-safe text from column `col`, wrapped at spaces to the
 * width, continuation lines indented to `indent`; ends the line. Colour
 * sequences (ESC [ ... m, only ever ours: the text is escaped) take no
 * column.
 */
static void
text_wrap(const struct text *t, const char *s, size_t col, size_t indent)
{
	size_t width = t->width > 20 ? (size_t)t->width : 80;

	for (;;) {
		size_t room = width > col ? width - col : 1, i = 0, cols = 0, brk = 0;

		while (s[i] != '\0' && s[i] != '\n') {
			if (s[i] == '\033') {
				while (s[i] != '\0' && s[i] != 'm')
					i++;
				if (s[i] == 'm')
					i++;
				continue;
			}
			if (s[i] == ' ') {
				if (cols > room)
					break;
				brk = i;
			}
			if (((unsigned char)s[i] & 0xc0) != 0x80)
				cols++;
			i++;
		}
		if (cols <= room && (s[i] == '\0' || s[i] == '\n'))
			brk = i;
		else if (brk == 0)
			brk = i;    /* one word longer than the line: it runs on */
		fwrite(s, 1, brk, t->out);
		s += brk;
		if (*s == '\n')
			s++;
		else
			while (*s == ' ')
				s++;
		fputc('\n', t->out);
		if (*s == '\0')
			break;
		fprintf(t->out, "%*s", (int)indent, "");
		col = indent;
	}
}

/* "  Label:       text", the text escaped (when untrusted) and wrapped. */
static void
text_field(const struct text *t, const char *label, const char *text,
    int untrusted, size_t max)
{
	char *esc = untrusted ? render_escape(text, max, RENDER_ESC_TEXT) : NULL;

	fprintf(t->out, "  %-*s", TEXT_INDENT - 2, label);
	text_wrap(t, esc != NULL ? esc : text, TEXT_INDENT, TEXT_INDENT);
	free(esc);
}

static void
text_fieldf(const struct text *t, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
text_fieldf(const struct text *t, const char *label, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	text_field(t, label, s, 0, 0);
	free(s);
}

static void
verdict_upper(enum au_verdict v, char *buf, size_t len)
{
	const char *name = au_verdict_name(v);
	size_t i;

	for (i = 0; name[i] != '\0' && i < len - 1; i++)
		buf[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ?
		    name[i] - 'a' + 'A' : name[i]);
	buf[i] = '\0';
}

/* The "since" column and the header: when the present state began. */
static void
host_since(const struct au_host_report *hr, char *buf, size_t len)
{
	if (hr->verdict == AU_VERDICT_UPGRADED && hr->latest != NULL)
		render_date(hr->latest->time, buf, len);
	else if (hr->latest != NULL)
		render_date(hr->condition_since, buf, len);
	else if (hr->log_first != 0)
		render_date(hr->log_first, buf, len);
	else if (hr->first_seen != 0)
		render_date(hr->first_seen, buf, len);
	else
		snprintf(buf, len, "-");
}

static void
text_table(struct text *t, const struct au_report *rep)
{
	size_t hw = 6, rw = 16, width = t->width > 20 ? (size_t)t->width : 80;
	char since[32], verdict[16];
	int two;

	for (size_t i = 0; i < rep->nhosts; i++) {
		char *esc = render_escape(rep->hosts[i]->host, TEXT_MAX_HOST,
		    RENDER_ESC_TEXT);
		char *res = render_result(rep->hosts[i]->latest);
		size_t n = text_cols(esc, strlen(esc));

		free(esc);
		if (n > hw)
			hw = n;
		if (res != NULL) {
			esc = render_escape(res, TEXT_MAX_FIELD, RENDER_ESC_TEXT);
			n = text_cols(esc, strlen(esc));
			if (n > rw)
				rw = n;
			free(esc);
			free(res);
		}
	}
	if (hw > TEXT_TABLE_HOST)
		hw = TEXT_TABLE_HOST;
	/*
	 * One line a server when it fits the width; else two: the build and
	 * the latest result under the rest, indented.
	 */
	two = hw + 2 + 9 + 2 + 10 + 2 + 8 + 2 + 22 + 2 + rw > width;
	if (two)
		fprintf(t->out, "\n%-*s  %-9s  %-10s  %8s\n    %-22s  %s\n", (int)hw,
		    "SERVER", "VERDICT", "SINCE", "ATTEMPTS", "BUILD (SUPPORT)",
		    "LATEST RESULT");
	else
		fprintf(t->out, "\n%-*s  %-9s  %-10s  %8s  %-22s  %s\n", (int)hw,
		    "SERVER", "VERDICT", "SINCE", "ATTEMPTS", "BUILD (SUPPORT)",
		    "LATEST RESULT");
	for (size_t i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];
		char *esc = render_escape(hr->host, TEXT_MAX_HOST, RENDER_ESC_TEXT);
		char *res = render_result(hr->latest), *build, *rese;
		size_t n = text_cols(esc, strlen(esc));

		fputs(esc, t->out);
		free(esc);
		if (n > hw)
			fprintf(t->out, "\n%*s", (int)hw, "");
		else
			fprintf(t->out, "%*s", (int)(hw - n), "");
		verdict_upper(hr->verdict, verdict, sizeof(verdict));
		fputs("  ", t->out);
		text_sgr(t, verdict_sgr(hr->verdict));
		fprintf(t->out, "%-9s", verdict);
		text_sgr(t, SGR_RESET);
		host_since(hr, since, sizeof(since));
		fprintf(t->out, "  %-10s  %8" PRIu64 "%s", since, hr->attempts,
		    two ? "\n    " : "  ");
		if (hr->build.installed_version != NULL) {
			char *v = render_escape(hr->build.installed_version, 40,
			    RENDER_ESC_TEXT);
			build = xasprintf("%s (%s)", v,
			    releases_support_name(hr->build.support));
			free(v);
		} else
			build = xstrdup("-");
		fprintf(t->out, "%-22s  ", build);
		free(build);
		rese = render_escape(res != NULL ? res : hr->verdict ==
		    AU_VERDICT_SILENT ? "no upgrade event" : "no result code",
		    TEXT_MAX_FIELD, RENDER_ESC_TEXT);
		/* The last column runs on: a result code is never broken. */
		fprintf(t->out, "%s\n", rese);
		free(rese);
		free(res);
	}
}

static struct au_error *
text_begin(void *st, const struct au_report *rep)
{
	struct text *t = st;
	char *summary = render_summary(rep), *asof;

	asof = xasprintf("Automatic upgrade: %s", summary);
	text_wrap(t, asof, 0, 2);
	free(asof);
	free(summary);
	asof = render_as_of_text(rep);
	text_wrap(t, asof, 0, 0);
	free(asof);
	if (rep->nhosts > 0)
		text_table(t, rep);
	return NULL;
}

static void
text_documented(const struct text *t, const struct au_code *code)
{
	char *s;

	if (code == NULL)
		text_field(t, "Documented:", "not documented by Microsoft (the code is"
		    " in none of the article's lists)", 0, 0);
	else if (code->description == NULL)
		text_field(t, "Documented:", "not documented by Microsoft", 0, 0);
	else {
		s = xasprintf("Microsoft's documented description: \"%s\"",
		    code->description);
		text_field(t, "Documented:", s, 0, 0);
		free(s);
	}
}

static void
text_latest(const struct text *t, const struct au_host_report *hr)
{
	const struct au_event *ev = hr->latest;
	const struct au_code *code = ev->code;
	const char *desc = classify_category_description(ev->category);
	char when[32], ref[64], *res = render_result(ev), *esc, *s;

	esc = render_escape(res, TEXT_MAX_FIELD, RENDER_ESC_TEXT);
	text_fieldf(t, "Latest:", "%s at %s (%s)", esc,
	    render_time(ev->time, when, sizeof(when)),
	    render_event_ref(ev, ref, sizeof(ref)));
	free(esc);
	free(res);
	s = xasprintf("%s%s%s", au_category_name(ev->category) != NULL ?
	    au_category_name(ev->category) : "none", desc != NULL ? ": " : "",
	    desc != NULL ? desc : "");
	text_field(t, "Category:", s, 0, 0);
	free(s);
	text_documented(t, code);
	text_field(t, "What to do:", code != NULL && code->remediation != NULL ?
	    code->remediation : "go through the general checks at the end; if the"
	    " result persists, upgrade manually to the latest version", 0, 0);
	if (ev->detail != NULL)
		text_field(t, "Detail:", ev->detail, 1, TEXT_MAX_FIELD);
	if (code == NULL)
		text_field(t, "Flag:", ev->category == AU_CAT_OTHER ||
		    ev->category == AU_CAT_NONE ? "UNKNOWN code, not in the catalog"
		    " and without a known prefix" : "UNKNOWN code, not in the"
		    " catalog; its category is taken from its prefix", 0, 0);
	else if (code->historical) {
		s = xasprintf("HISTORICAL code, dropped from the article%s%s; it may"
		    " no longer apply to current builds", code->last_listed != NULL ?
		    " after " : "", code->last_listed != NULL ? code->last_listed : "");
		text_field(t, "Flag:", s, 0, 0);
		free(s);
	}
	text_field(t, "Message:", ev->message, 1, TEXT_MAX_MESSAGE);
}

static void
text_results(const struct text *t, const struct au_host_report *hr)
{
	const struct au_code_count **cc = render_codes_by_count(hr);
	char first[32], last[32];

	for (size_t i = 0; i < hr->ncodes; i++) {
		char *esc = render_escape(cc[i]->code, TEXT_MAX_FIELD, RENDER_ESC_TEXT);
		text_fieldf(t, i == 0 ? "Results:" : "", "%" PRIu64 " x %s (%s .. %s)%s",
		    cc[i]->count, esc, render_time(cc[i]->first, first, sizeof(first)),
		    render_time(cc[i]->last, last, sizeof(last)),
		    cc[i]->entry == NULL ? " [unknown]" : cc[i]->entry->historical ?
		    " [historical]" : "");
		free(esc);
	}
	free(cc);
}

static void
text_build(const struct text *t, const struct au_host_report *hr)
{
	const struct au_build *b = &hr->build;
	struct render_version *v;
	size_t n;
	char d[32];

	if (b->installed_version != NULL) {
		char *ver = render_escape(b->installed_version, 60, RENDER_ESC_TEXT);
		char *prod = render_escape(b->product, TEXT_MAX_FIELD, RENDER_ESC_TEXT);
		char behind[64] = "";
		if (b->releases_behind >= 0)
			snprintf(behind, sizeof(behind), "; %" PRId64 " auto-upgrade %s"
			    " behind", b->releases_behind,
			    plural((uint64_t)b->releases_behind, "release", "releases"));
		text_fieldf(t, "Build:", "%s (%s), installed %s; support: %s%s%s%s%s%s",
		    ver, prod, render_date(b->installed_time, d, sizeof(d)),
		    releases_support_name(b->support),
		    b->release != NULL && b->release->end_of_support[0] != '\0' ?
		    ", end of support " : "",
		    b->release != NULL ? b->release->end_of_support : "", behind,
		    b->newest_auto != NULL ? "; newest auto-upgrade release " : "",
		    b->newest_auto != NULL ? b->newest_auto->version : "");
		free(ver);
		free(prod);
	} else
		text_field(t, "Build:", "unknown: no installer event of the Connect"
		    " sync engine or wizard in the logs", 0, 0);
	v = render_versions(hr, &n);
	for (size_t i = 0; i < n; i++) {
		char *s = render_version_text(&v[i]);
		text_field(t, i == 0 ? "Versions:" : "", s, 1, TEXT_MAX_FIELD);
		free(s);
	}
	free(v);
}

static struct au_error *
text_host(void *st, const struct au_host_report *hr)
{
	struct text *t = st;
	char verdict[16], since[32], first[32], last[32], *s, **notes;
	size_t nnotes;

	fputc('\n', t->out);
	text_sgr(t, SGR_BOLD);
	text_put(t, hr->host, TEXT_MAX_HOST);
	text_sgr(t, SGR_RESET);
	fputs("  ", t->out);
	verdict_upper(hr->verdict, verdict, sizeof(verdict));
	text_sgr(t, verdict_sgr(hr->verdict));
	fputs(verdict, t->out);
	text_sgr(t, SGR_RESET);
	host_since(hr, since, sizeof(since));
	if (hr->latest == NULL)
		fprintf(t->out, hr->verdict == AU_VERDICT_SILENT ?
		    "  no automatic-upgrade event\n" : "  %" PRIu64 " upgrade %s,"
		    " none with a result code\n", hr->events_count,
		    plural(hr->events_count, "event", "events"));
	else if (hr->verdict == AU_VERDICT_UPGRADED)
		fprintf(t->out, "  on %s\n", since);
	else
		fprintf(t->out, "  since %s (%" PRIu64 " %s in a row)\n", since,
		    hr->condition_count, plural(hr->condition_count, "result",
		    "results"));
	if (hr->name_from_file)
		text_field(t, "Name:", render_name_from_file, 0, 0);
	if (hr->latest != NULL) {
		s = render_streak(hr);
		text_field(t, "Streak:", s, 0, 0);
		free(s);
	}
	if (hr->events_count > 0 || hr->attempts > 0)
		text_fieldf(t, "Attempts:", "%" PRIu64 " (upgrade events with a result"
		    " code) of %" PRIu64 " upgrade %s, %s .. %s; last success %s",
		    hr->attempts, hr->events_count, plural(hr->events_count, "event",
		    "events"), render_time(hr->first_seen, first, sizeof(first)),
		    render_time(hr->last_seen, last, sizeof(last)),
		    hr->last_success != 0 ? render_time(hr->last_success, since,
		    sizeof(since)) : "never seen");
	if (hr->latest != NULL)
		text_latest(t, hr);
	text_results(t, hr);
	text_build(t, hr);
	for (size_t i = 0; i < hr->nrelated; i++) {
		char *p = render_escape(hr->related[i].provider, TEXT_MAX_FIELD,
		    RENDER_ESC_TEXT);
		text_fieldf(t, i == 0 ? "Related:" : "", "%" PRIu64 " x %s %" PRIu32
		    " (%s .. %s)", hr->related[i].count, p, hr->related[i].event_id,
		    render_date(hr->related[i].first, first, sizeof(first)),
		    render_date(hr->related[i].last, last, sizeof(last)));
		free(p);
	}
	if (hr->log_records > 0)
		text_fieldf(t, "Log:", "%" PRIu64 " %s read, %s .. %s",
		    hr->log_records, plural(hr->log_records, "record", "records"),
		    render_time(hr->log_first, first, sizeof(first)),
		    render_time(hr->log_last, last, sizeof(last)));
	notes = render_host_notes(hr, &nnotes);
	for (size_t i = 0; i < nnotes; i++)
		text_field(t, i == 0 ? "Note:" : "", notes[i], 1, 0);
	render_free_strings(notes, nnotes);
	if (hr->verdict != AU_VERDICT_UPGRADED)
		t->checks_due = 1;
	return NULL;
}

static struct au_error *
text_file(void *st, const struct au_file_stats *f)
{
	struct text *t = st;
	char first[32], last[32], *path, *s, *hosts = NULL;

	if (t->nfiles++ == 0) {
		fputc('\n', t->out);
		text_sgr(t, SGR_BOLD);
		fputs("Files read:", t->out);
		text_sgr(t, SGR_RESET);
		fputc('\n', t->out);
	}
	for (size_t i = 0; i < f->nhosts && i < 5; i++) {
		char *e = render_escape(f->hosts[i].name, TEXT_MAX_HOST, RENDER_ESC_TEXT);
		char *n = xasprintf("%s%s%s%s", hosts != NULL ? hosts : "",
		    hosts != NULL ? ", " : "", e,
		    f->hosts[i].from_name ? render_name_from_file_mark : "");
		free(hosts);
		free(e);
		hosts = n;
	}
	if (f->nhosts > 5) {
		char *n = xasprintf("%s and %zu more", hosts, f->nhosts - 5);
		free(hosts);
		hosts = n;
	}
	if (hosts == NULL && f->members > 0)
		hosts = xasprintf("in its %" PRIu64 " %s below", f->members,
		    plural(f->members, "member", "members"));
	path = render_escape(f->path, 0, RENDER_ESC_TEXT);
	s = xasprintf("%s: %" PRIu64 " %s (%s .. %s), %" PRIu64 " upgrade %s,"
	    " %" PRIu64 " installer %s, %" PRIu64 " recovered, %" PRIu64
	    " corrupt; computers: %s; problems: %s%s", path, f->records,
	    plural(f->records, "record", "records"),
	    f->first_time != 0 ? render_time(f->first_time, first, sizeof(first)) : "-",
	    f->last_time != 0 ? render_time(f->last_time, last, sizeof(last)) : "-",
	    f->matched, plural(f->matched, "event", "events"), f->installs,
	    plural(f->installs, "event", "events"), f->recovered, f->corrupt,
	    hosts != NULL ? hosts : "none", f->errors != NULL ? "" : "none",
	    f->dirty ? "; note: log not closed cleanly (dirty)" : "");
	free(path);
	free(hosts);
	/* An archive's members under it. */
	fputs(f->member ? "    " : "  ", t->out);
	if (f->errors != NULL) {
		char *e = render_escape(f->errors, 0, RENDER_ESC_TEXT);
		char *n = xasprintf("%s%s", s, e);
		/* The dirty note goes after the problems. */
		char *d = strstr(s, "; note: log not closed");
		if (d != NULL) {
			*d = '\0';
			free(n);
			n = xasprintf("%s%s; note: log not closed cleanly (dirty)", s, e);
		}
		free(s);
		s = n;
		free(e);
	}
	text_wrap(t, s, f->member ? 4 : 2, f->member ? 8 : 6);
	free(s);
	return NULL;
}

static void
text_checks(const struct text *t)
{
	const char *const *checks;
	size_t n;

	checks = classify_general_checks(&n);
	fputc('\n', t->out);
	text_sgr(t, SGR_BOLD);
	fputs("General checks for every server that did not upgrade:", t->out);
	text_sgr(t, SGR_RESET);
	fputc('\n', t->out);
	for (size_t i = 0; i < n; i++) {
		fputs("  - ", t->out);
		text_wrap(t, checks[i], 4, 4);
	}
}

static struct au_error *
text_end(void *st, const struct au_report *rep)
{
	struct text *t = st;

	if (t->checks_due || rep->nhosts == 0)
		text_checks(t);
	if (rep->other_files > 0)
		fprintf(t->out, "\n%zu other %s passed over (no known log form).\n",
		    rep->other_files, plural(rep->other_files, "file", "files"));
	return render_check_io(t->out);
}

static void
text_free(void *st)
{
	free(st);
}

void
render_text_writer(FILE *out, const struct au_render_opts *opts,
    struct au_report_writer *w)
{
	struct text *t = xcalloc(1, sizeof(*t));

	t->out = out;
	t->color = opts->color;
	t->width = opts->width > 0 ? opts->width : 80;
	w->st = t;
	w->begin = text_begin;
	w->host = text_host;
	w->file = text_file;
	w->end = text_end;
	w->free = text_free;
}

struct au_error *
render_report_text(FILE *out, const struct au_report *rep,
    const struct au_render_opts *opts)
{
	static const struct au_render_opts none = { 0, 0 };
	struct au_report_writer w;

	render_text_writer(out, opts != NULL ? opts : &none, &w);
	return render_report_all(&w, rep);
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

/*
 * The rest of a fleet line, written into memory (escaped as ever) by
 * fleet_tail_begin and wrapped by fleet_tail_end from column
 * col, continuation lines under column indent.
 */
struct fleet_tail {
	struct text t;
	char *buf;
	size_t len;
};

static void
fleet_tail_begin(struct fleet_tail *ft, const struct text *t)
{
	ft->t = *t;
	ft->buf = NULL;
	ft->len = 0;
	ft->t.out = open_memstream(&ft->buf, &ft->len);
	if (ft->t.out == NULL)
		ft->t.out = t->out;   /* no memory for it: unwrapped, not lost */
}

static void
fleet_tail_end(struct fleet_tail *ft, const struct text *t, size_t col,
    size_t indent)
{
	if (ft->t.out == t->out) {
		fputc('\n', t->out);
		return;
	}
	fclose(ft->t.out);
	text_wrap(t, ft->buf != NULL ? ft->buf : "", col, indent);
	free(ft->buf);
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
		struct fleet_tail ft;

		fputs("  ", t->out);
		fleet_host(t, hr->host, width);
		fputs("  ", t->out);
		text_sgr(t, verdict_sgr(hr->verdict));
		fprintf(t->out, "%-9s", verdict);
		text_sgr(t, SGR_RESET);
		fputs("  ", t->out);
		fleet_tail_begin(&ft, t);
		if (hr->events_count == 0) {
			if (hr->ninstalls > 0 || hr->build.installed_version != NULL)
				fputs("no upgrade event, only installer events", ft.t.out);
			else
				fputs("no upgrade event", ft.t.out);
		} else if (hr->latest == NULL)
			fprintf(ft.t.out, "%" PRIu64 " %s, none with a result code;"
			    " last %s", hr->events_count,
			    plural(hr->events_count, "event", "events"),
			    render_date(hr->last_seen, date, sizeof(date)));
		else {
			/*
			 * As the report's header: the upgrade, or the present
			 * condition and its results in a row; then the attempts.
			 */
			if (hr->verdict == AU_VERDICT_UPGRADED)
				fprintf(ft.t.out, "on %s (", render_date(hr->latest->time,
				    date, sizeof(date)));
			else {
				render_since(hr, &since, &count);
				fprintf(ft.t.out, "since %s (%" PRIu64 " %s in a row, ",
				    render_date(since, date, sizeof(date)), count,
				    plural(count, "result", "results"));
			}
			fprintf(ft.t.out, "%" PRIu64 " %s): ", hr->attempts,
			    plural(hr->attempts, "attempt", "attempts"));
			fleet_result(&ft.t, hr->latest);
		}
		fleet_tail_end(&ft, t, width + 15, width + 15);
	}
}

/* Servers by support status, then the builds in use, worst first. */
static void
fleet_builds(const struct text *t, const struct au_fleet *f)
{
	struct fleet_tail ft;
	char d[32];
	int any = 0;

	fprintf(t->out, "\nSupport status of the installed builds, as of %s:\n  ",
	    render_date(f->support_now, d, sizeof(d)));
	fleet_tail_begin(&ft, t);
	for (int s = 0; s < AU_SUPPORT_COUNT; s++)
		if (f->support[s] > 0) {
			fprintf(ft.t.out, "%s%zu %s", any++ ? ", " : "", f->support[s],
			    releases_support_name((enum au_support)s));
		}
	fleet_tail_end(&ft, t, 2, 2);
	fputs("\nBuilds in use, worst first:\n", t->out);
	for (size_t i = 0; i < f->nbuilds; i++) {
		const struct au_fleet_build *b = &f->builds[i];
		char *v = render_escape(b->version != NULL ? b->version :
		    "none seen", 40, RENDER_ESC_TEXT);

		fprintf(t->out, "  %-14s  %-11s  %zu %s\n", v,
		    releases_support_name(b->support), b->hosts,
		    plural(b->hosts, "server", "servers"));
		free(v);
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
		struct fleet_tail ft;

		fputs("  ", t->out);
		fleet_host(t, fh->hr->host, width);
		fprintf(t->out, "  %-9s ", au_verdict_name(fh->hr->verdict));
		fleet_tail_begin(&ft, t);
		fprintf(ft.t.out, "since %s, ", render_date(fh->since, date,
		    sizeof(date)));
		fleet_days(&ft.t, render_days(fh->since, now));
		fprintf(ft.t.out, ": %" PRIu64 " %s, retried %" PRIu64 " %s; latest ",
		    fh->count, plural(fh->count, "result", "results"), retries,
		    plural(retries, "time", "times"));
		fleet_result(&ft.t, fh->hr->latest);
		fleet_tail_end(&ft, t, width + 14, width + 14);
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
		struct fleet_tail ft;

		fputs("  ", t->out);
		fleet_tail_begin(&ft, t);
		fprintf(ft.t.out, "%" PRIu64 " x ", fc->count);
		text_put(&ft.t, fc->code, TEXT_MAX_FIELD);
		fprintf(ft.t.out, " (%s) on %" PRIu64 " %s, the latest result on %"
		    PRIu64, cat != NULL ? cat : "none", fc->hosts,
		    plural(fc->hosts, "server", "servers"), fc->current);
		if (fc->entry == NULL || fc->entry->historical) {
			fputc(' ', ft.t.out);
			text_sgr(&ft.t, SGR_FLAG);
			fputs(fc->entry == NULL ? "[unknown]" : "[historical]", ft.t.out);
			text_sgr(&ft.t, SGR_RESET);
		}
		fleet_tail_end(&ft, t, 2, 6);
		fputs("      ", t->out);
		fleet_tail_begin(&ft, t);
		if (fc->entry == NULL)
			fputs("not documented by Microsoft (the code is in none"
			    " of the article's lists)", ft.t.out);
		else if (fc->entry->description == NULL)
			fputs("not documented by Microsoft", ft.t.out);
		else {
			fputs("Microsoft's documented description: \"", ft.t.out);
			text_put(&ft.t, fc->entry->description, 0);
			fputc('"', ft.t.out);
		}
		fleet_tail_end(&ft, t, 6, 8);
	}
}

struct au_error *
render_fleet_text(FILE *out, const struct au_report *rep,
    const struct au_fleet *f, const struct au_fleet_opts *fopts,
    const struct au_render_opts *opts)
{
	struct text t = { .out = out, .color = opts != NULL && opts->color,
	    .width = opts != NULL && opts->width > 0 ? opts->width : 80 };
	char *summary = render_summary(rep), *asof = render_as_of_text(rep), *title;
	size_t width = fleet_host_width(rep);

	title = xasprintf("Automatic upgrade, fleet: %s", summary);
	text_wrap(&t, title, 0, 2);
	free(title);
	free(summary);
	text_wrap(&t, asof, 0, 0);
	free(asof);
	if (rep->nhosts == 0)
		return render_check_io(out);
	fleet_servers(&t, rep, width);
	fleet_builds(&t, f);
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
