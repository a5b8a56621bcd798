/* test-render.c: unit tests of the report, fleet and export writers on hand-built reports. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analyse.h"
#include "classify.h"
#include "render.h"
#include "xmalloc.h"

static int passed, failed;

#define CHECK(cond) check((cond), #cond, __FILE__, __LINE__)

static int
check(int ok, const char *what, const char *file, int line)
{
	if (ok)
		passed++;
	else {
		failed++;
		printf("FAIL %s:%d: %s\n", file, line, what);
	}
	return ok;
}

/* Asserts that haystack contains needle, showing both when it does not. */
#define CONTAINS(hay, needle) contains((hay), (needle), __FILE__, __LINE__)

static int
contains(const char *hay, const char *needle, const char *file, int line)
{
	if (strstr(hay, needle) != NULL) {
		passed++;
		return 1;
	}
	failed++;
	printf("FAIL %s:%d: output lacks \"%s\"\n", file, line, needle);
	return 0;
}

#define LACKS(hay, needle) lacks((hay), (needle), __FILE__, __LINE__)

static int
lacks(const char *hay, const char *needle, const char *file, int line)
{
	if (strstr(hay, needle) == NULL) {
		passed++;
		return 1;
	}
	failed++;
	printf("FAIL %s:%d: output has \"%s\"\n", file, line, needle);
	return 0;
}

#define STARTS(s, prefix) check(strncmp((s), (prefix), strlen(prefix)) == 0, \
	"starts with " #prefix, __FILE__, __LINE__)

#define STREQ(got, want) streq((got), (want), __FILE__, __LINE__)

static int
streq(const char *got, const char *want, const char *file, int line)
{
	if (got != NULL && strcmp(got, want) == 0) {
		passed++;
		return 1;
	}
	failed++;
	printf("FAIL %s:%d: got \"%s\", want \"%s\"\n", file, line,
	    got ? got : "(null)", want);
	return 0;
}

static size_t
count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* FILETIME of a UTC civil time, independent of the code under test. */
static uint64_t
ft(int y, int mo, int d, int h, int mi, int s)
{
	/* days from 1601-01-01, counted year by year: slow but obviously right */
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	uint64_t days = 0;
	int i;

	for (i = 1601; i < y; i++)
		days += (i % 4 == 0 && (i % 100 != 0 || i % 400 == 0)) ? 366 : 365;
	for (i = 1; i < mo; i++)
		days += (uint64_t)mdays[i - 1] +
		    (i == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
	days += (uint64_t)d - 1;
	return ((days * 86400 + (uint64_t)h * 3600 + (uint64_t)mi * 60 +
	    (uint64_t)s) * UINT64_C(10000000));
}

/* Catalog entries, set by hand so the tests do not depend on classify.c. */
static const struct au_code code_nonlocaldb = {
	.code = "UpgradeNotSupportedNonLocalDbInstall",
	.category = AU_CAT_NOT_SUPPORTED,
	.description = "You aren't using a SQL Server Express LocalDB database.",
	.first_listed = "A3 (05/2016)", .last_listed = "current",
	.remediation = "Upgrade manually: a full SQL Server installation is never auto-upgraded.",
};
static const struct au_code code_syncexe = {
	.code = "UpgradeAbortedSyncExeInUse",
	.category = AU_CAT_ABORTED,
	.description = "The synchronization service manager UI is open on the server.",
	.first_listed = "A2 (04/2016)", .last_listed = "current",
	.remediation = "Close the Synchronization Service Manager.",
};
static const struct au_code code_staging = {
	.code = "UpgradeNotSupportedStagingModeEnabled",
	.category = AU_CAT_NOT_SUPPORTED,
	.description = "The server is set to be in staging mode.",
	.first_listed = "A2 (04/2016)", .last_listed = "A8 (09/2018)",
	.historical = 1,
	.remediation = "Staging servers are upgraded manually.",
};
static const struct au_code code_preupgrade = {
	.code = "PreUpgradeFailure",
	.category = AU_CAT_OTHER,
	.description = NULL,
	.first_listed = "issue #19335", .last_listed = "n/a",
	.remediation = "Install the latest version manually.",
};
static const struct au_code code_success = {
	.code = "Success",
	.category = AU_CAT_SUCCESS,
	.description = "The installation was successfully upgraded.",
	.first_listed = "A2 (04/2016)", .last_listed = "current",
	.remediation = "Nothing to do.",
};

static struct au_event *
mkevent(const char *host, uint64_t time, uint64_t record_id, const char *message,
    const char *code, const char *detail, enum au_category cat,
    const struct au_code *entry)
{
	struct au_event *ev = xcalloc(1, sizeof(*ev));

	ev->host = xstrdup(host);
	ev->time = time;
	ev->record_id = record_id;
	ev->event_id = 300;
	ev->level = 4;
	ev->provider = xstrdup("Azure AD Connect Upgrade");
	ev->channel = xstrdup("Application");
	ev->message = xstrdup(message);
	ev->result_code = code ? xstrdup(code) : NULL;
	ev->detail = detail ? xstrdup(detail) : NULL;
	ev->category = cat;
	ev->code = entry;
	return ev;
}

/* Collects one host's events and installs, then lets analyse_host judge it. */
struct hostb {
	struct au_event **ev;
	size_t nev;
	struct au_install **in;
	size_t nin;
};

static void
hb_event(struct hostb *b, struct au_event *ev)
{
	b->ev = xreallocarray(b->ev, b->nev + 1, sizeof(*b->ev));
	b->ev[b->nev++] = ev;
}

static void
hb_install(struct hostb *b, const char *host, uint64_t time, const char *version)
{
	struct au_install *in = xcalloc(1, sizeof(*in));

	in->time = time;
	in->host = xstrdup(host);
	in->record_id = time / 10000000;
	in->event_id = 1033;
	in->product = xstrdup("Microsoft Azure AD Connect");
	in->version = xstrdup(version);
	in->status = 0;
	b->in = xreallocarray(b->in, b->nin + 1, sizeof(*b->in));
	b->in[b->nin++] = in;
}

/* Adds the host to rep and checks the verdict the fixture is meant to give. */
static struct au_host_report *
hb_done(struct hostb *b, struct au_report *rep, enum au_verdict want)
{
	struct au_host_report *hr = analyse_host(b->ev, b->nev, b->in, b->nin);

	memset(b, 0, sizeof(*b));
	if (!CHECK(hr->verdict == want))
		printf("  %s: verdict %s, want %s\n", hr->host,
		    au_verdict_name(hr->verdict), au_verdict_name(want));
	if (rep != NULL)
		analyse_report_add(rep, hr);
	return hr;
}

#define HOSTILE_HOST "EVIL\x1b[31m\nHOST|x"
#define HOSTILE_MSG "result = PreUpgradeFailure\x1b]0;pwned\x07\xc2\x9b" \
	"2J\x9b\xff<script>|*_`"
#define LONG_LEN 5000

/*
 * Six servers, worst first: failed (compound, unknown code), blocked
 * (28 NotSupported results after 2 aborted ones), unknown (undocumented
 * PreUpgradeFailure, hostile host name and message), retrying (after a
 * historical code, two different UpgradeAborted codes), no-result,
 * upgraded. Kept in this order: the writers must not reorder.
 */
static void
build_report(struct au_report *rep, uint64_t now)
{
	struct hostb b = { 0 };
	const char *h;
	char *longmsg;
	int i;

	analyse_report_init(rep, now);

	h = "AADC05.contoso.local";
	hb_event(&b, mkevent(h, ft(2020, 7, 1, 3, 0, 0), 77,
	    "Azure AD Connect AutoUpgrade result = UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed",
	    "UpgradeFailedRollbackSuccess", "GetPasswordHashSyncStateFailed",
	    AU_CAT_FAILED, NULL));
	hb_done(&b, rep, AU_VERDICT_FAILED);

	h = "AADC01.contoso.local";
	hb_event(&b, mkevent(h, ft(2016, 5, 30, 8, 0, 0), 1,
	    "Azure AD Connect AutoUpgrade result = UpgradeAbortedSyncExeInUse",
	    "UpgradeAbortedSyncExeInUse", NULL, AU_CAT_ABORTED, &code_syncexe));
	hb_event(&b, mkevent(h, ft(2016, 5, 31, 8, 0, 0), 2,
	    "Azure AD Connect AutoUpgrade result = UpgradeAbortedSyncExeInUse",
	    "UpgradeAbortedSyncExeInUse", NULL, AU_CAT_ABORTED, &code_syncexe));
	for (i = 0; i < 28; i++)
		hb_event(&b, mkevent(h, ft(2016, 6, 1 + i, 8, 0, 0),
		    (uint64_t)(3 + i),
		    "Azure AD Connect AutoUpgrade result = UpgradeNotSupportedNonLocalDbInstall",
		    "UpgradeNotSupportedNonLocalDbInstall", NULL,
		    AU_CAT_NOT_SUPPORTED, &code_nonlocaldb));
	hb_install(&b, h, ft(2016, 2, 20, 9, 0, 0), "1.1.105.0");
	hb_done(&b, rep, AU_VERDICT_BLOCKED);

	/* Hostile: ESC sequences, newline, a table pipe, C1 CSI, raw bytes. */
	longmsg = xmalloc(LONG_LEN + 1);
	memset(longmsg, 'A', LONG_LEN);
	memcpy(longmsg, HOSTILE_MSG, strlen(HOSTILE_MSG));
	longmsg[LONG_LEN] = '\0';
	hb_event(&b, mkevent(HOSTILE_HOST, ft(2018, 11, 21, 12, 0, 0),
	    UINT64_MAX - 1, longmsg, "PreUpgradeFailure", NULL, AU_CAT_OTHER,
	    &code_preupgrade));
	free(longmsg);
	hb_done(&b, rep, AU_VERDICT_UNKNOWN);

	h = "AADC03.contoso.local";
	hb_event(&b, mkevent(h, ft(2017, 3, 1, 0, 0, 0), 10,
	    "Result: UpgradeNotSupportedStagingModeEnabled",
	    "UpgradeNotSupportedStagingModeEnabled", NULL, AU_CAT_NOT_SUPPORTED,
	    &code_staging));
	hb_event(&b, mkevent(h, ft(2017, 3, 2, 0, 0, 0), 11,
	    "Result: UpgradeAbortedSyncExeInUse", "UpgradeAbortedSyncExeInUse",
	    NULL, AU_CAT_ABORTED, &code_syncexe));
	hb_event(&b, mkevent(h, ft(2017, 3, 3, 0, 0, 0), 12,
	    "Result: UpgradeAbortedSomethingNew", "UpgradeAbortedSomethingNew",
	    NULL, AU_CAT_ABORTED, NULL));
	hb_done(&b, rep, AU_VERDICT_RETRYING);

	hb_event(&b, mkevent("AADC04.contoso.local", ft(2019, 1, 1, 0, 0, 0), 5,
	    "Upgrade check started", NULL, NULL, AU_CAT_NONE, NULL));
	hb_done(&b, rep, AU_VERDICT_NO_RESULT);

	h = "AADC02.contoso.local";
	hb_event(&b, mkevent(h, ft(2016, 6, 26, 0, 0, 0), 100,
	    "Azure AD Connect AutoUpgrade result = UpgradeAbortedSyncExeInUse",
	    "UpgradeAbortedSyncExeInUse", NULL, AU_CAT_ABORTED, &code_syncexe));
	hb_event(&b, mkevent(h, 131114637001234567ULL, 101,
	    "Azure AD Connect AutoUpgrade result = Success", "Success", NULL,
	    AU_CAT_SUCCESS, &code_success));
	hb_install(&b, h, ft(2016, 6, 27, 1, 20, 0), "1.1.110.0");
	hb_done(&b, rep, AU_VERDICT_UPGRADED);

	rep->nfiles = 2;
	rep->files = xcalloc(2, sizeof(*rep->files));
	rep->files[0].path = xstrdup("logs/a.evtx");
	rep->files[0].records = 1200;
	rep->files[0].matched = 30;
	rep->files[0].recovered = 2;
	rep->files[0].corrupt = 1;
	au_file_stats_add_error(&rep->files[0], "chunk 3: bad CRC");
	au_file_stats_add_error(&rep->files[0], "truncated \xff");
	rep->files[1].path = xstrdup("logs/b|\x1b.evtx");
	rep->files[1].records = 10;
	rep->files[1].matched = 4;
}

/* Runs a writer into memory; returns the output (owned) and sets *err. */
enum which { TEXT, TEXT_COLOR, MARKDOWN, JSON };

static char *
render(enum which w, const struct au_report *rep)
{
	struct au_render_opts opts = { w == TEXT_COLOR, 0 };
	struct au_error *err = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL) {
		perror("open_memstream");
		exit(2);
	}
	switch (w) {
	case TEXT:
	case TEXT_COLOR:
		err = render_report_text(f, rep, &opts);
		break;
	case MARKDOWN:
		err = render_report_markdown(f, rep);
		break;
	case JSON:
		err = render_report_json(f, rep);
		break;
	}
	CHECK(err == NULL);
	au_error_free(err);
	fclose(f);
	CHECK(strlen(buf) == len);   /* no NUL byte in the output */
	return buf;
}

