/* input.c: every input form by content: detection, decoding to UTF-8, records to events, dispatch, directory search. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "input-archive.h"
#include "input.h"
#include "install.h"
#include "xmalloc.h"

const char *
input_form_name(enum input_form form)
{
	switch (form) {
	case INPUT_EVTX: return "EVTX";
	case INPUT_XML: return "XML export";
	case INPUT_EVCSV: return "Event Viewer CSV";
	case INPUT_EVTXT: return "Event Viewer text";
	case INPUT_PSCSV: return "PowerShell CSV";
	case INPUT_JSON: return "PowerShell JSON";
	case INPUT_ARCHIVE: return "archive";
	case INPUT_UNKNOWN: break;
	}
	return "unknown";
}

/* ---- decoding ------------------------------------------------------------ */

static struct au_error *
src_fill(struct input_src *s)
{
	ssize_t n;

	if (s->raw_off > 0) {
		memmove(s->raw, s->raw + s->raw_off, s->raw_len - s->raw_off);
		s->raw_len -= s->raw_off;
		s->raw_off = 0;
	}
	while (!s->eof && s->raw_len < sizeof(s->raw)) {
		if (s->read_fn != NULL) {
			struct au_error *err = NULL;
			n = s->read_fn(s->fn_arg, s->raw + s->raw_len,
			    sizeof(s->raw) - s->raw_len, &err);
			if (n < 0)
				return err;
		} else if ((n = read(s->fd, s->raw + s->raw_len,
		    sizeof(s->raw) - s->raw_len)) == -1) {
			if (errno == EINTR)
				continue;
			return au_error_errno(AU_ERR_INPUT, s->name, errno, "cannot read");
		}
		if (n == 0)
			s->eof = 1;
		s->raw_len += (size_t)n;
		s->raw_pos += (uint64_t)n;
		if (s->progress != NULL && n > 0)
			s->progress(s->progress_arg, s->raw_pos, s->total);
		if (n > 0)
			break;
	}
	return NULL;
}

/* UTF-16LE without a byte order mark: ASCII text with every other byte 0. */
static int
looks_utf16le(const unsigned char *p, size_t n)
{
	size_t pairs = 0;

	for (size_t i = 0; i + 1 < n && i < 64; i += 2) {
		if (p[i + 1] != 0 || p[i] == 0)
			return 0;
		pairs++;
	}
	return pairs >= 2;
}

static struct au_error *
src_start(struct input_src *s)
{
	struct au_error *err;

	s->raw_len = s->raw_off = 0;
	s->raw_pos = 0;
	s->eof = 0;
	if ((err = src_fill(s)) != NULL)
		return err;
	while (!s->eof && s->raw_len < 4 && (err = src_fill(s)) == NULL)
		;
	if (err != NULL)
		return err;
	s->enc = INPUT_ENC_UTF8;
	if (s->raw_len >= 3 && memcmp(s->raw, "\xef\xbb\xbf", 3) == 0)
		s->raw_off = 3;
	else if (s->raw_len >= 2 && memcmp(s->raw, "\xff\xfe", 2) == 0) {
		s->enc = INPUT_ENC_UTF16LE;
		s->raw_off = 2;
	} else if (looks_utf16le(s->raw, s->raw_len))
		s->enc = INPUT_ENC_UTF16LE;
	if (s->enc == INPUT_ENC_UTF16LE && s->cd == (iconv_t)-1) {
		s->cd = iconv_open("UTF-8", "UTF-16LE");
		if (s->cd == (iconv_t)-1)
			return au_error_errno(AU_ERR_INTERNAL, s->name, errno,
			    "cannot convert UTF-16LE");
	}
	if (s->cd != (iconv_t)-1)
		iconv(s->cd, NULL, NULL, NULL, NULL);
	return NULL;
}

struct au_error *
input_src_rewind(struct input_src *s)
{
	struct au_error *err;

	if (s->read_fn != NULL) {
		if ((err = s->rewind_fn(s->fn_arg)) != NULL)
			return err;
	} else if (lseek(s->fd, 0, SEEK_SET) == (off_t)-1)
		return au_error_errno(AU_ERR_INPUT, s->name, errno, "cannot seek");
	return src_start(s);
}

