/*
 * extract_stage.c - the private staging directory of an archive being
 * opened: made beside the destination and checked (extract_begin),
 * renamed into place only on commit, removed on abort or by the signal
 * cleanup; the fault and test seams shared with extract.c.  See
 * extract.h for the rules.
 *
 * Knows the filesystem; nothing of tar streams, age, manifests, digests
 * or entry names.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/extract.h"
#include "extract_impl.h"

/* Bytes of the destination's name kept in the staging directory's name
 * (".<name>.cairn-XXXXXX" must fit NAME_MAX). */
#define X_STAGE_NAME_KEEP 200

/* ---- the signal-cleanup slot --------------------------------------------- */

static volatile sig_atomic_t sig_armed;
static volatile int sig_parentfd = -1, sig_stagefd = -1;
static volatile uint64_t sig_dev, sig_ino;
static char sig_name[NAME_MAX + 1];

void
extract_abort_signal_safe(void)
{
	if (sig_armed && sig_stagefd >= 0) {
		sig_armed = 0;
		extract_rm_tree(
		    sig_parentfd, sig_name, sig_stagefd, sig_dev, sig_ino);
	}
}

static void
block_signals(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, old);
}

static void
arm(struct extract *x, int on)
{
	if (on) {
		snprintf(sig_name, sizeof(sig_name), "%s", x->stage_name);
		sig_parentfd = x->parentfd;
		sig_stagefd = x->stagefd;
		sig_dev = x->stage_dev;
		sig_ino = x->stage_ino;
	}
	sig_armed = on;
	x->armed = on;
}

/* The fault-injection seam (cio_fault_hit) for one system call: 1, with
 * errno EIO, when the test build was told to fail it. */
int
x_fault(void)
{
	if (!cio_fault_hit())
		return 0;
	errno = EIO;
	return 1;
}

/* 1 when parentfd/name is the staging directory we hold (same device
 * and inode as stagefd): a name is acted on only after this check. */
