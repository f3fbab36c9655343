/*
 * seal_sniff.c - libmagic and EXIF over two CPUs while planning a seal
 * (see seal_impl.h).  For many small files libmagic is most of sealing's
 * work (docs/performance.md), so the planning thread reads each file's
 * first bytes into one of SNIFF_SLOTS slots and goes on walking; a
 * worker thread with its own libmagic handle types queued slots and, for
 * a JPEG, reads its EXIF block from the same bytes; the planning thread
 * does one itself whenever every slot is busy.  Results go into the
 * manifest on the planning thread only, by entry index, so the manifest
 * is the same whichever thread typed which file.
 *
 * Knows the filetype and meta modules and the plan's manifest; nothing
 * of the filesystem (the caller reads), tar, age or the terminal.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "cairn/meta.h"
#include "filetype.h"
#include "manifest_impl.h"
#include "seal_impl.h"

/* Slots of META_EXIF_WINDOW bytes (4 MiB).  With 4, the worker often
 * idled while the planning thread typed a long text file itself (the
 * other slots done, none refilled): at 10,000 small files the planning
 * thread then used 1740 ms of CPU and the worker 1147; with 16, about
 * 1480 and 1300 (32: no better). */
#define SNIFF_SLOTS 16

enum { S_FREE, S_QUEUED, S_TAKEN, S_DONE };

struct sniff_job {
	uint8_t *buf;      /* META_EXIF_WINDOW bytes */
	size_t len, total; /* bytes typed; held (more for a JPEG) */
	size_t entry;
	int state, rc;
	char mime[FILETYPE_MIME_MAX];
	struct meta_exif exif;
};

struct seal_sniff {
	struct filetype *ft; /* the worker's */
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct sniff_job job[SNIFF_SLOTS];
	int stop;
	int cur; /* the slot handed out by seal_sniff_buffer(), or -1 */
};

/* What seal_plan.c's one-thread sniff() computes, from bytes already
 * read: a damaged EXIF block is read again from all total bytes. */
static void
run_job(struct filetype *ft, struct sniff_job *j)
{
	struct meta_exif *x = &j->exif;

	memset(x, 0, sizeof *x);
	j->rc = filetype_buffer(ft, j->buf, j->len, j->mime, sizeof(j->mime));
	if (j->rc != 0 || strcmp(j->mime, "image/jpeg") != 0)
		return;
	j->rc = meta_exif_read(j->buf, j->len, x);
	if (j->rc == 0 && x->status == META_EXIF_DAMAGED && j->total > j->len)
		j->rc = meta_exif_read(j->buf, j->total, x);
}

/* Under s->mu: take the first queued job (S_TAKEN), or NULL. */
static struct sniff_job *
take_queued(struct seal_sniff *s)
{
	for (int i = 0; i < SNIFF_SLOTS; i++)
		if (s->job[i].state == S_QUEUED) {
			s->job[i].state = S_TAKEN;
			return &s->job[i];
		}
	return NULL;
}

/* Under s->mu: run a taken job with ft, without holding the mutex, and
 * mark it S_DONE. */
static void
run_taken(struct seal_sniff *s, struct filetype *ft, struct sniff_job *j)
{
	pthread_mutex_unlock(&s->mu);
	run_job(ft, j);
	pthread_mutex_lock(&s->mu);
	j->state = S_DONE;
}

