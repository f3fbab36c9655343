/*
 * minisig_key.c - minisign public and secret key files: generation,
 * encoding, decoding, passphrase protection (see minisig.h for the
 * formats).  Also the text helpers shared with minisig.c.
 *
 * Knows nothing of signatures' use in archives, nor of files or the
 * terminal: callers pass text and passphrases.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/minisig.h"
#include "minisig_impl.h"

/* The decoded secret key file layout (minisign's SeckeyStruct); all
 * byte arrays, so no padding. */
struct seckey_blob {
	uint8_t sig_alg[2];
	uint8_t kdf_alg[2];
	uint8_t chk_alg[2];
	uint8_t kdf_salt[crypto_pwhash_scryptsalsa208sha256_SALTBYTES];
	uint8_t opslimit_le[8];
	uint8_t memlimit_le[8];
	struct {
		uint8_t key_id[MINISIG_KEY_ID_LEN];
		uint8_t sk[MINISIG_SK_LEN];
		uint8_t chk[MINISIG_CHK_LEN];
	} keynum_sk;
};
#define SECKEY_BLOB_LEN 158
#define PUBKEY_BLOB_LEN (2 + MINISIG_KEY_ID_LEN + MINISIG_PK_LEN) /* 42 */
#define SECKEY_B64_LEN  212
#define PUBKEY_B64_LEN  56

_Static_assert(sizeof(struct seckey_blob) == SECKEY_BLOB_LEN,
    "minisign secret key layout");

#define DEFAULT_SK_COMMENT "minisign encrypted secret key"

/* ---- shared text helpers ---------------------------------------------- */

int
minisig_line(const char *text, size_t len, size_t *off, const char **line,
    size_t *linelen)
{
	size_t i, start = *off, end;

	if (start >= len)
		return CAIRN_ERR_FORMAT;
	for (i = start; i < len && text[i] != '\n'; i++)
		if (text[i] == '\0')
			return CAIRN_ERR_FORMAT;
	end = i;
	*off = i < len ? i + 1 : len;
	if (end > start && text[end - 1] == '\r')
		end--;
	if (memchr(text + start, '\r', end - start) != NULL ||
	    end - start > MINISIG_LINE_MAX)
		return CAIRN_ERR_FORMAT;
	*line = text + start;
	*linelen = end - start;
	return 0;
}

int
minisig_b64_decode(const char *b64, size_t b64len, uint8_t *bin, size_t binlen)
{
	const char *end = NULL;
	size_t got = 0;

	if (b64len !=
	    sodium_base64_ENCODED_LEN(binlen, sodium_base64_VARIANT_ORIGINAL) -
	        1)
		return CAIRN_ERR_FORMAT;
	if (sodium_base642bin(bin, binlen, b64, b64len, NULL, &got, &end,
	        sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != binlen || end != b64 + b64len)
		return CAIRN_ERR_FORMAT;
	return 0;
}

int
minisig_comment_ok(const char *c, size_t len, size_t max, int strict)
{
	size_t i;

	if (len > max)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)c[i];

		if (ch == '\0' || ch == '\r' || ch == '\n')
			return 0;
		if (strict && ((ch < 0x20 && ch != '\t') || ch == 0x7f))
			return 0;
	}
	return 1;
}

void *
minisig_secure_alloc(size_t n)
{
	if (cio_fault_hit())
		return NULL;
	return cio_secret_malloc(n);
}

/* ---- keys -------------------------------------------------------------- */

static uint64_t
le64_load(const uint8_t b[8])
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static void
le64_store(uint8_t b[8], uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		b[i] = (uint8_t)v;
}

void
minisig_key_id_hex(
    const uint8_t key_id[MINISIG_KEY_ID_LEN], char out[MINISIG_KEY_ID_HEX_LEN])
{
	static const char hex[] = "0123456789ABCDEF";
	int i;

	/* "%016" PRIX64 of the little-endian value: last byte first. */
	for (i = 0; i < MINISIG_KEY_ID_LEN; i++) {
		uint8_t b = key_id[MINISIG_KEY_ID_LEN - 1 - i];

		out[2 * i] = hex[b >> 4];
		out[2 * i + 1] = hex[b & 0x0f];
	}
	out[16] = '\0';
}

