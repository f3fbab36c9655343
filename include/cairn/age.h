/*
 * age.h - cairn's age v1 (c2sp.org/age) API: recipients, identities and
 * streaming encryption/decryption, and whole small files in memory.  This
 * is the only age header the rest of cairn (the CLI) includes; the
 * layers below it, internal to src/age, are
 * age_format.h (header parse/encode), age_stream.h (STREAM payload),
 * age_armor.h, age_x25519.h, age_scrypt.h and bech32.h.
 *
 * Recipient and identity types plug in through small vtables, so a new
 * type (e.g. an ML-KEM hybrid) is one more file implementing
 * struct age_recipient_ops / struct age_identity_ops.
 *
 * Memory: every *_free() accepts NULL.  Secret material lives in
 * sodium_malloc'd memory and is wiped when freed.
 */
#ifndef CAIRN_AGE_H
#define CAIRN_AGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cairn/cio.h"

/* Format constants (fixed by the age v1 spec). */
#define AGE_FILE_KEY_LEN   16
#define AGE_X25519_KEY_LEN 32
#define AGE_CHUNK_LEN      65536
/* cairn limits on what it will parse (not in the spec; documented in
 * docs/format.md). */
#define AGE_MAX_STANZAS            64
#define AGE_MAX_HEADER_LEN         (64 * 1024)
#define AGE_SCRYPT_WORK_FACTOR     18 /* used when encrypting */
#define AGE_SCRYPT_MAX_WORK_FACTOR 22 /* refused above when decrypting */

struct age_stanza {
	char *type;
	char **args; /* nargs strings */
	size_t nargs;
	uint8_t *body;
	size_t body_len;
};

struct age_recipient_ops {
	const char *type; /* "X25519", "scrypt", ... */
	/* must be the only stanza in a header (scrypt) */
	int exclusive;
	/* Wrap file_key into a freshly allocated stanza *out. */
	int (*wrap)(const void *ctx, const uint8_t file_key[AGE_FILE_KEY_LEN],
	    struct age_stanza *out);
	void (*free)(void *ctx);
};

struct age_identity_ops {
	/*
	 * Try to unwrap the file key from the header's stanzas.  Returns 0
	 * and fills file_key, CAIRN_ERR_NO_MATCH when no stanza is for this
	 * identity, or CAIRN_ERR_HEADER when a stanza of its type is
	 * malformed (which must abort decryption).
	 */
	int (*unwrap)(const void *ctx, const struct age_stanza *stanzas,
	    size_t n, uint8_t file_key[AGE_FILE_KEY_LEN]);
	void (*free)(void *ctx);
};

struct age_recipient {
	const struct age_recipient_ops *ops;
	void *ctx;
};

struct age_identity {
	const struct age_identity_ops *ops;
	void *ctx;
};

/* Growable lists; zero-initialise before first use. */
struct age_recipients {
	struct age_recipient *v;
	size_t n;
};
struct age_identities {
	struct age_identity *v;
	size_t n;
};

/* "age1..." (X25519).  CAIRN_ERR_INVAL for a bad or unknown string;
 * CAIRN_ERR_UNSUPPORTED for a recognised but unsupported one (age1pq1,
 * age1tag, plugins, ssh-). */
int age_recipients_add_string(struct age_recipients *rs, const char *s);
/* Recipients file text: one recipient per line, '#' comments and blank
 * lines ignored, CRLF and spaces around a line accepted.  On error,
 * *bad_line (if non-NULL) is the 1-based line and rs is left unchanged. */
int age_recipients_add_text(
    struct age_recipients *rs, const char *text, size_t len, size_t *bad_line);
/* scrypt passphrase recipient (exclusive), with the given work factor
 * (<= 0: AGE_SCRYPT_WORK_FACTOR; above AGE_SCRYPT_MAX_WORK_FACTOR:
 * CAIRN_ERR_INVAL).  Passphrase copied into sodium_malloc'd memory. */
