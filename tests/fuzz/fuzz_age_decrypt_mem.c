/*
 * fuzz_age_decrypt_mem.c - libFuzzer target for the age API's whole-file
 * helpers the share verbs use on untrusted files: age_is_encrypted,
 * age_decrypt_mem (X25519 identity: the CCTV vectors' test key) and
 * age_x25519_identity_secret_key.  Two modes, by the low bit of the first
 * input byte:
 *
 *   raw:        the rest is a file.  A successful decryption returns a
 *               NUL-terminated plaintext no longer than the file; a failed
 *               one returns nothing.  Identity text that yields a key must
 *               yield the key its re-encoded string parses to.
 *   structural: the rest is a plaintext, encrypted here to the test key
 *               (armored when bit 1 is set).  The file must be detected
 *               as age and decrypt back to the plaintext; the binary file
 *               cut short by the count in the second byte must fail.
 *
 * Must never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "fuzz_util.h"

#define FZ_MAX_FILE (256 * 1024)

static const char test_identity[] =
    "AGE-SECRET-KEY-"
    "1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

static void
raw(const uint8_t *data, size_t size, const struct age_identities *ids)
{
	uint8_t sk[AGE_X25519_KEY_LEN], again[AGE_X25519_KEY_LEN];
	char str[AGE_IDENTITY_STR_LEN];
	char *plain = (char *)1;
	size_t plainlen = 1, line;
	int rc;

	(void)age_is_encrypted((const char *)data, size);
	rc = age_decrypt_mem((const char *)data, size, ids, &plain, &plainlen);
	if (rc == 0) {
		if (plain == NULL || plainlen > size || plain[plainlen] != '\0')
			abort();
		cio_secret_free(plain, plainlen);
	} else if (plain != NULL || plainlen != 0) {
		abort();
	}
	if (age_x25519_identity_secret_key(
	        (const char *)data, size, sk, &line) == 0) {
		if (line != 0 || age_x25519_identity_string(sk, str) != 0 ||
		    age_x25519_identity_parse(str, again) != 0 ||
		    memcmp(sk, again, sizeof sk) != 0)
			abort();
	} else if (!sodium_is_zero(sk, sizeof sk)) {
		abort();
	}
}

static void
structural(const uint8_t *data, size_t size, int armor, size_t cut,
    const struct age_identities *ids, const struct age_recipients *rs)
{
	struct cio_membuf f = {NULL, 0, 0, 0};
	struct cio_sink sink = {cio_membuf_write, &f};
	struct age_writer *w = NULL;
	char *plain = NULL;
	size_t plainlen = 0;

	if (age_writer_new(&w, rs, armor, &sink) != 0 ||
	    age_writer_write(w, data, size) != 0 || age_writer_finish(w) != 0)
		abort();
	age_writer_free(w);
	if (!age_is_encrypted((const char *)f.data, f.len))
		abort();
	if (age_decrypt_mem(
	        (const char *)f.data, f.len, ids, &plain, &plainlen) != 0 ||
	    plainlen != size || memcmp(plain, data, size) != 0)
		abort();
	cio_secret_free(plain, plainlen);
	if (!armor && cut > 0 && cut <= f.len &&
	    age_decrypt_mem(
	        (const char *)f.data, f.len - cut, ids, &plain, &plainlen) == 0)
		abort();
	cio_membuf_free(&f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct age_identities ids = {NULL, 0};
	struct age_recipients rs = {NULL, 0};
	uint8_t sk[AGE_X25519_KEY_LEN], pk[AGE_X25519_KEY_LEN];
	char r[AGE_RECIPIENT_STR_LEN];

	if (size < 1 || size > FZ_MAX_FILE)
		return 0;
	if (age_x25519_identity_parse(test_identity, sk) != 0 ||
	    age_identities_add_x25519(&ids, sk) != 0)
		abort();
	if ((data[0] & 1) == 0) {
		raw(data + 1, size - 1, &ids);
	} else {
		if (age_x25519_public(sk, pk) != 0 ||
		    age_x25519_recipient_string(pk, r) != 0 ||
		    age_recipients_add_string(&rs, r) != 0)
			abort();
		if (size >= 2)
			structural(data + 2, size - 2, (data[0] & 2) != 0,
			    data[1], &ids, &rs);
		age_recipients_free(&rs);
	}
	age_identities_free(&ids);
	return 0;
}
