/* cmd.h: the command table, each command's options, and what every subcommand shares. */
#ifndef AU_CMD_H
#define AU_CMD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "ingest.h"
#include "render.h"

/* Exit statuses, documented in the man page's EXIT STATUS. */
enum au_exit {
	AU_EXIT_OK = 0,        /* everything was read and reported */
	AU_EXIT_FAILURE = 1,   /* nothing could be reported (or the database failed) */
	AU_EXIT_USAGE = 2,     /* bad command line */
	AU_EXIT_PARTIAL = 3,   /* a report was produced but some input could not be read */
};

/*
 * What a command gives back besides its fatal error: problems that did not
 * stop it (printed by main, one line each, before the fatal error) and the
 * exit status when it succeeds. A command that maps errors to statuses of
 * its own (check: 3 for UNKNOWN) sets `usage_status`/`failure_status`.
 */
struct cmd_ctx {
	struct au_error *warnings;
	enum au_exit status;
	int usage_status;      /* exit status for a usage error (0: AU_EXIT_USAGE) */
	int failure_status;    /* exit status for a fatal error (0: AU_EXIT_FAILURE) */
	/* Notes printed like warnings that do not change the status (times read as UTC). */
	struct au_error *notices;
};

/*
 * One option as the command table carries it. Keys: a short option's
 * letter, or one of the CMD_OPT_* values (>= 256) for a long-only option.
 * `arg` names the argument in the help ("PATH"), NULL for a flag; a
 * leading '=' makes it optional ("=WHEN": --color or --color=never).
 * `help` may hold '\n' for further lines.
 */
struct cmd_option {
	int key;
	const char *name;
	const char *arg;
	const char *help;
};

/* Keys of the options many commands share (parsed once, into cmd_common). */
enum cmd_opt_key {
	CMD_OPT_DB = 'd',
	CMD_OPT_FORMAT = 'f',
	CMD_OPT_HOST = 'H',
	CMD_OPT_OUTPUT = 'o',
	CMD_OPT_QUIET = 'q',
	CMD_OPT_SINCE = 'S',
	CMD_OPT_UNTIL = 'U',
	CMD_OPT_NOW = 256,
	CMD_OPT_COLOR,
	CMD_OPT_RELEASES,
	CMD_OPT_STALE_DAYS,
	CMD_OPT_COMPUTER,
	CMD_OPT_TIMEZONE,
	CMD_OPT_DATE_ORDER,
	/* Commands' own long-only options start here. */
	CMD_OPT_OWN = 512
};

#define CMD_OPTION_DB { CMD_OPT_DB, "db", "PATH", \
	"the history database (default: $AADC_UPGRADE_DB, else\n" \
	"$XDG_DATA_HOME/aadc-upgrade/history.db)" }
#define CMD_OPTION_FORMAT(list) { CMD_OPT_FORMAT, "format", "FORMAT", list }
#define CMD_OPTION_HOST { CMD_OPT_HOST, "host", "NAME", \
	"only this server: its name, the first label of its name\n" \
	"(AADC01 for AADC01.contoso.local) or a shell glob\n" \
	"(\"AADC*\"), any case; repeatable" }
#define CMD_OPTION_SINCE { CMD_OPT_SINCE, "since", "WHEN", \
	"only events at or after WHEN: YYYY-MM-DD, or a time\n" \
	"YYYY-MM-DDTHH:MM[:SS] with Z or an offset such as +02:00\n" \
	"(UTC without one)" }
#define CMD_OPTION_UNTIL { CMD_OPT_UNTIL, "until", "WHEN", \
	"only events up to WHEN (a date includes the whole day)" }
/* CSV safety (export, fleet): each command gives its own keys. */
#define CMD_OPTION_RAW_CSV(key) { key, "raw-csv", NULL, \
	"csv: write the data exactly; by default a text field\n" \
	"starting with = + - @ TAB or CR gets a ' before it (so\n" \
	"spreadsheets do not run it as a formula) and control and\n" \
	"bidi characters are written as \\xNN, \\uNNNN" }
#define CMD_OPTION_ESCAPE_FORMULAS(key) { key, "escape-formulas", NULL, \
	"csv with --raw-csv: still guard formulas" }