/* The text with its wrapped lines joined again (hanging indents folded). */
static char *
unwrap(char *out)
{
	char *w = xstrdup(out), *r = w, *p = out;

	while (*p != '\0') {
		if (*p == '\n' && p[1] == ' ' && p[2] == ' ' && p[3] == ' ' &&
		    p[4] == ' ' && p[5] == ' ' && p[6] == ' ') {
			*r++ = ' ';
			p++;
			while (*p == ' ')
				p++;
			continue;
		}
		*r++ = *p++;
	}
	*r = '\0';
	free(out);
	return w;
}

static void
test_time(void)
{
	static const struct {
		uint64_t ft;
		const char *want;
	} cases[] = {
		{ 131114637001234567ULL, "2016-06-27T01:15:00Z" },
		{ 0, "1601-01-01T00:00:00Z" },
		{ 1, "1601-01-01T00:00:00Z" },
		{ 116444736000000000ULL, "1970-01-01T00:00:00Z" },
		{ 116444735999999999ULL, "1969-12-31T23:59:59Z" },
		{ 125911584000000000ULL, "2000-01-01T00:00:00Z" },
		{ 131039712000000000ULL, "2016-04-01T08:00:00Z" },
		{ 2650467743999999999ULL, "9999-12-31T23:59:59Z" },
		/* computed by hand: 146 400-year cycles + 20236 days + 20170 s */
		{ UINT64_MAX, "60056-05-28T05:36:10Z" },
	};
	char buf[32];
	size_t i;

	/* To the second: jq's fromdateiso8601 takes no fraction. */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		STREQ(render_time(cases[i].ft, buf, sizeof(buf)), cases[i].want);
	STREQ(au_time_text(131114637001234567ULL, 1, buf, sizeof(buf)),
	    "2016-06-27T01:15:00.1234567Z");
	STREQ(render_date(131114637001234567ULL, buf, sizeof(buf)), "2016-06-27");
	STREQ(render_date(0, buf, sizeof(buf)), "1601-01-01");
	/* 2016-02-29 (leap day) and 1900-03-01 (1900 is not a leap year) */
	STREQ(render_date(ft(2016, 2, 29, 23, 59, 59), buf, sizeof(buf)), "2016-02-29");
	STREQ(render_date(ft(1900, 3, 1, 0, 0, 0), buf, sizeof(buf)), "1900-03-01");
	CHECK(ft(2016, 6, 27, 1, 15, 0) + 1234567 == 131114637001234567ULL);
	/* a short buffer truncates instead of overflowing */
	STREQ(render_time(0, buf, 5), "1601");
	CHECK(render_days(ft(2016, 6, 1, 8, 0, 0), ft(2016, 6, 28, 7, 59, 59)) == 26);
	CHECK(render_days(ft(2016, 6, 1, 8, 0, 0), ft(2016, 6, 28, 8, 0, 0)) == 27);
	CHECK(render_days(5, 4) == 0);
}

