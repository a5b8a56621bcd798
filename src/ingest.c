/* ingest.c: reads .evtx files with libevtx and picks out upgrade and installer events. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libevtx.h>
#include <sys/mman.h>
#include <zlib.h>

#include "evtxml.h"
#include "ingest.h"
#include "prefilter.h"
#include "sha256.h"
#include "xmalloc.h"

static const char *const default_sources[] = {
	"Azure AD Connect Upgrade",
	"Microsoft Entra Connect Upgrade",
};

void
ingest_opts_default(struct au_ingest_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sources = default_sources;
	opts->nsources = sizeof(default_sources) / sizeof(default_sources[0]);
	opts->id_min = 300;
	opts->id_max = 399;
	opts->installs = 1;
}

/*
 * libyal errors are a back trace, one "function: message" line per level,
 * the innermost first. The innermost says what actually went wrong; the
 * function names mean nothing to a user.
 */
static char *
evtx_error_text(libevtx_error_t *lerr)
{
	char buf[1024];
	char *line, *colon, *nl;

	if (lerr == NULL || libevtx_error_sprint(lerr, buf, sizeof(buf)) <= 0)
		return xstrdup("unknown libevtx error");
	nl = strchr(buf, '\n');
	if (nl != NULL)
		*nl = '\0';
	line = buf;
	colon = strstr(line, ": ");
	if (colon != NULL && strncmp(line, "lib", 3) == 0)
		line = colon + 2;
	nl = line + strlen(line);
	while (nl > line && (nl[-1] == '.' || nl[-1] == ' ' || nl[-1] == '\r'))
		*--nl = '\0';
	return xstrdup(line);
}

static int
source_matches(const struct au_ingest_opts *opts, const char *provider)
{
	for (size_t i = 0; i < opts->nsources; i++)
		if (strcasecmp(opts->sources[i], provider) == 0)
			return 1;
	return 0;
}

/* Gets a libevtx UTF-8 string through its size/value pair; NULL when absent. */
#define GET_UTF8(fn_size, fn, rec, out) do {				\
	size_t sz_ = 0;							\
	(out) = NULL;							\
	if (fn_size((rec), &sz_, NULL) == 1 && sz_ > 0) {		\
		(out) = xmalloc(sz_);					\
		if (fn((rec), (uint8_t *)(out), sz_, NULL) != 1) {	\
			free(out);					\
			(out) = NULL;					\
		}							\
	}								\
} while (0)

/* The Data strings joined by '\n'. */
static char *
record_message(libevtx_record_t *rec, char ***strings, int *nstrings)
{
	int n = 0;
	size_t len = 0, sz;
	char **v = NULL;
	char *msg, *p;

	if (libevtx_record_get_number_of_strings(rec, &n, NULL) != 1 || n < 0)
		n = 0;
	if (n > 0)
		v = xcalloc((size_t)n, sizeof(*v));
	for (int i = 0; i < n; i++) {
		sz = 0;
		if (libevtx_record_get_utf8_string_size(rec, i, &sz, NULL) == 1 &&
		    sz > 0) {
			v[i] = xmalloc(sz);
			if (libevtx_record_get_utf8_string(rec, i, (uint8_t *)v[i],
			    sz, NULL) != 1)
				v[i][0] = '\0';
		} else
			v[i] = xstrdup("");
		len += strlen(v[i]) + 1;
	}
	msg = p = xmalloc(len + 1);
	*p = '\0';
	for (int i = 0; i < n; i++) {
		size_t l = strlen(v[i]);
		if (i > 0)
			*p++ = '\n';
		memcpy(p, v[i], l);
		p += l;
		*p = '\0';
	}
	*strings = v;
	*nstrings = n;
	return msg;
}

