/* pipeline.c: the one path from input files to stored events, and from stored events to reports. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify.h"
#include "input.h"
#include "pipeline.h"
#include "render.h"
#include "xmalloc.h"

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sink_state {
	struct au_store *store;
	int64_t file_id;            /* the file's row, or its open member's */
	int64_t archive_id;         /* the file's row while a member is open */
	struct au_file_stats *st;
	/* Progress on a terminal: shown once the import has run a second. */
	int progress, shown;
	double start, last_shown, after;   /* after: seconds before the first line */
	size_t index, nfiles;
	uint64_t bytes_total;       /* of every file, as stat saw them at the start */
	uint64_t bytes_before;      /* of the files before this one */
	uint64_t *sizes;            /* each file's, from the same stat */
};

static struct au_error *
sink_event(void *arg, struct au_event *ev)
{
	struct sink_state *s = arg;
	struct au_error *err;
	int is_new = 0;

	/* Classified by sink.prepare, on the reading thread. */
	err = store_add_event(s->store, s->file_id, ev, &is_new);
	if (err == NULL) {
		if (is_new)
			s->st->events_new++;
		else
			s->st->events_known++;
	}
	au_event_free(ev);
	return err;
}

/* "1.2 GB", "350 MB", "12 kB": decimal units, as the rate. */
static void
human_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : v < 10 ? "%.1f %s" : "%.0f %s", v,
	    unit[u]);
}

/*
 * The progress line, on a terminal once the work has run a second
 * ($AADC_UPGRADE_PROGRESS_AFTER seconds), at most ten times a second: files, bytes of all, rate, time left, and
 * the file being read.
 */
static void
sink_progress(void *arg, uint64_t done, uint64_t total)
{
	struct sink_state *s = arg;
	double now = now_seconds(), secs = now - s->start, rate;
	uint64_t at, all;
	char a[16], b[16], r[16], left[32], *name, *line;
	const char *tail;
	struct winsize ws;
	size_t width = 80, room;

	if (!s->progress || secs < s->after || now - s->last_shown < 0.1)
		return;
	s->last_shown = now;
	/* This file's share: its size as stat saw it, whatever the reader counts in. */
	if (total != 0 && done > total)
		done = total;
	at = s->bytes_before + (total != 0 ? (uint64_t)((double)done / (double)total *
	    (double)s->sizes[s->index]) : 0);
	all = s->bytes_total > at ? s->bytes_total : at;
	rate = (double)at / secs;
	human_bytes(at, a, sizeof(a));
	human_bytes(all, b, sizeof(b));
	human_bytes((uint64_t)rate, r, sizeof(r));
	if (rate > 0 && all > at) {
		double t = (double)(all - at) / rate;
		if (t < 60)
			snprintf(left, sizeof(left), "%.0f s left", t + 0.5);
		else if (t < 3600)
			snprintf(left, sizeof(left), "%.0f min left", t / 60 + 0.5);
		else
			snprintf(left, sizeof(left), "%.1f h left", t / 3600);
	} else
		snprintf(left, sizeof(left), "almost done");
	line = xasprintf("reading %zu/%zu files, %s of %s (%.0f%%), %s/s, %s",
	    s->index + 1, s->nfiles, a, b, all > 0 ? (double)at * 100 / (double)all :
	    100.0, r, left);
	/* The file's name last, cut so that the line stays on one row. */
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		width = ws.ws_col;
	room = width > strlen(line) + 3 ? width - strlen(line) - 3 : 0;
	name = room >= 8 ? render_escape(s->st->path, 0, RENDER_ESC_TEXT) : NULL;
	tail = name;
	if (name != NULL && strlen(name) > room) {
		/* Its end, which names the file: "...Logs/Application.evtx". */
		tail = name + strlen(name) - (room - 3);
		while ((*tail & 0xC0) == 0x80)
			tail++;     /* never half a character */
	}
	fprintf(stderr, "\r\033[K%s%s%s%s", line, name != NULL ? ": " : "",
	    tail != name ? "..." : "", tail != NULL ? tail : "");
	free(name);
	free(line);
	s->shown = 1;
}

static struct au_error *
sink_install(void *arg, struct au_install *in)
{
	struct sink_state *s = arg;
	struct au_error *err;
	int is_new = 0;

	err = store_add_install(s->store, s->file_id, in, &is_new);
	au_install_free(in);
	return err;
}

static struct au_error *
sink_related(void *arg, const struct au_related *r)
{
	struct sink_state *s = arg;

	return store_add_related(s->store, r->host, r->provider, r->event_id,
	    r->time, r->record_id);
}

