/* evtxgen: writes .evtx files, as the Windows event log service writes them for classic
   event sources, from a JSON description. See tools/EVTXGEN-SPEC.md. */
#define _POSIX_C_SOURCE 200809L
#include "evtxgen.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	ev_t ev;
	long long count;	/* repeat count */
	uint64_t every;		/* ticks */
	int has_rid;
	char **data8;
	uint16_t *arr16;
} jrec_t;

typedef struct {
	jrec_t *v;
	size_t n;
} jrecs_t;

static jrecs_t g_recs, g_slack;
static int *g_slack_chunk;
static json_t *g_root;
static faults_t g_faults;

static void free_jrecs(jrecs_t *r)
{
	for (size_t i = 0; i < r->n; i++) {
		for (size_t k = 0; r->v[i].data8 && k < r->v[i].ev.ndata; k++)
			free(r->v[i].data8[k]);
		free(r->v[i].data8);
		free(r->v[i].arr16);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

static void cleanup(void)
{
	free_jrecs(&g_recs);
	free_jrecs(&g_slack);
	free(g_slack_chunk);
	free(g_faults.bad_records_crc);
	free(g_faults.bad_chunk_header_crc);
	free(g_faults.bad_chunk_magic);
	if (g_root)
		json_decref(g_root);
	g_root = NULL;
	intern_free_all();
}

static int ignored_key(const char *k)
{
	return k[0] == '_' || !strcmp(k, "comment") || !strcmp(k, "description");
}

static void check_keys(json_t *o, const char *where, const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		int ok = ignored_key(k);
		for (const char *const *a = allowed; !ok && *a; a++)
			ok = !strcmp(*a, k);
		if (!ok)
			die("%s: unknown key \"%s\"", where, k);
	}
}

static long long get_int(json_t *o, const char *key, const char *where, long long lo, long long hi, long long def,
			 int required)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		if (required)
			die("%s: missing key \"%s\"", where, key);
		return def;
	}
	if (!json_is_integer(v))
		die("%s: \"%s\" must be an integer", where, key);
	long long x = json_integer_value(v);
	if (x < lo || x > hi)
		die("%s: \"%s\" out of range (%lld..%lld)", where, key, lo, hi);
	return x;
}

static const char *get_str(json_t *o, const char *key, const char *where, const char *def, int required)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		if (required)
			die("%s: missing key \"%s\"", where, key);
		return def;
	}
	if (!json_is_string(v))
		die("%s: \"%s\" must be a string", where, key);
	return json_string_value(v);
}

static int get_bool(json_t *o, const char *key, const char *where, int def)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return def;
	if (!json_is_boolean(v))
		die("%s: \"%s\" must be true or false", where, key);
	return json_is_true(v);
}

static uint64_t parse_every(const char *s, const char *where)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	if (end == s || errno || s[0] == '-')
		die("%s: repeat.every \"%s\" must be like 30s, 5m, 2h, 1d", where, s);
	uint64_t mul;
	switch (*end) {
	case 's': case '\0': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	default: die("%s: repeat.every \"%s\" must be like 30s, 5m, 2h, 1d", where, s);
	}
	if (*end && end[1])
		die("%s: repeat.every \"%s\" must be like 30s, 5m, 2h, 1d", where, s);
	if (n > 100000ULL * 366 * 86400 / mul)
		die("%s: repeat.every too large", where);
	return n * mul * 10000000ULL;
}

static uint64_t parse_keywords(json_t *v, const char *where)
{
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			die("%s: \"keywords\" must not be negative", where);
		return (uint64_t)json_integer_value(v);
	}
	if (!json_is_string(v))
		die("%s: \"keywords\" must be a hex string like \"0x80000000000000\"", where);
	const char *s = json_string_value(v);
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2] || strlen(s) > 18)
		die("%s: \"keywords\" must be a hex string like \"0x80000000000000\"", where);
	uint64_t k = 0;
	for (const char *p = s + 2; *p; p++) {
		int d;
		if (*p >= '0' && *p <= '9') d = *p - '0';
		else if (*p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F') d = *p - 'A' + 10;
		else die("%s: \"keywords\" must be a hex string like \"0x80000000000000\"", where);
		k = k << 4 | (uint64_t)d;
	}
	return k;
}

