/* input.h: every input form (EVTX, XML, CSV, text, JSON, archives): detection by content and dispatch to its reader. */
#ifndef AU_INPUT_H
#define AU_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <iconv.h>

#include "error.h"
#include "event.h"
#include "ingest.h"

enum input_form {
	INPUT_UNKNOWN = 0,
	INPUT_EVTX,
	INPUT_XML,        /* Event Viewer XML, wevtutil /f:xml or /f:RenderedXml, .ToXml() */
	INPUT_EVCSV,      /* Event Viewer CSV ("Level,Date and Time,Source,Event ID,Task Category") */
	INPUT_EVTXT,      /* Event Viewer "Text (Tab delimited)" */
	INPUT_PSCSV,      /* Get-WinEvent | Export-Csv (5.1 with #TYPE, 7 without) */
	INPUT_JSON,       /* Get-WinEvent | ConvertTo-Json */
	INPUT_ARCHIVE,    /* zip, tar, 7z, gz, xz, bz2 (libarchive) */
};

/* "EVTX", "XML", ...: the form's name in messages. */
const char *input_form_name(enum input_form form);

enum input_enc { INPUT_ENC_UTF8 = 0, INPUT_ENC_UTF16LE };

/*
 * An open input as decoded UTF-8 text: the readers of text forms read
 * through it, whatever the file's encoding (UTF-8 or UTF-16LE, with or
 * without a byte order mark).
 */
struct input_src {
	int fd;                   /* where the bytes come from: fd, or else */
	/* read_fn (an archive member, streamed): a count, 0 at the end, -1 with *err */
	ssize_t (*read_fn)(void *arg, unsigned char *buf, size_t n,
	    struct au_error **err);
	struct au_error *(*rewind_fn)(void *arg);   /* back to the first byte */
	void *fn_arg;
	const char *name;         /* file, or ARCHIVE:MEMBER, for messages */
	/* Optional: told the bytes read so far of total (the sink's progress). */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
	uint64_t total;
	enum input_enc enc;
	iconv_t cd;               /* UTF-16LE to UTF-8, or (iconv_t)-1 */
	unsigned char raw[65536];
	size_t raw_len, raw_off;
	uint64_t raw_pos;         /* bytes of the file consumed */
	int eof;
};

/* Back to the first character (for readers that look ahead). */
struct au_error *input_src_rewind(struct input_src *s);
/*
 * Reads up to n bytes of UTF-8 into buf: the count, 0 at the end, or -1
 * with *err set when the file is not in its encoding.
 */
ssize_t input_src_read(struct input_src *s, char *buf, size_t n,
    struct au_error **err);
void input_src_close(struct input_src *s);

/* What reads one input: options, sink and stats of the file being read. */
struct input_ctx {
	const struct au_ingest_opts *opts;
	const struct au_ingest_sink *sink;
	struct au_file_stats *st;
	const char *name;         /* file, or ARCHIVE:MEMBER */
	const char *host;         /* for forms without a Computer: --computer or from the name */
	int times_local;          /* a time without an offset was met */
};

/* One record as a text form gives it; strings are borrowed. */
struct input_record {
	uint64_t time;            /* FILETIME, UTC */
	const char *host;         /* NULL: ctx->host */
	const char *provider;
	const char *channel;
	uint32_t event_id;
	uint32_t qualifiers;
	uint8_t level;
	uint64_t record_id;       /* 0 when the form has none */
	char *const *data;        /* EventData / Properties values */
	size_t ndata;
	int has_data;
	const char *message;      /* rendered message, or NULL */
};

/*
 * Counts the record (hosts, period) and hands what matters to the sink:
 * upgrade results, related events, Connect installer events. Returns the
 * sink's error.
 */
struct au_error *input_emit(struct input_ctx *c, const struct input_record *r);

/* Readers of each text form (form-*.c). Each returns NULL or an AU_ERR_INPUT / the sink's error. */
struct au_error *form_xml_read(struct input_ctx *c, struct input_src *s);
struct au_error *form_csv_read(struct input_ctx *c, struct input_src *s,
    enum input_form form);
struct au_error *form_json_read(struct input_ctx *c, struct input_src *s);

/* The form of the file open at fd, from its first bytes (fd is left at 0). */
enum input_form input_detect_fd(int fd);
/* The same for the first len bytes of an input. */
enum input_form input_detect(const unsigned char *buf, size_t len);

/*
 * The host of a file without a Computer field: its base name without its
 * extension(s) and without a trailing "-Application", "_Application" or
 * " Application" (any case). A new string.
 */
char *input_host_from_name(const char *path);

/*
 * Reads one input of any form: what ingest_file does for .evtx files,
 * for every form. Fills *st (st->path is set by the caller).
 */
struct au_error *input_file(const char *path, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st);

/*
 * Reads the input open at fd (at 0) named `name` in messages; `path` is
 * a path that opens it (for libevtx). `nested`: inside an archive, how
 * deep.
 */
struct au_error *input_fd(int fd, const char *name, const char *path,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st, int nested);

/*
 * Reads a text form (XML, CSV, text, JSON) from s: zeroed but for name
 * and either fd (at 0) or read_fn, rewind_fn and fn_arg (and optionally
 * progress). The encoding is
 * found from the first bytes. What input_fd does for that form.
 */
struct au_error *input_text(struct input_src *s, enum input_form form,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st);

/*
 * Expands files and directories into a sorted list of inputs. A directory
 * is searched recursively for every supported form (by content); other
 * files in it are passed over and counted in *passed_over. A file named
 * explicitly that is of no known form is an AU_ERR_INPUT error naming it.
 */
void input_expand_paths(char *const *paths, size_t npaths, char ***files,
    size_t *nfiles, size_t *passed_over, struct au_error **errors);
void input_free_paths(char **files, size_t nfiles);

#endif
