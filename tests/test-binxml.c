/* test-binxml.c: the binary-XML reader against libevtx's rendering, read by evtxml, on every record of the fixtures and the corpus. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libevtx.h>

#include "binxml.h"
#include "evtxml.h"
#include "ingest-int.h"

/*
 * For each record both readers read, every field the ingest uses must be
 * the same. Where the binary reader gives up (returns 0), libevtx reads
 * the record in the tool too, so that is counted, not failed; but on the
 * fixtures (written the way Windows writes) it must not give up at all,
 * or the fast path would not be what runs.
 */

static unsigned long compared, gave_up, failed, files;

struct rec {
	uint64_t id;
	uint64_t chunk;
	uint32_t off;
	int used;
};

static int
by_id(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
mismatch(const char *path, uint64_t id, const char *what)
{
	failed++;
	if (failed <= 40 || getenv("BINXML_VERBOSE") != NULL)
		printf("FAIL: %s: record %llu: %s differs\n", path,
		    (unsigned long long)id, what);
}

static void
compare(const char *path, uint64_t id, const struct evtxml *a,
    const struct evtxml *b, const char *source)
{
	compared++;
	if (!same_str(a->provider, b->provider))
		mismatch(path, id, "provider");
	/* The ingest matches on libevtx's source name: it must be the Provider Name. */
	if (!same_str(a->source_name, b->source_name))
		mismatch(path, id, "EventSourceName");
	if (!same_str(a->source_name != NULL ? a->source_name : a->provider, source))
		mismatch(path, id, "provider (libevtx source name)");
	if (!same_str(a->channel, b->channel))
		mismatch(path, id, "channel");
	if (!same_str(a->computer, b->computer))
		mismatch(path, id, "computer");
	if (a->has_event_id != b->has_event_id || a->event_id != b->event_id)
		mismatch(path, id, "event ID");
	if (a->qualifiers != b->qualifiers)
		mismatch(path, id, "qualifiers");
	if (a->has_level != b->has_level || a->level != b->level)
		mismatch(path, id, "level");
	if (a->has_record_id != b->has_record_id || a->record_id != b->record_id)
		mismatch(path, id, "EventRecordID");
	if (a->has_time != b->has_time || a->time != b->time)
		mismatch(path, id, "time");
	if (a->has_event_data != b->has_event_data)
		mismatch(path, id, "EventData");
	if (a->ndata != b->ndata)
		mismatch(path, id, "number of Data");
	else
		for (size_t i = 0; i < a->ndata; i++)
			if (!same_str(a->data[i], b->data[i])) {
				mismatch(path, id, "Data text");
				if (getenv("BINXML_VERBOSE") != NULL)
					printf("  binxml [%s]\n  libevtx [%s]\n",
					    a->data[i] ? a->data[i] : "(null)",
					    b->data[i] ? b->data[i] : "(null)");
				break;
			}
}

static char *
utf8_source(libevtx_record_t *rec)
{
	size_t sz = 0;
	char *s;

	if (libevtx_record_get_utf8_source_name_size(rec, &sz, NULL) != 1 || sz == 0)
		return NULL;
	s = malloc(sz);
	if (s != NULL && libevtx_record_get_utf8_source_name(rec, (uint8_t *)s, sz,
	    NULL) != 1) {
		free(s);
		s = NULL;
	}
	return s;
}

/* Every record our chunk walk finds, by its header's record ID. */
static struct rec *
walk_file(int fd, off_t size, size_t *nrec)
{
	static uint8_t chunk[EVTX_CHUNK_SIZE];
	static uint32_t off[CHUNK_MAX_RECORDS];
	struct rec *v = NULL;
	size_t n = 0, cap = 0;
	uint32_t end;

	for (uint64_t k = 0; EVTX_FILE_HEADER_SIZE + (k + 1) * EVTX_CHUNK_SIZE <=
	    (uint64_t)size; k++) {
		size_t m;

		if (pread(fd, chunk, EVTX_CHUNK_SIZE, (off_t)(EVTX_FILE_HEADER_SIZE +
		    k * EVTX_CHUNK_SIZE)) != EVTX_CHUNK_SIZE)
			break;
		if (chunk_check(chunk, EVTX_CHUNK_SIZE) != CHUNK_OK)
			continue;
		m = chunk_walk(chunk, EVTX_CHUNK_SIZE, off, &end);
		for (size_t j = 0; j < m; j++) {
			if (n == cap) {
				cap = cap ? 2 * cap : 1024;
				v = realloc(v, cap * sizeof(*v));
				if (v == NULL)
					abort();
			}
			v[n].id = le64(chunk + off[j] + 8);
			v[n].chunk = k;
			v[n].off = off[j];
			v[n].used = 0;
			n++;
		}
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), by_id);
	*nrec = n;
	return v;
}

