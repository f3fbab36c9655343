/*
 * gf256.c - constant-time GF(2^8) arithmetic (Rijndael polynomial 0x11b)
 * and Lagrange interpolation for SLIP-39 Shamir sharing.
 *
 * Side channels: the log/exp tables most implementations use index memory
 * with secret bytes and leak them through the cache (HashiCorp Vault,
 * CVE-2023-25000).  Here multiplication is a fixed 8-step shift-and-xor
 * whose conditional parts are masks, and inversion is a fixed chain of
 * multiplications (a^254).  Must not know anything of shares or words.
 */
#include "gf256.h"

#include "cairn/err.h"

uint8_t
gf256_mul(uint8_t a, uint8_t b)
{
	uint32_t x = a, y = b, r = 0;
	int i;

	for (i = 0; i < 8; i++) {
		/* r ^= x when the low bit of y is set */
		r ^= (0u - (y & 1u)) & x;
		y >>= 1;
		/* x *= X, reducing by 0x11b when bit 7 falls off */
		x = ((x << 1) ^ ((0u - (x >> 7)) & 0x11bu)) & 0xffu;
	}
	return (uint8_t)r;
}

uint8_t
gf256_inv(uint8_t a)
{
	uint8_t a2, a3, a6, a12, a15, a30, a60, a120, a126, a127, a254;

	/* 254 = 0b11111110; a fixed addition chain, no data-dependent step.
	 * (0^254 = 0, which is the conventional "inverse" of 0.) */
	a2 = gf256_mul(a, a);
	a3 = gf256_mul(a2, a);
	a6 = gf256_mul(a3, a3);
	a12 = gf256_mul(a6, a6);
	a15 = gf256_mul(a12, a3);
	a30 = gf256_mul(a15, a15);
	a60 = gf256_mul(a30, a30);
	a120 = gf256_mul(a60, a60);
	a126 = gf256_mul(a120, a6);
	a127 = gf256_mul(a126, a);
	a254 = gf256_mul(a127, a127);
	return a254;
}

uint8_t
gf256_div(uint8_t a, uint8_t b)
{
	return gf256_mul(a, gf256_inv(b));
}

int
gf256_interpolate(uint8_t x, const uint8_t *xs, const uint8_t *const *ys,
    size_t m, size_t len, uint8_t *out)
{
	size_t i, j, k;
	uint8_t num, den, basis;

	if (m == 0)
		return CAIRN_ERR_INVAL;
	/* The xs are public share indices: branching on them is fine. */
	for (i = 0; i < m; i++)
		for (j = i + 1; j < m; j++)
			if (xs[i] == xs[j])
				return CAIRN_ERR_INVAL;

	for (k = 0; k < len; k++)
		out[k] = 0;
	for (i = 0; i < m; i++) {
		/* Lagrange basis polynomial i evaluated at x. */
		num = 1;
		den = 1;
		for (j = 0; j < m; j++) {
			if (j == i)
				continue;
			num = gf256_mul(num, gf256_add(x, xs[j]));
			den = gf256_mul(den, gf256_add(xs[i], xs[j]));
		}
		basis = gf256_div(num, den);
		for (k = 0; k < len; k++)
			out[k] ^= gf256_mul(ys[i][k], basis);
	}
	return 0;
}
