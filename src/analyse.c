/* analyse.c: per-server verdicts, report order and fleet aggregates from plain events. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyse.h"
#include "install.h"
#include "classify.h"
#include "event.h"
#include "install.h"
#include "releases.h"
#include "xmalloc.h"

static int
analyse_strcmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int
analyse_u64cmp(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* Time, record id, host; a copy read normally sorts before a recovered one. */
static int
analyse_event_cmp(const void *pa, const void *pb)
{
	const struct au_event *a = *(struct au_event *const *)pa;
	const struct au_event *b = *(struct au_event *const *)pb;
	int c;

	if ((c = analyse_u64cmp(a->time, b->time)) != 0 ||
	    (c = analyse_u64cmp(a->record_id, b->record_id)) != 0 ||
	    (c = au_host_cmp(a->host, b->host)) != 0 ||
	    (c = (a->recovered != 0) - (b->recovered != 0)) != 0 ||
	    (c = analyse_u64cmp(a->event_id, b->event_id)) != 0)
		return c;
	return analyse_u64cmp(a->id > 0 ? (uint64_t)a->id : 0,
	    b->id > 0 ? (uint64_t)b->id : 0);
}

static int
analyse_install_cmp(const void *pa, const void *pb)
{
	const struct au_install *a = *(struct au_install *const *)pa;
	const struct au_install *b = *(struct au_install *const *)pb;
	int c;

	if ((c = analyse_u64cmp(a->time, b->time)) != 0 ||
	    (c = analyse_u64cmp(a->record_id, b->record_id)) != 0 ||
	    (c = au_host_cmp(a->host, b->host)) != 0)
		return c;
	return analyse_u64cmp(a->event_id, b->event_id);
}

/*
 * Sorts and drops repeats in place; scan hands over events from several
 * files that may overlap, and the store's dedup must not be relied on.
 */
static size_t
analyse_dedup_events(struct au_event **ev, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(ev, n, sizeof(*ev), analyse_event_cmp);
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && ev[i]->time == ev[out - 1]->time &&
		    ev[i]->record_id == ev[out - 1]->record_id &&
		    au_host_cmp(ev[i]->host, ev[out - 1]->host) == 0) {
			au_event_free(ev[i]);
			continue;
		}
		ev[out++] = ev[i];
	}
	return out;
}

static size_t
analyse_dedup_installs(struct au_install **in, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(in, n, sizeof(*in), analyse_install_cmp);
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && in[i]->time == in[out - 1]->time &&
		    in[i]->record_id == in[out - 1]->record_id &&
		    au_host_cmp(in[i]->host, in[out - 1]->host) == 0) {
			au_install_free(in[i]);
			continue;
		}
		in[out++] = in[i];
	}
	return out;
}

/* Whether an event's result is the same (code and detail) as another's. */
static int
analyse_same_result(const struct au_event *a, const struct au_event *b)
{
	return analyse_strcmp(a->result_code, b->result_code) == 0 &&
	    analyse_strcmp(a->detail, b->detail) == 0;
}

/* Whether cc->code spells ev's result ("code" or "code-detail"). */
static int
analyse_code_is(const struct au_code_count *cc, const struct au_event *ev)
{
	size_t len = strlen(ev->result_code);

	if (strncmp(cc->code, ev->result_code, len) != 0)
		return 0;
	if (ev->detail == NULL)
		return cc->code[len] == '\0';
	return cc->code[len] == '-' && strcmp(cc->code + len + 1, ev->detail) == 0;
}

static void
analyse_count_code(struct au_host_report *hr, const struct au_event *ev)
{
	struct au_code_count *cc = NULL;

	for (size_t i = 0; i < hr->ncodes; i++)
		if (analyse_code_is(&hr->codes[i], ev)) {
			cc = &hr->codes[i];
			break;
		}
	if (cc == NULL) {
		hr->codes = xreallocarray(hr->codes, hr->ncodes + 1,
		    sizeof(*hr->codes));
		cc = &hr->codes[hr->ncodes++];
		memset(cc, 0, sizeof(*cc));
		cc->code = ev->detail != NULL ? xasprintf("%s-%s",
		    ev->result_code, ev->detail) : xstrdup(ev->result_code);
		cc->entry = ev->code;
		cc->category = ev->category;
		cc->first = ev->time;
	}
	cc->count++;
	cc->last = ev->time;
}

struct au_host_report *
analyse_host(struct au_event **events, size_t nevents,
    struct au_install **installs, size_t ninstalls)
{
	struct au_host_report *hr = xcalloc(1, sizeof(*hr));
	const char *name = NULL;

