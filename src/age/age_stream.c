/*
 * age_stream.c - the age v1 STREAM payload: payload key derivation,
 * 64 KiB ChaCha20-Poly1305 chunks with an 11-byte big-endian counter and
 * a final-chunk flag, and every rule about where the stream may end.
 *
 * The AEAD (age_aead.c) runs batches of up to BATCH_CHUNKS independent
 * chunks, split over two threads; this file decides which chunks go in a
 * batch and what is final.  Must not know headers, recipients or armor.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_aead_impl.h"
#include "age_hkdf.h"
#include "age_stream.h"
#include "cairn/err.h"

/* Chunks batched per sink write / source read (about 1 MiB); a batch is
 * split between two threads (age_aead.c). */
#define BATCH_CHUNKS 16
#define PT_CAP       (BATCH_CHUNKS * AGE_CHUNK_LEN)

/* The AEAD context for the payload key of this file key and nonce. */
static int
key_new(struct age_aead **out, const uint8_t file_key[AGE_FILE_KEY_LEN],
    const uint8_t nonce[AGE_STREAM_NONCE_LEN], int decrypt)
{
	uint8_t *key = cio_secret_malloc(AGE_AEAD_KEY_LEN);
	int ret;

	*out = NULL;
	if (key == NULL || cio_fault_hit()) {
		sodium_free(key);
		return CAIRN_ERR_NOMEM;
	}
	age_hkdf_sha256(key, file_key, AGE_FILE_KEY_LEN, nonce,
	    AGE_STREAM_NONCE_LEN, "payload");
	ret = age_aead_new(out, key, decrypt, age_aead_threads());
	sodium_free(key);
	return ret;
}

/* ---- writer ------------------------------------------------------------ */

struct age_stream_writer {
	struct age_aead *a;
	struct cio_sink sink;
	uint64_t counter;
	uint8_t *pt; /* plaintext not sealed yet (up to a batch) */
	size_t ptlen;
	uint8_t *out; /* [nonce] + sealed chunks waiting for the sink */
	size_t outlen;
	struct age_aead_job jobs[BATCH_CHUNKS];
	size_t njobs;
	int finished, err;
};

int
age_stream_writer_new_nonce(struct age_stream_writer **out,
    const uint8_t file_key[AGE_FILE_KEY_LEN],
    const uint8_t nonce[AGE_STREAM_NONCE_LEN], const struct cio_sink *sink)
{
	struct age_stream_writer *w;

	*out = NULL;
	if ((w = cio_calloc(1, sizeof(*w))) == NULL)
		return CAIRN_ERR_NOMEM;
	w->sink = *sink;
	if (key_new(&w->a, file_key, nonce, 0) != 0 ||
	    (w->pt = cio_malloc(PT_CAP)) == NULL ||
	    (w->out = cio_malloc(AGE_STREAM_NONCE_LEN +
	         BATCH_CHUNKS * AGE_STREAM_ENC_CHUNK_LEN)) == NULL) {
		age_stream_writer_free(w);
		return CAIRN_ERR_NOMEM;
	}
	memcpy(w->out, nonce, AGE_STREAM_NONCE_LEN);
	w->outlen = AGE_STREAM_NONCE_LEN;
	*out = w;
	return 0;
}

int
age_stream_writer_new(struct age_stream_writer **out,
    const uint8_t file_key[AGE_FILE_KEY_LEN], const struct cio_sink *sink)
{
	uint8_t nonce[AGE_STREAM_NONCE_LEN];

	randombytes_buf(nonce, sizeof(nonce));
	return age_stream_writer_new_nonce(out, file_key, nonce, sink);
}

/* Queue one chunk of the next batch (in must stay valid until run). */
static int
writer_add(
    struct age_stream_writer *w, const uint8_t *in, size_t len, int final)
{
	struct age_aead_job *j = &w->jobs[w->njobs];

	if (w->counter == UINT64_MAX)
		return CAIRN_ERR_LIMIT;
	j->in = in;
	j->len = len;
	j->final = final;
	j->counter = w->counter++;
	w->njobs++;
	return 0;
}

/* Seal the queued chunks into the output batch and hand it to the sink. */
static int
writer_run(struct age_stream_writer *w)
{
	size_t i;
	int ret;

	for (i = 0; i < w->njobs; i++) {
		w->jobs[i].out = w->out + w->outlen;
		w->outlen += w->jobs[i].len + AGE_STREAM_TAG_LEN;
	}
	ret = age_aead_run(w->a, w->jobs, w->njobs);
	w->njobs = 0;
	if (ret == 0)
		ret = w->sink.write(w->sink.ctx, w->out, w->outlen);
	w->outlen = 0;
	return ret;
}

int
age_stream_writer_write(
    struct age_stream_writer *w, const uint8_t *buf, size_t len)
{
	int ret = 0;

