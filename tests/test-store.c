/* test-store.c: unit tests of the history database on a real SQLite file in a temp dir. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "analyse.h"
#include "classify.h"
#include "event.h"
#include "store.h"
#include "xmalloc.h"

static int passed, failed;

#define CHECK(cond, ...) check((cond), __LINE__, #cond, __VA_ARGS__)

__attribute__((format(printf, 4, 5)))
static void
check(int ok, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL line %d: %s: ", line, expr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* 2020-01-01T00:00:00Z plus the given seconds, as FILETIME. */
static uint64_t
ft(uint64_t secs)
{
	return (UINT64_C(1577836800) + UINT64_C(11644473600) + secs) * UINT64_C(10000000);
}

static struct au_event *
mkev(const char *host, uint64_t time, uint64_t rec, const char *code,
    const char *detail)
{
	struct au_event *ev = xcalloc(1, sizeof(*ev));

	ev->time = time;
	ev->host = xstrdup(host);
	ev->record_id = rec;
	ev->event_id = 300;
	ev->qualifiers = 0;
	ev->level = 4;
	ev->provider = xstrdup("Azure AD Connect Upgrade");
	ev->channel = xstrdup("Application");
	ev->message = code ? xasprintf("Azure AD Connect AutoUpgrade result = %s%s%s",
	    code, detail ? "-" : "", detail ? detail : "") : xstrdup("starting");
	/* Classified as classify_event does it, without depending on the text. */
	if (code != NULL) {
		ev->result_code = xstrdup(code);
		ev->detail = detail ? xstrdup(detail) : NULL;
		if (detail != NULL) {
			char *full = xasprintf("%s-%s", code, detail);
			ev->code = classify_lookup(full);
			free(full);
		}
		if (ev->code == NULL)
			ev->code = classify_lookup(code);
		ev->category = ev->code ? ev->code->category : classify_category(code);
	}
	return ev;
}

static int
add(struct au_store *s, int64_t fid, struct au_event *ev)
{
	struct au_error *err;
	int is_new = -1;

	err = store_add_event(s, fid, ev, &is_new);
	CHECK(err == NULL, "store_add_event: %s", err ? err->msg : "");
	au_error_free(err);
	au_event_free(ev);
	return is_new;
}

static int
file_begin(struct au_store *s, const char *path, int64_t *fid)
{
	struct au_file_stats st;
	struct au_error *err;
	int ok;

	/* As in import: size and hash are known only after reading, at commit. */
	memset(&st, 0, sizeof(st));
	st.path = (char *)path;
	err = store_file_begin(s, &st, fid);
	ok = err == NULL;
	CHECK(ok, "store_file_begin %s: %s", path, err ? err->msg : "");
	au_error_free(err);
	return ok;
}

static void
file_commit(struct au_store *s, int64_t fid, uint64_t records)
{
	struct au_file_stats st;
	struct au_error *err;

	memset(&st, 0, sizeof(st));
	st.records = records;
	st.matched = records;
	st.size = 1234;
	snprintf(st.sha256, sizeof(st.sha256), "%064" PRId64, fid + 10);
	err = store_file_commit(s, fid, &st);
	CHECK(err == NULL, "store_file_commit: %s", err ? err->msg : "");
	au_error_free(err);
}

/* What store_each_host handed over, kept for checking. */
struct collected {
	size_t nhosts;
	char *names[8];
	struct au_event **events[8];
	size_t nevents[8];
	struct au_install **installs[8];
	size_t ninstalls[8];
};

static struct au_error *
collect_host(void *arg, struct au_event **events, size_t nevents,
    struct au_install **installs, size_t ninstalls)
{
	struct collected *c = arg;
	size_t i = c->nhosts++;

	c->names[i] = xstrdup(nevents ? events[0]->host : installs[0]->host);
	c->events[i] = events;
	c->nevents[i] = nevents;
	c->installs[i] = installs;
	c->ninstalls[i] = ninstalls;
	return NULL;
}

static void
collected_free(struct collected *c)
{
	for (size_t h = 0; h < c->nhosts; h++) {
		for (size_t i = 0; i < c->nevents[h]; i++)
			au_event_free(c->events[h][i]);
		free(c->events[h]);
		for (size_t i = 0; i < c->ninstalls[h]; i++)
			au_install_free(c->installs[h][i]);
		free(c->installs[h]);
		free(c->names[h]);
	}
	memset(c, 0, sizeof(*c));
}

struct file_rows {
	size_t n;
	uint64_t new_[8], known[8], records[8], members[8], nhosts[8];
	int member[8];
	char *path[8];
};

static struct au_error *
collect_file(void *arg, const struct au_file_stats *st)
{
	struct file_rows *f = arg;

	if (f->n < 8) {
		f->new_[f->n] = st->events_new;
		f->known[f->n] = st->events_known;
		f->records[f->n] = st->records;
		f->members[f->n] = st->members;
		f->nhosts[f->n] = st->nhosts;
		f->member[f->n] = st->member;
		f->path[f->n] = xstrdup(st->path);
	}
	f->n++;
	return NULL;
}

static void
file_rows_free(struct file_rows *f)
{
	for (size_t i = 0; i < f->n && i < 8; i++)
		free(f->path[i]);
	memset(f, 0, sizeof(*f));
}

struct walk {
	size_t n;
	char *keys[16];   /* "host/record" */
};

static struct au_error *
collect_event(void *arg, struct au_event *ev)
{
	struct walk *w = arg;

	if (w->n < 16)
		w->keys[w->n] = xasprintf("%s/%" PRIu64, ev->host, ev->record_id);
	w->n++;
	au_event_free(ev);
	return NULL;
}

static void
walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n && i < 16; i++)
		free(w->keys[i]);
	memset(w, 0, sizeof(*w));
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

static int
contains(const struct au_error *err, const char *needle)
{
	return err != NULL && err->msg != NULL && strstr(err->msg, needle) != NULL;
}

static int
where_is(const struct au_error *err, const char *path)
{
	return err != NULL && err->where != NULL && strcmp(err->where, path) == 0;
}

/* Entries in a directory: a read-only open must not add any (-wal, -shm). */
static int
dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* A history of one file and one event at path, made by this (root) process. */
static void
make_small_history(const char *path)
{
	struct au_store *s = NULL;
	struct au_error *err;
	int64_t fid;

	err = store_open(path, STORE_CREATE, &s);
	CHECK(err == NULL, "create %s: %s", path, err ? err->msg : "");
	au_error_free(err);
	if (s != NULL && file_begin(s, "a.evtx", &fid)) {
		CHECK(add(s, fid, mkev("H", ft(1), 1, "Success", NULL)) == 1, "event");
		file_commit(s, fid, 1);
	}
	store_close(s);
}

/*
 * In a child as uid 65534 (tests run as root, who may write anything):
 * writing db is refused with a clear error naming it; reading it works,
 * without a byte of it changed and without a file made beside it.
 * Exits 0 when all holds, 77 when privileges cannot be dropped.
 */
static void
read_only_child(const char *db, const char *dir, const char *label)
{
	struct au_store *s = NULL;
	struct au_store_counts c;
	struct au_error *err;
	char *b1, *b2;
	size_t l1, l2;
	int n0, ok = 1;

	if (setgid(65534) == -1 || setuid(65534) == -1)
		_exit(77);
	n0 = dir_entries(dir);
	b1 = slurp(db, &l1);
	err = store_open(db, STORE_WRITE, &s);
	if (err == NULL) {
		printf("  %s: opened for writing\n", label);
		_exit(1);
	}
	printf("  %s, writing (as uid 65534): %s: %s\n", label, err->where, err->msg);
	ok = err->kind == AU_ERR_DB && where_is(err, db) && contains(err, "read-only");
	au_error_free(err);
	err = store_open(db, STORE_READ, &s);
	if (err != NULL) {
		printf("  %s, reading (as uid 65534): %s: %s\n", label, err->where,
		    err->msg);
		_exit(1);
	}
	err = store_counts(s, NULL, &c);
	ok = ok && err == NULL && c.events == 1 && c.files == 1;
	if (err != NULL)
		printf("  %s: counts: %s\n", label, err->msg);
	store_close(s);
	b2 = slurp(db, &l2);
	if (b1 == NULL || b2 == NULL || l1 != l2 || memcmp(b1, b2, l1) != 0) {
		printf("  %s: reading changed the file\n", label);
		ok = 0;
	}
	if (dir_entries(dir) != n0) {
		printf("  %s: reading made a file beside it\n", label);
		ok = 0;
	}
	fflush(stdout);
	_exit(ok ? 0 : 1);
}

static void
check_child(pid_t pid, const char *what)
{
	int status;

	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		printf("  SKIP %s: cannot drop privileges\n", what);
	else
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "%s: writing refused clearly, reading works unchanged (status %d)",
		    what, status);
}