	hr->events = events;
	hr->nevents = analyse_dedup_events(events, nevents);
	hr->installs = installs;
	hr->ninstalls = analyse_dedup_installs(installs, ninstalls);
	hr->events_count = hr->nevents;

	for (size_t i = 0; i < hr->nevents; i++) {
		const struct au_event *ev = hr->events[i];

		if (ev->result_code == NULL)
			continue;
		hr->attempts++;
		hr->latest = ev;
		if (ev->category == AU_CAT_SUCCESS)
			hr->last_success = ev->time;
		if (ev->code == NULL)
			hr->unknown_codes++;
		else if (ev->code->historical)
			hr->historical_codes++;
		analyse_count_code(hr, ev);
	}
	if (hr->nevents > 0) {
		hr->first_seen = hr->events[0]->time;
		hr->last_seen = hr->events[hr->nevents - 1]->time;
		name = hr->events[hr->nevents - 1]->host;
	} else if (hr->ninstalls > 0)
		name = hr->installs[hr->ninstalls - 1]->host;
	hr->host = xstrdup(name != NULL ? name : "");

	/* Without a catalog: the installed build, support unknown. */
	analyse_host_build(hr, NULL, 0);
	hr->verdict = hr->latest != NULL ?
	    au_verdict_from_category(hr->latest->category) :
	    hr->nevents == 0 ? AU_VERDICT_SILENT : AU_VERDICT_NO_RESULT;
	if (hr->latest == NULL)
		return hr;
	/* Back from the latest result; events without one do not break a run. */
	int same_code = 1, same_cat = 1;
	for (size_t i = hr->nevents; i-- > 0 && (same_code || same_cat);) {
		const struct au_event *ev = hr->events[i];

		if (ev->result_code == NULL)
			continue;
		same_code = same_code && analyse_same_result(ev, hr->latest);
		same_cat = same_cat && ev->category == hr->latest->category;
		if (same_code) {
			hr->streak_count++;
			hr->streak_since = ev->time;
		}
		if (same_cat) {
			hr->condition_count++;
			hr->condition_since = ev->time;
		}
	}
	return hr;
}

void
analyse_host_build(struct au_host_report *hr, const struct au_catalog *cat,
    uint64_t now)
{
	releases_build(cat, install_current(hr->installs, hr->ninstalls), now,
	    &hr->build);
}

void
analyse_host_free(struct au_host_report *hr)
{
	if (hr == NULL)
		return;
	for (size_t i = 0; i < hr->nevents; i++)
		au_event_free(hr->events[i]);
	free(hr->events);
	for (size_t i = 0; i < hr->ninstalls; i++)
		au_install_free(hr->installs[i]);
	free(hr->installs);
	for (size_t i = 0; i < hr->ncodes; i++)
		free(hr->codes[i].code);
	free(hr->codes);
	for (size_t i = 0; i < hr->nrelated; i++)
		free(hr->related[i].provider);
	free(hr->related);
	free(hr->same_as);
	free(hr->host);
	free(hr);
}

void
analyse_host_drop_events(struct au_host_report *hr)
{
	size_t kept = 0;

	for (size_t i = 0; i < hr->nevents; i++) {
		if (hr->events[i] == hr->latest)
			hr->events[kept++] = hr->events[i];
		else
			au_event_free(hr->events[i]);
	}
	hr->nevents = kept;
	/* The codes' entries stay valid: they point into the static catalog. */
}

void
analyse_host_count_codes(struct au_host_report *hr)
{
	hr->unknown_codes = 0;
	hr->historical_codes = 0;
	for (size_t i = 0; i < hr->ncodes; i++) {
		if (hr->codes[i].entry == NULL)
			hr->unknown_codes += (int)hr->codes[i].count;
		else if (hr->codes[i].entry->historical)
			hr->historical_codes += (int)hr->codes[i].count;
	}
}

void
analyse_report_init(struct au_report *rep, uint64_t now)
{
	memset(rep, 0, sizeof(*rep));
	rep->now = now;
}

void
analyse_report_add(struct au_report *rep, struct au_host_report *hr)
{
	rep->hosts = xreallocarray(rep->hosts, rep->nhosts + 1, sizeof(*rep->hosts));
	rep->hosts[rep->nhosts++] = hr;
}

/* When the host's present condition began: its streak, else its first event. */
static uint64_t
analyse_condition_start(const struct au_host_report *hr)
{
	return hr->streak_count > 0 ? hr->streak_since : hr->first_seen;
}

