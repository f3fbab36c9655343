/*
 * cli_parity_repair.c - ask par2 whether an archive is intact, advise
 * after a failed verify, and repair an archive atomically: copy it into
 * a private directory beside it, let par2 repair the copy, let par2
 * verify the result, report the byte ranges that changed, then rename
 * the copy over the archive.
 *
 * Must not know the archive's format (par2 and this file see bytes).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cli.h"
#include "cli_parity.h"
#include "cli_parity_impl.h"

#define SHOW_RANGES 16

/* par2 verify on dir/base's sidecar with data files in datadir. */
static int
run_verify(const char *par2, const char *datadir, const char *side)
{
	size_t n = strlen(datadir) + 3;
	char *bopt = cio_malloc(n);
	int rc;

	if (bopt == NULL)
		return -1;
	snprintf(bopt, n, "-B%s", datadir);
	{
		const char *argv[] = {
		    "par2", "verify", "-q", "-q", bopt, "--", side, NULL};

		rc = parity_run(par2, argv);
	}
	free(bopt);
	return rc;
}

int
cli_parity_check(const char *archive, enum cli_parity_state *st, int *missing)
{
	char *dir = NULL, *side = NULL, *par2 = NULL;
	const char *base;
	int rc, ec = 0;

	*st = CLI_PARITY_NONE;
	*missing = 0;
	if (parity_split(archive, &dir, &base) != 0 ||
	    (side = parity_join(dir, base, ".par2")) == NULL ||
	    !cli_exists(side))
		goto out;
	if ((par2 = parity_find_par2()) == NULL) {
		*missing = 1;
		goto out;
	}
	rc = run_verify(par2, dir, side);
	if (rc == PAR2_OK)
		*st = CLI_PARITY_INTACT;
	else if (rc == PAR2_REPAIRABLE)
		*st = CLI_PARITY_REPAIRABLE;
	else if (rc == PAR2_NOT_REPAIRABLE)
		*st = CLI_PARITY_TOO_DAMAGED;
	else {
		cli_error("parity: %s.par2: %s", archive, parity_why(rc));
		ec = CLI_EXIT_ERR;
	}
out:
	free(dir);
	free(side);
	free(par2);
	return ec;
}

void
cli_parity_advise(const char *archive)
{
	enum cli_parity_state st;
	int missing;

	if (strcmp(archive, "-") == 0 ||
	    cli_parity_check(archive, &st, &missing) != 0)
		return;
	// clang-format off
	if (missing)
		cli_hint("%s.par2 holds recovery data, but par2 is not installed: 'apt install par2', then 'cairn repair %s'", archive, archive);
	else if (st == CLI_PARITY_REPAIRABLE)
		cli_hint("the parity files beside it can repair it: run 'cairn repair %s'", archive);
	else if (st == CLI_PARITY_TOO_DAMAGED)
		cli_hint("the damage exceeds its parity files; 'cairn salvage %s -C DIR' recovers the files that are still authentic", archive);
	else if (st == CLI_PARITY_NONE)
		cli_hint("if the damage is real, 'cairn salvage %s -C DIR' recovers the files that are still authentic", archive);
	else if (st == CLI_PARITY_INTACT)
		cli_hint("par2 finds the archive identical to when its parity files were made: check the identity and signer");
	// clang-format on
}

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

struct ranges {
	unsigned long long start[SHOW_RANGES], end[SHOW_RANGES];
	size_t n, more;
	unsigned long long bytes;
	long long open; /* start of the range being built, or -1 */
};

static void
range_end(struct ranges *r, unsigned long long at)
{
	if (r->open < 0)
		return;
	if (r->n < SHOW_RANGES) {
		r->start[r->n] = (unsigned long long)r->open;
		r->end[r->n++] = at;
	} else
		r->more++;
	r->bytes += at - (unsigned long long)r->open;
	r->open = -1;
}

/* Compare the damaged file (fd a, may be -1) with the repaired one (b),
 * 512-byte sector by sector: r gets the sectors that differ. */
static int
diff_files(int a, int b, struct ranges *r, unsigned long long *alen)
{
	static uint8_t ba[1 << 16], bb[1 << 16];
	struct cio_source src = {cio_fd_read, &a};
	unsigned long long off = 0;
	ssize_t na = 0, nb;

	memset(r, 0, sizeof(*r));
	r->open = -1;
	*alen = 0;
	while ((nb = cio_read_full(&(struct cio_source){cio_fd_read, &b}, bb,
	            sizeof(bb))) > 0) {
		na = a >= 0 ? cio_read_full(&src, ba, (size_t)nb) : 0;
		if (na < 0)
			return -1;
		*alen += (unsigned long long)na;
		for (ssize_t i = 0; i < nb; i += 512, off += 512) {
			size_t n = nb - i < 512 ? (size_t)(nb - i) : 512;
			int bad = i + (ssize_t)n > na ||
			    memcmp(ba + i, bb + i, n) != 0;

			if (bad && r->open < 0)
				r->open = (long long)off;
			else if (!bad)
				range_end(r, off);
			if (n < 512)
				off -= 512 - n;
		}
	}
	range_end(r, off);
	while (a >= 0 && (na = read(a, ba, sizeof(ba))) > 0)
		*alen += (unsigned long long)na;
	return nb < 0 || na < 0 ? -1 : 0;
}

