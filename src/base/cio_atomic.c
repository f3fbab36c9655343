/*
 * cio_atomic.c - atomic output files (see cio.h): a temp file beside the
 * target (O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC), writeback while writing,
 * fsync, a no-replace publish, fsync of the directory, and removal of
 * every pending temp file on a signal.
 *
 * Knows nothing of age, tar, JSON or the terminal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"

/* ---- atomic output ----------------------------------------------------- */

/*
 * Pending temp files, for cleanup from a signal handler: a linked list
 * with no limit (a fixed table silently dropped the 9th file, which then
 * survived a signal).  It is changed only with signals blocked, and every
 * thread cairn starts blocks them, so the handler never sees it half
 * changed.
 */
struct cio_pending {
	struct cio_pending *volatile next;
	const char *tmp;
};
static struct cio_pending *volatile pending_head;

static void
block_all(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, old);
}

/* Link node (holding a->tmp) in front; signals are blocked by the caller. */
static void
pending_add(struct cio_atomic *a, struct cio_pending *node)
{
	node->tmp = a->tmp;
	node->next = pending_head;
	pending_head = node;
	a->pend = node;
}

static void
pending_del(struct cio_atomic *a)
{
	struct cio_pending *volatile *pp;
	sigset_t old;

	if (a->pend == NULL)
		return;
	block_all(&old);
	for (pp = &pending_head; *pp != NULL; pp = &(*pp)->next)
		if (*pp == a->pend) {
			*pp = a->pend->next;
			break;
		}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	free(a->pend);
	a->pend = NULL;
}

void
cio_atomic_abort_all_signal_safe(void)
{
	for (struct cio_pending *p = pending_head; p != NULL; p = p->next)
		(void)unlink(p->tmp);
}

/* cio_fault_hit() that also sets errno, for paths reported with errno. */
static int
fault_eio(void)
{
	if (!cio_fault_hit())
		return 0;
	errno = EIO;
	return 1;
}

static char *
dir_of(const char *path)
{
	char *copy = cio_strdup(path), *d, *res;

	if (copy == NULL)
		return NULL;
	d = dirname(copy);
	res = cio_strdup(d);
	free(copy);
	return res;
}

int
cio_atomic_open(struct cio_atomic *a, const char *path, mode_t mode, int force)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	char *copy = NULL, *dir = NULL, *base;
	struct cio_pending *node = NULL;
	struct stat st;
	sigset_t old;
	size_t n;
	int rc = CAIRN_ERR_NOMEM;

	a->fd = -1;
	a->force = force;
	a->published = 0;
	a->wb.written = a->wb.started = 0;
	a->path = a->tmp = NULL;
	a->pend = NULL;
	if (lstat(path, &st) == 0) {
		if (!force)
			return CAIRN_ERR_EXISTS;
		if (!S_ISREG(st.st_mode))
			return CAIRN_ERR_INVAL;
	}
	if ((a->path = cio_strdup(path)) == NULL ||
	    (copy = cio_strdup(path)) == NULL || (dir = dir_of(path)) == NULL ||
	    (node = cio_malloc(sizeof(*node))) == NULL)
		goto out;
	base = basename(copy);
	n = strlen(dir) + strlen(base) + 16;
	if ((a->tmp = cio_malloc(n)) == NULL)
		goto out;
	for (int tries = 0; tries < 100; tries++) {
		char rnd[7];

		for (int i = 0; i < 6; i++)
			rnd[i] = abc[randombytes_uniform(sizeof(abc) - 1)];
		rnd[6] = '\0';
		snprintf(a->tmp, n, "%s/.%s.%s", dir, base, rnd);
		if (cio_fault_hit()) {
			errno = EIO;
			rc = CAIRN_ERR_IO;
			goto out;
		}
		/* Created and listed with signals blocked: a signal either
		 * finds the file listed or finds no file. */
		block_all(&old);
		a->fd = open(a->tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (a->fd >= 0)
			pending_add(a, node);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (a->fd >= 0 || errno != EEXIST)
			break;
	}
	if (a->fd < 0) {
		rc = CAIRN_ERR_IO;
		goto out;
	}
	node = NULL;
	rc = 0;
out:
	free(copy);
	free(dir);
	free(node);
	if (rc != 0) {
		free(a->path);
		free(a->tmp);
		a->path = a->tmp = NULL;
	}
	return rc;
}

