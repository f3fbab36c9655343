/*
 * age_scrypt.h - the scrypt (passphrase) recipient type of age v1.
 */
#ifndef CAIRN_AGE_SCRYPT_H
#define CAIRN_AGE_SCRYPT_H

#include <stddef.h>

#include "cairn/age.h"

/* Format constants (fixed by the age v1 spec). */
#define AGE_SCRYPT_TYPE     "scrypt"
#define AGE_SCRYPT_LABEL    "age-encryption.org/v1/scrypt"
#define AGE_SCRYPT_SALT_LEN 16

extern const struct age_recipient_ops age_scrypt_recipient_ops; /* exclusive */
extern const struct age_identity_ops age_scrypt_identity_ops;

/*
 * A passphrase recipient wrapping with 2^work_factor scrypt iterations
 * (1..AGE_SCRYPT_MAX_WORK_FACTOR; <= 0 means AGE_SCRYPT_WORK_FACTOR), and
 * a passphrase identity refusing stanzas above max_work_factor (<= 0:
 * AGE_SCRYPT_MAX_WORK_FACTOR) with CAIRN_ERR_UNSUPPORTED.  The passphrase
 * is copied into sodium_malloc'd memory.  CAIRN_ERR_INVAL, _NOMEM.
 */
int age_scrypt_recipient_new(struct age_recipient *out, const char *pass,
    size_t passlen, int work_factor);
int age_scrypt_identity_new(struct age_identity *out, const char *pass,
    size_t passlen, int max_work_factor);

#endif
