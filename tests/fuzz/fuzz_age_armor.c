/*
 * fuzz_age_armor.c - libFuzzer target for the age ASCII armor decoder
 * (age_armor.h), read through a source that serves short reads.  When the
 * input decodes, re-encoding the bytes must decode to the same bytes, and
 * a canonical input (LF only, nothing around the armor) must re-encode to
 * itself.  The decoded bytes are never more than 3/4 of the input.  Must
 * never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_armor.h"
#include "cairn/err.h"
#include "fuzz_util.h"

/* Decode in[0..len) into *out; 0 or the error. */
static int
decode(const uint8_t *in, size_t len, uint32_t step, struct cio_membuf *out)
{
	struct age_armor_reader *r = NULL;
	struct fz_src s;
	struct cio_source src = {.read = fz_src_read, .ctx = &s};
	uint8_t buf[997];
	ssize_t n;
	int rc;

	fz_src_init(&s, in, len, step);
	if ((rc = age_armor_reader_new(&r, &src)) != 0)
		return rc;
	while ((n = age_armor_read(r, buf, 1 + (step % sizeof buf))) > 0) {
		if (cio_membuf_write(out, buf, (size_t)n) != 0)
			abort();
		step = step * 69069u + 1;
	}
	age_armor_reader_free(r);
	return (int)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char end[] = AGE_ARMOR_END "\n";
	struct cio_membuf plain = {NULL, 0, 0, 0}, arm = {NULL, 0, 0, 0},
	                  again = {NULL, 0, 0, 0};
	struct age_armor_writer *w = NULL;
	struct cio_sink sink = {cio_membuf_write, &arm};
	uint32_t step = (uint32_t)size * 2654435761u + 1;
	int rc;

	rc = decode(data, size, step, &plain);
	if (rc != 0) {
		/* The same verdict whatever the read pattern. */
		struct cio_membuf p2 = {NULL, 0, 0, 0};

		if (decode(data, size, 0, &p2) == 0)
			abort();
		cio_membuf_free(&p2);
		goto out;
	}
	if (plain.len > size / 4 * 3)
		abort();
	if (age_armor_writer_new(&w, &sink) != 0 ||
	    (plain.len > 0 && age_armor_write(w, plain.data, plain.len) != 0) ||
	    age_armor_writer_finish(w) != 0)
		abort();
	if (decode(arm.data, arm.len, 7, &again) != 0 ||
	    again.len != plain.len ||
	    (plain.len > 0 && memcmp(again.data, plain.data, plain.len) != 0))
		abort();
	if (memchr(data, '\r', size) == NULL && size > 0 && data[0] == '-' &&
	    size >= sizeof end - 1 &&
	    memcmp(data + size - (sizeof end - 1), end, sizeof end - 1) == 0 &&
	    (arm.len != size || memcmp(arm.data, data, size) != 0))
		abort();
out:
	age_armor_writer_free(w);
	cio_membuf_free(&plain);
	cio_membuf_free(&arm);
	cio_membuf_free(&again);
	return 0;
}