static void *
worker(void *arg)
{
	struct seal_sniff *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct sniff_job *j = take_queued(s);

		if (j == NULL) {
			if (s->stop)
				break;
			pthread_cond_wait(&s->work, &s->mu);
			continue;
		}
		run_taken(s, s->ft, j);
		pthread_cond_signal(&s->done);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* 1 when a second thread may type: more than one CPU, not
 * CAIRN_THREADS=1 or CAIRN_SEAL_THREADS=0, and under fault injection
 * only when CAIRN_SEAL_THREADS=1 asks for the threads (as seal_stream.c:
 * the worker's allocations would make the fault order vary). */
static int
seal_sniff_threads(void)
{
	const struct cairn_options *o = cairn_options();

	if (o->seal_threads == 0)
		return 0;
#ifdef CAIRN_TESTING
	if (o->fault_at > 0 && o->seal_threads != 1)
		return 0;
#endif
	return digest_async_threads();
}

int
seal_sniff_new(struct seal_sniff **out)
{
	struct seal_sniff *s;
	int rc;

	*out = NULL;
	if (!seal_sniff_threads())
		return 0; /* one CPU (or asked for one thread): inline */
	if ((s = cio_calloc(1, sizeof(*s))) == NULL)
		return CAIRN_ERR_NOMEM;
	s->cur = -1;
	for (int i = 0; i < SNIFF_SLOTS; i++)
		if ((s->job[i].buf = cio_malloc(META_EXIF_WINDOW)) == NULL) {
			rc = CAIRN_ERR_NOMEM;
			goto fail;
		}
	if ((rc = filetype_open(&s->ft)) != 0)
		goto fail;
	if (pthread_mutex_init(&s->mu, NULL) != 0)
		goto fail0;
	if (pthread_cond_init(&s->work, NULL) != 0)
		goto mu;
	if (pthread_cond_init(&s->done, NULL) != 0)
		goto work;
	rc = cio_thread_spawn(&s->tid, worker, s);
	if (rc == 0) {
		*out = s;
		return 0;
	}
	pthread_cond_destroy(&s->done);
work:
	pthread_cond_destroy(&s->work);
mu:
	pthread_mutex_destroy(&s->mu);
fail0:
	rc = 0; /* no thread: type on the calling thread */
fail:
	filetype_close(s->ft);
	for (int i = 0; i < SNIFF_SLOTS; i++)
		free(s->job[i].buf);
	free(s);
	return rc;
}

/* A finished job's type and EXIF into its entry: 0 or an error, with
 * its reason in the plan. */
static int
record(struct seal_plan *p, const struct sniff_job *j)
{
	struct manifest_entry *e = &p->m->entries[j->entry];
	const char *host = p->items[j->entry].host;
	char *mime;
	int rc = j->rc;

	if (rc == 0 && strcmp(e->mime, j->mime) != 0) {
		if ((mime = cio_strdup(j->mime)) == NULL)
			rc = CAIRN_ERR_NOMEM;
		else {
			free(e->mime);
			e->mime = mime;
		}
	}
	if (rc == 0)
		rc = manifest_set_exif_at(p->m, j->entry, &j->exif);
	if (rc == CAIRN_ERR_NOMEM)
		return seal_fail(p, rc, NULL, "out of memory");
	if (rc != 0)
		return seal_fail(p, rc, host, cairn_strerror(rc));
	return 0;
}

/* Record finished jobs in the manifest (mu held); first error wins. */
static int
collect(struct seal_sniff *s, struct seal_plan *p)
{
	int rc = 0;

	for (int i = 0; i < SNIFF_SLOTS; i++) {
		struct sniff_job *j = &s->job[i];

		if (j->state != S_DONE)
			continue;
		j->state = S_FREE;
		if (rc == 0)
			rc = record(p, j);
	}
	return rc;
}

uint8_t *
seal_sniff_buffer(struct seal_sniff *s, struct seal_plan *p, int *rc)
{
	*rc = 0;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct sniff_job *mine;

		*rc = collect(s, p);
		for (int i = 0; i < SNIFF_SLOTS; i++)
			if (s->job[i].state == S_FREE) {
				s->cur = i;
				pthread_mutex_unlock(&s->mu);
				return *rc == 0 ? s->job[i].buf : NULL;
			}
		if (*rc != 0)
			break;
		/* Every slot busy: type a queued one here, or wait. */
		if ((mine = take_queued(s)) == NULL)
			pthread_cond_wait(&s->done, &s->mu);
		else
			run_taken(s, p->ft, mine);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

void
seal_sniff_submit(struct seal_sniff *s, size_t entry, size_t len, size_t total)
{
	struct sniff_job *j = &s->job[s->cur];

	j->entry = entry;
	j->len = len;
	j->total = total;
	pthread_mutex_lock(&s->mu);
	j->state = S_QUEUED;
	s->cur = -1;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->mu);
}

int
seal_sniff_finish(struct seal_sniff *s, struct seal_plan *p)
{
	int rc = 0, busy;

	pthread_mutex_lock(&s->mu);
	do {
		struct sniff_job *mine = NULL;

		busy = 0;
		for (int i = 0; i < SNIFF_SLOTS; i++) {
			if (s->job[i].state == S_QUEUED && mine == NULL)
				mine = &s->job[i];
			busy |= s->job[i].state == S_QUEUED ||
			    s->job[i].state == S_TAKEN;
		}
		if (mine != NULL) {
			mine->state = S_TAKEN;
			pthread_mutex_unlock(&s->mu);
			run_job(p->ft, mine);
			pthread_mutex_lock(&s->mu);
			mine->state = S_DONE;
		} else if (busy) {
			pthread_cond_wait(&s->done, &s->mu);
		}
		if (rc == 0)
			rc = collect(s, p);
		else
			(void)collect(s, p);
	} while (busy);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

void
seal_sniff_free(struct seal_sniff *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	for (int i = 0; i < SNIFF_SLOTS; i++)
		if (s->job[i].state == S_QUEUED)
			s->job[i].state = S_FREE; /* not typed: dropped */
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->tid, NULL);
	pthread_cond_destroy(&s->done);
	pthread_cond_destroy(&s->work);
	pthread_mutex_destroy(&s->mu);
	filetype_close(s->ft);
	for (int i = 0; i < SNIFF_SLOTS; i++)
		free(s->job[i].buf);
	free(s);
}
