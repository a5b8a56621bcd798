/* ingest.c: reads .evtx files with libevtx and picks out upgrade and installer events: records, chunks, damage; the fast path is ingest-fast.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libevtx.h>
#include <libdeflate.h>
#include <openssl/evp.h>

#include "binxml.h"
#include "evtxml.h"
#include "install.h"
#include "ingest.h"
#include "ingest-int.h"
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

/*
 * Hands a record read into x on to the sink, as an upgrade event or an
 * install (x's strings are taken). provider is the name the record was
 * matched by (freed here); x.computer and x.time are set.
 */
static struct au_error *
deliver(struct evtxml *x, char *provider, int upgrade, uint32_t event_id,
    uint64_t record_id, int recovered, const struct au_ingest_sink *sink,
    struct au_file_stats *st)
{
	struct au_error *err = NULL;
	struct au_event *ev;
	struct au_install *in;

	if (upgrade) {
		ev = xcalloc(1, sizeof(*ev));
		ev->time = x->time;
		ev->record_id = record_id;
		ev->event_id = event_id;
		ev->qualifiers = x->qualifiers;
		ev->level = x->level;
		ev->recovered = recovered;
		ev->provider = x->provider != NULL ? x->provider : provider;
		if (ev->provider == provider)
			provider = NULL;
		x->provider = NULL;
		ev->host = x->computer;
		x->computer = NULL;
		ev->channel = x->channel;
		x->channel = NULL;
		ev->message = join_strings(x->data, x->ndata);
		st->matched++;
		if (sink->prepare != NULL)
			sink->prepare(ev);
		err = sink->event(sink->arg, ev);
	} else {
		in = install_classify(provider, event_id, x->time, x->computer,
		    record_id, x->data, x->ndata, NULL);
		if (in != NULL) {
			st->installs++;
			err = sink->install(sink->arg, in);
		}
	}
	free(provider);
	return err;
}

/* A wanted record libevtx cannot render: on retry for binxml.c, or unreadable. */
static void
unrenderable(libevtx_record_t *rec, int recovered, struct retry *retry,
    struct au_file_stats *st)
{
	uint64_t id;

	if (retry != NULL && !recovered && retry->n < RETRY_MAX &&
	    libevtx_record_get_identifier(rec, &id, NULL) == 1)
		retry->id[retry->n++] = id;
	else
		st->corrupt++;
}

/* See ingest-int.h. */
struct au_error *
retry_chunk(const uint8_t *c, struct retry *retry, struct binxml_cache *bx,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st)
{
	struct au_error *err = NULL;
	uint32_t *off, end;
	uint64_t first = le64(c + 24), last = le64(c + 32);
	size_t n, i, k;

	/* Only a chunk whose header covers one of them is walked. */
	for (k = 0; k < retry->n; k++)
		if (retry->id[k] >= first && retry->id[k] <= last)
			break;
	if (k == retry->n)
		return NULL;
	off = xmalloc(CHUNK_MAX_RECORDS * sizeof(*off));
	n = chunk_walk(c, EVTX_CHUNK_SIZE, off, &end);
	binxml_cache_reset(bx);
	for (i = 0; i < n && err == NULL && retry->n > 0; i++) {
		uint64_t id = le64(c + off[i] + 8);

		for (k = 0; k < retry->n && retry->id[k] != id; k++)
			;
		if (k == retry->n)
			continue;
		if (!ingest_binxml(c, EVTX_CHUNK_SIZE, off[i], bx, 0, opts, sink, st, &err))
			continue;
		retry->id[k] = retry->id[--retry->n];
	}
	free(off);
	return err;
}

void
retry_give_up(struct retry *retry, struct au_file_stats *st)
{
	st->corrupt += retry->n;
	retry->n = 0;
}

struct au_error *
ingest_record(libevtx_record_t *rec, int recovered,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st, struct retry *retry)
{
	struct au_error *err = NULL;
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
		unrenderable(rec, recovered, retry, st);
		goto done;
	}
	xml = xmalloc(xml_size);
	if (libevtx_record_get_utf8_xml_string(rec, (uint8_t *)xml, xml_size,
	    NULL) != 1 || !evtxml_parse(xml, &x)) {
		unrenderable(rec, recovered, retry, st);
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
	err = deliver(&x, provider, upgrade, event_id, record_id, recovered, sink, st);
	provider = NULL;
done:
	free(provider);
	free(xml);
	free_strings(strings, nstrings);
	evtxml_clear(&x);
	return err;
}

/* See ingest-int.h. */
int
ingest_binxml(const uint8_t *chunk, size_t len, size_t off, struct binxml_cache *bx,
    int recovered, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st,
    struct au_error **err)
{
	struct evtxml x;
	const char *source;
	uint64_t header_id = le64(chunk + off + 8);
	int upgrade, installer;