static void
free_strings(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

static int
is_connect_product(const char *name)
{
	return name != NULL && (contains_ci(name, "Azure AD Connect") ||
	    contains_ci(name, "Entra Connect"));
}

/*
 * MsiInstaller 1033: Data = Name, Version, Language, Status, Manufacturer.
 * MsiInstaller 11707: Data[0] = "Product: NAME -- Installation completed
 * successfully." (no version).
 */
static struct au_install *
install_from_record(libevtx_record_t *rec, uint32_t event_id, char **v, int n)
{
	struct au_install *in;
	char *product = NULL, *version = NULL, *end;
	int status = -1;

	if (event_id == 1033 && n >= 2) {
		product = xstrdup(v[0]);
		version = xstrdup(v[1]);
		if (n >= 4 && v[3][0] != '\0') {
			long s = strtol(v[3], &end, 10);
			if (*end == '\0')
				status = (int)s;
		}
	} else if (event_id == 11707 && n >= 1 &&
	    strncmp(v[0], "Product: ", 9) == 0) {
		const char *start = v[0] + 9;
		const char *sep = strstr(start, " -- ");
		product = sep != NULL ? xstrndup(start, (size_t)(sep - start)) :
		    xstrdup(start);
		status = 0;
	}
	if (!is_connect_product(product)) {
		free(product);
		free(version);
		return NULL;
	}
	in = xcalloc(1, sizeof(*in));
	in->product = product;
	in->version = version;
	in->status = status;
	in->event_id = event_id;
	(void)rec;
	return in;
}

static uint64_t
record_time(libevtx_record_t *rec)
{
	uint64_t t = 0;

	if (libevtx_record_get_creation_time(rec, &t, NULL) != 1 || t == 0)
		if (libevtx_record_get_written_time(rec, &t, NULL) != 1)
			t = 0;
	return t;
}

/* The Data strings joined by '\n'. */
static char *
join_strings(char **v, size_t n)
{
	size_t len = 1;
	char *msg, *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	msg = p = xmalloc(len);
	*p = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]);
		if (i > 0)
			*p++ = '\n';
		memcpy(p, v[i], l);
		p += l;
		*p = '\0';
	}
	return msg;
}

/*
 * Looks at one record; hands matching ones to the sink. Only the provider
 * name is read with libevtx's accessor; a record of a provider we want is
 * rendered to XML and read from there (see evtxml.h for why).
 */
static struct au_error *
ingest_record(libevtx_record_t *rec, int recovered,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st)
{
	struct au_error *err = NULL;
	struct au_event *ev = NULL;
	struct au_install *in = NULL;
	struct evtxml x;
	char *provider = NULL, *xml = NULL, **strings = NULL;
	int nstrings = 0, upgrade, installer;
	size_t xml_size = 0;
	uint32_t event_id = 0;
	uint64_t record_id = 0;

	memset(&x, 0, sizeof(x));
	GET_UTF8(libevtx_record_get_utf8_source_name_size,
	    libevtx_record_get_utf8_source_name, rec, provider);
	if (provider == NULL)
		goto done;
	upgrade = source_matches(opts, provider);
	installer = opts->installs && sink->install != NULL &&
	    strcasecmp(provider, "MsiInstaller") == 0;
	if (!upgrade && !installer)
		goto done;

	if (libevtx_record_get_utf8_xml_string_size(rec, &xml_size, NULL) != 1 ||
	    xml_size == 0) {
		st->corrupt++;
		goto done;
	}
	xml = xmalloc(xml_size);
	if (libevtx_record_get_utf8_xml_string(rec, (uint8_t *)xml, xml_size,
	    NULL) != 1 || !evtxml_parse(xml, &x)) {
		st->corrupt++;
		goto done;
	}
	if (x.has_event_id)
		event_id = x.event_id;
	else if (libevtx_record_get_event_identifier(rec, &event_id, NULL) != 1)
		goto done;
	upgrade = upgrade && event_id >= opts->id_min && event_id <= opts->id_max;
	installer = installer && (event_id == 1033 || event_id == 11707);
	if (!upgrade && !installer)
		goto done;

	if (x.has_record_id)
		record_id = x.record_id;
	else
		libevtx_record_get_identifier(rec, &record_id, NULL);
	if (!x.has_time)
		x.time = record_time(rec);
	if (x.computer == NULL)
		x.computer = xstrdup("");
	if (!x.has_event_data) {
		/* No <EventData> (e.g. <UserData>): take libevtx's strings. */
		free(record_message(rec, &strings, &nstrings));
		for (int i = 0; i < nstrings; i++) {
			x.data = xreallocarray(x.data, x.ndata + 1, sizeof(*x.data));
			x.data[x.ndata++] = strings[i];
		}
		free(strings);
		strings = NULL;
		nstrings = 0;
	}

	if (upgrade) {
		ev = xcalloc(1, sizeof(*ev));
		ev->time = x.time;
		ev->record_id = record_id;
		ev->event_id = event_id;
		ev->qualifiers = x.qualifiers;
		ev->level = x.level;
		ev->recovered = recovered;
		ev->provider = x.provider != NULL ? x.provider : provider;
		if (ev->provider == provider)
			provider = NULL;
		x.provider = NULL;
		ev->host = x.computer;
		x.computer = NULL;
		ev->channel = x.channel;
		x.channel = NULL;
		ev->message = join_strings(x.data, x.ndata);
		st->matched++;
		err = sink->event(sink->arg, ev);
		goto done;
	}
	in = install_from_record(rec, event_id, x.data, (int)x.ndata);
	if (in != NULL) {
		in->time = x.time;
		in->record_id = record_id;
		in->host = x.computer;
		x.computer = NULL;
		st->installs++;
		err = sink->install(sink->arg, in);
	}
done:
	free(provider);
	free(xml);
	free_strings(strings, nstrings);
	evtxml_clear(&x);
	return err;
}

