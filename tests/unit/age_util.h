/*
 * age_util.h - helpers shared by test_age.c and test_age_header.c: in-memory
 * encrypt/decrypt through the age API, a random plaintext buffer and the
 * main() that sets it up and runs the tests.
 * Test-only; each program gets its own copy of the statics.
 */
#ifndef CAIRN_TEST_AGE_UTIL_H
#define CAIRN_TEST_AGE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "age_format.h"
#include "age_scrypt.h"
#include "bech32.h"
#include "cairn/err.h"
#include "tap.h"

/* memcmp that accepts NULL pointers when n is 0 (empty membufs). */
static int
tmemcmp(const void *a, const void *b, size_t n)
{
	return n == 0 ? 0 : memcmp(a, b, n);
}

#define INTEROP "tests/vectors/age-interop/"

#define TEST_WF 10 /* low scrypt work factor: tests only */

static uint8_t *data;

static int
encrypt(const struct age_recipients *rs, int armor, const uint8_t *pt,
    size_t len, size_t piece, struct cio_membuf *out)
{
	struct cio_sink sink = {cio_membuf_write, out};
	struct age_writer *w;
	size_t off;
	int ret;

	out->len = 0;
	if ((ret = age_writer_new(&w, rs, armor, &sink)) != 0)
		return ret;
	for (off = 0; off < len && ret == 0; off += piece)
		ret = age_writer_write(
		    w, pt + off, len - off < piece ? len - off : piece);
	if (ret == 0)
		ret = age_writer_finish(w);
	age_writer_free(w);
	return ret;
}

static int
decrypt(const struct age_identities *ids, const uint8_t *ct, size_t len,
    struct cio_membuf *out)
{
	struct cio_memsrc ms = {ct, len, 0};
	struct cio_source src = {.read = cio_memsrc_read, .ctx = &ms};
	struct age_reader *r;
	uint8_t *buf = malloc(100000);
	ssize_t n;
	int ret;

	out->len = 0;
	if ((ret = age_reader_new(&r, &src, ids)) == 0) {
		while ((n = age_reader_read(r, buf, 100000)) > 0)
			cio_membuf_write(out, buf, (size_t)n);
		ret = (int)n;
		age_reader_free(r);
	}
	free(buf);
	return ret;
}

/* Run tests[0..n) with `data` holding 3 MiB of random bytes; the exit
 * status (tap_done()), or 1 when libsodium cannot start. */
static int
run_with_data(void (*const *tests)(void), size_t n)
{
	if (sodium_init() < 0)
		return 1;
	data = malloc(3 << 20);
	randombytes_buf(data, 3 << 20);
	for (size_t i = 0; i < n; i++)
		tests[i]();
	free(data);
	return tap_done();
}

#endif
