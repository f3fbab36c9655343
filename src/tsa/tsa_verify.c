/*
 * tsa_verify.c - reading and verifying RFC 3161 time-stamp tokens (DER
 * CMS SignedData holding a TSTInfo) with OpenSSL's TS API (see tsa.h).
 *
 * Knows libcrypto's PKCS7 / TS_TST_INFO / TS_VERIFY_CTX / X509_STORE;
 * nothing of archives, sidecars or HTTP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/tsa.h"
#include "tsa_impl.h"

static PKCS7 *
token_parse(const uint8_t *tok, size_t len)
{
	const unsigned char *p = tok;
	PKCS7 *t;

	if (len == 0 || len > TSA_TOKEN_MAX)
		return NULL;
	t = d2i_PKCS7(NULL, &p, (long)len);
	if (t != NULL && p != tok + len) {
		PKCS7_free(t);
		return NULL;
	}
	return t;
}

/* The signer certificate's subject (RFC 2253) into out, or "". */
static void
signer_subject(PKCS7 *t, char out[TSA_SUBJECT_LEN])
{
	STACK_OF(X509) *signers = PKCS7_get0_signers(t, NULL, 0);
	BIO *b = NULL;
	int n;

	out[0] = '\0';
	if (signers == NULL || sk_X509_num(signers) < 1 ||
	    (b = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	if (X509_NAME_print_ex(b,
	        X509_get_subject_name(sk_X509_value(signers, 0)), 0,
	        XN_FLAG_RFC2253) < 0)
		goto out;
	n = BIO_read(b, out, TSA_SUBJECT_LEN - 1);
	out[n > 0 ? n : 0] = '\0';
out:
	BIO_free(b);
	sk_X509_free(signers);
	ERR_clear_error();
}

/* Time, imprint and signer of t into info. */
static int
token_read(PKCS7 *t, struct tsa_token_info *info)
{
	TS_TST_INFO *tst = PKCS7_to_TS_TST_INFO(t);
	TS_MSG_IMPRINT *mi;
	ASN1_OCTET_STRING *msg;
	struct tm tm;
	int rc = CAIRN_ERR_FORMAT;

	memset(info, 0, sizeof(*info));
	if (tst == NULL)
		goto out;
	if (ASN1_TIME_to_tm(TS_TST_INFO_get_time(tst), &tm) != 1)
		goto out;
	info->gen_time = (int64_t)timegm(&tm);
	mi = TS_TST_INFO_get_msg_imprint(tst);
	msg = TS_MSG_IMPRINT_get_msg(mi);
	info->sha256 =
	    OBJ_obj2nid(TS_MSG_IMPRINT_get_algo(mi)->algorithm) == NID_sha256 &&
	    ASN1_STRING_length(msg) == TSA_DIGEST_LEN;
	if (info->sha256)
		memcpy(
		    info->digest, ASN1_STRING_get0_data(msg), TSA_DIGEST_LEN);
	signer_subject(t, info->subject);
	rc = 0;
out:
	TS_TST_INFO_free(tst);
	ERR_clear_error();
	return rc;
}

int
tsa_token_info(const uint8_t *tok, size_t len, struct tsa_token_info *info)
{
	PKCS7 *t = token_parse(tok, len);
	int rc;

	memset(info, 0, sizeof(*info));
	if (t == NULL) {
		ERR_clear_error();
		return CAIRN_ERR_FORMAT;
	}
	rc = token_read(t, info);
	PKCS7_free(t);
	return rc;
}

/* A store of the CA files that checks chains at time t. */
static int
store_new(const char *const *cas, size_t ncas, int64_t t, X509_STORE **out,
    char why[TSA_WHY_LEN])
{
	X509_STORE *s = X509_STORE_new();

	*out = NULL;
	if (s == NULL)
		return CAIRN_ERR_NOMEM;
	for (size_t i = 0; i < ncas; i++)
		if (X509_STORE_load_file(s, cas[i]) != 1) {
			X509_STORE_free(s);
			snprintf(why, TSA_WHY_LEN,
			    "%s: cannot load CA certificates", cas[i]);
			ERR_clear_error();
			return CAIRN_ERR_IO;
		}
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(s), (time_t)t);
	*out = s;
	return 0;
}

int
tsa_token_verify(const uint8_t *tok, size_t len,
    const uint8_t digest[TSA_DIGEST_LEN], const char *const *cas, size_t ncas,
    struct tsa_token_info *info, char why[TSA_WHY_LEN])
{
	PKCS7 *t = token_parse(tok, len);
	TS_VERIFY_CTX *vc = NULL;
	X509_STORE *store = NULL;
	unsigned char *imp = NULL;
	int rc;

	why[0] = '\0';
	memset(info, 0, sizeof(*info));
	if (t == NULL || token_read(t, info) != 0) {
		tsa_why(why, "not a time-stamp token");
		rc = CAIRN_ERR_FORMAT;
		goto out;
	}
	if (!info->sha256) {
		snprintf(
		    why, TSA_WHY_LEN, "the token does not stamp a SHA-256");
		rc = CAIRN_ERR_SIGNATURE;
		goto out;
	}
	if (CRYPTO_memcmp(info->digest, digest, TSA_DIGEST_LEN) != 0) {
		snprintf(why, TSA_WHY_LEN,
		    "the token stamps other data (its SHA-256 differs)");
		rc = CAIRN_ERR_SIGNATURE;
		goto out;
	}
	if (ncas == 0) {
		snprintf(why, TSA_WHY_LEN, "no trusted TSA CA certificate");
		rc = CAIRN_ERR_SIGNATURE;
		goto out;
	}
	if ((rc = store_new(cas, ncas, info->gen_time, &store, why)) != 0)
		goto out;
	rc = CAIRN_ERR_NOMEM;
	if ((vc = TS_VERIFY_CTX_new()) == NULL ||
	    (imp = OPENSSL_memdup(digest, TSA_DIGEST_LEN)) == NULL)
		goto out;
	TS_VERIFY_CTX_set_flags(vc,
	    TS_VFY_SIGNATURE | TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_SIGNER);
	TS_VERIFY_CTX_set_imprint(vc, imp, TSA_DIGEST_LEN);
	imp = NULL;
	TS_VERIFY_CTX_set_store(vc, store);
	store = NULL;
	if (TS_RESP_verify_token(vc, t) != 1) {
		tsa_why(why, "the token does not verify");
		rc = CAIRN_ERR_SIGNATURE;
		goto out;
	}
	rc = 0;
out:
	OPENSSL_free(imp);
	X509_STORE_free(store);
	TS_VERIFY_CTX_free(vc);
	PKCS7_free(t);
	ERR_clear_error();
	return rc;
}