/* Checks that path is a readable, non-empty EVTX file before libevtx sees it. */
static struct au_error *
precheck(const char *path, struct au_file_stats *st)
{
	struct stat sb;
	char magic[8];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return au_error_errno(AU_ERR_INPUT, path, errno, "cannot open");
	if (fstat(fd, &sb) == -1) {
		int e = errno;
		close(fd);
		return au_error_errno(AU_ERR_INPUT, path, e, "cannot stat");
	}
	if (S_ISDIR(sb.st_mode)) {
		close(fd);
		return au_error_new(AU_ERR_INPUT, path, "is a directory");
	}
	st->size = (uint64_t)sb.st_size;
	n = read(fd, magic, sizeof(magic));
	close(fd);
	if (n == -1)
		return au_error_errno(AU_ERR_INPUT, path, errno, "cannot read");
	if (n == 0)
		return au_error_new(AU_ERR_INPUT, path, "empty file, not an EVTX log");
	if (n < (ssize_t)sizeof(magic) || memcmp(magic, "ElfFile\0", 8) != 0)
		return au_error_new(AU_ERR_INPUT, path,
		    "not an EVTX log (no ElfFile signature)");
	return NULL;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Whether the prefilter lets a record of a one-chunk file through. */
static int
record_wanted(libevtx_record_t *rec, const uint8_t *chunk, size_t chunk_len,
    const struct prefilter *pf, struct prefilter_cache *cache)
{
	off64_t off = 0;

	if (libevtx_record_get_offset(rec, &off, NULL) != 1 ||
	    off < EVTX_FILE_HEADER_SIZE ||
	    (uint64_t)(off - EVTX_FILE_HEADER_SIZE) >= chunk_len)
		return 1;
	return prefilter_record(pf, chunk, chunk_len,
	    (size_t)(off - EVTX_FILE_HEADER_SIZE), cache);
}

/*
 * Reads the records of an open libevtx file. With `chunk` set, the file
 * is one chunk of a larger log (the fast path) and only the records that
 * the prefilter lets pass are decoded; the others are only counted.
 */
static struct au_error *
read_records(libevtx_file_t *file, const uint8_t *chunk, size_t chunk_len,
    const struct prefilter *pf, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st)
{
	struct au_error *err = NULL;
	libevtx_record_t *rec = NULL;
	struct prefilter_cache cache;
	int nrec = 0, nrecovered = 0;

	memset(&cache, 0, sizeof(cache));
	if (libevtx_file_get_number_of_records(file, &nrec, NULL) != 1)
		nrec = 0;
	for (int i = 0; i < nrec; i++) {
		if (libevtx_file_get_record_by_index(file, i, &rec, NULL) != 1) {
			st->corrupt++;
			continue;
		}
		st->records++;
		if (chunk != NULL &&
		    !record_wanted(rec, chunk, chunk_len, pf, &cache)) {
			libevtx_record_free(&rec, NULL);
			continue;
		}
		err = ingest_record(rec, 0, opts, sink, st);
		libevtx_record_free(&rec, NULL);
		if (err != NULL)
			return err;
	}
	if (!opts->recovered ||
	    libevtx_file_get_number_of_recovered_records(file, &nrecovered,
	    NULL) != 1)
		return NULL;
	for (int i = 0; i < nrecovered; i++) {
		/*
		 * Slack space holds fragments of overwritten records: one
		 * that cannot be decoded is expected, not damage.
		 */
		if (libevtx_file_get_recovered_record_by_index(file, i, &rec,
		    NULL) != 1)
			continue;
		st->records++;
		st->recovered++;
		if (chunk != NULL &&
		    !record_wanted(rec, chunk, chunk_len, pf, &cache)) {
			libevtx_record_free(&rec, NULL);
			continue;
		}
		err = ingest_record(rec, 1, opts, sink, st);
		libevtx_record_free(&rec, NULL);
		if (err != NULL)
			return err;
	}
	return NULL;
}

/* Opens path (or /proc/self/fd/N for a chunk) with libevtx. */
static struct au_error *
evtx_open(const char *open_path, const char *path, libevtx_file_t **out)
{
	libevtx_file_t *file = NULL;
	libevtx_error_t *lerr = NULL;
	struct au_error *err;
	char *text;

	if (libevtx_file_initialize(&file, &lerr) == 1 &&
	    libevtx_file_open(file, open_path, LIBEVTX_OPEN_READ, &lerr) == 1) {
		*out = file;
		return NULL;
	}
	text = evtx_error_text(lerr);
	err = au_error_new(AU_ERR_INPUT, path, "cannot open as EVTX: %s", text);
	free(text);
	libevtx_error_free(&lerr);
	libevtx_file_free(&file, NULL);
	return err;
}

static void
evtx_close(libevtx_file_t **file)
{
	if (*file == NULL)
		return;
	libevtx_file_close(*file, NULL);
	libevtx_file_free(file, NULL);
}

/* The naive way: libevtx decodes every record of the file. */
static struct au_error *
ingest_whole(const char *path, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st)
{
	struct au_error *err = NULL;
	libevtx_file_t *file = NULL;
	uint32_t flags = 0;

	if ((err = evtx_open(path, path, &file)) != NULL)
		return err;
	if (libevtx_file_get_flags(file, &flags, NULL) == 1)
		st->dirty = (flags & LIBEVTX_FILE_FLAG_IS_DIRTY) != 0;
	err = read_records(file, NULL, 0, NULL, opts, sink, st);
	evtx_close(&file);
	return err;
}

/* Records in a chunk, counted as libevtx counts them: from 512 up to the free space. */
static uint64_t
chunk_count_records(const uint8_t *c, size_t len)
{
	uint32_t free_off = le32(c + 48);
	size_t off = EVTX_CHUNK_HEADER_SIZE;
	uint64_t n = 0;

	if (free_off > len)
		free_off = (uint32_t)len;
	while (off + 24 <= free_off && memcmp(c + off, "**\0\0", 4) == 0) {
		uint32_t size = le32(c + off + 4);
		if (size < 24 || size > free_off - off)
			break;
		n++;
		off += size;
	}
	return n;
}

enum chunk_state {
	CHUNK_OK,
	CHUNK_UNUSED,       /* all zero: preallocated, never written */
	CHUNK_BAD_MAGIC,    /* no "ElfChnk" signature */
	CHUNK_PARTIAL,      /* cut short by the end of the file */
	CHUNK_BAD_CRC,      /* header or event-records checksum mismatch */
};

static int
all_zero(const uint8_t *p, size_t len)
{
	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

/* Whether nothing lies after the chunk's free-space offset. */
static int
slack_empty(const uint8_t *c)
{
	uint32_t free_off = le32(c + 48);

	if (free_off < EVTX_CHUNK_HEADER_SIZE || free_off >= EVTX_CHUNK_SIZE)
		return 1;
	return all_zero(c + free_off, EVTX_CHUNK_SIZE - free_off);
}

static enum chunk_state
chunk_check(const uint8_t *c, size_t len)
{
	uint32_t free_off;
	uLong crc;

	if (all_zero(c, len))
		return CHUNK_UNUSED;
	if (len < EVTX_CHUNK_SIZE)
		return CHUNK_PARTIAL;
	if (memcmp(c, "ElfChnk\0", 8) != 0)
		return CHUNK_BAD_MAGIC;
	crc = crc32(0, c, 120);
	crc = crc32(crc, c + 128, EVTX_CHUNK_HEADER_SIZE - 128);
	if ((uint32_t)crc != le32(c + 124))
		return CHUNK_BAD_CRC;
	free_off = le32(c + 48);
	if (free_off < EVTX_CHUNK_HEADER_SIZE || free_off > len)
		return CHUNK_BAD_CRC;
	crc = crc32(0, c + EVTX_CHUNK_HEADER_SIZE, free_off - EVTX_CHUNK_HEADER_SIZE);
	return (uint32_t)crc == le32(c + 52) ? CHUNK_OK : CHUNK_BAD_CRC;
}

/* What is wrong with a file's chunks, gathered for one line of report. */
struct damage {
	uint64_t bad_magic, partial, bad_crc;
	int header_crc;     /* the file header's checksum does not hold */
	char where[96];     /* the first damaged chunks' numbers */
};

static void
damage_note(struct damage *d, enum chunk_state cs, uint64_t k)
{
	size_t len = strlen(d->where);

	switch (cs) {
	case CHUNK_BAD_MAGIC: d->bad_magic++; break;
	case CHUNK_PARTIAL:   d->partial++; break;
	case CHUNK_BAD_CRC:   d->bad_crc++; break;
	default:              return;
	}
	if (len < sizeof(d->where) - 24)
		snprintf(d->where + len, sizeof(d->where) - len, "%s%llu",
		    len ? ", " : "", (unsigned long long)k);
	else if (len < sizeof(d->where) - 4 && strcmp(d->where + len - 3, "...") != 0)
		strcat(d->where, ", ...");
}

static void
damage_report(const struct damage *d, struct au_file_stats *st)
{
	char *m;

	if (d->header_crc)
		au_file_stats_add_error(st, "file header checksum mismatch");
	if (d->bad_magic + d->partial + d->bad_crc == 0)
		return;
	st->file_corrupted = 1;
	m = xasprintf("damaged: chunk%s %s%s%s%s",
	    d->bad_magic + d->partial + d->bad_crc > 1 ? "s" : "", d->where,
	    d->bad_crc ? " (checksum mismatch)" : "",
	    d->bad_magic ? " (bad signature)" : "",
	    d->partial ? " (cut short: the file is truncated)" : "");
	au_file_stats_add_error(st, m);
	free(m);
}

/* Checks every chunk of an open file, for the naive path. */
static struct au_error *
damage_scan(const char *path, int fd, struct damage *d)
{
	uint8_t *buf = xmalloc(EVTX_CHUNK_SIZE);
	ssize_t n;
	uLong crc;

	n = pread(fd, buf, EVTX_FILE_HEADER_SIZE, 0);
	crc = crc32(0, buf, 120);
	if (n == EVTX_FILE_HEADER_SIZE && (uint32_t)crc != le32(buf + 124))
		d->header_crc = 1;
	for (uint64_t k = 0;; k++) {
		off_t at = EVTX_FILE_HEADER_SIZE + (off_t)k * EVTX_CHUNK_SIZE;
		n = pread(fd, buf, EVTX_CHUNK_SIZE, at);
		if (n <= 0)
			break;
		damage_note(d, chunk_check(buf, (size_t)n), k);
	}
	free(buf);
	if (n == -1)
		return au_error_errno(AU_ERR_INPUT, path, errno, "read failed");
	return NULL;
}

/*
 * The fast way: a chunk whose bytes nowhere hold a wanted provider name
 * cannot hold a matching record (names live in the chunk), so it is only
 * counted and checked. The others, and damaged chunks (so that libevtx
 * alone judges what can be read of them), are handed to libevtx one at a
 * time as a one-chunk log in a memory file, and within them only the
 * records whose bytes or template hold a name are decoded. An irregular
 * file header sends the whole file down the naive path.
 */
static struct au_error *
ingest_fast(const char *path, int fd, const struct prefilter *pf,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st, struct damage *dmg, int *fallback)
{
	struct au_error *err = NULL;
	libevtx_file_t *file = NULL;
	uint8_t *hdr = NULL, *chunk = NULL;
	char memfd_path[64];
	int memfd = -1;
	ssize_t n;
	uLong crc;

	*fallback = 0;
	hdr = xmalloc(EVTX_FILE_HEADER_SIZE);
	chunk = xmalloc(EVTX_CHUNK_SIZE);
	n = pread(fd, hdr, EVTX_FILE_HEADER_SIZE, 0);
	crc = crc32(0, hdr, 120);
	if (n != EVTX_FILE_HEADER_SIZE || (uint32_t)crc != le32(hdr + 124) ||
	    le32(hdr + 32) != 128 || hdr[36] != 1 || hdr[38] != 3 ||
	    (le32(hdr + 120) & ~3u) != 0) {
		*fallback = 1;
		goto done;
	}
	st->dirty = (le32(hdr + 120) & 1) != 0;

	for (uint64_t k = 0;; k++) {
		off_t at = EVTX_FILE_HEADER_SIZE + (off_t)k * EVTX_CHUNK_SIZE;
		enum chunk_state cs;

		n = pread(fd, chunk, EVTX_CHUNK_SIZE, at);
		if (n == -1) {
			err = au_error_errno(AU_ERR_INPUT, path, errno,
			    "read failed at offset %lld", (long long)at);
			goto done;
		}
		if (n == 0)
			break;
		cs = chunk_check(chunk, (size_t)n);
		damage_note(dmg, cs, k);
		if (cs == CHUNK_UNUSED || cs == CHUNK_BAD_MAGIC ||
		    cs == CHUNK_PARTIAL)
			continue;   /* libevtx reads no records from these */
		/*
		 * With --recovered, a chunk with anything in its slack space
		 * goes to libevtx too, so that recovered records are counted
		 * as the naive path counts them.
		 */
		if (cs == CHUNK_OK && !prefilter_match(pf, chunk, EVTX_CHUNK_SIZE) &&
		    !(opts->recovered && !slack_empty(chunk))) {
			st->records += chunk_count_records(chunk, EVTX_CHUNK_SIZE);
			continue;
		}

		/* A one-chunk log: the file header, renumbered, and this chunk. */
		if (memfd == -1) {
			memfd = memfd_create("aadc-upgrade-chunk", MFD_CLOEXEC);
			if (memfd == -1) {
				err = au_error_errno(AU_ERR_INTERNAL, path, errno,
				    "cannot create a memory file");
				goto done;
			}
			snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d",
			    memfd);
			memset(hdr + 8, 0, 16);      /* first and last chunk number */
			hdr[42] = 1;                 /* number of chunks */
			hdr[43] = 0;
			crc = crc32(0, hdr, 120);
			for (int b = 0; b < 4; b++)
				hdr[124 + b] = (uint8_t)(crc >> (8 * b));
			if (pwrite(memfd, hdr, EVTX_FILE_HEADER_SIZE, 0) !=
			    EVTX_FILE_HEADER_SIZE) {
				err = au_error_errno(AU_ERR_INTERNAL, path, errno,
				    "cannot write a memory file");
				goto done;
			}
		}
		if (pwrite(memfd, chunk, EVTX_CHUNK_SIZE, EVTX_FILE_HEADER_SIZE) !=
		    EVTX_CHUNK_SIZE) {
			err = au_error_errno(AU_ERR_INTERNAL, path, errno,
			    "cannot write a memory file");
			goto done;
		}
		if ((err = evtx_open(memfd_path, path, &file)) != NULL)
			goto done;
		err = read_records(file, chunk, EVTX_CHUNK_SIZE, pf, opts, sink, st);
		evtx_close(&file);
		if (err != NULL)
			goto done;
	}
done:
	evtx_close(&file);
	if (memfd != -1)
		close(memfd);
	free(hdr);
	free(chunk);
	return err;
}

struct au_error *
ingest_file(const char *path, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st)
{
	struct au_error *err = NULL;
	struct prefilter *pf = NULL;
	struct damage dmg;
	const char **names = NULL;
	size_t nnames = 0;
	int fd = -1, fallback = 1;

	memset(&dmg, 0, sizeof(dmg));
	if ((err = precheck(path, st)) != NULL)
		goto done;
	if (opts->hash && (err = sha256_file(path, st->sha256)) != NULL)
		goto done;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		err = au_error_errno(AU_ERR_INPUT, path, errno, "cannot open");
		goto done;
	}
	if (!opts->naive) {
		names = xcalloc(opts->nsources + 1, sizeof(*names));
		for (size_t i = 0; i < opts->nsources; i++)
			names[nnames++] = opts->sources[i];
		if (opts->installs && sink->install != NULL)
			names[nnames++] = "MsiInstaller";
		pf = prefilter_new(names, nnames);
	}
	if (pf != NULL &&
	    (err = ingest_fast(path, fd, pf, opts, sink, st, &dmg,
	    &fallback)) != NULL)
		goto done;
	if (fallback) {
		memset(&dmg, 0, sizeof(dmg));
		if ((err = ingest_whole(path, opts, sink, st)) != NULL)
			goto done;
		if ((err = damage_scan(path, fd, &dmg)) != NULL)
			goto done;
	}
	damage_report(&dmg, st);
	if (st->corrupt > 0) {
		char *m = xasprintf("%llu record(s) could not be read",
		    (unsigned long long)st->corrupt);
		au_file_stats_add_error(st, m);
		free(m);
	}
	if (st->errors != NULL)
		err = au_error_new(AU_ERR_INPUT, path, "%s", st->errors);
done:
	if (err != NULL && err->kind == AU_ERR_INPUT && st->errors == NULL)
		au_file_stats_add_error(st, err->msg);
	if (fd != -1)
		close(fd);
	prefilter_free(pf);
	free(names);
	return err;
}

