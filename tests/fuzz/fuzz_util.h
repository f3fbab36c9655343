/*
 * fuzz_util.h - helpers shared by the libFuzzer targets: the entry-point
 * declarations, a standard LLVMFuzzerInitialize() (libsodium initialised
 * once; a target that needs more defines FZ_CUSTOM_INIT before including
 * this and writes its own), and a memory source that serves short reads
 * of varying length (so buffer-boundary code is exercised).
 * Included by exactly one file per fuzz binary.
 */
#ifndef CAIRN_FUZZ_UTIL_H
#define CAIRN_FUZZ_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <sodium.h>

#include "cairn/cio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#ifndef FZ_CUSTOM_INIT
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	return 0;
}
#endif

struct fz_src {
	const uint8_t *data;
	size_t len, off;
	uint32_t step; /* 0: whole reads; else a varying short-read pattern */
};

static __attribute__((unused)) ssize_t
fz_src_read(void *ctx, uint8_t *buf, size_t len)
{
	struct fz_src *s = ctx;
	size_t n = s->len - s->off;

	if (s->step != 0) {
		s->step = s->step * 1103515245u + 12345u;
		size_t cap = 1 + (s->step >> 16) % 4099;
		if (n > cap)
			n = cap;
	}
	if (n > len)
		n = len;
	if (n > 0)
		memcpy(buf, s->data + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static __attribute__((unused)) void
fz_src_init(struct fz_src *s, const uint8_t *data, size_t len, uint32_t step)
{
	s->data = data;
	s->len = len;
	s->off = 0;
	s->step = step;
}

#endif
