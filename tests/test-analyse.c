/* test-analyse.c: unit tests of per-server verdicts, streaks, dedup, report order and fleet aggregates. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyse.h"
#include "classify.h"
#include "event.h"
#include "xmalloc.h"

static int passed, failed;

#define CHECK(cond, ...) check((cond), __LINE__, #cond, __VA_ARGS__)

__attribute__((format(printf, 4, 5)))
static void
check(int ok, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL line %d: %s: ", line, expr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#define DAY UINT64_C(864000000000)
/* 2020-01-01T00:00:00Z as FILETIME, plus days. */
#define T0 ((UINT64_C(1577836800) + UINT64_C(11644473600)) * UINT64_C(10000000))
#define D(n) (T0 + (uint64_t)(n) * DAY)

/* An event with a result code and the category and catalog entry given. */
static struct au_event *
ev_cat(const char *host, uint64_t time, uint64_t rec, const char *code,
    const char *detail, enum au_category cat)
{
	struct au_event *ev = xcalloc(1, sizeof(*ev));

	ev->time = time;
	ev->host = xstrdup(host);
	ev->record_id = rec;
	ev->event_id = 300;
	ev->provider = xstrdup("Azure AD Connect Upgrade");
	ev->message = xstrdup("");
	if (code != NULL) {
		ev->result_code = xstrdup(code);
		ev->detail = detail ? xstrdup(detail) : NULL;
		ev->category = cat;
		ev->code = classify_lookup(code);
	}
	return ev;
}

/* The same, classified from the catalog. */
static struct au_event *
ev(const char *host, uint64_t time, uint64_t rec, const char *code)
{
	return ev_cat(host, time, rec, code, NULL,
	    code ? classify_category(code) : AU_CAT_NONE);
}

/* Builds a report from a NULL-terminated list of events. */
static struct au_host_report *
host(struct au_event *first, ...)
{
	struct au_event **events = NULL;
	size_t n = 0;
	va_list ap;

	va_start(ap, first);
	for (struct au_event *e = first; e != NULL; e = va_arg(ap, struct au_event *)) {
		events = xreallocarray(events, n + 1, sizeof(*events));
		events[n++] = e;
	}
	va_end(ap);
	return analyse_host(events, n, NULL, 0);
}

static void
test_verdicts(void)
{
	static const struct {
		enum au_category cat;
		enum au_verdict verdict;
	} cases[] = {
		{ AU_CAT_SUCCESS, AU_VERDICT_UPGRADED },
		{ AU_CAT_ABORTED, AU_VERDICT_RETRYING },
		{ AU_CAT_NOT_SUPPORTED, AU_VERDICT_BLOCKED },
		{ AU_CAT_FAILED, AU_VERDICT_FAILED },
		{ AU_CAT_OTHER, AU_VERDICT_UNKNOWN },
	};
	struct au_host_report *hr;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* An older result of another kind, then the one that counts, then no result. */
		hr = host(ev_cat("h", D(1), 1, "Older", NULL, cases[i].cat == AU_CAT_FAILED ?
		    AU_CAT_SUCCESS : AU_CAT_FAILED),
		    ev_cat("h", D(2), 2, "Latest", NULL, cases[i].cat),
		    ev("h", D(3), 3, NULL), NULL);
		CHECK(hr->verdict == cases[i].verdict, "category %d gives %s (got %s)",
		    (int)cases[i].cat, au_verdict_name(cases[i].verdict),
		    au_verdict_name(hr->verdict));
		CHECK(hr->latest != NULL && hr->latest->record_id == 2,
		    "latest is the latest event with a result");
		CHECK(hr->attempts == 2 && hr->events_count == 3, "attempts %" PRIu64
		    ", events %" PRIu64, hr->attempts, hr->events_count);
		CHECK(hr->first_seen == D(1) && hr->last_seen == D(3), "first/last seen");
		analyse_host_free(hr);
	}

	hr = host(ev("h", D(1), 1, NULL), ev("h", D(2), 2, NULL), NULL);
	CHECK(hr->verdict == AU_VERDICT_NO_RESULT && hr->latest == NULL &&
	    hr->attempts == 0 && hr->streak_count == 0 && hr->last_success == 0,
	    "no result: %s", au_verdict_name(hr->verdict));
	analyse_host_free(hr);

	hr = analyse_host(NULL, 0, NULL, 0);
	CHECK(hr->verdict == AU_VERDICT_SILENT && hr->events_count == 0 &&
	    hr->host != NULL, "no events at all: silent");
	analyse_host_free(hr);
	analyse_host_free(NULL);
}

