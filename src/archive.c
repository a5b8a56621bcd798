/* archive.c: archives and compressed files through libarchive: members streamed and read by content. */
#include <errno.h>
#include <fcntl.h>
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

/*
 * Adds what reading one member gave to the archive's stats. `rows`: the
 * member has a row of its own (the sink's member_begin), which holds its
 * computers; the archive keeps the counts and the period.
 */
static void
merge_stats(struct au_file_stats *st, const struct au_file_stats *m, int rows)
{
	st->records += m->records;
	st->matched += m->matched;
	st->recovered += m->recovered;
	st->corrupt += m->corrupt;
	st->installs += m->installs;
	st->passed_over += m->passed_over;
	st->members += m->members;
	st->dirty |= m->dirty;
	st->file_corrupted |= m->file_corrupted;
	st->host_from_name |= m->host_from_name;
	st->times_utc |= m->times_utc;
	if (!rows) {
		au_file_stats_merge_hosts(st, m, 1);
		return;
	}
	st->members++;
	au_file_stats_merge_period(st, m);
}

/*
 * Reads up to n bytes of the current member from a, with the limits
 * against bombs checked on *out (bytes unpacked so far from a).
 */
static la_ssize_t
checked_read(struct archive *a, const char *where, uint64_t packed_before,
    uint64_t *out, void *buf, size_t n, struct au_error **err)
{
	la_ssize_t r = archive_read_data(a, buf, n);
	uint64_t packed;

	if (r < 0) {
		*err = au_error_new(AU_ERR_INPUT, where, "cannot unpack: %s",
		    archive_error_string(a) != NULL ? archive_error_string(a) :
		    "unknown error");
		return -1;
	}
	*out += (uint64_t)r;
	if (*out > ARCHIVE_MEMBER_MAX) {
		*err = au_error_new(AU_ERR_INPUT, where,
		    "member larger than %llu GiB unpacked: not read (archive bomb?)",
		    (unsigned long long)(ARCHIVE_MEMBER_MAX >> 30));
		return -1;
	}
	packed = (uint64_t)archive_filter_bytes(a, -1) - packed_before;
	if (*out > ARCHIVE_RATIO_FROM && *out / (packed + 1) > ARCHIVE_RATIO_MAX) {
		*err = au_error_new(AU_ERR_INPUT, where,
		    "member unpacks more than %d times its packed size: not read "
		    "(archive bomb?)", ARCHIVE_RATIO_MAX);
		return -1;
	}
	return r;
}

/*
 * One member as a stream of bytes. The first MEMBER_REPLAY bytes are
 * kept, so that a reader that looks ahead (CSV's day/month order) starts
 * again without unpacking anything twice; past them, a rewind opens the
 * archive anew and unpacks up to the member again. Memory stays bounded
 * whatever the member's size.
 */
#define MEMBER_REPLAY (1u << 20)

struct member_stream {
	struct archive *a;          /* the archive, at this member */
	struct archive *again;      /* opened anew by a rewind, or NULL */
	int again_fd;
	const char *where;          /* ARCHIVE:MEMBER */
	const char *reopen;         /* a path that opens the archive anew */
	int index;                  /* the member's header, from 0 */
	uint64_t packed_before;     /* archive_filter_bytes() at the member's start */
	uint64_t out;               /* bytes unpacked from the current handle */
	uint64_t pos;               /* bytes handed out since the (re)start */
	uint64_t total;             /* the most bytes unpacked: the member's size */
	unsigned char *replay;      /* the member's first bytes */
	size_t replay_len;
	const struct au_ingest_sink *sink;   /* its progress: the archive's packed bytes */
	uint64_t archive_size;      /* 0: an archive inside, no progress */
};

