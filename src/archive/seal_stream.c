/*
 * seal_stream.c - the data path of sealing: every planned file is read
 * once, hashed and handed to the tar writer (see seal.h).
 *
 * Two sides meet at one seam, seal_read_file()'s emit callback:
 *   - read+hash: re-open the file (O_NOFOLLOW), check it is the planned
 *     one, read SEAL_BLOCK blocks, SHA-256 them, check it did not change;
 *   - tar+sink: tarball_write_data() into the plain sink (which the
 *     caller may encrypt).
 * On a machine with two or more CPUs the read+hash side runs on its own
 * thread, SEAL_SLOTS blocks ahead of the tar+sink side (memory stays
 * SEAL_SLOTS * SEAL_BLOCK whatever the file sizes); otherwise both run in
 * turn on the calling thread.  The archive is the same either way.
 *
 * The reading thread touches only the plan's (read-only) items and its
 * own error buffer; everything else stays on the calling thread.
 *
 * The read+hash side lives in seal_read.c; this file runs the tar+sink
 * side and the pipeline between the two.
 *
 * Knows the tar writer and the plan; nothing of age, manifests beyond
 * the plan, or the terminal.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/manifest.h"
#include "cairn/seal.h"
#include "seal_impl.h"
#include "sums.h"
#include "tarball.h"

#define SEAL_SLOTS 4

/* ---- the tar+encrypt side ------------------------------------------------ */

struct tar_side {
	struct seal_plan *p;
	struct tarball_writer *tw;
	size_t i;
};

static int
tar_fail(struct tar_side *t, int rc)
{
	const char *why = tarball_writer_error(t->tw);

	if (rc == CAIRN_ERR_IO && errno != 0)
		why = strerror(errno);
	return seal_fail(t->p, rc, t->p->items[t->i].host,
	    why[0] != '\0' ? why : cairn_strerror(rc));
}

static uint8_t *
emit_direct(void *ctx, uint8_t *buf, size_t len, int *rc)
{
	struct tar_side *t = ctx;

	if ((*rc = tarball_write_data(t->tw, buf, len)) != 0) {
		tar_fail(t, *rc);
		return NULL;
	}
	return buf;
}

/* Write entry e's tar header: a whole directory entry, or the header of
 * a file whose data follows.  Returns 0 or an error already recorded
 * with tar_fail(). */
static int
tar_entry_begin(struct tar_side *t, const struct manifest_entry *e)
{
	int rc;

	if (e->type == MANIFEST_DIR)
		rc = tarball_write_dir(t->tw, e->path, e->mode, e->mtime);
	else
		rc = tarball_write_file_begin(
		    t->tw, e->path, e->size, e->mode, e->mtime);
	if (rc != 0)
		tar_fail(t, rc);
	return rc;
}

/* Close file entry e in the tar and record its digest in SHA256SUMS. */
static int
tar_file_end(struct tar_side *t, struct sums *sums,
    const struct manifest_entry *e, const uint8_t *digest)
{
	int rc;

	if ((rc = tarball_write_file_end(t->tw)) != 0) {
		tar_fail(t, rc);
		return rc;
	}
	return sums_add(sums, e->path, digest);
}

/* One file's data into the tar (entry t->i), its SHA-256 into digest.
 * Returns 0 or an error already recorded in the plan. */
typedef int (*file_data_fn)(void *ctx, struct tar_side *t, uint8_t *digest);

/* Every entry of the plan in order: each header here, each file's data
 * through data(ctx, ...) (once per file), each SHA256SUMS line into sums.
 * Returns 0 or the first error (recorded in the plan). */
static int
stream_entries(
    struct tar_side *t, struct sums *sums, file_data_fn data, void *ctx)
{
	const struct manifest *m = t->p->m;
	uint8_t digest[DIGEST_SHA256_LEN];
	int rc = 0;

