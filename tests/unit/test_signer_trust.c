/*
 * test_signer_trust.c - the trust policy shared by unseal.c and
 * salvage.c (signer_trust.h): trusted, untrusted, key-id clash, any
 * signer, unsigned with and without allow_unsigned.
 */
#include <sodium.h>
#include <string.h>

#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "signer_trust.h"
#include "tap.h"

int
main(void)
{
	struct minisig_secret *sk1 = NULL, *sk2 = NULL;
	struct minisig_public pk1, pk2, clash;
	struct minisig_trust t;
	struct manifest m;
	struct signer_trust st;
	char fp[MINISIG_FINGERPRINT_LEN];

	memset(&t, 0, sizeof(t));
	memset(&m, 0, sizeof(m));
	if (sodium_init() < 0 || minisig_keygen(&sk1, &pk1) != 0 ||
	    minisig_keygen(&sk2, &pk2) != 0 ||
	    minisig_trust_add(&t, "one", &pk1) != 0)
		return 1;

	m.has_signer = 1;
	m.signer = pk1;
	signer_trust_decide(&m, &t, 0, 0, &st);
	minisig_fingerprint(&pk1, fp);
	TAP_OK(st.verdict == SIGNER_ACCEPTED && st.index == 0 &&
	        st.key_id_clash == -1 && strcmp(st.fingerprint, fp) == 0,
	    "a trusted signer is accepted, with its index and fingerprint");

	m.signer = pk2;
	signer_trust_decide(&m, &t, 0, 0, &st);
	TAP_OK(st.verdict == SIGNER_REFUSED_UNTRUSTED && st.index == -1 &&
	        st.key_id_clash == -1,
	    "a stranger is refused");
	signer_trust_decide(&m, &t, 1, 0, &st);
	TAP_OK(st.verdict == SIGNER_ACCEPTED && st.index == -1,
	    "any_signer accepts a stranger (still not in the list)");
	signer_trust_decide(&m, NULL, 0, 1, &st);
	TAP_OK(st.verdict == SIGNER_REFUSED_UNTRUSTED && st.index == -1,
	    "no list: nobody is trusted (allow_unsigned does not help)");

	clash = pk2;
	memcpy(clash.key_id, pk1.key_id, sizeof(clash.key_id));
	m.signer = clash;
	signer_trust_decide(&m, &t, 0, 0, &st);
	TAP_OK(st.verdict == SIGNER_REFUSED_UNTRUSTED && st.index == -1 &&
	        st.key_id_clash == 0,
	    "another key with a trusted key id is refused, the clash named");

	m.has_signer = 0;
	signer_trust_decide(&m, &t, 1, 0, &st);
	TAP_OK(
	    st.verdict == SIGNER_REFUSED_UNSIGNED && st.fingerprint[0] == '\0',
	    "unsigned is refused without allow_unsigned, even with any_signer");
	signer_trust_decide(&m, &t, 0, 1, &st);
	TAP_OK(st.verdict == SIGNER_ACCEPTED && st.index == -1,
	    "unsigned is accepted with allow_unsigned");

	minisig_trust_free(&t);
	minisig_secret_free(sk1);
	minisig_secret_free(sk2);
	return tap_done();
}
