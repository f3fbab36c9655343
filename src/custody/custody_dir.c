/*
 * custody_dir.c - the custody log's directory: reading every entry and
 * signature file (custody_load, for `cairn log`), and appending one entry
 * under a lock, which reads the last entry file only, so that an action's
 * cost does not grow with the log (see custody.h).
 *
 * Knows the file system (cio.h, POSIX directories, flock) and minisig's
 * signing; the entry text is custody.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/cio.h"
#include "cairn/custody.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "cairn/minisig.h"

#define NAME_DIGITS 8
#define SIG_MAX     4096

void
custody_log_free(struct custody_log *log)
{
	for (size_t i = 0; i < log->n; i++) {
		free(log->v[i].text);
		free(log->v[i].sig);
	}
	free(log->v);
	log->v = NULL;
	log->n = 0;
}

/* "NNNNNNNN.entry" with 8 digits: its number, else 0. */
static size_t
entry_number(const char *name)
{
	size_t n = 0;

	if (strlen(name) != NAME_DIGITS + 6 ||
	    strcmp(name + NAME_DIGITS, ".entry") != 0)
		return 0;
	for (int i = 0; i < NAME_DIGITS; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		n = n * 10 + (size_t)(name[i] - '0');
	}
	return n;
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Each entry number in dir to fn(ctx, number), in directory order (a
 * nonzero return stops the walk with it).  More than CUSTODY_MAX_ENTRIES
 * is CAIRN_ERR_LIMIT; a missing dir has none.
 */
static int
each_number(const char *dir, int (*fn)(void *, size_t), void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t k, n = 0;
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : CAIRN_ERR_IO;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if ((k = entry_number(de->d_name)) == 0)
			continue;
		rc = n++ >= CUSTODY_MAX_ENTRIES ? CAIRN_ERR_LIMIT : fn(ctx, k);
	}
	closedir(d);
	return rc;
}

struct numbers {
	size_t *v, n, cap;
};

static int
add_number(void *ctx, size_t k)
{
	struct numbers *a = ctx;
	size_t *nv;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		if ((nv = cio_realloc(a->v, a->cap * sizeof(*nv))) == NULL)
			return CAIRN_ERR_NOMEM;
		a->v = nv;
	}
	a->v[a->n++] = k;
	return 0;
}

/* The entry numbers in dir, sorted, into *nums (malloc'd). */
static int
list_numbers(const char *dir, size_t **nums, size_t *n)
{
	struct numbers a = {NULL, 0, 0};
	int rc = each_number(dir, add_number, &a);

	if (rc != 0) {
		free(a.v);
		a.v = NULL;
		a.n = 0;
	} else if (a.n > 0)
		qsort(a.v, a.n, sizeof(*a.v), cmp_size);
	*nums = a.v;
	*n = a.n;
	return rc;
}

/* How many entry files and the highest number: no list, no allocation. */
struct count_max {
	size_t n, max;
};

static int
count_number(void *ctx, size_t k)
{
	struct count_max *c = ctx;

	c->n++;
	if (k > c->max)
		c->max = k;
	return 0;
}

/* A small file into malloc'd memory; a missing one is *out NULL. */
static int
slurp(const char *path, size_t max, char **out, size_t *len)
{
	char *s = NULL;
	int rc;

	*out = NULL;
	*len = 0;
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	if ((rc = cio_read_file(path, max, 0, &s, len)) != 0)
		return rc;
	if ((*out = cio_malloc(*len + 1)) == NULL)
		rc = CAIRN_ERR_NOMEM;
	else {
		memcpy(*out, s, *len + 1);
	}
	cio_secret_free(s, *len);
	return rc;
}

static void
item_path(char *buf, size_t cap, const char *dir, size_t num, int sig)
{
	snprintf(buf, cap, "%s/%0*zu.entry%s", dir, NAME_DIGITS, num,
	    sig ? ".minisig" : "");
}

/* Entry file number num (and its .minisig when sig) into *it: an entry
 * that is missing, too big or does not parse is it->parsed 0; one whose
 * seq is not num has e.seq 0 (a renamed entry).  Returns 0 or a read
 * error other than CAIRN_ERR_LIMIT; *it's memory is the caller's. */
static int
read_item(const char *dir, size_t num, int sig, struct custody_item *it)
{
	size_t cap = strlen(dir) + 32;
	char *path = cio_malloc(cap);
	int rc;

	if (path == NULL)
		return CAIRN_ERR_NOMEM;
	item_path(path, cap, dir, num, 0);
	if ((rc = slurp(path, CUSTODY_ENTRY_MAX, &it->text, &it->len)) != 0 &&
	    rc != CAIRN_ERR_LIMIT)
		goto out;
	it->parsed = rc == 0 && it->text != NULL &&
	    custody_entry_decode(it->text, it->len, &it->e) == 0;
	if (it->parsed && it->e.seq != num)
		it->e.seq = 0;
	rc = 0;
	if (sig) {
		item_path(path, cap, dir, num, 1);
		if ((rc = slurp(path, SIG_MAX, &it->sig, &it->siglen)) ==
		    CAIRN_ERR_LIMIT)
			rc = 0;
	}
out:
	free(path);
	return rc;
}