	for (t->i = 0; rc == 0 && t->i < m->nentries; t->i++) {
		const struct manifest_entry *e = &m->entries[t->i];

		if ((rc = tar_entry_begin(t, e)) != 0)
			break;
		if (e->type == MANIFEST_DIR)
			continue;
		if ((rc = data(ctx, t, digest)) != 0)
			break;
		rc = tar_file_end(t, sums, e, digest);
	}
	return rc;
}

/* Both sides in turn on this thread: read and hash entry t->i through
 * buf (SEAL_BLOCK bytes, the caller's), straight into the tar. */
static int
data_direct(void *buf, struct tar_side *t, uint8_t *digest)
{
	struct seal_rerr err;
	int rc;

	err.text[0] = '\0';
	rc = seal_read_file(t->p, t->i, buf, 1, emit_direct, t, digest, &err);
	if (rc != 0)
		seal_read_failed(t->p, t->i, rc, &err);
	return rc;
}

static int
stream_sequential(struct tar_side *t, struct sums *sums)
{
	uint8_t *buf;
	int rc;

	if ((buf = cio_malloc(SEAL_BLOCK)) == NULL)
		return CAIRN_ERR_NOMEM;
	rc = stream_entries(t, sums, data_direct, buf);
	free(buf);
	return rc;
}

/* ---- the two-thread pipeline ---------------------------------------------- */

enum { SLOT_DATA = 1, SLOT_END, SLOT_ERR };

struct slot {
	uint8_t *buf;
	size_t len;
	int kind, rc;
	uint8_t digest[DIGEST_SHA256_LEN];
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
	struct slot s[SEAL_SLOTS];
	unsigned head,
	    tail; /* producer fills s[head % N], consumer takes tail */
	int stop;
	const struct seal_plan *p;
	struct seal_rerr err;
};

/* Producer: wait for a free slot; 0, or -1 when told to stop. */
static int
wait_room(struct pipe *pp)
{
	int rc = 0;

	pthread_mutex_lock(&pp->mu);
	while (!pp->stop && pp->head - pp->tail == SEAL_SLOTS)
		pthread_cond_wait(&pp->freed, &pp->mu);
	if (pp->stop)
		rc = -1;
	pthread_mutex_unlock(&pp->mu);
	return rc;
}

static void
publish(struct pipe *pp, int kind, size_t len, int rc)
{
	struct slot *s = &pp->s[pp->head % SEAL_SLOTS];

	s->kind = kind;
	s->len = len;
	s->rc = rc;
	pthread_mutex_lock(&pp->mu);
	pp->head++;
	pthread_cond_signal(&pp->filled);
	pthread_mutex_unlock(&pp->mu);
}

static uint8_t *
emit_pipe(void *ctx, uint8_t *buf, size_t len, int *rc)
{
	struct pipe *pp = ctx;

	(void)buf;
	publish(pp, SLOT_DATA, len, 0);
	if (wait_room(pp) != 0) {
		*rc = CAIRN_ERR_INTERRUPTED;
		return NULL;
	}
	return pp->s[pp->head % SEAL_SLOTS].buf;
}

static void *
producer(void *arg)
{
	struct pipe *pp = arg;
	const struct manifest *m = pp->p->m;
	int rc;

	uint8_t digest[DIGEST_SHA256_LEN];

	for (size_t i = 0; i < m->nentries; i++) {
		if (m->entries[i].type != MANIFEST_FILE)
			continue;
		if (wait_room(pp) != 0)
			return NULL;
		rc = seal_read_file(pp->p, i, pp->s[pp->head % SEAL_SLOTS].buf,
		    0, emit_pipe, pp, digest, &pp->err);
		if (rc == CAIRN_ERR_INTERRUPTED)
			return NULL;
		/* seal_read_file() returned holding the current slot (head) */
		memcpy(pp->s[pp->head % SEAL_SLOTS].digest, digest,
		    sizeof(digest));
		publish(pp, rc == 0 ? SLOT_END : SLOT_ERR, 0, rc);
		if (rc != 0)
			return NULL;
	}
	return NULL;
}

