/*
 * tsr.c - the time-stamp sidecar NAME.cairn.tsr (docs/format.md): a
 * magic line, then per token a header line
 *   "token archive|sums <64 lower-case hex> <decimal length>\n"
 * followed by that many bytes of DER token and a "\n".
 *
 * Knows the byte layout only; nothing of the TS API, files or archives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "cairn/tsa.h"

const char *
tsr_kind_name(enum tsr_kind kind)
{
	return kind == TSR_SUMS ? "sums" : "archive";
}

void
tsr_free(struct tsr *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].der);
	memset(t, 0, sizeof(*t));
}

int
tsr_add(struct tsr *t, enum tsr_kind kind, const uint8_t digest[TSA_DIGEST_LEN],
    const uint8_t *der, size_t len)
{
	struct tsr_token *k;

	if (t->n >= TSR_MAX_TOKENS || len == 0 || len > TSA_TOKEN_MAX)
		return CAIRN_ERR_LIMIT;
	k = &t->v[t->n];
	if ((k->der = cio_malloc(len)) == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(k->der, der, len);
	memcpy(k->digest, digest, TSA_DIGEST_LEN);
	k->len = len;
	k->kind = kind;
	t->n++;
	return 0;
}

static int
unhex(const char *s, uint8_t out[TSA_DIGEST_LEN])
{
	for (size_t i = 0; i < 2 * TSA_DIGEST_LEN; i++) {
		int c = s[i], v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(v << 4);
		else
			out[i / 2] |= (uint8_t)v;
	}
	return 0;
}

/* One header line at buf[*off] into kind, digest and length. */
static int
parse_header(const uint8_t *buf, size_t len, size_t *off, enum tsr_kind *kind,
    uint8_t digest[TSA_DIGEST_LEN], size_t *toklen)
{
	const char *p = (const char *)buf + *off;
	const uint8_t *nl = memchr(buf + *off, '\n', len - *off);
	size_t n, k;
	unsigned long v = 0;

	if (nl == NULL || (n = (size_t)(nl - (buf + *off))) > 100)
		return CAIRN_ERR_FORMAT;
	if (n > 14 && memcmp(p, "token archive ", 14) == 0) {
		*kind = TSR_ARCHIVE;
		k = 14;
	} else if (n > 11 && memcmp(p, "token sums ", 11) == 0) {
		*kind = TSR_SUMS;
		k = 11;
	} else
		return CAIRN_ERR_FORMAT;
	if (n < k + 2 * TSA_DIGEST_LEN + 2 || unhex(p + k, digest) != 0 ||
	    p[k + 2 * TSA_DIGEST_LEN] != ' ')
		return CAIRN_ERR_FORMAT;
	k += 2 * TSA_DIGEST_LEN + 1;
	if (k == n || (p[k] == '0' && k + 1 != n))
		return CAIRN_ERR_FORMAT;
	for (; k < n; k++) {
		if (p[k] < '0' || p[k] > '9' || v > TSA_TOKEN_MAX)
			return CAIRN_ERR_FORMAT;
		v = v * 10 + (unsigned long)(p[k] - '0');
	}
	if (v == 0)
		return CAIRN_ERR_FORMAT;
	if (v > TSA_TOKEN_MAX)
		return CAIRN_ERR_LIMIT;
	*toklen = v;
	*off += n + 1;
	return 0;
}

int
tsr_decode(const uint8_t *buf, size_t len, struct tsr *t)
{
	size_t off = sizeof(TSR_MAGIC) - 1, toklen;
	uint8_t digest[TSA_DIGEST_LEN];
	enum tsr_kind kind;
	int rc;

	memset(t, 0, sizeof(*t));
	if (len < off || memcmp(buf, TSR_MAGIC, off) != 0)
		return CAIRN_ERR_FORMAT;
	while (off < len) {
		if ((rc = parse_header(
		         buf, len, &off, &kind, digest, &toklen)) != 0)
			return rc;
		if (len - off < toklen + 1 || buf[off + toklen] != '\n')
			return CAIRN_ERR_FORMAT;
		if ((rc = tsr_add(t, kind, digest, buf + off, toklen)) != 0)
			return rc;
		off += toklen + 1;
	}
	return 0;
}

int
tsr_encode(const struct tsr *t, uint8_t **out, size_t *outlen)
{
	size_t cap = sizeof(TSR_MAGIC), off;
	char hex[DIGEST_SHA256_HEX_LEN];
	uint8_t *b;

	for (size_t i = 0; i < t->n; i++)
		cap += t->v[i].len + 128;
	if ((b = cio_malloc(cap)) == NULL)
		return CAIRN_ERR_NOMEM;
	off = sizeof(TSR_MAGIC) - 1;
	memcpy(b, TSR_MAGIC, off);
	for (size_t i = 0; i < t->n; i++) {
		const struct tsr_token *k = &t->v[i];

		digest_hex(k->digest, TSA_DIGEST_LEN, hex);
		off += (size_t)snprintf((char *)b + off, cap - off,
		    "token %s %s %zu\n", tsr_kind_name(k->kind), hex, k->len);
		memcpy(b + off, k->der, k->len);
		off += k->len;
		b[off++] = '\n';
	}
	*out = b;
	*outlen = off;
	return 0;
}
