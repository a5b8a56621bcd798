/* render-json-int.h: what render-json.c and render-json-fleet.c share (Jansson values and document writing); private to them. */
#ifndef AU_RENDER_JSON_INT_H
#define AU_RENDER_JSON_INT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "analyse.h"

/* A string from event data (invalid UTF-8 repaired); null for NULL. */
json_t *jstr(const char *s);
/* Jansson integers are signed 64-bit: clamped rather than wrapped to negative. */
json_t *juint(uint64_t v);
/* A FILETIME as RFC 3339 UTC to the second; or null when !present. */
json_t *jtime(uint64_t filetime);
json_t *jtime_opt(uint64_t filetime, int present);
/* The head every JSON document starts with: who wrote it, for when. */
void jhead(json_t *root, const struct au_report *rep);
/* The report's summary object: servers, and how many by verdict and by support status. */
json_t *jsummary(const struct au_report *rep);
/* v, indented by indent_after after its first line; -1 when writing failed. */
int jw_dump(FILE *out, json_t *v, const char *indent_after);
/* The same for an object, without its closing "\n}" (more keys follow). */
int jw_dump_open(FILE *out, json_t *v, const char *indent_after);

#endif
