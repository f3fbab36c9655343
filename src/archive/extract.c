/*
 * extract.c - the entries of an archive being opened: walking to an
 * entry's parent (creating missing parents), creating directories and
 * files with O_EXCL inside the staging directory, and buffering small
 * files for the writer thread (extract_writer.c).  The staging
 * directory's life (begin, commit, abort, the signal cleanup) is in
 * extract_stage.c; see extract.h for the rules.
 *
 * Knows the filesystem and the entry-name rules (tarball_path_syntax, a
 * pure function); nothing of tar streams, age, manifests or digests.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/extract.h"
#include "extract_impl.h"
#include "tarball.h"

/* Files up to this size are kept in memory and finished on the worker
 * after extract_async(); larger ones are written in place. */
#define X_SMALL_MAX (256u * 1024)

/* ---- walking --------------------------------------------------------------- */

/* Map an errno from creating or walking a name to our error. */
static int
x_errno(void)
{
	switch (errno) {
	case EEXIST:
	case ELOOP:
	case ENOTDIR:
	case EISDIR: return CAIRN_ERR_UNSAFE;
	case ENOMEM: return CAIRN_ERR_NOMEM;
	default: return CAIRN_ERR_IO;
	}
}

/*
 * An fd for the directory holding path's last component (borrowed: do
 * not close), creating missing parents; *leaf points into path.
 */
