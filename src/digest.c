/*
 * digest.c - streaming SHA-256 via nettle, hex helpers and constant-time
 * comparison (see digest.h).
 *
 * Knows nothing of archives, SHA256SUMS or signatures.
 */
#include <string.h>

#include <nettle/sha2.h>
#include <sodium.h>

#include "cairn_err.h"
#include "cio.h"
#include "digest.h"

void
digest_sha256_init(struct digest_sha256 *d)
{
	sha256_init(&d->ctx);
}

void
digest_sha256_update(struct digest_sha256 *d, const void *buf, size_t len)
{
	if (len > 0)
		sha256_update(&d->ctx, len, buf);
}

void
digest_sha256_final(struct digest_sha256 *d, uint8_t out[DIGEST_SHA256_LEN])
{
	sha256_digest(&d->ctx, DIGEST_SHA256_LEN, out);
	sodium_memzero(&d->ctx, sizeof d->ctx);
}

void
digest_sha256(const void *buf, size_t len, uint8_t out[DIGEST_SHA256_LEN])
{
	struct digest_sha256 d;

	digest_sha256_init(&d);
	digest_sha256_update(&d, buf, len);
	digest_sha256_final(&d, out);
}

void
digest_tee_init(struct digest_tee *t, const struct cio_sink *next)
{
	digest_sha256_init(&t->d);
	t->next = next;
	t->count = 0;
}

int
digest_tee_write(void *tee, const uint8_t *buf, size_t len)
{
	struct digest_tee *t = tee;
	int rc;

	if (t->next != NULL &&
	    (rc = t->next->write(t->next->ctx, buf, len)) != 0)
		return rc;
	digest_sha256_update(&t->d, buf, len);
	t->count += len;
	return 0;
}

int
digest_sha256_source(const struct cio_source *src,
    uint8_t out[DIGEST_SHA256_LEN], uint64_t *count)
{
	struct digest_sha256 d;
	uint8_t buf[65536];
	uint64_t n = 0;
	ssize_t r;

	digest_sha256_init(&d);
	while ((r = src->read(src->ctx, buf, sizeof buf)) > 0) {
		digest_sha256_update(&d, buf, (size_t)r);
		n += (uint64_t)r;
	}
	if (r < 0) {
		sodium_memzero(&d, sizeof d);
		return (int)r;
	}
	digest_sha256_final(&d, out);
	if (count != NULL)
		*count = n;
	return 0;
}

char *
digest_hex(const uint8_t *bin, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex[bin[i] >> 4];
		out[2 * i + 1] = hex[bin[i] & 0x0f];
	}
	out[2 * len] = '\0';
	return out;
}

static int
hexval(char c, int allow_upper)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (allow_upper && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
digest_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t outlen,
    int allow_upper)
{
	size_t i;

	if (outlen > SIZE_MAX / 2 || hexlen != 2 * outlen)
		return CAIRN_ERR_FORMAT;
	for (i = 0; i < outlen; i++) {
		int hi = hexval(hex[2 * i], allow_upper);
		int lo = hexval(hex[2 * i + 1], allow_upper);

		if (hi < 0 || lo < 0)
			return CAIRN_ERR_FORMAT;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int
digest_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}
