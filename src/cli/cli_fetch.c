/*
 * cli_fetch.c - pull's download thread and the source that reads the
 * .part file behind it (see cli_fetch.h).  The thread appends what
 * libcurl delivers and then advances avail under the mutex; the reader
 * reads only below avail, with pread, so it never sees a byte before it
 * is in the file, and sees the end only when the download succeeded.
 *
 * Knows remote.h and cli_progress.h; prints nothing (the caller reports).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/remote.h"
#include "cli_fetch.h"
#include "cli_progress.h"

#define FETCH_TRIES    5          /* network failures tried again 4 times */
#define FETCH_PROGRESS (1u << 20) /* redraw after this much when idle */

/* The download's sink: append, then let the reader have the bytes. */
static int
fetch_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct cli_fetch *f = ctx;
	int rc = cio_fd_write(&f->fd, buf, len);

	if (rc != 0)
		return rc;
	f->got += len;
	/* start the disk writes now, so that the fsync at the end (before
	 * the archive is published) has little left to wait for */
	cio_writeback(f->fd, &f->wb, len);
	pthread_mutex_lock(&f->mu);
	f->avail = f->got;
	if (f->avail >= f->want)
		pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return 0;
}

static void *
fetch_main(void *p)
{
	struct cli_fetch *f = p;
	struct cio_sink sink = {fetch_write, f};
	int rc = 0;

	for (unsigned tries = 1; f->got < f->o->size; tries++) {
		rc = remote_get(f->r, f->o->name, f->got, &sink, NULL, NULL);
		if (rc == 0 || rc != CAIRN_ERR_REMOTE ||
		    remote_fail(f->r) != HTTP_FAIL_NETWORK ||
		    tries >= FETCH_TRIES)
			break;
	}
	if (rc == 0 && f->got != f->o->size)
		rc = CAIRN_ERR_PAYLOAD;
	pthread_mutex_lock(&f->mu);
	f->rc = rc;
	f->done = 1;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	/* the reader may finish its checks meanwhile */
	if (rc == 0 && fsync(f->fd) != 0)
		f->sync_rc = CAIRN_ERR_IO;
	return NULL;
}

/* Wait until avail reaches want or the download ended; returns avail,
 * with *done and *rc as the download left them. */
static uint64_t
fetch_wait(struct cli_fetch *f, uint64_t want, int *done, int *rc)
{
	uint64_t have;

	pthread_mutex_lock(&f->mu);
	f->want = want;
	while (!f->done && f->avail < want)
		pthread_cond_wait(&f->cv, &f->mu);
	have = f->avail;
	*done = f->done;
	*rc = f->rc;
	pthread_mutex_unlock(&f->mu);
	cli_progress_set(f->pg, have);
	return have;
}

static ssize_t
fetch_read(void *ctx, uint8_t *buf, size_t len)
{
	struct cli_fetch *f = ctx;
	uint64_t have;
	ssize_t got;
	int done, rc;

	if (len == 0)
		return 0;
	have = fetch_wait(f, f->off + len, &done, &rc);
	if (have <= f->off) {
		if (done && rc == 0 && f->off == f->o->size)
			return 0;
		return rc != 0 ? rc : CAIRN_ERR_PAYLOAD;
	}
	if (have - f->off < len)
		len = (size_t)(have - f->off);
	do
		got = pread(f->fd, buf, len, (off_t)f->off);
	while (got < 0 && errno == EINTR);
	if (got <= 0)
		return CAIRN_ERR_IO;
	f->off += (uint64_t)got;
	return got;
}

int
cli_fetch_start(struct cli_fetch *f, struct remote *r,
    const struct remote_object *o, int fd, uint64_t have,
    struct cli_progress *pg)
{
	memset(f, 0, sizeof(*f));
	f->r = r;
	f->o = o;
	f->fd = fd;
	f->got = f->avail = have;
	f->wb.written = f->wb.started = have;
	f->pg = pg;
	f->src = (struct cio_source){.read = fetch_read, .ctx = f};
	if (pthread_mutex_init(&f->mu, NULL) != 0)
		return CAIRN_ERR_NOMEM;
	if (pthread_cond_init(&f->cv, NULL) != 0) {
		pthread_mutex_destroy(&f->mu);
		return CAIRN_ERR_NOMEM;
	}
	cli_progress_set(pg, have);
	/* Signals stay with this thread, which defers them around the
	 * cleanup lists (cli_signals_defer()). */
	if (cio_thread_spawn(&f->th, fetch_main, f) == 0)
		f->threaded = 1;
	else /* no thread: download first, the reader then finds it all */
		fetch_main(f);
	return 0;
}

int
cli_fetch_finish(struct cli_fetch *f)
{
	uint64_t have = 0;
	int done = 0, rc = 0;

	while (!done) /* the reader may have stopped early */
		have = fetch_wait(f, have + FETCH_PROGRESS, &done, &rc);
	if (f->threaded)
		pthread_join(f->th, NULL);
	f->threaded = 0;
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	return rc != 0 ? rc : f->sync_rc;
}