static struct au_error *
sink_chunk(void *arg, uint64_t k, const struct au_chunk_sums *sums,
    uint64_t events, int *known, struct au_chunk_sums *before, int *had)
{
	struct sink_state *s = arg;

	return store_chunk(s->store, k, sums, events, known, before, had);
}

static struct au_error *
sink_member_begin(void *arg, const char *name)
{
	struct sink_state *s = arg;
	int64_t id;
	struct au_error *err = store_member_begin(s->store, s->file_id, name, &id);

	if (err == NULL) {
		s->archive_id = s->file_id;
		s->file_id = id;
	}
	return err;
}

static struct au_error *
sink_member_end(void *arg, const struct au_file_stats *m)
{
	struct sink_state *s = arg;
	int64_t id = s->file_id;

	s->file_id = s->archive_id;
	return store_member_end(s->store, id, m);
}

/*
 * What import says of a file its history had imported from the same path
 * before (prev), now that it is read again (st): "" when never; else its
 * digest compared with that import's, and the chunks not read again.
 */
static char *
import_again(const struct store_previous *prev, const struct au_file_stats *st)
{
	const char *how;
	char *when, *line;

	if (!prev->found)
		return xstrdup("");
	if (st->sha256[0] != '\0' && strcmp(st->sha256, prev->sha256) == 0)
		how = "the same bytes as at its import of";
	else if (st->size > prev->size && prev->chunks_known > 0)
		how = "grew since its import of";
	else
		how = "changed since its import of";
	/* Written by us, but read from a file anyone may have edited. */
	when = render_escape(prev->imported_at, 0, RENDER_ESC_TEXT);
	if (prev->chunks_known == 0)
		line = xasprintf("; %s %s: read again", how, when);
	else
		line = xasprintf("; %s %s: %llu chunk%s unchanged, not read again",
		    how, when, (unsigned long long)prev->chunks_known,
		    prev->chunks_known == 1 ? "" : "s");
	free(when);
	return line;
}

struct au_error *
pipeline_collect(struct au_store *store, char *const *paths, size_t npaths,
    const struct au_ingest_opts *opts, struct cmd_ctx *ctx, int verbose,
    int progress, struct pipeline_totals *totals)
{
	struct au_error *err = NULL, *ferr;
	struct au_file_stats st;
	struct store_previous prev;
	struct sink_state s;
	struct au_ingest_sink sink = { .event = sink_event, .install = sink_install,
	    .arg = &s, .progress = sink_progress, .related = sink_related,
	    .member_begin = sink_member_begin, .member_end = sink_member_end,
	    .prepare = classify_event, .keeps_no_events = 1, .chunk = sink_chunk };
	char **files = NULL;
	size_t nfiles = 0;

	memset(totals, 0, sizeof(*totals));
	memset(&st, 0, sizeof(st));
	memset(&s, 0, sizeof(s));
	s.progress = progress;
	s.start = now_seconds();
	s.after = 1.0;
	{
		const char *env = getenv("AADC_UPGRADE_PROGRESS_AFTER");
		char *end;
		double v = env != NULL ? strtod(env, &end) : -1;

		if (env != NULL && end != env && *end == '\0' && v >= 0 && v <= 3600)
			s.after = v;
	}
	input_expand_paths(paths, npaths, &files, &nfiles, &totals->passed_over,
	    &ctx->warnings);
	totals->files = nfiles;
	s.nfiles = nfiles;

	s.sizes = xcalloc(nfiles + 1, sizeof(*s.sizes));
	for (size_t i = 0; progress && i < nfiles; i++) {
		struct stat sb;
		if (stat(files[i], &sb) == 0 && S_ISREG(sb.st_mode))
			s.bytes_total += s.sizes[i] = (uint64_t)sb.st_size;
	}
	for (size_t i = 0; i < nfiles; i++) {
		if (i > 0)
			s.bytes_before += s.sizes[i - 1];
		s.index = i;
		memset(&st, 0, sizeof(st));
		st.path = xstrdup(files[i]);
		s.store = store;
		s.st = &st;
		{
			/* Imported before and unchanged since: not read again. */
			uint64_t known = 0;
			int same = 0;

			if ((err = store_file_unchanged(store, files[i], &same,
			    &known)) != NULL)
				goto done;
			if (same) {
				totals->files_read++;
				totals->events_known += known;
				if (verbose) {
					char *name = render_escape(st.path, 0,
					    RENDER_ESC_TEXT);

					if (s.shown)
						fputs("\r\033[K", stderr);
					printf("%s: 0 new, %llu already known (unchanged"
					    " since its import: not read again)\n",
					    name, (unsigned long long)known);
					free(name);
				}
				au_file_stats_clear(&st);
				continue;
			}
		}
		if ((err = store_file_begin(store, &st, &s.file_id)) != NULL)
			goto done;
		ferr = input_file(files[i], opts, &sink, &st);
		store_file_previous(store, &prev);
		if (ferr != NULL && ferr->kind != AU_ERR_INPUT) {
			/* The database failed: nothing of this file stays. */
			store_file_rollback(store);
			err = ferr;
			goto done;
		}
		if ((err = store_file_commit(store, s.file_id, &st)) != NULL) {
			au_error_free(ferr);
			goto done;
		}
		if (ferr != NULL)
			totals->files_failed++;
		if (ferr == NULL || st.records > 0)
			totals->files_read++;
		au_error_append(&ctx->warnings, ferr);
		if (st.times_utc)
			au_error_append(&ctx->notices, au_error_new(AU_ERR_INPUT,
			    st.path, "times without an offset read as UTC (give "
			    "--timezone ZONE if they are local times)"));
		totals->records += st.records;
		totals->matched += st.matched;
		totals->installs += st.installs;
		totals->passed_over += st.passed_over;
		totals->events_new += st.events_new;
		totals->events_known += st.events_known;
		if (verbose) {
			char *name = render_escape(st.path, 0, RENDER_ESC_TEXT);
			char *since = import_again(&prev, &st);

			if (s.shown)
				fputs("\r\033[K", stderr);
			printf("%s: %llu new, %llu already known (%llu records read%s%s)\n",
			    name, (unsigned long long)st.events_new,
			    (unsigned long long)st.events_known,
			    (unsigned long long)st.records,
			    st.errors != NULL ? "; damaged" : "", since);
			free(since);
			free(name);
		}
		au_file_stats_clear(&st);
	}
done:
	if (s.shown)
		fputs("\r\033[K", stderr);
	au_file_stats_clear(&st);
	input_free_paths(files, nfiles);
	free(s.sizes);
	return err;
}

