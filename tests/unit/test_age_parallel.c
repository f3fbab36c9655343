/*
 * test_age_parallel.c - the STREAM payload sealed and opened on two
 * threads (CAIRN_THREADS=2) gives the same bytes as on one thread
 * (CAIRN_THREADS=1), at sizes around the 16-chunk batch boundary and with
 * several write/read sizes; and a corrupted chunk in the second half of a
 * batch releases exactly the chunks before it, whichever thread opened
 * it; and
 * the worker thread really ran batches (age_aead_worker_batches, test
 * builds), so that a worker that never starts fails this test.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_aead_impl.h"
#include "age_stream_util.h"
#include "tap.h"

#define CH    AGE_CHUNK_LEN
#define ENC   AGE_STREAM_ENC_CHUNK_LEN
#define BATCH 16

static void
threads(const char *n)
{
	struct cairn_options o = *cairn_options();

	o.aead_threads = atoi(n);
	cairn_set_options(&o);
}

/* Open ct with reads of readsz into out, the source handing out at
 * most 1 MiB + 7 bytes per read; the final status. */
static int
open_par(const uint8_t *ct, size_t len, size_t readsz, struct cio_membuf *out)
{
	return open_all(ct, len, 0, (1 << 20) + 7, readsz, out);
}

int
main(void)
{
	static const size_t sizes[] = {0, 1, CH - 1, CH, CH + 1, BATCH * CH - 1,
	    BATCH * CH, BATCH * CH + 1, 33 * CH, 3 * 1024 * 1024 + 12345,
	    5 * 1024 * 1024};
	static const size_t pieces[] = {1 << 20, 10000, 3 * CH + 5};
	size_t maxlen = 5 * 1024 * 1024, i, k;
	uint8_t *pt;
	struct cio_membuf ser = {0}, par = {0}, back = {0};
	int ok;

	if (sodium_init() < 0)
		return 1;
	pt = malloc(maxlen);
	randombytes_buf(pt, maxlen);
	randombytes_buf(fk, sizeof(fk));
	randombytes_buf(nonce, sizeof(nonce));

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];

		threads("1");
		ok = seal(pt, n, n > 0 ? n : 1, &ser) == 0;
		for (k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
			threads("2");
			ok = ok && seal(pt, n, pieces[k], &par) == 0 &&
			    par.len == ser.len &&
			    memcmp(par.data, ser.data, ser.len) == 0;
			threads("1");
			ok = ok && seal(pt, n, pieces[k], &par) == 0 &&
			    par.len == ser.len &&
			    memcmp(par.data, ser.data, ser.len) == 0;
		}
		TAP_OK(ok,
		    "size %zu: serial and parallel ciphertext identical "
		    "(writes of 1 MiB, 10000, 3 chunks + 5)",
		    n);
		ok = 1;
		for (k = 0; k < 3; k++) {
			size_t rs = k == 0 ? 1 << 20 : k == 1 ? 4096 : 2 * CH;

			threads("2");
			ok = ok &&
			    open_par(ser.data, ser.len, rs, &back) == 0 &&
			    back.len == n &&
			    (n == 0 || memcmp(back.data, pt, n) == 0);
			threads("1");
			ok = ok &&
			    open_par(ser.data, ser.len, rs, &back) == 0 &&
			    back.len == n &&
			    (n == 0 || memcmp(back.data, pt, n) == 0);
		}
		TAP_OK(ok,
		    "size %zu: parallel and serial open give the "
		    "plaintext (reads of 1 MiB, 4096, 2 chunks)",
		    n);
	}

	/* A corrupted chunk in the second half of the first and of a
	 * later batch: exactly the chunks before it are released. */
	threads("1");
	seal(pt, 40 * CH + 100, 1 << 20, &ser);
	{
		static const size_t bad[] = {12, 16 + 13, 1};

		for (i = 0; i < 3; i++) {
			size_t c = bad[i];
			uint8_t *at =
			    ser.data + AGE_STREAM_NONCE_LEN + c * ENC + 77;

			*at ^= 0x40;
			for (k = 0; k < 4; k++) {
				size_t rs = k % 2 ? 4096 : 1 << 20;

				threads(k < 2 ? "2" : "1");
				ok = open_par(ser.data, ser.len, rs, &back) ==
				        CAIRN_ERR_PAYLOAD &&
				    back.len == c * CH &&
				    memcmp(back.data, pt, c * CH) == 0;
				TAP_OK(ok,
				    "chunk %zu corrupted, %s, reads of "
				    "%zu: %zu bytes released (want %zu)",
				    c, k < 2 ? "parallel" : "serial", rs,
				    back.len, c * CH);
			}
			*at ^= 0x40;
		}
	}
	/* The worker ran: batches on two threads, none on one.  The caller
	 * takes jobs too, so on a busy machine it may finish a batch before
	 * the worker wakes: up to 20 tries of 10 batches each. */
	threads("2");
	age_aead_worker_batches = 0;
	ok = 1;
	for (k = 0; k < 20 && ok && age_aead_worker_batches == 0; k++)
		ok = seal(pt, 70 * CH + 100, 1 << 20, &par) == 0 &&
		    open_par(par.data, par.len, 1 << 20, &back) == 0;
	TAP_OK(ok && age_aead_worker_batches > 0,
	    "two threads: the worker ran %lu batches (want > 0)",
	    age_aead_worker_batches);
	threads("1");
	age_aead_worker_batches = 0;
	ok = seal(pt, 40 * CH + 100, 1 << 20, &par) == 0 &&
	    open_par(par.data, par.len, 1 << 20, &back) == 0;
	TAP_OK(ok && age_aead_worker_batches == 0,
	    "one thread: the worker ran %lu batches (want 0)",
	    age_aead_worker_batches);
	/* Must-fail control: a different nonce gives other ciphertext. */
	threads("2");
	seal(pt, 20 * CH, 1 << 20, &par);
	threads("1");
	nonce[0] ^= 1;
	seal(pt, 20 * CH, 1 << 20, &ser);
	nonce[0] ^= 1;
	TAP_OK(par.len == ser.len && memcmp(par.data, ser.data, ser.len) != 0,
	    "control: another nonce changes the ciphertext");
	cio_membuf_free(&ser);
	cio_membuf_free(&par);
	cio_membuf_free(&back);
	free(pt);
	return tap_done();
}
