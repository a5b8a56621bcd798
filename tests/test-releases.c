/* test-releases.c: unit tests of the release catalog: loading, versions, support status at each boundary. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyse.h"
#include "error.h"
#include "event.h"
#include "releases.h"
#include "xmalloc.h"

static int passed, failed;
static char tmpdir[] = "/tmp/test-releases.XXXXXX";

__attribute__((format(printf, 2, 3)))
static void
check(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	fputs("FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static uint64_t
day(int y, unsigned m, unsigned d)
{
	struct au_civil c;
	uint64_t ft = 0;

	memset(&c, 0, sizeof(c));
	c.year = y;
	c.month = m;
	c.day = d;
	if (!au_filetime_from_civil(&c, &ft))
		abort();
	return ft;
}

static const char *
show(const char *s)
{
	return s != NULL ? s : "(null)";
}

static void
test_versions(void)
{
	static const struct { const char *a, *b; int want; } cmp[] = {
		{ "1.0.419.0911", "1.0.470.1023", -1 },
		{ "1.0.494.0501", "1.0.494.501", 0 },
		{ "2.10.0.0", "2.9.0.0", 1 },
		{ "2.6.91", "2.6.91.0", 0 },
		{ "2.6.91.0", "2.6.84.0", 1 },
		{ "1.6.16.0", "2.0.3.0", -1 },
		{ "2.0.25.1", "2.0.25.0", 1 },
		{ "1.1.882.0", "1.1.1000.0", -1 },
		{ "4294967295.0.0.0", "1.0.0.0", 1 },
	};
	static const char *const bad[] = { "", "2..1", "2.6.91.0.1", "v2.6",
	    "2.6.x", "4294967296.0", "2.6.91.0 ", " 2.6", "2.6.", ".2", "-1.0",
	    "2,6" };
	struct au_version a, b;

	for (size_t i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++) {
		int c;

		check(releases_version_parse(cmp[i].a, &a) &&
		    releases_version_parse(cmp[i].b, &b), "parse %s, %s",
		    cmp[i].a, cmp[i].b);
		c = releases_version_cmp(&a, &b);
		check((c > 0) - (c < 0) == cmp[i].want, "%s vs %s: %d, expected %d",
		    cmp[i].a, cmp[i].b, c, cmp[i].want);
		c = releases_version_cmp(&b, &a);
		check((c > 0) - (c < 0) == -cmp[i].want, "%s vs %s reversed",
		    cmp[i].a, cmp[i].b);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check(!releases_version_parse(bad[i], &a), "\"%s\" parsed as a version",
		    bad[i]);
	check(!releases_version_parse(NULL, &a), "NULL parsed as a version");
	check(releases_version_parse("1.0.419.0911", &a) && a.part[0] == 1 &&
	    a.part[1] == 0 && a.part[2] == 419 && a.part[3] == 911,
	    "1.0.419.0911 parts");
}

static struct au_catalog *
load(const char *path)
{
	struct au_catalog *cat = NULL;
	struct au_error *err = releases_load(path, &cat);

	check(err == NULL, "load %s: %s", path, err ? err->msg : "");
	au_error_free(err);
	return cat;
}

/* The shipped catalog: every row, the order, what notes mean. */
static void
test_catalog(const struct au_catalog *cat)
{
	const struct au_release *r;

	check(cat->nrows == 97, "rows: %zu, expected 97", cat->nrows);
	check(strcmp(cat->rows[0].version, "2.6.91.0") == 0, "newest row %s",
	    cat->rows[0].version);
	check(strcmp(cat->rows[cat->nrows - 1].version, "1.0.419.0911") == 0,
	    "oldest row %s", cat->rows[cat->nrows - 1].version);
	for (size_t i = 1; i < cat->nrows; i++)
		check(releases_version_cmp(&cat->rows[i - 1].v, &cat->rows[i].v) > 0,
		    "rows %zu and %zu not newest first", i - 1, i);
	check(cat->floor != NULL && strcmp(cat->floor->version, "2.5.79.0") == 0,
	    "floor %s", cat->floor ? cat->floor->version : "(none)");
	check(cat->floor_time == day(2026, 9, 30), "floor date");

	r = releases_lookup(cat, "2.6.79.0");
	check(r != NULL && r->recalled && r->released == 0 &&
	    r->release_date[0] == '\0', "2.6.79.0 recalled, no date");
	r = releases_lookup(cat, "2.6.3.0");
	check(r != NULL && r->auto_upgrade == AU_AUTO_YES &&
	    r->released == day(2026, 3, 10) && r->support_ends == day(2027, 7, 7) &&
	    r->rollout_start == day(2026, 3, 11) && !r->recalled, "2.6.3.0 row");
	check(r != NULL && r->line == 5, "2.6.3.0 on line %zu", r ? r->line : 0);
	r = releases_lookup(cat, "2.5.79.0");
	check(r != NULL && r->rollout_start == day(2025, 9, 4), "2.5.79.0 roll-out");
	r = releases_lookup(cat, "2.5.76.0");
	check(r != NULL && r->rollout_start == day(2025, 8, 14), "2.5.76.0 roll-out");
	r = releases_lookup(cat, "2.6.1.0");
	check(r != NULL && r->rollout_start == day(2026, 2, 9), "2.6.1.0 roll-out");
	r = releases_lookup(cat, "2.4.131.0");
	check(r != NULL && r->rollout_start == 0, "2.4.131.0 has no roll-out");
	r = releases_lookup(cat, "1.1.557.0");
	check(r != NULL && r->released == day(2017, 7, 1) &&
	    strcmp(r->release_date, "2017-07") == 0, "month-precision date");
	r = releases_lookup(cat, "1.0.494.0501");
	check(r != NULL && strcmp(r->version, "1.0.494.0501") == 0,
	    "1.0.494.0501 kept as written");
	check(releases_lookup(cat, "1.0.494.501") == r, "lookup compares numbers");
	r = releases_lookup(cat, "2.0.91.0");
	check(r != NULL && r->auto_upgrade == AU_AUTO_DOWNLOAD_ONLY,
	    "2.0.91.0 download-only");
	r = releases_lookup(cat, "1.1.749.0");
	check(r != NULL && r->auto_upgrade == AU_AUTO_UNKNOWN && r->released == 0,
	    "1.1.749.0: unknown, no date");
	check(releases_lookup(cat, "2.6.92.0") == NULL, "2.6.92.0 not in catalog");
	check(releases_lookup(cat, "junk") == NULL, "junk looked up");
	check(releases_lookup(cat, NULL) == NULL, "NULL looked up");
	for (size_t i = 0; i < cat->nrows; i++)
		check(releases_lookup(cat, cat->rows[i].version) == &cat->rows[i],
		    "lookup %s", cat->rows[i].version);

	/* Successors skip the recalled and the never-released. */
	static const struct { const char *v, *succ; } succ[] = {
		{ "2.6.3.0", "2.6.84.0" }, { "2.6.79.0", "2.6.84.0" },
		{ "2.6.84.0", "2.6.91.0" }, { "2.6.91.0", NULL },
		{ "1.6.16.0", "2.0.3.0" }, { "1.1.557.0", "1.1.561.0" },
		{ "1.1.654.0", "1.1.750.0" }, { "1.0.419.0911", "1.0.470.1023" },
	};
	for (size_t i = 0; i < sizeof(succ) / sizeof(succ[0]); i++) {
		const struct au_release *s = releases_successor(cat,
		    releases_lookup(cat, succ[i].v));
		const char *got = s ? s->version : NULL;

		check(succ[i].succ == NULL ? got == NULL :
		    got != NULL && strcmp(got, succ[i].succ) == 0,
		    "successor of %s: %s, expected %s", succ[i].v, show(got),
		    show(succ[i].succ));
	}

	r = releases_newest_auto(cat, day(2026, 12, 3));
	check(r != NULL && strcmp(r->version, "2.6.3.0") == 0, "newest auto %s",
	    r ? r->version : "(none)");
	r = releases_newest_auto(cat, day(2026, 3, 9));
	check(r != NULL && strcmp(r->version, "2.6.1.0") == 0,
	    "newest auto the day before 2.6.3.0: %s", r ? r->version : "(none)");
	r = releases_newest_auto(cat, day(2026, 3, 10));
	check(r != NULL && strcmp(r->version, "2.6.3.0") == 0,
	    "newest auto on 2.6.3.0's day");
	r = releases_newest(cat, day(2026, 9, 15));
	check(r != NULL && strcmp(r->version, "2.6.84.0") == 0, "newest 2026-09-15: %s",
	    r ? r->version : "(none)");
	r = releases_newest(cat, day(2026, 9, 16));
	check(r != NULL && strcmp(r->version, "2.6.91.0") == 0, "newest 2026-09-16");
	check(releases_newest(cat, day(2014, 8, 31)) == NULL, "nothing before 2014-09");
	check(releases_newest_auto(cat, day(2014, 8, 31)) == NULL,
	    "no auto-upgrade release before 2014-09");
	check(releases_newer_than_catalog(cat, "2.6.92.0"), "2.6.92.0 newer");
	check(releases_newer_than_catalog(cat, "3.0.0.0"), "3.0 newer");
	check(!releases_newer_than_catalog(cat, "2.6.91.0"), "2.6.91.0 not newer");
	check(!releases_newer_than_catalog(cat, "2.4.130.0"), "2.4.130.0 not newer");
	check(!releases_newer_than_catalog(cat, NULL), "NULL not newer");
}

