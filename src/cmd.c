/* cmd.c: the command table, the option parser every command goes through, and shared helpers. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "xmalloc.h"

const struct cmd_entry *const cmd_table[] = {
	&cmd_scan_entry,
	&cmd_import_entry,
	&cmd_report_entry,
	&cmd_fleet_entry,
	&cmd_export_entry,
	&cmd_check_entry,
	&cmd_codes_entry,
	&cmd_releases_entry,
	&cmd_help_entry,
	NULL
};

/* Long enough for any history; small enough that days * ticks cannot overflow. */
#define CMD_MAX_DAYS 36500

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
	fprintf(out, "usage: aadc-upgrade %s%s%s%s\n", cmd->name,
	    cmd->options != NULL && cmd->options[0].key != 0 ? " [options]" : "",
	    cmd->args[0] != '\0' ? " " : "", cmd->args);
}

void
cmd_print_overview(FILE *out)
{
	fputs("usage: aadc-upgrade COMMAND [options] [ARGS]\n"
	    "       aadc-upgrade help [COMMAND] | --help | --version\n\n"
	    "Reads the Application logs collected from Azure AD Connect / Microsoft\n"
	    "Entra Connect servers (.evtx and Event Viewer, wevtutil and PowerShell\n"
	    "exports, and archives of them) for automatic-upgrade events and tells, per\n"
	    "server and across the fleet, whether automatic upgrade works, which build\n"
	    "runs, what blocks it, since when, and what to do.\n\n"
	    "Commands:\n", out);
	for (size_t i = 0; cmd_table[i] != NULL; i++)
		fprintf(out, "  %-9s %s\n", cmd_table[i]->name, cmd_table[i]->summary);
	fputs("\nRun 'aadc-upgrade help COMMAND' or 'aadc-upgrade COMMAND --help' for a\n"
	    "command's options; 'man aadc-upgrade' for the whole manual.\n", out);
}

/* "  -d, --db PATH" padded to column 24, then the help, continued there. */
static void
print_option(FILE *out, const struct cmd_option *o)
{
	char left[64];
	const char *h = o->help;
	int n;

	if (o->arg == NULL)
		n = snprintf(left, sizeof(left), "--%s", o->name);
	else if (o->arg[0] == '=')
		n = snprintf(left, sizeof(left), "--%s[=%s]", o->name, o->arg + 1);
	else
		n = snprintf(left, sizeof(left), "--%s %s", o->name, o->arg);
	if (o->key > 0 && o->key < 256)
		fprintf(out, "  -%c, %s", o->key, left);
	else
		fprintf(out, "      %s", left);
	n += 6;
	if (n > 22) {
		fputc('\n', out);
		n = 0;
	}
	fprintf(out, "%*s", 24 - n, "");
	for (; *h != '\0'; h++) {
		fputc(*h, out);
		if (*h == '\n')
			fprintf(out, "%24s", "");
	}
	fputc('\n', out);
}

void
cmd_print_help(FILE *out, const struct cmd_entry *cmd)
{
	cmd_print_usage(out, cmd);
	fprintf(out, "\n%s\n", cmd->summary);
	if (cmd->help != NULL && cmd->help[0] != '\0')
		fprintf(out, "\n%s", cmd->help);
	fputs("\nOptions:\n", out);
	for (const struct cmd_option *o = cmd->options; o != NULL && o->key != 0; o++)
		print_option(out, o);
	fputs("  -h, --help            show this help\n", out);
	if (cmd->exit_status != NULL)
		fprintf(out, "\nExit status: %s", cmd->exit_status);
}

void
cmd_args_free(struct cmd_args *args)
{
	cmd_names_free(&args->common.hosts);
	free(args->opts);
	args->opts = NULL;
	args->nopts = 0;
}

