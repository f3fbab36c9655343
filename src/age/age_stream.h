/*
 * age_stream.h - the age v1 payload: STREAM with ChaCha20-Poly1305 over
 * 64 KiB chunks (c2sp.org/age, "Payload").  Owns every STREAM rule: the
 * nonce layout, final-chunk flag, empty/full/short final chunks, trailing
 * data and truncation.  Knows nothing of headers, recipients or armor.
 */
#ifndef CAIRN_AGE_STREAM_H
#define CAIRN_AGE_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cairn/age.h"
#include "cairn/cio.h"

/* Format constants (fixed by the age v1 spec). */
#define AGE_STREAM_NONCE_LEN     16 /* payload nonce, before the first chunk */
#define AGE_STREAM_TAG_LEN       16
#define AGE_STREAM_ENC_CHUNK_LEN (AGE_CHUNK_LEN + AGE_STREAM_TAG_LEN)

/*
 * Encryption.  The writer buffers at most one plaintext chunk, seals
 * chunks straight from the caller's buffer when it can, and hands the
 * sink large blocks (several chunks).  age_stream_writer_new() picks a
 * random nonce; age_stream_writer_new_nonce() takes one (tests and
 * round-trip checks only: a nonce must never be reused).  Nothing is
 * written to the sink before the first write() or finish().  finish()
 * seals the final chunk and flushes; after it, write() is CAIRN_ERR_INVAL.
 */
struct age_stream_writer;
int age_stream_writer_new(struct age_stream_writer **out,
    const uint8_t file_key[AGE_FILE_KEY_LEN], const struct cio_sink *sink);
int age_stream_writer_new_nonce(struct age_stream_writer **out,
    const uint8_t file_key[AGE_FILE_KEY_LEN],
    const uint8_t nonce[AGE_STREAM_NONCE_LEN], const struct cio_sink *sink);
int age_stream_writer_write(
    struct age_stream_writer *w, const uint8_t *buf, size_t len);
int age_stream_writer_finish(struct age_stream_writer *w);
void age_stream_writer_free(struct age_stream_writer *w);

/*
 * Decryption.  The payload is pre[0..prelen) followed by what src yields;
 * it starts with the 16-byte nonce (fewer than 16 bytes in all:
 * CAIRN_ERR_HEADER, as age files classify a missing nonce).  read()
 * returns plaintext bytes (> 0), 0 at the authenticated end, or
 * CAIRN_ERR_PAYLOAD (bad tag, truncation, empty non-first final chunk,
 * data after the final chunk) or the source's error.  Only plaintext of
 * authenticated chunks is ever returned; errors are sticky.  src must
 * stay valid until free.  Input is read in blocks of about 1 MiB.
 */
struct age_stream_reader;
int age_stream_reader_new(struct age_stream_reader **out,
    const uint8_t file_key[AGE_FILE_KEY_LEN], const struct cio_source *src,
    const uint8_t *pre, size_t prelen);
ssize_t age_stream_reader_read(
    struct age_stream_reader *r, uint8_t *buf, size_t len);
void age_stream_reader_free(struct age_stream_reader *r);

#endif