struct status_case {
	const char *version;
	int y;
	unsigned m, d;
	enum au_support want;
};

/* Each boundary, the day before and the day after (and the day itself). */
static const struct status_case status_cases[] = {
	/* 2.5.3.0: end of support 2026-07-31; retiring from 90 days before. */
	{ "2.5.3.0", 2026, 5, 1, AU_SUPPORT_SUPPORTED },
	{ "2.5.3.0", 2026, 5, 2, AU_SUPPORT_RETIRING },
	{ "2.5.3.0", 2026, 5, 3, AU_SUPPORT_RETIRING },
	{ "2.5.3.0", 2026, 7, 30, AU_SUPPORT_RETIRING },
	{ "2.5.3.0", 2026, 7, 31, AU_SUPPORT_RETIRING },
	{ "2.5.3.0", 2026, 8, 1, AU_SUPPORT_RETIRED },
	/* 2.6.3.0: end of support 2027-07-07. */
	{ "2.6.3.0", 2027, 4, 7, AU_SUPPORT_SUPPORTED },
	{ "2.6.3.0", 2027, 4, 8, AU_SUPPORT_RETIRING },
	{ "2.6.3.0", 2027, 7, 7, AU_SUPPORT_RETIRING },
	{ "2.6.3.0", 2027, 7, 8, AU_SUPPORT_RETIRED },
	/* 2.5.79.0 is the floor itself: never below it. EOS 2026-10-23. */
	{ "2.5.79.0", 2026, 7, 24, AU_SUPPORT_SUPPORTED },
	{ "2.5.79.0", 2026, 7, 25, AU_SUPPORT_RETIRING },
	{ "2.5.79.0", 2026, 9, 30, AU_SUPPORT_RETIRING },
	{ "2.5.79.0", 2026, 10, 23, AU_SUPPORT_RETIRING },
	{ "2.5.79.0", 2026, 10, 24, AU_SUPPORT_RETIRED },
	/* 2.5.76.0 (EOS 2026-09-01) is below the floor from 2026-09-30. */
	{ "2.5.76.0", 2026, 9, 1, AU_SUPPORT_RETIRING },
	{ "2.5.76.0", 2026, 9, 2, AU_SUPPORT_RETIRED },
	{ "2.5.76.0", 2026, 9, 29, AU_SUPPORT_RETIRED },
	{ "2.5.76.0", 2026, 9, 30, AU_SUPPORT_BELOW_FLOOR },
	{ "2.5.76.0", 2026, 10, 1, AU_SUPPORT_BELOW_FLOOR },
	/* 1.x: every build retired after 2022-08-31, below the floor later. */
	{ "1.6.16.0", 2022, 6, 1, AU_SUPPORT_SUPPORTED },
	{ "1.6.16.0", 2022, 6, 2, AU_SUPPORT_RETIRING },
	{ "1.6.16.0", 2022, 8, 31, AU_SUPPORT_RETIRING },
	{ "1.6.16.0", 2022, 9, 1, AU_SUPPORT_RETIRED },
	{ "1.1.880.0", 2022, 9, 1, AU_SUPPORT_RETIRED },
	{ "1.0.419.0911", 2022, 9, 1, AU_SUPPORT_RETIRED },
	{ "1.6.16.0", 2026, 9, 29, AU_SUPPORT_RETIRED },
	{ "1.6.16.0", 2026, 10, 1, AU_SUPPORT_BELOW_FLOOR },
	{ "1.6.16.0", 2021, 12, 1, AU_SUPPORT_SUPPORTED },
	/* Recalled at any time, before and after the floor. */
	{ "2.6.79.0", 2026, 7, 1, AU_SUPPORT_RECALLED },
	{ "2.6.79.0", 2026, 10, 1, AU_SUPPORT_RECALLED },
	{ "2.6.79.0", 2030, 1, 1, AU_SUPPORT_RECALLED },
	/* No end of support given: supported (the current build). */
	{ "2.6.91.0", 2026, 12, 3, AU_SUPPORT_SUPPORTED },
	{ "2.6.91.0", 2030, 1, 1, AU_SUPPORT_SUPPORTED },
	/* Unknown: nothing seen, not in the catalog, newer than it. */
	{ NULL, 2026, 12, 3, AU_SUPPORT_UNKNOWN },
	{ "2.4.130.0", 2026, 12, 3, AU_SUPPORT_UNKNOWN },
	{ "2.6.92.0", 2026, 12, 3, AU_SUPPORT_UNKNOWN },
	{ "not a version", 2026, 12, 3, AU_SUPPORT_UNKNOWN },
};

