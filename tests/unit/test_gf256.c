/*
 * test_gf256.c - GF(2^8) arithmetic against a slow, obviously correct
 * reference (carry-less multiply, then long division by 0x11b), field
 * axioms, inverses of every nonzero element, and Lagrange interpolation.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cairn/err.h"
#include "gf256.h"
#include "tap.h"

/* Reference: schoolbook carry-less product, then reduce modulo 0x11b. */
static uint8_t
ref_mul(uint8_t a, uint8_t b)
{
	unsigned p = 0, i;

	for (i = 0; i < 8; i++)
		if (b & (1u << i))
			p ^= (unsigned)a << i;
	for (i = 15; i >= 8; i--)
		if (p & (1u << i))
			p ^= 0x11bu << (i - 8);
	return (uint8_t)p;
}

/* Reference evaluation of sum c[i] x^i with Horner's rule. */
static uint8_t
ref_eval(const uint8_t *c, size_t deg1, uint8_t x)
{
	uint8_t r = 0;
	size_t i;

	for (i = deg1; i-- > 0;)
		r = (uint8_t)(ref_mul(r, x) ^ c[i]);
	return r;
}

static uint32_t rng_state = 0x12345678u;

static uint8_t
rnd(void)
{
	/* xorshift32: deterministic test data */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return (uint8_t)(rng_state >> 24);
}

static void
test_mul(void)
{
	unsigned a, b, bad = 0, comm = 0;

	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			if (gf256_mul((uint8_t)a, (uint8_t)b) !=
			    ref_mul((uint8_t)a, (uint8_t)b))
				bad++;
			if (gf256_mul((uint8_t)a, (uint8_t)b) !=
			    gf256_mul((uint8_t)b, (uint8_t)a))
				comm++;
		}
	TAP_EQ_INT(bad, 0, "mul agrees with the reference on all 65536 pairs");
	TAP_EQ_INT(comm, 0, "mul is commutative");
	/* FIPS-197 section 4.2 examples */
	TAP_EQ_INT(gf256_mul(0x57, 0x83), 0xc1, "{57} x {83} = {c1}");
	TAP_EQ_INT(gf256_mul(0x57, 0x13), 0xfe, "{57} x {13} = {fe}");
	TAP_EQ_INT(gf256_mul(0x80, 0x02), 0x1b, "{80} x {02} reduces to {1b}");
	/* the reference itself must be able to disagree */
	TAP_OK(ref_mul(0x57, 0x83) != (0x57 * 0x83 & 0xff),
	    "reference is not integer multiplication");
}

static void
test_axioms(void)
{
	unsigned a, b, n, assoc = 0, dist = 0, ident = 0, zero = 0;
	uint8_t c;

	for (a = 0; a < 256; a++) {
		if (gf256_mul((uint8_t)a, 1) != a)
			ident++;
		if (gf256_mul((uint8_t)a, 0) != 0)
			zero++;
		for (b = 0; b < 256; b++) {
			for (n = 0; n < 16; n++) {
				c = rnd();
				if (gf256_mul(
				        gf256_mul((uint8_t)a, (uint8_t)b), c) !=
				    gf256_mul(
				        (uint8_t)a, gf256_mul((uint8_t)b, c)))
					assoc++;
				if (gf256_mul(
				        (uint8_t)a, gf256_add((uint8_t)b, c)) !=
				    gf256_add(gf256_mul((uint8_t)a, (uint8_t)b),
				        gf256_mul((uint8_t)a, c)))
					dist++;
			}
		}
	}
	TAP_EQ_INT(ident, 0, "1 is the multiplicative identity");
	TAP_EQ_INT(zero, 0, "0 annihilates");
	TAP_EQ_INT(assoc, 0, "mul is associative (1M triples)");
	TAP_EQ_INT(dist, 0, "mul distributes over add (1M triples)");
	TAP_EQ_INT(gf256_add(0xa5, 0xa5), 0, "a + a = 0");
}

