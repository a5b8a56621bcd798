/* cmd-codes.c: `aadc-upgrade codes [CODE]`: the result-code catalog, or one code explained. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "cmd.h"
#include "xmalloc.h"

static void
print_code(const struct au_code *c)
{
	printf("%s\n", c->code);
	printf("  category:     %s\n", au_category_name(c->category));
	if (c->description != NULL)
		printf("  documented:   \"%s\"\n", c->description);
	else
		printf("  documented:   not documented by Microsoft\n");
	if (c->older != NULL)
		printf("  older text:   \"%s\"\n", c->older);
	if (c->source != NULL)
		printf("  source:       %s\n", c->source);
	printf("  listed:       %s to %s%s\n", c->first_listed ? c->first_listed : "?",
	    c->last_listed ? c->last_listed : "?",
	    c->historical ? " (historical: dropped from the article)" : "");
	printf("  what to do:   %s\n", c->remediation);
}

static struct au_error *
cmd_codes_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
	const struct au_code *table, *c = NULL;
	size_t n;
	char *code = NULL, *detail = NULL;
	enum au_category cat;

	(void)ctx;
	if (getopt_long(argc, argv, "", longopts, NULL) != -1)
		return au_error_new(AU_ERR_USAGE, NULL, "bad option");
	if (argc - optind > 1)
		return au_error_new(AU_ERR_USAGE, NULL, "too many arguments");
	table = classify_catalog(&n);
	if (optind == argc) {
		enum au_category last = AU_CAT_NONE;
		printf("Result codes of Azure AD Connect / Microsoft Entra Connect automatic upgrade\n"
		    "(descriptions quoted from Microsoft's documentation; \"what to do\" is ours).\n");
		for (size_t i = 0; i < n; i++) {
			if (table[i].category != last) {
				last = table[i].category;
				printf("\n%s: %s\n", au_category_name(last),
				    classify_category_description(last));
			}
			printf("  %-58s %s\n", table[i].code,
			    table[i].historical ? "historical" : "");
		}
		printf("\n%zu codes. 'aadc-upgrade codes CODE' explains one.\n", n);
		return NULL;
	}

	c = classify_lookup(argv[optind]);
	for (size_t i = 0; c == NULL && i < n; i++)
		if (strcasecmp(table[i].code, argv[optind]) == 0)
			c = &table[i];
	if (c == NULL && classify_extract(argv[optind], &code, &detail)) {
		c = classify_lookup(code);
		if (c != NULL && detail != NULL)
			printf("%s is a compound value: code %s, detail %s.\n\n",
			    argv[optind], code, detail);
	}
	if (c != NULL) {
		print_code(c);
		free(code);
		free(detail);
		return NULL;
	}
	cat = classify_category(code != NULL ? code : argv[optind]);
	printf("%s is not in the catalog of documented codes.\n", argv[optind]);
	if (cat != AU_CAT_OTHER && cat != AU_CAT_NONE)
		printf("Its prefix says %s: %s\n", au_category_name(cat),
		    classify_category_description(cat));
	free(code);
	free(detail);
	return au_error_new(AU_ERR_NOTFOUND, argv[optind], "not a documented result code");
}

const struct cmd_entry cmd_codes_entry = {
	.name = "codes",
	.args = "[CODE]",
	.summary = "List every documented result code, or explain one.",
	.help =
	    "Without CODE, lists the catalog by category. With CODE (exact, any case,\n"
	    "or a compound value such as UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed),\n"
	    "prints its category, Microsoft's documented description, where it is documented\n"
	    "and what to do. An unknown code is explained by its prefix; the exit status is then 1.\n",
	.exec = cmd_codes_exec,
};
