/*
 * test_age_mem.c - the age API's whole-file helpers the share verbs use:
 * age_is_encrypted (binary and armored files, after whitespace),
 * age_decrypt_mem (round trip, wrong identity, truncated file),
 * age_x25519_identity_secret_key (one key out of identity text, and each
 * refusal with its line) and age_identities_add (an identity type the
 * caller implements).
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/cio.h"
#include "cairn/err.h"
#include "tap.h"

/* Encrypt msg to the X25519 key sk (armored or not) into *out. */
static int
encrypt_to(const uint8_t sk[AGE_X25519_KEY_LEN], int armor, const char *msg,
    struct cio_membuf *out)
{
	struct age_recipients rs = {NULL, 0};
	struct cio_sink sink = {cio_membuf_write, out};
	struct age_writer *w = NULL;
	uint8_t pk[AGE_X25519_KEY_LEN];
	char r[AGE_RECIPIENT_STR_LEN];
	int rc;

	if ((rc = age_x25519_public(sk, pk)) != 0 ||
	    (rc = age_x25519_recipient_string(pk, r)) != 0 ||
	    (rc = age_recipients_add_string(&rs, r)) != 0 ||
	    (rc = age_writer_new(&w, &rs, armor, &sink)) != 0 ||
	    (rc = age_writer_write(w, (const uint8_t *)msg, strlen(msg))) != 0)
		goto out;
	rc = age_writer_finish(w);
out:
	age_writer_free(w);
	age_recipients_free(&rs);
	return rc;
}

static void
test_detect_and_decrypt(void)
{
	static const char msg[] = "# a share file\nword word word\n";
	struct cio_membuf bin = {0}, arm = {0};
	struct age_identities ids = {NULL, 0}, wrong = {NULL, 0};
	uint8_t sk[AGE_X25519_KEY_LEN], sk2[AGE_X25519_KEY_LEN];
	char *plain = NULL, *text;
	size_t plainlen = 0;

	age_x25519_generate(sk);
	age_x25519_generate(sk2);
	TAP_OK(encrypt_to(sk, 0, msg, &bin) == 0 &&
	        encrypt_to(sk, 1, msg, &arm) == 0,
	    "encrypt a small file, binary and armored");
	TAP_OK(age_is_encrypted((const char *)bin.data, bin.len),
	    "binary age file detected");
	TAP_OK(age_is_encrypted((const char *)arm.data, arm.len),
	    "armored age file detected");
	text = (char *)cio_calloc(1, arm.len + 3);
	memcpy(text, " \n\t", 3);
	memcpy(text + 3, arm.data, arm.len);
	TAP_OK(age_is_encrypted(text, arm.len + 3),
	    "armored age file after whitespace detected");
	free(text);
	TAP_OK(!age_is_encrypted(msg, strlen(msg)), "plain text is not");
	TAP_OK(!age_is_encrypted("age-encryption.org", 18),
	    "a prefix of the intro is not");
	TAP_OK(!age_is_encrypted("x-----BEGIN AGE ENCRYPTED FILE-----", 35),
	    "armor not at the start is not");

	age_identities_add_x25519(&ids, sk);
	age_identities_add_x25519(&wrong, sk2);
	TAP_EQ_INT(age_decrypt_mem((const char *)arm.data, arm.len, &ids,
	               &plain, &plainlen),
	    0, "decrypt armored in memory");
	TAP_OK(plain != NULL && plainlen == strlen(msg) &&
	        memcmp(plain, msg, plainlen) == 0 && plain[plainlen] == '\0',
	    "plaintext back, NUL-terminated");
	cio_secret_free(plain, plainlen);
	TAP_EQ_INT(age_decrypt_mem((const char *)bin.data, bin.len, &wrong,
	               &plain, &plainlen),
	    CAIRN_ERR_NO_MATCH, "another identity: no match");
	TAP_OK(plain == NULL && plainlen == 0, "nothing returned on failure");
	TAP_OK(age_decrypt_mem((const char *)bin.data, bin.len - 1, &ids,
	           &plain, &plainlen) != 0 &&
	        plain == NULL,
	    "truncated file refused");
	age_identities_free(&ids);
	age_identities_free(&wrong);
	cio_membuf_free(&bin);
	cio_membuf_free(&arm);
}