void
cio_writeback(int fd, struct cio_writeback *wb, size_t n)
{
	wb->written += n;
	if (wb->written - wb->started < CIO_WRITEBACK_STEP)
		return;
#ifdef SYNC_FILE_RANGE_WRITE
	(void)sync_file_range(fd, (off_t)wb->started,
	    (off_t)(wb->written - wb->started), SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
#endif
	wb->started = wb->written;
}

/* 1 when the directory name (in dfd) holds any entry besides . and .. */
static int
dir_has_entries(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (r == 0 && (e = readdir(d)) != NULL)
		r = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return r;
}

/* Claim newpath with an empty placeholder of old's kind (a directory
 * for a directory, else a file), then rename old over it.  Signals are
 * blocked meanwhile, so that an interruption never leaves the
 * placeholder behind; a crash can (see cio.h). */
static int
rename_over_placeholder(
    int odfd, const char *old, int ndfd, const char *newpath)
{
	struct stat st;
	sigset_t all, saved;
	int fd, rc = CAIRN_ERR_IO, e = 0, flags, gone = 0, full;

	if (fstatat(odfd, old, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return CAIRN_ERR_IO;
	flags = S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0;
	full = flags != 0 && dir_has_entries(odfd, old);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &saved);
	if (flags != 0)
		fd = mkdirat(ndfd, newpath, 0700);
	else if ((fd = openat(ndfd, newpath,
	              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	              0600)) >= 0)
		fd = close(fd);
	if (fd != 0) {
		e = errno;
		rc = e == EEXIST ? CAIRN_ERR_EXISTS : CAIRN_ERR_IO;
		goto out;
	}
	rc = renameat(odfd, old, ndfd, newpath);
	/* fusefat cannot rename over a directory (EPERM): remove the
	 * placeholder and rename into the gap it leaves. */
	if (rc != 0 && errno == EPERM && unlinkat(ndfd, newpath, flags) == 0) {
		gone = 1;
		rc = renameat(odfd, old, ndfd, newpath);
	}
	if (rc != 0) {
		e = errno;
		rc = CAIRN_ERR_IO;
		if (!gone)
			(void)unlinkat(ndfd, newpath, flags);
	} else if (full && !dir_has_entries(ndfd, newpath)) {
		/* fusefat 0.1a empties a directory it renames: never
		 * report such a move as done. */
		(void)unlinkat(ndfd, newpath, flags);
		e = EIO;
		rc = CAIRN_ERR_IO;
	}
out:
	sigprocmask(SIG_SETMASK, &saved, NULL);
	errno = e;
	return rc;
}

int
cio_rename_noreplace(int odfd, const char *old, int ndfd, const char *newpath)
{
	if (renameat2(odfd, old, ndfd, newpath, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST)
		return CAIRN_ERR_EXISTS;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return CAIRN_ERR_IO;
	return rename_over_placeholder(odfd, old, ndfd, newpath);
}

int
cio_atomic_commit(struct cio_atomic *a)
{
	int rc = CAIRN_ERR_IO, dfd = -1;
	char *d;

	if (a->tmp == NULL)
		return CAIRN_ERR_INVAL;
	/* Whatever can fail for want of memory or of the directory happens
	 * before the file is published, so that an error leaves nothing at
	 * a->path (but see the directory fsync below). */
	if ((d = dir_of(a->path)) == NULL) {
		rc = CAIRN_ERR_NOMEM;
		goto out;
	}
	dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(d);
	if (dfd < 0)
		goto out;
	if (fault_eio() || fsync(a->fd) != 0)
		goto out;
	if (close(a->fd) != 0) {
		a->fd = -1;
		goto out;
	}
	a->fd = -1;
	if (fault_eio())
		goto out;
	if (a->force) {
		if (rename(a->tmp, a->path) != 0)
			goto out;
	} else {
		/* link() fails with EEXIST rather than replacing a file that
		 * appeared since cio_atomic_open().  FAT and exFAT have no
		 * hard links (EPERM): fall back to cio_rename_noreplace(). */
		if (link(a->tmp, a->path) == 0)
			(void)unlink(a->tmp);
		else if (errno == EEXIST) {
			rc = CAIRN_ERR_EXISTS;
			goto out;
		} else if (errno != EPERM && errno != EOPNOTSUPP &&
		    errno != ENOSYS && errno != EMLINK)
			goto out;
		else if ((rc = cio_rename_noreplace(
		              AT_FDCWD, a->tmp, AT_FDCWD, a->path)) != 0)
			goto out;
	}
	pending_del(a);
	free(a->tmp);
	a->tmp = NULL;
	a->published = 1;
	rc = 0;
	if (fault_eio() || fsync(dfd) != 0) {
		int e = errno;

		/* Without force the file at a->path is ours since link():
		 * take it back, so that an error leaves nothing there. */
		if (!a->force) {
			(void)unlink(a->path);
			a->published = 0;
		}
		rc = CAIRN_ERR_IO;
		errno = e;
	}
	close(dfd);
	free(a->path);
	a->path = NULL;
	return rc;
out:
	if (dfd >= 0)
		close(dfd);
	cio_atomic_abort(a);
	return rc;
}

void
cio_atomic_abort(struct cio_atomic *a)
{
	if (a->fd >= 0) {
		close(a->fd);
		a->fd = -1;
	}
	if (a->tmp != NULL) {
		(void)unlink(a->tmp);
		pending_del(a);
		free(a->tmp);
		a->tmp = NULL;
	}
	free(a->path);
	a->path = NULL;
}
