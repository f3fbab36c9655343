/*
 * test_digest_async.c - digest_async (SHA-256 on a worker thread) gives
 * the digests of digest_sha256() on the worker and on the calling
 * thread: many streams, odd update sizes across its 1 MiB slots (and
 * more bytes in flight than its 16 slots hold), bytes copied and lent
 * (update_held) in one stream, release() waiting for lent bytes, empty
 * streams, a stream
 * begun and dropped, and the fault points; digest_fd_sha256() over a
 * file on either thread, an empty file, and a descriptor that cannot be
 * read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "tap.h"

#define NSTREAMS 40

/* Stream i's length: empty, tiny, around the slot size, several slots. */
static size_t
stream_len(int i)
{
	static const size_t lens[] = {0, 1, 63, 64, 65, 4095, 262144, 1048575,
	    1048576, 1048577, 3 * 1048576 + 5, 17 * 1048576 + 3};

	return i < 12 ? lens[i] : (size_t)randombytes_uniform(2000000);
}

/* Add n bytes of p to the stream, copied or lent. */
static void
add(struct digest_async *h, const uint8_t *p, size_t n)
{
	if (randombytes_uniform(2) == 0)
		digest_async_update(h, p, n);
	else /* buf is never changed: lent bytes need no release */
		digest_async_update_held(h, p, n);
}

/* release() of lent bytes returns only once they are hashed: 17 MiB of
 * copied bytes keep the worker busy, 64 KiB are lent behind them,
 * released, and overwritten at once; the digest must be the old bytes'. */
static int
release_waits(const uint8_t *buf)
{
	struct digest_async *h;
	uint8_t got[DIGEST_SHA256_LEN], want[DIGEST_SHA256_LEN];
	uint8_t *lent = malloc(65536), *all = malloc(17 * 1048576 + 65536);
	int ok = 0;

	if (lent == NULL || all == NULL || digest_async_new(&h, 1) != 0)
		goto out;
	memcpy(lent, buf, 65536);
	memcpy(all, buf + 65536, 17 * 1048576);
	memcpy(all + 17 * 1048576, lent, 65536);
	if (digest_async_begin(h) == 0) {
		digest_async_update(h, all, 17 * 1048576);
		digest_async_update_held(h, lent, 65536);
		digest_async_release(h, lent + 100, 1);
		memset(lent, 0xee, 65536);
		digest_async_end(h, got);
		ok = digest_async_wait(h) == 0 &&
		    digest_sha256(all, 17 * 1048576 + 65536, want) == 0 &&
		    memcmp(got, want, sizeof(got)) == 0;
	}
	digest_async_free(h);
out:
	free(lent);
	free(all);
	return ok;
}

/* Hash NSTREAMS streams of buf through h; 1 when every digest matches. */
static int
run(struct digest_async *h, const uint8_t *buf)
{
	uint8_t got[NSTREAMS][DIGEST_SHA256_LEN], want[DIGEST_SHA256_LEN];
	size_t lens[NSTREAMS];
	int ok = 1;

	for (int i = 0; i < NSTREAMS; i++) {
		size_t off = 0, len = stream_len(i);

		lens[i] = len;
		if (i == 20) { /* begun, fed, dropped: must not disturb */
			if (digest_async_begin(h) != 0)
				return 0;
			digest_async_update(h, buf + 7, 300000);
		}
		if (digest_async_begin(h) != 0)
			return 0;
		while (off < len) {
			size_t n = 1 + randombytes_uniform(700000);

			if (n > len - off)
				n = len - off;
			add(h, buf + off, n);
			off += n;
		}
		digest_async_end(h, got[i]);
	}
	if (digest_async_wait(h) != 0)
		return 0;
	for (int i = 0; i < NSTREAMS; i++) {
		if (digest_sha256(buf, lens[i], want) != 0 ||
		    memcmp(want, got[i], sizeof(want)) != 0)
			ok = 0;
	}
	return ok;
}

/* digest_fd_sha256() of the first len bytes of buf, written to a file,
 * with the hashing thread on or off; 1 when digest and size match. */
