/*
 * fuzz_age_keys.c - libFuzzer target for identity and recipients files
 * (age_identities_add_text / age_recipients_add_text, without a
 * passphrase callback, so an encrypted identity file is NO_MATCH and no
 * scrypt runs).  Checks: a failure leaves the lists unchanged and names a
 * line that exists; every identity accepted yields a recipient string that
 * parses as a recipient; each AGE-SECRET-KEY-1 line that parses re-encodes
 * to itself (upper case).  Must never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <strings.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "fuzz_util.h"

static int
add_rec(void *ctx, const char *s)
{
	struct age_recipients *rs = ctx;

	if (strncmp(s, "age1", 4) != 0 || age_recipients_add_string(rs, s) != 0)
		abort();
	return 0;
}

static size_t
count_lines(const uint8_t *data, size_t size)
{
	size_t n = 1;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

static void
identity_lines(const uint8_t *data, size_t size)
{
	char line[200], again[AGE_IDENTITY_STR_LEN];
	uint8_t sk[AGE_X25519_KEY_LEN];
	size_t off = 0;

	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t n = nl ? (size_t)(nl - data - off) : size - off;

		if (n < sizeof line && memchr(data + off, '\0', n) == NULL) {
			memcpy(line, data + off, n);
			line[n] = '\0';
			if (age_x25519_identity_parse(line, sk) == 0) {
				if (age_x25519_identity_string(sk, again) !=
				        0 ||
				    strcasecmp(again, line) != 0)
					abort();
			}
		}
		off += n + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct age_identities ids = {NULL, 0};
	struct age_recipients rs = {NULL, 0}, derived = {NULL, 0};
	size_t bad = 0, lines = count_lines(data, size);
	int rc;

	if (size > 64 * 1024)
		return 0;
	rc = age_identities_add_text(
	    &ids, (const char *)data, size, NULL, NULL, &bad);
	if (rc != 0) {
		if (ids.n != 0 || bad > lines)
			abort();
	} else {
		if (ids.n == 0)
			abort();
		if (age_identities_each_recipient(&ids, add_rec, &derived) !=
		        0 ||
		    derived.n == 0)
			abort();
	}
	bad = 0;
	rc = age_recipients_add_text(&rs, (const char *)data, size, &bad);
	if (rc != 0 && (rs.n != 0 || bad > lines || bad == 0))
		abort();
	identity_lines(data, size);
	age_identities_free(&ids);
	age_recipients_free(&rs);
	age_recipients_free(&derived);
	return 0;
}
