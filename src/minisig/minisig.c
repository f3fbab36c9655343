/*
 * minisig.c - minisign signatures: streaming signing (prehashed "ED")
 * and verification ("ED" and legacy "Ed"), see minisig.h for the format.
 *
 * Knows nothing of archives, SHA256SUMS or files: it signs and verifies
 * bytes and signature text.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/minisig.h"
#include "minisig_impl.h"

#define DEFAULT_SIG_COMMENT "signature from minisign secret key"
#define SIG_BLOB_LEN        (2 + MINISIG_KEY_ID_LEN + MINISIG_SIG_LEN) /* 74 */
#define SIG_B64_LEN         100
#define GLOBAL_B64_LEN      88

struct minisig_signer {
	crypto_generichash_state h; /* must stay first: 64-byte aligned */
};

struct minisig_verifier {
	crypto_generichash_state h; /* must stay first: 64-byte aligned */
	struct minisig_public pk;
	uint8_t sig[MINISIG_SIG_LEN];
	uint8_t global_sig[MINISIG_SIG_LEN];
	int hashed;
	char *trusted; /* NUL-terminated trusted comment text */
	size_t trusted_len;
	struct cio_membuf legacy; /* whole message for "Ed" signatures */
};

/* crypto_generichash_state wants 64-byte alignment, which malloc does not
 * promise. */
static void *
alloc_aligned(size_t n)
{
	void *p;

	if (cio_fault_hit())
		return NULL;
	n = (n + 63) & ~(size_t)63;
	if ((p = aligned_alloc(64, n)) != NULL)
		memset(p, 0, n);
	return p;
}

/* ---- signing ----------------------------------------------------------- */

int
minisig_signer_new(struct minisig_signer **out)
{
	struct minisig_signer *s;

	*out = NULL;
	if (sodium_init() < 0)
		return CAIRN_ERR_INVAL;
	if ((s = alloc_aligned(sizeof *s)) == NULL)
		return CAIRN_ERR_NOMEM;
	crypto_generichash_init(&s->h, NULL, 0, MINISIG_PREHASH_LEN);
	*out = s;
	return 0;
}

void
minisig_signer_update(struct minisig_signer *s, const void *buf, size_t len)
{
	crypto_generichash_update(&s->h, buf, len);
}

void
minisig_signer_free(struct minisig_signer *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, sizeof *s);
	free(s);
}

int
minisig_signer_final(struct minisig_signer *s, const struct minisig_secret *sk,
    const char *trusted_comment, const char *untrusted_comment, char **sig_text,
    size_t *siglen)
{
	uint8_t digest[MINISIG_PREHASH_LEN], blob[SIG_BLOB_LEN];
	uint8_t global_sig[MINISIG_SIG_LEN];
	uint8_t *sig = blob + 2 + MINISIG_KEY_ID_LEN, *signed_tc = NULL;
	struct minisig_public pk;
	size_t ulen, tlen, cap, off;
	char *text = NULL;
	int rc = CAIRN_ERR_INVAL;

	*sig_text = NULL;
	*siglen = 0;
	if (untrusted_comment == NULL)
		untrusted_comment = DEFAULT_SIG_COMMENT;
	if (trusted_comment == NULL)
		return CAIRN_ERR_INVAL;
	ulen = strlen(untrusted_comment);
	tlen = strlen(trusted_comment);
	if (!minisig_comment_ok(
	        untrusted_comment, ulen, MINISIG_COMMENT_MAX, 0) ||
	    !minisig_comment_ok(
	        trusted_comment, tlen, MINISIG_TRUSTED_COMMENT_MAX, 1))
		return CAIRN_ERR_INVAL;

	crypto_generichash_final(&s->h, digest, sizeof digest);
	memcpy(blob, MINISIG_SIGALG_HASHED, 2);
	memcpy(blob + 2, sk->key_id, MINISIG_KEY_ID_LEN);
	if (crypto_sign_detached(sig, NULL, digest, sizeof digest, sk->sk) != 0)
		goto out;
	rc = CAIRN_ERR_NOMEM;
	if ((signed_tc = cio_malloc(MINISIG_SIG_LEN + tlen)) == NULL)
		goto out;
	memcpy(signed_tc, sig, MINISIG_SIG_LEN);
	memcpy(signed_tc + MINISIG_SIG_LEN, trusted_comment, tlen);
	rc = CAIRN_ERR_INVAL;
	if (crypto_sign_detached(global_sig, NULL, signed_tc,
	        MINISIG_SIG_LEN + tlen, sk->sk) != 0)
		goto out;
	/* Check our own work, as minisign does before writing. */
	minisig_public_from_secret(sk, &pk);
	rc = CAIRN_ERR_SIGNATURE;
	if (crypto_sign_verify_detached(sig, digest, sizeof digest, pk.pk) !=
	        0 ||
	    crypto_sign_verify_detached(
	        global_sig, signed_tc, MINISIG_SIG_LEN + tlen, pk.pk) != 0)
		goto out;

	cap = sizeof MINISIG_COMMENT_PREFIX - 1 + ulen + 1 + SIG_B64_LEN + 1 +
	    sizeof MINISIG_TRUSTED_PREFIX - 1 + tlen + 1 + GLOBAL_B64_LEN + 2;
	rc = CAIRN_ERR_NOMEM;
	if ((text = cio_malloc(cap)) == NULL)
		goto out;
	off = 0;
#define PUT(p, n) (memcpy(text + off, (p), (n)), off += (n))
	PUT(MINISIG_COMMENT_PREFIX, sizeof MINISIG_COMMENT_PREFIX - 1);
	PUT(untrusted_comment, ulen);
	PUT("\n", 1);
	sodium_bin2base64(text + off, SIG_B64_LEN + 1, blob, sizeof blob,
	    sodium_base64_VARIANT_ORIGINAL);
	off += SIG_B64_LEN;
	PUT("\n", 1);
	PUT(MINISIG_TRUSTED_PREFIX, sizeof MINISIG_TRUSTED_PREFIX - 1);
	PUT(trusted_comment, tlen);
	PUT("\n", 1);
	sodium_bin2base64(text + off, GLOBAL_B64_LEN + 1, global_sig,
	    sizeof global_sig, sodium_base64_VARIANT_ORIGINAL);
	off += GLOBAL_B64_LEN;
	PUT("\n", 1);
#undef PUT
	text[off] = '\0';
	*sig_text = text;
	*siglen = off;
	rc = 0;
out:
	sodium_memzero(digest, sizeof digest);
	free(signed_tc);
	return rc;
}

