/*
 * minisig_impl.h - internals shared by minisig_key.c (key files) and
 * minisig.c (signatures); not part of the public API (see minisig.h).
 */
#ifndef CAIRN_MINISIG_IMPL_H
#define CAIRN_MINISIG_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "cairn/minisig.h"

/* Format constants fixed by minisign. */
#define MINISIG_SIGALG         "Ed" /* keys, legacy signatures */
#define MINISIG_SIGALG_HASHED  "ED" /* prehashed signatures */
#define MINISIG_KDFALG         "Sc"
#define MINISIG_KDFNONE        "\0\0"
#define MINISIG_CHKALG         "B2"
#define MINISIG_COMMENT_PREFIX "untrusted comment: "
#define MINISIG_TRUSTED_PREFIX "trusted comment: "
#define MINISIG_SIG_LEN        crypto_sign_BYTES            /* 64 */
#define MINISIG_SK_LEN         crypto_sign_SECRETKEYBYTES   /* 64 */
#define MINISIG_CHK_LEN        crypto_generichash_BYTES     /* 32 */
#define MINISIG_PREHASH_LEN    crypto_generichash_BYTES_MAX /* 64 */
/* Longest comment line we read, prefix included (minisign's fgets
 * buffers are 1024 and 8192 bytes). */
#define MINISIG_LINE_MAX 8192

/* sodium_malloc'd; sk is libsodium's 64-byte seed || public key form. */
struct minisig_secret {
	uint8_t key_id[MINISIG_KEY_ID_LEN];
	uint8_t sk[MINISIG_SK_LEN];
};

/*
 * One text line: from *off up to '\n' (or the end of text for the last
 * line), without the '\n' and an optional '\r' before it.  Returns 0, or
 * CAIRN_ERR_FORMAT when there is no line left, a line holds NUL or a
 * stray '\r', or is longer than MINISIG_LINE_MAX.
 */
int minisig_line(const char *text, size_t len, size_t *off, const char **line,
    size_t *linelen);
/* Strict padded standard base64 of exactly binlen bytes: 0 or
 * CAIRN_ERR_FORMAT. */
int minisig_b64_decode(
    const char *b64, size_t b64len, uint8_t *bin, size_t binlen);
/* 1 when the comment text is one line with no NUL/CR/LF and at most max
 * bytes; with strict, also no C0 control but TAB, and no DEL. */
int minisig_comment_ok(const char *c, size_t len, size_t max, int strict);
/* sodium_malloc honouring cio fault injection. */
void *minisig_secure_alloc(size_t n);

#endif
