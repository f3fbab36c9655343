/*
 * minisig.h - Ed25519 keys and signatures in minisign's file formats, so
 * that `minisign -Vm FILE -p KEY.pub` verifies what cairn signs and cairn
 * can use keys made by `minisign -G`.
 *
 * Formats (fixed by minisign; base64 is the standard alphabet, padded):
 *   public key file:  "untrusted comment: <text>\n"
 *                     base64("Ed" || key_id[8] || pk[32]) "\n"
 *   secret key file:  "untrusted comment: <text>\n"
 *                     base64("Ed" || kdf_alg[2] || "B2" || salt[32] ||
 *                            opslimit u64le || memlimit u64le ||
 *                            key_id[8] || sk[64] || chk[32]) "\n"
 *       kdf_alg "Sc": key_id||sk||chk is XORed with
 *           crypto_pwhash_scryptsalsa208sha256(pass, salt, ops, mem);
 *       kdf_alg "\0\0": stored in the clear (minisign -W).
 *       chk = BLAKE2b-256("Ed" || key_id || sk).
 *   signature file:   "untrusted comment: <text>\n"
 *                     base64("ED" || key_id[8] || sig[64]) "\n"
 *                     "trusted comment: <text>\n"
 *                     base64(global_sig[64]) "\n"
 *       sig = Ed25519(BLAKE2b-512(message)) ("ED", prehashed; legacy
 *       "Ed" signs the message itself and is accepted when verifying);
 *       global_sig = Ed25519(sig || trusted comment text).
 *
 * Knows nothing of archives, manifests or files: callers pass text and
 * bytes, and write/read files themselves.
 */
#ifndef CAIRN_MINISIG_H
#define CAIRN_MINISIG_H

#include <stddef.h>
#include <stdint.h>

#define MINISIG_KEY_ID_LEN     8
#define MINISIG_PK_LEN         32
#define MINISIG_KEY_ID_HEX_LEN 17 /* 16 upper-case hex + NUL */
#define MINISIG_PUBLIC_B64_LEN 57 /* 56 base64 chars + NUL */
/* Comment length limits (minisign: COMMENTMAXBYTES 1024 and
 * TRUSTEDCOMMENTMAXBYTES 8192, each including its prefix and newline). */
#define MINISIG_COMMENT_MAX         1000
#define MINISIG_TRUSTED_COMMENT_MAX 8000
/* Largest message a legacy ("Ed", not prehashed) signature is verified
 * over; such messages must be buffered whole. */
#define MINISIG_LEGACY_MAX (64u * 1024 * 1024)
/* Largest scrypt parameters accepted from a secret key file (those
 * minisign uses when creating keys: ..._SENSITIVE). */
#define MINISIG_MAX_OPSLIMIT 33554432ULL
#define MINISIG_MAX_MEMLIMIT 1073741824ULL

struct minisig_public {
	uint8_t key_id[MINISIG_KEY_ID_LEN];
	uint8_t pk[MINISIG_PK_LEN];
};

/* A secret key, held in sodium_malloc'd memory. */
struct minisig_secret;

/*
 * Create a fresh key pair with a random 8-byte key id.  *sk is freed with
 * minisig_secret_free().  Returns 0, CAIRN_ERR_NOMEM or CAIRN_ERR_INVAL
 * (libsodium unusable).
 */
int minisig_keygen(struct minisig_secret **sk, struct minisig_public *pk);
void minisig_secret_free(struct minisig_secret *sk);
void minisig_public_from_secret(
    const struct minisig_secret *sk, struct minisig_public *pk);

/*
 * Encode a secret key file.  pass == NULL writes an unencrypted key
 * (minisign -W format); otherwise the key is encrypted with scrypt at
 * minisign's default (sensitive) cost, which takes ~1 GiB and seconds.
 * comment (NULL: "minisign encrypted secret key") must be one line.
 * *out is sodium_malloc'd and NUL-terminated (*outlen excludes the NUL);
 * free it with cio_secret_free().  Returns 0, CAIRN_ERR_INVAL (bad
 * comment) or CAIRN_ERR_NOMEM (also when scrypt cannot get its memory).
 */
int minisig_secret_encode(const struct minisig_secret *sk, const char *pass,
    size_t passlen, const char *comment, char **out, size_t *outlen);