ssize_t
input_src_read(struct input_src *s, char *buf, size_t n, struct au_error **err)
{
	size_t avail;

	*err = NULL;
	for (;;) {
		avail = s->raw_len - s->raw_off;
		if (s->enc == INPUT_ENC_UTF8 && avail > 0) {
			if (avail > n)
				avail = n;
			memcpy(buf, s->raw + s->raw_off, avail);
			s->raw_off += avail;
			return (ssize_t)avail;
		}
		if (s->enc == INPUT_ENC_UTF16LE && avail >= 2) {
			char *in = (char *)s->raw + s->raw_off, *out = buf;
			size_t inleft = avail, outleft = n;
			size_t r = iconv(s->cd, &in, &inleft, &out, &outleft);
			s->raw_off = (size_t)((unsigned char *)in - s->raw);
			if (out > buf)
				return (ssize_t)(out - buf);
			if (r == (size_t)-1 && errno == EILSEQ) {
				*err = au_error_new(AU_ERR_INPUT, s->name,
				    "not valid UTF-16LE text near byte %llu",
				    (unsigned long long)(s->raw_pos - s->raw_len + s->raw_off));
				return -1;
			}
			/* EINVAL: a character cut by the buffer's end; read on. */
		}
		if (s->eof) {
			if (s->raw_len - s->raw_off > 0 && s->enc == INPUT_ENC_UTF16LE) {
				*err = au_error_new(AU_ERR_INPUT, s->name,
				    "truncated: the file ends inside a UTF-16LE character");
				s->raw_off = s->raw_len;
				return -1;
			}
			return 0;
		}
		if ((*err = src_fill(s)) != NULL)
			return -1;
	}
}

void
input_src_close(struct input_src *s)
{
	if (s->cd != (iconv_t)-1)
		iconv_close(s->cd);
	s->cd = (iconv_t)-1;
}

/* ---- detection ------------------------------------------------------------ */

/* The first line of text t (NUL-terminated) without its CR. */
static int
line_starts(const char *t, const char *prefix)
{
	return strncmp(t, prefix, strlen(prefix)) == 0;
}

/*
 * The Event Viewer header, in English and German (the languages of the
 * exports we have met); the message column has no name.
 */
static enum input_form
evcsv_header(const char *t)
{
	static const char *const names[][5] = {
		{ "Level", "Date and Time", "Source", "Event ID", "Task Category" },
		{ "Ebene", "Datum und Uhrzeit", "Quelle", "Ereignis-ID", "Aufgabenkategorie" },
	};

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		for (int tab = 0; tab < 2; tab++) {
			const char *p = t;
			size_t i;
			for (i = 0; i < 5; i++) {
				size_t n = strlen(names[k][i]);
				if (strncmp(p, names[k][i], n) != 0)
					break;
				p += n;
				if (i < 4) {
					if (*p != (tab ? '\t' : ','))
						break;
					p++;
				}
			}
			if (i == 5 && (*p == '\r' || *p == '\n' || *p == '\0' ||
			    *p == ',' || *p == '\t'))
				return tab ? INPUT_EVTXT : INPUT_EVCSV;
		}
	}
	return INPUT_UNKNOWN;
}

/* A CSV header naming TimeCreated, Id, ProviderName and Message (quoted or not). */
static int
pscsv_header(const char *t)
{
	static const char *const need[] = { "TimeCreated", "Id", "ProviderName", "Message" };
	const char *end = strpbrk(t, "\r\n");
	size_t len = end != NULL ? (size_t)(end - t) : strlen(t);

	for (size_t i = 0; i < 4; i++) {
		size_t n = strlen(need[i]);
		int found = 0;
		for (size_t j = 0; j + n <= len && !found; j++) {
			if (strncmp(t + j, need[i], n) != 0)
				continue;
			/* a whole field: delimited by start, ',' or '"' on both sides */
			int before = j == 0 || t[j - 1] == ',' || t[j - 1] == '"';
			int after = j + n == len || t[j + n] == ',' || t[j + n] == '"';
			found = before && after;
		}
		if (!found)
			return 0;
	}
	return 1;
}

