/* ingest.c: reads .evtx files with libevtx and picks out upgrade and installer events. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libevtx.h>
#include <sys/mman.h>
#include <libdeflate.h>
#include <openssl/evp.h>

#include "evtxml.h"
#include "install.h"
#include "ingest.h"
#include "prefilter.h"
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
	opts->threads = 2;
}

/*
 * libyal errors are a back trace, one "function: message" line per level,
 * the innermost first. The innermost says what actually went wrong; the
 * function names mean nothing to a user.
 */
static char *
evtx_error_text(libevtx_error_t *lerr, int with_chunk)
{
	char buf[4096];
	char *line, *colon, *nl, *chunk;
	int k = -1;

	if (lerr == NULL || libevtx_error_backtrace_sprint(lerr, buf, sizeof(buf)) <= 0)
		return xstrdup("unknown libevtx error");
	/* The chunk it stopped at, when a level says so (never the path it was given). */
	if ((chunk = strstr(buf, "unable to read chunk: ")) != NULL)
		k = atoi(chunk + strlen("unable to read chunk: "));
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
	if (with_chunk && k >= 0 && strstr(line, "chunk") == NULL)
		return xasprintf("chunk %d: %s", k, line);
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

int
ingest_is_related_provider(const char *provider)
{
	static const char *const names[] = {
		"Agent Updater", "Entra Connect", "AD Connect"
	};

	if (provider == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);
		for (const char *p = provider; *p != '\0'; p++)
			if (strncasecmp(p, names[i], n) == 0)
				return 1;
	}
	return 0;
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
/*
 * A record of a Connect-related provider (see struct au_related): its
 * server, ID, time and record ID, as libevtx reads them without the XML.
 */
static struct au_error *
ingest_related(libevtx_record_t *rec, const char *provider,
    const struct au_ingest_sink *sink)
{
	struct au_related rel;
	struct au_error *err;
	char *computer;
	uint32_t id = 0;
	uint64_t record_id = 0;

	if (libevtx_record_get_event_identifier(rec, &id, NULL) != 1)
		return NULL;
	GET_UTF8(libevtx_record_get_utf8_computer_name_size,
	    libevtx_record_get_utf8_computer_name, rec, computer);
	if (libevtx_record_get_identifier(rec, &record_id, NULL) != 1)
		record_id = 0;
	rel.host = computer != NULL ? computer : "";
	rel.provider = provider;
	rel.event_id = id & 0xffff;
	rel.time = record_time(rec);
	rel.record_id = record_id;
	err = sink->related(sink->arg, &rel);
	free(computer);
	return err;
}

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
	if (!upgrade && !installer) {
		if (sink->related != NULL && ingest_is_related_provider(provider))
			err = ingest_related(rec, provider, sink);
		goto done;
	}

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
	installer = installer && install_event_id(event_id);
	if (!upgrade && !installer) {
		/* An upgrade source's other IDs are listed, not classified. */
		if (sink->related != NULL && ingest_is_related_provider(provider))
			err = ingest_related(rec, provider, sink);
		goto done;
	}

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
	in = install_classify(provider, event_id, x.time, x.computer, record_id,
	    x.data, x.ndata, NULL);
	if (in != NULL) {
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

/*
 * Counts a record read toward its Computer and the file's period: the
 * time the record was written (the record header's, which the fast path
 * reads from the bytes too).
 */
static void
note_record_host(libevtx_record_t *rec, struct au_file_stats *st)
{
	char *computer;
	uint64_t t = 0, id = 0;

	GET_UTF8(libevtx_record_get_utf8_computer_name_size,
	    libevtx_record_get_utf8_computer_name, rec, computer);
	if (libevtx_record_get_written_time(rec, &t, NULL) != 1)
		t = 0;
	if (libevtx_record_get_identifier(rec, &id, NULL) != 1)
		id = 0;
	au_file_stats_note_host(st, computer, t, id);
	free(computer);
}

/*
 * Reads every record of an open libevtx file (a whole log, or one chunk
 * of it), and with --recovered the records libevtx recovers; ingest_record
 * picks out the ones we want.
 */
static struct au_error *
read_records(libevtx_file_t *file, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st)
{
	struct au_error *err = NULL;
	libevtx_record_t *rec = NULL;
	int nrec = 0, nrecovered = 0;

	if (libevtx_file_get_number_of_records(file, &nrec, NULL) != 1)
		nrec = 0;
	for (int i = 0; i < nrec; i++) {
		if (libevtx_file_get_record_by_index(file, i, &rec, NULL) != 1) {
			st->corrupt++;
			continue;
		}
		st->records++;
		note_record_host(rec, st);
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
		note_record_host(rec, st);
		err = ingest_record(rec, 1, opts, sink, st);
		libevtx_record_free(&rec, NULL);
		if (err != NULL)
			return err;
	}
	return NULL;
}

/*
 * Opens path with libevtx, or one chunk of it (chunk >= 0) copied behind
 * the file's header into a memory file at open_path: a problem then names
 * the file and that chunk, never the memory file.
 */
static struct au_error *
evtx_open(const char *open_path, const char *path, int64_t chunk,
    libevtx_file_t **out)
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
	text = evtx_error_text(lerr, chunk < 0);
	if (chunk >= 0)
		err = au_error_new(AU_ERR_INPUT, path, "damaged: chunk %lld (%s)",
		    (long long)chunk, text);
	else
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

	if ((err = evtx_open(path, path, -1, &file)) != NULL)
		return err;
	if (libevtx_file_get_flags(file, &flags, NULL) == 1)
		st->dirty = (flags & LIBEVTX_FILE_FLAG_IS_DIRTY) != 0;
	err = read_records(file, opts, sink, st);
	evtx_close(&file);
	return err;
}

static uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	for (int b = 0; b < 4; b++)
		p[b] = (uint8_t)(v >> (8 * b));
}

