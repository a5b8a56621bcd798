/* cmd.h: the command table and what every subcommand shares. */
#ifndef AU_CMD_H
#define AU_CMD_H

#include <stddef.h>
#include <stdint.h>

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
 * exit status when it succeeds.
 */
struct cmd_ctx {
	struct au_error *warnings;
	enum au_exit status;
};

struct cmd_entry {
	const char *name;
	const char *args;      /* usage after the name, e.g. "[options] PATH..." */
	const char *summary;   /* one line for `help` */
	const char *help;      /* the option list for `CMD --help` */
	struct au_error *(*exec)(struct cmd_ctx *ctx, int argc, char **argv);
};

extern const struct cmd_entry cmd_scan_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_fleet_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_codes_entry;
extern const struct cmd_entry cmd_help_entry;

extern const struct cmd_entry *const cmd_table[];
const struct cmd_entry *cmd_find(const char *name);
void cmd_print_usage(FILE *out, const struct cmd_entry *cmd);
void cmd_print_help(FILE *out, const struct cmd_entry *cmd);

/* Shared option parsing. Each returns an AU_ERR_USAGE error on bad input. */
struct au_error *cmd_parse_format(const char *arg, enum au_format *fmt, int allow_markdown);
struct au_error *cmd_parse_id_range(const char *arg, uint32_t *lo, uint32_t *hi);
struct au_error *cmd_parse_date(const char *arg, uint64_t *filetime);
/* Colour on a terminal only, and never with NO_COLOR set. */
int cmd_want_color(int fd);

/* Names given with a repeatable option (--source, --host); they point into argv. */
struct cmd_names {
	const char **names;
	size_t n;
};
void cmd_names_add(struct cmd_names *s, const char *name);
void cmd_names_free(struct cmd_names *s);
/* --source names replace the default upgrade sources. */
void cmd_sources_apply(const struct cmd_names *s, struct au_ingest_opts *opts);

/* Database path: --db, else $AADC_UPGRADE_DB, else $XDG_DATA_HOME/aadc-upgrade/history.db. */
char *cmd_db_path(const char *opt);

#endif
