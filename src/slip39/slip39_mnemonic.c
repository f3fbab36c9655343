/*
 * slip39_mnemonic.c - the SLIP-39 word layer: word lookup, the RS1024
 * checksum over GF(1024), and the bit layout of one share
 *
 *   id(15) ext(1) e(4) | GI(4) Gt(4) g(4) I(4) t(4) | padding+value | C(30)
 *
 * packed big-endian into 10-bit words.  Knows nothing of Shamir sharing,
 * encryption or passphrases.
 *
 * Side channels: word <-> index conversion scans the whole list with
 * masks (no lookup indexed by a secret word), and RS1024 uses masks, not
 * branches, on data bits.  Only validity (and the public metadata) is
 * branched on.
 */
#include <string.h>

#include <sodium.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/slip39.h"

/* Format constants (SLIP-0039 "Checksum"). */
#define RS1024_WORDS 3
static const char CS_PLAIN[] = "shamir";
static const char CS_EXTENDABLE[] = "shamir_extendable";

static uint32_t
rs1024_polymod(const char *cs, const uint16_t *v, size_t n, size_t zeros)
{
	static const uint32_t gen[10] = {0xe0e040, 0x1c1c080, 0x3838100,
	    0x7070200, 0xe0e0009, 0x1c0c2412, 0x38086c24, 0x3090fc48,
	    0x21b1f890, 0x3f3f120};
	size_t csl = strlen(cs), i, total = csl + n + zeros;
	uint32_t chk = 1, b, x;
	int j;

	for (i = 0; i < total; i++) {
		if (i < csl)
			x = (uint8_t)cs[i];
		else if (i < csl + n)
			x = v[i - csl];
		else
			x = 0;
		b = chk >> 20;
		chk = ((chk & 0xfffff) << 10) ^ x;
		for (j = 0; j < 10; j++)
			chk ^= (0u - ((b >> j) & 1u)) & gen[j];
	}
	return chk;
}

static const char *
customization(int extendable)
{
	return extendable ? CS_EXTENDABLE : CS_PLAIN;
}

int
slip39_word_index(const char *word, size_t len)
{
	char buf[SLIP39_WORD_MAX + 1] = {0};
	uint32_t found = 0, idx = 0, diff, eq, c, upper;
	size_t i, k;

	if (len < 1 || len > SLIP39_WORD_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		c = (uint8_t)word[i];
		/* ASCII lower-casing without a branch on the letter */
		upper = ((c - 'A') < 26u) ? 1u : 0u;
		buf[i] = (char)(c | (upper << 5));
	}
	for (k = 0; k < SLIP39_WORDLIST_LEN; k++) {
		diff = 0;
		for (i = 0; i <= SLIP39_WORD_MAX; i++)
			diff |= (uint8_t)(buf[i] ^ slip39_wordlist[k][i]);
		eq = ((diff - 1u) >> 8) & 1u; /* 1 iff diff == 0 */
		found |= eq;
		idx |= (0u - eq) & (uint32_t)k;
	}
	sodium_memzero(buf, sizeof buf);
	return found ? (int)idx : -1;
}

/* Copy word v (0..1023) into out (9 bytes, NUL-padded), scanning the
 * whole list.  Returns the word's length. */
static size_t
word_of(uint32_t v, char out[SLIP39_WORD_MAX + 1])
{
	uint32_t k, eq, d;
	size_t i, n = 0;

	memset(out, 0, SLIP39_WORD_MAX + 1);
	for (k = 0; k < SLIP39_WORDLIST_LEN; k++) {
		d = k ^ v;
		eq = ((d - 1u) >> 16) & 1u; /* d < 2^10: 1 iff d == 0 */
		for (i = 0; i < SLIP39_WORD_MAX; i++)
			out[i] |=
			    (char)((0u - eq) & (uint8_t)slip39_wordlist[k][i]);
	}
	for (i = 0; i < SLIP39_WORD_MAX; i++)
		n += out[i] != 0;
	return n;
}

void
slip39_share_wipe(struct slip39_share *share)
{
	if (share != NULL)
		sodium_memzero(share, sizeof *share);
}

