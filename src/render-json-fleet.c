/* render-json-fleet.c: the fleet view, the code catalog and flat one-line documents as JSON (with render-json.c, the only user of Jansson). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "classify.h"
#include "install.h"
#include "render.h"
#include "render-json-int.h"
#include "xmalloc.h"

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
	json_object_set_new(o, "streak", juint(count));
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
	json_object_set_new(o, "remediation", hr->latest != NULL &&
	    hr->latest->code != NULL ? jstr(hr->latest->code->remediation) : json_null());
	json_object_set_new(o, "installed_version", jstr(hr->build.installed_version));
	json_object_set_new(o, "support", json_string(releases_support_name(hr->build.support)));
	json_object_set_new(o, "auto_upgrade_releases_behind", hr->build.releases_behind >= 0 ?
	    json_integer(hr->build.releases_behind) : json_null());
	json_object_set_new(o, "log_records", juint(hr->log_records));
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
	json_t *head = json_object(), *tail = json_object(), *verdicts = json_object();
	char *text;
	size_t i;
	int rc;

	for (i = 0; i < AU_VERDICT_COUNT; i++)
		json_object_set_new(verdicts, au_verdict_name((enum au_verdict)i),
		    juint(f->verdicts[i]));
	jhead(head, rep);
	json_object_set_new(head, "summary", jsummary(rep));
	json_object_set_new(head, "now", jtime(f->now));
	json_object_set_new(head, "retry_days", juint(fopts->retry_days));
	json_object_set_new(head, "stale_days", juint(fopts->stale_days));
	json_object_set_new(head, "servers", juint(f->nhosts));
	json_object_set_new(head, "verdicts", verdicts);
	/* Then "hosts", written one at a time (5,000 servers are never one tree). */
	json_object_set_new(tail, "blocked", jfleet_list(f->blocked, f->nblocked, f->now));
	json_object_set_new(tail, "retrying",
	    jfleet_list(f->retrying, f->nretrying, f->now));
	json_object_set_new(tail, "stale", jfleet_list(f->stale, f->nstale, f->now));
	json_object_set_new(tail, "never_succeeded",
	    jfleet_list(f->never, f->nnever, f->now));
	json_object_set_new(tail, "codes", jfleet_codes(f));
	{
		json_t *support = json_object(), *builds = json_array();
		char d[32];

		for (i = 0; i < AU_SUPPORT_COUNT; i++)
			json_object_set_new(support,
			    releases_support_name((enum au_support)i), juint(f->support[i]));
		for (i = 0; i < f->nbuilds; i++) {
			json_t *b = json_object();

			json_object_set_new(b, "version", jstr(f->builds[i].version));
			json_object_set_new(b, "support",
			    json_string(releases_support_name(f->builds[i].support)));
			json_object_set_new(b, "hosts", juint(f->builds[i].hosts));
			json_array_append_new(builds, b);
		}
		json_object_set_new(tail, "support_as_of", f->support_now != 0 ?
		    json_string(render_date(f->support_now, d, sizeof(d))) : json_null());
		json_object_set_new(tail, "support", support);
		json_object_set_new(tail, "builds", builds);
	}

	/* The head without its closing "\n}", the hosts, the tail without its "{\n". */
	rc = jw_dump_open(out, head, "");
	if (rc == 0)
		rc = fputs(rep->nhosts > 0 ? ",\n  \"hosts\": [" : ",\n  \"hosts\": []",
		    out) == EOF ? -1 : 0;
	for (i = 0; rc == 0 && i < rep->nhosts; i++) {
		json_t *h = jfleet_host(rep->hosts[i], f->now);
		rc = fputs(i == 0 ? "\n    " : ",\n    ", out) == EOF ? -1 :
		    jw_dump(out, h, "    ");
		json_decref(h);
	}
	if (rc == 0 && rep->nhosts > 0)
		rc = fputs("\n  ]", out) == EOF ? -1 : 0;
	text = rc == 0 ? json_dumps(tail, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (rc == 0 && (text == NULL || strlen(text) < 2 ||
	    fprintf(out, ",%s\n", text + 1) < 0))
		rc = -1;
	free(text);
	json_decref(head);
	json_decref(tail);
	if (rc != 0)
		return au_error_new(AU_ERR_IO, NULL, "cannot write the JSON report");
	return render_check_io(out);
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

struct au_error *
render_fleet_ndjson(FILE *out, const struct au_report *rep)
{
	struct render_cell cells[RENDER_ROW_CELLS];

	for (size_t i = 0; i < rep->nhosts; i++) {
		json_t *o = json_object();
		size_t n = render_fleet_row(rep, rep->hosts[i], cells);
		int failed;

		for (size_t j = 0; j < n; j++) {
			json_t *v;
			if (cells[j].value == NULL)
				v = json_null();
			else if (cells[j].type == RENDER_CELL_NUM)
				v = json_integer((json_int_t)strtoll(cells[j].value, NULL, 10));
			else if (cells[j].type == RENDER_CELL_BOOL)
				v = json_boolean(strcmp(cells[j].value, "true") == 0);
			else
				v = jstr(cells[j].value);
			json_object_set_new(o, cells[j].name, v);
		}
		render_cells_free(cells, n);
		failed = json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 ||
		    fputc('\n', out) == EOF || ferror(out);
		json_decref(o);
		if (failed)
			return au_error_new(AU_ERR_IO, NULL, "cannot write the fleet view");
	}
	return NULL;
}
