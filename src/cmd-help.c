/* cmd-help.c: `aadc-upgrade help [COMMAND]`. */
#include <stdio.h>

#include "cmd.h"

static struct au_error *
cmd_help_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *cmd;

	(void)ctx;
	if (argc > 2)
		return au_error_new(AU_ERR_USAGE, NULL, "too many arguments");
	if (argc == 2) {
		cmd = cmd_find(argv[1]);
		if (cmd == NULL)
			return au_error_new(AU_ERR_USAGE, NULL,
			    "unknown command '%s'", argv[1]);
		cmd_print_help(stdout, cmd);
		return NULL;
	}
	puts("usage: aadc-upgrade COMMAND [options] [ARGS]\n");
	puts("Commands:");
	for (size_t i = 0; cmd_table[i] != NULL; i++)
		printf("  %-8s %s\n", cmd_table[i]->name, cmd_table[i]->summary);
	puts("\nRun 'aadc-upgrade help COMMAND' or 'aadc-upgrade COMMAND --help' for details.");
	return NULL;
}

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.args = "[COMMAND]",
	.summary = "List the commands, or show one command's options.",
	.help = "",
	.exec = cmd_help_exec,
};