static int
x_parent(struct extract *x, const char *path, int *pfd, const char **leaf)
{
	const char *slash = strrchr(path, '/'), *p, *e;
	char comp[NAME_MAX + 1];
	size_t dlen;
	int fd, next;

	if (slash == NULL) {
		*pfd = x->stagefd;
		*leaf = path;
		return 0;
	}
	*leaf = slash + 1;
	dlen = (size_t)(slash - path);
	if (x->cur_dir != NULL && strlen(x->cur_dir) == dlen &&
	    memcmp(x->cur_dir, path, dlen) == 0) {
		*pfd = x->cur_fd;
		return 0;
	}
	if (x->cur_fd >= 0)
		close(x->cur_fd);
	free(x->cur_dir);
	x->cur_fd = -1;
	if ((x->cur_dir = cio_malloc(dlen + 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(x->cur_dir, path, dlen);
	x->cur_dir[dlen] = '\0';
	fd = x->stagefd;
	for (p = path; p < slash; p = e + 1) {
		e = memchr(p, '/', (size_t)(slash - p) + 1);
		if ((size_t)(e - p) > NAME_MAX)
			goto fail;
		memcpy(comp, p, (size_t)(e - p));
		comp[e - p] = '\0';
		next = x_fault() ? -1 : openat(fd, comp, X_DIR_FLAGS);
		if (next < 0 && errno == ENOENT && !x_fault() &&
		    (mkdirat(fd, comp, 0755) == 0 || errno == EEXIST))
			next = openat(fd, comp, X_DIR_FLAGS);
		if (fd != x->stagefd)
			close(fd);
		if (next < 0)
			goto fail;
		fd = next;
	}
	x->cur_fd = fd;
	*pfd = fd;
	return 0;
fail:
	free(x->cur_dir);
	x->cur_dir = NULL;
	return x_errno();
}

static int
x_check(struct extract *x, const char *path)
{
	int rc;

	if (x->done || x->stagefd < 0 || x->filefd >= 0)
		return CAIRN_ERR_INVAL;
	if (x->w != NULL && (rc = xwriter_failed(x->w)) != 0)
		return rc;
	return tarball_path_syntax(path, NULL) == 0 ? 0 : CAIRN_ERR_UNSAFE;
}

/* ---- entries --------------------------------------------------------------- */

int
extract_dir(
    struct extract *x, const char *path, unsigned int mode, int64_t mtime)
{
	const char *leaf;
	struct stat st;
	struct xdir *d;
	int pfd, rc;

	if ((rc = x_check(x, path)) != 0 ||
	    (rc = x_parent(x, path, &pfd, &leaf)) != 0)
		return rc;
	if (cio_fault_hit())
		return CAIRN_ERR_IO;
	if (mkdirat(pfd, leaf, 0700) != 0) {
		/* Accepted only when a parent of an earlier entry made it. */
		if (errno != EEXIST ||
		    fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode))
			return errno == EEXIST ? CAIRN_ERR_EXISTS : x_errno();
	}
	if (x->ndirs == x->capdirs) {
		size_t cap = x->capdirs ? x->capdirs * 2 : 64;

		if ((d = cio_realloc(x->dirs, cap * sizeof(*d))) == NULL)
			return CAIRN_ERR_NOMEM;
		x->dirs = d;
		x->capdirs = cap;
	}
	d = &x->dirs[x->ndirs];
	if ((d->path = cio_strdup(path)) == NULL)
		return CAIRN_ERR_NOMEM;
	d->mode = mode;
	d->mtime = mtime;
	x->ndirs++;
	return 0;
}

int
extract_file_begin(
    struct extract *x, const char *path, unsigned int mode, int64_t mtime)
{
	const char *leaf;
	int pfd, rc;

	if ((rc = x_check(x, path)) != 0 ||
	    (rc = x_parent(x, path, &pfd, &leaf)) != 0)
		return rc;
	x_test_swap(x, "extract-file");
	cio_test_signal("extract-file");
	if (cio_fault_hit())
		return CAIRN_ERR_IO;
	x->filefd = openat(pfd, leaf,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (x->filefd < 0)
		return errno == EEXIST ? CAIRN_ERR_EXISTS : x_errno();
	x->file_mode = mode;
	x->file_mtime = mtime;
	x->file_wb.written = x->file_wb.started = 0;
	if (x->w != NULL) {
		x->small.len = 0;
		if ((x->small.path = cio_strdup(path)) == NULL)
			return CAIRN_ERR_NOMEM;
		x->buffering = 1;
	}
	return 0;
}

/* Keep len more bytes of the small file being buffered. */
static int
buffer_add(struct extract *x, const uint8_t *buf, size_t len)
{
	struct xfile *f = &x->small;

	if (f->len + len > f->cap) {
		size_t cap = f->cap < 16384 ? 16384 : f->cap * 2;
		uint8_t *d;

		if (cap < f->len + len)
			cap = f->len + len;
		if (cap > X_SMALL_MAX)
			cap = X_SMALL_MAX;
		if ((d = cio_realloc(f->data, cap)) == NULL)
			return CAIRN_ERR_NOMEM;
		f->data = d;
		f->cap = cap;
	}
	memcpy(f->data + f->len, buf, len);
	f->len += len;
	return 0;
}

/* The file outgrew X_SMALL_MAX: write what was kept, go on in place. */
static int
unbuffer(struct extract *x)
{
	struct xfile *f = &x->small;
	int rc = 0;

	x->buffering = 0;
	if (f->len > 0 && (rc = cio_fd_write(&x->filefd, f->data, f->len)) == 0)
		cio_writeback(x->filefd, &x->file_wb, f->len);
	xfile_release(f);
	f->cap = f->len = 0;
	return rc;
}

int
extract_file_write(struct extract *x, const uint8_t *buf, size_t len)
{
	int rc;

	if (x->filefd < 0)
		return CAIRN_ERR_INVAL;
	if (x->buffering) {
		if (len <= X_SMALL_MAX - x->small.len)
			return buffer_add(x, buf, len);
		if ((rc = unbuffer(x)) != 0)
			return rc;
	}
	if ((rc = cio_fd_write(&x->filefd, buf, len)) == 0)
		cio_writeback(x->filefd, &x->file_wb, len);
	return rc;
}

/* Finish the file being written: hand it to the worker when it was
 * buffered, else here.  Either way the fault points that finishing it
 * hits are decided here, in the same order. */
int
extract_file_end(struct extract *x)
{
	struct xfile *f = &x->small;

	if (x->filefd < 0)
		return CAIRN_ERR_INVAL;
	f->fail = X_STEP_NONE;
	if (f->len > 0 && x_fault())
		f->fail = X_STEP_WRITE;
	else if (x_fault())
		f->fail = X_STEP_MODE;
	else if (x_fault())
		f->fail = X_STEP_TIMES;
	f->fd = x->filefd;
	f->mode = (0600 | (x->file_mode & 0044)) & ~x->umask;
	f->mtime = x->file_mtime;
	x->filefd = -1;
	if (!x->buffering)
		return xfile_finish(f); /* nothing kept: no bytes to write */
	x->buffering = 0;
	f->cap = 0;
	return xwriter_put(x->w, f);
}

/* ---- commit / abort ---------------------------------------------------------- */

int
x_apply_dirs(struct extract *x)
{
	struct timespec ts[2];
	const char *leaf;
	int pfd, fd, rc;

	for (size_t i = x->ndirs; i-- > 0;) {
		const struct xdir *d = &x->dirs[i];

		if ((rc = x_parent(x, d->path, &pfd, &leaf)) != 0)
			return rc;
		if (x_fault() || (fd = openat(pfd, leaf, X_DIR_FLAGS)) < 0)
			return x_errno();
		x_set_times(ts, d->mtime);
		rc = x_fault() ||
		    x_fchmod(fd, (0700 | (d->mode & 0055)) & ~x->umask) != 0 ||
		    x_fault() || futimens(fd, ts) != 0;
		close(fd);
		if (rc)
			return CAIRN_ERR_IO;
	}
	return 0;
}
