/*
 * cio_file.c - whole small files (careful secret-file reading, mode
 * checks, one-shot writes) and the text helpers shared by the parsers
 * (lines, trimming, escaping for display) (see cio.h).
 *
 * Knows nothing of age, tar, JSON or the terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"

/* ---- whole small files ------------------------------------------------- */

#define FS_MSDOS 0x4d44 /* vfat, msdos */
#define FS_EXFAT 0x2011BAB0
#define FS_FUSE  0x65735546 /* fuse and fuseblk (exfat-fuse, fusefat, ...) */

/* 1 when the file open at fd, accessible by group or others, sits on a
 * file system that cannot store permissions: FAT or exFAT in the kernel,
 * or a FUSE file system on which restricting it to its owner (what the
 * user would be told to do) does not take. */
static int
fd_lacks_modes(int fd)
{
	struct statfs sf;
	struct stat st;

	if (fstatfs(fd, &sf) != 0)
		return 0;
	if (sf.f_type == FS_MSDOS || sf.f_type == FS_EXFAT)
		return 1;
	if (sf.f_type != FS_FUSE || fstat(fd, &st) != 0)
		return 0;
	if (fchmod(fd, st.st_mode & 07700) != 0)
		return errno == ENOSYS || errno == EOPNOTSUPP;
	return fstat(fd, &st) == 0 && (st.st_mode & 077) != 0;
}

int
cio_secret_on_modeless_fs(const char *path)
{
	struct stat st;
	int fd, r;

	if (strcmp(path, "-") == 0 ||
	    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return 0;
	r = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 077) != 0 && fd_lacks_modes(fd);
	close(fd);
	return r;
}

int
cio_read_file(
    const char *path, size_t max, int secret, char **out, size_t *outlen)
{
	int fd, rc = CAIRN_ERR_IO, own = 0;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;

	*out = NULL;
	*outlen = 0;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else {
		if (cio_fault_hit()) {
			errno = EIO;
			return CAIRN_ERR_IO;
		}
		fd = open(
		    path, O_RDONLY | O_CLOEXEC | (secret ? O_NOFOLLOW : 0));
		if (fd < 0)
			return CAIRN_ERR_IO;
		own = 1;
		if (fstat(fd, &st) != 0)
			goto out;
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			goto out;
		}
		if (secret && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0 &&
		    !fd_lacks_modes(fd)) {
			rc = CAIRN_ERR_PERM;
			goto out;
		}
	}
	if ((buf = cio_secret_malloc(max + 1)) == NULL) {
		rc = CAIRN_ERR_NOMEM;
		goto out;
	}
	for (;;) {
		int f = fd;
		ssize_t r =
		    cio_fd_read(&f, (uint8_t *)buf + len, max + 1 - len);

		if (r < 0)
			goto out;
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max) {
			rc = CAIRN_ERR_LIMIT;
			goto out;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
out:
	if (buf != NULL)
		sodium_free(buf); /* sodium_free wipes */
	if (own)
		close(fd);
	return rc;
}

void
cio_secret_free(void *p, size_t len)
{
	(void)len;
	if (p != NULL)
		sodium_free(p);
}

int
cio_write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	struct cio_atomic a;
	int rc;

	if ((rc = cio_atomic_open(&a, path, mode, 0)) != 0)
		return rc;
	if ((rc = cio_fd_write(&a.fd, buf, len)) != 0) {
		cio_atomic_abort(&a);
		return rc;
	}
	return cio_atomic_commit(&a);
}

int
cio_same_file(int fd_a, const char *path_b)
{
	struct stat sa, sb;

	if (fstat(fd_a, &sa) != 0 || stat(path_b, &sb) != 0)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int
cio_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	    c == '\r';
}

int
cio_next_line(const char **p, const char *end, const char **b, const char **e)
{
	const char *nl;

	if (*p >= end)
		return 0;
	if ((nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL)
		nl = end;
	*b = *p;
	*e = nl;
	*p = nl < end ? nl + 1 : end;
	cio_trim(b, e);
	return 1;
}

void
cio_trim(const char **b, const char **e)
{
	while (*b < *e && cio_is_space((unsigned char)**b))
		(*b)++;
	while (*e > *b && cio_is_space((unsigned char)(*e)[-1]))
		(*e)--;
}

/* The code point of the valid UTF-8 sequence at s (n bytes), or -1. */
static long
utf8_at(const unsigned char *s, size_t *n)
{
	unsigned char c = s[0];
	long cp, min;
	size_t k, len;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return -1;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return -1; /* also stops at the NUL */
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*n = len;
	return cp;
}

static int
escape_cp(long cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	    cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

void
cio_escape(char *out, size_t cap, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, i = 0, n;
	char tmp[16];

	while (u[i] != '\0') {
		long cp = u[i] < 0x80 ? u[i] : utf8_at(u + i, &n);
		int w;

		if (u[i] < 0x80)
			n = 1;
		if (cp < 0 || cp < 0x20 || cp == 0x7f)
			w = snprintf(tmp, sizeof(tmp), "\\x%02x", u[i]), n = 1;
		else if (escape_cp(cp))
			w = snprintf(tmp, sizeof(tmp), "\\u{%04lx}", cp);
		else
			w = 0;
		if (w > 0) {
			if (o + (size_t)w >= cap)
				break;
			memcpy(out + o, tmp, (size_t)w);
			o += (size_t)w;
		} else {
			if (o + n >= cap)
				break;
			memcpy(out + o, u + i, n);
			o += n;
		}
		i += n;
	}
	if (cap > 0)
		out[o < cap ? o : cap - 1] = '\0';
}