enum input_form
input_detect(const unsigned char *buf, size_t len)
{
	char *t;
	size_t tl = 0, i = 0, step = 1;
	enum input_form form = INPUT_UNKNOWN;

	if (len >= 8 && memcmp(buf, "ElfFile\0", 8) == 0)
		return INPUT_EVTX;
	if (archive_detect(buf, len))
		return INPUT_ARCHIVE;
	/* A rough ASCII view of the text, enough to tell the forms apart. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	else if (len >= 2 && memcmp(buf, "\xff\xfe", 2) == 0) {
		i = 2;
		step = 2;
	} else if (looks_utf16le(buf, len))
		step = 2;
	t = xmalloc(len / step + 1);
	for (; i + step - 1 < len; i += step) {
		unsigned char ch = buf[i];
		if (step == 2 && buf[i + 1] != 0)
			ch = '?';
		if (ch == 0)
			goto done;   /* binary */
		t[tl++] = (char)ch;
	}
	t[tl] = '\0';
	i = 0;
	while (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n')
		i++;
	if (t[i] == '<') {
		if (strstr(t + i, "<Event") != NULL)
			form = INPUT_XML;
	} else if (t[i] == '[' || t[i] == '{') {
		if (strstr(t + i, "\"ProviderName\"") != NULL &&
		    (strstr(t + i, "\"TimeCreated\"") != NULL ||
		    strstr(t + i, "\"Id\"") != NULL))
			form = INPUT_JSON;
	} else {
		const char *line = t + i;
		if (line_starts(line, "#TYPE ")) {
			line = strchr(line, '\n');
			line = line != NULL ? line + 1 : "";
		}
		if ((form = evcsv_header(line)) == INPUT_UNKNOWN && pscsv_header(line))
			form = INPUT_PSCSV;
	}
done:
	free(t);
	return form;
}

