/*
 * slip39.h - SLIP-0039 Shamir secret sharing with mnemonic shares
 * (https://github.com/satoshilabs/slips/blob/master/slip-0039.md, status Final): the word layer and
 * RS1024 checksum (slip39_mnemonic.c), the Feistel encryption of the
 * master secret (slip39_cipher.c) and two-level splitting/combining
 * (slip39.c), on top of constant-time GF(256) arithmetic (gf256.h).
 *
 * Library only: functions return 0 or a negative enum cairn_err and never
 * print.  Anything that explains a failure to a human comes back through
 * the optional struct slip39_diag.
 *
 * Secrets: share values and master secrets are secret.  Memory this module
 * allocates for them is sodium_malloc'd and wiped when freed; structs the
 * caller owns (decoded shares, mnemonic strings, output buffers) must be
 * wiped by the caller (slip39_share_wipe(), sodium_memzero()).
 */
#ifndef CAIRN_SLIP39_H
#define CAIRN_SLIP39_H

#include <stddef.h>
#include <stdint.h>

/* Format constants fixed by SLIP-0039. */
#define SLIP39_WORDLIST_LEN           1024
#define SLIP39_WORD_MAX               8 /* letters in the longest word */
#define SLIP39_ID_BITS                15
#define SLIP39_MAX_SHARES             16 /* groups, and members in a group */
#define SLIP39_MAX_ITERATION_EXPONENT 15
#define SLIP39_BASE_ITERATIONS        2500 /* PBKDF2 rounds per Feistel round, e=0 */
#define SLIP39_MIN_SECRET_LEN         16 /* bytes (128 bits); lengths step by 2 */
#define SLIP39_DIGEST_INDEX           254
#define SLIP39_SECRET_INDEX           255
#define SLIP39_DIGEST_LEN             4
#define SLIP39_METADATA_WORDS         7 /* 2 id/ext/e + 2 group params + 3 RS1024 */
#define SLIP39_MIN_WORDS              20 /* a 128-bit secret */
/*
 * cairn limit, not in the spec: secrets of at most 512 bits (the largest
 * BIP-32 seed), so shares of at most 59 words.  Longer shares are refused
 * with CAIRN_ERR_LIMIT.
 */
#define SLIP39_MAX_SECRET_LEN 64
#define SLIP39_MAX_WORDS      59
/* Words in a share whose value has len bytes (32 bytes -> 33 words). */
#define SLIP39_WORDS_FOR(len) (SLIP39_METADATA_WORDS + ((len)*8 + 9) / 10)
/* A buffer of this size holds any mnemonic slip39_mnemonic_encode writes,
 * NUL included. */
#define SLIP39_MNEMONIC_MAX (SLIP39_MAX_WORDS * (SLIP39_WORD_MAX + 1))

/* The SLIP-39 word list: word i (NUL-padded) encodes the 10-bit value i. */
extern const char slip39_wordlist[SLIP39_WORDLIST_LEN][SLIP39_WORD_MAX + 1];

/* One share, decoded.  Thresholds and counts hold their real values
 * (1..16), not the "minus one" stored in the mnemonic. */
struct slip39_share {
	uint16_t identifier;        /* 15 bits, same for the whole set */
	uint8_t extendable;         /* 0 or 1 */
	uint8_t iteration_exponent; /* 0..15 */
	uint8_t group_index;        /* 0..15: x of the group share */
	uint8_t group_threshold;    /* GT, 1..16 */
	uint8_t group_count;        /* G, 1..16 */
	uint8_t member_index;       /* 0..15: x of this member share */
	uint8_t member_threshold;   /* T, 1..16 */
	size_t value_len;           /* bytes: even, 16..SLIP39_MAX_SECRET_LEN */
	uint8_t value[SLIP39_MAX_SECRET_LEN]; /* SECRET */
};

