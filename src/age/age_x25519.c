/*
 * age_x25519.c - the age v1 X25519 recipient type: wrapping the file key
 * to an ephemeral-static X25519 shared secret (HKDF-SHA-256, ChaCha20-
 * Poly1305 with a zero nonce), unwrapping it, and the Bech32 key strings.
 *
 * Must not know the header text format beyond struct age_stanza, the
 * payload, or other recipient types.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_format.h"
#include "age_hkdf.h"
#include "age_x25519.h"
#include "bech32.h"
#include "cairn/err.h"

#define SHARE_B64_LEN 43 /* unpadded base64 of 32 bytes */
#define BODY_LEN      (AGE_FILE_KEY_LEN + crypto_aead_chacha20poly1305_ietf_ABYTES)

struct x25519_recipient {
	uint8_t pk[AGE_X25519_KEY_LEN];
};

struct x25519_identity { /* sodium_malloc'd */
	uint8_t sk[AGE_X25519_KEY_LEN];
	uint8_t pk[AGE_X25519_KEY_LEN];
};

/* Scratch secrets of one wrap/unwrap, in sodium_malloc'd memory. */
struct x25519_tmp {
	uint8_t esk[AGE_X25519_KEY_LEN];
	uint8_t shared[AGE_X25519_KEY_LEN];
	uint8_t wrap_key[AGE_HKDF_LEN];
};

static const uint8_t zero_nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];

static void
derive_wrap_key(struct x25519_tmp *t, const uint8_t share[AGE_X25519_KEY_LEN],
    const uint8_t pk[AGE_X25519_KEY_LEN])
{
	uint8_t salt[2 * AGE_X25519_KEY_LEN];

	memcpy(salt, share, AGE_X25519_KEY_LEN);
	memcpy(salt + AGE_X25519_KEY_LEN, pk, AGE_X25519_KEY_LEN);
	age_hkdf_sha256(t->wrap_key, t->shared, sizeof(t->shared), salt,
	    sizeof(salt), AGE_X25519_INFO);
}

static int
x25519_wrap(const void *ctx, const uint8_t file_key[AGE_FILE_KEY_LEN],
    struct age_stanza *out)
{
	const struct x25519_recipient *r = ctx;
	struct x25519_tmp *t = cio_secret_malloc(sizeof(*t));
	uint8_t share[AGE_X25519_KEY_LEN], body[BODY_LEN];
	char arg[SHARE_B64_LEN + 1];
	const char *args[1] = {arg};
	int ret;

	if (t == NULL)
		return CAIRN_ERR_NOMEM;
	randombytes_buf(t->esk, sizeof(t->esk));
	crypto_scalarmult_base(share, t->esk);
	if (crypto_scalarmult(t->shared, t->esk, r->pk) != 0) {
		ret = CAIRN_ERR_INVAL; /* low-order recipient key */
		goto out;
	}
	derive_wrap_key(t, share, r->pk);
	crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, file_key,
	    AGE_FILE_KEY_LEN, NULL, 0, NULL, zero_nonce, t->wrap_key);
	age_b64_encode(arg, share, sizeof(share), 0);
	arg[SHARE_B64_LEN] = '\0';
	ret = age_stanza_set(out, AGE_X25519_TYPE, args, 1, body, sizeof(body));
out:
	sodium_free(t);
	return ret;
}

static int
x25519_unwrap(const void *ctx, const struct age_stanza *st, size_t n,
    uint8_t file_key[AGE_FILE_KEY_LEN])
{
	const struct x25519_identity *id = ctx;
	struct x25519_tmp *t = NULL;
	uint8_t share[AGE_X25519_KEY_LEN + 3];
	size_t i, got;
	int ret = CAIRN_ERR_NO_MATCH;

	for (i = 0; i < n; i++) {
		if (strcmp(st[i].type, AGE_X25519_TYPE) != 0)
			continue;
		/* A malformed stanza of our type aborts decryption. */
		if (st[i].nargs != 1 ||
		    strlen(st[i].args[0]) != SHARE_B64_LEN ||
		    age_b64_decode(st[i].args[0], SHARE_B64_LEN, share,
		        sizeof(share), &got, 0) != 0 ||
		    got != AGE_X25519_KEY_LEN || st[i].body_len != BODY_LEN) {
			ret = CAIRN_ERR_HEADER;
			goto out;
		}
		if (t == NULL && (t = cio_secret_malloc(sizeof(*t))) == NULL) {
			ret = CAIRN_ERR_NOMEM;
			goto out;
		}
		/* libsodium refuses an all-zero shared secret. */
		if (crypto_scalarmult(t->shared, id->sk, share) != 0) {
			ret = CAIRN_ERR_HEADER;
			goto out;
		}
		derive_wrap_key(t, share, id->pk);
		if (crypto_aead_chacha20poly1305_ietf_decrypt(file_key, NULL,
		        NULL, st[i].body, BODY_LEN, NULL, 0, zero_nonce,
		        t->wrap_key) == 0) {
			ret = 0;
			goto out;
		}
	}
out:
	sodium_free(t);
	return ret;
}

