/* localtime.h: local times of exports to UTC: time zones (tzdata or a fixed offset) and locale date formats. */
#ifndef AU_LOCALTIME_H
#define AU_LOCALTIME_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"

/*
 * A time zone: an IANA name from tzdata ("Europe/Berlin", summer time
 * included) or a fixed offset ("+02:00", "-0530", "UTC", "Z"). One named
 * zone per process: it becomes the process's TZ for the C library's
 * mktime(), which reads tzdata.
 */
struct au_tz;

/* An AU_ERR_USAGE error naming spec when it is no zone. */
struct au_error *au_tz_open(const char *spec, struct au_tz **out);
void au_tz_free(struct au_tz *tz);
const char *au_tz_name(const struct au_tz *tz);
/*
 * The UTC FILETIME of local civil time c in tz (NULL = UTC). A time that
 * a summer-time change skips is taken as the time after it; one that it
 * repeats, as the first (summer) one, as Windows does. 0 when c is no date.
 */
int au_tz_to_utc(const struct au_tz *tz, const struct au_civil *c, uint64_t *ft);

/* Day and month order of a numeric date ("20/06/2016" or "6/20/2016"). */
enum au_date_order { AU_DATE_UNKNOWN = 0, AU_DATE_DMY, AU_DATE_MDY };

/* "DMY" or "MDY" (any case); else an AU_ERR_USAGE error. */
struct au_error *au_date_order_parse(const char *arg, enum au_date_order *order);

/*
 * Parses a local date and time as exports write them: en-US
 * "6/20/2016 3:12:44 AM", en-GB "20/06/2016 03:12:44", de-DE
 * "20.06.2016 03:12:44", ISO "2016-06-20 03:12:44" or "2016-06-20T03:12:44"
 * (a fraction of a second is kept). Slashed dates need `order`; when it is
 * AU_DATE_UNKNOWN the text is only checked. Returns 0 when s is none of
 * these. *hint tells what the date itself says of the order: AU_DATE_DMY
 * when its first number is over 12, AU_DATE_MDY when the second is, else
 * AU_DATE_UNKNOWN (also for dotted and ISO dates, which have one order).
 */
int au_local_date_parse(const char *s, size_t len, enum au_date_order order,
    struct au_civil *c, enum au_date_order *hint);

/*
 * A time with its offset: ISO 8601 "2016-06-20T03:12:44.1234567+02:00" or
 * "...Z" to UTC FILETIME. Returns 0 when s has no offset or is no time.
 */
int au_iso_offset_parse(const char *s, size_t len, uint64_t *ft);

#endif