/* What was wrong, for the CLI's message (the return code says how bad). */
enum slip39_problem {
	SLIP39_PROBLEM_NONE = 0,
	SLIP39_PROBLEM_UNKNOWN_WORD,     /* diag.word: 1-based position */
	SLIP39_PROBLEM_LENGTH,           /* word count impossible or too big */
	SLIP39_PROBLEM_CHECKSUM,         /* RS1024 checksum failed */
	SLIP39_PROBLEM_PADDING,          /* padding bits not zero */
	SLIP39_PROBLEM_GROUP_THRESHOLD,  /* group threshold > group count */
	SLIP39_PROBLEM_BAD_FIELD,        /* a share struct field out of range */
	SLIP39_PROBLEM_PASSPHRASE,       /* not printable ASCII (32..126) */
	SLIP39_PROBLEM_SET,              /* id/ext/e/GT/G/length differ */
	SLIP39_PROBLEM_MEMBER_THRESHOLD, /* one group, two member thresholds */
	SLIP39_PROBLEM_DUPLICATE,        /* one index, two different values */
	SLIP39_PROBLEM_FEW_GROUPS,       /* diag.need groups, diag.have */
	SLIP39_PROBLEM_FEW_MEMBERS,      /* diag.group: need/have members */
	SLIP39_PROBLEM_MANY_GROUPS,      /* more groups than the threshold */
	SLIP39_PROBLEM_MANY_MEMBERS,     /* more members than the threshold */
	SLIP39_PROBLEM_DIGEST, /* digest mismatch: possibly tampered */
};

struct slip39_diag {
	enum slip39_problem problem;
	size_t word;  /* decode: 1-based position of the bad word, else 0 */
	size_t share; /* combine: index in shares[] of the share at fault */
	size_t other; /* SET, MEMBER_THRESHOLD, DUPLICATE: index of the
		       * earlier share it conflicts with */
	int group;    /* combine: group index concerned, -1 = top level */
	int need;     /* FEW_ and MANY_ problems: how many are needed */
	int have;     /* ... and how many distinct ones were given */
};

/* A short static description of p ("checksum mismatch"). */
const char *slip39_problem_str(enum slip39_problem p);

/*
 * Look up one word (len bytes, case-insensitive, no abbreviations) in
 * constant time over the list.  Returns its index 0..1023, or -1.
 */
int slip39_word_index(const char *word, size_t len);

/*
 * Parse and validate one mnemonic: words separated by any ASCII
 * whitespace, case-insensitive.  Never corrects anything.  Returns 0 and
 * fills *out, or CAIRN_ERR_FORMAT (unknown word, impossible length, bad
 * RS1024 checksum, nonzero or over-long padding, group threshold > group
 * count) or CAIRN_ERR_LIMIT (more than SLIP39_MAX_WORDS words); diag, when
 * not NULL, says which.  *out is wiped on failure; the caller wipes it
 * after use (slip39_share_wipe).
 */
int slip39_mnemonic_decode(
    const char *mnemonic, struct slip39_share *out, struct slip39_diag *diag);

/*
 * Encode a share as lower-case words separated by single spaces into out
 * (cap bytes, SLIP39_MNEMONIC_MAX always suffices), NUL-terminated.
 * Returns 0, or CAIRN_ERR_INVAL when a field is out of range or cap is too
 * small.  out holds a secret: the caller wipes it.
 */
int slip39_mnemonic_encode(
    const struct slip39_share *share, char *out, size_t cap);

/* 1 when every field of share is in range (as decode would produce,
 * within cairn's length limit), else 0. */
int slip39_share_check(const struct slip39_share *share);

/* 1 when pass (passlen bytes; NULL only when passlen is 0) is printable
 * ASCII (32..126), as SLIP-39 requires of passphrases, else 0. */
int slip39_passphrase_check(const char *pass, size_t passlen);

/* Wipe a decoded share (sodium_memzero). */
void slip39_share_wipe(struct slip39_share *share);

/*
 * The SLIP-39 Feistel cipher: 4 rounds of PBKDF2-HMAC-SHA256 with
 * (2500 << e) iterations each, salt "shamir" || id when !extendable, no
 * salt prefix when extendable.  in and out are len bytes (even, 16..64)
 * and may be the same buffer.  pass must be printable ASCII (NULL when
 * passlen is 0).  Returns 0 or CAIRN_ERR_INVAL; CAIRN_ERR_NOMEM.
 */
int slip39_encrypt(const uint8_t *in, size_t len, const char *pass,
    size_t passlen, int iteration_exponent, uint16_t identifier, int extendable,
    uint8_t *out);
int slip39_decrypt(const uint8_t *in, size_t len, const char *pass,
    size_t passlen, int iteration_exponent, uint16_t identifier, int extendable,
    uint8_t *out);