static void
test_escape(void)
{
	char *s;

	s = render_escape("a\x1b[31mb\n\t\r\x7f", 0, RENDER_ESC_TEXT);
	STREQ(s, "a\\x1b[31mb\\n\\t\\r\\x7f");
	free(s);
	/* C1 CSI as UTF-8, a right-to-left override, a lone 0x9b and bad bytes */
	s = render_escape("\xc2\x9b" "x\xe2\x80\xae" "y\x9b\xff\xc3", 0, RENDER_ESC_TEXT);
	STREQ(s, "\\u009bx\\u202ey\\x9b\\xff\\xc3");
	free(s);
	/* overlong and surrogate encodings are not valid UTF-8 */
	s = render_escape("\xc0\xaf\xed\xa0\x80", 0, RENDER_ESC_TEXT);
	STREQ(s, "\\xc0\\xaf\\xed\\xa0\\x80");
	free(s);
	s = render_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0, RENDER_ESC_TEXT);
	STREQ(s, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	free(s);
	s = render_escape("a|b*c_d`e<f>g&h\\i[j](k)#l~m", 0, RENDER_ESC_MARKDOWN);
	STREQ(s, "a\\|b\\*c\\_d\\`e&lt;f&gt;g&amp;h\\\\i\\[j\\](k)\\#l\\~m");
	free(s);
	s = render_escape("host.contoso-1.local", 0, RENDER_ESC_MARKDOWN);
	STREQ(s, "host.contoso-1.local");
	free(s);
	/* truncation never splits a character */
	s = render_escape("ab\xc3\xa9z", 3, RENDER_ESC_TEXT);
	STREQ(s, "ab... (3 more bytes)");
	free(s);
	s = render_escape(NULL, 0, RENDER_ESC_TEXT);
	STREQ(s, "");
	free(s);

	s = render_utf8_sanitise("ok\xff\xc3\xa9\xc3");
	STREQ(s, "ok\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd");
	free(s);
}

static void
test_streak(void)
{
	struct hostb b = { 0 };
	struct au_host_report *hr;
	char *s;

	hb_event(&b, mkevent("h", ft(2016, 6, 1, 8, 0, 0), 1, "x",
	    "UpgradeAbortedSyncExeInUse", NULL, AU_CAT_ABORTED, &code_syncexe));
	hb_event(&b, mkevent("h", ft(2016, 6, 1, 20, 0, 0), 2, "x",
	    "UpgradeAbortedSyncExeInUse", NULL, AU_CAT_ABORTED, &code_syncexe));
	hr = hb_done(&b, NULL, AU_VERDICT_RETRYING);
	s = render_streak(hr);
	STREQ(s, "UpgradeAborted: 2 results in a row since 2016-06-01T08:00:00Z"
	    " (less than a day up to the last event)");
	free(s);
	analyse_host_free(hr);

	/* an event without a result a day later still counts as "last event" */
	hb_event(&b, mkevent("h", ft(2016, 6, 1, 8, 0, 0), 1, "x",
	    "UpgradeAbortedSyncExeInUse", NULL, AU_CAT_ABORTED, &code_syncexe));
	hb_event(&b, mkevent("h", ft(2016, 6, 1, 20, 0, 0), 2, "x",
	    "UpgradeAbortedSyncExeInUse", NULL, AU_CAT_ABORTED, &code_syncexe));
	hb_event(&b, mkevent("h", ft(2016, 6, 2, 8, 0, 0), 3, "x", NULL, NULL,
	    AU_CAT_NONE, NULL));
	hr = hb_done(&b, NULL, AU_VERDICT_RETRYING);
	s = render_streak(hr);
	STREQ(s, "UpgradeAborted: 2 results in a row since 2016-06-01T08:00:00Z"
	    " (1 day up to the last event)");
	free(s);
	analyse_host_free(hr);

	/* the streak of successes is one too */
	hb_event(&b, mkevent("h", ft(2016, 6, 1, 8, 0, 0), 1, "x", "Success",
	    NULL, AU_CAT_SUCCESS, &code_success));
	hb_event(&b, mkevent("h", ft(2016, 6, 5, 8, 0, 0), 2, "x", "Success",
	    NULL, AU_CAT_SUCCESS, &code_success));
	hr = hb_done(&b, NULL, AU_VERDICT_UPGRADED);
	s = render_streak(hr);
	STREQ(s, "Success: 2 results in a row since 2016-06-01T08:00:00Z"
	    " (4 days up to the last event)");
	free(s);
	analyse_host_free(hr);

	/* one result: no "1 results in a row" */
	hb_event(&b, mkevent("h", ft(2016, 6, 1, 8, 0, 0), 1, "x",
	    "UpgradeAbortedSyncExeInUse", NULL, AU_CAT_ABORTED, &code_syncexe));
	hr = hb_done(&b, NULL, AU_VERDICT_RETRYING);
	s = render_streak(hr);
	STREQ(s, "UpgradeAborted once, at 2016-06-01T08:00:00Z");
	free(s);
	analyse_host_free(hr);
}

