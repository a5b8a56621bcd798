/* render.c: time formatting and the helpers the report writers share. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "install.h"
#include "render.h"
#include "xmalloc.h"

/* The release catalog the notes on builds quote (render_set_catalog). */
static const struct au_catalog *render_catalog;

/* A growing string; the writers here build escaped copies with it. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void
sbuf_add(struct sbuf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xreallocarray(b->s, cap, 1);
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
sbuf_addf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_add(b, p, strlen(p));
	free(p);
}

static char *
sbuf_finish(struct sbuf *b)
{
	if (b->s == NULL)
		return xstrdup("");
	return b->s;
}

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), storing its
 * code point; 0 when the first byte does not start one. Strict as in
 * RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF, which is
 * also what Jansson accepts.
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		unsigned char cc = s[i];
		if (i == 1 ? (cc < lo || cc > hi) : (cc < 0x80 || cc > 0xBF))
			return 0;
		v = (v << 6) | (cc & 0x3F);
	}
	*cp = v;
	return len;
}

/* Code points that can reorder or hide text on screen (Trojan Source). */
static int
is_invisible_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C ||
	    cp == 0x200E || cp == 0x200F ||
	    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x2028 || cp == 0x2029;
}

char *
render_escape(const char *str, size_t max, enum render_escape how)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t n = strlen((const char *)s), i = 0, shown;
	struct sbuf b = { 0 };

	shown = (max > 0 && n > max) ? max : n;
	while (i < shown) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0) {
			sbuf_addf(&b, "\\x%02x", s[i]);
			i++;
			continue;
		}
		if (i + len > shown)
			break;     /* never cut a character in half */
		if (cp == '\n')
			sbuf_add(&b, "\\n", 2);
		else if (cp == '\r')
			sbuf_add(&b, "\\r", 2);
		else if (cp == '\t')
			sbuf_add(&b, "\\t", 2);
		else if (cp < 0x20 || cp == 0x7F)
			sbuf_addf(&b, "\\x%02x", (unsigned)cp);
		else if (is_invisible_control(cp))
			sbuf_addf(&b, "\\u%04x", (unsigned)cp);
		else if (how == RENDER_ESC_MARKDOWN && cp == '<')
			sbuf_add(&b, "&lt;", 4);
		else if (how == RENDER_ESC_MARKDOWN && cp == '>')
			sbuf_add(&b, "&gt;", 4);
		else if (how == RENDER_ESC_MARKDOWN && cp == '&')
			sbuf_add(&b, "&amp;", 5);
		else if (how == RENDER_ESC_MARKDOWN && cp < 0x80 &&
		    strchr("\\`*_[]#|~", (int)cp) != NULL) {
			sbuf_add(&b, "\\", 1);
			sbuf_add(&b, (const char *)s + i, 1);
		} else {
			size_t j = i + len;

			/* Printable ASCII that needs nothing, taken in one go. */
			while (j < shown && s[j] >= 0x20 && s[j] < 0x7F &&
			    (how != RENDER_ESC_MARKDOWN || strchr("<>&\\`*_[]#|~", s[j]) == NULL))
				j++;
			sbuf_add(&b, (const char *)s + i, j - i);
			len = j - i;
		}
		i += len;
	}
	if (i < n)
		sbuf_addf(&b, "... (%zu more bytes)", n - i);
	return sbuf_finish(&b);
}

char *
render_utf8_sanitise(const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t n = strlen((const char *)s), i = 0, run = 0;
	struct sbuf b = { 0 };

	/* Valid runs are copied whole: most strings are one run, copied once. */
	while (i < n) {
		uint32_t cp;
		size_t len = s[i] < 0x80 ? 1 : utf8_decode(s + i, n - i, &cp);

		if (len != 0) {
			i += len;
			continue;
		}
		sbuf_add(&b, (const char *)s + run, i - run);
		sbuf_add(&b, "\xEF\xBF\xBD", 3);    /* U+FFFD */
		run = ++i;
	}
	if (run == 0)
		return xstrdup((const char *)s);
	sbuf_add(&b, (const char *)s + run, n - run);
	return sbuf_finish(&b);
}

char *
render_time(uint64_t filetime, char *buf, size_t len)
{
	/* To the second, as jq's fromdateiso8601 and most parsers take it. */
	return au_time_text(filetime - filetime % AU_TICKS_PER_SECOND, 0, buf, len);
}

