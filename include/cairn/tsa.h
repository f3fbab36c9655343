/*
 * tsa.h - RFC 3161 trusted time-stamps: building a time-stamp query for a
 * SHA-256 digest, posting it to a time-stamping authority (TSA) over
 * HTTP(S), checking the reply against the query, verifying a token
 * against trusted CA certificates, and the sidecar file that holds the
 * tokens of an archive (NAME.cairn.tsr, docs/format.md).
 *
 * The TS code is OpenSSL's (libcrypto 3.0 TS_REQ / TS_RESP /
 * TS_VERIFY_CTX); HTTP is libcurl's.  Knows nothing of archives, key
 * homes or the terminal; never prints and never reads the environment
 * (libcurl's proxy variables are switched off).
 */
#ifndef CAIRN_TSA_H
#define CAIRN_TSA_H

#include <stddef.h>
#include <stdint.h>

#define TSA_DIGEST_LEN  32           /* SHA-256: the only imprint used */
#define TSA_REPLY_MAX   (80u * 1024) /* largest TSA reply accepted */
#define TSA_TOKEN_MAX   (64u * 1024) /* largest token in a sidecar */
#define TSA_WHY_LEN     256          /* room for a reason text */
#define TSA_SUBJECT_LEN 256          /* room for a TSA subject */

/* ---- asking a TSA -------------------------------------------------------- */

struct tsa_query;

/*
 * A new query for digest (SHA-256): version 1, a random 64-bit nonce,
 * certReq true, no policy.  Returns 0 or CAIRN_ERR_NOMEM.
 */
int tsa_query_new(const uint8_t digest[TSA_DIGEST_LEN], struct tsa_query **q);
void tsa_query_free(struct tsa_query *q);

/* The DER TimeStampReq into *der (malloc'd, caller frees).  Returns 0 or
 * CAIRN_ERR_NOMEM. */
int tsa_query_der(const struct tsa_query *q, uint8_t **der, size_t *len);

/*
 * Check a DER TimeStampResp against q: status granted, and the token's
 * version, message imprint (SHA-256 of the same digest) and nonce those
 * of the query (the signature is checked by tsa_token_verify()).  On
 * success *token holds the DER token (a CMS SignedData, malloc'd, caller
 * frees).  Returns 0, CAIRN_ERR_FORMAT (not a reply), CAIRN_ERR_SIGNATURE
 * (refused, or not the reply to q; why says which), CAIRN_ERR_NOMEM.
 */
int tsa_query_reply(const struct tsa_query *q, const uint8_t *reply, size_t len,
    uint8_t **token, size_t *toklen, char why[TSA_WHY_LEN]);

/*
 * POST body as application/timestamp-query to url (http:// or https://
 * only, no redirects, timeout_s seconds in all) through proxy (NULL for
 * none, never one from the environment; the rules of http_proxy_check)
 * and read an application/timestamp-reply of at most TSA_REPLY_MAX bytes
 * into *reply (malloc'd, caller frees).  Returns 0, CAIRN_ERR_IO
 * (unreachable, the proxy down or refusing, HTTP error, wrong content
 * type; why says which), CAIRN_ERR_INVAL (a URL of another scheme, a
 * proxy the rules refuse), CAIRN_ERR_LIMIT, CAIRN_ERR_NOMEM.
 */
int tsa_http_post(const char *url, const char *proxy, const uint8_t *body,
    size_t len, long timeout_s, uint8_t **reply, size_t *replylen,
    char why[TSA_WHY_LEN]);

/* ---- reading and verifying tokens --------------------------------------- */

struct tsa_token_info {
	int64_t gen_time;               /* genTime, Unix seconds (UTC) */
	char subject[TSA_SUBJECT_LEN];  /* signer certificate's subject
	                                   * (RFC 2253), or "" */
	uint8_t digest[TSA_DIGEST_LEN]; /* the stamped SHA-256 */
	int sha256;                     /* the imprint is SHA-256 */
};

/*
 * Parse a DER token without verifying it: its time, imprint and signer.
 * Returns 0, CAIRN_ERR_FORMAT, CAIRN_ERR_NOMEM.
 */
int tsa_token_info(const uint8_t *tok, size_t len, struct tsa_token_info *info);

/*
 * Verify a DER token: its imprint is the SHA-256 digest, it is signed by
 * a certificate with the (critical) timeStamping extended key usage that
 * chains to one of the ncas PEM CA files, the chain being checked at the
 * token's own genTime (a TSA certificate that expired since is fine, one
 * not valid then is not).  Fills info.  Returns 0, CAIRN_ERR_FORMAT (not
 * a token), CAIRN_ERR_SIGNATURE (does not match or does not verify; why
 * says why), CAIRN_ERR_IO (a CA file cannot be read; why says which),
 * CAIRN_ERR_NOMEM.
 */
int tsa_token_verify(const uint8_t *tok, size_t len,
    const uint8_t digest[TSA_DIGEST_LEN], const char *const *cas, size_t ncas,
    struct tsa_token_info *info, char why[TSA_WHY_LEN]);

/* ---- the sidecar (NAME.cairn.tsr) ----------------------------------------- */

#define TSR_MAGIC      "cairn-tsr v1\n"
#define TSR_MAX_TOKENS 64
#define TSR_MAX_LEN    (TSR_MAX_TOKENS * (TSA_TOKEN_MAX + 128) + 16)

enum tsr_kind {
	TSR_ARCHIVE = 1, /* the SHA-256 of the archive file as written */
	TSR_SUMS = 2,    /* the SHA-256 of its SHA256SUMS member */
};

struct tsr_token {
	enum tsr_kind kind;
	uint8_t digest[TSA_DIGEST_LEN]; /* what the header says is stamped */
	uint8_t *der;                   /* malloc'd */
	size_t len;
};

struct tsr {
	struct tsr_token v[TSR_MAX_TOKENS];
	size_t n;
};

/*
 * Parse a sidecar (docs/format.md): the magic line, then per token a
 * line "token archive|sums <64 hex> <length>" and that many DER bytes
 * and a newline.  Strict: anything else is CAIRN_ERR_FORMAT.  Also
 * CAIRN_ERR_LIMIT, CAIRN_ERR_NOMEM.  t is zeroed first; tsr_free() it
 * whatever the result.
 */
int tsr_decode(const uint8_t *buf, size_t len, struct tsr *t);
/* Encode t into *out (malloc'd, caller frees).  Returns 0 or
 * CAIRN_ERR_NOMEM. */
int tsr_encode(const struct tsr *t, uint8_t **out, size_t *outlen);
/* Append a copy of der.  Returns 0, CAIRN_ERR_LIMIT, CAIRN_ERR_NOMEM. */
int tsr_add(struct tsr *t, enum tsr_kind kind,
    const uint8_t digest[TSA_DIGEST_LEN], const uint8_t *der, size_t len);
void tsr_free(struct tsr *t);
/* "archive" or "sums". */
const char *tsr_kind_name(enum tsr_kind kind);

#endif
