/* test-forms.c: locale dates, time zones (summer time too), encodings and BOMs, detection and the CSV/XML/JSON readers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "input.h"
#include "localtime.h"
#include "xmalloc.h"

static int passed, failed;

#define CHECK(cond, ...) do {						\
	if (cond)							\
		passed++;						\
	else {								\
		failed++;						\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		putchar('\n');						\
	}								\
} while (0)

static uint64_t
utc(int y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s, uint32_t ticks)
{
	struct au_civil c = { y, mo, d, h, mi, s, ticks };
	uint64_t ft = 0;

	au_filetime_from_civil(&c, &ft);
	return ft;
}

static const char *
show(uint64_t ft)
{
	static char buf[64];
	return au_time_text(ft, 1, buf, sizeof(buf));
}

/* A local date text to UTC through tz; 0 when it does not parse. */
static uint64_t
local(const char *text, enum au_date_order order, const struct au_tz *tz,
    enum au_date_order *hint)
{
	struct au_civil c;
	enum au_date_order h;
	uint64_t ft = 0;

	if (!au_local_date_parse(text, strlen(text), order, &c, &h))
		return 0;
	if (hint != NULL)
		*hint = h;
	if (!au_tz_to_utc(tz, &c, &ft))
		return 0;
	return ft;
}

static void
test_dates(void)
{
	enum au_date_order h;
	uint64_t want = utc(2016, 6, 20, 3, 12, 44, 0), got;

	got = local("6/20/2016 3:12:44 AM", AU_DATE_MDY, NULL, &h);
	CHECK(got == want && h == AU_DATE_MDY, "en-US: %s", show(got));
	got = local("6/20/2016 3:12:44 PM", AU_DATE_MDY, NULL, &h);
	CHECK(got == utc(2016, 6, 20, 15, 12, 44, 0), "en-US PM: %s", show(got));
	got = local("1/2/2016 12:05:00 AM", AU_DATE_MDY, NULL, &h);
	CHECK(got == utc(2016, 1, 2, 0, 5, 0, 0) && h == AU_DATE_UNKNOWN, "12 AM: %s", show(got));
	got = local("1/2/2016 12:05:00 PM", AU_DATE_MDY, NULL, &h);
	CHECK(got == utc(2016, 1, 2, 12, 5, 0, 0), "12 PM: %s", show(got));
	got = local("1/2/2016 12:05:00 PM", AU_DATE_DMY, NULL, &h);
	CHECK(got == utc(2016, 2, 1, 12, 5, 0, 0), "DMY order: %s", show(got));
	got = local("20/06/2016 03:12:44", AU_DATE_DMY, NULL, &h);
	CHECK(got == want && h == AU_DATE_DMY, "en-GB: %s", show(got));
	got = local("20.06.2016 03:12:44", AU_DATE_UNKNOWN, NULL, &h);
	CHECK(got == want && h == AU_DATE_UNKNOWN, "de-DE: %s", show(got));
	got = local("2016-06-20 03:12:44", AU_DATE_UNKNOWN, NULL, &h);
	CHECK(got == want, "ISO with a space: %s", show(got));
	got = local("2016-06-20T03:12:44.1234567", AU_DATE_UNKNOWN, NULL, &h);
	CHECK(got == utc(2016, 6, 20, 3, 12, 44, 1234567), "ISO with a fraction: %s", show(got));
	CHECK(local("13/13/2016 03:12:44", AU_DATE_DMY, NULL, &h) == 0, "13/13 is no date");
	CHECK(local("31.02.2016 03:12:44", AU_DATE_UNKNOWN, NULL, &h) == 0, "31 February");
	CHECK(local("6/20/2016 13:12:44 PM", AU_DATE_MDY, NULL, &h) == 0, "13 PM");
	CHECK(local("6/20/2016", AU_DATE_MDY, NULL, &h) == 0, "no time");
	CHECK(local("Information", AU_DATE_MDY, NULL, &h) == 0, "a word");
	got = 0;
	CHECK(au_iso_offset_parse("2016-06-20T05:12:44.1234567+02:00", 33, &got) &&
	    got == utc(2016, 6, 20, 3, 12, 44, 1234567), "ISO +02:00: %s", show(got));
	CHECK(au_iso_offset_parse("2016-06-19T22:42:44-04:30", 25, &got) &&
	    got == want, "ISO -04:30: %s", show(got));
	CHECK(au_iso_offset_parse("2016-06-20T03:12:44Z", 20, &got) && got == want, "ISO Z");
	CHECK(!au_iso_offset_parse("2016-06-20T03:12:44", 19, &got), "no offset is not ISO-with-offset");
}