enum input_form
input_detect_fd(int fd)
{
	unsigned char buf[65536];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf)) {
		n = pread(fd, buf + len, sizeof(buf) - len, (off_t)len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	return input_detect(buf, len);
}

/* ---- records to events ---------------------------------------------------- */

static int
source_matches(const struct au_ingest_opts *opts, const char *provider)
{
	for (size_t i = 0; i < opts->nsources; i++)
		if (strcasecmp(opts->sources[i], provider) == 0)
			return 1;
	return 0;
}

static char *
join_strings(char *const *v, size_t n)
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

struct au_error *
input_emit(struct input_ctx *c, const struct input_record *r)
{
	const struct au_ingest_opts *o = c->opts;
	const char *host = r->host != NULL && r->host[0] != '\0' ? r->host : c->host;
	struct au_event *ev;
	struct au_install *in;

	struct au_file_host one = { NULL, 1, r->time, r->time, r->record_id,
	    r->record_id, 0 };

	if (host == c->host && o->computer == NULL)
		c->st->host_from_name = one.from_name = 1;
	c->st->records++;
	au_file_stats_add_host(c->st, host, &one);
	if (r->provider == NULL)
		return NULL;
	if (source_matches(o, r->provider) && r->event_id >= o->id_min &&
	    r->event_id <= o->id_max) {
		ev = xcalloc(1, sizeof(*ev));
		ev->time = r->time;
		ev->host = xstrdup(host != NULL ? host : "");
		ev->record_id = r->record_id;
		ev->event_id = r->event_id;
		ev->qualifiers = r->qualifiers;
		ev->level = r->level;
		ev->provider = xstrdup(r->provider);
		ev->channel = r->channel != NULL ? xstrdup(r->channel) : NULL;
		if (r->has_data && r->ndata > 0)
			ev->message = join_strings(r->data, r->ndata);
		else
			ev->message = xstrdup(r->message != NULL ? r->message : "");
		c->st->matched++;
		if (c->sink->prepare != NULL)
			c->sink->prepare(ev);
		return c->sink->event(c->sink->arg, ev);
	}
	if (c->sink->related != NULL && ingest_is_related_provider(r->provider)) {
		struct au_related rel = { host, r->provider, r->event_id, r->time,
		    r->record_id };
		return c->sink->related(c->sink->arg, &rel);
	}
	if (o->installs && c->sink->install != NULL && install_event_id(r->event_id) &&
	    strcasecmp(r->provider, "MsiInstaller") == 0) {
		int strings = r->has_data && r->ndata > 0;
		in = install_classify(r->provider, r->event_id, r->time, host,
		    r->record_id, strings ? r->data : NULL, strings ? r->ndata : 0,
		    r->message);
		if (in != NULL) {
			c->st->installs++;
			return c->sink->install(c->sink->arg, in);
		}
	}
	return NULL;
}

static int has_evtx_suffix(const char *name);

/* ---- one input ------------------------------------------------------------- */

char *
input_host_from_name(const char *path)
{
	static const char *const tails[] = { "-application", "_application", " application" };
	const char *base = strrchr(path, '/');
	char *name, *dot;
	size_t n;

	base = base != NULL ? base + 1 : path;
	/* An archive member "A.zip:dir\\X.csv": the member's own base name. */
	if (strrchr(base, '\\') != NULL)
		base = strrchr(base, '\\') + 1;
	if (strrchr(base, ':') != NULL)
		base = strrchr(base, ':') + 1;
	name = xstrdup(base);
	/* "AADC01.contoso.local.csv" keeps its dots: only the last extension goes. */
	dot = strrchr(name, '.');
	if (dot != NULL && dot != name)
		*dot = '\0';
	n = strlen(name);
	for (size_t i = 0; i < 3; i++) {
		size_t t = strlen(tails[i]);
		if (n > t && strcasecmp(name + n - t, tails[i]) == 0) {
			name[n - t] = '\0';
			break;
		}
	}
	return name;
}

struct au_error *
input_text(struct input_src *src, enum input_form form,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st)
{
	struct au_error *err = NULL;
	const char *name = src->name;
	struct input_ctx c;
	char *host = NULL;

	memset(&c, 0, sizeof(c));
	c.opts = opts;
	c.sink = sink;
	c.st = st;
	c.name = name;
	/* For records without a Computer (Event Viewer CSV and text have none). */
	if (opts->computer != NULL)
		c.host = opts->computer;
	else
		c.host = host = input_host_from_name(name);
	src->cd = (iconv_t)-1;
	if ((err = src_start(src)) != NULL)
		goto done;
	switch (form) {
	case INPUT_XML:
		err = form_xml_read(&c, src);
		break;
	case INPUT_EVCSV:
	case INPUT_EVTXT:
	case INPUT_PSCSV:
		err = form_csv_read(&c, src, form);
		break;
	case INPUT_JSON:
		err = form_json_read(&c, src);
		break;
	default:
		err = au_error_new(AU_ERR_INTERNAL, name, "no reader for this form");
		break;
	}
	if (c.times_local && opts->tz == NULL)
		st->times_utc = 1;
done:
	if (err != NULL && err->kind == AU_ERR_INPUT)
		au_file_stats_add_error(st, err->msg);
	input_src_close(src);
	free(host);
	return err;
}

struct au_error *
input_fd(int fd, const char *name, const char *path, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st, int nested)
{
	enum input_form form = input_detect_fd(fd);

	switch (form) {
	case INPUT_EVTX:
		return ingest_file(path, opts, sink, st);
	case INPUT_ARCHIVE:
		return archive_read(fd, name, opts, sink, st, nested);
	case INPUT_UNKNOWN:
		if (has_evtx_suffix(name))
			return au_error_new(AU_ERR_INPUT, name,
			    "not an EVTX log (no ElfFile signature), nor an export of one");
		return au_error_new(AU_ERR_INPUT, name,
		    "not an event log of a known form (EVTX; XML, CSV, text or "
		    "JSON export; or an archive of them)");
	default:
		break;
	}
	{
		struct input_src *src = xcalloc(1, sizeof(*src));
		struct au_error *err;

		src->fd = fd;
		src->name = name;
		if (nested == 0) {
			src->progress = sink->progress;
			src->progress_arg = sink->arg;
			src->total = st->size;
		}
		err = input_text(src, form, opts, sink, st);
		free(src);
		return err;
	}
}

/* SHA-256 of the file at fd (libcrypto), as hex into hex[65]. */
static struct au_error *
file_sha256(int fd, const char *path, char hex[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char buf[65536], out[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	off_t off = 0;
	ssize_t n;
	struct au_error *err = NULL;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		err = au_error_new(AU_ERR_INTERNAL, path, "SHA-256 unavailable");
		goto done;
	}
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		EVP_DigestUpdate(md, buf, (size_t)n);
		off += n;
	}
	if (n < 0) {
		err = au_error_errno(AU_ERR_INPUT, path, errno, "cannot read");
		goto done;
	}
	if (EVP_DigestFinal_ex(md, out, &len) == 1 && len == 32)
		for (unsigned i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", out[i]);
done:
	EVP_MD_CTX_free(md);
	return err;
}

struct au_error *
input_file(const char *path, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st)
{
	struct au_error *err = NULL;
	struct stat sb;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		err = au_error_errno(AU_ERR_INPUT, path, errno, "cannot open");
		goto done;
	}
	if (fstat(fd, &sb) == -1) {
		err = au_error_errno(AU_ERR_INPUT, path, errno, "cannot stat");
		goto done;
	}
	if (S_ISDIR(sb.st_mode)) {
		err = au_error_new(AU_ERR_INPUT, path, "is a directory");
		goto done;
	}
	if (sb.st_size == 0) {
		err = au_error_new(AU_ERR_INPUT, path, has_evtx_suffix(path) ?
		    "empty file, not an EVTX log" : "empty file, not an event log");
		goto done;
	}
	st->size = (uint64_t)sb.st_size;
	if (input_detect_fd(fd) != INPUT_EVTX && opts->hash &&
	    (err = file_sha256(fd, path, st->sha256)) != NULL)
		goto done;
	err = input_fd(fd, path, path, opts, sink, st, 0);
done:
	if (err != NULL && err->kind == AU_ERR_INPUT && st->errors == NULL)
		au_file_stats_add_error(st, err->msg);
	if (fd != -1)
		close(fd);
	return err;
}

/* ---- path expansion --------------------------------------------------------- */

struct pathlist {
	char **v;
	size_t n, cap;
};

static void
pathlist_add(struct pathlist *pl, char *path)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 16;
		pl->v = xreallocarray(pl->v, pl->cap, sizeof(*pl->v));
	}
	pl->v[pl->n++] = path;
}

