/*
 * test_age.c - the age API end to end: key strings, recipients and
 * identity files, encrypt/decrypt round trips (X25519 with one and several
 * recipients, scrypt, armor).  Header failures, protected identity files
 * and interop live in test_age_header.c.
 */
#include "age_util.h"

static void
test_keys(void)
{
	/* The spec's example pair. */
	const char *id_s = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZ"
	                   "GFPYYSJZGFPYYSJZGFPQ4EGAEX";
	const char *rc_s =
	    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
	uint8_t sk[32], pk[32], sk2[32];
	char s[AGE_IDENTITY_STR_LEN], r[AGE_RECIPIENT_STR_LEN], low[100];
	size_t i;

	TAP_EQ_INT(age_x25519_identity_parse(id_s, sk), 0,
	    "spec example identity parses");
	TAP_OK(age_x25519_public(sk, pk) == 0 &&
	        age_x25519_recipient_string(pk, r) == 0 && strcmp(r, rc_s) == 0,
	    "spec example recipient derived: %s", r);
	TAP_OK(age_x25519_identity_string(sk, s) == 0 && strcmp(s, id_s) == 0,
	    "identity string re-encodes (upper case)");
	age_x25519_generate(sk);
	TAP_OK(age_x25519_identity_string(sk, s) == 0 && strlen(s) == 74 &&
	        age_x25519_identity_parse(s, sk2) == 0 &&
	        tmemcmp(sk, sk2, 32) == 0,
	    "generated identity round-trips");
	for (i = 0; id_s[i] != '\0'; i++)
		low[i] = (char)(id_s[i] >= 'A' && id_s[i] <= 'Z' ? id_s[i] + 32
		                                                 : id_s[i]);
	low[i] = '\0';
	TAP_EQ_INT(age_x25519_identity_parse(low, sk2), CAIRN_ERR_INVAL,
	    "lower-case identity refused (as age does)");
	TAP_EQ_INT(age_x25519_identity_parse(rc_s, sk2), CAIRN_ERR_INVAL,
	    "recipient string is not an identity");
	{
		struct age_recipients rs = {0};
		char up[100], pq[200];
		uint8_t junk[40] = {0};

		for (i = 0; rc_s[i] != '\0'; i++)
			up[i] = (char)(rc_s[i] >= 'a' && rc_s[i] <= 'z'
			        ? rc_s[i] - 32
			        : rc_s[i]);
		up[i] = '\0';
		TAP_EQ_INT(age_recipients_add_string(&rs, rc_s), 0,
		    "recipient string accepted");
		TAP_EQ_INT(age_recipients_add_string(&rs, up), CAIRN_ERR_INVAL,
		    "upper-case recipient refused (as age does)");
		TAP_EQ_INT(age_recipients_add_string(&rs, "age1xyz"),
		    CAIRN_ERR_INVAL, "garbage recipient refused");
		TAP_EQ_INT(age_recipients_add_string(&rs, id_s),
		    CAIRN_ERR_INVAL, "identity is not a recipient");
		bech32_encode(pq, sizeof(pq), "age1pq", junk, sizeof(junk));
		TAP_EQ_INT(age_recipients_add_string(&rs, pq),
		    CAIRN_ERR_UNSUPPORTED, "age1pq1 recipient unsupported");
		TAP_EQ_INT(age_recipients_add_string(
		               &rs, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ"),
		    CAIRN_ERR_UNSUPPORTED, "ssh recipient unsupported");
		TAP_EQ_INT(rs.n, 1, "only the valid recipient was added");
		age_recipients_free(&rs);
	}
}

static int
collect(void *ctx, const char *recipient)
{
	struct cio_membuf *m = ctx;

	cio_membuf_write(m, (const uint8_t *)recipient, strlen(recipient));
	return cio_membuf_write(m, (const uint8_t *)"\n", 1);
}

static void
test_files(void)
{
	uint8_t sk1[32], sk2[32], pk[32];
	char id1[AGE_IDENTITY_STR_LEN], id2[AGE_IDENTITY_STR_LEN];
	char r1[AGE_RECIPIENT_STR_LEN], r2[AGE_RECIPIENT_STR_LEN];
	char text[1024];
	struct age_identities ids = {0};
	struct age_recipients rs = {0};
	struct cio_membuf m = {0}, ct = {0}, back = {0};
	size_t bad = 99;
	int ret;

	age_x25519_generate(sk1);
	age_x25519_generate(sk2);
	age_x25519_identity_string(sk1, id1);
	age_x25519_identity_string(sk2, id2);
	age_x25519_public(sk1, pk);
	age_x25519_recipient_string(pk, r1);
	age_x25519_public(sk2, pk);
	age_x25519_recipient_string(pk, r2);

	snprintf(text, sizeof(text),
	    "# created: now\r\n# public key: %s\r\n"
	    "%s\r\n\r\n  \t\n%s",
	    r1, id1, id2);
	ret =
	    age_identities_add_text(&ids, text, strlen(text), NULL, NULL, &bad);
	TAP_OK(ret == 0 && ids.n == 2,
	    "identity file with comments, CRLF, "
	    "blank lines, no final EOL (%d)",
	    ret);
	age_identities_each_recipient(&ids, collect, &m);
	snprintf(text, sizeof(text), "%s\n%s\n", r1, r2);
	TAP_OK(m.len == strlen(text) && tmemcmp(m.data, text, m.len) == 0,
	    "each_recipient lists the public keys in order");
	snprintf(text, sizeof(text), "# two\n%s\nAGE-SECRET-KEY-1BAD\n%s\n",
	    id1, id2);
	TAP_OK(age_identities_add_text(&ids, text, strlen(text), NULL, NULL,
	           &bad) == CAIRN_ERR_INVAL &&
	        bad == 3 && ids.n == 2,
	    "bad identity line reported (line %zu), list unchanged", bad);
	snprintf(text, sizeof(text), "# nothing\n\n");
	TAP_EQ_INT(
	    age_identities_add_text(&ids, text, strlen(text), NULL, NULL, &bad),
	    CAIRN_ERR_INVAL, "identity file without keys refused");
	snprintf(text, sizeof(text), "AGE-PLUGIN-YUBIKEY-1XYZ\n");
	TAP_EQ_INT(
	    age_identities_add_text(&ids, text, strlen(text), NULL, NULL, &bad),
	    CAIRN_ERR_UNSUPPORTED, "plugin identity unsupported");

	snprintf(
	    text, sizeof(text), "# recipients\r\n%s\r\n\n  %s  \n#end", r1, r2);
	TAP_OK(age_recipients_add_text(&rs, text, strlen(text), &bad) == 0 &&
	        rs.n == 2,
	    "recipients file with comments, CRLF, spaces");
	snprintf(text, sizeof(text), "%s\n\nnot-a-key\n", r1);
	TAP_OK(age_recipients_add_text(&rs, text, strlen(text), &bad) ==
	            CAIRN_ERR_INVAL &&
	        bad == 3 && rs.n == 2,
	    "bad recipient line reported (line %zu), list unchanged", bad);
	/* A file to both; each identity alone opens it. */
	encrypt(&rs, 0, data, 1000, 1000, &ct);
	{
		struct age_identities one = {0};

		age_identities_add_x25519(&one, sk2);
		TAP_OK(decrypt(&one, ct.data, ct.len, &back) == 0 &&
		        back.len == 1000 && tmemcmp(back.data, data, 1000) == 0,
		    "second recipient's identity alone decrypts");
		age_identities_free(&one);
	}
	cio_membuf_free(&m);
	cio_membuf_free(&ct);
	cio_membuf_free(&back);
	age_identities_free(&ids);
	age_recipients_free(&rs);
}

static void
test_roundtrips(void)
{
	static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 3 << 20};
	struct age_recipients one = {0}, many = {0}, pw = {0};
	struct age_identities ids[4] = {{0}}, pwid = {0};
	struct cio_membuf ct = {0}, back = {0};
	uint8_t sk[4][32], pk[32];
	size_t i, j;
	int ok;

	for (i = 0; i < 4; i++) {
		age_x25519_generate(sk[i]);
		age_x25519_public(sk[i], pk);
		if (i == 0) {
			char r[AGE_RECIPIENT_STR_LEN];

			age_x25519_recipient_string(pk, r);
			age_recipients_add_string(&one, r);
		} else {
			char r[AGE_RECIPIENT_STR_LEN];

			age_x25519_recipient_string(pk, r);
			age_recipients_add_string(&many, r);
		}
		age_identities_add_x25519(&ids[i], sk[i]);
	}
	age_recipients_add_passphrase(&pw, "pass word", 9, TEST_WF);
	age_identities_add_passphrase(&pwid, "pass word", 9);

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];

		ok = encrypt(&one, 0, data, n, 1 << 20, &ct) == 0 &&
		    decrypt(&ids[0], ct.data, ct.len, &back) == 0 &&
		    back.len == n && tmemcmp(back.data, data, n) == 0;
		TAP_OK(ok, "X25519 one recipient, %zu bytes", n);
		ok = encrypt(&many, 0, data, n, 4000, &ct) == 0;
		for (j = 1; j < 4; j++)
			ok = ok &&
			    decrypt(&ids[j], ct.data, ct.len, &back) == 0 &&
			    back.len == n && tmemcmp(back.data, data, n) == 0;
		TAP_OK(
		    ok, "X25519 three recipients, each decrypts, %zu bytes", n);
		TAP_EQ_INT(decrypt(&ids[0], ct.data, ct.len, &back),
		    CAIRN_ERR_NO_MATCH, "wrong identity: no match");
		ok = encrypt(&pw, 0, data, n, 65536, &ct) == 0 &&
		    decrypt(&pwid, ct.data, ct.len, &back) == 0 &&
		    back.len == n && tmemcmp(back.data, data, n) == 0;
		TAP_OK(ok, "scrypt, %zu bytes", n);
		ok = encrypt(&one, 1, data, n, 777, &ct) == 0 && ct.len > 60 &&
		    tmemcmp(ct.data, "-----BEGIN", 10) == 0 &&
		    decrypt(&ids[0], ct.data, ct.len, &back) == 0 &&
		    back.len == n && tmemcmp(back.data, data, n) == 0;
		TAP_OK(ok, "armored X25519, %zu bytes", n);
	}
	/* Wrong passphrase; passphrase against an X25519 file. */
	{
		struct age_identities bad = {0};

		age_identities_add_passphrase(&bad, "pass wort", 9);
		encrypt(&pw, 0, data, 10, 10, &ct);
		TAP_EQ_INT(decrypt(&bad, ct.data, ct.len, &back),
		    CAIRN_ERR_NO_MATCH, "wrong passphrase: no match");
		TAP_EQ_INT(decrypt(&ids[0], ct.data, ct.len, &back),
		    CAIRN_ERR_NO_MATCH, "X25519 identity vs scrypt file");
		encrypt(&one, 0, data, 10, 10, &ct);
		TAP_EQ_INT(decrypt(&pwid, ct.data, ct.len, &back),
		    CAIRN_ERR_NO_MATCH, "passphrase vs X25519 file");
		age_identities_free(&bad);
	}
	/* scrypt must be alone; no recipients at all is refused. */
	{
		struct age_recipients mix = {0}, none = {0};
		char r[AGE_RECIPIENT_STR_LEN];

		age_x25519_public(sk[0], pk);
		age_x25519_recipient_string(pk, r);
		age_recipients_add_passphrase(&mix, "x", 1, TEST_WF);
		age_recipients_add_string(&mix, r);
		TAP_EQ_INT(encrypt(&mix, 0, data, 1, 1, &ct), CAIRN_ERR_INVAL,
		    "scrypt with another recipient refused");
		TAP_EQ_INT(encrypt(&none, 0, data, 1, 1, &ct), CAIRN_ERR_INVAL,
		    "no recipients refused");
		TAP_EQ_INT(age_recipients_add_passphrase(
		               &none, "x", 1, AGE_SCRYPT_MAX_WORK_FACTOR + 1),
		    CAIRN_ERR_INVAL,
		    "encrypting with an undecryptable work factor refused");
		age_recipients_free(&mix);
	}
	for (i = 0; i < 4; i++)
		age_identities_free(&ids[i]);
	age_identities_free(&pwid);
	age_recipients_free(&one);
	age_recipients_free(&many);
	age_recipients_free(&pw);
	cio_membuf_free(&ct);
	cio_membuf_free(&back);
}

int
main(void)
{
	static void (*const tests[])(void) = {
	    test_keys, test_files, test_roundtrips};

	return run_with_data(tests, sizeof(tests) / sizeof(tests[0]));
}
