/*
 * test_age_format.c - age header text: strict base64, stanza and MAC line
 * parsing, incomplete input, limits, byte-identical re-encoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_format.h"
#include "cairn/err.h"
#include "tap.h"

/* memcmp that accepts NULL pointers when n is 0 (empty membufs). */
static int
tmemcmp(const void *a, const void *b, size_t n)
{
	return n == 0 ? 0 : memcmp(a, b, n);
}

#define MAC43 "HK2NmOBN9Dpq0Gw6xMCuhFcQlQLvZ/wQUi/2scLG75s"

static const char good[] =
    "age-encryption.org/v1\n"
    "-> X25519 XEl0dJ6y3C7KZkgmgWUicg63EyXJiwBJW8PdYJ/cYBE\n"
    "qRS0AMjdjPvZ/WT08U2KL4G+PIooA3hy38SvLpvaC1E\n"
    "-> other-type a b c\n"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
    "\n"
    "-> empty\n"
    "\n"
    "--- " MAC43 "\n";

static int
parse(const char *s, struct age_header *h)
{
	return age_header_parse((const uint8_t *)s, strlen(s), h);
}

/* Parse s; expect code want; free. */
static void
expect(const char *s, int want, const char *what)
{
	struct age_header h;
	int ret = parse(s, &h);

	TAP_EQ_INT(ret, want, what);
	if (ret == 0)
		age_header_free(&h);
}

static void
test_base64(void)
{
	// clang-format off
	static const char *raw[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg",
		"Zm9vYmE", "Zm9vYmFy" };
	static const char *pad[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
		"Zm9vYmE=", "Zm9vYmFy" };
	static const char *bad_raw[] = { "Zh", "Zm9", "Zg==", "Zm8=", "Z",
		"Zm9vY", "Zm 9v", "Zm9v\n", "Zm-v", "Zm9_" };
	static const char *bad_pad[] = { "Zg", "Zm8", "Zh==", "Zm9=", "Zg=",
		"Z===", "Zg=a", "=Zg=", "Zm9vYg=\n", "Zg==Zg==" };
	// clang-format on
	const char *foobar = "foobar";
	uint8_t out[16];
	char enc[16];
	size_t n, i;

	for (i = 0; i < 7; i++) {
		age_b64_encode(enc, (const uint8_t *)foobar, i, 0);
		TAP_OK(age_b64_encoded_len(i, 0) == strlen(raw[i]) &&
		        tmemcmp(enc, raw[i], strlen(raw[i])) == 0,
		    "raw encode %zu bytes: %s", i, raw[i]);
		TAP_OK(age_b64_decode(raw[i], strlen(raw[i]), out, sizeof(out),
		           &n, 0) == 0 &&
		        n == i && tmemcmp(out, foobar, i) == 0,
		    "raw decode %s", raw[i]);
		age_b64_encode(enc, (const uint8_t *)foobar, i, 1);
		TAP_OK(age_b64_encoded_len(i, 1) == strlen(pad[i]) &&
		        tmemcmp(enc, pad[i], strlen(pad[i])) == 0,
		    "padded encode %zu bytes: %s", i, pad[i]);
		TAP_OK(age_b64_decode(pad[i], strlen(pad[i]), out, sizeof(out),
		           &n, 1) == 0 &&
		        n == i && tmemcmp(out, foobar, i) == 0,
		    "padded decode %s", pad[i]);
	}
	for (i = 0; i < sizeof(bad_raw) / sizeof(bad_raw[0]); i++)
		TAP_OK(age_b64_decode(bad_raw[i], strlen(bad_raw[i]), out,
		           sizeof(out), &n, 0) == CAIRN_ERR_FORMAT,
		    "bad raw base64 #%zu refused", i);
	for (i = 0; i < sizeof(bad_pad) / sizeof(bad_pad[0]); i++)
		TAP_OK(age_b64_decode(bad_pad[i], strlen(bad_pad[i]), out,
		           sizeof(out), &n, 1) == CAIRN_ERR_FORMAT,
		    "bad padded base64 #%zu refused", i);
	TAP_EQ_INT(age_b64_decode("Zm9vYmFy", 8, out, 5, &n, 0),
	    CAIRN_ERR_INVAL, "decode into too small a buffer refused");
}

