/*
 * extract_impl.h - internals shared by extract.c and extract_rm.c; not
 * public API.
 */
#ifndef CAIRN_EXTRACT_IMPL_H
#define CAIRN_EXTRACT_IMPL_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "cairn/cio.h"

struct xwriter;

#define X_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/*
 * Remove everything below the directory rootfd (borrowed, not closed),
 * then rmdir parentfd/name if that name is still the directory dev/ino.
 * Never opens the tree by name nor climbs "..".  Uses only
 * async-signal-safe system calls (openat, getdents64, unlinkat,
 * renameat, fchmodat, fstatat, close) and no memory allocation.  Best
 * effort: what cannot be removed stays.
 */
void extract_rm_tree(
    int parentfd, const char *name, int rootfd, uint64_t dev, uint64_t ino);

/* Where a queued file's finish fails on purpose (fault injection,
 * decided by the caller before queueing). */
enum x_step { X_STEP_NONE, X_STEP_WRITE, X_STEP_MODE, X_STEP_TIMES };

/* A created file whose bytes, mode and times are still to be set; owns
 * fd, data (malloc'd, len bytes) and path (malloc'd, for messages). */
struct xfile {
	int fd;
	uint8_t *data;
	size_t len, cap;
	mode_t mode;
	int64_t mtime;
	enum x_step fail;
	char *path;
};

/* fchmod() that succeeds where the file system cannot store modes at
 * all (fusefat: ENOSYS), so that open -C works on a FAT stick. */
int x_fchmod(int fd, mode_t mode);

/* Both times of ts set to mtime (whole seconds), for futimens(). */
void x_set_times(struct timespec ts[2], int64_t mtime);
/* Write f's bytes, set its mode and times, close it (f->fd is -1 after).
 * Returns 0 or CAIRN_ERR_IO (errno kept). */
int xfile_finish(struct xfile *f);
/* Close f's descriptor (if open) and free what it owns. */
void xfile_release(struct xfile *f);

/* Start the worker: 0 with *out set, or with *out NULL when there is one
 * CPU or no thread could be started (then finish files in place);
 * CAIRN_ERR_NOMEM. */
int xwriter_new(struct xwriter **out);
/* Queue f (taken over: f is emptied, even on error).  May wait for
 * room.  Returns 0 or the first failure of an earlier file (errno set
 * as that failure left it). */
int xwriter_put(struct xwriter *w, struct xfile *f);
/* The first failure so far (errno set), without waiting; 0 if none. */
int xwriter_failed(struct xwriter *w);
/* Wait until every queued file is finished; returns xwriter_failed(). */
int xwriter_drain(struct xwriter *w);
/* Finish nothing more: queued files are closed unwritten; waits. */
void xwriter_cancel(struct xwriter *w);
/* The entry name of the first failure, or NULL (owned by w). */
const char *xwriter_failed_path(const struct xwriter *w);
/* Cancel, stop the worker and free w (NULL is fine). */
void xwriter_free(struct xwriter *w);

struct xdir {
	char *path;
	unsigned int mode;
	int64_t mtime;
};

/* An extraction in progress (extract.h); shared by extract.c (entries)
 * and extract_stage.c (the staging directory's life). */
struct extract {
	int parentfd, stagefd, filefd;
	char *dest_name, *stage_name, *stage_path;
	uint64_t stage_dev, stage_ino; /* what stagefd is: checked by name */
	mode_t umask;
	int armed, done;
	int parent_unsafe; /* see extract_parent_unsafe() */
	/* the file being written */
	unsigned int file_mode;
	int64_t file_mtime;
	struct cio_writeback file_wb; /* so that syncfs() waits less */
	/* extract_async(): small files are finished on a worker */
	struct xwriter *w;
	struct xfile small; /* the file being buffered (its fd: filefd) */
	int buffering;
	/* cached parent directory of the last entry */
	char *cur_dir;
	int cur_fd;
	struct xdir *dirs;
	size_t ndirs, capdirs;
};

/* The fault-injection seam (cio_fault_hit) for one system call: 1, with
 * errno EIO, when the test build was told to fail it. */
int x_fault(void);
#ifdef CAIRN_TESTING
/* Test builds, CAIRN_TEST_AT=POINT[:N]: swap the staging directory for
 * one of another user's (see extract_stage.c). */
void x_test_swap(struct extract *x, const char *point);
#else
#define x_test_swap(x, point) ((void)0)
#endif
/* Apply the directory entries' modes and times, deepest first: 0 or an
 * error as extract_commit() returns. */
int x_apply_dirs(struct extract *x);

#endif
