/*
 * test_extract_async.c - extract_async(): small files finished on a
 * worker thread.  The tree is the same as without it (contents, modes,
 * times, also for files that outgrow the buffer); a failure on the
 * worker comes back from a later call with its errno and its entry's
 * name; extract_drain() and extract_commit() wait for the worker; an
 * abort with files still queued closes them all and removes the tree.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/extract.h"
#include "tap.h"

static char dir[64];

/* Open descriptors of this process. */
static int
nfds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* Entries of dir whose name starts with prefix. */
static int
entries_like(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

/* The bytes of file i: i * 997 % 300000 of them (some above 256 KiB). */
static size_t
fill(uint8_t *buf, int i)
{
	size_t n = (size_t)i * 997 % 300000;

	for (size_t k = 0; k < n; k++)
		buf[k] = (uint8_t)(k * 31 + (size_t)i);
	return n;
}

/* Write file i in pieces of up to 70,000 bytes. */
static int
put(struct extract *x, const char *path, const uint8_t *buf, size_t n,
    unsigned mode)
{
	int rc = extract_file_begin(x, path, mode, 1600000000 + (int64_t)n);

	for (size_t off = 0; rc == 0 && off < n; off += 70000)
		rc = extract_file_write(
		    x, buf + off, n - off < 70000 ? n - off : 70000);
	return rc != 0 ? rc : extract_file_end(x);
}

static int
same_file(const char *path, const uint8_t *want, size_t n, unsigned mode)
{
	struct stat st;
	uint8_t *got = malloc(n + 1);
	FILE *f = fopen(path, "rb");
	int ok = f != NULL && got != NULL && stat(path, &st) == 0 &&
	    (size_t)st.st_size == n && fread(got, 1, n + 1, f) == n &&
	    memcmp(got, want, n) == 0 && (st.st_mode & 0777) == mode &&
	    st.st_mtime == 1600000000 + (time_t)n;

	if (f != NULL)
		fclose(f);
	free(got);
	return ok;
}

static void
many(uint8_t *buf)
{
	struct extract *x = NULL;
	char dest[128], p[256];
	int rc, bad = 0;

	snprintf(dest, sizeof(dest), "%s/many", dir);
	rc = extract_begin(&x, dest);
	rc = rc ? rc : extract_async(x);
	for (int i = 0; rc == 0 && i < 300; i++) {
		snprintf(p, sizeof(p), "d%d/f%d", i % 7, i);
		rc = put(x, p, buf, fill(buf, i), i % 2 ? 0644 : 0600);
	}
	TAP_EQ_INT(rc, 0, "300 files queued, some over 256 KiB");
	TAP_EQ_INT(extract_commit(x), 0, "commit waits for the worker");
	extract_free(x);
	for (int i = 0; i < 300; i++) {
		size_t n = fill(buf, i);

		snprintf(p, sizeof(p), "%s/d%d/f%d", dest, i % 7, i);
		bad += !same_file(p, buf, n, i % 2 ? 0644 : 0600);
	}
	TAP_EQ_INT(bad, 0, "every file has its bytes, mode and time");
}

static void
failure(uint8_t *buf)
{
	struct extract *x = NULL;
	struct rlimit small = {100 * 1024, RLIM_INFINITY}, old;
	char dest[128], p[64];
	int rc, i, fds = nfds();

	snprintf(dest, sizeof(dest), "%s/fail", dir);
	getrlimit(RLIMIT_FSIZE, &old);
	small.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN); /* writes past the limit: EFBIG */
	setrlimit(RLIMIT_FSIZE, &small);
	rc = extract_begin(&x, dest);
	rc = rc ? rc : extract_async(x);
	rc = rc ? rc : put(x, "a", buf, 10, 0644);
	rc = rc ? rc : put(x, "big", buf, 150000, 0644); /* fails later */
	for (i = 0; rc == 0 && i < 1000; i++) {
		snprintf(p, sizeof(p), "after%d", i);
		rc = put(x, p, buf, 10, 0644);
		if (rc == 0 && i == 999)
			rc = extract_drain(x);
	}
	setrlimit(RLIMIT_FSIZE, &old);
	TAP_EQ_INT(rc, CAIRN_ERR_IO, "the worker's failure comes back");
	TAP_EQ_INT(errno, EFBIG, "with its errno");
	TAP_OK(extract_failed_path(x) != NULL &&
	        strcmp(extract_failed_path(x), "big") == 0,
	    "and the name of its entry (%s)",
	    extract_failed_path(x) ? extract_failed_path(x) : "NULL");
	TAP_EQ_INT(extract_commit(x), CAIRN_ERR_IO, "commit refuses");
	extract_free(x);
	TAP_OK(access(dest, F_OK) != 0, "nothing published");
	TAP_EQ_INT(entries_like(".fail"), 0, "staging tree removed");
	TAP_EQ_INT(nfds(), fds, "no descriptor left open");
}

static void
abort_queued(uint8_t *buf)
{
	struct extract *x = NULL;
	char dest[128], p[64];
	int rc, fds = nfds();

	snprintf(dest, sizeof(dest), "%s/abort", dir);
	rc = extract_begin(&x, dest);
	rc = rc ? rc : extract_async(x);
	for (int i = 0; rc == 0 && i < 500; i++) {
		snprintf(p, sizeof(p), "f%d", i);
		rc = put(x, p, buf, 20000, 0644);
	}
	TAP_EQ_INT(rc, 0, "500 files queued");
	extract_abort(x);
	extract_free(x);
	TAP_OK(access(dest, F_OK) != 0, "abort: nothing published");
	TAP_EQ_INT(nfds(), fds, "abort: every queued descriptor closed");
	TAP_EQ_INT(entries_like(".abort"), 0, "abort: staging tree removed");
}

int
main(void)
{
	uint8_t *buf = malloc(300000);

	umask(022);
	snprintf(dir, sizeof(dir), "/tmp/cairn-test-xasync-XXXXXX");
	if (buf == NULL || mkdtemp(dir) == NULL)
		return 1;
	many(buf);
	failure(buf);
	abort_queued(buf);
	tap_sh("chmod -R u+rwx %s; rm -rf %s", dir, dir);
	free(buf);
	return tap_done();
}
