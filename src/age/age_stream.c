/*
 * age_stream.c - the age v1 STREAM payload: payload key derivation and
 * the writer (64 KiB ChaCha20-Poly1305 chunks with an 11-byte big-endian
 * counter and a final-chunk flag).  The reader, with every rule about
 * where the stream may end, is in age_stream_read.c.
 *
 * The AEAD (age_aead.c) runs batches of up to AGE_STREAM_BATCH independent
 * chunks on up to two threads; this file decides which chunks go in a
 * batch and what is final.  Must not know headers, recipients or armor.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_hkdf.h"
#include "age_stream_impl.h"
#include "age_wstate.h"
#include "cairn/err.h"

#define PT_CAP (AGE_STREAM_BATCH * AGE_CHUNK_LEN)

int
age_stream_key_new(struct age_aead **out,
    const uint8_t file_key[AGE_FILE_KEY_LEN],
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
	struct age_aead_job jobs[AGE_STREAM_BATCH];
	size_t njobs;
	struct age_wstate st;
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
	if (age_stream_key_new(&w->a, file_key, nonce, 0) != 0 ||
	    (w->pt = cio_malloc(PT_CAP)) == NULL ||
	    (w->out = cio_malloc(AGE_STREAM_NONCE_LEN +
	         AGE_STREAM_BATCH * AGE_STREAM_ENC_CHUNK_LEN)) == NULL) {
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
	int ret;

	if ((ret = age_wstate_check(&w->st)) != 0)
		return ret;
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
			while (w->njobs < AGE_STREAM_BATCH &&
			    len > AGE_CHUNK_LEN) {
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
	return age_wstate_keep(&w->st, ret);
}

int
age_stream_writer_finish(struct age_stream_writer *w)
{
	size_t off = 0;
	int ret;

	if ((ret = age_wstate_finish(&w->st)) != 0)
		return ret;
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
	return age_wstate_keep(&w->st, ret);
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
