/* form-csv.c: Event Viewer CSV and "Text (Tab delimited)" exports, and PowerShell Export-Csv of Get-WinEvent. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input.h"
#include "localtime.h"
#include "xmalloc.h"

#define MAX_FIELD (1u << 20)    /* longest field kept (a message); the rest is dropped */
#define MAX_FIELDS 64

/* A streaming RFC 4180 reader: quoted fields may hold the delimiter, quotes and line breaks. */
struct csv {
	struct input_src *s;
	char delim;
	char *in;
	size_t in_len, in_off;
	int eof;
	uint64_t line;           /* current line, from 1 */
	char *row;               /* fields, NUL-separated */
	size_t row_len, row_cap;
	size_t off[MAX_FIELDS];
	size_t nfields;
	uint64_t row_line;       /* line the row starts on */
};

static void
row_put(struct csv *r, char ch, size_t field_start)
{
	if (r->row_len - field_start >= MAX_FIELD && ch != '\0')
		return;
	if (r->row_len + 1 >= r->row_cap) {
		r->row_cap = r->row_cap ? r->row_cap * 2 : 4096;
		r->row = xreallocarray(r->row, r->row_cap, 1);
	}
	r->row[r->row_len++] = ch;
}

/* The next input character, or -1 at the end; -2 with *err on a read error. */
static int
next_char(struct csv *r, struct au_error **err)
{
	if (r->in_off == r->in_len) {
		ssize_t n;
		if (r->eof)
			return -1;
		n = input_src_read(r->s, r->in, 65536, err);
		if (n < 0)
			return -2;
		if (n == 0) {
			r->eof = 1;
			return -1;
		}
		r->in_len = (size_t)n;
		r->in_off = 0;
	}
	return (unsigned char)r->in[r->in_off++];
}

static int
peek_char(struct csv *r, struct au_error **err)
{
	int ch = next_char(r, err);
	if (ch >= 0)
		r->in_off--;
	return ch;
}

/* Reads one row: 1, or 0 at the end, or -1 with *err (read error or an unclosed quote). */
static int
csv_row(struct csv *r, struct au_error **err)
{
	int ch, quoted = 0, any = 0;
	size_t start = 0;

	r->row_len = 0;
	r->nfields = 0;
	r->row_line = r->line;
	r->off[r->nfields++] = 0;
	for (;;) {
		if ((ch = next_char(r, err)) == -2)
			return -1;
		if (ch == -1) {
			if (quoted) {
				*err = au_error_new(AU_ERR_INPUT, r->s->name,
				    "truncated: a quoted field opened on line %llu is not closed "
				    "at the end of the file", (unsigned long long)r->row_line);
				return -1;
			}
			if (!any)
				return 0;
			break;
		}
		any = 1;
		if (quoted) {
			if (ch == '"') {
				int nx = peek_char(r, err);
				if (nx == -2)
					return -1;
				if (nx == '"') {
					next_char(r, err);
					row_put(r, '"', start);
				} else
					quoted = 0;
				continue;
			}
			if (ch == '\n')
				r->line++;
			if (ch == '\r') {
				int nx = peek_char(r, err);
				if (nx == -2)
					return -1;
				if (nx == '\n')
					continue;   /* CR LF in a field reads as LF */
			}
			row_put(r, (char)ch, start);
			continue;
		}
		if (ch == '"' && r->row_len == start) {
			quoted = 1;
			continue;
		}
		if (ch == r->delim) {
			row_put(r, '\0', start);
			start = r->row_len;
			if (r->nfields < MAX_FIELDS)
				r->off[r->nfields++] = start;
			continue;
		}
		if (ch == '\r')
			continue;
		if (ch == '\n') {
			r->line++;
			break;
		}
		row_put(r, (char)ch, start);
	}
	row_put(r, '\0', start);
	/* Fields past MAX_FIELDS were appended to the last one: harmless. */
	return 1;
}

static const char *
field(const struct csv *r, size_t i)
{
	return i < r->nfields ? r->row + r->off[i] : NULL;
}

/* ---- columns ---------------------------------------------------------------- */

enum col { C_TIME, C_ID, C_PROVIDER, C_MESSAGE, C_RECORD, C_MACHINE, C_LOG,
	C_LEVEL, C_QUAL, C_LEVELNAME, C_NCOLS };

