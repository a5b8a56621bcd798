/* render-json.c: the report as one JSON document, and export's events a line (with render-json-fleet.c, the only user of Jansson). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "config.h"
#include "classify.h"
#include "install.h"
#include "render.h"
#include "render-json-int.h"
#include "xmalloc.h"

/* A string from event data; Jansson refuses invalid UTF-8, so repair it. */
json_t *
jstr(const char *s)
{
	char *clean;
	json_t *j;

	if (s == NULL)
		return json_null();
	clean = render_utf8_sanitise(s);
	j = json_stringn(clean, strlen(clean));
	free(clean);
	return j;
}

/* Jansson integers are signed 64-bit: clamp rather than wrap to negative. */
json_t *
juint(uint64_t v)
{
	return json_integer(v > INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v);
}

json_t *
jtime(uint64_t filetime)
{
	char buf[32];

	return json_string(render_time(filetime, buf, sizeof(buf)));
}

/* A time, or null when the value is 0 and means "none". */
json_t *
jtime_opt(uint64_t filetime, int present)
{
	return present ? jtime(filetime) : json_null();
}

/* --- events, written key by key ------------------------------------------ */

/*
 * Events are most of a report's text (200,000 of them from a collector's
 * log), so they are not built as Jansson objects: each is written key by
 * key, the same text json_dumps would give for the object, into a buffer
 * written out when full (stdio's per-call locking was a fifth of a
 * collector's report). Strings go through Jansson's own encoder, but for
 * printable ASCII without a quote or backslash, which it writes as it is;
 * one that comes again (a host, a provider, a code's description) is
 * encoded once.
 */
struct jenc {
	char *src;      /* the string last encoded in this slot */
	char *text;     /* its JSON text, quotes included */
	size_t len;
};

enum {
	JE_HOST, JE_PROVIDER, JE_CODE, JE_DETAIL, JE_CATEGORY, JE_DESCRIPTION,
	JE_REMEDIATION, JE_MESSAGE, JE_KEY, JE_SOURCE, JE_N
};

#define JE_BUF 65536

struct jevents {
	FILE *out;
	char *buf;      /* text not yet written to out */
	size_t len;
	const char *open, *sep, *colon, *close;
	int nkeys, failed;
	struct jenc enc[JE_N];
};

/* Events of a host in the report, indented in it; or one a line. */
static void
jevents_init(struct jevents *je, FILE *out, int compact)
{
	memset(je, 0, sizeof(*je));
	je->out = out;
	je->buf = xmalloc(JE_BUF);
	je->open = compact ? "{" : "{\n          ";
	je->sep = compact ? "," : ",\n          ";
	je->colon = compact ? ":" : ": ";
	je->close = compact ? "}" : "\n        }";
}

/* Writes out what the buffer holds; -1 when writing failed (now or before). */
static int
je_flush(struct jevents *je)
{
	if (je->len > 0 && fwrite(je->buf, 1, je->len, je->out) != je->len)
		je->failed = 1;
	je->len = 0;
	return je->failed || ferror(je->out) ? -1 : 0;
}

static void
jevents_free(struct jevents *je)
{
	for (int i = 0; i < JE_N; i++) {
		free(je->enc[i].src);
		free(je->enc[i].text);
	}
	free(je->buf);
}

static void
je_put(struct jevents *je, const char *s, size_t n)
{
	if (je->len + n > JE_BUF) {
		je_flush(je);
		if (n > JE_BUF) {
			if (fwrite(s, 1, n, je->out) != n)
				je->failed = 1;
			return;
		}
	}
	memcpy(je->buf + je->len, s, n);
	je->len += n;
}

static void
je_puts(struct jevents *je, const char *s)
{
	je_put(je, s, strlen(s));
}

static void
je_key(struct jevents *je, const char *key)
{
	je_puts(je, je->nkeys++ == 0 ? je->open : je->sep);
	je_put(je, "\"", 1);
	je_puts(je, key);
	je_put(je, "\"", 1);
	je_puts(je, je->colon);
}

static void
je_null(struct jevents *je, const char *key)
{
	je_key(je, key);
	je_put(je, "null", 4);
}

/* Whether Jansson writes s as it is: printable ASCII, no quote, no backslash. */
static int
je_plain(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
			return 0;
	*len = (size_t)(p - (const unsigned char *)s);
	return 1;
}