/*
 * The render flags of --format csv from --raw-csv and --escape-formulas:
 * safe by default (formulas guarded, control and bidi characters
 * visible). Either option with another format is a usage error.
 */
struct au_error *cmd_csv_flags(enum au_format fmt, int raw_csv, int escape_formulas,
    int *flags);
#define CMD_OPTION_NOW { CMD_OPT_NOW, "now", "WHEN", \
	"measure ages as of WHEN instead of the newest record\n" \
	"read, and support status as of WHEN instead of today\n" \
	"(for reproducible reports)" }
#define CMD_OPTION_OUTPUT { CMD_OPT_OUTPUT, "output", "FILE", \
	"write to FILE (through a temporary file renamed at the\n" \
	"end, so FILE is never half written) instead of stdout" }
#define CMD_OPTION_COLOR { CMD_OPT_COLOR, "color", "=WHEN", \
	"auto (default: on a terminal, unless NO_COLOR is set),\n" \
	"always or never" }
#define CMD_OPTION_RELEASES { CMD_OPT_RELEASES, "releases", "FILE", \
	"the release catalog (TSV) to use instead of the installed\n" \
	"one (default: $AADC_UPGRADE_RELEASES, else the installed one)" }
#define CMD_OPTION_QUIET { CMD_OPT_QUIET, "quiet", NULL, \
	"print nothing but errors (and no progress)" }
#define CMD_OPTION_QUIET_PROGRESS { CMD_OPT_QUIET, "quiet", NULL, \
	"no progress line on a terminal (the report is still\n" \
	"written)" }
#define CMD_OPTION_STALE_DAYS { CMD_OPT_STALE_DAYS, "stale-days", "N", \
	"retrying for long and stale mean more than N days\n" \
	"(default 7)" }
/* Exports without a Computer field or an offset in their times (src/input.h). */
#define CMD_OPTION_COMPUTER { CMD_OPT_COMPUTER, "computer", "NAME", \
	"the server of exports without a Computer field (Event\n" \
	"Viewer CSV/text; default: the file's name without\n" \
	"extension and -Application)" }
#define CMD_OPTION_TIMEZONE { CMD_OPT_TIMEZONE, "timezone", "ZONE", \
	"the zone of exports' local times: an IANA name such as\n" \
	"Europe/Berlin (summer time included) or +02:00\n" \
	"(default UTC, with a warning per file)" }
#define CMD_OPTION_DATE_ORDER { CMD_OPT_DATE_ORDER, "date-order", "DMY|MDY", \
	"day/month order of exports' dates like 03/04/2016 when\n" \
	"the file's own dates cannot tell" }
#define CMD_OPTION_END { 0, NULL, NULL, NULL }

/* Names given with a repeatable option (--source, --host); they point into argv. */
struct cmd_names {
	const char **names;
	size_t n;
};
void cmd_names_add(struct cmd_names *s, const char *name);
void cmd_names_free(struct cmd_names *s);

/* The shared options, once parsed. */
struct cmd_common {
	const char *db;             /* --db, NULL when not given */
	struct cmd_names hosts;     /* --host patterns */
	uint64_t since;             /* FILETIME; 0 = from the start */
	uint64_t until;             /* FILETIME, exclusive end; 0 = to the end */
	uint64_t now;               /* --now as FILETIME, when has_now */
	int has_now;
	enum au_format format;      /* --format, else the command's default */
	int has_format;
	const char *output;         /* --output, NULL = standard output */
	int color;                  /* -1 auto, 0 never, 1 always */
	const char *releases;       /* --releases */
	int quiet;
	uint64_t stale_days;        /* --stale-days (default 7) */
};

/* A command's own option, as given. */
struct cmd_optval {
	int key;
	const char *arg;            /* NULL for a flag */
};

/* A parsed command line. */
struct cmd_args {
	struct cmd_common common;
	struct cmd_optval *opts;    /* the command's own options, in order */
	size_t nopts;
	int argc;                   /* positional arguments */
	char **argv;
};
void cmd_args_free(struct cmd_args *args);

