/* pipeline.c: the one path from input files to stored events, and from stored events to reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
	int64_t file_id;
	struct au_file_stats *st;
	/* Progress on a terminal: shown once the import has run a second. */
	int progress, shown;
	double start;
	size_t index, nfiles;
};

static struct au_error *
sink_event(void *arg, struct au_event *ev)
{
	struct sink_state *s = arg;
	struct au_error *err;
	int is_new = 0;

	classify_event(ev);
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

static void
sink_progress(void *arg, uint64_t done, uint64_t total)
{
	struct sink_state *s = arg;
	char *name;

	if (!s->progress || now_seconds() - s->start < 1.0)
		return;
	name = render_escape(s->st->path, 0, RENDER_ESC_TEXT);
	fprintf(stderr, "\r\033[Kimporting %zu/%zu: %s: %llu%%", s->index + 1,
	    s->nfiles, name, (unsigned long long)(total != 0 ?
	    (done > total ? total : done) * 100 / total : 100));
	free(name);
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


struct au_error *
pipeline_collect(struct au_store *store, char *const *paths, size_t npaths,
    const struct au_ingest_opts *opts, struct cmd_ctx *ctx, int verbose,
    int progress, struct pipeline_totals *totals)
{
	struct au_error *err = NULL, *ferr;
	struct au_file_stats st;
	struct sink_state s;
	struct au_ingest_sink sink = { sink_event, sink_install, &s, sink_progress, NULL };
	char **files = NULL;
	size_t nfiles = 0;

	memset(totals, 0, sizeof(*totals));
	memset(&st, 0, sizeof(st));
	memset(&s, 0, sizeof(s));
	s.progress = progress;
	s.start = now_seconds();
	input_expand_paths(paths, npaths, &files, &nfiles, &totals->passed_over,
	    &ctx->warnings);
	totals->files = nfiles;
	s.nfiles = nfiles;

	for (size_t i = 0; i < nfiles; i++) {
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
			if (s.shown)
				fputs("\r\033[K", stderr);
			printf("%s: %llu new, %llu already known (%llu records read%s)\n",
			    name, (unsigned long long)st.events_new,
			    (unsigned long long)st.events_known,
			    (unsigned long long)st.records,
			    st.errors != NULL ? "; damaged" : "");
			free(name);
		}
		au_file_stats_clear(&st);
	}
done:
	if (s.shown)
		fputs("\r\033[K", stderr);
	au_file_stats_clear(&st);
	input_free_paths(files, nfiles);
	return err;
}

static struct au_error *
add_host(void *arg, struct au_event **events, size_t nevents,
    struct au_install **installs, size_t ninstalls)
{
	struct au_report *rep = arg;

	analyse_report_add(rep, analyse_host(events, nevents, installs, ninstalls));
	return NULL;
}

static struct au_error *
add_host_summary(void *arg, struct au_host_report *hr)
{
	analyse_report_add(arg, hr);
	return NULL;
}

/* From the per-host summaries the store keeps: no host's events are read. */
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

static struct au_error *
add_file(void *arg, const struct au_file_stats *st)
{
	struct au_report *rep = arg;
	struct au_file_stats *f;

	rep->files = xreallocarray(rep->files, rep->nfiles + 1, sizeof(*rep->files));
	f = &rep->files[rep->nfiles++];
	*f = *st;
	f->path = xstrdup(st->path);
	f->errors = st->errors != NULL ? xstrdup(st->errors) : NULL;
	au_file_stats_copy_hosts(f, st);   /* the store frees its own */
	return NULL;
}

struct au_error *
pipeline_report(struct au_store *store, const struct au_query *q, int files,
    struct au_report *rep)
{
	struct au_error *err;

	if ((err = store_each_host(store, q, add_host, rep)) != NULL)
		return err;
	if (files && (err = store_each_file(store, add_file, rep)) != NULL)
		return err;
	analyse_report_sort(rep);
	return NULL;
}

struct au_error *
pipeline_render(const struct au_report *rep, const struct cmd_common *c)
{
	struct au_render_opts ropts = { 0 };
	struct cmd_output out;
	struct au_error *err, *cerr;

	if ((err = cmd_output_open(c, &out)) != NULL)
		return err;
	switch (c->format) {
	case AU_FMT_JSON:
		err = render_report_json(out.fp, rep);
		break;
	case AU_FMT_MARKDOWN:
		err = render_report_markdown(out.fp, rep);
		break;
	case AU_FMT_HTML:
		err = render_report_html(out.fp, rep);
		break;
	default:
		ropts.color = out.path == NULL && cmd_want_color(c, STDOUT_FILENO);
		err = render_report_text(out.fp, rep, &ropts);
		break;
	}
	if (err == NULL)
		err = render_check_io(out.fp);
	cerr = cmd_output_close(&out, err == NULL);
	if (err == NULL)
		return cerr;
	au_error_free(cerr);
	return err;
}