static void
x25519_recipient_free(void *ctx)
{
	free(ctx);
}

static void
x25519_identity_free(void *ctx)
{
	sodium_free(ctx);
}

const struct age_recipient_ops age_x25519_recipient_ops = {
    .type = AGE_X25519_TYPE,
    .exclusive = 0,
    .wrap = x25519_wrap,
    .free = x25519_recipient_free,
};

const struct age_identity_ops age_x25519_identity_ops = {
    .unwrap = x25519_unwrap,
    .free = x25519_identity_free,
};

int
age_x25519_recipient_new(
    struct age_recipient *out, const uint8_t pk[AGE_X25519_KEY_LEN])
{
	struct x25519_recipient *r = cio_malloc(sizeof(*r));

	if (r == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(r->pk, pk, sizeof(r->pk));
	out->ops = &age_x25519_recipient_ops;
	out->ctx = r;
	return 0;
}

int
age_x25519_identity_new(
    struct age_identity *out, const uint8_t sk[AGE_X25519_KEY_LEN])
{
	struct x25519_identity *id;

	if ((id = cio_secret_malloc(sizeof(*id))) == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(id->sk, sk, sizeof(id->sk));
	crypto_scalarmult_base(id->pk, id->sk);
	out->ops = &age_x25519_identity_ops;
	out->ctx = id;
	return 0;
}

int
age_x25519_identity_public_key(
    const struct age_identity *id, uint8_t pk[AGE_X25519_KEY_LEN])
{
	if (id->ops != &age_x25519_identity_ops)
		return CAIRN_ERR_INVAL;
	memcpy(pk, ((const struct x25519_identity *)id->ctx)->pk,
	    AGE_X25519_KEY_LEN);
	return 0;
}

/* ---- keys and strings -------------------------------------------------- */

int
age_x25519_generate(uint8_t sk[AGE_X25519_KEY_LEN])
{
	randombytes_buf(sk, AGE_X25519_KEY_LEN);
	return 0;
}

int
age_x25519_public(
    const uint8_t sk[AGE_X25519_KEY_LEN], uint8_t pk[AGE_X25519_KEY_LEN])
{
	return crypto_scalarmult_base(pk, sk) == 0 ? 0 : CAIRN_ERR_INVAL;
}

int
age_x25519_recipient_string(
    const uint8_t pk[AGE_X25519_KEY_LEN], char out[AGE_RECIPIENT_STR_LEN])
{
	return bech32_encode(out, AGE_RECIPIENT_STR_LEN,
	    AGE_X25519_RECIPIENT_HRP, pk, AGE_X25519_KEY_LEN);
}

int
age_x25519_identity_string(
    const uint8_t sk[AGE_X25519_KEY_LEN], char out[AGE_IDENTITY_STR_LEN])
{
	size_t i;
	int ret;

	ret = bech32_encode(out, AGE_IDENTITY_STR_LEN, AGE_X25519_IDENTITY_HRP,
	    sk, AGE_X25519_KEY_LEN);
	if (ret != 0)
		return ret;
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] >= 'a' && out[i] <= 'z')
			out[i] = (char)(out[i] - 'a' + 'A');
	return 0;
}

/* Decode s into key when its HRP is exactly hrp (case-sensitive). */
static int
parse_key(
    const char *s, size_t len, const char *hrp, uint8_t key[AGE_X25519_KEY_LEN])
{
	char h[32];
	uint8_t buf[AGE_X25519_KEY_LEN + 1];
	size_t got;
	int ret = CAIRN_ERR_INVAL;

	if (bech32_decode(s, len, h, sizeof(h), buf, sizeof(buf), &got) == 0 &&
	    strcmp(h, hrp) == 0 && got == AGE_X25519_KEY_LEN) {
		memcpy(key, buf, AGE_X25519_KEY_LEN);
		ret = 0;
	}
	sodium_memzero(buf, sizeof(buf));
	return ret;
}

int
age_x25519_identity_parse(const char *s, uint8_t sk[AGE_X25519_KEY_LEN])
{
	return parse_key(s, strlen(s), AGE_X25519_IDENTITY_HRP, sk);
}

int
age_x25519_recipient_parse(
    const char *s, size_t len, uint8_t pk[AGE_X25519_KEY_LEN])
{
	return parse_key(s, len, AGE_X25519_RECIPIENT_HRP, pk);
}
