/*
 * digest_async.c - SHA-256 of a sequence of byte streams on a second
 * thread (see digest.h): the caller copies its bytes into one of
 * DA_SLOTS slots of DA_SLOT_LEN bytes (or lends them in place,
 * update_held()) and goes on; the worker hashes the slots in order.
 * With one CPU, or when the thread cannot be started, the same calls
 * hash on the calling thread.  The digests are the same
 * either way.
 *
 * Every call that may fail (allocation, digest_sha256_init(), and so
 * every fault-injection point) runs on the calling thread, in the same
 * order whichever mode is in use; the worker only updates and finishes
 * digests.  digest_fd_sha256() hashes a whole file descriptor that way.
 *
 * Knows files only as descriptors to read; nothing of archives or
 * SHA256SUMS.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/err.h"

/* 16 MiB in flight: deep enough that the caller rarely waits for the
 * worker when four threads share two cores (open of 1 GiB with the
 * archive hashed: 1.335 -> 1.225 s against 4 x 256 KiB; peak RSS 18 ->
 * 49 MiB, the slots being touched as the ring turns). */
#define DA_SLOTS    16
#define DA_SLOT_LEN (1024u * 1024)

struct da_slot {
	uint8_t *buf;
	const uint8_t *held; /* set: hash the caller's len bytes here */
	size_t len;
	struct digest_sha256 start; /* ctx set: a stream starts here */
	uint8_t *out; /* set: the stream ends after buf, digest to out */
};

struct digest_async {
	int threaded;
	int err;                  /* first failure (worker side under mu) */
	struct digest_sha256 cur; /* the stream being hashed (worker's) */
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
	struct da_slot s[DA_SLOTS];
	unsigned head, tail; /* caller fills s[head % N], worker s[tail] */
	int stop;
	int have;    /* caller: s[head % N] is claimed */
	size_t fill; /* ... and holds fill bytes */
};

int
digest_async_threads(void)
{
	cpu_set_t cpus;

	if (cairn_options()->aead_threads == 1)
		return 0;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		return CPU_COUNT(&cpus) > 1;
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

static void *
worker(void *arg)
{
	struct digest_async *h = arg;

	for (;;) {
		struct da_slot *s;
		int rc = 0, stop;

		pthread_mutex_lock(&h->mu);
		while (h->tail == h->head && !h->stop)
			pthread_cond_wait(&h->filled, &h->mu);
		if (h->tail == h->head) {
			pthread_mutex_unlock(&h->mu);
			return NULL;
		}
		s = &h->s[h->tail % DA_SLOTS];
		stop = h->stop;
		pthread_mutex_unlock(&h->mu);
		if (s->start.ctx != NULL) {
			digest_sha256_free(&h->cur);
			h->cur = s->start;
			s->start.ctx = NULL;
		}
		/* Being freed: drop the rest (its out may be gone). */
		if (stop)
			digest_sha256_free(&h->cur);
		if (h->cur.ctx != NULL)
			digest_sha256_update(&h->cur,
			    s->held != NULL ? s->held : s->buf, s->len);
		if (s->out != NULL && !stop)
			rc = h->cur.ctx != NULL
			    ? digest_sha256_final(&h->cur, s->out)
			    : CAIRN_ERR_INVAL;
		pthread_mutex_lock(&h->mu);
		if (rc != 0 && h->err == 0)
			h->err = rc;
		h->tail++;
		pthread_cond_signal(&h->freed);
		pthread_mutex_unlock(&h->mu);
	}
}

static int
start(struct digest_async *h)
{
	for (int i = 0; i < DA_SLOTS; i++)
		if ((h->s[i].buf = cio_malloc(DA_SLOT_LEN)) == NULL)
			return CAIRN_ERR_NOMEM;
	if (pthread_mutex_init(&h->mu, NULL) != 0)
		return 1;
	if (pthread_cond_init(&h->filled, NULL) != 0)
		goto mu;
	if (pthread_cond_init(&h->freed, NULL) != 0)
		goto filled;
	if (cio_thread_spawn(&h->tid, worker, h) == 0)
		return 0;
	pthread_cond_destroy(&h->freed);
filled:
	pthread_cond_destroy(&h->filled);
mu:
	pthread_mutex_destroy(&h->mu);
	return 1;
}

int
digest_async_new(struct digest_async **out, int threads)
{
	struct digest_async *h;
	int rc = 0;

	*out = NULL;
	if ((h = cio_calloc(1, sizeof(*h))) == NULL)
		return CAIRN_ERR_NOMEM;
	if (threads < 0)
		threads = digest_async_threads();
	if (threads && (rc = start(h)) <= 0) {
		if (rc < 0) {
			digest_async_free(h);
			return rc;
		}
		h->threaded = 1;
	}
	if (!h->threaded)
		for (int i = 0; i < DA_SLOTS; i++) {
			free(h->s[i].buf);
			h->s[i].buf = NULL;
		}
	*out = h;
	return 0;
}

int
digest_async_threaded(const struct digest_async *h)
{
	return h->threaded;
}

/* Caller: make s[head % N] ours (wait for the worker to free it). */
static struct da_slot *
claim(struct digest_async *h)
{
	struct da_slot *s = &h->s[h->head % DA_SLOTS];

	if (h->have)
		return s;
	pthread_mutex_lock(&h->mu);
	while (h->head - h->tail == DA_SLOTS)
		pthread_cond_wait(&h->freed, &h->mu);
	pthread_mutex_unlock(&h->mu);
	h->have = 1;
	h->fill = 0;
	s->out = NULL;
	s->held = NULL;
	return s;
}

static void
publish(struct digest_async *h)
{
	h->s[h->head % DA_SLOTS].len = h->fill;
	pthread_mutex_lock(&h->mu);
	h->head++;
	pthread_cond_signal(&h->filled);
	pthread_mutex_unlock(&h->mu);
	h->have = 0;
}

int
digest_async_begin(struct digest_async *h)
{
	struct digest_sha256 d;
	struct da_slot *s;
	int rc;

	if ((rc = digest_sha256_init(&d)) != 0)
		return rc;
	if (!h->threaded) {
		digest_sha256_free(&h->cur);
		h->cur = d;
		return 0;
	}
	s = claim(h);
	if (s->start.ctx != NULL || h->fill > 0)
		publish(h); /* the bytes before belong to the old stream */
	s = claim(h);
	s->start = d;
	return 0;
}

void
digest_async_update(struct digest_async *h, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!h->threaded) {
		if (h->cur.ctx != NULL)
			digest_sha256_update(&h->cur, buf, len);
		return;
	}
	while (len > 0) {
		struct da_slot *s = claim(h);
		size_t n = DA_SLOT_LEN - h->fill;

		if (n > len)
			n = len;
		memcpy(s->buf + h->fill, p, n);
		h->fill += n;
		p += n;
		len -= n;
		if (h->fill == DA_SLOT_LEN)
			publish(h);
	}
}

