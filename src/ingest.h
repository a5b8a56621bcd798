/* ingest.h: reading .evtx files (the only module that uses libevtx). */
#ifndef AU_INGEST_H
#define AU_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"

struct au_tz;

struct au_ingest_opts {
	const char *const *sources;  /* upgrade providers, compared case-insensitively */
	size_t nsources;
	uint32_t id_min, id_max;     /* event ID range, inclusive */
	int recovered;               /* also read records recovered from slack space */
	int installs;                /* also report MsiInstaller 1033/11707 events */
	int hash;                    /* compute st->sha256 */
	int naive;                   /* decode every record (no prefilter): for tests and benchmarks */
	int threads;                 /* threads reading chunks (1 or 2) */
	/* Exports (src/input.h): what the forms without these fields take. */
	const char *computer;        /* --computer: host of forms without one, or NULL */
	const struct au_tz *tz;      /* --timezone of local times; NULL = UTC, with a warning */
	int date_order;              /* --date-order: enum au_date_order, 0 = from the file */
};

void ingest_opts_default(struct au_ingest_opts *opts);

/*
 * An event from a provider related to Connect (its name contains "Agent
 * Updater", "Entra Connect" or "AD Connect") that is not an upgrade
 * result: listed and counted by provider and ID, never classified.
 * Borrowed strings, valid during the call.
 */
struct au_related {
	const char *host;
	const char *provider;
	uint32_t event_id;
	uint64_t time;            /* FILETIME */
	uint64_t record_id;       /* 0 when unknown */
};
/* Whether provider is such a related provider (case-insensitive). */
int ingest_is_related_provider(const char *provider);

/*
 * The sink takes ownership of each event/install it is given. A non-NULL
 * error from the sink stops reading and is returned as is.
 */
struct au_ingest_sink {
	struct au_error *(*event)(void *arg, struct au_event *ev);
	struct au_error *(*install)(void *arg, struct au_install *in);
	void *arg;
	/* Optional: how many of the file's bytes have been read so far. */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	/* Optional (may be NULL): a related event, see struct au_related. */
	struct au_error *(*related)(void *arg, const struct au_related *r);
	/*
	 * Optional (both or neither): an archive member (named ARCHIVE:MEMBER)
	 * is read next, its events and installs then belong to it; and what
	 * reading it gave. With them, an archive's own stats hold no
	 * computers: its members' rows do.
	 */
	struct au_error *(*member_begin)(void *arg, const char *name);
	struct au_error *(*member_end)(void *arg, const struct au_file_stats *m);
	/*
	 * Optional: completes an event (the pipeline classifies it) before it
	 * is handed to event(), on the thread that read it: readers call it
	 * once per event, so that work is done beside the reading.
	 */
	void (*prepare)(struct au_event *ev);
	/*
	 * Set when event() keeps nothing of an event past the call (it
	 * stores it and frees it): the reader may then hand over events in
	 * memory of its own, reused later, on which au_event_free does
	 * nothing (the fast path: freeing memory of another thread is slow).
	 */
	int keeps_no_events;
	/*
	 * Optional: chunk k (from 0) of an .evtx file checks out (signature,
	 * both checksums) with sums, and holds `events` upgrade events;
	 * called in file order, by the thread that called ingest_file, before
	 * the chunk's records are handed on. *known set to 1 says they were
	 * read before (an earlier import of a log that grew since): they are
	 * then neither handed on nor counted as read (st->chunks_known counts
	 * the chunk, st->events_known its events). Else, when *had is set,
	 * *before is what the earlier import read of chunk k: when the
	 * chunk's records up to before's free offset are still those bytes
	 * (it was written on since, as a live log's last chunk is), the
	 * records up to before's last record are handed on again (the store
	 * knows their events) but not counted again toward their computers.
	 * Not called with --recovered, whose slack space the checksums do not
	 * cover, nor on --decode-all's naive path.
	 */
	struct au_error *(*chunk)(void *arg, uint64_t k,
	    const struct au_chunk_sums *sums, uint64_t events, int *known,
	    struct au_chunk_sums *before, int *had);
};

/*
 * Reads one file. Fills *st (st->path is set by the caller) with what was
 * read, even when it fails part-way. Returns NULL when everything was read;
 * an AU_ERR_INPUT error when the file, or part of it, could not be read
 * (events already given to the sink stand); or the sink's error.
 */
struct au_error *ingest_file(const char *path, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st);

#endif