static void
test_file(const char *path, int must_read)
{
	static uint8_t chunk[EVTX_CHUNK_SIZE];
	struct binxml_cache *bx = binxml_cache_new();
	libevtx_file_t *file = NULL;
	struct rec *v, key;
	size_t nv = 0;
	uint64_t loaded = UINT64_MAX;
	unsigned long up_before = gave_up;
	struct stat sb;
	int fd, nrec = 0;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		printf("FAIL: %s: cannot open\n", path);
		failed++;
		if (fd >= 0)
			close(fd);
		binxml_cache_free(bx);
		return;
	}
	files++;
	v = walk_file(fd, sb.st_size, &nv);
	if (libevtx_file_initialize(&file, NULL) != 1 ||
	    libevtx_file_open(file, path, LIBEVTX_OPEN_READ, NULL) != 1 ||
	    libevtx_file_get_number_of_records(file, &nrec, NULL) != 1)
		nrec = 0;
	for (int i = 0; i < nrec; i++) {
		libevtx_record_t *rec = NULL;
		struct evtxml a, b;
		struct rec *r;
		size_t xsz = 0;
		char *xml = NULL, *source;
		uint64_t id;
		int got;

		if (libevtx_file_get_record_by_index(file, i, &rec, NULL) != 1)
			continue;
		if (libevtx_record_get_identifier(rec, &id, NULL) != 1) {
			libevtx_record_free(&rec, NULL);
			continue;
		}
		key.id = id;
		r = nv ? bsearch(&key, v, nv, sizeof(*v), by_id) : NULL;
		/* A record ID twice in the file: which is which is not known. */
		if (r == NULL || (r > v && r[-1].id == id) ||
		    (r + 1 < v + nv && r[1].id == id)) {
			libevtx_record_free(&rec, NULL);
			continue;
		}
		if (r->chunk != loaded) {
			if (pread(fd, chunk, EVTX_CHUNK_SIZE, (off_t)(EVTX_FILE_HEADER_SIZE +
			    r->chunk * EVTX_CHUNK_SIZE)) != EVTX_CHUNK_SIZE)
				abort();
			loaded = r->chunk;
			binxml_cache_reset(bx);
		}
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		got = binxml_record(chunk, EVTX_CHUNK_SIZE, r->off, bx, &a);
		if (libevtx_record_get_utf8_xml_string_size(rec, &xsz, NULL) == 1 &&
		    xsz > 0 && (xml = malloc(xsz)) != NULL &&
		    libevtx_record_get_utf8_xml_string(rec, (uint8_t *)xml, xsz,
		    NULL) == 1 && evtxml_parse(xml, &b)) {
			source = utf8_source(rec);
			if (got)
				compare(path, id, &a, &b, source);
			else
				gave_up++;
			free(source);
		} else if (got) {
			/* libevtx could not render it: nothing to compare with. */
			compared++;
		}
		evtxml_clear(&a);
		evtxml_clear(&b);
		free(xml);
		libevtx_record_free(&rec, NULL);
	}
	if (must_read && gave_up != up_before) {
		printf("FAIL: %s: the binary reader gave up on %lu records\n", path,
		    gave_up - up_before);
		failed++;
	}
	if (nrec == 0 && nv > 0 && must_read) {
		printf("FAIL: %s: libevtx read no records\n", path);
		failed++;
	}
	libevtx_file_close(file, NULL);
	libevtx_file_free(&file, NULL);
	binxml_cache_free(bx);
	free(v);
	close(fd);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
test_dir(const char *dir, int must_read)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		if (ends_with(ents[i]->d_name, ".evtx")) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			test_file(path, must_read);
		}
		free(ents[i]);
	}
	free(ents);
	return 1;
}

int
main(void)
{
	const char *srcdir = getenv("srcdir"), *corpus = getenv("AU_CORPUS");
	char path[4096];
	unsigned long fixture_compared;

	if (srcdir == NULL)
		srcdir = ".";
	snprintf(path, sizeof(path), "%s/fixtures", srcdir);
	if (!test_dir(path, 1)) {
		printf("FAIL: no fixtures in %s\n", path);
		return 1;
	}
	fixture_compared = compared;
	if (fixture_compared < 100) {
		printf("FAIL: only %lu fixture records compared\n", fixture_compared);
		failed++;
	}
	if (corpus == NULL) {
		snprintf(path, sizeof(path), "%s/../shared/corpus", srcdir);
		corpus = path;
	}
	if (!test_dir(corpus, 0))
		printf("# corpus not found (%s): fixtures only\n", corpus);
	printf("# %lu files, %lu records compared (%lu in the fixtures), "
	    "%lu left to libevtx, %lu mismatches\n", files, compared,
	    fixture_compared, gave_up, failed);
	return failed == 0 ? 0 : 1;
}