static void
test_streaks(void)
{
	struct au_host_report *hr;

	/* Given out of order: analyse_host sorts. */
	hr = host(ev("aadc01", D(5), 5, "UpgradeAbortedSyncExeInUse"),
	    ev("aadc01", D(1), 1, "UpgradeAbortedInsufficientDiskSpace"),
	    ev("aadc01", D(3), 3, "UpgradeAbortedSyncExeInUse"),
	    ev("aadc01", D(4), 4, NULL),
	    ev("aadc01", D(2), 2, "UpgradeAbortedSyncExeInUse"),
	    ev("AADC01", D(0), 7, "UpgradeAbortedSyncExeInUse"),
	    ev("aadc01", D(6), 6, NULL), NULL);
	CHECK(hr->nevents == 7, "events kept");
	for (size_t i = 1; i < hr->nevents; i++)
		CHECK(hr->events[i - 1]->time < hr->events[i]->time, "sorted at %zu", i);
	CHECK(hr->verdict == AU_VERDICT_RETRYING, "retrying");
	CHECK(hr->streak_count == 3 && hr->streak_since == D(2),
	    "streak of 3 since day 2 (%" PRIu64 ", day %" PRIu64 ")",
	    hr->streak_count, (hr->streak_since - T0) / DAY);
	CHECK(hr->condition_count == 5 && hr->condition_since == D(0),
	    "aborted condition of 5 since day 0 (%" PRIu64 ")", hr->condition_count);
	CHECK(strcmp(hr->host, "aadc01") == 0, "host as spelled in the latest event (%s)",
	    hr->host);
	CHECK(hr->ncodes == 2 && strcmp(hr->codes[0].code,
	    "UpgradeAbortedSyncExeInUse") == 0 && hr->codes[0].count == 4 &&
	    hr->codes[0].first == D(0) && hr->codes[0].last == D(5) &&
	    hr->codes[1].count == 1, "code counts");
	analyse_host_free(hr);

	/* A different detail is a different result: it ends the streak, not the condition. */
	hr = host(ev_cat("h", D(1), 1, "UpgradeFailedRollbackSuccess", "A", AU_CAT_FAILED),
	    ev_cat("h", D(2), 2, "UpgradeFailedRollbackSuccess", "B", AU_CAT_FAILED),
	    ev_cat("h", D(3), 3, "UpgradeFailedRollbackSuccess", "B", AU_CAT_FAILED), NULL);
	CHECK(hr->verdict == AU_VERDICT_FAILED && hr->streak_count == 2 &&
	    hr->streak_since == D(2) && hr->condition_count == 3,
	    "detail splits streaks (%" PRIu64 ")", hr->streak_count);
	CHECK(hr->ncodes == 2 && strcmp(hr->codes[0].code,
	    "UpgradeFailedRollbackSuccess-A") == 0, "compound codes counted apart");
	analyse_host_free(hr);

	/* Success after failures; a single result is a streak of one. */
	hr = host(ev("h", D(1), 1, "UpgradeAbortedSyncExeInUse"),
	    ev("h", D(2), 2, "Success"), NULL);
	CHECK(hr->streak_count == 1 && hr->streak_since == D(2) &&
	    hr->last_success == D(2), "streak of one, last success");
	analyse_host_free(hr);
}

static void
test_dedup(void)
{
	struct au_host_report *hr;
	struct au_event *rec = ev("AADC01", D(2), 2, "UpgradeAbortedSyncExeInUse");
	struct au_install **ins = xcalloc(3, sizeof(*ins));
	struct au_event **evs = xcalloc(5, sizeof(*evs));

	rec->recovered = 1;
	evs[0] = ev("aadc01", D(1), 1, "UpgradeAbortedSyncExeInUse");
	evs[1] = rec;
	evs[2] = ev("Aadc01", D(1), 1, "UpgradeAbortedSyncExeInUse");   /* seen twice */
	evs[3] = ev("aadc01", D(2), 2, "UpgradeAbortedSyncExeInUse");   /* normal copy */
	evs[4] = ev("aadc01", D(2), 3, "UpgradeAbortedSyncExeInUse");   /* other record */
	for (int i = 0; i < 3; i++) {
		ins[i] = xcalloc(1, sizeof(**ins));
		ins[i]->host = xstrdup(i == 1 ? "AADC01" : "aadc01");
		ins[i]->time = D(i == 2 ? 0 : 1);
		ins[i]->record_id = i == 2 ? 9 : 8;
		ins[i]->event_id = 1033;
		ins[i]->product = xstrdup("Microsoft Azure AD Connect");
		ins[i]->version = xstrdup("1.1.614.0");
		ins[i]->status = 0;
	}
	hr = analyse_host(evs, 5, ins, 3);
	CHECK(hr->events_count == 3 && hr->nevents == 3, "seen twice counts once (%"
	    PRIu64 ")", hr->events_count);
	CHECK(hr->attempts == 3 && hr->streak_count == 3, "attempts after dedup");
	CHECK(hr->nevents == 3 && hr->events[1]->record_id == 2 &&
	    hr->events[1]->recovered == 0, "the copy read normally is kept");
	CHECK(hr->ninstalls == 2 && hr->installs[0]->time == D(0), "installs deduped and sorted");
	analyse_host_free(hr);
}

