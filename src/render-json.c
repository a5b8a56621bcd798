/* render-json.c: the report as one JSON document (the only user of Jansson). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "classify.h"
#include "render.h"
#include "xmalloc.h"

/* A string from event data; Jansson refuses invalid UTF-8, so repair it. */
static json_t *
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
static json_t *
juint(uint64_t v)
{
	return json_integer(v > INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v);
}

static json_t *
jtime(uint64_t filetime)
{
	char buf[32];

	return json_string(render_time(filetime, buf, sizeof(buf)));
}

/* A time, or null when the value is 0 and means "none". */
static json_t *
jtime_opt(uint64_t filetime, int present)
{
	return present ? jtime(filetime) : json_null();
}

static json_t *
jevent(const struct au_event *ev)
{
	json_t *o = json_object();
	const struct au_code *code = ev->code;

	json_object_set_new(o, "time", jtime(ev->time));
	json_object_set_new(o, "host", jstr(ev->host));
	json_object_set_new(o, "record_id", juint(ev->record_id));
	json_object_set_new(o, "event_id", json_integer(ev->event_id));
	json_object_set_new(o, "level", json_integer(ev->level));
	json_object_set_new(o, "provider", jstr(ev->provider));
	json_object_set_new(o, "result_code", jstr(ev->result_code));
	json_object_set_new(o, "detail", jstr(ev->detail));
	json_object_set_new(o, "category",
	    jstr(au_category_name(ev->category)));
	json_object_set_new(o, "known", json_boolean(code != NULL));
	json_object_set_new(o, "historical",
	    json_boolean(code != NULL && code->historical));
	json_object_set_new(o, "description",
	    jstr(code ? code->description : NULL));
	json_object_set_new(o, "remediation",
	    jstr(code ? code->remediation : NULL));
	json_object_set_new(o, "message", jstr(ev->message ? ev->message : ""));
	return o;
}

static json_t *
jhost(const struct au_host_report *hr)
{
	json_t *o = json_object(), *events = json_array(), *streak;
	size_t i;

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
	    hr->latest != NULL ? jevent(hr->latest) : json_null());
	if (hr->latest != NULL && hr->streak_count > 0) {
		streak = json_object();
		json_object_set_new(streak, "result_code",
		    jstr(hr->latest->result_code));
		json_object_set_new(streak, "count", juint(hr->streak_count));
		json_object_set_new(streak, "since", jtime(hr->streak_since));
	} else
		streak = json_null();
	json_object_set_new(o, "streak", streak);
	for (i = 0; i < hr->nevents; i++)
		json_array_append_new(events, jevent(hr->events[i]));
	json_object_set_new(o, "events", events);
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

	json_object_set_new(o, "path", jstr(st->path));
	json_object_set_new(o, "records", juint(st->records));
	json_object_set_new(o, "matched", juint(st->matched));
	json_object_set_new(o, "recovered", juint(st->recovered));
	json_object_set_new(o, "corrupt", juint(st->corrupt));
	json_object_set_new(o, "errors", jerrors(st->errors));
	return o;
}

struct au_error *
render_report_json(FILE *out, const struct au_report *rep)
{
	struct au_error *err = NULL;
	json_t *root = json_object(), *hosts = json_array(), *files = json_array();
	size_t i;

	for (i = 0; i < rep->nhosts; i++)
		json_array_append_new(hosts, jhost(rep->hosts[i]));
	for (i = 0; i < rep->nfiles; i++)
		json_array_append_new(files, jfile(&rep->files[i]));
	json_object_set_new(root, "hosts", hosts);
	json_object_set_new(root, "files", files);

	/* Jansson >= 2.8 keeps insertion order anyway; older ones need the flag. */
	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', out) == EOF) {
		err = au_error_new(AU_ERR_IO, NULL, "cannot write the JSON report");
		goto done;
	}
	err = render_check_io(out);
done:
	json_decref(root);
	return err;
}

/* --- export: one event a line -------------------------------------------- */

struct au_error *
render_event_ndjson(FILE *out, const struct au_event *ev)
{
	json_t *o = jevent(ev);
	int failed;

	json_object_set_new(o, "source_file", jstr(ev->source_file));
	json_object_set_new(o, "@timestamp", jtime(ev->time));
	/* Compact: Jansson escapes control characters, so it stays one line. */
	failed = json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', out) == EOF || ferror(out);
	json_decref(o);
	if (failed)
		return au_error_new(AU_ERR_IO, NULL, "cannot write the export");
	return NULL;
}