int
minisig_keygen(struct minisig_secret **skp, struct minisig_public *pk)
{
	struct minisig_secret *sk;

	*skp = NULL;
	if (sodium_init() < 0)
		return CAIRN_ERR_INVAL;
	if ((sk = minisig_secure_alloc(sizeof *sk)) == NULL)
		return CAIRN_ERR_NOMEM;
	randombytes_buf(sk->key_id, sizeof sk->key_id);
	if (crypto_sign_keypair(pk->pk, sk->sk) != 0) {
		sodium_free(sk);
		return CAIRN_ERR_INVAL;
	}
	memcpy(pk->key_id, sk->key_id, sizeof pk->key_id);
	*skp = sk;
	return 0;
}

void
minisig_secret_free(struct minisig_secret *sk)
{
	if (sk != NULL)
		sodium_free(sk); /* wipes */
}

void
minisig_public_from_secret(
    const struct minisig_secret *sk, struct minisig_public *pk)
{
	memcpy(pk->key_id, sk->key_id, sizeof pk->key_id);
	memcpy(pk->pk, sk->sk + MINISIG_SK_LEN - MINISIG_PK_LEN, sizeof pk->pk);
}

/* chk = BLAKE2b-256(sig_alg || key_id || sk), as minisign computes it. */
static void
seckey_chk(const struct seckey_blob *b, uint8_t chk[MINISIG_CHK_LEN])
{
	crypto_generichash_state hs;

	crypto_generichash_init(&hs, NULL, 0, MINISIG_CHK_LEN);
	crypto_generichash_update(&hs, b->sig_alg, sizeof b->sig_alg);
	crypto_generichash_update(
	    &hs, b->keynum_sk.key_id, sizeof b->keynum_sk.key_id);
	crypto_generichash_update(&hs, b->keynum_sk.sk, sizeof b->keynum_sk.sk);
	crypto_generichash_final(&hs, chk, MINISIG_CHK_LEN);
	sodium_memzero(&hs, sizeof hs);
}