/* s as jstr would give it (null for NULL), through slot's cache. */
static void
je_str(struct jevents *je, const char *key, int slot, const char *s)
{
	struct jenc *c = &je->enc[slot];
	size_t n;

	if (s == NULL) {
		je_null(je, key);
		return;
	}
	je_key(je, key);
	if (c->src != NULL && strcmp(c->src, s) == 0) {
		je_put(je, c->text, c->len);
		return;
	}
	if (je_plain(s, &n)) {
		je_put(je, "\"", 1);
		je_put(je, s, n);
		je_put(je, "\"", 1);
		return;
	}
	{
		json_t *j = jstr(s);
		char *text = json_dumps(j, JSON_ENCODE_ANY);

		json_decref(j);
		if (text == NULL) {
			je->failed = 1;
			return;
		}
		free(c->src);
		free(c->text);
		c->src = xstrdup(s);
		c->text = text;
		c->len = strlen(text);
	}
	je_put(je, c->text, c->len);
}

/* Decimal digits of v, as %lld writes them. */
static void
je_int(struct jevents *je, const char *key, long long v)
{
	char d[24], *p = d + sizeof(d);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	je_key(je, key);
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	je_put(je, p, (size_t)(d + sizeof(d) - p));
}

static void
je_bool(struct jevents *je, const char *key, int v)
{
	je_key(je, key);
	je_puts(je, v ? "true" : "false");
}

static void
je_time(struct jevents *je, const char *key, uint64_t filetime)
{
	char buf[32];

	/* ISO 8601 digits and signs: nothing to escape. */
	je_key(je, key);
	je_put(je, "\"", 1);
	je_puts(je, render_time(filetime, buf, sizeof(buf)));
	je_put(je, "\"", 1);
}

/*
 * One event of a report: time, host, record_id (null when the form has no
 * record IDs: Event Viewer CSV and text), the code and its catalog entry,
 * the message, the time in three forms, a stable key; then, for export,
 * source_file and @timestamp. 0 when written, -1 on failure.
 */
static int
jevent_write(struct jevents *je, const struct au_event *ev, int export)
{
	const struct au_code *code = ev->code;
	char *key = render_event_key(ev);
	uint64_t unix_s = ev->time / AU_TICKS_PER_SECOND;

	je->nkeys = 0;
	je_time(je, "time", ev->time);
	je_str(je, "host", JE_HOST, ev->host);
	if (ev->record_id != 0)
		je_int(je, "record_id", ev->record_id > INT64_MAX ? INT64_MAX :
		    (long long)ev->record_id);
	else
		je_null(je, "record_id");
	je_int(je, "event_id", ev->event_id);
	je_int(je, "level", ev->level);
	je_str(je, "provider", JE_PROVIDER, ev->provider);
	je_str(je, "result_code", JE_CODE, ev->result_code);
	je_str(je, "detail", JE_DETAIL, ev->detail);
	je_str(je, "category", JE_CATEGORY, au_category_name(ev->category));
	je_bool(je, "known", code != NULL);
	je_bool(je, "historical", code != NULL && code->historical);
	je_str(je, "description", JE_DESCRIPTION, code ? code->description : NULL);
	je_str(je, "remediation", JE_REMEDIATION, code ? code->remediation : NULL);
	je_str(je, "message", JE_MESSAGE, ev->message ? ev->message : "");
	je_int(je, "time_unix", (long long)unix_s - INT64_C(11644473600));
	je_int(je, "time_filetime", ev->time > INT64_MAX ? INT64_MAX : (long long)ev->time);
	je_str(je, "event_key", JE_KEY, key);
	je_bool(je, "recovered", ev->recovered);
	if (export) {
		je_str(je, "source_file", JE_SOURCE, ev->source_file);
		je_time(je, "@timestamp", ev->time);
	}
	je_puts(je, je->close);
	free(key);
	return je->failed ? -1 : 0;
}

/* An event of a report as a JSON value (a host's latest): jevent_write's text, read back. */
static json_t *
jreport_event(const struct au_event *ev)
{
	struct jevents je;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	json_t *o = NULL;
	int rc = -1;

	if (m != NULL) {
		jevents_init(&je, m, 1);
		rc = jevent_write(&je, ev, 0);
		if (je_flush(&je) != 0)
			rc = -1;
		jevents_free(&je);
		if (fclose(m) != 0)
			rc = -1;
	}
	if (rc == 0)
		o = json_loadb(buf, len, 0, NULL);
	free(buf);
	return o != NULL ? o : json_null();
}