/* Consumer: the next filled slot (blocks). */
static struct slot *
take(struct pipe *pp)
{
	struct slot *s;

	pthread_mutex_lock(&pp->mu);
	while (pp->head == pp->tail)
		pthread_cond_wait(&pp->filled, &pp->mu);
	s = &pp->s[pp->tail % SEAL_SLOTS];
	pthread_mutex_unlock(&pp->mu);
	return s;
}

static void
release(struct pipe *pp)
{
	pthread_mutex_lock(&pp->mu);
	pp->tail++;
	pthread_cond_signal(&pp->freed);
	pthread_mutex_unlock(&pp->mu);
}

/* The tar side of one file (entry t->i), from the pipe pp: a
 * file_data_fn. */
static int
consume_file(void *ctx, struct tar_side *t, uint8_t *digest)
{
	struct pipe *pp = ctx;

	for (;;) {
		struct slot *s = take(pp);
		int rc = 0, kind = s->kind;

		if (kind == SLOT_DATA &&
		    (rc = tarball_write_data(t->tw, s->buf, s->len)) != 0)
			tar_fail(t, rc);
		else if (kind == SLOT_ERR)
			rc = seal_read_failed(t->p, t->i, s->rc, &pp->err);
		else if (kind == SLOT_END)
			memcpy(digest, s->digest, DIGEST_SHA256_LEN);
		release(pp); /* s may be reused from here on */
		if (rc != 0 || kind == SLOT_END)
			return rc;
	}
}

/* Returns 1 when the thread could not be started (use the fallback). */
static int
stream_threaded(struct tar_side *t, struct sums *sums, int *result)
{
	struct seal_plan *p = t->p;
	struct pipe *pp;
	pthread_t th;
	int rc = 0, started = 0, n = 0;

	if ((pp = cio_calloc(1, sizeof(*pp))) == NULL)
		return 1;
	pp->p = p;
	pp->mu = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	pp->filled = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
	pp->freed = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
	for (n = 0; n < SEAL_SLOTS; n++)
		if ((pp->s[n].buf = cio_malloc(SEAL_BLOCK)) == NULL)
			goto out;
	/* The thread blocks signals: the CLI's handler must run in a
	 * thread that changes the cleanup lists with signals blocked. */
	started = cio_thread_spawn(&th, producer, pp) == 0;
	if (!started)
		goto out;
	rc = stream_entries(t, sums, consume_file, pp);
	pthread_mutex_lock(&pp->mu);
	pp->stop = 1;
	pthread_cond_broadcast(&pp->freed);
	pthread_mutex_unlock(&pp->mu);
	pthread_join(th, NULL);
	*result = rc;
out:
	pthread_cond_destroy(&pp->filled);
	pthread_cond_destroy(&pp->freed);
	pthread_mutex_destroy(&pp->mu);
	while (n-- > 0)
		free(pp->s[n].buf);
	free(pp);
	return !started;
}

int
seal_stream_entries(
    struct seal_plan *p, struct tarball_writer *tw, struct sums *sums)
{
	struct tar_side t = {p, tw, 0};
	const struct cairn_options *o = cairn_options();
	cpu_set_t cpus;
	int rc = 0, threads;

	/* CPUs this process may run on (affinity, cpusets), not all CPUs */
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		threads = CPU_COUNT(&cpus) > 1;
	else
		threads = sysconf(_SC_NPROCESSORS_ONLN) > 1;

#ifdef CAIRN_TESTING
	/* Fault injection counts calls in one order: stay on one thread,
	 * unless CAIRN_SEAL_THREADS=1 asks for the reader thread (the fault
	 * sweep of the two-thread pipeline, tests/cli/faults.bats). */
	if (o->fault_at > 0)
		threads = 0;
#endif
	if (o->seal_threads == 0 || o->seal_threads == 1)
		threads = o->seal_threads;
	if (threads && p->nfiles > 0 && stream_threaded(&t, sums, &rc) == 0)
		return rc;
	return stream_sequential(&t, sums);
}