int age_recipients_add_passphrase(struct age_recipients *rs, const char *pass,
    size_t passlen, int work_factor);
void age_recipients_free(struct age_recipients *rs);

/*
 * Passphrase callback for encrypted identity files: writes a passphrase
 * into buf (sodium_malloc'd by the caller, cap bytes) and sets *len;
 * returns 0 or a negative enum cairn_err.
 */
typedef int (*age_passphrase_cb)(
    void *cbctx, const char *prompt, char *buf, size_t cap, size_t *len);

/*
 * Identity file text: '#' comments, blank lines, AGE-SECRET-KEY-1 lines.
 * If the text is itself an age file (armored or binary), it is decrypted
 * with a passphrase from cb (may be NULL: then CAIRN_ERR_NO_MATCH) and the
 * plaintext parsed as identity text.  On error, *bad_line as above.
 */
int age_identities_add_text(struct age_identities *ids, const char *text,
    size_t len, age_passphrase_cb cb, void *cbctx, size_t *bad_line);
int age_identities_add_passphrase(
    struct age_identities *ids, const char *pass, size_t passlen);
/* Append an identity of any type (the list takes ownership of id->ctx: on
 * failure, CAIRN_ERR_NOMEM, id->ops->free has been called on it). */
int age_identities_add(
    struct age_identities *ids, const struct age_identity *id);
/* A raw X25519 secret key (e.g. recovered from SLIP-39 shares). */
int age_identities_add_x25519(
    struct age_identities *ids, const uint8_t sk[AGE_X25519_KEY_LEN]);
void age_identities_free(struct age_identities *ids);

/* Key helpers.  Strings returned are NUL-terminated; secret ones go into
 * a caller buffer of at least AGE_IDENTITY_STR_LEN bytes which the caller
 * wipes. */
#define AGE_RECIPIENT_STR_LEN 63 /* "age1" + 58 chars + NUL, rounded */
#define AGE_IDENTITY_STR_LEN  75 /* "AGE-SECRET-KEY-1" + 58 + NUL, rounded */
int age_x25519_generate(uint8_t sk[AGE_X25519_KEY_LEN]);
int age_x25519_public(
    const uint8_t sk[AGE_X25519_KEY_LEN], uint8_t pk[AGE_X25519_KEY_LEN]);
int age_x25519_recipient_string(
    const uint8_t pk[AGE_X25519_KEY_LEN], char out[AGE_RECIPIENT_STR_LEN]);
int age_x25519_identity_string(
    const uint8_t sk[AGE_X25519_KEY_LEN], char out[AGE_IDENTITY_STR_LEN]);
/* Parse one "AGE-SECRET-KEY-1..." string into sk. */
int age_x25519_identity_parse(const char *s, uint8_t sk[AGE_X25519_KEY_LEN]);
/*
 * The single X25519 secret key of plain identity text (len bytes; '#'
 * comments and blank lines skipped, whitespace around a line trimmed)
 * into sk, for tools that need the raw key (splitting it into shares).
 * Returns 0, or with sk wiped: CAIRN_ERR_FORMAT (a line that is not an
 * "AGE-SECRET-KEY-1..." string) or CAIRN_ERR_INVAL (the first key is
 * malformed), *bad_line being its 1-based line; CAIRN_ERR_NO_MATCH (no
 * key), CAIRN_ERR_LIMIT (more than one key), CAIRN_ERR_NOMEM.  The text
 * must not be encrypted (see age_is_encrypted, age_decrypt_mem).
 */
int age_x25519_identity_secret_key(const char *text, size_t len,
    uint8_t sk[AGE_X25519_KEY_LEN], size_t *bad_line);
/* Public "age1..." strings of every X25519 identity in ids, in order;
 * calls cb once per recipient string. */
