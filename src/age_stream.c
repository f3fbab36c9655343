/*
 * age_stream.c - the age v1 STREAM payload: payload key derivation,
 * 64 KiB ChaCha20-Poly1305 chunks with an 11-byte big-endian counter and
 * a final-chunk flag, and every rule about where the stream may end.
 *
 * The AEAD sits behind aead_seal()/aead_open() only, so that it can be
 * parallelised over several chunks or swapped without touching the
 * chunking rules.  Must not know headers, recipients or armor.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_hkdf.h"
#include "age_stream.h"
#include "cairn_err.h"

/* Chunks batched per sink write / source read (about 1 MiB). */
#define BATCH_CHUNKS 16

struct stream_key {
	uint8_t key[crypto_aead_chacha20poly1305_ietf_KEYBYTES];
};

/* ---- the AEAD seam ----------------------------------------------------- */

static void
chunk_nonce(uint8_t n[crypto_aead_chacha20poly1305_ietf_NPUBBYTES],
    uint64_t counter, int final)
{
	int i;

	memset(n, 0, crypto_aead_chacha20poly1305_ietf_NPUBBYTES);
	for (i = 0; i < 8; i++)
		n[10 - i] = (uint8_t)(counter >> (8 * i));
	n[11] = final ? 1 : 0;
}

/* out (len + 16 bytes) = seal(chunk counter, final flag, in[0..len)). */
static void
aead_seal(const struct stream_key *k, uint64_t counter, int final,
    const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];

	chunk_nonce(nonce, counter, final);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(
	    out, out + len, NULL, in, len, NULL, 0, NULL, nonce, k->key);
}

/* out (len - 16 bytes) = open(in[0..len)); 0 or -1 (out is then zeroed). */
static int
aead_open(const struct stream_key *k, uint64_t counter, int final,
    const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];

	chunk_nonce(nonce, counter, final);
	return crypto_aead_chacha20poly1305_ietf_decrypt_detached(out, NULL, in,
	    len - AGE_STREAM_TAG_LEN, in + len - AGE_STREAM_TAG_LEN, NULL, 0,
	    nonce, k->key);
}

static struct stream_key *
key_new(const uint8_t file_key[AGE_FILE_KEY_LEN],
    const uint8_t nonce[AGE_STREAM_NONCE_LEN])
{
	struct stream_key *k = sodium_malloc(sizeof(*k));

	if (k == NULL || cio_fault_hit()) {
		sodium_free(k);
		return NULL;
	}
	age_hkdf_sha256(k->key, file_key, AGE_FILE_KEY_LEN, nonce,
	    AGE_STREAM_NONCE_LEN, "payload");
	return k;
}

/* ---- writer ------------------------------------------------------------ */

