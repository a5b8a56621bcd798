/* render.h: report writers (text, Markdown, JSON, CSV); only render-json.c uses Jansson. */
#ifndef AU_RENDER_H
#define AU_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyse.h"
#include "error.h"

/* Output formats; each command says which ones its --format takes. */
enum au_format {
	AU_FMT_TEXT = 0, AU_FMT_JSON, AU_FMT_MARKDOWN, AU_FMT_CSV, AU_FMT_NDJSON,
	AU_FMT_HTML, AU_FMT_PROMETHEUS, AU_FMT_BULK,
	AU_FMT_COUNT
};
#define AU_FMT_BIT(f) (1u << (f))
/* "text", "json", ...: the name --format takes. */
const char *render_format_name(enum au_format fmt);

struct au_render_opts {
	int color;          /* ANSI colour (only on a terminal, never with NO_COLOR) */
	int width;          /* text: wrap lines to this width (0: 80) */
};

/*
 * A report writer, fed one host at a time so that memory holds one
 * server's events, never the history: begin gets the report with every
 * host (their events may be dropped, `latest` kept: enough for the
 * summary table) and no files; host gets each host in full, in the order
 * of rep->hosts; file each input file; end closes the document.
 * free releases st (also after an error).
 */
struct au_report_writer {
	void *st;
	struct au_error *(*begin)(void *st, const struct au_report *rep);
	struct au_error *(*host)(void *st, const struct au_host_report *hr);
	struct au_error *(*file)(void *st, const struct au_file_stats *f);
	struct au_error *(*end)(void *st, const struct au_report *rep);
	void (*free)(void *st);
	/*
	 * Whether host() writes each event (hr->events): JSON and HTML do.
	 * Text and Markdown write what a host's summary holds (see
	 * store_each_summary), so a report gives them the summaries alone.
	 */
	int events;
};
/* A writer of fmt (text, markdown, json, html) to out. */
struct au_error *render_report_writer(enum au_format fmt, FILE *out,
    const struct au_render_opts *opts, struct au_report_writer *w);
/* The whole of rep (hosts in full, files) through w; then w->free. */
struct au_error *render_report_all(struct au_report_writer *w,
    const struct au_report *rep);
/* The writers (render-text.c, render-markdown.c, render-json.c). */
void render_text_writer(FILE *out, const struct au_render_opts *opts,
    struct au_report_writer *w);
void render_markdown_writer(FILE *out, struct au_report_writer *w);
void render_json_writer(FILE *out, struct au_report_writer *w);
void render_html_writer(FILE *out, struct au_report_writer *w);
/* The catalog the notes on builds quote (its floor); may be NULL. */
void render_set_catalog(const struct au_catalog *cat);

/*
 * Each returns an AU_ERR_IO error when writing fails. The output depends
 * only on the report's hosts and files (rep->now is not printed), so it is
 * reproducible. render_report_json writes record IDs above INT64_MAX
 * (JSON integers are signed 64-bit in Jansson) as INT64_MAX.
 */
struct au_error *render_report_text(FILE *out, const struct au_report *rep,
    const struct au_render_opts *opts);
struct au_error *render_report_markdown(FILE *out, const struct au_report *rep);
struct au_error *render_report_json(FILE *out, const struct au_report *rep);

/*
 * The fleet view (`fleet`): every host of rep (worst first, events
 * dropped but `latest` kept, see pipeline_fleet) and the aggregates
 * analyse_fleet computed from it with fopts. Unlike the report, the
 * output depends on fleet->now (ages and staleness are measured against
 * it), which is printed. Each returns an AU_ERR_IO error when writing fails.
 */
struct au_error *render_fleet_text(FILE *out, const struct au_report *rep,
    const struct au_fleet *fleet, const struct au_fleet_opts *fopts,
    const struct au_render_opts *opts);
struct au_error *render_fleet_markdown(FILE *out, const struct au_report *rep,
    const struct au_fleet *fleet, const struct au_fleet_opts *fopts);
struct au_error *render_fleet_json(FILE *out, const struct au_report *rep,
    const struct au_fleet *fleet, const struct au_fleet_opts *fopts);

/*
 * The result-code catalog as JSON (`codes --format json`): with asked
 * NULL, {"codes": [...]} for the n entries; else one code explained:
 * {"asked", "known", "code": {...} or null, "detail", "prefix_category"}.
 */
struct au_code;
struct au_error *render_codes_json(FILE *out, const struct au_code *codes,
    size_t n, const char *asked, const char *detail);

/*
 * Export, one event at a time (`export`). render_ndjson_event writes one
 * line: the event keys of the JSON report, then source_file and
 * @timestamp (the same as time); its writer keeps the encodings of strings
 * that come again (render_ndjson_new, render_ndjson_end, render_ndjson_free). render_csv_header and render_event_csv
 * write RFC 4180 CSV: CRLF line ends, a field holding a comma, a double
 * quote, CR or LF quoted, quotes doubled, null as an empty field, booleans
 * as true/false, bytes that are not UTF-8 as U+FFFD, nothing else changed.
 * With RENDER_CSV_FORMULAS, a text field starting with = + - @ TAB or CR
 * gets a leading single quote so that spreadsheets do not run it as a
 * formula; with RENDER_CSV_ESCAPE, control and bidi characters and bad
 * bytes are written visibly as render_escape's text style does (export's
 * default is both; --raw-csv writes the data exactly). These check the stream's error flag but do not flush it: call
 * render_check_io at the end.
 */