/* The same with explicit scrypt limits (tests, low-memory hosts); limits
 * outside libsodium's scrypt range give CAIRN_ERR_INVAL. */
int minisig_secret_encode_limits(const struct minisig_secret *sk,
    const char *pass, size_t passlen, const char *comment, uint64_t opslimit,
    uint64_t memlimit, char **out, size_t *outlen);

/*
 * 1 when the secret key text is passphrase-protected ("Sc"), 0 when not,
 * or CAIRN_ERR_FORMAT / CAIRN_ERR_UNSUPPORTED as minisig_secret_decode.
 */
int minisig_secret_is_encrypted(const char *text, size_t len);

/*
 * Decode a secret key file.  pass is ignored for an unencrypted key and
 * required (else CAIRN_ERR_INVAL) for an encrypted one.  Returns 0,
 * CAIRN_ERR_FORMAT (malformed text), CAIRN_ERR_UNSUPPORTED (unknown
 * algorithm, or scrypt limits above MINISIG_MAX_*), CAIRN_ERR_NO_MATCH
 * (wrong passphrase: checksum mismatch), CAIRN_ERR_NOMEM.
 */
int minisig_secret_decode(const char *text, size_t len, const char *pass,
    size_t passlen, struct minisig_secret **out);

/*
 * Encode a public key file ("untrusted comment: <comment>\n<b64>\n").
 * comment NULL gives minisign's "minisign public key <KEYID>".  *out is
 * cio_malloc'd, NUL-terminated; the caller frees it.  Returns 0,
 * CAIRN_ERR_INVAL or CAIRN_ERR_NOMEM.
 */
int minisig_public_encode(const struct minisig_public *pk, const char *comment,
    char **out, size_t *outlen);
/*
 * Decode a public key: either a whole public key file (comment line then
 * the base64 line) or the bare base64 line alone (as `minisign -P`), with
 * or without a final newline.  Returns 0 or CAIRN_ERR_FORMAT.
 */
int minisig_public_decode(
    const char *text, size_t len, struct minisig_public *pk);
/* The bare base64 line (56 characters) into out. */
void minisig_public_base64(
    const struct minisig_public *pk, char out[MINISIG_PUBLIC_B64_LEN]);

/* Key id as minisign prints it: upper-case hex of the little-endian u64
 * (so the bytes in reverse order). */
void minisig_key_id_hex(
    const uint8_t key_id[MINISIG_KEY_ID_LEN], char out[MINISIG_KEY_ID_HEX_LEN]);

/*
 * Streaming signing: init, update with the message bytes, final.  final
 * writes the signature file text into *sig_text (cio_malloc'd, NUL-
 * terminated) and frees nothing: call minisig_signer_free() in every
 * case.  trusted_comment is required; untrusted_comment NULL gives
 * "signature from minisign secret key".  Comments must be one line
 * without NUL, CR or LF, within the MINISIG_*COMMENT_MAX limits, else
 * CAIRN_ERR_INVAL.
 */
struct minisig_signer;
int minisig_signer_new(struct minisig_signer **out);
void minisig_signer_update(
    struct minisig_signer *s, const void *buf, size_t len);
int minisig_signer_final(struct minisig_signer *s,
    const struct minisig_secret *sk, const char *trusted_comment,
    const char *untrusted_comment, char **sig_text, size_t *siglen);
void minisig_signer_free(struct minisig_signer *s);

/* One-shot signing of msg (same results as above). */
int minisig_sign(const struct minisig_secret *sk, const void *msg, size_t len,
    const char *trusted_comment, const char *untrusted_comment, char **sig_text,
    size_t *siglen);

/*
 * Streaming verification.  minisig_verifier_new() parses the signature
 * text and checks its key id against pk: CAIRN_ERR_FORMAT when malformed,
 * CAIRN_ERR_SIGNATURE when made by another key.  update() may return
 * CAIRN_ERR_LIMIT for a legacy signature over more than
 * MINISIG_LEGACY_MAX bytes, or CAIRN_ERR_NOMEM.  final() checks both
 * signatures (CAIRN_ERR_SIGNATURE when either fails) and on success sets
 * *trusted_comment (cio_malloc'd, caller frees) if it is non-NULL.
 */
struct minisig_verifier;
int minisig_verifier_new(struct minisig_verifier **out,
    const struct minisig_public *pk, const char *sig_text, size_t siglen);
