/*
 * cio.c - byte sources/sinks, atomic output files, careful secret-file
 * reading and test-build fault injection (see cio.h).
 *
 * Knows nothing of age, tar, JSON or the terminal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <stdatomic.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"

/* ---- options, fault injection and test points ------------------------- */

static const struct cairn_options default_options = {0, -1, 0, 0, NULL, NULL};
static struct cairn_options options = {0, -1, 0, 0, NULL, NULL};
/* fault_count is atomic: seal's reader thread and the caller both count
 * (CAIRN_SEAL_THREADS=1 sweeps the two-thread pipeline). */
static atomic_long fault_count;
static long test_at_count, test_signal_count;

void
cairn_set_options(const struct cairn_options *o)
{
	options = o != NULL ? *o : default_options;
	atomic_store(&fault_count, 0);
	test_at_count = test_signal_count = 0;
}

const struct cairn_options *
cairn_options(void)
{
	return &options;
}

#ifdef CAIRN_TESTING
int
cio_fault_hit(void)
{
	if (options.fault_at <= 0)
		return 0;
	long n = atomic_fetch_add(&fault_count, 1) + 1;

	return n == options.fault_at ||
	    (options.fault_sticky && n > options.fault_at);
}

long
cio_fault_count(void)
{
	return atomic_load(&fault_count);
}

/* "name" or "name:N" in spec matches the Nth call with this name (the
 * first when N is not given). */
static int
test_match(const char *spec, const char *name, long *count)
{
	size_t n = strlen(name);
	long want = 1;

	if (spec == NULL || strncmp(spec, name, n) != 0 ||
	    (spec[n] != '\0' && spec[n] != ':'))
		return 0;
	if (spec[n] == ':')
		want = strtol(spec + n + 1, NULL, 10);
	return ++*count == want;
}

int
cio_test_at(const char *name)
{
	return test_match(options.test_at, name, &test_at_count);
}

void
cio_test_signal(const char *name)
{
	if (test_match(options.test_signal, name, &test_signal_count))
		(void)kill(getpid(), SIGTERM);
}
#else
int
cio_fault_hit(void)
{
	return 0;
}

long
cio_fault_count(void)
{
	return 0;
}

int
cio_test_at(const char *name)
{
	(void)name;
	return 0;
}

void
cio_test_signal(const char *name)
{
	(void)name;
}
#endif

void *
cio_secret_malloc(size_t n)
{
	return cio_fault_hit() ? NULL : sodium_malloc(n);
}

void *
cio_secret_allocarray(size_t count, size_t size)
{
	return cio_fault_hit() ? NULL : sodium_allocarray(count, size);
}

void *
cio_malloc(size_t n)
{
	if (cio_fault_hit())
		return NULL;
	return malloc(n == 0 ? 1 : n);
}

void *
cio_calloc(size_t n, size_t m)
{
	if (cio_fault_hit())
		return NULL;
	return calloc(n == 0 ? 1 : n, m == 0 ? 1 : m);
}

void *
cio_realloc(void *p, size_t n)
{
	if (cio_fault_hit())
		return NULL;
	return realloc(p, n == 0 ? 1 : n);
}

char *
cio_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = cio_malloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

/* ---- sources and sinks ------------------------------------------------- */

ssize_t
cio_read_full(const struct cio_source *src, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = src->read(src->ctx, buf + got, len - got);

		if (r < 0)
			return r;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

ssize_t
cio_fd_read(void *fdp, uint8_t *buf, size_t len)
{
	int fd = *(int *)fdp;
	ssize_t r;

	if (cio_fault_hit()) {
		errno = EIO;
		return CAIRN_ERR_IO;
	}
	do {
		r = read(fd, buf, len);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? CAIRN_ERR_IO : r;
}

int
cio_fd_write(void *fdp, const uint8_t *buf, size_t len)
{
	int fd = *(int *)fdp;

	while (len > 0) {
		ssize_t w;

		if (cio_fault_hit()) {
			errno = EIO;
			return CAIRN_ERR_IO;
		}
		w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return CAIRN_ERR_IO;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int
cio_membuf_write(void *membuf, const uint8_t *buf, size_t len)
{
	struct cio_membuf *m = membuf;

	if (m->max != 0 && (len > m->max || m->len > m->max - len))
		return CAIRN_ERR_LIMIT;
	if (m->len + len > m->cap) {
		size_t cap = m->cap ? m->cap : 4096;
		uint8_t *p;

		while (cap < m->len + len)
			cap *= 2;
		p = cio_realloc(m->data, cap);
		if (p == NULL)
			return CAIRN_ERR_NOMEM;
		m->data = p;
		m->cap = cap;
	}
	if (len > 0)
		memcpy(m->data + m->len, buf, len);
	m->len += len;
	return 0;
}

void
cio_membuf_free(struct cio_membuf *m)
{
	free(m->data);
	m->data = NULL;
	m->len = m->cap = 0;
}

ssize_t
cio_memsrc_read(void *memsrc, uint8_t *buf, size_t len)
{
	struct cio_memsrc *s = memsrc;
	size_t n = s->len - s->off;

	if (n > len)
		n = len;
	if (n > 0)
		memcpy(buf, s->data + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

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
	rc = 0;
	if (fault_eio() || fsync(dfd) != 0) {
		int e = errno;

		/* Without force the file at a->path is ours since link():
		 * take it back, so that an error leaves nothing there. */
		if (!a->force)
			(void)unlink(a->path);
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
