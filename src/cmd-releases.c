/* cmd-releases.c: `aadc-upgrade releases [VERSION]`: the release catalog newest first, or one release explained. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "event.h"
#include "releases.h"
#include "render.h"
#include "xmalloc.h"

struct au_error *
cmd_releases_load(const struct cmd_common *c, struct au_catalog **cat)
{
	return releases_load(c->releases != NULL ? c->releases :
	    releases_default_path(), cat);
}

static const char *
or_dash(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

static const char *
auto_text(enum au_auto_upgrade a)
{
	switch (a) {
	case AU_AUTO_YES:
		return "yes: released for automatic upgrade";
	case AU_AUTO_NO:
		return "no: released for download (no automatic-upgrade wording)";
	case AU_AUTO_DOWNLOAD_ONLY:
		return "no: download only, explicitly not for automatic upgrade";
	case AU_AUTO_UNKNOWN:
		break;
	}
	return "unknown: the release notes give only a date";
}

static void
releases_list(FILE *out, const struct au_catalog *cat, uint64_t now)
{
	char date[32];

	fprintf(out, "Releases of Azure AD Connect / Microsoft Entra Connect Sync, newest first\n"
	    "(catalog %s; status as of %s).\n\n", cat->path,
	    au_time_text(now, 0, date, sizeof(date)));
	fprintf(out, "%-14s %-12s %-14s %-14s %s\n", "VERSION", "RELEASED",
	    "AUTO-UPGRADE", "END-OF-SUPPORT", "STATUS");
	for (size_t i = 0; i < cat->nrows; i++) {
		const struct au_release *r = &cat->rows[i];

		fprintf(out, "%-14s %-12s %-14s %-14s %s\n", r->version,
		    or_dash(r->release_date),
		    releases_auto_upgrade_name(r->auto_upgrade),
		    or_dash(r->end_of_support),
		    releases_support_name(releases_support(cat, r->version, now)));
	}
	fprintf(out, "\n%zu releases. 'aadc-upgrade releases VERSION' explains one.\n",
	    cat->nrows);
}

static void
releases_explain(FILE *out, const struct au_catalog *cat,
    const struct au_release *r, uint64_t now)
{
	const struct au_release *s = releases_successor(cat, r);
	const struct au_release *na = releases_newest_auto(cat, now);
	enum au_support st = releases_support(cat, r->version, now);
	int64_t behind = releases_auto_upgrade_behind(cat, r->version, now);
	char date[32];

	fprintf(out, "%s\n", r->version);
	fprintf(out, "  released:        %s\n", r->release_date[0] != '\0' ?
	    r->release_date : r->recalled ? "no date published (recalled)" :
	    "no date published");
	fprintf(out, "  auto-upgrade:    %s\n", auto_text(r->auto_upgrade));
	if (r->rollout_start != 0)
		fprintf(out, "  roll-out:        phased, starting %s\n",
		    au_time_text(r->rollout_start, 0, date, sizeof(date)));
	fprintf(out, "  end of support:  %s\n", r->end_of_support[0] != '\0' ?
	    r->end_of_support : "none published");
	fprintf(out, "  status:          %s as of %s\n", releases_support_name(st),
	    au_time_text(now, 0, date, sizeof(date)));
	if (st == AU_SUPPORT_BELOW_FLOOR)
		fprintf(out, "                   synchronization stops below %s from %s: upgrade manually\n",
		    cat->floor->version,
		    au_time_text(cat->floor_time, 0, date, sizeof(date)));
	if (s != NULL)
		fprintf(out, "  successor:       %s (released %s)\n", s->version,
		    s->release_date);
	else
		fprintf(out, "  successor:       none in the catalog\n");
	fprintf(out, "  auto-upgrade releases since: %lld", (long long)behind);
	if (na != NULL && behind > 0)
		fprintf(out, " (newest: %s)", na->version);
	fputc('\n', out);
	fprintf(out, "  note:            %s\n", or_dash(r->note));
}

static const struct cmd_option releases_options[] = {
	CMD_OPTION_RELEASES,
	{ CMD_OPT_NOW, "now", "WHEN",
	    "the support status as of WHEN instead of today" },
	CMD_OPTION_OUTPUT,
	CMD_OPTION_END
};

static struct au_error *
cmd_releases_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct cmd_output out = { NULL, NULL, NULL };
	struct au_catalog *cat = NULL;
	struct au_error *err = NULL, *cerr;
	const struct au_release *r = NULL;
	const char *v = args->argc > 0 ? args->argv[0] : NULL;
	uint64_t now = args->common.has_now ? args->common.now : au_filetime_now();

	(void)ctx;
	if ((err = cmd_releases_load(&args->common, &cat)) != NULL)
		return err;
	if (v != NULL && (r = releases_lookup(cat, v)) == NULL) {
		struct au_version parsed;
		char *ev = render_escape(v, 100, RENDER_ESC_TEXT);

		if (!releases_version_parse(v, &parsed))
			err = au_error_new(AU_ERR_NOTFOUND, ev,
			    "not a build number (such as 2.6.3.0)");
		else if (releases_newer_than_catalog(cat, v))
			err = au_error_new(AU_ERR_NOTFOUND, ev,
			    "newer than every release in %s: update the catalog",
			    cat->path);
		else
			err = au_error_new(AU_ERR_NOTFOUND, ev,
			    "not in the release catalog %s", cat->path);
		free(ev);
		goto done;
	}
	if ((err = cmd_output_open(&args->common, &out)) != NULL)
		goto done;
	if (r != NULL)
		releases_explain(out.fp, cat, r, now);
	else
		releases_list(out.fp, cat, now);
	err = render_check_io(out.fp);
	cerr = cmd_output_close(&out, err == NULL);
	if (err == NULL)
		err = cerr;
	else
		au_error_free(cerr);
done:
	releases_free(cat);
	return err;
}

const struct cmd_entry cmd_releases_entry = {
	.name = "releases",
	.args = "[VERSION]",
	.min_args = 0,
	.max_args = 1,
	.options = releases_options,
	.exit_status = "0 listed or explained; 1 VERSION is not in the catalog\n"
	    "(or the catalog cannot be read); 2 usage error.\n",
	.summary = "List the release catalog of Connect builds, or explain one build.",
	.help =
	    "Without VERSION, lists every build of the catalog newest first: release date,\n"
	    "whether it was released for automatic upgrade, end of support, and its\n"
	    "support status as of --now (default: now). With VERSION (such as 2.6.3.0),\n"
	    "explains it: release date, automatic upgrade and phased roll-out, end of\n"
	    "support, status, successor, how many auto-upgrade releases came after it,\n"
	    "and the catalog's note. The catalog is a TSV file (version, release_date,\n"
	    "auto_upgrade, end_of_support, note) installed with aadc-upgrade; --releases\n"
	    "or $AADC_UPGRADE_RELEASES names an updated copy.\n",
	.exec = cmd_releases_exec,
};