static void
test_status(const struct au_catalog *cat)
{
	for (size_t i = 0; i < sizeof(status_cases) / sizeof(status_cases[0]); i++) {
		const struct status_case *c = &status_cases[i];
		enum au_support got = releases_support(cat, c->version,
		    day(c->y, c->m, c->d));

		check(got == c->want, "%s on %d-%02u-%02u: %s, expected %s",
		    show(c->version), c->y, c->m, c->d, releases_support_name(got),
		    releases_support_name(c->want));
	}
	/* The last tick of a day still belongs to it. */
	check(releases_support(cat, "2.5.3.0", day(2026, 8, 1) - 1) ==
	    AU_SUPPORT_RETIRING, "2.5.3.0 at 2026-07-31T23:59:59.9999999Z");
	check(releases_support(cat, "2.5.76.0", day(2026, 9, 30) - 1) ==
	    AU_SUPPORT_RETIRED, "2.5.76.0 at the last tick before the floor");
	check(releases_support(NULL, "2.6.3.0", day(2026, 12, 3)) ==
	    AU_SUPPORT_UNKNOWN, "no catalog: unknown");

	static const char *const names[] = { "recalled", "below-floor",
	    "retired", "retiring", "unknown", "supported" };
	for (int s = 0; s < AU_SUPPORT_COUNT; s++)
		check(strcmp(releases_support_name((enum au_support)s), names[s]) == 0,
		    "support name %d", s);
}