static void
test_zones(void)
{
	struct au_tz *tz = NULL, *fixed = NULL;
	struct au_error *err;
	enum au_date_order order;
	uint64_t got;

	err = au_tz_open("Mars/Olympus_Mons", &tz);
	CHECK(err != NULL && err->kind == AU_ERR_USAGE && strstr(err->msg, "Mars/Olympus_Mons") != NULL,
	    "unknown zone named: %s", err != NULL ? err->msg : "(no error)");
	au_error_free(err);
	err = au_tz_open("../../etc/passwd", &tz);
	CHECK(err != NULL && err->kind == AU_ERR_USAGE, "a path is no zone");
	au_error_free(err);
	err = au_tz_open("+25:00", &tz);
	CHECK(err != NULL, "+25:00 is no offset");
	au_error_free(err);

	CHECK(au_tz_open("+02:00", &fixed) == NULL, "+02:00");
	got = local("20.06.2016 05:12:44", AU_DATE_UNKNOWN, fixed, NULL);
	CHECK(got == utc(2016, 6, 20, 3, 12, 44, 0), "+02:00: %s", show(got));
	au_tz_free(fixed);
	CHECK(au_tz_open("-0530", &fixed) == NULL, "-0530");
	got = local("2016-06-19 21:42:44", AU_DATE_UNKNOWN, fixed, NULL);
	CHECK(got == utc(2016, 6, 20, 3, 12, 44, 0), "-05:30: %s", show(got));
	au_tz_free(fixed);

	err = au_tz_open("Europe/Berlin", &tz);
	CHECK(err == NULL, "Europe/Berlin: %s", err != NULL ? err->msg : "");
	au_error_free(err);
	if (tz == NULL)
		return;
	/* Winter (CET, +1) and summer (CEST, +2). */
	got = local("15.01.2016 12:00:00", AU_DATE_UNKNOWN, tz, NULL);
	CHECK(got == utc(2016, 1, 15, 11, 0, 0, 0), "Berlin winter: %s", show(got));
	got = local("20.06.2016 05:12:44", AU_DATE_UNKNOWN, tz, NULL);
	CHECK(got == utc(2016, 6, 20, 3, 12, 44, 0), "Berlin summer: %s", show(got));
	/* 2016-03-27: 02:00 CET became 03:00 CEST. */
	got = local("27.03.2016 01:59:59", AU_DATE_UNKNOWN, tz, NULL);
	CHECK(got == utc(2016, 3, 27, 0, 59, 59, 0), "before the switch: %s", show(got));
	got = local("27.03.2016 03:00:00", AU_DATE_UNKNOWN, tz, NULL);
	CHECK(got == utc(2016, 3, 27, 1, 0, 0, 0), "after the switch: %s", show(got));
	got = local("27.03.2016 02:30:00", AU_DATE_UNKNOWN, tz, NULL);
	CHECK(got == utc(2016, 3, 27, 1, 30, 0, 0), "skipped hour = the time after: %s", show(got));
	/* 2016-10-30: 03:00 CEST became 02:00 CET; 02:30 came twice, the first is summer time. */
	got = local("30.10.2016 02:30:00", AU_DATE_UNKNOWN, tz, NULL);
	CHECK(got == utc(2016, 10, 30, 0, 30, 0, 0), "repeated hour = the first: %s", show(got));
	got = local("30.10.2016 03:30:00", AU_DATE_UNKNOWN, tz, NULL);
	CHECK(got == utc(2016, 10, 30, 2, 30, 0, 0), "after the fall switch: %s", show(got));
	/* The same day in en-US form, with the day/month order given. */
	got = local("10/30/2016 1:30:00 AM", AU_DATE_MDY, tz, NULL);
	CHECK(got == utc(2016, 10, 29, 23, 30, 0, 0), "en-US in Berlin: %s", show(got));
	au_tz_free(tz);
	/* America/New_York, another rule (second Sunday of March). */
	if (au_tz_open("America/New_York", &tz) == NULL) {
		got = local("3/13/2016 3:30:00 AM", AU_DATE_MDY, tz, NULL);
		CHECK(got == utc(2016, 3, 13, 7, 30, 0, 0), "New York after its switch: %s", show(got));
		got = local("3/12/2016 3:30:00 AM", AU_DATE_MDY, tz, NULL);
		CHECK(got == utc(2016, 3, 12, 8, 30, 0, 0), "New York the day before: %s", show(got));
		au_tz_free(tz);
	} else
		CHECK(0, "America/New_York not found");
	CHECK(au_date_order_parse("dmy", &order) == NULL && order == AU_DATE_DMY, "dmy");
	CHECK(au_date_order_parse("MDY", &order) == NULL && order == AU_DATE_MDY, "MDY");
	err = au_date_order_parse("YMD", &order);
	CHECK(err != NULL && err->kind == AU_ERR_USAGE, "YMD refused");
	au_error_free(err);
}