static void
test_text(void)
{
	struct au_report rep, rep2;
	const char *const *checks;
	size_t nchecks;
	char *out, *out2, *p;

	build_report(&rep, 1);
	out = render(TEXT, &rep);

	STARTS(out, "Automatic upgrade: 6 servers: 1 failed, 1 blocked,"
	    " 1 unknown, 1 retrying, 1\n  no-result, 1 upgraded\n");
	/*
	 * the summary table first, every server, worst first; at 80 columns
	 * the build and latest result go under the rest of the row
	 */
	CONTAINS(out, "\nSERVER                VERDICT    SINCE       ATTEMPTS\n"
	    "    BUILD (SUPPORT)         LATEST RESULT\n"
	    "AADC05.contoso.local  FAILED     2020-07-01         1\n"
	    "    -                       UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed\n"
	    "AADC01.contoso.local  BLOCKED    2016-06-01        30\n"
	    "    1.1.105.0 (unknown)");
	CONTAINS(out, "\nAADC04.contoso.local  NO-RESULT  2019-01-01         0\n"
	    "    -                       no result code\n");
	{
		/* A wide terminal: one line a server. */
		struct au_render_opts wide = { 0, 200 };
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		CHECK(f != NULL && render_report_text(f, &rep, &wide) == NULL);
		if (f != NULL)
			fclose(f);
		CONTAINS(buf, "\nAADC04.contoso.local  NO-RESULT  2019-01-01         0  -"
		    "                       no result code\n");
		free(buf);
	}
	/* one vocabulary: the streak in a row, attempts = results */
	CONTAINS(out, "\nAADC01.contoso.local  BLOCKED  since 2016-06-01 (28 results in a row)\n");
	CONTAINS(out, "\nAADC05.contoso.local  FAILED  since 2020-07-01 (1 result in a row)\n");
	CONTAINS(out, "\nAADC02.contoso.local  UPGRADED  on 2016-06-27\n");
	CONTAINS(out, "\nAADC04.contoso.local  NO-RESULT  1 upgrade event, none with a result code\n");
	CONTAINS(out, "  Attempts:    30 (upgrade events with a result code) of 30 upgrade events,\n"
	    "               2016-05-30T08:00:00Z .. 2016-06-28T08:00:00Z; last success never\n"
	    "               seen\n");
	CONTAINS(out, "  Latest:      UpgradeNotSupportedNonLocalDbInstall at 2016-06-28T08:00:00Z\n"
	    "               (event 300, record 30)\n");
	CONTAINS(out, "  Category:    UpgradeNotSupported: ");
	CONTAINS(out, "  Documented:  Microsoft's documented description: \"You aren't using a SQL\n"
	    "               Server Express LocalDB database.\"\n");
	CONTAINS(out, "  What to do:  Upgrade manually: a full SQL Server installation is never\n"
	    "               auto-upgraded.\n");
	CONTAINS(out, "  Streak:      UpgradeNotSupported: 28 results in a row since\n"
	    "               2016-06-01T08:00:00Z (27 days up to the last event)\n");
	/* results by count, times to the second */
	CONTAINS(out, "  Results:     28 x UpgradeNotSupportedNonLocalDbInstall (2016-06-01T08:00:00Z\n"
	    "               .. 2016-06-28T08:00:00Z)\n"
	    "               2 x UpgradeAbortedSyncExeInUse (2016-05-30T08:00:00Z ..\n");
	CONTAINS(out, "  Versions:    1.1.105.0 installed 2016-02-20\n");
	CONTAINS(out, "  Versions:    1.1.110.0 installed 2016-06-27\n");
	CONTAINS(out, "; last success\n               2016-06-27T01:15:00Z\n");
	CONTAINS(out, "  Streak:      UpgradeFailed once, at 2020-07-01T03:00:00Z\n");
	CONTAINS(out, "  Streak:      Success once, at 2016-06-27T01:15:00Z\n");
	/* a build that is not known says nothing of its support */
	CHECK(strstr(out, "(null)") == NULL);

	/* undocumented, unknown, compound and historical codes */
	CONTAINS(out, "  Documented:  not documented by Microsoft\n");
	CONTAINS(out, "  Documented:  not documented by Microsoft (the code is in none of the article's\n"
	    "               lists)\n");
	CONTAINS(out, "  Detail:      GetPasswordHashSyncStateFailed\n");
	CONTAINS(out, "  Flag:        UNKNOWN code, not in the catalog; its category is taken from its\n"
	    "               prefix\n");
	CONTAINS(out, "1 x UpgradeNotSupportedStagingModeEnabled (2017-03-01T00:00:00Z\n"
	    "               .. 2017-03-01T00:00:00Z) [historical]\n");
	CONTAINS(out, "1 x UpgradeAbortedSomethingNew (2017-03-03T00:00:00Z ..\n"
	    "               2017-03-03T00:00:00Z) [unknown]\n");

	/* a streak (category) whose codes change */
	CONTAINS(out, "\nAADC03.contoso.local  RETRYING  since 2017-03-02 (2 results in a row)\n");
	CONTAINS(out, "  Streak:      UpgradeAborted: 2 results in a row since 2017-03-02T00:00:00Z (1\n"
	    "               day up to the last event), with changing result codes\n");

	/* the general checks once, at the end, not per server */
	checks = classify_general_checks(&nchecks);
	if (CHECK(nchecks > 0)) {
		char *esc = render_escape(checks[0], 0, RENDER_ESC_TEXT);
		CHECK(count_of(out, "General checks for every server that did not upgrade:") == 1);
		CHECK(strstr(out, "General checks") > strstr(out, "AADC02.contoso.local  UPGRADED"));
		(void)esc;
		free(esc);
	}
	/* wrapped to 80 columns: only the table and unbreakable words run on */
	for (p = strstr(out, "\n\nAADC05.contoso.local  FAILED"); p != NULL && *p != '\0';) {
		char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len), *sp = strrchr(line, ' ');
		if (len > 80)
			CHECK(sp == NULL || strlen(sp + 1) > 40 || strchr(line, ' ') ==
			    line + strspn(line, " ") - 1);
		free(line);
		p += len + (nl != NULL);
	}

	/* hostile strings: no raw ESC, no host name split over lines */
	CHECK(strchr(out, '\x1b') == NULL);
	CHECK(strchr(out, '\x07') == NULL);
	CHECK(strstr(out, "\xc2\x9b") == NULL);
	CHECK(strchr(out, '\x9b') == NULL);
	CONTAINS(out, "\nEVIL\\x1b[31m\\nHOST|x  UNKNOWN  since 2018-11-21 (1 result in a row)\n");
	CONTAINS(out, "  Message:     result =\n"
	    "               PreUpgradeFailure\\x1b]0;pwned\\x07\\u009b2J\\x9b\\xff<script>|*_`AAAA");
	CONTAINS(out, "...\n               (4700 more bytes)\n");

	/* files */
	CONTAINS(out, "\nFiles read:\n  logs/a.evtx: 1200 records (- .. -), 30 upgrade events, 0 installer events, 2\n"
	    "      recovered, 1 corrupt; computers: none; problems: chunk 3: bad CRC;\n"
	    "      truncated \\xff\n");
	CONTAINS(out, "  logs/b|\\x1b.evtx: 10 records (- .. -), 4 upgrade events");

	/* worst first: the order of the hosts is kept */
	p = strstr(out, "AADC05");
	CHECK(p != NULL && strstr(out, "AADC01") > p);
	CHECK(strstr(out, "AADC04") < strstr(out, "AADC02.contoso.local  UPGRADED"));

	/* reproducible: the same report at another `now` gives the same bytes */
	build_report(&rep2, 999999);
	out2 = render(TEXT, &rep2);
	CHECK(strcmp(out, out2) == 0);
	free(out2);
	analyse_report_free(&rep2);

	/* colour only when asked, and still no raw ESC from the data */
	out2 = render(TEXT_COLOR, &rep);
	CONTAINS(out2, "\033[1mAADC01.contoso.local\033[0m  \033[1;31mBLOCKED\033[0m  since");
	CONTAINS(out2, "AADC01.contoso.local  \033[1;31mBLOCKED  \033[0m  2016-06-01");
	CONTAINS(out2, "EVIL\\x1b[31m\\nHOST|x");
	for (p = out2; (p = strchr(p, '\x1b')) != NULL; p++)
		if (!CHECK(p[1] == '[' && p[2] >= '0' && p[2] <= '9'))
			break;
	free(out2);

	free(out);
	analyse_report_free(&rep);
}

/* Pipes that are not escaped: cell separators of a table row. */
static size_t
bare_pipes(const char *line, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (line[i] == '\\')
			i++;
		else if (line[i] == '|')
			n++;
	}
	return n;
}

static void
test_markdown(void)
{
	struct au_report rep;
	char *out, *line, *nl;
	int rows = 0, table = 0;

	build_report(&rep, 1);
	out = render(MARKDOWN, &rep);

	STARTS(out, "# Automatic upgrade report\n\n6 servers: 1 failed,");
	CONTAINS(out, "| Server | Verdict | Since | Attempts | Latest result | Build | Support | Last event |\n");
	CONTAINS(out, "| AADC01.contoso.local | **blocked** | 2016-06-01 | 30 |"
	    " UpgradeNotSupportedNonLocalDbInstall | 1.1.105.0 | unknown | 2016-06-28 |\n");
	CONTAINS(out, "| AADC04.contoso.local | **no-result** | n/a | 0 | none | unknown | unknown | 2019-01-01 |\n");
	CONTAINS(out, "\n## AADC01.contoso.local: blocked since 2016-06-01 (28 results in a row)\n");
	CONTAINS(out, "- **Microsoft's documented description:** \"You aren't using"
	    " a SQL Server Express LocalDB database.\"\n");
	CONTAINS(out, "- **Streak:** UpgradeNotSupported: 28 results in a row since 2016-06-01T08:00:00Z"
	    " (27 days up to the last event)\n");
	CONTAINS(out, "- 1.1.110.0 installed 2016-06-27 (Microsoft Azure AD Connect)\n");
	CONTAINS(out, "| UpgradeNotSupportedStagingModeEnabled | 1 | 2017-03-01T00:00:00Z |"
	    " 2017-03-01T00:00:00Z | historical |\n");
	CONTAINS(out, "- **Detail:** GetPasswordHashSyncStateFailed");
	CHECK(count_of(out, "## General checks") == 1);

	/* hostile strings cannot break tables, add HTML or escape to a terminal */
	CHECK(strchr(out, '\x1b') == NULL);
	CHECK(strchr(out, '\x9b') == NULL);
	LACKS(out, "<script>");
	CONTAINS(out, "## EVIL\\x1b\\[31m\\nHOST\\|x: unknown since 2018-11-21 (1 result in a row)\n");
	CONTAINS(out, "&lt;script&gt;\\|\\*\\_\\`AAA");
	CONTAINS(out, "| logs/b\\|\\x1b.evtx |  | 10 |  |  | 4 | 0 | 0 | none |\n");
	CONTAINS(out, "| logs/a.evtx |  | 1200 |  |  | 30 | 2 | 1 | chunk 3: bad CRC; truncated \\xff |\n");

	/* every table row has exactly as many cell separators as its header */
	for (line = out; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			break;
		if (line[0] != '|') {
			table = 0;
			continue;
		}
		if (table == 0)
			table = (int)bare_pipes(line, (size_t)(nl - line));
		else if (!CHECK(bare_pipes(line, (size_t)(nl - line)) == (size_t)table))
			printf("  row: %.*s\n", (int)(nl - line), line);
		rows++;
	}
	/* summary 2+6, results seen 3+4+3+5+0+4, files 2+2 */
	CHECK(rows == 31);

	free(out);
	analyse_report_free(&rep);
}

/* Whether obj's keys are exactly `keys`, in that order. */
static int
keys_are(const json_t *obj, const char *const *keys, size_t n)
{
	void *it;
	size_t i = 0;

	if (!json_is_object(obj) || json_object_size(obj) != n)
		return 0;
	for (it = json_object_iter((json_t *)obj); it != NULL;
	    it = json_object_iter_next((json_t *)obj, it), i++)
		if (i >= n || strcmp(json_object_iter_key(it), keys[i]) != 0)
			return 0;
	return i == n;
}