/* Read-only files and directories: refused for writing, read as they are. */
static void
test_read_only(const char *dir)
{
	char *db = xasprintf("%s/ro.db", dir);
	char *rwdir = xasprintf("%s/rwdir", dir);
	char *db3 = xasprintf("%s/h.db", rwdir);
	char *rodir = xasprintf("%s/rodir", dir);
	char *db2 = xasprintf("%s/h.db", rodir);
	pid_t pid;

	if (geteuid() != 0) {
		printf("  SKIP read-only: the test drops root privileges\n");
		goto done;
	}
	/* The file and its directory not writable by the user. */
	make_small_history(db);
	chmod(db, 0444);
	chmod(dir, 0755);
	fflush(stdout);
	if ((pid = fork()) == 0)
		read_only_child(db, dir, "read-only file and directory");
	check_child(pid, "read-only file and directory");

	/* The file alone not writable, in a directory the user may write. */
	mkdir(rwdir, 0755);
	make_small_history(db3);
	chmod(db3, 0444);
	if (chown(rwdir, 65534, 65534) == -1)
		printf("  chown: %s\n", strerror(errno));
	fflush(stdout);
	if ((pid = fork()) == 0)
		read_only_child(db3, rwdir, "read-only file in a writable directory");
	check_child(pid, "read-only file in a writable directory");

	/* A directory the user may not write: WAL's -wal/-shm cannot be made. */
	mkdir(rodir, 0755);
	make_small_history(db2);
	if (chown(db2, 65534, 65534) == -1)
		printf("  chown: %s\n", strerror(errno));
	fflush(stdout);
	if ((pid = fork()) == 0)
		read_only_child(db2, rodir, "read-only directory");
	check_child(pid, "read-only directory");
done:
	free(db);
	free(rwdir);
	free(db3);
	free(rodir);
	free(db2);
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_locked(const char *dir)
{
	char *db = xasprintf("%s/locked.db", dir);
	struct au_store *a = NULL, *b = NULL;
	struct au_error *err;
	int64_t fa = 0, fb = 0;
	struct au_file_stats st;
	double t0;

	setenv("AADC_UPGRADE_BUSY_TIMEOUT_MS", "300", 1);
	err = store_open(db, 1, &a);
	CHECK(err == NULL, "open a: %s", err ? err->msg : "");
	au_error_free(err);
	err = store_open(db, STORE_WRITE, &b);
	CHECK(err == NULL, "open b: %s", err ? err->msg : "");
	au_error_free(err);
	if (a == NULL || b == NULL)
		goto done;
	if (!file_begin(a, "a.evtx", &fa))
		goto done;
	CHECK(add(a, fa, mkev("H", ft(1), 1, "UpgradeAbortedSyncExeInUse", NULL)) == 1,
	    "event added under lock");

	/* b: reads still work (WAL), a second writer waits, then fails clearly. */
	struct au_store_counts c;
	err = store_counts(b, NULL, &c);
	CHECK(err == NULL && c.events == 0, "reader not blocked, sees no uncommitted"
	    " event: %s", err ? err->msg : "");
	au_error_free(err);
	memset(&st, 0, sizeof(st));
	st.path = "b.evtx";
	t0 = seconds();
	err = store_file_begin(b, &st, &fb);
	CHECK(err != NULL && err->kind == AU_ERR_DB && where_is(err, db) &&
	    contains(err, "locked"), "locked: %s", err ? err->msg : "no error");
	CHECK(seconds() - t0 >= 0.25, "waited for the busy timeout (%.3f s)",
	    seconds() - t0);
	if (err != NULL)
		printf("  locked: %s: %s\n", err->where, err->msg);
	au_error_free(err);

	store_file_rollback(a);
	err = store_file_begin(b, &st, &fb);
	CHECK(err == NULL, "begin after the lock is gone: %s", err ? err->msg : "");
	au_error_free(err);
	file_commit(b, fb, 0);
	err = store_counts(b, NULL, &c);
	CHECK(err == NULL && c.events == 0 && c.files == 1,
	    "the rolled back file left nothing (%" PRIu64 " events, %" PRIu64 " files)",
	    c.events, c.files);
	au_error_free(err);
done:
	unsetenv("AADC_UPGRADE_BUSY_TIMEOUT_MS");
	store_close(a);
	store_close(b);
	free(db);
}

static void
test_refusals(const char *dir)
{
	char *db = xasprintf("%s/newer.db", dir);
	char *wal = xasprintf("%s-wal", db);
	char *junk = xasprintf("%s/junk.db", dir);
	struct au_store *s = NULL;
	struct au_error *err;
	struct stat before, after;
	char *b1, *b2;
	size_t l1, l2;
	FILE *f;

	/* A database from a newer aadc-upgrade: user_version is at offset 60. */
	err = store_open(db, 1, &s);
	CHECK(err == NULL, "create newer.db: %s", err ? err->msg : "");
	au_error_free(err);
	store_close(s);
	s = NULL;
	CHECK(access(wal, F_OK) == -1, "WAL checkpointed on close");
	f = fopen(db, "r+b");
	CHECK(f != NULL, "open newer.db");
	if (f != NULL) {
		static const unsigned char v99[4] = { 0, 0, 0, 99 };
		fseek(f, 60, SEEK_SET);
		fwrite(v99, 1, 4, f);
		fclose(f);
	}
	stat(db, &before);
	b1 = slurp(db, &l1);
	sleep(1);   /* so a write would change the mtime even on coarse clocks */
	err = store_open(db, 1, &s);
	CHECK(err != NULL && err->kind == AU_ERR_DB && where_is(err, db) &&
	    contains(err, "newer"), "newer schema refused: %s",
	    err ? err->msg : "opened");
	if (err != NULL)
		printf("  newer: %s: %s\n", err->where, err->msg);
	au_error_free(err);
	store_close(s);
	s = NULL;
	stat(db, &after);
	b2 = slurp(db, &l2);
	CHECK(l1 == l2 && b1 != NULL && b2 != NULL && memcmp(b1, b2, l1) == 0,
	    "newer database's bytes unchanged");
	CHECK(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
	    before.st_mtim.tv_nsec == after.st_mtim.tv_nsec,
	    "newer database's mtime unchanged");
	free(b1);
	free(b2);

	/* Not a database at all. */
	f = fopen(junk, "wb");
	for (int i = 0; f != NULL && i < 200; i++)
		fputs("this is not an SQLite database, just some text\n", f);
	if (f != NULL)
		fclose(f);
	b1 = slurp(junk, &l1);
	err = store_open(junk, 1, &s);
	CHECK(err != NULL && err->kind == AU_ERR_DB && where_is(err, junk) &&
	    contains(err, "not an SQLite database"), "not a database: %s",
	    err ? err->msg : "opened");
	if (err != NULL)
		printf("  junk: %s: %s\n", err->where, err->msg);
	au_error_free(err);
	store_close(s);
	s = NULL;
	b2 = slurp(junk, &l2);
	CHECK(l1 == l2 && memcmp(b1, b2, l1) == 0, "junk file unchanged");
	free(b1);
	free(b2);

	/* A directory where the database should be. */
	err = store_open(dir, 1, &s);
	CHECK(err != NULL && err->kind == AU_ERR_DB && where_is(err, dir),
	    "directory refused: %s", err ? err->msg : "opened");
	au_error_free(err);
	store_close(s);
	s = NULL;

	/* A parent that is a file. */
	char *under = xasprintf("%s/sub/x.db", junk);
	err = store_open(under, 1, &s);
	CHECK(err != NULL && err->kind == AU_ERR_DB && where_is(err, under),
	    "parent is a file: %s", err ? err->msg : "opened");
	au_error_free(err);
	store_close(s);
	free(under);

	free(db);
	free(wal);
	free(junk);
}

/* Host selectors: full name, first label, glob, any case; nearest names. */
static void
test_match(void)
{
	struct au_store *s = NULL;
	struct au_error *err;
	char **names = NULL;
	size_t n = 0;
	int64_t fid;

	err = store_open(NULL, STORE_CREATE, &s);
	CHECK(err == NULL, "open: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		return;
	if (file_begin(s, "/logs/match.evtx", &fid)) {
		add(s, fid, mkev("SYNC01.contoso.local", ft(7000), 1, "Success", NULL));
		add(s, fid, mkev("sync01.fabrikam.local", ft(7000), 2, "Success", NULL));
		add(s, fid, mkev("EDGE7.contoso.local", ft(7000), 3, "Success", NULL));
		file_commit(s, fid, 3);
	}
	err = store_match_hosts(s, (const char *const[]){ "edge7" }, 1, &names, &n);
	CHECK(err == NULL && n == 1 && strcmp(names[0], "EDGE7.contoso.local") == 0,
	    "a unique first label selects its host (%s)", err ? err->msg : "");
	au_error_free(err);
	store_free_paths(names, n);
	err = store_match_hosts(s, (const char *const[]){ "SYNC0?.*", "edge7.CONTOSO.local" },
	    2, &names, &n);
	CHECK(err == NULL && n == 3 && strcmp(names[0], "EDGE7.contoso.local") == 0 &&
	    strcmp(names[1], "SYNC01.contoso.local") == 0 &&
	    strcmp(names[2], "sync01.fabrikam.local") == 0,
	    "a glob, any case, and a full name, in name order (%zu)", n);
	au_error_free(err);
	store_free_paths(names, n);
	/* A glob without a dot matches first labels too: "EDGE?" as "edge7". */
	err = store_match_hosts(s, (const char *const[]){ "EDGE?" }, 1, &names, &n);
	CHECK(err == NULL && n == 1 && strcmp(names[0], "EDGE7.contoso.local") == 0,
	    "a glob without a dot matches the first label (%zu)", n);
	au_error_free(err);
	store_free_paths(names, n);
	err = store_match_hosts(s, (const char *const[]){ "sync01" }, 1, &names, &n);
	CHECK(err != NULL && err->kind == AU_ERR_NOTFOUND && n == 0 &&
	    contains(err, "sync01 names 2 hosts (SYNC01.contoso.local, sync01.fabrikam.local)"),
	    "a shared first label is refused with the candidates: %s",
	    err ? err->msg : "none");
	au_error_free(err);
	err = store_match_hosts(s, (const char *const[]){ "edge8" }, 1, &names, &n);
	CHECK(err != NULL && err->kind == AU_ERR_NOTFOUND &&
	    contains(err, "no such host in the logs read: edge8 (nearest: EDGE7.contoso.local"),
	    "unknown host: nearest name first: %s", err ? err->msg : "none");
	au_error_free(err);
	err = store_match_hosts(s, (const char *const[]){ "web*" }, 1, &names, &n);
	CHECK(err != NULL && contains(err, "no host in the logs read matches web*") &&
	    err->where == NULL, "a glob matching nothing (scan: no path named): %s",
	    err ? err->msg : "none");
	au_error_free(err);
	store_close(s);
}

static void
test_history(const char *dir)
{
	char *sub = xasprintf("%s/new/sub", dir);
	char *db = xasprintf("%s/history.db", sub);
	struct au_store *s = NULL;
	struct au_error *err;
	struct collected c;
	struct file_rows fr;
	struct walk w;
	struct au_store_counts cnt;
	struct stat sb;
	int64_t fa = 0, fb = 0, fc = 0;
	int is_new;
	/* What file_commit records for file b (id 2). */
	const char *sha_b = "00000000000000000000000000000000"
	    "00000000000000000000000000000012";

	memset(&c, 0, sizeof(c));
	memset(&fr, 0, sizeof(fr));
	memset(&w, 0, sizeof(w));

	err = store_open(db, STORE_READ, &s);
	CHECK(err != NULL && err->kind == AU_ERR_DB && where_is(err, db) &&
	    contains(err, "no history yet"), "missing database without create: %s",
	    err ? err->msg : "opened");
	au_error_free(err);
	CHECK(stat(sub, &sb) == -1, "nothing created without create");

	err = store_open(db, 1, &s);
	CHECK(err == NULL, "create: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		goto done;
	CHECK(strcmp(store_path(s), db) == 0, "store_path");
	CHECK(stat(sub, &sb) == 0 && (sb.st_mode & 0777) == 0700,
	    "new directory is 0700 (%o)", (unsigned)(sb.st_mode & 0777));

	/* File A: three events of AADC01. */
	if (!file_begin(s, "/logs/a.evtx", &fa))
		goto done;
	CHECK(add(s, fa, mkev("AADC01", ft(100), 10, "UpgradeAbortedSyncExeInUse", NULL)) == 1, "a1 new");
	CHECK(add(s, fa, mkev("AADC01", ft(200), 11, NULL, NULL)) == 1, "a2 new");
	CHECK(add(s, fa, mkev("AADC01", ft(300), 12, "UpgradeAbortedSyncExeInUse", NULL)) == 1, "a3 new");
	CHECK(add(s, fa, mkev("AADC01", ft(300), 12, "UpgradeAbortedSyncExeInUse", NULL)) == 0, "a3 twice in one file");
	{
		struct au_install in = { ft(50), "aadc01", 5, 1033,
		    "Microsoft Azure AD Connect", "1.1.614.0", 0 };
		err = store_add_install(s, fa, &in, &is_new);
		CHECK(err == NULL && is_new == 1, "install new");
		au_error_free(err);
	}
	file_commit(s, fa, 4);

	/* File B overlaps A (other spelling), adds later events, out of order. */
	if (!file_begin(s, "/logs/b.evtx", &fb))
		goto done;
	CHECK(add(s, fb, mkev("Aadc01", ft(500), 14, "UpgradeFailedRollbackSuccess",
	    "GetPasswordHashSyncStateFailed")) == 1, "b4 new");
	CHECK(add(s, fb, mkev("aadc01", ft(300), 12, "UpgradeAbortedSyncExeInUse", NULL)) == 0, "a3 known from b");
	CHECK(add(s, fb, mkev("aadc01", ft(200), 11, NULL, NULL)) == 0, "a2 known from b");
	CHECK(add(s, fb, mkev("AADC01", ft(400), 13, "UpgradeNotSupportedNonLocalDbInstall", NULL)) == 1, "b3 new");
	CHECK(add(s, fb, mkev("OTHER.contoso.local", ft(400), 1, "PreUpgradeFailure", NULL)) == 1, "other new");
	{
		struct au_install in = { ft(50), "AADC01", 5, 1033,
		    "Microsoft Azure AD Connect", "1.1.614.0", 0 };
		err = store_add_install(s, fb, &in, &is_new);
		CHECK(err == NULL && is_new == 0, "install known");
		au_error_free(err);
	}
	file_commit(s, fb, 6);

	/* File C is rolled back: none of it may stay. */
	if (!file_begin(s, "/logs/c.evtx", &fc))
		goto done;
	CHECK(add(s, fc, mkev("ROLLBACK01", ft(600), 1, "UpgradeAbortedSyncExeInUse", NULL)) == 1, "c1 new");
	CHECK(add(s, fc, mkev("AADC01", ft(700), 15, "UpgradeAbortedSyncExeInUse", NULL)) == 1, "c2 new");
	store_file_rollback(s);
	store_file_rollback(s);   /* harmless twice */

	err = store_each_file(s, collect_file, &fr);
	CHECK(err == NULL, "each_file: %s", err ? err->msg : "");
	au_error_free(err);
	CHECK(fr.n == 2, "two files recorded (%zu)", fr.n);
	if (fr.n == 2) {
		CHECK(fr.new_[0] == 3 && fr.known[0] == 1, "file a: 3 new, 1 known"
		    " (%" PRIu64 ", %" PRIu64 ")", fr.new_[0], fr.known[0]);
		CHECK(fr.new_[1] == 3 && fr.known[1] == 2, "file b: 3 new, 2 known"
		    " (%" PRIu64 ", %" PRIu64 ")", fr.new_[1], fr.known[1]);
		CHECK(fr.records[1] == 6 && strcmp(fr.path[1], "/logs/b.evtx") == 0,
		    "file b row");
	}
	file_rows_free(&fr);

	/* Per-host loading. */
	err = store_each_host(s, NULL, collect_host, &c);
	CHECK(err == NULL, "each_host: %s", err ? err->msg : "");
	au_error_free(err);
	CHECK(c.nhosts == 2, "two hosts, case-insensitively merged (%zu)", c.nhosts);
	if (c.nhosts == 2) {
		struct au_event **e = c.events[0];

		CHECK(strcmp(c.names[0], "Aadc01") == 0,
		    "name is the latest event's spelling (%s)", c.names[0]);
		CHECK(c.nevents[0] == 5, "aadc01 has 5 events (%zu)", c.nevents[0]);
		for (size_t i = 1; i < c.nevents[0]; i++)
			CHECK(e[i - 1]->time < e[i]->time, "sorted by time at %zu", i);
		if (c.nevents[0] == 5) {
			CHECK(e[0]->record_id == 10 && e[4]->record_id == 14, "record ids");
			CHECK(strcmp(e[1]->source_file, "/logs/a.evtx") == 0,
			    "source: first file (%s)", e[1]->source_file);
			CHECK(strcmp(e[3]->source_file, "/logs/b.evtx") == 0,
			    "source of b3 (%s)", e[3]->source_file);
			CHECK(e[1]->result_code == NULL && e[1]->category == AU_CAT_NONE &&
			    e[1]->code == NULL, "event without result");
			CHECK(e[0]->category == AU_CAT_ABORTED && e[0]->code != NULL &&
			    strcmp(e[0]->code->code, "UpgradeAbortedSyncExeInUse") == 0,
			    "code and category restored");
			CHECK(e[4]->category == AU_CAT_FAILED && e[4]->detail != NULL &&
			    e[4]->code == classify_lookup("UpgradeFailedRollbackSuccess-"
			    "GetPasswordHashSyncStateFailed"),
			    "compound code restored to its catalog entry");
			CHECK(strcmp(e[0]->provider, "Azure AD Connect Upgrade") == 0 &&
			    strcmp(e[0]->channel, "Application") == 0 && e[0]->level == 4 &&
			    e[0]->event_id == 300 && e[0]->id > 0 &&
			    strstr(e[0]->message, "SyncExeInUse") != NULL, "fields restored");
		}
		CHECK(c.ninstalls[0] == 1 && strcmp(c.installs[0][0]->version,
		    "1.1.614.0") == 0 && c.installs[0][0]->status == 0, "install restored");
		CHECK(strcmp(c.names[1], "OTHER.contoso.local") == 0 &&
		    c.nevents[1] == 1 && c.events[1][0]->code != NULL &&
		    c.events[1][0]->category == c.events[1][0]->code->category,
		    "other host");
	}
	collected_free(&c);

	/* Provenance: a3 came from both files. */
	{
		struct au_query q = { (const char *const[]){ "AADC01" }, 1, ft(300), 0 };
		char **paths = NULL;
		size_t npaths = 0;

		err = store_each_host(s, &q, collect_host, &c);
		CHECK(err == NULL && c.nhosts == 1 && c.nevents[0] == 3,
		    "since filter: 3 events at or after t300");
		if (err == NULL && c.nhosts == 1 && c.nevents[0] == 3) {
			au_error_free(store_event_files(s, c.events[0][0]->id, &paths, &npaths));
			CHECK(npaths == 2 && strcmp(paths[0], "/logs/a.evtx") == 0 &&
			    strcmp(paths[1], "/logs/b.evtx") == 0,
			    "a3 has two provenance rows (%zu)", npaths);
			store_free_paths(paths, npaths);
			au_error_free(store_event_files(s, c.events[0][1]->id, &paths, &npaths));
			CHECK(npaths == 1, "b3 has one provenance row (%zu)", npaths);
			store_free_paths(paths, npaths);
			CHECK(c.ninstalls[0] == 0, "since applies to installs");
		}
		au_error_free(err);
		collected_free(&c);
	}

	/* Queries by name, any case; unknown and rolled-back hosts are not found. */
	{
		struct au_query q = { (const char *const[]){ "other.CONTOSO.local" }, 1, 0, 0 };
		struct au_query bad = { (const char *const[]){ "aadc01", "ROLLBACK01", "nope" }, 3, 0, 0 };

		err = store_each_host(s, &q, collect_host, &c);
		CHECK(err == NULL && c.nhosts == 1, "query by name in other case");
		au_error_free(err);
		collected_free(&c);
		err = store_each_host(s, &bad, collect_host, &c);
		CHECK(err != NULL && err->kind == AU_ERR_NOTFOUND &&
		    contains(err, "no such host in the history: ROLLBACK01 (nearest: ") &&
		    contains(err, "; no such host in the history: nope (nearest: ") &&
		    c.nhosts == 0, "unknown hosts: %s", err ? err->msg : "none");
		au_error_free(err);
		collected_free(&c);
	}

	/* Streaming in (host, time, record id) order. */
	err = store_each_event(s, NULL, collect_event, &w);
	CHECK(err == NULL && w.n == 6, "each_event: 6 events (%zu)", w.n);
	au_error_free(err);
	if (w.n == 6)
		CHECK(strcmp(w.keys[0], "Aadc01/10") == 0 &&
		    strcmp(w.keys[3], "Aadc01/13") == 0 &&
		    strcmp(w.keys[4], "Aadc01/14") == 0 &&
		    strcmp(w.keys[5], "OTHER.contoso.local/1") == 0,
		    "each_event order (%s %s %s)", w.keys[0], w.keys[4], w.keys[5]);
	walk_free(&w);

	err = store_counts(s, NULL, &cnt);
	CHECK(err == NULL && cnt.hosts == 2 && cnt.events == 6 && cnt.results == 5 &&
	    cnt.installs == 1 && cnt.files == 2 && cnt.first == ft(100) &&
	    cnt.last == ft(500), "counts: %" PRIu64 " hosts %" PRIu64 " events %"
	    PRIu64 " results", cnt.hosts, cnt.events, cnt.results);
	au_error_free(err);

	/* b read again: its latest import, to compare digests with. */
	if (file_begin(s, "/logs/b.evtx", &fc)) {
		struct store_previous prev;

		store_file_previous(s, &prev);
		CHECK(prev.found && strcmp(prev.sha256, sha_b) == 0 &&
		    strlen(prev.imported_at) == 20 && prev.chunks_known == 0,
		    "b's latest import (%s at %s)", prev.sha256, prev.imported_at);
		store_file_rollback(s);
	}
	if (file_begin(s, "/logs/new.evtx", &fc)) {
		struct store_previous prev;

		store_file_previous(s, &prev);
		CHECK(!prev.found, "a path never imported has no latest import");
		store_file_rollback(s);
	}

	/* Reopen: everything persisted. */
	store_close(s);
	s = NULL;
	err = store_open(db, STORE_WRITE, &s);
	CHECK(err == NULL, "reopen: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		goto done;
	err = store_counts(s, NULL, &cnt);
	CHECK(err == NULL && cnt.hosts == 2 && cnt.events == 6 && cnt.files == 2,
	    "persisted after reopen");
	au_error_free(err);
	/* The display name is kept across files and reopen, and an older event does not change it. */
	if (file_begin(s, "/logs/d.evtx", &fc)) {
		CHECK(add(s, fc, mkev("aadc01", ft(90), 9, NULL, NULL)) == 1, "older event new");
		CHECK(add(s, fc, mkev("aadc01", ft(5000), 99, NULL, NULL)) == 1, "newest event");
		CHECK(add(s, fc, mkev("AADC01", ft(4000), 98, NULL, NULL)) == 1, "older again");
		file_commit(s, fc, 3);
	}
	err = store_each_host(s, NULL, collect_host, &c);
	CHECK(err == NULL && c.nhosts == 2 && strcmp(c.names[0], "aadc01") == 0,
	    "display name follows the latest event (%s)", c.nhosts ? c.names[0] : "");
	au_error_free(err);
	collected_free(&c);
done:
	store_close(s);
	free(sub);
	free(db);
}

static void
test_memory(void)
{
	struct au_store *s = NULL;
	struct au_error *err;
	struct collected c;
	int64_t fid;

	memset(&c, 0, sizeof(c));
	err = store_open(NULL, 1, &s);
	CHECK(err == NULL, "in-memory open: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		return;
	CHECK(strcmp(store_path(s), "") == 0, "scan's private database has no path");
	if (file_begin(s, "x.evtx", &fid)) {
		CHECK(add(s, fid, mkev("h", ft(2), 2, "UpgradeAbortedSyncExeInUse", NULL)) == 1, "mem new");
		CHECK(add(s, fid, mkev("H", ft(2), 2, "UpgradeAbortedSyncExeInUse", NULL)) == 0, "mem known");
		file_commit(s, fid, 2);
	}
	/* A host made in a rolled-back file must be made again, not remembered. */
	if (file_begin(s, "y.evtx", &fid)) {
		CHECK(add(s, fid, mkev("GHOST", ft(3), 1, NULL, NULL)) == 1, "ghost new");
		store_file_rollback(s);
	}
	if (file_begin(s, "z.evtx", &fid)) {
		CHECK(add(s, fid, mkev("GHOST", ft(3), 1, NULL, NULL)) == 1,
		    "ghost new again after rollback");
		file_commit(s, fid, 1);
	}
	err = store_each_host(s, NULL, collect_host, &c);
	CHECK(err == NULL && c.nhosts == 2 && c.nevents[0] == 1 &&
	    strcmp(c.names[0], "GHOST") == 0 && c.nevents[1] == 1, "in-memory hosts");
	au_error_free(err);
	collected_free(&c);
	store_close(s);
}

/*
 * A disk that fills up mid-file, simulated with RLIMIT_FSIZE in a child
 * (writes past it fail with EFBIG, as they would with ENOSPC): a clear
 * error, and nothing of the file stays.
 */
static void
test_disk_full(const char *dir)
{
	char *db = xasprintf("%s/full.db", dir);
	struct au_store *s = NULL;
	struct au_error *err;
	struct au_store_counts before, after;
	int64_t fid;
	int status;
	pid_t pid;

	err = store_open(db, 1, &s);
	CHECK(err == NULL, "create full.db: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		goto done;
	if (file_begin(s, "first.evtx", &fid)) {
		CHECK(add(s, fid, mkev("H", ft(1), 1, "UpgradeAbortedSyncExeInUse", NULL)) == 1,
		    "first event");
		file_commit(s, fid, 1);
	}
	err = store_counts(s, NULL, &before);
	au_error_free(err);
	store_close(s);
	s = NULL;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 256 * 1024, 256 * 1024 };
		char *big = xmalloc(4001);
		int is_new;

		memset(big, 'x', 4000);
		big[4000] = '\0';
		signal(SIGXFSZ, SIG_IGN);
		if ((err = store_open(db, STORE_WRITE, &s)) != NULL)
			_exit(2);
		setrlimit(RLIMIT_FSIZE, &rl);
		if (!file_begin(s, "second.evtx", &fid))
			_exit(3);
		for (int i = 0; i < 2000 && err == NULL; i++) {
			struct au_event *ev = mkev("H", ft(10 + (uint64_t)i), 100 + (uint64_t)i,
			    NULL, NULL);
			free(ev->message);
			ev->message = xstrdup(big);
			err = store_add_event(s, fid, ev, &is_new);
			au_event_free(ev);
		}
		if (err == NULL) {
			struct au_file_stats st;

			memset(&st, 0, sizeof(st));
			err = store_file_commit(s, fid, &st);
		} else
			store_file_rollback(s);
		if (err == NULL) {
			printf("  child: 8 MB went into a 256 KiB file limit\n");
			_exit(1);
		}
		printf("  disk full (RLIMIT_FSIZE): %s: %s\n", err->where, err->msg);
		fflush(stdout);
		_exit(err->kind == AU_ERR_DB && where_is(err, db) ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "full disk gives a clear error (status %d)", status);
	err = store_open(db, STORE_READ, &s);
	CHECK(err == NULL, "reopen after full disk: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		goto done;
	err = store_counts(s, NULL, &after);
	CHECK(err == NULL && after.events == before.events && after.files == before.files,
	    "nothing of the failed file stayed (%" PRIu64 " events, %" PRIu64 " files)",
	    after.events, after.files);
	au_error_free(err);
done:
	store_close(s);
	free(db);
}

/* --- host summaries (schema 2) against analyse_host on every event --------- */

/* The reports a walk handed over, in walk order. */
struct reports {
	struct au_host_report **hr;
	size_t n;
};

static struct au_error *
collect_summary(void *arg, struct au_host_report *hr)
{
	struct reports *r = arg;

	r->hr = xreallocarray(r->hr, r->n + 1, sizeof(*r->hr));
	r->hr[r->n++] = hr;
	return NULL;
}

static struct au_error *
collect_full(void *arg, struct au_event **events, size_t nevents,
    struct au_install **installs, size_t ninstalls)
{
	struct au_host_report *hr = analyse_host(events, nevents, installs, ninstalls);

	analyse_host_drop_events(hr);
	return collect_summary(arg, hr);
}

static void
reports_free(struct reports *r)
{
	for (size_t i = 0; i < r->n; i++)
		analyse_host_free(r->hr[i]);
	free(r->hr);
	memset(r, 0, sizeof(*r));
}

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Compares every field the fleet view uses; returns the number of differences. */
static int
compare_host(const char *when, const struct au_host_report *a,
    const struct au_host_report *b)
{
	int bad = 0;

#define SAME(field, fmt) do { if (a->field != b->field) { bad++; \
	printf("  %s: %s: " #field " " fmt " (events) vs " fmt " (summary)\n", \
	    when, a->host, a->field, b->field); } } while (0)
	if (strcmp(a->host, b->host) != 0) {
		printf("  %s: host %s vs %s\n", when, a->host, b->host);
		return 1;
	}
	SAME(verdict, "%d");
	SAME(attempts, "%" PRIu64);
	SAME(events_count, "%" PRIu64);
	SAME(first_seen, "%" PRIu64);
	SAME(last_seen, "%" PRIu64);
	SAME(last_success, "%" PRIu64);
	SAME(streak_count, "%" PRIu64);
	SAME(streak_since, "%" PRIu64);
	SAME(condition_count, "%" PRIu64);
	SAME(condition_since, "%" PRIu64);
	SAME(unknown_codes, "%d");
	SAME(historical_codes, "%d");
	SAME(nevents, "%zu");
	SAME(ninstalls, "%zu");
	SAME(ncodes, "%zu");
#undef SAME
	if ((a->latest == NULL) != (b->latest == NULL)) {
		printf("  %s: %s: latest present in one only\n", when, a->host);
		bad++;
	} else if (a->latest != NULL && (a->latest->id != b->latest->id ||
	    a->latest->code != b->latest->code ||
	    a->latest->category != b->latest->category ||
	    !same_str(a->latest->message, b->latest->message) ||
	    !same_str(a->latest->source_file, b->latest->source_file) ||
	    !same_str(a->latest->detail, b->latest->detail))) {
		printf("  %s: %s: latest event differs (%" PRId64 " vs %" PRId64 ")\n",
		    when, a->host, a->latest->id, b->latest->id);
		bad++;
	}
	for (size_t i = 0; i < a->ncodes && i < b->ncodes; i++) {
		const struct au_code_count *x = &a->codes[i], *y = &b->codes[i];

		if (strcmp(x->code, y->code) != 0 || x->entry != y->entry ||
		    x->category != y->category || x->count != y->count ||
		    x->first != y->first || x->last != y->last) {
			printf("  %s: %s: code %zu: %s x%" PRIu64 " vs %s x%" PRIu64 "\n",
			    when, a->host, i, x->code, x->count, y->code, y->count);
			bad++;
		}
	}
	for (size_t i = 0; i < a->ninstalls && i < b->ninstalls; i++)
		if (a->installs[i]->time != b->installs[i]->time ||
		    strcmp(a->installs[i]->version, b->installs[i]->version) != 0)
			bad++;
	return bad;
}

static int
compare_fleets(const char *when, struct reports *full, struct reports *summ)
{
	struct au_report ra, rb;
	struct au_fleet fa, fb;
	int bad = 0;

	analyse_report_init(&ra, ft(400000));
	analyse_report_init(&rb, ft(400000));
	for (size_t i = 0; i < full->n; i++)
		analyse_report_add(&ra, full->hr[i]);
	for (size_t i = 0; i < summ->n; i++)
		analyse_report_add(&rb, summ->hr[i]);
	analyse_report_sort(&ra);
	analyse_report_sort(&rb);
	for (size_t i = 0; i < ra.nhosts && i < rb.nhosts; i++)
		bad += strcmp(ra.hosts[i]->host, rb.hosts[i]->host) != 0;
	analyse_fleet(&ra, NULL, &fa);
	analyse_fleet(&rb, NULL, &fb);
	bad += fa.nhosts != fb.nhosts || fa.nblocked != fb.nblocked ||
	    fa.nretrying != fb.nretrying || fa.nstale != fb.nstale ||
	    fa.nnever != fb.nnever || fa.ncodes != fb.ncodes ||
	    memcmp(fa.verdicts, fb.verdicts, sizeof(fa.verdicts)) != 0;
	for (size_t i = 0; i < fa.ncodes && i < fb.ncodes; i++)
		bad += strcmp(fa.codes[i].code, fb.codes[i].code) != 0 ||
		    fa.codes[i].count != fb.codes[i].count ||
		    fa.codes[i].hosts != fb.codes[i].hosts ||
		    fa.codes[i].current != fb.codes[i].current ||
		    fa.codes[i].entry != fb.codes[i].entry;
	for (size_t i = 0; i < fa.nblocked && i < fb.nblocked; i++)
		bad += fa.blocked[i].since != fb.blocked[i].since ||
		    fa.blocked[i].count != fb.blocked[i].count;
	for (size_t i = 0; i < fa.nnever && i < fb.nnever; i++)
		bad += fa.never[i].since != fb.never[i].since ||
		    fa.never[i].count != fb.never[i].count;
	if (bad)
		printf("  %s: fleet aggregates differ\n", when);
	analyse_fleet_free(&fa);
	analyse_fleet_free(&fb);
	/* The reports own nothing here: the host reports belong to full and summ. */
	free(ra.hosts);
	free(rb.hosts);
	return bad;
}

/*
 * Walks the store both ways and compares. Returns the number of hosts
 * compared; counts a failure for any difference.
 */
static size_t
compare_paths(struct au_store *s, const char *when, const struct au_query *q)
{
	struct reports full = { NULL, 0 }, summ = { NULL, 0 };
	struct au_error *err;
	int bad = 0;
	size_t n;

	err = store_each_host(s, q, collect_full, &full);
	CHECK(err == NULL, "%s: each_host: %s", when, err ? err->msg : "");
	au_error_free(err);
	err = store_each_summary(s, q, collect_summary, &summ);
	CHECK(err == NULL, "%s: each_summary: %s", when, err ? err->msg : "");
	au_error_free(err);
	CHECK(full.n == summ.n, "%s: %zu hosts from events, %zu from summaries",
	    when, full.n, summ.n);
	for (size_t i = 0; i < full.n && i < summ.n; i++)
		bad += compare_host(when, full.hr[i], summ.hr[i]);
	bad += compare_fleets(when, &full, &summ);
	CHECK(bad == 0, "%s: summaries equal analyse_host on every event"
	    " (%d differences)", when, bad);
	n = full.n;
	reports_free(&full);
	reports_free(&summ);
	return n;
}

/* A small deterministic generator (the test must be repeatable). */
static uint64_t rng_state = 88172645463325252ULL;

static uint32_t
rng(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (uint32_t)(rng_state % n) : 0;
}

/* One event of the test universe; made anew for each file that holds it. */
struct gen_event {
	int host;
	uint64_t time, rec;
	uint32_t event_id;
	int code;
	int recovered;
};

#define GEN_HOSTS 14
static const char *gen_host_names[GEN_HOSTS] = {
	"aadc01.contoso.local", "aadc02.contoso.local", "aadc03", "sync-eu",
	"sync-us", "sync-ap", "legacy01", "legacy02", "staging01", "srv10",
	"srv11", "srv12", "srv13", "quiet01",
};
static const char *gen_hist;   /* a historical catalog code */

static struct au_event *
gen_make(const struct gen_event *g)
{
	static const char *const codes[][2] = {
		{ NULL, NULL },
		{ "Success", NULL },
		{ "UpgradeAbortedSyncExeInUse", NULL },
		{ "UpgradeAbortedInsufficientDiskSpace", NULL },
		{ "UpgradeNotSupportedNonLocalDbInstall", NULL },
		{ "UpgradeFailedRollbackSuccess", "GetPasswordHashSyncStateFailed" },
		{ "UpgradeFailedRollbackSuccess", "SomethingElse" },
		{ "UpgradeAbortedSomethingNew", NULL },   /* unknown, known prefix */
		{ "WeirdResult", NULL },                  /* unknown, no prefix */
		{ NULL, NULL },                           /* the historical code */
	};
	char name[64];
	const char *code = codes[g->code][0];
	struct au_event *ev;

	/* Any spelling of the host: the store merges them. */
	snprintf(name, sizeof(name), "%s", gen_host_names[g->host]);
	for (char *p = name; *p != '\0'; p++)
		if (rng(3) == 0 && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (g->code == 9)
		code = gen_hist;
	ev = mkev(name, g->time, g->rec, code, codes[g->code][1]);
	ev->event_id = g->event_id;
	ev->recovered = g->recovered;
	return ev;
}

static void
test_summaries(const char *dir)
{
	char *db = xasprintf("%s/summaries.db", dir);
	struct au_store *s = NULL;
	struct au_error *err;
	struct gen_event *u = NULL;
	size_t nu = 0;
	const struct au_code *cat;
	size_t ncat;
	int64_t fid;
	char when[64];

	cat = classify_catalog(&ncat);
	for (size_t i = 0; i < ncat && gen_hist == NULL; i++)
		if (cat[i].historical)
			gen_hist = cat[i].code;
	CHECK(gen_hist != NULL, "a historical code to test with");
	if (gen_hist == NULL)
		goto done;

	/*
	 * The universe: per host a history over ~200 days, hourly slots so
	 * equal times happen; some records repeated under another event id
	 * (analyse keeps one per time and record id), some recovered.
	 * quiet01 gets only installs.
	 */
	for (int h = 0; h < GEN_HOSTS - 1; h++) {
		uint32_t n = rng(70);
		int bias = (int)rng(10);

		for (uint32_t i = 0; i < n; i++) {
			struct gen_event g;

			g.host = h;
			g.time = ft((uint64_t)rng(200 * 24) * 3600);
			g.rec = 1 + rng(5000);
			g.event_id = 300;
			g.code = rng(3) == 0 ? bias : (int)rng(10);
			g.recovered = rng(8) == 0;
			u = xreallocarray(u, nu + 2, sizeof(*u));
			u[nu++] = g;
			if (rng(15) == 0) {   /* same time and record, other id */
				g.event_id = 301;
				g.code = (int)rng(10);
				u[nu++] = g;
			}
		}
	}
	/* A long streak at the end of one host, an early success on another. */
	for (uint32_t i = 0; i < 30; i++) {
		u = xreallocarray(u, nu + 1, sizeof(*u));
		u[nu++] = (struct gen_event){ 0, ft(300 * 86400 + i * 3600), 9000 + i,
		    300, 4, 0 };
	}

	err = store_open(db, 1, &s);
	CHECK(err == NULL, "create summaries.db: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		goto done;
	/*
	 * Seven files, each a random part of the universe (so they overlap),
	 * each in shuffled order (so times go back and forth); a rolled-back
	 * file in the middle must leave the summaries as they were.
	 */
	for (int f = 0; f < 8; f++) {
		char path[32];
		size_t *order = xcalloc(nu, sizeof(*order));
		size_t n = 0;

		for (size_t i = 0; i < nu; i++)
			if (rng(100) < 35)
				order[n++] = i;
		for (size_t i = n; i > 1; i--) {
			size_t j = rng((uint32_t)i), t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
		snprintf(path, sizeof(path), "/logs/f%d.evtx", f);
		if (!file_begin(s, path, &fid)) {
			free(order);
			goto done;
		}
		for (size_t i = 0; i < n; i++) {
			struct au_event *ev = gen_make(&u[order[i]]);
			int is_new;

			au_error_free(store_add_event(s, fid, ev, &is_new));
			au_event_free(ev);
		}
		if (f == 2 || f == 6) {
			struct au_install in = { ft((uint64_t)f * 86400), "Quiet01",
			    (uint64_t)f + 1, 1033, "Microsoft Azure AD Connect",
			    f == 2 ? "2.1.1.0" : "2.3.2.0", 0 };
			struct au_install in2 = { ft((uint64_t)f * 86400), "srv10",
			    (uint64_t)f + 1, 11707, "Microsoft Entra Connect",
			    "2.4.18.0", -1 };
			int is_new;

			au_error_free(store_add_install(s, fid, &in, &is_new));
			au_error_free(store_add_install(s, fid, &in2, &is_new));
		}
		if (f == 4) {
			store_file_rollback(s);
			snprintf(when, sizeof(when), "after rolled-back file %d", f);
		} else {
			file_commit(s, fid, n);
			snprintf(when, sizeof(when), "after file %d", f);
		}
		compare_paths(s, when, NULL);
		free(order);
	}
	/* The whole universe once more: nothing new, nothing changes. */
	if (file_begin(s, "/logs/all.evtx", &fid)) {
		for (size_t i = nu; i-- > 0;) {
			struct au_event *ev = gen_make(&u[i]);
			int is_new;

			au_error_free(store_add_event(s, fid, ev, &is_new));
			au_event_free(ev);
		}
		file_commit(s, fid, nu);
	}
	CHECK(compare_paths(s, "after everything", NULL) == GEN_HOSTS,
	    "every host summarised");
	{
		struct au_query q = { (const char *const[]){ "SRV10", "aadc01.CONTOSO.local",
		    "srv10" }, 3, 0, 0 };
		struct au_query since = { NULL, 0, ft(100 * 86400), 0 };
		struct au_query until = { NULL, 0, 0, ft(200 * 86400) };
		struct au_query range = { NULL, 0, ft(100 * 86400), ft(200 * 86400) };

		CHECK(compare_paths(s, "two hosts by name", &q) == 2,
		    "named hosts, any case, once each");
		compare_paths(s, "since (from events)", &since);
		compare_paths(s, "until (from events)", &until);
		compare_paths(s, "since and until (from events)", &range);
	}
	/* Reopened: the summaries persisted. */
	store_close(s);
	s = NULL;
	err = store_open(db, STORE_READ, &s);
	au_error_free(err);
	if (s != NULL)
		compare_paths(s, "reopened", NULL);
done:
	store_close(s);
	free(u);
	free(db);
}

/* scan's private database keeps the same summaries as a history. */
static void
test_memory_summaries(void)
{
	struct au_store *s = NULL;
	struct au_error *err;
	int64_t fid;

	err = store_open(NULL, 1, &s);
	au_error_free(err);
	if (s == NULL)
		return;
	if (file_begin(s, "m.evtx", &fid)) {
		add(s, fid, mkev("m1", ft(1), 1, "UpgradeAbortedSyncExeInUse", NULL));
		add(s, fid, mkev("M1", ft(2), 2, "UpgradeNotSupportedNonLocalDbInstall", NULL));
		add(s, fid, mkev("m2", ft(3), 1, "Success", NULL));
		add(s, fid, mkev("m2", ft(4), 2, NULL, NULL));
		file_commit(s, fid, 4);
	}
	CHECK(compare_paths(s, "in memory", NULL) == 2, "in-memory summaries");
	store_close(s);
}

/* Runs SQL on a database file without the store (to build or inspect one). */
static int
raw_sql(const char *db, const char *sql, char *out, size_t outlen)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int ok = 0;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (sqlite3_open(db, &h) != SQLITE_OK)
		goto done;
	if (out == NULL) {
		ok = sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK;
		if (!ok)
			printf("  sql: %s\n", sqlite3_errmsg(h));
		goto done;
	}
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		goto done;
	while (sqlite3_step(st) == SQLITE_ROW) {
		size_t len = strlen(out);

		snprintf(out + len, outlen - len, "%s%s", len ? "|" : "",
		    sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) :
		    "NULL");
	}
	ok = 1;
done:
	sqlite3_finalize(st);
	sqlite3_close(h);
	return ok;
}

/*
 * A database as aadc-upgrade 1 wrote it (schema 1, built here with the
 * schema-1 SQL and rows as its import wrote them) is migrated on open:
 * schema 2, summaries for every host equal to analysing the events.
 */
static void
test_migrate_v1(const char *dir)
{
	char *db = xasprintf("%s/v1.db", dir);
	struct au_store *s = NULL;
	struct au_error *err;
	char out[256];
	char *sql;
	int ok;

	CHECK(store_schema_version() == 9, "schema version 9 (%d)", store_schema_version());
	CHECK(store_migration_sql(1) != NULL && store_migration_sql(0) == NULL &&
	    store_migration_sql(store_schema_version() + 1) == NULL, "migration SQL");
	sql = xasprintf("PRAGMA journal_mode = WAL; BEGIN; %s PRAGMA user_version = 1;"
	    "INSERT INTO hosts VALUES (1, 'AADC01.contoso.local', 'aadc01.contoso.local', %" PRIu64 ");"
	    "INSERT INTO hosts VALUES (2, 'sync-eu', 'sync-eu', %" PRIu64 ");"
	    "INSERT INTO hosts VALUES (3, 'quiet', 'quiet', NULL);"
	    "INSERT INTO files (id, path, size, sha256, imported_at, records, matched,"
	    " events_new) VALUES (1, '/logs/old.evtx', 4096, '', '2024-01-01T00:00:00Z', 6, 6, 6);"
	    "INSERT INTO events (id, host_id, time, time_text, record_id, event_id,"
	    " qualifiers, level, provider, channel, result_code, detail, category,"
	    " message, recovered) VALUES"
	    " (1, 1, %" PRIu64 ", 't', 10, 300, 0, 4, 'Azure AD Connect Upgrade', 'Application',"
	    "  'UpgradeAbortedSyncExeInUse', NULL, 'UpgradeAborted', 'a', 0),"
	    " (2, 1, %" PRIu64 ", 't', 11, 300, 0, 4, 'Azure AD Connect Upgrade', 'Application',"
	    "  NULL, NULL, NULL, 'starting', 0),"
	    " (3, 1, %" PRIu64 ", 't', 12, 300, 0, 4, 'Azure AD Connect Upgrade', 'Application',"
	    "  'UpgradeNotSupportedNonLocalDbInstall', NULL, 'UpgradeNotSupported', 'b', 0),"
	    " (4, 1, %" PRIu64 ", 't', 13, 300, 0, 4, 'Azure AD Connect Upgrade', 'Application',"
	    "  'UpgradeNotSupportedNonLocalDbInstall', NULL, 'UpgradeNotSupported', 'b', 1),"
	    " (5, 2, %" PRIu64 ", 't', 1, 300, 0, 4, 'Azure AD Connect Upgrade', 'Application',"
	    "  'UpgradeFailedRollbackSuccess', 'GetPasswordHashSyncStateFailed', 'UpgradeFailed', 'c', 0),"
	    " (6, 2, %" PRIu64 ", 't', 2, 300, 0, 4, 'Azure AD Connect Upgrade', 'Application',"
	    "  'Success', NULL, 'Success', 'd', 0);"
	    "INSERT INTO event_files SELECT id, 1 FROM events;"
	    "INSERT INTO installs VALUES (1, 3, %" PRIu64 ", 't', 5, 1033,"
	    " 'Microsoft Azure AD Connect', '1.1.614.0', 0);"
	    "INSERT INTO install_files VALUES (1, 1);"
	    "COMMIT;", store_migration_sql(1), ft(400), ft(20), ft(100), ft(200), ft(300),
	    ft(400), ft(10), ft(20), ft(5));
	ok = raw_sql(db, sql, NULL, 0);
	free(sql);
	CHECK(ok, "built a schema-1 database");
	CHECK(raw_sql(db, "PRAGMA user_version", out, sizeof(out)) &&
	    strcmp(out, "1") == 0, "it is schema 1 (%s)", out);

	/*
	 * Read first: through a migrated private copy, the file unchanged;
	 * then written: migrated in place.
	 */
	for (int pass = 0; pass < 2; pass++) {
		enum store_mode mode = pass == 0 ? STORE_READ : STORE_WRITE;
		size_t l1 = 0, l2 = 0;
		char *b1 = slurp(db, &l1), *b2;

		err = store_open(db, mode, &s);
		CHECK(err == NULL, "open (%s) the v1 database: %s", pass ? "write" :
		    "read", err ? err->msg : "");
		au_error_free(err);
		if (s == NULL) {
			free(b1);
			goto done;
		}
		CHECK(compare_paths(s, "migrated v1", NULL) == 3, "three hosts after migration");
		{
			struct reports r = { NULL, 0 };

			err = store_each_summary(s, NULL, collect_summary, &r);
			au_error_free(err);
			CHECK(r.n == 3 && r.hr[0]->verdict == AU_VERDICT_BLOCKED &&
			    r.hr[0]->events_count == 4 && r.hr[0]->attempts == 3 &&
			    r.hr[0]->condition_count == 2 && r.hr[0]->condition_since == ft(300) &&
			    r.hr[0]->latest != NULL && r.hr[0]->latest->id == 4 &&
			    strcmp(r.hr[0]->latest->source_file, "/logs/old.evtx") == 0,
			    "aadc01 blocked since t300, 2 results");
			CHECK(r.n == 3 && strcmp(r.hr[1]->host, "quiet") == 0 &&
			    r.hr[1]->verdict == AU_VERDICT_SILENT && r.hr[1]->ninstalls == 1,
			    "a host with only installs is listed");
			CHECK(r.n == 3 && r.hr[2]->verdict == AU_VERDICT_UPGRADED &&
			    r.hr[2]->last_success == ft(20) && r.hr[2]->ncodes == 2 &&
			    strcmp(r.hr[2]->codes[0].code, "UpgradeFailedRollbackSuccess-"
			    "GetPasswordHashSyncStateFailed") == 0 && r.hr[2]->codes[0].entry != NULL,
			    "sync-eu upgraded, compound code first");
			reports_free(&r);
		}
		store_close(s);
		s = NULL;
		b2 = slurp(db, &l2);
		if (pass == 0)
			CHECK(b1 != NULL && b2 != NULL && l1 == l2 &&
			    memcmp(b1, b2, l1) == 0 && raw_sql(db, "PRAGMA user_version",
			    out, sizeof(out)) && strcmp(out, "1") == 0,
			    "reading an older history leaves it as it was (schema %s)", out);
		free(b1);
		free(b2);
	}
	CHECK(raw_sql(db, "PRAGMA user_version", out, sizeof(out)) &&
	    atoi(out) == store_schema_version(), "now the current schema (%s)", out);
	CHECK(raw_sql(db, "PRAGMA application_id", out, sizeof(out)) &&
	    strcmp(out, "1094796355") == 0, "stamped as ours (%s)", out);
	CHECK(raw_sql(db, "PRAGMA integrity_check", out, sizeof(out)) &&
	    strcmp(out, "ok") == 0, "integrity after migration (%s)", out);
	CHECK(raw_sql(db, "SELECT count(*) FROM host_status", out, sizeof(out)) &&
	    strcmp(out, "3") == 0, "a summary per host (%s)", out);
	CHECK(raw_sql(db, "SELECT count(*) FROM events", out, sizeof(out)) &&
	    strcmp(out, "6") == 0, "events kept (%s)", out);
	/* Importing on top keeps the migrated summaries right. */
	err = store_open(db, STORE_WRITE, &s);
	au_error_free(err);
	if (s != NULL) {
		int64_t fid;

		if (file_begin(s, "/logs/new.evtx", &fid)) {
			CHECK(add(s, fid, mkev("aadc01.CONTOSO.local", ft(50), 9,
			    "Success", NULL)) == 1, "older success added");
			CHECK(add(s, fid, mkev("aadc01.contoso.local", ft(400), 13,
			    "UpgradeNotSupportedNonLocalDbInstall", NULL)) == 0,
			    "recovered copy read normally");
			file_commit(s, fid, 2);
		}
		compare_paths(s, "v1 + import", NULL);
	}
done:
	store_close(s);
	free(db);
}

/*
 * The queries report --host and fleet run use indexes, not scans of
 * events: asked of SQLite with EXPLAIN QUERY PLAN on the real schema.
 */
static void
test_query_plans(const char *dir)
{
	char *db = xasprintf("%s/summaries.db", dir);
	char out[1024];
	static const char *const q[] = {
		/* store_query_hosts with names */
		"EXPLAIN QUERY PLAN SELECT id, name, name_key FROM hosts WHERE name_key = 'x'",
		/* STORE_EVENT_COLUMNS */
		"EXPLAIN QUERY PLAN SELECT e.id, (SELECT f.path FROM event_files ef"
		" JOIN files f ON f.id = ef.file_id WHERE ef.event_id = e.id"
		" ORDER BY ef.file_id LIMIT 1) FROM events e WHERE e.host_id = 1"
		" AND e.time >= 0 ORDER BY e.time, e.record_id, e.provider, e.event_id",
		/* summaries */
		"EXPLAIN QUERY PLAN SELECT events FROM host_status WHERE host_id = 1",
		"EXPLAIN QUERY PLAN SELECT count FROM host_codes WHERE host_id = 1"
		" ORDER BY position",
		"EXPLAIN QUERY PLAN SELECT time FROM installs WHERE host_id = 1"
		" AND time >= 0 ORDER BY time, record_id, event_id",
	};

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		int ok = raw_sql(db, q[i], out, sizeof(out));

		/* SCAN of a table (not of a subquery's few rows) or a temp B-tree for ORDER BY is what to avoid. */
		CHECK(ok && strstr(out, "SCAN e") == NULL && strstr(out, "SCAN events") == NULL &&
		    strstr(out, "SCAN hosts") == NULL && strstr(out, "TEMP B-TREE") == NULL &&
		    strstr(out, "SCAN host_") == NULL && strstr(out, "SCAN installs") == NULL,
		    "query %zu uses an index: %s", i, out);
	}
	free(db);
}

/* Not a test of correctness: how fast one file of many events goes in. */
static void
test_speed(const char *dir)
{
	char *db = xasprintf("%s/speed.db", dir);
	struct au_store *s = NULL;
	struct au_error *err;
	const size_t n = 200000;
	int64_t fid;
	size_t nnew = 0;
	double t0;

	err = store_open(db, 1, &s);
	au_error_free(err);
	if (s == NULL || !file_begin(s, "big.evtx", &fid))
		goto done;
	t0 = seconds();
	for (size_t i = 0; i < n; i++) {
		struct au_event *ev = mkev(i % 1000 < 500 ? "SRV-A" : "SRV-B",
		    ft(i * 60), i + 1, i % 3 ? "UpgradeAbortedSyncExeInUse" : NULL, NULL);
		int is_new = 0;

		err = store_add_event(s, fid, ev, &is_new);
		au_event_free(ev);
		if (err != NULL)
			break;
		nnew += is_new;
	}
	CHECK(err == NULL, "speed insert: %s", err ? err->msg : "");
	au_error_free(err);
	file_commit(s, fid, n);
	CHECK(nnew == n, "all new");
	printf("  speed: %zu events in %.2f s (%.0f events/s, with sanitizers if built so)\n",
	    n, seconds() - t0, (double)n / (seconds() - t0));
done:
	store_close(s);
	free(db);
}

/* Opens path in mode, expecting a refusal that names it and says reason, file unchanged. */
static void
refused_unchanged(const char *path, enum store_mode mode, const char *reason,
    const char *label)
{
	struct au_store *s = NULL;
	struct au_error *err;
	size_t l1 = 0, l2 = 0;
	char *b1 = slurp(path, &l1), *b2, *wal = xasprintf("%s-wal", path);
	struct stat sb;

	err = store_open(path, mode, &s);
	CHECK(err != NULL && err->kind == AU_ERR_DB && where_is(err, path) &&
	    contains(err, reason), "%s: %s", label, err ? err->msg : "opened");
	if (err != NULL)
		printf("  %s: %s: %s\n", label, err->where, err->msg);
	au_error_free(err);
	store_close(s);
	b2 = slurp(path, &l2);
	CHECK(b1 != NULL && b2 != NULL && l1 == l2 && memcmp(b1, b2, l1) == 0,
	    "%s: the file is byte for byte as it was", label);
	CHECK(stat(wal, &sb) == -1, "%s: no -wal file made", label);
	free(b1);
	free(b2);
	free(wal);
}

/* Files that are not our histories are refused as they are; an empty one is adopted. */
static void
test_foreign(const char *dir)
{
	char *other = xasprintf("%s/other.db", dir);
	char *stamped = xasprintf("%s/stamped.db", dir);
	char *empty = xasprintf("%s/empty.db", dir);
	char *emptysql = xasprintf("%s/emptysql.db", dir);
	struct au_store *s = NULL;
	struct au_error *err;
	char out[64];
	FILE *f;

	/* Another application's database, with a table named like ours. */
	CHECK(raw_sql(other, "CREATE TABLE meta (k, v); INSERT INTO meta VALUES (1, 2);"
	    " PRAGMA user_version = 7", NULL, 0), "built a foreign database");
	refused_unchanged(other, STORE_CREATE, "not an aadc-upgrade history",
	    "foreign database, import");
	refused_unchanged(other, STORE_READ, "not an aadc-upgrade history",
	    "foreign database, report");
	/* One that says it belongs to another application. */
	CHECK(raw_sql(stamped, "PRAGMA application_id = 1234; CREATE TABLE t (x)",
	    NULL, 0), "built a stamped database");
	refused_unchanged(stamped, STORE_CREATE, "another application",
	    "other application_id, import");
	refused_unchanged(stamped, STORE_READ, "another application",
	    "other application_id, report");

	/* A 0-byte file: nothing written by a reader; a writer makes it a history. */
	f = fopen(empty, "wb");
	if (f != NULL)
		fclose(f);
	refused_unchanged(empty, STORE_READ, "no history yet", "0-byte file, report");
	err = store_open(empty, STORE_CREATE, &s);
	CHECK(err == NULL, "0-byte file, import: %s", err ? err->msg : "");
	au_error_free(err);
	store_close(s);
	s = NULL;
	CHECK(raw_sql(empty, "PRAGMA application_id", out, sizeof(out)) &&
	    strcmp(out, "1094796355") == 0, "0-byte file adopted and stamped (%s)", out);
	err = store_open(empty, STORE_READ, &s);
	CHECK(err == NULL, "then read: %s", err ? err->msg : "");
	au_error_free(err);
	store_close(s);
	s = NULL;

	/* An SQLite file without any schema yet (page size set, nothing else). */
	CHECK(raw_sql(emptysql, "PRAGMA page_size = 8192; VACUUM", NULL, 0),
	    "built a schema-less database");
	refused_unchanged(emptysql, STORE_READ, "no history yet",
	    "schema-less database, report");
	err = store_open(emptysql, STORE_CREATE, &s);
	CHECK(err == NULL, "schema-less database, import: %s", err ? err->msg : "");
	au_error_free(err);
	store_close(s);
	free(other);
	free(stamped);
	free(empty);
	free(emptysql);
}

/* Collects the files store_each_file hands over (with their hosts). */
static struct au_error *
collect_file_hosts(void *arg, const struct au_file_stats *st)
{
	struct au_file_stats *out = arg;

	out->records += st->records;
	out->first_time = st->first_time;
	out->last_time = st->last_time;
	out->dirty = st->dirty;
	au_file_stats_copy_hosts(out, st);
	return NULL;
}

/*
 * Every Computer a file's records named is a host of the history: a
 * silent one (no upgrade event) comes out of store_each_summary with its
 * logs' records and period; store_each_file gives the file's hosts back.
 */
static void
test_file_hosts(const char *dir)
{
	char *db = xasprintf("%s/silent.db", dir);
	struct au_store *s = NULL;
	struct au_error *err;
	struct au_file_stats st, back;
	struct reports r = { NULL, 0 };
	int64_t fid;

	memset(&back, 0, sizeof(back));
	err = store_open(db, STORE_CREATE, &s);
	CHECK(err == NULL, "create silent.db: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		goto done;
	if (!file_begin(s, "/logs/aadc05.evtx", &fid))
		goto done;
	CHECK(add(s, fid, mkev("SYNC01", ft(500), 7, "Success", NULL)) == 1, "event");
	memset(&st, 0, sizeof(st));
	st.records = 130;
	st.dirty = 1;
	au_file_stats_note_host(&st, "AADC05.contoso.local", ft(100), 1);
	for (int i = 0; i < 118; i++)
		au_file_stats_note_host(&st, "aadc05.CONTOSO.local", ft(200),
		    2 + (uint64_t)i);
	au_file_stats_note_host(&st, "AADC05.contoso.local", ft(300), 120);
	for (int i = 0; i < 10; i++)
		au_file_stats_note_host(&st, "SYNC01", ft(400 + (uint64_t)i * 20), 0);
	err = store_file_commit(s, fid, &st);
	CHECK(err == NULL, "commit: %s", err ? err->msg : "");
	au_error_free(err);
	au_file_stats_clear(&st);
	store_close(s);
	s = NULL;

	err = store_open(db, STORE_READ, &s);
	CHECK(err == NULL, "reopen: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		goto done;
	err = store_each_summary(s, NULL, collect_summary, &r);
	CHECK(err == NULL && r.n == 2, "a silent host is summarised (%zu hosts)", r.n);
	au_error_free(err);
	if (r.n == 2) {
		CHECK(strcmp(r.hr[0]->host, "AADC05.contoso.local") == 0 &&
		    r.hr[0]->events_count == 0 && r.hr[0]->latest == NULL &&
		    r.hr[0]->verdict == AU_VERDICT_SILENT &&
		    r.hr[0]->log_records == 120 && r.hr[0]->log_first == ft(100) &&
		    r.hr[0]->log_last == ft(300), "silent AADC05: 120 records, t100..t300"
		    " (%" PRIu64 " records)", r.hr[0]->log_records);
		CHECK(strcmp(r.hr[1]->host, "SYNC01") == 0 && r.hr[1]->events_count == 1 &&
		    r.hr[1]->log_records == 10 && r.hr[1]->log_first == ft(400) &&
		    r.hr[1]->log_last == ft(580), "SYNC01: its logs' records and period");
	}
	reports_free(&r);
	/* A range the silent host's logs do not meet leaves it out. */
	{
		struct au_query late = { NULL, 0, ft(450), 0 };

		err = store_each_summary(s, &late, collect_summary, &r);
		CHECK(err == NULL && r.n == 1 && strcmp(r.hr[0]->host, "SYNC01") == 0,
		    "since after the silent host's logs: %zu hosts", r.n);
		au_error_free(err);
		reports_free(&r);
	}
	err = store_each_file(s, collect_file_hosts, &back);
	CHECK(err == NULL && back.nhosts == 2 &&
	    strcmp(back.hosts[0].name, "AADC05.contoso.local") == 0 &&
	    back.hosts[0].records == 120 && back.hosts[1].records == 10 &&
	    back.first_time == ft(100) && back.last_time == ft(580) && back.dirty == 1,
	    "store_each_file gives the file's hosts and period (%zu hosts)", back.nhosts);
	au_error_free(err);
	au_file_stats_clear(&back);
	store_close(s);
	s = NULL;

	/*
	 * The same log read again (its export: record IDs 1..120 again), then
	 * a later collection (IDs 100..150): AADC05's records count once,
	 * 150; SYNC01's records have no IDs, and add up.
	 */
	err = store_open(db, STORE_WRITE, &s);
	CHECK(err == NULL, "reopen for writing: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		goto done;
	for (int f = 0; f < 2; f++) {
		if (!file_begin(s, f == 0 ? "/logs/aadc05.xml" : "/logs/aadc05-later.evtx",
		    &fid))
			goto done;
		memset(&st, 0, sizeof(st));
		for (uint64_t id = f == 0 ? 1 : 100; id <= (f == 0 ? 120u : 150u); id++)
			au_file_stats_note_host(&st, "AADC05.contoso.local", ft(100 + id), id);
		if (f == 0)
			for (int i = 0; i < 10; i++)
				au_file_stats_note_host(&st, "SYNC01", ft(400), 0);
		st.records = st.hosts[0].records + (f == 0 ? 10 : 0);
		err = store_file_commit(s, fid, &st);
		CHECK(err == NULL, "commit file %d: %s", f, err ? err->msg : "");
		au_error_free(err);
		au_file_stats_clear(&st);
	}
	err = store_each_summary(s, NULL, collect_summary, &r);
	CHECK(err == NULL && r.n == 2, "two hosts after three files (%zu)", r.n);
	au_error_free(err);
	if (r.n == 2) {
		CHECK(r.hr[0]->log_records == 150 && r.hr[0]->log_last == ft(300),
		    "AADC05's overlapping reads count once: %" PRIu64 " records, not 150",
		    r.hr[0]->log_records);
		CHECK(r.hr[1]->log_records == 20,
		    "SYNC01's records without IDs add up: %" PRIu64 ", not 20",
		    r.hr[1]->log_records);
	}
	reports_free(&r);
	CHECK(au_records_once(10, 1, 10, 10, 11, 20) == 20 &&
	    au_records_once(10, 1, 10, 10, 1, 10) == 10 &&
	    au_records_once(10, 1, 10, 0, 0, 0) == 10 &&
	    au_records_once(5, 1, 10, 7, 5, 11) == 11 &&
	    au_records_once(3, 1, 100, 4, 50, 60) == 7 &&
	    au_records_once(10, 0, 0, 10, 0, 0) == 20,
	    "au_records_once: disjoint, equal, unknown, overlapping, sparse ranges");
done:
	store_close(s);
	free(db);
}

/*
 * One event read from several forms counts once: with record IDs on both
 * sides, the same ID within a second (coarser times); without (Event
 * Viewer CSV), the same second and message. The stored read keeps the
 * record ID and the exact time whichever form came first.
 */
static void
test_cross_form(const char *dir)
{
	char *db = xasprintf("%s/forms.db", dir);
	struct au_store *s = NULL;
	struct au_error *err;
	int64_t f1 = 0, f2 = 0, f3 = 0;
	uint64_t exact = ft(100) + 1234567, sec = ft(100);
	char out[256];
	int is_new;

	err = store_open(db, STORE_CREATE, &s);
	CHECK(err == NULL, "open: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		goto done;
	/* The CSV first: no record IDs, times to the second. */
	if (!file_begin(s, "/logs/AADC01-Application.csv", &f1))
		goto done;
	CHECK(add(s, f1, mkev("AADC01", sec, 0, "UpgradeAbortedSyncExeInUse", NULL)) == 1, "csv new");
	CHECK(add(s, f1, mkev("AADC01", sec, 0, "UpgradeAbortedAdSyncExeInUse", NULL)) == 1,
	    "csv: another event in the same second stays");
	CHECK(add(s, f1, mkev("AADC01", sec, 0, "UpgradeAbortedSyncExeInUse", NULL)) == 0,
	    "csv: the same event twice is one");
	CHECK(add(s, f1, mkev("AADC01", ft(101), 0, "UpgradeAbortedSyncExeInUse", NULL)) == 1,
	    "csv: the same message a second later is another event");
	{
		struct au_install in = { ft(50), "AADC01", 0, 1033,
		    "Microsoft Azure AD Connect synchronization services", "2.4.18.0", 0 };
		err = store_add_install(s, f1, &in, &is_new);
		CHECK(err == NULL && is_new == 1, "csv install new");
		au_error_free(err);
	}
	file_commit(s, f1, 4);
	/* Then the .evtx: exact times, record IDs. */
	if (!file_begin(s, "/logs/Application.evtx", &f2))
		goto done;
	CHECK(add(s, f2, mkev("AADC01", exact, 77, "UpgradeAbortedSyncExeInUse", NULL)) == 0,
	    "evtx: the CSV's event");
	CHECK(add(s, f2, mkev("AADC01", exact + 10, 78, "UpgradeAbortedAdSyncExeInUse", NULL)) == 0,
	    "evtx: the CSV's other event");
	CHECK(add(s, f2, mkev("AADC01", exact + 20, 79, "UpgradeAbortedSyncCycleDisabled", NULL)) == 1,
	    "evtx: an event the CSV lacks");
	{
		struct au_install in = { ft(50) + 555, "AADC01", 70, 1033,
		    "Microsoft Azure AD Connect synchronization services", "2.4.18.0", 0 };
		err = store_add_install(s, f2, &in, &is_new);
		CHECK(err == NULL && is_new == 0, "evtx install: the CSV's");
		au_error_free(err);
	}
	file_commit(s, f2, 3);
	/* ConvertTo-Json 5.1: record IDs, times to the millisecond. */
	if (!file_begin(s, "/logs/export.json", &f3))
		goto done;
	CHECK(add(s, f3, mkev("AADC01", exact - exact % 10000, 77, "UpgradeAbortedSyncExeInUse",
	    NULL)) == 0, "json 5.1: the same record ID, to the millisecond");
	CHECK(add(s, f3, mkev("AADC01", exact - exact % 10000, 80, "UpgradeAbortedSyncExeInUse",
	    NULL)) == 1, "json 5.1: another record ID is another event");
	file_commit(s, f3, 2);
	store_close(s);
	s = NULL;
	CHECK(raw_sql(db, "SELECT count(*) FROM events", out, sizeof(out)) &&
	    strcmp(out, "5") == 0, "5 events stored (%s)", out);
	CHECK(raw_sql(db, "SELECT record_id || ' ' || time FROM events WHERE"
	    " result_code = 'UpgradeAbortedAdSyncExeInUse'", out, sizeof(out)) &&
	    strtoull(out, NULL, 10) == 78, "the CSV's event took the record ID (%s)", out);
	snprintf(out, sizeof(out), "x");
	CHECK(raw_sql(db, "SELECT time FROM events WHERE record_id = 77", out, sizeof(out)) &&
	    strtoull(out, NULL, 10) == exact, "and the exact time (%s)", out);
	CHECK(raw_sql(db, "SELECT record_id || ',' || time FROM installs", out, sizeof(out)) &&
	    strncmp(out, "70,", 3) == 0 && strtoull(out + 3, NULL, 10) == ft(50) + 555,
	    "one install, with the .evtx's record ID and time (%s)", out);
	CHECK(raw_sql(db, "SELECT count(*) FROM event_files", out, sizeof(out)) &&
	    strcmp(out, "8") == 0, "every read's file kept (%s)", out);
done:
	store_close(s);
	free(db);
}

/* Archive members: a row each under the archive's, which their events belong to. */
/* How many file_chunks rows file_id has (-1 when the query fails). */
static int
chunk_rows(const char *db, int64_t file_id)
{
	char sql[128], out[32];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM file_chunks WHERE file_id = %"
	    PRId64, file_id);
	return raw_sql(db, sql, out, sizeof(out)) ? atoi(out) : -1;
}

/*
 * store_chunk's verdict on chunk k of the open file, whose last record is
 * 100 k + h and free offset 1000 + r (-1 on error); *upto (when not NULL)
 * the last record the latest import read of chunk k, 0 if none.
 */
static int
chunk_known_upto(struct au_store *s, uint64_t k, uint32_t h, uint32_t r,
    uint64_t *upto)
{
	struct au_chunk_sums now = { h, r, 1000 + r, 100 * k + h }, before;
	int known = -1, had = -1;
	struct au_error *err = store_chunk(s, k, &now, 0, &known, &before, &had);

	CHECK(err == NULL, "store_chunk %" PRIu64 ": %s", k, err ? err->msg : "");
	au_error_free(err);
	CHECK(!had || before.free_offset == 1000 + before.records_crc,
	    "chunk %" PRIu64 ": what was read of it, whole", k);
	if (upto != NULL)
		*upto = had && !known ? before.last_record : 0;
	return err == NULL ? known : -1;
}

static int
chunk_known(struct au_store *s, uint64_t k, uint32_t h, uint32_t r)
{
	return chunk_known_upto(s, k, h, r, NULL);
}

/*
 * A log imported again after it grew: chunks with the checksums of the
 * path's latest import are known, others not; only the latest import
 * keeps its chunks; nothing is kept in an archive member, in scan's store
 * or by a rolled-back file.
 */
static void
test_chunks(const char *dir)
{
	char *db = xasprintf("%s/chunks.db", dir);
	struct au_store *s = NULL;
	struct au_error *err;
	struct store_previous prev;
	uint64_t upto = 0;
	int64_t f1 = 0, f2 = 0, f3 = 0, m = 0;

	err = store_open(db, STORE_CREATE, &s);
	CHECK(err == NULL, "open: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		goto done;
	if (!file_begin(s, "/logs/grows.evtx", &f1))
		goto done;
	CHECK(chunk_known(s, 0, 11, 21) == 0 && chunk_known(s, 1, 12, 22) == 0 &&
	    chunk_known(s, 2, 13, 23) == 0, "first import: no chunk known");
	file_commit(s, f1, 3);
	CHECK(chunk_rows(db, f1) == 3, "first import keeps 3 chunks (%d)",
	    chunk_rows(db, f1));

	/* Grown: chunk 1 rewritten (the live chunk), chunk 3 appended. */
	if (!file_begin(s, "/logs/grows.evtx", &f2))
		goto done;
	CHECK(chunk_known_upto(s, 0, 11, 21, &upto) == 1 && upto == 0,
	    "chunk 0 unchanged: known (%" PRIu64 ")", upto);
	CHECK(chunk_known_upto(s, 1, 12, 99, &upto) == 0 && upto == 112,
	    "chunk 1, records changed: read, after record 112 (%" PRIu64 ")", upto);
	CHECK(chunk_known_upto(s, 2, 99, 23, &upto) == 0 && upto == 213,
	    "chunk 2, header changed: read, after record 213 (%" PRIu64 ")", upto);
	CHECK(chunk_known_upto(s, 3, 14, 24, &upto) == 0 && upto == 0,
	    "chunk 3, new: read whole (%" PRIu64 ")", upto);
	store_file_previous(s, &prev);
	CHECK(prev.found && prev.chunks_known == 1, "1 chunk known (%" PRIu64 ")",
	    prev.chunks_known);
	file_commit(s, f2, 4);
	CHECK(chunk_rows(db, f1) == 0 && chunk_rows(db, f2) == 4,
	    "only the latest import keeps its chunks (%d, %d)", chunk_rows(db, f1),
	    chunk_rows(db, f2));

	/* Rolled back: nothing of it stays, the latest import's chunks stand. */
	if (!file_begin(s, "/logs/grows.evtx", &f3))
		goto done;
	CHECK(chunk_known(s, 3, 14, 24) == 1, "chunk 3 known from the second import");
	store_file_rollback(s);
	CHECK(chunk_rows(db, f3) == 0 && chunk_rows(db, f2) == 4,
	    "a rolled-back import keeps no chunks");

	/* Inside an archive member: never known, nothing kept. */
	if (!file_begin(s, "/logs/grows.zip", &f3))
		goto done;
	err = store_member_begin(s, f3, "/logs/grows.zip:grows.evtx", &m);
	au_error_free(err);
	CHECK(chunk_known(s, 0, 11, 21) == 0, "a member's chunk is not compared");
	file_commit(s, f3, 0);
	CHECK(chunk_rows(db, m) == 0 && chunk_rows(db, f3) == 0,
	    "a member keeps no chunks");
	store_close(s);

	/* scan's store: nothing compared, nothing kept. */
	s = NULL;
	err = store_open(NULL, STORE_CREATE, &s);
	au_error_free(err);
	if (s != NULL && file_begin(s, "/logs/grows.evtx", &f1)) {
		CHECK(chunk_known(s, 0, 11, 21) == 0, "scan: no chunk known");
		store_file_previous(s, &prev);
		CHECK(!prev.found, "scan: no latest import");
		file_commit(s, f1, 1);
	}
done:
	store_close(s);
	free(db);
}

static void
test_members(const char *dir)
{
	char *db = xasprintf("%s/members.db", dir);
	struct au_store *s = NULL;
	struct au_error *err;
	struct au_file_stats m, arch;
	struct au_file_host h = { "AADC01.contoso.local", 3, ft(1), ft(3), 1, 3, 0 };
	struct au_store_counts c;
	struct file_rows rows;
	int64_t fa = 0, m1 = 0;
	char out[256];

	memset(&rows, 0, sizeof(rows));
	err = store_open(db, STORE_CREATE, &s);
	CHECK(err == NULL, "open: %s", err ? err->msg : "");
	au_error_free(err);
	if (s == NULL)
		goto done;
	if (!file_begin(s, "/logs/kape.zip", &fa))
		goto done;
	err = store_member_begin(s, fa, "/logs/kape.zip:AADC01/Application.evtx", &m1);
	CHECK(err == NULL && m1 > fa, "member begin: %s", err ? err->msg : "");
	au_error_free(err);
	CHECK(add(s, m1, mkev("AADC01.contoso.local", ft(2), 2, "UpgradeAbortedSyncExeInUse",
	    NULL)) == 1, "a member's event");
	memset(&m, 0, sizeof(m));
	m.records = 3;
	m.matched = 1;
	au_file_stats_add_host(&m, "AADC01.contoso.local", &h);
	err = store_member_end(s, m1, &m);
	CHECK(err == NULL, "member end: %s", err ? err->msg : "");
	au_error_free(err);
	au_file_stats_clear(&m);
	memset(&arch, 0, sizeof(arch));
	arch.records = 3;
	arch.matched = 1;
	arch.members = 1;
	arch.size = 999;
	err = store_file_commit(s, fa, &arch);
	CHECK(err == NULL, "archive commit: %s", err ? err->msg : "");
	au_error_free(err);
	err = store_member_begin(s, fa, "x", &m1);
	CHECK(err != NULL, "a member outside a file's transaction is refused");
	au_error_free(err);
	err = store_each_file(s, collect_file, &rows);
	CHECK(err == NULL && rows.n == 2, "2 file rows (%zu)", rows.n);
	au_error_free(err);
	CHECK(!rows.member[0] && rows.members[0] == 1 && rows.nhosts[0] == 0,
	    "the archive's row: 1 member, no computers of its own");
	CHECK(rows.member[1] && rows.members[1] == 0 && rows.nhosts[1] == 1 &&
	    strcmp(rows.path[1], "/logs/kape.zip:AADC01/Application.evtx") == 0,
	    "the member's row, with its computer (%s)", rows.path[1]);
	file_rows_free(&rows);
	memset(&c, 0, sizeof(c));
	err = store_counts(s, NULL, &c);
	CHECK(err == NULL && c.files == 1 && c.events == 1, "files counted: the archive"
	    " once (%" PRIu64 ")", c.files);
	au_error_free(err);
	store_close(s);
	s = NULL;
	CHECK(raw_sql(db, "SELECT f.path FROM event_files ef JOIN files f ON"
	    " f.id = ef.file_id", out, sizeof(out)) &&
	    strcmp(out, "/logs/kape.zip:AADC01/Application.evtx") == 0,
	    "the event belongs to the member (%s)", out);
	CHECK(raw_sql(db, "SELECT matched || ',' || events_new || ',' || parent FROM files"
	    " WHERE parent IS NOT NULL", out, sizeof(out)) && strcmp(out, "1,1,1") == 0,
	    "the member's counts and parent (%s)", out);
done:
	store_close(s);
	free(db);
}

int
main(void)
{
	char tmpl[] = "/tmp/test-store.XXXXXX";
	char *dir = mkdtemp(tmpl);
	char *cmd;

	if (dir == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_history(dir);
	test_memory();
	test_summaries(dir);
	test_memory_summaries();
	test_query_plans(dir);
	test_migrate_v1(dir);
	test_refusals(dir);
	test_foreign(dir);
	test_match();
	test_file_hosts(dir);
	test_cross_form(dir);
	test_members(dir);
	test_chunks(dir);
	test_locked(dir);
	test_read_only(dir);
	test_disk_full(dir);
	if (getenv("TEST_STORE_SPEED") != NULL)
		test_speed(dir);

	if (failed == 0) {
		cmd = xasprintf("rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
		free(cmd);
	} else
		printf("kept %s\n", dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
