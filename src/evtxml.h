/* evtxml.h: picks the System fields and Data strings out of an event's rendered XML. */
#ifndef AU_EVTXML_H
#define AU_EVTXML_H

#include <stddef.h>
#include <stdint.h>

/*
 * libevtx renders every record, with or without a template, as the same
 * XML that Windows shows. Reading the fields from it (rather than from
 * libevtx's typed accessors) gives one path for both forms, the
 * EventRecordID of the originating log (a filtered export renumbers its
 * record headers, not the XML), and avoids libevtx 20240504 reading past
 * the end of a text value when it converts a direct-form EventID to an
 * integer.
 */
struct evtxml {
	char *provider;         /* <Provider Name> */
	char *source_name;      /* <Provider EventSourceName>, NULL when absent */
	char *channel;
	char *computer;
	uint32_t event_id;
	uint32_t qualifiers;
	uint8_t level;
	uint64_t record_id;
	uint64_t time;          /* FILETIME ticks */
	int has_event_id, has_record_id, has_time, has_level;
	char **data;            /* <EventData><Data> texts, entities decoded */
	size_t ndata;
	int has_event_data;
};

/* Parses xml (NUL-terminated); returns 0 when it is not an <Event>. */
int evtxml_parse(const char *xml, struct evtxml *out);
void evtxml_clear(struct evtxml *x);

/* A number as the System fields hold it (decimal; "0x" hex when hex_ok), blanks around allowed. */
int evtxml_parse_u64(const char *s, size_t len, uint64_t *out, int hex_ok);

/* "2016-06-27T10:15:00.1234567Z" (any number of fraction digits) to FILETIME; 0 on failure. */
int evtxml_parse_time(const char *s, size_t len, uint64_t *filetime);

#endif
