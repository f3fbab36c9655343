/*
 * salvage.c - salvage_scan(): pass 1's walk (salvage_tar.c), then the
 * decision for each member: the manifest, SHA256SUMS and its signature
 * are checked exactly as `cairn verify` checks them, and a file is
 * VERIFIED only when all three are intact and agree with its path,
 * metadata and SHA-256; members the manifest lists but the walk never
 * found are added as LOST; and the trust policy on the signer, decided by
 * signer_trust.h as for open.  salvage_extract(): pass 2, writing the
 * chosen files through extract.h, re-hashing each.
 *
 * Knows the manifest, SHA256SUMS and minisign rules and extract.h; not
 * the terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/minisig.h"
#include "cairn/seal.h"
#include "salvage_impl.h"
#include "signer_trust.h"
#include "sums.h"

/* The signature of SHA256SUMS by the manifest's signer, with the
 * trusted comment seal writes, into *p.  Returns 0 or CAIRN_ERR_NOMEM
 * (never a verdict). */
static int
check_sig(const struct manifest *m, const struct salvage_caps *c,
    enum salvage_part *p)
{
	char want[SEAL_TRUSTED_COMMENT_LEN], *tc = NULL;
	int rc;

	*p = SALVAGE_PART_INVALID;
	if (!m->has_signer) {
		if (c->buf[CAP_SIG] == NULL)
			*p = SALVAGE_PART_NONE;
		return 0;
	}
	if (c->buf[CAP_SIG] == NULL)
		*p = SALVAGE_PART_LOST;
	if (c->buf[CAP_SIG] == NULL || c->buf[CAP_SUMS] == NULL)
		return 0; /* lost, or nothing to check it against */
	rc = minisig_verify(&m->signer, c->buf[CAP_SUMS], c->len[CAP_SUMS],
	    (const char *)c->buf[CAP_SIG], c->len[CAP_SIG], &tc);
	if (rc == 0 && (rc = seal_trusted_comment(m, want)) == 0 &&
	    strcmp(tc, want) == 0)
		*p = SALVAGE_PART_OK;
	free(tc);
	return rc == CAIRN_ERR_NOMEM ? rc : 0;
}

/* Manifest, SHA256SUMS, signature; res->trusted when all agree.
 * Returns 0 or CAIRN_ERR_NOMEM: running out of memory is never taken
 * for a damaged part. */
static int
check_parts(
    struct salvage_result *res, const struct salvage_caps *c, struct sums *s)
{
	const struct sums_entry *se;
	uint8_t h[DIGEST_SHA256_LEN];
	int rc;

	res->manifest = res->sums = res->sig = SALVAGE_PART_LOST;
	if (c->buf[CAP_MANIFEST] != NULL) {
		rc = manifest_decode((const char *)c->buf[CAP_MANIFEST],
		    c->len[CAP_MANIFEST], &res->m);
		if (rc == CAIRN_ERR_NOMEM)
			return rc;
		res->manifest =
		    rc == 0 ? SALVAGE_PART_OK : SALVAGE_PART_INVALID;
	}
	if (res->manifest != SALVAGE_PART_OK) {
		manifest_free(res->m);
		res->m = NULL;
	}
	if (c->buf[CAP_SUMS] != NULL) {
		rc = sums_decode(
		    (const char *)c->buf[CAP_SUMS], c->len[CAP_SUMS], s);
		if (rc == CAIRN_ERR_NOMEM)
			return rc;
		res->sums = rc == 0 ? SALVAGE_PART_OK : SALVAGE_PART_INVALID;
	}
	if (res->m != NULL && (rc = check_sig(res->m, c, &res->sig)) != 0)
		return rc;
	if (res->m == NULL || res->sums != SALVAGE_PART_OK ||
	    res->sig != SALVAGE_PART_OK ||
	    sums_match_manifest(s, res->m) != 0 ||
	    (se = sums_find(s, MANIFEST_NAME)) == NULL)
		return 0;
	if (digest_sha256(c->buf[CAP_MANIFEST], c->len[CAP_MANIFEST], h) != 0)
		return CAIRN_ERR_NOMEM;
	res->trusted = memcmp(h, se->sha256, sizeof(h)) == 0;
	return 0;
}