void
digest_async_update_held(struct digest_async *h, const void *buf, size_t len)
{
	struct da_slot *s;

	if (!h->threaded || len == 0) {
		digest_async_update(h, buf, len);
		return;
	}
	s = claim(h);
	if (h->fill > 0) { /* copied bytes first, in their own slot */
		publish(h);
		s = claim(h);
	}
	s->held = buf;
	h->fill = len;
	publish(h);
}

/* Under mu: 1 when a queued slot lends bytes in [a, a + len). */
static int
held_overlap(const struct digest_async *h, uintptr_t a, size_t len)
{
	for (unsigned i = h->tail; i != h->head; i++) {
		const struct da_slot *s = &h->s[i % DA_SLOTS];
		uintptr_t b = (uintptr_t)s->held;

		if (s->held != NULL && b < a + len && a < b + s->len)
			return 1;
	}
	return 0;
}

void
digest_async_release(struct digest_async *h, const void *p, size_t len)
{
	if (!h->threaded || len == 0)
		return;
	pthread_mutex_lock(&h->mu);
	while (held_overlap(h, (uintptr_t)p, len))
		pthread_cond_wait(&h->freed, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

void
digest_async_end(struct digest_async *h, uint8_t out[DIGEST_SHA256_LEN])
{
	int rc;

	if (!h->threaded) {
		rc = h->cur.ctx != NULL ? digest_sha256_final(&h->cur, out)
		                        : CAIRN_ERR_INVAL;
		if (rc != 0 && h->err == 0)
			h->err = rc;
		return;
	}
	claim(h)->out = out;
	publish(h);
}

int
digest_async_wait(struct digest_async *h)
{
	int rc;

	if (!h->threaded)
		return h->err;
	if (h->have)
		publish(h);
	pthread_mutex_lock(&h->mu);
	while (h->tail != h->head)
		pthread_cond_wait(&h->freed, &h->mu);
	rc = h->err;
	pthread_mutex_unlock(&h->mu);
	return rc;
}

void
digest_async_free(struct digest_async *h)
{
	if (h == NULL)
		return;
	if (h->threaded) {
		pthread_mutex_lock(&h->mu);
		h->stop = 1;
		pthread_cond_signal(&h->filled);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->tid, NULL);
		pthread_cond_destroy(&h->freed);
		pthread_cond_destroy(&h->filled);
		pthread_mutex_destroy(&h->mu);
	}
	digest_sha256_free(&h->cur);
	for (int i = 0; i < DA_SLOTS; i++) {
		digest_sha256_free(&h->s[i].start);
		free(h->s[i].buf);
	}
	free(h);
}

#define DA_FD_BLOCK (1024 * 1024)

int
digest_fd_sha256(int fd, uint8_t out[DIGEST_SHA256_LEN], uint64_t *size)
{
	struct digest_async *h = NULL;
	uint8_t *buf = cio_malloc(DA_FD_BLOCK), d[DIGEST_SHA256_LEN];
	uint64_t total = 0;
	ssize_t n;
	int rc = CAIRN_ERR_NOMEM, saved = 0;

	if (buf == NULL || digest_async_new(&h, -1) != 0 ||
	    digest_async_begin(h) != 0)
		goto out;
	while ((n = cio_fd_read(&fd, buf, DA_FD_BLOCK)) > 0) {
		digest_async_update(h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	if (n < 0) {
		saved = errno;
		rc = (int)n;
		goto out;
	}
	digest_async_end(h, d);
	if ((rc = digest_async_wait(h)) == 0) {
		memcpy(out, d, sizeof(d));
		*size = total;
	}
out:
	digest_async_free(h);
	free(buf);
	if (saved != 0)
		errno = saved;
	return rc;
}