char *
render_date(uint64_t filetime, char *buf, size_t len)
{
	struct au_civil c;

	au_filetime_to_civil(filetime, &c);
	snprintf(buf, len, "%04" PRId64 "-%02u-%02u", c.year, c.month, c.day);
	return buf;
}

uint64_t
render_days(uint64_t from, uint64_t to)
{
	return to > from ? (to - from) / AU_TICKS_PER_DAY : 0;
}

char *
render_summary(const struct au_report *rep)
{
	size_t counts[AU_VERDICT_COUNT] = { 0 }, i;
	struct sbuf b = { 0 };
	int first = 1;

	for (i = 0; i < rep->nhosts; i++) {
		unsigned v = (unsigned)rep->hosts[i]->verdict;
		counts[v < AU_VERDICT_COUNT ? v : AU_VERDICT_UNKNOWN]++;
	}
	sbuf_addf(&b, "%zu %s", rep->nhosts, rep->nhosts == 1 ? "server" : "servers");
	if (rep->nhosts == 0)
		sbuf_addf(&b, ": no automatic-upgrade events found");
	for (i = 0; i < AU_VERDICT_COUNT; i++) {
		if (counts[i] == 0)
			continue;
		sbuf_addf(&b, "%s %zu %s", first ? ":" : ",", counts[i],
		    au_verdict_name((enum au_verdict)i));
		first = 0;
	}
	return sbuf_finish(&b);
}

/* "N results in a row since T (D days up to the last event)" */
static char *
run_text(uint64_t count, uint64_t since, uint64_t last)
{
	char when[32];
	uint64_t days = render_days(since, last);
	const char *results = count == 1 ? "result" : "results";

	render_time(since, when, sizeof(when));
	if (days == 0)
		return xasprintf("%" PRIu64 " %s in a row since %s (less"
		    " than a day up to the last event)", count, results, when);
	return xasprintf("%" PRIu64 " %s in a row since %s (%" PRIu64
	    " %s up to the last event)", count, results, when, days,
	    days == 1 ? "day" : "days");
}

const char render_name_from_file[] =
    "taken from the file's name: the export names no computer"
    " (--computer NAME gives it)";

const char render_name_from_file_mark[] = " (the file's name)";

const char *
render_event_ref(const struct au_event *ev, char *buf, size_t len)
{
	if (ev->record_id == 0)
		snprintf(buf, len, "event %" PRIu32 ", no record ID", ev->event_id);
	else
		snprintf(buf, len, "event %" PRIu32 ", record %" PRIu64, ev->event_id,
		    ev->record_id);
	return buf;
}

char *
render_streak(const struct au_host_report *hr)
{
	char when[32], *run, *s;
	const char *cat;

	if (hr->latest == NULL || hr->condition_count == 0)
		return NULL;
	cat = au_category_name(hr->latest->category);
	if (hr->condition_count == 1)
		return xasprintf("%s once, at %s", cat != NULL ? cat : "a result",
		    render_time(hr->condition_since, when, sizeof(when)));
	run = run_text(hr->condition_count, hr->condition_since, hr->last_seen);
	s = xasprintf("%s: %s%s", cat != NULL ? cat : "none", run,
	    hr->streak_count < hr->condition_count ?
	    ", with changing result codes" : "");
	free(run);
	return s;
}

void
render_since(const struct au_host_report *hr, uint64_t *since, uint64_t *count)
{
	*since = hr->condition_since;
	*count = hr->condition_count;
}

char *
render_result(const struct au_event *ev)
{
	if (ev == NULL || ev->result_code == NULL)
		return NULL;
	if (ev->detail != NULL)
		return xasprintf("%s-%s", ev->result_code, ev->detail);
	return xstrdup(ev->result_code);
}

struct au_error *
render_check_io(FILE *out)
{
	int failed;

	errno = 0;
	failed = fflush(out) != 0;
	if (ferror(out) || failed) {
		if (errno != 0)
			return au_error_errno(AU_ERR_IO, NULL, errno,
			    "cannot write the report");
		return au_error_new(AU_ERR_IO, NULL, "cannot write the report");
	}
	return NULL;
}

const char *
render_format_name(enum au_format fmt)
{
	static const char *const names[AU_FMT_COUNT] = {
		"text", "json", "markdown", "csv", "ndjson", "html", "prometheus",
		"bulk"
	};

	return (unsigned)fmt < AU_FMT_COUNT ? names[fmt] : "?";
}