static void
test_behind(const struct au_catalog *cat, const struct au_catalog *added)
{
	static const struct { const char *v; int y; unsigned m, d; int64_t want; } c[] = {
		/* Newer and for auto-upgrade: 2.5.76.0 2.5.79.0 2.6.1.0 2.6.3.0. */
		{ "2.4.131.0", 2026, 12, 3, 4 },
		{ "2.4.131.0", 2026, 3, 9, 3 },     /* the day before 2.6.3.0 */
		{ "2.4.131.0", 2026, 3, 10, 4 },
		{ "2.4.131.0", 2025, 7, 30, 0 },    /* the day before 2.5.76.0 */
		{ "2.4.131.0", 2025, 7, 31, 1 },
		{ "2.6.3.0", 2026, 12, 3, 0 },      /* 2.6.84.0 and 2.6.91.0 are not for auto-upgrade */
		{ "2.6.91.0", 2026, 12, 3, 0 },
		{ "2.6.79.0", 2026, 12, 3, 0 },
		{ "1.6.16.0", 2026, 12, 3, 8 },
		{ NULL, 2026, 12, 3, -1 },
		{ "2.6.92.0", 2026, 12, 3, -1 },
		{ "2.4.130.0", 2026, 12, 3, -1 },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int64_t got = releases_auto_upgrade_behind(cat, c[i].v,
		    day(c[i].y, c[i].m, c[i].d));

		check(got == c[i].want, "behind %s on %d-%02u-%02u: %lld, expected %lld",
		    show(c[i].v), c[i].y, c[i].m, c[i].d, (long long)got,
		    (long long)c[i].want);
	}
	/* One release added to a copy of the catalog (2.7.1.0, 2026-11-20, yes). */
	check(added->nrows == cat->nrows + 1, "added catalog rows");
	check(releases_auto_upgrade_behind(added, "2.4.131.0", day(2026, 12, 3)) == 5,
	    "an added release counts");
	check(releases_auto_upgrade_behind(added, "2.4.131.0", day(2026, 11, 19)) == 4,
	    "an added release counts from its date");
	check(releases_auto_upgrade_behind(added, "2.6.91.0", day(2026, 12, 3)) == 1,
	    "the newest shipped build is behind the added one");
	check(releases_auto_upgrade_behind(cat, "2.7.1.0", day(2026, 12, 3)) == -1 &&
	    releases_auto_upgrade_behind(added, "2.7.1.0", day(2026, 12, 3)) == 0,
	    "the added build is known only to the added catalog");
	check(releases_support(cat, "2.7.1.0", day(2026, 12, 3)) == AU_SUPPORT_UNKNOWN &&
	    releases_newer_than_catalog(cat, "2.7.1.0") &&
	    releases_support(added, "2.7.1.0", day(2026, 12, 3)) == AU_SUPPORT_SUPPORTED &&
	    !releases_newer_than_catalog(added, "2.7.1.0"),
	    "the added build's status");
	const struct au_release *r = releases_newest_auto(added, day(2026, 12, 3));
	check(r != NULL && strcmp(r->version, "2.7.1.0") == 0, "added newest auto");
	/* 2.6.91.0's successor is now the added row; the end date is empty. */
	r = releases_successor(added, releases_lookup(added, "2.6.91.0"));
	check(r != NULL && strcmp(r->version, "2.7.1.0") == 0, "added successor");
}

