/*
 * remote_dir.c - a directory as a remote (a USB stick, a mounted share):
 * push copies the archive into it through a temp file that is fsynced and
 * then linked in place (never replacing an existing object), pull lists
 * and reads it.  A push of an object that is already there with the same
 * bytes counts as confirmed; with other bytes it is refused.
 *
 * Knows cio.h; knows nothing of S3, archives or the key home.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "remote_impl.h"

#define DIR_CHUNK (1u << 20)

static int
io_fail(struct remote *r, const char *what)
{
	int e = errno;

	return remote_failf(r,
	    e == ENOSPC || e == EDQUOT                    ? HTTP_FAIL_QUOTA
	        : e == ENOENT || e == ENOTDIR             ? HTTP_FAIL_NOTFOUND
	        : e == EACCES || e == EPERM || e == EROFS ? HTTP_FAIL_AUTH
	                                                  : HTTP_FAIL_SERVER,
	    "%s: %s", what, strerror(e));
}

/* 1 when the file at path holds exactly size bytes equal to fd's. */
static int
same_bytes(const char *path, int fd, uint64_t size, uint8_t *a, uint8_t *b)
{
	int fd2 = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), same = 0;
	struct stat st;
	uint64_t off = 0;

	if (fd2 < 0)
		return 0;
	if (fstat(fd2, &st) == 0 && (uint64_t)st.st_size == size) {
		same = 1;
		while (same && off < size) {
			size_t n = size - off < DIR_CHUNK ? (size_t)(size - off)
			                                  : DIR_CHUNK;
			same = pread(fd, a, n, (off_t)off) == (ssize_t)n &&
			    pread(fd2, b, n, (off_t)off) == (ssize_t)n &&
			    memcmp(a, b, n) == 0;
			off += n;
		}
	}
	close(fd2);
	return same;
}

int
remote_dir_push(struct remote *r, const char *name, int fd, uint64_t size,
    remote_progress_fn fn, void *ctx)
{
	char *path = cio_path_join(r->dir, name, NULL);
	uint8_t *buf = cio_malloc(DIR_CHUNK), *buf2 = cio_malloc(DIR_CHUNK);
	struct cio_atomic a;
	uint64_t off = 0;
	int rc = 0;

	memset(&a, 0, sizeof(a));
	a.fd = -1;
	if (path == NULL || buf == NULL || buf2 == NULL) {
		rc = CAIRN_ERR_NOMEM;
		goto out;
	}
	if (access(path, F_OK) == 0) {
		rc = same_bytes(path, fd, size, buf, buf2)
		    ? 0
		    : remote_failf(r, HTTP_FAIL_PROTOCOL,
		          "%s exists with other content", path);
		goto out;
	}
	if ((rc = cio_atomic_open(&a, path, 0644, 0)) != 0) {
		rc = rc == CAIRN_ERR_IO ? io_fail(r, r->dir) : rc;
		goto out;
	}
	while (rc == 0 && off < size) {
		size_t n =
		    size - off < DIR_CHUNK ? (size_t)(size - off) : DIR_CHUNK;
		ssize_t k = pread(fd, buf, n, (off_t)off);

		if (k <= 0) {
			rc = k < 0 ? CAIRN_ERR_IO : CAIRN_ERR_CHANGED;
			break;
		}
		if ((rc = cio_fd_write(&a.fd, buf, (size_t)k)) != 0)
			rc = rc == CAIRN_ERR_IO ? io_fail(r, path) : rc;
		off += (uint64_t)k;
		if (rc == 0 && fn != NULL)
			fn(ctx, off, size);
	}
	if (rc == 0 && (rc = cio_atomic_commit(&a)) != 0)
		rc = rc == CAIRN_ERR_IO ? io_fail(r, path) : rc;
out:
	cio_atomic_abort(&a);
	free(path);
	free(buf);
	free(buf2);
	return rc;
}

int
remote_dir_list(struct remote *r, const char *suffix,
    struct remote_object **objs, size_t *n)
{
	DIR *d = opendir(r->dir);
	size_t cap = 0, sl = suffix ? strlen(suffix) : 0;
	struct dirent *e;
	int rc = 0;

	if (d == NULL)
		return io_fail(r, r->dir);
	while (rc == 0 && (e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name);
		struct stat st;

		if (e->d_name[0] == '.' || nl <= sl ||
		    (suffix && strcmp(e->d_name + nl - sl, suffix) != 0) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		        0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (*n == cap) {
			struct remote_object *o;
			cap = cap ? cap * 2 : 16;
			if ((o = cio_realloc(*objs, cap * sizeof(*o))) ==
			    NULL) {
				rc = CAIRN_ERR_NOMEM;
				break;
			}
			*objs = o;
		}
		(*objs)[*n].size = (uint64_t)st.st_size;
		(*objs)[*n].mtime = (int64_t)st.st_mtime;
		if (((*objs)[*n].name = cio_strdup(e->d_name)) == NULL)
			rc = CAIRN_ERR_NOMEM;
		else
			(*n)++;
	}
	closedir(d);
	return rc;
}

int
remote_dir_get(struct remote *r, const char *name, uint64_t offset,
    const struct cio_sink *out, remote_progress_fn fn, void *ctx)
{
	char *path = cio_path_join(r->dir, name, NULL);
	uint8_t *buf = cio_malloc(DIR_CHUNK);
	int fd = -1, rc = 0;
	struct stat st;
	uint64_t off = offset;

	if (path == NULL || buf == NULL) {
		rc = CAIRN_ERR_NOMEM;
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) != 0) {
		rc = io_fail(r, path);
		goto out;
	}
	while (rc == 0) {
		ssize_t k = pread(fd, buf, DIR_CHUNK, (off_t)off);

		if (k < 0)
			rc = io_fail(r, path);
		if (k <= 0)
			break;
		rc = out->write(out->ctx, buf, (size_t)k);
		off += (uint64_t)k;
		if (rc == 0 && fn != NULL)
			fn(ctx, off, (uint64_t)st.st_size);
	}
out:
	if (fd >= 0)
		close(fd);
	free(path);
	free(buf);
	return rc;
}
