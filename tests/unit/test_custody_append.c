/*
 * test_custody_append.c - custody_append() reads the last entry only: the
 * fault points one append hits (every file read and allocation goes
 * through one) are as many on a log of 300 entries as on a log of one;
 * it still refuses a log whose numbering has a gap, whose last entry was
 * renamed, is missing, truncated, empty, oversized or has a seq other
 * than its number; and a fault at any of its points leaves a log that
 * verifies.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/cio.h"
#include "cairn/custody.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "cairn/minisig.h"
#include "tap.h"

static char dir[] = "/tmp/cairn-custody-append-XXXXXX";

static int
append(const struct minisig_secret *sk, struct custody_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->time = 1796000000;
	snprintf(e->action, sizeof(e->action), "verify");
	snprintf(e->result, sizeof(e->result), "ok");
	snprintf(e->tool, sizeof(e->tool), "cairn/test");
	snprintf(e->archive_id, sizeof(e->archive_id), "-");
	snprintf(e->sha256, sizeof(e->sha256), "-");
	return custody_append(dir, e, sk);
}

/* Fault points one append to the log hits (none failing), or -1 when the
 * append fails. */
static long
append_cost(const struct minisig_secret *sk)
{
	struct cairn_options o = {0, -1, LONG_MAX, 0, NULL, NULL};
	struct custody_entry e;
	long hits;
	int rc;

	cairn_set_options(&o);
	rc = append(sk, &e);
	hits = cio_fault_count();
	cairn_set_options(NULL);
	return rc == 0 ? hits : -1;
}

static int
verify_log(size_t *n)
{
	struct custody_log log;
	char why[CUSTODY_WHY_LEN];
	size_t unchecked, bad;
	int rc = custody_load(dir, &log);

	if (rc == 0)
		rc = custody_verify(&log, NULL, &unchecked, &bad, why);
	*n = log.n;
	custody_log_free(&log);
	return rc;
}

static char *
entry_path(size_t num, const char *suffix)
{
	static char buf[2][128];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%08zu.entry%s", dir, num, suffix);
	return buf[k];
}

static int
put(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f != NULL && fwrite(text, 1, len, f) == len;

	return (f != NULL && fclose(f) == 0 && ok) ? 0 : -1;
}

static void
test_cost(void)
{
	struct custody_entry e;
	long first, cost1 = 0, cost;
	int ok = 1;

	TAP_OK((first = append_cost(NULL)) > 0, "first append counted");
	for (size_t n = 1; n < 300; n++) {
		if ((cost = append_cost(NULL)) < 0) {
			ok = 0;
			break;
		}
		if (n == 1)
			cost1 = cost;
		if (n == 1 || n == 10 || n == 100 || n == 299) {
			printf("# log of %zu: %ld fault points\n", n, cost);
			ok &= cost == cost1;
		}
	}
	TAP_OK(ok && cost1 > first, "append cost does not grow with the log");
	size_t n = 0;
	TAP_EQ_INT(verify_log(&n), 0, "300 entries verify");
	TAP_EQ_INT(n, 300, "... all of them");
	TAP_EQ_INT(append(NULL, &e), 0, "append 301");
	TAP_EQ_INT(e.seq, 301, "... seq 301");
}

/* The next append is refused with want, writes nothing, and the log is
 * appendable again once undo ran. */
static void
refused(int want, const char *undo, const char *what)
{
	struct custody_entry e;
	char cmd[512];

	TAP_EQ_INT(append(NULL, &e), want, what);
	TAP_OK(access(entry_path(6, ""), F_OK) != 0, "... nothing written");
	snprintf(cmd, sizeof(cmd), "cd %s && %s", dir, undo);
	TAP_OK(system(cmd) == 0, "... undone");
}