static int
render_code_count_cmp(const void *pa, const void *pb)
{
	const struct au_code_count *a = *(const struct au_code_count *const *)pa;
	const struct au_code_count *b = *(const struct au_code_count *const *)pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->last != b->last)
		return a->last > b->last ? -1 : 1;
	return strcmp(a->code, b->code);
}

const struct au_code_count **
render_codes_by_count(const struct au_host_report *hr)
{
	const struct au_code_count **v = xcalloc(hr->ncodes + 1, sizeof(*v));

	for (size_t i = 0; i < hr->ncodes; i++)
		v[i] = &hr->codes[i];
	if (hr->ncodes > 1)
		qsort(v, hr->ncodes, sizeof(*v), render_code_count_cmp);
	return v;
}

struct render_version *
render_versions(const struct au_host_report *hr, size_t *n)
{
	struct render_version *v = NULL;
	size_t nv = 0;

	for (size_t i = 0; i < hr->ninstalls; i++) {
		const struct au_install *in = hr->installs[i];
		const char *ver = in->version != NULL && in->version[0] != '\0' ?
		    in->version : NULL;
		struct render_version *r = NULL;
		enum au_install_action act = install_action(in);
		int removal = act == AU_INSTALL_REMOVE;
		int failed = act == AU_INSTALL_FAILED;

		/* An event without a version (11707 "completed") joins the last one. */
		for (size_t j = nv; j-- > 0 && r == NULL;)
			if (ver == NULL ? 1 : v[j].version != NULL &&
			    strcmp(v[j].version, ver) == 0)
				r = &v[j];
		if (r == NULL) {
			v = xreallocarray(v, nv + 1, sizeof(*v));
			r = &v[nv++];
			memset(r, 0, sizeof(*r));
			r->version = ver;
			r->product = in->product;
			r->first = in->time;
		}
		r->last = in->time;
		if (removal) {
			r->removed++;
			r->removed_time = in->time;
		} else if (failed) {
			r->failed++;
			r->failed_time = in->time;
			if (in->status > 0)
				r->status = in->status;
		} else {
			r->installed++;
			r->installed_time = in->time;
		}
	}
	*n = nv;
	return v;
}

char *
render_version_text(const struct render_version *r)
{
	struct sbuf b = { 0 };
	char d[32];
	const char *sep = "";

	sbuf_addf(&b, "%s", r->version != NULL ? r->version : "version not given");
	if (r->installed > 0) {
		sbuf_addf(&b, " installed %s", render_date(r->installed_time, d, sizeof(d)));
		sep = ",";
	}
	if (r->failed > 0) {
		sbuf_addf(&b, "%s install FAILED %s", sep, render_date(r->failed_time, d,
		    sizeof(d)));
		if (r->status > 0)
			sbuf_addf(&b, " (status %d)", r->status);
		if (r->failed > 1)
			sbuf_addf(&b, ", %u times", r->failed);
		sep = ",";
	}
	if (r->removed > 0)
		sbuf_addf(&b, "%s removed %s", sep, render_date(r->removed_time, d,
		    sizeof(d)));
	return sbuf_finish(&b);
}

/*
 * Our words on what a server's state means beyond its latest result:
 * silence, 2.x builds, support status. Each a sentence.
 */
/* Whether version a is newer than b (both parsed; else no). */
static int
newer_than(const char *a, const char *b)
{
	struct au_version va, vb;

	return releases_version_parse(a, &va) && releases_version_parse(b, &vb) &&
	    releases_version_cmp(&va, &vb) > 0;
}