struct slip39_group_spec {
	int member_threshold; /* T, 1..member_count (1 only if count is 1) */
	int member_count;     /* N, 1..16 */
};

/*
 * Split a master secret (len bytes: even, 16..64) into shares with a
 * random identifier: the encrypted secret is split GT-of-ngroups, each
 * group share T-of-N per groups[].  Returns 0 and *shares_out, an array
 * of *nshares_out shares in group order then member order, allocated
 * with sodium_allocarray: free it with slip39_shares_free().  Errors:
 * CAIRN_ERR_INVAL (lengths, thresholds > counts, 1-of-N with N > 1,
 * counts > 16, iteration exponent > 15, extendable not 0/1, non-printable
 * passphrase), CAIRN_ERR_NOMEM.
 */
int slip39_split(const uint8_t *secret, size_t len, const char *pass,
    size_t passlen, int iteration_exponent, int extendable, int group_threshold,
    const struct slip39_group_spec *groups, size_t ngroups,
    struct slip39_share **shares_out, size_t *nshares_out);

/* Wipe and free what slip39_split returned (NULL is fine). */
void slip39_shares_free(struct slip39_share *shares, size_t n);

/* Which shares slip39_select chose, and what was given of each group. */
struct slip39_selection {
	size_t idx[SLIP39_MAX_SHARES * SLIP39_MAX_SHARES]; /* into shares[] */
	size_t n;                                          /* entries of idx */
	int count[SLIP39_MAX_SHARES];     /* distinct members given, by group */
	int threshold[SLIP39_MAX_SHARES]; /* their member threshold (0: none) */
	int complete; /* groups given at least their threshold */
};

/*
 * Choose, from n decoded shares given in any order (extra ones and the
 * same share twice allowed), a subset slip39_combine accepts: the first
 * GT groups (by group index) with at least T distinct members, the first
 * T members of each (in the order given).  Fills *sel (its counts also
 * on CAIRN_ERR_TOO_FEW).  Returns 0, or, detailed through diag if given:
 *   CAIRN_ERR_TOO_FEW   fewer complete groups than GT (FEW_GROUPS: need,
 *                       have = sel->complete)
 *   CAIRN_ERR_MISMATCH  SET (diag.share differs from shares[0]),
 *                       MEMBER_THRESHOLD or DUPLICATE (diag.share
 *                       conflicts with diag.other): inconsistent shares
 *   CAIRN_ERR_FORMAT    a share struct with out-of-range fields
 *   CAIRN_ERR_INVAL     sel is NULL
 * Reads no secret beyond comparing share values in constant time.
 */
int slip39_select(const struct slip39_share *shares, size_t n,
    struct slip39_selection *sel, struct slip39_diag *diag);

/*
 * Recover the master secret from n decoded shares, in any order; the same
 * share given twice counts once.  As the spec requires, exactly GT groups
 * with exactly T members each must be given.  Writes the secret to
 * secret_out (cap bytes; SLIP39_MAX_SECRET_LEN always suffices) and its
 * length to *len_out.  A wrong passphrase is not detected (by design):
 * it yields a different secret.  Errors, detailed through diag if given:
 *   CAIRN_ERR_TOO_FEW   fewer groups than GT, or fewer members than T in
 *                       a group (diag: need, have, group)
 *   CAIRN_ERR_MISMATCH  shares from different sets or parameters, member
 *                       thresholds differ, one index with two values,
 *                       more groups/members than needed, or a digest
 *                       mismatch (possibly tampered)
 *   CAIRN_ERR_FORMAT    a share struct with out-of-range fields
 *   CAIRN_ERR_INVAL     passphrase not printable ASCII, cap too small
 *   CAIRN_ERR_NOMEM
 */
int slip39_combine(const struct slip39_share *shares, size_t n,
    const char *pass, size_t passlen, uint8_t *secret_out, size_t cap,
    size_t *len_out, struct slip39_diag *diag);

#ifdef CAIRN_TESTING
/* Test builds only: replace randombytes_buf with fn (NULL restores it). */
typedef void (*slip39_rng_fn)(void *ctx, uint8_t *buf, size_t len);
void slip39_test_set_rng(slip39_rng_fn fn, void *ctx);
#endif

#endif
