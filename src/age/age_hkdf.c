/*
 * age_hkdf.c - HKDF-SHA-256 (RFC 5869) for a single 32-byte output block,
 * on libsodium's HMAC-SHA-256.  Must not know age's labels or formats.
 */
#include <string.h>

#include <sodium.h>

#include "age_hkdf.h"

int
age_hkdf_sha256(uint8_t out[AGE_HKDF_LEN], const uint8_t *ikm, size_t ikmlen,
    const uint8_t *salt, size_t saltlen, const char *info)
{
	crypto_auth_hmacsha256_state st;
	uint8_t prk[crypto_auth_hmacsha256_BYTES];
	static const uint8_t one = 1, empty[1];

	/* Extract: PRK = HMAC(salt, IKM); an empty salt is HashLen zeros,
	 * which HMAC treats the same as an empty key. */
	crypto_auth_hmacsha256_init(&st, salt != NULL ? salt : empty, saltlen);
	crypto_auth_hmacsha256_update(&st, ikm, ikmlen);
	crypto_auth_hmacsha256_final(&st, prk);
	/* Expand, one block: T(1) = HMAC(PRK, info || 0x01). */
	crypto_auth_hmacsha256_init(&st, prk, sizeof(prk));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)info, strlen(info));
	crypto_auth_hmacsha256_update(&st, &one, 1);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(&st, sizeof(st));
	return 0;
}
