/*
 * cli_fetch.h - pull's download on a second thread, read back while it
 * grows: the object is appended to an open .part file by a download
 * thread (retrying network failures from where the file ends), and the
 * caller reads the file from its start through a source that waits for
 * the bytes still to come, so that verifying an archive overlaps its
 * download.  The source ends (read returns 0) only once the whole object
 * arrived, with exactly the object's size; a failed download makes it
 * return an error instead.  Whether the archive may be published is the
 * caller's decision, after cli_fetch_finish().
 *
 * Knows remote.h, cio sources and cli_progress.h; nothing of archives.
 */
#ifndef CAIRN_CLI_FETCH_H
#define CAIRN_CLI_FETCH_H

#include <pthread.h>
#include <stdint.h>

#include "cairn/cio.h"
#include "cairn/remote.h"
#include "cli_progress.h"

struct cli_fetch {
	struct cio_source src; /* the file as it grows, from offset 0 */
	/* the download thread's own */
	struct remote *r;
	const struct remote_object *o;
	int fd;       /* the .part file, open for reading and appending */
	uint64_t got; /* bytes in the file (the thread's count) */
	struct cio_writeback wb; /* early writeback (cio_writeback()) */
	int sync_rc;             /* fsync's result, read after the join */
	/* shared, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t avail; /* bytes the reader may read */
	uint64_t want;  /* wake the reader once avail reaches this */
	int done;       /* the download ended; rc is its result */
	int rc;
	/* the reader's own */
	uint64_t off;
	struct cli_progress *pg; /* download progress (may be off) */
	pthread_t th;
	int threaded; /* th runs (else the download ran in start) */
};

/*
 * Start downloading o from r into fd (open O_RDWR|O_APPEND, holding
 * have bytes already: a resumed download), reporting progress to pg on
 * the calling thread.  Without a second thread the download runs here,
 * before it returns.  Returns 0 or CAIRN_ERR_NOMEM (nothing started).
 * f->src is then valid until cli_fetch_finish().
 */
int cli_fetch_start(struct cli_fetch *f, struct remote *r,
    const struct remote_object *o, int fd, uint64_t have,
    struct cli_progress *pg);

/*
 * Wait for the download to end (the reader may have stopped early) and
 * join it.  Returns 0 when the whole object is in fd, exactly o->size
 * bytes, flushed to disk; else CAIRN_ERR_REMOTE (see remote_fail),
 * CAIRN_ERR_PAYLOAD (other size), CAIRN_ERR_IO or the sink's error.
 */
int cli_fetch_finish(struct cli_fetch *f);

#endif