int age_identities_each_recipient(const struct age_identities *ids,
    int (*cb)(void *cbctx, const char *recipient), void *cbctx);

/*
 * Streaming encryption.  The writer emits the header (with one random
 * grease stanza) on the first write or at finish, then STREAM chunks of
 * AGE_CHUNK_LEN, buffering at most one chunk.  armor != 0 wraps the
 * output in PEM armor.  finish() writes the final chunk (and armor
 * footer); nothing is complete until it returns 0.
 */
struct age_writer;
int age_writer_new(struct age_writer **out, const struct age_recipients *rs,
    int armor, const struct cio_sink *sink);
int age_writer_write(struct age_writer *w, const uint8_t *buf, size_t len);
int age_writer_finish(struct age_writer *w);
void age_writer_free(struct age_writer *w);

/*
 * Streaming decryption.  age_reader_new() reads the header (detecting
 * armor), checks it, tries each identity and verifies the header MAC.
 * Errors: CAIRN_ERR_ARMOR, _HEADER, _NO_MATCH, _HMAC, _UNSUPPORTED (other
 * age version, scrypt work factor above AGE_SCRYPT_MAX_WORK_FACTOR), _LIMIT
 * (header over AGE_MAX_HEADER_LEN or AGE_MAX_STANZAS), _NOMEM, _IO.  The
 * source must stay valid until age_reader_free().
 * age_reader_read() returns bytes (> 0), 0 at the authenticated end, or
 * CAIRN_ERR_PAYLOAD (or _ARMOR, _IO).  Bytes are released only after the
 * chunk that holds them authenticated, so what was returned before an
 * error is a true prefix of the plaintext.
 */
struct age_reader;
int age_reader_new(struct age_reader **out, const struct cio_source *src,
    const struct age_identities *ids);
ssize_t age_reader_read(struct age_reader *r, uint8_t *buf, size_t len);
/*
 * Salvage decryption: the same header checks (armored or binary), then
 * the payload chunk by chunk, tolerating damage.  age_reader_next_chunk()
 * returns 1 and fills *c for each 64 KiB chunk slot of the input in
 * order, 0 after the last, or an error (_HEADER: payload nonce missing;
 * _IO, _ARMOR, _NOMEM).  c->ok says whether the chunk authenticated (with
 * its counter and c->final as final flag); only then is c->pt set (valid
 * until the next call).  c->len is the plaintext length the chunk has or,
 * when it failed, would have.  Plaintext offset = index * AGE_CHUNK_LEN.
 * A reader made by age_reader_new() cannot be used here, nor the reverse.
 */
struct age_chunk {
	uint64_t index;
	uint64_t offset; /* index * AGE_CHUNK_LEN */
	const uint8_t *pt;
	size_t len;
	int ok;     /* authenticated */
	int final;  /* authenticated as the final chunk */
	int at_end; /* nothing follows it in the input */
};
int age_reader_new_chunks(struct age_reader **out, const struct cio_source *src,
    const struct age_identities *ids);
int age_reader_next_chunk(struct age_reader *r, struct age_chunk *c);
/* Bytes of input consumed so far (for tests that check list stops early).*/
uint64_t age_reader_consumed(const struct age_reader *r);
void age_reader_free(struct age_reader *r);

/* 1 when text (len bytes) is an age file: it starts with the binary
 * intro line, or with the armor's BEGIN line after optional whitespace;
 * else 0. */
int age_is_encrypted(const char *text, size_t len);
/*
 * Decrypt a whole age file held in memory (text, len bytes) with ids into
 * *plain: sodium_malloc'd, NUL-terminated, *plainlen bytes; the caller
 * frees it with cio_secret_free.  Returns 0 or an age_reader error
 * (CAIRN_ERR_NO_MATCH for no matching identity); *plain is NULL then.
 */
int age_decrypt_mem(const char *text, size_t len,
    const struct age_identities *ids, char **plain, size_t *plainlen);

#endif
