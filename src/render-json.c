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