struct au_error *
cmd_parse_format(const char *arg, unsigned allowed, enum au_format *fmt)
{
	char list[160] = "";

	for (int f = 0; f < AU_FMT_COUNT; f++) {
		if (!(allowed & AU_FMT_BIT(f)))
			continue;
		if (strcasecmp(arg, render_format_name((enum au_format)f)) == 0) {
			*fmt = (enum au_format)f;
			return NULL;
		}
	}
	for (int f = 0; f < AU_FMT_COUNT; f++)
		if (allowed & AU_FMT_BIT(f)) {
			if (list[0] != '\0')
				strcat(list, ", ");
			strcat(list, render_format_name((enum au_format)f));
		}
	return au_error_new(AU_ERR_USAGE, NULL, "unknown format '%s' (%s)", arg,
	    list);
}

struct au_error *
cmd_parse_uint(const char *what, const char *arg, uint64_t max, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (!isdigit((unsigned char)arg[0]))
		goto bad;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		goto bad;
	*out = v;
	return NULL;
bad:
	return au_error_new(AU_ERR_USAGE, NULL,
	    "bad %s '%s' (expected a whole number from 0 to %llu)", what, arg,
	    (unsigned long long)max);
}

/* The name an option was given by, for messages: "--db" or "-d". */
static void
option_label(const struct cmd_option *o, char *buf, size_t len)
{
	snprintf(buf, len, "--%s", o->name);
}

static struct au_error *
parse_common(const struct cmd_entry *cmd, const struct cmd_option *o,
    const char *arg, struct cmd_common *c, int *handled)
{
	struct au_error *err = NULL;
	int date_only = 0;

	*handled = 1;
	switch (o->key) {
	case CMD_OPT_DB:
		c->db = arg;
		break;
	case CMD_OPT_FORMAT:
		err = cmd_parse_format(arg, cmd->formats, &c->format);
		c->has_format = 1;
		break;
	case CMD_OPT_HOST:
		cmd_names_add(&c->hosts, arg);
		break;
	case CMD_OPT_OUTPUT:
		if (arg[0] == '\0')
			err = au_error_new(AU_ERR_USAGE, NULL, "--output needs a file name");
		c->output = arg;
		break;
	case CMD_OPT_QUIET:
		c->quiet = 1;
		break;
	case CMD_OPT_SINCE:
		err = cmd_parse_date(arg, &c->since, NULL);
		break;
	case CMD_OPT_UNTIL:
		err = cmd_parse_date(arg, &c->until, &date_only);
		/* An exclusive end: the next day for a date, the next tick for a time. */
		if (err == NULL)
			c->until += date_only ? AU_TICKS_PER_DAY : 1;
		break;
	case CMD_OPT_NOW:
		err = cmd_parse_date(arg, &c->now, NULL);
		c->has_now = 1;
		break;
	case CMD_OPT_COLOR:
		if (arg == NULL || strcasecmp(arg, "always") == 0)
			c->color = 1;
		else if (strcasecmp(arg, "never") == 0)
			c->color = 0;
		else if (strcasecmp(arg, "auto") == 0)
			c->color = -1;
		else
			err = au_error_new(AU_ERR_USAGE, NULL,
			    "bad --color '%s' (auto, always, never)", arg);
		break;
	case CMD_OPT_RELEASES:
		c->releases = arg;
		break;
	case CMD_OPT_STALE_DAYS:
		err = cmd_parse_uint("number of days", arg, CMD_MAX_DAYS,
		    &c->stale_days);
		break;
	default:
		*handled = 0;
		break;
	}
	return err;
}

struct au_error *
cmd_parse(const struct cmd_entry *cmd, int argc, char **argv,
    struct cmd_args *args)
{
	struct au_error *err = NULL;
	struct option *longopts = NULL;
	char *shortopts = NULL;
	size_t n = 0, k = 0;
	const struct cmd_option *o;
	int c, idx, handled;
	char label[80];

