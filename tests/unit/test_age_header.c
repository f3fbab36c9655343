/*
 * test_age_header.c - the age API's failure classes (no match, header,
 * HMAC, payload, truncation), grease, passphrase-protected identity files,
 * and files made by the real age 1.1.1 (tests/vectors/age-interop/).
 * Key strings and round trips live in test_age.c.
 */
#include "age_util.h"

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
test_header(void)
{
	struct age_recipients rs = {0}, pw = {0};
	struct age_identities ids = {0};
	struct cio_membuf ct = {0}, back = {0};
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
	TAP_EQ_INT(
	    age_header_parse(ct.data, ct.len, &h), 0, "written header parses");
	for (i = 0; i < h.n; i++) {
		size_t tl = strlen(h.stanzas[i].type);

		grease += tl > 7 &&
		    strcmp(h.stanzas[i].type + tl - 7, "-grease") == 0;
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
	        back.len == 3 * 65536,
	    "truncated by one byte: payload failure");
	TAP_OK(decrypt(&ids, ct.data, hlen + 16 + 2 * 65552, &back) ==
	            CAIRN_ERR_PAYLOAD &&
	        back.len == 2 * 65536,
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
		struct cio_membuf big = {0};
		struct cio_memsrc ms;
		struct cio_source src = {.read = cio_memsrc_read, .ctx = &ms};
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
		struct cio_sink sink = {cio_membuf_write, &back};
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
	struct age_recipients rs = {0}, pw = {0};
	struct age_identities ids = {0};
	struct cio_membuf idf = {0}, ct = {0}, back = {0};
	struct pass good = {"s3cret", 0}, bad = {"wrong", 0};
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
		encrypt(
		    &pw, armor, (const uint8_t *)text, strlen(text), 7, &idf);
		good.calls = 0;
		ret = age_identities_add_text(
		    &ids, (const char *)idf.data, idf.len, pass_cb, &good, &bl);
		TAP_OK(ret == 0 && ids.n == 1 && good.calls == 1,
		    "%s passphrase-protected identity file loads (%d)",
		    armor ? "armored" : "binary", ret);
		TAP_OK(decrypt(&ids, ct.data, ct.len, &back) == 0 &&
		        back.len == 5000,
		    "and its identity decrypts");
		age_identities_free(&ids);
		TAP_EQ_INT(age_identities_add_text(&ids, (const char *)idf.data,
		               idf.len, pass_cb, &bad, &bl),
		    CAIRN_ERR_NO_MATCH, "wrong passphrase: no match");
		TAP_EQ_INT(age_identities_add_text(&ids, (const char *)idf.data,
		               idf.len, NULL, NULL, &bl),
		    CAIRN_ERR_NO_MATCH, "no passphrase callback: no match");
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
	struct age_identities ids = {0}, plain = {0}, pw = {0};
	struct cio_membuf back = {0};
	struct pass good = {"correct horse battery", 0};
	char *idtxt, *idage, *msg, *asc;
	size_t l1 = 0, l2 = 0, l3 = 0, l4 = 0, bl;
	const char *want = "hello from age -p\n";

	idtxt = slurp(INTEROP "id.txt", &l1);
	idage = slurp(INTEROP "id.txt.age", &l2);
	msg = slurp(INTEROP "msg.age", &l3);
	asc = slurp(INTEROP "msg.asc", &l4);
	if (idtxt == NULL || idage == NULL || msg == NULL || asc == NULL) {
		TAP_OK(
		    0, "read %s files (run from the repository root)", INTEROP);
		return;
	}
	TAP_EQ_INT(age_identities_add_text(&plain, idtxt, l1, NULL, NULL, &bl),
	    0, "age-keygen identity file");
	TAP_OK(decrypt(&plain, (uint8_t *)msg, l3, &back) == 0 &&
	        back.len == strlen(want) &&
	        tmemcmp(back.data, want, back.len) == 0,
	    "file from age -r decrypts");
	TAP_OK(age_identities_add_text(&ids, idage, l2, pass_cb, &good, &bl) ==
	            0 &&
	        ids.n == 1,
	    "identity file from age -p (work factor 18)");
	TAP_OK(decrypt(&ids, (uint8_t *)msg, l3, &back) == 0 &&
	        back.len == strlen(want),
	    "its identity decrypts the age -r file");
	age_identities_add_passphrase(&pw, good.p, strlen(good.p));
	TAP_OK(decrypt(&pw, (uint8_t *)asc, l4, &back) == 0 &&
	        back.len == strlen(want) &&
	        tmemcmp(back.data, want, back.len) == 0,
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
	static void (*const tests[])(void) = {
	    test_header, test_protected_identity, test_interop};

	return run_with_data(tests, sizeof(tests) / sizeof(tests[0]));
}
