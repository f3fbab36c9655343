/*
 * age_stream_read.c - reading the age v1 STREAM payload: whole batches of
 * chunks authenticated at once, released in order up to the first that
 * fails, and every rule about where the stream may end (final chunk,
 * truncation, data after the end).
 *
 * The ciphertext is read in blocks of about 1 MiB.  When the source
 * lends its bytes to another reader (cio_source.read_held: the archive
 * hashed on another thread, without a copy), the blocks rotate through
 * IN_RING buffers and each is release()d before it is written again or
 * freed; otherwise one buffer is reused.  Must not know headers,
 * recipients or armor.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_stream_impl.h"
#include "cairn/err.h"

#define PT_CAP (AGE_STREAM_BATCH * AGE_CHUNK_LEN)
/* Input buffers when the source holds on to what it read: the hashing
 * thread may be this many blocks (about 1 MiB each) behind. */
#define IN_RING 8

struct age_stream_reader {
	struct age_aead *a;
	const struct cio_source *src;
	uint64_t counter;
	uint8_t *in; /* ciphertext: in[off..end) not yet used */
	size_t off, end, cap;
	struct cio_ring ring; /* in is its current buffer */
	int held;             /* the source lends: IN_RING buffers */
	int eof;
	int rerr;    /* source error, met while reading ahead */
	uint8_t *pt; /* authenticated plaintext, pt[ptoff..ptlen) due */
	size_t ptoff, ptlen;
	int done; /* final chunk authenticated */
	int err;  /* sticky, reported once pending plaintext is out */
	struct age_aead_job jobs[AGE_STREAM_BATCH];
};

static ssize_t
src_read(struct age_stream_reader *r, uint8_t *buf, size_t len)
{
	if (r->held)
		return r->src->read_held(r->src->ctx, buf, len);
	return r->src->read(r->src->ctx, buf, len);
}

/* Move in[off..end) to the start of the ring's next buffer (in itself
 * unless the source lends). */
static void
reader_slide(struct age_stream_reader *r)
{
	uint8_t *to = cio_ring_next(&r->ring);
	size_t left = r->end - r->off;

	memmove(to, r->in + r->off, left);
	r->in = to;
	r->end = left;
	r->off = 0;
}

/* Make at least ENC_CHUNK_LEN + 1 bytes available, or reach EOF. */
static int
reader_fill(struct age_stream_reader *r)
{
	while (!r->eof && r->end - r->off < AGE_STREAM_ENC_CHUNK_LEN + 1) {
		ssize_t n;

		if (r->rerr)
			return r->rerr;

		if (r->cap - r->off < AGE_STREAM_ENC_CHUNK_LEN + 1)
			reader_slide(r);
		n = src_read(r, r->in + r->end, r->cap - r->end);
		if (n < 0)
			return (int)n;
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
	}
	return 0;
}

/* Make up to a whole batch and one byte available, without waiting for
 * more than one chunk and a byte.  A source error is kept for when the
 * bytes before it are used up. */
static int
reader_fill_batch(struct age_stream_reader *r)
{
	if (r->eof || r->rerr ||
	    r->end - r->off > AGE_STREAM_BATCH * AGE_STREAM_ENC_CHUNK_LEN)
		return 0;
	reader_slide(r);
	while (!r->eof && r->end < r->cap) {
		size_t want = r->cap - r->end;
		ssize_t n = src_read(r, r->in + r->end, want);

		if (n < 0) {
			r->rerr = (int)n;
			break;
		}
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
		/* A short read (a pipe drained for now): go on with what is
		 * here rather than wait for more once a chunk is. */
		if ((size_t)n < want &&
		    r->end - r->off > AGE_STREAM_ENC_CHUNK_LEN)
			break;
	}
	return 0;
}

/* Open one chunk on this thread; 0 when it authenticated. */
static int
reader_open1(struct age_stream_reader *r, int final, const uint8_t *c,
    size_t clen, uint8_t *out)
{
	struct age_aead_job j = {
	    c, out, clen - AGE_STREAM_TAG_LEN, r->counter, final, 0};

	age_aead_run(r->a, &j, 1);
	return j.ok ? 0 : -1;
}

/*
 * Authenticate and decrypt the next chunk into out (room for a full
 * chunk); *outlen gets its plaintext length.  Sets r->done after the
 * final chunk and r->err when data follows it.
 */
static int
reader_chunk(struct age_stream_reader *r, uint8_t *out, size_t *outlen)
{
	size_t avail;
	const uint8_t *c;
	int ret;

	*outlen = 0;
	if ((ret = reader_fill(r)) != 0)
		return ret;
	avail = r->end - r->off;
	c = r->in + r->off;
	if (avail == 0)
		return CAIRN_ERR_PAYLOAD; /* truncated: no final chunk */
	if (r->counter == UINT64_MAX)
		return CAIRN_ERR_PAYLOAD;
	if (avail >= AGE_STREAM_ENC_CHUNK_LEN) {
		/* A full chunk: non-final, or a full final chunk. */
		avail = AGE_STREAM_ENC_CHUNK_LEN;
		if (reader_open1(r, 0, c, avail, out) == 0) {
			r->counter++;
		} else if (reader_open1(r, 1, c, avail, out) == 0) {
			r->done = 1;
			if (r->end - r->off > avail)
				r->err = CAIRN_ERR_PAYLOAD; /* trailing data */
		} else {
			return CAIRN_ERR_PAYLOAD;
		}
	} else {
		/* A short chunk at EOF: must be final, and only the first
		 * chunk may be empty. */
		if (avail < AGE_STREAM_TAG_LEN ||
		    (avail == AGE_STREAM_TAG_LEN && r->counter != 0))
			return CAIRN_ERR_PAYLOAD;
		if (reader_open1(r, 1, c, avail, out) != 0)
			return CAIRN_ERR_PAYLOAD;
		r->done = 1;
	}
	r->off += avail;
	*outlen = avail - AGE_STREAM_TAG_LEN;
	return 0;
}