static json_t *
jstreak(const struct au_host_report *hr)
{
	json_t *o;

	if (hr->latest == NULL || hr->condition_count == 0)
		return json_null();
	o = json_object();
	json_object_set_new(o, "category", jstr(au_category_name(hr->latest->category)));
	json_object_set_new(o, "count", juint(hr->condition_count));
	json_object_set_new(o, "since", jtime(hr->condition_since));
	json_object_set_new(o, "days", juint(render_days(hr->condition_since,
	    hr->last_seen)));
	json_object_set_new(o, "codes_changed",
	    json_boolean(hr->streak_count < hr->condition_count));
	return o;
}

static json_t *
jresults(const struct au_host_report *hr)
{
	const struct au_code_count **cc = render_codes_by_count(hr);
	json_t *a = json_array();

	for (size_t i = 0; i < hr->ncodes; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "code", jstr(cc[i]->code));
		json_object_set_new(o, "category", jstr(au_category_name(cc[i]->category)));
		json_object_set_new(o, "count", juint(cc[i]->count));
		json_object_set_new(o, "first", jtime(cc[i]->first));
		json_object_set_new(o, "last", jtime(cc[i]->last));
		json_object_set_new(o, "known", json_boolean(cc[i]->entry != NULL));
		json_object_set_new(o, "historical",
		    json_boolean(cc[i]->entry != NULL && cc[i]->entry->historical));
		json_array_append_new(a, o);
	}
	free(cc);
	return a;
}

/* The installed build and support status, as keys of the host object. */
static void
jbuild(json_t *o, const struct au_host_report *hr)
{
	const struct au_build *b = &hr->build;
	json_t *versions = json_array();

	json_object_set_new(o, "installed_version", jstr(b->installed_version));
	json_object_set_new(o, "installed_product", jstr(b->product));
	json_object_set_new(o, "installed_time",
	    jtime_opt(b->installed_time, b->installed_version != NULL));
	json_object_set_new(o, "support", json_string(releases_support_name(b->support)));
	{
		/* Support changes by the day: the date, so runs on one day agree. */
		char d[32];
		json_object_set_new(o, "support_as_of", b->now != 0 ?
		    json_string(render_date(b->now, d, sizeof(d))) : json_null());
	}
	json_object_set_new(o, "end_of_support", b->release != NULL &&
	    b->release->end_of_support[0] != '\0' ?
	    jstr(b->release->end_of_support) : json_null());
	json_object_set_new(o, "auto_upgrade_releases_behind",
	    b->releases_behind >= 0 ? json_integer(b->releases_behind) : json_null());
	json_object_set_new(o, "newer_than_catalog", json_boolean(b->newer_than_catalog));
	json_object_set_new(o, "newest_auto_upgrade_release",
	    b->newest_auto != NULL ? jstr(b->newest_auto->version) : json_null());
	json_object_set_new(o, "newest_release",
	    b->newest != NULL ? jstr(b->newest->version) : json_null());
	json_object_set_new(o, "successor",
	    b->successor != NULL ? jstr(b->successor->version) : json_null());
	for (size_t i = 0; i < hr->ninstalls; i++) {
		const struct au_install *in = hr->installs[i];
		const char *ver = in->version;
		json_t *v = json_object();

		/*
		 * An event that names no version (11707 "Installation completed
		 * successfully" names only the product) is about the product's
		 * install just before it: that version; null when none.
		 */
		for (size_t j = i; (ver == NULL || ver[0] == '\0') && j-- > 0;)
			if (hr->installs[j]->product != NULL && in->product != NULL &&
			    strcasecmp(hr->installs[j]->product, in->product) == 0)
				ver = hr->installs[j]->version;
		json_object_set_new(v, "version", ver != NULL && ver[0] != '\0' ?
		    jstr(ver) : json_null());
		json_object_set_new(v, "product", jstr(in->product));
		json_object_set_new(v, "time", jtime(in->time));
		json_object_set_new(v, "event_id", json_integer(in->event_id));
		json_object_set_new(v, "action", json_string(install_action_name(install_action(in))));
		json_object_set_new(v, "status", in->status >= 0 ?
		    json_integer(in->status) : json_null());
		json_array_append_new(versions, v);
	}
	json_object_set_new(o, "versions", versions);
}

