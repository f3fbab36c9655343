/*
 * slip39_util.h - what test_slip39_split.c and test_slip39_extend.c share:
 * the master secret, a deterministic RNG injected through
 * slip39_test_set_rng(), and split/combine shorthands.
 * Test-only; each program gets its own copy of the statics.
 */
#ifndef CAIRN_TEST_SLIP39_UTIL_H
#define CAIRN_TEST_SLIP39_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/slip39.h"
#include "tap.h"

static const uint8_t MS[] = "ABCDEFGHIJKLMNOP"; /* 16 bytes + NUL */
#define MSLEN 16

/* ---- deterministic RNG: ChaCha20 keyed by a seed and a call counter */
struct det_rng {
	uint8_t seed[randombytes_SEEDBYTES];
	uint64_t calls;
};

static struct det_rng rngstate;

static void
det_rng_fn(void *ctx, uint8_t *buf, size_t len)
{
	struct det_rng *r = ctx;
	uint8_t s[randombytes_SEEDBYTES];

	memcpy(s, r->seed, sizeof s);
	memcpy(s, &r->calls, sizeof r->calls);
	r->calls++;
	randombytes_buf_deterministic(buf, len, s);
}

static void
seed_rng(uint8_t seed)
{
	memset(&rngstate, 0, sizeof rngstate);
	memset(rngstate.seed, seed, sizeof rngstate.seed);
	slip39_test_set_rng(det_rng_fn, &rngstate);
}

static int
split(const uint8_t *ms, size_t len, const char *pass, int e, int ext, int gt,
    const struct slip39_group_spec *g, size_t ng, struct slip39_share **sh,
    size_t *n)
{
	return slip39_split(
	    ms, len, pass, pass ? strlen(pass) : 0, e, ext, gt, g, ng, sh, n);
}

static int
combine(const struct slip39_share *sh, size_t n, const char *pass, uint8_t *out,
    size_t *len, struct slip39_diag *d)
{
	return slip39_combine(sh, n, pass, pass ? strlen(pass) : 0, out,
	    SLIP39_MAX_SECRET_LEN, len, d);
}

static int
combine_eq(const struct slip39_share *sh, size_t n, const char *pass,
    const uint8_t *want, size_t wlen)
{
	uint8_t out[SLIP39_MAX_SECRET_LEN];
	size_t len;

	return combine(sh, n, pass, out, &len, NULL) == 0 && len == wlen &&
	    memcmp(out, want, wlen) == 0;
}

/* Pick shares by index into a scratch array. */
static struct slip39_share pick[32];

#endif