/*
 * Decrypt up to max chunks into out (max * AGE_CHUNK_LEN bytes).  Full
 * chunks with more input after them are opened together as non-final
 * (what reader_chunk would try first) and released in order up to the
 * first that fails; that one, and a last chunk, go through reader_chunk,
 * which applies every end-of-stream rule.  Returns bytes released (an
 * error found after them is kept in r->err) or a negative error.
 */
static ssize_t
reader_batch(struct age_stream_reader *r, uint8_t *out, size_t max)
{
	size_t nj = 0, i, p, got = 0, n;
	int ret;

	if ((ret = reader_fill_batch(r)) != 0)
		goto fail;
	for (p = r->off; nj < max && r->end - p > AGE_STREAM_ENC_CHUNK_LEN &&
	     r->counter + nj < UINT64_MAX;
	     p += AGE_STREAM_ENC_CHUNK_LEN, nj++) {
		struct age_aead_job *j = &r->jobs[nj];

		j->in = r->in + p;
		j->out = out + nj * AGE_CHUNK_LEN;
		j->len = AGE_CHUNK_LEN;
		j->counter = r->counter + nj;
		j->final = 0;
	}
	age_aead_run(r->a, r->jobs, nj);
	for (i = 0; i < nj && r->jobs[i].ok; i++) {
		r->counter++;
		r->off += AGE_STREAM_ENC_CHUNK_LEN;
		got += AGE_CHUNK_LEN;
	}
	if (i == max)
		return (ssize_t)got;
	if ((ret = reader_chunk(r, out + got, &n)) != 0)
		goto fail;
	return (ssize_t)(got + n);
fail:
	r->err = ret;
	return got > 0 ? (ssize_t)got : ret;
}

int
age_stream_reader_new(struct age_stream_reader **out,
    const uint8_t file_key[AGE_FILE_KEY_LEN], const struct cio_source *src,
    const uint8_t *pre, size_t prelen)
{
	struct age_stream_reader *r;
	uint8_t nonce[AGE_STREAM_NONCE_LEN];
	int ret = CAIRN_ERR_NOMEM;

	*out = NULL;
	if ((r = cio_calloc(1, sizeof(*r))) == NULL)
		return CAIRN_ERR_NOMEM;
	r->src = src;
	r->cap = AGE_STREAM_BATCH * AGE_STREAM_ENC_CHUNK_LEN + 1;
	if (r->cap < prelen)
		r->cap = prelen;
	r->held = src->read_held != NULL && src->release != NULL;
	if (cio_ring_init(&r->ring, r->cap) != 0 ||
	    (r->held &&
	        cio_ring_lend(&r->ring, IN_RING, src->release, src->ctx) != 0))
		goto out;
	r->in = r->ring.buf[0];
	if ((r->pt = cio_malloc(PT_CAP)) == NULL)
		goto out;
	if (prelen > 0)
		memcpy(r->in, pre, prelen);
	r->end = prelen;
	while (r->end < AGE_STREAM_NONCE_LEN) {
		ssize_t n = src_read(r, r->in + r->end, r->cap - r->end);

		if (n < 0) {
			ret = (int)n;
			goto out;
		}
		if (n == 0) {
			ret = CAIRN_ERR_HEADER; /* no room for the nonce */
			goto out;
		}
		r->end += (size_t)n;
	}
	memcpy(nonce, r->in, sizeof(nonce));
	r->off = sizeof(nonce);
	if ((ret = age_stream_key_new(&r->a, file_key, nonce, 1)) != 0)
		goto out;
	*out = r;
	return 0;
out:
	age_stream_reader_free(r);
	return ret;
}

ssize_t
age_stream_reader_read(struct age_stream_reader *r, uint8_t *buf, size_t len)
{
	size_t n;
	ssize_t got;

	if (len == 0)
		return CAIRN_ERR_INVAL;
	if (r->ptoff < r->ptlen) {
		n = r->ptlen - r->ptoff;
		if (n > len)
			n = len;
		memcpy(buf, r->pt + r->ptoff, n);
		r->ptoff += n;
		return (ssize_t)n;
	}
	if (r->err)
		return r->err;
	if (r->done)
		return 0;
	/* Whole chunks straight into the caller's buffer. */
	if (len >= AGE_CHUNK_LEN) {
		n = len / AGE_CHUNK_LEN;
		got = reader_batch(
		    r, buf, n < AGE_STREAM_BATCH ? n : AGE_STREAM_BATCH);
	} else {
		/* A small read: decrypt into our buffer, hand out a part. */
		if ((got = reader_batch(r, r->pt, AGE_STREAM_BATCH)) > 0) {
			r->ptoff = 0;
			r->ptlen = (size_t)got;
			return age_stream_reader_read(r, buf, len);
		}
	}
	if (got == 0 && r->err)
		return r->err;
	return got;
}

void
age_stream_reader_free(struct age_stream_reader *r)
{
	if (r == NULL)
		return;
	age_aead_free(r->a);
	if (r->pt != NULL)
		sodium_memzero(r->pt, PT_CAP);
	free(r->pt);
	cio_ring_free(&r->ring);
	free(r);
}