static json_t *
jhost(const struct au_host_report *hr)
{
	json_t *o = json_object(), *flags, *log, *notes, *related;
	const struct au_code *code = hr->latest != NULL ? hr->latest->code : NULL;
	char *cond = render_streak(hr), **nv;
	size_t nn;

	json_object_set_new(o, "host", jstr(hr->host));
	json_object_set_new(o, "verdict",
	    json_string(au_verdict_name(hr->verdict)));
	json_object_set_new(o, "attempts", juint(hr->attempts));
	json_object_set_new(o, "events_count", juint(hr->events_count));
	json_object_set_new(o, "first_seen",
	    jtime_opt(hr->first_seen, hr->events_count > 0 || hr->first_seen != 0));
	json_object_set_new(o, "last_seen",
	    jtime_opt(hr->last_seen, hr->events_count > 0 || hr->last_seen != 0));
	json_object_set_new(o, "last_success",
	    jtime_opt(hr->last_success, hr->last_success != 0));
	json_object_set_new(o, "latest",
	    hr->latest != NULL ? jreport_event(hr->latest) : json_null());
	json_object_set_new(o, "streak", jstreak(hr));
	json_object_set_new(o, "condition", jstr(cond));
	free(cond);
	json_object_set_new(o, "description", jstr(code != NULL ? code->description : NULL));
	json_object_set_new(o, "remediation", hr->latest == NULL ? json_null() :
	    jstr(code != NULL ? code->remediation : "Go through the general checks;"
	    " if the result persists, upgrade manually to the latest version."));
	flags = json_object();
	json_object_set_new(flags, "unknown_codes", juint((uint64_t)hr->unknown_codes));
	json_object_set_new(flags, "historical_codes",
	    juint((uint64_t)hr->historical_codes));
	json_object_set_new(flags, "name_from_file", json_boolean(hr->name_from_file));
	json_object_set_new(o, "flags", flags);
	json_object_set_new(o, "results", jresults(hr));
	jbuild(o, hr);
	related = json_array();
	for (size_t i = 0; i < hr->nrelated; i++) {
		json_t *r = json_object();
		json_object_set_new(r, "provider", jstr(hr->related[i].provider));
		json_object_set_new(r, "event_id", json_integer(hr->related[i].event_id));
		json_object_set_new(r, "count", juint(hr->related[i].count));
		json_object_set_new(r, "first", jtime(hr->related[i].first));
		json_object_set_new(r, "last", jtime(hr->related[i].last));
		json_array_append_new(related, r);
	}
	json_object_set_new(o, "related", related);
	log = json_object();
	json_object_set_new(log, "records", juint(hr->log_records));
	json_object_set_new(log, "first", jtime_opt(hr->log_first, hr->log_first != 0));
	json_object_set_new(log, "last", jtime_opt(hr->log_last, hr->log_last != 0));
	json_object_set_new(o, "log", log);
	notes = json_array();
	nv = render_host_notes(hr, &nn);
	for (size_t i = 0; i < nn; i++)
		json_array_append_new(notes, jstr(nv[i]));
	render_free_strings(nv, nn);
	json_object_set_new(o, "notes", notes);
	return o;
}

/* st->errors holds the problems "; "-separated: one array element each. */
static json_t *
jerrors(const char *errors)
{
	json_t *a = json_array();
	const char *p = errors, *sep;

	while (p != NULL && *p != '\0') {
		char *part;

		sep = strstr(p, "; ");
		part = sep ? xstrndup(p, (size_t)(sep - p)) : xstrdup(p);
		json_array_append_new(a, jstr(part));
		free(part);
		p = sep ? sep + 2 : NULL;
	}
	return a;
}

static json_t *
jfile(const struct au_file_stats *st)
{
	json_t *o = json_object();

	json_t *computers = json_array(), *named = json_array();

	json_object_set_new(o, "path", jstr(st->path));
	for (size_t i = 0; i < st->nhosts; i++) {
		json_array_append_new(computers, jstr(st->hosts[i].name));
		if (st->hosts[i].from_name)
			json_array_append_new(named, jstr(st->hosts[i].name));
	}
	json_object_set_new(o, "computers", computers);
	json_object_set_new(o, "computers_from_name", named);
	json_object_set_new(o, "archive_member", json_boolean(st->member));
	json_object_set_new(o, "members", juint(st->members));
	json_object_set_new(o, "first_time", jtime_opt(st->first_time, st->first_time != 0));
	json_object_set_new(o, "last_time", jtime_opt(st->last_time, st->last_time != 0));
	json_object_set_new(o, "dirty", json_boolean(st->dirty));
	json_object_set_new(o, "records", juint(st->records));
	json_object_set_new(o, "matched", juint(st->matched));
	json_object_set_new(o, "recovered", juint(st->recovered));
	json_object_set_new(o, "corrupt", juint(st->corrupt));
	json_object_set_new(o, "installs", juint(st->installs));
	json_object_set_new(o, "sha256", st->sha256[0] != '\0' ? jstr(st->sha256) :
	    json_null());
	json_object_set_new(o, "errors", jerrors(st->errors));
	return o;
}

