/* install.c: MsiInstaller events for Connect products: the product, its version, the outcome, and the build they leave. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "install.h"
#include "releases.h"
#include "xmalloc.h"

/* Events this far apart at most can be the two events of one install or removal. */
#define INSTALL_PAIR_TICKS (300 * AU_TICKS_PER_SECOND)
/* How many neighbours to look at for that pair (bounds a hostile log). */
#define INSTALL_PAIR_SCAN 16

static int
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

int
install_is_connect_product(const char *name)
{
	/* Products of the same brands whose version is not the Connect build. */
	static const char *const others[] = { "Agent", "Health", "Updater",
	    "LocalDB", "SQL Server" };

	if (name == NULL || !(contains_ci(name, "Azure AD Connect") ||
	    contains_ci(name, "Entra Connect")))
		return 0;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (contains_ci(name, others[i]))
			return 0;
	return 1;
}

int
install_event_id(uint32_t event_id)
{
	switch (event_id) {
	case 1022: case 1033: case 1034: case 11707: case 11708: case 11724:
		return 1;
	}
	return 0;
}

enum au_install_action
install_action(const struct au_install *in)
{
	if (in->status > 0 || in->event_id == 11708)
		return AU_INSTALL_FAILED;
	switch (in->event_id) {
	case 1034: case 11724:
		return AU_INSTALL_REMOVE;
	case 1022:
		return AU_INSTALL_PATCH;
	}
	return AU_INSTALL_INSTALL;
}

const char *
install_action_name(enum au_install_action a)
{
	static const char *const names[] = { "install", "remove", "failed",
	    "patch" };

	return (unsigned)a <= AU_INSTALL_PATCH ? names[a] : "failed";
}

/* A copy of s[0..n) without surrounding spaces, or NULL when nothing is left. */
static char *
trim_dup(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
	    s[n - 1] == '\n'))
		n--;
	return n > 0 ? xstrndup(s, n) : NULL;
}

/* s when it is a build number, copied; else NULL ("(NULL)", ""). */
static char *
version_dup(const char *s, size_t n)
{
	char *v = trim_dup(s, n);
	struct au_version parsed;

	if (v != NULL && !releases_version_parse(v, &parsed)) {
		free(v);
		v = NULL;
	}
	return v;
}

static int
status_parse(const char *s)
{
	char *end;
	long x;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	x = strtol(s, &end, 10);
	return x >= 0 && x <= 0x7fffffff && (end == s || *end == '\0' ||
	    *end == '.' || *end == ' ') ? (int)x : -1;
}

/* "Product: NAME -- Installation completed successfully." and kin (11707, 11708, 11724, 1022). */
static char *
product_from_text(const char *text)
{
	const char *start = strstr(text, "Product: "), *end;

	if (start == NULL)
		return NULL;
	start += strlen("Product: ");
	if ((end = strstr(start, " -- ")) == NULL &&
	    (end = strstr(start, " - Update ")) == NULL) {
		end = start + strlen(start);
		while (end > start && (end[-1] == '.' || end[-1] == ' '))
			end--;
	}
	return trim_dup(start, (size_t)(end - start));
}

/* The value after label up to ". " or the end, without a final '.'. */
static const char *
field_in_text(const char *text, const char *label, size_t *len)
{
	const char *p = strstr(text, label), *end;

	if (p == NULL)
		return NULL;
	p += strlen(label);
	if ((end = strstr(p, ". ")) == NULL) {
		end = p + strlen(p);
		while (end > p && (end[-1] == '.' || end[-1] == '\n' ||
		    end[-1] == '\r'))
			end--;
	}
	*len = (size_t)(end - p);
	return p;
}

/*
 * A rendered message: 1033/1034 "Windows Installer installed the product.
 * Product Name: NAME. Product Version: V. Product Language: L.
 * Manufacturer: M. Installation success or error status: N.", the others
 * "Product: NAME -- ...".
 */
static void
parse_message(const char *text, char **product, char **version, int *status)
{
	const char *p;
	size_t len;

	if ((p = field_in_text(text, "Product Name: ", &len)) != NULL) {
		const char *stop = strstr(p, ". Product Version: ");

		/* A name may hold ". ": it runs up to the version's label. */
		*product = trim_dup(p, stop != NULL ? (size_t)(stop - p) : len);
		if ((p = field_in_text(text, "Product Version: ", &len)) != NULL)
			*version = version_dup(p, len);
		if ((p = strstr(text, "error status: ")) != NULL)
			*status = status_parse(p + strlen("error status: "));
		return;
	}
	*product = product_from_text(text);
}