/*
 * The records of a chunk, as libevtx finds them: one after another from
 * offset 512 while the offset is not past the header's last-record offset.
 * Fills off[] (room for CHUNK_MAX_RECORDS) with their offsets and *end
 * with where the last one ends; returns how many.
 */
#define CHUNK_MAX_RECORDS (EVTX_CHUNK_SIZE / 24)
static size_t
chunk_walk(const uint8_t *c, size_t len, uint32_t *off, uint32_t *end)
{
	uint32_t last_off = le32(c + 44);
	size_t at = EVTX_CHUNK_HEADER_SIZE, n = 0;

	while (at <= last_off && at + 24 <= len && memcmp(c + at, "**\0\0", 4) == 0) {
		uint32_t size = le32(c + at + 4);
		if (size < 28 || size > len - at)
			break;
		off[n++] = (uint32_t)at;
		at += size;
	}
	*end = (uint32_t)at;
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
	uint32_t crc;

	if (all_zero(c, len))
		return CHUNK_UNUSED;
	if (len < EVTX_CHUNK_SIZE)
		return CHUNK_PARTIAL;
	if (memcmp(c, "ElfChnk\0", 8) != 0)
		return CHUNK_BAD_MAGIC;
	crc = libdeflate_crc32(0, c, 120);
	crc = libdeflate_crc32(crc, c + 128, EVTX_CHUNK_HEADER_SIZE - 128);
	if (crc != le32(c + 124))
		return CHUNK_BAD_CRC;
	free_off = le32(c + 48);
	if (free_off < EVTX_CHUNK_HEADER_SIZE || free_off > len)
		return CHUNK_BAD_CRC;
	crc = libdeflate_crc32(0, c + EVTX_CHUNK_HEADER_SIZE, free_off - EVTX_CHUNK_HEADER_SIZE);
	return crc == le32(c + 52) ? CHUNK_OK : CHUNK_BAD_CRC;
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

/*
 * The file's SHA-256, taken from the bytes the reader reads anyway (libcrypto
 * is the one SHA-256 we use; no second read of the file). md is NULL when
 * no digest is wanted; complete is set once every byte went through it.
 */
struct digest {
	EVP_MD_CTX *md;
	int complete;
};

static void
digest_update(struct digest *dg, const void *buf, size_t len)
{
	if (dg->md != NULL && len > 0)
		EVP_DigestUpdate(dg->md, buf, len);
}

/* Checks every chunk of an open file, for the naive path, hashing it on the way. */
static struct au_error *
damage_scan(const char *path, int fd, struct damage *d, struct digest *dg)
{
	uint8_t *buf = xmalloc(EVTX_CHUNK_SIZE);
	ssize_t n;
	uint32_t crc;

	n = pread(fd, buf, EVTX_FILE_HEADER_SIZE, 0);
	if (n > 0)
		digest_update(dg, buf, (size_t)n);
	crc = libdeflate_crc32(0, buf, 120);
	if (n == EVTX_FILE_HEADER_SIZE && crc != le32(buf + 124))
		d->header_crc = 1;
	/* A file shorter than its header has no chunks. */
	for (uint64_t k = 0; n == EVTX_FILE_HEADER_SIZE || k > 0; k++) {
		off_t at = EVTX_FILE_HEADER_SIZE + (off_t)k * EVTX_CHUNK_SIZE;
		n = pread(fd, buf, EVTX_CHUNK_SIZE, at);
		if (n <= 0)
			break;
		digest_update(dg, buf, (size_t)n);
		damage_note(d, chunk_check(buf, (size_t)n), k);
	}
	free(buf);
	if (n == -1)
		return au_error_errno(AU_ERR_INPUT, path, errno, "read failed");
	dg->complete = 1;
	return NULL;
}

/* ---- the fast path ------------------------------------------------------ */

/* What one chunk gave: events and installs in record order, and counts. */
/* A related event kept by a worker thread (struct au_related, owned). */
struct chunk_related {
	char *host, *provider;
	uint32_t event_id;
	uint64_t time, record_id;
};

struct chunk_result {
	enum chunk_state cs;
	uint64_t records, recovered, corrupt, matched, installs;
	struct au_event **ev;
	size_t nev;
	struct au_install **in;
	size_t nin;
	struct chunk_related *rel;    /* related providers' events, see struct au_related */
	size_t nrel;
	struct au_file_stats hosts;   /* the Computers of its records, and their period */
	struct au_error *err;    /* a failure that stops the file */
};

/* Name occurrences remembered per chunk; beyond, records are searched one by one. */
#define MAX_POSITIONS 4096

/* One thread's tools: buffers, the memory file libevtx reads a chunk from. */
struct chunk_worker {
	const char *path;
	int fd;
	const uint8_t *hdr;            /* the file's header, renumbered for one chunk */
	const struct prefilter *pf;
	const struct au_ingest_opts *opts;
	uint8_t *chunk;                /* the chunk being read, in batch */
	uint64_t k;                    /* its number in the file, from 0 */
	uint32_t *off;
	uint32_t *pos;                 /* where the names occur in the chunk */
	uint8_t *id;                   /* and which name each is */
	size_t npos;
	int memfd;
	char memfd_path[64];
	/* The batch this worker takes part in. */
	struct chunk_result *res;
	uint64_t first, count, step, start;
	uint8_t *batch;                /* the batch's bytes, read in file order */
	size_t batch_len;
};

static struct au_error *
collect_event(void *arg, struct au_event *ev)
{
	struct chunk_result *r = arg;

	r->ev = xreallocarray(r->ev, r->nev + 1, sizeof(*r->ev));
	r->ev[r->nev++] = ev;
	return NULL;
}

static struct au_error *
collect_install(void *arg, struct au_install *in)
{
	struct chunk_result *r = arg;

	r->in = xreallocarray(r->in, r->nin + 1, sizeof(*r->in));
	r->in[r->nin++] = in;
	return NULL;
}

static struct au_error *
collect_related(void *arg, const struct au_related *rel)
{
	struct chunk_result *r = arg;
	struct chunk_related *c;

	r->rel = xreallocarray(r->rel, r->nrel + 1, sizeof(*r->rel));
	c = &r->rel[r->nrel++];
	c->host = xstrdup(rel->host != NULL ? rel->host : "");
	c->provider = xstrdup(rel->provider != NULL ? rel->provider : "");
	c->event_id = rel->event_id;
	c->time = rel->time;
	c->record_id = rel->record_id;
	return NULL;
}

static void
chunk_related_clear(struct chunk_result *r)
{
	for (size_t i = 0; i < r->nrel; i++) {
		free(r->rel[i].host);
		free(r->rel[i].provider);
	}
	r->nrel = 0;
}

static void
chunk_result_clear(struct chunk_result *r)
{
	for (size_t i = 0; i < r->nev; i++)
		au_event_free(r->ev[i]);
	for (size_t i = 0; i < r->nin; i++)
		au_install_free(r->in[i]);
	chunk_related_clear(r);
	free(r->ev);
	free(r->in);
	free(r->rel);
	au_file_stats_clear(&r->hosts);
	au_error_free(r->err);
	memset(r, 0, sizeof(*r));
}

/* Writes buf as the one chunk of the worker's memory file and opens it. */
static struct au_error *
worker_open(struct chunk_worker *w, const uint8_t *buf, uint64_t k,
    libevtx_file_t **file)
{
	if (w->memfd == -1) {
		w->memfd = memfd_create("aadc-upgrade-chunk", MFD_CLOEXEC);
		if (w->memfd == -1)
			return au_error_errno(AU_ERR_INTERNAL, w->path, errno,
			    "cannot create a memory file");
		snprintf(w->memfd_path, sizeof(w->memfd_path),
		    "/proc/self/fd/%d", w->memfd);
		if (pwrite(w->memfd, w->hdr, EVTX_FILE_HEADER_SIZE, 0) !=
		    EVTX_FILE_HEADER_SIZE)
			return au_error_errno(AU_ERR_INTERNAL, w->path, errno,
			    "cannot write a memory file");
	}
	if (pwrite(w->memfd, buf, EVTX_CHUNK_SIZE, EVTX_FILE_HEADER_SIZE) !=
	    EVTX_CHUNK_SIZE)
		return au_error_errno(AU_ERR_INTERNAL, w->path, errno,
		    "cannot write a memory file");
	return evtx_open(w->memfd_path, w->path, (int64_t)k, file);
}

/*
 * A candidate chunk whose checksums hold: the records the prefilter lets
 * through are decoded by index, after a chunk cut short behind the last
 * of them (so that libevtx reads no further), and their offsets are
 * checked against our walk. Returns 0 when libevtx sees the chunk
 * differently from our walk: the caller then decodes it the plain way.
 */
static int
chunk_selective(struct chunk_worker *w, struct chunk_result *r,
    const struct au_ingest_sink *sink)
{
	struct prefilter_cache cache;
	libevtx_file_t *file = NULL;
	libevtx_record_t *rec = NULL;
	uint8_t *cut = NULL;
	uint32_t end, last_end, *off = w->off;
	size_t n, last = 0, nseg = 0, run_start = 0, *index = NULL;
	uint64_t unreadable = 0;
	struct au_file_stats st;
	int nrec = 0, nwanted = 0, ok = 0;
	uint64_t got;
	uint32_t crc;
	uint8_t *wanted = NULL;

	memset(&cache, 0, sizeof(cache));
	if (w->npos <= MAX_POSITIONS) {
		cache.pos = w->pos;
		cache.id = w->id;
		cache.npos = w->npos;
	}
	n = chunk_walk(w->chunk, EVTX_CHUNK_SIZE, off, &end);
	wanted = xcalloc(n + 1, 1);
	for (size_t j = 0; j < n; j++) {
		wanted[j] = (uint8_t)prefilter_record(w->pf, w->chunk,
		    EVTX_CHUNK_SIZE, off[j], &cache);
		if (wanted[j]) {
			last = j;
			nwanted++;
		}
	}
	if (nwanted == 0) {
		r->records += n;
		ok = 1;
		goto done;
	}

	/*
	 * The same chunk, ending after the last wanted record, and with each
	 * run of unwanted records before a wanted one framed as a single
	 * record: their bytes stay where they are (later records refer to
	 * templates and names inside them by offset), but libevtx has one
	 * record to set up instead of many.
	 */
	cut = xmalloc(EVTX_CHUNK_SIZE);
	memcpy(cut, w->chunk, EVTX_CHUNK_SIZE);
	last_end = last + 1 < n ? off[last + 1] : end;
	memset(cut + last_end, 0, EVTX_CHUNK_SIZE - last_end);
	index = xcalloc(n, sizeof(*index));
	nseg = 0;
	for (size_t j = 0, run = 0; j <= last; j++) {
		if (!wanted[j]) {
			if (run == 0)
				run_start = j;
			run++;
			continue;
		}
		if (run > 1) {
			uint32_t from = off[run_start], size = off[j] - from;
			put_le32(cut + from + 4, size);
			put_le32(cut + off[j] - 4, size);
		}
		if (run > 0)
			nseg++;
		run = 0;
		index[j] = nseg++;
	}
	/*
	 * libevtx checksums the event records up to the free-space offset but
	 * reads records up to the last-record offset: with free space said to
	 * start right after the header (an empty range, whose CRC-32 is 0) it
	 * reads the same records without checksumming tens of kilobytes.
	 */
	put_le32(cut + 44, off[last]);      /* last record offset */
	put_le32(cut + 48, EVTX_CHUNK_HEADER_SIZE);   /* free space offset */
	put_le32(cut + 52, 0);              /* CRC-32 of no bytes */
	crc = libdeflate_crc32(0, cut, 120);
	crc = libdeflate_crc32(crc, cut + 128, EVTX_CHUNK_HEADER_SIZE - 128);
	put_le32(cut + 124, crc);

	if ((r->err = worker_open(w, cut, w->k, &file)) != NULL) {
		au_error_free(r->err);
		r->err = NULL;
		goto done;
	}
	/*
	 * libevtx calls the cut chunk corrupted (its record numbers no longer
	 * follow the header's); what matters is that it sees the records
	 * where we put them, checked here and by offset below.
	 */
	if (libevtx_file_get_number_of_records(file, &nrec, NULL) != 1 ||
	    (size_t)nrec != nseg)
		goto done;
	/*
	 * Each wanted record is read once: checked against its place, then
	 * delivered. The sink collects into r, which the caller empties
	 * when a record is not where we put it (the plain way then reads
	 * the chunk again), so nothing is delivered twice.
	 */
	memset(&st, 0, sizeof(st));
	for (size_t j = 0; j <= last && r->err == NULL; j++) {
		if (!wanted[j])
			continue;
		if (libevtx_file_get_record_by_index(file, (int)index[j], &rec,
		    NULL) != 1) {
			unreadable++;
			continue;
		}
		/*
		 * libevtx 20240504 gives no record offsets (always 0): the
		 * record identifier in the record header identifies it.
		 */
		if (libevtx_record_get_identifier(rec, &got, NULL) != 1 ||
		    got != le64(w->chunk + off[j] + 8)) {
			libevtx_record_free(&rec, NULL);
			au_file_stats_clear(&st);
			goto done;
		}
		r->err = ingest_record(rec, 0, w->opts, sink, &st);
		libevtx_record_free(&rec, NULL);
	}
	/* As the naive path counts: read records, and those not read or not rendered. */
	r->records += n - unreadable;
	r->corrupt += unreadable + st.corrupt;
	r->matched += st.matched;
	r->installs += st.installs;
	ok = 1;
done:
	evtx_close(&file);
	free(cut);
	free(wanted);
	free(index);
	return ok;
}

/*
 * Counts the n records of the chunk (at w->off) toward their Computers,
 * read from the bytes; 0 when one of them cannot be read that way, and
 * libevtx has to read the chunk instead.
 */
static int
chunk_hosts(struct chunk_worker *w, struct chunk_result *r, size_t n)
{
	struct prefilter_host_cache cache;
	char name[1024];

	memset(&cache, 0, sizeof(cache));
	for (size_t j = 0; j < n; j++) {
		if (!prefilter_computer(w->chunk, EVTX_CHUNK_SIZE, w->off[j],
		    &cache, name, sizeof(name))) {
			au_file_stats_clear(&r->hosts);
			return 0;
		}
		au_file_stats_note_host(&r->hosts, name,
		    le64(w->chunk + w->off[j] + 16), le64(w->chunk + w->off[j] + 8));
	}
	return 1;
}

/* Reads chunk k of the file (the i-th of the batch already read) into r. */
static void
chunk_process(struct chunk_worker *w, uint64_t k, uint64_t i,
    struct chunk_result *r)
{
	struct au_ingest_sink sink = { collect_event, collect_install, r, NULL,
	    collect_related, NULL, NULL };
	struct au_file_stats st;
	libevtx_file_t *file = NULL;
	size_t at = (size_t)i * EVTX_CHUNK_SIZE, n, nrec;
	uint32_t end;
	int match = 0;

	memset(&st, 0, sizeof(st));
	w->chunk = w->batch + at;
	w->k = k;
	n = w->batch_len > at ? w->batch_len - at : 0;
	if (n > EVTX_CHUNK_SIZE)
		n = EVTX_CHUNK_SIZE;
	r->cs = chunk_check(w->chunk, n);
	if (r->cs == CHUNK_UNUSED)
		return;
	/* Already imported (see au_ingest_opts.first_chunk): checked, not read. */
	if (k < w->opts->first_chunk)
		return;
	/* libevtx reads nothing from a chunk cut short by the end of the file. */
	if (r->cs == CHUNK_PARTIAL)
		return;
	/*
	 * Nor records from a chunk without its signature, but it recovers
	 * records from it: with --recovered such a chunk goes to libevtx whole.
	 */
	if (r->cs == CHUNK_BAD_MAGIC && !w->opts->recovered)
		return;
	if (r->cs == CHUNK_OK &&
	    !(w->opts->recovered && !slack_empty(w->chunk)) &&
	    chunk_hosts(w, r, nrec = chunk_walk(w->chunk, EVTX_CHUNK_SIZE,
	    w->off, &end))) {
		w->npos = prefilter_positions(w->pf, w->chunk, EVTX_CHUNK_SIZE,
		    w->pos, w->id, MAX_POSITIONS, &match);
		if (!match) {
			r->records += nrec;
			return;
		}
		if (chunk_selective(w, r, &sink))
			return;
		/* libevtx saw it differently: start again, the plain way. */
		for (size_t j = 0; j < r->nev; j++)
			au_event_free(r->ev[j]);
		for (size_t j = 0; j < r->nin; j++)
			au_install_free(r->in[j]);
		chunk_related_clear(r);
		r->nev = r->nin = 0;
		r->records = r->corrupt = 0;
		au_file_stats_clear(&r->hosts);
	}
	/*
	 * A damaged chunk, or --recovered with something in the slack:
	 * libevtx reads the whole chunk and judges every record itself.
	 */
	if ((r->err = worker_open(w, w->chunk, w->k, &file)) != NULL)
		return;
	r->err = read_records(file, w->opts, &sink, &st);
	evtx_close(&file);
	au_file_stats_merge_hosts(&r->hosts, &st, 0);
	r->records += st.records;
	r->recovered += st.recovered;
	r->corrupt += st.corrupt;
	r->matched += st.matched;
	r->installs += st.installs;
	au_file_stats_clear(&st);
}

static void *
worker_run(void *arg)
{
	struct chunk_worker *w = arg;

	for (uint64_t i = w->start; i < w->count; i += w->step)
		chunk_process(w, w->first + i, i, &w->res[i]);
	return NULL;
}

static void
worker_init(struct chunk_worker *w, const char *path, int fd, const uint8_t *hdr,
    const struct prefilter *pf, const struct au_ingest_opts *opts)
{
	memset(w, 0, sizeof(*w));
	w->path = path;
	w->fd = fd;
	w->hdr = hdr;
	w->pf = pf;
	w->opts = opts;
	w->off = xmalloc(CHUNK_MAX_RECORDS * sizeof(*w->off));
	w->pos = xmalloc(MAX_POSITIONS * sizeof(*w->pos));
	w->id = xmalloc(MAX_POSITIONS);
	w->memfd = -1;
}

static void
worker_free(struct chunk_worker *w)
{
	free(w->off);
	free(w->pos);
	free(w->id);
	if (w->memfd != -1)
		close(w->memfd);
}

/* Chunks read per batch: events wait in memory at most this long. */
#define BATCH_CHUNKS 64
#define MAX_WORKERS 2

/*
 * The fast way: a chunk whose bytes nowhere hold a wanted provider name
 * cannot hold a matching record (names live in the chunk), so it is only
 * counted and checked. The others go to libevtx as a one-chunk log in a
 * memory file, where only the records whose bytes or template hold a name
 * are decoded; damaged chunks go to libevtx whole, so that it alone judges
 * what can be read of them. Two threads share each batch of chunks; the
 * results are handed on in file order. An irregular file header sends the
 * whole file down the naive path instead.
 */
static struct au_error *
ingest_fast(const char *path, int fd, const struct prefilter *pf,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st, struct damage *dmg, struct digest *dg,
    int *fallback)
{
	struct au_error *err = NULL;
	struct chunk_worker w[MAX_WORKERS];
	struct chunk_result *res = NULL;
	uint8_t *hdr = NULL, *batch = NULL;
	uint64_t nchunks, size = st->size;
	int nworkers = 0;
	ssize_t n;
	uint32_t crc;

	*fallback = 0;
	hdr = xmalloc(EVTX_FILE_HEADER_SIZE);
	n = pread(fd, hdr, EVTX_FILE_HEADER_SIZE, 0);
	crc = libdeflate_crc32(0, hdr, 120);
	if (n == EVTX_FILE_HEADER_SIZE)
		digest_update(dg, hdr, EVTX_FILE_HEADER_SIZE);
	if (n != EVTX_FILE_HEADER_SIZE || crc != le32(hdr + 124) ||
	    le32(hdr + 32) != 128 || hdr[36] != 1 || hdr[38] != 3 ||
	    (le32(hdr + 120) & ~3u) != 0) {
		*fallback = 1;
		goto done;
	}
	st->dirty = (le32(hdr + 120) & 1) != 0;
	/* The header the one-chunk memory files carry. */
	memset(hdr + 8, 0, 16);      /* first and last chunk number */
	hdr[42] = 1;                 /* number of chunks */
	hdr[43] = 0;
	crc = libdeflate_crc32(0, hdr, 120);
	for (int b = 0; b < 4; b++)
		hdr[124 + b] = (uint8_t)(crc >> (8 * b));

	nchunks = size > EVTX_FILE_HEADER_SIZE ?
	    (size - EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE - 1) / EVTX_CHUNK_SIZE : 0;
	nworkers = opts->threads > 1 ? (opts->threads > MAX_WORKERS ?
	    MAX_WORKERS : opts->threads) : 1;
	if (nchunks < 2)
		nworkers = 1;
	for (int i = 0; i < nworkers; i++)
		worker_init(&w[i], path, fd, hdr, pf, opts);
	res = xcalloc(BATCH_CHUNKS, sizeof(*res));
	batch = xmalloc((size_t)BATCH_CHUNKS * EVTX_CHUNK_SIZE);

	for (uint64_t first = 0; first < nchunks; first += BATCH_CHUNKS) {
		uint64_t count = nchunks - first < BATCH_CHUNKS ?
		    nchunks - first : BATCH_CHUNKS;
		size_t want = (size_t)count * EVTX_CHUNK_SIZE, got = 0;
		pthread_t tid;
		int threaded = 0;

		/* One sequential read per batch; the digest takes the same bytes. */
		while (got < want) {
			ssize_t r = pread(fd, batch + got, want - got,
			    (off_t)(EVTX_FILE_HEADER_SIZE + first * EVTX_CHUNK_SIZE + got));
			if (r == -1 && errno == EINTR)
				continue;
			if (r == -1) {
				err = au_error_errno(AU_ERR_INPUT, path, errno,
				    "read failed at offset %llu", (unsigned long long)
				    (EVTX_FILE_HEADER_SIZE + first * EVTX_CHUNK_SIZE + got));
				goto done;
			}
			if (r == 0)
				break;
			got += (size_t)r;
		}
		digest_update(dg, batch, got);
		memset(batch + got, 0, want - got);
		for (int i = 0; i < nworkers; i++) {
			w[i].batch = batch;
			w[i].batch_len = got;
			w[i].res = res;
			w[i].first = first;
			w[i].count = count;
			w[i].step = (uint64_t)nworkers;
			w[i].start = (uint64_t)i;
		}
		if (nworkers > 1 && pthread_create(&tid, NULL, worker_run, &w[1]) == 0)
			threaded = 1;
		if (!threaded)
			w[0].step = 1;   /* this thread takes every chunk */
		worker_run(&w[0]);
		if (threaded)
			pthread_join(tid, NULL);

		for (uint64_t i = 0; i < count; i++) {
			struct chunk_result *r = &res[i];
			damage_note(dmg, r->cs, first + i);
			st->records += r->records;
			st->recovered += r->recovered;
			st->corrupt += r->corrupt;
			st->matched += r->matched;
			st->installs += r->installs;
			au_file_stats_merge_hosts(st, &r->hosts, 0);
			if (err == NULL && r->err != NULL) {
				err = r->err;
				r->err = NULL;
			}
			for (size_t j = 0; j < r->nev && err == NULL; j++) {
				err = sink->event(sink->arg, r->ev[j]);
				r->ev[j] = NULL;
			}
			for (size_t j = 0; j < r->nin && err == NULL; j++) {
				err = sink->install(sink->arg, r->in[j]);
				r->in[j] = NULL;
			}
			for (size_t j = 0; j < r->nrel && err == NULL &&
			    sink->related != NULL; j++) {
				const struct chunk_related *c = &r->rel[j];
				struct au_related rel = { c->host, c->provider,
				    c->event_id, c->time, c->record_id };

				err = sink->related(sink->arg, &rel);
			}
			chunk_result_clear(r);
		}
		if (err != NULL)
			break;
		if (sink->progress != NULL)
			sink->progress(sink->arg, EVTX_FILE_HEADER_SIZE +
			    (first + count) * EVTX_CHUNK_SIZE, size);
	}
	if (err == NULL) {
		/* Bytes past the chunks counted from the size seen at the start. */
		uint64_t at = EVTX_FILE_HEADER_SIZE + nchunks * EVTX_CHUNK_SIZE;
		for (;;) {
			ssize_t r = pread(fd, batch, EVTX_CHUNK_SIZE, (off_t)at);
			if (r <= 0)
				break;
			digest_update(dg, batch, (size_t)r);
			at += (uint64_t)r;
		}
		dg->complete = 1;
	}
done:
	for (int i = 0; i < nworkers; i++)
		worker_free(&w[i]);
	free(res);
	free(batch);
	free(hdr);
	return err;
}

/*
 * What a wanted record must carry: an upgrade source's name, or for an
 * installer event of ours, "MsiInstaller" and the product's name (in its
 * own Data strings).
 */
static struct prefilter *
ingest_prefilter(const struct au_ingest_opts *opts, int installs, int related)
{
	static const char *const msi_aad[] = { "MsiInstaller", "Azure AD Connect", NULL };
	static const char *const msi_entra[] = { "MsiInstaller", "Entra Connect", NULL };
	/* ingest_is_related_provider's names. */
	static const char *const rel[][2] = {
		{ "Agent Updater", NULL }, { "Entra Connect", NULL }, { "AD Connect", NULL }
	};
	const char *const **rules, **names;
	struct prefilter *pf;
	size_t n = 0;

	rules = xcalloc(opts->nsources + 5, sizeof(*rules));
	names = xcalloc(2 * opts->nsources, sizeof(*names));
	for (size_t i = 0; i < opts->nsources; i++) {
		names[2 * i] = opts->sources[i];
		rules[n++] = &names[2 * i];
	}
	if (opts->installs && installs) {
		rules[n++] = msi_aad;
		rules[n++] = msi_entra;
	}
	if (related)
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
			rules[n++] = rel[i];
	pf = prefilter_new(rules, n);
	free(rules);
	free(names);
	return pf;
}

struct au_error *
ingest_file(const char *path, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st)
{
	struct au_error *err = NULL;
	struct prefilter *pf = NULL;
	struct damage dmg;
	struct digest dg = { NULL, 0 };
	int fd = -1, fallback = 1;

	memset(&dmg, 0, sizeof(dmg));
	if ((err = precheck(path, st)) != NULL)
		goto done;
	if (opts->hash) {
		dg.md = EVP_MD_CTX_new();
		if (dg.md == NULL ||
		    EVP_DigestInit_ex(dg.md, EVP_sha256(), NULL) != 1) {
			err = au_error_new(AU_ERR_INTERNAL, path,
			    "cannot set up SHA-256 (libcrypto)");
			goto done;
		}
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		err = au_error_errno(AU_ERR_INPUT, path, errno, "cannot open");
		goto done;
	}
	if (!opts->naive)
		pf = ingest_prefilter(opts, sink->install != NULL,
		    sink->related != NULL);
	if (pf != NULL &&
	    (err = ingest_fast(path, fd, pf, opts, sink, st, &dmg, &dg,
	    &fallback)) != NULL)
		goto done;
	if (fallback) {
		memset(&dmg, 0, sizeof(dmg));
		if (dg.md != NULL)
			EVP_DigestInit_ex(dg.md, EVP_sha256(), NULL);
		dg.complete = 0;
		/* The check (and digest) first: it holds even when libevtx cannot open the file. */
		if ((err = damage_scan(path, fd, &dmg, &dg)) != NULL)
			goto done;
		if ((err = ingest_whole(path, opts, sink, st)) != NULL)
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
	if (dg.md != NULL && dg.complete) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		if (EVP_DigestFinal_ex(dg.md, md, &mdlen) == 1 && mdlen == 32)
			for (unsigned int i = 0; i < 32; i++)
				snprintf(st->sha256 + 2 * i, 3, "%02x", md[i]);
	}
	EVP_MD_CTX_free(dg.md);
	if (err != NULL && err->kind == AU_ERR_INPUT && st->errors == NULL)
		au_file_stats_add_error(st, err->msg);
	if (fd != -1)
		close(fd);
	prefilter_free(pf);
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
