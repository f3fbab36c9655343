/*
 * tsa_query.c - RFC 3161 time-stamp queries and the check of a TSA's
 * reply against its query, with OpenSSL's TS API (see tsa.h).
 *
 * Knows libcrypto's TS_REQ / TS_RESP / TS_VERIFY_CTX; nothing of HTTP,
 * files or archives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/tsa.h"
#include "tsa_impl.h"

struct tsa_query {
	TS_REQ *req;
};

void
tsa_why(char why[TSA_WHY_LEN], const char *what)
{
	const char *data = NULL;
	int flags = 0;
	unsigned long e = ERR_peek_last_error_data(&data, &flags);
	char buf[160];

	if (e != 0 && data != NULL && (flags & ERR_TXT_STRING) != 0 &&
	    data[0] != '\0')
		snprintf(why, TSA_WHY_LEN, "%s (%s)", what, data);
	else if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(why, TSA_WHY_LEN, "%s (%s)", what, buf);
	} else
		snprintf(why, TSA_WHY_LEN, "%s", what);
	ERR_clear_error();
}

int
tsa_der_copy(const unsigned char *der, int n, uint8_t **out, size_t *outlen)
{
	if (n <= 0)
		return CAIRN_ERR_NOMEM;
	if ((*out = cio_malloc((size_t)n)) == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(*out, der, (size_t)n);
	*outlen = (size_t)n;
	return 0;
}

/* A TS_MSG_IMPRINT of SHA-256 digest. */
static TS_MSG_IMPRINT *
imprint_new(const uint8_t digest[TSA_DIGEST_LEN])
{
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	int ok = mi != NULL && alg != NULL &&
	    X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) &&
	    TS_MSG_IMPRINT_set_algo(mi, alg) &&
	    TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)digest, TSA_DIGEST_LEN);

	X509_ALGOR_free(alg);
	if (!ok) {
		TS_MSG_IMPRINT_free(mi);
		return NULL;
	}
	return mi;
}

int
tsa_query_new(const uint8_t digest[TSA_DIGEST_LEN], struct tsa_query **out)
{
	struct tsa_query *q = NULL;
	TS_MSG_IMPRINT *mi = NULL;
	ASN1_INTEGER *nonce = NULL;
	BIGNUM *bn = NULL;
	unsigned char rnd[8];
	int rc = CAIRN_ERR_NOMEM;

	*out = NULL;
	if ((q = cio_calloc(1, sizeof(*q))) == NULL ||
	    (q->req = TS_REQ_new()) == NULL ||
	    (mi = imprint_new(digest)) == NULL)
		goto out;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	rnd[0] &= 0x7f; /* a positive INTEGER that keeps its 8 bytes */
	rnd[0] |= 0x01;
	if ((bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    (nonce = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
		goto out;
	if (!TS_REQ_set_version(q->req, 1) ||
	    !TS_REQ_set_msg_imprint(q->req, mi) ||
	    !TS_REQ_set_nonce(q->req, nonce) || !TS_REQ_set_cert_req(q->req, 1))
		goto out;
	*out = q;
	q = NULL;
	rc = 0;
out:
	ERR_clear_error();
	BN_free(bn);
	ASN1_INTEGER_free(nonce);
	TS_MSG_IMPRINT_free(mi);
	tsa_query_free(q);
	return rc;
}

void
tsa_query_free(struct tsa_query *q)
{
	if (q == NULL)
		return;
	TS_REQ_free(q->req);
	free(q);
}

int
tsa_query_der(const struct tsa_query *q, uint8_t **der, size_t *len)
{
	unsigned char *buf = NULL;
	int n = i2d_TS_REQ(q->req, &buf);
	int rc = tsa_der_copy(buf, n, der, len);

	OPENSSL_free(buf);
	ERR_clear_error();
	return rc;
}

/* "granted" or the TSA's refusal as text into why. */
static int
check_status(TS_RESP *resp, char why[TSA_WHY_LEN])
{
	TS_STATUS_INFO *si = TS_RESP_get_status_info(resp);
	const ASN1_INTEGER *st = TS_STATUS_INFO_get0_status(si);
	long s = ASN1_INTEGER_get(st);

	if (s == 0 || s == 1) /* granted, grantedWithMods */
		return 0;
	snprintf(
	    why, TSA_WHY_LEN, "the TSA refused the request (status %ld)", s);
	return CAIRN_ERR_SIGNATURE;
}

int
tsa_query_reply(const struct tsa_query *q, const uint8_t *reply, size_t len,
    uint8_t **token, size_t *toklen, char why[TSA_WHY_LEN])
{
	const unsigned char *p = reply;
	TS_RESP *resp = NULL;
	TS_VERIFY_CTX *vc = NULL;
	unsigned char *der = NULL;
	int n, rc;

	*token = NULL;
	why[0] = '\0';
	if (len > TSA_REPLY_MAX ||
	    (resp = d2i_TS_RESP(NULL, &p, (long)len)) == NULL ||
	    p != reply + len) {
		tsa_why(why, "not a time-stamp reply");
		rc = CAIRN_ERR_FORMAT;
		goto out;
	}
	if ((rc = check_status(resp, why)) != 0)
		goto out;
	if (TS_RESP_get_token(resp) == NULL) {
		tsa_why(why, "the reply holds no token");
		rc = CAIRN_ERR_FORMAT;
		goto out;
	}
	/* Version, imprint and nonce; the signature is verify's job. */
	if ((vc = TS_REQ_to_TS_VERIFY_CTX((TS_REQ *)q->req, NULL)) == NULL) {
		rc = CAIRN_ERR_NOMEM;
		goto out;
	}
	TS_VERIFY_CTX_set_flags(
	    vc, TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
	if (TS_RESP_verify_response(vc, resp) != 1) {
		tsa_why(why, "the reply does not answer the request");
		rc = CAIRN_ERR_SIGNATURE;
		goto out;
	}
	n = i2d_PKCS7(TS_RESP_get_token(resp), &der);
	if (n > (int)TSA_TOKEN_MAX) {
		snprintf(why, TSA_WHY_LEN, "token too large (%d bytes)", n);
		rc = CAIRN_ERR_LIMIT;
		goto out;
	}
	rc = tsa_der_copy(der, n, token, toklen);
out:
	OPENSSL_free(der);
	TS_VERIFY_CTX_free(vc);
	TS_RESP_free(resp);
	ERR_clear_error();
	return rc;
}