static void
test_codes(void)
{
	const struct au_code *cat, *hist = NULL;
	struct au_host_report *hr;
	size_t n;

	cat = classify_catalog(&n);
	for (size_t i = 0; i < n && hist == NULL; i++)
		if (cat[i].historical)
			hist = &cat[i];
	CHECK(hist != NULL, "the catalog has a historical code");
	if (hist == NULL)
		return;
	hr = host(ev("h", D(1), 1, hist->code), ev("h", D(2), 2, "NoSuchCodeAtAll"),
	    ev("h", D(3), 3, "UpgradeAbortedNewInVersion99"),
	    ev("h", D(4), 4, "UpgradeAbortedSyncExeInUse"), NULL);
	CHECK(hr->historical_codes == 1 && hr->unknown_codes == 2,
	    "historical %d, unknown %d", hr->historical_codes, hr->unknown_codes);
	CHECK(hr->ncodes == 4 && hr->codes[0].entry == hist &&
	    hr->codes[1].entry == NULL, "catalog entries of the counted codes");
	/* The same counts from the codes alone (a report rebuilt from a summary). */
	hr->unknown_codes = hr->historical_codes = -1;
	analyse_host_count_codes(hr);
	CHECK(hr->historical_codes == 1 && hr->unknown_codes == 2,
	    "counted from codes: historical %d, unknown %d", hr->historical_codes,
	    hr->unknown_codes);
	analyse_host_free(hr);
}

static void
test_sort(void)
{
	struct au_report rep;
	static const char *const want[] = {
		"failed", "blocked-old", "blocked-new", "Alpha-unknown", "beta-unknown",
		"retrying", "noresult", "upgraded",
	};

	analyse_report_init(&rep, D(100));
	CHECK(rep.now == D(100) && rep.nhosts == 0, "report init");
	analyse_report_add(&rep, host(ev("upgraded", D(1), 1, "Success"), NULL));
	analyse_report_add(&rep, host(ev("blocked-new", D(9), 1,
	    "UpgradeNotSupportedNonLocalDbInstall"), NULL));
	analyse_report_add(&rep, host(ev("noresult", D(1), 1, NULL), NULL));
	analyse_report_add(&rep, host(ev_cat("beta-unknown", D(3), 1, "SomethingOdd",
	    NULL, AU_CAT_OTHER), NULL));
	analyse_report_add(&rep, host(ev("retrying", D(1), 1, "UpgradeAbortedSyncExeInUse"), NULL));
	analyse_report_add(&rep, host(ev("blocked-old", D(2), 1,
	    "UpgradeNotSupportedNonLocalDbInstall"), ev("blocked-old", D(10), 2,
	    "UpgradeNotSupportedNonLocalDbInstall"), NULL));
	analyse_report_add(&rep, host(ev_cat("Alpha-unknown", D(3), 1, "SomethingOdd",
	    NULL, AU_CAT_OTHER), NULL));
	analyse_report_add(&rep, host(ev_cat("failed", D(50), 1, "UpgradeFailedX", NULL,
	    AU_CAT_FAILED), NULL));
	analyse_report_sort(&rep);
	CHECK(rep.nhosts == 8, "8 hosts");
	for (size_t i = 0; i < rep.nhosts && i < 8; i++)
		CHECK(strcmp(rep.hosts[i]->host, want[i]) == 0, "position %zu: %s, want %s",
		    i, rep.hosts[i]->host, want[i]);
	analyse_report_free(&rep);
	analyse_report_free(&rep);   /* freed reports are empty */
}

