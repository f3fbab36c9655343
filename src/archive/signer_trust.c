/*
 * signer_trust.c - the trust policy for a manifest's signer
 * (signer_trust.h), shared by unseal.c and salvage.c so that open,
 * verify, list and salvage cannot disagree on whose signature counts.
 *
 * Knows the manifest's signer field and minisig.h's trusted list;
 * nothing of tar, age, files or the terminal.
 */
#include <string.h>

#include "signer_trust.h"

void
signer_trust_decide(const struct manifest *m, const struct minisig_trust *t,
    int any_signer, int allow_unsigned, struct signer_trust *st)
{
	memset(st, 0, sizeof(*st));
	st->index = st->key_id_clash = -1;
	if (!m->has_signer) {
		st->verdict =
		    allow_unsigned ? SIGNER_ACCEPTED : SIGNER_REFUSED_UNSIGNED;
		return;
	}
	minisig_fingerprint(&m->signer, st->fingerprint);
	if (t != NULL)
		st->index = minisig_trust_find(t, &m->signer);
	if (st->index < 0 && t != NULL)
		st->key_id_clash =
		    minisig_trust_find_key_id_clash(t, &m->signer);
	st->verdict = st->index >= 0 || any_signer ? SIGNER_ACCEPTED
	                                           : SIGNER_REFUSED_UNTRUSTED;
}
