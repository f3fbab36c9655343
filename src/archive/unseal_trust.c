/*
 * unseal_trust.c - the signature over SHA256SUMS and the trust policy
 * for unseal_run() (unseal.h, steps 6 and 7): the manifest's signer
 * looked up among the trusted keys, the minisign signature and its
 * trusted comment checked, the verdict applied last.  Knows minisign,
 * the signer list and the run's state (unseal_impl.h); nothing of files.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/minisig.h"
#include "cairn/seal.h"
#include "cairn/unseal.h"
#include "signer_trust.h"
#include "sums.h"
#include "tarball.h"
#include "unseal_impl.h"

/* Look the manifest's signer up in the trusted list and keep the trust
 * policy's verdict for unseal_check_trust() (never fails). */
void
unseal_lookup_signer(struct unseal_run *r)
{
	struct signer_trust st;

	signer_trust_decide(r->res->m, r->o->trust, r->o->any_signer,
	    r->o->allow_unsigned, &st);
	r->res->trusted_index = st.index;
	r->res->key_id_clash = st.key_id_clash;
	r->res->signer_trusted = st.index >= 0;
	memcpy(
	    r->res->signer_fingerprint, st.fingerprint, sizeof(st.fingerprint));
	r->verdict = st.verdict;
}

/* The trust policy, once everything else held (unseal.h, step 7). */
int
unseal_check_trust(struct unseal_run *r)
{
	struct unseal_result *res = r->res;
	char id[MINISIG_KEY_ID_HEX_LEN];

	if (r->verdict == SIGNER_ACCEPTED)
		return 0;
	if (r->verdict == SIGNER_REFUSED_UNSIGNED) {
		res->refused = UNSEAL_REFUSED_UNSIGNED;
		return unseal_fail(r, CAIRN_ERR_SIGNATURE,
		    "archive is unsigned: nothing shows who sealed it");
	}
	res->refused = UNSEAL_REFUSED_UNTRUSTED;
	// clang-format off
	if (res->key_id_clash >= 0) {
		minisig_key_id_hex(res->m->signer.key_id, id);
		return unseal_fail(r, CAIRN_ERR_SIGNATURE, "signed by key %s, which is UNTRUSTED: it has the key id %s of trusted signer '%s', but it is a different key", res->signer_fingerprint, id, r->o->trust->v[res->key_id_clash].name);
	}
	return unseal_fail(r, CAIRN_ERR_SIGNATURE, "signed by key %s, which is UNTRUSTED (the signature is valid, but that key is not one of your trusted signers)", res->signer_fingerprint);
	// clang-format on
}

int
unseal_check_signature(struct unseal_run *r, const char *sums, size_t sumslen)
{
	const struct manifest *m = r->res->m;
	struct tarball_entry e;
	char want[SEAL_TRUSTED_COMMENT_LEN], *sig = NULL, *tc = NULL;
	size_t siglen = 0;
	int rc;

	rc = unseal_next(r, &e, NULL);
	if (rc < 0)
		return rc;
	if (!m->has_signer) {
		if (rc == 0)
			return unseal_fail(r, CAIRN_ERR_INTEGRITY,
			    "member %s after " SUMS_NAME " of an unsigned "
			    "archive",
			    e.path);
		return 0;
	}
	if (rc == 1)
		return unseal_fail(r, CAIRN_ERR_SIGNATURE,
		    "signature missing (no " SUMS_SIG_NAME ")");
	if (strcmp(e.path, SUMS_SIG_NAME) != 0)
		return unseal_fail(r, CAIRN_ERR_INTEGRITY,
		    "member %s where " SUMS_SIG_NAME " should follow", e.path);
	if ((rc = unseal_slurp(r, &e, UNSEAL_SIG_MAX, &sig, &siglen)) != 0) {
		if (rc == CAIRN_ERR_LIMIT)
			rc = CAIRN_ERR_SIGNATURE;
		return rc;
	}
	rc = minisig_verify(&m->signer, sums, sumslen, sig, siglen, &tc);
	if (rc == CAIRN_ERR_NOMEM)
		goto out;
	if (rc != 0) {
		rc = unseal_fail(r, CAIRN_ERR_SIGNATURE, SUMS_SIG_NAME ": %s",
		    rc == CAIRN_ERR_FORMAT
		        ? "malformed signature"
		        : "invalid signature, or not by the manifest's signer");
		goto out;
	}
	if ((rc = seal_trusted_comment(m, want)) != 0)
		goto out;
	if (strcmp(tc, want) != 0) {
		rc = unseal_fail(r, CAIRN_ERR_SIGNATURE,
		    SUMS_SIG_NAME
		    ": trusted comment does not match the manifest");
		goto out;
	}
	r->res->sig_ok = 1;
	r->res->trusted_comment = tc;
	tc = NULL;
	/* Nothing may follow the signature. */
	if ((rc = unseal_next(r, &e, NULL)) == 0)
		rc = unseal_fail(r, CAIRN_ERR_INTEGRITY,
		    "member %s after " SUMS_SIG_NAME, e.path);
	else if (rc == 1)
		rc = 0;
out:
	free(sig);
	free(tc);
	return rc;
}
