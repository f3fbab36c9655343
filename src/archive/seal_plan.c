/*
 * seal_plan.c - the first step of sealing: walk the input arguments,
 * lstat every entry, sniff each file's MIME type from its first bytes and
 * build the manifest (see seal.h for the rules on names and file types).
 * Creating, querying and freeing the plan live in seal_plan_life.c.
 *
 * Knows the filesystem, the manifest and filetype modules; nothing of
 * tar, age, signing or the terminal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "filetype.h"
#include "cairn/manifest.h"
#include "cairn/meta.h"
#include "cairn/seal.h"
#include "manifest_impl.h"
#include "seal_impl.h"
#include "sums.h"
#include "tarball.h"

/* seal_fail with strerror(errno) (errno preserved). */
static int
fail_errno(struct seal_plan *p, const char *path)
{
	int saved = errno;

	seal_fail(p, CAIRN_ERR_IO, path, strerror(saved));
	errno = saved;
	return CAIRN_ERR_IO;
}

/*
 * With --skip-unreadable, an input that could not be read (rc, with its
 * reason in p->why) is recorded in the manifest as skipped, reported
 * through the warning callback, and the seal goes on: returns 0.  Else,
 * or when it cannot be recorded, returns rc (its error stands).
 */
static int
skip_or_fail(struct seal_plan *p, int rc, const char *host, const char *rel)
{
	int r;

	if (!p->skip || (rc != CAIRN_ERR_IO && rc != CAIRN_ERR_CHANGED))
		return rc;
	if ((r = manifest_add_skipped(p->m, rel, p->why)) == CAIRN_ERR_LIMIT) {
		p->error[0] = '\0';
		return seal_fail(p, r, host,
		    "cannot be read, and too many files were skipped already");
	}
	if (r != 0)
		return r == CAIRN_ERR_NOMEM ? r : rc;
	if (p->warn != NULL)
		p->warn(p->warn_ctx, SEAL_WARN_SKIPPED, host, p->why);
	p->error[0] = p->why[0] = '\0';
	return 0;
}

