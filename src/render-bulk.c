/* render-bulk.c: events as an Elasticsearch/OpenSearch _bulk body (ECS names), one event at a time. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "classify.h"
#include "render.h"
#include "xmalloc.h"

/* The ECS release the field names and types follow. */
#define BULK_ECS_VERSION "8.11.0"

struct au_error *
render_bulk_check_index(const char *index)
{
	size_t n = strlen(index);

	/* Elasticsearch's rules for index names (OpenSearch's are the same). */
	if (n == 0 || n > 255 || strcmp(index, ".") == 0 ||
	    strcmp(index, "..") == 0 || strchr("-_+", index[0]) != NULL)
		goto bad;
	for (const char *p = index; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'A' && c <= 'Z') || c <= ' ' || c == 0x7F ||
		    strchr("\\/*?\"<>|,#:", c) != NULL)
			goto bad;
	}
	return NULL;
bad:
	return au_error_new(AU_ERR_USAGE, NULL, "bad index name '%s' (lower case,"
	    " at most 255 bytes, none of \\ / * ? \" < > | , # : or space, not"
	    " starting with - _ +)", index);
}

void
render_bulk_id(const struct au_event *ev, char id[65])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char num[64];
	const char *h = ev->host != NULL ? ev->host : "";

	/* The same digest sha256.c gave, now from libcrypto (see ingest.c). */
	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		fprintf(stderr, "aadc-upgrade: out of memory\n");
		abort();
	}
	for (; *h != '\0'; h++) {
		char l = (*h >= 'A' && *h <= 'Z') ? (char)(*h - 'A' + 'a') : *h;
		EVP_DigestUpdate(c, &l, 1);
	}
	snprintf(num, sizeof(num), "\n%" PRIu64 "\n%" PRIu64, ev->record_id,
	    ev->time);
	EVP_DigestUpdate(c, num, strlen(num));
	EVP_DigestFinal_ex(c, sum, &len);
	EVP_MD_CTX_free(c);
	for (size_t i = 0; i < 32; i++)
		snprintf(id + 2 * i, 3, "%02x", sum[i]);
}

/* ECS event.outcome: whether the upgrade attempt worked. */
static const char *
bulk_outcome(enum au_category cat)
{
	switch (cat) {
	case AU_CAT_SUCCESS:
		return "success";
	case AU_CAT_ABORTED:
	case AU_CAT_NOT_SUPPORTED:
	case AU_CAT_FAILED:
		return "failure";
	case AU_CAT_OTHER:
	case AU_CAT_NONE:
		break;
	}
	return "unknown";
}

/* log.level as Winlogbeat spells the Windows levels. */
static const char *
bulk_level(uint8_t level)
{
	switch (level) {
	case 1: return "critical";
	case 2: return "error";
	case 3: return "warning";
	case 5: return "verbose";
	default: return "information";
	}
}

struct au_error *
render_event_bulk(FILE *out, const struct au_event *ev, const char *index)
{
	const struct au_code *code = ev->code;
	char id[65], when[32], event_id[16], record_id[24], *host, *result;
	struct au_error *err;
	size_t i;

	render_bulk_id(ev, id);
	/* Exact (100 ns), as Elasticsearch's date_nanos and date both take it. */
	au_time_text(ev->time, 1, when, sizeof(when));
	snprintf(event_id, sizeof(event_id), "%" PRIu32, ev->event_id);
	snprintf(record_id, sizeof(record_id), "%" PRIu64, ev->record_id);
	host = xstrdup(ev->host != NULL ? ev->host : "");
	for (i = 0; host[i] != '\0'; i++)
		if (host[i] >= 'A' && host[i] <= 'Z')
			host[i] = (char)(host[i] - 'A' + 'a');
	result = render_result(ev);

	{
		const struct render_field action[] = {
			{ "index._index", RENDER_F_STRING, index, 0 },
			{ "index._id", RENDER_F_STRING, id, 0 },
		};
		const struct render_field doc[] = {
			{ "@timestamp", RENDER_F_STRING, when, 0 },
			{ "message", RENDER_F_STRING, ev->message ? ev->message : "", 0 },
			{ "ecs.version", RENDER_F_STRING, BULK_ECS_VERSION, 0 },
			{ "event.id", RENDER_F_STRING, id, 0 },
			{ "event.kind", RENDER_F_STRING, "event", 0 },
			{ "event.module", RENDER_F_STRING, "aadc_upgrade", 0 },
			{ "event.dataset", RENDER_F_STRING, "aadc_upgrade.result", 0 },
			{ "event.code", RENDER_F_STRING, event_id, 0 },
			{ "event.provider", RENDER_F_STRING, ev->provider, 0 },
			{ "event.outcome", RENDER_F_STRING, bulk_outcome(ev->category), 0 },
			{ "event.reason", RENDER_F_STRING, result, 0 },
			{ "event.severity", RENDER_F_UINT, NULL, ev->level },
			{ "host.name", RENDER_F_STRING, host, 0 },
			{ "log.level", RENDER_F_STRING, bulk_level(ev->level), 0 },
			{ "log.file.path", RENDER_F_STRING, ev->source_file, 0 },
			{ "winlog.channel", RENDER_F_STRING, ev->channel, 0 },
			{ "winlog.computer_name", RENDER_F_STRING, ev->host, 0 },
			{ "winlog.provider_name", RENDER_F_STRING, ev->provider, 0 },
			{ "winlog.event_id", RENDER_F_STRING, event_id, 0 },
			/* Left out where the form has none (Event Viewer CSV and text). */
			{ "winlog.record_id", RENDER_F_STRING,
			    ev->record_id != 0 ? record_id : NULL, 0 },
			{ "aadc_upgrade.result_code", RENDER_F_STRING, ev->result_code, 0 },
			{ "aadc_upgrade.detail", RENDER_F_STRING, ev->detail, 0 },
			{ "aadc_upgrade.category", RENDER_F_STRING,
			    au_category_name(ev->category), 0 },
			{ "aadc_upgrade.known", RENDER_F_BOOL, NULL, code != NULL },
			{ "aadc_upgrade.historical", RENDER_F_BOOL, NULL,
			    code != NULL && code->historical },
			{ "aadc_upgrade.recovered", RENDER_F_BOOL, NULL, ev->recovered != 0 },
			{ "aadc_upgrade.description", RENDER_F_STRING,
			    code != NULL ? code->description : NULL, 0 },
			{ "aadc_upgrade.remediation", RENDER_F_STRING,
			    code != NULL ? code->remediation : NULL, 0 },
		};

		err = render_json_line(out, action, sizeof(action) / sizeof(action[0]));
		if (err == NULL)
			err = render_json_line(out, doc, sizeof(doc) / sizeof(doc[0]));
	}
	free(host);
	free(result);
	return err;
}
