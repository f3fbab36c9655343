/*
 * age_stream_util.h - what test_age_stream.c and test_age_parallel.c
 * share: the file key and nonce under test, sealing a plaintext written
 * in pieces, a source that hands out short reads (and may fail), and
 * opening a whole stream into memory.  Test-only; each program gets its
 * own copy of the statics.
 */
#ifndef CAIRN_TEST_AGE_STREAM_UTIL_H
#define CAIRN_TEST_AGE_STREAM_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "age_stream.h"
#include "cairn/cio.h"
#include "cairn/err.h"

static uint8_t fk[AGE_FILE_KEY_LEN], nonce[AGE_STREAM_NONCE_LEN];

/* Seal pt (len bytes, written in pieces of piece) with fk and nonce into
 * out (emptied first); 0 or the first error. */
static int
seal(const uint8_t *pt, size_t len, size_t piece, struct cio_membuf *out)
{
	struct cio_sink sink = {cio_membuf_write, out};
	struct age_stream_writer *w;
	size_t off;
	int ret;

	out->len = 0;
	if ((ret = age_stream_writer_new_nonce(&w, fk, nonce, &sink)) != 0)
		return ret;
	for (off = 0; off < len && ret == 0; off += piece)
		ret = age_stream_writer_write(
		    w, pt + off, len - off < piece ? len - off : piece);
	if (ret == 0)
		ret = age_stream_writer_finish(w);
	age_stream_writer_free(w);
	return ret;
}

/* A source that hands out at most `step` bytes per read. */
struct stepsrc {
	const uint8_t *p;
	size_t len, off, step;
	int fail_at; /* return CAIRN_ERR_IO once off reaches this, if >= 0 */
};

static ssize_t
step_read(void *ctx, uint8_t *buf, size_t len)
{
	struct stepsrc *s = ctx;
	size_t n = s->len - s->off;

	if (s->fail_at >= 0 && s->off >= (size_t)s->fail_at)
		return CAIRN_ERR_IO;
	if (n > len)
		n = len;
	if (n > s->step)
		n = s->step;
	memcpy(buf, s->p + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

/* Decrypt ct (first `pre` bytes handed over up front, the rest `step`
 * bytes at a time) with reads of readsz; plaintext into out (emptied
 * first); returns the final status, 12345 when a read after the end or
 * an error did not return the same again. */
static int
open_all(const uint8_t *ct, size_t len, size_t pre, size_t step, size_t readsz,
    struct cio_membuf *out)
{
	struct stepsrc ss = {NULL, 0, 0, step, -1};
	struct cio_source src = {.read = step_read, .ctx = &ss};
	struct age_stream_reader *r;
	uint8_t *buf = malloc(readsz);
	ssize_t n;
	int ret;

	out->len = 0;
	if (pre > len)
		pre = len; /* only when an earlier step failed */
	ss.p = ct + pre;
	ss.len = len - pre;
	if ((ret = age_stream_reader_new(&r, fk, &src, ct, pre)) == 0) {
		while ((n = age_stream_reader_read(r, buf, readsz)) > 0)
			cio_membuf_write(out, buf, (size_t)n);
		ret = (int)n;
		/* Errors and the end are sticky. */
		if (age_stream_reader_read(r, buf, readsz) != n)
			ret = 12345;
		age_stream_reader_free(r);
	}
	free(buf);
	return ret;
}

#endif
