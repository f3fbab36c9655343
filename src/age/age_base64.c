/*
 * age_base64.c - the strict base64 codecs of the age format (age_format.h):
 * unpadded for the header, padded for the armor; non-canonical encodings
 * are refused.
 *
 * Must not know any cryptography, the header's lines or stanzas
 * (age_format.c), or where the bytes come from.
 */
#include <stdint.h>
#include <string.h>

#include "age_format.h"
#include "cairn/err.h"

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63 for alphabet characters, 0xff otherwise. */
/* clang-format off */
static const uint8_t b64val[256] = {
	['A'] = 0 + 1, ['B'] = 1 + 1, ['C'] = 2 + 1, ['D'] = 3 + 1,
	['E'] = 4 + 1, ['F'] = 5 + 1, ['G'] = 6 + 1, ['H'] = 7 + 1,
	['I'] = 8 + 1, ['J'] = 9 + 1, ['K'] = 10 + 1, ['L'] = 11 + 1,
	['M'] = 12 + 1, ['N'] = 13 + 1, ['O'] = 14 + 1, ['P'] = 15 + 1,
	['Q'] = 16 + 1, ['R'] = 17 + 1, ['S'] = 18 + 1, ['T'] = 19 + 1,
	['U'] = 20 + 1, ['V'] = 21 + 1, ['W'] = 22 + 1, ['X'] = 23 + 1,
	['Y'] = 24 + 1, ['Z'] = 25 + 1, ['a'] = 26 + 1, ['b'] = 27 + 1,
	['c'] = 28 + 1, ['d'] = 29 + 1, ['e'] = 30 + 1, ['f'] = 31 + 1,
	['g'] = 32 + 1, ['h'] = 33 + 1, ['i'] = 34 + 1, ['j'] = 35 + 1,
	['k'] = 36 + 1, ['l'] = 37 + 1, ['m'] = 38 + 1, ['n'] = 39 + 1,
	['o'] = 40 + 1, ['p'] = 41 + 1, ['q'] = 42 + 1, ['r'] = 43 + 1,
	['s'] = 44 + 1, ['t'] = 45 + 1, ['u'] = 46 + 1, ['v'] = 47 + 1,
	['w'] = 48 + 1, ['x'] = 49 + 1, ['y'] = 50 + 1, ['z'] = 51 + 1,
	['0'] = 52 + 1, ['1'] = 53 + 1, ['2'] = 54 + 1, ['3'] = 55 + 1,
	['4'] = 56 + 1, ['5'] = 57 + 1, ['6'] = 58 + 1, ['7'] = 59 + 1,
	['8'] = 60 + 1, ['9'] = 61 + 1, ['+'] = 62 + 1, ['/'] = 63 + 1,
};
/* clang-format on */
/* The table stores value + 1 so that 0 means "not in the alphabet". */
#define B64V(c) ((int)b64val[(uint8_t)(c)] - 1)

/* ---- base64 ------------------------------------------------------------ */

size_t
age_b64_encoded_len(size_t n, int pad)
{
	if (pad)
		return (n + 2) / 3 * 4;
	return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

size_t
age_b64_decoded_len(size_t n)
{
	return n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
}

void
age_b64_encode(char *out, const uint8_t *in, size_t n, int pad)
{
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];

		*out++ = b64chars[v >> 18];
		*out++ = b64chars[(v >> 12) & 63];
		*out++ = b64chars[(v >> 6) & 63];
		*out++ = b64chars[v & 63];
	}
	if (n - i == 1) {
		*out++ = b64chars[in[i] >> 2];
		*out++ = b64chars[(in[i] & 3) << 4];
		if (pad) {
			*out++ = '=';
			*out++ = '=';
		}
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];

		*out++ = b64chars[v >> 10];
		*out++ = b64chars[(v >> 4) & 63];
		*out++ = b64chars[(v << 2) & 63];
		if (pad)
			*out++ = '=';
	}
}

int
age_b64_decode(
    const char *in, size_t n, uint8_t *out, size_t cap, size_t *outlen, int pad)
{
	size_t i, o = 0, rem;
	int a, b, c, d;

	*outlen = 0;
	if (pad) {
		if (n % 4 != 0)
			return CAIRN_ERR_FORMAT;
		if (n > 0 && in[n - 1] == '=')
			n -= (n > 1 && in[n - 2] == '=') ? 2 : 1;
	}
	rem = n % 4;
	if (rem == 1)
		return CAIRN_ERR_FORMAT;
	if (age_b64_decoded_len(n) > cap)
		return CAIRN_ERR_INVAL;
	for (i = 0; i + 4 <= n; i += 4) {
		a = B64V(in[i]);
		b = B64V(in[i + 1]);
		c = B64V(in[i + 2]);
		d = B64V(in[i + 3]);
		if ((a | b | c | d) < 0)
			return CAIRN_ERR_FORMAT;
		out[o++] = (uint8_t)(a << 2 | b >> 4);
		out[o++] = (uint8_t)(b << 4 | c >> 2);
		out[o++] = (uint8_t)(c << 6 | d);
	}
	if (rem >= 2) {
		a = B64V(in[i]);
		b = B64V(in[i + 1]);
		c = rem == 3 ? B64V(in[i + 2]) : 0;
		if ((a | b | c) < 0)
			return CAIRN_ERR_FORMAT;
		/* canonical: the unused low bits must be zero */
		if ((rem == 2 && (b & 15) != 0) || (rem == 3 && (c & 3) != 0))
			return CAIRN_ERR_FORMAT;
		out[o++] = (uint8_t)(a << 2 | b >> 4);
		if (rem == 3)
			out[o++] = (uint8_t)(b << 4 | c >> 2);
	}
	*outlen = o;
	return 0;
}
