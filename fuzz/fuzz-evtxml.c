/* fuzz-evtxml.c: the reader of libevtx's rendered XML (evtxml.c), and its number and time parsers. */
#include "evtxml.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct evtxml x;
	uint64_t v;

	memset(&x, 0, sizeof(x));
	if (evtxml_parse(s, &x))
		evtxml_clear(&x);
	evtxml_parse_u64(s, size, &v, 1);
	evtxml_parse_u64(s, size, &v, 0);
	evtxml_parse_time(s, size, &v);
	free(s);
	return 0;
}
