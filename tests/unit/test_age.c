/*
 * test_age.c - the age API end to end: key strings, recipients and
 * identity files, encrypt/decrypt round trips (X25519 with one and several
 * recipients, scrypt, armor), every failure class (no match, header, HMAC,
 * payload, truncation), grease, passphrase-protected identity files, and
 * files made by the real age 1.1.1 (tests/vectors/age-interop/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "age_format.h"
#include "age_scrypt.h"
#include "bech32.h"
#include "cairn/err.h"
#include "tap.h"

/* memcmp that accepts NULL pointers when n is 0 (empty membufs). */
static int
tmemcmp(const void *a, const void *b, size_t n)
{
	return n == 0 ? 0 : memcmp(a, b, n);
}

#define INTEROP "tests/vectors/age-interop/"
#define TEST_WF 10 /* low scrypt work factor: tests only */

static uint8_t *data;

static int
encrypt(const struct age_recipients *rs, int armor, const uint8_t *pt,
    size_t len, size_t piece, struct cio_membuf *out)
{
	struct cio_sink sink = { cio_membuf_write, out };
	struct age_writer *w;
	size_t off;
	int ret;

	out->len = 0;
	if ((ret = age_writer_new(&w, rs, armor, &sink)) != 0)
		return ret;
	for (off = 0; off < len && ret == 0; off += piece)
		ret = age_writer_write(w, pt + off,
		    len - off < piece ? len - off : piece);
	if (ret == 0)
		ret = age_writer_finish(w);
	age_writer_free(w);
	return ret;
}

static int
decrypt(const struct age_identities *ids, const uint8_t *ct, size_t len,
    struct cio_membuf *out)
{
	struct cio_memsrc ms = { ct, len, 0 };
	struct cio_source src = { cio_memsrc_read, &ms };
	struct age_reader *r;
	uint8_t *buf = malloc(100000);
	ssize_t n;
	int ret;

	out->len = 0;
	if ((ret = age_reader_new(&r, &src, ids)) == 0) {
		while ((n = age_reader_read(r, buf, 100000)) > 0)
			cio_membuf_write(out, buf, (size_t)n);
		ret = (int)n;
		age_reader_free(r);
	}
	free(buf);
	return ret;
}