static const char *const rec_keys[] = { "time", "provider", "event_id", "qualifiers", "level", "task", "keywords",
					"computer", "channel", "record_id", "data", "direct", "repeat", NULL };

static void parse_record(json_t *o, jrec_t *r, const char *where, const estr_t *comp, const estr_t *chan,
			 int direct_default, int allow_repeat)
{
	memset(r, 0, sizeof *r);
	if (!json_is_object(o))
		die("%s: must be an object", where);
	check_keys(o, where, rec_keys);
	const char *t = get_str(o, "time", where, NULL, 1);
	if (parse_time(t, &r->ev.ft))
		die("%s: bad \"time\" \"%s\" (want RFC 3339 UTC like 2016-06-27T10:15:00.1234567Z)", where, t);
	const char *prov = get_str(o, "provider", where, NULL, 1);
	if (!*prov)
		die("%s: \"provider\" must not be empty", where);
	r->ev.prov = intern(prov);
	r->ev.event_id = (uint16_t)get_int(o, "event_id", where, 0, 65535, 0, 1);
	r->ev.qualifiers = (uint16_t)get_int(o, "qualifiers", where, 0, 65535, 0, 0);
	r->ev.level = (uint8_t)get_int(o, "level", where, 0, 255, 4, 0);
	r->ev.task = (uint16_t)get_int(o, "task", where, 0, 65535, 0, 0);
	json_t *kw = json_object_get(o, "keywords");
	r->ev.keywords = (kw && !json_is_null(kw)) ? parse_keywords(kw, where) : 0x80000000000000ULL;
	const char *c = get_str(o, "computer", where, NULL, 0);
	r->ev.comp = c ? intern(c) : comp;
	c = get_str(o, "channel", where, NULL, 0);
	r->ev.chan = c ? intern(c) : chan;
	json_t *rid = json_object_get(o, "record_id");
	if (rid && !json_is_null(rid)) {
		r->has_rid = 1;
		r->ev.rid = (uint64_t)get_int(o, "record_id", where, 0, INT64_MAX, 0, 1);
	}
	r->ev.direct = get_bool(o, "direct", where, direct_default);
	r->ev.tkey = tkey_get(r->ev.prov, r->ev.chan, r->ev.comp);

	json_t *d = json_object_get(o, "data");
	size_t nd = 0, units = 0;
	if (d && !json_is_null(d)) {
		if (!json_is_array(d))
			die("%s: \"data\" must be an array of strings", where);
		nd = json_array_size(d);
		for (size_t i = 0; i < nd; i++) {
			json_t *s = json_array_get(d, i);
			if (!json_is_string(s))
				die("%s: \"data\"[%zu] must be a string", where, i);
			units += json_string_length(s) + 1;
		}
	}
	r->data8 = xmalloc((nd ? nd : 1) * sizeof(char *));
	r->arr16 = xmalloc((units ? units : 1) * sizeof(uint16_t));
	size_t at = 0;
	for (size_t i = 0; i < nd; i++) {
		json_t *s = json_array_get(d, i);
		r->data8[i] = xstrdup(json_string_value(s));
		r->ev.ndata = i + 1;
		if (memchr(json_string_value(s), 0, json_string_length(s)))
			die("%s: \"data\"[%zu] contains NUL", where, i);
		long k = utf8_to_16(json_string_value(s), json_string_length(s), r->arr16 + at, units - at);
		if (k < 0)
			die("%s: \"data\"[%zu]: invalid UTF-8", where, i);
		at += (size_t)k;
		r->arr16[at++] = 0;
	}
	r->ev.ndata = nd;
	r->ev.data8 = (const char *const *)r->data8;
	r->ev.arr16 = r->arr16;
	r->ev.arr16_n = at;
	if (at * 2 > 65535)
		die("%s: \"data\" too long (%zu bytes of UTF-16, max 65535)", where, at * 2);

	r->count = 1;
	json_t *rp = json_object_get(o, "repeat");
	if (rp && !json_is_null(rp)) {
		if (!allow_repeat)
			die("%s: \"repeat\" is not allowed here", where);
		if (!json_is_object(rp))
			die("%s: \"repeat\" must be an object", where);
		static const char *const rk[] = { "count", "every", NULL };
		check_keys(rp, where, rk);
		r->count = get_int(rp, "count", where, 0, 1000000000LL, 1, 1);
		json_t *ev = json_object_get(rp, "every");
		if (!ev || json_is_null(ev))
			r->every = 0;
		else if (json_is_integer(ev) && json_integer_value(ev) >= 0)
			r->every = (uint64_t)json_integer_value(ev) * 10000000ULL;
		else if (json_is_string(ev))
			r->every = parse_every(json_string_value(ev), where);
		else
			die("%s: repeat.every must be like \"1d\"", where);
	}
}

