/*
 * test_age_stream.c - the STREAM payload: round trips at chunk-boundary
 * sizes, agreement with an independent reference sealer, and every rule
 * about how a stream may end (empty/full/short final chunk, truncation,
 * trailing data, tampering, missing nonce), with the plaintext released
 * before each error checked.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_hkdf.h"
#include "age_stream_util.h"
#include "tap.h"

/* memcmp that accepts NULL pointers when n is 0 (empty membufs). */
static int
tmemcmp(const void *a, const void *b, size_t n)
{
	return n == 0 ? 0 : memcmp(a, b, n);
}

#define CH  AGE_CHUNK_LEN
#define ENC AGE_STREAM_ENC_CHUNK_LEN

/* Reference: nonce || chunks, sealed here with libsodium directly.
 * finals[i] chooses the final flag of chunk i (lens[i] plaintext bytes). */
static uint8_t *
ref_seal(const uint8_t *pt, const size_t *lens, const int *finals, size_t n,
    size_t *outlen)
{
	uint8_t key[32], nb[12], *out;
	size_t i, total = AGE_STREAM_NONCE_LEN, off = 0, o;

	for (i = 0; i < n; i++)
		total += lens[i] + 16;
	out = malloc(total);
	memcpy(out, nonce, sizeof(nonce));
	o = sizeof(nonce);
	age_hkdf_sha256(key, fk, sizeof(fk), nonce, sizeof(nonce), "payload");
	for (i = 0; i < n; i++) {
		memset(nb, 0, sizeof(nb));
		nb[10] = (uint8_t)i;
		nb[9] = (uint8_t)(i >> 8);
		nb[11] = (uint8_t)finals[i];
		crypto_aead_chacha20poly1305_ietf_encrypt(
		    out + o, NULL, pt + off, lens[i], NULL, 0, NULL, nb, key);
		o += lens[i] + 16;
		off += lens[i];
	}
	*outlen = o;
	return out;
}

static void
test_roundtrips(const uint8_t *pt)
{
	static const size_t sizes[] = {
	    0, 1, CH - 1, CH, CH + 1, 2 * CH, 2 * CH + 17, 3 << 20};
	static const size_t pieces[] = {1 << 20, 1000, CH, 7};
	struct cio_membuf ct = {0}, back = {0};
	size_t i, nchunks, j;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i], *lens, refl;
		int *finals, ok;
		uint8_t *ref;

		nchunks = len == 0 ? 1 : (len + CH - 1) / CH;
		lens = calloc(nchunks, sizeof(*lens));
		finals = calloc(nchunks, sizeof(*finals));
		for (j = 0; j < nchunks; j++)
			lens[j] = j + 1 < nchunks ? CH : len - j * CH;
		finals[nchunks - 1] = 1;
		ref = ref_seal(pt, lens, finals, nchunks, &refl);
		for (j = 0; j < sizeof(pieces) / sizeof(pieces[0]); j++) {
			if (pieces[j] == 7 && len > 300000)
				continue;
			ok = seal(pt, len, pieces[j], &ct) == 0 &&
			    ct.len == refl && tmemcmp(ct.data, ref, refl) == 0;
			TAP_OK(ok,
			    "seal %zu bytes in pieces of %zu matches "
			    "the reference",
			    len, pieces[j]);
		}
		TAP_OK(open_all(ct.data, ct.len, 16, 1 << 20, 1 << 20, &back) ==
		            0 &&
		        back.len == len && tmemcmp(back.data, pt, len) == 0,
		    "open %zu bytes, large reads", len);
		TAP_OK(open_all(ct.data, ct.len, ct.len, 1, 4097, &back) == 0 &&
		        back.len == len && tmemcmp(back.data, pt, len) == 0,
		    "open %zu bytes, all pre-read, small reads", len);
		if (len < 300000)
			TAP_OK(
			    open_all(ct.data, ct.len, 3, 1000, 5, &back) == 0 &&
			        back.len == len &&
			        tmemcmp(back.data, pt, len) == 0,
			    "open %zu bytes, trickled source, tiny reads", len);
		free(ref);
		free(lens);
		free(finals);
	}
	cio_membuf_free(&ct);
	cio_membuf_free(&back);
}

