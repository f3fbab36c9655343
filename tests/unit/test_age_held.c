/*
 * test_age_held.c - the age reader keeps cio_source's read_held()
 * promise: a source that may go on reading what it returned (the
 * archive's hash on another thread) sees every such range release()d
 * before the reader changes or frees it, and all of them released once
 * the reader is freed; the plaintext is the same as with read().  The
 * source checks the promise by keeping a digest of each lent range and
 * comparing it at release (a reader that wrote into a lent range first
 * shows as a changed range).  Sizes around the 1 MiB read block and the
 * ring of input buffers, small and large reads, short reads from the
 * source, corrupted and truncated payloads, through age_reader_new (the
 * header and peek buffer before the payload) and age_stream_reader_new.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_stream.h"
#include "cairn/age.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "cairn/cio.h"
#include "lend_util.h"
#include "tap.h"

#define CH  AGE_CHUNK_LEN
#define ENC AGE_STREAM_ENC_CHUNK_LEN
/* A memory source lending what it reads; step caps each read. */
struct heldsrc {
	const uint8_t *data;
	size_t len, off, step;
	struct borrower b;
	int held_reads, plain_reads;
};

static ssize_t
take(struct heldsrc *s, uint8_t *buf, size_t len)
{
	size_t n = s->len - s->off;

	if (n > len)
		n = len;
	if (n > s->step)
		n = s->step;
	memcpy(buf, s->data + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static ssize_t
plain_read(void *ctx, uint8_t *buf, size_t len)
{
	struct heldsrc *s = ctx;

	s->plain_reads++;
	return take(s, buf, len);
}

static ssize_t
held_read(void *ctx, uint8_t *buf, size_t len)
{
	struct heldsrc *s = ctx;
	ssize_t n = take(s, buf, len);

	s->held_reads++;
	if (n > 0)
		borrow(&s->b, buf, (size_t)n);
	return n;
}

static void
release(void *ctx, const uint8_t *p, size_t len)
{
	borrower_release(&((struct heldsrc *)ctx)->b, p, len);
}

static uint8_t fk[AGE_FILE_KEY_LEN], nonce[AGE_STREAM_NONCE_LEN];

/* The STREAM payload of pt[0..len) under fk and nonce. */
static int
seal(const uint8_t *pt, size_t len, struct cio_membuf *out)
{
	struct cio_sink sink = {cio_membuf_write, out};
	struct age_stream_writer *w;
	int ret;

	out->len = 0;
	if ((ret = age_stream_writer_new_nonce(&w, fk, nonce, &sink)) != 0)
		return ret;
	ret = age_stream_writer_write(w, pt, len);
	if (ret == 0)
		ret = age_stream_writer_finish(w);
	age_stream_writer_free(w);
	return ret;
}

/* Read everything from a stream reader (age == NULL) or an age reader
 * in reads of readsz; the final status, plaintext in out. */
static int
drain(struct age_stream_reader *sr, struct age_reader *ar, size_t readsz,
    struct cio_membuf *out)
{
	uint8_t *buf = malloc(readsz);
	ssize_t n;

	out->len = 0;
	if (buf == NULL)
		return CAIRN_ERR_NOMEM;
	while ((n = sr != NULL ? age_stream_reader_read(sr, buf, readsz)
	                       : age_reader_read(ar, buf, readsz)) > 0)
		cio_membuf_write(out, buf, (size_t)n);
	free(buf);
	return (int)n;
}

/* Open ct through the stream reader with a lending source; 1 when the
 * status is want, the plaintext pt[0..ptlen), and the promise held. */
static int
stream_case(const uint8_t *ct, size_t len, size_t step, size_t readsz, int want,
    const uint8_t *pt, size_t ptlen, struct cio_membuf *back)
{
	struct heldsrc s = {.data = ct, .len = len, .step = step};
	struct cio_source src = {.read = plain_read,
	    .ctx = &s,
	    .read_held = held_read,
	    .release = release};
	struct age_stream_reader *r;
	int ret;

	if (age_stream_reader_new(&r, fk, &src, NULL, 0) != 0)
		return 0;
	ret = drain(r, NULL, readsz, back);
	age_stream_reader_free(r);
	return ret == want && back->len == ptlen &&
	    (ptlen == 0 || memcmp(back->data, pt, ptlen) == 0) &&
	    borrower_clean(&s.b) && s.held_reads > 0 && s.plain_reads == 0;
}

/* The whole age file, through age_reader_new: 1 when it opens to pt and
 * the source saw lent reads, all released, none changed. */
static int
age_case(const uint8_t *pt, size_t len, int armor)
{
	uint8_t sk[32], pk[32];
	char rs_s[AGE_RECIPIENT_STR_LEN];
	struct age_recipients rs = {0};
	struct age_identities ids = {0};
	struct cio_membuf ct = {0}, back = {0};
	struct cio_sink sink = {cio_membuf_write, &ct};
	struct age_writer *w;
	struct age_reader *r = NULL;
	struct heldsrc s = {0};
	struct cio_source src = {.read = plain_read,
	    .ctx = &s,
	    .read_held = held_read,
	    .release = release};
	int ok = 0;

	if (age_x25519_generate(sk) != 0 || age_x25519_public(sk, pk) != 0 ||
	    age_x25519_recipient_string(pk, rs_s) != 0 ||
	    age_recipients_add_string(&rs, rs_s) != 0 ||
	    age_identities_add_x25519(&ids, sk) != 0 ||
	    age_writer_new(&w, &rs, armor, &sink) != 0)
		goto out;
	if (age_writer_write(w, pt, len) != 0 || age_writer_finish(w) != 0) {
		age_writer_free(w);
		goto out;
	}
	age_writer_free(w);
	s.data = ct.data;
	s.len = ct.len;
	s.step = (1 << 20) + 3;
	if (age_reader_new(&r, &src, &ids) != 0)
		goto out;
	ok = drain(NULL, r, 1 << 20, &back) == 0 && back.len == len &&
	    memcmp(back.data, pt, len) == 0;
	age_reader_free(r);
	/* armored: the armor reader decodes into its own buffers, so
	 * nothing may be lent */
	ok = ok && borrower_clean(&s.b) &&
	    (armor ? s.held_reads == 0 : s.held_reads > 0);
out:
	sodium_memzero(sk, sizeof(sk));
	age_recipients_free(&rs);
	age_identities_free(&ids);
	cio_membuf_free(&ct);
	cio_membuf_free(&back);
	return ok;
}

int
main(void)
{
	static const size_t sizes[] = {0, 1, CH, 16 * CH - 1, 16 * CH + 1,
	    8 * 16 * CH, 9 * 16 * CH + 5, 20 * 1024 * 1024 + 333};
	static const size_t steps[] = {(size_t)1 << 30, 100000, 16 * ENC};
	static const size_t reads[] = {1 << 20, 4096, 3 * CH + 1};
	size_t maxlen = 20 * 1024 * 1024 + 333;
	struct cio_membuf ct = {0}, back = {0};
	uint8_t *pt;

	if (sodium_init() < 0 || (pt = malloc(maxlen)) == NULL)
		return 1;
	randombytes_buf(pt, maxlen);
	randombytes_buf(fk, sizeof(fk));
	randombytes_buf(nonce, sizeof(nonce));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int ok = seal(pt, sizes[i], &ct) == 0;

		for (size_t k = 0; k < 3; k++)
			ok = ok &&
			    stream_case(ct.data, ct.len, steps[k], reads[k], 0,
			        pt, sizes[i], &back);
		TAP_OK(ok,
		    "%zu bytes: plaintext right, every lent range released "
		    "unchanged",
		    sizes[i]);
	}
	/* A bad tag in chunk 40 (the third block): the chunks before it
	 * are released, the error reported, every range released. */
	seal(pt, 60 * CH, &ct);
	ct.data[AGE_STREAM_NONCE_LEN + 40 * ENC + 9] ^= 1;
	TAP_OK(stream_case(ct.data, ct.len, 1 << 30, 1 << 20, CAIRN_ERR_PAYLOAD,
	           pt, 40 * CH, &back),
	    "a corrupted chunk: the chunks before it, then the error");
	/* Truncated inside the last chunk. */
	seal(pt, 60 * CH, &ct);
	TAP_OK(stream_case(ct.data, ct.len - 100, 100000, 4096,
	           CAIRN_ERR_PAYLOAD, pt, 59 * CH, &back),
	    "a truncated payload: the chunks before, then the error");
	TAP_OK(age_case(pt, 5 * 1024 * 1024 + 17, 0),
	    "age_reader_new: the payload is lent, released, unchanged");
	TAP_OK(age_case(pt, 300000, 1),
	    "age_reader_new, armored: nothing is lent");
	cio_membuf_free(&ct);
	cio_membuf_free(&back);
	free(pt);
	return tap_done();
}
