/*
 * signer_trust.h - internal to src/archive: the trust policy for the
 * signer a manifest names, decided in one place for every verb that
 * reads an archive (unseal.c for list, verify and open; salvage.c for
 * salvage).  The caller checks the signature itself; this says only
 * whether a valid signature by that key counts.
 */
#ifndef CAIRN_SIGNER_TRUST_H
#define CAIRN_SIGNER_TRUST_H

#include "cairn/manifest.h"
#include "cairn/minisig.h"

enum signer_verdict {
	SIGNER_ACCEPTED = 0,
	SIGNER_REFUSED_UNSIGNED, /* unsigned, and unsigned not allowed */
	SIGNER_REFUSED_UNTRUSTED /* signer not in the list, !any_signer */
};

struct signer_trust {
	long index;        /* the signer's place in the list; else -1 */
	long key_id_clash; /* untrusted, but has the key id of the trusted
	                    * key at this index; else -1 */
	char fingerprint[MINISIG_FINGERPRINT_LEN]; /* "" when unsigned */
	enum signer_verdict verdict;
};

/*
 * Look m's signer up in t (NULL or empty: nobody is trusted; whole keys
 * are compared) and apply the policy: a signed archive counts when its
 * signer is in t or any_signer is set, an unsigned one only when
 * allow_unsigned is.  Fills *st; never fails.
 */
void signer_trust_decide(const struct manifest *m,
    const struct minisig_trust *t, int any_signer, int allow_unsigned,
    struct signer_trust *st);

#endif