static void
test_fleet(void)
{
	struct au_report rep;
	struct au_fleet f;
	struct au_fleet_opts o;

	analyse_report_init(&rep, D(100));
	/* Blocked since day 10 (3 results), then since day 80 (1 result). */
	analyse_report_add(&rep, host(ev("b1", D(5), 1, "Success"),
	    ev("b1", D(10), 2, "UpgradeNotSupportedNonLocalDbInstall"),
	    ev("b1", D(20), 3, "UpgradeNotSupportedNonLocalDbInstall"),
	    ev("b1", D(99), 4, "UpgradeNotSupportedNonLocalDbInstall"), NULL));
	analyse_report_add(&rep, host(ev("b2", D(80), 1,
	    "UpgradeNotSupportedNonLocalDbInstall"), NULL));
	/* Retrying for 50 days with changing reasons; another for 2 days. */
	analyse_report_add(&rep, host(ev("r1", D(50), 1, "UpgradeAbortedInsufficientDiskSpace"),
	    ev("r1", D(98), 2, "UpgradeAbortedSyncExeInUse"), NULL));
	analyse_report_add(&rep, host(ev("r2", D(40), 1, "Success"),
	    ev("r2", D(98), 2, "UpgradeAbortedSyncExeInUse"), NULL));
	/* Upgraded, but nothing heard for 80 days. */
	analyse_report_add(&rep, host(ev("old", D(20), 1, "Success"), NULL));
	/* No result ever. */
	analyse_report_add(&rep, host(ev("quiet", D(99), 1, NULL), NULL));

	analyse_fleet_opts_default(&o);
	CHECK(o.retry_days == 7 && o.stale_days == 30 && o.top_codes == 10, "defaults");
	for (size_t i = 0; i < rep.nhosts; i++)
		analyse_host_drop_events(rep.hosts[i]);
	CHECK(rep.hosts[0]->nevents == 1 && rep.hosts[0]->events[0] == rep.hosts[0]->latest &&
	    rep.hosts[0]->events_count == 4, "drop_events keeps latest and counts");
	CHECK(rep.hosts[5]->nevents == 0 && rep.hosts[5]->events_count == 1,
	    "drop_events without a result");
	analyse_report_sort(&rep);
	analyse_fleet(&rep, &o, &f);
	CHECK(f.nhosts == 6 && f.now == D(100), "fleet size");
	CHECK(f.verdicts[AU_VERDICT_BLOCKED] == 2 && f.verdicts[AU_VERDICT_RETRYING] == 2 &&
	    f.verdicts[AU_VERDICT_UPGRADED] == 1 && f.verdicts[AU_VERDICT_NO_RESULT] == 1 &&
	    f.verdicts[AU_VERDICT_FAILED] == 0, "verdict counts");
	CHECK(f.nblocked == 2 && strcmp(f.blocked[0].hr->host, "b1") == 0 &&
	    f.blocked[0].since == D(10) && f.blocked[0].count == 3 &&
	    f.blocked[1].since == D(80) && f.blocked[1].count == 1, "blocked list");
	CHECK(f.nretrying == 1 && strcmp(f.retrying[0].hr->host, "r1") == 0 &&
	    f.retrying[0].since == D(50) && f.retrying[0].count == 2,
	    "retrying longer than 7 days: the condition, across reasons");
	CHECK(f.nstale == 1 && strcmp(f.stale[0].hr->host, "old") == 0 &&
	    f.stale[0].since == D(20), "stale list");
	CHECK(f.nnever == 3 && strcmp(f.never[0].hr->host, "r1") == 0 &&
	    strcmp(f.never[1].hr->host, "b2") == 0 && strcmp(f.never[2].hr->host,
	    "quiet") == 0 && f.never[2].count == 0, "never succeeded");
	CHECK(f.ncodes == 4 && strcmp(f.codes[0].code,
	    "UpgradeNotSupportedNonLocalDbInstall") == 0 && f.codes[0].count == 4 &&
	    f.codes[0].hosts == 2 && f.codes[0].current == 2, "top code");
	CHECK(f.ncodes == 4 && strcmp(f.codes[1].code, "Success") == 0 &&
	    f.codes[1].count == 3 && f.codes[1].hosts == 3 && f.codes[1].current == 1,
	    "second code");
	CHECK(f.ncodes == 4 && strcmp(f.codes[2].code, "UpgradeAbortedSyncExeInUse") == 0 &&
	    f.codes[2].hosts == 2 && f.codes[2].current == 2 && f.codes[2].entry != NULL &&
	    f.codes[2].category == AU_CAT_ABORTED, "third code");
	analyse_fleet_free(&f);

	o.top_codes = 1;
	o.retry_days = 1;
	o.stale_days = 0;
	analyse_fleet(&rep, &o, &f);
	CHECK(f.ncodes == 1 && f.nretrying == 2 && f.nstale == 6,
	    "options: top %zu, retrying %zu, stale %zu", f.ncodes, f.nretrying, f.nstale);
	analyse_fleet_free(&f);
	analyse_fleet(&rep, NULL, &f);
	CHECK(f.ncodes == 4 && f.nretrying == 1, "NULL options are the defaults");
	analyse_fleet_free(&f);
	analyse_fleet_free(NULL);
	analyse_report_free(&rep);
}

static void
test_now(void)
{
	uint64_t now = analyse_now();
	uint64_t want = ((uint64_t)time(NULL) + UINT64_C(11644473600)) * UINT64_C(10000000);

	CHECK(now + UINT64_C(20000000) > want && now < want + UINT64_C(20000000),
	    "analyse_now is the current FILETIME");
}

int
main(void)
{
	test_verdicts();
	test_streaks();
	test_dedup();
	test_codes();
	test_sort();
	test_fleet();
	test_now();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
