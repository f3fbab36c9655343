/*
 * seal_read.c - the read+hash side of sealing's data path (see
 * seal_stream.c): re-open one planned file (O_NOFOLLOW), check it is the
 * planned one, read it in SEAL_BLOCK blocks, SHA-256 them and hand each
 * block to an emit callback, then check it did not change.
 *
 * Touches only the plan's (read-only) items and the caller's error
 * buffer, so it may run on its own thread; seal_read_failed() alone
 * writes the plan, on the calling thread.  Must not know the tar writer,
 * the pipeline between the two sides, age, or the terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/manifest.h"
#include "cairn/seal.h"
#include "seal_impl.h"

static int
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static int
rfail(struct seal_rerr *err, int rc, const char *host, const char *why)
{
	snprintf(err->text, sizeof(err->text), "%s: %s", host, why);
	snprintf(err->why, sizeof(err->why), "%s", why);
	return rc;
}

int
seal_read_failed(
    struct seal_plan *p, size_t i, int rc, const struct seal_rerr *err)
{
	if (err->text[0] == '\0')
		return rc;
	if (p->error[0] == '\0') {
		snprintf(p->error, sizeof(p->error), "%s", err->text);
		snprintf(p->why, sizeof(p->why), "%s", err->why);
	}
	if (rc == CAIRN_ERR_IO || rc == CAIRN_ERR_CHANGED)
		p->failed = i + 1;
	return rc;
}

#ifdef CAIRN_TESTING
/* Test point "seal-grow[:N]": the Nth file read grows by one byte after
 * its first block, as a log file being written to would. */
static void
test_grow(const char *host)
{
	int fd = open(host, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "+", 1) != 1)
			errno = EIO;
		close(fd);
	}
}
#endif

int
seal_read_file(const struct seal_plan *p, size_t i, uint8_t *buf, int faults,
    seal_emit_fn emit, void *ctx, uint8_t digest[DIGEST_SHA256_LEN],
    struct seal_rerr *err)
{
	const struct seal_item *it = &p->items[i];
	uint64_t size = p->m->entries[i].size, total = 0;
	struct digest_sha256 d = {NULL, 0};
	struct stat before, after;
	int fd, rc, grow = 0;

	if (faults && cio_fault_hit()) {
		errno = EIO;
		return rfail(err, CAIRN_ERR_IO, it->host, strerror(errno));
	}
	fd = open(it->host, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP
		    ? rfail(err, CAIRN_ERR_CHANGED, it->host,
		          "replaced by a symbolic link since it was examined")
		    : rfail(err, CAIRN_ERR_IO, it->host, strerror(errno));
	if (fstat(fd, &before) != 0) {
		rc = rfail(err, CAIRN_ERR_IO, it->host, strerror(errno));
		goto out;
	}
	if (!S_ISREG(before.st_mode) || before.st_dev != it->dev ||
	    before.st_ino != it->ino) {
		rc = rfail(err, CAIRN_ERR_CHANGED, it->host,
		    "replaced by another file since it was examined");
		goto out;
	}
	if (before.st_size != it->size ||
	    !same_time(&before.st_mtim, &it->mtim)) {
		rc = rfail(err, CAIRN_ERR_CHANGED, it->host,
		    "modified since it was examined");
		goto out;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#ifdef CAIRN_TESTING
	grow = cio_test_at("seal-grow");
#else
	(void)grow;
#endif
	if ((rc = digest_sha256_init(&d)) != 0) {
		rfail(err, rc, it->host, cairn_strerror(rc));
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, SEAL_BLOCK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (faults && cio_fault_hit())) {
			if (n >= 0)
				errno = EIO;
			rc =
			    rfail(err, CAIRN_ERR_IO, it->host, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if ((uint64_t)n > size - total) {
			rc = rfail(err, CAIRN_ERR_CHANGED, it->host,
			    "grew while being sealed");
			goto out;
		}
		digest_sha256_update(&d, buf, (size_t)n);
		total += (uint64_t)n;
#ifdef CAIRN_TESTING
		if (grow)
			test_grow(it->host);
		grow = 0;
#endif
		rc = 0;
		if ((buf = emit(ctx, buf, (size_t)n, &rc)) == NULL)
			goto out;
	}
	rc = CAIRN_ERR_CHANGED;
	if (total != size) {
		rfail(err, rc, it->host, "shrank while being sealed");
		goto out;
	}
	if (fstat(fd, &after) != 0) {
		rc = rfail(err, CAIRN_ERR_IO, it->host, strerror(errno));
		goto out;
	}
	if (after.st_size != before.st_size ||
	    !same_time(&after.st_mtim, &before.st_mtim) ||
	    !same_time(&after.st_ctim, &before.st_ctim)) {
		rfail(err, rc, it->host, "modified while being sealed");
		goto out;
	}
	if ((rc = digest_sha256_final(&d, digest)) != 0)
		rfail(err, rc, it->host, cairn_strerror(rc));
out:
	digest_sha256_free(&d);
	close(fd);
	return rc;
}