static const char *const host_keys[] = { "host", "verdict", "attempts",
	"events_count", "first_seen", "last_seen", "last_success", "latest",
	"streak", "condition", "description", "remediation", "flags", "results",
	"installed_version", "installed_product", "installed_time", "support",
	"support_as_of", "end_of_support", "auto_upgrade_releases_behind",
	"newer_than_catalog", "newest_auto_upgrade_release", "newest_release",
	"successor", "versions", "related", "log", "notes", "events" };
static const char *const event_keys[] = { "time", "host", "record_id",
	"event_id", "level", "provider", "result_code", "detail", "category",
	"known", "historical", "description", "remediation", "message",
	"time_unix", "time_filetime", "event_key", "recovered" };
static const char *const file_keys[] = { "path", "computers",
	"computers_from_name", "archive_member", "members", "first_time",
	"last_time", "dirty", "records", "matched", "recovered", "corrupt",
	"installs", "sha256", "errors" };
static const char *const top_keys[] = { "generator", "version",
	"schema_version", "command", "as_of", "as_of_source", "collection_is_old",
	"summary", "hosts", "files", "other_files" };

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

static void
test_json(void)
{
	struct au_report rep;
	json_error_t jerr;
	json_t *root, *hosts, *h, *ev, *f;
	char *out;
	size_t i, j;

	build_report(&rep, 1);
	out = render(JSON, &rep);
	root = json_loads(out, 0, &jerr);
	if (!CHECK(root != NULL)) {
		printf("  JSON error: %s (line %d)\n", jerr.text, jerr.line);
		goto done;
	}
	CHECK(keys_are(root, top_keys, NKEYS(top_keys)));
	/* the key order is also the order in the text, for diffing by eye */
	CHECK(strstr(out, "\"hosts\"") < strstr(out, "\"files\""));
	hosts = json_object_get(root, "hosts");
	CHECK(json_is_array(hosts) && json_array_size(hosts) == 6);
	json_array_foreach(hosts, i, h) {
		json_t *events = json_object_get(h, "events");
		json_t *latest = json_object_get(h, "latest");

		CHECK(keys_are(h, host_keys, NKEYS(host_keys)));
		CHECK(json_is_string(json_object_get(h, "host")));
		CHECK(json_is_integer(json_object_get(h, "attempts")));
		CHECK(json_is_integer(json_object_get(h, "events_count")));
		CHECK(json_is_string(json_object_get(h, "first_seen")));
		CHECK(json_is_array(events) && json_array_size(events) ==
		    (size_t)json_integer_value(json_object_get(h, "events_count")));
		CHECK(json_is_null(latest) || keys_are(latest, event_keys, NKEYS(event_keys)));
		json_array_foreach(events, j, ev) {
			CHECK(keys_are(ev, event_keys, NKEYS(event_keys)));
			CHECK(json_is_integer(json_object_get(ev, "record_id")));
			CHECK(json_integer_value(json_object_get(ev, "record_id")) >= 0);
			CHECK(json_is_boolean(json_object_get(ev, "known")));
			CHECK(json_is_boolean(json_object_get(ev, "historical")));
			CHECK(json_is_string(json_object_get(ev, "message")));
		}
	}

	/* worst first, as given */
	STREQ(json_string_value(json_object_get(json_array_get(hosts, 0), "verdict")), "failed");
	STREQ(json_string_value(json_object_get(json_array_get(hosts, 5), "verdict")), "upgraded");

	h = json_array_get(hosts, 1);
	STREQ(json_string_value(json_object_get(h, "host")), "AADC01.contoso.local");
	STREQ(json_string_value(json_object_get(h, "verdict")), "blocked");
	CHECK(json_integer_value(json_object_get(h, "attempts")) == 30);
	CHECK(json_is_null(json_object_get(h, "last_success")));
	STREQ(json_string_value(json_object_get(h, "first_seen")), "2016-05-30T08:00:00Z");
	ev = json_object_get(h, "streak");
	CHECK(json_is_object(ev) && json_object_size(ev) == 5);
	STREQ(json_string_value(json_object_get(ev, "category")), "UpgradeNotSupported");
	CHECK(json_is_false(json_object_get(ev, "codes_changed")));
	CHECK(json_integer_value(json_object_get(ev, "count")) == 28);
	STREQ(json_string_value(json_object_get(ev, "since")), "2016-06-01T08:00:00Z");
	ev = json_object_get(h, "latest");
	STREQ(json_string_value(json_object_get(ev, "category")), "UpgradeNotSupported");
	STREQ(json_string_value(json_object_get(ev, "description")),
	    "You aren't using a SQL Server Express LocalDB database.");
	CHECK(json_is_true(json_object_get(ev, "known")));
	CHECK(json_is_false(json_object_get(ev, "historical")));
	CHECK(json_is_null(json_object_get(ev, "detail")));
	CHECK(json_integer_value(json_object_get(ev, "event_id")) == 300);
	CHECK(json_integer_value(json_object_get(ev, "level")) == 4);
	STREQ(json_string_value(json_object_get(ev, "provider")), "Azure AD Connect Upgrade");

	/* compound, unknown */
	ev = json_object_get(json_array_get(hosts, 0), "latest");
	STREQ(json_string_value(json_object_get(ev, "result_code")), "UpgradeFailedRollbackSuccess");
	STREQ(json_string_value(json_object_get(ev, "detail")), "GetPasswordHashSyncStateFailed");
	STREQ(json_string_value(json_object_get(ev, "category")), "UpgradeFailed");
	CHECK(json_is_false(json_object_get(ev, "known")));
	CHECK(json_is_null(json_object_get(ev, "description")));
	CHECK(json_is_null(json_object_get(ev, "remediation")));

	/* hostile host: raw in JSON (escaped by JSON itself), invalid UTF-8 repaired */
	h = json_array_get(hosts, 2);
	STREQ(json_string_value(json_object_get(h, "host")), HOSTILE_HOST);
	ev = json_object_get(h, "latest");
	CHECK(json_is_null(json_object_get(ev, "description")));
	CHECK(json_is_true(json_object_get(ev, "known")));
	STREQ(json_string_value(json_object_get(ev, "remediation")),
	    "Install the latest version manually.");
	CHECK(strstr(json_string_value(json_object_get(ev, "message")),
	    "\x1b]0;pwned\x07\xc2\x9b" "2J\xef\xbf\xbd\xef\xbf\xbd<script>") != NULL);
	CHECK(strlen(json_string_value(json_object_get(ev, "message"))) == LONG_LEN + 4);
	/* record IDs above INT64_MAX are clamped, never negative */
	CHECK(json_integer_value(json_object_get(ev, "record_id")) == INT64_MAX);
	CHECK(strchr(out, '\x1b') == NULL);

	/* historical */
	ev = json_array_get(json_object_get(json_array_get(hosts, 3), "events"), 0);
	CHECK(json_is_true(json_object_get(ev, "historical")));

	/* no result: latest and streak null */
	h = json_array_get(hosts, 4);
	CHECK(json_is_null(json_object_get(h, "latest")));
	CHECK(json_is_null(json_object_get(h, "streak")));
	ev = json_array_get(json_object_get(h, "events"), 0);
	CHECK(json_is_null(json_object_get(ev, "result_code")));
	CHECK(json_is_null(json_object_get(ev, "category")));
	CHECK(json_is_false(json_object_get(ev, "known")));

	h = json_array_get(hosts, 5);
	STREQ(json_string_value(json_object_get(h, "last_success")), "2016-06-27T01:15:00Z");
	STREQ(json_string_value(json_object_get(json_object_get(h, "latest"), "time")),
	    "2016-06-27T01:15:00Z");

	/* files: errors split on "; " */
	f = json_object_get(root, "files");
	CHECK(json_is_array(f) && json_array_size(f) == 2);
	json_array_foreach(f, i, h)
		CHECK(keys_are(h, file_keys, NKEYS(file_keys)));
	h = json_array_get(f, 0);
	STREQ(json_string_value(json_object_get(h, "path")), "logs/a.evtx");
	CHECK(json_integer_value(json_object_get(h, "records")) == 1200);
	CHECK(json_integer_value(json_object_get(h, "matched")) == 30);
	CHECK(json_integer_value(json_object_get(h, "recovered")) == 2);
	CHECK(json_integer_value(json_object_get(h, "corrupt")) == 1);
	ev = json_object_get(h, "errors");
	CHECK(json_is_array(ev) && json_array_size(ev) == 2);
	STREQ(json_string_value(json_array_get(ev, 0)), "chunk 3: bad CRC");
	STREQ(json_string_value(json_array_get(ev, 1)), "truncated \xef\xbf\xbd");
	ev = json_object_get(json_array_get(f, 1), "errors");
	CHECK(json_is_array(ev) && json_array_size(ev) == 0);
	STREQ(json_string_value(json_object_get(json_array_get(f, 1), "path")), "logs/b|\x1b.evtx");

done:
	json_decref(root);
	free(out);
	analyse_report_free(&rep);
}

