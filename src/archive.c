/* archive.c: archives and compressed files through libarchive: members streamed into memory, read by content. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "input-archive.h"
#include "input.h"
#include "xmalloc.h"

int
archive_detect(const unsigned char *b, size_t len)
{
	if (len >= 4 && memcmp(b, "PK\x03\x04", 4) == 0)
		return 1;   /* zip */
	if (len >= 4 && memcmp(b, "PK\x05\x06", 4) == 0)
		return 1;   /* empty zip */
	if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return 1;   /* gzip */
	if (len >= 3 && memcmp(b, "BZh", 3) == 0)
		return 1;
	if (len >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0)
		return 1;
	if (len >= 6 && memcmp(b, "7z\xbc\xaf\x27\x1c", 6) == 0)
		return 1;
	if (len >= 4 && memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0)
		return 1;   /* zstd */
	if (len >= 262 && memcmp(b + 257, "ustar", 5) == 0)
		return 1;
	return 0;
}

/*
 * A member's name as the report shows it: KAPE and Velociraptor write
 * "C%3A" for "C:" and the like, so %XX is decoded where it gives a
 * printable character; control characters become '?'. Only ever a name:
 * nothing is written under it.
 */
static char *
member_name(const char *raw)
{
	char *out = xmalloc(strlen(raw) + 1), *p = out;

	for (const char *s = raw; *s != '\0'; s++) {
		unsigned v;
		if (s[0] == '%' && sscanf(s + 1, "%2x", &v) == 1 &&
		    strchr("0123456789abcdefABCDEF", s[1]) != NULL &&
		    strchr("0123456789abcdefABCDEF", s[2]) != NULL &&
		    v >= 0x20 && v < 0x7f) {
			*p++ = (char)v;
			s += 2;
		} else
			*p++ = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	}
	*p = '\0';
	return out;
}

/* A single compressed file's member: the file's name without its suffix. */
static char *
raw_member_name(const char *name)
{
	static const char *const sfx[] = { ".gz", ".xz", ".bz2", ".zst", ".z" };
	const char *base = strrchr(name, '/');
	size_t n;

	base = base != NULL ? base + 1 : name;
	n = strlen(base);
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t k = strlen(sfx[i]);
		if (n > k && strcasecmp(base + n - k, sfx[i]) == 0) {
			char *t = xstrndup(base, n - k), *r = member_name(t);
			free(t);
			return r;
		}
	}
	return member_name(base);
}

/* Adds what reading one member gave to the archive's stats. */
static void
merge_stats(struct au_file_stats *st, const struct au_file_stats *m)
{
	st->records += m->records;
	st->matched += m->matched;
	st->recovered += m->recovered;
	st->corrupt += m->corrupt;
	st->installs += m->installs;
	st->passed_over += m->passed_over;
	st->dirty |= m->dirty;
	st->file_corrupted |= m->file_corrupted;
	st->host_from_name |= m->host_from_name;
	st->times_utc |= m->times_utc;
	au_file_stats_merge_hosts(st, m, 1);
}

/* Copies the current member into a memory file; the limits stop it. */
static struct au_error *
member_copy(struct archive *a, const char *where, int mfd, uint64_t packed_before,
    uint64_t *size)
{
	char *buf = xmalloc(65536);
	struct au_error *err = NULL;
	la_ssize_t n;
	uint64_t out = 0;

	while ((n = archive_read_data(a, buf, 65536)) > 0) {
		uint64_t packed;
		out += (uint64_t)n;
		if (out > ARCHIVE_MEMBER_MAX) {
			err = au_error_new(AU_ERR_INPUT, where,
			    "member larger than %llu GiB unpacked: not read (archive bomb?)",
			    (unsigned long long)(ARCHIVE_MEMBER_MAX >> 30));
			goto done;
		}
		packed = (uint64_t)archive_filter_bytes(a, -1) - packed_before;
		if (out > ARCHIVE_RATIO_FROM && out / (packed + 1) > ARCHIVE_RATIO_MAX) {
			err = au_error_new(AU_ERR_INPUT, where,
			    "member unpacks more than %d times its packed size: not read "
			    "(archive bomb?)", ARCHIVE_RATIO_MAX);
			goto done;
		}
		for (la_ssize_t off = 0; off < n;) {
			ssize_t w = write(mfd, buf + off, (size_t)(n - off));
			if (w == -1) {
				if (errno == EINTR)
					continue;
				err = au_error_errno(AU_ERR_INPUT, where, errno,
				    "cannot hold the member in memory");
				goto done;
			}
			off += w;
		}
	}
	if (n < 0)
		err = au_error_new(AU_ERR_INPUT, where, "cannot unpack: %s",
		    archive_error_string(a) != NULL ? archive_error_string(a) : "unknown error");
done:
	*size = out;
	free(buf);
	return err;
}

