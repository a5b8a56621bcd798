/* classify.h: the result-code catalog and the extraction of codes from event text. */
#ifndef AU_CLASSIFY_H
#define AU_CLASSIFY_H

#include <stddef.h>

#include "event.h"

/*
 * One documented result code. Descriptions quote Microsoft's article
 * exactly (the newest wording; `older` keeps an earlier one where it
 * differs); `remediation` is our own advice. All strings are static.
 */
struct au_code {
	const char *code;          /* exact spelling, e.g. UpgradeNotSupportedMetaverseSizeExceeeded */
	enum au_category category;
	const char *description;   /* quoted from the article, NULL if none is documented */
	const char *older;         /* an earlier documented wording, or NULL */
	const char *source;        /* where the description is quoted from */
	const char *first_listed;  /* article version key, e.g. "A2 (04/2016)" */
	const char *last_listed;   /* "current", or the last version that listed it */
	int historical;            /* dropped from the article */
	const char *remediation;   /* what to do, in our words */
};

/* The whole catalog, in display order. */
const struct au_code *classify_catalog(size_t *count);
/* Exact (case-sensitive) lookup; NULL when not in the catalog. */
const struct au_code *classify_lookup(const char *code);
/* Category of a code from its catalog entry or, when unknown, its prefix. */
enum au_category classify_category(const char *code);

/*
 * Finds the result code in an event's text (the Data strings joined by
 * '\n'): first a token after "result =", "result:" or "result=" (any case),
 * else the first token that is a catalog code or starts with a known prefix.
 * A token is letters, digits and '-'. A compound "A-B" gives code A and
 * detail B. Returns 1 and sets *code (and *detail, or NULL) to new strings
 * when found, 0 when the text holds no code.
 */
int classify_extract(const char *text, char **code, char **detail);

/* Fills ev->result_code, detail, category and code from ev->message. */
void classify_event(struct au_event *ev);

/* What the article says to check whatever the result (static text lines). */
const char *const *classify_general_checks(size_t *count);
/* Short text for a category: the article's prefix description. */
const char *classify_category_description(enum au_category cat);

#endif