static void
test_build(const struct au_catalog *cat)
{
	struct au_install in;
	struct au_build b;

	memset(&in, 0, sizeof(in));
	in.version = "2.4.131.0";
	in.product = "Microsoft Entra Connect Sync";
	in.time = day(2025, 4, 1);
	in.event_id = 1033;
	releases_build(cat, &in, day(2026, 12, 3), &b);
	check(b.installed_version == in.version && b.product == in.product &&
	    b.installed_time == in.time && b.install == &in, "build fields");
	check(b.support == AU_SUPPORT_BELOW_FLOOR && b.releases_behind == 4 &&
	    !b.newer_than_catalog, "build status %s, behind %lld",
	    releases_support_name(b.support), (long long)b.releases_behind);
	check(b.release != NULL && strcmp(b.release->version, "2.4.131.0") == 0 &&
	    b.successor != NULL && strcmp(b.successor->version, "2.5.3.0") == 0 &&
	    b.newest_auto != NULL && strcmp(b.newest_auto->version, "2.6.3.0") == 0 &&
	    b.newest != NULL && strcmp(b.newest->version, "2.6.91.0") == 0 &&
	    b.now == day(2026, 12, 3), "build rows");

	in.version = "2.6.92.0";
	releases_build(cat, &in, day(2026, 12, 3), &b);
	check(b.support == AU_SUPPORT_UNKNOWN && b.newer_than_catalog &&
	    b.releases_behind == -1 && b.release == NULL && b.successor == NULL,
	    "build newer than the catalog");

	in.version = "";   /* the store keeps "" for an install without a version */
	releases_build(cat, &in, day(2026, 12, 3), &b);
	check(b.installed_version == NULL && b.support == AU_SUPPORT_UNKNOWN &&
	    !b.newer_than_catalog && b.releases_behind == -1 &&
	    b.product == in.product, "build without a version");

	releases_build(cat, NULL, day(2026, 12, 3), &b);
	check(b.installed_version == NULL && b.install == NULL &&
	    b.support == AU_SUPPORT_UNKNOWN && b.releases_behind == -1 &&
	    b.newest_auto != NULL, "no build");
}