/* --- reports: summaries first, then one host at a time ------------------ */

struct au_error *
pipeline_catalog(const struct cmd_common *c, struct au_catalog **cat,
    struct cmd_ctx *ctx)
{
	struct au_error *err;
	const char *path = c->releases != NULL ? c->releases : releases_default_path();
	char exe[4096], *alt = NULL;
	ssize_t n;

	*cat = NULL;
	err = releases_load(path, cat);
	if (err == NULL || c->releases != NULL || getenv("AADC_UPGRADE_RELEASES") != NULL)
		return err;
	/* Not installed yet (run from the build tree): the copy beside it. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			alt = xasprintf("%s/../data/releases.tsv", exe);
		}
	}
	if (alt != NULL && access(alt, R_OK) == 0) {
		au_error_free(err);
		err = releases_load(alt, cat);
	}
	free(alt);
	if (err != NULL) {
		/* Without a catalog the report still stands; say so once. */
		au_error_append(&ctx->warnings, au_error_new(AU_ERR_INPUT, err->where,
		    "%s; support status is unknown (give --releases FILE)", err->msg));
		au_error_free(err);
		*cat = NULL;
	}
	return NULL;
}

struct summary_state {
	struct au_report *rep;
	const struct au_catalog *cat;
	uint64_t support_now;
};

static struct au_error *
add_summary(void *arg, struct au_host_report *hr)
{
	struct summary_state *s = arg;

	if (hr->latest == NULL)
		hr->verdict = hr->events_count == 0 ? AU_VERDICT_SILENT :
		    AU_VERDICT_NO_RESULT;
	analyse_host_build(hr, s->cat, s->support_now);
	analyse_report_add(s->rep, hr);
	return NULL;
}

/* The wall clock, or --now. */
static uint64_t
support_time(const struct cmd_common *c)
{
	return c->has_now ? c->now : analyse_now();
}

struct au_error *
pipeline_summaries(struct au_store *store, const struct au_query *q,
    const struct cmd_common *c, const struct au_catalog *cat,
    struct au_report *rep)
{
	struct summary_state s = { rep, cat, support_time(c) };
	struct au_error *err;

