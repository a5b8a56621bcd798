/* fuzz-common.h: what the libFuzzer harnesses share: the input as a file, a sink that counts and frees. */
#ifndef AU_FUZZ_COMMON_H
#define AU_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "classify.h"
#include "error.h"
#include "event.h"
#include "ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_count {
	size_t events, installs, related;
	size_t bytes;           /* of the events' strings */
};

static inline struct au_error *
fuzz_event(void *arg, struct au_event *ev)
{
	const char *const str[] = { ev->host, ev->provider, ev->channel,
	    ev->message, ev->result_code, ev->detail };
	struct fuzz_count *c = arg;

	/* Every string read, so that the sanitizers see the event's memory. */
	for (size_t i = 0; i < sizeof(str) / sizeof(str[0]); i++)
		c->bytes += str[i] != NULL ? strlen(str[i]) : 0;
	c->events++;
	au_event_free(ev);
	return NULL;
}

static inline struct au_error *
fuzz_install(void *arg, struct au_install *in)
{
	((struct fuzz_count *)arg)->installs++;
	au_install_free(in);
	return NULL;
}

static inline struct au_error *
fuzz_related(void *arg, const struct au_related *r)
{
	(void)r;
	((struct fuzz_count *)arg)->related++;
	return NULL;
}

static inline struct au_error *
fuzz_member_begin(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return NULL;
}

static inline struct au_error *
fuzz_member_end(void *arg, const struct au_file_stats *m)
{
	(void)arg;
	(void)m;
	return NULL;
}

static inline struct au_ingest_sink
fuzz_sink(struct fuzz_count *c)
{
	/*
	 * Events classified on the reading threads, and in memory the reader
	 * lends, as the pipeline has them.
	 */
	struct au_ingest_sink s = { .event = fuzz_event, .install = fuzz_install,
	    .arg = c, .related = fuzz_related, .member_begin = fuzz_member_begin,
	    .member_end = fuzz_member_end, .prepare = classify_event,
	    .keeps_no_events = 1 };

	memset(c, 0, sizeof(*c));
	return s;
}

/* The input as a memory file, at offset 0; its /proc path in path. Aborts when it cannot. */
static inline int
fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t len)
{
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);

	if (fd == -1 || (size > 0 && write(fd, data, size) != (ssize_t)size) ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		perror("fuzz: memory file");
		abort();
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

/* A NUL-terminated copy. */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
