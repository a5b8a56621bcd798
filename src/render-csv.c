/* render-csv.c: events as RFC 4180 CSV, one row each, for spreadsheets (export). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "render.h"

/* The columns: the event keys of the JSON report, then source_file. */
static const char *const csv_columns[] = {
	"time", "host", "record_id", "event_id", "level", "provider",
	"result_code", "detail", "category", "known", "historical",
	"description", "remediation", "message", "source_file",
};

/*
 * One text field. NULL is an empty field. Bytes that are not UTF-8 become
 * U+FFFD (as in the JSON output), so that the file is valid UTF-8. With
 * RENDER_CSV_ESCAPE, control and bidi characters are written visibly as
 * render_escape does for text (so a cell cannot drive a terminal or
 * reorder what a spreadsheet shows); without it, all is kept as it is, so
 * the data round-trips. With RENDER_CSV_FORMULAS a leading = + - @ TAB or
 * CR gets a single quote before it (OWASP's advice against CSV injection).
 */
static void
csv_text(FILE *out, const char *s, int flags)
{
	char *clean;
	const char *p;
	int guard;

	if (s == NULL)
		return;
	clean = (flags & RENDER_CSV_ESCAPE) ? render_escape(s, 0, RENDER_ESC_TEXT) :
	    render_utf8_sanitise(s);
	guard = (flags & RENDER_CSV_FORMULAS) && clean[0] != '\0' &&
	    strchr("=+-@\t\r", clean[0]) != NULL;
	if (strpbrk(clean, ",\"\r\n") == NULL) {
		if (guard)
			fputc('\'', out);
		fputs(clean, out);
		free(clean);
		return;
	}
	fputc('"', out);
	if (guard)
		fputc('\'', out);
	for (p = clean; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
	free(clean);
}

struct au_error *
render_csv_header(FILE *out)
{
	size_t i, n = sizeof(csv_columns) / sizeof(csv_columns[0]);

	for (i = 0; i < n; i++)
		fprintf(out, "%s%s", i > 0 ? "," : "", csv_columns[i]);
	fputs("\r\n", out);
	if (ferror(out))
		return au_error_new(AU_ERR_IO, NULL, "cannot write the export");
	return NULL;
}

struct au_error *
render_event_csv(FILE *out, const struct au_event *ev, int flags)
{
	const struct au_code *code = ev->code;
	char when[32];

	/* Times, numbers and booleans never need quoting or guarding. */
	fprintf(out, "%s,", render_time(ev->time, when, sizeof(when)));
	csv_text(out, ev->host, flags);
	/* An empty record_id: the form has none (Event Viewer CSV and text). */
	if (ev->record_id != 0)
		fprintf(out, ",%" PRIu64, ev->record_id);
	else
		fputc(',', out);
	fprintf(out, ",%" PRIu32 ",%u,", ev->event_id, (unsigned)ev->level);
	csv_text(out, ev->provider, flags);
	fputc(',', out);
	csv_text(out, ev->result_code, flags);
	fputc(',', out);
	csv_text(out, ev->detail, flags);
	fputc(',', out);
	csv_text(out, au_category_name(ev->category), flags);
	fprintf(out, ",%s,%s,", code != NULL ? "true" : "false",
	    code != NULL && code->historical ? "true" : "false");
	csv_text(out, code != NULL ? code->description : NULL, flags);
	fputc(',', out);
	csv_text(out, code != NULL ? code->remediation : NULL, flags);
	fputc(',', out);
	csv_text(out, ev->message != NULL ? ev->message : "", flags);
	fputc(',', out);
	csv_text(out, ev->source_file, flags);
	fputs("\r\n", out);
	if (ferror(out))
		return au_error_new(AU_ERR_IO, NULL, "cannot write the export");
	return NULL;
}

struct au_error *
render_fleet_csv(FILE *out, const struct au_report *rep, int flags)
{
	struct render_cell cells[RENDER_ROW_CELLS];
	size_t n;

	for (size_t i = 0; i < rep->nhosts || i == 0; i++) {
		const struct au_host_report *hr = rep->nhosts > 0 ? rep->hosts[i] : NULL;
		struct au_host_report none;

		if (hr == NULL) {
			memset(&none, 0, sizeof(none));
			none.host = (char *)"";
			hr = &none;
		}
		n = render_fleet_row(rep, hr, cells);
		if (i == 0)
			for (size_t j = 0; j < n; j++)
				fprintf(out, "%s%s", j > 0 ? "," : "", cells[j].name);
		if (i == 0)
			fputs("\r\n", out);
		if (rep->nhosts > 0) {
			for (size_t j = 0; j < n; j++) {
				if (j > 0)
					fputc(',', out);
				csv_text(out, cells[j].value, cells[j].type == RENDER_CELL_STR ?
				    flags : 0);
			}
			fputs("\r\n", out);
		}
		render_cells_free(cells, n);
		if (ferror(out))
			return au_error_new(AU_ERR_IO, NULL, "cannot write the fleet view");
		if (rep->nhosts == 0)
			break;
	}
	return NULL;
}