static int
analyse_host_cmp(const void *pa, const void *pb)
{
	const struct au_host_report *a = *(struct au_host_report *const *)pa;
	const struct au_host_report *b = *(struct au_host_report *const *)pb;
	int c;

	if (a->verdict != b->verdict)
		return a->verdict < b->verdict ? -1 : 1;
	if ((c = analyse_u64cmp(analyse_condition_start(a),
	    analyse_condition_start(b))) != 0 ||
	    (c = au_host_cmp(a->host, b->host)) != 0)
		return c;
	return analyse_strcmp(a->host, b->host);
}

void
analyse_report_sort(struct au_report *rep)
{
	if (rep->nhosts > 1)
		qsort(rep->hosts, rep->nhosts, sizeof(*rep->hosts), analyse_host_cmp);
}

void
analyse_report_free(struct au_report *rep)
{
	if (rep == NULL)
		return;
	for (size_t i = 0; i < rep->nhosts; i++)
		analyse_host_free(rep->hosts[i]);
	free(rep->hosts);
	for (size_t i = 0; i < rep->nfiles; i++)
		au_file_stats_clear(&rep->files[i]);
	free(rep->files);
	memset(rep, 0, sizeof(*rep));
}

uint64_t
analyse_now(void)
{
	return au_filetime_now();
}

void
analyse_fleet_opts_default(struct au_fleet_opts *opts)
{
	opts->retry_days = 7;
	opts->stale_days = 30;
	opts->top_codes = 10;
}

/* Whether more than `days` whole days lie between since and now. */
static int
analyse_older_than(uint64_t since, uint64_t now, uint64_t days)
{
	return now > since && now - since > days * AU_TICKS_PER_DAY;
}

static void
analyse_fleet_list(struct au_fleet_host **list, size_t *n,
    const struct au_host_report *hr, uint64_t since, uint64_t count)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[*n].hr = hr;
	(*list)[*n].since = since;
	(*list)[*n].count = count;
	(*n)++;
}

static int
analyse_fleet_host_cmp(const void *pa, const void *pb)
{
	const struct au_fleet_host *a = pa, *b = pb;
	int c;

	if ((c = analyse_u64cmp(a->since, b->since)) != 0 ||
	    (c = au_host_cmp(a->hr->host, b->hr->host)) != 0)
		return c;
	return analyse_strcmp(a->hr->host, b->hr->host);
}

static void
analyse_fleet_sort(struct au_fleet_host *list, size_t n)
{
	if (n > 1)
		qsort(list, n, sizeof(*list), analyse_fleet_host_cmp);
}

static int
analyse_fleet_code_cmp(const void *pa, const void *pb)
{
	const struct au_fleet_code *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->hosts != b->hosts)
		return a->hosts > b->hosts ? -1 : 1;
	return strcmp(a->code, b->code);
}

static void
analyse_fleet_codes(struct au_fleet *f, const struct au_host_report *hr)
{
	const char *current = NULL;

	for (size_t i = 0; i < hr->ncodes; i++) {
		const struct au_code_count *cc = &hr->codes[i];
		struct au_fleet_code *fc = NULL;

		if (hr->latest != NULL && current == NULL &&
		    analyse_code_is(cc, hr->latest))
			current = cc->code;
		for (size_t j = 0; j < f->ncodes; j++)
			if (strcmp(f->codes[j].code, cc->code) == 0) {
				fc = &f->codes[j];
				break;
			}
		if (fc == NULL) {
			f->codes = xreallocarray(f->codes, f->ncodes + 1,
			    sizeof(*f->codes));
			fc = &f->codes[f->ncodes++];
			memset(fc, 0, sizeof(*fc));
			fc->code = cc->code;
			fc->entry = cc->entry;
			fc->category = cc->category;
		}
		fc->count += cc->count;
		fc->hosts++;
		if (current == cc->code)
			fc->current++;
	}
}

/* Counts hr toward its support status and its build. */
static void
analyse_fleet_build(struct au_fleet *f, const struct au_host_report *hr)
{
	const char *v = hr->build.installed_version;
	size_t i;

	if ((unsigned)hr->build.support < AU_SUPPORT_COUNT)
		f->support[hr->build.support]++;
	if (hr->build.now > f->support_now)
		f->support_now = hr->build.now;
	for (i = 0; i < f->nbuilds; i++)
		if ((f->builds[i].version == NULL && v == NULL) ||
		    (f->builds[i].version != NULL && v != NULL &&
		    strcmp(f->builds[i].version, v) == 0))
			break;
	if (i == f->nbuilds) {
		f->builds = xreallocarray(f->builds, f->nbuilds + 1, sizeof(*f->builds));
		f->builds[f->nbuilds].version = v;
		f->builds[f->nbuilds].support = hr->build.support;
		f->builds[f->nbuilds].hosts = 0;
		f->nbuilds++;
	}
	f->builds[i].hosts++;
}

