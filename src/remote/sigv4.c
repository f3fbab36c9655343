/*
 * sigv4.c - AWS Signature Version 4 (see sigv4.h): canonical request,
 * string to sign, signing key and signature with HMAC-SHA256 from
 * OpenSSL's libcrypto.
 *
 * Knows nothing of S3 operations, libcurl or where credentials come from.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "rbuf.h"
#include "sigv4.h"

static int
unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
sigv4_uri_encode(const char *s, size_t len, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	struct rbuf b = {NULL, 0, 0, 0};

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3];

		if (c == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			c = (unsigned char)(hexval(s[i + 1]) * 16 +
			    hexval(s[i + 2]));
			i += 2;
		}
		if (unreserved(c) || (keep_slash && c == '/')) {
			rbuf_addn(&b, (const char *)&c, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		rbuf_addn(&b, e, 3);
	}
	return rbuf_take(&b);
}

struct pair {
	char *k, *v;
};

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->k, y->k);

	return c != 0 ? c : strcmp(x->v, y->v);
}

/* Sorted, encoded "k=v&k=v" of a raw query string. */
static int
canonical_query(const char *q, struct rbuf *out)
{
	struct pair *v = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	for (const char *p = q ? q : ""; *p != '\0';) {
		const char *e = strchr(p, '&'), *eq;
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len > 0) {
			if (n == cap) {
				struct pair *nv;
				cap = cap ? cap * 2 : 8;
				if ((nv = cio_realloc(v, cap * sizeof(*v))) ==
				    NULL) {
					rc = CAIRN_ERR_NOMEM;
					break;
				}
				v = nv;
			}
			eq = memchr(p, '=', len);
			v[n].k =
			    sigv4_uri_encode(p, eq ? (size_t)(eq - p) : len, 0);
			v[n].v = eq ? sigv4_uri_encode(
			                  eq + 1, len - (size_t)(eq - p) - 1, 0)
			            : cio_strdup("");
			n++;
			if (v[n - 1].k == NULL || v[n - 1].v == NULL) {
				rc = CAIRN_ERR_NOMEM;
				break;
			}
		}
		p += len + (e != NULL);
	}
	if (rc == 0 && n > 1)
		qsort(v, n, sizeof(*v), pair_cmp);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rbuf_addf(out, "%s%s=%s", i ? "&" : "", v[i].k, v[i].v);
		free(v[i].k);
		free(v[i].v);
	}
	free(v);
	return rc;
}

struct hdr {
	char *name;
	const char *value;
	size_t order;
};

static int
hdr_cmp(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : (x->order < y->order ? -1 : 1);
}

/* A header value trimmed, runs of spaces folded to one. */
static void
add_value(struct rbuf *b, const char *v)
{
	int space = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v != '\0'; v++) {
		if (*v == ' ' || *v == '\t') {
			space = 1;
			continue;
		}
		if (space)
			rbuf_add(b, " ");
		space = 0;
		rbuf_addn(b, v, 1);
	}
}