struct layout {
	int col[C_NCOLS];        /* field index, -1 when absent */
	int event_viewer;
};

static int
level_from_name(const char *s)
{
	static const struct { const char *name; int level; } names[] = {
		{ "Critical", 1 }, { "Kritisch", 1 }, { "Critique", 1 },
		{ "Error", 2 }, { "Fehler", 2 }, { "Erreur", 2 },
		{ "Warning", 3 }, { "Warnung", 3 }, { "Avertissement", 3 },
		{ "Information", 4 }, { "Informationen", 4 },
		{ "Verbose", 5 }, { "Ausf\xc3\xbchrlich", 5 }, { "D\xc3\xa9taill\xc3\xa9", 5 },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].level;
	return 0;   /* LogAlways / unknown */
}

static int
parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	x = strtoull(s, &end, 10);
	if (*end != '\0' || x > max)
		return 0;
	*v = x;
	return 1;
}

static struct au_error *
layout_from_header(struct input_ctx *c, const struct csv *r, enum input_form form,
    struct layout *l)
{
	static const char *const names[C_NCOLS] = { "TimeCreated", "Id", "ProviderName",
		"Message", "RecordId", "MachineName", "LogName", "Level", "Qualifiers",
		"LevelDisplayName" };

	for (int i = 0; i < C_NCOLS; i++)
		l->col[i] = -1;
	if (form != INPUT_PSCSV) {
		/* Level, Date and Time, Source, Event ID, Task Category, (message) */
		l->event_viewer = 1;
		l->col[C_LEVELNAME] = 0;
		l->col[C_TIME] = 1;
		l->col[C_PROVIDER] = 2;
		l->col[C_ID] = 3;
		l->col[C_MESSAGE] = 5;
		return NULL;
	}
	for (size_t i = 0; i < r->nfields; i++)
		for (int k = 0; k < C_NCOLS; k++)
			if (strcmp(field(r, i), names[k]) == 0 && l->col[k] == -1)
				l->col[k] = (int)i;
	for (int k = 0; k <= C_MESSAGE; k++)
		if (l->col[k] == -1)
			return au_error_new(AU_ERR_INPUT, c->name,
			    "PowerShell CSV without a %s column", names[k]);
	return NULL;
}

/* ---- reading ---------------------------------------------------------------- */

struct csv_read {
	struct input_ctx *c;
	struct csv r;
	struct layout l;
	enum input_form form;
	enum au_date_order order;
	uint64_t broken;
	char *first_broken;
	/* Event Viewer: the record read, held until the next one starts (a
	 * message may run on over unquoted lines). */
	int held;
	uint64_t held_line;
	char *h_time_text, *h_provider, *h_message;
	uint32_t h_id;
	uint8_t h_level;
};

static void
note_broken(struct csv_read *x, uint64_t line, const char *why)
{
	x->broken++;
	x->c->st->records++;
	x->c->st->corrupt++;
	if (x->first_broken == NULL)
		x->first_broken = xasprintf("line %llu: %s", (unsigned long long)line, why);
}

static int
row_time(struct csv_read *x, const char *text, uint64_t *ft)
{
	struct au_civil civ;
	enum au_date_order hint;

	if (au_iso_offset_parse(text, strlen(text), ft))
		return 1;
	if (!au_local_date_parse(text, strlen(text), x->order, &civ, &hint))
		return 0;
	x->c->times_local = 1;
	return au_tz_to_utc(x->c->opts->tz, &civ, ft);
}

static struct au_error *
emit(struct csv_read *x, const char *time_text, const char *provider, uint32_t id,
    uint8_t level, uint64_t record_id, const char *machine, const char *log,
    uint32_t qual, const char *message, uint64_t line)
{
	struct input_record rec;

	memset(&rec, 0, sizeof(rec));
	if (!row_time(x, time_text, &rec.time)) {
		note_broken(x, line, "not a date and time");
		return NULL;
	}
	rec.provider = provider;
	rec.event_id = id;
	rec.level = level;
	rec.record_id = record_id;
	rec.host = machine;
	rec.channel = log != NULL && *log != '\0' ? log : (x->l.event_viewer ? "Application" : NULL);
	rec.qualifiers = qual;
	rec.message = message;
	return input_emit(x->c, &rec);
}