static ssize_t
stream_read(void *arg, unsigned char *buf, size_t n, struct au_error **err)
{
	struct member_stream *m = arg;
	struct archive *h = m->again != NULL ? m->again : m->a;
	la_ssize_t r;

	if (m->pos < m->replay_len) {
		size_t k = m->replay_len - (size_t)m->pos;
		if (k > n)
			k = n;
		memcpy(buf, m->replay + m->pos, k);
		m->pos += k;
		return (ssize_t)k;
	}
	/* After a reopen: the bytes the replay gave are passed over. */
	while (m->out < m->pos) {
		uint64_t want = m->pos - m->out;
		if ((r = checked_read(h, m->where, m->packed_before, &m->out, buf,
		    want < n ? (size_t)want : n, err)) < 0)
			return -1;
		if (r == 0) {
			*err = au_error_new(AU_ERR_INPUT, m->where,
			    "the member changed while it was read");
			return -1;
		}
	}
	if ((r = checked_read(h, m->where, m->packed_before, &m->out, buf, n,
	    err)) < 0)
		return -1;
	if (m->pos == m->replay_len && m->replay_len < MEMBER_REPLAY && r > 0) {
		size_t k = MEMBER_REPLAY - m->replay_len;
		if (k > (size_t)r)
			k = (size_t)r;
		memcpy(m->replay + m->replay_len, buf, k);
		m->replay_len += k;
	}
	m->pos += (uint64_t)r;
	if (m->out > m->total)
		m->total = m->out;
	if (m->archive_size != 0 && m->sink->progress != NULL && m->again == NULL)
		m->sink->progress(m->sink->arg, (uint64_t)archive_filter_bytes(h, -1),
		    m->archive_size);
	return (ssize_t)r;
}

static void
stream_close_again(struct member_stream *m)
{
	if (m->again != NULL)
		archive_read_free(m->again);
	if (m->again_fd != -1)
		close(m->again_fd);
	m->again = NULL;
	m->again_fd = -1;
}

/* A new handle on the archive, at the start of the member. */
static struct archive *
archive_open_again(struct member_stream *m, struct au_error **err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r = ARCHIVE_OK;

	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	archive_read_support_format_raw(a);
	m->again_fd = open(m->reopen, O_RDONLY | O_CLOEXEC);
	if (m->again_fd == -1 || archive_read_open_fd(a, m->again_fd, 65536) !=
	    ARCHIVE_OK)
		r = ARCHIVE_FATAL;
	for (int i = 0; i <= m->index && (r == ARCHIVE_OK || r == ARCHIVE_WARN); i++)
		r = archive_read_next_header(a, &e);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		*err = au_error_new(AU_ERR_INPUT, m->where,
		    "cannot read the member a second time: %s",
		    archive_error_string(a) != NULL ? archive_error_string(a) :
		    "cannot open the archive again");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static struct au_error *
stream_rewind(void *arg)
{
	struct member_stream *m = arg;
	struct au_error *err = NULL;

	if (m->out > m->replay_len) {
		/* Read past the bytes kept: unpack from the start again. */
		stream_close_again(m);
		if ((m->again = archive_open_again(m, &err)) == NULL) {
			stream_close_again(m);
			return err;
		}
		m->packed_before = (uint64_t)archive_filter_bytes(m->again, -1);
		m->out = 0;
	}
	m->pos = 0;
	return NULL;
}

/* Copies the rest of the member into a memory file (for libevtx, which seeks). */
static struct au_error *
member_copy(struct member_stream *ms, int mfd)
{
	char *buf = xmalloc(65536);
	struct au_error *err = NULL;
	ssize_t n;

	while ((n = stream_read(ms, (unsigned char *)buf, 65536, &err)) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(mfd, buf + off, (size_t)(n - off));
			if (w == -1) {
				if (errno == EINTR)
					continue;
				err = au_error_errno(AU_ERR_INPUT, ms->where, errno,
				    "cannot hold the member in memory");
				goto done;
			}
			off += w;
		}
	}
done:
	free(buf);
	return err;
}

/* An EVTX log or an archive inside: into memory, then read by content like a file. */
static struct au_error *
member_in_memory(struct member_stream *ms, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *m, int nested)
{
	struct au_error *err;
	struct au_ingest_sink quiet;
	char *fdpath;
	int mfd = memfd_create("aadc-upgrade-member", MFD_CLOEXEC);

	if (mfd == -1)
		return au_error_errno(AU_ERR_INPUT, ms->where, errno,
		    "cannot hold the member in memory");
	if ((err = member_copy(ms, mfd)) != NULL || lseek(mfd, 0, SEEK_SET) == (off_t)-1) {
		close(mfd);
		return err != NULL ? err : au_error_errno(AU_ERR_INPUT, ms->where,
		    errno, "cannot read the member back");
	}
	m->size = ms->total;
	fdpath = xasprintf("/proc/self/fd/%d", mfd);
	/* Progress is the archive's, told while the member unpacked. */
	quiet = *sink;
	quiet.progress = NULL;
	err = input_fd(mfd, ms->where, fdpath, opts, &quiet, m, nested + 1);
	if (err != NULL && err->where != NULL && strcmp(err->where, fdpath) == 0) {
		free(err->where);
		err->where = xstrdup(ms->where);
	}
	close(mfd);
	free(fdpath);
	return err;
}