/* "name:value\n"... then "\n" then "a;b;c" into canon and signed. */
static int
canonical_headers(
    const struct sigv4_input *in, struct rbuf *canon, struct rbuf *signed_)
{
	struct hdr *h;
	int rc = 0;

	if ((h = cio_calloc(in->nheaders + 1, sizeof(*h))) == NULL)
		return CAIRN_ERR_NOMEM;
	for (size_t i = 0; i < in->nheaders; i++) {
		if ((h[i].name = cio_strdup(in->headers[i].name)) == NULL) {
			rc = CAIRN_ERR_NOMEM;
			goto out;
		}
		for (char *p = h[i].name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		h[i].value = in->headers[i].value;
		h[i].order = i;
	}
	qsort(h, in->nheaders, sizeof(*h), hdr_cmp);
	for (size_t i = 0; i < in->nheaders; i++) {
		int same = i > 0 && strcmp(h[i].name, h[i - 1].name) == 0;

		if (same)
			rbuf_add(canon, ",");
		else {
			if (i > 0)
				rbuf_add(canon, "\n");
			rbuf_addf(canon, "%s:", h[i].name);
			rbuf_addf(signed_, "%s%s", i ? ";" : "", h[i].name);
		}
		add_value(canon, h[i].value);
	}
	rbuf_add(canon, "\n\n");
out:
	for (size_t i = 0; i < in->nheaders; i++)
		free(h[i].name);
	free(h);
	return rc;
}

static int
signed_headers(const struct sigv4_input *in, char **out)
{
	struct rbuf c = {NULL, 0, 0, 0}, s = {NULL, 0, 0, 0};
	int rc = canonical_headers(in, &c, &s);

	rbuf_free(&c);
	if (rc != 0) {
		rbuf_free(&s);
		return rc;
	}
	return (*out = rbuf_take(&s)) == NULL ? CAIRN_ERR_NOMEM : 0;
}

int
sigv4_canonical_request(const struct sigv4_input *in, char **out)
{
	struct rbuf b = {NULL, 0, 0, 0}, s = {NULL, 0, 0, 0};
	const char *path = in->path && *in->path ? in->path : "/";
	char *uri;
	int rc;

	*out = NULL;
	if ((uri = sigv4_uri_encode(path, strlen(path), 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	rbuf_addf(&b, "%s\n%s\n", in->method, uri);
	free(uri);
	if ((rc = canonical_query(in->query, &b)) == 0) {
		rbuf_add(&b, "\n");
		rc = canonical_headers(in, &b, &s);
	}
	if (rc == 0) {
		char *sh = rbuf_take(&s);

		if (sh == NULL)
			rc = CAIRN_ERR_NOMEM;
		else
			rbuf_addf(&b, "%s\n%s", sh, in->payload_hash);
		free(sh);
	}
	rbuf_free(&s);
	if (rc != 0) {
		rbuf_free(&b);
		return rc;
	}
	return (*out = rbuf_take(&b)) == NULL ? CAIRN_ERR_NOMEM : 0;
}

static int
good_date(const char *d)
{
	if (d == NULL || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
		return 0;
	for (int i = 0; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char)d[i]))
			return 0;
	return 1;
}

int
sigv4_string_to_sign(
    const struct sigv4_input *in, const char *canonical, char **out)
{
	struct rbuf b = {NULL, 0, 0, 0};
	uint8_t h[DIGEST_SHA256_LEN];
	char hex[DIGEST_SHA256_HEX_LEN];

	*out = NULL;
	if (!good_date(in->amz_date))
		return CAIRN_ERR_INVAL;
	if (digest_sha256(canonical, strlen(canonical), h) != 0)
		return CAIRN_ERR_NOMEM;
	rbuf_addf(&b, "AWS4-HMAC-SHA256\n%s\n%.8s/%s/%s/aws4_request\n%s",
	    in->amz_date, in->amz_date, in->region, in->service,
	    digest_hex(h, sizeof(h), hex));
	return (*out = rbuf_take(&b)) == NULL ? CAIRN_ERR_NOMEM : 0;
}

static int
hmac(const uint8_t *key, size_t klen, const char *msg, size_t mlen,
    uint8_t out[32])
{
	unsigned int n = 0;

	if (cio_fault_hit() ||
	    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, mlen,
	        out, &n) == NULL ||
	    n != 32)
		return CAIRN_ERR_NOMEM;
	return 0;
}

int
sigv4_signature(
    const struct sigv4_input *in, const char *string_to_sign, char sig[65])
{
	size_t slen = strlen(in->secret_key);
	uint8_t *k0, k[32], s[32];
	int rc;

	if (!good_date(in->amz_date))
		return CAIRN_ERR_INVAL;
	if ((k0 = cio_secret_malloc(slen + 4)) == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(k0, "AWS4", 4);
	memcpy(k0 + 4, in->secret_key, slen);
	if ((rc = hmac(k0, slen + 4, in->amz_date, 8, k)) == 0 &&
	    (rc = hmac(k, 32, in->region, strlen(in->region), k)) == 0 &&
	    (rc = hmac(k, 32, in->service, strlen(in->service), k)) == 0 &&
	    (rc = hmac(k, 32, "aws4_request", 12, k)) == 0 &&
	    (rc = hmac(k, 32, string_to_sign, strlen(string_to_sign), s)) == 0)
		digest_hex(s, 32, sig);
	sodium_memzero(k, sizeof(k));
	sodium_free(k0);
	return rc;
}

int
sigv4_authorization(const struct sigv4_input *in, char **out)
{
	struct rbuf b = {NULL, 0, 0, 0};
	char *canon = NULL, *sts = NULL, *sh = NULL, sig[65];
	int rc;

	*out = NULL;
	if ((rc = sigv4_canonical_request(in, &canon)) != 0 ||
	    (rc = sigv4_string_to_sign(in, canon, &sts)) != 0 ||
	    (rc = sigv4_signature(in, sts, sig)) != 0 ||
	    (rc = signed_headers(in, &sh)) != 0)
		goto out;
	rbuf_addf(&b,
	    "AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/aws4_request, "
	    "SignedHeaders=%s, Signature=%s",
	    in->access_key, in->amz_date, in->region, in->service, sh, sig);
	if ((*out = rbuf_take(&b)) == NULL)
		rc = CAIRN_ERR_NOMEM;
out:
	free(canon);
	free(sts);
	free(sh);
	return rc;
}