	*err = NULL;
	if (!binxml_record(chunk, len, off, bx, &x))
		return 0;
	/* libevtx's source name, which ingest_record matches on. */
	source = x.source_name != NULL ? x.source_name : x.provider;
	if (source == NULL) {
		evtxml_clear(&x);
		return 0;
	}
	upgrade = source_matches(opts, source);
	installer = opts->installs && sink->install != NULL &&
	    strcasecmp(source, "MsiInstaller") == 0;
	if ((upgrade || installer) && !x.has_event_data) {
		/* <UserData> and the like: libevtx's strings are wanted. */
		evtxml_clear(&x);
		return 0;
	}
	if (recovered) {
		st->records++;
		st->recovered++;
		au_file_stats_note_host(st, x.computer != NULL ? x.computer : "",
		    x.time, x.has_record_id ? x.record_id : header_id);
	}
	upgrade = upgrade && x.event_id >= opts->id_min && x.event_id <= opts->id_max;
	installer = installer && install_event_id(x.event_id);
	if (!upgrade && !installer) {
		if (sink->related != NULL && ingest_is_related_provider(source)) {
			struct au_related rel;

			rel.host = x.computer != NULL ? x.computer : "";
			rel.provider = source;
			rel.event_id = x.event_id & 0xffff;
			rel.time = x.time;
			rel.record_id = header_id;
			*err = sink->related(sink->arg, &rel);
		}
		evtxml_clear(&x);
		return 1;
	}
	if (x.computer == NULL)
		x.computer = xstrdup("");
	*err = deliver(&x, xstrdup(source), upgrade, x.event_id,
	    x.has_record_id ? x.record_id : header_id, recovered, sink, st);
	evtxml_clear(&x);
	return 1;
}

/* See ingest-int.h. */
struct au_error *
chunk_read_on(const uint8_t *c, struct binxml_cache *bx,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st)
{
	struct au_error *err = NULL;
	uint32_t *off = xmalloc(CHUNK_MAX_RECORDS * sizeof(*off)), end;
	uint32_t free_off = le32(c + 48);
	uint64_t first = le64(c + 24);
	uint8_t seen[CHUNK_MAX_RECORDS / 8 + 1];
	size_t n = chunk_walk(c, EVTX_CHUNK_SIZE, off, &end), j = 0;

	/* What libevtx read: the records of the walk, by identifier. */
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < n; i++) {
		uint64_t id = le64(c + off[i] + 8) - first;
		if (id < CHUNK_MAX_RECORDS)
			seen[id / 8] |= (uint8_t)(1u << (id % 8));
	}
	if (free_off > EVTX_CHUNK_SIZE)
		free_off = EVTX_CHUNK_SIZE;
	binxml_cache_reset(bx);
	/*
	 * Every other record header in the records' part of the chunk, on
	 * the 8-byte boundaries records keep: a signature, a size that fits,
	 * an identifier of this chunk not read yet (one swallowed by the
	 * record before it keeps its own header).
	 */
	for (size_t at = EVTX_CHUNK_HEADER_SIZE; at + 28 <= free_off && err == NULL; at += 8) {
		uint32_t size;
		uint64_t id;

		while (j < n && off[j] < at)
			j++;
		if (j < n && off[j] == at)
			continue;
		if (memcmp(c + at, "**\0\0", 4) != 0)
			continue;
		size = le32(c + at + 4);
		id = le64(c + at + 8) - first;
		if (size < 28 || size > free_off - at || id >= CHUNK_MAX_RECORDS ||
		    (seen[id / 8] & (1u << (id % 8))) != 0)
			continue;
		seen[id / 8] |= (uint8_t)(1u << (id % 8));
		if (!ingest_binxml(c, EVTX_CHUNK_SIZE, at, bx, 1, opts, sink, st, &err))
			st->corrupt++;   /* only libevtx could read it, and it does not */
	}
	free(off);
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
struct au_error *
read_records(libevtx_file_t *file, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st, struct retry *retry)
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
		err = ingest_record(rec, 0, opts, sink, st, retry);
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
		err = ingest_record(rec, 1, opts, sink, st, NULL);
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
struct au_error *
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

void
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
    const struct au_ingest_sink *sink, struct au_file_stats *st, struct retry *retry)
{
	struct au_error *err = NULL;
	libevtx_file_t *file = NULL;
	uint32_t flags = 0;

	if ((err = evtx_open(path, path, -1, &file)) != NULL)
		return err;
	if (libevtx_file_get_flags(file, &flags, NULL) == 1)
		st->dirty = (flags & LIBEVTX_FILE_FLAG_IS_DIRTY) != 0;
	err = read_records(file, opts, sink, st, retry);
	evtx_close(&file);
	return err;
}

/* See ingest-int.h. */
size_t
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