char **
render_host_notes(const struct au_host_report *hr, size_t *n)
{
	char **v = NULL, d[32], d2[32];
	size_t nv = 0;
	const struct au_build *b = &hr->build;
	struct au_version v221 = { { 2, 2, 1, 0 } }, have;
	int modern = b->installed_version != NULL &&
	    releases_version_parse(b->installed_version, &have) &&
	    releases_version_cmp(&have, &v221) >= 0;

#define NOTE(...) do { v = xreallocarray(v, nv + 1, sizeof(*v)); \
	v[nv++] = xasprintf(__VA_ARGS__); } while (0)
	/* Strings from the logs: each renderer escapes the notes. */
	if (hr->name_from_file && hr->same_as != NULL)
		NOTE("Probably the same server as %s, whose logs name it in full: "
		    "read this export with --computer %s to count them as one.",
		    hr->same_as, hr->same_as);
	if (hr->verdict == AU_VERDICT_SILENT) {
		if (hr->log_records > 0)
			NOTE("No automatic-upgrade event in %" PRIu64 " %s of its log "
			    "(%s to %s).", hr->log_records,
			    hr->log_records == 1 ? "record" : "records",
			    render_date(hr->log_first, d, sizeof(d)),
			    render_date(hr->log_last, d2, sizeof(d2)));
		else
			NOTE("No automatic-upgrade event in its logs.");
		NOTE("Silence proves nothing: check that automatic upgrade is "
		    "Enabled (Get-ADSyncAutoUpgrade; Suspended or Disabled stops "
		    "it, and Get-ADSyncAutoUpgrade -Detail shows the suspension "
		    "reason), that Connect Health can reach its endpoints, and "
		    "whether the Application log is large and kept long enough to "
		    "hold an attempt (attempts are days or weeks apart; a small "
		    "log that overwrites itself loses them).");
	}
	if (modern && hr->attempts == 0)
		NOTE("Build %s is 2.2.1.0 or later: automatic upgrade runs through "
		    "the Microsoft Entra Connect Agent Updater, which documents no "
		    "Application-log events, so no news here is not good news. "
		    "Collect the output of Get-ADSyncAutoUpgrade -Detail and the "
		    "files %%ProgramData%%\\AADConnect\\*AutoUpgrader*.log from the "
		    "server.", b->installed_version);
	switch (b->installed_version != NULL ? b->support : AU_SUPPORT_UNKNOWN) {
	case AU_SUPPORT_RECALLED:
		NOTE("Build %s was recalled by Microsoft: uninstall it and install "
		    "the latest release manually.", b->installed_version);
		break;
	case AU_SUPPORT_BELOW_FLOOR:
		NOTE("Build %s is below the mandatory minimum %s: synchronization "
		    "stops from %s. Automatic upgrade cannot be relied on to get "
		    "there in time: upgrade manually to the latest release.",
		    b->installed_version, render_catalog != NULL &&
		    render_catalog->floor != NULL ? render_catalog->floor->version :
		    "of the catalog", render_catalog != NULL ?
		    render_date(render_catalog->floor_time, d, sizeof(d)) : "?");
		break;
	case AU_SUPPORT_RETIRED:
		NOTE("Build %s is past its end of support%s%s%s: Microsoft no "
		    "longer supports it%s. Upgrade manually to the latest release.",
		    b->installed_version,
		    b->release != NULL && b->release->end_of_support[0] != '\0' ?
		    " (" : "",
		    b->release != NULL ? b->release->end_of_support : "",
		    b->release != NULL && b->release->end_of_support[0] != '\0' ?
		    ")" : "",
		    b->installed_version[0] == '1' ?
		    ", and 1.x builds no longer synchronize" : "");
		break;
	case AU_SUPPORT_RETIRING:
		NOTE("Build %s reaches its end of support on %s: upgrade before "
		    "then.", b->installed_version,
		    b->release != NULL ? b->release->end_of_support : "?");
		break;
	case AU_SUPPORT_UNKNOWN:
		if (b->newer_than_catalog)
			NOTE("Build %s is newer than every release in the catalog: "
			    "update the catalog (--releases FILE).",
			    b->installed_version);
		else if (b->installed_version != NULL)
			NOTE("Build %s is not in the release catalog.",
			    b->installed_version);
		break;
	default:
		break;
	}
	/*
	 * What automatic upgrade would bring, and when: the newest
	 * auto-upgrade release's phased roll-out (a server waits its turn),
	 * and a newer release that only a manual upgrade installs.
	 */
	int current = b->support == AU_SUPPORT_SUPPORTED ||
	    b->support == AU_SUPPORT_RETIRING;   /* else a manual upgrade is the way */

	if (current && b->releases_behind > 0 && b->newest_auto != NULL &&
	    b->newest_auto->rollout_start != 0)
		NOTE("The newest auto-upgrade release, %s, is rolled out in phases "
		    "starting %s: a server may wait weeks for its turn before it "
		    "upgrades itself; a manual upgrade does not wait.",
		    b->newest_auto->version, render_date(b->newest_auto->rollout_start,
		    d, sizeof(d)));
	if (current && b->newest != NULL && b->installed_version != NULL &&
	    b->newest != b->newest_auto && b->newest != b->release &&
	    newer_than(b->newest->version, b->installed_version))
		NOTE("The newest release, %s, is not released for automatic upgrade:"
		    " only a manual upgrade installs it.", b->newest->version);
#undef NOTE
	*n = nv;
	return v;
}