static struct au_error *
flush_held(struct csv_read *x)
{
	struct au_error *err;

	if (!x->held)
		return NULL;
	x->held = 0;
	err = emit(x, x->h_time_text, x->h_provider, x->h_id, x->h_level, 0, NULL,
	    NULL, 0, x->h_message, x->held_line);
	free(x->h_time_text);
	free(x->h_provider);
	free(x->h_message);
	x->h_time_text = x->h_provider = x->h_message = NULL;
	return err;
}

/* The raw text of the row, fields joined by the delimiter (a message's run-on line). */
static char *
row_text(const struct csv *r)
{
	size_t len = 0;
	char *t;

	for (size_t i = 0; i < r->nfields; i++)
		len += strlen(field(r, i)) + 1;
	t = xmalloc(len + 1);
	t[0] = '\0';
	for (size_t i = 0; i < r->nfields; i++) {
		if (i > 0)
			strncat(t, &r->delim, 1);
		strcat(t, field(r, i));
	}
	return t;
}

static struct au_error *
event_viewer_row(struct csv_read *x)
{
	const struct csv *r = &x->r;
	struct au_civil civ;
	enum au_date_order hint;
	uint64_t id;
	const char *t = field(r, 1);
	struct au_error *err;

	if (r->nfields < 5 || t == NULL ||
	    (!au_local_date_parse(t, strlen(t), AU_DATE_UNKNOWN, &civ, &hint) &&
	    !au_iso_offset_parse(t, strlen(t), &id))) {
		if (x->held) {
			/* A line of the message before it. */
			char *more = row_text(r), *m;
			m = xasprintf("%s\n%s", x->h_message, more);
			free(more);
			if (strlen(m) > MAX_FIELD)
				m[MAX_FIELD] = '\0';
			free(x->h_message);
			x->h_message = m;
			return NULL;
		}
		note_broken(x, r->row_line, "not an event row");
		return NULL;
	}
	if ((err = flush_held(x)) != NULL)
		return err;
	if (!parse_uint(field(r, 3), UINT32_MAX, &id)) {
		note_broken(x, r->row_line, "the event ID is not a number");
		return NULL;
	}
	x->held = 1;
	x->held_line = r->row_line;
	x->h_time_text = xstrdup(t);
	x->h_provider = xstrdup(field(r, 2));
	x->h_id = (uint32_t)id;
	x->h_level = (uint8_t)level_from_name(field(r, 0));
	x->h_message = xstrdup(r->nfields > 5 ? field(r, 5) : "");
	/* A sixth field with the delimiter in it, unquoted: it is all message. */
	for (size_t i = 6; i < r->nfields; i++) {
		char *m = xasprintf("%s%c%s", x->h_message, r->delim, field(r, i));
		free(x->h_message);
		x->h_message = m;
	}
	return NULL;
}

static struct au_error *
powershell_row(struct csv_read *x)
{
	const struct csv *r = &x->r;
	const struct layout *l = &x->l;
	uint64_t id, rid = 0, level = 0, qual = 0;
	const char *provider = field(r, (size_t)l->col[C_PROVIDER]);

	if (r->nfields == 1 && field(r, 0)[0] == '\0')
		return NULL;   /* blank line */
	if (provider == NULL || field(r, (size_t)l->col[C_TIME]) == NULL) {
		note_broken(x, r->row_line, "fewer fields than the header names");
		return NULL;
	}
	if (!parse_uint(field(r, (size_t)l->col[C_ID]), UINT32_MAX, &id)) {
		note_broken(x, r->row_line, "the event ID is not a number");
		return NULL;
	}
	if (l->col[C_RECORD] >= 0)
		parse_uint(field(r, (size_t)l->col[C_RECORD]), UINT64_MAX, &rid);
	if (l->col[C_LEVEL] >= 0)
		parse_uint(field(r, (size_t)l->col[C_LEVEL]), 255, &level);
	else if (l->col[C_LEVELNAME] >= 0 && field(r, (size_t)l->col[C_LEVELNAME]) != NULL)
		level = (uint64_t)level_from_name(field(r, (size_t)l->col[C_LEVELNAME]));
	if (l->col[C_QUAL] >= 0)
		parse_uint(field(r, (size_t)l->col[C_QUAL]), UINT32_MAX, &qual);
	return emit(x, field(r, (size_t)l->col[C_TIME]), provider, (uint32_t)id,
	    (uint8_t)level, rid,
	    l->col[C_MACHINE] >= 0 ? field(r, (size_t)l->col[C_MACHINE]) : NULL,
	    l->col[C_LOG] >= 0 ? field(r, (size_t)l->col[C_LOG]) : NULL,
	    (uint32_t)qual, field(r, (size_t)l->col[C_MESSAGE]), r->row_line);
}