struct age_stream_writer {
	struct stream_key *k;
	struct cio_sink sink;
	uint64_t counter;
	uint8_t *pt; /* one plaintext chunk being filled */
	size_t ptlen;
	uint8_t *out; /* sealed chunks waiting for the sink */
	size_t outlen, outcap;
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
	w->outcap = BATCH_CHUNKS * AGE_STREAM_ENC_CHUNK_LEN;
	w->k = key_new(file_key, nonce);
	w->pt = cio_malloc(AGE_CHUNK_LEN);
	w->out = cio_malloc(w->outcap);
	if (w->k == NULL || w->pt == NULL || w->out == NULL) {
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

static int
writer_flush(struct age_stream_writer *w)
{
	int ret;

	if (w->outlen == 0)
		return 0;
	ret = w->sink.write(w->sink.ctx, w->out, w->outlen);
	w->outlen = 0;
	return ret;
}

/* Seal one chunk into the output batch, flushing it first when full. */
static int
writer_seal(
    struct age_stream_writer *w, const uint8_t *in, size_t len, int final)
{
	int ret;

	if (w->outcap - w->outlen < len + AGE_STREAM_TAG_LEN &&
	    (ret = writer_flush(w)) != 0)
		return ret;
	if (w->counter == UINT64_MAX)
		return CAIRN_ERR_LIMIT;
	aead_seal(w->k, w->counter, final, in, len, w->out + w->outlen);
	w->outlen += len + AGE_STREAM_TAG_LEN;
	w->counter++;
	return 0;
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
		size_t n;

		/* A full buffered chunk is non-final once more data comes. */
		if (w->ptlen == AGE_CHUNK_LEN) {
			if ((ret = writer_seal(w, w->pt, AGE_CHUNK_LEN, 0)))
				goto out;
			w->ptlen = 0;
		}
		/* Seal straight from the caller's buffer when more follows. */
		if (w->ptlen == 0 && len > AGE_CHUNK_LEN) {
			if ((ret = writer_seal(w, buf, AGE_CHUNK_LEN, 0)))
				goto out;
			buf += AGE_CHUNK_LEN;
			len -= AGE_CHUNK_LEN;
			continue;
		}
		n = AGE_CHUNK_LEN - w->ptlen;
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
	int ret;

	if (w->finished)
		return CAIRN_ERR_INVAL;
	if (w->err)
		return w->err;
	w->finished = 1;
	/* Empty only when the whole payload is: a full chunk stays here
	 * until more data proves it is not the last. */
	if ((ret = writer_seal(w, w->pt, w->ptlen, 1)) == 0)
		ret = writer_flush(w);
	sodium_memzero(w->pt, AGE_CHUNK_LEN);
	if (ret != 0)
		w->err = ret;
	return ret;
}

void
age_stream_writer_free(struct age_stream_writer *w)
{
	if (w == NULL)
		return;
	sodium_free(w->k);
	if (w->pt != NULL)
		sodium_memzero(w->pt, AGE_CHUNK_LEN);
	free(w->pt);
	free(w->out);
	free(w);
}

/* ---- reader ------------------------------------------------------------ */

struct age_stream_reader {
	struct stream_key *k;
	const struct cio_source *src;
	uint64_t counter;
	uint8_t *in; /* ciphertext: in[off..end) not yet used */
	size_t off, end, cap;
	int eof;
	uint8_t *pt; /* plaintext of the last chunk, pt[ptoff..ptlen) due */
	size_t ptoff, ptlen;
	int done; /* final chunk authenticated */
	int err;  /* sticky, reported once pending plaintext is out */
};

/* Make at least ENC_CHUNK_LEN + 1 bytes available, or reach EOF. */
static int
reader_fill(struct age_stream_reader *r)
{
	while (!r->eof && r->end - r->off < AGE_STREAM_ENC_CHUNK_LEN + 1) {
		ssize_t n;

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
		if (aead_open(r->k, r->counter, 0, c, avail, out) == 0) {
			r->counter++;
		} else if (aead_open(r->k, r->counter, 1, c, avail, out) == 0) {
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
		if (aead_open(r->k, r->counter, 1, c, avail, out) != 0)
			return CAIRN_ERR_PAYLOAD;
		r->done = 1;
	}
	r->off += avail;
	*outlen = avail - AGE_STREAM_TAG_LEN;
	return 0;
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
	r->pt = cio_malloc(AGE_CHUNK_LEN);
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
	if ((r->k = key_new(file_key, nonce)) == NULL)
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
	size_t got = 0, n;
	int ret;

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
	/* Whole chunks straight into the caller's buffer. */
	while (!r->done && len - got >= AGE_CHUNK_LEN) {
		if ((ret = reader_chunk(r, buf + got, &n)) != 0) {
			r->err = ret;
			break;
		}
		got += n;
		if (r->err)
			break;
	}
	if (got > 0 || r->done || r->err)
		return got > 0 ? (ssize_t)got : (r->err ? r->err : 0);
	/* A small read: decrypt into our buffer and hand out a part. */
	if ((ret = reader_chunk(r, r->pt, &n)) != 0) {
		r->err = ret;
		return ret;
	}
	r->ptoff = 0;
	r->ptlen = n;
	if (n == 0)
		return r->err ? r->err : 0;
	return age_stream_reader_read(r, buf, len);
}

void
age_stream_reader_free(struct age_stream_reader *r)
{
	if (r == NULL)
		return;
	sodium_free(r->k);
	if (r->pt != NULL)
		sodium_memzero(r->pt, AGE_CHUNK_LEN);
	free(r->pt);
	free(r->in);
	free(r);
}
