/* cmd-codes.c: `aadc-upgrade codes [CODE]`: the result-code catalog, or one code explained. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "cmd.h"
#include "render.h"
#include "xmalloc.h"

static void
print_code(FILE *out, const struct au_code *c)
{
	fprintf(out, "%s\n", c->code);
	fprintf(out, "  category:     %s\n", au_category_name(c->category));
	if (c->description != NULL)
		fprintf(out, "  documented:   \"%s\"\n", c->description);
	else
		fprintf(out, "  documented:   not documented by Microsoft\n");
	if (c->older != NULL)
		fprintf(out, "  older text:   \"%s\"\n", c->older);
	if (c->source != NULL)
		fprintf(out, "  source:       %s\n", c->source);
	fprintf(out, "  listed:       %s to %s%s\n", c->first_listed ? c->first_listed : "?",
	    c->last_listed ? c->last_listed : "?",
	    c->historical ? " (historical: dropped from the article)" : "");
	fprintf(out, "  what to do:   %s\n", c->remediation);
}

static const struct cmd_option codes_options[] = {
	CMD_OPTION_FORMAT("text (default) or json"),
	CMD_OPTION_OUTPUT,
	CMD_OPTION_END
};

static struct au_error *
codes_write(FILE *out, const struct cmd_args *args, int json, int *known)
{
	const struct au_code *table, *c = NULL;
	const char *arg = args->argc > 0 ? args->argv[0] : NULL;
	size_t n;
	char *code = NULL, *detail = NULL;
	enum au_category cat;
	struct au_error *err = NULL;

	*known = 1;
	table = classify_catalog(&n);
	if (arg == NULL) {
		enum au_category last = AU_CAT_NONE;
		if (json)
			return render_codes_json(out, table, n, NULL, NULL);
		fprintf(out, "Result codes of Azure AD Connect / Microsoft Entra Connect automatic upgrade\n"
		    "(descriptions quoted from Microsoft's documentation; \"what to do\" is ours).\n");
		for (size_t i = 0; i < n; i++) {
			if (table[i].category != last) {
				last = table[i].category;
				fprintf(out, "\n%s: %s\n", au_category_name(last),
				    classify_category_description(last));
			}
			fprintf(out, "  %-58s %s\n", table[i].code,
			    table[i].historical ? "historical" : "");
		}
		fprintf(out, "\n%zu codes. 'aadc-upgrade codes CODE' explains one.\n", n);
		return NULL;
	}

	c = classify_lookup(arg);
	for (size_t i = 0; c == NULL && i < n; i++)
		if (strcasecmp(table[i].code, arg) == 0)
			c = &table[i];
	if (c == NULL && classify_extract(arg, &code, &detail)) {
		c = classify_lookup(code);
		for (size_t i = 0; c == NULL && i < n; i++)
			if (strcasecmp(table[i].code, code) == 0)
				c = &table[i];
		if (c != NULL && detail != NULL && !json) {
			char *ea = render_escape(arg, 200, RENDER_ESC_TEXT);
			char *ed = render_escape(detail, 200, RENDER_ESC_TEXT);
			fprintf(out, "%s is a compound value: code %s, detail %s.\n\n",
			    ea, c->code, ed);
			free(ea);
			free(ed);
		}
	}
	if (c != NULL) {
		if (json)
			err = render_codes_json(out, c, 1, arg, detail);
		else
			print_code(out, c);
		goto done;
	}
	*known = 0;
	cat = classify_category(code != NULL ? code : arg);
	if (json)
		err = render_codes_json(out, NULL, 0, arg, NULL);
	else {
		char *ea = render_escape(arg, 200, RENDER_ESC_TEXT);
		fprintf(out, "%s is not in the catalog of documented codes.\n", ea);
		free(ea);
		if (cat != AU_CAT_OTHER && cat != AU_CAT_NONE)
			fprintf(out, "Its prefix says %s: %s\n", au_category_name(cat),
			    classify_category_description(cat));
	}
done:
	free(code);
	free(detail);
	return err;
}

static struct au_error *
cmd_codes_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct cmd_output out = { NULL, NULL, NULL };
	struct au_error *err, *cerr;
	int known = 1;

	(void)ctx;
	if ((err = cmd_output_open(&args->common, &out)) != NULL)
		return err;
	err = codes_write(out.fp, args, args->common.format == AU_FMT_JSON, &known);
	if (err == NULL)
		err = render_check_io(out.fp);
	cerr = cmd_output_close(&out, err == NULL);
	if (err == NULL)
		err = cerr;
	else
		au_error_free(cerr);
	if (err == NULL && !known)
		err = au_error_new(AU_ERR_NOTFOUND, args->argv[0],
		    "not a documented result code");
	return err;
}

const struct cmd_entry cmd_codes_entry = {
	.name = "codes",
	.args = "[CODE]",
	.min_args = 0,
	.max_args = 1,
	.options = codes_options,
	.formats = AU_FMT_BIT(AU_FMT_TEXT) | AU_FMT_BIT(AU_FMT_JSON),
	.default_format = AU_FMT_TEXT,
	.exit_status = "0 listed or explained; 1 CODE is not a documented\n"
	    "result code; 2 usage error.\n",
	.summary = "List every documented result code, or explain one.",
	.help =
	    "Without CODE, lists the catalog by category. With CODE (exact, any case,\n"
	    "or a compound value such as UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed),\n"
	    "prints its category, Microsoft's documented description, where it is documented\n"
	    "and what to do. An unknown code is explained by its prefix; the exit status is then 1.\n",
	.exec = cmd_codes_exec,
};
