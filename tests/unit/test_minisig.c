/*
 * test_minisig.c - minisign-format signatures: round trips, tampering
 * (message, signature, trusted comment, global signature), wrong keys,
 * legacy "Ed" signatures.  Keys, secret key encryption, strict parsing
 * and trust live in test_minisig_keys.c.  Interop with the real minisign
 * binary is in tests/cli/minisign_interop.bats.
 */
#include "minisig_util.h"

/* Decode base64 line n of text, flip bit 0 of byte at, re-encode in place
 * (same length, so the result stays well-formed). */
static void
flip_b64_byte(char *text, int n, size_t binlen, size_t at)
{
	uint8_t bin[128];
	char b64[256];
	char *l = line_at(text, n);
	size_t b64len =
	    sodium_base64_ENCODED_LEN(binlen, sodium_base64_VARIANT_ORIGINAL) -
	    1;

	if (l == NULL ||
	    sodium_base642bin(bin, sizeof bin, l, b64len, NULL, NULL, NULL,
	        sodium_base64_VARIANT_ORIGINAL) != 0)
		abort();
	bin[at] ^= 1;
	sodium_bin2base64(
	    b64, sizeof b64, bin, binlen, sodium_base64_VARIANT_ORIGINAL);
	memcpy(l, b64, b64len);
}

static int
vrfy(const struct minisig_public *pk, const char *msg, const char *sig)
{
	return minisig_verify(pk, msg, strlen(msg), sig, strlen(sig), NULL);
}