/* One member: into memory, then read by content like a file. */
static struct au_error *
member_read(struct archive *a, struct archive_entry *e, const char *name,
    int raw, const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st, int nested)
{
	struct au_error *err = NULL;
	struct au_file_stats m;
	char *mname = NULL, *where = NULL, *fdpath = NULL;
	uint64_t size = 0, packed_before = (uint64_t)archive_filter_bytes(a, -1);
	enum input_form form;
	int mfd = -1;

	memset(&m, 0, sizeof(m));
	mname = raw ? raw_member_name(name) : member_name(
	    archive_entry_pathname(e) != NULL ? archive_entry_pathname(e) : "?");
	where = xasprintf("%s:%s", name, mname);
	mfd = memfd_create("aadc-upgrade-member", MFD_CLOEXEC);
	if (mfd == -1) {
		err = au_error_errno(AU_ERR_INPUT, where, errno, "cannot hold the member in memory");
		goto done;
	}
	if ((err = member_copy(a, where, mfd, packed_before, &size)) != NULL)
		goto done;
	if (size == 0 || lseek(mfd, 0, SEEK_SET) == (off_t)-1)
		goto passed;
	form = input_detect_fd(mfd);
	if (form == INPUT_UNKNOWN)
		goto passed;
	if (form == INPUT_ARCHIVE && nested >= 1) {
		err = au_error_new(AU_ERR_INPUT, where,
		    "an archive inside an archive inside an archive: not read "
		    "(one level of nesting is read)");
		goto done;
	}
	m.path = where;
	m.size = size;
	fdpath = xasprintf("/proc/self/fd/%d", mfd);
	err = input_fd(mfd, where, fdpath, opts, sink, &m, nested + 1);
	if (err != NULL && err->where != NULL && strcmp(err->where, fdpath) == 0) {
		free(err->where);
		err->where = xstrdup(where);
	}
	m.path = NULL;
	merge_stats(st, &m);
	goto done;
passed:
	st->passed_over++;
done:
	if (err != NULL && err->kind == AU_ERR_INPUT) {
		char *msg = xasprintf("%s: %s", mname, err->msg);
		au_file_stats_add_error(st, msg);
		free(msg);
	}
	au_file_stats_clear(&m);
	if (mfd != -1)
		close(mfd);
	free(fdpath);
	free(mname);
	free(where);
	return err;
}

struct au_error *
archive_read(int fd, const char *name, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st, int nested)
{
	struct au_error *err = NULL, *first = NULL, *e;
	struct archive *a = archive_read_new();
	struct archive_entry *entry;
	int r, raw = 0, members = 0, nproblems = 0;

	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	/* A single .gz/.xz/.bz2 file: its content is the one member. */
	archive_read_support_format_raw(a);
	if (lseek(fd, 0, SEEK_SET) == (off_t)-1 ||
	    archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		err = au_error_new(AU_ERR_INPUT, name, "not a readable archive: %s",
		    archive_error_string(a) != NULL ? archive_error_string(a) : "unknown format");
		goto done;
	}
	while ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK ||
	    r == ARCHIVE_WARN) {
		if (archive_format(a) == ARCHIVE_FORMAT_RAW) {
			raw = 1;
			if (archive_filter_count(a) <= 1) {
				err = au_error_new(AU_ERR_INPUT, name,
				    "not an archive or compressed file of a known kind");
				goto done;
			}
		}
		if (!raw && archive_entry_filetype(entry) != AE_IFREG)
			continue;
		members++;
		e = member_read(a, entry, name, raw, opts, sink, st, nested);
		if (e != NULL && e->kind != AU_ERR_INPUT) {
			err = e;   /* the sink (database) failed: stop */
			goto done;
		}
		if (e != NULL)
			nproblems++;
		if (first == NULL)
			first = e;
		else
			au_error_free(e);
	}
	if (r != ARCHIVE_EOF) {
		err = au_error_new(AU_ERR_INPUT, name, "damaged archive after %d member(s): %s",
		    members, archive_error_string(a) != NULL ? archive_error_string(a) :
		    "unknown error");
		au_file_stats_add_error(st, err->msg);
		if (first != NULL) {
			/* Both: the members' problems and the damage, in one line. */
			au_error_free(err);
			err = au_error_new(AU_ERR_INPUT, name, "%s", st->errors);
		}
		goto done;
	}
done:
	archive_read_free(a);
	if (err == NULL && first != NULL && nproblems == 1) {
		err = first;   /* named ARCHIVE:MEMBER */
		first = NULL;
	} else if (err == NULL && first != NULL) {
		/* One line for the archive: every member's problem is in st->errors. */
		err = au_error_new(AU_ERR_INPUT, name, "%s", st->errors != NULL ?
		    st->errors : first->msg);
	}
	au_error_free(first);
	return err;
}
