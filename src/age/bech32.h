/*
 * bech32.h - Bech32 (BIP-173, not bech32m) as age uses it: no 90-character
 * length limit, 8-bit payloads converted to 5-bit groups without padding
 * slack on decode.  Knows nothing of age key types.
 */
#ifndef CAIRN_BECH32_H
#define CAIRN_BECH32_H

#include <stddef.h>
#include <stdint.h>

/* Length of the encoding of len bytes under hrp, without the NUL. */
size_t bech32_encoded_len(size_t hrplen, size_t len);

/*
 * Encode data (8-bit bytes) under hrp into out (cap bytes including the
 * NUL).  Output is lower case; hrp must be 1..83 printable ASCII
 * characters (upper-case letters are lowered).  Returns 0, or
 * CAIRN_ERR_INVAL (bad hrp, or out too small).
 */
int bech32_encode(
    char *out, size_t cap, const char *hrp, const uint8_t *data, size_t len);

/*
 * Decode the Bech32 string s (slen bytes; not NUL-terminated necessarily).
 * The string must be all lower or all upper case.  On success the
 * human-readable part is copied, in its original case and NUL-terminated,
 * into hrp (hrpcap bytes), and the 8-bit data into data (datacap bytes),
 * with its length in *datalen.  Returns 0 or CAIRN_ERR_INVAL (bad
 * character, mixed case, bad checksum, bad padding, or too small a
 * buffer).  Intermediate values are wiped: data may be a secret key.
 */
int bech32_decode(const char *s, size_t slen, char *hrp, size_t hrpcap,
    uint8_t *data, size_t datacap, size_t *datalen);

#endif
