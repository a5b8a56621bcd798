/* event.c: freeing the shared structs and naming their enums. */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "xmalloc.h"

void
au_event_free(struct au_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->host);
	free(ev->provider);
	free(ev->channel);
	free(ev->message);
	free(ev->result_code);
	free(ev->detail);
	free(ev->source_file);
	free(ev);
}

void
au_install_free(struct au_install *in)
{
	if (in == NULL)
		return;
	free(in->host);
	free(in->product);
	free(in->version);
	free(in);
}

void
au_file_stats_clear(struct au_file_stats *st)
{
	free(st->path);
	free(st->errors);
	memset(st, 0, sizeof(*st));
}

void
au_file_stats_add_error(struct au_file_stats *st, const char *msg)
{
	char *joined;

	if (st->errors == NULL) {
		st->errors = xstrdup(msg);
		return;
	}
	joined = xasprintf("%s; %s", st->errors, msg);
	free(st->errors);
	st->errors = joined;
}

const char *
au_category_name(enum au_category cat)
{
	switch (cat) {
	case AU_CAT_SUCCESS:       return "Success";
	case AU_CAT_ABORTED:       return "UpgradeAborted";
	case AU_CAT_NOT_SUPPORTED: return "UpgradeNotSupported";
	case AU_CAT_FAILED:        return "UpgradeFailed";
	case AU_CAT_OTHER:         return "Other";
	case AU_CAT_NONE:          break;
	}
	return NULL;
}

const char *
au_verdict_name(enum au_verdict v)
{
	static const char *const names[AU_VERDICT_COUNT] = {
		[AU_VERDICT_FAILED] = "failed",
		[AU_VERDICT_BLOCKED] = "blocked",
		[AU_VERDICT_UNKNOWN] = "unknown",
		[AU_VERDICT_RETRYING] = "retrying",
		[AU_VERDICT_NO_RESULT] = "no-result",
		[AU_VERDICT_UPGRADED] = "upgraded",
	};
	return (unsigned)v < AU_VERDICT_COUNT ? names[v] : "unknown";
}

enum au_verdict
au_verdict_from_category(enum au_category cat)
{
	switch (cat) {
	case AU_CAT_SUCCESS:       return AU_VERDICT_UPGRADED;
	case AU_CAT_ABORTED:       return AU_VERDICT_RETRYING;
	case AU_CAT_NOT_SUPPORTED: return AU_VERDICT_BLOCKED;
	case AU_CAT_FAILED:        return AU_VERDICT_FAILED;
	case AU_CAT_OTHER:         return AU_VERDICT_UNKNOWN;
	case AU_CAT_NONE:          break;
	}
	return AU_VERDICT_NO_RESULT;
}
