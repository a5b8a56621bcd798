/* evtx-naive.c: the naive way to find upgrade events: libevtx decodes every record's provider and event ID (a benchmark peer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libevtx.h>

int
main(int argc, char **argv)
{
	unsigned long long records = 0, matched = 0, failed = 0;
	int status = 0;

	if (argc < 2) {
		fputs("usage: evtx-naive FILE...\n", stderr);
		return 2;
	}
	for (int a = 1; a < argc; a++) {
		libevtx_file_t *file = NULL;
		int n = 0;

		if (libevtx_file_initialize(&file, NULL) != 1 ||
		    libevtx_file_open(file, argv[a], LIBEVTX_OPEN_READ, NULL) != 1) {
			fprintf(stderr, "evtx-naive: %s: cannot open\n", argv[a]);
			libevtx_file_free(&file, NULL);
			status = 1;
			continue;
		}
		libevtx_file_get_number_of_records(file, &n, NULL);
		for (int i = 0; i < n; i++) {
			libevtx_record_t *rec = NULL;
			uint8_t name[256];
			uint32_t id = 0;

			if (libevtx_file_get_record_by_index(file, i, &rec, NULL) != 1) {
				failed++;
				continue;
			}
			records++;
			if (libevtx_record_get_utf8_source_name(rec, name,
			    sizeof(name), NULL) == 1 &&
			    libevtx_record_get_event_identifier(rec, &id, NULL) == 1 &&
			    id >= 300 && id <= 399 &&
			    (strcasecmp((char *)name, "Azure AD Connect Upgrade") == 0 ||
			    strcasecmp((char *)name, "Microsoft Entra Connect Upgrade") == 0))
				matched++;
			libevtx_record_free(&rec, NULL);
		}
		libevtx_file_close(file, NULL);
		libevtx_file_free(&file, NULL);
	}
	printf("%llu records, %llu upgrade events, %llu unreadable\n", records,
	    matched, failed);
	return status;
}