	render_set_catalog(cat);
	rep->clock = analyse_now();
	rep->stale_days = c->stale_days;
	if ((err = store_each_summary(store, q, add_summary, &s)) != NULL)
		return err;
	analyse_report_sort(rep);
	rep->as_of_source = c->has_now ? AU_AS_OF_NOW : AU_AS_OF_RECORD;
	rep->as_of = c->has_now ? c->now : analyse_report_newest(rep);
	if (rep->as_of == 0) {
		rep->as_of = rep->clock;
		rep->as_of_source = AU_AS_OF_CLOCK;
	}
	rep->now = rep->as_of;
	return NULL;
}

/*
 * The report's writer on a thread of its own: while it writes one host,
 * this thread reads and analyses the next (a collector's report is half
 * reading and half writing). One host waits between the two, so memory
 * holds at most four hosts' events. Without the thread (it could not be
 * started), hosts are written as they come.
 */
struct writer_thread {
	struct au_report_writer *w;
	pthread_t tid;
	int running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct au_host_report *pending;   /* handed over, not yet taken */
	int pending_owned;                /* freed once written */
	/* Written, to be freed by the thread that made them (glibc frees faster there). */
	struct au_host_report *written[2];
	int closing;                      /* no more hosts */
	struct au_error *err;             /* the writer's first error */
};