static int *int_list(json_t *f, const char *key, size_t *n)
{
	json_t *v = json_object_get(f, key);
	*n = 0;
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_integer(v)) {
		int *l = xmalloc(sizeof(int));
		if (json_integer_value(v) < 0 || json_integer_value(v) > 0x7FFFFFFF)
			die("faults: \"%s\" entries must be chunk indexes >= 0", key);
		l[0] = (int)json_integer_value(v);
		*n = 1;
		return l;
	}
	if (!json_is_array(v))
		die("faults: \"%s\" must be an array of chunk indexes", key);
	size_t m = json_array_size(v);
	int *l = xmalloc((m ? m : 1) * sizeof(int));
	for (size_t i = 0; i < m; i++) {
		json_t *x = json_array_get(v, i);
		if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 0x7FFFFFFF)
			die("faults: \"%s\" entries must be chunk indexes >= 0", key);
		l[i] = (int)json_integer_value(x);
	}
	*n = m;
	return l;
}

static void usage(void)
{
	fprintf(stderr, "usage: evtxgen [-o OUT.evtx] DESC.json\n       evtxgen --expand DESC.json\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *out = NULL, *in = NULL;
	int expand = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--expand"))
			expand = 1;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			usage();
		else if (argv[i][0] == '-' && argv[i][1])
			usage();
		else if (!in)
			in = argv[i];
		else
			usage();
	}
	if (!in)
		usage();
	g_file = in;
	atexit(cleanup);

	json_error_t err;
	g_root = json_load_file(in, JSON_REJECT_DUPLICATES, &err);
	if (!g_root) {
		if (err.line > 0)
			die("line %d: %s", err.line, err.text);
		die("%s", err.text);
	}
	if (!json_is_object(g_root))
		die("top level must be an object");
	static const char *const top_keys[] = { "computer", "channel", "first_record_id", "direct", "records_per_chunk",
						"faults", "records", "realistic", NULL };
	check_keys(g_root, "top level", top_keys);
	const estr_t *comp = intern(get_str(g_root, "computer", "top level", "AADC01.contoso.local", 0));
	const estr_t *chan = intern(get_str(g_root, "channel", "top level", "Application", 0));
	uint64_t seq = (uint64_t)get_int(g_root, "first_record_id", "top level", 0, INT64_MAX, 1, 0);
	int direct = get_bool(g_root, "direct", "top level", 0);
	g_faults.records_per_chunk = (long)get_int(g_root, "records_per_chunk", "top level", 1, 1000000, 0, 0);
	g_faults.truncate = -1;

	json_t *recs = json_object_get(g_root, "records");
	json_t *real = json_object_get(g_root, "realistic");
	if ((!recs || json_is_null(recs)) && (!real || json_is_null(real)))
		die("missing key \"records\" (or \"realistic\")");
	if (recs && !json_is_null(recs)) {
		if (!json_is_array(recs))
			die("\"records\" must be an array");
		g_recs.n = 0;
		g_recs.v = xmalloc((json_array_size(recs) + 1) * sizeof(jrec_t));
		for (size_t i = 0; i < json_array_size(recs); i++) {
			char where[64];
			snprintf(where, sizeof where, "records[%zu]", i);
			memset(&g_recs.v[i], 0, sizeof g_recs.v[i]);
			g_recs.n = i + 1;	/* owned from here on, freed at exit even if parsing fails */
			parse_record(json_array_get(recs, i), &g_recs.v[i], where, comp, chan, direct, 1);
		}
	}
	/* numbering of live records from "records" (slack records continue after them) */
	uint64_t after = seq;
	for (size_t i = 0; i < g_recs.n; i++) {
		if (g_recs.v[i].has_rid)
			after = g_recs.v[i].ev.rid;
		after += (uint64_t)g_recs.v[i].count;
	}

	json_t *f = json_object_get(g_root, "faults");
	if (f && !json_is_null(f)) {
		if (!json_is_object(f))
			die("\"faults\" must be an object");
		static const char *const fk[] = { "dirty", "full", "bad_header_crc", "bad_records_crc",
						  "bad_chunk_header_crc", "bad_chunk_magic", "truncate", "slack", NULL };
		check_keys(f, "faults", fk);
		g_faults.dirty = get_bool(f, "dirty", "faults", 0);
		g_faults.full = get_bool(f, "full", "faults", 0);
		g_faults.bad_header_crc = get_bool(f, "bad_header_crc", "faults", 0);
		g_faults.truncate = get_int(f, "truncate", "faults", 0, INT64_MAX, -1, 0);
		g_faults.bad_records_crc = int_list(f, "bad_records_crc", &g_faults.n_bad_records_crc);
		g_faults.bad_chunk_header_crc = int_list(f, "bad_chunk_header_crc", &g_faults.n_bad_chunk_header_crc);
		g_faults.bad_chunk_magic = int_list(f, "bad_chunk_magic", &g_faults.n_bad_chunk_magic);
		json_t *sl = json_object_get(f, "slack");
		if (sl && !json_is_null(sl)) {
			if (!json_is_array(sl))
				die("faults: \"slack\" must be an array of {\"chunk\": N, \"records\": [...]}");
			size_t total = 0;
			for (size_t i = 0; i < json_array_size(sl); i++) {
				json_t *e = json_array_get(sl, i);
				json_t *r = json_is_object(e) ? json_object_get(e, "records") : NULL;
				if (!json_is_object(e) || !json_is_array(r))
					die("faults.slack[%zu]: must be {\"chunk\": N, \"records\": [...]}", i);
				total += json_array_size(r);
			}
			g_slack.v = xmalloc((total + 1) * sizeof(jrec_t));
			g_slack_chunk = xmalloc((total + 1) * sizeof(int));
			uint64_t sseq = after;
			for (size_t i = 0; i < json_array_size(sl); i++) {
				json_t *e = json_array_get(sl, i);
				char where[80];
				snprintf(where, sizeof where, "faults.slack[%zu]", i);
				static const char *const sk[] = { "chunk", "records", NULL };
				check_keys(e, where, sk);
				int ch = (int)get_int(e, "chunk", where, 0, 0x7FFFFFFF, 0, 1);
				json_t *r = json_object_get(e, "records");
				for (size_t k = 0; k < json_array_size(r); k++) {
					snprintf(where, sizeof where, "faults.slack[%zu].records[%zu]", i, k);
					jrec_t *jr = &g_slack.v[g_slack.n];
					memset(jr, 0, sizeof *jr);
					g_slack_chunk[g_slack.n] = ch;
					g_slack.n++;
					parse_record(json_array_get(r, k), jr, where, comp, chan, direct, 0);
					if (jr->has_rid)
						sseq = jr->ev.rid;
					jr->ev.rid = sseq++;
				}
			}
		}
	}

	realistic_t rl;
	int have_real = 0;
	memset(&rl, 0, sizeof rl);
	if (real && !json_is_null(real)) {
		if (!json_is_object(real))
			die("\"realistic\" must be an object");
		static const char *const rk[] = { "seed", "start", "days", "events_per_day", "upgrade_events_per_day",
						  "computer", "target_bytes", "channel", NULL };
		check_keys(real, "realistic", rk);
		rl.seed = (uint64_t)get_int(real, "seed", "realistic", 0, INT64_MAX, 42, 0);
		const char *st = get_str(real, "start", "realistic", "2024-01-01T00:00:00Z", 0);
		if (parse_time(st, &rl.start_ft))
			die("realistic: bad \"start\" \"%s\"", st);
		rl.days = (long)get_int(real, "days", "realistic", 0, 100000, 120, 0);
		rl.events_per_day = (long)get_int(real, "events_per_day", "realistic", 0, 10000000, 3000, 0);
		rl.upg_min = 1;
		rl.upg_max = 4;
		json_t *u = json_object_get(real, "upgrade_events_per_day");
		if (u && !json_is_null(u)) {
			if (json_is_integer(u)) {
				rl.upg_min = rl.upg_max = (long)json_integer_value(u);
			} else if (json_is_array(u) && json_array_size(u) == 2 && json_is_integer(json_array_get(u, 0)) &&
				   json_is_integer(json_array_get(u, 1))) {
				rl.upg_min = (long)json_integer_value(json_array_get(u, 0));
				rl.upg_max = (long)json_integer_value(json_array_get(u, 1));
			} else
				die("realistic: \"upgrade_events_per_day\" must be [min, max]");
			if (rl.upg_min < 0 || rl.upg_max < rl.upg_min || rl.upg_max > 1000)
				die("realistic: \"upgrade_events_per_day\" must be [min, max] with 0 <= min <= max <= 1000");
		}
		rl.computer = get_str(real, "computer", "realistic", comp->u8, 0);
		rl.channel = get_str(real, "channel", "realistic", chan->u8, 0);
		rl.target_bytes = (unsigned long long)get_int(real, "target_bytes", "realistic", 0, INT64_MAX, 0, 0);
		have_real = 1;
	}

	int fd = -1;
	char *outbuf = NULL;
	if (!expand) {
		if (!out) {
			size_t n = strlen(in);
			outbuf = xmalloc(n + 6);
			memcpy(outbuf, in, n + 1);
			if (n > 5 && !strcmp(in + n - 5, ".json"))
				outbuf[n - 5] = 0;
			strcat(outbuf, ".evtx");
			out = outbuf;
		}
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			free(outbuf);
			die("cannot create %s: %s", out, strerror(errno));
		}
		g_out_created = out;
	}
	writer_t *w = writer_new(fd, expand ? stdout : NULL, &g_faults);
	for (size_t i = 0; i < g_slack.n; i++)
		writer_add_slack(w, g_slack_chunk[i], &g_slack.v[i].ev);
	for (size_t i = 0; i < g_recs.n; i++) {
		jrec_t *r = &g_recs.v[i];
		if (r->has_rid)
			seq = r->ev.rid;
		ev_t ev = r->ev;
		for (long long k = 0; k < r->count; k++) {
			ev.rid = seq++;
			ev.ft = r->ev.ft + (uint64_t)k * r->every;
			writer_emit(w, &ev);
		}
	}
	if (have_real) {
		rl.first_rid = seq;
		seq = realistic_run(w, &rl);
	}
	writer_finish(w);
	writer_free(w);
	if (fd >= 0 && close(fd) != 0)
		die("cannot write %s: %s", out, strerror(errno));
	g_out_created = NULL;
	free(outbuf);
	if (expand && (fflush(stdout) != 0 || ferror(stdout)))
		die("write error on standard output");
	return 0;
}