static struct au_install *
inst(uint32_t id, uint64_t time, const char *product, const char *version)
{
	struct au_install *in = xcalloc(1, sizeof(*in));

	in->event_id = id;
	in->time = time;
	in->product = xstrdup(product);
	in->version = version != NULL ? xstrdup(version) : NULL;
	in->status = 0;
	in->host = xstrdup("AADC01");
	return in;
}

/* analyse_host_build: the installed build from a host's timeline, judged by a catalog. */
static void
test_host_build(const struct au_catalog *cat, const struct au_catalog *added)
{
	struct au_install **in = xcalloc(4, sizeof(*in));
	struct au_host_report *hr;

	/* Given newest first on purpose: analyse_host sorts. */
	in[0] = inst(1033, day(2026, 2, 20), "Microsoft Entra Connect Sync", "2.6.1.0");
	in[1] = inst(1034, day(2026, 2, 20) - 1, "Microsoft Entra Connect Sync", "2.5.79.0");
	in[2] = inst(1033, day(2025, 9, 10), "Microsoft Entra Connect Sync", "2.5.79.0");
	in[3] = inst(1033, day(2025, 9, 11), "Microsoft Entra Connect Health agent", "4.5.2520.0");
	hr = analyse_host(NULL, 0, in, 3);   /* the Health agent never gets here: install_classify drops it */
	au_install_free(in[3]);
	check(hr->build.installed_version != NULL &&
	    strcmp(hr->build.installed_version, "2.6.1.0") == 0 &&
	    hr->build.support == AU_SUPPORT_UNKNOWN && hr->build.release == NULL,
	    "analyse_host without a catalog: %s",
	    show(hr->build.installed_version));
	analyse_host_build(hr, cat, day(2026, 12, 3));
	check(hr->build.support == AU_SUPPORT_SUPPORTED && hr->build.releases_behind == 1 &&
	    hr->build.installed_time == day(2026, 2, 20) &&
	    hr->build.successor != NULL &&
	    strcmp(hr->build.successor->version, "2.6.3.0") == 0,
	    "host build: %s, behind %lld", releases_support_name(hr->build.support),
	    (long long)hr->build.releases_behind);
	analyse_host_build(hr, added, day(2026, 12, 3));
	check(hr->build.releases_behind == 2, "host build, added release: behind %lld",
	    (long long)hr->build.releases_behind);
	analyse_host_build(hr, cat, day(2027, 3, 11));
	check(hr->build.support == AU_SUPPORT_RETIRED, "host build in 2027: %s",
	    releases_support_name(hr->build.support));
	analyse_host_free(hr);
}

static char *
write_file(const char *name, const char *text, size_t len)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	return path;
}

#define HDR "version\trelease_date\tauto_upgrade\tend_of_support\tnote\n"
#define ROW1 "2.6.3.0\t2026-03-10\tyes\t2027-07-07\tA note.\n"
#define ROW2 "2.6.1.0\t2026-02-02\tyes\t2027-03-10\t\n"

