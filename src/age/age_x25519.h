/*
 * age_x25519.h - the X25519 recipient type of age v1: stanza wrap/unwrap
 * and the Bech32 key strings ("age1...", "AGE-SECRET-KEY-1...").  The
 * string helpers declared in age.h (age_x25519_generate() etc.) are
 * implemented here too.
 */
#ifndef CAIRN_AGE_X25519_H
#define CAIRN_AGE_X25519_H

#include <stdint.h>

#include "cairn/age.h"

/* Format constants (fixed by the age v1 spec). */
#define AGE_X25519_TYPE          "X25519"
#define AGE_X25519_INFO          "age-encryption.org/v1/X25519"
#define AGE_X25519_RECIPIENT_HRP "age"
#define AGE_X25519_IDENTITY_HRP  "AGE-SECRET-KEY-"

extern const struct age_recipient_ops age_x25519_recipient_ops;
extern const struct age_identity_ops age_x25519_identity_ops;

/* Fill *out with a recipient for public key pk / an identity for secret
 * key sk (copied into sodium_malloc'd memory).  Release through
 * out->ops->free(out->ctx).  CAIRN_ERR_NOMEM. */
int age_x25519_recipient_new(
    struct age_recipient *out, const uint8_t pk[AGE_X25519_KEY_LEN]);
int age_x25519_identity_new(
    struct age_identity *out, const uint8_t sk[AGE_X25519_KEY_LEN]);

/* The public key of an X25519 identity; CAIRN_ERR_INVAL for another type. */
int age_x25519_identity_public_key(
    const struct age_identity *id, uint8_t pk[AGE_X25519_KEY_LEN]);

/* Parse one "age1..." string (exactly, lower case) into pk.
 * CAIRN_ERR_INVAL when it is not a valid X25519 recipient. */
int age_x25519_recipient_parse(
    const char *s, size_t len, uint8_t pk[AGE_X25519_KEY_LEN]);

#endif
