/* form-json.c: Get-WinEvent | ConvertTo-Json (PowerShell 7 and 5.1), one array element at a time, with Jansson. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "input.h"
#include "localtime.h"
#include "xmalloc.h"

#define MAX_ELEMENT (UINT64_C(64) << 20)   /* one event's JSON; a bigger one is not an event */

struct json_read {
	struct input_ctx *c;
	char *el;
	size_t el_len, el_cap;
	uint64_t elements, broken;
	char *first_broken;
};

static void
note_broken(struct json_read *x, const char *why)
{
	x->broken++;
	x->c->st->records++;
	x->c->st->corrupt++;
	if (x->first_broken == NULL)
		x->first_broken = xasprintf("element %llu: %s",
		    (unsigned long long)x->elements, why);
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int
uint_of(json_t *o, const char *key, uint64_t max, uint64_t *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j) || json_integer_value(j) < 0 ||
	    (uint64_t)json_integer_value(j) > max)
		return 0;
	*v = (uint64_t)json_integer_value(j);
	return 1;
}

/* 7: "2016-06-20T03:12:44.1234567+02:00"; 5.1: "/Date(1466385164123)/" (ms since 1970, UTC). */
static int
json_time(struct json_read *x, json_t *t, uint64_t *ft)
{
	const char *s;
	long long ms;
	int n = 0;
	struct au_civil civ;
	enum au_date_order hint;

	if (json_is_object(t))
		t = json_object_get(t, "value");   /* 5.1 with DisplayHint */
	if ((s = json_string_value(t)) == NULL)
		return 0;
	if (sscanf(s, "/Date(%lld%n", &ms, &n) == 1) {
		const char *e = s + n;
		if ((*e == '+' || *e == '-') && strlen(e) >= 5)
			e += 5;   /* "/Date(ms+0200)/": the offset says how it was shown, ms are UTC */
		if (strcmp(e, ")/") != 0 || ms < -11644473600000LL)
			return 0;
		*ft = (uint64_t)((ms + 11644473600000LL) * 10000LL);
		return 1;
	}
	if (au_iso_offset_parse(s, strlen(s), ft))
		return 1;
	if (!au_local_date_parse(s, strlen(s), AU_DATE_UNKNOWN, &civ, &hint) ||
	    hint != AU_DATE_UNKNOWN || strchr(s, '/') != NULL)
		return 0;
	x->c->times_local = 1;
	return au_tz_to_utc(x->c->opts->tz, &civ, ft);
}

static struct au_error *
element(struct json_read *x)
{
	json_error_t jerr;
	json_t *o = json_loadb(x->el, x->el_len, 0, &jerr), *props;
	struct input_record rec;
	struct au_error *err = NULL;
	char **data = NULL;
	size_t ndata = 0;
	uint64_t id, v;

	x->elements++;
	memset(&rec, 0, sizeof(rec));
	if (o == NULL) {
		note_broken(x, jerr.text);
		goto done;
	}
	if (!json_is_object(o) || (rec.provider = str(o, "ProviderName")) == NULL ||
	    !uint_of(o, "Id", UINT32_MAX, &id)) {
		note_broken(x, "not an event (no ProviderName or Id)");
		goto done;
	}
	if (!json_time(x, json_object_get(o, "TimeCreated"), &rec.time)) {
		note_broken(x, "no TimeCreated that is a time");
		goto done;
	}
	rec.event_id = (uint32_t)id;
	if (uint_of(o, "RecordId", UINT64_MAX, &v))
		rec.record_id = v;
	if (uint_of(o, "Level", 255, &v))
		rec.level = (uint8_t)v;
	if (uint_of(o, "Qualifiers", UINT32_MAX, &v))
		rec.qualifiers = (uint32_t)v;
	rec.host = str(o, "MachineName");
	rec.channel = str(o, "LogName");
	rec.message = str(o, "Message");
	props = json_object_get(o, "Properties");
	if (json_is_array(props)) {
		size_t i;
		json_t *p;
		rec.has_data = 1;
		data = xcalloc(json_array_size(props) + 1, sizeof(*data));
		json_array_foreach(props, i, p) {
			json_t *val = json_is_object(p) ? json_object_get(p, "Value") : p;
			if (json_is_string(val))
				data[ndata++] = xstrdup(json_string_value(val));
			else if (json_is_integer(val))
				data[ndata++] = xasprintf("%lld", (long long)json_integer_value(val));
			else if (json_is_true(val) || json_is_false(val))
				data[ndata++] = xstrdup(json_is_true(val) ? "true" : "false");
			else
				data[ndata++] = xstrdup("");
		}
		rec.data = data;
		rec.ndata = ndata;
	}
	err = input_emit(x->c, &rec);
done:
	for (size_t i = 0; i < ndata; i++)
		free(data[i]);
	free(data);
	json_decref(o);
	return err;
}

