/*
 * gf256.h - constant-time arithmetic in GF(2^8) with the Rijndael
 * polynomial x^8 + x^4 + x^3 + x + 1 (0x11b), and Lagrange interpolation
 * over byte vectors, as used by SLIP-39's Shamir secret sharing.
 *
 * Constant time: no table lookup and no branch ever depends on a field
 * element's value (multiplication is bit-sliced shift-and-xor with masks,
 * inversion is exponentiation to 254).  Interpolation treats the x
 * coordinates as public (they are share indices printed on every share)
 * and the y vectors as secret.  Knows nothing of mnemonics or shares.
 */
#ifndef CAIRN_GF256_H
#define CAIRN_GF256_H

#include <stddef.h>
#include <stdint.h>

/* a + b (and a - b): exclusive or. */
static inline uint8_t
gf256_add(uint8_t a, uint8_t b)
{
	return (uint8_t)(a ^ b);
}

/* a * b modulo 0x11b, in constant time. */
uint8_t gf256_mul(uint8_t a, uint8_t b);

/* The multiplicative inverse a^254, in constant time; 0 maps to 0. */
uint8_t gf256_inv(uint8_t a);

/* a / b = a * b^-1, in constant time; b == 0 gives 0. */
uint8_t gf256_div(uint8_t a, uint8_t b);

/*
 * Evaluate at x the polynomials f_k of degree < m defined by the m points
 * (xs[i], ys[i][k]), for k = 0 .. len-1, writing f_k(x) to out[k]:
 *
 *   f_k(x) = sum_i ys[i][k] * prod_{j != i} (x - xs[j]) / (xs[i] - xs[j])
 *
 * xs are public, ys and out secret.  x may equal one of the xs (the result
 * is then that point's y).  out must not overlap any ys[i].  Returns 0, or
 * CAIRN_ERR_INVAL when m is 0 or two xs are equal.
 */
int gf256_interpolate(uint8_t x, const uint8_t *xs, const uint8_t *const *ys,
    size_t m, size_t len, uint8_t *out);

#endif
