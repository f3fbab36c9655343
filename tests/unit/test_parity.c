/*
 * test_parity.c - the parity layer (cairn/parity.h) against Debian's
 * par2: find par2 on a given PATH only, create sidecars without replacing
 * any, classify an archive as intact / repairable / too damaged, repair a
 * damaged copy byte-identical with the exact 512-byte sector range that
 * changed, and leave a file beyond repair untouched.  Skipped (with the
 * reason) when par2 is not installed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/parity.h"
#include "tap.h"

#define SIZE (256 * 1024)

static uint8_t orig[SIZE], got[SIZE];

static void
put(const char *path, const uint8_t *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(buf, 1, n, f) != n)
		printf("# cannot write %s\n", path);
	if (f != NULL)
		fclose(f);
}

static size_t
get(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void
find(void)
{
	char *p = parity_find_par2("relative/bin:bin");

	TAP_OK(p == NULL, "relative PATH entries are not searched");
	free(p);
	p = parity_find_par2("/nonexistent-dir");
	TAP_OK(p == NULL, "no par2 in the given PATH: NULL");
	free(p);
	TAP_OK(strcmp(parity_status_text(PAR2_NOT_REPAIRABLE),
	           "not enough recovery data to repair") == 0,
	    "status 2 reads as not enough recovery data");
}

static void
repair_cycle(const char *par2, const char *a)
{
	struct parity_repair r;
	enum parity_state st;
	int status = -9, rc;

	rc = parity_repair(par2, a, &r, &status);
	TAP_EQ_INT(rc, 0, "repair of an intact archive succeeds");
	TAP_OK(r.intact, "... and says there was nothing to repair");
	memset(orig + 70000, 0xa5, 100); /* inside sector 136 only */
	put(a, orig, SIZE);
	TAP_EQ_INT(parity_check(par2, a, &st, &status), 0, "check damaged");
	TAP_EQ_INT(st, PARITY_REPAIRABLE, "100 damaged bytes: repairable");
	rc = parity_repair(par2, a, &r, &status);
	TAP_EQ_INT(rc, 0, "repair succeeds");
	TAP_EQ_INT(r.n, 1, "one changed range");
	TAP_EQ_INT(r.start[0], 136 * 512, "range starts at sector 136");
	TAP_EQ_INT(r.end[0], 137 * 512, "range ends after sector 136");
	TAP_EQ_INT(r.bytes, 512, "512 bytes restored");
	TAP_EQ_INT(r.damaged_len, SIZE, "damaged length");
	TAP_EQ_INT(r.repaired_len, SIZE, "repaired length");
	TAP_EQ_INT(get(a, got, SIZE), SIZE, "archive read back");
	for (size_t i = 0; i < SIZE; i++)
		orig[i] = (uint8_t)(i * 2654435761u >> 13);
	TAP_EQ_MEM(got, orig, SIZE, "archive byte-identical to the original");
}

static void
too_damaged(const char *par2, const char *a)
{
	struct parity_repair r;
	enum parity_state st;
	int status = 0;

	memset(orig, 0, SIZE / 2);
	put(a, orig, SIZE);
	TAP_EQ_INT(parity_check(par2, a, &st, &status), 0, "check too damaged");
	TAP_EQ_INT(st, PARITY_TOO_DAMAGED, "half zeroed, 10 %: too damaged");
	TAP_EQ_INT(parity_repair(par2, a, &r, &status), CAIRN_ERR_INTEGRITY,
	    "repair beyond the recovery data: CAIRN_ERR_INTEGRITY");
	TAP_EQ_INT(get(a, got, SIZE), SIZE, "archive still all there");
	TAP_EQ_MEM(got, orig, SIZE, "... and left exactly as it was");
}

int
main(void)
{
	char dir[] = "/tmp/test_parity.XXXXXX", a[64], e[64], side[80];
	char *par2;
	enum parity_state st;
	struct stat sb;
	int status = 0;

	find();
	if ((par2 = parity_find_par2(getenv("PATH"))) == NULL) {
		tap_skip("par2 is not installed (Debian package par2)");
		return tap_done();
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(a, sizeof(a), "%s/a.cairn", dir);
	snprintf(e, sizeof(e), "%s/empty", dir);
	snprintf(side, sizeof(side), "%s.par2", a);
	for (size_t i = 0; i < SIZE; i++)
		orig[i] = (uint8_t)(i * 2654435761u >> 13);
	put(a, orig, SIZE);
	put(e, orig, 0);
	TAP_EQ_INT(parity_check(par2, a, &st, &status), 0, "check, no sidecar");
	TAP_EQ_INT(st, PARITY_NONE, "no sidecar: PARITY_NONE");
	TAP_EQ_INT(parity_create(par2, e, 10, &status), CAIRN_ERR_INVAL,
	    "an empty file is refused");
	TAP_EQ_INT(parity_create(par2, a, 0, &status), CAIRN_ERR_INVAL,
	    "0 % is refused");
	TAP_EQ_INT(parity_create(par2, a, 10, &status), 0, "create 10 %");
	TAP_OK(stat(side, &sb) == 0 && parity_has_sidecar(a),
	    "ARCHIVE.par2 is there");
	TAP_EQ_INT(parity_create(par2, a, 10, &status), CAIRN_ERR_EXISTS,
	    "a second create never replaces the sidecars");
	TAP_EQ_INT(parity_check(par2, a, &st, &status), 0, "check intact");
	TAP_EQ_INT(st, PARITY_INTACT, "intact archive: PARITY_INTACT");
	repair_cycle(par2, a);
	too_damaged(par2, a);
	tap_sh("rm -rf %s", dir);
	free(par2);
	return tap_done();
}
