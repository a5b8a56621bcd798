/* fuzz-classify.c: the result-code parser (classify.c) on an event's text, and the classification that follows. */
#include "classify.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *code = NULL, *detail = NULL;
	struct au_event *ev;

	if (classify_extract(s, &code, &detail)) {
		classify_category(code);
		classify_lookup(code);
	}
	free(code);
	free(detail);
	ev = calloc(1, sizeof(*ev));
	if (ev == NULL)
		abort();
	ev->event_id = 300;
	ev->message = s;
	classify_event(ev);
	au_event_free(ev);
	return 0;
}