int
custody_load(const char *dir, struct custody_log *log)
{
	size_t *nums = NULL, n = 0;
	int rc;

	memset(log, 0, sizeof(*log));
	if ((rc = list_numbers(dir, &nums, &n)) != 0 || n == 0)
		goto out;
	if ((log->v = cio_calloc(n, sizeof(*log->v))) == NULL) {
		rc = CAIRN_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		log->n++;
		rc = read_item(dir, nums[i], 1, &log->v[i]);
	}
out:
	free(nums);
	return rc;
}

/* Sign text into DIR/N.entry.minisig (replacing a leftover of a crash
 * between signature and entry), then write DIR/N.entry exclusively. */
static int
write_entry(const char *dir, size_t num, const char *text, size_t len,
    const struct minisig_secret *sk)
{
	size_t cap = strlen(dir) + 32;
	char *path = cio_malloc(cap), *sig = NULL, tc[64];
	size_t siglen = 0;
	int rc = 0;

	if (path == NULL)
		return CAIRN_ERR_NOMEM;
	if (sk != NULL) {
		snprintf(tc, sizeof(tc), "cairn-custody entry %zu", num);
		item_path(path, cap, dir, num, 1);
		if ((rc = minisig_sign(sk, text, len, tc,
		         "signature from cairn secret key", &sig, &siglen)) !=
		        0 ||
		    ((rc = cio_write_file(path, sig, siglen, 0600)) != 0 &&
		        rc != CAIRN_ERR_EXISTS))
			goto out;
		if (rc == CAIRN_ERR_EXISTS &&
		    (unlink(path) != 0 ||
		        (rc = cio_write_file(path, sig, siglen, 0600)) != 0)) {
			rc = rc != 0 ? rc : CAIRN_ERR_IO;
			goto out;
		}
	}
	item_path(path, cap, dir, num, 0);
	rc = cio_write_file(path, text, len, 0600);
out:
	free(sig);
	free(path);
	return rc;
}

/*
 * The log in dir as custody_append() needs it, reading the last entry
 * file only: *count entry files, prev = the last one's SHA-256 (zeros for
 * none).  The last entry must be number *count (no gap below it), parse,
 * and have that seq, else CAIRN_ERR_INTEGRITY; custody_verify() checks
 * the rest of the chain.  CAIRN_ERR_LIMIT for a full log.
 */
static int
chain_to_last(const char *dir, size_t *count, uint8_t prev[32])
{
	struct count_max c = {0, 0};
	struct custody_item last;
	int rc;

	memset(prev, 0, 32);
	memset(&last, 0, sizeof(last));
	if ((rc = each_number(dir, count_number, &c)) != 0 || c.n == 0)
		goto out;
	if ((rc = read_item(dir, c.max, 0, &last)) != 0)
		goto out;
	if (!last.parsed || last.e.seq != c.n)
		rc = CAIRN_ERR_INTEGRITY;
	else if ((rc = digest_sha256(last.text, last.len, prev)) == 0 &&
	    c.n >= CUSTODY_MAX_ENTRIES)
		rc = CAIRN_ERR_LIMIT;
out:
	free(last.text);
	*count = c.n;
	return rc;
}

int
custody_append(
    const char *dir, struct custody_entry *e, const struct minisig_secret *sk)
{
	struct minisig_public pk;
	char *lockpath = NULL, *text = NULL;
	size_t len = 0, count = 0;
	int lock = -1, rc;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return CAIRN_ERR_IO;
	if ((lockpath = cio_malloc(strlen(dir) + 8)) == NULL)
		return CAIRN_ERR_NOMEM;
	sprintf(lockpath, "%s/lock", dir);
	lock = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) != 0) {
		rc = CAIRN_ERR_IO;
		goto out;
	}
	if ((rc = chain_to_last(dir, &count, e->prev)) != 0)
		goto out;
	e->seq = count + 1;
	if (sk != NULL) {
		minisig_public_from_secret(sk, &pk);
		minisig_key_id_hex(pk.key_id, e->signer);
	} else
		snprintf(e->signer, sizeof(e->signer), "unsigned");
	if ((rc = custody_entry_encode(e, &text, &len)) == 0)
		rc = write_entry(dir, (size_t)e->seq, text, len, sk);
out:
	free(text);
	if (lock >= 0)
		close(lock);
	free(lockpath);
	return rc;
}