/* Worst support status first, then the most servers, then the newest build. */
static int
analyse_fleet_build_cmp(const void *pa, const void *pb)
{
	const struct au_fleet_build *a = pa, *b = pb;
	struct au_version va, vb;
	int ha, hb;

	if (a->support != b->support)
		return a->support < b->support ? -1 : 1;
	if (a->hosts != b->hosts)
		return a->hosts > b->hosts ? -1 : 1;
	if (a->version == NULL || b->version == NULL)
		return (a->version == NULL) - (b->version == NULL);
	ha = releases_version_parse(a->version, &va);
	hb = releases_version_parse(b->version, &vb);
	if (ha && hb)
		return -releases_version_cmp(&va, &vb);
	return strcmp(a->version, b->version);
}

void
analyse_fleet(const struct au_report *rep, const struct au_fleet_opts *opts,
    struct au_fleet *f)
{
	struct au_fleet_opts def;

	if (opts == NULL) {
		analyse_fleet_opts_default(&def);
		opts = &def;
	}
	memset(f, 0, sizeof(*f));
	f->now = rep->now;
	f->nhosts = rep->nhosts;
	for (size_t i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];

		if ((unsigned)hr->verdict < AU_VERDICT_COUNT)
			f->verdicts[hr->verdict]++;
		if (hr->verdict == AU_VERDICT_BLOCKED)
			analyse_fleet_list(&f->blocked, &f->nblocked, hr,
			    hr->condition_since, hr->condition_count);
		if (hr->verdict == AU_VERDICT_RETRYING &&
		    analyse_older_than(hr->condition_since, f->now, opts->retry_days))
			analyse_fleet_list(&f->retrying, &f->nretrying, hr,
			    hr->condition_since, hr->condition_count);
		if (hr->events_count > 0 &&
		    analyse_older_than(hr->last_seen, f->now, opts->stale_days))
			analyse_fleet_list(&f->stale, &f->nstale, hr, hr->last_seen,
			    hr->attempts);
		if (hr->last_success == 0 && hr->events_count > 0)
			analyse_fleet_list(&f->never, &f->nnever, hr, hr->first_seen,
			    hr->attempts);
		analyse_fleet_codes(f, hr);
		analyse_fleet_build(f, hr);
	}
	analyse_fleet_sort(f->blocked, f->nblocked);
	analyse_fleet_sort(f->retrying, f->nretrying);
	analyse_fleet_sort(f->stale, f->nstale);
	analyse_fleet_sort(f->never, f->nnever);
	if (f->nbuilds > 1)
		qsort(f->builds, f->nbuilds, sizeof(*f->builds), analyse_fleet_build_cmp);
	if (f->ncodes > 1)
		qsort(f->codes, f->ncodes, sizeof(*f->codes), analyse_fleet_code_cmp);
	if (opts->top_codes > 0 && f->ncodes > opts->top_codes)
		f->ncodes = opts->top_codes;
}

void
analyse_fleet_free(struct au_fleet *f)
{
	if (f == NULL)
		return;
	free(f->blocked);
	free(f->retrying);
	free(f->stale);
	free(f->never);
	free(f->codes);
	free(f->builds);
	memset(f, 0, sizeof(*f));
}

static void
analyse_newer(uint64_t *t, uint64_t v)
{
	if (v > *t)
		*t = v;
}

uint64_t
analyse_report_newest(const struct au_report *rep)
{
	uint64_t t = 0;

	for (size_t i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];
		analyse_newer(&t, hr->last_seen);
		analyse_newer(&t, hr->log_last);
		for (size_t j = 0; j < hr->ninstalls; j++)
			analyse_newer(&t, hr->installs[j]->time);
	}
	for (size_t i = 0; i < rep->nfiles; i++)
		analyse_newer(&t, rep->files[i].last_time);
	return t;
}

const char *
au_as_of_name(enum au_as_of s)
{
	switch (s) {
	case AU_AS_OF_NOW:
		return "--now";
	case AU_AS_OF_CLOCK:
		return "current time";
	default:
		return "newest record";
	}
}

int
analyse_report_is_old(const struct au_report *rep)
{
	return rep->as_of_source == AU_AS_OF_RECORD && rep->as_of != 0 && rep->clock > rep->as_of &&
	    (rep->clock - rep->as_of) / AU_TICKS_PER_DAY > rep->stale_days;
}
