/*
 * fuzz_tsr.c - libFuzzer target for what cairn reads beside or about an
 * archive that someone else may have written: the time-stamp sidecar
 * (tsr_decode, strict, so whatever decodes must re-encode to exactly the
 * input), every token in it and the input itself as a DER time-stamp
 * token (tsa_token_info: OpenSSL's PKCS7/TSTInfo parsing), and a custody
 * log entry (custody_entry_decode, canonical likewise).  Must never crash
 * or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/custody.h"
#include "cairn/err.h"
#include "cairn/tsa.h"
#include "fuzz_util.h"

static void
custody(const uint8_t *data, size_t size)
{
	struct custody_entry e;
	char *text = NULL;
	size_t len = 0;

	if (custody_entry_decode((const char *)data, size, &e) != 0)
		return;
	if (custody_entry_encode(&e, &text, &len) != 0 || len != size ||
	    memcmp(text, data, size) != 0)
		abort();
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsr t;
	struct tsa_token_info info;
	uint8_t *out = NULL;
	size_t len = 0;

	if (size > TSR_MAX_LEN)
		return 0;
	if (tsr_decode(data, size, &t) == 0) {
		for (size_t i = 0; i < t.n; i++)
			(void)tsa_token_info(t.v[i].der, t.v[i].len, &info);
		if (tsr_encode(&t, &out, &len) != 0 || len != size ||
		    memcmp(out, data, size) != 0)
			abort();
		free(out);
	}
	tsr_free(&t);
	(void)tsa_token_info(data, size, &info);
	custody(data, size);
	return 0;
}