static int
cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A damaged or empty .evtx is still read, so that its problem is told, not passed over. */
static int
has_evtx_suffix(const char *name)
{
	size_t len = strlen(name);
	return len > 5 && strcasecmp(name + len - 5, ".evtx") == 0;
}

static enum input_form
detect_path(const char *path)
{
	enum input_form form;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd == -1)
		return INPUT_UNKNOWN;
	form = input_detect_fd(fd);
	close(fd);
	return form;
}

/* Directories are walked without following symbolic links to directories, so a loop cannot recur. */
static void
walk_dir(const char *dir, struct pathlist *pl, size_t *passed,
    struct au_error **errors, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > 64) {
		au_error_append(errors, au_error_new(AU_ERR_INPUT, dir,
		    "directories nested too deep; not searched"));
		return;
	}
	d = opendir(dir);
	if (d == NULL) {
		au_error_append(errors, au_error_errno(AU_ERR_INPUT, dir, errno,
		    "cannot list directory"));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
		if (lstat(p, &sb) == -1) {
			au_error_append(errors, au_error_errno(AU_ERR_INPUT, p,
			    errno, "cannot stat"));
			free(p);
			continue;
		}
		if (S_ISLNK(sb.st_mode) && stat(p, &sb) == -1) {
			free(p);
			(*passed)++;
			continue;
		}
		if (S_ISDIR(sb.st_mode)) {
			if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
				walk_dir(p, pl, passed, errors, depth + 1);
			free(p);
		} else if (S_ISREG(sb.st_mode) && (has_evtx_suffix(de->d_name) ||
		    (sb.st_size > 0 && detect_path(p) != INPUT_UNKNOWN)))
			pathlist_add(pl, p);
		else {
			(*passed)++;
			free(p);
		}
	}
	closedir(d);
}

void
input_expand_paths(char *const *paths, size_t npaths, char ***files,
    size_t *nfiles, size_t *passed_over, struct au_error **errors)
{
	struct pathlist pl = { NULL, 0, 0 };

	*passed_over = 0;
	for (size_t i = 0; i < npaths; i++) {
		struct stat sb;
		size_t before = pl.n;

		if (stat(paths[i], &sb) == -1) {
			au_error_append(errors, au_error_errno(AU_ERR_INPUT,
			    paths[i], errno, "cannot read"));
			continue;
		}
		if (!S_ISDIR(sb.st_mode)) {
			/* A file named explicitly is read whatever its name; its reader says what it is not. */
			pathlist_add(&pl, xstrdup(paths[i]));
			continue;
		}
		walk_dir(paths[i], &pl, passed_over, errors, 0);
		if (pl.n == before)
			au_error_append(errors, au_error_new(AU_ERR_INPUT,
			    paths[i], "no .evtx files found (nor exports or archives of them)"));
		else
			qsort(pl.v + before, pl.n - before, sizeof(*pl.v),
			    cmp_paths);
	}
	*files = pl.v;
	*nfiles = pl.n;
}

void
input_free_paths(char **files, size_t nfiles)
{
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
}
