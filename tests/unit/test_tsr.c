/*
 * test_tsr.c - the time-stamp sidecar (NAME.cairn.tsr): exact encoding,
 * round trip, strict parsing with a must-fail case per rule, limits; and
 * the RFC 3161 query (DER that OpenSSL parses back, with nonce and
 * certReq) and token parsing refusals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ts.h>

#include "cairn/err.h"
#include "cairn/tsa.h"
#include "tap.h"

#define HEX_A "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static int
dec(const char *text, size_t len)
{
	struct tsr t;
	int rc = tsr_decode((const uint8_t *)text, len, &t);

	tsr_free(&t);
	return rc;
}

static void
test_codec(void)
{
	static const uint8_t da[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf,
	    0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03,
	    0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2,
	    0x00, 0x15, 0xad};
	const char want[] = "cairn-tsr v1\ntoken archive " HEX_A
	                    " 3\nA\nB\ntoken sums " HEX_A " 1\n\n\n";
	struct tsr t, u;
	uint8_t *out = NULL;
	size_t len = 0;

	memset(&t, 0, sizeof(t));
	TAP_EQ_INT(tsr_add(&t, TSR_ARCHIVE, da, (const uint8_t *)"A\nB", 3), 0,
	    "add archive token");
	TAP_EQ_INT(tsr_add(&t, TSR_SUMS, da, (const uint8_t *)"\n", 1), 0,
	    "add sums token (a newline as its byte)");
	TAP_EQ_INT(tsr_encode(&t, &out, &len), 0, "encode");
	TAP_OK(len == sizeof(want) - 1 && memcmp(out, want, len) == 0,
	    "exact encoding");
	TAP_EQ_INT(tsr_decode(out, len, &u), 0, "decode own output");
	TAP_OK(u.n == 2 && u.v[0].kind == TSR_ARCHIVE &&
	        u.v[1].kind == TSR_SUMS && u.v[0].len == 3 &&
	        memcmp(u.v[0].der, "A\nB", 3) == 0 &&
	        memcmp(u.v[1].digest, da, 32) == 0,
	    "decoded tokens as added");
	tsr_free(&u);
	free(out);
	TAP_EQ_INT(tsr_add(&t, TSR_SUMS, da, (const uint8_t *)"x", 0),
	    CAIRN_ERR_LIMIT, "empty token refused");
	while (t.n < TSR_MAX_TOKENS)
		tsr_add(&t, TSR_SUMS, da, (const uint8_t *)"x", 1);
	TAP_EQ_INT(tsr_add(&t, TSR_SUMS, da, (const uint8_t *)"x", 1),
	    CAIRN_ERR_LIMIT, "token 65 refused");
	tsr_free(&t);
	TAP_EQ_INT(dec("cairn-tsr v1\n", 13), 0, "magic alone: no tokens");
}

static void
test_refusals(void)
{
	// clang-format off
	static const char *bad[] = {
	    "", "cairn-tsr v2\n", "cairn-tsr v1",
	    "cairn-tsr v1\ntoken other " HEX_A " 1\nx\n",
	    "cairn-tsr v1\ntoken archive " HEX_A " 2\nx\n",
	    "cairn-tsr v1\ntoken archive " HEX_A " 1\nxy",
	    "cairn-tsr v1\ntoken archive " HEX_A " 1\nx",
	    "cairn-tsr v1\ntoken archive " HEX_A " 01\nx\n",
	    "cairn-tsr v1\ntoken archive " HEX_A " +1\nx\n",
	    "cairn-tsr v1\ntoken archive " HEX_A "  1\nx\n",
	    "cairn-tsr v1\ntoken archive " HEX_A "\nx\n",
	    "cairn-tsr v1\ntoken archive BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 1\nx\n",
	    "cairn-tsr v1\ntoken archive ba78 1\nx\n",
	    "cairn-tsr v1\ntoken archive " HEX_A " 1\nx\ntrailing",
	    "cairn-tsr v1\ntoken  archive " HEX_A " 1\nx\n",
	};
	// clang-format on
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TAP_EQ_INT(dec(bad[i], strlen(bad[i])), CAIRN_ERR_FORMAT,
		    "malformed sidecar refused");
	TAP_EQ_INT(dec("cairn-tsr v1\ntoken archive " HEX_A " 65537\nx\n", 98),
	    CAIRN_ERR_LIMIT, "token length over 64 KiB refused");
	TAP_EQ_INT(dec("cairn-tsr v1\ntoken archive " HEX_A " 0\n\n", 94),
	    CAIRN_ERR_FORMAT, "zero length refused");
}

static void
test_query(void)
{
	uint8_t d[32], *der = NULL;
	const unsigned char *p;
	size_t len = 0;
	struct tsa_query *q = NULL;
	struct tsa_token_info info;
	uint8_t *tok = NULL;
	size_t toklen = 0;
	char why[TSA_WHY_LEN];
	TS_REQ *r;

	memset(d, 0x5a, sizeof(d));
	TAP_EQ_INT(tsa_query_new(d, &q), 0, "query made");
	TAP_EQ_INT(tsa_query_der(q, &der, &len), 0, "query DER");
	p = der;
	r = d2i_TS_REQ(NULL, &p, (long)len);
	TAP_OK(r != NULL && p == der + len, "OpenSSL parses the query");
	TAP_OK(r != NULL && TS_REQ_get_nonce(r) != NULL, "nonce present");
	TAP_OK(r != NULL && TS_REQ_get_cert_req(r) == 1, "certReq true");
	TAP_OK(r != NULL &&
	        memcmp(ASN1_STRING_get0_data(
	                   TS_MSG_IMPRINT_get_msg(TS_REQ_get_msg_imprint(r))),
	            d, 32) == 0,
	    "imprint is the digest");
	TS_REQ_free(r);
	TAP_EQ_INT(tsa_query_reply(q, der, len, &tok, &toklen, why),
	    CAIRN_ERR_FORMAT, "a query is not a reply");
	TAP_EQ_INT(tsa_token_info(der, len, &info), CAIRN_ERR_FORMAT,
	    "a query is not a token");
	TAP_EQ_INT(tsa_http_post("ftp://127.0.0.1/", NULL, der, len, 1, &tok,
	               &toklen, why),
	    CAIRN_ERR_INVAL, "ftp URL refused");
	TAP_EQ_INT(tsa_http_post("http://tsaexample.onion/tsr", NULL, der, len,
	               1, &tok, &toklen, why),
	    CAIRN_ERR_INVAL, ".onion TSA without a proxy refused");
	TAP_OK(strstr(why, "only through Tor") != NULL, "... saying why");
	TAP_EQ_INT(tsa_http_post("http://user@tsaexample.onion:80/tsr",
	               "socks5://127.0.0.1:9", der, len, 1, &tok, &toklen, why),
	    CAIRN_ERR_INVAL, ".onion TSA through socks5:// refused");
	TAP_OK(strstr(why, "socks5h://") != NULL, "... saying why");
	TAP_EQ_INT(tsa_http_post("http://127.0.0.1:9/tsr", "ftp://127.0.0.1:9",
	               der, len, 1, &tok, &toklen, why),
	    CAIRN_ERR_INVAL, "a proxy of another scheme refused");
	free(der);
	tsa_query_free(q);
}

int
main(void)
{
	test_codec();
	test_refusals();
	test_query();
	return tap_done();
}
