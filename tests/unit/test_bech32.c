/*
 * test_bech32.c - Bech32 (BIP-173) encode/decode: the BIP's valid and
 * invalid strings, case rules, padding rules, no length limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bech32.h"
#include "cairn/err.h"
#include "tap.h"

/* memcmp that accepts NULL pointers when n is 0 (empty membufs). */
static int
tmemcmp(const void *a, const void *b, size_t n)
{
	return n == 0 ? 0 : memcmp(a, b, n);
}

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* Independent reference (BIP-173 text): build hrp1<5-bit data><checksum>. */
static uint32_t
ref_polymod(const uint8_t *v, size_t n)
{
	static const uint32_t g[5] = {
	    0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
	uint32_t chk = 1;
	size_t i;
	int j;

	for (i = 0; i < n; i++) {
		uint32_t b = chk >> 25;

		chk = (chk & 0x1ffffff) << 5 ^ v[i];
		for (j = 0; j < 5; j++)
			if ((b >> j) & 1)
				chk ^= g[j];
	}
	return chk;
}

static void
ref_encode(char *out, const char *hrp, const uint8_t *d5, size_t n)
{
	uint8_t v[512];
	size_t hn = strlen(hrp), k = 0, i;
	uint32_t pm;

	for (i = 0; i < hn; i++)
		v[k++] = (uint8_t)(hrp[i] >> 5);
	v[k++] = 0;
	for (i = 0; i < hn; i++)
		v[k++] = (uint8_t)(hrp[i] & 31);
	memcpy(v + k, d5, n);
	k += n;
	memset(v + k, 0, 6);
	pm = ref_polymod(v, k + 6) ^ 1;
	strcpy(out, hrp);
	out[hn] = '1';
	for (i = 0; i < n; i++)
		out[hn + 1 + i] = charset[d5[i]];
	for (i = 0; i < 6; i++)
		out[hn + 1 + n + i] = charset[(pm >> (5 * (5 - i))) & 31];
	out[hn + 1 + n + 6] = '\0';
}

static int
dec(const char *s, char *hrp, uint8_t *data, size_t *len)
{
	return bech32_decode(s, strlen(s), hrp, 100, data, 100, len);
}

int
main(void)
{
	// clang-format off
	static const char *valid[] = {
		"A12UEL5L",
		"a12uel5l",
		"an83characterlonghumanreadablepartthatcontainsthenumber1andthe"
		"excludedcharactersbio1tt5tgs",
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"11" "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
		"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq" "c8247j",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
		"?1ezyfcl",
	};
	static const char *invalid[] = {
		" 1nwldj5",	/* HRP character out of range */
		"\x7f" "1axkwrx", /* HRP character out of range */
		"\x80" "1eym55h",
		"an84characterslonghumanreadablepartthatcontainsthenumber1andthe"
		"excludedcharactersbio1569pvx", /* HRP too long */
		"pzry9x0s0muk",	/* no separator */
		"1pzry9x0s0muk", /* empty HRP */
		"x1b4n0q5v",	/* invalid data character */
		"li1dgmt3",	/* checksum too short */
		"de1lg7wt\xff", /* invalid character in checksum */
		"A1G7SGD8",	/* checksum over upper-case HRP */
		"10a06t8",	/* empty HRP */
		"1qzzfhee",	/* empty HRP */
		"A12uEL5L",	/* mixed case */
		"a12uel5m",	/* bad checksum */
		"",
	};
	// clang-format on
	char hrp[100], s[4096], big[4096];
	uint8_t data[2048], back[2048], d5[128];
	size_t len, i, n;
	int ret;

	if (sodium_init() < 0)
		return 1;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		TAP_EQ_INT(dec(valid[i], hrp, data, &len), 0, valid[i]);
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		TAP_EQ_INT(dec(invalid[i], hrp, data, &len), CAIRN_ERR_INVAL,
		    "BIP-173 invalid string refused");

	/* HRP case is kept as given; data are the same either way. */
	TAP_OK(dec("A12UEL5L", hrp, data, &len) == 0 && strcmp(hrp, "A") == 0 &&
	        len == 0,
	    "upper-case HRP returned as is");
	TAP_OK(dec("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", hrp, data,
	           &len) == 0 &&
	        len == 20,
	    "32 groups decode to 20 bytes");

	/* Encode: lower case output, decodes back, matches the reference. */
	for (n = 0; n <= 70; n++) {
		uint8_t v[70];
		char ref[256];
		size_t k, bits = 0, nd = 0;
		uint32_t acc = 0;

		randombytes_buf(v, n);
		ret = bech32_encode(s, sizeof(s), "Age-Test", v, n);
		for (k = 0; k < n; k++) {
			acc = acc << 8 | v[k];
			bits += 8;
			while (bits >= 5) {
				bits -= 5;
				d5[nd++] = (uint8_t)((acc >> bits) & 31);
			}
		}
		if (bits > 0)
			d5[nd++] = (uint8_t)((acc << (5 - bits)) & 31);
		ref_encode(ref, "age-test", d5, nd);
		if (ret != 0 || strcmp(s, ref) != 0 ||
		    strlen(s) != bech32_encoded_len(8, n) ||
		    dec(s, hrp, back, &len) != 0 || len != n ||
		    tmemcmp(back, v, n) != 0 || strcmp(hrp, "age-test") != 0) {
			TAP_OK(0, "encode/decode %zu bytes", n);
			break;
		}
	}
	TAP_OK(
	    n == 71, "encode matches reference and round-trips, 0..70 bytes");

	/* No 90-character limit: 1500 bytes is 2400 characters. */
	randombytes_buf(data, 1500);
	TAP_EQ_INT(bech32_encode(big, sizeof(big), "age", data, 1500), 0,
	    "encode 1500 bytes");
	TAP_OK(bech32_decode(big, strlen(big), hrp, sizeof(hrp), back,
	           sizeof(back), &len) == 0 &&
	        len == 1500 && tmemcmp(back, data, 1500) == 0,
	    "decode 2400-character string");
	TAP_EQ_INT(
	    bech32_decode(big, strlen(big), hrp, sizeof(hrp), back, 1499, &len),
	    CAIRN_ERR_INVAL, "data buffer too small refused");
	TAP_EQ_INT(bech32_encode(s, bech32_encoded_len(3, 32), "age", data, 32),
	    CAIRN_ERR_INVAL, "output buffer without room for NUL refused");
	TAP_EQ_INT(bech32_encode(s, sizeof(s), "", data, 1), CAIRN_ERR_INVAL,
	    "empty HRP refused");

	/* Upper-case form of a valid string decodes to the same data. */
	bech32_encode(s, sizeof(s), "age-secret-key-", data, 32);
	for (i = 0; s[i] != '\0'; i++)
		s[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	TAP_OK(dec(s, hrp, back, &len) == 0 && len == 32 &&
	        tmemcmp(back, data, 32) == 0 &&
	        strcmp(hrp, "AGE-SECRET-KEY-") == 0,
	    "upper-case string decodes");
	s[20] = (char)(s[20] + 32); /* one lower-case data character */
	TAP_EQ_INT(dec(s, hrp, back, &len), CAIRN_ERR_INVAL,
	    "mixed-case string refused");

	/* Padding: 5 leftover bits (one group) and non-zero pad bits. */
	d5[0] = 3;
	ref_encode(s, "a", d5, 1);
	TAP_EQ_INT(dec(s, hrp, back, &len), CAIRN_ERR_INVAL,
	    "5 bits of padding refused");
	d5[0] = 0;
	d5[1] = 1; /* 10 bits: 8 data, 2 padding bits = 01 */
	ref_encode(s, "a", d5, 2);
	TAP_EQ_INT(dec(s, hrp, back, &len), CAIRN_ERR_INVAL,
	    "non-zero padding bits refused");
	d5[1] = 0;
	ref_encode(s, "a", d5, 2);
	TAP_OK(dec(s, hrp, back, &len) == 0 && len == 1 && back[0] == 0,
	    "zero padding bits accepted");
	/* Every single-character change breaks the checksum. */
	bech32_encode(s, sizeof(s), "age", data, 32);
	n = 0;
	for (i = 4; s[i] != '\0'; i++) {
		char c = s[i];

		s[i] = c == 'q' ? 'p' : 'q';
		n += dec(s, hrp, back, &len) == CAIRN_ERR_INVAL;
		s[i] = c;
	}
	TAP_EQ_INT(n, strlen(s) - 4, "every substituted character detected");
	return tap_done();
}