	if (w->finished)
		return CAIRN_ERR_INVAL;
	if (w->err)
		return w->err;
	while (len > 0) {
		size_t n, off;

		/*
		 * Buffered chunks are all full and more data follows, so
		 * they are non-final.  Seal them when the buffer is full or
		 * when full chunks of buf (not holding its last byte) can
		 * join them, sealed straight from buf.
		 */
		if (w->ptlen % AGE_CHUNK_LEN == 0 &&
		    (w->ptlen == PT_CAP || len > AGE_CHUNK_LEN)) {
			for (off = 0; off < w->ptlen; off += AGE_CHUNK_LEN)
				if ((ret = writer_add(
				         w, w->pt + off, AGE_CHUNK_LEN, 0)))
					goto out;
			while (w->njobs < BATCH_CHUNKS && len > AGE_CHUNK_LEN) {
				if ((ret = writer_add(
				         w, buf, AGE_CHUNK_LEN, 0)))
					goto out;
				buf += AGE_CHUNK_LEN;
				len -= AGE_CHUNK_LEN;
			}
			if (w->njobs > 0) {
				w->ptlen = 0;
				if ((ret = writer_run(w)))
					goto out;
				continue;
			}
		}
		/* Buffer up to the next chunk boundary. */
		n = AGE_CHUNK_LEN - w->ptlen % AGE_CHUNK_LEN;
		if (n > len)
			n = len;
		memcpy(w->pt + w->ptlen, buf, n);
		w->ptlen += n;
		buf += n;
		len -= n;
	}
out:
	if (ret != 0)
		w->err = ret;
	return ret;
}

int
age_stream_writer_finish(struct age_stream_writer *w)
{
	size_t off = 0;
	int ret = 0;

	if (w->finished)
		return CAIRN_ERR_INVAL;
	if (w->err)
		return w->err;
	w->finished = 1;
	/* The last buffered chunk is final (empty only when the whole
	 * payload is: a full chunk stays buffered until more data proves
	 * it is not the last). */
	while (ret == 0 && w->ptlen - off > AGE_CHUNK_LEN) {
		ret = writer_add(w, w->pt + off, AGE_CHUNK_LEN, 0);
		off += AGE_CHUNK_LEN;
	}
	if (ret == 0)
		ret = writer_add(w, w->pt + off, w->ptlen - off, 1);
	if (ret == 0)
		ret = writer_run(w);
	sodium_memzero(w->pt, PT_CAP);
	if (ret != 0)
		w->err = ret;
	return ret;
}

void
age_stream_writer_free(struct age_stream_writer *w)
{
	if (w == NULL)
		return;
	age_aead_free(w->a);
	if (w->pt != NULL)
		sodium_memzero(w->pt, PT_CAP);
	free(w->pt);
	free(w->out);
	free(w);
}

/* ---- reader ------------------------------------------------------------ */

struct age_stream_reader {
	struct age_aead *a;
	const struct cio_source *src;
	uint64_t counter;
	uint8_t *in; /* ciphertext: in[off..end) not yet used */
	size_t off, end, cap;
	int eof;
	int rerr;    /* source error, met while reading ahead */
	uint8_t *pt; /* authenticated plaintext, pt[ptoff..ptlen) due */
	size_t ptoff, ptlen;
	int done; /* final chunk authenticated */
	int err;  /* sticky, reported once pending plaintext is out */
	struct age_aead_job jobs[BATCH_CHUNKS];
};

/* Make at least ENC_CHUNK_LEN + 1 bytes available, or reach EOF. */
static int
reader_fill(struct age_stream_reader *r)
{
	while (!r->eof && r->end - r->off < AGE_STREAM_ENC_CHUNK_LEN + 1) {
		ssize_t n;

		if (r->rerr)
			return r->rerr;

		if (r->cap - r->off < AGE_STREAM_ENC_CHUNK_LEN + 1) {
			memmove(r->in, r->in + r->off, r->end - r->off);
			r->end -= r->off;
			r->off = 0;
		}
		n = r->src->read(r->src->ctx, r->in + r->end, r->cap - r->end);
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
	    r->end - r->off > BATCH_CHUNKS * AGE_STREAM_ENC_CHUNK_LEN)
		return 0;
	memmove(r->in, r->in + r->off, r->end - r->off);
	r->end -= r->off;
	r->off = 0;
	while (!r->eof && r->end < r->cap) {
		size_t want = r->cap - r->end;
		ssize_t n = r->src->read(r->src->ctx, r->in + r->end, want);

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
	r->cap = BATCH_CHUNKS * AGE_STREAM_ENC_CHUNK_LEN + 1;
	if (r->cap < prelen)
		r->cap = prelen;
	r->in = cio_malloc(r->cap);
	r->pt = cio_malloc(PT_CAP);
	if (r->in == NULL || r->pt == NULL)
		goto out;
	if (prelen > 0)
		memcpy(r->in, pre, prelen);
	r->end = prelen;
	while (r->end < AGE_STREAM_NONCE_LEN) {
		ssize_t n =
		    src->read(src->ctx, r->in + r->end, r->cap - r->end);

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
	if ((ret = key_new(&r->a, file_key, nonce, 1)) != 0)
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
		got = reader_batch(r, buf, n < BATCH_CHUNKS ? n : BATCH_CHUNKS);
	} else {
		/* A small read: decrypt into our buffer, hand out a part. */
		if ((got = reader_batch(r, r->pt, BATCH_CHUNKS)) > 0) {
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
	free(r->in);
	free(r);
}