/* Build a stream from chunk specs and check status and released bytes. */
static void
check(const uint8_t *pt, const size_t *lens, const int *finals, size_t n,
    size_t cut, size_t extra, int want, size_t want_len, const char *what)
{
	struct cio_membuf back = {0};
	size_t len, i;
	uint8_t *ct = ref_seal(pt, lens, finals, n, &len);
	int ret, ok = 1;

	ct = realloc(ct, len + extra);
	memset(ct + len, 0xa5, extra);
	len = len - cut + extra;
	for (i = 0; i < 2; i++) {
		ret = open_all(ct, len, 16, 1 << 20, i ? 100 : 1 << 20, &back);
		ok = ok && ret == want && back.len == want_len &&
		    tmemcmp(back.data, pt, want_len) == 0;
	}
	TAP_OK(ok, "%s (got %d, %zu bytes released)", what, ret, back.len);
	cio_membuf_free(&back);
	free(ct);
}

static void
test_rules(const uint8_t *pt)
{
	size_t l[4];
	int f[4];
	struct cio_membuf ct = {0}, back = {0};
	int ok;

	l[0] = 0, f[0] = 1;
	check(pt, l, f, 1, 0, 0, 0, 0, "empty payload: one empty final chunk");
	check(pt, l, f, 0, 0, 0, CAIRN_ERR_PAYLOAD, 0, "no chunk at all");
	l[0] = CH, f[0] = 1;
	check(pt, l, f, 1, 0, 0, 0, CH, "full final chunk accepted");
	l[0] = CH, f[0] = 0, l[1] = 0, f[1] = 1;
	check(pt, l, f, 2, 0, 0, CAIRN_ERR_PAYLOAD, CH,
	    "empty final chunk after a full one refused");
	l[0] = CH, f[0] = 0, l[1] = 10, f[1] = 1;
	check(pt, l, f, 2, 0, 0, 0, CH + 10, "two chunks");
	check(
	    pt, l, f, 2, 1, 0, CAIRN_ERR_PAYLOAD, CH, "truncated by one byte");
	check(pt, l, f, 2, 26, 0, CAIRN_ERR_PAYLOAD, CH,
	    "truncated to the first chunk");
	check(pt, l, f, 2, 0, 1, CAIRN_ERR_PAYLOAD, CH,
	    "one byte after a short final chunk (it no longer opens)");
	l[0] = CH, f[0] = 1;
	check(pt, l, f, 1, 0, 5, CAIRN_ERR_PAYLOAD, CH,
	    "data after a full final chunk (released, then error)");
	check(pt, l, f, 1, 0, ENC, CAIRN_ERR_PAYLOAD, CH,
	    "a whole chunk's worth after a full final chunk");
	l[0] = CH, f[0] = 0;
	check(pt, l, f, 1, 0, 0, CAIRN_ERR_PAYLOAD, CH,
	    "no final chunk (full chunk then EOF)");
	l[0] = 10, f[0] = 0;
	check(pt, l, f, 1, 0, 0, CAIRN_ERR_PAYLOAD, 0,
	    "short non-final chunk at EOF");
	l[0] = 10, f[0] = 1, l[1] = 10, f[1] = 1;
	check(pt, l, f, 2, 0, 0, CAIRN_ERR_PAYLOAD, 0,
	    "short final chunk followed by another");
	l[0] = CH, f[0] = 1, l[1] = 10, f[1] = 1;
	check(pt, l, f, 2, 0, 0, CAIRN_ERR_PAYLOAD, CH, "two final chunks");
	l[0] = CH - 1, f[0] = 0, l[1] = 10, f[1] = 1;
	check(pt, l, f, 2, 0, 0, CAIRN_ERR_PAYLOAD, 0,
	    "short non-final chunk in the middle");
	l[0] = 0, f[0] = 1;
	check(pt, l, f, 1, 1, 0, CAIRN_ERR_PAYLOAD, 0,
	    "final chunk shorter than a tag");

	/* Tampering: every chunk's ciphertext and tag. */
	seal(pt, 3 * CH + 100, 1 << 20, &ct);
	ct.data[16 + ENC + 5] ^= 1;
	ok = open_all(ct.data, ct.len, 16, 1 << 20, 1 << 20, &back) ==
	        CAIRN_ERR_PAYLOAD &&
	    back.len == CH && tmemcmp(back.data, pt, CH) == 0;
	TAP_OK(ok, "flipped byte in chunk 2: chunk 1 released, then error");
	ct.data[16 + ENC + 5] ^= 1;
	ct.data[ct.len - 1] ^= 0x80;
	ok = open_all(ct.data, ct.len, 16, 1 << 20, 3000, &back) ==
	        CAIRN_ERR_PAYLOAD &&
	    back.len == 3 * CH;
	TAP_OK(ok, "flipped tag of the final chunk");
	ct.data[ct.len - 1] ^= 0x80;
	ct.data[3] ^= 1;
	TAP_OK(open_all(ct.data, ct.len, 16, 1 << 20, 1 << 20, &back) ==
	            CAIRN_ERR_PAYLOAD &&
	        back.len == 0,
	    "flipped nonce");
	ct.data[3] ^= 1;

	/* Nonce missing or short: a header-level failure. */
	TAP_EQ_INT(open_all(ct.data, 0, 0, 1, 100, &back), CAIRN_ERR_HEADER,
	    "no nonce");
	TAP_EQ_INT(open_all(ct.data, 15, 3, 1, 100, &back), CAIRN_ERR_HEADER,
	    "short nonce");
	TAP_EQ_INT(open_all(ct.data, 16, 16, 1, 100, &back), CAIRN_ERR_PAYLOAD,
	    "nonce only");

	/* Source errors are passed up; plaintext before them was real. */
	{
		struct stepsrc ss = {ct.data, ct.len, 0, 4096, ENC + 100};
		struct cio_source src = {.read = step_read, .ctx = &ss};
		struct age_stream_reader *r;
		uint8_t buf[CH];
		ssize_t n, total = 0;

		age_stream_reader_new(&r, fk, &src, NULL, 0);
		while ((n = age_stream_reader_read(r, buf, sizeof(buf))) > 0)
			total += n;
		TAP_OK(n == CAIRN_ERR_IO && total == CH,
		    "source I/O error surfaces (%zd, %zd released)", n, total);
		TAP_EQ_INT(age_stream_reader_read(r, buf, 0), CAIRN_ERR_INVAL,
		    "zero-length read refused");
		age_stream_reader_free(r);
	}
	/* Writer misuse. */
	{
		struct cio_sink sink = {cio_membuf_write, &back};
		struct age_stream_writer *w;

		age_stream_writer_new(&w, fk, &sink);
		TAP_OK(age_stream_writer_finish(w) == 0 &&
		        age_stream_writer_write(w, pt, 1) == CAIRN_ERR_INVAL &&
		        age_stream_writer_finish(w) == CAIRN_ERR_INVAL,
		    "write or finish after finish refused");
		age_stream_writer_free(w);
	}
	cio_membuf_free(&ct);
	cio_membuf_free(&back);
}

int
main(void)
{
	uint8_t *pt;

	if (sodium_init() < 0)
		return 1;
	randombytes_buf(fk, sizeof(fk));
	randombytes_buf(nonce, sizeof(nonce));
	pt = malloc(4 << 20);
	randombytes_buf(pt, 4 << 20);
	test_roundtrips(pt);
	test_rules(pt);
	free(pt);
	return tap_done();
}