static void *
writer_run(void *arg)
{
	struct writer_thread *t = arg;

	pthread_mutex_lock(&t->mu);
	for (;;) {
		struct au_host_report *hr;
		int owned;

		while (t->pending == NULL && !t->closing)
			pthread_cond_wait(&t->cv, &t->mu);
		if (t->pending == NULL)
			break;
		hr = t->pending;
		owned = t->pending_owned;
		t->pending = NULL;
		pthread_cond_broadcast(&t->cv);
		if (t->err == NULL) {
			struct au_error *err;

			pthread_mutex_unlock(&t->mu);
			err = t->w->host(t->w->st, hr);
			pthread_mutex_lock(&t->mu);
			if (t->err == NULL)
				t->err = err;
			else
				au_error_free(err);
		}
		if (owned)
			t->written[t->written[0] != NULL] = hr;
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

static void
writer_start(struct writer_thread *t, struct au_report_writer *w)
{
	memset(t, 0, sizeof(*t));
	t->w = w;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	t->running = pthread_create(&t->tid, NULL, writer_run, t) == 0;
}

/*
 * Hands hr over to be written (and freed after, when owned); frees the
 * hosts written since. Returns the writer's error, if it has had one.
 */
static struct au_error *
writer_put(struct writer_thread *t, struct au_host_report *hr, int owned)
{
	struct au_host_report *done[2];
	struct au_error *err;

	if (!t->running) {
		err = t->w->host(t->w->st, hr);
		if (owned)
			analyse_host_free(hr);
		return err;
	}
	pthread_mutex_lock(&t->mu);
	while (t->pending != NULL)
		pthread_cond_wait(&t->cv, &t->mu);
	memcpy(done, t->written, sizeof(done));
	memset(t->written, 0, sizeof(t->written));
	if (t->err == NULL) {
		t->pending = hr;
		t->pending_owned = owned;
		pthread_cond_broadcast(&t->cv);
		hr = NULL;
	}
	err = t->err;
	t->err = NULL;
	pthread_mutex_unlock(&t->mu);
	for (int i = 0; i < 2; i++)
		analyse_host_free(done[i]);
	if (hr != NULL && owned)
		analyse_host_free(hr);
	return err;
}

/* Waits until every host handed over is written; the writer's error. */
static struct au_error *
writer_finish(struct writer_thread *t)
{
	struct au_error *err;

	if (t->running) {
		pthread_mutex_lock(&t->mu);
		t->closing = 1;
		pthread_cond_broadcast(&t->cv);
		pthread_mutex_unlock(&t->mu);
		pthread_join(t->tid, NULL);
		t->running = 0;
		for (int i = 0; i < 2; i++) {
			analyse_host_free(t->written[i]);
			t->written[i] = NULL;
		}
	}
	err = t->err;
	t->err = NULL;
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	return err;
}

struct host_state {
	struct writer_thread *wt;
	const struct au_host_report *summary;
	const struct au_catalog *cat;
	uint64_t support_now;
	int done;
};

static struct au_error *
write_host(void *arg, struct au_event **events, size_t nevents,
    struct au_install **installs, size_t ninstalls)
{
	struct host_state *s = arg;
	struct au_host_report *hr;

	hr = analyse_host(events, nevents, installs, ninstalls);
	/* What only the summary knows: the host's logs, whatever the provider. */
	hr->log_records = s->summary->log_records;
	hr->log_first = s->summary->log_first;
	hr->log_last = s->summary->log_last;
	hr->name_from_file = s->summary->name_from_file;
	if (s->summary->same_as != NULL)
		hr->same_as = xstrdup(s->summary->same_as);
	if (s->summary->nrelated > 0) {
		hr->related = xcalloc(s->summary->nrelated, sizeof(*hr->related));
		for (size_t i = 0; i < s->summary->nrelated; i++) {
			hr->related[i] = s->summary->related[i];
			hr->related[i].provider = xstrdup(s->summary->related[i].provider);
		}
		hr->nrelated = s->summary->nrelated;
	}
	if (hr->nevents == 0 && hr->ninstalls == 0) {
		free(hr->host);
		hr->host = xstrdup(s->summary->host);
	}
	analyse_host_build(hr, s->cat, s->support_now);
	s->done = 1;
	return writer_put(s->wt, hr, 1);
}

static struct au_error *
write_file(void *arg, const struct au_file_stats *st)
{
	struct au_report_writer *w = arg;

	return w->file(w->st, st);
}

/* Terminal width for text on standard output; 80 elsewhere. */
static int
output_width(const struct cmd_output *out)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (out->path != NULL || !isatty(STDOUT_FILENO))
		return 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	if (cols != NULL && atoi(cols) >= 40)
		return atoi(cols);
	return 80;
}

struct au_error *
pipeline_report(struct au_store *store, const struct au_query *q,
    const struct pipeline_report_opts *o, struct cmd_ctx *ctx)
{
	struct au_error *err = NULL, *cerr;
	struct au_catalog *cat = NULL;
	struct au_report rep;
	struct au_report_writer w = { NULL, NULL, NULL, NULL, NULL, NULL, 0 };
	struct au_render_opts ropts = { 0, 80 };
	struct cmd_output out = { NULL, NULL, NULL };
	struct writer_thread wt;

	analyse_report_init(&rep, 0);
	rep.command = o->command;
	rep.other_files = o->other_files;
	if ((err = pipeline_catalog(o->c, &cat, ctx)) != NULL)
		goto done;
	if ((err = pipeline_summaries(store, q, o->c, cat, &rep)) != NULL)
		goto done;
	if (o->c->hosts.n > 0 && rep.nhosts == 0)
		au_error_append(&ctx->warnings, au_error_new(AU_ERR_NOTFOUND, NULL,
		    "no server matched has events in the period"));
	if ((err = cmd_output_open(o->c, &out)) != NULL)
		goto done;
	ropts.color = out.path == NULL && cmd_want_color(o->c, STDOUT_FILENO);
	ropts.width = output_width(&out);
	if ((err = render_report_writer(o->c->format, out.fp, &ropts, &w)) != NULL)
		goto done;
	if ((err = w.begin(w.st, &rep)) != NULL)
		goto done;
	writer_start(&wt, &w);
	for (size_t i = 0; i < rep.nhosts && err == NULL; i++) {
		struct host_state hs = { &wt, rep.hosts[i], cat, support_time(o->c), 0 };

		/* A writer that shows no single event has all it needs in the summary. */
		if (w.events)
			err = store_host_events(store, rep.hosts[i]->host, q->since,
			    q->until, write_host, &hs);
		if (err == NULL && !hs.done)
			err = writer_put(&wt, rep.hosts[i], 0);   /* silent: the summary is all */
	}
	{
		struct au_error *werr = writer_finish(&wt);

		if (err == NULL)
			err = werr;
		else
			au_error_free(werr);
	}
	if (err == NULL && o->files)
		err = store_each_file(store, write_file, &w);
	if (err == NULL)
		err = w.end(w.st, &rep);
	cerr = cmd_output_close(&out, err == NULL);
	if (err == NULL)
		err = cerr;
	else
		au_error_free(cerr);
done:
	if (w.free != NULL)
		w.free(w.st);
	cmd_output_close(&out, 0);
	render_set_catalog(NULL);
	releases_free(cat);
	analyse_report_free(&rep);
	return err;
}

static struct au_error *
add_host_summary(void *arg, struct au_host_report *hr)
{
	analyse_report_add(arg, hr);
	return NULL;
}

struct au_error *
pipeline_fleet(struct au_store *store, const struct au_query *q,
    struct au_report *rep)
{
	struct au_error *err;

	if ((err = store_each_summary(store, q, add_host_summary, rep)) != NULL)
		return err;
	analyse_report_sort(rep);
	return NULL;
}
