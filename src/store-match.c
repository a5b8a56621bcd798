/* store-match.c: which hosts a query selects: full names, first labels, globs, nearest names. */
#define _POSIX_C_SOURCE 200809L

#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "error.h"
#include "event.h"
#include "store.h"
#include "store-int.h"
#include "xmalloc.h"

void
store_free_hosts(struct store_host_row *hosts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(hosts[i].name);
		free(hosts[i].key);
	}
	free(hosts);
}

static int
store_host_row_cmp(const void *pa, const void *pb)
{
	const struct store_host_row *a = pa, *b = pb;

	return strcmp(a->key, b->key);
}

/* Every host, in order of name_key. */
static struct au_error *
store_all_hosts(struct au_store *s, struct store_host_row **out, size_t *nout)
{
	struct au_error *err = NULL;
	struct store_host_row *hosts = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((err = store_prepare(s, "SELECT id, name, name_key FROM hosts"
	    " ORDER BY name_key", &st)) != NULL)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			hosts = xreallocarray(hosts, cap, sizeof(*hosts));
		}
		hosts[n].id = sqlite3_column_int64(st, 0);
		hosts[n].name = store_col_dup(st, 1);
		hosts[n].key = store_col_dup(st, 2);
		if (hosts[n].name == NULL)
			hosts[n].name = xstrdup("");
		if (hosts[n].key == NULL)
			hosts[n].key = xstrdup("");
		n++;
	}
	if (rc != SQLITE_DONE) {
		err = store_error(s, "cannot read the hosts");
		goto done;
	}
	*out = hosts;
	*nout = n;
	hosts = NULL;
	n = 0;
done:
	sqlite3_finalize(st);
	store_free_hosts(hosts, n);
	return err;
}

/* Levenshtein distance, capped: names are short. */
static size_t
store_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *row, best;

	if (la > 255)
		la = 255;
	if (lb > 255)
		lb = 255;
	row = xcalloc(lb + 1, sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], cost = a[i - 1] != b[j - 1];
			size_t v = diag + cost;

			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
		}
	}
	best = row[lb];
	free(row);
	return best;
}

/* The first label of a lower-case name, compared to key. */
static int
store_label_is(const char *name, const char *key)
{
	size_t len = strcspn(name, ".");

	return strlen(key) == len && strncmp(name, key, len) == 0;
}

/*
 * A shell glob (lower case) against a lower-case name, or against its
 * first label when the glob has no dot: "aadc0?" selects
 * aadc01.contoso.local as "aadc01" would.
 */
static int
store_glob_matches(const char *glob, const char *name)
{
	size_t len = strcspn(name, ".");
	char label[256];

	if (fnmatch(glob, name, 0) == 0)
		return 1;
	if (strchr(glob, '.') != NULL || name[len] != '.' || len >= sizeof(label))
		return 0;
	memcpy(label, name, len);
	label[len] = '\0';
	return fnmatch(glob, label, 0) == 0;
}

/* "nearest: a, b, c": up to three names closest to key (full name or first label). */
static char *
store_nearest(const struct store_host_row *all, size_t nall, const char *key)
{
	size_t best[3] = { SIZE_MAX, SIZE_MAX, SIZE_MAX }, bi[3] = { 0, 0, 0 };
	char *out = NULL, *tmp;

	for (size_t i = 0; i < nall; i++) {
		size_t d = store_distance(key, all[i].key);
		size_t len = strcspn(all[i].key, ".");

		if (all[i].key[len] == '.') {
			char *label = xstrdup(all[i].key);
			size_t dl;

			label[len] = '\0';
			dl = store_distance(key, label);
			free(label);
			if (dl < d)
				d = dl;
		}
		for (int k = 0; k < 3; k++)
			if (d < best[k]) {
				for (int m = 2; m > k; m--) {
					best[m] = best[m - 1];
					bi[m] = bi[m - 1];
				}
				best[k] = d;
				bi[k] = i;
				break;
			}
	}
	for (int k = 0; k < 3 && best[k] != SIZE_MAX; k++) {
		tmp = out ? xasprintf("%s, %s", out, all[bi[k]].name) :
		    xstrdup(all[bi[k]].name);
		free(out);
		out = tmp;
	}
	return out;
}

static void
store_add_row(struct store_host_row **hosts, size_t *n,
    const struct store_host_row *h)
{
	for (size_t i = 0; i < *n; i++)
		if ((*hosts)[i].id == h->id)
			return;
	*hosts = xreallocarray(*hosts, *n + 1, sizeof(**hosts));
	(*hosts)[*n].id = h->id;
	(*hosts)[*n].name = xstrdup(h->name);
	(*hosts)[*n].key = xstrdup(h->key);
	(*n)++;
}

static void
store_add_problem(char **problems, char *msg)
{
	char *tmp = *problems ? xasprintf("%s; %s", *problems, msg) : xstrdup(msg);

	free(*problems);
	free(msg);
	*problems = tmp;
}

