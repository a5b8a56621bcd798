/* fuzz-dates.c: every date and time parser: exports' local dates, ISO 8601 with offsets, --since/--until, time zones. */
#include "cmd.h"
#include "fuzz-common.h"
#include "localtime.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct au_civil c;
	enum au_date_order hint, order;
	uint64_t ft;
	int date_only;

	for (int o = AU_DATE_UNKNOWN; o <= AU_DATE_MDY; o++)
		au_local_date_parse(s, size, (enum au_date_order)o, &c, &hint);
	au_iso_offset_parse(s, size, &ft);
	au_error_free(cmd_parse_date(s, &ft, &date_only));
	au_error_free(au_date_order_parse(s, &order));
	free(s);
	return 0;
}