void
render_free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char *
render_as_of_text(const struct au_report *rep)
{
	char when[32], clock[32];

	render_time(rep->as_of != 0 ? rep->as_of : rep->now, when, sizeof(when));
	if (rep->as_of_source == AU_AS_OF_NOW)
		return xasprintf("As of %s (--now): ages are measured up to then.",
		    when);
	if (rep->as_of_source == AU_AS_OF_CLOCK)
		return xasprintf("As of %s, the current time: no record was read.",
		    when);
	if (analyse_report_is_old(rep))
		return xasprintf("As of %s, the newest record read: ages are "
		    "measured up to then. The collection is %" PRIu64 " days old "
		    "(today is %s); collect the logs again for the present state.",
		    when, render_days(rep->as_of, rep->clock),
		    render_date(rep->clock, clock, sizeof(clock)));
	return xasprintf("As of %s, the newest record read: ages are measured "
	    "up to then.", when);
}

void
render_set_catalog(const struct au_catalog *cat)
{
	render_catalog = cat;
}

/* HTML through render-html.c's three steps; the files are kept for the end. */
struct html_writer {
	FILE *out;
	struct au_report files;     /* only files and as_of are used */
	const struct au_report *rep;
};

static struct au_error *
html_w_begin(void *st, const struct au_report *rep)
{
	struct html_writer *h = st;

	h->rep = rep;
	return render_html_begin(h->out, "Automatic upgrade report", rep->as_of, rep);
}

static struct au_error *
html_w_host(void *st, const struct au_host_report *hr)
{
	struct html_writer *h = st;

	return render_html_host(h->out, hr, h->rep);
}

static struct au_error *
html_w_file(void *st, const struct au_file_stats *f)
{
	struct html_writer *h = st;
	struct au_file_stats *c;

	h->files.files = xreallocarray(h->files.files, h->files.nfiles + 1,
	    sizeof(*h->files.files));
	c = &h->files.files[h->files.nfiles++];
	*c = *f;
	c->path = xstrdup(f->path);
	c->errors = f->errors != NULL ? xstrdup(f->errors) : NULL;
	au_file_stats_copy_hosts(c, f);
	return NULL;
}

static struct au_error *
html_w_end(void *st, const struct au_report *rep)
{
	struct html_writer *h = st;
	struct au_error *err;

	h->files.as_of = rep->as_of;
	h->files.other_files = rep->other_files;
	err = render_html_end(h->out, &h->files);
	return err != NULL ? err : render_check_io(h->out);
}

static void
html_w_free(void *st)
{
	struct html_writer *h = st;

	for (size_t i = 0; i < h->files.nfiles; i++)
		au_file_stats_clear(&h->files.files[i]);
	free(h->files.files);
	free(h);
}

void
render_html_writer(FILE *out, struct au_report_writer *w)
{
	struct html_writer *h = xcalloc(1, sizeof(*h));

	h->out = out;
	w->st = h;
	w->begin = html_w_begin;
	w->host = html_w_host;
	w->file = html_w_file;
	w->end = html_w_end;
	w->free = html_w_free;
}

struct au_error *
render_report_writer(enum au_format fmt, FILE *out,
    const struct au_render_opts *opts, struct au_report_writer *w)
{
	static const struct au_render_opts none = { 0, 0 };

	memset(w, 0, sizeof(*w));
	switch (fmt) {
	case AU_FMT_TEXT:
		render_text_writer(out, opts != NULL ? opts : &none, w);
		return NULL;
	case AU_FMT_MARKDOWN:
		render_markdown_writer(out, w);
		return NULL;
	case AU_FMT_JSON:
		render_json_writer(out, w);
		w->events = 1;
		return NULL;
	case AU_FMT_HTML:
		render_html_writer(out, w);
		w->events = 1;
		return NULL;
	default:
		break;
	}
	return au_error_new(AU_ERR_USAGE, NULL, "format %s is not for reports",
	    render_format_name(fmt));
}

struct au_error *
render_report_all(struct au_report_writer *w, const struct au_report *rep)
{
	struct au_error *err;

	err = w->begin(w->st, rep);
	for (size_t i = 0; err == NULL && i < rep->nhosts; i++)
		err = w->host(w->st, rep->hosts[i]);
	for (size_t i = 0; err == NULL && i < rep->nfiles; i++)
		err = w->file(w->st, &rep->files[i]);
	if (err == NULL)
		err = w->end(w->st, rep);
	w->free(w->st);
	w->st = NULL;
	return err;
}