int
minisig_sign(const struct minisig_secret *sk, const void *msg, size_t len,
    const char *trusted_comment, const char *untrusted_comment, char **sig_text,
    size_t *siglen)
{
	struct minisig_signer *s;
	int rc;

	*sig_text = NULL;
	*siglen = 0;
	if ((rc = minisig_signer_new(&s)) != 0)
		return rc;
	minisig_signer_update(s, msg, len);
	rc = minisig_signer_final(
	    s, sk, trusted_comment, untrusted_comment, sig_text, siglen);
	minisig_signer_free(s);
	return rc;
}

/* ---- parsing ----------------------------------------------------------- */

struct parsed_sig {
	uint8_t blob[SIG_BLOB_LEN]; /* alg || key id || sig */
	uint8_t global_sig[MINISIG_SIG_LEN];
	const char *tc; /* points into the text, not NUL-terminated */
	size_t tclen;
};

/* Exactly four lines (the last newline optional), nothing after. */
static int
sig_parse(const char *text, size_t len, struct parsed_sig *p)
{
	const char *line;
	size_t off = 0, ll;
	size_t cp = sizeof MINISIG_COMMENT_PREFIX - 1;
	size_t tp = sizeof MINISIG_TRUSTED_PREFIX - 1;

	if (minisig_line(text, len, &off, &line, &ll) != 0 || ll < cp ||
	    memcmp(line, MINISIG_COMMENT_PREFIX, cp) != 0 ||
	    ll > cp + MINISIG_COMMENT_MAX)
		return CAIRN_ERR_FORMAT;
	if (minisig_line(text, len, &off, &line, &ll) != 0 ||
	    minisig_b64_decode(line, ll, p->blob, sizeof p->blob) != 0)
		return CAIRN_ERR_FORMAT;
	if (memcmp(p->blob, MINISIG_SIGALG_HASHED, 2) != 0 &&
	    memcmp(p->blob, MINISIG_SIGALG, 2) != 0)
		return CAIRN_ERR_FORMAT;
	if (minisig_line(text, len, &off, &line, &ll) != 0 || ll < tp ||
	    memcmp(line, MINISIG_TRUSTED_PREFIX, tp) != 0 ||
	    !minisig_comment_ok(
	        line + tp, ll - tp, MINISIG_TRUSTED_COMMENT_MAX, 1))
		return CAIRN_ERR_FORMAT;
	p->tc = line + tp;
	p->tclen = ll - tp;
	if (minisig_line(text, len, &off, &line, &ll) != 0 || off != len ||
	    minisig_b64_decode(line, ll, p->global_sig, sizeof p->global_sig) !=
	        0)
		return CAIRN_ERR_FORMAT;
	return 0;
}

