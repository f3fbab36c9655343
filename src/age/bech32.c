/*
 * bech32.c - Bech32 encoding and decoding (BIP-173 checksum, age's rules:
 * no length limit, upper or lower case but never mixed, checksum over the
 * lower-case form).
 *
 * Must not know about age key types or HRPs; callers check those.
 */
#include <string.h>

#include <sodium.h>

#include "bech32.h"
#include "cairn/err.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

#define HRP_MAX 83 /* BIP-173 limit on the human-readable part */

static uint32_t
polymod_step(uint32_t chk, uint8_t v)
{
	static const uint32_t gen[5] = {
	    0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
	uint32_t b = chk >> 25;
	int i;

	chk = ((chk & 0x1ffffff) << 5) ^ v;
	for (i = 0; i < 5; i++)
		chk ^= ((b >> i) & 1) ? gen[i] : 0;
	return chk;
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Checksum state after the expanded hrp (lower-cased). */
static uint32_t
hrp_polymod(const char *hrp, size_t n)
{
	uint32_t chk = 1;
	size_t i;

	for (i = 0; i < n; i++)
		chk = polymod_step(chk, (uint8_t)((uint8_t)lower(hrp[i]) >> 5));
	chk = polymod_step(chk, 0);
	for (i = 0; i < n; i++)
		chk = polymod_step(chk, (uint8_t)((uint8_t)lower(hrp[i]) & 31));
	return chk;
}

static int
hrp_ok(const char *hrp, size_t n)
{
	size_t i;

	if (n < 1 || n > HRP_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (hrp[i] < 33 || hrp[i] > 126)
			return 0;
	return 1;
}

size_t
bech32_encoded_len(size_t hrplen, size_t len)
{
	return hrplen + 1 + (len * 8 + 4) / 5 + 6;
}

int
bech32_encode(
    char *out, size_t cap, const char *hrp, const uint8_t *data, size_t len)
{
	size_t hn = strlen(hrp), o = 0, i;
	uint32_t chk, acc = 0;
	unsigned bits = 0;

	if (!hrp_ok(hrp, hn) || len > (SIZE_MAX - 200) / 8 ||
	    cap < bech32_encoded_len(hn, len) + 1)
		return CAIRN_ERR_INVAL;
	chk = hrp_polymod(hrp, hn);
	for (i = 0; i < hn; i++)
		out[o++] = lower(hrp[i]);
	out[o++] = '1';
	for (i = 0; i < len; i++) {
		acc = ((acc << 8) | data[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			uint8_t v = (uint8_t)((acc >> (bits - 5)) & 31);

			bits -= 5;
			chk = polymod_step(chk, v);
			out[o++] = charset[v];
		}
	}
	if (bits > 0) {
		uint8_t v = (uint8_t)((acc << (5 - bits)) & 31);

		chk = polymod_step(chk, v);
		out[o++] = charset[v];
	}
	for (i = 0; i < 6; i++)
		chk = polymod_step(chk, 0);
	chk ^= 1;
	for (i = 0; i < 6; i++)
		out[o++] = charset[(chk >> (5 * (5 - i))) & 31];
	out[o] = '\0';
	acc = 0;
	sodium_memzero(&acc, sizeof(acc));
	return 0;
}

static int
charset_index(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(charset, lower(c));
	return p == NULL ? -1 : (int)(p - charset);
}

int
bech32_decode(const char *s, size_t slen, char *hrp, size_t hrpcap,
    uint8_t *data, size_t datacap, size_t *datalen)
{
	size_t i, pos, ndata, o = 0;
	int has_lower = 0, has_upper = 0, ret = CAIRN_ERR_INVAL;
	uint32_t chk, acc = 0;
	unsigned bits = 0;

	*datalen = 0;
	for (i = 0; i < slen; i++) {
		if (s[i] >= 'a' && s[i] <= 'z')
			has_lower = 1;
		else if (s[i] >= 'A' && s[i] <= 'Z')
			has_upper = 1;
	}
	if (has_lower && has_upper)
		return CAIRN_ERR_INVAL;
	pos = slen;
	for (i = slen; i > 0; i--)
		if (s[i - 1] == '1') {
			pos = i - 1;
			break;
		}
	if (pos == slen || !hrp_ok(s, pos) || slen - pos - 1 < 6 ||
	    hrpcap < pos + 1)
		return CAIRN_ERR_INVAL;
	ndata = slen - pos - 1 - 6;
	chk = hrp_polymod(s, pos);
	for (i = pos + 1; i < slen; i++) {
		int v = charset_index(s[i]);

		if (v < 0)
			goto out;
		chk = polymod_step(chk, (uint8_t)v);
		if (i - pos - 1 >= ndata)
			continue; /* checksum characters */
		acc = ((acc << 5) | (uint32_t)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= datacap)
				goto out;
			data[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* BIP-173 convertbits without padding: < 5 leftover bits, all 0. */
	if (chk != 1 || bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
		goto out;
	memcpy(hrp, s, pos);
	hrp[pos] = '\0';
	*datalen = o;
	ret = 0;
out:
	if (ret != 0 && o > 0)
		sodium_memzero(data, o);
	sodium_memzero(&acc, sizeof(acc));
	return ret;
}