static void
test_empty(void)
{
	struct au_report rep;
	char *out;
	json_t *root;

	memset(&rep, 0, sizeof(rep));
	out = render(TEXT, &rep);
	STARTS(out, "Automatic upgrade: 0 servers: no automatic-upgrade events found\n");
	LACKS(out, "Files read");
	free(out);
	out = render(MARKDOWN, &rep);
	CONTAINS(out, "0 servers: no automatic-upgrade events found\n");
	LACKS(out, "| Server |");
	free(out);
	out = render(JSON, &rep);
	root = json_loads(out, 0, NULL);
	CHECK(root != NULL && keys_are(root, top_keys, NKEYS(top_keys)) &&
	    json_array_size(json_object_get(root, "hosts")) == 0 &&
	    json_array_size(json_object_get(root, "files")) == 0);
	json_decref(root);
	free(out);
}

/* With the real catalog: classify_event fills the fields render reads. */
static void
test_with_catalog(void)
{
	struct au_report rep;
	struct hostb b = { 0 };
	struct au_event *ev;
	char *out, *esc;

	analyse_report_init(&rep, 0);
	ev = mkevent("AADC09", ft(2017, 1, 2, 3, 4, 5), 9,
	    "Azure AD Connect AutoUpgrade result = UpgradeNotSupportedMetaverseSizeExceeeded",
	    NULL, NULL, AU_CAT_NONE, NULL);
	classify_event(ev);
	hb_event(&b, ev);
	hb_done(&b, &rep, AU_VERDICT_BLOCKED);
	if (!CHECK(ev->code != NULL && ev->code->description != NULL))
		goto done;

	out = unwrap(render(TEXT, &rep));
	CONTAINS(out, "AADC09  BLOCKED  since 2017-01-02 (1 result in a row)\n");
	esc = render_escape(ev->code->description, 0, RENDER_ESC_TEXT);
	CONTAINS(out, esc);
	free(esc);
	CONTAINS(out, "  Flag:        HISTORICAL code, dropped from the article after ");
	CONTAINS(out, "1 x UpgradeNotSupportedMetaverseSizeExceeeded (2017-01-02T");
	CONTAINS(out, ") [historical]\n");
	free(out);

	out = render(MARKDOWN, &rep);
	esc = render_escape(ev->code->description, 0, RENDER_ESC_MARKDOWN);
	CONTAINS(out, esc);
	free(esc);
	free(out);

	out = render(JSON, &rep);
	CONTAINS(out, "\"historical\": true");
	CONTAINS(out, "\"result_code\": \"UpgradeNotSupportedMetaverseSizeExceeeded\"");
	free(out);
done:
	analyse_report_free(&rep);
}

/* The files section names each problem once; a dirty log is a note, not a problem. */
static void
test_files_problems(void)
{
	struct au_report rep;
	char *out;

	analyse_report_init(&rep, 0);
	rep.nfiles = 2;
	rep.files = xcalloc(2, sizeof(*rep.files));
	rep.files[0].path = xstrdup("dirty-corrupt.evtx");
	rep.files[0].records = 7;
	rep.files[0].dirty = 1;
	rep.files[0].file_corrupted = 1;
	au_file_stats_add_error(&rep.files[0], "damaged: chunk 1 (checksum mismatch)");
	rep.files[1].path = xstrdup("dirty-only.evtx");
	rep.files[1].records = 3;
	rep.files[1].dirty = 1;

	out = unwrap(render(TEXT, &rep));
	CONTAINS(out, "  dirty-corrupt.evtx: 7 records (- .. -), 0 upgrade events, 0 installer"
	    " events, 0 recovered, 0 corrupt; computers: none; problems: damaged: chunk 1"
	    " (checksum mismatch); note: log not closed cleanly (dirty)\n");
	CONTAINS(out, "  dirty-only.evtx: 3 records (- .. -), 0 upgrade events, 0 installer"
	    " events, 0 recovered, 0 corrupt; computers: none; problems: none; note: log"
	    " not closed cleanly (dirty)\n");
	LACKS(out, "flagged as corrupted");
	CHECK(count_of(out, "damaged") == 1);
	free(out);

	out = render(MARKDOWN, &rep);
	CONTAINS(out, "| dirty-corrupt.evtx |  | 7 |  |  | 0 | 0 | 0 | damaged: chunk 1 (checksum"
	    " mismatch); note: log not closed cleanly (dirty) |\n");
	CONTAINS(out, "| dirty-only.evtx |  | 3 |  |  | 0 | 0 | 0 | none; note: log not closed"
	    " cleanly (dirty) |\n");
	LACKS(out, "flagged as corrupted");
	CHECK(count_of(out, "damaged") == 1);
	free(out);
	analyse_report_free(&rep);
}

/* Runs a fleet writer into memory, like render(). */
static char *
render_fleet(enum which w, const struct au_report *rep, const struct au_fleet *f,
    const struct au_fleet_opts *fopts)
{
	struct au_render_opts opts = { w == TEXT_COLOR, 1000 }   /* one line a server */;
	struct au_error *err = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (out == NULL) {
		perror("open_memstream");
		exit(2);
	}
	switch (w) {
	case TEXT:
	case TEXT_COLOR:
		err = render_fleet_text(out, rep, f, fopts, &opts);
		break;
	case MARKDOWN:
		err = render_fleet_markdown(out, rep, f, fopts);
		break;
	case JSON:
		err = render_fleet_json(out, rep, f, fopts);
		break;
	}
	CHECK(err == NULL);
	au_error_free(err);
	fclose(out);
	CHECK(strlen(buf) == len);
	return buf;
}

static const char *const fleet_keys[] = { "generator", "version",
	"schema_version", "command", "as_of", "as_of_source", "collection_is_old",
	"summary", "now", "retry_days", "stale_days",
	"servers", "verdicts", "hosts", "blocked", "retrying", "stale",
	"never_succeeded", "codes", "support_as_of", "support", "builds" };
static const char *const fleet_host_keys[] = { "host", "verdict", "since", "days",
	"streak", "attempts", "events_count", "first_seen", "last_seen",
	"last_success", "latest_result", "latest_category", "remediation",
	"installed_version", "support", "auto_upgrade_releases_behind", "log_records" };
static const char *const fleet_entry_keys[] = { "host", "verdict", "since",
	"days", "count", "latest_result" };
static const char *const fleet_code_keys[] = { "code", "category", "known",
	"historical", "description", "remediation", "count", "hosts", "current" };