/* --- the fleet view ------------------------------------------------------ */

static json_t *
jresult(const struct au_event *ev)
{
	char *res = render_result(ev);
	json_t *j = jstr(res);

	free(res);
	return j;
}

static json_t *
jfleet_host(const struct au_host_report *hr, uint64_t now)
{
	json_t *o = json_object();
	uint64_t since = 0, count = 0;

	if (hr->latest != NULL)
		render_since(hr, &since, &count);
	json_object_set_new(o, "host", jstr(hr->host));
	json_object_set_new(o, "verdict", json_string(au_verdict_name(hr->verdict)));
	json_object_set_new(o, "since", jtime_opt(since, hr->latest != NULL));
	json_object_set_new(o, "days", hr->latest != NULL ?
	    juint(render_days(since, now)) : json_null());
	json_object_set_new(o, "results", juint(count));
	json_object_set_new(o, "attempts", juint(hr->attempts));
	json_object_set_new(o, "events_count", juint(hr->events_count));
	/* A server known only from installer events has no upgrade event. */
	json_object_set_new(o, "first_seen",
	    jtime_opt(hr->first_seen, hr->events_count > 0));
	json_object_set_new(o, "last_seen",
	    jtime_opt(hr->last_seen, hr->events_count > 0));
	json_object_set_new(o, "last_success",
	    jtime_opt(hr->last_success, hr->last_success != 0));
	json_object_set_new(o, "latest_result", jresult(hr->latest));
	json_object_set_new(o, "latest_category", jstr(hr->latest != NULL ?
	    au_category_name(hr->latest->category) : NULL));
	return o;
}

static json_t *
jfleet_list(const struct au_fleet_host *list, size_t n, uint64_t now)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "host", jstr(list[i].hr->host));
		json_object_set_new(o, "verdict",
		    json_string(au_verdict_name(list[i].hr->verdict)));
		json_object_set_new(o, "since", jtime(list[i].since));
		json_object_set_new(o, "days", juint(render_days(list[i].since, now)));
		json_object_set_new(o, "count", juint(list[i].count));
		json_object_set_new(o, "latest_result", jresult(list[i].hr->latest));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
jfleet_codes(const struct au_fleet *f)
{
	json_t *a = json_array();

	for (size_t i = 0; i < f->ncodes; i++) {
		const struct au_fleet_code *fc = &f->codes[i];
		json_t *o = json_object();

		json_object_set_new(o, "code", jstr(fc->code));
		json_object_set_new(o, "category", jstr(au_category_name(fc->category)));
		json_object_set_new(o, "known", json_boolean(fc->entry != NULL));
		json_object_set_new(o, "historical",
		    json_boolean(fc->entry != NULL && fc->entry->historical));
		json_object_set_new(o, "description",
		    jstr(fc->entry ? fc->entry->description : NULL));
		json_object_set_new(o, "remediation",
		    jstr(fc->entry ? fc->entry->remediation : NULL));
		json_object_set_new(o, "count", juint(fc->count));
		json_object_set_new(o, "hosts", juint(fc->hosts));
		json_object_set_new(o, "current", juint(fc->current));
		json_array_append_new(a, o);
	}
	return a;
}

struct au_error *
render_fleet_json(FILE *out, const struct au_report *rep,
    const struct au_fleet *f, const struct au_fleet_opts *fopts)
{
	struct au_error *err = NULL;
	json_t *root = json_object(), *verdicts = json_object(), *hosts = json_array();
	size_t i;

	for (i = 0; i < AU_VERDICT_COUNT; i++)
		json_object_set_new(verdicts, au_verdict_name((enum au_verdict)i),
		    juint(f->verdicts[i]));
	for (i = 0; i < rep->nhosts; i++)
		json_array_append_new(hosts, jfleet_host(rep->hosts[i], f->now));
	json_object_set_new(root, "now", jtime(f->now));
	json_object_set_new(root, "retry_days", juint(fopts->retry_days));
	json_object_set_new(root, "stale_days", juint(fopts->stale_days));
	json_object_set_new(root, "servers", juint(f->nhosts));
	json_object_set_new(root, "verdicts", verdicts);
	json_object_set_new(root, "hosts", hosts);
	json_object_set_new(root, "blocked", jfleet_list(f->blocked, f->nblocked, f->now));
	json_object_set_new(root, "retrying",
	    jfleet_list(f->retrying, f->nretrying, f->now));
	json_object_set_new(root, "stale", jfleet_list(f->stale, f->nstale, f->now));
	json_object_set_new(root, "never_succeeded",
	    jfleet_list(f->never, f->nnever, f->now));
	json_object_set_new(root, "codes", jfleet_codes(f));

	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', out) == EOF) {
		err = au_error_new(AU_ERR_IO, NULL, "cannot write the JSON report");
		goto done;
	}
	err = render_check_io(out);