struct cmd_entry {
	const char *name;
	const char *args;           /* positional arguments for the usage, e.g. "PATH..." */
	int min_args, max_args;     /* checked before exec; max -1 = any number */
	const char *summary;        /* one line for `help` */
	const char *help;           /* text before the option list, or NULL */
	const struct cmd_option *options;   /* ends with CMD_OPTION_END */
	unsigned formats;           /* AU_FMT_BIT()s --format takes; 0 = no --format */
	enum au_format default_format;
	const char *exit_status;    /* the command's exit-status paragraph */
	int usage_status;           /* exit status of a usage error (0: AU_EXIT_USAGE) */
	/*
	 * Called by main with the fatal error (a usage error too) before it
	 * prints it on stderr, for a command whose stdout must say something
	 * (check: the plugin's UNKNOWN line); NULL for most.
	 */
	void (*report_error)(FILE *out, const struct au_error *err);
	struct au_error *(*exec)(struct cmd_ctx *ctx, struct cmd_args *args);
};

extern const struct cmd_entry cmd_scan_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_fleet_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_codes_entry;
extern const struct cmd_entry cmd_releases_entry;
extern const struct cmd_entry cmd_help_entry;

extern const struct cmd_entry *const cmd_table[];
const struct cmd_entry *cmd_find(const char *name);
void cmd_print_usage(FILE *out, const struct cmd_entry *cmd);
void cmd_print_help(FILE *out, const struct cmd_entry *cmd);
void cmd_print_overview(FILE *out);

/*
 * Parses argv (argv[0] is the command's name) by cmd's option table: the
 * shared options into args->common, the command's own into args->opts,
 * then checks the number of positional arguments. Any problem is one
 * AU_ERR_USAGE error.
 */
struct au_error *cmd_parse(const struct cmd_entry *cmd, int argc, char **argv,
    struct cmd_args *args);

/* Shared parsers. Each returns an AU_ERR_USAGE error on bad input. */
struct au_error *cmd_parse_format(const char *arg, unsigned allowed,
    enum au_format *fmt);
struct au_error *cmd_parse_id_range(const char *arg, uint32_t *lo, uint32_t *hi);
/*
 * YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.fraction]] (T or a space) with Z,
 * an offset (+HH:MM, +HHMM, -HH) or nothing (UTC). *date_only (may be
 * NULL) tells whether no time was given.
 */
struct au_error *cmd_parse_date(const char *arg, uint64_t *filetime,
    int *date_only);
struct au_error *cmd_parse_uint(const char *what, const char *arg,
    uint64_t max, uint64_t *out);

/* Whether to colour what goes to fd: --color, else a terminal without NO_COLOR. */
int cmd_want_color(const struct cmd_common *c, int fd);

/*
 * The reading options scan and import share (-s, -e, -r, -A; defined in
 * cmd-scan.c): applies o when it is one of them (*handled = 1).
 */
struct au_error *cmd_scan_ingest_option(const struct cmd_optval *o,
    struct cmd_names *sources, struct au_ingest_opts *opts, int *handled);

/* --source names replace the default upgrade sources. */
void cmd_sources_apply(const struct cmd_names *s, struct au_ingest_opts *opts);

struct au_catalog;
/* The release catalog: --releases, else $AADC_UPGRADE_RELEASES, else the installed one. */
struct au_error *cmd_releases_load(const struct cmd_common *c,
    struct au_catalog **cat);

/* Database path: --db, else $AADC_UPGRADE_DB, else $XDG_DATA_HOME/aadc-upgrade/history.db. */
char *cmd_db_path(const char *opt);

/*
 * Where a report goes: standard output, or with --output a temporary file
 * beside FILE that cmd_output_close renames to FILE when everything was
 * written (and removes otherwise), so a reader never sees half a file.
 */
struct cmd_output {
	FILE *fp;
	char *path;                 /* NULL for standard output */
	char *tmp;
};
struct au_error *cmd_output_open(const struct cmd_common *c, struct cmd_output *o);
/* With ok, flushes, syncs and renames; else removes the temporary file. */
struct au_error *cmd_output_close(struct cmd_output *o, int ok);

#endif
