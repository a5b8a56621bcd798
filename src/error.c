/* error.c: creating and freeing the project's error values. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xmalloc.h"

static struct au_error *
error_vnew(enum au_error_kind kind, const char *where, int errnum,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static struct au_error *
error_vnew(enum au_error_kind kind, const char *where, int errnum,
    const char *fmt, va_list ap)
{
	struct au_error *err = xcalloc(1, sizeof(*err));
	char *msg = xvasprintf(fmt, ap);

	err->kind = kind;
	err->where = where ? xstrdup(where) : NULL;
	if (errnum != 0) {
		err->msg = xasprintf("%s: %s", msg, strerror(errnum));
		free(msg);
	} else
		err->msg = msg;
	/* Errors are printed on one line: fold any newline from a library. */
	for (char *p = err->msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return err;
}

struct au_error *
au_error_new(enum au_error_kind kind, const char *where, const char *fmt, ...)
{
	va_list ap;
	struct au_error *err;

	va_start(ap, fmt);
	err = error_vnew(kind, where, 0, fmt, ap);
	va_end(ap);
	return err;
}

struct au_error *
au_error_errno(enum au_error_kind kind, const char *where, int errnum,
    const char *fmt, ...)
{
	va_list ap;
	struct au_error *err;

	va_start(ap, fmt);
	err = error_vnew(kind, where, errnum, fmt, ap);
	va_end(ap);
	return err;
}

void
au_error_free(struct au_error *err)
{
	while (err != NULL) {
		struct au_error *next = err->next;
		free(err->where);
		free(err->msg);
		free(err);
		err = next;
	}
}

void
au_error_append(struct au_error **list, struct au_error *err)
{
	if (err == NULL)
		return;
	while (*list != NULL)
		list = &(*list)->next;
	*list = err;
}