/*
 * One member, read by content: its first bytes tell the form. Text forms
 * are streamed from the archive; EVTX logs and archives inside go through
 * memory, since their readers seek.
 */
static struct au_error *
member_read(struct archive *a, struct archive_entry *e, int index,
    const char *name, const char *reopen, uint64_t archive_size, int raw,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st, int nested)
{
	struct au_error *err = NULL;
	struct au_file_stats m;
	struct member_stream ms;
	unsigned char *head = xmalloc(65536);
	char *mname;
	enum input_form form;
	ssize_t n;
	int rows = 0;

	memset(&m, 0, sizeof(m));
	memset(&ms, 0, sizeof(ms));
	mname = raw ? raw_member_name(name) : member_name(
	    archive_entry_pathname(e) != NULL ? archive_entry_pathname(e) : "?");
	ms.a = a;
	ms.again_fd = -1;
	ms.where = xasprintf("%s:%s", name, mname);
	ms.reopen = reopen;
	ms.index = index;
	ms.sink = sink;
	ms.archive_size = archive_size;
	ms.packed_before = (uint64_t)archive_filter_bytes(a, -1);
	ms.replay = xmalloc(MEMBER_REPLAY);
	/* The first bytes, enough to tell the form. */
	while (ms.replay_len < 65536 &&
	    (n = stream_read(&ms, head, 65536 - ms.replay_len, &err)) > 0)
		;
	if (err != NULL)
		goto done;
	ms.pos = 0;
	form = ms.replay_len == 0 ? INPUT_UNKNOWN :
	    input_detect(ms.replay, ms.replay_len);
	if (form == INPUT_UNKNOWN) {
		st->passed_over++;
		goto done;
	}
	if (form == INPUT_ARCHIVE && nested >= 1) {
		err = au_error_new(AU_ERR_INPUT, ms.where,
		    "an archive inside an archive inside an archive: not read "
		    "(one level of nesting is read)");
		goto done;
	}
	m.path = (char *)ms.where;
	/* A row of its own for each member read (an archive inside: for its members). */
	rows = form != INPUT_ARCHIVE && sink->member_begin != NULL;
	if (rows && (err = sink->member_begin(sink->arg, ms.where)) != NULL)
		goto done;
	if (form == INPUT_EVTX || form == INPUT_ARCHIVE)
		err = member_in_memory(&ms, opts, sink, &m, nested);
	else {
		struct input_src *src = xcalloc(1, sizeof(*src));

		src->fd = -1;
		src->read_fn = stream_read;
		src->rewind_fn = stream_rewind;
		src->fn_arg = &ms;
		src->name = ms.where;
		err = input_text(src, form, opts, sink, &m);
		free(src);
		m.size = ms.total;
	}
	if (rows && (err == NULL || err->kind == AU_ERR_INPUT)) {
		struct au_error *end;
		m.member = 1;
		if (err != NULL && m.errors == NULL)
			au_file_stats_add_error(&m, err->msg);
		if ((end = sink->member_end(sink->arg, &m)) != NULL) {
			au_error_free(err);
			err = end;
		}
	}
	m.path = NULL;
	merge_stats(st, &m, rows);
done:
	if (err != NULL && err->kind == AU_ERR_INPUT) {
		char *msg = xasprintf("%s: %s", mname, err->msg);
		au_file_stats_add_error(st, msg);
		free(msg);
	}
	au_file_stats_clear(&m);
	stream_close_again(&ms);
	free(ms.replay);
	free((char *)ms.where);
	free(head);
	free(mname);
	return err;
}

struct au_error *
archive_read(int fd, const char *name, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st, int nested)
{
	struct au_error *err = NULL, *first = NULL, *e;
	struct archive *a = archive_read_new();
	struct archive_entry *entry;
	int r, raw = 0, members = 0, nproblems = 0, index = -1;
	char *reopen = xasprintf("/proc/self/fd/%d", fd);

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
		index++;
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
		e = member_read(a, entry, index, name, reopen,
		    nested == 0 ? st->size : 0, raw, opts, sink, st, nested);
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
	free(reopen);
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
