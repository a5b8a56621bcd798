/* ingest-fast.c: the fast path: chunks read in batches by two threads, the prefilter's candidates decoded by libevtx, the rest counted from the bytes. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libdeflate.h>
#include <libevtx.h>

#include "binxml.h"
#include "ingest-int.h"
#include "xmalloc.h"

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
	struct binxml_cache *bx;       /* template plans of the chunk being read */
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

/* Forgets the events, installs and related events collected so far from a chunk. */
static void
chunk_records_undo(struct chunk_result *r)
{
	for (size_t i = 0; i < r->nev; i++)
		au_event_free(r->ev[i]);
	for (size_t i = 0; i < r->nin; i++)
		au_install_free(r->in[i]);
	chunk_related_clear(r);
	r->nev = r->nin = 0;
}

/*
 * The wanted records read from their binary XML (binxml.h), in record
 * order; 0 when one of them has to be read by libevtx, and nothing was
 * kept.
 */
static int
chunk_binxml(struct chunk_worker *w, struct chunk_result *r,
    const struct au_ingest_sink *sink, const uint8_t *wanted, size_t n)
{
	struct au_file_stats st;

	memset(&st, 0, sizeof(st));
	binxml_cache_reset(w->bx);
	for (size_t j = 0; j < n; j++) {
		if (!wanted[j])
			continue;
		if (!ingest_binxml(w->chunk, EVTX_CHUNK_SIZE, w->off[j], w->bx, 0,
		    w->opts, sink, &st, &r->err)) {
			chunk_records_undo(r);
			return 0;
		}
		if (r->err != NULL)
			break;
	}
	r->records += n;
	r->matched += st.matched;
	r->installs += st.installs;
	return 1;
}

static void
chunk_result_clear(struct chunk_result *r)
{
	chunk_records_undo(r);
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
	struct retry retry;
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
	if (chunk_binxml(w, r, sink, wanted, n)) {
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
	retry.n = 0;
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
		r->err = ingest_record(rec, 0, w->opts, sink, &st, &retry);
		libevtx_record_free(&rec, NULL);
	}
	if (r->err == NULL)
		r->err = retry_chunk(w->chunk, &retry, w->bx, w->opts, sink, &st);
	retry_give_up(&retry, &st);
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
	struct retry retry;
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
		chunk_records_undo(r);
		r->records = r->corrupt = 0;
		au_file_stats_clear(&r->hosts);
	}
	/*
	 * A damaged chunk, or --recovered with something in the slack:
	 * libevtx reads the whole chunk and judges every record itself.
	 */
	if ((r->err = worker_open(w, w->chunk, w->k, &file)) != NULL)
		return;
	retry.n = 0;
	r->err = read_records(file, w->opts, &sink, &st, &retry);
	evtx_close(&file);
	if (r->err == NULL && retry.n > 0)
		r->err = retry_chunk(w->chunk, &retry, w->bx, w->opts, &sink, &st);
	retry_give_up(&retry, &st);
	if (r->err == NULL && r->cs == CHUNK_RECORDS && w->opts->recovered)
		r->err = chunk_read_on(w->chunk, w->bx, w->opts, &sink, &st);
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
	w->bx = binxml_cache_new();
	w->memfd = -1;
}

static void
worker_free(struct chunk_worker *w)
{
	free(w->off);
	free(w->pos);
	free(w->id);
	binxml_cache_free(w->bx);
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
 * results are handed on in file order. An irregular file header (but for
 * its checksum) sends the whole file down the naive path instead.
 */
struct au_error *
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
	if (n != EVTX_FILE_HEADER_SIZE || le32(hdr + 32) != 128 || hdr[36] != 1 ||
	    hdr[38] != 3 || (le32(hdr + 120) & ~3u) != 0) {
		*fallback = 1;
		goto done;
	}
	/*
	 * A header whose checksum does not hold: reported as damage, but the
	 * chunks stand on their own (each has its own checksums), and the
	 * memory files get a header made good below, so that a header libevtx
	 * refuses (its block size damaged, say) still gives its chunks.
	 */
	if (crc != le32(hdr + 124))
		dmg->header_crc = 1;
	st->dirty = (le32(hdr + 120) & 1) != 0;
	/* The header the one-chunk memory files carry. */
	memset(hdr + 8, 0, 16);      /* first and last chunk number */
	hdr[40] = 0x00;              /* header block size: 4096, whatever the file says */
	hdr[41] = 0x10;
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
struct prefilter *
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