static void
test_parse_good(void)
{
	struct age_header h;
	struct cio_membuf out = {0};
	size_t i;
	int ok = 1;

	TAP_EQ_INT(parse(good, &h), 0, "valid header parses");
	if (h.n != 3) {
		TAP_OK(0, "three stanzas (got %zu)", h.n);
		return;
	}
	TAP_EQ_INT(h.n, 3, "three stanzas");
	TAP_OK(strcmp(h.stanzas[0].type, "X25519") == 0 &&
	        h.stanzas[0].nargs == 1 && h.stanzas[0].body_len == 32,
	    "X25519 stanza: type, one argument, 32-byte body");
	TAP_OK(strcmp(h.stanzas[1].type, "other-type") == 0 &&
	        h.stanzas[1].nargs == 3 &&
	        strcmp(h.stanzas[1].args[2], "c") == 0 &&
	        h.stanzas[1].body_len == 48,
	    "full-line body ends with empty line");
	TAP_OK(h.stanzas[2].nargs == 0 && h.stanzas[2].body_len == 0,
	    "type-only stanza with empty body");
	TAP_EQ_INT(h.len, strlen(good), "header length");
	TAP_EQ_INT(h.mac_len, strlen(good) - 45, "MAC covers up to '---'");
	TAP_OK(age_header_encode(h.stanzas, h.n, &out) == 0 &&
	        age_header_encode_mac(h.mac, &out) == 0 && out.len == h.len &&
	        tmemcmp(out.data, good, h.len) == 0,
	    "re-encodes byte-identically");
	cio_membuf_free(&out);
	age_header_free(&h);

	/* Payload bytes after the header are not the parser's business. */
	{
		char buf[sizeof(good) + 16];

		snprintf(buf, sizeof(buf), "%s\x01\x02garbage", good);
		TAP_OK(parse(buf, &h) == 0 && h.len == strlen(good),
		    "stops at the end of the MAC line");
		age_header_free(&h);
	}
	/* Every strict prefix is incomplete, never an error. */
	for (i = 0; i < strlen(good); i++)
		if (age_header_parse((const uint8_t *)good, i, &h) !=
		    AGE_HEADER_INCOMPLETE) {
			ok = 0;
			break;
		}
	TAP_OK(ok, "every prefix of a valid header is incomplete (%zu)", i);
}

static void
test_parse_bad(void)
{
	char buf[AGE_MAX_HEADER_LEN + 4096];
	size_t off, i;

	expect("age-encryption.org/v1\n--- " MAC43 "\n", CAIRN_ERR_HEADER,
	    "no stanza");
	expect("age-encryption.org/v2\n-> a\n\n--- " MAC43 "\n",
	    CAIRN_ERR_UNSUPPORTED, "other version");
	expect("age-encryption.org/v1\r\n-> a\n\n--- " MAC43 "\n",
	    CAIRN_ERR_HEADER, "CRLF version line");
	expect("age-encryption.org/\n", CAIRN_ERR_HEADER, "empty version");
	expect("garbage", CAIRN_ERR_HEADER, "garbage fails before a newline");
	expect("AGE-ENCRYPTION", CAIRN_ERR_HEADER, "wrong intro case");
	expect("age-encryption.org/v1\n->\n\n--- " MAC43 "\n", CAIRN_ERR_HEADER,
	    "stanza without arguments");
	expect("age-encryption.org/v1\n-> \n\n--- " MAC43 "\n",
	    CAIRN_ERR_HEADER, "stanza with an empty argument");
	expect("age-encryption.org/v1\n-> a  b\n\n--- " MAC43 "\n",
	    CAIRN_ERR_HEADER, "double space between arguments");
	expect("age-encryption.org/v1\n-> a \n\n--- " MAC43 "\n",
	    CAIRN_ERR_HEADER, "trailing space in arguments");
	expect("age-encryption.org/v1\n->a\n\n--- " MAC43 "\n",
	    CAIRN_ERR_HEADER, "no space after ->");
	expect("age-encryption.org/v1\n-> a\xc3\xa9\n\n--- " MAC43 "\n",
	    CAIRN_ERR_HEADER, "non-ASCII argument");
	expect("age-encryption.org/v1\n-> a\tb\n\n--- " MAC43 "\n",
	    CAIRN_ERR_HEADER, "tab in arguments");
	expect("age-encryption.org/v1\n-> a\nZg==\n--- " MAC43 "\n",
	    CAIRN_ERR_HEADER, "padded body");
	expect("age-encryption.org/v1\n-> a\nZh\n--- " MAC43 "\n",
	    CAIRN_ERR_HEADER, "non-canonical body");
	expect("age-encryption.org/v1\n-> a\nZg\r\n--- " MAC43 "\n",
	    CAIRN_ERR_HEADER, "CR in body");
	expect("age-encryption.org/v1\n-> a\nZg\nZg\n--- " MAC43 "\n",
	    CAIRN_ERR_HEADER, "two short body lines");
	// clang-format off
	expect("age-encryption.org/v1\n-> a\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
	    "--- " MAC43 "\n", CAIRN_ERR_HEADER, "full last line without empty "
	    "line");
	expect("age-encryption.org/v1\n-> a\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
	    "\n--- " MAC43 "\n", CAIRN_ERR_HEADER, "68-column body line");
	// clang-format on
	expect("age-encryption.org/v1\n-> a\n--- " MAC43 "\n", CAIRN_ERR_HEADER,
	    "missing body");
	expect("age-encryption.org/v1\n-> a\n\n---" MAC43 "\n",
	    CAIRN_ERR_HEADER, "no space after ---");
	expect("age-encryption.org/v1\n-> a\n\n---  " MAC43 "\n",
	    CAIRN_ERR_HEADER, "two spaces after ---");
	expect("age-encryption.org/v1\n-> a\n\n--- " MAC43 " \n",
	    CAIRN_ERR_HEADER, "trailing space after MAC");
	expect("age-encryption.org/v1\n-> a\n\n--- "
	       "HK2NmOBN9Dpq0Gw6xMCuhFcQlQLvZ/wQUi/2scLG75t\n",
	    CAIRN_ERR_HEADER, "non-canonical MAC");
	expect("age-encryption.org/v1\n-> a\n\n--- "
	       "HK2NmOBN9Dpq0Gw6xMCuhFcQlQLvZ/wQUi/2scLG7\n",
	    CAIRN_ERR_HEADER, "short MAC");
	expect("age-encryption.org/v1\n-> a\n\n--- " MAC43 "\r\n",
	    CAIRN_ERR_HEADER, "CRLF MAC line");
	expect("age-encryption.org/v1\n-> a\n\n-x\n", CAIRN_ERR_HEADER,
	    "line that is neither stanza nor MAC");
	expect("age-encryption.org/v1\n-> a\n\n-", AGE_HEADER_INCOMPLETE,
	    "'-' may still become a stanza");
	expect("age-encryption.org/v1\n-> a\n\n--- " MAC43,
	    AGE_HEADER_INCOMPLETE, "MAC line without LF is incomplete");

	/* Limits: AGE_MAX_STANZAS stanzas, AGE_MAX_HEADER_LEN bytes. */
	off = (size_t)sprintf(buf, "age-encryption.org/v1\n");
	for (i = 0; i < AGE_MAX_STANZAS; i++)
		off += (size_t)sprintf(buf + off, "-> s\n\n");
	sprintf(buf + off, "--- " MAC43 "\n");
	expect(buf, 0, "AGE_MAX_STANZAS stanzas accepted");
	sprintf(buf + off, "-> s\n\n--- " MAC43 "\n");
	expect(buf, CAIRN_ERR_LIMIT, "one more stanza refused");
	off = (size_t)sprintf(buf, "age-encryption.org/v1\n-> ");
	memset(buf + off, 'x', AGE_MAX_HEADER_LEN);
	buf[off + AGE_MAX_HEADER_LEN] = '\0';
	expect(buf, CAIRN_ERR_LIMIT, "incomplete header past the size cap");
}

