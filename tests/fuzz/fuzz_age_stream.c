/*
 * fuzz_age_stream.c - libFuzzer target for STREAM decryption
 * (age_stream.h) with a fixed file key.  Two modes, by the low bit of the
 * first input byte:
 *
 *   raw:        the rest of the input is a payload (nonce + chunks), fed
 *               partly as the "pre" bytes and partly through a short-read
 *               source; when it decrypts, re-encrypting the plaintext with
 *               the same nonce must give back the input byte-identically.
 *   structural: the input describes a plaintext (length up to ~4 chunks,
 *               a repeated pattern) and one change to its ciphertext:
 *               truncate, flip a bit, drop, duplicate or swap 64 KiB + 16
 *               chunks, or append bytes.  The unchanged ciphertext must
 *               decrypt to the plaintext; a changed one must fail, and
 *               what was returned before the failure must be a prefix of
 *               the plaintext made of whole chunks.
 *
 * Must never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_stream.h"
#include "cairn/err.h"
#include "fuzz_util.h"

static const uint8_t file_key[AGE_FILE_KEY_LEN] = "cairn fuzz key!";

/* Decrypt ct (the first pre bytes given as prefix); plaintext into *pt.
 * Returns 0 or the error. */
static int
decrypt(const uint8_t *ct, size_t len, size_t pre, uint32_t step,
    struct cio_membuf *pt)
{
	struct age_stream_reader *r = NULL;
	struct fz_src s;
	struct cio_source src = {.read = fz_src_read, .ctx = &s};
	static uint8_t buf[2 * AGE_CHUNK_LEN + 100];
	ssize_t n;
	int rc;

	if (pre > len)
		pre = len;
	fz_src_init(&s, ct + pre, len - pre, step);
	if ((rc = age_stream_reader_new(&r, file_key, &src, ct, pre)) != 0)
		return rc;
	for (;;) {
		size_t want;

		step = step * 1664525u + 1013904223u;
		want =
		    (step >> 8) % 3 == 0 ? sizeof buf : 1 + (step >> 12) % 5000;
		if ((n = age_stream_reader_read(r, buf, want)) <= 0)
			break;
		if ((size_t)n > want ||
		    cio_membuf_write(pt, buf, (size_t)n) != 0)
			abort();
	}
	age_stream_reader_free(r);
	return (int)n;
}

static void
encrypt(const uint8_t nonce[AGE_STREAM_NONCE_LEN], const uint8_t *pt,
    size_t len, size_t piece, struct cio_membuf *ct)
{
	struct age_stream_writer *w = NULL;
	struct cio_sink sink = {cio_membuf_write, ct};
	size_t off = 0;

	if (age_stream_writer_new_nonce(&w, file_key, nonce, &sink) != 0)
		abort();
	while (off < len) {
		size_t n = len - off < piece ? len - off : piece;

		if (age_stream_writer_write(w, pt + off, n) != 0)
			abort();
		off += n;
	}
	if (age_stream_writer_finish(w) != 0)
		abort();
	age_stream_writer_free(w);
}

static void
raw(const uint8_t *data, size_t size)
{
	struct cio_membuf pt = {NULL, 0, 0, 0}, ct = {NULL, 0, 0, 0};
	size_t pre = size % 41;

	if (decrypt(data, size, pre, (uint32_t)size | 1, &pt) == 0) {
		if (size < AGE_STREAM_NONCE_LEN)
			abort();
		encrypt(data, pt.data, pt.len, 4093, &ct);
		if (ct.len != size || memcmp(ct.data, data, size) != 0)
			abort();
	}
	cio_membuf_free(&pt);
	cio_membuf_free(&ct);
}

static size_t
get(const uint8_t *data, size_t size, size_t *off, int bytes)
{
	size_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | (*off < size ? data[(*off)++] : 0);
	return v;
}