struct au_install *
install_classify(const char *provider, uint32_t event_id, uint64_t time,
    const char *host, uint64_t record_id, char *const *v, size_t n,
    const char *message)
{
	struct au_install *in;
	char *product = NULL, *version = NULL;
	int status = -1;

	if (provider == NULL || strcasecmp(provider, "MsiInstaller") != 0 ||
	    !install_event_id(event_id))
		return NULL;
	if (n >= 1 && v[0] != NULL && (strncmp(v[0], "Product: ", 9) == 0 ||
	    strstr(v[0], "Product Name: ") != NULL))
		parse_message(v[0], &product, &version, &status);
	else if (n >= 2 && v[0] != NULL && v[1] != NULL) {
		/* Name, Version, Language, Status, Manufacturer (1022: Name, Update). */
		product = trim_dup(v[0], strlen(v[0]));
		version = version_dup(v[1], strlen(v[1]));
		if (n >= 4 && v[3] != NULL && (event_id == 1033 || event_id == 1034))
			status = status_parse(v[3]);
	}
	if (product == NULL && message != NULL) {
		free(version);
		version = NULL;
		parse_message(message, &product, &version, &status);
	}
	if (!install_is_connect_product(product)) {
		free(product);
		free(version);
		return NULL;
	}
	/* The text events say the outcome in words, not as a status. */
	if (status < 0 && (event_id == 11707 || event_id == 11724 ||
	    event_id == 1022))
		status = 0;
	in = xcalloc(1, sizeof(*in));
	in->product = product;
	in->version = version;
	in->status = status;
	in->event_id = event_id;
	in->time = time;
	in->record_id = record_id;
	in->host = xstrdup(host != NULL ? host : "");
	return in;
}

static int
has_version(const struct au_install *in)
{
	return in->version != NULL && in->version[0] != '\0';
}

static int
same_product(const struct au_install *a, const struct au_install *b)
{
	return a->product != NULL && b->product != NULL &&
	    strcasecmp(a->product, b->product) == 0;
}

static int
same_version(const struct au_install *a, const struct au_install *b)
{
	struct au_version va, vb;

	if (releases_version_parse(a->version, &va) &&
	    releases_version_parse(b->version, &vb))
		return releases_version_cmp(&va, &vb) == 0;
	return has_version(a) && has_version(b) && strcmp(a->version, b->version) == 0;
}

/*
 * Whether in[i], without a version, has a twin beside it that names the
 * version: the same product and action within INSTALL_PAIR_TICKS.
 */
static int
has_twin(struct au_install *const *in, size_t n, size_t i)
{
	enum au_install_action a = install_action(in[i]);

	for (size_t k = 1; k <= INSTALL_PAIR_SCAN; k++) {
		for (int side = 0; side < 2; side++) {
			const struct au_install *o;
			uint64_t dt;

			if (side == 0 ? i < k : i + k >= n)
				continue;
			o = in[side == 0 ? i - k : i + k];
			dt = o->time > in[i]->time ? o->time - in[i]->time :
			    in[i]->time - o->time;
			if (dt <= INSTALL_PAIR_TICKS && has_version(o) &&
			    same_product(o, in[i]) && install_action(o) == a)
				return 1;
		}
	}
	return 0;
}

const struct au_install *
install_current(struct au_install *const *in, size_t n)
{
	/* Indexes of installs not removed since: one per product and version. */
	size_t *live = NULL, nlive = 0, best = n;

	if (n == 0)
		return NULL;
	live = xcalloc(n, sizeof(*live));
	for (size_t i = 0; i < n; i++) {
		const struct au_install *x = in[i];
		enum au_install_action a = install_action(x);
		size_t k, out;

		if (a != AU_INSTALL_INSTALL && a != AU_INSTALL_REMOVE)
			continue;
		if (!has_version(x) && has_twin(in, n, i))
			continue;
		if (a == AU_INSTALL_INSTALL) {
			for (k = 0; k < nlive; k++)
				if (same_product(in[live[k]], x) && (has_version(x) ?
				    same_version(in[live[k]], x) :
				    !has_version(in[live[k]])))
					break;
			if (k == nlive)
				nlive++;
			live[k] = i;   /* a reinstall: the later event */
			continue;
		}
		for (k = out = 0; k < nlive; k++)
			if (!(same_product(in[live[k]], x) &&
			    (!has_version(x) || same_version(in[live[k]], x))))
				live[out++] = live[k];
		nlive = out;
	}
	/* The latest of them; the input order breaks a tie in time. */
	for (size_t k = 0; k < nlive; k++)
		if (best == n || in[live[k]]->time > in[best]->time ||
		    (in[live[k]]->time == in[best]->time && live[k] > best))
			best = live[k];
	free(live);
	return best < n ? in[best] : NULL;
}
