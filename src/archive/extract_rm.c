/*
 * extract_rm.c - removing a staging directory tree with async-signal-safe
 * system calls only, so that the CLI's SIGINT/SIGTERM handler can do it
 * (see extract.h).  No allocation, no stdio, no recursion.
 *
 * Knows the filesystem only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "extract_impl.h"

struct x_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * Remove parentfd/name and everything below it using only
 * async-signal-safe system calls and no memory allocation: a depth-first
 * walk that climbs back with "..", which is safe because the tree is
 * private to us (mode 0700).  The step budget bounds the work if
 * something cannot be removed.
 */
void
extract_rm_tree(int parentfd, const char *name)
{
	char buf[4096] __attribute__((aligned(8)));
	long steps = 50L * 1000 * 1000;
	int fd, depth = 0;

	fd = openat(parentfd, name, X_DIR_FLAGS);
	while (fd >= 0 && steps-- > 0) {
		int next = -1, removed = 0;
		long n;

		(void)lseek(fd, 0, SEEK_SET);
		while (next < 0 &&
		    (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
			for (long off = 0; off < n && next < 0;) {
				struct x_dirent64 *d =
				    (struct x_dirent64 *)(void *)(buf + off);
				const char *s = d->d_name;

				off += d->d_reclen;
				if (s[0] == '.' &&
				    (s[1] == '\0' ||
				        (s[1] == '.' && s[2] == '\0')))
					continue;
				if (unlinkat(fd, s, 0) == 0 ||
				    (errno == EISDIR &&
				        unlinkat(fd, s, AT_REMOVEDIR) == 0)) {
					removed = 1;
					continue;
				}
				/* fusefat says EPERM for a full directory */
				if (errno != ENOTEMPTY && errno != EEXIST &&
				    errno != EPERM)
					continue;
				next = openat(fd, s, X_DIR_FLAGS);
				if (next < 0 && errno == EACCES &&
				    fchmodat(fd, s, 0700, 0) == 0)
					next = openat(fd, s, X_DIR_FLAGS);
			}
		}
		if (next >= 0) {
			close(fd);
			fd = next;
			depth++;
			continue;
		}
		if (removed) /* entries may move while we delete: rescan */
			continue;
		if (depth == 0)
			break;
		next = openat(fd, "..", X_DIR_FLAGS);
		close(fd);
		fd = next;
		depth--;
	}
	if (fd >= 0)
		close(fd);
	(void)unlinkat(parentfd, name, AT_REMOVEDIR);
}