static char *
slurp(const char *path, size_t *len)
{
	char *t;
	size_t l;

	if (cio_read_file(path, 1 << 20, 0, &t, &l) != 0)
		return NULL;
	*len = l;
	return t;
}

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
	TAP_OK(age_x25519_identity_string(sk, s) == 0 &&
	    strlen(s) == 74 && age_x25519_identity_parse(s, sk2) == 0 &&
	    tmemcmp(sk, sk2, 32) == 0, "generated identity round-trips");
	for (i = 0; id_s[i] != '\0'; i++)
		low[i] = (char)(id_s[i] >= 'A' && id_s[i] <= 'Z' ?
		    id_s[i] + 32 : id_s[i]);
	low[i] = '\0';
	TAP_EQ_INT(age_x25519_identity_parse(low, sk2), CAIRN_ERR_INVAL,
	    "lower-case identity refused (as age does)");
	TAP_EQ_INT(age_x25519_identity_parse(rc_s, sk2), CAIRN_ERR_INVAL,
	    "recipient string is not an identity");
	{
		struct age_recipients rs = { 0 };
		char up[100], pq[200];
		uint8_t junk[40] = { 0 };

		for (i = 0; rc_s[i] != '\0'; i++)
			up[i] = (char)(rc_s[i] >= 'a' && rc_s[i] <= 'z' ?
			    rc_s[i] - 32 : rc_s[i]);
		up[i] = '\0';
		TAP_EQ_INT(age_recipients_add_string(&rs, rc_s), 0,
		    "recipient string accepted");
		TAP_EQ_INT(age_recipients_add_string(&rs, up), CAIRN_ERR_INVAL,
		    "upper-case recipient refused (as age does)");
		TAP_EQ_INT(age_recipients_add_string(&rs, "age1xyz"),
		    CAIRN_ERR_INVAL, "garbage recipient refused");
		TAP_EQ_INT(age_recipients_add_string(&rs, id_s), CAIRN_ERR_INVAL,
		    "identity is not a recipient");
		bech32_encode(pq, sizeof(pq), "age1pq", junk, sizeof(junk));
		TAP_EQ_INT(age_recipients_add_string(&rs, pq),
		    CAIRN_ERR_UNSUPPORTED, "age1pq1 recipient unsupported");
		TAP_EQ_INT(age_recipients_add_string(&rs,
		    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ"), CAIRN_ERR_UNSUPPORTED,
		    "ssh recipient unsupported");
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
	struct age_identities ids = { 0 };
	struct age_recipients rs = { 0 };
	struct cio_membuf m = { 0 }, ct = { 0 }, back = { 0 };
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

	snprintf(text, sizeof(text), "# created: now\r\n# public key: %s\r\n"
	    "%s\r\n\r\n  \t\n%s", r1, id1, id2);
	ret = age_identities_add_text(&ids, text, strlen(text), NULL, NULL,
	    &bad);
	TAP_OK(ret == 0 && ids.n == 2, "identity file with comments, CRLF, "
	    "blank lines, no final EOL (%d)", ret);
	age_identities_each_recipient(&ids, collect, &m);
	snprintf(text, sizeof(text), "%s\n%s\n", r1, r2);
	TAP_OK(m.len == strlen(text) && tmemcmp(m.data, text, m.len) == 0,
	    "each_recipient lists the public keys in order");
	snprintf(text, sizeof(text), "# two\n%s\nAGE-SECRET-KEY-1BAD\n%s\n",
	    id1, id2);
	TAP_OK(age_identities_add_text(&ids, text, strlen(text), NULL, NULL,
	    &bad) == CAIRN_ERR_INVAL && bad == 3 && ids.n == 2,
	    "bad identity line reported (line %zu), list unchanged", bad);
	snprintf(text, sizeof(text), "# nothing\n\n");
	TAP_EQ_INT(age_identities_add_text(&ids, text, strlen(text), NULL, NULL,
	    &bad), CAIRN_ERR_INVAL, "identity file without keys refused");
	snprintf(text, sizeof(text), "AGE-PLUGIN-YUBIKEY-1XYZ\n");
	TAP_EQ_INT(age_identities_add_text(&ids, text, strlen(text), NULL, NULL,
	    &bad), CAIRN_ERR_UNSUPPORTED, "plugin identity unsupported");

	snprintf(text, sizeof(text), "# recipients\r\n%s\r\n\n  %s  \n#end",
	    r1, r2);
	TAP_OK(age_recipients_add_text(&rs, text, strlen(text), &bad) == 0 &&
	    rs.n == 2, "recipients file with comments, CRLF, spaces");
	snprintf(text, sizeof(text), "%s\n\nnot-a-key\n", r1);
	TAP_OK(age_recipients_add_text(&rs, text, strlen(text), &bad) ==
	    CAIRN_ERR_INVAL && bad == 3 && rs.n == 2,
	    "bad recipient line reported (line %zu), list unchanged", bad);
	/* A file to both; each identity alone opens it. */
	encrypt(&rs, 0, data, 1000, 1000, &ct);
	{
		struct age_identities one = { 0 };

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
	static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 3 << 20 };
	struct age_recipients one = { 0 }, many = { 0 }, pw = { 0 };
	struct age_identities ids[4] = { { 0 } }, pwid = { 0 };
	struct cio_membuf ct = { 0 }, back = { 0 };
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
			ok = ok && decrypt(&ids[j], ct.data, ct.len, &back) ==
			    0 && back.len == n && tmemcmp(back.data, data, n) == 0;
		TAP_OK(ok, "X25519 three recipients, each decrypts, %zu bytes",
		    n);
		TAP_EQ_INT(decrypt(&ids[0], ct.data, ct.len, &back),
		    CAIRN_ERR_NO_MATCH, "wrong identity: no match");
		ok = encrypt(&pw, 0, data, n, 65536, &ct) == 0 &&
		    decrypt(&pwid, ct.data, ct.len, &back) == 0 &&
		    back.len == n && tmemcmp(back.data, data, n) == 0;
		TAP_OK(ok, "scrypt, %zu bytes", n);
		ok = encrypt(&one, 1, data, n, 777, &ct) == 0 &&
		    ct.len > 60 && tmemcmp(ct.data, "-----BEGIN", 10) == 0 &&
		    decrypt(&ids[0], ct.data, ct.len, &back) == 0 &&
		    back.len == n && tmemcmp(back.data, data, n) == 0;
		TAP_OK(ok, "armored X25519, %zu bytes", n);
	}
	/* Wrong passphrase; passphrase against an X25519 file. */
	{
		struct age_identities bad = { 0 };

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
		struct age_recipients mix = { 0 }, none = { 0 };
		char r[AGE_RECIPIENT_STR_LEN];

		age_x25519_public(sk[0], pk);
		age_x25519_recipient_string(pk, r);
		age_recipients_add_passphrase(&mix, "x", 1, TEST_WF);
		age_recipients_add_string(&mix, r);
		TAP_EQ_INT(encrypt(&mix, 0, data, 1, 1, &ct), CAIRN_ERR_INVAL,
		    "scrypt with another recipient refused");
		TAP_EQ_INT(encrypt(&none, 0, data, 1, 1, &ct), CAIRN_ERR_INVAL,
		    "no recipients refused");
		TAP_EQ_INT(age_recipients_add_passphrase(&none, "x", 1,
		    AGE_SCRYPT_MAX_WORK_FACTOR + 1), CAIRN_ERR_INVAL,
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

static void
test_header(void)
{
	struct age_recipients rs = { 0 }, pw = { 0 };
	struct age_identities ids = { 0 };
	struct cio_membuf ct = { 0 }, back = { 0 };
	struct age_header h;
	uint8_t sk[32], pk[32];
	char r[AGE_RECIPIENT_STR_LEN];
	size_t i, hlen, grease = 0, x = 0;
	int ok, ret;

	age_x25519_generate(sk);
	age_x25519_public(sk, pk);
	age_x25519_recipient_string(pk, r);
	age_recipients_add_string(&rs, r);
	age_identities_add_x25519(&ids, sk);
	encrypt(&rs, 0, data, 200000, 1 << 20, &ct);
	TAP_EQ_INT(age_header_parse(ct.data, ct.len, &h), 0,
	    "written header parses");
	for (i = 0; i < h.n; i++) {
		size_t tl = strlen(h.stanzas[i].type);

		grease += tl > 7 && strcmp(h.stanzas[i].type + tl - 7,
		    "-grease") == 0;
		x += strcmp(h.stanzas[i].type, "X25519") == 0;
	}
	TAP_OK(h.n == 2 && grease == 1 && x == 1,
	    "one X25519 stanza and one grease stanza");
	hlen = h.len;
	age_header_free(&h);
	TAP_EQ_INT(ct.len, hlen + 16 + 200000 + 4 * 16,
	    "file size: header, nonce, 4 chunks with tags");

	/* Flip each header byte: always HEADER or HMAC (or NO_MATCH when
	 * the X25519 stanza itself is damaged), never success. */
	ok = 1;
	for (i = 0; i < hlen; i++) {
		ct.data[i] ^= 0x01;
		ret = decrypt(&ids, ct.data, ct.len, &back);
		ct.data[i] ^= 0x01;
		if (ret != CAIRN_ERR_HEADER && ret != CAIRN_ERR_HMAC &&
		    ret != CAIRN_ERR_NO_MATCH && ret != CAIRN_ERR_UNSUPPORTED) {
			ok = 0;
			break;
		}
	}
	TAP_OK(ok, "every flipped header bit fails (%zu/%zu)", i, hlen);
	{
		/* Another base64 character inside the MAC: still canonical. */
		uint8_t c = ct.data[hlen - 10];

		ct.data[hlen - 10] = c == 'A' ? 'B' : 'A';
		TAP_EQ_INT(decrypt(&ids, ct.data, ct.len, &back),
		    CAIRN_ERR_HMAC, "changed MAC character: HMAC failure");
		ct.data[hlen - 10] = c;
	}
	ct.data[3] ^= 0x20; /* "age-" -> "agE-" */
	TAP_EQ_INT(decrypt(&ids, ct.data, ct.len, &back), CAIRN_ERR_HEADER,
	    "flipped version line: header failure");
	ct.data[3] ^= 0x20;
	/* Payload: flipped byte, truncation, trailing data. */
	ct.data[hlen + 16 + 65536 + 100] ^= 0x40;
	ret = decrypt(&ids, ct.data, ct.len, &back);
	TAP_OK(ret == CAIRN_ERR_PAYLOAD && back.len == 65536 &&
	    tmemcmp(back.data, data, 65536) == 0,
	    "flipped payload byte in chunk 2: chunk 1 released, then payload "
	    "failure");
	ct.data[hlen + 16 + 65536 + 100] ^= 0x40;
	TAP_OK(decrypt(&ids, ct.data, ct.len - 1, &back) == CAIRN_ERR_PAYLOAD &&
	    back.len == 3 * 65536, "truncated by one byte: payload failure");
	TAP_OK(decrypt(&ids, ct.data, hlen + 16 + 2 * 65552, &back) ==
	    CAIRN_ERR_PAYLOAD && back.len == 2 * 65536,
	    "truncated at a chunk boundary: payload failure");
	TAP_EQ_INT(decrypt(&ids, ct.data, hlen + 10, &back), CAIRN_ERR_HEADER,
	    "truncated in the nonce: header failure");
	TAP_EQ_INT(decrypt(&ids, ct.data, hlen - 1, &back), CAIRN_ERR_HEADER,
	    "truncated in the header: header failure");
	cio_membuf_write(&ct, (const uint8_t *)"x", 1);
	TAP_EQ_INT(decrypt(&ids, ct.data, ct.len, &back), CAIRN_ERR_PAYLOAD,
	    "trailing byte: payload failure");
	TAP_EQ_INT(decrypt(&ids, (const uint8_t *)"", 0, &back),
	    CAIRN_ERR_HEADER, "empty input: header failure");

	/* scrypt headers carry no grease: the stanza must be alone. */
	age_recipients_add_passphrase(&pw, "p", 1, TEST_WF);
	encrypt(&pw, 0, data, 1, 1, &ct);
	TAP_OK(age_header_parse(ct.data, ct.len, &h) == 0 && h.n == 1 &&
	    strcmp(h.stanzas[0].type, "scrypt") == 0 &&
	    strcmp(h.stanzas[0].args[1], "10") == 0,
	    "scrypt header: one stanza, work factor written");
	age_header_free(&h);

	/* consumed: a big file is not read to the end for the first bytes. */
	{
		struct cio_membuf big = { 0 };
		struct cio_memsrc ms;
		struct cio_source src = { cio_memsrc_read, &ms };
		struct age_reader *rd;
		uint8_t buf[100];

		encrypt(&rs, 0, data, 3 << 20, 1 << 20, &big);
		ms.data = big.data;
		ms.len = big.len;
		ms.off = 0;
		ok = age_reader_new(&rd, &src, &ids) == 0 &&
		    age_reader_read(rd, buf, sizeof(buf)) == sizeof(buf) &&
		    tmemcmp(buf, data, sizeof(buf)) == 0;
		TAP_OK(ok && age_reader_consumed(rd) < big.len / 2,
		    "first bytes read after consuming %llu of %zu",
		    (unsigned long long)age_reader_consumed(rd), big.len);
		age_reader_free(rd);
		cio_membuf_free(&big);
	}
	/* Writer misuse. */
	{
		struct cio_sink sink = { cio_membuf_write, &back };
		struct age_writer *w;

		age_writer_new(&w, &rs, 0, &sink);
		TAP_OK(age_writer_finish(w) == 0 &&
		    age_writer_write(w, data, 1) == CAIRN_ERR_INVAL,
		    "write after finish refused");
		age_writer_free(w);
	}
	age_recipients_free(&rs);
	age_recipients_free(&pw);
	age_identities_free(&ids);
	cio_membuf_free(&ct);
	cio_membuf_free(&back);
}

struct pass {
	const char *p;
	int calls;
};

static int
pass_cb(void *ctx, const char *prompt, char *buf, size_t cap, size_t *len)
{
	struct pass *p = ctx;

	(void)prompt;
	p->calls++;
	*len = strlen(p->p);
	if (*len > cap)
		return CAIRN_ERR_INVAL;
	memcpy(buf, p->p, *len);
	return 0;
}

static void
test_protected_identity(void)
{
	struct age_recipients rs = { 0 }, pw = { 0 };
	struct age_identities ids = { 0 };
	struct cio_membuf idf = { 0 }, ct = { 0 }, back = { 0 };
	struct pass good = { "s3cret", 0 }, bad = { "wrong", 0 };
	uint8_t sk[32], pk[32];
	char id[AGE_IDENTITY_STR_LEN], r[AGE_RECIPIENT_STR_LEN], text[256];
	size_t bl;
	int armor, ret;

	age_x25519_generate(sk);
	age_x25519_identity_string(sk, id);
	age_x25519_public(sk, pk);
	age_x25519_recipient_string(pk, r);
	age_recipients_add_string(&rs, r);
	encrypt(&rs, 0, data, 5000, 5000, &ct);
	snprintf(text, sizeof(text), "# created: test\n%s\n", id);
	age_recipients_add_passphrase(&pw, "s3cret", 6, TEST_WF);
	for (armor = 0; armor < 2; armor++) {
		encrypt(&pw, armor, (const uint8_t *)text, strlen(text), 7, &idf);
		good.calls = 0;
		ret = age_identities_add_text(&ids, (const char *)idf.data,
		    idf.len, pass_cb, &good, &bl);
		TAP_OK(ret == 0 && ids.n == 1 && good.calls == 1,
		    "%s passphrase-protected identity file loads (%d)",
		    armor ? "armored" : "binary", ret);
		TAP_OK(decrypt(&ids, ct.data, ct.len, &back) == 0 &&
		    back.len == 5000, "and its identity decrypts");
		age_identities_free(&ids);
		TAP_EQ_INT(age_identities_add_text(&ids, (const char *)idf.data,
		    idf.len, pass_cb, &bad, &bl), CAIRN_ERR_NO_MATCH,
		    "wrong passphrase: no match");
		TAP_EQ_INT(age_identities_add_text(&ids, (const char *)idf.data,
		    idf.len, NULL, NULL, &bl), CAIRN_ERR_NO_MATCH,
		    "no passphrase callback: no match");
		TAP_EQ_INT(ids.n, 0, "nothing added on failure");
	}
	age_identities_free(&ids);
	age_recipients_free(&rs);
	age_recipients_free(&pw);
	cio_membuf_free(&idf);
	cio_membuf_free(&ct);
	cio_membuf_free(&back);
}

static void
test_interop(void)
{
	struct age_identities ids = { 0 }, plain = { 0 }, pw = { 0 };
	struct cio_membuf back = { 0 };
	struct pass good = { "correct horse battery", 0 };
	char *idtxt, *idage, *msg, *asc;
	size_t l1 = 0, l2 = 0, l3 = 0, l4 = 0, bl;
	const char *want = "hello from age -p\n";

	idtxt = slurp(INTEROP "id.txt", &l1);
	idage = slurp(INTEROP "id.txt.age", &l2);
	msg = slurp(INTEROP "msg.age", &l3);
	asc = slurp(INTEROP "msg.asc", &l4);
	if (idtxt == NULL || idage == NULL || msg == NULL || asc == NULL) {
		TAP_OK(0, "read %s files (run from the repository root)",
		    INTEROP);
		return;
	}
	TAP_EQ_INT(age_identities_add_text(&plain, idtxt, l1, NULL, NULL, &bl),
	    0, "age-keygen identity file");
	TAP_OK(decrypt(&plain, (uint8_t *)msg, l3, &back) == 0 &&
	    back.len == strlen(want) && tmemcmp(back.data, want, back.len) == 0,
	    "file from age -r decrypts");
	TAP_OK(age_identities_add_text(&ids, idage, l2, pass_cb, &good, &bl) ==
	    0 && ids.n == 1, "identity file from age -p (work factor 18)");
	TAP_OK(decrypt(&ids, (uint8_t *)msg, l3, &back) == 0 &&
	    back.len == strlen(want), "its identity decrypts the age -r file");
	age_identities_add_passphrase(&pw, good.p, strlen(good.p));
	TAP_OK(decrypt(&pw, (uint8_t *)asc, l4, &back) == 0 &&
	    back.len == strlen(want) && tmemcmp(back.data, want, back.len) == 0,
	    "armored file from age -p -a decrypts");
	cio_secret_free(idtxt, l1);
	cio_secret_free(idage, l2);
	cio_secret_free(msg, l3);
	cio_secret_free(asc, l4);
	age_identities_free(&ids);
	age_identities_free(&plain);
	age_identities_free(&pw);
	cio_membuf_free(&back);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	data = malloc(3 << 20);
	randombytes_buf(data, 3 << 20);
	test_keys();
	test_files();
	test_roundtrips();
	test_header();
	test_protected_identity();
	test_interop();
	free(data);
	return tap_done();
}