int minisig_verifier_update(
    struct minisig_verifier *v, const void *buf, size_t len);
int minisig_verifier_final(struct minisig_verifier *v, char **trusted_comment);
void minisig_verifier_free(struct minisig_verifier *v);

/* One-shot verification of msg (same results as above). */
int minisig_verify(const struct minisig_public *pk, const void *msg, size_t len,
    const char *sig_text, size_t siglen, char **trusted_comment);

/* The key id a signature claims to be made by, without verifying it
 * (to tell the user which key to look for).  0 or CAIRN_ERR_FORMAT. */
int minisig_signature_key_id(
    const char *sig_text, size_t siglen, uint8_t key_id[MINISIG_KEY_ID_LEN]);

/* ---- identity and trusted signers (minisig_trust.c) -------------------- */

/*
 * A key's fingerprint, what people compare (by voice, on paper) instead of
 * the 8-byte key id, which the key's creator chooses freely: the first 16
 * bytes (128 bits) of SHA-256 over the 32-byte Ed25519 public key, in
 * lower-case hex, as 8 groups of 4 digits separated by spaces, e.g.
 * "3f2a 9c01 77d0 be45 0a1c 5e2f 9b80 d4c3".  With stock tools:
 *   printf %s RW... | base64 -d | tail -c 32 | sha256sum | cut -c1-32
 * gives the same 32 digits without the spaces.
 */
#define MINISIG_FINGERPRINT_BYTES 16
#define MINISIG_FINGERPRINT_LEN   40 /* 32 hex + 7 spaces + NUL */
void minisig_fingerprint(
    const struct minisig_public *pk, char out[MINISIG_FINGERPRINT_LEN]);

/* 1 when a and b are the same key (the whole 32-byte public key; the key
 * id is not compared: only the holder of the key can sign with it). */
int minisig_public_same(
    const struct minisig_public *a, const struct minisig_public *b);

/*
 * A list of trusted signers: a name and a public key each (the key home's
 * "signers" file, docs/format.md "The signers file").  Text format, one
 * entry per line:
 *     <base64 public key, 56 chars as in a .pub file> <SP/TAB>+ <name>
 * where name is the rest of the line (trailing blanks dropped): 1 to
 * MINISIG_TRUST_NAME_MAX bytes, no control character, not starting with
 * a blank or '#'.  Blank lines and lines whose first non-blank character
 * is '#' are comments.  Names and keys are unique within a list.
 */
#define MINISIG_TRUST_NAME_MAX 64
struct minisig_trusted {
	char name[MINISIG_TRUST_NAME_MAX + 1];
	struct minisig_public pk;
};
struct minisig_trust {
	struct minisig_trusted *v; /* cio_malloc'd array */
	size_t n, cap;
};

/* 1 when name is acceptable as a signer name (rules above). */
int minisig_trust_name_ok(const char *name);
/*
 * Parse a signers file's text into t (t must be zeroed or freed first).
 * Returns 0, CAIRN_ERR_FORMAT (a malformed line, a duplicate name or key:
 * *bad_line is its 1-based number), or CAIRN_ERR_NOMEM.  On failure t is
 * freed.
 */
int minisig_trust_parse(
    const char *text, size_t len, struct minisig_trust *t, size_t *bad_line);
/* Append an entry: 0, CAIRN_ERR_INVAL (bad name), CAIRN_ERR_EXISTS (the
 * name or the key is already in t) or CAIRN_ERR_NOMEM. */
int minisig_trust_add(
    struct minisig_trust *t, const char *name, const struct minisig_public *pk);
/* Index of the entry with key pk (whole key), or -1. */
long minisig_trust_find(
    const struct minisig_trust *t, const struct minisig_public *pk);
/* Index of the entry named name, or -1. */
long minisig_trust_find_name(const struct minisig_trust *t, const char *name);
/* Index of an entry with pk's key id but another key (a key made to look
 * like a trusted one), or -1. */
long minisig_trust_find_key_id_clash(
    const struct minisig_trust *t, const struct minisig_public *pk);
/* The file line of entry e, "RW... name\n", into *out (cio_malloc'd,
 * NUL-terminated; caller frees).  0 or CAIRN_ERR_NOMEM. */
int minisig_trust_line(const struct minisig_trusted *e, char **out);
void minisig_trust_free(struct minisig_trust *t);

#endif
