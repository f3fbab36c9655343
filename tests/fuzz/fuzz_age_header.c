/*
 * fuzz_age_header.c - libFuzzer target for the age v1 header parser
 * (age_format.h).  Every header age_header_parse() accepts must re-encode
 * byte-identically with age_header_encode() + age_header_encode_mac(), and
 * the MAC-covered length must end right after "---", and every strict
 * prefix of it must parse as incomplete.  Also feeds the input
 * to the strict base64 decoders and checks their round trip.  Must never
 * crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_format.h"
#include "cairn/err.h"
#include "fuzz_util.h"

static void
b64_round_trip(const uint8_t *data, size_t size, int pad)
{
	uint8_t out[512];
	char again[700];
	size_t n;

	if (size > 600)
		return;
	if (age_b64_decode(
	        (const char *)data, size, out, sizeof out, &n, pad) != 0)
		return;
	if (age_b64_encoded_len(n, pad) != size)
		abort();
	age_b64_encode(again, out, n, pad);
	if (memcmp(again, data, size) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct age_header h;
	struct cio_membuf m = {NULL, 0, 0, 0};
	int rc;

	b64_round_trip(data, size, 0);
	b64_round_trip(data, size, 1);
	rc = age_header_parse(data, size, &h);
	if (rc != 0) {
		/* Failure leaves *h empty. */
		if (h.stanzas != NULL || h.n != 0)
			abort();
		return 0;
	}
	if (h.len > size || h.mac_len >= h.len || h.mac_len < 3 ||
	    memcmp(data + h.mac_len - 3, "---", 3) != 0)
		abort();
	if (age_header_encode(h.stanzas, h.n, &m) != 0)
		abort();
	if (m.len != h.mac_len || memcmp(m.data, data, m.len) != 0)
		abort();
	if (age_header_encode_mac(h.mac, &m) != 0)
		abort();
	if (m.len != h.len || memcmp(m.data, data, m.len) != 0)
		abort();
	/* Every strict prefix of an accepted header is incomplete (the
	 * reader parses as bytes arrive), never accepted nor an error. */
	for (size_t k = h.len > 512 ? h.len - 64 : 0; k < h.len; k++) {
		struct age_header h2;

		if (age_header_parse(data, k, &h2) != AGE_HEADER_INCOMPLETE)
			abort();
	}
	cio_membuf_free(&m);
	age_header_free(&h);
	return 0;
}
