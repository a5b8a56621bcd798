/* ingest.c: reads .evtx files with libevtx and picks out upgrade and installer events. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libevtx.h>

#include "ingest.h"
#include "sha256.h"
#include "xmalloc.h"

static const char *const default_sources[] = {
	"Azure AD Connect Upgrade",
	"Microsoft Entra Connect Upgrade",
};

void
ingest_opts_default(struct au_ingest_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sources = default_sources;
	opts->nsources = sizeof(default_sources) / sizeof(default_sources[0]);
	opts->id_min = 300;
	opts->id_max = 399;
	opts->installs = 1;
}

/*
 * libyal errors are a back trace, one "function: message" line per level,
 * the innermost first. The innermost says what actually went wrong; the
 * function names mean nothing to a user.
 */
static char *
evtx_error_text(libevtx_error_t *lerr)
{
	char buf[1024];
	char *line, *colon, *nl;

	if (lerr == NULL || libevtx_error_sprint(lerr, buf, sizeof(buf)) <= 0)
		return xstrdup("unknown libevtx error");
	nl = strchr(buf, '\n');
	if (nl != NULL)
		*nl = '\0';
	line = buf;
	colon = strstr(line, ": ");
	if (colon != NULL && strncmp(line, "lib", 3) == 0)
		line = colon + 2;
	nl = line + strlen(line);
	while (nl > line && (nl[-1] == '.' || nl[-1] == ' ' || nl[-1] == '\r'))
		*--nl = '\0';
	return xstrdup(line);
}

static int
source_matches(const struct au_ingest_opts *opts, const char *provider)
{
	for (size_t i = 0; i < opts->nsources; i++)
		if (strcasecmp(opts->sources[i], provider) == 0)
			return 1;
	return 0;
}

/* Gets a libevtx UTF-8 string through its size/value pair; NULL when absent. */
#define GET_UTF8(fn_size, fn, rec, out) do {				\
	size_t sz_ = 0;							\
	(out) = NULL;							\
	if (fn_size((rec), &sz_, NULL) == 1 && sz_ > 0) {		\
		(out) = xmalloc(sz_);					\
		if (fn((rec), (uint8_t *)(out), sz_, NULL) != 1) {	\
			free(out);					\
			(out) = NULL;					\
		}							\
	}								\
} while (0)

/* The Data strings joined by '\n'. */
static char *
record_message(libevtx_record_t *rec, char ***strings, int *nstrings)
{
	int n = 0;
	size_t len = 0, sz;
	char **v = NULL;
	char *msg, *p;

	if (libevtx_record_get_number_of_strings(rec, &n, NULL) != 1 || n < 0)
		n = 0;
	if (n > 0)
		v = xcalloc((size_t)n, sizeof(*v));
	for (int i = 0; i < n; i++) {
		sz = 0;
		if (libevtx_record_get_utf8_string_size(rec, i, &sz, NULL) == 1 &&
		    sz > 0) {
			v[i] = xmalloc(sz);
			if (libevtx_record_get_utf8_string(rec, i, (uint8_t *)v[i],
			    sz, NULL) != 1)
				v[i][0] = '\0';
		} else
			v[i] = xstrdup("");
		len += strlen(v[i]) + 1;
	}
	msg = p = xmalloc(len + 1);
	*p = '\0';
	for (int i = 0; i < n; i++) {
		size_t l = strlen(v[i]);
		if (i > 0)
			*p++ = '\n';
		memcpy(p, v[i], l);
		p += l;
		*p = '\0';
	}
	*strings = v;
	*nstrings = n;
	return msg;
}

