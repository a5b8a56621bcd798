/* test-sha256.c: ingest_file's digest (taken from the bytes it reads) equals the SHA-256 of the whole file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ingest.h"
#include "xmalloc.h"

static int passed, failed;

static void
check(int ok, const char *what, const char *path)
{
	if (ok)
		passed++;
	else {
		failed++;
		printf("FAIL: %s: %s\n", path, what);
	}
}

static struct au_error *
take_event(void *arg, struct au_event *ev)
{
	(void)arg;
	au_event_free(ev);
	return NULL;
}

static struct au_error *
take_install(void *arg, struct au_install *in)
{
	(void)arg;
	au_install_free(in);
	return NULL;
}

/* The reference: the file read whole, hashed in one call. */
static int
file_digest(const char *path, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0) {
		if (f != NULL)
			fclose(f);
		return 0;
	}
	rewind(f);
	buf = xmalloc((size_t)size + 1);
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(buf);
		return 0;
	}
	fclose(f);
	EVP_Digest(buf, (size_t)size, md, &len, EVP_sha256(), NULL);
	free(buf);
	for (unsigned int i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return len == 32;
}

/* A copy of src's first `len` bytes, plus `extra` bytes of junk. */
static void
write_copy(const char *src, const char *dst, long len, long extra)
{
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	int c;

	if (in == NULL || out == NULL) {
		printf("FAIL: cannot copy %s\n", src);
		exit(1);
	}
	for (long i = 0; (len < 0 || i < len) && (c = getc(in)) != EOF; i++)
		putc(c, out);
	for (long i = 0; i < extra; i++)
		putc((int)(i * 7 + 3), out);
	fclose(in);
	fclose(out);
}

static void
one(const char *path)
{
	struct au_ingest_sink sink = { .event = take_event, .install = take_install };
	char want[65];

	if (!file_digest(path, want)) {
		check(0, "cannot read", path);
		return;
	}
	for (int naive = 0; naive < 2; naive++)
		for (int threads = 1; threads <= 2; threads++) {
			struct au_ingest_opts opts;
			struct au_file_stats st;
			struct au_error *err;

			ingest_opts_default(&opts);
			opts.hash = 1;
			opts.naive = naive;
			opts.threads = threads;
			memset(&st, 0, sizeof(st));
			err = ingest_file(path, &opts, &sink, &st);
			au_error_free(err);
			check(strcmp(st.sha256, want) == 0,
			    naive ? "naive digest" : "fast digest", path);
			au_file_stats_clear(&st);
		}
}

int
main(void)
{
	const char *srcdir = getenv("srcdir");
	const char *names[] = { "upgrade-after-aborts.evtx",
	    "filtered-export-direct.evtx", "dirty-corrupt-chunk.evtx" };
	char path[4096], tmp[] = "/tmp/test-sha256.XXXXXX", copy[4200];

	if (srcdir == NULL)
		srcdir = ".";
	if (mkdtemp(tmp) == NULL)
		return 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/fixtures/%s", srcdir, names[i]);
		one(path);
	}
	/* Cut inside a chunk, cut inside the header, and bytes past the last chunk. */
	snprintf(path, sizeof(path), "%s/fixtures/filtered-export-direct.evtx", srcdir);
	snprintf(copy, sizeof(copy), "%s/cut.evtx", tmp);
	write_copy(path, copy, 150000, 0);
	one(copy);
	write_copy(path, copy, 3000, 0);
	one(copy);
	write_copy(path, copy, -1, 12345);
	one(copy);
	remove(copy);
	remove(tmp);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