static int
x_ours(const struct extract *x, const char *name)
{
	struct stat st;

	return fstatat(x->parentfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (uint64_t)st.st_dev == x->stage_dev &&
	    (uint64_t)st.st_ino == x->stage_ino;
}

#ifdef CAIRN_TESTING
/* Test builds, CAIRN_TEST_AT=POINT[:N]: play the user who can write the
 * destination's parent: move the staging directory to ".moved" and put
 * a directory of theirs, holding a file "theirs", under its name. */
void
x_test_swap(struct extract *x, const char *point)
{
	int fd;

	if (!cio_test_at(point) ||
	    renameat(x->parentfd, x->stage_name, x->parentfd, ".moved") != 0 ||
	    mkdirat(x->parentfd, x->stage_name, 0755) != 0)
		return;
	fd = openat(x->parentfd, x->stage_name, X_DIR_FLAGS);
	if (fd >= 0) {
		close(
		    openat(fd, "theirs", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
		close(fd);
	}
}
#endif

/* ---- setup --------------------------------------------------------------- */

/* Split dest into its directory (malloc'd; "." when none) and last
 * component (malloc'd).  Trailing slashes are ignored. */
static int
split_dest(const char *dest, char **dir, char **name)
{
	size_t len = strlen(dest), s;

	while (len > 1 && dest[len - 1] == '/')
		len--;
	for (s = len; s > 0 && dest[s - 1] != '/'; s--)
		;
	if (len - s == 0 || (len - s == 1 && dest[s] == '.') ||
	    (len - s == 2 && dest[s] == '.' && dest[s + 1] == '.') ||
	    len - s > NAME_MAX)
		return CAIRN_ERR_INVAL;
	if ((*name = cio_malloc(len - s + 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(*name, dest + s, len - s);
	(*name)[len - s] = '\0';
	if (s == 0)
		*dir = cio_strdup(".");
	else if ((*dir = cio_malloc(s + 1)) != NULL) {
		memcpy(*dir, dest, s);
		(*dir)[s] = '\0';
	}
	return *dir == NULL ? CAIRN_ERR_NOMEM : 0;
}

/* Check the staging directory just made and opened (signals blocked)
 * and arm the cleanup: 0, or CAIRN_ERR_UNSAFE when the name is not the
 * directory we opened or someone else owns it (a swap between mkdirat
 * and openat). */
static int
stage_check(struct extract *x, const struct stat *parent)
{
	struct stat st;

	if (fstat(x->stagefd, &st) != 0)
		return CAIRN_ERR_IO;
	x->stage_dev = (uint64_t)st.st_dev;
	x->stage_ino = (uint64_t)st.st_ino;
	/* The parent's owner is trusted (a file system that cannot store
	 * owners shows one owner for everything). */
	if (!x_ours(x, x->stage_name) ||
	    (st.st_uid != geteuid() && st.st_uid != parent->st_uid))
		return CAIRN_ERR_UNSAFE;
	/* Others can write the parent and it is not sticky: they can swap
	 * the staging directory.  Only where permissions are stored: FAT
	 * and exFAT show 0777 for everything (then the staging directory
	 * does not show the 0700 it was made with either). */
	x->parent_unsafe = (parent->st_mode & 022) != 0 &&
	    (parent->st_mode & S_ISVTX) == 0 &&
	    (st.st_mode & 07777) == (0700 & ~x->umask);
	arm(x, 1);
	return 0;
}

/* Create, open and check the staging directory beside the destination,
 * with signals blocked: a signal finds it armed or absent. */
static int
make_stage(struct extract *x)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	struct stat parent;
	sigset_t old;
	int made = 0, rc = CAIRN_ERR_IO, saved;

	if (fstat(x->parentfd, &parent) != 0)
		return CAIRN_ERR_IO;
	for (int tries = 0; tries < 100 && !made; tries++) {
		char rnd[7];

		for (int i = 0; i < 6; i++)
			rnd[i] = abc[randombytes_uniform(sizeof(abc) - 1)];
		rnd[6] = '\0';
		snprintf(x->stage_name, NAME_MAX + 1, ".%.*s.cairn-%s",
		    X_STAGE_NAME_KEEP, x->dest_name, rnd);
		block_signals(&old);
		made = !x_fault() &&
		    mkdirat(x->parentfd, x->stage_name, 0700) == 0;
		saved = errno;
		if (made && !x_fault())
			x->stagefd =
			    openat(x->parentfd, x->stage_name, X_DIR_FLAGS);
		saved = made ? errno : saved;
		if (x->stagefd >= 0)
			rc = stage_check(x, &parent);
		else if (made) /* rmdir removes at most an empty directory */
			(void)unlinkat(
			    x->parentfd, x->stage_name, AT_REMOVEDIR);
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = saved;
		if (!made && errno != EEXIST)
			break;
	}
	if (x->stagefd >= 0 && rc != 0) {
		close(x->stagefd); /* not ours: never touched again */
		x->stagefd = -1;
	}
	return rc;
}

int
extract_begin(struct extract **out, const char *dest)
{
	struct extract *x;
	struct stat st;
	char *dir = NULL;
	size_t n;
	int rc;

	*out = NULL;
	if ((x = cio_calloc(1, sizeof(*x))) == NULL)
		return CAIRN_ERR_NOMEM;
	x->parentfd = x->stagefd = x->filefd = x->cur_fd = -1;
	x->small.fd = -1;
	x->umask = umask(0);
	umask(x->umask);
	if ((rc = split_dest(dest, &dir, &x->dest_name)) != 0)
		goto out;
	rc = CAIRN_ERR_IO;
	if (cio_fault_hit() ||
	    (x->parentfd = open(dir, X_DIR_FLAGS & ~O_NOFOLLOW)) < 0)
		goto out;
	if (fstatat(x->parentfd, x->dest_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = CAIRN_ERR_EXISTS;
		goto out;
	}
	n = strlen(dir) + NAME_MAX + 8;
	rc = CAIRN_ERR_NOMEM;
	if ((x->stage_name = cio_malloc(NAME_MAX + 1)) == NULL ||
	    (x->stage_path = cio_malloc(n)) == NULL)
		goto out;
	if ((rc = make_stage(x)) != 0)
		goto out;
	snprintf(x->stage_path, n, "%s/%s", dir, x->stage_name);
out:
	free(dir);
	if (rc != 0) {
		int saved = errno;

		extract_abort(x);
		extract_free(x);
		errno = saved;
		return rc;
	}
	*out = x;
	return 0;
}

int
extract_async(struct extract *x)
{
	if (x->w != NULL || x->done || x->filefd >= 0)
		return 0;
	return xwriter_new(&x->w);
}

int
extract_drain(struct extract *x)
{
	return x->w != NULL ? xwriter_drain(x->w) : 0;
}

const char *
extract_failed_path(const struct extract *x)
{
	return xwriter_failed_path(x->w);
}

const char *
extract_staging_path(const struct extract *x)
{
	return x->stage_path;
}

int
extract_parent_unsafe(const struct extract *x)
{
	return x->parent_unsafe;
}

int
extract_commit(struct extract *x)
{
	sigset_t old;
	int rc;

	if (x->done || x->stagefd < 0 || x->filefd >= 0)
		return CAIRN_ERR_INVAL;
	if ((x->w != NULL && (rc = xwriter_drain(x->w)) != 0) ||
	    (rc = x_apply_dirs(x)) != 0)
		goto fail;
	rc = CAIRN_ERR_IO;
	if (x_fault() || syncfs(x->stagefd) != 0 || x_fault() ||
	    x_fchmod(x->stagefd, 0755 & ~x->umask) != 0)
		goto fail;
	/* Never rename a name not verified to be the tree we wrote. */
	x_test_swap(x, "extract-commit");
	if (!x_ours(x, x->stage_name)) {
		rc = CAIRN_ERR_UNSAFE;
		goto fail;
	}
	block_signals(&old);
	if (x_fault() ||
	    (rc = cio_rename_noreplace(
	         x->parentfd, x->stage_name, x->parentfd, x->dest_name)) != 0) {
		int saved = errno;

		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = saved;
		if (rc != CAIRN_ERR_EXISTS)
			rc = CAIRN_ERR_IO;
		goto fail;
	}
	if (!x_ours(x, x->dest_name)) {
		/* Swapped between the check and the rename: put theirs back
		 * under the staging name; ours is removed by descriptor. */
		(void)cio_rename_noreplace(
		    x->parentfd, x->dest_name, x->parentfd, x->stage_name);
		sigprocmask(SIG_SETMASK, &old, NULL);
		rc = CAIRN_ERR_UNSAFE;
		goto fail;
	}
	arm(x, 0);
	x->done = 1;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (x_fault() || fsync(x->parentfd) != 0) {
		int saved = errno;

		/* Not known to be durable: take the tree back out of place
		 * (it is ours since the rename), so that an error leaves
		 * nothing at the destination, as cio_atomic_commit() does. */
		block_signals(&old);
		if (cio_rename_noreplace(x->parentfd, x->dest_name, x->parentfd,
		        x->stage_name) == 0) {
			x->done = 0;
			arm(x, 1);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		extract_abort(x);
		errno = saved;
		return CAIRN_ERR_IO;
	}
	return 0;
fail:
	extract_abort(x);
	return rc;
}

void
extract_abort(struct extract *x)
{
	int saved = errno;

	if (x == NULL)
		return;
	if (x->w != NULL)
		xwriter_cancel(x->w);
	if (x->filefd >= 0)
		close(x->filefd);
	x->filefd = -1;
	x->buffering = 0;
	xfile_release(&x->small);
	if (x->armed && !x->done) {
		extract_rm_tree(x->parentfd, x->stage_name, x->stagefd,
		    x->stage_dev, x->stage_ino);
		arm(x, 0);
	}
	x->done = 1;
	errno = saved;
}

void
extract_free(struct extract *x)
{
	if (x == NULL)
		return;
	extract_abort(x);
	xwriter_free(x->w);
	if (x->cur_fd >= 0)
		close(x->cur_fd);
	if (x->stagefd >= 0)
		close(x->stagefd);
	if (x->parentfd >= 0)
		close(x->parentfd);
	for (size_t i = 0; i < x->ndirs; i++)
		free(x->dirs[i].path);
	free(x->dirs);
	free(x->cur_dir);
	free(x->dest_name);
	free(x->stage_name);
	free(x->stage_path);
	free(x);
}