/* The state of a member the walk found. */
static void
decide(
    struct salvage_result *res, const struct sums *s, struct salvage_member *v)
{
	const struct manifest_entry *e =
	    res->m != NULL ? manifest_find(res->m, v->path) : NULL;
	const struct sums_entry *se =
	    res->trusted ? sums_find(s, v->path) : NULL;
	int match = res->trusted && e != NULL &&
	    (e->type == MANIFEST_DIR) == v->is_dir && e->size == v->size &&
	    e->mode == v->mode && e->mtime == v->mtime;

	if (!v->is_dir && !v->complete) {
		v->state = SALVAGE_PARTIAL;
		v->why = "bytes in damaged chunks";
		return;
	}
	if (match &&
	    (v->is_dir ||
	        (se != NULL &&
	            memcmp(se->sha256, v->sha256, DIGEST_SHA256_LEN) == 0))) {
		v->state = SALVAGE_VERIFIED;
		return;
	}
	v->state = SALVAGE_UNVERIFIED;
	if (res->trusted)
		v->why = "does not match the signed manifest and SHA256SUMS";
	else if (res->m == NULL)
		v->why = "manifest lost: nothing to check it against";
	else
		v->why = "SHA256SUMS or its signature lost or invalid";
	if (v->resynced && !res->trusted)
		v->why = "found after a damaged region (name may be a "
		         "fallback); SHA256SUMS or its signature lost";
}

/* The trust policy (signer_trust.h) on an intact, verified signature:
 * for a signer o does not accept, res is no longer trusted and every
 * VERIFIED member becomes UNVERIFIED. */
static void
refuse_untrusted(const struct salvage_options *o, struct salvage_result *res)
{
	struct signer_trust st;

	if (!res->trusted)
		return;
	signer_trust_decide(res->m, o->trust, o->any_signer, 0, &st);
	memcpy(res->signer_fingerprint, st.fingerprint, sizeof(st.fingerprint));
	if (st.verdict == SIGNER_ACCEPTED)
		return;
	res->trusted = 0;
	res->refused_untrusted = st.verdict == SIGNER_REFUSED_UNTRUSTED;
	for (size_t i = 0; i < res->n; i++)
		if (res->v[i].state == SALVAGE_VERIFIED) {
			res->v[i].state = SALVAGE_UNVERIFIED;
			res->v[i].why = "signed by a key you do not trust";
		}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Manifest entries the walk never found, as LOST members. */
static int
add_lost(struct salvage_result *res)
{
	size_t n = res->n;
	char **seen = cio_calloc(n > 0 ? n : 1, sizeof(char *));
	int rc = 0;

	if (seen == NULL)
		return CAIRN_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		seen[i] = res->v[i].path;
	qsort(seen, n, sizeof(char *), cmp_str);
	for (size_t i = 0; rc == 0 && i < res->m->nentries; i++) {
		const struct manifest_entry *e = &res->m->entries[i];
		struct salvage_member *v;
		char *key = e->path;

		if (bsearch(&key, seen, n, sizeof(char *), cmp_str) != NULL)
			continue;
		if ((v = salvage_add(res)) == NULL ||
		    (v->path = cio_strdup(e->path)) == NULL) {
			rc = CAIRN_ERR_NOMEM;
			break;
		}
		v->is_dir = e->type == MANIFEST_DIR;
		v->size = e->size;
		v->mode = e->mode;
		v->mtime = e->mtime;
		v->state = SALVAGE_LOST;
		v->why = "its header was in a damaged chunk";
		if (!v->is_dir && v->size > 0)
			rc = salvage_range_add(
			    &v->lost, &v->nlost, &v->lostcap, 0, v->size);
	}
	free(seen);
	return rc;
}

int
salvage_scan(struct age_reader *r, const struct salvage_options *o,
    struct salvage_result *res)
{
	struct salvage_caps caps;
	struct sums s;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&caps, 0, sizeof(caps));
	memset(&s, 0, sizeof(s));
	if ((rc = salvage_walk(r, res, &caps)) == 0 &&
	    (rc = check_parts(res, &caps, &s)) == 0) {
		for (size_t i = 0; i < res->n; i++)
			decide(res, &s, &res->v[i]);
		refuse_untrusted(o, res);
		if (res->m != NULL)
			rc = add_lost(res);
	}
	for (int i = 0; i < NCAP; i++)
		free(caps.buf[i]);
	sums_free(&s);
	return rc;
}
