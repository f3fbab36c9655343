/*
 * age_chunks.c - salvage reading of an age STREAM payload: every 64 KiB
 * chunk is decrypted on its own with its counter nonce, and one that
 * fails authentication is reported (ok = 0, no plaintext) instead of
 * ending the stream.  The last chunk is tried with the final flag (and,
 * if that fails, without: a stream cut at a chunk boundary); any other
 * chunk that fails as non-final is tried as final (data appended after
 * the real end).
 *
 * Only authenticated plaintext is ever returned.  Must not know headers,
 * recipients, armor or what the plaintext holds.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_aead_impl.h"
#include "age_chunks.h"
#include "age_hkdf.h"
#include "age_stream.h"
#include "cairn/err.h"

struct age_chunks {
	uint8_t file_key[AGE_FILE_KEY_LEN];
	struct age_aead *a;
	struct cio_source src;
	uint8_t *pre;
	size_t prelen, prepos;
	uint8_t *cur, *next, *pt;
	size_t curlen, nextlen;
	uint64_t index;
	int started;
};

/* Read up to len bytes: pre first, then src, until len or the end. */
static ssize_t
fill(struct age_chunks *c, uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	if (c->prepos < c->prelen) {
		got = c->prelen - c->prepos < len ? c->prelen - c->prepos : len;
		memcpy(buf, c->pre + c->prepos, got);
		c->prepos += got;
	}
	if (got == len)
		return (ssize_t)got;
	n = cio_read_full(&c->src, buf + got, len - got);
	return n < 0 ? n : (ssize_t)got + n;
}

int
age_chunks_new(struct age_chunks **out,
    const uint8_t file_key[AGE_FILE_KEY_LEN], const struct cio_source *src,
    const uint8_t *pre, size_t prelen)
{
	struct age_chunks *c;

	*out = NULL;
	if ((c = sodium_malloc(sizeof(*c))) == NULL)
		return CAIRN_ERR_NOMEM;
	memset(c, 0, sizeof(*c));
	memcpy(c->file_key, file_key, AGE_FILE_KEY_LEN);
	c->src = *src;
	c->prelen = prelen;
	c->pre = cio_malloc(prelen > 0 ? prelen : 1);
	c->cur = cio_malloc(AGE_STREAM_ENC_CHUNK_LEN);
	c->next = cio_malloc(AGE_STREAM_ENC_CHUNK_LEN);
	c->pt = cio_malloc(AGE_CHUNK_LEN);
	if (c->pre == NULL || c->cur == NULL || c->next == NULL ||
	    c->pt == NULL) {
		age_chunks_free(c);
		return CAIRN_ERR_NOMEM;
	}
	if (prelen > 0)
		memcpy(c->pre, pre, prelen);
	*out = c;
	return 0;
}

/* Read the nonce, key the AEAD and read the first chunk. */
static int
start(struct age_chunks *c)
{
	uint8_t nonce[AGE_STREAM_NONCE_LEN], key[AGE_AEAD_KEY_LEN];
	ssize_t n;
	int rc;

	if ((n = fill(c, nonce, sizeof(nonce))) < 0)
		return (int)n;
	if ((size_t)n < sizeof(nonce))
		return CAIRN_ERR_HEADER;
	age_hkdf_sha256(key, c->file_key, AGE_FILE_KEY_LEN, nonce,
	    sizeof(nonce), "payload");
	rc = age_aead_new(&c->a, key, 1, 1);
	sodium_memzero(key, sizeof(key));
	if (rc != 0)
		return rc;
	if ((n = fill(c, c->cur, AGE_STREAM_ENC_CHUNK_LEN)) < 0)
		return (int)n;
	c->curlen = (size_t)n;
	c->started = 1;
	return 0;
}

/* Try to open the current chunk with the given final flag: 1 opened,
 * 0 did not authenticate, or an error. */
static int
try_open(struct age_chunks *c, int final)
{
	struct age_aead_job j = {0};
	int rc;

	j.in = c->cur;
	j.out = c->pt;
	j.len = c->curlen - AGE_STREAM_TAG_LEN;
	j.counter = c->index;
	j.final = final;
	if ((rc = age_aead_run(c->a, &j, 1)) != 0)
		return rc;
	return j.ok;
}

int
age_chunks_next(struct age_chunks *c, struct age_chunk *out)
{
	ssize_t n;
	uint8_t *t;
	int at_end, rc;

	memset(out, 0, sizeof(*out));
	if (!c->started && (rc = start(c)) != 0)
		return rc;
	if (c->curlen == 0)
		return 0;
	if ((n = fill(c, c->next, AGE_STREAM_ENC_CHUNK_LEN)) < 0)
		return (int)n;
	c->nextlen = (size_t)n;
	at_end = c->nextlen == 0;
	out->index = c->index;
	out->offset = c->index * (uint64_t)AGE_CHUNK_LEN;
	out->len =
	    c->curlen > AGE_STREAM_TAG_LEN ? c->curlen - AGE_STREAM_TAG_LEN : 0;
	out->at_end = at_end;
	for (int i = 0; i < 2 && !out->ok && c->curlen >= AGE_STREAM_TAG_LEN;
	     i++) {
		int final = i == 0 ? at_end : !at_end;

		if ((rc = try_open(c, final)) < 0)
			return rc;
		out->ok = rc;
		out->final = rc ? final : 0;
	}
	if (out->ok)
		out->pt = c->pt;
	t = c->cur;
	c->cur = c->next;
	c->next = t;
	c->curlen = c->nextlen;
	c->index++;
	return 1;
}

void
age_chunks_free(struct age_chunks *c)
{
	if (c == NULL)
		return;
	age_aead_free(c->a);
	free(c->pre);
	free(c->cur);
	free(c->next);
	free(c->pt);
	sodium_free(c);
}