	memset(args, 0, sizeof(*args));
	args->common.format = cmd->default_format;
	args->common.color = -1;
	args->common.stale_days = 7;
	for (o = cmd->options; o != NULL && o->key != 0; o++)
		n++;
	longopts = xcalloc(n + 1, sizeof(*longopts));
	shortopts = xcalloc(3 * n + 3, 1);
	shortopts[k++] = ':';
	for (size_t i = 0; i < n; i++) {
		o = &cmd->options[i];
		longopts[i].name = o->name;
		longopts[i].has_arg = o->arg == NULL ? no_argument :
		    o->arg[0] == '=' ? optional_argument : required_argument;
		longopts[i].val = o->key;
		if (o->key > 0 && o->key < 256) {
			shortopts[k++] = (char)o->key;
			if (o->arg != NULL) {
				shortopts[k++] = ':';
				if (o->arg[0] == '=')
					shortopts[k++] = ':';
			}
		}
	}
	optind = 0;   /* glibc: a fresh scan */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];
			if (c == '?' && optopt != 0 && strncmp(bad, "--", 2) != 0)
				err = au_error_new(AU_ERR_USAGE, NULL,
				    "unknown option '-%c'", optopt);
			else if (c == '?')
				err = au_error_new(AU_ERR_USAGE, NULL,
				    "unknown option '%s'", bad);
			else
				err = au_error_new(AU_ERR_USAGE, NULL,
				    "option '%s' needs an argument", bad);
			goto done;
		}
		for (o = cmd->options; o->key != 0 && o->key != c; o++)
			;
		if (o->key == 0) {
			err = au_error_new(AU_ERR_INTERNAL, NULL, "option table");
			goto done;
		}
		if ((err = parse_common(cmd, o, optarg, &args->common, &handled)) != NULL)
			goto done;
		if (handled)
			continue;
		if (o->arg != NULL && o->arg[0] != '=' && optarg == NULL) {
			option_label(o, label, sizeof(label));
			err = au_error_new(AU_ERR_USAGE, NULL,
			    "option '%s' needs an argument", label);
			goto done;
		}
		args->opts = xreallocarray(args->opts, args->nopts + 1,
		    sizeof(*args->opts));
		args->opts[args->nopts].key = c;
		args->opts[args->nopts].arg = optarg;
		args->nopts++;
	}
	args->argc = argc - optind;
	args->argv = argv + optind;
	if (args->argc < cmd->min_args) {
		char what[64];
		size_t len;
		snprintf(what, sizeof(what), "%s", cmd->args);
		len = strcspn(what, ". ");
		what[len] = '\0';
		if (what[0] == '[')
			memmove(what, what + 1, strlen(what));
		err = au_error_new(AU_ERR_USAGE, NULL, "no %s given", what);
		goto done;
	}
	if (cmd->max_args >= 0 && args->argc > cmd->max_args) {
		err = au_error_new(AU_ERR_USAGE, NULL, "unexpected argument '%s'",
		    args->argv[cmd->max_args]);
		goto done;
	}
done:
	free(longopts);
	free(shortopts);
	return err;
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

/* Digits at s, exactly n of them, as a number; -1 when they are not there. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

struct au_error *
cmd_parse_date(const char *arg, uint64_t *filetime, int *date_only)
{
	struct au_civil c = { 0, 0, 0, 0, 0, 0, 0 };
	const char *p = arg;
	int y, m, d, hh = 0, mm = 0, ss = 0, off = 0, only = 1;
	uint32_t ticks = 0;
	uint64_t t;

	if ((y = digits(p, 4)) < 0 || p[4] != '-' || (m = digits(p + 5, 2)) < 0 ||
	    p[7] != '-' || (d = digits(p + 8, 2)) < 0)
		goto bad;
	p += 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		only = 0;
		if ((hh = digits(p + 1, 2)) < 0 || p[3] != ':' ||
		    (mm = digits(p + 4, 2)) < 0)
			goto bad;
		p += 6;
		if (*p == ':') {
			if ((ss = digits(p + 1, 2)) < 0)
				goto bad;
			p += 3;
			if (*p == '.' || *p == ',') {
				uint32_t scale = 1000000;
				p++;
				if (!isdigit((unsigned char)*p))
					goto bad;
				for (; isdigit((unsigned char)*p); p++) {
					ticks += (uint32_t)(*p - '0') * scale;
					scale /= 10;
				}
			}
		}
		if (*p == 'Z' || *p == 'z')
			p++;
		else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, oh, om = 0;
			if ((oh = digits(p + 1, 2)) < 0)
				goto bad;
			p += 3;
			if (*p == ':')
				p++;
			if (isdigit((unsigned char)*p)) {
				if ((om = digits(p, 2)) < 0)
					goto bad;
				p += 2;
			}
			if (oh > 23 || om > 59)
				goto bad;
			off = sign * (oh * 60 + om);
		}
	}
	if (*p != '\0')
		goto bad;
	c.year = y;
	c.month = (unsigned)m;
	c.day = (unsigned)d;
	c.hour = (unsigned)hh;
	c.minute = (unsigned)mm;
	c.second = (unsigned)ss;
	c.ticks = ticks;
	if (!au_filetime_from_civil(&c, &t))
		goto bad;
	/* Local time = UTC + offset, so UTC = local - offset. */
	if (off > 0) {
		uint64_t o = (uint64_t)off * 60 * AU_TICKS_PER_SECOND;
		if (t < o)
			goto bad;
		t -= o;
	} else
		t += (uint64_t)(-off) * 60 * AU_TICKS_PER_SECOND;
	*filetime = t;
	if (date_only != NULL)
		*date_only = only;
	return NULL;
