/*
 * extract_writer.c - the second half of creating a small file, on a
 * worker thread: write its bytes, set its mode and times, close it.
 * extract.c creates each file itself (openat with O_EXCL, on the calling
 * thread, so that a name is refused where it is met) and hands the open
 * descriptor and the file's bytes over here; for many small files the
 * kernel's work is then spread over two cores.
 *
 * Every fault-injection point is decided by the caller before a job is
 * queued (x_step), so the points are hit in the same order on every run.
 * The worker only makes system calls on descriptors it was given; it
 * never creates or removes a name, so the signal cleanup of the staging
 * directory (on the calling thread) cannot race a new entry.
 *
 * Knows nothing of tar, age, manifests or digests.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "extract_impl.h"

/* Jobs and bytes in flight before xwriter_put() waits. */
#define XW_JOBS  64
#define XW_BYTES (8u * 1024 * 1024)

struct xjob {
	struct xjob *next;
	struct xfile f;
};

struct xwriter {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t work, room;
	struct xjob *head, *tail; /* queued, oldest first */
	size_t njobs, nbytes;     /* queued or being written */
	int stop, cancel;
	/* the first failure: its error, errno and entry name */
	int err, err_errno;
	char *err_path;
};

void
xfile_release(struct xfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->data);
	free(f->path);
	f->data = NULL;
	f->path = NULL;
}

int
x_fchmod(int fd, mode_t mode)
{
	if (fchmod(fd, mode) == 0 || errno == ENOSYS || errno == EOPNOTSUPP)
		return 0;
	return -1;
}

void
x_set_times(struct timespec ts[2], int64_t mtime)
{
	ts[0].tv_sec = ts[1].tv_sec = (time_t)mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
}

int
xfile_finish(struct xfile *f)
{
	struct timespec ts[2];
	const uint8_t *p = f->data;
	size_t left = f->len;
	int rc = 0;

	x_set_times(ts, f->mtime);
	while (rc == 0 && left > 0) {
		ssize_t w;

		if (f->fail == X_STEP_WRITE) {
			errno = EIO;
			rc = CAIRN_ERR_IO;
			break;
		}
		if ((w = write(f->fd, p, left)) < 0) {
			if (errno != EINTR)
				rc = CAIRN_ERR_IO;
			continue;
		}
		p += w;
		left -= (size_t)w;
	}
	if (rc == 0 &&
	    (f->fail == X_STEP_MODE || x_fchmod(f->fd, f->mode) != 0 ||
	        f->fail == X_STEP_TIMES || futimens(f->fd, ts) != 0)) {
		if (f->fail == X_STEP_MODE || f->fail == X_STEP_TIMES)
			errno = EIO;
		rc = CAIRN_ERR_IO;
	}
	if (close(f->fd) != 0 && rc == 0)
		rc = CAIRN_ERR_IO;
	f->fd = -1;
	return rc;
}

static void *
worker(void *arg)
{
	struct xwriter *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct xjob *j;
		int rc, e, failed;

		while (w->head == NULL && !w->stop)
			pthread_cond_wait(&w->work, &w->mu);
		if ((j = w->head) == NULL)
			break;
		if ((w->head = j->next) == NULL)
			w->tail = NULL;
		failed = w->err != 0 || w->cancel;
		pthread_mutex_unlock(&w->mu);
		/* After a failure the extraction is abandoned: only close. */
		rc = failed ? 0 : xfile_finish(&j->f);
		e = errno;
		pthread_mutex_lock(&w->mu);
		if (rc != 0 && w->err == 0) {
			w->err = rc;
			w->err_errno = e;
			w->err_path = j->f.path;
			j->f.path = NULL;
		}
		w->njobs--;
		w->nbytes -= j->f.len;
		xfile_release(&j->f);
		free(j);
		pthread_cond_broadcast(&w->room);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
xwriter_new(struct xwriter **out)
{
	struct xwriter *w;

	*out = NULL;
	if (!digest_async_threads())
		return 0;
	if ((w = cio_calloc(1, sizeof(*w))) == NULL)
		return CAIRN_ERR_NOMEM;
	if (pthread_mutex_init(&w->mu, NULL) != 0)
		goto free;
	if (pthread_cond_init(&w->work, NULL) != 0)
		goto mu;
	if (pthread_cond_init(&w->room, NULL) != 0)
		goto work;
	if (cio_thread_spawn(&w->tid, worker, w) != 0)
		goto room;
	*out = w;
	return 0;
room:
	pthread_cond_destroy(&w->room);
work:
	pthread_cond_destroy(&w->work);
mu:
	pthread_mutex_destroy(&w->mu);
free:
	free(w);
	return 0; /* no worker: the caller writes on its own thread */
}

/* The first failure, with its errno restored; 0 when none.  Under mu. */
static int
failure(const struct xwriter *w)
{
	if (w->err != 0)
		errno = w->err_errno;
	return w->err;
}

int
xwriter_put(struct xwriter *w, struct xfile *f)
{
	struct xjob *j = cio_malloc(sizeof(*j));
	int rc;

	if (j == NULL) {
		xfile_release(f);
		return CAIRN_ERR_NOMEM;
	}
	j->next = NULL;
	j->f = *f;
	f->fd = -1;
	f->data = NULL;
	f->path = NULL;
	pthread_mutex_lock(&w->mu);
	while (w->err == 0 && w->njobs > 0 &&
	    (w->njobs >= XW_JOBS || w->nbytes + j->f.len > XW_BYTES))
		pthread_cond_wait(&w->room, &w->mu);
	if (w->tail != NULL)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->njobs++;
	w->nbytes += j->f.len;
	pthread_cond_signal(&w->work);
	rc = failure(w);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

int
xwriter_failed(struct xwriter *w)
{
	int rc;

	pthread_mutex_lock(&w->mu);
	rc = failure(w);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

int
xwriter_drain(struct xwriter *w)
{
	int rc;

	pthread_mutex_lock(&w->mu);
	while (w->njobs > 0)
		pthread_cond_wait(&w->room, &w->mu);
	rc = failure(w);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

void
xwriter_cancel(struct xwriter *w)
{
	pthread_mutex_lock(&w->mu);
	w->cancel = 1;
	while (w->njobs > 0)
		pthread_cond_wait(&w->room, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

const char *
xwriter_failed_path(const struct xwriter *w)
{
	return w != NULL ? w->err_path : NULL;
}

void
xwriter_free(struct xwriter *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = w->cancel = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->tid, NULL);
	pthread_cond_destroy(&w->room);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->mu);
	free(w->err_path);
	free(w);
}