static void
test_sign_verify(void)
{
	struct minisig_secret *sk = NULL, *sk2 = NULL;
	struct minisig_public pk, pk2, pkx;
	struct minisig_signer *s = NULL;
	struct minisig_verifier *v = NULL;
	const char *msg = "0123456789abcdef0123456789abcdef  manifest.json\n";
	char *sig = NULL, *sig2 = NULL, *t, *tc = NULL;
	size_t siglen, sig2len, i;
	uint8_t id[MINISIG_KEY_ID_LEN];
	int rc;

	TAP_EQ_INT(minisig_keygen(&sk, &pk), 0, "keygen");
	TAP_EQ_INT(minisig_keygen(&sk2, &pk2), 0, "second keygen");
	minisig_public_from_secret(sk, &pkx);
	TAP_OK(memcmp(&pk, &pkx, sizeof pk) == 0, "public_from_secret");
	TAP_EQ_INT(minisig_sign(sk, msg, strlen(msg),
	               "archive:0011 sealed:2026-11-28T21:30:00Z", NULL, &sig,
	               &siglen),
	    0, "sign");
	TAP_OK(sig != NULL && siglen == strlen(sig) &&
	        strncmp(sig,
	            "untrusted comment: signature from minisign secret "
	            "key\nRU",
	            54) == 0,
	    "signature text starts as minisign's, "
	    "\"ED\" (RU...)");
	rc = minisig_verify(&pk, msg, strlen(msg), sig, siglen, &tc);
	TAP_EQ_INT(rc, 0, "verify round trip");
	TAP_OK(tc != NULL &&
	        strcmp(tc, "archive:0011 sealed:2026-11-28T21:30:00Z") == 0,
	    "trusted comment returned");
	free(tc);
	TAP_EQ_INT(
	    minisig_signature_key_id(sig, siglen, id), 0, "signature_key_id");
	TAP_OK(memcmp(id, pk.key_id, sizeof id) == 0, "key id in signature");

	/* Must-fail: tampering. */
	TAP_EQ_INT(
	    vrfy(&pk, "1123456789abcdef0123456789abcdef  manifest.json\n", sig),
	    CAIRN_ERR_SIGNATURE, "flipped message byte fails");
	TAP_EQ_INT(minisig_verify(&pk, msg, strlen(msg) - 1, sig, siglen, NULL),
	    CAIRN_ERR_SIGNATURE, "truncated message fails");
	t = dup_text(sig);
	flip_b64_byte(t, 1, 74, 10 + 17);
	TAP_EQ_INT(vrfy(&pk, msg, t), CAIRN_ERR_SIGNATURE,
	    "flipped signature byte fails");
	free(t);
	t = dup_text(sig);
	flip_b64_byte(t, 3, 64, 5);
	TAP_EQ_INT(vrfy(&pk, msg, t), CAIRN_ERR_SIGNATURE,
	    "flipped global signature byte fails");
	free(t);
	t = replaced(sig, "sealed:2026", "sealed:2027");
	TAP_EQ_INT(vrfy(&pk, msg, t), CAIRN_ERR_SIGNATURE,
	    "changed trusted comment fails");
	free(t);
	t = replaced(sig, "signature from", "signature FROM");
	TAP_EQ_INT(vrfy(&pk, msg, t), 0,
	    "changed untrusted comment still verifies (it is untrusted)");
	free(t);
	t = dup_text(sig);
	flip_b64_byte(t, 1, 74, 1); /* "ED" -> "EE" */
	TAP_EQ_INT(vrfy(&pk, msg, t), CAIRN_ERR_FORMAT,
	    "unknown signature algorithm is malformed");
	free(t);

	/* Must-fail: wrong key, and a forged key id on the wrong key. */
	TAP_EQ_INT(vrfy(&pk2, msg, sig), CAIRN_ERR_SIGNATURE,
	    "wrong key (key id differs) fails");
	pkx = pk2;
	memcpy(pkx.key_id, pk.key_id, sizeof pkx.key_id);
	TAP_EQ_INT(vrfy(&pkx, msg, sig), CAIRN_ERR_SIGNATURE,
	    "wrong key with the right key id fails");
	TAP_EQ_INT(minisig_verifier_new(&v, &pk2, sig, siglen),
	    CAIRN_ERR_SIGNATURE, "verifier_new refuses other key id");

	/* Streaming sign in odd chunks verifies one-shot, and vice versa. */
	TAP_EQ_INT(minisig_signer_new(&s), 0, "signer_new");
	for (i = 0; i < strlen(msg); i += 7)
		minisig_signer_update(
		    s, msg + i, strlen(msg) - i < 7 ? strlen(msg) - i : 7);
	TAP_EQ_INT(minisig_signer_final(s, sk, "t", "u", &sig2, &sig2len), 0,
	    "streamed sign");
	minisig_signer_free(s);
	TAP_EQ_INT(vrfy(&pk, msg, sig2), 0, "streamed signature verifies");
	TAP_EQ_INT(
	    minisig_verifier_new(&v, &pk, sig, siglen), 0, "verifier_new");
	for (i = 0; i < strlen(msg); i += 5)
		minisig_verifier_update(
		    v, msg + i, strlen(msg) - i < 5 ? strlen(msg) - i : 5);
	TAP_EQ_INT(minisig_verifier_final(v, NULL), 0, "streamed verify");
	minisig_verifier_free(v);

	/* Comments must be one line. */
	TAP_EQ_INT(minisig_sign(sk, msg, 1, "a\nb", NULL, &t, &i),
	    CAIRN_ERR_INVAL, "trusted comment with newline refused");
	TAP_EQ_INT(minisig_sign(sk, msg, 1, "a\033[2J", NULL, &t, &i),
	    CAIRN_ERR_INVAL, "trusted comment with ESC refused");
	TAP_EQ_INT(minisig_sign(sk, msg, 1, "ok", "x\ry", &t, &i),
	    CAIRN_ERR_INVAL, "untrusted comment with CR refused");
	TAP_EQ_INT(minisig_sign(sk, msg, 1, NULL, NULL, &t, &i),
	    CAIRN_ERR_INVAL, "missing trusted comment refused");
	{
		char *longc = malloc(MINISIG_TRUSTED_COMMENT_MAX + 2);

		memset(longc, 'x', MINISIG_TRUSTED_COMMENT_MAX + 1);
		longc[MINISIG_TRUSTED_COMMENT_MAX + 1] = '\0';
		TAP_EQ_INT(minisig_sign(sk, msg, 1, longc, NULL, &t, &i),
		    CAIRN_ERR_INVAL, "over-long trusted comment refused");
		longc[MINISIG_TRUSTED_COMMENT_MAX] = '\0';
		TAP_EQ_INT(minisig_sign(sk, msg, 1, longc, NULL, &t, &i), 0,
		    "longest trusted comment accepted");
		TAP_EQ_INT(minisig_verify(&pk, msg, 1, t, i, NULL), 0,
		    "longest trusted comment verifies");
		free(t);
		free(longc);
	}

	/* Strict parsing of the signature text. */
	t = replaced(sig, "\n", "\r"); /* first line ends CR only */
	TAP_EQ_INT(vrfy(&pk, msg, t), CAIRN_ERR_FORMAT, "stray CR refused");
	free(t);
	{
		size_t n = strlen(sig), k = 0;
		char *crlf = malloc(2 * n + 1);

		for (i = 0; i < n; i++) {
			if (sig[i] == '\n')
				crlf[k++] = '\r';
			crlf[k++] = sig[i];
		}
		crlf[k] = '\0';
		TAP_EQ_INT(vrfy(&pk, msg, crlf), 0, "CRLF line ends accepted");
		crlf[k - 2] = '\0';
		TAP_EQ_INT(
		    vrfy(&pk, msg, crlf), 0, "missing final newline accepted");
		free(crlf);
	}
	t = malloc(siglen + 3);
	memcpy(t, sig, siglen);
	memcpy(t + siglen, "x\n", 3);
	TAP_EQ_INT(
	    vrfy(&pk, msg, t), CAIRN_ERR_FORMAT, "trailing line refused");
	free(t);
	t = dup_text(sig);
	*line_at(t, 3) = '\0';
	TAP_EQ_INT(vrfy(&pk, msg, t), CAIRN_ERR_FORMAT,
	    "missing global signature refused");
	free(t);
	t = replaced(sig, "trusted comment: ", "trusted_comment: ");
	TAP_EQ_INT(vrfy(&pk, msg, t), CAIRN_ERR_FORMAT,
	    "bad trusted comment prefix refused");
	free(t);
	t = replaced(sig, "untrusted comment: ", "untrusted_comment: ");
	TAP_EQ_INT(vrfy(&pk, msg, t), CAIRN_ERR_FORMAT,
	    "bad untrusted comment prefix refused");
	free(t);
	t = dup_text(sig);
	line_at(t, 1)[3] = '*';
	TAP_EQ_INT(vrfy(&pk, msg, t), CAIRN_ERR_FORMAT,
	    "non-base64 character refused");
	free(t);
	TAP_EQ_INT(minisig_verify(&pk, msg, strlen(msg), sig, siglen - 5, NULL),
	    CAIRN_ERR_FORMAT, "truncated signature refused");
	t = dup_text(sig);
	line_at(t, 1)[1] = '\0';
	TAP_EQ_INT(minisig_verify(&pk, msg, strlen(msg), t, siglen, NULL),
	    CAIRN_ERR_FORMAT, "NUL inside signature text refused");
	free(t);
	t = replaced(sig, "sealed:", "seal\033d:");
	TAP_EQ_INT(vrfy(&pk, msg, t), CAIRN_ERR_FORMAT,
	    "control character in trusted comment refused");
	free(t);

	free(sig);
	free(sig2);
	minisig_secret_free(sk);
	minisig_secret_free(sk2);
}