static int
fd_matches(const uint8_t *buf, size_t len, int one_thread)
{
	struct cairn_options o = *cairn_options(), saved = o;
	uint8_t want[DIGEST_SHA256_LEN], got[DIGEST_SHA256_LEN];
	char path[] = "/tmp/test_digest_fd.XXXXXX";
	uint64_t size = 7;
	int fd = mkstemp(path), ok;

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len ||
	    lseek(fd, 0, SEEK_SET) != 0 || digest_sha256(buf, len, want) != 0)
		return 0;
	unlink(path);
	o.aead_threads = one_thread ? 1 : 0;
	cairn_set_options(&o);
	ok = digest_fd_sha256(fd, got, &size) == 0 && size == len &&
	    memcmp(got, want, sizeof(got)) == 0;
	cairn_set_options(&saved);
	close(fd);
	return ok;
}

/* A directory cannot be read: CAIRN_ERR_IO, errno EISDIR, nothing set. */
static int
fd_read_error(void)
{
	uint8_t got[DIGEST_SHA256_LEN] = {0};
	uint64_t size = 7;
	int fd = open("/tmp", O_RDONLY | O_DIRECTORY), rc;

	if (fd < 0)
		return 0;
	rc = digest_fd_sha256(fd, got, &size);
	close(fd);
	return rc == CAIRN_ERR_IO && errno == EISDIR && size == 7 &&
	    got[0] == 0;
}

int
main(void)
{
	struct cairn_options o = *cairn_options();
	struct digest_async *h;
	uint8_t *buf, md[DIGEST_SHA256_LEN];
	int failures = 0, nomem = 0, n;

	if (sodium_init() < 0 || (buf = malloc((18u * 1048576))) == NULL)
		return 1;
	randombytes_buf(buf, (18u * 1048576));
	for (int threads = 0; threads <= 1; threads++) {
		TAP_OK(digest_async_new(&h, threads) == 0, "new (threads %d)",
		    threads);
		TAP_OK(digest_async_threaded(h) == threads,
		    "threads %d: %s the calling thread", threads,
		    threads ? "off" : "on");
		TAP_OK(run(h, buf),
		    "threads %d: 40 streams match digest_sha256", threads);
		TAP_OK(run(h, buf), "threads %d: reused after wait", threads);
		digest_async_end(h, md); /* an end without a begin */
		TAP_OK(digest_async_wait(h) == CAIRN_ERR_INVAL,
		    "threads %d: end without begin is reported", threads);
		digest_async_free(h);
	}
	TAP_OK(
	    release_waits(buf), "release() waits until lent bytes are hashed");
	for (int one = 0; one <= 1; one++) {
		TAP_OK(fd_matches(buf, 3 * 1048576 + 5, one),
		    "digest_fd_sha256 of 3 MiB + 5 bytes (%s)",
		    one ? "one thread" : "hashing thread");
		TAP_OK(fd_matches(buf, 0, one),
		    "digest_fd_sha256 of an empty file (%s)",
		    one ? "one thread" : "hashing thread");
	}
	TAP_OK(fd_read_error(),
	    "digest_fd_sha256 of a directory: CAIRN_ERR_IO, EISDIR, out "
	    "untouched");
	/* Dropping a queue of work: free() with slots still in flight. */
	if (digest_async_new(&h, 1) == 0) {
		(void)digest_async_begin(h);
		digest_async_update(h, buf, (18u * 1048576));
		digest_async_free(h);
		TAP_OK(1, "free with queued bytes returns");
	}
	/* Every fault point fails cleanly, on both paths. */
	for (int threads = 0; threads <= 1; threads++) {
		for (n = 1; n <= 12; n++) {
			int rc;

			o.fault_at = n;
			cairn_set_options(&o);
			rc = digest_async_new(&h, threads);
			if (rc == 0) {
				rc = digest_async_begin(h);
				if (rc == 0) {
					digest_async_update(h, buf, 1000);
					digest_async_end(h, md);
					rc = digest_async_wait(h);
				}
				digest_async_free(h);
			}
			if (rc == CAIRN_ERR_NOMEM)
				nomem++;
			else if (rc != 0)
				failures++;
		}
		TAP_OK(failures == 0 && nomem >= 2,
		    "threads %d: faults give NOMEM (%d times) or work", threads,
		    nomem);
		nomem = 0;
	}
	o.fault_at = 0;
	cairn_set_options(&o);
	free(buf);
	return tap_done();
}