static void
test_encode(void)
{
	struct age_stanza s;
	struct age_header h;
	struct cio_membuf out = {0};
	uint8_t body[200], mac[AGE_MAC_LEN] = {1, 2, 3};
	const char *args[2] = {"arg1", "a/r+g=2"};
	const char *bad[1] = {"sp ace"};
	size_t n;
	int ok = 1;

	randombytes_buf(body, sizeof(body));
	for (n = 0; n < sizeof(body) && ok; n++) {
		out.len = 0;
		ok = age_stanza_set(&s, "t", args, 2, body, n) == 0 &&
		    age_header_encode(&s, 1, &out) == 0 &&
		    age_header_encode_mac(mac, &out) == 0 &&
		    age_header_parse(out.data, out.len, &h) == 0 && h.n == 1 &&
		    h.stanzas[0].body_len == n &&
		    tmemcmp(h.stanzas[0].body, body, n) == 0 &&
		    h.stanzas[0].nargs == 2 &&
		    strcmp(h.stanzas[0].args[1], args[1]) == 0 &&
		    tmemcmp(h.mac, mac, sizeof(mac)) == 0 && h.len == out.len;
		age_stanza_clear(&s);
		if (ok)
			age_header_free(&h);
	}
	TAP_OK(ok, "encode/parse round trip, bodies of 0..199 bytes (%zu)", n);
	cio_membuf_free(&out);
	TAP_EQ_INT(age_stanza_set(&s, "a b", NULL, 0, NULL, 0), CAIRN_ERR_INVAL,
	    "type with a space refused");
	TAP_EQ_INT(age_stanza_set(&s, "", NULL, 0, NULL, 0), CAIRN_ERR_INVAL,
	    "empty type refused");
	TAP_EQ_INT(age_stanza_set(&s, "t", bad, 1, NULL, 0), CAIRN_ERR_INVAL,
	    "argument with a space refused");
	TAP_OK(age_arg_valid("!~") && !age_arg_valid("") &&
	        !age_arg_valid("\x7f") && !age_arg_valid("a\n"),
	    "argument charset is 1*VCHAR");
	TAP_EQ_INT(age_header_encode(NULL, 0, &out), CAIRN_ERR_INVAL,
	    "encoding zero stanzas refused");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_base64();
	test_parse_good();
	test_parse_bad();
	test_encode();
	return tap_done();
}