static void
test_refused(void)
{
	char cmd[512], *text = NULL, big[CUSTODY_ENTRY_MAX + 2];
	size_t len;
	uint8_t want[32];
	struct custody_entry e;

	snprintf(cmd, sizeof(cmd), "rm -f %s/0*", dir);
	TAP_OK(system(cmd) == 0, "empty log");
	for (int i = 0; i < 5; i++)
		TAP_EQ_INT(append(NULL, &e), 0, "append");
	/* a gap: entry 3 gone, 1 2 4 5 */
	TAP_OK(rename(entry_path(3, ""), entry_path(3, ".x")) == 0, "gap");
	refused(CAIRN_ERR_INTEGRITY, "mv 00000003.entry.x 00000003.entry",
	    "a gap in the numbering: integrity error");
	/* the last entry renamed: 1 2 3 4 7 */
	TAP_OK(rename(entry_path(5, ""), entry_path(7, "")) == 0, "rename");
	refused(CAIRN_ERR_INTEGRITY, "mv 00000007.entry 00000005.entry",
	    "last entry renamed: integrity error");
	/* an extra entry 6, a copy of entry 5 (seq=5) */
	snprintf(
	    cmd, sizeof(cmd), "cp %s %s", entry_path(5, ""), entry_path(6, ""));
	TAP_OK(system(cmd) == 0, "copy");
	TAP_EQ_INT(append(NULL, &e), CAIRN_ERR_INTEGRITY,
	    "last entry's seq not its number: integrity error");
	TAP_OK(access(entry_path(7, ""), F_OK) != 0, "... nothing written");
	TAP_OK(unlink(entry_path(6, "")) == 0, "... undone");
	/* entry 5 truncated, empty, oversized, missing, a directory */
	TAP_OK(cio_read_file(
	           entry_path(5, ""), CUSTODY_ENTRY_MAX, 0, &text, &len) == 0 &&
	        digest_sha256(text, len, want) == 0,
	    "read entry 5");
	if (text == NULL)
		return;
	TAP_OK(put(entry_path(5, ".saved"), text, len) == 0, "save entry 5");
	TAP_OK(put(entry_path(5, ""), text, len / 2) == 0, "truncate entry 5");
	refused(CAIRN_ERR_INTEGRITY, "true", "truncated last entry: integrity");
	TAP_OK(put(entry_path(5, ""), text, len - 1) == 0, "no newline");
	refused(CAIRN_ERR_INTEGRITY, "true", "last entry lacks its newline");
	TAP_OK(put(entry_path(5, ""), "", 0) == 0, "empty entry 5");
	refused(CAIRN_ERR_INTEGRITY, "true", "empty last entry: integrity");
	memset(big, 'a', sizeof(big));
	TAP_OK(put(entry_path(5, ""), big, sizeof(big)) == 0, "oversized");
	refused(CAIRN_ERR_INTEGRITY, "true", "oversized last entry: integrity");
	/* listed by readdir, gone when read: a dangling link */
	TAP_OK(unlink(entry_path(5, "")) == 0 &&
	        symlink("nowhere", entry_path(5, "")) == 0,
	    "entry 5 a dangling link");
	refused(CAIRN_ERR_INTEGRITY, "rm 00000005.entry",
	    "missing last entry: integrity");
	TAP_OK(mkdir(entry_path(5, ""), 0700) == 0, "entry 5 a directory");
	refused(CAIRN_ERR_IO, "rmdir 00000005.entry", "unreadable: I/O error");
	/* entry 5 with its seq edited to 4 (parses, wrong number) */
	char *p = strstr(text, "seq=5 ");
	TAP_OK(p != NULL, "seq field found");
	if (p != NULL)
		p[4] = '4';
	TAP_OK(put(entry_path(5, ""), text, len) == 0, "seq=4 in entry 5");
	refused(CAIRN_ERR_INTEGRITY, "mv 00000005.entry.saved 00000005.entry",
	    "last entry's seq not its number: integrity error");
	cio_secret_free(text, len);
	/* restored: appends, chained to entry 5 */
	TAP_EQ_INT(append(NULL, &e), 0, "restored log appends");
	TAP_OK(e.seq == 6 && memcmp(e.prev, want, 32) == 0,
	    "... as entry 6, prev the SHA-256 of entry 5");
}

/* A fault at each point of a signed append: an error or success, and the
 * log verifies either way. */
static void
test_faults(const struct minisig_secret *sk)
{
	struct cairn_options o = {0, -1, 0, 0, NULL, NULL};
	struct custody_entry e;
	long cost = append_cost(sk);
	size_t n = 0, before = 0;
	int ok = cost > 0, rc;

	TAP_OK(verify_log(&before) == 0, "signed append counted");
	for (long k = 1; ok && k <= cost; k++) {
		o.fault_at = k;
		cairn_set_options(&o);
		rc = append(sk, &e);
		cairn_set_options(NULL);
		ok = verify_log(&n) == 0 && n == before + (rc == 0);
		if (!ok)
			printf("# fault %ld: rc %d, %zu entries\n", k, rc, n);
		before = n;
	}
	TAP_OK(ok, "a fault anywhere leaves a log that verifies");
}

int
main(void)
{
	struct minisig_secret *sk = NULL;
	struct minisig_public pk;
	char cmd[128];

	if (mkdtemp(dir) == NULL || minisig_keygen(&sk, &pk) != 0)
		TAP_OK(0, "setup");
	else {
		test_cost();
		test_refused();
		test_faults(sk);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		TAP_OK(system(cmd) == 0, "clean up");
	}
	minisig_secret_free(sk);
	return tap_done();
}
