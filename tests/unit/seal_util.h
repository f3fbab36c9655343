/*
 * seal_util.h - what test_seal.c and test_seal_changed.c share: a scratch
 * directory, an age key pair and a minisign key, sealing paths into
 * memory and unsealing it back, and the setup and teardown of all that.
 * Test-only; each program gets its own copy of the statics.
 */
#ifndef CAIRN_TEST_SEAL_UTIL_H
#define CAIRN_TEST_SEAL_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "cairn/seal.h"
#include "sums.h"
#include "tap.h"
#include "cairn/unseal.h"

static char dir[64];

static struct age_recipients rs;

static struct age_identities ids;

static struct minisig_secret *sk;

static struct minisig_public pk;

static int warnings;

static char last_warning[512];

static void
on_warn(void *ctx, enum seal_warning w, const char *path, const char *other)
{
	(void)other;
	(void)ctx;
	if (w == SEAL_WARN_SYMLINK || w == SEAL_WARN_NFC)
		warnings++;
	snprintf(last_warning, sizeof(last_warning), "%s", path);
}

static void
write_file(const char *path, size_t size, unsigned seed)
{
	FILE *f = fopen(path, "wb");

	for (size_t i = 0; f != NULL && i < size; i++)
		fputc((int)((i * 2654435761u + seed) >> 13) & 0xff, f);
	if (f != NULL)
		fclose(f);
}

static int
age_sink_write(void *ctx, const uint8_t *buf, size_t len)
{
	return age_writer_write(ctx, buf, len);
}

/* seal_write() through an age writer to rs, as the CLI does. */
static int
seal_age(struct seal_plan *p, const struct minisig_secret *key,
    const struct cio_sink *sink)
{
	struct age_writer *w = NULL;
	struct cio_sink plain = {age_sink_write, NULL};
	int rc;

	if ((rc = age_writer_new(&w, &rs, 0, sink)) == 0) {
		plain.ctx = w;
		if ((rc = seal_write(p, key, &plain)) == 0)
			rc = age_writer_finish(w);
	}
	age_writer_free(w);
	return rc;
}

/* A plan of the given paths (NULL-terminated) in *pp, warnings counted
 * by on_warn: 0, or the first error.  The caller frees *pp either way
 * (NULL when the plan could not be made; else it holds the error text). */
static int
plan_paths(struct seal_plan **pp, const char *const *paths)
{
	int rc;

	*pp = NULL;
	if ((rc = seal_plan_new(pp, on_warn, NULL)) != 0)
		return rc;
	for (size_t i = 0; paths[i] != NULL && rc == 0; i++)
		rc = seal_plan_add(*pp, paths[i]);
	if (rc == 0)
		rc = seal_plan_check_nfc(*pp);
	return rc;
}

/* Plan the given paths (NULL-terminated) and write them into out. */
static int
seal_paths(const char *const *paths, const struct minisig_secret *key,
    struct cio_membuf *out, char *err, size_t errlen)
{
	struct seal_plan *p;
	struct cio_sink sink = {cio_membuf_write, out};
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = plan_paths(&p, paths)) == 0)
		rc = seal_age(p, key, &sink);
	if (err != NULL && p != NULL)
		snprintf(err, errlen, "%s", seal_plan_error(p));
	seal_plan_free(p);
	return rc;
}

static ssize_t
age_src_read(void *ctx, uint8_t *buf, size_t len)
{
	return age_reader_read(ctx, buf, len);
}

/* Decrypt and unseal data; fills res (caller frees). */
static int
unseal_mem(const uint8_t *data, size_t len, const struct unseal_options *o,
    struct unseal_result *res, uint64_t *consumed)
{
	struct cio_memsrc ms = {data, len, 0};
	struct cio_source src = {.read = cio_memsrc_read, .ctx = &ms}, plain;
	struct age_reader *r = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = age_reader_new(&r, &src, &ids)) != 0)
		return rc;
	plain.read = age_src_read;
	plain.ctx = r;
	rc = unseal_run(&plain, o, res);
	if (consumed != NULL)
		*consumed = age_reader_consumed(r);
	age_reader_free(r);
	return rc;
}

/* The scratch directory and the keys: 0, or 1 when anything failed. */
static int
seal_setup(void)
{
	uint8_t xsk[AGE_X25519_KEY_LEN], xpk[AGE_X25519_KEY_LEN];
	char rec[AGE_RECIPIENT_STR_LEN];

	if (sodium_init() < 0)
		return 1;
	snprintf(dir, sizeof(dir), "/tmp/cairn-test-seal-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	if (age_x25519_generate(xsk) != 0 || age_x25519_public(xsk, xpk) != 0 ||
	    age_x25519_recipient_string(xpk, rec) != 0 ||
	    age_recipients_add_string(&rs, rec) != 0 ||
	    age_identities_add_x25519(&ids, xsk) != 0 ||
	    minisig_keygen(&sk, &pk) != 0)
		return 1;
	return 0;
}

/* Run test() with the data path on one thread, then with read+hash on a
 * second thread; the options are reset afterwards. */
static void
seal_both_ways(void (*test)(void))
{
	for (int threads = 0; threads < 2; threads++) {
		struct cairn_options opt = *cairn_options();

		opt.seal_threads = threads;
		cairn_set_options(&opt);
		printf("# seal_threads=%d\n", threads);
		test();
	}
	cairn_set_options(NULL);
}

/* Remove the scratch directory and free the keys. */
static void
seal_teardown(void)
{
	tap_sh("chmod -R u+rwx %s; rm -rf %s", dir, dir);
	age_recipients_free(&rs);
	age_identities_free(&ids);
	minisig_secret_free(sk);
}

#endif