/* XOR the keynum_sk part with the scrypt stream of the passphrase. */
static int
seckey_xor(struct seckey_blob *b, const char *pass, size_t passlen)
{
	uint8_t *stream;
	size_t i, n = sizeof b->keynum_sk;
	int rc = 0;

	if ((stream = minisig_secure_alloc(n)) == NULL)
		return CAIRN_ERR_NOMEM;
	if (crypto_pwhash_scryptsalsa208sha256(stream, n, pass, passlen,
	        b->kdf_salt, le64_load(b->opslimit_le),
	        (size_t)le64_load(b->memlimit_le)) != 0) {
		rc = CAIRN_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		((uint8_t *)&b->keynum_sk)[i] ^= stream[i];
out:
	sodium_free(stream);
	return rc;
}

int
minisig_secret_encode(const struct minisig_secret *sk, const char *pass,
    size_t passlen, const char *comment, char **out, size_t *outlen)
{
	return minisig_secret_encode_limits(sk, pass, passlen, comment,
	    crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE,
	    crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE, out, outlen);
}

int
minisig_secret_encode_limits(const struct minisig_secret *sk, const char *pass,
    size_t passlen, const char *comment, uint64_t opslimit, uint64_t memlimit,
    char **out, size_t *outlen)
{
	struct seckey_blob *b = NULL;
	char *text = NULL;
	size_t clen, plen = sizeof MINISIG_COMMENT_PREFIX - 1, cap;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (comment == NULL)
		comment = DEFAULT_SK_COMMENT;
	clen = strlen(comment);
	if (!minisig_comment_ok(comment, clen, MINISIG_COMMENT_MAX, 0))
		return CAIRN_ERR_INVAL;
	if (pass != NULL &&
	    (opslimit < crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN ||
	        opslimit > MINISIG_MAX_OPSLIMIT ||
	        memlimit < crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN ||
	        memlimit > MINISIG_MAX_MEMLIMIT))
		return CAIRN_ERR_INVAL;
	if (sodium_init() < 0)
		return CAIRN_ERR_INVAL;
	if ((b = minisig_secure_alloc(sizeof *b)) == NULL)
		return CAIRN_ERR_NOMEM;
	memset(b, 0, sizeof *b);
	memcpy(b->sig_alg, MINISIG_SIGALG, 2);
	memcpy(b->kdf_alg, pass != NULL ? MINISIG_KDFALG : MINISIG_KDFNONE, 2);
	memcpy(b->chk_alg, MINISIG_CHKALG, 2);
	memcpy(b->keynum_sk.key_id, sk->key_id, sizeof sk->key_id);
	memcpy(b->keynum_sk.sk, sk->sk, sizeof sk->sk);
	seckey_chk(b, b->keynum_sk.chk);
	if (pass != NULL) {
		randombytes_buf(b->kdf_salt, sizeof b->kdf_salt);
		le64_store(b->opslimit_le, opslimit);
		le64_store(b->memlimit_le, memlimit);
		if ((rc = seckey_xor(b, pass, passlen)) != 0)
			goto out;
	}
	cap = plen + clen + 1 + SECKEY_B64_LEN + 2;
	rc = CAIRN_ERR_NOMEM;
	if ((text = minisig_secure_alloc(cap)) == NULL)
		goto out;
	memcpy(text, MINISIG_COMMENT_PREFIX, plen);
	memcpy(text + plen, comment, clen);
	text[plen + clen] = '\n';
	sodium_bin2base64(text + plen + clen + 1, SECKEY_B64_LEN + 1,
	    (const uint8_t *)b, sizeof *b, sodium_base64_VARIANT_ORIGINAL);
	text[cap - 2] = '\n';
	text[cap - 1] = '\0';
	*out = text;
	*outlen = cap - 1;
	rc = 0;
out:
	sodium_free(b);
	return rc;
}

/*
 * Parse the two lines of a secret key file and base64-decode the blob
 * into b (caller's secure memory); check the algorithm fields.
 */
static int
seckey_parse(const char *text, size_t len, struct seckey_blob *b)
{
	const char *line;
	size_t off = 0, ll;
	size_t plen = sizeof MINISIG_COMMENT_PREFIX - 1;

	if (minisig_line(text, len, &off, &line, &ll) != 0 || ll < plen ||
	    memcmp(line, MINISIG_COMMENT_PREFIX, plen) != 0 ||
	    ll > plen + MINISIG_COMMENT_MAX)
		return CAIRN_ERR_FORMAT;
	if (minisig_line(text, len, &off, &line, &ll) != 0 || off != len ||
	    minisig_b64_decode(line, ll, (uint8_t *)b, sizeof *b) != 0)
		return CAIRN_ERR_FORMAT;
	if (memcmp(b->sig_alg, MINISIG_SIGALG, 2) != 0 ||
	    memcmp(b->chk_alg, MINISIG_CHKALG, 2) != 0)
		return CAIRN_ERR_UNSUPPORTED;
	if (memcmp(b->kdf_alg, MINISIG_KDFALG, 2) == 0)
		return 1;
	if (memcmp(b->kdf_alg, MINISIG_KDFNONE, 2) == 0)
		return 0;
	return CAIRN_ERR_UNSUPPORTED;
}

int
minisig_secret_is_encrypted(const char *text, size_t len)
{
	struct seckey_blob *b;
	int rc;

	if ((b = minisig_secure_alloc(sizeof *b)) == NULL)
		return CAIRN_ERR_NOMEM;
	rc = seckey_parse(text, len, b);
	sodium_free(b);
	return rc;
}

int
minisig_secret_decode(const char *text, size_t len, const char *pass,
    size_t passlen, struct minisig_secret **out)
{
	struct seckey_blob *b = NULL;
	struct minisig_secret *sk = NULL;
	uint8_t chk[MINISIG_CHK_LEN], pk[MINISIG_PK_LEN];
	uint8_t *seed_sk = NULL;
	int rc, enc;

	*out = NULL;
	if (sodium_init() < 0)
		return CAIRN_ERR_INVAL;
	if ((b = minisig_secure_alloc(sizeof *b)) == NULL)
		return CAIRN_ERR_NOMEM;
	if ((enc = rc = seckey_parse(text, len, b)) < 0)
		goto out;
	if (enc) {
		rc = CAIRN_ERR_INVAL;
		if (pass == NULL)
			goto out;
		rc = CAIRN_ERR_UNSUPPORTED;
		if (le64_load(b->opslimit_le) > MINISIG_MAX_OPSLIMIT ||
		    le64_load(b->memlimit_le) > MINISIG_MAX_MEMLIMIT)
			goto out;
		if ((rc = seckey_xor(b, pass, passlen)) != 0)
			goto out;
	}
	seckey_chk(b, chk);
	rc = enc ? CAIRN_ERR_NO_MATCH : CAIRN_ERR_FORMAT;
	/* minisign -W leaves chk zero for unencrypted keys; -C keeps it. */
	if (sodium_memcmp(chk, b->keynum_sk.chk, sizeof chk) != 0 &&
	    (enc || !sodium_is_zero(b->keynum_sk.chk, sizeof chk)))
		goto out;
	/* The stored public half must match the seed (corruption check). */
	rc = CAIRN_ERR_NOMEM;
	if ((seed_sk = minisig_secure_alloc(MINISIG_SK_LEN)) == NULL)
		goto out;
	rc = CAIRN_ERR_FORMAT;
	if (crypto_sign_seed_keypair(pk, seed_sk, b->keynum_sk.sk) != 0 ||
	    sodium_memcmp(seed_sk, b->keynum_sk.sk, MINISIG_SK_LEN) != 0)
		goto out;
	rc = CAIRN_ERR_NOMEM;
	if ((sk = minisig_secure_alloc(sizeof *sk)) == NULL)
		goto out;
	memcpy(sk->key_id, b->keynum_sk.key_id, sizeof sk->key_id);
	memcpy(sk->sk, b->keynum_sk.sk, sizeof sk->sk);
	*out = sk;
	rc = 0;
out:
	sodium_memzero(chk, sizeof chk);
	if (seed_sk != NULL)
		sodium_free(seed_sk);
	sodium_free(b);
	return rc;
}

void
minisig_public_base64(
    const struct minisig_public *pk, char out[MINISIG_PUBLIC_B64_LEN])
{
	uint8_t blob[PUBKEY_BLOB_LEN];

	memcpy(blob, MINISIG_SIGALG, 2);
	memcpy(blob + 2, pk->key_id, MINISIG_KEY_ID_LEN);
	memcpy(blob + 2 + MINISIG_KEY_ID_LEN, pk->pk, MINISIG_PK_LEN);
	sodium_bin2base64(out, MINISIG_PUBLIC_B64_LEN, blob, sizeof blob,
	    sodium_base64_VARIANT_ORIGINAL);
}

int
minisig_public_encode(const struct minisig_public *pk, const char *comment,
    char **out, size_t *outlen)
{
	char id[MINISIG_KEY_ID_HEX_LEN], b64[MINISIG_PUBLIC_B64_LEN];
	char defcomment[64];
	size_t clen, cap;
	char *text;

	*out = NULL;
	*outlen = 0;
	if (comment == NULL) {
		minisig_key_id_hex(pk->key_id, id);
		snprintf(defcomment, sizeof defcomment,
		    "minisign public key %s", id);
		comment = defcomment;
	}
	clen = strlen(comment);
	if (!minisig_comment_ok(comment, clen, MINISIG_COMMENT_MAX, 0))
		return CAIRN_ERR_INVAL;
	minisig_public_base64(pk, b64);
	cap = sizeof MINISIG_COMMENT_PREFIX - 1 + clen + 1 + PUBKEY_B64_LEN + 2;
	if ((text = cio_malloc(cap)) == NULL)
		return CAIRN_ERR_NOMEM;
	snprintf(text, cap, "%s%s\n%s\n", MINISIG_COMMENT_PREFIX, comment, b64);
	*out = text;
	*outlen = cap - 1;
	return 0;
}

static int
pubkey_from_line(const char *line, size_t ll, struct minisig_public *pk)
{
	uint8_t blob[PUBKEY_BLOB_LEN];

	if (minisig_b64_decode(line, ll, blob, sizeof blob) != 0 ||
	    memcmp(blob, MINISIG_SIGALG, 2) != 0)
		return CAIRN_ERR_FORMAT;
	memcpy(pk->key_id, blob + 2, MINISIG_KEY_ID_LEN);
	memcpy(pk->pk, blob + 2 + MINISIG_KEY_ID_LEN, MINISIG_PK_LEN);
	return 0;
}

int
minisig_public_decode(const char *text, size_t len, struct minisig_public *pk)
{
	const char *line;
	size_t off = 0, ll;
	size_t plen = sizeof MINISIG_COMMENT_PREFIX - 1;

	if (minisig_line(text, len, &off, &line, &ll) != 0)
		return CAIRN_ERR_FORMAT;
	if (off == len) /* a bare base64 line */
		return pubkey_from_line(line, ll, pk);
	if (ll < plen || memcmp(line, MINISIG_COMMENT_PREFIX, plen) != 0 ||
	    ll > plen + MINISIG_COMMENT_MAX)
		return CAIRN_ERR_FORMAT;
	if (minisig_line(text, len, &off, &line, &ll) != 0 || off != len)
		return CAIRN_ERR_FORMAT;
	return pubkey_from_line(line, ll, pk);
}
