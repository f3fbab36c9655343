/*
 * fuzz_sums.c - libFuzzer target for the SHA256SUMS parser (sums_decode).
 * The format is strict, so whatever decodes must re-encode (sums_encode)
 * to exactly the input, and every line must be findable by path.  Must
 * never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "sums.h"
#include "fuzz_util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sums s;
	char *text = NULL;
	size_t len;

	if (size > 1024 * 1024)
		return 0;
	if (sums_decode((const char *)data, size, &s) == 0) {
		if (s.n == 0)
			abort();
		for (size_t i = 0; i < s.n; i++)
			if (sums_find(&s, s.v[i].path) != &s.v[i])
				abort();
		if (sums_encode(&s, &text, &len) != 0 || len != size ||
		    memcmp(text, data, size) != 0)
			abort();
		free(text);
	}
	sums_free(&s);
	return 0;
}
