/*
 * fuzz_bech32.c - libFuzzer target for Bech32 (bech32.h): whatever
 * bech32_decode() accepts must re-encode, under the decoded HRP, to the
 * input in lower case, and decode again to the same HRP and data.  Must
 * never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bech32.h"
#include "fuzz_util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char hrp[128], hrp2[128], *enc;
	uint8_t out[2048], out2[2048];
	size_t n, n2;

	if (size > 4096)
		return 0;
	if (bech32_decode((const char *)data, size, hrp, sizeof hrp, out,
	        sizeof out, &n) != 0)
		return 0;
	if (strlen(hrp) >= size || n > size)
		abort();
	if (bech32_encoded_len(strlen(hrp), n) != size)
		abort();
	if ((enc = malloc(size + 1)) == NULL)
		return 0;
	if (bech32_encode(enc, size + 1, hrp, out, n) != 0)
		abort();
	for (size_t i = 0; i < size; i++) {
		char c = (char)data[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (enc[i] != c)
			abort();
	}
	if (bech32_decode(
	        enc, size, hrp2, sizeof hrp2, out2, sizeof out2, &n2) != 0 ||
	    n2 != n || memcmp(out, out2, n) != 0 || strcasecmp(hrp, hrp2) != 0)
		abort();
	/* One character changed must be caught by the checksum (Bech32
	 * detects any single substitution). */
	{
		size_t pos = strlen(hrp) + 1 +
		    (size_t)data[size - 1] % (size - strlen(hrp) - 1);
		char c = enc[pos] == 'q' ? 'p' : 'q';

		enc[pos] = c;
		if (bech32_decode(enc, size, hrp2, sizeof hrp2, out2,
		        sizeof out2, &n2) == 0)
			abort();
	}
	free(enc);
	return 0;
}
