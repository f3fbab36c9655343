/*
 * parity_repair.c - repair an archive atomically with its PAR2 files:
 * copy it into a private directory beside it, let par2 repair the copy,
 * let par2 verify the result, find the 512-byte sectors that changed,
 * then rename the copy over the archive.
 *
 * Must not know the archive's format (par2 and this file see bytes);
 * never prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/parity.h"
#include "parity_impl.h"

/* Copy fd in into a new file path (mode), fsynced.  Returns 0 or errno. */
static int
copy_file(int in, const char *path, mode_t mode)
{
	static uint8_t buf[1 << 16];
	int out = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	ssize_t n = 0;
	int err = 0;

	if (out < 0)
		return errno;
	while (err == 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (cio_fd_write(&out, buf, (size_t)n) != 0)
			err = errno != 0 ? errno : EIO;
	if (err == 0 && n < 0)
		err = errno;
	if (err == 0 && fsync(out) != 0)
		err = errno;
	close(out);
	return err;
}

/* Close the range being built (started at *open, or -1) at at. */
static void
range_end(struct parity_repair *r, long long *open, uint64_t at)
{
	if (*open < 0)
		return;
	if (r->n < PARITY_SHOW_RANGES) {
		r->start[r->n] = (uint64_t)*open;
		r->end[r->n++] = at;
	} else
		r->more++;
	r->bytes += at - (uint64_t)*open;
	*open = -1;
}

/* Compare the damaged file (fd a, may be -1) with the repaired one (b),
 * 512-byte sector by sector, into r. */
static int
diff_files(int a, int b, struct parity_repair *r)
{
	static uint8_t ba[1 << 16], bb[1 << 16];
	struct cio_source src = {.read = cio_fd_read, .ctx = &a};
	struct cio_source fixed = {.read = cio_fd_read, .ctx = &b};
	uint64_t off = 0;
	long long open = -1;
	ssize_t na = 0, nb;

	while ((nb = cio_read_full(&fixed, bb, sizeof(bb))) > 0) {
		na = a >= 0 ? cio_read_full(&src, ba, (size_t)nb) : 0;
		if (na < 0)
			return -1;
		r->damaged_len += (uint64_t)na;
		for (ssize_t i = 0; i < nb; i += 512, off += 512) {
			size_t n = nb - i < 512 ? (size_t)(nb - i) : 512;
			int bad = i + (ssize_t)n > na ||
			    memcmp(ba + i, bb + i, n) != 0;

			if (bad && open < 0)
				open = (long long)off;
			else if (!bad)
				range_end(r, &open, off);
			if (n < 512)
				off -= 512 - n;
		}
	}
	range_end(r, &open, off);
	r->repaired_len = off;
	while (a >= 0 && (na = read(a, ba, sizeof(ba))) > 0)
		r->damaged_len += (uint64_t)na;
	return nb < 0 || na < 0 ? -1 : 0;
}

/* Let par2 repair tmp's copy from side, then verify the result. */
static int
repair_copy(const char *par2, const char *tmp, const char *side, int *status)
{
	size_t n = strlen(tmp) + 3;
	char *bopt = cio_malloc(n);

	if (bopt == NULL)
		return CAIRN_ERR_NOMEM;
	snprintf(bopt, n, "-B%s", tmp);
	{
		const char *argv[] = {
		    "par2", "repair", "-q", "-q", bopt, "--", side, NULL};

		*status = parity_run(par2, argv);
	}
	free(bopt);
	if (*status == PAR2_OK &&
	    (*status = parity_run_verify(par2, tmp, side)) == PAR2_OK)
		return 0;
	return *status == PAR2_NOT_REPAIRABLE ? CAIRN_ERR_INTEGRITY
	                                      : CAIRN_ERR_TOOL;
}

/* Compare, then rename the repaired copy (mode) over the archive. */
static int
replace(const struct parity_paths *p, const char *fixed, mode_t mode,
    struct parity_repair *r)
{
	int a = open(p->path, O_RDONLY | O_CLOEXEC);
	int b = open(fixed, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int rc = CAIRN_ERR_IO;

	if (b < 0 || fchmod(b, mode) != 0 || cio_fault_hit() || fsync(b) != 0 ||
	    diff_files(a, b, r) != 0)
		goto out;
	if (cio_fault_hit() || rename(fixed, p->path) != 0)
		goto out;
	r->published = 1; /* from here on an error must say so */
	if (cio_fault_hit() || parity_fsync_dir(p->dir) != 0)
		goto out;
	rc = 0;
out:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return rc;
}

/* Copy the archive (if it exists) into fixed; *mode gets its mode. */
static int
copy_archive(const struct parity_paths *p, const char *fixed, mode_t *mode)
{
	struct stat sb;
	int in, err;

	*mode = 0644;
	if ((in = open(p->path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : CAIRN_ERR_IO;
	err = fstat(in, &sb) != 0 ? errno : copy_file(in, fixed, 0600);
	if (err == 0)
		*mode = sb.st_mode & 07777;
	close(in);
	errno = err;
	return err != 0 ? CAIRN_ERR_IO : 0;
}

int
parity_repair(
    const char *par2, const char *archive, struct parity_repair *r, int *status)
{
	struct parity_paths p;
	enum parity_state st;
	char *tmp = NULL, *fixed = NULL;
	mode_t mode;
	int rc, err;

	memset(r, 0, sizeof(*r));
	if ((rc = parity_check(par2, archive, &st, status)) != 0)
		return rc;
	if (st == PARITY_NONE)
		return CAIRN_ERR_IO; /* no sidecar: nothing to repair from */
	if (st == PARITY_INTACT) {
		r->intact = 1;
		return 0;
	}
	if (st == PARITY_TOO_DAMAGED)
		return CAIRN_ERR_INTEGRITY;
	if ((rc = parity_paths_get(archive, &p)) != 0)
		return rc;
	if ((tmp = parity_tmpdir(p.dir, "repair")) == NULL ||
	    (fixed = cio_path_join(tmp, p.base, "")) == NULL) {
		rc = CAIRN_ERR_IO;
		goto out;
	}
	if ((rc = copy_archive(&p, fixed, &mode)) == 0 &&
	    (rc = repair_copy(par2, tmp, p.side, status)) == 0)
		rc = replace(&p, fixed, mode, r);
out:
	err = errno;
	parity_rmdir(tmp);
	free(fixed);
	parity_paths_free(&p);
	errno = err;
	return rc;
}