static void
free_strings(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

static int
is_connect_product(const char *name)
{
	return name != NULL && (contains_ci(name, "Azure AD Connect") ||
	    contains_ci(name, "Entra Connect"));
}

/*
 * MsiInstaller 1033: Data = Name, Version, Language, Status, Manufacturer.
 * MsiInstaller 11707: Data[0] = "Product: NAME -- Installation completed
 * successfully." (no version).
 */
static struct au_install *
install_from_record(libevtx_record_t *rec, uint32_t event_id, char **v, int n)
{
	struct au_install *in;
	char *product = NULL, *version = NULL, *end;
	int status = -1;

	if (event_id == 1033 && n >= 2) {
		product = xstrdup(v[0]);
		version = xstrdup(v[1]);
		if (n >= 4 && v[3][0] != '\0') {
			long s = strtol(v[3], &end, 10);
			if (*end == '\0')
				status = (int)s;
		}
	} else if (event_id == 11707 && n >= 1 &&
	    strncmp(v[0], "Product: ", 9) == 0) {
		const char *start = v[0] + 9;
		const char *sep = strstr(start, " -- ");
		product = sep != NULL ? xstrndup(start, (size_t)(sep - start)) :
		    xstrdup(start);
		status = 0;
	}
	if (!is_connect_product(product)) {
		free(product);
		free(version);
		return NULL;
	}
	in = xcalloc(1, sizeof(*in));
	in->product = product;
	in->version = version;
	in->status = status;
	in->event_id = event_id;
	(void)rec;
	return in;
}

static uint64_t
record_time(libevtx_record_t *rec)
{
	uint64_t t = 0;

	if (libevtx_record_get_creation_time(rec, &t, NULL) != 1 || t == 0)
		if (libevtx_record_get_written_time(rec, &t, NULL) != 1)
			t = 0;
	return t;
}

/* Looks at one record; hands matching ones to the sink. */
static struct au_error *
ingest_record(libevtx_record_t *rec, int recovered,
    const struct au_ingest_opts *opts, const struct au_ingest_sink *sink,
    struct au_file_stats *st)
{
	struct au_error *err = NULL;
	struct au_event *ev = NULL;
	struct au_install *in = NULL;
	char *provider = NULL, *computer = NULL, **strings = NULL;
	uint32_t event_id = 0;
	uint32_t qualifiers = 0;
	uint8_t level = 0;
	uint64_t record_id = 0;
	int nstrings = 0, upgrade, installer;

	GET_UTF8(libevtx_record_get_utf8_source_name_size,
	    libevtx_record_get_utf8_source_name, rec, provider);
	if (provider == NULL)
		goto done;
	if (libevtx_record_get_event_identifier(rec, &event_id, NULL) != 1)
		goto done;
	upgrade = event_id >= opts->id_min && event_id <= opts->id_max &&
	    source_matches(opts, provider);
	installer = opts->installs && sink->install != NULL &&
	    (event_id == 1033 || event_id == 11707) &&
	    strcasecmp(provider, "MsiInstaller") == 0;
	if (!upgrade && !installer)
		goto done;

	GET_UTF8(libevtx_record_get_utf8_computer_name_size,
	    libevtx_record_get_utf8_computer_name, rec, computer);
	if (computer == NULL)
		computer = xstrdup("");
	libevtx_record_get_identifier(rec, &record_id, NULL);
	libevtx_record_get_event_identifier_qualifiers(rec, &qualifiers, NULL);
	libevtx_record_get_event_level(rec, &level, NULL);

	if (upgrade) {
		ev = xcalloc(1, sizeof(*ev));
		ev->time = record_time(rec);
		ev->record_id = record_id;
		ev->event_id = event_id;
		ev->qualifiers = qualifiers;
		ev->level = level;
		ev->recovered = recovered;
		ev->provider = provider;
		provider = NULL;
		ev->host = computer;
		computer = NULL;
		GET_UTF8(libevtx_record_get_utf8_channel_name_size,
		    libevtx_record_get_utf8_channel_name, rec, ev->channel);
		ev->message = record_message(rec, &strings, &nstrings);
		st->matched++;
		err = sink->event(sink->arg, ev);
		ev = NULL;
		goto done;
	}

	ev = NULL;
	free(record_message(rec, &strings, &nstrings));
	in = install_from_record(rec, event_id, strings, nstrings);
	if (in != NULL) {
		in->time = record_time(rec);
		in->record_id = record_id;
		in->host = computer;
		computer = NULL;
		st->installs++;
		err = sink->install(sink->arg, in);
		in = NULL;
	}
done:
	free(provider);
	free(computer);
	free_strings(strings, nstrings);
	au_event_free(ev);
	au_install_free(in);
	return err;
}

/* Checks that path is a readable, non-empty EVTX file before libevtx sees it. */
static struct au_error *
precheck(const char *path, struct au_file_stats *st)
{
	struct stat sb;
	char magic[8];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return au_error_errno(AU_ERR_INPUT, path, errno, "cannot open");
	if (fstat(fd, &sb) == -1) {
		int e = errno;
		close(fd);
		return au_error_errno(AU_ERR_INPUT, path, e, "cannot stat");
	}
	if (S_ISDIR(sb.st_mode)) {
		close(fd);
		return au_error_new(AU_ERR_INPUT, path, "is a directory");
	}
	st->size = (uint64_t)sb.st_size;
	n = read(fd, magic, sizeof(magic));
	close(fd);
	if (n == -1)
		return au_error_errno(AU_ERR_INPUT, path, errno, "cannot read");
	if (n == 0)
		return au_error_new(AU_ERR_INPUT, path, "empty file, not an EVTX log");
	if (n < (ssize_t)sizeof(magic) || memcmp(magic, "ElfFile\0", 8) != 0)
		return au_error_new(AU_ERR_INPUT, path,
		    "not an EVTX log (no ElfFile signature)");
	return NULL;
}

struct au_error *
ingest_file(const char *path, const struct au_ingest_opts *opts,
    const struct au_ingest_sink *sink, struct au_file_stats *st)
{
	struct au_error *err = NULL;
	libevtx_file_t *file = NULL;
	libevtx_error_t *lerr = NULL;
	libevtx_record_t *rec = NULL;
	char *text = NULL;
	int nrec = 0, nrecovered = 0, bad = 0;
	uint32_t flags = 0;
	uint64_t corrupt_before = st->corrupt;

	if ((err = precheck(path, st)) != NULL)
		goto done;
	if (opts->hash && (err = sha256_file(path, st->sha256)) != NULL)
		goto done;

	if (libevtx_file_initialize(&file, &lerr) != 1 ||
	    libevtx_file_open(file, path, LIBEVTX_OPEN_READ, &lerr) != 1) {
		text = evtx_error_text(lerr);
		err = au_error_new(AU_ERR_INPUT, path, "cannot open as EVTX: %s",
		    text);
		goto done;
	}
	if (libevtx_file_get_flags(file, &flags, &lerr) == 1)
		st->dirty = (flags & LIBEVTX_FILE_FLAG_IS_DIRTY) != 0;
	libevtx_error_free(&lerr);

	if (libevtx_file_get_number_of_records(file, &nrec, &lerr) != 1) {
		text = evtx_error_text(lerr);
		err = au_error_new(AU_ERR_INPUT, path, "cannot count records: %s",
		    text);
		goto done;
	}
	for (int i = 0; i < nrec; i++) {
		if (libevtx_file_get_record_by_index(file, i, &rec, &lerr) != 1) {
			libevtx_error_free(&lerr);
			st->corrupt++;
			continue;
		}
		st->records++;
		err = ingest_record(rec, 0, opts, sink, st);
		libevtx_record_free(&rec, NULL);
		if (err != NULL)
			goto done;
	}
	if (opts->recovered &&
	    libevtx_file_get_number_of_recovered_records(file, &nrecovered,
	    &lerr) == 1) {
		for (int i = 0; i < nrecovered; i++) {
			if (libevtx_file_get_recovered_record_by_index(file, i,
			    &rec, &lerr) != 1) {
				libevtx_error_free(&lerr);
				st->corrupt++;
				continue;
			}
			st->records++;
			st->recovered++;
			err = ingest_record(rec, 1, opts, sink, st);
			libevtx_record_free(&rec, NULL);
			if (err != NULL)
				goto done;
		}
	}
	libevtx_error_free(&lerr);

	if (st->corrupt > corrupt_before) {
		char *m = xasprintf("%llu record(s) could not be read",
		    (unsigned long long)(st->corrupt - corrupt_before));
		au_file_stats_add_error(st, m);
		free(m);
		bad = 1;
	}
	if (libevtx_file_is_corrupted(file, NULL) == 1) {
		st->file_corrupted = 1;
		au_file_stats_add_error(st,
		    "damaged: libevtx found corrupted chunks or checksum errors");
		bad = 1;
	}
	if (bad)
		err = au_error_new(AU_ERR_INPUT, path, "%s", st->errors);
done:
	if (err != NULL && err->kind == AU_ERR_INPUT && st->errors == NULL)
		au_file_stats_add_error(st, err->msg);
	libevtx_error_free(&lerr);
	libevtx_record_free(&rec, NULL);
	if (file != NULL) {
		libevtx_file_close(file, NULL);
		libevtx_file_free(&file, NULL);
	}
	free(text);
	return err;
}

/* ---- path expansion ---------------------------------------------------- */

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
has_evtx_suffix(const char *name)
{
	size_t len = strlen(name);
	return len > 5 && strcasecmp(name + len - 5, ".evtx") == 0;
}

static int
cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directories are walked without following symbolic links to directories, so a loop cannot recur. */
static void
walk_dir(const char *dir, struct pathlist *pl, struct au_error **errors, int depth)
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
		if (S_ISDIR(sb.st_mode)) {
			walk_dir(p, pl, errors, depth + 1);
			free(p);
		} else if (has_evtx_suffix(de->d_name) &&
		    (S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode)))
			pathlist_add(pl, p);
		else
			free(p);
	}
	closedir(d);
}

void
ingest_expand_paths(char *const *paths, size_t npaths, char ***files,
    size_t *nfiles, struct au_error **errors)
{
	struct pathlist pl = { NULL, 0, 0 };

	for (size_t i = 0; i < npaths; i++) {
		struct stat sb;
		size_t before = pl.n;

		if (stat(paths[i], &sb) == -1) {
			au_error_append(errors, au_error_errno(AU_ERR_INPUT,
			    paths[i], errno, "cannot read"));
			continue;
		}
		if (!S_ISDIR(sb.st_mode)) {
			/* A file named explicitly is read whatever its name. */
			pathlist_add(&pl, xstrdup(paths[i]));
			continue;
		}
		walk_dir(paths[i], &pl, errors, 0);
		if (pl.n == before)
			au_error_append(errors, au_error_new(AU_ERR_INPUT,
			    paths[i], "no .evtx files found"));
		else
			qsort(pl.v + before, pl.n - before, sizeof(*pl.v),
			    cmp_paths);
	}
	*files = pl.v;
	*nfiles = pl.n;
}

void
ingest_free_paths(char **files, size_t nfiles)
{
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
}
