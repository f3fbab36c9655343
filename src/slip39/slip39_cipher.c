/*
 * slip39_cipher.c - SLIP-39's encryption of the master secret: a 4-round
 * Feistel network whose round function is PBKDF2-HMAC-SHA256
 *
 *   F(i, R) = PBKDF2(password = i || passphrase,
 *                    salt = salt_prefix || R,
 *                    iterations = 2500 << e, dkLen = n/2)
 *   salt_prefix = "shamir" || id (2 bytes, big-endian) when ext = 0,
 *                 empty when ext = 1.
 *
 * PBKDF2 is RFC 8018 section 5.2 built on libsodium's HMAC-SHA256 (the
 * keyed state is computed once and copied per iteration, as every
 * PBKDF2 implementation does), so that every intermediate can be wiped;
 * tests check it against nettle's pbkdf2_hmac_sha256.  Knows nothing of
 * words or of Shamir sharing.
 */
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/slip39.h"

/* Format constants (SLIP-0039 "Encryption of the master secret"). */
#define ROUNDS 4
static const char SALT_PREFIX[] = "shamir";
#define SALT_PREFIX_LEN 6
#define HALF_MAX        (SLIP39_MAX_SECRET_LEN / 2)

/* Everything secret the cipher touches, in one sodium_malloc block. */
struct cipher_ws {
	crypto_auth_hmacsha256_state keyed, st;
	uint8_t u[crypto_auth_hmacsha256_BYTES];
	uint8_t t[crypto_auth_hmacsha256_BYTES];
	uint8_t l[HALF_MAX], r[HALF_MAX], f[HALF_MAX];
	uint8_t salt[SALT_PREFIX_LEN + 2 + HALF_MAX];
	uint8_t pw[]; /* round index || passphrase */
};

/* PBKDF2-HMAC-SHA256 (RFC 8018), dkLen <= 32 (one block is all SLIP-39
 * needs: n/2 <= 32). */
static void
pbkdf2_sha256_block(struct cipher_ws *ws, const uint8_t *pw, size_t pwlen,
    const uint8_t *salt, size_t saltlen, uint32_t iterations, uint8_t *out,
    size_t outlen)
{
	static const uint8_t block1[4] = {0, 0, 0, 1};
	uint32_t j;
	size_t k;

	crypto_auth_hmacsha256_init(&ws->keyed, pw, pwlen);
	ws->st = ws->keyed;
	crypto_auth_hmacsha256_update(&ws->st, salt, saltlen);
	crypto_auth_hmacsha256_update(&ws->st, block1, sizeof block1);
	crypto_auth_hmacsha256_final(&ws->st, ws->u);
	memcpy(ws->t, ws->u, sizeof ws->t);
	for (j = 1; j < iterations; j++) {
		ws->st = ws->keyed;
		crypto_auth_hmacsha256_update(&ws->st, ws->u, sizeof ws->u);
		crypto_auth_hmacsha256_final(&ws->st, ws->u);
		for (k = 0; k < sizeof ws->t; k++)
			ws->t[k] ^= ws->u[k];
	}
	memcpy(out, ws->t, outlen);
}

int
slip39_passphrase_check(const char *pass, size_t passlen)
{
	size_t i;

	if (pass == NULL)
		return passlen == 0;
	for (i = 0; i < passlen; i++)
		if ((unsigned char)pass[i] < 32 || (unsigned char)pass[i] > 126)
			return 0;
	return 1;
}

static int
feistel(const uint8_t *in, size_t len, const char *pass, size_t passlen, int e,
    uint16_t id, int ext, uint8_t *out, int decrypt)
{
	struct cipher_ws *ws = NULL;
	size_t half = len / 2, prefix, wslen, k;
	uint32_t iterations;
	int round, i;

	if (in == NULL || out == NULL || len < SLIP39_MIN_SECRET_LEN ||
	    len > SLIP39_MAX_SECRET_LEN || len % 2 != 0 || e < 0 ||
	    e > SLIP39_MAX_ITERATION_EXPONENT || (ext != 0 && ext != 1) ||
	    id >= (1u << SLIP39_ID_BITS) || passlen > SIZE_MAX / 2 ||
	    !slip39_passphrase_check(pass, passlen))
		return CAIRN_ERR_INVAL;
	if (sodium_init() < 0)
		return CAIRN_ERR_NOMEM;
	/* sodium_malloc only aligns sizes that are multiples of the
	 * alignment: round up so the HMAC states are aligned. */
	wslen = (sizeof *ws + 1 + passlen + 63) & ~(size_t)63;
	if ((ws = cio_secret_malloc(wslen)) == NULL)
		return CAIRN_ERR_NOMEM;

	iterations = (uint32_t)SLIP39_BASE_ITERATIONS << e;
	if (passlen > 0)
		memcpy(ws->pw + 1, pass, passlen);
	prefix = 0;
	if (!ext) {
		memcpy(ws->salt, SALT_PREFIX, SALT_PREFIX_LEN);
		ws->salt[SALT_PREFIX_LEN] = (uint8_t)(id >> 8);
		ws->salt[SALT_PREFIX_LEN + 1] = (uint8_t)(id & 0xff);
		prefix = SALT_PREFIX_LEN + 2;
	}
	memcpy(ws->l, in, half);
	memcpy(ws->r, in + half, half);
	for (round = 0; round < ROUNDS; round++) {
		i = decrypt ? ROUNDS - 1 - round : round;
		ws->pw[0] = (uint8_t)i;
		memcpy(ws->salt + prefix, ws->r, half);
		pbkdf2_sha256_block(ws, ws->pw, 1 + passlen, ws->salt,
		    prefix + half, iterations, ws->f, half);
		/* (L, R) = (R, L xor F(i, R)) */
		for (k = 0; k < half; k++) {
			ws->f[k] ^= ws->l[k];
			ws->l[k] = ws->r[k];
			ws->r[k] = ws->f[k];
		}
	}
	/* out = R || L (in and out may alias: in is no longer read) */
	memcpy(out, ws->r, half);
	memcpy(out + half, ws->l, half);
	sodium_free(ws); /* zeroes the whole block */
	return 0;
}

int
slip39_encrypt(const uint8_t *in, size_t len, const char *pass, size_t passlen,
    int iteration_exponent, uint16_t identifier, int extendable, uint8_t *out)
{
	return feistel(in, len, pass, passlen, iteration_exponent, identifier,
	    extendable, out, 0);
}

int
slip39_decrypt(const uint8_t *in, size_t len, const char *pass, size_t passlen,
    int iteration_exponent, uint16_t identifier, int extendable, uint8_t *out)
{
	return feistel(in, len, pass, passlen, iteration_exponent, identifier,
	    extendable, out, 1);
}