#define RENDER_CSV_FORMULAS 0x1
#define RENDER_CSV_ESCAPE 0x2
struct render_ndjson;
struct render_ndjson *render_ndjson_new(FILE *out);
struct au_error *render_ndjson_event(struct render_ndjson *w, const struct au_event *ev);
/* Writes out what render_ndjson_event left buffered: call once after the last event. */
struct au_error *render_ndjson_end(struct render_ndjson *w);
void render_ndjson_free(struct render_ndjson *w);
struct au_error *render_csv_header(FILE *out);
struct au_error *render_event_csv(FILE *out, const struct au_event *ev, int flags);

/*
 * RFC 3339 UTC with seven fractional digits; buf holds >= 32 bytes.
 * Integer arithmetic only, so any FILETIME works (0 is 1601-01-01); years
 * after 9999 (not valid RFC 3339, only from garbage) get more digits.
 */
char *render_time(uint64_t filetime, char *buf, size_t len);
/* "2016-06-27" */
char *render_date(uint64_t filetime, char *buf, size_t len);

/* Shared by the writers (render.c). */


enum render_escape { RENDER_ESC_TEXT, RENDER_ESC_MARKDOWN };

/*
 * Makes a string from event data safe to print, as a new string. Both
 * styles write C0 controls and DEL as \xNN (\n, \r, \t for those three),
 * C1 controls and bidirectional overrides as \uNNNN, and bytes that are
 * not valid UTF-8 as \xNN, so no raw ESC/CSI ever reaches a terminal.
 * Text leaves a backslash as it is, so Windows paths stay readable.
 * Markdown also backslash-escapes the characters that would start
 * emphasis, code or links, end a heading or break a table
 * (\ ` * _ [ ] # | ~) and writes < > & as entities, so a message cannot
 * inject HTML. Newlines are escaped, so data never starts a line.
 * max > 0 limits the input bytes shown; the rest becomes
 * "... (N more bytes)". s NULL gives "".
 */
char *render_escape(const char *s, size_t max, enum render_escape how);

/*
 * One server as a flat row: the columns of `fleet --format csv` and the
 * keys of `fleet --format ndjson`, the same in both.
 */
enum render_cell_type { RENDER_CELL_STR, RENDER_CELL_NUM, RENDER_CELL_BOOL };
struct render_cell {
	const char *name;
	enum render_cell_type type;
	char *value;                /* new string; NULL = null / empty */
};
#define RENDER_ROW_CELLS 24
/* Fills cells (RENDER_ROW_CELLS of them) for hr as of rep->as_of; returns the count. */
size_t render_fleet_row(const struct au_report *rep, const struct au_host_report *hr,
    struct render_cell *cells);
void render_cells_free(struct render_cell *cells, size_t n);
struct au_error *render_fleet_csv(FILE *out, const struct au_report *rep, int flags);
struct au_error *render_fleet_ndjson(FILE *out, const struct au_report *rep);

/* The JSON documents' schema_version (the files in schema/). */
#define RENDER_JSON_SCHEMA 3

/*
 * A stable key of one event, the same whatever file or form it was read
 * from: "host-in-lower-case/record_id/filetime", as a new string.
 */
char *render_event_key(const struct au_event *ev);

/* A copy of s that is valid UTF-8: each bad byte becomes U+FFFD. */
char *render_utf8_sanitise(const char *s);

/* Whole days from `from` to `to` (0 when to < from). */
uint64_t render_days(uint64_t from, uint64_t to);

/* "3 servers: 1 blocked, 2 upgraded", as a new string. */
char *render_summary(const struct au_report *rep);

/* A host's result codes, most frequent first, as a new array of borrowed pointers. */
const struct au_code_count **render_codes_by_count(const struct au_host_report *hr);

/* One version in a host's installer timeline, its events merged. */
struct render_version {
	const char *version;        /* borrowed; NULL when the events give none */
	const char *product;
	uint64_t first, last;
	unsigned installed, failed, removed;
	uint64_t installed_time, failed_time, removed_time;   /* latest of each */
	int status;                 /* the failed install's status, 0 if none */
};
/* Versions in order of first appearance, as a new array (free it). */
struct render_version *render_versions(const struct au_host_report *hr, size_t *n);
/* "1.5.30.0 install FAILED 2020-11-17 (status 1603)", a new string. */
char *render_version_text(const struct render_version *r);

/*
 * Our advice beyond the latest result (silence, 2.x builds, support
 * status), one sentence a string, as a new array; render_free_strings.
 */
char **render_host_notes(const struct au_host_report *hr, size_t *n);
void render_free_strings(char **v, size_t n);
/* The report's "As of ..." sentence (with the note on an old collection). */
char *render_as_of_text(const struct au_report *rep);

