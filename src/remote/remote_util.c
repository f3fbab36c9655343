/*
 * remote_util.c - what the WebDAV and SFTP backends share: the retry
 * rule with backoff, growing a listing, and comparing an object already
 * on the server with the local archive (so that a push whose answer was
 * lost counts as confirmed, while other content is never replaced).
 *
 * Knows remote_impl.h and digest.h; knows nothing of archives or URLs.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/digest.h"
#include "cairn/err.h"
#include "remote_impl.h"

int
remote_retry(
    struct remote *r, unsigned try, unsigned *wait_ms, int rc, long status)
{
	struct timespec ts;

	if (try >= r->retries)
		return 0;
	if (!(rc == CAIRN_ERR_REMOTE && r->fail == HTTP_FAIL_NETWORK) &&
	    !(rc == 0 && (status >= 500 || status == 429)))
		return 0;
	ts.tv_sec = (time_t)(*wait_ms / 1000);
	ts.tv_nsec = (long)(*wait_ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) != 0)
		;
	*wait_ms = *wait_ms * 2 > 30000 ? 30000 : *wait_ms * 2;
	return 1;
}

int
remote_objects_add(struct remote_object **objs, size_t *n, size_t *cap,
    const char *name, uint64_t size, int64_t mtime)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct remote_object *o = cio_realloc(*objs, c * sizeof(*o));
		if (o == NULL)
			return CAIRN_ERR_NOMEM;
		*objs = o;
		*cap = c;
	}
	(*objs)[*n].size = size;
	(*objs)[*n].mtime = mtime;
	if (((*objs)[*n].name = cio_strdup(name)) == NULL)
		return CAIRN_ERR_NOMEM;
	(*n)++;
	return 0;
}

struct hashing {
	struct digest_sha256 d;
	uint64_t n, max;
};

static int
hash_write(void *p, const uint8_t *buf, size_t len)
{
	struct hashing *h = p;

	h->n += len;
	if (h->n > h->max)
		return CAIRN_ERR_CHANGED; /* longer than ours: different */
	digest_sha256_update(&h->d, buf, len);
	return 0;
}

/* SHA-256 of fd's first size bytes. */
static int
hash_fd(int fd, uint64_t size, uint8_t out[DIGEST_SHA256_LEN])
{
	struct digest_sha256 d;
	uint8_t *buf = cio_malloc(1u << 20);
	uint64_t off = 0;
	int rc = 0;

	if (buf == NULL || digest_sha256_init(&d) != 0) {
		free(buf);
		return CAIRN_ERR_NOMEM;
	}
	while (rc == 0 && off < size) {
		size_t want =
		    size - off < (1u << 20) ? (size_t)(size - off) : (1u << 20);
		ssize_t k = pread(fd, buf, want, (off_t)off);
		if (k <= 0)
			rc = k < 0 ? CAIRN_ERR_IO : CAIRN_ERR_CHANGED;
		else {
			digest_sha256_update(&d, buf, (size_t)k);
			off += (uint64_t)k;
		}
	}
	if (rc == 0)
		rc = digest_sha256_final(&d, out);
	else
		digest_sha256_free(&d);
	free(buf);
	return rc;
}

int
remote_same_content(struct remote *r, remote_get_fn get, const char *name,
    int fd, uint64_t size)
{
	uint8_t mine[DIGEST_SHA256_LEN], theirs[DIGEST_SHA256_LEN];
	struct hashing h;
	struct cio_sink sink = {hash_write, &h};
	int rc;

	if ((rc = hash_fd(fd, size, mine)) != 0)
		return rc;
	memset(&h, 0, sizeof(h));
	h.max = size;
	if (digest_sha256_init(&h.d) != 0)
		return CAIRN_ERR_NOMEM;
	rc = get(r, name, 0, &sink, NULL, NULL);
	if (rc == CAIRN_ERR_CHANGED) {
		digest_sha256_free(&h.d);
		return 0;
	}
	if (rc != 0) {
		digest_sha256_free(&h.d);
		return rc;
	}
	if ((rc = digest_sha256_final(&h.d, theirs)) != 0)
		return rc;
	return h.n == size && sodium_memcmp(mine, theirs, sizeof(mine)) == 0;
}

int
remote_existing(struct remote *r, remote_get_fn get, const char *name, int fd,
    uint64_t size)
{
	int same = remote_same_content(r, get, name, fd, size);

	if (same == 1)
		return 0;
	// clang-format off
	if (same == 0 || (same == CAIRN_ERR_REMOTE && r->fail == HTTP_FAIL_AUTH))
		return remote_failf(r, HTTP_FAIL_EXISTS, "%s%s exists with other content (or cannot be read to compare); not replaced", r->path, name);
	// clang-format on
	return same;
}

int
remote_counted_write(void *p, const uint8_t *buf, size_t len)
{
	struct remote_counted *c = p;
	int rc = c->out->write(c->out->ctx, buf, len);

	c->done += len;
	if (rc == 0 && c->fn != NULL)
		c->fn(c->ctx, c->done, 0);
	return rc;
}

void
remote_on_sent(void *p, uint64_t sent)
{
	struct remote_sent *u = p;

	if (u->fn != NULL)
		u->fn(u->ctx, u->base + sent, u->total);
}