/* ---- path expansion ---------------------------------------------------- */

struct pathlist {
	char **v;
	size_t n, cap;
};

static void
pathlist_add(struct pathlist *pl, char *path)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 16;
		pl->v = xreallocarray(pl->v, pl->cap, sizeof(*pl->v));
	}
	pl->v[pl->n++] = path;
}

static int
has_evtx_suffix(const char *name)
{
	size_t len = strlen(name);
	return len > 5 && strcasecmp(name + len - 5, ".evtx") == 0;
}

static int
cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directories are walked without following symbolic links to directories, so a loop cannot recur. */
static void
walk_dir(const char *dir, struct pathlist *pl, struct au_error **errors, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > 64) {
		au_error_append(errors, au_error_new(AU_ERR_INPUT, dir,
		    "directories nested too deep; not searched"));
		return;
	}
	d = opendir(dir);
	if (d == NULL) {
		au_error_append(errors, au_error_errno(AU_ERR_INPUT, dir, errno,
		    "cannot list directory"));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
		if (lstat(p, &sb) == -1) {
			au_error_append(errors, au_error_errno(AU_ERR_INPUT, p,
			    errno, "cannot stat"));
			free(p);
			continue;
		}
		if (S_ISDIR(sb.st_mode)) {
			walk_dir(p, pl, errors, depth + 1);
			free(p);
		} else if (has_evtx_suffix(de->d_name) &&
		    (S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode)))
			pathlist_add(pl, p);
		else
			free(p);
	}
	closedir(d);
}

void
ingest_expand_paths(char *const *paths, size_t npaths, char ***files,
    size_t *nfiles, struct au_error **errors)
{
	struct pathlist pl = { NULL, 0, 0 };

	for (size_t i = 0; i < npaths; i++) {
		struct stat sb;
		size_t before = pl.n;

		if (stat(paths[i], &sb) == -1) {
			au_error_append(errors, au_error_errno(AU_ERR_INPUT,
			    paths[i], errno, "cannot read"));
			continue;
		}
		if (!S_ISDIR(sb.st_mode)) {
			/* A file named explicitly is read whatever its name. */
			pathlist_add(&pl, xstrdup(paths[i]));
			continue;
		}
		walk_dir(paths[i], &pl, errors, 0);
		if (pl.n == before)
			au_error_append(errors, au_error_new(AU_ERR_INPUT,
			    paths[i], "no .evtx files found"));
		else
			qsort(pl.v + before, pl.n - before, sizeof(*pl.v),
			    cmp_paths);
	}
	*files = pl.v;
	*nfiles = pl.n;
}

void
ingest_free_paths(char **files, size_t nfiles)
{
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
}
