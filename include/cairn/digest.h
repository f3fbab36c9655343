/*
 * digest.h - streaming SHA-256 (OpenSSL's, which uses the SHA-NI
 * instructions where the CPU has them), hex encoding and constant-time
 * comparison.
 *
 * Knows nothing of archives, files or SHA256SUMS; it hashes bytes.  The
 * digest size and the lower-case hex form are fixed by FIPS 180-4 and by
 * the `sha256sum` text format that SHA256SUMS uses.
 */
#ifndef CAIRN_DIGEST_H
#define CAIRN_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define DIGEST_SHA256_LEN     32
#define DIGEST_SHA256_HEX_LEN 65 /* 64 hex characters + NUL */

/*
 * Streaming SHA-256 state.  The context lives on the heap (OpenSSL's
 * EVP_MD_CTX is opaque): every successful digest_sha256_init() is ended
 * by digest_sha256_final() or digest_sha256_free().
 */
struct digest_sha256 {
	struct evp_md_ctx_st *ctx; /* OpenSSL EVP_MD_CTX; NULL when unused */
	int failed;                /* an update failed: final reports it */
};

/* Returns 0, or CAIRN_ERR_NOMEM (nothing to free then). */
int digest_sha256_init(struct digest_sha256 *d);
void digest_sha256_update(struct digest_sha256 *d, const void *buf, size_t len);
/* Writes the digest and frees the state (init again to reuse it).
 * Returns 0, or CAIRN_ERR_NOMEM when OpenSSL failed (as it does only for
 * want of memory; out is then zeroed). */
int digest_sha256_final(
    struct digest_sha256 *d, uint8_t out[DIGEST_SHA256_LEN]);
/* Frees an initialised state without a digest (error paths); a no-op on
 * a state whose ctx is NULL. */
void digest_sha256_free(struct digest_sha256 *d);
/* One-shot.  Returns 0 or CAIRN_ERR_NOMEM. */
int digest_sha256(const void *buf, size_t len, uint8_t out[DIGEST_SHA256_LEN]);

/*
 * SHA-256 of one stream after another, on a second thread when there is
 * a second CPU (digest_async.c): update() copies the bytes into one of
 * sixteen 1 MiB slots and returns; the worker hashes them in order.  The
 * digests are those of digest_sha256(); only the thread differs.
 *
 * digest_async_new(&h, threads): threads 1 = a worker thread (hashing
 * falls back to the calling thread when it cannot start), 0 = hash on
 * the calling thread, -1 = digest_async_threads().  Returns 0 with *h
 * (free it with digest_async_free()) or CAIRN_ERR_NOMEM.
 * digest_async_begin() starts a stream (returns 0 or CAIRN_ERR_NOMEM;
 * a stream not ended is dropped); update() adds bytes to it; end(h, out)
 * ends it: its digest is in out once digest_async_wait() has returned 0,
 * so out must stay valid until then.  wait() returns 0 or the first
 * error of any stream (CAIRN_ERR_NOMEM; CAIRN_ERR_INVAL for an end
 * without a begin).  free() drops whatever is still queued.  One caller
 * thread per digest_async.
 */
struct digest_async;
int digest_async_new(struct digest_async **h, int threads);
int digest_async_begin(struct digest_async *h);
void digest_async_update(struct digest_async *h, const void *buf, size_t len);
void digest_async_end(struct digest_async *h, uint8_t out[DIGEST_SHA256_LEN]);
int digest_async_wait(struct digest_async *h);
void digest_async_free(struct digest_async *h);
/*
 * update() without a copy, for a caller that keeps its bytes: the worker
 * reads buf[0..len) in place, so the caller must not change or free
 * them before digest_async_release() (or wait()) has covered them.
 * release(h, p, len) returns once no queued update_held() overlaps
 * [p, p + len).  On the calling thread, update_held() hashes at once and
 * release() does nothing.
 */
void digest_async_update_held(
    struct digest_async *h, const void *buf, size_t len);
void digest_async_release(struct digest_async *h, const void *p, size_t len);
/*
 * SHA-256 and size of everything read from fd until its end, in 1 MiB
 * reads (cio_fd_read()), hashed on a second thread when
 * digest_async_threads() so that the reads overlap the hashing
 * (digest_async.c).  Returns 0, CAIRN_ERR_IO (errno says why) or
 * CAIRN_ERR_NOMEM; out and *size are set only on success.
 */
int digest_fd_sha256(int fd, uint8_t out[DIGEST_SHA256_LEN], uint64_t *size);
/* 1 when h hashes on its own thread. */
int digest_async_threaded(const struct digest_async *h);
/* 1 when a worker is worth it: more than one CPU may run this process and
 * the options do not ask for one thread (aead_threads = 1). */
int digest_async_threads(void);

/* Lower-case hex of len bytes into out, which holds 2 * len + 1 bytes
 * (NUL-terminated).  Returns out. */
char *digest_hex(const uint8_t *bin, size_t len, char *out);
/*
 * Strict hex decoding: hexlen must be exactly 2 * outlen and every
 * character [0-9a-f] (upper-case too when allow_upper).  Returns 0 or
 * CAIRN_ERR_FORMAT.  Not constant-time; for digests, not secrets.
 */
int digest_hex_decode(const char *hex, size_t hexlen, uint8_t *out,
    size_t outlen, int allow_upper);

/* 1 when the len bytes at a and b are equal, 0 otherwise; constant-time
 * in the contents (sodium_memcmp). */
int digest_equal(const void *a, const void *b, size_t len);

#endif
