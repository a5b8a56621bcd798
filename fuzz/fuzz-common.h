/* fuzz-common.h: what the libFuzzer harnesses share: the input as a file, a sink that counts and frees. */
#ifndef AU_FUZZ_COMMON_H
#define AU_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "event.h"
#include "ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_count {
	size_t events, installs, related;
};

static inline struct au_error *
fuzz_event(void *arg, struct au_event *ev)
{
	((struct fuzz_count *)arg)->events++;
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
	struct au_ingest_sink s = { fuzz_event, fuzz_install, c, NULL, fuzz_related,
	    fuzz_member_begin, fuzz_member_end };

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