int
minisig_signature_key_id(
    const char *sig_text, size_t siglen, uint8_t key_id[MINISIG_KEY_ID_LEN])
{
	struct parsed_sig p;
	int rc;

	if ((rc = sig_parse(sig_text, siglen, &p)) != 0)
		return rc;
	memcpy(key_id, p.blob + 2, MINISIG_KEY_ID_LEN);
	return 0;
}

/* ---- verification ------------------------------------------------------ */

int
minisig_verifier_new(struct minisig_verifier **out,
    const struct minisig_public *pk, const char *sig_text, size_t siglen)
{
	struct minisig_verifier *v;
	struct parsed_sig p;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return CAIRN_ERR_INVAL;
	if ((rc = sig_parse(sig_text, siglen, &p)) != 0)
		return rc;
	if (memcmp(p.blob + 2, pk->key_id, MINISIG_KEY_ID_LEN) != 0)
		return CAIRN_ERR_SIGNATURE;
	if ((v = alloc_aligned(sizeof *v)) == NULL)
		return CAIRN_ERR_NOMEM;
	if ((v->trusted = cio_malloc(p.tclen + 1)) == NULL) {
		free(v);
		return CAIRN_ERR_NOMEM;
	}
	memcpy(v->trusted, p.tc, p.tclen);
	v->trusted[p.tclen] = '\0';
	v->trusted_len = p.tclen;
	v->pk = *pk;
	memcpy(v->sig, p.blob + 2 + MINISIG_KEY_ID_LEN, MINISIG_SIG_LEN);
	memcpy(v->global_sig, p.global_sig, MINISIG_SIG_LEN);
	v->hashed = memcmp(p.blob, MINISIG_SIGALG_HASHED, 2) == 0;
	v->legacy.max = MINISIG_LEGACY_MAX;
	crypto_generichash_init(&v->h, NULL, 0, MINISIG_PREHASH_LEN);
	*out = v;
	return 0;
}

int
minisig_verifier_update(struct minisig_verifier *v, const void *buf, size_t len)
{
	if (v->hashed) {
		crypto_generichash_update(&v->h, buf, len);
		return 0;
	}
	return cio_membuf_write(&v->legacy, buf, len);
}

int
minisig_verifier_final(struct minisig_verifier *v, char **trusted_comment)
{
	uint8_t digest[MINISIG_PREHASH_LEN];
	const uint8_t *msg;
	uint8_t *signed_tc;
	size_t msglen;
	int rc = CAIRN_ERR_SIGNATURE;

	if (trusted_comment != NULL)
		*trusted_comment = NULL;
	if (v->hashed) {
		crypto_generichash_final(&v->h, digest, sizeof digest);
		msg = digest;
		msglen = sizeof digest;
	} else {
		msg = v->legacy.data != NULL ? v->legacy.data : digest;
		msglen = v->legacy.len;
	}
	if (crypto_sign_verify_detached(v->sig, msg, msglen, v->pk.pk) != 0)
		return CAIRN_ERR_SIGNATURE;
	if ((signed_tc = cio_malloc(MINISIG_SIG_LEN + v->trusted_len)) == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(signed_tc, v->sig, MINISIG_SIG_LEN);
	memcpy(signed_tc + MINISIG_SIG_LEN, v->trusted, v->trusted_len);
	if (crypto_sign_verify_detached(v->global_sig, signed_tc,
	        MINISIG_SIG_LEN + v->trusted_len, v->pk.pk) != 0)
		goto out;
	if (trusted_comment != NULL) {
		*trusted_comment = v->trusted;
		v->trusted = NULL;
	}
	rc = 0;
out:
	free(signed_tc);
	return rc;
}

void
minisig_verifier_free(struct minisig_verifier *v)
{
	if (v == NULL)
		return;
	free(v->trusted);
	cio_membuf_free(&v->legacy);
	free(v);
}

int
minisig_verify(const struct minisig_public *pk, const void *msg, size_t len,
    const char *sig_text, size_t siglen, char **trusted_comment)
{
	struct minisig_verifier *v;
	int rc;

	if (trusted_comment != NULL)
		*trusted_comment = NULL;
	if ((rc = minisig_verifier_new(&v, pk, sig_text, siglen)) != 0)
		return rc;
	if ((rc = minisig_verifier_update(v, msg, len)) == 0)
		rc = minisig_verifier_final(v, trusted_comment);
	minisig_verifier_free(v);
	return rc;
}