static void
test_malformed(void)
{
	static const struct { const char *name, *text; const char *want; } bad[] = {
		{ "empty", "", "line 1: empty file" },
		{ "header-only", HDR, "line 1: no releases" },
		{ "bad-header", "version\tdate\tauto\teos\tnote\n" ROW1, "line 1: the header" },
		{ "spaces", HDR ROW1 "2.6.2.0 2026-02-02 yes 2027-03-10 x\n", "line 3: 1 fields, expected 5" },
		{ "four-fields", HDR ROW1 ROW2 "2.6.2.0\t2026-02-02\tyes\t2027-03-10\n", "line 4: 4 fields, expected 5" },
		{ "six-fields", HDR "2.6.2.0\t2026-02-02\tyes\t2027-03-10\tn\tx\n", "line 2: 6 fields, expected 5" },
		{ "bad-version", HDR ROW1 "2.6.x\t2026-02-02\tyes\t2027-03-10\t\n", "line 3: bad version \"2.6.x\"" },
		{ "empty-version", HDR "\t2026-02-02\tyes\t2027-03-10\t\n", "line 2: bad version \"\"" },
		{ "bad-month", HDR "2.6.2.0\t2026-13-02\tyes\t2027-03-10\t\n", "line 2: bad release_date \"2026-13-02\"" },
		{ "bad-day", HDR "2.6.2.0\t2026-02-30\tyes\t2027-03-10\t\n", "line 2: bad release_date \"2026-02-30\"" },
		{ "us-date", HDR "2.6.2.0\t02/02/2026\tyes\t2027-03-10\t\n", "line 2: bad release_date" },
		{ "bad-auto", HDR "2.6.2.0\t2026-02-02\tmaybe\t2027-03-10\t\n", "line 2: bad auto_upgrade \"maybe\"" },
		{ "auto-case", HDR "2.6.2.0\t2026-02-02\tYes\t2027-03-10\t\n", "line 2: bad auto_upgrade \"Yes\"" },
		{ "eos-month", HDR "2.6.2.0\t2026-02-02\tyes\t2027-03\t\n", "line 2: bad end_of_support \"2027-03\"" },
		{ "eos-tbd", HDR "2.6.2.0\t2026-02-02\tyes\tTBD\t\n", "line 2: bad end_of_support \"TBD\"" },
		{ "twice", HDR ROW1 ROW2 "2.6.3.0\t2026-03-11\tno\t\t\n", "line 4: version 2.6.3.0 listed twice (lines 2 and 4)" },
		{ "twice-numeric", HDR "1.0.494.0501\t2015-05\tunknown\t2022-08-31\t\n1.0.494.501\t2015-05\tunknown\t2022-08-31\t\n", "line 3: version 1.0.494.501 listed twice" },
		{ "control", HDR "2.6.2.0\t2026-02-02\tyes\t2027-03-10\tbell\a\n", "line 2: a control character" },
		{ "escape", HDR ROW1 "2.6.2.0\t2026-02-02\tyes\t2027-03-10\t\x1b[31mred\n", "line 3: a control character" },
		{ "utf8", HDR "2.6.2.0\t2026-02-02\tyes\t2027-03-10\tcaf\xe9\n", "line 2: a control character or invalid UTF-8" },
		{ "floor-no-date", HDR "2.5.79.0\t2025-09-01\tyes\t2026-10-23\tMANDATORY MINIMUM: soon\n", "line 2: a MANDATORY MINIMUM note needs" },
	};
	struct au_catalog *cat = NULL;
	struct au_error *err;
	char *path;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		path = write_file(bad[i].name, bad[i].text, strlen(bad[i].text));
		err = releases_load(path, &cat);
		check(err != NULL && cat == NULL, "%s: loaded", bad[i].name);
		if (err != NULL) {
			check(err->kind == AU_ERR_INPUT, "%s: kind %d", bad[i].name,
			    err->kind);
			check(err->where != NULL && strcmp(err->where, path) == 0,
			    "%s: where %s", bad[i].name, show(err->where));
			check(strncmp(err->msg, bad[i].want, strlen(bad[i].want)) == 0,
			    "%s: message \"%s\", expected \"%s...\"", bad[i].name,
			    err->msg, bad[i].want);
		}
		au_error_free(err);
		releases_free(cat);
		cat = NULL;
		unlink(path);
		free(path);
	}

	/* A NUL byte inside a line. */
	static const char nul[] = HDR "2.6.2.0\t2026-02-02\tyes\t2027-03-10\ta\0b\n";
	path = write_file("nul", nul, sizeof(nul) - 1);
	err = releases_load(path, &cat);
	check(err != NULL && strcmp(err->msg, "line 2: a NUL byte") == 0,
	    "NUL: %s", err ? err->msg : "loaded");
	au_error_free(err);
	unlink(path);
	free(path);

	/* A line too long to be a release is an error, not memory. */
	size_t big = 70000;
	char *text = xmalloc(strlen(HDR) + big + 2);
	strcpy(text, HDR);
	memset(text + strlen(HDR), 'x', big);
	text[strlen(HDR) + big] = '\n';
	path = write_file("long", text, strlen(HDR) + big + 1);
	err = releases_load(path, &cat);
	check(err != NULL && strcmp(err->msg, "line 2: longer than 65536 bytes") == 0,
	    "long line: %s", err ? err->msg : "loaded");
	au_error_free(err);
	unlink(path);
	free(path);
	free(text);

	/* A missing file: the reason from the system. */
	path = xasprintf("%s/absent.tsv", tmpdir);
	err = releases_load(path, &cat);
	check(err != NULL && err->kind == AU_ERR_INPUT &&
	    strcmp(err->where, path) == 0 &&
	    strstr(err->msg, "cannot open the release catalog") != NULL &&
	    strstr(err->msg, "No such file") != NULL, "absent: %s",
	    err ? err->msg : "loaded");
	au_error_free(err);
	free(path);

	/* Accepted: CRLF line ends, a last line without newline, blank lines, UTF-8. */
	static const char ok[] = "version\trelease_date\tauto_upgrade\tend_of_support\tnote\r\n"
	    "2.6.1.0\t2026-02-02\tyes\t2027-03-10\tcaf\xc3\xa9\r\n\r\n"
	    "2.6.3.0\t2026-03-10\tyes\t2027-07-07\tlast";
	path = write_file("ok", ok, sizeof(ok) - 1);
	err = releases_load(path, &cat);
	check(err == NULL && cat != NULL && cat->nrows == 2 &&
	    strcmp(cat->rows[0].version, "2.6.3.0") == 0 &&
	    strcmp(cat->rows[0].note, "last") == 0 && cat->rows[0].line == 4 &&
	    strcmp(cat->rows[1].note, "caf\xc3\xa9") == 0 && cat->floor == NULL,
	    "CRLF catalog: %s", err ? err->msg : "");
	au_error_free(err);
	releases_free(cat);
	cat = NULL;
	unlink(path);
	free(path);
}

int
main(void)
{
	const char *srcdir = getenv("srcdir");
	struct au_catalog *cat, *added;
	char *path, *text, *apath;
	FILE *f;
	long len;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	path = xasprintf("%s/data/releases.tsv", srcdir != NULL ? srcdir : ".");
	test_versions();
	if ((cat = load(path)) == NULL)
		return 1;
	test_catalog(cat);
	test_status(cat);

	/* A copy of the shipped catalog with one release added at the end. */
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		return 1;
	}
	text = xmalloc((size_t)len + 100);
	if (fread(text, 1, (size_t)len, f) != (size_t)len) {
		perror(path);
		return 1;
	}
	fclose(f);
	strcpy(text + len, "2.7.1.0\t2026-11-20\tyes\t\tAdded by the test.\n");
	apath = write_file("added.tsv", text, strlen(text));
	if ((added = load(apath)) == NULL)
		return 1;
	test_behind(cat, added);
	test_build(cat);
	test_host_build(cat, added);
	test_malformed();

	releases_free(cat);
	releases_free(added);
	unlink(apath);
	free(apath);
	free(text);
	free(path);
	rmdir(tmpdir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