static void
test_fleet(void)
{
	struct au_report rep, empty;
	struct au_fleet f, fe;
	struct au_fleet_opts o;
	json_t *root, *a, *h;
	char *out, *line, *nl;
	const char *lists[] = { "blocked", "retrying", "stale", "never_succeeded" };
	size_t i, j;
	int table = 0;

	/* 2016-06-01T08:00 to 2021-01-01T00:00: 1674 whole days (2020 is a leap year). */
	build_report(&rep, ft(2021, 1, 1, 0, 0, 0));
	analyse_fleet_opts_default(&o);
	o.retry_days = o.stale_days = 7;
	analyse_fleet(&rep, &o, &f);

	out = render_fleet(TEXT, &rep, &f, &o);
	STARTS(out, "Automatic upgrade, fleet: 6 servers: 1 failed, 1 blocked,"
	    " 1 unknown, 1 retrying, 1 no-result, 1 upgraded\n"
	    "As of 2021-01-01T00:00:00Z, the newest record read: ages are measured up to"
	    " then.\n");
	CONTAINS(out, "\nServers, worst first:\n  AADC05.contoso.local  FAILED     since"
	    " 2020-07-01 (1 result in a row, 1 attempt): UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed\n");
	CONTAINS(out, "  AADC04.contoso.local  NO-RESULT  1 event, none with a result code;"
	    " last 2019-01-01\n");
	CONTAINS(out, "  AADC02.contoso.local  UPGRADED   on 2016-06-27 (2 attempts): Success\n");
	CONTAINS(out, "\nBlocked (UpgradeNotSupported, UpgradeFailed), failed first, then"
	    " longest first:\n  AADC01.contoso.local  blocked   since 2016-06-01, 1674 days:"
	    " 28 results, retried 27 times; latest UpgradeNotSupportedNonLocalDbInstall\n");
	CONTAINS(out, "\nRetrying (UpgradeAborted) for more than 7 days, longest first:\n"
	    "  AADC03.contoso.local  retrying  since 2017-03-02, 1401 days: 2 results,"
	    " retried 1 time; latest UpgradeAbortedSomethingNew\n");
	CONTAINS(out, "\nNo upgrade event for more than 7 days (stale):\n"
	    "  AADC02.contoso.local  upgraded  last event 2016-06-27, 1648 days ago\n");
	CONTAINS(out, "\nNever seen to succeed:\n  AADC01.contoso.local  blocked   first"
	    " event 2016-05-30, 30 attempts\n");
	CONTAINS(out, "\n  28 x UpgradeNotSupportedNonLocalDbInstall (UpgradeNotSupported) on"
	    " 1 server, the latest result on 1\n      Microsoft's documented description:"
	    " \"You aren't using a SQL Server Express LocalDB database.\"\n");
	CONTAINS(out, "  1 x UpgradeNotSupportedStagingModeEnabled (UpgradeNotSupported) on 1"
	    " server, the latest result on 0 [historical]\n");
	CONTAINS(out, "  1 x UpgradeAbortedSomethingNew (UpgradeAborted) on 1 server, the"
	    " latest result on 1 [unknown]\n      not documented by Microsoft (the code"
	    " is in none of the article's lists)\n");
	/* the hostile host: escaped, on one line, padded like the others */
	CONTAINS(out, "\n  EVIL\\x1b[31m\\nHOST|x  UNKNOWN    since 2018-11-21 (1 result in a row,"
	    " 1 attempt):"
	    " PreUpgradeFailure\n");
	CHECK(strchr(out, '\x1b') == NULL);
	CHECK(f.nstale == 6 && f.nnever == 5 && f.nblocked == 1 && f.nretrying == 1);
	free(out);

	out = render_fleet(TEXT_COLOR, &rep, &f, &o);
	CONTAINS(out, "AADC01.contoso.local  \033[1;31mBLOCKED  \033[0m");
	free(out);

	out = render_fleet(MARKDOWN, &rep, &f, &o);
	STARTS(out, "# Automatic upgrade: fleet\n\n6 servers: 1 failed,");
	CONTAINS(out, "\n## Servers, worst first\n\n| Server | Verdict |");
	CONTAINS(out, "| AADC01.contoso.local | blocked | 2016-06-01 | 1674 | 28 | 27 |"
	    " UpgradeNotSupportedNonLocalDbInstall |\n");
	CONTAINS(out, "| AADC02.contoso.local | upgraded | 2016-06-27 | 1648 |\n");
	CONTAINS(out, "| UpgradeNotSupportedNonLocalDbInstall | UpgradeNotSupported | 28 | 1 |"
	    " 1 |  | \"You aren't using a SQL Server Express LocalDB database.\" |\n");
	CONTAINS(out, "| UpgradeAbortedSomethingNew | UpgradeAborted | 1 | 1 | 1 | unknown |"
	    " not documented by Microsoft |\n");
	CONTAINS(out, "| EVIL\\x1b\\[31m\\nHOST\\|x | unknown |");
	CHECK(strchr(out, '\x1b') == NULL);
	/* every table row has as many cell separators as its header */
	for (line = out; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		if (line[0] != '|') {
			table = 0;
			continue;
		}
		if (table == 0)
			table = (int)bare_pipes(line, (size_t)(nl - line));
		else if (!CHECK(bare_pipes(line, (size_t)(nl - line)) == (size_t)table))
			printf("  row: %.*s\n", (int)(nl - line), line);
	}
	free(out);

	out = render_fleet(JSON, &rep, &f, &o);
	root = json_loads(out, 0, NULL);
	if (!CHECK(root != NULL))
		goto done;
	CHECK(keys_are(root, fleet_keys, NKEYS(fleet_keys)));
	STREQ(json_string_value(json_object_get(root, "now")), "2021-01-01T00:00:00Z");
	CHECK(json_integer_value(json_object_get(root, "stale_days")) == 7);
	CHECK(json_integer_value(json_object_get(root, "servers")) == 6);
	CHECK(json_integer_value(json_object_get(json_object_get(root, "verdicts"),
	    "no-result")) == 1);
	a = json_object_get(root, "hosts");
	CHECK(json_array_size(a) == 6);
	json_array_foreach(a, i, h)
		CHECK(keys_are(h, fleet_host_keys, NKEYS(fleet_host_keys)));
	STREQ(json_string_value(json_object_get(json_array_get(a, 2), "host")), HOSTILE_HOST);
	h = json_array_get(a, 0);
	STREQ(json_string_value(json_object_get(h, "latest_result")),
	    "UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed");
	STREQ(json_string_value(json_object_get(h, "latest_category")), "UpgradeFailed");
	h = json_array_get(a, 4);     /* no result */
	CHECK(json_is_null(json_object_get(h, "since")) &&
	    json_is_null(json_object_get(h, "days")) &&
	    json_is_null(json_object_get(h, "latest_result")) &&
	    json_is_null(json_object_get(h, "latest_category")) &&
	    json_is_integer(json_object_get(h, "streak")) &&
	    json_integer_value(json_object_get(h, "streak")) == 0);
	for (j = 0; j < NKEYS(lists); j++)
		json_array_foreach(json_object_get(root, lists[j]), i, h)
			CHECK(keys_are(h, fleet_entry_keys, NKEYS(fleet_entry_keys)));
	h = json_array_get(json_object_get(root, "blocked"), 0);
	STREQ(json_string_value(json_object_get(h, "since")), "2016-06-01T08:00:00Z");
	CHECK(json_integer_value(json_object_get(h, "days")) == 1674 &&
	    json_integer_value(json_object_get(h, "count")) == 28);
	CHECK(json_array_size(json_object_get(root, "stale")) == 6);
	json_array_foreach(json_object_get(root, "codes"), i, h)
		CHECK(keys_are(h, fleet_code_keys, NKEYS(fleet_code_keys)));
	h = json_array_get(json_object_get(root, "codes"), 0);
	STREQ(json_string_value(json_object_get(h, "code")), "UpgradeNotSupportedNonLocalDbInstall");
	CHECK(json_integer_value(json_object_get(h, "count")) == 28 &&
	    json_is_true(json_object_get(h, "known")));
	json_decref(root);
done:
	free(out);

	/* an empty history */
	analyse_report_init(&empty, ft(2021, 1, 1, 0, 0, 0));
	analyse_fleet(&empty, &o, &fe);
	out = render_fleet(TEXT, &empty, &fe, &o);
	STREQ(out, "Automatic upgrade, fleet: 0 servers: no automatic-upgrade events found\n"
	    "As of 2021-01-01T00:00:00Z, the newest record read: ages are measured up to"
	    " then.\n");
	free(out);
	out = render_fleet(JSON, &empty, &fe, &o);
	root = json_loads(out, 0, NULL);
	CHECK(root != NULL && keys_are(root, fleet_keys, NKEYS(fleet_keys)) &&
	    json_array_size(json_object_get(root, "hosts")) == 0 &&
	    json_array_size(json_object_get(root, "codes")) == 0);
	json_decref(root);
	free(out);
	analyse_fleet_free(&fe);
	analyse_report_free(&empty);

	analyse_fleet_free(&f);
	analyse_report_free(&rep);
}

/* Writes one event with `fn` into memory. */
static char *
render_one(int csv, const struct au_event *ev, int flags)
{
	struct au_error *err;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (out == NULL) {
		perror("open_memstream");
		exit(2);
	}
	if (csv) {
		err = render_event_csv(out, ev, flags);
	} else {
		struct render_ndjson *nd = render_ndjson_new(out);

		err = render_ndjson_event(nd, ev);
		if (err == NULL)
			err = render_ndjson_end(nd);
		render_ndjson_free(nd);
	}
	CHECK(err == NULL);
	au_error_free(err);
	fclose(out);
	return buf;
}