/* The head every JSON document starts with: who wrote it, for when. */
void
jhead(json_t *root, const struct au_report *rep)
{
	json_object_set_new(root, "generator", json_string("aadc-upgrade"));
	json_object_set_new(root, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(root, "schema_version", json_integer(RENDER_JSON_SCHEMA));
	json_object_set_new(root, "command", jstr(rep->command));
	json_object_set_new(root, "as_of", jtime_opt(rep->as_of, rep->as_of != 0));
	json_object_set_new(root, "as_of_source",
	    json_string(au_as_of_name(rep->as_of_source)));
	json_object_set_new(root, "collection_is_old", json_boolean(analyse_report_is_old(rep)));
}

json_t *
jsummary(const struct au_report *rep)
{
	json_t *o = json_object(), *v = json_object(), *sup = json_object();
	size_t counts[AU_VERDICT_COUNT] = { 0 }, scounts[AU_SUPPORT_COUNT] = { 0 };

	for (size_t i = 0; i < rep->nhosts; i++) {
		counts[(unsigned)rep->hosts[i]->verdict % AU_VERDICT_COUNT]++;
		scounts[(unsigned)rep->hosts[i]->build.support % AU_SUPPORT_COUNT]++;
	}
	json_object_set_new(o, "servers", juint(rep->nhosts));
	for (size_t i = 0; i < AU_VERDICT_COUNT; i++)
		json_object_set_new(v, au_verdict_name((enum au_verdict)i), juint(counts[i]));
	for (size_t i = 0; i < AU_SUPPORT_COUNT; i++)
		json_object_set_new(sup, releases_support_name((enum au_support)i),
		    juint(scounts[i]));
	json_object_set_new(o, "verdicts", v);
	json_object_set_new(o, "support", sup);
	return o;
}

struct json_writer {
	FILE *out;
	size_t nhosts, nfiles;
	int in_hosts;
	struct jevents events;
};

static struct au_error *
jw_fail(void)
{
	return au_error_new(AU_ERR_IO, NULL, "cannot write the JSON report");
}

/* Writes text with `indent` after each newline (a value nested in the streamed document). */
static int
jw_text(FILE *out, const char *text, const char *indent)
{
	size_t ilen = strlen(indent);

	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);

		if (fwrite(p, 1, n, out) != n ||
		    (nl != NULL && fwrite(indent, 1, ilen, out) != ilen))
			return -1;
		p += n;
	}
	return 0;
}

/* Writes v, indented by `indent_after` after its first line. */
int
jw_dump(FILE *out, json_t *v, const char *indent_after)
{
	char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int rc;

	if (text == NULL)
		return -1;
	rc = jw_text(out, text, indent_after);
	free(text);
	return rc;
}

/*
 * Writes v, an object, without its closing "\n}" (the caller goes on with
 * more keys), indented by `indent_after` after its first line.
 */
int
jw_dump_open(FILE *out, json_t *v, const char *indent_after)
{
	char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size_t len = text != NULL ? strlen(text) : 0;
	int rc = -1;

	if (len >= 2 && memcmp(text + len - 2, "\n}", 2) == 0) {
		text[len - 2] = '\0';
		rc = jw_text(out, text, indent_after);
	}
	free(text);
	return rc;
}

static struct au_error *
jw_begin(void *st, const struct au_report *rep)
{
	struct json_writer *w = st;
	json_t *root = json_object();
	int rc;

	jhead(root, rep);
	json_object_set_new(root, "summary", jsummary(rep));
	rc = jw_dump_open(w->out, root, "");
	json_decref(root);
	if (rc < 0 || fputs(",\n  \"hosts\": [", w->out) == EOF)
		return jw_fail();
	w->in_hosts = 1;
	return NULL;
}

