/*
 * age_scrypt.c - the age v1 scrypt recipient type: the file key wrapped
 * with a key derived from a passphrase by scrypt (N = 2^work factor, r = 8,
 * p = 1, salt = label || 16 random bytes) and ChaCha20-Poly1305 with a
 * zero nonce.
 *
 * Must not know the header text format beyond struct age_stanza, the
 * payload, or other recipient types.  The rule that an scrypt stanza is
 * alone in its header is checked by the reader (age.c) for every
 * identity, and again here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_format.h"
#include "age_scrypt.h"
#include "cairn/err.h"

#define BODY_LEN     (AGE_FILE_KEY_LEN + crypto_aead_chacha20poly1305_ietf_ABYTES)
#define SALT_B64_LEN 22 /* unpadded base64 of 16 bytes */
#define LABEL_LEN    (sizeof(AGE_SCRYPT_LABEL) - 1)

struct scrypt_ctx { /* sodium_malloc'd, passphrase follows */
	int work_factor;
	size_t passlen;
	char pass[];
};

static const uint8_t zero_nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];

static int
derive(const struct scrypt_ctx *c, const uint8_t salt[AGE_SCRYPT_SALT_LEN],
    int wf, uint8_t key[32])
{
	uint8_t s[LABEL_LEN + AGE_SCRYPT_SALT_LEN];

	memcpy(s, AGE_SCRYPT_LABEL, LABEL_LEN);
	memcpy(s + LABEL_LEN, salt, AGE_SCRYPT_SALT_LEN);
	if (crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)c->pass,
	        c->passlen, s, sizeof(s), (uint64_t)1 << wf, 8, 1, key,
	        32) != 0)
		return CAIRN_ERR_NOMEM;
	return 0;
}

static int
scrypt_wrap(const void *ctx, const uint8_t file_key[AGE_FILE_KEY_LEN],
    struct age_stanza *out)
{
	const struct scrypt_ctx *c = ctx;
	uint8_t salt[AGE_SCRYPT_SALT_LEN], body[BODY_LEN];
	uint8_t *key = cio_secret_malloc(32);
	char salt64[SALT_B64_LEN + 1], wf[8];
	const char *args[2] = {salt64, wf};
	int ret;

	if (key == NULL)
		return CAIRN_ERR_NOMEM;
	randombytes_buf(salt, sizeof(salt));
	if ((ret = derive(c, salt, c->work_factor, key)) != 0)
		goto out;
	crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, file_key,
	    AGE_FILE_KEY_LEN, NULL, 0, NULL, zero_nonce, key);
	age_b64_encode(salt64, salt, sizeof(salt), 0);
	salt64[SALT_B64_LEN] = '\0';
	snprintf(wf, sizeof(wf), "%d", c->work_factor);
	ret = age_stanza_set(out, AGE_SCRYPT_TYPE, args, 2, body, sizeof(body));
out:
	sodium_free(key);
	return ret;
}

/* A work factor matching ^[1-9][0-9]*$, or -1. */
static int
parse_work_factor(const char *s)
{
	int v = 0;

	if (*s < '1' || *s > '9')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v < 1000)
			v = v * 10 + (*s - '0');
	}
	return v; /* values >= 1000 are all "too large" */
}

static int
scrypt_unwrap(const void *ctx, const struct age_stanza *st, size_t n,
    uint8_t file_key[AGE_FILE_KEY_LEN])
{
	const struct scrypt_ctx *c = ctx;
	uint8_t salt[AGE_SCRYPT_SALT_LEN + 3];
	uint8_t *key = NULL;
	size_t i, got;
	int wf, ret = CAIRN_ERR_NO_MATCH;

	for (i = 0; i < n; i++) {
		if (strcmp(st[i].type, AGE_SCRYPT_TYPE) != 0)
			continue;
		if (n != 1 || st[i].nargs != 2 ||
		    strlen(st[i].args[0]) != SALT_B64_LEN ||
		    age_b64_decode(st[i].args[0], SALT_B64_LEN, salt,
		        sizeof(salt), &got, 0) != 0 ||
		    got != AGE_SCRYPT_SALT_LEN ||
		    (wf = parse_work_factor(st[i].args[1])) < 0 ||
		    st[i].body_len != BODY_LEN) {
			ret = CAIRN_ERR_HEADER;
			goto out;
		}
		if (wf > c->work_factor) {
			ret = CAIRN_ERR_UNSUPPORTED;
			goto out;
		}
		if ((key = cio_secret_malloc(32)) == NULL) {
			ret = CAIRN_ERR_NOMEM;
			goto out;
		}
		if ((ret = derive(c, salt, wf, key)) != 0)
			goto out;
		ret = crypto_aead_chacha20poly1305_ietf_decrypt(file_key, NULL,
		          NULL, st[i].body, BODY_LEN, NULL, 0, zero_nonce,
		          key) == 0
		    ? 0
		    : CAIRN_ERR_NO_MATCH;
		goto out;
	}
out:
	sodium_free(key);
	return ret;
}

static void
scrypt_free(void *ctx)
{
	sodium_free(ctx);
}

const struct age_recipient_ops age_scrypt_recipient_ops = {
    .type = AGE_SCRYPT_TYPE,
    .exclusive = 1,
    .wrap = scrypt_wrap,
    .free = scrypt_free,
};

const struct age_identity_ops age_scrypt_identity_ops = {
    .unwrap = scrypt_unwrap,
    .free = scrypt_free,
};

static int
ctx_new(void **out, const char *pass, size_t passlen, int wf)
{
	struct scrypt_ctx *c;
	/* sodium_malloc aligns only sizes that are multiples of alignment */
	size_t size = (sizeof(*c) + passlen + 1 + 15) & ~(size_t)15;

	if (passlen > SIZE_MAX / 2 || (c = cio_secret_malloc(size)) == NULL)
		return CAIRN_ERR_NOMEM;
	c->work_factor = wf;
	c->passlen = passlen;
	if (passlen > 0)
		memcpy(c->pass, pass, passlen);
	c->pass[passlen] = '\0';
	*out = c;
	return 0;
}

int
age_scrypt_recipient_new(struct age_recipient *out, const char *pass,
    size_t passlen, int work_factor)
{
	if (work_factor <= 0)
		work_factor = AGE_SCRYPT_WORK_FACTOR;
	if (work_factor > AGE_SCRYPT_MAX_WORK_FACTOR || passlen == 0)
		return CAIRN_ERR_INVAL;
	out->ops = &age_scrypt_recipient_ops;
	return ctx_new(&out->ctx, pass, passlen, work_factor);
}

int
age_scrypt_identity_new(struct age_identity *out, const char *pass,
    size_t passlen, int max_work_factor)
{
	if (max_work_factor <= 0)
		max_work_factor = AGE_SCRYPT_MAX_WORK_FACTOR;
	if (max_work_factor > 40)
		return CAIRN_ERR_INVAL;
	out->ops = &age_scrypt_identity_ops;
	return ctx_new(&out->ctx, pass, passlen, max_work_factor);
}
