/*
 * age_chunks.h - internal to age.c: the STREAM payload read chunk by
 * chunk for salvage, each chunk decrypted on its own so that a chunk that
 * fails authentication is skipped and later ones still open (their nonces
 * are counters).  Knows the STREAM rules, not headers or armor.
 */
#ifndef CAIRN_AGE_CHUNKS_H
#define CAIRN_AGE_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/age.h"
#include "cairn/cio.h"

struct age_chunks;
/* Like age_stream_reader_new(): the payload is pre[0..prelen) then src;
 * fewer than 16 bytes in all is CAIRN_ERR_HEADER (at the first next()). */
int age_chunks_new(struct age_chunks **out,
    const uint8_t file_key[AGE_FILE_KEY_LEN], const struct cio_source *src,
    const uint8_t *pre, size_t prelen);
int age_chunks_next(struct age_chunks *c, struct age_chunk *out);
void age_chunks_free(struct age_chunks *c);

#endif
