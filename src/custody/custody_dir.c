/*
 * custody_dir.c - the custody log's directory: reading every entry and
 * signature file, and appending one entry under a lock (see custody.h).
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

/* The entry numbers in dir, sorted, into *nums. */
static int
list_numbers(const char *dir, size_t **nums, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0, k, *v = NULL, *nv;

	*nums = NULL;
	*n = 0;
	if (d == NULL)
		return errno == ENOENT ? 0 : CAIRN_ERR_IO;
	while ((de = readdir(d)) != NULL) {
		if ((k = entry_number(de->d_name)) == 0)
			continue;
		if (*n >= CUSTODY_MAX_ENTRIES) {
			closedir(d);
			free(v);
			return CAIRN_ERR_LIMIT;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = cio_realloc(v, cap * sizeof(*v))) == NULL) {
				closedir(d);
				free(v);
				return CAIRN_ERR_NOMEM;
			}
			v = nv;
		}
		v[(*n)++] = k;
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_size);
	*nums = v;
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

int
custody_load(const char *dir, struct custody_log *log)
{
	size_t *nums = NULL, n = 0, cap = strlen(dir) + 32;
	char *path = NULL;
	int rc;

	memset(log, 0, sizeof(*log));
	if ((rc = list_numbers(dir, &nums, &n)) != 0 || n == 0)
		goto out;
	rc = CAIRN_ERR_NOMEM;
	if ((path = cio_malloc(cap)) == NULL ||
	    (log->v = cio_calloc(n, sizeof(*log->v))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct custody_item *it = &log->v[i];

		log->n++;
		item_path(path, cap, dir, nums[i], 0);
		if ((rc = slurp(
		         path, CUSTODY_ENTRY_MAX, &it->text, &it->len)) != 0 &&
		    rc != CAIRN_ERR_LIMIT)
			goto out;
		it->parsed = rc == 0 && it->text != NULL &&
		    custody_entry_decode(it->text, it->len, &it->e) == 0;
		/* File number and seq must agree (a renamed entry). */
		if (it->parsed && it->e.seq != nums[i])
			it->e.seq = 0;
		item_path(path, cap, dir, nums[i], 1);
		if ((rc = slurp(path, SIG_MAX, &it->sig, &it->siglen)) != 0 &&
		    rc != CAIRN_ERR_LIMIT)
			goto out;
	}
	rc = 0;
out:
	free(nums);
	free(path);
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

int
custody_append(
    const char *dir, struct custody_entry *e, const struct minisig_secret *sk)
{
	struct custody_log log;
	struct minisig_public pk;
	char *lockpath = NULL, *text = NULL;
	size_t len = 0;
	int lock = -1, rc;

	memset(&log, 0, sizeof(log));
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
	if ((rc = custody_load(dir, &log)) != 0)
		goto out;
	memset(e->prev, 0, sizeof(e->prev));
	if (log.n > 0) {
		const struct custody_item *last = &log.v[log.n - 1];

		if (!last->parsed || last->e.seq != log.n) {
			rc = CAIRN_ERR_INTEGRITY;
			goto out;
		}
		if ((rc = digest_sha256(last->text, last->len, e->prev)) != 0)
			goto out;
	}
	if (log.n >= CUSTODY_MAX_ENTRIES) {
		rc = CAIRN_ERR_LIMIT;
		goto out;
	}
	e->seq = log.n + 1;
	if (sk != NULL) {
		minisig_public_from_secret(sk, &pk);
		minisig_key_id_hex(pk.key_id, e->signer);
	} else
		snprintf(e->signer, sizeof(e->signer), "unsigned");
	if ((rc = custody_entry_encode(e, &text, &len)) == 0)
		rc = write_entry(dir, (size_t)e->seq, text, len, sk);
out:
	free(text);
	custody_log_free(&log);
	if (lock >= 0)
		close(lock);
	free(lockpath);
	return rc;
}