char *
render_event_key(const struct au_event *ev)
{
	char *h = xstrdup(ev->host != NULL ? ev->host : "");

	for (char *p = h; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	{
		char *k = xasprintf("%s/%" PRIu64 "/%" PRIu64, h, ev->record_id, ev->time);
		free(h);
		return k;
	}
}

static void
cell(struct render_cell *c, size_t *n, const char *name, enum render_cell_type t,
    char *value)
{
	c[*n].name = name;
	c[*n].type = t;
	c[*n].value = value;
	(*n)++;
}

static char *
time_or_null(uint64_t t)
{
	char buf[32];

	return t != 0 ? xstrdup(render_time(t, buf, sizeof(buf))) : NULL;
}

size_t
render_fleet_row(const struct au_report *rep, const struct au_host_report *hr,
    struct render_cell *c)
{
	const struct au_build *b = &hr->build;
	const struct au_code *code = hr->latest != NULL ? hr->latest->code : NULL;
	/* As fleet JSON: the start of the streak, for upgraded servers too. */
	uint64_t since = hr->latest == NULL ? 0 : hr->condition_since;
	size_t n = 0;

	cell(c, &n, "host", RENDER_CELL_STR, xstrdup(hr->host));
	cell(c, &n, "verdict", RENDER_CELL_STR, xstrdup(au_verdict_name(hr->verdict)));
	cell(c, &n, "since", RENDER_CELL_STR, time_or_null(since));
	cell(c, &n, "days", RENDER_CELL_NUM, since != 0 ?
	    xasprintf("%" PRIu64, render_days(since, rep->as_of)) : NULL);
	cell(c, &n, "streak", RENDER_CELL_NUM, hr->latest != NULL ?
	    xasprintf("%" PRIu64, hr->condition_count) : NULL);
	cell(c, &n, "attempts", RENDER_CELL_NUM, xasprintf("%" PRIu64, hr->attempts));
	cell(c, &n, "events_count", RENDER_CELL_NUM, xasprintf("%" PRIu64, hr->events_count));
	cell(c, &n, "first_seen", RENDER_CELL_STR, time_or_null(hr->first_seen));
	cell(c, &n, "last_seen", RENDER_CELL_STR, time_or_null(hr->last_seen));
	cell(c, &n, "last_success", RENDER_CELL_STR, time_or_null(hr->last_success));
	cell(c, &n, "latest_result", RENDER_CELL_STR, render_result(hr->latest));
	cell(c, &n, "latest_category", RENDER_CELL_STR, hr->latest != NULL &&
	    au_category_name(hr->latest->category) != NULL ?
	    xstrdup(au_category_name(hr->latest->category)) : NULL);
	cell(c, &n, "known", RENDER_CELL_BOOL, hr->latest != NULL ?
	    xstrdup(code != NULL ? "true" : "false") : NULL);
	cell(c, &n, "installed_version", RENDER_CELL_STR, b->installed_version != NULL ?
	    xstrdup(b->installed_version) : NULL);
	cell(c, &n, "support", RENDER_CELL_STR, xstrdup(releases_support_name(b->support)));
	cell(c, &n, "end_of_support", RENDER_CELL_STR, b->release != NULL &&
	    b->release->end_of_support[0] != '\0' ?
	    xstrdup(b->release->end_of_support) : NULL);
	cell(c, &n, "auto_upgrade_releases_behind", RENDER_CELL_NUM,
	    b->releases_behind >= 0 ? xasprintf("%" PRId64, b->releases_behind) : NULL);
	cell(c, &n, "newest_auto_upgrade_release", RENDER_CELL_STR,
	    b->newest_auto != NULL ? xstrdup(b->newest_auto->version) : NULL);
	cell(c, &n, "log_records", RENDER_CELL_NUM, xasprintf("%" PRIu64, hr->log_records));
	cell(c, &n, "log_first", RENDER_CELL_STR, time_or_null(hr->log_first));
	cell(c, &n, "log_last", RENDER_CELL_STR, time_or_null(hr->log_last));
	cell(c, &n, "unknown_codes", RENDER_CELL_NUM, xasprintf("%d", hr->unknown_codes));
	cell(c, &n, "remediation", RENDER_CELL_STR, hr->latest != NULL &&
	    code != NULL ? xstrdup(code->remediation) : NULL);
	cell(c, &n, "as_of", RENDER_CELL_STR, time_or_null(rep->as_of));
	return n;
}

void
render_cells_free(struct render_cell *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cells[i].value);
}