static int
all_zero(const uint8_t *p, size_t len)
{
	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

int
slack_empty(const uint8_t *c)
{
	uint32_t free_off = le32(c + 48);

	if (free_off < EVTX_CHUNK_HEADER_SIZE || free_off >= EVTX_CHUNK_SIZE)
		return 1;
	return all_zero(c + free_off, EVTX_CHUNK_SIZE - free_off);
}

/*
 * Whether the records of a chunk whose checksums hold are what its header
 * says: one after another from offset 512 to the free-space offset, each
 * with its signature and its size repeated at its end, record identifiers
 * counting up from the header's first to its last, the last one where the
 * header says. A record's header damaged and the checksums made good
 * again (what log-tampering tools leave: a signature overwritten, a size
 * changed, a record swallowed by the one before it) makes libevtx stop
 * reading the chunk there without an error; this tells.
 */
static int
chunk_records_hold(const uint8_t *c)
{
	uint64_t first = le64(c + 24), last = le64(c + 32), id = first;
	uint32_t last_off = le32(c + 44), free_off = le32(c + 48);
	size_t at = EVTX_CHUNK_HEADER_SIZE, prev = 0;

	if (free_off <= EVTX_CHUNK_HEADER_SIZE)
		return 1;   /* no records */
	while (at < free_off) {
		uint32_t size;

		if (free_off - at < 28 || memcmp(c + at, "**\0\0", 4) != 0)
			return 0;
		size = le32(c + at + 4);
		if (size < 28 || size > free_off - at ||
		    le32(c + at + size - 4) != size || le64(c + at + 8) != id)
			return 0;
		prev = at;
		at += size;
		id++;
	}
	return prev == last_off && id - 1 == last;
}

enum chunk_state
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
	if (crc != le32(c + 52))
		return CHUNK_BAD_CRC;
	return chunk_records_hold(c) ? CHUNK_OK : CHUNK_RECORDS;
}

void
damage_note(struct damage *d, enum chunk_state cs, uint64_t k)
{
	size_t len = strlen(d->where);

	switch (cs) {
	case CHUNK_BAD_MAGIC: d->bad_magic++; break;
	case CHUNK_PARTIAL:   d->partial++; break;
	case CHUNK_BAD_CRC:   d->bad_crc++; break;
	case CHUNK_RECORDS:   d->records++; break;
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
	if (d->bad_magic + d->partial + d->bad_crc + d->records == 0)
		return;
	st->file_corrupted = 1;
	m = xasprintf("damaged: chunk%s %s%s%s%s%s",
	    d->bad_magic + d->partial + d->bad_crc + d->records > 1 ? "s" : "", d->where,
	    d->bad_crc ? " (checksum mismatch)" : "",
	    d->bad_magic ? " (bad signature)" : "",
	    d->partial ? " (cut short: the file is truncated)" : "",
	    d->records ? " (records do not follow the chunk header, though its"
	    " checksums hold: tampered?)" : "");
	au_file_stats_add_error(st, m);
	free(m);
}

void
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

/*
 * The naive path's second look, at the chunks that need one: those whose
 * records do not follow their header (chunk_read_on, with --recovered),
 * and those holding records on retry.
 */
static struct au_error *
read_again(const char *path, int fd, int read_on, struct retry *retry,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st)
{
	struct au_error *err = NULL;
	struct binxml_cache *bx = binxml_cache_new();
	uint8_t *buf = xmalloc(EVTX_CHUNK_SIZE);
	ssize_t n = 0;

	for (uint64_t k = 0; err == NULL && (read_on || retry->n > 0); k++) {
		enum chunk_state cs;

		n = pread(fd, buf, EVTX_CHUNK_SIZE,
		    EVTX_FILE_HEADER_SIZE + (off_t)k * EVTX_CHUNK_SIZE);
		if (n <= 0)
			break;
		cs = chunk_check(buf, (size_t)n);
		if (cs != CHUNK_OK && cs != CHUNK_RECORDS)
			continue;
		if (retry->n > 0)
			err = retry_chunk(buf, retry, bx, opts, sink, st);
		if (err == NULL && read_on && cs == CHUNK_RECORDS)
			err = chunk_read_on(buf, bx, opts, sink, st);
	}
	if (err == NULL && n == -1)
		err = au_error_errno(AU_ERR_INPUT, path, errno, "read failed");
	free(buf);
	binxml_cache_free(bx);
	return err;
}

struct au_error *
ingest_file(const char *path, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st)
{
	struct au_error *err = NULL;
	struct prefilter *pf = NULL;
	struct damage dmg;
	struct digest dg = { NULL, 0 };
	struct retry retry;
	int fd = -1, fallback = 1, read_on;

	memset(&dmg, 0, sizeof(dmg));
	retry.n = 0;
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
		if ((err = ingest_whole(path, opts, sink, st, &retry)) != NULL)
			goto done;
		read_on = dmg.records > 0 && opts->recovered;
		if ((retry.n > 0 || read_on) &&
		    (err = read_again(path, fd, read_on, &retry, opts, sink, st)) != NULL)
			goto done;
		retry_give_up(&retry, st);
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