/*
 * The hosts q covers, ordered by lower-case name: each selector is a
 * full name, else a glob, else a first label that one host alone has. A
 * selector that selects nothing is an AU_ERR_NOTFOUND error naming it
 * and the nearest names; an ambiguous first label names the candidates.
 */
struct au_error *
store_query_hosts(struct au_store *s, const struct au_query *q,
    struct store_host_row **out, size_t *nout)
{
	struct au_error *err = NULL;
	struct store_host_row *all = NULL, *hosts = NULL;
	size_t nall = 0, n = 0, nwant = q != NULL ? q->nhosts : 0;
	sqlite3_stmt *st = NULL;
	char *problems = NULL, *key = NULL;
	/* scan's database is its own, of the logs it read: no history. */
	const char *where = s->path == NULL ? "the logs read" : "the history";
	int rc;

	*out = NULL;
	*nout = 0;
	if (nwant == 0)
		return store_all_hosts(s, out, nout);
	/* A full name: one lookup in name_key's index, not a scan. */
	if ((err = store_prepare(s, "SELECT id, name, name_key FROM hosts"
	    " WHERE name_key = ?1", &st)) != NULL)
		goto done;
	for (size_t i = 0; i < nwant; i++) {
		const char *sel = q->hosts[i] != NULL ? q->hosts[i] : "";
		struct store_host_row h = { 0, NULL, NULL };
		size_t found = 0, nfirst = 0;
		char *names = NULL;

		free(key);
		key = xstrdup(sel);
		store_lower(key);
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			h.id = sqlite3_column_int64(st, 0);
			h.name = (char *)sqlite3_column_text(st, 1);
			h.key = (char *)sqlite3_column_text(st, 2);
			store_add_row(&hosts, &n, &h);
		}
		sqlite3_reset(st);
		if (rc == SQLITE_ROW)
			continue;
		if (rc != SQLITE_DONE) {
			err = store_error(s, "cannot read the hosts");
			goto done;
		}
		if (all == NULL && (err = store_all_hosts(s, &all, &nall)) != NULL)
			goto done;
		if (strpbrk(key, "*?[") != NULL) {
			for (size_t j = 0; j < nall; j++)
				if (store_glob_matches(key, all[j].key)) {
					store_add_row(&hosts, &n, &all[j]);
					found++;
				}
			if (found == 0)
				store_add_problem(&problems, xasprintf("no host in"
				    " %s matches %s", where, sel));
			continue;
		}
		for (size_t j = 0; j < nall; j++)
			if (store_label_is(all[j].key, key)) {
				char *tmp = names ? xasprintf("%s, %s", names,
				    all[j].name) : xstrdup(all[j].name);

				free(names);
				names = tmp;
				if (nfirst++ == 0)
					found = j;
			}
		if (nfirst == 1)
			store_add_row(&hosts, &n, &all[found]);
		else if (nfirst > 1)
			store_add_problem(&problems, xasprintf("%s names %zu"
			    " hosts (%s): give the full name", sel, nfirst, names));
		else {
			char *near = store_nearest(all, nall, key);

			store_add_problem(&problems, near != NULL ?
			    xasprintf("no such host in %s: %s (nearest:"
			    " %s)", where, sel, near) : xasprintf("no such host in"
			    " %s: %s (%s none)", where, sel, s->path == NULL ?
			    "they name" : "it holds"));
			free(near);
		}
		free(names);
	}
	if (problems != NULL) {
		err = au_error_new(AU_ERR_NOTFOUND, s->path, "%s", problems);
		goto done;
	}
	if (n > 1)
		qsort(hosts, n, sizeof(*hosts), store_host_row_cmp);
	*out = hosts;
	*nout = n;
	hosts = NULL;
	n = 0;
done:
	sqlite3_finalize(st);
	store_free_hosts(all, nall);
	store_free_hosts(hosts, n);
	free(problems);
	free(key);
	return err;
}

struct au_error *
store_match_hosts(struct au_store *store, const char *const *selectors,
    size_t nselectors, char ***names, size_t *nnames)
{
	struct au_error *err = NULL;
	struct au_query q = { selectors, nselectors, 0, 0 };
	struct store_host_row *hosts = NULL;
	size_t n = 0;
	int began = 0;

	*names = NULL;
	*nnames = 0;
	if ((err = store_read_begin(store, &began)) != NULL)
		goto done;
	if ((err = store_query_hosts(store, &q, &hosts, &n)) != NULL)
		goto done;
	*names = n ? xcalloc(n, sizeof(**names)) : NULL;
	for (size_t i = 0; i < n; i++) {
		(*names)[i] = hosts[i].name;
		hosts[i].name = NULL;
	}
	*nnames = n;
done:
	store_free_hosts(hosts, n);
	store_read_end(store, began);
	return err;
}