static void
test_ndjson(void)
{
	static const char *const keys[] = { "time", "host", "record_id", "event_id",
		"level", "provider", "result_code", "detail", "category", "known",
		"historical", "description", "remediation", "message", "time_unix",
		"time_filetime", "event_key", "recovered", "source_file",
		"@timestamp" };
	struct au_event *ev;
	json_t *o;
	char *out;

	ev = mkevent(HOSTILE_HOST, 131114637001234567ULL, 42, "line 1\r\nline\x1b 2 \xff",
	    "UpgradeNotSupportedNonLocalDbInstall", NULL, AU_CAT_NOT_SUPPORTED,
	    &code_nonlocaldb);
	ev->source_file = xstrdup("logs/a b.evtx");
	out = render_one(0, ev, 0);
	/* one line, whatever the data holds */
	CHECK(count_of(out, "\n") == 1 && out[strlen(out) - 1] == '\n');
	CHECK(strchr(out, '\r') == NULL && strchr(out, '\x1b') == NULL);
	o = json_loads(out, 0, NULL);
	if (CHECK(o != NULL)) {
		CHECK(keys_are(o, keys, NKEYS(keys)));
		STREQ(json_string_value(json_object_get(o, "@timestamp")),
		    "2016-06-27T01:15:00Z");
		STREQ(json_string_value(json_object_get(o, "time")),
		    "2016-06-27T01:15:00Z");
		STREQ(json_string_value(json_object_get(o, "host")), HOSTILE_HOST);
		STREQ(json_string_value(json_object_get(o, "message")),
		    "line 1\r\nline\x1b 2 \xef\xbf\xbd");
		STREQ(json_string_value(json_object_get(o, "source_file")), "logs/a b.evtx");
		STREQ(json_string_value(json_object_get(o, "description")),
		    "You aren't using a SQL Server Express LocalDB database.");
		CHECK(json_integer_value(json_object_get(o, "record_id")) == 42);
	}
	json_decref(o);
	free(out);
	free(ev->source_file);
	ev->source_file = NULL;
	out = render_one(0, ev, 0);
	CONTAINS(out, ",\"source_file\":null,\"@timestamp\":\"2016-06-27T01:15:00Z\"}\n");
	free(out);
	au_event_free(ev);
}

static void
test_csv(void)
{
	struct au_event *ev;
	char *buf = NULL, *out;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (f == NULL) {
		perror("open_memstream");
		exit(2);
	}
	CHECK(render_csv_header(f) == NULL);
	fclose(f);
	STREQ(buf, "time,host,record_id,event_id,level,provider,result_code,detail,"
	    "category,known,historical,description,remediation,message,source_file\r\n");
	free(buf);

	/* comma, quote, CR LF: quoted, quotes doubled, nothing else changed */
	ev = mkevent("AADC01", ft(2025, 2, 28, 5, 0, 0), UINT64_MAX - 1,
	    "=HYPERLINK(\"x\",\"a, b\")\r\nline 2\xff", "UpgradeAbortedSyncExeInUse",
	    NULL, AU_CAT_ABORTED, &code_syncexe);
	out = render_one(1, ev, 0);
	STREQ(out, "2025-02-28T05:00:00Z,AADC01,18446744073709551614,300,4,"
	    "Azure AD Connect Upgrade,UpgradeAbortedSyncExeInUse,,UpgradeAborted,true,"
	    "false,The synchronization service manager UI is open on the server.,"
	    "Close the Synchronization Service Manager.,"
	    "\"=HYPERLINK(\"\"x\"\",\"\"a, b\"\")\r\nline 2\xef\xbf\xbd\",\r\n");
	free(out);
	/* the formula guard, only when asked, inside the quotes */
	out = render_one(1, ev, RENDER_CSV_FORMULAS);
	CONTAINS(out, ",\"'=HYPERLINK(\"\"x\"\",");
	free(out);
	free(ev->message);
	ev->message = xstrdup("-2+3");
	free(ev->host);
	ev->host = xstrdup("@evil");
	ev->source_file = xstrdup("+x.evtx");
	out = render_one(1, ev, RENDER_CSV_FORMULAS);
	CONTAINS(out, ",'@evil,");
	CONTAINS(out, ",'-2+3,'+x.evtx\r\n");
	free(out);
	out = render_one(1, ev, 0);
	CONTAINS(out, ",@evil,");
	CONTAINS(out, ",-2+3,+x.evtx\r\n");
	free(out);

	/* a line break alone is enough to quote */
	free(ev->message);
	ev->message = xstrdup("a\nb");
	out = render_one(1, ev, 0);
	CONTAINS(out, ",\"a\nb\",+x.evtx\r\n");
	free(out);
	free(ev->message);
	ev->message = xstrdup("a\rb");
	out = render_one(1, ev, 0);
	CONTAINS(out, ",\"a\rb\",+x.evtx\r\n");
	free(out);
	au_event_free(ev);

	/* no result: empty fields and false */
	ev = mkevent("h", 0, 1, "", NULL, NULL, AU_CAT_NONE, NULL);
	out = render_one(1, ev, RENDER_CSV_FORMULAS);
	STREQ(out, "1601-01-01T00:00:00Z,h,1,300,4,Azure AD Connect Upgrade,"
	    ",,,false,false,,,,\r\n");
	free(out);
	au_event_free(ev);
}

/* A full disk must come back as an AU_ERR_IO error, not be ignored. */
static void
test_write_error(void)
{
	struct au_report rep;
	struct au_fleet fleet;
	struct au_fleet_opts o;
	struct au_error *err;
	FILE *f;

	f = fopen("/dev/full", "w");
	if (f == NULL) {
		printf("skip: no /dev/full\n");
		return;
	}
	build_report(&rep, 1);
	err = render_report_text(f, &rep, NULL);
	CHECK(err != NULL && err->kind == AU_ERR_IO);
	au_error_free(err);
	clearerr(f);
	err = render_report_json(f, &rep);
	CHECK(err != NULL && err->kind == AU_ERR_IO);
	au_error_free(err);
	clearerr(f);
	err = render_report_markdown(f, &rep);
	CHECK(err != NULL && err->kind == AU_ERR_IO);
	au_error_free(err);
	clearerr(f);

	analyse_fleet(&rep, NULL, &fleet);
	analyse_fleet_opts_default(&o);
	err = render_fleet_text(f, &rep, &fleet, &o, NULL);
	CHECK(err != NULL && err->kind == AU_ERR_IO);
	au_error_free(err);
	clearerr(f);
	err = render_fleet_markdown(f, &rep, &fleet, &o);
	CHECK(err != NULL && err->kind == AU_ERR_IO);
	au_error_free(err);
	clearerr(f);
	err = render_fleet_json(f, &rep, &fleet, &o);
	CHECK(err != NULL && err->kind == AU_ERR_IO);
	au_error_free(err);
	clearerr(f);
	analyse_fleet_free(&fleet);

	/* export writes event by event without flushing: unbuffered, it fails at once */
	setvbuf(f, NULL, _IONBF, 0);
	{
		struct render_ndjson *nd = render_ndjson_new(f);

		/* Its own buffer is written out at the end: the failure shows there. */
		err = render_ndjson_event(nd, rep.hosts[1]->events[0]);
		if (err == NULL)
			err = render_ndjson_end(nd);
		render_ndjson_free(nd);
	}
	CHECK(err != NULL && err->kind == AU_ERR_IO);
	au_error_free(err);
	clearerr(f);
	err = render_csv_header(f);
	CHECK(err != NULL && err->kind == AU_ERR_IO);
	au_error_free(err);
	clearerr(f);
	err = render_event_csv(f, rep.hosts[1]->events[0], 0);
	CHECK(err != NULL && err->kind == AU_ERR_IO);
	au_error_free(err);
	fclose(f);
	analyse_report_free(&rep);
}

/* -v prints the three reports of the sample, for reading them by eye. */
static void
show(void)
{
	struct au_report rep;
	char *out;

	build_report(&rep, 1);
	out = render(TEXT, &rep);
	fputs(out, stdout);
	free(out);
	out = render(MARKDOWN, &rep);
	printf("\n----\n%s", out);
	free(out);
	out = render(JSON, &rep);
	printf("\n----\n%s", out);
	free(out);
	analyse_report_free(&rep);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		show();
		return 0;
	}
	test_time();
	test_escape();
	test_streak();
	test_text();
	test_markdown();
	test_json();
	test_empty();
	test_with_catalog();
	test_files_problems();
	test_fleet();
	test_ndjson();
	test_csv();
	test_write_error();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
