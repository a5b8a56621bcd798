/* releases.h: the release catalog of Connect builds (a TSV data file) and support status from it (pure functions). */
#ifndef AU_RELEASES_H
#define AU_RELEASES_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"

/*
 * The catalog is data: data/releases.tsv, installed as
 * PKGDATADIR/releases.tsv, one release a line under the header
 * "version<TAB>release_date<TAB>auto_upgrade<TAB>end_of_support<TAB>note".
 * Two notes carry meaning: one starting "RECALLED" marks a recalled
 * build; one starting "MANDATORY MINIMUM" marks the floor below which
 * synchronization stops on the first YYYY-MM-DD date the note names.
 * "starting <Month> <day>, <year>" in a note is the start of a phased
 * roll-out. Everything here but releases_load is a pure function; the
 * catalog owns its strings, results borrow them.
 */

#define AU_VERSION_PARTS 4

/* A build number: up to four dot-separated numbers ("1.0.419.0911"), missing parts 0. */
struct au_version {
	uint32_t part[AU_VERSION_PARTS];
};

/* 1 and *v set when text is a version, else 0. */
int releases_version_parse(const char *text, struct au_version *v);
/* <0, 0, >0 as a is older than, the same as, newer than b. */
int releases_version_cmp(const struct au_version *a, const struct au_version *b);

enum au_auto_upgrade {
	AU_AUTO_YES = 0,          /* released for automatic upgrade */
	AU_AUTO_NO,               /* download wording only */
	AU_AUTO_DOWNLOAD_ONLY,    /* explicitly not for automatic upgrade */
	AU_AUTO_UNKNOWN,          /* the entry gives only a date */
};
const char *releases_auto_upgrade_name(enum au_auto_upgrade a);  /* as in the file: "yes", "no", ... */

struct au_release {
	char *version;            /* as written in the catalog */
	struct au_version v;
	char *release_date;       /* "YYYY-MM-DD", "YYYY-MM" or "" */
	uint64_t released;        /* FILETIME: start of that day (of the month); 0 = none given */
	enum au_auto_upgrade auto_upgrade;
	char *end_of_support;     /* "YYYY-MM-DD" (the last supported day) or "" */
	uint64_t support_ends;    /* FILETIME: start of that day; 0 = none given */
	char *note;
	uint64_t rollout_start;   /* FILETIME of "starting <date>" in the note; 0 = none */
	int recalled;             /* the note starts with "RECALLED" */
	size_t line;              /* line in the catalog file */
};

struct au_catalog {
	char *path;               /* the file it was read from */
	struct au_release *rows;  /* newest version first */
	size_t nrows;
	const struct au_release *floor;   /* the mandatory minimum, or NULL */
	uint64_t floor_time;      /* FILETIME: the day synchronization stops below it */
};

/*
 * Reads the catalog at path, one line at a time. A malformed file is an
 * AU_ERR_INPUT error whose where is path and whose message starts with
 * "line N: ".
 */
struct au_error *releases_load(const char *path, struct au_catalog **out);
void releases_free(struct au_catalog *cat);
/* $AADC_UPGRADE_RELEASES when set and not empty, else PKGDATADIR "/releases.tsv". */
const char *releases_default_path(void);

/* The row of version (compared as numbers), or NULL. */
const struct au_release *releases_lookup(const struct au_catalog *cat,
    const char *version);
/* The next newer build that was released (has a date, not recalled), or NULL. */
const struct au_release *releases_successor(const struct au_catalog *cat,
    const struct au_release *r);
/* The newest release for automatic upgrade released on or before now, or NULL. */
const struct au_release *releases_newest_auto(const struct au_catalog *cat,
    uint64_t now);
/* The newest build released on or before now and not recalled, or NULL. */
const struct au_release *releases_newest(const struct au_catalog *cat,
    uint64_t now);
/* Whether version is newer than every row of the catalog. */
int releases_newer_than_catalog(const struct au_catalog *cat,
    const char *version);

/* Ordered worst first. */
enum au_support {
	AU_SUPPORT_RECALLED = 0,  /* the installer was recalled */
	AU_SUPPORT_BELOW_FLOOR,   /* below the mandatory minimum after its date: no sync */
	AU_SUPPORT_RETIRED,       /* past its end of support */
	AU_SUPPORT_RETIRING,      /* end of support within AU_RETIRING_DAYS */
	AU_SUPPORT_UNKNOWN,       /* no build seen, or one the catalog lacks */
	AU_SUPPORT_SUPPORTED,
	AU_SUPPORT_COUNT
};
#define AU_RETIRING_DAYS 90
const char *releases_support_name(enum au_support s);   /* "recalled", "below-floor", ... */

/*
 * The support status of the installed version (NULL: none seen) at now
 * (FILETIME). Recalled, then below the floor (from the floor's day on),
 * then retired (from the day after end_of_support), then retiring (from
 * AU_RETIRING_DAYS days before end_of_support), else supported; unknown
 * when version is NULL or not in the catalog.
 */
enum au_support releases_support(const struct au_catalog *cat,
    const char *version, uint64_t now);
/*
 * How many releases for automatic upgrade are newer than version and
 * released on or before now; -1 when version is NULL or not in the catalog.
 */
int64_t releases_auto_upgrade_behind(const struct au_catalog *cat,
    const char *version, uint64_t now);

/* What a server runs and what the catalog says of it. Borrows every pointer. */
struct au_build {
	const char *installed_version;    /* NULL when no build was seen */
	const char *product;              /* product name of the install that gave it */
	uint64_t installed_time;          /* FILETIME of that install; 0 when none */
	const struct au_install *install; /* that installer event, or NULL */
	enum au_support support;
	int64_t releases_behind;          /* auto_upgrade_releases_behind; -1 = null */
	int newer_than_catalog;           /* unknown because newer than every row: update the catalog */
	const struct au_release *release;     /* the installed build's row, or NULL */
	const struct au_release *successor;   /* its successor, or NULL */
	const struct au_release *newest_auto; /* newest auto-upgrade release at now, or NULL */
	const struct au_release *newest;      /* newest release at now, or NULL */
	uint64_t now;                     /* the time the status is for */
};

/* Fills *b for the install that gives the installed build (NULL: none) at now. */
void releases_build(const struct au_catalog *cat, const struct au_install *in,
    uint64_t now, struct au_build *b);

#endif
