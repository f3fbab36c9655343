/*
 * age_hkdf.h - HKDF-SHA-256 (RFC 5869) with a 32-byte output, the only
 * length age uses, built on libsodium's HMAC-SHA-256 (libsodium 1.0.18
 * has no HKDF of its own).  Knows nothing of age's labels.
 */
#ifndef CAIRN_AGE_HKDF_H
#define CAIRN_AGE_HKDF_H

#include <stddef.h>
#include <stdint.h>

#define AGE_HKDF_LEN 32

/* out = HKDF-Expand(HKDF-Extract(salt, ikm), info, 32).  Always returns 0;
 * intermediate values are wiped. */
int age_hkdf_sha256(uint8_t out[AGE_HKDF_LEN], const uint8_t *ikm,
    size_t ikmlen, const uint8_t *salt, size_t saltlen, const char *info);

#endif