/*
 * The streak: the run of results of the latest result's category up to
 * it, measured up to the host's last event: "UpgradeNotSupported: 28
 * results in a row since T (27 days up to the last event)", ", with
 * changing result codes" when the codes differ within it, or "Success
 * once, at T". A new string; NULL when the host has no result.
 */
char *render_streak(const struct au_host_report *hr);

/*
 * "event 300, record 4711", or "event 300, no record ID" for an event
 * read from a form without record IDs (Event Viewer CSV and text), into buf.
 */
const char *render_event_ref(const struct au_event *ev, char *buf, size_t len);

/* What a report says of a server whose name is its file's (no Computer in the export). */
extern const char render_name_from_file[];
/* " (the file's name)": after a server's name in the files list. */
extern const char render_name_from_file_mark[];

/* Start and length of the present condition: the category's run, else the streak. */
void render_since(const struct au_host_report *hr, uint64_t *since,
    uint64_t *count);

/*
 * An event's result as the fleet's code lists spell it: "code", or
 * "code-detail" for a compound value; a new string, NULL without a result.
 */
char *render_result(const struct au_event *ev);

/* NULL when out has no error after flushing, else an AU_ERR_IO error. */
struct au_error *render_check_io(FILE *out);

/* --- monitoring and dashboards (render-prom.c, render-bulk.c, render-html.c) --- */

/*
 * The fleet as Prometheus text exposition (version 0.0.4), for
 * node_exporter's textfile collector: HELP and TYPE lines, every verdict
 * counted (zeros included), one series per server and metric, label values
 * made visible by render_escape then escaped by the format's rules. With
 * a release catalog (else NULL), also the installed build and its support
 * status as of fleet->now.
 */
struct au_catalog;
struct au_error *render_fleet_prometheus(FILE *out, const struct au_report *rep,
    const struct au_fleet *fleet, const struct au_catalog *cat);

/*
 * A flat list of typed fields written as one compact JSON object and a
 * newline (render-json.c, so that Jansson stays in the JSON writer). A
 * dotted name nests ("host.name" gives {"host":{"name":...}}), objects
 * in order of first use. A STRING field whose s is NULL is left
 * out; strings are made valid UTF-8 as in the JSON report.
 */
enum render_field_type { RENDER_F_STRING, RENDER_F_UINT, RENDER_F_BOOL };
struct render_field {
	const char *name;
	enum render_field_type type;
	const char *s;          /* STRING */
	uint64_t u;             /* UINT (clamped to INT64_MAX), BOOL */
};
struct au_error *render_json_line(FILE *out, const struct render_field *fields,
    size_t n);

/*
 * The Elasticsearch/OpenSearch _bulk body, one event at a time: an action
 * line {"index":{"_index":INDEX,"_id":ID}} then the document (ECS names
 * where they exist, the rest under aadc_upgrade.*; see
 * schema/elasticsearch-template.json). ID is render_bulk_id's. A bad
 * index name is an AU_ERR_USAGE error from render_bulk_check_index.
 */
#define RENDER_BULK_DEFAULT_INDEX "aadc-upgrade"
struct au_error *render_bulk_check_index(const char *index);
struct au_error *render_event_bulk(FILE *out, const struct au_event *ev,
    const char *index);
/*
 * The document's stable _id: SHA-256, in lower-case hex, of
 * "<host in ASCII lower case>\n<record id>\n<time in FILETIME ticks>"
 * (decimal), so sending the export again after re-importing the same logs
 * overwrites rather than adds. id holds >= 65 bytes.
 */
void render_bulk_id(const struct au_event *ev, char id[65]);

/*
 * HTML (render-html.c): one self-contained HTML5 page, inline CSS and SVG,
 * no script, a Content-Security-Policy that allows nothing external, every
 * string from the logs escaped. Written in three steps so a report can be
 * streamed host by host:
 *   render_html_begin   the head, the summary, the chart of servers by
 *                       verdict and the table of every server of rep
 *                       (worst first; events may have been dropped);
 *                       as_of 0 prints no "As of" line;
 *   render_html_host    one server's section (call in any order, once per
 *                       host); with its events, a timeline of every attempt,
 *                       without them (fleet) each result code's span; the
 *                       files of rep (may be NULL) that hold its records;
 *   render_html_end     the files read (rep->files; rep may be NULL), the
 *                       general checks and the end of the page.
 * render_report_html and render_fleet_html are the whole pages of the
 * report (scan, report) and of the fleet view. Sections are anchored by
 * the server's name, so the table links work whatever the order.
 */
struct au_error *render_html_begin(FILE *out, const char *title, uint64_t as_of,
    const struct au_report *rep);
struct au_error *render_html_host(FILE *out, const struct au_host_report *hr,
    const struct au_report *rep);
struct au_error *render_html_end(FILE *out, const struct au_report *rep);
struct au_error *render_report_html(FILE *out, const struct au_report *rep);
struct au_error *render_fleet_html(FILE *out, const struct au_report *rep,
    const struct au_fleet *fleet, const struct au_fleet_opts *fopts);

#endif
