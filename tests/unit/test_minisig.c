/*
 * test_minisig.c - minisign-format keys and signatures: round trips,
 * tampering (message, signature, trusted comment, global signature),
 * wrong keys, secret key encryption, legacy "Ed" signatures, strict
 * parsing.  Interop with the real minisign binary is in
 * tests/cli/minisign_interop.bats.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/minisig.h"
#include "tap.h"

/* Find the start of line n (0-based) in text. */
static char *
line_at(char *text, int n)
{
	while (n-- > 0) {
		text = strchr(text, '\n');
		if (text == NULL)
			return NULL;
		text++;
	}
	return text;
}

/* Decode base64 line n of text, flip bit 0 of byte at, re-encode in place
 * (same length, so the result stays well-formed). */
static void
flip_b64_byte(char *text, int n, size_t binlen, size_t at)
{
	uint8_t bin[128];
	char b64[256];
	char *l = line_at(text, n);
	size_t b64len = sodium_base64_ENCODED_LEN(binlen,
	    sodium_base64_VARIANT_ORIGINAL) - 1;

	if (l == NULL || sodium_base642bin(bin, sizeof bin, l, b64len, NULL,
	    NULL, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		abort();
	bin[at] ^= 1;
	sodium_bin2base64(b64, sizeof b64, bin, binlen,
	    sodium_base64_VARIANT_ORIGINAL);
	memcpy(l, b64, b64len);
}

static char *
dup_text(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

/* Replace the first occurrence of from (same length as to). */
static char *
replaced(const char *s, const char *from, const char *to)
{
	char *d = dup_text(s), *p = strstr(d, from);

	if (p == NULL || strlen(from) != strlen(to))
		abort();
	memcpy(p, to, strlen(to));
	return d;
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
	    "archive:0011 sealed:2026-11-28T21:30:00Z", NULL, &sig, &siglen),
	    0, "sign");
	TAP_OK(sig != NULL && siglen == strlen(sig) &&
	    strncmp(sig, "untrusted comment: signature from minisign secret "
	    "key\nRU", 54) == 0, "signature text starts as minisign's, "
	    "\"ED\" (RU...)");
	rc = minisig_verify(&pk, msg, strlen(msg), sig, siglen, &tc);
	TAP_EQ_INT(rc, 0, "verify round trip");
	TAP_OK(tc != NULL &&
	    strcmp(tc, "archive:0011 sealed:2026-11-28T21:30:00Z") == 0,
	    "trusted comment returned");
	free(tc);
	TAP_EQ_INT(minisig_signature_key_id(sig, siglen, id), 0,
	    "signature_key_id");
	TAP_OK(memcmp(id, pk.key_id, sizeof id) == 0, "key id in signature");

	/* Must-fail: tampering. */
	TAP_EQ_INT(vrfy(&pk, "1123456789abcdef0123456789abcdef  manifest.json\n",
	    sig), CAIRN_ERR_SIGNATURE, "flipped message byte fails");
	TAP_EQ_INT(minisig_verify(&pk, msg, strlen(msg) - 1, sig, siglen,
	    NULL), CAIRN_ERR_SIGNATURE, "truncated message fails");
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
		minisig_signer_update(s, msg + i,
		    strlen(msg) - i < 7 ? strlen(msg) - i : 7);
	TAP_EQ_INT(minisig_signer_final(s, sk, "t", "u", &sig2, &sig2len), 0,
	    "streamed sign");
	minisig_signer_free(s);
	TAP_EQ_INT(vrfy(&pk, msg, sig2), 0, "streamed signature verifies");
	TAP_EQ_INT(minisig_verifier_new(&v, &pk, sig, siglen), 0,
	    "verifier_new");
	for (i = 0; i < strlen(msg); i += 5)
		minisig_verifier_update(v, msg + i,
		    strlen(msg) - i < 5 ? strlen(msg) - i : 5);
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
		TAP_EQ_INT(vrfy(&pk, msg, crlf), 0,
		    "missing final newline accepted");
		free(crlf);
	}
	t = malloc(siglen + 3);
	memcpy(t, sig, siglen);
	memcpy(t + siglen, "x\n", 3);
	TAP_EQ_INT(vrfy(&pk, msg, t), CAIRN_ERR_FORMAT,
	    "trailing line refused");
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
	crypto_sign_detached(blob + 10, NULL, (const uint8_t *)msg,
	    strlen(msg), skbytes);
	memcpy(tcbuf, blob + 10, 64);
	memcpy(tcbuf + 64, "legacy!!", 8);
	crypto_sign_detached(gsig, NULL, tcbuf, sizeof tcbuf, skbytes);
	sodium_bin2base64(b64a, sizeof b64a, blob, sizeof blob,
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(b64b, sizeof b64b, gsig, sizeof gsig,
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(text, sizeof text, "untrusted comment: x\n%s\n"
	    "trusted comment: legacy!!\n%s\n", b64a, b64b);
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

static void
test_keys(void)
{
	struct minisig_secret *sk = NULL, *sk2 = NULL;
	struct minisig_public pk, pk2;
	char *text = NULL, *t, id[MINISIG_KEY_ID_HEX_LEN];
	char b64[MINISIG_PUBLIC_B64_LEN], *sig = NULL;
	size_t len, siglen;
	uint8_t kid[8] = { 0x6a, 0xb1, 0x73, 0x8e, 0x45, 0x04, 0xff, 0x97 };

	minisig_key_id_hex(kid, id);
	TAP_OK(strcmp(id, "97FF04458E73B16A") == 0,
	    "key id printed as minisign does (%s)", id);
	TAP_EQ_INT(minisig_public_decode(
	    "untrusted comment: minisign public key 97FF04458E73B16A\n"
	    "RWRqsXOORQT/l4aXP3NGNWzyk7qblAC+kZw8TruCJl36gR1CZQtfClnG\n", 113,
	    &pk), 0, "decode a public key made by minisign -G");
	TAP_OK(memcmp(pk.key_id, kid, 8) == 0, "its key id");

	minisig_keygen(&sk, &pk);
	/* Public key text. */
	TAP_EQ_INT(minisig_public_encode(&pk, NULL, &text, &len), 0,
	    "public_encode");
	minisig_key_id_hex(pk.key_id, id);
	TAP_OK(strncmp(text, "untrusted comment: minisign public key ", 39) ==
	    0 && strncmp(text + 39, id, 16) == 0 && text[55] == '\n' &&
	    len == 56 + 57 && text[len - 1] == '\n',
	    "public key file text as minisign writes it");
	TAP_EQ_INT(minisig_public_decode(text, len, &pk2), 0, "public_decode");
	TAP_OK(memcmp(&pk, &pk2, sizeof pk) == 0, "public key round trip");
	minisig_public_base64(&pk, b64);
	TAP_OK(strlen(b64) == 56 && strncmp(b64, "RW", 2) == 0,
	    "bare base64 line");
	TAP_EQ_INT(minisig_public_decode(b64, 56, &pk2), 0,
	    "bare base64 line decodes");
	TAP_EQ_INT(minisig_public_decode(b64, 55, &pk2), CAIRN_ERR_FORMAT,
	    "truncated public key refused");
	TAP_EQ_INT(minisig_public_decode(text, len - 2, &pk2),
	    CAIRN_ERR_FORMAT, "public key file cut short refused");
	t = replaced(text, "untrusted", "Untrusted");
	TAP_EQ_INT(minisig_public_decode(t, len, &pk2), CAIRN_ERR_FORMAT,
	    "public key file with bad comment prefix refused");
	free(t);
	t = replaced(text, "\nRW", "\nRX");
	TAP_EQ_INT(minisig_public_decode(t, len, &pk2), CAIRN_ERR_FORMAT,
	    "public key with another algorithm refused");
	free(t);
	TAP_EQ_INT(minisig_public_decode("", 0, &pk2), CAIRN_ERR_FORMAT,
	    "empty public key refused");
	free(text);

	/* Unencrypted secret key round trip. */
	TAP_EQ_INT(minisig_secret_encode(sk, NULL, 0, NULL, &text, &len), 0,
	    "secret_encode unencrypted");
	TAP_EQ_INT(minisig_secret_is_encrypted(text, len), 0,
	    "is_encrypted says no");
	TAP_EQ_INT(minisig_secret_decode(text, len, NULL, 0, &sk2), 0,
	    "secret_decode unencrypted");
	minisig_public_from_secret(sk2, &pk2);
	TAP_OK(memcmp(&pk, &pk2, sizeof pk) == 0, "same key after round trip");
	minisig_sign(sk2, "m", 1, "c", NULL, &sig, &siglen);
	TAP_EQ_INT(minisig_verify(&pk, "m", 1, sig, siglen, NULL), 0,
	    "reloaded key signs verifiably");
	free(sig);
	minisig_secret_free(sk2);
	sk2 = NULL;
	/* chk zeroed, as minisign -W writes it: accepted.  chk corrupted:
	 * refused. */
	t = dup_text(text);
	{
		uint8_t raw[158];
		char b[213];

		sodium_base642bin(raw, sizeof raw, line_at(t, 1), 212, NULL,
		    NULL, NULL, sodium_base64_VARIANT_ORIGINAL);
		memset(raw + 126, 0, 32);
		sodium_bin2base64(b, sizeof b, raw, sizeof raw,
		    sodium_base64_VARIANT_ORIGINAL);
		memcpy(line_at(t, 1), b, 212);
		TAP_EQ_INT(minisig_secret_decode(t, len, NULL, 0, &sk2), 0,
		    "unencrypted key with zero checksum (minisign -W) loads");
		minisig_secret_free(sk2);
		sk2 = NULL;
		raw[130] = 1;
		sodium_bin2base64(b, sizeof b, raw, sizeof raw,
		    sodium_base64_VARIANT_ORIGINAL);
		memcpy(line_at(t, 1), b, 212);
		TAP_EQ_INT(minisig_secret_decode(t, len, NULL, 0, &sk2),
		    CAIRN_ERR_FORMAT, "unencrypted key with bad checksum "
		    "refused");
		memset(raw + 126, 0, 32);
		raw[100] ^= 1; /* public half of sk */
		sodium_bin2base64(b, sizeof b, raw, sizeof raw,
		    sodium_base64_VARIANT_ORIGINAL);
		memcpy(line_at(t, 1), b, 212);
		TAP_EQ_INT(minisig_secret_decode(t, len, NULL, 0, &sk2),
		    CAIRN_ERR_FORMAT, "secret key whose public half does not "
		    "match its seed refused");
		memcpy(raw + 2, "Xx", 2);
		sodium_bin2base64(b, sizeof b, raw, sizeof raw,
		    sodium_base64_VARIANT_ORIGINAL);
		memcpy(line_at(t, 1), b, 212);
		TAP_EQ_INT(minisig_secret_decode(t, len, NULL, 0, &sk2),
		    CAIRN_ERR_UNSUPPORTED, "unknown kdf refused");
	}
	free(t);
	TAP_EQ_INT(minisig_secret_decode(text, len - 10, NULL, 0, &sk2),
	    CAIRN_ERR_FORMAT, "truncated secret key refused");
	TAP_EQ_INT(minisig_secret_decode(line_at(text, 1),
	    len - (size_t)(line_at(text, 1) - text), NULL, 0, &sk2),
	    CAIRN_ERR_FORMAT, "secret key without comment line refused");
	cio_secret_free(text, len);

	/* Encrypted (cheap scrypt limits here; minisign's defaults are
	 * exercised by the interop test). */
	TAP_EQ_INT(minisig_secret_encode_limits(sk, "correct horse", 13,
	    "my key", crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN,
	    crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN, &text, &len), 0,
	    "secret_encode encrypted");
	TAP_OK(strncmp(text, "untrusted comment: my key\nRWRTY0Iy", 34) == 0,
	    "encrypted key text starts \"Ed\" \"Sc\" \"B2\" (RWRTY0Iy)");
	TAP_EQ_INT(minisig_secret_is_encrypted(text, len), 1,
	    "is_encrypted says yes");
	TAP_EQ_INT(minisig_secret_decode(text, len, "correct horse", 13, &sk2),
	    0, "decode with the right passphrase");
	minisig_public_from_secret(sk2, &pk2);
	TAP_OK(memcmp(&pk, &pk2, sizeof pk) == 0, "same key after decryption");
	minisig_secret_free(sk2);
	sk2 = NULL;
	TAP_EQ_INT(minisig_secret_decode(text, len, "correct horsf", 13, &sk2),
	    CAIRN_ERR_NO_MATCH, "wrong passphrase: NO_MATCH");
	TAP_EQ_INT(minisig_secret_decode(text, len, "correct hors", 12, &sk2),
	    CAIRN_ERR_NO_MATCH, "shorter passphrase: NO_MATCH");
	TAP_OK(sk2 == NULL, "no key on failure");
	TAP_EQ_INT(minisig_secret_decode(text, len, NULL, 0, &sk2),
	    CAIRN_ERR_INVAL, "encrypted key without passphrase: INVAL");
	cio_secret_free(text, len);
	TAP_EQ_INT(minisig_secret_encode_limits(sk, "p", 1, NULL,
	    MINISIG_MAX_OPSLIMIT * 2, MINISIG_MAX_MEMLIMIT, &text, &len),
	    CAIRN_ERR_INVAL, "encode with excessive opslimit refused");
	/* A key file claiming huge scrypt limits is refused before any
	 * work. */
	{
		uint8_t raw[158];
		char b[213], file[300];

		memset(raw, 0, sizeof raw);
		memcpy(raw, "EdScB2", 6);
		raw[38 + 8 + 7] = 0x40; /* memlimit 2^62 */
		sodium_bin2base64(b, sizeof b, raw, sizeof raw,
		    sodium_base64_VARIANT_ORIGINAL);
		snprintf(file, sizeof file, "untrusted comment: x\n%s\n", b);
		TAP_EQ_INT(minisig_secret_decode(file, strlen(file), "p", 1,
		    &sk2), CAIRN_ERR_UNSUPPORTED,
		    "secret key with memlimit 2^62 refused");
	}
	TAP_EQ_INT(minisig_secret_encode(sk, NULL, 0, "two\nlines", &text,
	    &len), CAIRN_ERR_INVAL, "multi-line secret key comment refused");
	minisig_secret_free(sk);
}

/* Fingerprints, whole-key comparison and the signers file format. */
static void
test_trust(void)
{
	static const char k1[] =
	    "RWT58KqdSpAXb5rqOXwv1A47pKJ9FJZq+O/mnrXh5h3n0HZ2WbCi4Rk8";
	struct minisig_public a, b;
	struct minisig_trust t;
	char fp[MINISIG_FINGERPRINT_LEN], text[512], *line = NULL;
	size_t bad = 0;

	memset(&t, 0, sizeof(t));
	TAP_EQ_INT(minisig_public_decode(k1, strlen(k1), &a), 0, "decode");
	minisig_fingerprint(&a, fp);
	/* printf %s RW... | base64 -d | tail -c 32 | sha256sum | cut -c1-32 */
	TAP_OK(strcmp(fp, "aa66 496c c840 ba6a 8512 85c7 98e9 0d28") == 0,
	    "fingerprint: first 16 bytes of SHA-256(pk), grouped: %s", fp);
	b = a;
	b.key_id[0] ^= 1;
	TAP_OK(minisig_public_same(&a, &b), "same key, other id: same");
	b = a;
	b.pk[31] ^= 1;
	TAP_OK(!minisig_public_same(&a, &b), "same id, other key: differ");
	snprintf(text, sizeof(text),
	    "# trusted signers\n\n  # indented comment\n%s  Ana Example \r\n"
	    "%.56s\tBen\n", k1, k1);
	TAP_EQ_INT(minisig_trust_parse(text, strlen(text), &t, &bad),
	    CAIRN_ERR_FORMAT, "the same key twice: refused");
	TAP_EQ_INT(bad, 5, "... at line 5");
	snprintf(text, sizeof(text),
	    "# trusted signers\n\n  # indented comment\n%s  Ana Example \r\n",
	    k1);
	TAP_EQ_INT(minisig_trust_parse(text, strlen(text), &t, &bad), 0,
	    "comments, blank lines, CRLF, padded name");
	TAP_OK(t.n == 1 && strcmp(t.v[0].name, "Ana Example") == 0,
	    "one entry, name trimmed");
	TAP_EQ_INT(minisig_trust_find(&t, &a), 0, "found by key");
	TAP_EQ_INT(minisig_trust_find(&t, &b), -1, "other key not found");
	TAP_EQ_INT(minisig_trust_find_key_id_clash(&t, &b), 0,
	    "same key id, other key: a clash with entry 0");
	TAP_EQ_INT(minisig_trust_find_key_id_clash(&t, &a), -1,
	    "the key itself is no clash");
	TAP_EQ_INT(minisig_trust_add(&t, "Ana Example", &b), CAIRN_ERR_EXISTS,
	    "duplicate name refused");
	TAP_EQ_INT(minisig_trust_add(&t, "Other", &a), CAIRN_ERR_EXISTS,
	    "duplicate key refused");
	TAP_EQ_INT(minisig_trust_add(&t, "#x", &b), CAIRN_ERR_INVAL,
	    "name starting with # refused");
	TAP_EQ_INT(minisig_trust_add(&t, "a\tb", &b), CAIRN_ERR_INVAL,
	    "name with a control character refused");
	TAP_EQ_INT(minisig_trust_add(&t, "Ben", &b), 0, "add");
	TAP_EQ_INT(minisig_trust_line(&t.v[1], &line), 0, "line");
	minisig_trust_free(&t);
	TAP_EQ_INT(minisig_trust_parse(line, strlen(line), &t, &bad), 0,
	    "a written line parses back");
	TAP_OK(t.n == 1 && strcmp(t.v[0].name, "Ben") == 0 &&
	    minisig_public_same(&t.v[0].pk, &b), "... to the same entry");
	minisig_trust_free(&t);
	free(line);
	TAP_EQ_INT(minisig_trust_parse(k1, strlen(k1), &t, &bad),
	    CAIRN_ERR_FORMAT, "a key without a name refused");
	TAP_EQ_INT(minisig_trust_parse("RWQ garbage x\n", 14, &t, &bad),
	    CAIRN_ERR_FORMAT, "a bad key refused");
	TAP_EQ_INT(bad, 1, "... at line 1");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_sign_verify();
	test_legacy();
	test_keys();
	test_trust();
	return tap_done();
}