static void
el_put(struct json_read *x, const char *p, size_t n)
{
	if (x->el_len + n + 1 > x->el_cap) {
		x->el_cap = (x->el_len + n + 1) * 2;
		x->el = xreallocarray(x->el, x->el_cap, 1);
	}
	memcpy(x->el + x->el_len, p, n);
	x->el_len += n;
}

/*
 * The top-level array is split into its elements by a scanner that knows
 * only strings and nesting; each element is parsed by Jansson on its own,
 * so memory holds one event, whatever the size of the file.
 */
struct au_error *
form_json_read(struct input_ctx *c, struct input_src *s)
{
	struct au_error *err = NULL;
	struct json_read x;
	char *buf = xmalloc(65536);
	ssize_t n;
	int depth = 0, in_str = 0, esc = 0, top_array = -1, done_top = 0;

	memset(&x, 0, sizeof(x));
	x.c = c;
	while ((n = input_src_read(s, buf, 65536, &err)) > 0) {
		size_t from = 0;
		for (size_t i = 0; i < (size_t)n; i++) {
			char ch = buf[i];
			if (in_str) {
				if (esc)
					esc = 0;
				else if (ch == '\\')
					esc = 1;
				else if (ch == '"')
					in_str = 0;
				continue;
			}
			if (ch == '"') {
				in_str = 1;
				continue;
			}
			if (ch == '[' || ch == '{') {
				if (depth == 0) {
					if (done_top) {
						err = au_error_new(AU_ERR_INPUT, c->name,
						    "JSON with more than one top-level value");
						goto done;
					}
					top_array = ch == '[';
					if (!top_array)
						from = i;   /* a single event: the object is the element */
				} else if (depth == 1 && top_array)
					from = i;
				depth++;
			} else if (ch == ']' || ch == '}') {
				if (depth == 0) {
					err = au_error_new(AU_ERR_INPUT, c->name, "JSON not well-formed");
					goto done;
				}
				depth--;
				if (depth == (top_array ? 1 : 0) && (top_array ? ch == '}' : 1)) {
					el_put(&x, buf + from, i + 1 - from);
					if ((err = element(&x)) != NULL)
						goto done;
					x.el_len = 0;
					from = i + 1;
				}
				if (depth == 0)
					done_top = 1;
			}
		}
		if (depth >= (top_array ? 2 : 1) && from < (size_t)n) {
			if (x.el_len + ((size_t)n - from) > MAX_ELEMENT) {
				err = au_error_new(AU_ERR_INPUT, c->name,
				    "a JSON element over %llu MiB: not an event export",
				    (unsigned long long)(MAX_ELEMENT >> 20));
				goto done;
			}
			el_put(&x, buf + from, (size_t)n - from);
		}
	}
	if (err != NULL)
		goto done;
	if (depth != 0 || in_str)
		err = au_error_new(AU_ERR_INPUT, c->name,
		    "truncated JSON: the file ends inside an event (after %llu event(s))",
		    (unsigned long long)x.elements);
	else if (x.broken > 0)
		err = au_error_new(AU_ERR_INPUT, c->name, "%llu broken element(s) skipped (first: %s)",
		    (unsigned long long)x.broken, x.first_broken);
done:
	free(x.first_broken);
	free(x.el);
	free(buf);
	return err;
}
