/*
 * age_format.h - the age v1 header as text: parse and encode stanzas, the
 * version line and the MAC line, and the strict base64 codecs age uses.
 * No cryptography here: the MAC is only carried, never computed.
 */
#ifndef CAIRN_AGE_FORMAT_H
#define CAIRN_AGE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/age.h"
#include "cairn/cio.h"

/* Format constants (fixed by the age v1 spec). */
#define AGE_VERSION_LINE   "age-encryption.org/v1\n"
#define AGE_MAC_LEN        32
#define AGE_COLUMNS        64 /* base64 columns per stanza body line */
#define AGE_BYTES_PER_LINE 48 /* bytes encoded by one full body line */

/* Returned (positive) by age_header_parse() when buf ends mid-header. */
#define AGE_HEADER_INCOMPLETE 1

struct age_header {
	struct age_stanza *stanzas; /* n stanzas, owned */
	size_t n;
	uint8_t mac[AGE_MAC_LEN];
	size_t mac_len; /* bytes covered by the MAC: up to and incl. "---" */
	size_t len;     /* whole header incl. the MAC line's LF */
};

/*
 * Parse the header at the start of buf[0..len).  Returns 0 and fills *h
 * (free with age_header_free()), AGE_HEADER_INCOMPLETE when buf ends
 * before the header does and more input could complete it, or a negative
 * error: CAIRN_ERR_HEADER (malformed), CAIRN_ERR_UNSUPPORTED (a well-formed
 * version line for a version other than v1), CAIRN_ERR_LIMIT (more than
 * AGE_MAX_STANZAS stanzas), CAIRN_ERR_NOMEM.  Every header accepted
 * re-encodes byte-identically with age_header_encode() +
 * age_header_encode_mac().  On failure *h is left empty.
 */
int age_header_parse(const uint8_t *buf, size_t len, struct age_header *h);
void age_header_free(struct age_header *h);

/* Append the version line, the stanzas and the "---" mark (the bytes the
 * MAC covers) to out.  CAIRN_ERR_INVAL for an invalid type/argument. */
int age_header_encode(
    const struct age_stanza *st, size_t n, struct cio_membuf *out);
/* Append " <base64 mac>\n", completing the header. */
int age_header_encode_mac(
    const uint8_t mac[AGE_MAC_LEN], struct cio_membuf *out);

/*
 * Fill *s with copies of type, args and body (allocated; release with
 * age_stanza_clear()).  CAIRN_ERR_INVAL when type or an argument is not
 * 1*VCHAR, CAIRN_ERR_NOMEM.
 */
int age_stanza_set(struct age_stanza *s, const char *type,
    const char *const *args, size_t nargs, const uint8_t *body,
    size_t body_len);
void age_stanza_clear(struct age_stanza *s);

/* 1 when s (NUL-terminated) is a valid stanza argument: 1*VCHAR. */
int age_arg_valid(const char *s);

/*
 * Base64, standard alphabet (age_base64.c).  pad = 0: unpadded ("raw")
 * as in the header; pad = 1: '=' padded as in the armor.  Encoders emit
 * canonical output (no NUL added); decoders reject anything non-canonical:
 * wrong padding, non-zero trailing bits, characters outside the alphabet,
 * whitespace.
 */
size_t age_b64_encoded_len(size_t n, int pad);
void age_b64_encode(char *out, const uint8_t *in, size_t n, int pad);
/* Returns 0 and *outlen, or CAIRN_ERR_FORMAT (bad input) or
 * CAIRN_ERR_INVAL (cap too small). */
int age_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap,
    size_t *outlen, int pad);
/* Decoded length of a valid unpadded encoding of n characters. */
size_t age_b64_decoded_len(size_t n);

#endif
