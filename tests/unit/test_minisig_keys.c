/*
 * test_minisig_keys.c - minisign-format keys: secret key encryption,
 * strict parsing of key files, fingerprints and trusted-signer lists.
 * Signatures live in test_minisig.c.
 */
#include "minisig_util.h"

static void
test_keys(void)
{
	struct minisig_secret *sk = NULL, *sk2 = NULL;
	struct minisig_public pk, pk2;
	char *text = NULL, *t, id[MINISIG_KEY_ID_HEX_LEN];
	char b64[MINISIG_PUBLIC_B64_LEN], *sig = NULL;
	size_t len, siglen;
	uint8_t kid[8] = {0x6a, 0xb1, 0x73, 0x8e, 0x45, 0x04, 0xff, 0x97};

	minisig_key_id_hex(kid, id);
	TAP_OK(strcmp(id, "97FF04458E73B16A") == 0,
	    "key id printed as minisign does (%s)", id);
	TAP_EQ_INT(
	    minisig_public_decode(
	        "untrusted comment: minisign public key 97FF04458E73B16A\n"
	        "RWRqsXOORQT/l4aXP3NGNWzyk7qblAC+kZw8TruCJl36gR1CZQtfClnG\n",
	        113, &pk),
	    0, "decode a public key made by minisign -G");
	TAP_OK(memcmp(pk.key_id, kid, 8) == 0, "its key id");

	minisig_keygen(&sk, &pk);
	/* Public key text. */
	TAP_EQ_INT(
	    minisig_public_encode(&pk, NULL, &text, &len), 0, "public_encode");
	minisig_key_id_hex(pk.key_id, id);
	TAP_OK(
	    strncmp(text, "untrusted comment: minisign public key ", 39) == 0 &&
	        strncmp(text + 39, id, 16) == 0 && text[55] == '\n' &&
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
	TAP_EQ_INT(minisig_public_decode(text, len - 2, &pk2), CAIRN_ERR_FORMAT,
	    "public key file cut short refused");
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
	TAP_EQ_INT(
	    minisig_secret_is_encrypted(text, len), 0, "is_encrypted says no");
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
		    CAIRN_ERR_FORMAT,
		    "unencrypted key with bad checksum "
		    "refused");
		memset(raw + 126, 0, 32);
		raw[100] ^= 1; /* public half of sk */
		sodium_bin2base64(b, sizeof b, raw, sizeof raw,
		    sodium_base64_VARIANT_ORIGINAL);
		memcpy(line_at(t, 1), b, 212);
		TAP_EQ_INT(minisig_secret_decode(t, len, NULL, 0, &sk2),
		    CAIRN_ERR_FORMAT,
		    "secret key whose public half does not "
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
	TAP_EQ_INT(
	    minisig_secret_encode_limits(sk, "correct horse", 13, "my key",
	        crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN,
	        crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN, &text, &len),
	    0, "secret_encode encrypted");
	TAP_OK(strncmp(text, "untrusted comment: my key\nRWRTY0Iy", 34) == 0,
	    "encrypted key text starts \"Ed\" \"Sc\" \"B2\" (RWRTY0Iy)");
	TAP_EQ_INT(
	    minisig_secret_is_encrypted(text, len), 1, "is_encrypted says yes");
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
	TAP_EQ_INT(
	    minisig_secret_encode_limits(sk, "p", 1, NULL,
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
		TAP_EQ_INT(
		    minisig_secret_decode(file, strlen(file), "p", 1, &sk2),
		    CAIRN_ERR_UNSUPPORTED,
		    "secret key with memlimit 2^62 refused");
	}
	TAP_EQ_INT(
	    minisig_secret_encode(sk, NULL, 0, "two\nlines", &text, &len),
	    CAIRN_ERR_INVAL, "multi-line secret key comment refused");
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
	    "%.56s\tBen\n",
	    k1, k1);
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
	        minisig_public_same(&t.v[0].pk, &b),
	    "... to the same entry");
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
	test_keys();
	test_trust();
	return tap_done();
}
