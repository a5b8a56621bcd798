/* cmd.c: the command table and the option helpers the commands share. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "xmalloc.h"

const struct cmd_entry *const cmd_table[] = {
	&cmd_scan_entry,
	&cmd_import_entry,
	&cmd_report_entry,
	&cmd_fleet_entry,
	&cmd_export_entry,
	&cmd_codes_entry,
	&cmd_help_entry,
	NULL
};

const struct cmd_entry *
cmd_find(const char *name)
{
	for (size_t i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	return NULL;
}

void
cmd_print_usage(FILE *out, const struct cmd_entry *cmd)
{
	fprintf(out, "usage: aadc-upgrade %s %s\n", cmd->name, cmd->args);
}

void
cmd_print_help(FILE *out, const struct cmd_entry *cmd)
{
	cmd_print_usage(out, cmd);
	fprintf(out, "\n%s\n", cmd->summary);
	if (cmd->help != NULL && cmd->help[0] != '\0')
		fprintf(out, "\n%s", cmd->help);
}

struct au_error *
cmd_parse_format(const char *arg, enum au_format *fmt, int allow_markdown)
{
	if (strcmp(arg, "text") == 0)
		*fmt = AU_FMT_TEXT;
	else if (strcmp(arg, "json") == 0)
		*fmt = AU_FMT_JSON;
	else if (allow_markdown && strcmp(arg, "markdown") == 0)
		*fmt = AU_FMT_MARKDOWN;
	else
		return au_error_new(AU_ERR_USAGE, NULL,
		    "unknown format '%s' (text, json%s)", arg,
		    allow_markdown ? ", markdown" : "");
	return NULL;
}

static int
parse_u32(const char *s, char **end, uint32_t *out)
{
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtoul(s, end, 10);
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

struct au_error *
cmd_parse_id_range(const char *arg, uint32_t *lo, uint32_t *hi)
{
	char *end = NULL;

	if (parse_u32(arg, &end, lo) == -1)
		goto bad;
	if (*end == '\0') {
		*hi = *lo;
		return NULL;
	}
	if (*end != '-' || parse_u32(end + 1, &end, hi) == -1 || *end != '\0' ||
	    *hi < *lo)
		goto bad;
	return NULL;
bad:
	return au_error_new(AU_ERR_USAGE, NULL,
	    "bad event ID range '%s' (expected N or LOW-HIGH, e.g. 300-399)", arg);
}

struct au_error *
cmd_parse_date(const char *arg, uint64_t *filetime)
{
	struct au_civil c = { 0, 0, 0, 0, 0, 0, 0 };
	int y, m, d, hh = 0, mm = 0, ss = 0, n = 0;

	if (sscanf(arg, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3)
		goto bad;
	if (arg[n] == 'T' || arg[n] == ' ') {
		int n2 = 0;
		if (sscanf(arg + n + 1, "%2d:%2d:%2d%n", &hh, &mm, &ss, &n2) != 3)
			goto bad;
		n += 1 + n2;
		if (arg[n] == 'Z')
			n++;
	}
	if (arg[n] != '\0' || m < 0 || d < 0 || hh < 0 || mm < 0 || ss < 0)
		goto bad;
	c.year = y;
	c.month = (unsigned)m;
	c.day = (unsigned)d;
	c.hour = (unsigned)hh;
	c.minute = (unsigned)mm;
	c.second = (unsigned)ss;
	if (au_filetime_from_civil(&c, filetime))
		return NULL;
bad:
	return au_error_new(AU_ERR_USAGE, NULL,
	    "bad date '%s' (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)", arg);
}

int
cmd_want_color(int fd)
{
	const char *nc = getenv("NO_COLOR");

	if (nc != NULL && nc[0] != '\0')
		return 0;
	return isatty(fd);
}

void
cmd_names_add(struct cmd_names *s, const char *name)
{
	s->names = xreallocarray(s->names, s->n + 1, sizeof(*s->names));
	s->names[s->n++] = name;
}

void
cmd_sources_apply(const struct cmd_names *s, struct au_ingest_opts *opts)
{
	if (s->n == 0)
		return;
	opts->sources = s->names;
	opts->nsources = s->n;
}

void
cmd_names_free(struct cmd_names *s)
{
	free(s->names);
	s->names = NULL;
	s->n = 0;
}

char *
cmd_db_path(const char *opt)
{
	const char *env, *home;

	if (opt != NULL)
		return xstrdup(opt);
	env = getenv("AADC_UPGRADE_DB");
	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	env = getenv("XDG_DATA_HOME");
	if (env != NULL && env[0] == '/')
		return xasprintf("%s/aadc-upgrade/history.db", env);
	home = getenv("HOME");
	return xasprintf("%s/.local/share/aadc-upgrade/history.db",
	    home != NULL && home[0] != '\0' ? home : ".");
}