static void
print_fixed(const char *archive, const struct ranges *r,
    unsigned long long alen, unsigned long long blen)
{
	printf("repaired %s: %llu bytes in %zu range%s of 512-byte sectors "
	       "restored\n",
	    archive, r->bytes, r->n + r->more, r->n + r->more == 1 ? "" : "s");
	for (size_t i = 0; i < r->n; i++)
		printf("  bytes %llu-%llu (%llu bytes)\n", r->start[i],
		    r->end[i] - 1, r->end[i] - r->start[i]);
	if (r->more > 0)
		printf("  ... and %zu more ranges\n", r->more);
	if (alen < blen)
		printf("  the damaged file was truncated: %llu of %llu bytes\n",
		    alen, blen);
	else if (alen > blen)
		printf("  %llu extra bytes at the end were removed\n",
		    alen - blen);
}

/* Let par2 repair tmp/base from side, then check the result. */
static int
repair_copy(
    const char *par2, const char *archive, const char *tmp, const char *side)
{
	size_t n = strlen(tmp) + 3;
	char *bopt = cio_malloc(n);
	int rc;

	if (bopt == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "repair");
	snprintf(bopt, n, "-B%s", tmp);
	{
		const char *argv[] = {
		    "par2", "repair", "-q", "-q", bopt, "--", side, NULL};

		rc = parity_run(par2, argv);
	}
	free(bopt);
	if (rc == PAR2_OK && (rc = run_verify(par2, tmp, side)) == PAR2_OK)
		return 0;
	// clang-format off
	cli_error("repair: %s: %s", archive, rc == PAR2_OK || rc == PAR2_REPAIRABLE ? "the repaired copy does not verify" : parity_why(rc));
	cli_hint("the archive was left as it was; 'cairn salvage %s -C DIR' recovers what is still authentic", archive);
	// clang-format on
	return rc == PAR2_NOT_REPAIRABLE ? CLI_EXIT_INTEGRITY : CLI_EXIT_ERR;
}

/* Report what changed, then rename the repaired copy over the archive. */
static int
replace(const char *archive, const char *apath, const char *fixed,
    const char *dir, mode_t mode, int quiet)
{
	struct ranges r;
	unsigned long long alen = 0, blen = 0;
	int a = open(apath, O_RDONLY | O_CLOEXEC);
	int b = open(fixed, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int ec = 0;

	if (b < 0 || fchmod(b, mode) != 0 || fsync(b) != 0 ||
	    diff_files(a, b, &r, &alen) != 0) {
		ec = cli_fail(CAIRN_ERR_IO, "repair: %s", archive);
		goto out;
	}
	blen = (unsigned long long)lseek(b, 0, SEEK_END);
	if (rename(fixed, apath) != 0 || parity_fsync_dir(dir) != 0) {
		ec = cli_fail(CAIRN_ERR_IO, "repair: %s", archive);
		goto out;
	}
	if (!quiet)
		print_fixed(archive, &r, alen, blen);
	ec = cli_flush_stdout();
out:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return ec;
}

int
cli_parity_repair(const char *archive, int quiet)
{
	char *par2 = NULL, *dir = NULL, *side = NULL, *apath = NULL;
	char *tmp = NULL, *fixed = NULL;
	const char *base;
	enum cli_parity_state st;
	struct stat sb;
	int ec = CLI_EXIT_ERR, missing, in = -1, err;

	if ((par2 = parity_need_par2("repair")) == NULL)
		goto out;
	if (parity_split(archive, &dir, &base) != 0 ||
	    (side = parity_join(dir, base, ".par2")) == NULL ||
	    (apath = parity_join(dir, base, "")) == NULL) {
		ec = cli_fail(CAIRN_ERR_IO, "repair: %s", archive);
		goto out;
	}
	if (!cli_exists(side)) {
		cli_error(
		    "repair: %s: no parity files (%s.par2)", archive, archive);
		// clang-format off
		cli_hint("without recovery data, 'cairn salvage %s -C DIR' recovers what is still authentic", archive);
		// clang-format on
		goto out;
	}
	if ((ec = cli_parity_check(archive, &st, &missing)) != 0)
		goto out;
	if (st == CLI_PARITY_INTACT) {
		if (!quiet)
			printf("%s: intact, nothing to repair\n", archive);
		ec = cli_flush_stdout();
		goto out;
	}
	if (st == CLI_PARITY_TOO_DAMAGED) {
		// clang-format off
		cli_error("repair: %s: %s", archive, parity_why(PAR2_NOT_REPAIRABLE));
		cli_hint("the archive was left as it was; 'cairn salvage %s -C DIR' recovers what is still authentic", archive);
		// clang-format on
		ec = CLI_EXIT_INTEGRITY;
		goto out;
	}
	ec = CLI_EXIT_ERR;
	if ((tmp = parity_tmpdir(dir, "repair")) == NULL ||
	    (fixed = parity_join(tmp, base, "")) == NULL) {
		ec = cli_fail(CAIRN_ERR_IO, "repair: temporary directory");
		goto out;
	}
	sb.st_mode = 0644;
	if ((in = open(apath, O_RDONLY | O_CLOEXEC)) >= 0) {
		err = fstat(in, &sb) != 0 ? errno : copy_file(in, fixed, 0600);
		if (err != 0) {
			errno = err;
			ec = cli_fail(
			    CAIRN_ERR_IO, "repair: copy of %s", archive);
			goto out;
		}
	} else if (errno != ENOENT) {
		ec = cli_fail(CAIRN_ERR_IO, "repair: %s", archive);
		goto out;
	}
	if ((ec = repair_copy(par2, archive, tmp, side)) == 0)
		ec = replace(
		    archive, apath, fixed, dir, sb.st_mode & 07777, quiet);
out:
	if (in >= 0)
		close(in);
	parity_rmdir(tmp);
	free(par2);
	free(dir);
	free(side);
	free(apath);
	free(fixed);
	return ec;
}
