/* error.h: the one error type of aadc-upgrade. */
#ifndef AU_ERROR_H
#define AU_ERROR_H

/*
 * Every function that can fail returns `struct au_error *`: NULL on success,
 * else a newly allocated error that the caller owns (free with au_error_free,
 * which accepts NULL). Library errors (libevtx, SQLite, errno) are converted
 * into one at the call site; only main() prints them, as
 * "aadc-upgrade: WHERE: message".
 */

enum au_error_kind {
	AU_ERR_INTERNAL = 1,
	AU_ERR_USAGE,      /* bad command line */
	AU_ERR_INPUT,      /* an input file could not be read (fully) */
	AU_ERR_DB,         /* the history database failed */
	AU_ERR_IO,         /* writing output failed */
	AU_ERR_NOTFOUND,   /* a thing asked for does not exist (code, host) */
};

struct au_error {
	enum au_error_kind kind;
	char *where;   /* file, database or command the error is about; may be NULL */
	char *msg;     /* one line, no trailing newline */
	struct au_error *next;  /* further errors, for lists of per-file problems */
};

struct au_error *au_error_new(enum au_error_kind kind, const char *where,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, with ": strerror(errnum)" appended. */
struct au_error *au_error_errno(enum au_error_kind kind, const char *where,
    int errnum, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void au_error_free(struct au_error *err);
/* Appends err (may be NULL) to the list *list; keeps order. */
void au_error_append(struct au_error **list, struct au_error *err);

#endif