/* Opens the reader past the #TYPE line and the header. */
static struct au_error *
start(struct csv_read *x)
{
	struct au_error *err = NULL;
	int rc;

	x->r.line = 1;
	x->r.in_len = x->r.in_off = 0;
	x->r.eof = 0;
	if ((rc = csv_row(&x->r, &err)) <= 0)
		return err != NULL ? err : au_error_new(AU_ERR_INPUT, x->c->name, "empty CSV");
	if (strncmp(field(&x->r, 0), "#TYPE", 5) == 0 &&
	    (rc = csv_row(&x->r, &err)) <= 0)
		return err != NULL ? err : au_error_new(AU_ERR_INPUT, x->c->name,
		    "CSV with a #TYPE line and no header");
	return layout_from_header(x->c, &x->r, x->form, &x->l);
}

/*
 * Slashed dates: the day/month order is what the file's own dates say
 * (a first number over 12 is a day, a second one is); the file is read
 * ahead until one does, then from the start again.
 */
static struct au_error *
find_date_order(struct csv_read *x)
{
	struct au_error *err = NULL;
	struct au_civil civ;
	enum au_date_order hint, found = AU_DATE_UNKNOWN;
	int rc, slashed = 0, ambiguous = 0;
	int tcol;

	if ((err = start(x)) != NULL)
		return err;
	tcol = x->l.col[C_TIME];
	while ((rc = csv_row(&x->r, &err)) == 1) {
		const char *t = field(&x->r, (size_t)tcol);
		const char *slash;
		unsigned a, b;
		if (t == NULL || !au_local_date_parse(t, strlen(t), AU_DATE_UNKNOWN, &civ, &hint))
			continue;
		if ((slash = strchr(t, '/')) == NULL || slash - t > 3)
			break;   /* dotted or ISO dates: a file has one format */
		slashed = 1;
		if (hint != AU_DATE_UNKNOWN) {
			found = hint;
			break;
		}
		a = (unsigned)strtoul(t, NULL, 10);
		b = (unsigned)strtoul(slash + 1, NULL, 10);
		ambiguous |= a != b;
	}
	if (err != NULL)
		return err;
	if (found != AU_DATE_UNKNOWN || !slashed || !ambiguous) {
		x->order = found != AU_DATE_UNKNOWN ? found : AU_DATE_MDY;
		return input_src_rewind(x->r.s);
	}
	return au_error_new(AU_ERR_INPUT, x->c->name,
	    "cannot tell day from month in its dates (none has a day over 12): "
	    "give --date-order DMY or MDY");
}

struct au_error *
form_csv_read(struct input_ctx *c, struct input_src *s, enum input_form form)
{
	struct au_error *err = NULL;
	struct csv_read x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.form = form;
	x.r.s = s;
	x.r.delim = form == INPUT_EVTXT ? '\t' : ',';
	x.r.in = xmalloc(65536);
	x.order = (enum au_date_order)c->opts->date_order;
	if (x.order == AU_DATE_UNKNOWN && (err = find_date_order(&x)) != NULL)
		goto done;
	if ((err = start(&x)) != NULL)
		goto done;
	while ((rc = csv_row(&x.r, &err)) == 1) {
		err = x.l.event_viewer ? event_viewer_row(&x) : powershell_row(&x);
		if (err != NULL)
			goto done;
	}
	if (err == NULL)
		err = flush_held(&x);
	else {
		struct au_error *e2 = flush_held(&x);
		if (e2 != NULL && e2->kind != AU_ERR_INPUT) {
			au_error_free(err);
			err = e2;
		} else
			au_error_free(e2);
	}
	if (err == NULL && x.broken > 0)
		err = au_error_new(AU_ERR_INPUT, c->name, "%llu broken row(s) skipped (first: %s)",
		    (unsigned long long)x.broken, x.first_broken);
done:
	free(x.h_time_text);
	free(x.h_provider);
	free(x.h_message);
	free(x.first_broken);
	free(x.r.in);
	free(x.r.row);
	return err;
}