static void
test_secret_key(void)
{
	uint8_t sk[AGE_X25519_KEY_LEN], got[AGE_X25519_KEY_LEN];
	char id[AGE_IDENTITY_STR_LEN], text[512], bad[AGE_IDENTITY_STR_LEN];
	size_t line = 99;

	age_x25519_generate(sk);
	age_x25519_identity_string(sk, id);
	snprintf(text, sizeof(text), "# created: now\n\n  %s \r\n", id);
	TAP_EQ_INT(
	    age_x25519_identity_secret_key(text, strlen(text), got, &line), 0,
	    "one key out of identity text");
	TAP_OK(memcmp(got, sk, sizeof(sk)) == 0 && line == 0,
	    "the key is the one written");
	snprintf(text, sizeof(text), "%s\n%s\n", id, id);
	TAP_EQ_INT(
	    age_x25519_identity_secret_key(text, strlen(text), got, &line),
	    CAIRN_ERR_LIMIT, "two keys refused");
	TAP_OK(sodium_is_zero(got, sizeof(got)), "key wiped on failure");
	snprintf(text, sizeof(text), "# nothing\n\n");
	TAP_EQ_INT(
	    age_x25519_identity_secret_key(text, strlen(text), got, &line),
	    CAIRN_ERR_NO_MATCH, "no key");
	snprintf(text, sizeof(text), "# key\n%s\nage1xyz\n", id);
	TAP_EQ_INT(
	    age_x25519_identity_secret_key(text, strlen(text), got, &line),
	    CAIRN_ERR_FORMAT, "a line that is not a key");
	TAP_EQ_INT(line, 3, "... on line 3");
	memcpy(bad, id, sizeof(bad));
	bad[20] = bad[20] == 'Q' ? 'P' : 'Q';
	snprintf(text, sizeof(text), "\n%s\n", bad);
	TAP_EQ_INT(
	    age_x25519_identity_secret_key(text, strlen(text), got, &line),
	    CAIRN_ERR_INVAL, "a malformed key");
	TAP_EQ_INT(line, 2, "... on line 2");
}

static int unwrapped, freed;

static int
fake_unwrap(const void *ctx, const struct age_stanza *st, size_t n,
    uint8_t fk[AGE_FILE_KEY_LEN])
{
	(void)ctx;
	(void)st;
	(void)n;
	(void)fk;
	unwrapped++;
	return CAIRN_ERR_NO_MATCH;
}

static void
fake_free(void *ctx)
{
	(void)ctx;
	freed++;
}

static void
test_add(void)
{
	static const struct age_identity_ops ops = {fake_unwrap, fake_free};
	struct age_identity id = {&ops, NULL};
	struct age_identities ids = {NULL, 0};
	struct cio_membuf f = {0};
	uint8_t sk[AGE_X25519_KEY_LEN];
	char *plain = NULL;
	size_t plainlen = 0;

	age_x25519_generate(sk);
	TAP_EQ_INT(age_identities_add(&ids, &id), 0, "add a caller's identity");
	TAP_EQ_INT(ids.n, 1, "list holds it");
	encrypt_to(sk, 0, "x", &f);
	TAP_EQ_INT(age_decrypt_mem(
	               (const char *)f.data, f.len, &ids, &plain, &plainlen),
	    CAIRN_ERR_NO_MATCH, "it is tried and matches nothing");
	TAP_EQ_INT(unwrapped, 1, "its unwrap was called");
	age_identities_free(&ids);
	TAP_EQ_INT(freed, 1, "freeing the list frees it");
	cio_membuf_free(&f);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_detect_and_decrypt();
	test_secret_key();
	test_add();
	return tap_done();
}