/*
 * One host: its object without the events, then the events one at a
 * time, so that a server with 50,000 events never has them all as JSON
 * values at once. The text is what one json_dumps of the whole would give.
 */
static struct au_error *
jw_host(void *st, const struct au_host_report *hr)
{
	struct json_writer *w = st;
	json_t *o = jhost(hr);
	int rc = fputs(w->nhosts++ == 0 ? "\n    " : ",\n    ", w->out) == EOF ? -1 :
	    jw_dump_open(w->out, o, "    ");

	json_decref(o);
	if (rc == 0) {
		struct jevents *je = &w->events;

		je_puts(je, hr->nevents > 0 ? ",\n      \"events\": [" :
		    ",\n      \"events\": []");
		for (size_t i = 0; rc == 0 && i < hr->nevents; i++) {
			je_puts(je, i == 0 ? "\n        " : ",\n        ");
			rc = jevent_write(je, hr->events[i], 0);
		}
		je_puts(je, hr->nevents > 0 ? "\n      ]\n    }" : "\n    }");
		if (je_flush(je) != 0)
			rc = -1;
	}
	return rc < 0 || ferror(w->out) ? jw_fail() : NULL;
}

static struct au_error *
jw_close_hosts(struct json_writer *w)
{
	if (!w->in_hosts)
		return NULL;
	w->in_hosts = 0;
	if (fputs(w->nhosts > 0 ? "\n  ],\n  \"files\": [" : "],\n  \"files\": [",
	    w->out) == EOF)
		return jw_fail();
	return NULL;
}

static struct au_error *
jw_file(void *st, const struct au_file_stats *f)
{
	struct json_writer *w = st;
	struct au_error *err;
	json_t *o;
	int rc;

	if ((err = jw_close_hosts(w)) != NULL)
		return err;
	o = jfile(f);
	rc = fputs(w->nfiles++ == 0 ? "\n    " : ",\n    ", w->out) == EOF ? -1 :
	    jw_dump(w->out, o, "    ");
	json_decref(o);
	return rc < 0 || ferror(w->out) ? jw_fail() : NULL;
}

static struct au_error *
jw_end(void *st, const struct au_report *rep)
{
	struct json_writer *w = st;
	struct au_error *err;

	if ((err = jw_close_hosts(w)) != NULL)
		return err;
	if (fprintf(w->out, "%s],\n  \"other_files\": %zu\n}\n",
	    w->nfiles > 0 ? "\n  " : "", rep->other_files) < 0)
		return jw_fail();
	return render_check_io(w->out);
}

static void
jw_free(void *st)
{
	struct json_writer *w = st;

	jevents_free(&w->events);
	free(w);
}

void
render_json_writer(FILE *out, struct au_report_writer *w)
{
	struct json_writer *j = xcalloc(1, sizeof(*j));

	j->out = out;
	jevents_init(&j->events, out, 0);
	w->st = j;
	w->begin = jw_begin;
	w->host = jw_host;
	w->file = jw_file;
	w->end = jw_end;
	w->free = jw_free;
}

struct au_error *
render_report_json(FILE *out, const struct au_report *rep)
{
	struct au_report_writer w;

	render_json_writer(out, &w);
	return render_report_all(&w, rep);
}

/* --- export: one event a line -------------------------------------------- */

struct render_ndjson {
	struct jevents je;
};

struct render_ndjson *
render_ndjson_new(FILE *out)
{
	struct render_ndjson *w = xmalloc(sizeof(*w));

	jevents_init(&w->je, out, 1);
	return w;
}

struct au_error *
render_ndjson_end(struct render_ndjson *w)
{
	if (je_flush(&w->je) != 0)
		return au_error_new(AU_ERR_IO, NULL, "cannot write the export");
	return NULL;
}

void
render_ndjson_free(struct render_ndjson *w)
{
	if (w == NULL)
		return;
	jevents_free(&w->je);
	free(w);
}

struct au_error *
render_ndjson_event(struct render_ndjson *w, const struct au_event *ev)
{
	/* Compact: Jansson escapes control characters, so it stays one line. */
	int rc = jevent_write(&w->je, ev, 1);

	je_put(&w->je, "\n", 1);
	/* Written out in blocks; what is left, at the end (render_ndjson_end). */
	if (rc != 0 || (w->je.len > JE_BUF / 2 && je_flush(&w->je) != 0))
		return au_error_new(AU_ERR_IO, NULL, "cannot write the export");
	return NULL;
}
