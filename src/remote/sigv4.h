/*
 * sigv4.h - AWS Signature Version 4 (HMAC-SHA256), written here because
 * Debian 12's libcurl 7.88 signs some requests wrongly (it omits
 * x-amz-content-sha256, signs valueless query keys and unsorted keys as
 * written).  Tested against AWS's published SigV4 test suite
 * (tests/vectors/aws-sigv4, tests/unit/test_sigv4.c).
 *
 * Knows HTTP requests as text (method, path, query, headers); knows
 * nothing of S3 operations, libcurl or where credentials come from.
 */
#ifndef CAIRN_SIGV4_H
#define CAIRN_SIGV4_H

#include <stddef.h>

struct sigv4_header {
	const char *name;  /* any case; lower-cased when signed */
	const char *value; /* trimmed and inner spaces folded when signed */
};

struct sigv4_input {
	const char *method;
	const char *path;  /* as sent (percent-encoded or raw); '/'-separated */
	const char *query; /* as sent, without '?'; NULL or "" for none */
	const struct sigv4_header *headers; /* every header to sign, host and
	                                      x-amz-date included */
	size_t nheaders;
	const char *payload_hash; /* lower-case hex SHA-256 of the body */
	const char *amz_date;     /* YYYYMMDDTHHMMSSZ */
	const char *region;
	const char *service; /* "s3" */
	const char *access_key;
	const char *secret_key;
};

/* The canonical request (malloc'd, caller frees) into *out.  Returns 0,
 * CAIRN_ERR_NOMEM or CAIRN_ERR_INVAL (a malformed date or header). */
int sigv4_canonical_request(const struct sigv4_input *in, char **out);

/* The string to sign for a canonical request (malloc'd, caller frees). */
int sigv4_string_to_sign(
    const struct sigv4_input *in, const char *canonical, char **out);

/* The hex signature of a string to sign into sig (65 bytes). */
int sigv4_signature(
    const struct sigv4_input *in, const char *string_to_sign, char sig[65]);

/* The whole Authorization header value ("AWS4-HMAC-SHA256 Credential=...,
 * SignedHeaders=..., Signature=..."), malloc'd (caller frees). */
int sigv4_authorization(const struct sigv4_input *in, char **out);

/* Percent-encode s as SigV4 wants (unreserved A-Z a-z 0-9 - . _ ~ kept,
 * '/' kept when keep_slash, every other byte as %XX upper-case), after
 * decoding any %XX already in it.  Malloc'd; NULL when out of memory. */
char *sigv4_uri_encode(const char *s, size_t len, int keep_slash);

#endif
