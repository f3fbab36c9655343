/*
 * extract_rm.c - removing a staging directory tree with async-signal-safe
 * system calls only, so that the CLI's SIGINT/SIGTERM handler can do it
 * (see extract.h).  No allocation, no stdio, no recursion.
 *
 * The tree is removed from the descriptor cairn holds for it, never by
 * name and never by climbing "..": someone who can write the
 * destination's parent may have moved the staging directory elsewhere
 * and put another directory under its name (issue 13, findings 1-2).
 *
 * Knows the filesystem only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "extract_impl.h"

/* Directory descriptors held at once; a deeper subtree is moved up to
 * the top of the staging tree (renameat inside our own tree) first. */
#define X_RM_DEPTH 48
/* Directories that could not be emptied, skipped on later scans. */
#define X_RM_STUCK 64

struct x_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

struct x_rm {
	int fd[X_RM_DEPTH];
	uint64_t ino[X_RM_DEPTH]; /* inode of each held directory */
	int depth;
	uint64_t stuck[X_RM_STUCK];
	int nstuck;
	unsigned long spill; /* names for subtrees moved up */
};

static int
is_dot(const char *s)
{
	return s[0] == '.' && (s[1] == '\0' || (s[1] == '.' && s[2] == '\0'));
}

static int
is_stuck(const struct x_rm *r, uint64_t ino)
{
	for (int i = 0; i < r->nstuck; i++)
		if (r->stuck[i] == ino)
			return 1;
	return 0;
}

/* ".cairn-rm-N" into name (no snprintf: async-signal-safe). */
static void
spill_name(unsigned long n, char name[32])
{
	char digits[24];
	int d = 0, o = 0;

	do {
		digits[d++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	for (const char *p = ".cairn-rm-"; *p != '\0'; p++)
		name[o++] = *p;
	while (d > 0)
		name[o++] = digits[--d];
	name[o] = '\0';
}

/* Move fd/s (too deep to descend into) to the top of the tree. */
static int
spill(struct x_rm *r, int fd, const char *s)
{
	char name[32];

	for (int tries = 0; tries < 1000; tries++) {
		spill_name(r->spill++, name);
		if (renameat(fd, s, r->fd[0], name) == 0)
			return 1;
		if (errno != EEXIST && errno != ENOTEMPTY)
			return 0;
	}
	return 0;
}

/*
 * One pass over the directory on top of the stack: remove what can be
 * removed.  Returns 2 after pushing a subdirectory to descend into, 1
 * when something was removed (scan again), 0 when the directory is
 * empty, -1 when what is left cannot be removed.
 */
static int
rm_pass(struct x_rm *r)
{
	char buf[4096] __attribute__((aligned(8)));
	int fd = r->fd[r->depth - 1], removed = 0, left = 0;
	long n;

	(void)lseek(fd, 0, SEEK_SET);
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct x_dirent64 *d =
			    (struct x_dirent64 *)(void *)(buf + off);
			const char *s = d->d_name;
			int next;

			off += d->d_reclen;
			if (is_dot(s) || is_stuck(r, d->d_ino))
				continue;
			if (unlinkat(fd, s, 0) == 0 ||
			    (errno == EISDIR &&
			        unlinkat(fd, s, AT_REMOVEDIR) == 0)) {
				removed = 1;
				continue;
			}
			left = 1;
			/* fusefat says EPERM for a full directory */
			if (errno != ENOTEMPTY && errno != EEXIST &&
			    errno != EPERM)
				continue;
			if (r->depth == X_RM_DEPTH) {
				removed |= spill(r, fd, s);
				continue;
			}
			next = openat(fd, s, X_DIR_FLAGS);
			if (next < 0 && errno == EACCES &&
			    fchmodat(fd, s, 0700, 0) == 0)
				next = openat(fd, s, X_DIR_FLAGS);
			if (next < 0)
				continue;
			r->ino[r->depth] = d->d_ino;
			r->fd[r->depth++] = next;
			return 2;
		}
	}
	return removed ? 1 : left ? -1 : 0;
}

void
extract_rm_tree(
    int parentfd, const char *name, int rootfd, uint64_t dev, uint64_t ino)
{
	struct x_rm r;
	struct stat st;
	long steps = 50L * 1000 * 1000;

	r.depth = r.nstuck = 0;
	r.spill = 0;
	if (rootfd >= 0) {
		r.fd[0] = rootfd; /* borrowed: never closed here */
		r.depth = 1;
	}
	while (r.depth > 0 && steps-- > 0) {
		int got = rm_pass(&r);

		if (got > 0)
			continue;
		if (r.depth == 1)
			break;
		/* Done below: the parent's next pass removes this directory,
		 * or skips it when it could not be emptied. */
		close(r.fd[--r.depth]);
		if (got < 0 && r.nstuck < X_RM_STUCK)
			r.stuck[r.nstuck++] = r.ino[r.depth];
	}
	while (r.depth > 1)
		close(r.fd[--r.depth]);
	/* The name is removed only while it is still our (emptied)
	 * directory; if it was swapped since, rmdir removes at most an
	 * empty directory, never anyone's files. */
	if (parentfd >= 0 && name != NULL &&
	    fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (uint64_t)st.st_dev == dev && (uint64_t)st.st_ino == ino)
		(void)unlinkat(parentfd, name, AT_REMOVEDIR);
}