done:
	json_decref(root);
	return err;
}

static json_t *
jcode_entry(const struct au_code *c)
{
	json_t *o = json_object();

	json_object_set_new(o, "code", json_string(c->code));
	json_object_set_new(o, "category", json_string(au_category_name(c->category)));
	json_object_set_new(o, "description", c->description != NULL ?
	    json_string(c->description) : json_null());
	json_object_set_new(o, "description_is_quoted", json_boolean(c->description != NULL));
	json_object_set_new(o, "older_description", c->older != NULL ?
	    json_string(c->older) : json_null());
	json_object_set_new(o, "source", c->source != NULL ? json_string(c->source) : json_null());
	json_object_set_new(o, "first_listed", c->first_listed != NULL ?
	    json_string(c->first_listed) : json_null());
	json_object_set_new(o, "last_listed", c->last_listed != NULL ?
	    json_string(c->last_listed) : json_null());
	json_object_set_new(o, "historical", json_boolean(c->historical));
	json_object_set_new(o, "remediation", json_string(c->remediation));
	return o;
}

struct au_error *
render_codes_json(FILE *out, const struct au_code *codes, size_t n,
    const char *asked, const char *detail)
{
	json_t *doc = json_object(), *arr;
	int rc;

	json_object_set_new(doc, "generator", json_string("aadc-upgrade"));
	if (asked == NULL) {
		arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, jcode_entry(&codes[i]));
		json_object_set_new(doc, "codes", arr);
	} else {
		enum au_category cat = classify_category(asked);
		json_object_set_new(doc, "asked", jstr(asked));
		json_object_set_new(doc, "known", json_boolean(n > 0));
		json_object_set_new(doc, "code", n > 0 ? jcode_entry(codes) : json_null());
		json_object_set_new(doc, "detail", jstr(detail));
		json_object_set_new(doc, "prefix_category",
		    n == 0 && cat != AU_CAT_NONE && cat != AU_CAT_OTHER ?
		    json_string(au_category_name(cat)) : json_null());
	}
	rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc != 0 || fputc('\n', out) == EOF)
		return au_error_new(AU_ERR_IO, NULL, "write failed");
	return NULL;
}

/* --- flat typed fields as one line (the bulk export's documents) ---------- */

struct au_error *
render_json_line(FILE *out, const struct render_field *fields, size_t n)
{
	json_t *root = json_object();
	int failed;

	for (size_t i = 0; i < n; i++) {
		const struct render_field *f = &fields[i];
		const char *name = f->name, *dot;
		json_t *obj = root, *v;

		if (f->type == RENDER_F_STRING && f->s == NULL)
			continue;
		while ((dot = strchr(name, '.')) != NULL) {
			char *key = xstrndup(name, (size_t)(dot - name));
			json_t *sub = json_object_get(obj, key);

			if (sub == NULL) {
				sub = json_object();
				json_object_set_new(obj, key, sub);
			}
			free(key);
			obj = sub;
			name = dot + 1;
		}
		switch (f->type) {
		case RENDER_F_STRING:
			v = jstr(f->s);
			break;
		case RENDER_F_UINT:
			v = juint(f->u);
			break;
		default:
			v = json_boolean(f->u != 0);
			break;
		}
		json_object_set_new(obj, name, v);
	}
	failed = json_dumpf(root, out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', out) == EOF || ferror(out);
	json_decref(root);
	if (failed)
		return au_error_new(AU_ERR_IO, NULL, "cannot write the export");
	return NULL;
}
