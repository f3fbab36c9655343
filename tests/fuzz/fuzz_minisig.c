/*
 * fuzz_minisig.c - libFuzzer target for minisign-format parsing
 * (minisig.h).  The first input byte picks the parser, the rest is text:
 *
 *   0  public key (file or bare line): what decodes must encode and
 *      decode back to the same key;
 *   1  secret key: unencrypted keys decode and re-encode (unencrypted) to
 *      a key with the same id and public half; encrypted keys are tried
 *      with the passphrase "fuzz" only when their scrypt limits are tiny
 *      (libsodium's minimum), never at minisign's 1 GiB default;
 *   2  signature over a fixed message, verified (one-shot and streaming,
 *      which must agree) with a fixed public key; the claimed key id is
 *      read too.
 *
 * Must never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/minisig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key the signature seeds were made with (tests/fuzz/corpus). */
static const char fixed_pub[] =
    "RWT58KqdSpAXb5rqOXwv1A47pKJ9FJZq+O/mnrXh5h3n0HZ2WbCi4Rk8";
static const char message[] = "cairn fuzz message\n";

static void
public_key(const char *t, size_t n)
{
	struct minisig_public pk, pk2;
	char *enc = NULL;
	size_t elen;

	if (minisig_public_decode(t, n, &pk) != 0)
		return;
	if (minisig_public_encode(&pk, NULL, &enc, &elen) != 0 ||
	    minisig_public_decode(enc, elen, &pk2) != 0 ||
	    memcmp(&pk, &pk2, sizeof pk) != 0)
		abort();
	free(enc);
}

/* scrypt limits of an encrypted key text, or 0 when unreadable. */
static int
limits(const char *t, size_t n, uint64_t *ops, uint64_t *mem)
{
	const char *l2 = memchr(t, '\n', n), *end;
	uint8_t blob[256];
	size_t got = 0;

	if (l2 == NULL)
		return 0;
	l2++;
	end = memchr(l2, '\n', n - (size_t)(l2 - t));
	if (end == NULL)
		end = t + n;
	if (sodium_base642bin(blob, sizeof blob, l2, (size_t)(end - l2), NULL,
	        &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got < 54)
		return 0;
	*ops = *mem = 0;
	for (int i = 7; i >= 0; i--) {
		*ops = *ops << 8 | blob[38 + i];
		*mem = *mem << 8 | blob[46 + i];
	}
	return 1;
}

static void
secret_key(const char *t, size_t n)
{
	struct minisig_secret *sk = NULL, *sk2 = NULL;
	struct minisig_public pk, pk2;
	char *enc = NULL;
	size_t elen;
	uint64_t ops, mem;
	int e = minisig_secret_is_encrypted(t, n), rc;

	rc = minisig_secret_decode(t, n, NULL, 0, &sk);
	if (e == 1) {
		if (rc != CAIRN_ERR_INVAL || sk != NULL)
			abort(); /* encrypted needs a passphrase */
		if (!limits(t, n, &ops, &mem) || ops > 32768 ||
		    mem > 16u * 1024 * 1024)
			return;
		rc = minisig_secret_decode(t, n, "fuzz", 4, &sk);
	} else if (e < 0 && rc == 0)
		abort(); /* the two parsers disagree */
	if (rc != 0) {
		if (sk != NULL)
			abort();
		return;
	}
	minisig_public_from_secret(sk, &pk);
	if (minisig_secret_encode(sk, NULL, 0, NULL, &enc, &elen) != 0 ||
	    minisig_secret_is_encrypted(enc, elen) != 0 ||
	    minisig_secret_decode(enc, elen, NULL, 0, &sk2) != 0)
		abort();
	minisig_public_from_secret(sk2, &pk2);
	if (memcmp(&pk, &pk2, sizeof pk) != 0)
		abort();
	cio_secret_free(enc, elen);
	minisig_secret_free(sk);
	minisig_secret_free(sk2);
}

static void
signature(const char *t, size_t n)
{
	struct minisig_public pk;
	struct minisig_verifier *v = NULL;
	uint8_t id[MINISIG_KEY_ID_LEN];
	char *tc1 = NULL, *tc2 = NULL;
	int r1, r2, rid;

	if (minisig_public_decode(fixed_pub, sizeof fixed_pub - 1, &pk) != 0)
		abort();
	rid = minisig_signature_key_id(t, n, id);
	r1 = minisig_verify(&pk, message, sizeof message - 1, t, n, &tc1);
	r2 = minisig_verifier_new(&v, &pk, t, n);
	if (r2 == 0) {
		/* in two pieces */
		if ((r2 = minisig_verifier_update(v, message, 5)) == 0 &&
		    (r2 = minisig_verifier_update(
		         v, message + 5, sizeof message - 6)) == 0)
			r2 = minisig_verifier_final(v, &tc2);
	}
	minisig_verifier_free(v);
	if (r1 != r2)
		abort();
	if (r1 == 0) {
		if (rid != 0 || memcmp(id, pk.key_id, sizeof id) != 0 ||
		    tc1 == NULL || tc2 == NULL || strcmp(tc1, tc2) != 0 ||
		    strchr(tc1, '\n') != NULL)
			abort();
	} else if (tc1 != NULL || tc2 != NULL)
		abort();
	free(tc1);
	free(tc2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > 64 * 1024)
		return 0;
	if (sodium_init() < 0)
		abort();
	switch (data[0] % 3) {
	case 0: public_key((const char *)data + 1, size - 1); break;
	case 1: secret_key((const char *)data + 1, size - 1); break;
	default: signature((const char *)data + 1, size - 1); break;
	}
	return 0;
}