int
slip39_share_check(const struct slip39_share *s)
{
	return s != NULL && s->identifier < (1u << SLIP39_ID_BITS) &&
	    s->extendable <= 1 &&
	    s->iteration_exponent <= SLIP39_MAX_ITERATION_EXPONENT &&
	    s->group_index < 16 && s->group_threshold >= 1 &&
	    s->group_threshold <= 16 && s->group_count >= 1 &&
	    s->group_count <= 16 && s->group_threshold <= s->group_count &&
	    s->member_index < 16 && s->member_threshold >= 1 &&
	    s->member_threshold <= 16 &&
	    s->value_len >= SLIP39_MIN_SECRET_LEN &&
	    s->value_len <= SLIP39_MAX_SECRET_LEN && s->value_len % 2 == 0;
}

int
slip39_mnemonic_encode(const struct slip39_share *s, char *out, size_t cap)
{
	uint16_t w[SLIP39_MAX_WORDS];
	char word[SLIP39_WORD_MAX + 1];
	uint32_t acc, chk, v;
	size_t nw, n = 0, i, nb, o = 0, wl;
	int rc = CAIRN_ERR_INVAL;

	if (s == NULL || out == NULL || !slip39_share_check(s))
		return CAIRN_ERR_INVAL;
	nw = SLIP39_WORDS_FOR(s->value_len);

	v = ((uint32_t)s->identifier << 5) | ((uint32_t)s->extendable << 4) |
	    s->iteration_exponent;
	w[n++] = (uint16_t)(v >> 10);
	w[n++] = (uint16_t)(v & 1023);
	v = ((uint32_t)s->group_index << 16) |
	    ((uint32_t)(s->group_threshold - 1) << 12) |
	    ((uint32_t)(s->group_count - 1) << 8) |
	    ((uint32_t)s->member_index << 4) |
	    (uint32_t)(s->member_threshold - 1);
	w[n++] = (uint16_t)(v >> 10);
	w[n++] = (uint16_t)(v & 1023);

	/* Value, left-padded with zero bits to a multiple of 10. */
	acc = 0;
	nb = (nw - SLIP39_METADATA_WORDS) * 10 - s->value_len * 8;
	for (i = 0; i < s->value_len; i++) {
		acc = (acc << 8) | s->value[i];
		nb += 8;
		if (nb >= 10) {
			nb -= 10;
			w[n++] = (uint16_t)((acc >> nb) & 1023);
			acc &= (1u << nb) - 1;
		}
	}
	chk = rs1024_polymod(customization(s->extendable), w, n, RS1024_WORDS) ^
	    1;
	for (i = 0; i < RS1024_WORDS; i++)
		w[n++] =
		    (uint16_t)((chk >> (10 * (RS1024_WORDS - 1 - i))) & 1023);

	for (i = 0; i < n; i++) {
		wl = word_of(w[i], word);
		if (o + (i > 0) + wl + 1 > cap)
			goto out;
		if (i > 0)
			out[o++] = ' ';
		memcpy(out + o, word, wl);
		o += wl;
	}
	out[o] = '\0';
	rc = 0;
out:
	if (rc != 0 && cap > 0)
		sodium_memzero(out, cap);
	sodium_memzero(w, sizeof w);
	sodium_memzero(word, sizeof word);
	sodium_memzero(&acc, sizeof acc);
	return rc;
}

static int
fail(struct slip39_diag *diag, enum slip39_problem p, size_t word, int rc)
{
	if (diag != NULL) {
		diag->problem = p;
		diag->word = word;
	}
	return rc;
}

