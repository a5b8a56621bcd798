/* ingest-fast.c: the fast path: chunks read by two threads, handed on in file order; the prefilter's candidates decoded (binxml.c, else libevtx), the rest counted from the bytes. */
#include <errno.h>
#include <stddef.h>
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

/*
 * Memory a slot lends its events when the sink keeps none of them (struct
 * au_ingest_sink.keeps_no_events): blocks used again from chunk to chunk,
 * so that an event costs no malloc or free of its own, and above all no
 * free on the storing thread of memory the reading thread allocated
 * (glibc then takes the reading thread's arena lock: 0.2 s for a
 * collector log's 200,000 events).
 */
#define LEND_BLOCK 65536
struct lend_block {
	struct lend_block *next;
	size_t used, size;
	_Alignas(max_align_t) unsigned char data[];
};
struct lend {
	struct lend_block *used;       /* newest first */
	struct lend_block *spare;      /* emptied, to be used again */
};

static void *
lend_alloc(void *arg, size_t n)
{
	struct lend *l = arg;
	struct lend_block *b = l->used;
	size_t at;

	n = (n + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
	if (b == NULL || b->size - b->used < n) {
		if (n <= LEND_BLOCK && l->spare != NULL) {
			b = l->spare;
			l->spare = b->next;
		} else {
			size_t size = n > LEND_BLOCK ? n : LEND_BLOCK;

			b = xmalloc(sizeof(*b) + size);
			b->size = size;
		}
		b->used = 0;
		b->next = l->used;
		l->used = b;
	}
	at = b->used;
	b->used += n;
	return b->data + at;
}

/* Takes back what was lent: blocks of the usual size are kept for the next chunk. */
static void
lend_reset(struct lend *l)
{
	while (l->used != NULL) {
		struct lend_block *b = l->used;

		l->used = b->next;
		if (b->size == LEND_BLOCK) {
			b->next = l->spare;
			l->spare = b;
		} else
			free(b);
	}
}

static void
lend_free(struct lend *l)
{
	lend_reset(l);
	while (l->spare != NULL) {
		struct lend_block *b = l->spare;

		l->spare = b->next;
		free(b);
	}
}

struct chunk_result {
	void (*prepare)(struct au_event *ev);   /* the outer sink's, see collect_event */
	struct lend *lend;            /* the slot's, or NULL: events are malloc'ed */
	enum chunk_state cs;
	uint64_t records, recovered, corrupt, matched, installs;
	struct au_event **ev;
	size_t nev, ev_cap;
	struct au_install **in;
	size_t nin, in_cap;
	struct chunk_related *rel;    /* related providers' events, see struct au_related */
	size_t nrel, rel_cap;
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
	struct chunk_ring *ring;       /* the chunks this worker takes its turns from */
	void (*prepare)(struct au_event *ev);   /* the sink's, see struct au_ingest_sink */
};

static struct au_error *
collect_event(void *arg, struct au_event *ev)
{
	struct chunk_result *r = arg;

	/*
	 * Completed and packed into one allocation on this (the reading)
	 * thread: the thread that stores it frees one block, not seven (frees
	 * across threads take the other thread's malloc arena lock).
	 */
	if (r->prepare != NULL)
		r->prepare(ev);
	ev = au_event_pack(ev, r->lend != NULL ? lend_alloc : NULL, r->lend);
	if (r->nev == r->ev_cap) {
		r->ev_cap = r->ev_cap ? 2 * r->ev_cap : 64;
		r->ev = xreallocarray(r->ev, r->ev_cap, sizeof(*r->ev));
	}
	r->ev[r->nev++] = ev;
	return NULL;
}

static struct au_error *
collect_install(void *arg, struct au_install *in)
{
	struct chunk_result *r = arg;

	if (r->nin == r->in_cap) {
		r->in_cap = r->in_cap ? 2 * r->in_cap : 8;
		r->in = xreallocarray(r->in, r->in_cap, sizeof(*r->in));
	}
	r->in[r->nin++] = in;
	return NULL;
}

static struct au_error *
collect_related(void *arg, const struct au_related *rel)
{
	struct chunk_result *r = arg;
	struct chunk_related *c;

	if (r->nrel == r->rel_cap) {
		r->rel_cap = r->rel_cap ? 2 * r->rel_cap : 8;
		r->rel = xreallocarray(r->rel, r->rel_cap, sizeof(*r->rel));
	}
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

/* Reads chunk k of the file, its len bytes (short at the end of the file) at buf, into r. */
static void
chunk_process(struct chunk_worker *w, uint64_t k, uint8_t *buf, size_t len,
    struct chunk_result *r)
{
	struct au_ingest_sink sink = { .event = collect_event,
	    .install = collect_install, .arg = r, .related = collect_related };
	struct au_file_stats st;
	struct retry retry;
	libevtx_file_t *file = NULL;
	size_t nrec;
	uint32_t end;
	int match = 0;

	memset(&st, 0, sizeof(st));
	r->prepare = w->prepare;   /* r->lend: set by the caller */
	w->chunk = buf;
	w->k = k;
	r->cs = chunk_check(w->chunk, len);
	if (r->cs == CHUNK_UNUSED)
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

/*
 * The chunks in flight: a worker takes the next RING_GROUP chunk numbers,
 * reads each chunk into its slot (one 64 KiB read: the bytes are still in
 * the cache when the chunk is searched) and reads its records; the calling
 * thread takes the slots in file order, hashes their bytes and hands
 * their events on, and while the next one is not ready it takes chunks
 * itself, as a worker. A slot is taken again only once it has been handed
 * on, so memory holds RING_SLOTS chunks and their events, whatever the
 * size of the file. Threads sleep (and are woken) only when one waits for
 * another.
 */
#define RING_SLOTS 32
#define RING_GROUP 4
#define MAX_WORKERS 2

struct chunk_slot {
	uint8_t *buf;
	size_t len;                    /* bytes read: short at the end of the file */
	int ready;                     /* read and decoded, not yet handed on */
	int read_errno;                /* the read failed (errno), or 0 */
	struct chunk_result res;
	struct lend lend;              /* its events' memory, see struct lend */
};

struct chunk_ring {
	pthread_mutex_t mu;
	pthread_cond_t ready;          /* the slot the caller waits for is ready */
	pthread_cond_t room;           /* slots were handed on, or stop */
	int fd;
	uint64_t nchunks;
	uint64_t next;                 /* the next chunk to take */
	uint64_t done;                 /* chunks handed on, in file order */
	uint64_t want;                 /* the chunk the caller waits for */
	int caller_waits, workers_wait;
	int stop;                      /* the file stops here: take no more */
	int lend;                      /* the sink keeps no events: slots lend their memory */
	struct chunk_slot slot[RING_SLOTS];
};

/* Reads chunk k into its slot: len bytes, short at the end of the file. */
static void
slot_read(struct chunk_ring *ring, struct chunk_slot *sl, uint64_t k)
{
	off_t at = (off_t)(EVTX_FILE_HEADER_SIZE + k * EVTX_CHUNK_SIZE);
	size_t got = 0;

	sl->read_errno = 0;
	while (got < EVTX_CHUNK_SIZE) {
		ssize_t r = pread(ring->fd, sl->buf + got, EVTX_CHUNK_SIZE - got,
		    at + (off_t)got);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			sl->read_errno = errno;
			break;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	sl->len = got;
	memset(sl->buf + got, 0, EVTX_CHUNK_SIZE - got);
}

/*
 * Takes the next group of chunks when the ring has room for it (mutex
 * held): *k its first, returns how many (0: none now, or none left).
 */
static uint64_t
ring_take(struct chunk_ring *ring, uint64_t *k)
{
	uint64_t n = ring->nchunks - ring->next;

	if (ring->stop || n == 0)
		return 0;
	if (n > RING_GROUP)
		n = RING_GROUP;
	if (ring->next + n > ring->done + RING_SLOTS)
		return 0;
	*k = ring->next;
	ring->next += n;
	return n;
}

/* Reads and decodes chunks k..k+n-1 (taken by ring_take), then marks them ready (mutex held on return). */
static void
ring_fill(struct chunk_ring *ring, struct chunk_worker *w, uint64_t k, uint64_t n)
{
	pthread_mutex_unlock(&ring->mu);
	for (uint64_t i = k; i < k + n; i++) {
		struct chunk_slot *sl = &ring->slot[i % RING_SLOTS];

		slot_read(ring, sl, i);
		sl->res.lend = ring->lend ? &sl->lend : NULL;
		if (sl->read_errno == 0)
			chunk_process(w, i, sl->buf, sl->len, &sl->res);
	}
	pthread_mutex_lock(&ring->mu);
	for (uint64_t i = k; i < k + n; i++)
		ring->slot[i % RING_SLOTS].ready = 1;
	if (ring->caller_waits && ring->want >= k && ring->want < k + n)
		pthread_cond_signal(&ring->ready);
}

/* A worker thread's turns: the next group, while there is room in the ring. */
static void *
worker_run(void *arg)
{
	struct chunk_worker *w = arg;
	struct chunk_ring *ring = w->ring;
	uint64_t k, n;

	pthread_mutex_lock(&ring->mu);
	while (!ring->stop && ring->next < ring->nchunks) {
		if ((n = ring_take(ring, &k)) == 0) {
			ring->workers_wait++;
			pthread_cond_wait(&ring->room, &ring->mu);
			ring->workers_wait--;
			continue;
		}
		ring_fill(ring, w, k, n);
	}
	pthread_mutex_unlock(&ring->mu);
	return NULL;
}

/* Waits until chunk k is ready, taking chunks itself meanwhile (as worker w). */
static void
ring_wait(struct chunk_ring *ring, struct chunk_worker *w, uint64_t k)
{
	struct chunk_slot *sl = &ring->slot[k % RING_SLOTS];
	uint64_t first, n;

	pthread_mutex_lock(&ring->mu);
	while (!sl->ready) {
		if ((n = ring_take(ring, &first)) > 0) {
			ring_fill(ring, w, first, n);
			continue;
		}
		ring->want = k;
		ring->caller_waits = 1;
		pthread_cond_wait(&ring->ready, &ring->mu);
		ring->caller_waits = 0;
	}
	pthread_mutex_unlock(&ring->mu);
}

/* Frees chunk k's slot after it was handed on; stop: take no more. */
static void
ring_release(struct chunk_ring *ring, uint64_t k, int stop)
{
	pthread_mutex_lock(&ring->mu);
	ring->slot[k % RING_SLOTS].ready = 0;
	ring->done = k + 1;
	if (stop)
		ring->stop = 1;
	if (ring->workers_wait > 0 && (stop || ring->next + RING_GROUP <=
	    ring->done + RING_SLOTS || ring->next + RING_GROUP > ring->nchunks))
		pthread_cond_broadcast(&ring->room);
	pthread_mutex_unlock(&ring->mu);
}

/*
 * Counts again the records of chunk c (whose checksums hold) that come
 * after record identifier upto, toward their computers: an earlier import
 * counted those before. When a record's computer cannot be read from the
 * bytes, r keeps its counts (read by libevtx, they count in full).
 */
static void
chunk_count_after(const uint8_t *c, uint64_t upto, struct chunk_result *r)
{
	struct prefilter_host_cache cache;
	struct au_file_stats hosts;
	uint32_t *off = xmalloc(CHUNK_MAX_RECORDS * sizeof(*off)), end;
	uint64_t records = 0;
	size_t n = chunk_walk(c, EVTX_CHUNK_SIZE, off, &end);
	char name[1024];

	memset(&cache, 0, sizeof(cache));
	memset(&hosts, 0, sizeof(hosts));
	for (size_t j = 0; j < n; j++) {
		uint64_t id = le64(c + off[j] + 8);

		if (id <= upto)
			continue;
		if (!prefilter_computer(c, EVTX_CHUNK_SIZE, off[j], &cache, name,
		    sizeof(name))) {
			au_file_stats_clear(&hosts);
			free(off);
			return;
		}
		au_file_stats_note_host(&hosts, name, le64(c + off[j] + 16), id);
		records++;
	}
	au_file_stats_clear(&r->hosts);
	r->hosts = hosts;
	r->records = records;
	free(off);
}

/* Hands chunk k's slot on: damage, counts, then its events in record order. */
static struct au_error *
slot_deliver(const char *path, struct chunk_slot *sl, uint64_t k,
    const struct au_ingest_sink *sink, int ask, struct au_file_stats *st,
    struct damage *dmg, struct digest *dg)
{
	struct chunk_result *r = &sl->res;
	struct au_error *err = NULL;
	int known = 0;

	if (sl->read_errno != 0)
		return au_error_errno(AU_ERR_INPUT, path, sl->read_errno,
		    "read failed at offset %llu", (unsigned long long)
		    (EVTX_FILE_HEADER_SIZE + k * EVTX_CHUNK_SIZE));
	digest_update(dg, sl->buf, sl->len);
	damage_note(dmg, r->cs, k);
	/* Read by an earlier import (see struct au_ingest_sink.chunk)? */
	if (ask && r->cs == CHUNK_OK && r->err == NULL) {
		struct au_chunk_sums now = { le32(sl->buf + 124), le32(sl->buf + 52),
		    le32(sl->buf + 48), le64(sl->buf + 32) }, before;
		int had = 0;

		err = sink->chunk(sink->arg, k, &now, r->nev, &known, &before, &had);
		if (err != NULL || known) {
			st->chunks_known += known;
			st->events_known += known ? r->nev : 0;
			chunk_result_clear(r);
			lend_reset(&sl->lend);
			return err;
		}
		/* Written on since: the records it had are still its first bytes. */
		if (had && before.free_offset >= EVTX_CHUNK_HEADER_SIZE &&
		    before.free_offset <= now.free_offset &&
		    libdeflate_crc32(0, sl->buf + EVTX_CHUNK_HEADER_SIZE,
		    before.free_offset - EVTX_CHUNK_HEADER_SIZE) == before.records_crc)
			chunk_count_after(sl->buf, before.last_record, r);
	}
	st->records += r->records;
	st->recovered += r->recovered;
	st->corrupt += r->corrupt;
	st->matched += r->matched;
	st->installs += r->installs;
	au_file_stats_merge_hosts(st, &r->hosts, 0);
	if (r->err != NULL) {
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
	for (size_t j = 0; j < r->nrel && err == NULL && sink->related != NULL; j++) {
		const struct chunk_related *c = &r->rel[j];
		struct au_related rel = { c->host, c->provider, c->event_id,
		    c->time, c->record_id };

		err = sink->related(sink->arg, &rel);
	}
	chunk_result_clear(r);
	lend_reset(&sl->lend);
	return err;
}

/*
 * The fast way: a chunk whose bytes nowhere hold a wanted provider name
 * cannot hold a matching record (names live in the chunk), so it is only
 * counted and checked. The others go to libevtx as a one-chunk log in a
 * memory file, where only the records whose bytes or template hold a name
 * are decoded; damaged chunks go to libevtx whole, so that it alone judges
 * what can be read of them. This thread and a second one read the chunks
 * (see struct chunk_ring); this one hashes them and hands the results on
 * in file order. An irregular file header (but for its checksum) sends the whole
 * file down the naive path instead.
 */
struct au_error *
ingest_fast(const char *path, int fd, const struct prefilter *pf,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st, struct damage *dmg, struct digest *dg,
    int *fallback)
{
	struct au_error *err = NULL;
	struct chunk_worker w[MAX_WORKERS];
	struct chunk_ring *ring = NULL;
	pthread_t tid[MAX_WORKERS];
	uint8_t *hdr = NULL;
	uint64_t nchunks, size = st->size;
	int nworkers = 0, nthreads = 0;
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
	ring = xcalloc(1, sizeof(*ring));
	pthread_mutex_init(&ring->mu, NULL);
	pthread_cond_init(&ring->ready, NULL);
	pthread_cond_init(&ring->room, NULL);
	ring->fd = fd;
	ring->nchunks = nchunks;
	ring->lend = sink->keeps_no_events;
	for (int i = 0; i < RING_SLOTS; i++)
		ring->slot[i].buf = xmalloc(EVTX_CHUNK_SIZE);
	for (int i = 0; i < nworkers; i++) {
		worker_init(&w[i], path, fd, hdr, pf, opts);
		w[i].ring = ring;
		w[i].prepare = sink->prepare;
	}
	/* This thread is worker 0; the others are threads of their own. */
	for (int i = 1; i < nworkers; i++)
		if (pthread_create(&tid[nthreads], NULL, worker_run, &w[i]) == 0)
			nthreads++;
	for (uint64_t k = 0; k < nchunks; k++) {
		ring_wait(ring, &w[0], k);
		err = slot_deliver(path, &ring->slot[k % RING_SLOTS], k, sink,
		    sink->chunk != NULL && !opts->recovered, st, dmg, dg);
		ring_release(ring, k, err != NULL);
		if (err != NULL)
			break;
		if (sink->progress != NULL && ((k + 1) % RING_SLOTS == 0 ||
		    k + 1 == nchunks))
			sink->progress(sink->arg, EVTX_FILE_HEADER_SIZE +
			    (k + 1) * EVTX_CHUNK_SIZE, size);
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	if (err == NULL) {
		/* Bytes past the chunks counted from the size seen at the start. */
		uint64_t at = EVTX_FILE_HEADER_SIZE + nchunks * EVTX_CHUNK_SIZE;
		uint8_t *buf = ring->slot[0].buf;

		for (;;) {
			ssize_t r = pread(fd, buf, EVTX_CHUNK_SIZE, (off_t)at);
			if (r <= 0)
				break;
			digest_update(dg, buf, (size_t)r);
			at += (uint64_t)r;
		}
		dg->complete = 1;
	}
done:
	for (int i = 0; i < nworkers; i++)
		worker_free(&w[i]);
	if (ring != NULL) {
		for (int i = 0; i < RING_SLOTS; i++) {
			chunk_result_clear(&ring->slot[i].res);
			lend_free(&ring->slot[i].lend);
			free(ring->slot[i].buf);
		}
		pthread_mutex_destroy(&ring->mu);
		pthread_cond_destroy(&ring->ready);
		pthread_cond_destroy(&ring->room);
		free(ring);
	}
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

