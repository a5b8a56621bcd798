/* main.c: dispatches to a subcommand and is the only place that prints errors. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cmd.h"
#include "render.h"

/*
 * File names, archive members and echoed arguments are the user's (or an
 * attacker's) bytes: escaped as the reports escape data, so no control
 * character, bidi override or newline reaches the terminal.
 */
static void
print_error(const struct au_error *err)
{
	char *msg = render_escape(err->msg, 0, RENDER_ESC_TEXT);

	if (err->where != NULL) {
		char *where = render_escape(err->where, 0, RENDER_ESC_TEXT);
		fprintf(stderr, "aadc-upgrade: %s: %s\n", where, msg);
		free(where);
	} else
		fprintf(stderr, "aadc-upgrade: %s\n", msg);
	free(msg);
}

static int
wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const struct cmd_entry *cmd;
	struct cmd_ctx ctx = { NULL, AU_EXIT_OK, 0, 0, NULL };
	struct cmd_args args;
	struct au_error *err, *w;
	int status;

	if (argc < 2) {
		cmd_print_overview(stderr);
		return AU_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cmd_print_overview(stdout);
		return AU_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("aadc-upgrade %s\n", PACKAGE_VERSION);
		return AU_EXIT_OK;
	}
	cmd = cmd_find(argv[1]);
	if (cmd == NULL) {
		char *name = render_escape(argv[1], 0, RENDER_ESC_TEXT);
		fprintf(stderr, "aadc-upgrade: unknown command '%s'; commands:", name);
		free(name);
		for (size_t i = 0; cmd_table[i] != NULL; i++)
			fprintf(stderr, " %s", cmd_table[i]->name);
		fputc('\n', stderr);
		return AU_EXIT_USAGE;
	}
	if (wants_help(argc - 1, argv + 1)) {
		cmd_print_help(stdout, cmd);
		return AU_EXIT_OK;
	}

	err = cmd_parse(cmd, argc - 1, argv + 1, &args);
	if (err == NULL)
		err = cmd->exec(&ctx, &args);
	cmd_args_free(&args);

	if (fflush(stdout) != 0 && err == NULL) {
		err = au_error_new(AU_ERR_IO, "standard output", "write failed");
	}
	for (w = ctx.notices; w != NULL; w = w->next)
		print_error(w);
	au_error_free(ctx.notices);
	for (w = ctx.warnings; w != NULL; w = w->next)
		print_error(w);
	au_error_free(ctx.warnings);
	if (err == NULL)
		return ctx.status;
	if (cmd->report_error != NULL) {
		cmd->report_error(stdout, err);
		fflush(stdout);
	}
	print_error(err);
	if (err->kind == AU_ERR_USAGE) {
		cmd_print_usage(stderr, cmd);
		status = cmd->usage_status != 0 ? cmd->usage_status :
		    ctx.usage_status != 0 ? ctx.usage_status : AU_EXIT_USAGE;
	} else
		status = ctx.failure_status != 0 ? ctx.failure_status :
		    AU_EXIT_FAILURE;
	au_error_free(err);
	return status;
}
