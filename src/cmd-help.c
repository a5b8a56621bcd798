/* cmd-help.c: `aadc-upgrade help [COMMAND]`: the same as --help and COMMAND --help. */
#include <stdio.h>

#include "cmd.h"

static const struct cmd_option help_options[] = {
	CMD_OPTION_END
};

static struct au_error *
cmd_help_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	const struct cmd_entry *cmd;

	(void)ctx;
	if (args->argc == 1) {
		cmd = cmd_find(args->argv[0]);
		if (cmd == NULL)
			return au_error_new(AU_ERR_USAGE, NULL,
			    "unknown command '%s'", args->argv[0]);
		cmd_print_help(stdout, cmd);
		return NULL;
	}
	cmd_print_overview(stdout);
	return NULL;
}

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.args = "[COMMAND]",
	.min_args = 0,
	.max_args = 1,
	.summary = "List the commands, or show one command's options.",
	.options = help_options,
	.exit_status = "0 shown; 2 unknown command.\n",
	.exec = cmd_help_exec,
};