static void
test_inverse(void)
{
	unsigned a, b, bad = 0, refbad = 0, divbad = 0, found;

	for (a = 1; a < 256; a++) {
		if (gf256_mul((uint8_t)a, gf256_inv((uint8_t)a)) != 1)
			bad++;
		/* brute-force the reference inverse */
		found = 0;
		for (b = 1; b < 256; b++)
			if (ref_mul((uint8_t)a, (uint8_t)b) == 1)
				found = b;
		if (found != gf256_inv((uint8_t)a))
			refbad++;
		for (b = 0; b < 256; b++)
			if (gf256_mul(gf256_div((uint8_t)b, (uint8_t)a),
			        (uint8_t)a) != b)
				divbad++;
	}
	TAP_EQ_INT(bad, 0, "a * inv(a) = 1 for every nonzero a");
	TAP_EQ_INT(refbad, 0, "inv agrees with a brute-force search");
	TAP_EQ_INT(divbad, 0, "(b / a) * a = b for all b, nonzero a");
	TAP_EQ_INT(gf256_inv(0), 0, "inv(0) = 0");
	TAP_EQ_INT(gf256_inv(0x53), 0xca, "inv({53}) = {ca} (FIPS-197 5.1.1)");
}

#define NPTS 16
#define VLEN 24

static void
test_interpolate(void)
{
	uint8_t coef[VLEN][NPTS], xs[NPTS], yv[NPTS][VLEN], out[VLEN];
	const uint8_t *ys[NPTS];
	unsigned m, i, k, x, bad = 0, trials = 0, at_point = 0;
	size_t used;

	for (m = 1; m <= NPTS; m++) {
		for (k = 0; k < VLEN; k++)
			for (i = 0; i < m; i++)
				coef[k][i] = rnd();
		/* m distinct x: 3, 20, 37, ... (public, arbitrary) */
		for (i = 0; i < m; i++) {
			xs[i] = (uint8_t)(3 + 17 * i);
			for (k = 0; k < VLEN; k++)
				yv[i][k] = ref_eval(coef[k], m, xs[i]);
			ys[i] = yv[i];
		}
		used = m;
		for (x = 0; x < 256; x++) {
			if (gf256_interpolate(
			        (uint8_t)x, xs, ys, used, VLEN, out) != 0) {
				bad++;
				continue;
			}
			trials++;
			for (k = 0; k < VLEN; k++)
				if (out[k] != ref_eval(coef[k], m, (uint8_t)x))
					bad++;
			for (i = 0; i < m; i++)
				if (x == xs[i] && memcmp(out, yv[i], VLEN) != 0)
					at_point++;
		}
	}
	TAP_EQ_INT(bad, 0,
	    "interpolation recovers random polynomials "
	    "(degree 0..15) at every x");
	TAP_EQ_INT(trials, 16 * 256, "every interpolation ran");
	TAP_EQ_INT(at_point, 0, "interpolating at a known x returns its y");

	/* Must fail: duplicate x, no points. */
	xs[1] = xs[0];
	TAP_EQ_INT(gf256_interpolate(255, xs, ys, 3, VLEN, out),
	    CAIRN_ERR_INVAL, "duplicate x refused");
	TAP_EQ_INT(gf256_interpolate(255, xs, ys, 0, VLEN, out),
	    CAIRN_ERR_INVAL, "no points refused");

	/* With too few points, the result must differ from the secret
	 * (with overwhelming probability for 24 random bytes). */
	for (i = 0; i < 3; i++) {
		xs[i] = (uint8_t)i;
		for (k = 0; k < VLEN; k++)
			yv[i][k] = ref_eval(coef[k], NPTS, (uint8_t)i);
		ys[i] = yv[i];
	}
	gf256_interpolate(0x80, xs, ys, 3, VLEN, out);
	for (k = 0, bad = 0; k < VLEN; k++)
		if (out[k] == ref_eval(coef[k], NPTS, 0x80))
			bad++;
	TAP_OK(bad < VLEN, "too few points do not give the value");
}

int
main(void)
{
	test_mul();
	test_axioms();
	test_inverse();
	test_interpolate();
	return tap_done();
}