/* Read [got, want) of fd into buf; the new total in *got. */
static int
read_more(struct seal_plan *p, const char *host, int fd, uint8_t *buf,
    size_t *got, size_t want)
{
	while (*got < want) {
		ssize_t n = pread(fd, buf + *got, want - *got, (off_t)*got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail_errno(p, host);
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}

/* The EXIF fields of a JPEG whose first got bytes are in p->sniff: a
 * block cut short by the sniffed prefix is read again from a longer
 * one (up to META_EXIF_WINDOW bytes). */
static int
read_exif(struct seal_plan *p, const char *host, int fd, size_t got,
    const struct stat *st, struct meta_exif *x)
{
	size_t want = st->st_size < META_EXIF_WINDOW ? (size_t)st->st_size
	                                             : META_EXIF_WINDOW;
	int rc;

	if ((rc = meta_exif_read(p->sniff, got, x)) != 0 ||
	    x->status != META_EXIF_DAMAGED || got >= want)
		return rc;
	if ((rc = read_more(p, host, fd, p->sniff, &got, want)) != 0)
		return rc;
	return meta_exif_read(p->sniff, got, x);
}

/*
 * With the second thread: read the first bytes of fd into buf for it,
 * and for what may be a JPEG (starts FF D8: meta_exif_read() finds
 * nothing in anything else) up to META_EXIF_WINDOW bytes, which the
 * one-thread path reads only when the EXIF block runs past the first
 * ones.  *got and *total for seal_sniff_submit().
 */
static int
read_ahead(struct seal_plan *p, const char *host, int fd, uint8_t *buf,
    const struct stat *st, size_t *got, size_t *total)
{
	size_t want = st->st_size < FILETYPE_SNIFF_LEN ? (size_t)st->st_size
	                                               : FILETYPE_SNIFF_LEN;
	int rc;

	*got = *total = 0;
	if ((rc = read_more(p, host, fd, buf, got, want)) != 0)
		return rc;
	*total = *got;
	if (*got < want || *got < 2 || buf[0] != 0xff || buf[1] != 0xd8)
		return 0;
	want = st->st_size < META_EXIF_WINDOW ? (size_t)st->st_size
	                                      : META_EXIF_WINDOW;
	return read_more(p, host, fd, buf, total, want);
}

/*
 * MIME type (and, for a JPEG, EXIF fields) of the first bytes of host,
 * which must still be st.  With the second thread, only read them into
 * its buffer: *got and *total are then set for seal_sniff_submit(), and
 * mime says FILETYPE_UNKNOWN, x nothing, until it is done.
 */
static int
sniff(struct seal_plan *p, const char *host, const struct stat *st,
    char mime[FILETYPE_MIME_MAX], struct meta_exif *x, size_t *queued)
{
	struct stat now;
	size_t got = 0, want;
	uint8_t *buf = p->sniff;
	int fd, rc = 0;

	memset(x, 0, sizeof *x);
	if (p->sniffs != NULL &&
	    (buf = seal_sniff_buffer(p->sniffs, p, &rc)) == NULL)
		return rc;

	want = st->st_size < FILETYPE_SNIFF_LEN ? (size_t)st->st_size
	                                        : FILETYPE_SNIFF_LEN;
	if (cio_fault_hit()) {
		errno = EIO;
		return fail_errno(p, host);
	}
	fd = open(host, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(p, host);
	if (fstat(fd, &now) != 0) {
		rc = fail_errno(p, host);
		goto out;
	}
	if (!S_ISREG(now.st_mode) || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		rc = seal_fail(p, CAIRN_ERR_CHANGED, host,
		    "replaced while being examined");
		goto out;
	}
	if (p->sniffs != NULL) {
		rc = read_ahead(p, host, fd, buf, st, &queued[0], &queued[1]);
		strcpy(mime, FILETYPE_UNKNOWN);
		goto out;
	}
	if ((rc = read_more(p, host, fd, buf, &got, want)) != 0 ||
	    (rc = filetype_buffer(
	         p->ft, p->sniff, got, mime, FILETYPE_MIME_MAX)) != 0)
		goto out;
	if (strcmp(mime, "image/jpeg") == 0)
		rc = read_exif(p, host, fd, got, st, x);
out:
	close(fd);
	return rc;
}

/* Append an entry and its item; the name was checked by the caller. */
static int
add_entry(struct seal_plan *p, const char *host, const char *rel,
    const struct stat *st)
{
	char mime[FILETYPE_MIME_MAX];
	struct meta_exif exif;
	const char *why = NULL;
	struct seal_item *it;
	size_t n = p->m->nentries, queued[2] = {0, 0};
	int rc, dir = S_ISDIR(st->st_mode);

	rc = tarball_path_check(rel, &why);
	if (rc == CAIRN_ERR_NOMEM)
		return rc;
	if (rc != 0 || manifest_path_check(rel, strlen(rel)) != 0) {
		p->error_utf8 = p->error[0] == '\0' && !seal_name_utf8(rel);
		return seal_fail(p,
		    seal_name_utf8(rel) ? CAIRN_ERR_INVAL
		                        : CAIRN_ERR_UNSUPPORTED,
		    host,
		    why != NULL
		        ? why
		        : "name not allowed in an archive (control or bidi "
		          "character, backslash)");
	}
	if (n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;

		if ((it = cio_realloc(p->items, cap * sizeof(*it))) == NULL)
			return CAIRN_ERR_NOMEM;
		p->items = it;
		p->cap = cap;
	}
	if (!dir && (rc = sniff(p, host, st, mime, &exif, queued)) != 0)
		return skip_or_fail(p, rc, host, rel);
	it = &p->items[n];
	memset(it, 0, sizeof(*it));
	if ((it->host = cio_strdup(host)) == NULL)
		return CAIRN_ERR_NOMEM;
	rc = manifest_add_entry(p->m, rel, dir ? MANIFEST_DIR : MANIFEST_FILE,
	    dir ? 0 : (uint64_t)st->st_size, st->st_mode & 0777,
	    (int64_t)st->st_mtim.tv_sec, dir ? NULL : mime);
	if (rc == 0 && !dir)
		rc = manifest_set_exif(p->m, &exif);
	if (rc != 0) {
		free(it->host);
		return seal_fail(p, rc, host,
		    rc == CAIRN_ERR_LIMIT ? "too many entries"
		        : rc == CAIRN_ERR_NOMEM
		        ? "out of memory"
		        : "cannot be recorded (name or time "
		          "outside the manifest's rules)");
	}
	it->dev = st->st_dev;
	it->ino = st->st_ino;
	it->size = dir ? 0 : st->st_size;
	it->mtim = st->st_mtim;
	if (!dir && p->sniffs != NULL)
		seal_sniff_submit(p->sniffs, n, queued[0], queued[1]);
	if (!dir) {
		p->nfiles++;
		p->bytes += (uint64_t)st->st_size;
	}
	return 0;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "a" + "/" + "b" (no doubled '/'), malloc'd. */
static char *
join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int slash = la > 0 && a[la - 1] != '/';
	char *s = cio_malloc(la + lb + 2);

	if (s != NULL) {
		memcpy(s, a, la);
		if (slash)
			s[la] = '/';
		memcpy(s + la + (size_t)slash, b, lb + 1);
	}
	return s;
}

/* The sorted names in directory host (malloc'd array of malloc'd). */
static int
list_dir(struct seal_plan *p, const char *host, char ***names, size_t *n)
{
	struct dirent *d;
	char **v = NULL, **nv;
	size_t cap = 0;
	DIR *dir;
	int rc = 0;

	*n = 0;
	if (cio_fault_hit()) {
		errno = EIO;
		return fail_errno(p, host);
	}
	if ((dir = opendir(host)) == NULL)
		return fail_errno(p, host);
	for (;;) {
		errno = 0;
		if ((d = readdir(dir)) == NULL) {
			if (errno != 0)
				rc = fail_errno(p, host);
			break;
		}
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = cio_realloc(v, cap * sizeof(*v))) == NULL) {
				rc = CAIRN_ERR_NOMEM;
				break;
			}
			v = nv;
		}
		if ((v[*n] = cio_strdup(d->d_name)) == NULL) {
			rc = CAIRN_ERR_NOMEM;
			break;
		}
		(*n)++;
	}
	closedir(dir);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_name);
	*names = v;
	return rc;
}