/* ---- readers over memory files ---------------------------------------------- */

struct collected {
	struct au_event *ev[64];
	size_t nev, ninst, nrel;
};

static struct au_error *
take_event(void *arg, struct au_event *ev)
{
	struct collected *c = arg;
	if (c->nev < 64)
		c->ev[c->nev++] = ev;
	else
		au_event_free(ev);
	return NULL;
}

static struct au_error *
take_install(void *arg, struct au_install *in)
{
	((struct collected *)arg)->ninst++;
	au_install_free(in);
	return NULL;
}

static struct au_error *
take_related(void *arg, const struct au_related *r)
{
	(void)r;
	((struct collected *)arg)->nrel++;
	return NULL;
}

static void
collected_clear(struct collected *c)
{
	for (size_t i = 0; i < c->nev; i++)
		au_event_free(c->ev[i]);
	memset(c, 0, sizeof(*c));
}

/* Encodes ASCII/UTF-8 text s in `enc`: "utf8", "utf8bom", "utf16", "utf16bom". */
static int
memfile(const char *s, const char *enc)
{
	int fd = memfd_create("test", MFD_CLOEXEC);
	size_t n = strlen(s);

	if (strcmp(enc, "utf8bom") == 0)
		(void)!write(fd, "\xef\xbb\xbf", 3);
	if (strncmp(enc, "utf16", 5) == 0) {
		unsigned char *b = xmalloc(n * 2 + 2);
		size_t k = 0;
		if (strcmp(enc, "utf16bom") == 0) {
			b[k++] = 0xff;
			b[k++] = 0xfe;
		}
		/* ASCII, plus "ü" (C3 BC) as U+00FC */
		for (size_t i = 0; i < n; i++) {
			unsigned cp = (unsigned char)s[i];
			if (cp == 0xc3 && i + 1 < n) {
				cp = 0xc0 + ((unsigned char)s[++i] & 0x3f);
				cp = 0xfc;
			}
			b[k++] = (unsigned char)cp;
			b[k++] = 0;
		}
		(void)!write(fd, b, k);
		free(b);
	} else
		(void)!write(fd, s, n);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static struct au_error *
read_mem(const char *text, const char *enc, const char *name, int order,
    struct collected *col, struct au_file_stats *st, enum input_form *form)
{
	struct au_ingest_opts opts;
	struct au_ingest_sink sink = { .event = take_event, .install = take_install,
	    .arg = col, .related = take_related };
	struct au_error *err;
	int fd = memfile(text, enc);

	ingest_opts_default(&opts);
	opts.date_order = order;
	memset(st, 0, sizeof(*st));
	*form = input_detect_fd(fd);
	err = input_fd(fd, name, name, &opts, &sink, st, 0);
	close(fd);
	return err;
}

static const char evcsv[] =
    "Level,Date and Time,Source,Event ID,Task Category\r\n"
    "Information,20/06/2016 03:12:44,Azure AD Connect Upgrade,300,None,\"Result: Success\r\nSuccess\"\r\n"
    "Warning,1/06/2016 03:12:44,Azure AD Connect Upgrade,300,None,Result: UpgradeAbortedSyncExeInUse\r\n"
    "Information,1/06/2016 03:12:45,Gr\xc3\xbc" "n,1,None,x\r\n";

static void
test_readers(void)
{
	static const char *const encs[] = { "utf8", "utf8bom", "utf16", "utf16bom" };
	struct collected col;
	struct au_file_stats st;
	struct au_error *err;
	enum input_form form;

	memset(&col, 0, sizeof(col));
	/* Event Viewer CSV in every encoding: detected, read, day/month order from its own dates. */
	for (size_t i = 0; i < 4; i++) {
		err = read_mem(evcsv, encs[i], "/x/AADC9_Application.csv", 0, &col, &st, &form);
		CHECK(err == NULL && form == INPUT_EVCSV, "evcsv %s: %s", encs[i],
		    err != NULL ? err->msg : input_form_name(form));
		CHECK(col.nev == 2 && st.records == 3, "evcsv %s: %zu events, %llu records",
		    encs[i], col.nev, (unsigned long long)st.records);
		if (col.nev == 2) {
			CHECK(col.ev[0]->time == utc(2016, 6, 20, 3, 12, 44, 0), "evcsv %s: time %s",
			    encs[i], show(col.ev[0]->time));
			CHECK(col.ev[1]->time == utc(2016, 6, 1, 3, 12, 44, 0), "evcsv %s DMY: %s",
			    encs[i], show(col.ev[1]->time));
			CHECK(strcmp(col.ev[0]->message, "Result: Success\nSuccess") == 0,
			    "evcsv %s: message over two lines '%s'", encs[i], col.ev[0]->message);
			CHECK(strcmp(col.ev[0]->host, "AADC9") == 0 && st.host_from_name,
			    "evcsv %s: host '%s' from the name", encs[i], col.ev[0]->host);
			CHECK(col.ev[0]->level == 4 && col.ev[1]->level == 3, "levels from names");
		}
		CHECK(st.nhosts == 1, "one host noted");
		CHECK(st.times_utc, "times read as UTC are flagged");
		au_error_free(err);
		au_file_stats_clear(&st);
		collected_clear(&col);
	}
	/* Tab-delimited text, a message running on over unquoted lines. */
	err = read_mem("Level\tDate and Time\tSource\tEvent ID\tTask Category\n"
	    "Error\t2016-06-20 03:12:44\tAzure AD Connect Upgrade\t300\tNone\tResult: UpgradeFailedRollbackSuccess\n"
	    "second line, with a comma\n"
	    "Information\t2016-06-20 03:12:45\tESENT\t326\tNone\tsvchost\n", "utf16bom",
	    "srv1 application.txt", 0, &col, &st, &form);
	CHECK(err == NULL && form == INPUT_EVTXT && col.nev == 1 && st.records == 2,
	    "evtxt: %s, %zu events", err != NULL ? err->msg : "", col.nev);
	if (col.nev == 1)
		CHECK(strcmp(col.ev[0]->message, "Result: UpgradeFailedRollbackSuccess\n"
		    "second line, with a comma") == 0 && strcmp(col.ev[0]->host, "srv1") == 0,
		    "evtxt run-on message '%s', host '%s'", col.ev[0]->message, col.ev[0]->host);
	au_error_free(err);
	au_file_stats_clear(&st);
	collected_clear(&col);
	/* Dates that cannot tell day from month: a clear error, unless an order is given. */
	err = read_mem("Level,Date and Time,Source,Event ID,Task Category\n"
	    "Information,3/4/2016 1:00:00 AM,Azure AD Connect Upgrade,300,None,Result: Success\n",
	    "utf8", "a.csv", 0, &col, &st, &form);
	CHECK(err != NULL && strstr(err->msg, "--date-order") != NULL && col.nev == 0,
	    "ambiguous dates: %s", err != NULL ? err->msg : "(no error)");
	au_error_free(err);
	au_file_stats_clear(&st);
	err = read_mem("Level,Date and Time,Source,Event ID,Task Category\n"
	    "Information,3/4/2016 1:00:00 AM,Azure AD Connect Upgrade,300,None,Result: Success\n",
	    "utf8", "a.csv", AU_DATE_DMY, &col, &st, &form);
	CHECK(err == NULL && col.nev == 1 && col.ev[0]->time == utc(2016, 4, 3, 1, 0, 0, 0),
	    "--date-order DMY: %s", col.nev ? show(col.ev[0]->time) : "no event");
	au_error_free(err);
	au_file_stats_clear(&st);
	collected_clear(&col);
	/* Broken rows are counted and named; the rest is read. */
	err = read_mem("Level,Date and Time,Source,Event ID,Task Category\n"
	    "Information,2016-06-20 03:12:44,Azure AD Connect Upgrade,abc,None,x\n"
	    "Information,2016-06-20 03:12:45,Azure AD Connect Upgrade,300,None,Result: Success\n"
	    "Information,2016-06-20 03:12:46,Azure AD Connect Upgrade,300,None,\"unclosed\n",
	    "utf8", "b.csv", 0, &col, &st, &form);
	CHECK(err != NULL && col.nev == 1 && strstr(err->msg, "not closed") != NULL,
	    "broken CSV: %s, %zu events", err != NULL ? err->msg : "(no error)", col.nev);
	au_error_free(err);
	au_file_stats_clear(&st);
	collected_clear(&col);
	/* PowerShell 5.1 Export-Csv: #TYPE line, quoted fields, any column order. */
	err = read_mem("#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n"
	    "\"Id\",\"ProviderName\",\"MachineName\",\"RecordId\",\"TimeCreated\",\"Message\"\r\n"
	    "\"300\",\"Azure AD Connect Upgrade\",\"AADC01\",\"77\",\"20.06.2016 05:12:44\",\"Result: Success\"\r\n",
	    "utf8", "ps.csv", 0, &col, &st, &form);
	CHECK(err == NULL && form == INPUT_PSCSV && col.nev == 1, "pscsv: %s",
	    err != NULL ? err->msg : input_form_name(form));
	if (col.nev == 1)
		CHECK(col.ev[0]->record_id == 77 && strcmp(col.ev[0]->host, "AADC01") == 0 &&
		    !st.host_from_name, "pscsv record ID and MachineName");
	au_error_free(err);
	au_file_stats_clear(&st);
	collected_clear(&col);
	/* XML: wevtutil's rootless events with single quotes, in UTF-16LE without a BOM. */
	for (size_t i = 0; i < 4; i++) {
		err = read_mem("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"
		    "<System><Provider Name='Azure AD Connect Upgrade'/><EventID Qualifiers='0'>300</EventID>"
		    "<Level>4</Level><TimeCreated SystemTime='2016-06-20T03:12:44.123456700Z'/>"
		    "<EventRecordID>9</EventRecordID><Channel>Application</Channel><Computer>S1</Computer></System>"
		    "<EventData><Data>Result: Success &amp; more</Data><Data>Gr\xc3\xbc" "n</Data></EventData>"
		    "<RenderingInfo Culture='en-US'><Level>Information</Level><Message>m</Message></RenderingInfo></Event>\r\n"
		    "<Event><System><Provider Name='Microsoft Entra Connect Agent Updater'/><EventID>2</EventID>"
		    "<TimeCreated SystemTime='2016-06-20T03:12:45Z'/><Computer>S1</Computer></System></Event>",
		    encs[i], "w.xml", 0, &col, &st, &form);
		CHECK(err == NULL && form == INPUT_XML && col.nev == 1 && col.nrel == 1,
		    "xml %s: %s, %zu events", encs[i], err != NULL ? err->msg : "", col.nev);
		if (col.nev == 1)
			CHECK(col.ev[0]->time == utc(2016, 6, 20, 3, 12, 44, 1234567) &&
			    col.ev[0]->record_id == 9 && col.ev[0]->level == 4 &&
			    strcmp(col.ev[0]->message, "Result: Success & more\nGr\xc3\xbcn") == 0,
			    "xml %s fields: '%s'", encs[i], col.ev[0]->message);
		au_error_free(err);
		au_file_stats_clear(&st);
		collected_clear(&col);
	}
	/* Truncated XML: what came before stands, one error says it. */
	err = read_mem("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<Events><Event><System>"
	    "<Provider Name=\"Azure AD Connect Upgrade\"/><EventID>300</EventID>"
	    "<TimeCreated SystemTime=\"2016-06-20T03:12:44Z\"/></System><EventData><Data>Result: Success</Data>"
	    "</EventData></Event><Event><System><Provider Na", "utf16bom", "t.xml", 0, &col, &st, &form);
	CHECK(err != NULL && strstr(err->msg, "truncated") != NULL && col.nev == 1,
	    "truncated xml: %s", err != NULL ? err->msg : "(no error)");
	au_error_free(err);
	au_file_stats_clear(&st);
	collected_clear(&col);
	/* A DTD (entity expansion) is refused. */
	err = read_mem("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><Events><Event/></Events>",
	    "utf8", "d.xml", 0, &col, &st, &form);
	CHECK(err != NULL && col.nev == 0, "DTD refused: %s", err != NULL ? err->msg : "(no error)");
	au_error_free(err);
	au_file_stats_clear(&st);
	/* Elements nested without end stop at a limit, the event before them kept. */
	{
		static const char ev[] = "<Events><Event><System><Provider Name=\"Azure AD Connect Upgrade\"/>"
		    "<EventID>300</EventID><TimeCreated SystemTime=\"2016-06-20T03:12:44Z\"/></System>"
		    "<EventData><Data>Result: Success</Data></EventData></Event>";
		size_t depth = 100000, len = strlen(ev) + 3 * depth + 1;
		char *deep = xmalloc(len);

		strcpy(deep, ev);
		for (size_t i = 0; i < depth; i++)
			memcpy(deep + strlen(ev) + 3 * i, "<a>", 3);
		deep[len - 1] = '\0';
		err = read_mem(deep, "utf8", "deep.xml", 0, &col, &st, &form);
		CHECK(err != NULL && strstr(err->msg, "nested deeper than 256 elements") != NULL &&
		    col.nev == 1,
		    "deep nesting: %s, %zu events", err != NULL ? err->msg : "(no error)", col.nev);
		au_error_free(err);
		au_file_stats_clear(&st);
		collected_clear(&col);
		free(deep);
	}
	/* JSON, 7 and 5.1 times, a single object too. */
	err = read_mem("[{\"Id\":300,\"RecordId\":5,\"ProviderName\":\"Azure AD Connect Upgrade\","
	    "\"MachineName\":\"S2\",\"TimeCreated\":\"2016-06-20T05:12:44.1234567+02:00\","
	    "\"Message\":\"m\",\"Properties\":[{\"Value\":\"Result: Success\"},{\"Value\":7}]},\n"
	    "{\"Id\":300,\"ProviderName\":\"Azure AD Connect Upgrade\",\"MachineName\":\"S2\","
	    "\"TimeCreated\":\"\\/Date(1466392364123)\\/\",\"Message\":\"Result: UpgradeAbortedSyncExeInUse\"}]",
	    "utf16bom", "e.json", 0, &col, &st, &form);
	CHECK(err == NULL && form == INPUT_JSON && col.nev == 2, "json: %s, %zu events",
	    err != NULL ? err->msg : input_form_name(form), col.nev);
	if (col.nev == 2) {
		CHECK(col.ev[0]->time == utc(2016, 6, 20, 3, 12, 44, 1234567) &&
		    strcmp(col.ev[0]->message, "Result: Success\n7") == 0, "json 7: %s '%s'",
		    show(col.ev[0]->time), col.ev[0]->message);
		CHECK(col.ev[1]->time == utc(2016, 6, 20, 3, 12, 44, 1230000) &&
		    strcmp(col.ev[1]->message, "Result: UpgradeAbortedSyncExeInUse") == 0,
		    "json 5.1: %s", show(col.ev[1]->time));
	}
	au_error_free(err);
	au_file_stats_clear(&st);
	collected_clear(&col);
	/* Not valid UTF-16 (an unpaired surrogate): one error. */
	{
		int fd = memfd_create("bad", MFD_CLOEXEC);
		struct au_ingest_opts opts;
		struct au_ingest_sink sink = { .event = take_event,
		    .install = take_install, .arg = &col };
		static const unsigned char bad[] = { 0xff, 0xfe, '<', 0, 'E', 0, 'v', 0, 'e', 0,
			'n', 0, 't', 0, '>', 0, 0x00, 0xdc, '<', 0 };
		(void)!write(fd, bad, sizeof(bad));
		lseek(fd, 0, SEEK_SET);
		ingest_opts_default(&opts);
		memset(&st, 0, sizeof(st));
		err = input_fd(fd, "u.xml", "u.xml", &opts, &sink, &st, 0);
		CHECK(err != NULL && strstr(err->msg, "UTF-16") != NULL, "bad UTF-16: %s",
		    err != NULL ? err->msg : "(no error)");
		au_error_free(err);
		au_file_stats_clear(&st);
		close(fd);
	}
}

static void
test_detect_and_names(void)
{
	static const struct { const char *path, *host; } names[] = {
		{ "/t/AADC01-Application.csv", "AADC01" },
		{ "AADC01.contoso.local_application.txt", "AADC01.contoso.local" },
		{ "x/SRV2 Application.CSV", "SRV2" },
		{ "SRV3.csv", "SRV3" },
		{ "c.zip:SRV4/Logs\\SRV4-Application.csv", "SRV4" },
		{ "Application.csv", "Application" },
	};
	char *h;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		h = input_host_from_name(names[i].path);
		CHECK(strcmp(h, names[i].host) == 0, "host of %s: '%s'", names[i].path, h);
		free(h);
	}
	CHECK(input_detect((const unsigned char *)"ElfFile\0xxxx", 12) == INPUT_EVTX, "evtx");
	CHECK(input_detect((const unsigned char *)"PK\x03\x04....", 8) == INPUT_ARCHIVE, "zip");
	CHECK(input_detect((const unsigned char *)"\x1f\x8b\x08\x00", 4) == INPUT_ARCHIVE, "gz");
	CHECK(input_detect((const unsigned char *)"{\"a\": 1}", 8) == INPUT_UNKNOWN, "other JSON");
	CHECK(input_detect((const unsigned char *)"<html><body>", 12) == INPUT_UNKNOWN, "HTML");
	CHECK(input_detect((const unsigned char *)"a,b,c\n1,2,3\n", 12) == INPUT_UNKNOWN, "other CSV");
	CHECK(input_detect((const unsigned char *)"Ebene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie\n",
	    61) == INPUT_EVCSV, "German header");
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	test_dates();
	test_readers();
	test_detect_and_names();
	test_zones();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
