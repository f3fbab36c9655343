/*
 * digest.h - streaming SHA-256 (nettle, which uses the SHA-NI instructions
 * where the CPU has them), hex encoding and constant-time comparison.
 *
 * Knows nothing of archives, files or SHA256SUMS; it hashes bytes.  The
 * digest size and the lower-case hex form are fixed by FIPS 180-4 and by
 * the `sha256sum` text format that SHA256SUMS uses.
 */
#ifndef CAIRN_DIGEST_H
#define CAIRN_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

#include "cio.h"

#define DIGEST_SHA256_LEN     32
#define DIGEST_SHA256_HEX_LEN 65 /* 64 hex characters + NUL */

/* Streaming SHA-256 state; plain memory, no cleanup needed (final wipes). */
struct digest_sha256 {
	struct sha256_ctx ctx;
};

void digest_sha256_init(struct digest_sha256 *d);
void digest_sha256_update(struct digest_sha256 *d, const void *buf, size_t len);
/* Writes the digest and wipes the state (init again to reuse it). */
void digest_sha256_final(
    struct digest_sha256 *d, uint8_t out[DIGEST_SHA256_LEN]);
/* One-shot convenience. */
void digest_sha256(const void *buf, size_t len, uint8_t out[DIGEST_SHA256_LEN]);

/*
 * Tee sink: every write is hashed, counted and (when next is non-NULL)
 * passed on to next.  Use as struct cio_sink { digest_tee_write, &tee }.
 */
struct digest_tee {
	struct digest_sha256 d;
	const struct cio_sink *next; /* may be NULL: hash only */
	uint64_t count;              /* bytes written so far */
};
void digest_tee_init(struct digest_tee *t, const struct cio_sink *next);
int digest_tee_write(void *tee, const uint8_t *buf, size_t len);

/*
 * Hash everything src yields until its end.  Returns 0 (and sets *count,
 * if non-NULL, to the number of bytes) or the source's negative error.
 */
int digest_sha256_source(const struct cio_source *src,
    uint8_t out[DIGEST_SHA256_LEN], uint64_t *count);

/* Lower-case hex of len bytes into out, which holds 2 * len + 1 bytes
 * (NUL-terminated).  Returns out. */
char *digest_hex(const uint8_t *bin, size_t len, char *out);
/*
 * Strict hex decoding: hexlen must be exactly 2 * outlen and every
 * character [0-9a-f] (upper-case too when allow_upper).  Returns 0 or
 * CAIRN_ERR_FORMAT.  Not constant-time; for digests, not secrets.
 */
int digest_hex_decode(const char *hex, size_t hexlen, uint8_t *out,
    size_t outlen, int allow_upper);

/* 1 when the len bytes at a and b are equal, 0 otherwise; constant-time
 * in the contents (sodium_memcmp). */
int digest_equal(const void *a, const void *b, size_t len);

#endif