/* Add host (to be named rel in the archive) and what is below it. */
static int
walk(struct seal_plan *p, const char *host, const char *rel)
{
	char **names = NULL, *h = NULL, *r = NULL;
	struct stat st;
	size_t n = 0, i;
	int rc;

	/* a missing argument is an error; what vanished below one is not */
	if (cio_fault_hit()) {
		errno = EIO;
		rc = fail_errno(p, host);
		return strchr(rel, '/') ? skip_or_fail(p, rc, host, rel) : rc;
	}
	if (lstat(host, &st) != 0) {
		rc = fail_errno(p, host);
		return strchr(rel, '/') ? skip_or_fail(p, rc, host, rel) : rc;
	}
	if (S_ISLNK(st.st_mode)) {
		if (p->warn != NULL)
			p->warn(p->warn_ctx, SEAL_WARN_SYMLINK, host, NULL);
		return 0;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return seal_fail(p, CAIRN_ERR_UNSUPPORTED, host,
		    "not a regular file or directory (socket, device or "
		    "FIFO), refusing");
	if ((rc = add_entry(p, host, rel, &st)) != 0 || !S_ISDIR(st.st_mode))
		return rc;
	if ((rc = list_dir(p, host, &names, &n)) != 0 && p->skip &&
	    rc != CAIRN_ERR_NOMEM) {
		/* an unreadable directory is skipped as a whole */
		free(p->items[p->m->nentries - 1].host);
		manifest_drop_entry(p->m, p->m->nentries - 1);
		rc = skip_or_fail(p, rc, host, rel);
		goto out;
	}
	for (i = 0; rc == 0 && i < n; i++) {
		if ((h = join(host, names[i])) == NULL ||
		    (r = join(rel, names[i])) == NULL)
			rc = CAIRN_ERR_NOMEM;
		else
			rc = walk(p, h, r);
		free(h);
		free(r);
		h = r = NULL;
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int
seal_plan_add(struct seal_plan *p, const char *path)
{
	size_t len = strlen(path), s;
	char *top, **tops;
	int rc;

	if (p->written)
		return CAIRN_ERR_INVAL;
	while (len > 1 && path[len - 1] == '/')
		len--;
	for (s = len; s > 0 && path[s - 1] != '/'; s--)
		;
	if (len - s == 0 || (len - s == 1 && path[s] == '.') ||
	    (len - s == 2 && path[s] == '.' && path[s + 1] == '.'))
		return seal_fail(p, CAIRN_ERR_INVAL, path,
		    "has no name to store it under; give the directory by "
		    "its name (e.g. ../photos)");
	if ((top = cio_malloc(len - s + 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(top, path + s, len - s);
	top[len - s] = '\0';
	if (strcmp(top, MANIFEST_NAME) == 0 || strcmp(top, SUMS_NAME) == 0 ||
	    strcmp(top, SUMS_SIG_NAME) == 0) {
		free(top);
		return seal_fail(p, CAIRN_ERR_INVAL, path,
		    "name reserved for the archive's own members; put it in "
		    "a directory");
	}
	for (size_t i = 0; i < p->ntops; i++)
		if (strcmp(p->tops[i], top) == 0) {
			free(top);
			return seal_fail(p, CAIRN_ERR_INVAL, path,
			    "another argument has the same name; the archive "
			    "would hold it twice");
		}
	if ((tops = cio_realloc(p->tops, (p->ntops + 1) * sizeof(*tops))) ==
	    NULL) {
		free(top);
		return CAIRN_ERR_NOMEM;
	}
	p->tops = tops;
	p->tops[p->ntops++] = top;
	rc = walk(p, path, top);
	/* every type known before the next argument (or the seal) */
	if (p->sniffs != NULL) {
		int src = seal_sniff_finish(p->sniffs, p);

		if (rc == 0)
			rc = src;
	}
	if (rc == CAIRN_ERR_NOMEM)
		seal_fail(p, rc, NULL, "out of memory");
	return rc;
}
