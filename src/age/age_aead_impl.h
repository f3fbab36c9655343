/*
 * age_aead_impl.h - internal to age_stream.c: ChaCha20-Poly1305 (RFC 8439)
 * over batches of independent STREAM chunks, shared between the calling
 * thread and one worker thread.  Knows nonces and chunk jobs, not the
 * chunking rules (which chunk is final, where a stream may end).
 */
#ifndef CAIRN_AGE_AEAD_IMPL_H
#define CAIRN_AGE_AEAD_IMPL_H

#include <stddef.h>
#include <stdint.h>

#define AGE_AEAD_KEY_LEN 32
#define AGE_AEAD_TAG_LEN 16

/*
 * One chunk.  Seal: out (len + 16 bytes) = ciphertext || tag of in[0..len).
 * Open: in holds len + 16 bytes; out (len bytes) gets the plaintext and ok
 * is set to 1 when the tag matched, else ok = 0 and out is zeroed.  The
 * 12-byte nonce is the 11-byte big-endian counter then the final flag.
 */
struct age_aead_job {
	const uint8_t *in;
	uint8_t *out;
	size_t len; /* plaintext length */
	uint64_t counter;
	int final;
	int ok;
};

struct age_aead;

/*
 * A keyed context for sealing (decrypt == 0) or opening (decrypt != 0).
 * threads: 1 = always on the calling thread; 2 = share batches with one
 * worker thread, each taking the next job when it is free (started on
 * the first batch of two or more jobs; if it cannot start, everything
 * runs on the calling thread).  Returns 0 or
 * CAIRN_ERR_NOMEM; *out is owned by the caller (age_aead_free).
 */
int age_aead_new(struct age_aead **out, const uint8_t key[AGE_AEAD_KEY_LEN],
    int decrypt, int threads);
/* Run every job (in any order, on up to two threads); returns when all
 * are done: 0, or CAIRN_ERR_NOMEM if the library failed to seal. */
int age_aead_run(struct age_aead *a, struct age_aead_job *jobs, size_t n);
/* Stops and joins the worker, wipes the keys.  Accepts NULL. */
void age_aead_free(struct age_aead *a);
/* Threads the STREAM code should ask for: 1 when this process may run on
 * one CPU only or the options say aead_threads = 1, else 2 (aead_threads
 * = 2 forces 2; the CLI sets it from CAIRN_THREADS). */
int age_aead_threads(void);

#ifdef CAIRN_TESTING
/* Test builds: batches in which a worker thread ran at least one job (of
 * every context), so a test can tell that the second thread did work.
 * Read it only after the contexts that ran them were freed (their
 * workers joined). */
extern unsigned long age_aead_worker_batches;
#endif

#endif