/* A legacy "Ed" signature (message signed directly), built by hand. */
static void
test_legacy(void)
{
	struct minisig_secret *sk = NULL;
	struct minisig_public pk;
	char *sig = NULL, *t;
	size_t siglen;
	uint8_t blob[74], gsig[64], tcbuf[64 + 8];
	char b64a[101], b64b[89], text[400];
	const char *msg = "legacy message";
	unsigned char skbytes[64];

	minisig_keygen(&sk, &pk);
	/* Get the secret bytes by signing nothing: use the key file. */
	{
		char *sktext;
		size_t sklen;
		uint8_t raw[158];

		minisig_secret_encode(sk, NULL, 0, NULL, &sktext, &sklen);
		sodium_base642bin(raw, sizeof raw, line_at(sktext, 1), 212,
		    NULL, NULL, NULL, sodium_base64_VARIANT_ORIGINAL);
		memcpy(skbytes, raw + 54 + 8, 64);
		cio_secret_free(sktext, sklen);
	}
	memcpy(blob, "Ed", 2);
	memcpy(blob + 2, pk.key_id, 8);
	crypto_sign_detached(
	    blob + 10, NULL, (const uint8_t *)msg, strlen(msg), skbytes);
	memcpy(tcbuf, blob + 10, 64);
	memcpy(tcbuf + 64, "legacy!!", 8);
	crypto_sign_detached(gsig, NULL, tcbuf, sizeof tcbuf, skbytes);
	sodium_bin2base64(b64a, sizeof b64a, blob, sizeof blob,
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(b64b, sizeof b64b, gsig, sizeof gsig,
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(text, sizeof text,
	    "untrusted comment: x\n%s\n"
	    "trusted comment: legacy!!\n%s\n",
	    b64a, b64b);
	TAP_EQ_INT(vrfy(&pk, msg, text), 0, "legacy \"Ed\" signature verifies");
	TAP_EQ_INT(vrfy(&pk, "legacy messagE", text), CAIRN_ERR_SIGNATURE,
	    "legacy signature over other message fails");
	t = replaced(text, "legacy!!", "legacy!?");
	TAP_EQ_INT(vrfy(&pk, msg, t), CAIRN_ERR_SIGNATURE,
	    "legacy signature with changed trusted comment fails");
	free(t);
	/* The same key's "ED" signature still works. */
	minisig_sign(sk, msg, strlen(msg), "x", NULL, &sig, &siglen);
	TAP_EQ_INT(vrfy(&pk, msg, sig), 0, "prehashed signature, same key");
	free(sig);
	sodium_memzero(skbytes, sizeof skbytes);
	minisig_secret_free(sk);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_sign_verify();
	test_legacy();
	return tap_done();
}