bad:
	return au_error_new(AU_ERR_USAGE, NULL,
	    "bad date '%s' (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] with Z or "
	    "an offset such as +02:00)", arg);
}

int
cmd_want_color(const struct cmd_common *c, int fd)
{
	const char *nc = getenv("NO_COLOR");

	if (c != NULL && c->color >= 0)
		return c->color;
	if (nc != NULL && nc[0] != '\0')
		return 0;
	return isatty(fd);
}

struct au_error *
cmd_output_open(const struct cmd_common *c, struct cmd_output *o)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if (c->output == NULL || strcmp(c->output, "-") == 0) {
		o->fp = stdout;
		return NULL;
	}
	o->path = xstrdup(c->output);
	o->tmp = xasprintf("%s.tmp.XXXXXX", c->output);
	if ((fd = mkstemp(o->tmp)) == -1) {
		struct au_error *err = au_error_errno(AU_ERR_IO, o->path, errno,
		    "cannot create a temporary file beside it");
		free(o->tmp);
		free(o->path);
		memset(o, 0, sizeof(*o));
		return err;
	}
	/* mkstemp makes it 0600; a report is as readable as any new file. */
	{
		mode_t um = umask(0);
		umask(um);
		(void)fchmod(fd, 0666 & ~um);
	}
	if ((o->fp = fdopen(fd, "w")) == NULL) {
		int e = errno;
		close(fd);
		unlink(o->tmp);
		free(o->tmp);
		free(o->path);
		memset(o, 0, sizeof(*o));
		return au_error_errno(AU_ERR_IO, c->output, e, "cannot write");
	}
	return NULL;
}

struct au_error *
cmd_output_close(struct cmd_output *o, int ok)
{
	struct au_error *err = NULL;

	if (o->fp == NULL)
		return NULL;
	if (o->path == NULL) {
		o->fp = NULL;
		return NULL;
	}
	if (ok && (fflush(o->fp) != 0 || ferror(o->fp) || fsync(fileno(o->fp)) != 0))
		err = au_error_errno(AU_ERR_IO, o->path, errno, "write failed");
	if (fclose(o->fp) != 0 && ok && err == NULL)
		err = au_error_errno(AU_ERR_IO, o->path, errno, "write failed");
	if (ok && err == NULL && rename(o->tmp, o->path) != 0)
		err = au_error_errno(AU_ERR_IO, o->path, errno, "cannot rename %s to it",
		    o->tmp);
	if (!ok || err != NULL)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	return err;
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

struct au_error *
cmd_csv_flags(enum au_format fmt, int raw_csv, int escape_formulas, int *flags)
{
	if ((raw_csv || escape_formulas) && fmt != AU_FMT_CSV)
		return au_error_new(AU_ERR_USAGE, NULL, "%s applies to --format csv only",
		    raw_csv ? "--raw-csv" : "--escape-formulas");
	/* A cell neither runs as a formula nor drives a terminal. */
	*flags = raw_csv ? 0 : RENDER_CSV_FORMULAS | RENDER_CSV_ESCAPE;
	if (escape_formulas)
		*flags |= RENDER_CSV_FORMULAS;
	return NULL;
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
