/*
 * age_stream_impl.h - shared by age_stream.c (writer) and
 * age_stream_read.c (reader) only: the batch size and the payload key.
 */
#ifndef CAIRN_AGE_STREAM_IMPL_H
#define CAIRN_AGE_STREAM_IMPL_H

#include "age_aead_impl.h"
#include "age_stream.h"

/* Chunks batched per sink write / source read (about 1 MiB); the chunks
 * of a batch are shared between two threads (age_aead.c). */
#define AGE_STREAM_BATCH 16

/* The AEAD context for the payload key of this file key and nonce.
 * Returns 0 or CAIRN_ERR_NOMEM; *out is the caller's (age_aead_free). */
int age_stream_key_new(struct age_aead **out,
    const uint8_t file_key[AGE_FILE_KEY_LEN],
    const uint8_t nonce[AGE_STREAM_NONCE_LEN], int decrypt);

#endif