int
slip39_mnemonic_decode(
    const char *mnemonic, struct slip39_share *out, struct slip39_diag *diag)
{
	uint16_t w[SLIP39_MAX_WORDS];
	const char *p, *start;
	uint32_t v, acc = 0, padbits = 0;
	size_t n = 0, vw, pad, nb, i, o = 0;
	int idx, rc;

	if (diag != NULL) {
		memset(diag, 0, sizeof *diag);
		diag->group = -1;
	}
	if (out == NULL || mnemonic == NULL)
		return CAIRN_ERR_INVAL;
	memset(out, 0, sizeof *out);

	for (p = mnemonic;;) {
		while (cio_is_space((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && !cio_is_space((unsigned char)*p))
			p++;
		if (n == SLIP39_MAX_WORDS) {
			rc = fail(
			    diag, SLIP39_PROBLEM_LENGTH, 0, CAIRN_ERR_LIMIT);
			goto out;
		}
		idx = slip39_word_index(start, (size_t)(p - start));
		if (idx < 0) {
			rc = fail(diag, SLIP39_PROBLEM_UNKNOWN_WORD, n + 1,
			    CAIRN_ERR_FORMAT);
			goto out;
		}
		w[n++] = (uint16_t)idx;
	}
	if (n < SLIP39_MIN_WORDS) {
		rc = fail(diag, SLIP39_PROBLEM_LENGTH, 0, CAIRN_ERR_FORMAT);
		goto out;
	}
	vw = n - SLIP39_METADATA_WORDS;
	pad = (vw * 10) % 16;
	if (pad > 8) {
		rc = fail(diag, SLIP39_PROBLEM_LENGTH, 0, CAIRN_ERR_FORMAT);
		goto out;
	}

	v = ((uint32_t)w[0] << 10) | w[1];
	out->identifier = (uint16_t)(v >> 5);
	out->extendable = (uint8_t)((v >> 4) & 1);
	out->iteration_exponent = (uint8_t)(v & 15);
	if (rs1024_polymod(customization(out->extendable), w, n, 0) != 1) {
		rc = fail(diag, SLIP39_PROBLEM_CHECKSUM, 0, CAIRN_ERR_FORMAT);
		goto out;
	}
	v = ((uint32_t)w[2] << 10) | w[3];
	out->group_index = (uint8_t)(v >> 16);
	out->group_threshold = (uint8_t)(((v >> 12) & 15) + 1);
	out->group_count = (uint8_t)(((v >> 8) & 15) + 1);
	out->member_index = (uint8_t)((v >> 4) & 15);
	out->member_threshold = (uint8_t)((v & 15) + 1);
	if (out->group_threshold > out->group_count) {
		rc = fail(
		    diag, SLIP39_PROBLEM_GROUP_THRESHOLD, 0, CAIRN_ERR_FORMAT);
		goto out;
	}

	/* Value: drop `pad` leading bits (which must be zero), then bytes. */
	nb = 0;
	for (i = 0; i < vw; i++) {
		acc = (acc << 10) | w[4 + i];
		nb += 10;
		if (i == 0) {
			nb -= pad;
			padbits = acc >> nb;
			acc &= (1u << nb) - 1;
		}
		while (nb >= 8) {
			nb -= 8;
			out->value[o++] = (uint8_t)(acc >> nb);
			acc &= (1u << nb) - 1;
		}
	}
	out->value_len = o;
	if (padbits != 0) {
		rc = fail(diag, SLIP39_PROBLEM_PADDING, 0, CAIRN_ERR_FORMAT);
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		sodium_memzero(out, sizeof *out);
	sodium_memzero(w, sizeof w);
	sodium_memzero(&acc, sizeof acc);
	return rc;
}

const char *
slip39_problem_str(enum slip39_problem p)
{
	switch (p) {
	case SLIP39_PROBLEM_NONE: return "no problem";
	case SLIP39_PROBLEM_UNKNOWN_WORD: return "word not in the SLIP-39 list";
	case SLIP39_PROBLEM_LENGTH: return "wrong number of words";
	case SLIP39_PROBLEM_CHECKSUM:
		return "checksum mismatch (mistyped word?)";
	case SLIP39_PROBLEM_PADDING: return "invalid padding";
	case SLIP39_PROBLEM_GROUP_THRESHOLD:
		return "group threshold exceeds group count";
	case SLIP39_PROBLEM_BAD_FIELD: return "share field out of range";
	case SLIP39_PROBLEM_PASSPHRASE:
		return "passphrase must be printable ASCII";
	case SLIP39_PROBLEM_SET: return "shares belong to different sets";
	case SLIP39_PROBLEM_MEMBER_THRESHOLD:
		return "shares of one group disagree on the member threshold";
	case SLIP39_PROBLEM_DUPLICATE:
		return "two different shares have the same index";
	case SLIP39_PROBLEM_FEW_GROUPS: return "not enough groups";
	case SLIP39_PROBLEM_FEW_MEMBERS: return "not enough shares in a group";
	case SLIP39_PROBLEM_MANY_GROUPS: return "more groups than needed";
	case SLIP39_PROBLEM_MANY_MEMBERS:
		return "more shares in a group than needed";
	case SLIP39_PROBLEM_DIGEST:
		return "digest mismatch: shares are possibly tampered with";
	}
	return "unknown problem";
}