static void
structural(const uint8_t *data, size_t size)
{
	enum { TRUNC, FLIP, DROP, DUP, SWAP, APPEND, NOPS };
	const size_t E = AGE_STREAM_ENC_CHUNK_LEN, H = AGE_STREAM_NONCE_LEN;
	struct cio_membuf pt = {NULL, 0, 0, 0}, ct = {NULL, 0, 0, 0},
	                  bad = {NULL, 0, 0, 0}, got = {NULL, 0, 0, 0};
	uint8_t nonce[AGE_STREAM_NONCE_LEN] = {0}, *plain;
	size_t off = 0, len, op, a, b, nchunks, pre;
	const uint8_t *pat;
	size_t patlen;
	int rc;

	len = get(data, size, &off, 3) % (4 * AGE_CHUNK_LEN + 64);
	op = get(data, size, &off, 1) % NOPS;
	a = get(data, size, &off, 3);
	b = get(data, size, &off, 3);
	pre = get(data, size, &off, 1);
	nonce[0] = (uint8_t)get(data, size, &off, 1);
	pat = data + off;
	patlen = size - off;
	if ((plain = malloc(len + 1)) == NULL)
		return;
	for (size_t i = 0; i < len; i++)
		plain[i] = patlen ? (uint8_t)(pat[i % patlen] + i / patlen)
		                  : (uint8_t)i;
	encrypt(nonce, plain, len, 1 + a % 70000, &ct);
	nchunks = (ct.len - H) / E + ((ct.len - H) % E != 0);
	if (ct.len != H + len + nchunks * AGE_STREAM_TAG_LEN)
		abort();
	/* The original decrypts (in pieces) to the plaintext. */
	if (decrypt(ct.data, ct.len, pre, (uint32_t)b | 1, &got) != 0 ||
	    got.len != len || (len && memcmp(got.data, plain, len) != 0))
		abort();
	got.len = 0;
	/* Build the changed ciphertext. */
	switch (op) {
	case TRUNC: cio_membuf_write(&bad, ct.data, a % (ct.len + 1)); break;
	case FLIP:
		cio_membuf_write(&bad, ct.data, ct.len);
		bad.data[a % ct.len] ^= (uint8_t)(1u << (b % 8));
		break;
	case DROP:
	case DUP:
	case SWAP: {
		size_t i = a % nchunks, j = b % nchunks;

		cio_membuf_write(&bad, ct.data, H);
		for (size_t k = 0; k < nchunks; k++) {
			size_t src = k;

			if (op == SWAP)
				src = k == i ? j : k == j ? i : k;
			const uint8_t *c = ct.data + H + src * E;
			size_t clen =
			    src == nchunks - 1 ? ct.len - H - src * E : E;
			if (op == DROP && k == i)
				continue;
			cio_membuf_write(&bad, c, clen);
			if (op == DUP && k == i)
				cio_membuf_write(&bad, c, clen);
		}
		break;
	}
	case APPEND:
		cio_membuf_write(&bad, ct.data, ct.len);
		cio_membuf_write(&bad, pat, patlen > 0 ? 1 + a % patlen : 0);
		if (patlen == 0)
			cio_membuf_write(&bad, nonce, 1);
		break;
	}
	rc = decrypt(bad.data, bad.len, pre, (uint32_t)a | 1, &got);
	if (bad.len == ct.len && memcmp(bad.data, ct.data, ct.len) == 0) {
		if (rc != 0 || got.len != len ||
		    (len && memcmp(got.data, plain, len) != 0))
			abort();
	} else {
		if (rc == 0)
			abort(); /* a changed ciphertext was accepted */
		if (got.len > len || got.len % AGE_CHUNK_LEN != 0 ||
		    (got.len && memcmp(got.data, plain, got.len) != 0))
			abort(); /* unauthenticated or wrong bytes released */
	}
	free(plain);
	cio_membuf_free(&pt);
	cio_membuf_free(&ct);
	cio_membuf_free(&bad);
	cio_membuf_free(&got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		structural(data + 1, size - 1);
	else
		raw(data + 1, size - 1);
	return 0;
}
