/*
 * test_slip39.c - SLIP-39: the 45 official vectors (trezor
 * python-shamir-mnemonic vectors.json), the cases of the reference
 * the word layer (lookup, RS1024 checksum, padding, lengths) and the
 * Feistel cipher against a reference built on nettle's PBKDF2.  Sharing
 * itself (split/combine) is in test_slip39_split.c.
 * Run from the repository root.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <nettle/pbkdf2.h>
#include <sodium.h>

#include "cairn/err.h"
#include "cairn/slip39.h"
#include "tap.h"

#define VECTORS "tests/vectors/slip39/vectors.json"
/* ---- helpers */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static size_t
unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = strlen(h) / 2, i;

	if (n > cap)
		return 0;
	for (i = 0; i < n; i++)
		out[i] =
		    (uint8_t)(hexval(h[2 * i]) * 16 + hexval(h[2 * i + 1]));
	return n;
}

static int
combine(const struct slip39_share *sh, size_t n, const char *pass, uint8_t *out,
    size_t *len, struct slip39_diag *d)
{
	return slip39_combine(sh, n, pass, pass ? strlen(pass) : 0, out,
	    SLIP39_MAX_SECRET_LEN, len, d);
}

/* Expected error for an invalid vector, from its description (the
 * classes follow the spec: decoding errors are FORMAT, missing shares
 * TOO_FEW, inconsistent sets MISMATCH). */
static int
expected_err(const char *desc)
{
	static const struct {
		const char *what;
		int err;
	} tab[] = {
	    {"invalid checksum", CAIRN_ERR_FORMAT},
	    {"invalid padding", CAIRN_ERR_FORMAT},
	    {"insufficient length", CAIRN_ERR_FORMAT},
	    {"invalid master secret length", CAIRN_ERR_FORMAT},
	    {"greater group threshold than group counts", CAIRN_ERR_FORMAT},
	    {"different identifiers", CAIRN_ERR_MISMATCH},
	    {"different iteration exponents", CAIRN_ERR_MISMATCH},
	    {"mismatching group thresholds", CAIRN_ERR_MISMATCH},
	    {"mismatching group counts", CAIRN_ERR_MISMATCH},
	    {"duplicate member indices", CAIRN_ERR_MISMATCH},
	    {"mismatching member thresholds", CAIRN_ERR_MISMATCH},
	    {"invalid digest", CAIRN_ERR_MISMATCH},
	    {"Insufficient number of groups", CAIRN_ERR_TOO_FEW},
	    {"insufficient number of members", CAIRN_ERR_TOO_FEW},
	    {"Basic sharing 2-of-3", CAIRN_ERR_TOO_FEW},
	};
	size_t i;

	for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strstr(desc, tab[i].what) != NULL)
			return tab[i].err;
	return 1; /* unknown: any failure */
}

/* Normalise a mnemonic for comparison: lower case, single spaces. */
static void
normalise(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	int sp = 0;

	for (; *in && o + 1 < cap; in++) {
		if (*in == ' ' || *in == '\t' || *in == '\n') {
			sp = o > 0;
			continue;
		}
		if (sp && o + 2 < cap)
			out[o++] = ' ';
		sp = 0;
		out[o++] = (char)(*in >= 'A' && *in <= 'Z' ? *in + 32 : *in);
	}
	out[o] = '\0';
}

static void
test_vectors(void)
{
	json_error_t jerr;
	json_t *root, *v, *mn;
	struct slip39_share sh[8];
	uint8_t want[SLIP39_MAX_SECRET_LEN], got[SLIP39_MAX_SECRET_LEN];
	char enc[SLIP39_MNEMONIC_MAX], norm[SLIP39_MNEMONIC_MAX];
	size_t i, j, n, wlen, glen, nvalid = 0, ninvalid = 0;
	size_t okvalid = 0, okinvalid = 0, okcode = 0, decoded = 0, reenc = 0;
	const char *desc, *secret;
	int rc, want_rc;

	root = json_load_file(VECTORS, 0, &jerr);
	if (root == NULL || !json_is_array(root)) {
		TAP_OK(0, "load %s: %s", VECTORS, jerr.text);
		return;
	}
	TAP_EQ_INT(json_array_size(root), 45, "45 vectors in vectors.json");
	json_array_foreach(root, i, v)
	{
		desc = json_string_value(json_array_get(v, 0));
		mn = json_array_get(v, 1);
		secret = json_string_value(json_array_get(v, 2));
		/* the 4th field (BIP-32 xprv) is deliberately not used:
		 * SLIP-39 ends at the master secret. */
		n = json_array_size(mn);
		rc = 0;
		for (j = 0; j < n && j < 8 && rc == 0; j++) {
			const char *m =
			    json_string_value(json_array_get(mn, j));

			rc = slip39_mnemonic_decode(m, &sh[j], NULL);
			if (rc != 0)
				break;
			decoded++;
			if (slip39_mnemonic_encode(&sh[j], enc, sizeof enc) ==
			    0) {
				normalise(m, norm, sizeof norm);
				reenc += strcmp(enc, norm) == 0;
			}
		}
		if (rc == 0)
			rc = combine(sh, n, "TREZOR", got, &glen, NULL);
		if (secret != NULL && secret[0] != '\0') {
			nvalid++;
			wlen = unhex(secret, want, sizeof want);
			if (rc == 0 && glen == wlen &&
			    memcmp(got, want, wlen) == 0)
				okvalid++;
			else
				TAP_OK(0, "valid vector %zu (%s): rc %d", i + 1,
				    desc, rc);
		} else {
			ninvalid++;
			want_rc = expected_err(desc);
			if (rc != 0)
				okinvalid++;
			else
				TAP_OK(0, "invalid vector %zu (%s) accepted",
				    i + 1, desc);
			if (rc == want_rc || (want_rc == 1 && rc < 0))
				okcode++;
			else
				TAP_OK(0, "vector %zu (%s): got %d, want %d",
				    i + 1, desc, rc, want_rc);
		}
		for (j = 0; j < 8; j++)
			slip39_share_wipe(&sh[j]);
	}
	TAP_EQ_INT(nvalid, 15, "15 valid vectors");
	TAP_EQ_INT(okvalid, 15, "valid vectors reproduce the master secret");
	TAP_EQ_INT(ninvalid, 30, "30 invalid vectors");
	TAP_EQ_INT(okinvalid, 30, "invalid vectors are refused");
	TAP_EQ_INT(okcode, 30, "invalid vectors fail with the expected error");
	TAP_EQ_INT(reenc, decoded,
	    "every decodable vector mnemonic re-encodes to itself");
	json_decref(root);
}

/* ---- an independent RS1024 (the spec's Python, transcribed) */
static uint32_t
ref_polymod(const char *cs, const int *w, size_t n)
{
	static const uint32_t gen[10] = {0xe0e040, 0x1c1c080, 0x3838100,
	    0x7070200, 0xe0e0009, 0x1c0c2412, 0x38086c24, 0x3090fc48,
	    0x21b1f890, 0x3f3f120};
	uint32_t chk = 1, b, v;
	size_t i, len = strlen(cs);
	int j;

	for (i = 0; i < len + n; i++) {
		v = i < len ? (uint8_t)cs[i] : (uint32_t)w[i - len];
		b = chk >> 20;
		chk = ((chk & 0xfffff) << 10) ^ v;
		for (j = 0; j < 10; j++)
			if ((b >> j) & 1)
				chk ^= gen[j];
	}
	return chk;
}

/* Split a mnemonic into word indices; returns the count. */
static size_t
to_indices(const char *m, int *w, size_t cap)
{
	char buf[SLIP39_MNEMONIC_MAX];
	char *tok, *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof buf, "%s", m);
	for (tok = strtok_r(buf, " ", &save); tok && n < cap;
	     tok = strtok_r(NULL, " ", &save))
		w[n++] = slip39_word_index(tok, strlen(tok));
	return n;
}

static void
from_indices(const int *w, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? " " : "",
		    slip39_wordlist[w[i]]);
}

/* Recompute the 3 checksum words of w[0..n-1] in place. */
static void
fix_checksum(int *w, size_t n, int ext)
{
	uint32_t chk;
	size_t i;

	w[n - 3] = w[n - 2] = w[n - 1] = 0;
	chk = ref_polymod(ext ? "shamir_extendable" : "shamir", w, n) ^ 1;
	for (i = 0; i < 3; i++)
		w[n - 3 + i] = (int)((chk >> (10 * (2 - i))) & 1023);
}

/* Vector 1: "Valid mnemonic without sharing (128 bits)". */
static const char V1[] =
    "duckling enlarge academic academic agency result "
    "length solution fridge kidney coal piece deal husband erode duke ajar "
    "critical decision keyboard";
static const char V1_SECRET[] = "bb54aac4b89dc868ba37d9cc21b2cece";

static void
test_words(void)
{
	struct slip39_diag d;
	struct slip39_share s;
	char buf[SLIP39_MNEMONIC_MAX], big[4 * SLIP39_MNEMONIC_MAX];
	int w[80], w2[80];
	size_t n, i, bad;
	int k;

	TAP_EQ_INT(slip39_word_index("academic", 8), 0, "first word is 0");
	TAP_EQ_INT(slip39_word_index("zero", 4), 1023, "last word is 1023");
	TAP_EQ_INT(slip39_word_index("ZeRo", 4), 1023, "lookup ignores case");
	TAP_EQ_INT(slip39_word_index("zer", 3), -1, "no abbreviations");
	TAP_EQ_INT(slip39_word_index("zeros", 5), -1, "no extra letters");
	TAP_EQ_INT(slip39_word_index("academicx", 9), -1, "9 letters refused");
	TAP_EQ_INT(slip39_word_index("", 0), -1, "empty word refused");
	for (k = 0, bad = 0; k < SLIP39_WORDLIST_LEN; k++)
		if (slip39_word_index(
		        slip39_wordlist[k], strlen(slip39_wordlist[k])) != k)
			bad++;
	TAP_EQ_INT(bad, 0, "every word maps back to its index");

	n = to_indices(V1, w, 80);
	TAP_EQ_INT(n, 20, "vector 1 has 20 words");
	TAP_EQ_INT(ref_polymod("shamir", w, n), 1,
	    "reference RS1024 accepts vector 1");

	/* Case and whitespace do not matter. */
	snprintf(big, sizeof big, "  DUCKLING Enlarge\tacademic\n%s  ",
	    V1 + strlen("duckling enlarge academic"));
	TAP_EQ_INT(slip39_mnemonic_decode(big, &s, NULL), 0,
	    "upper case and extra whitespace accepted");
	TAP_EQ_INT(s.value_len, 16, "128-bit share value");
	TAP_EQ_INT(s.extendable, 0, "vector 1 is not extendable");

	/* Unknown word: FORMAT, and its position. */
	snprintf(big, sizeof big, "%s", V1);
	memcpy(strstr(big, "solution"), "solutiom", 8);
	TAP_EQ_INT(slip39_mnemonic_decode(big, &s, &d), CAIRN_ERR_FORMAT,
	    "unknown word refused");
	TAP_EQ_INT(d.problem, SLIP39_PROBLEM_UNKNOWN_WORD, "...as unknown");
	TAP_EQ_INT(d.word, 8, "...at word 8");

	/* A changed word at any position fails the checksum. */
	for (i = 0, bad = 0; i < n; i++) {
		memcpy(w2, w, sizeof w);
		w2[i] = (w2[i] + 1 + (int)i * 37) % 1024;
		from_indices(w2, n, buf, sizeof buf);
		if (slip39_mnemonic_decode(buf, &s, &d) != CAIRN_ERR_FORMAT ||
		    d.problem != SLIP39_PROBLEM_CHECKSUM)
			bad++;
	}
	TAP_EQ_INT(bad, 0,
	    "a changed word at each of 20 positions fails "
	    "the checksum");
	/* Swapping two words also fails. */
	memcpy(w2, w, sizeof w);
	w2[5] = w[6];
	w2[6] = w[5];
	from_indices(w2, n, buf, sizeof buf);
	TAP_EQ_INT(slip39_mnemonic_decode(buf, &s, &d), CAIRN_ERR_FORMAT,
	    "swapped words fail");
	/* The checksum depends on the customization string: flipping the
	 * extendable bit alone fails. */
	memcpy(w2, w, sizeof w);
	w2[1] ^= 16;
	from_indices(w2, n, buf, sizeof buf);
	TAP_EQ_INT(slip39_mnemonic_decode(buf, &s, &d), CAIRN_ERR_FORMAT,
	    "flipped extendable flag fails the checksum");

	/* Nonzero padding with a correct checksum: PADDING. */
	memcpy(w2, w, sizeof w);
	w2[4] |= 0x200; /* 130 value bits: 2 padding bits on top */
	fix_checksum(w2, n, 0);
	from_indices(w2, n, buf, sizeof buf);
	TAP_EQ_INT(slip39_mnemonic_decode(buf, &s, &d), CAIRN_ERR_FORMAT,
	    "nonzero padding refused");
	TAP_EQ_INT(d.problem, SLIP39_PROBLEM_PADDING, "...as padding");
	/* ... and the same construction with zero padding is accepted (so
	 * the must-fail above fails for the padding alone). */
	memcpy(w2, w, sizeof w);
	w2[4] ^= 0x080; /* first value bit, below the padding */
	fix_checksum(w2, n, 0);
	from_indices(w2, n, buf, sizeof buf);
	TAP_EQ_INT(slip39_mnemonic_decode(buf, &s, &d), 0,
	    "re-checksummed mnemonic with zero padding accepted");

	/* Lengths: 19 words too short; 21 words = 140 value bits, 12 bits
	 * of padding; 60 words over cairn's limit. */
	memcpy(w2, w, sizeof w);
	fix_checksum(w2, 19, 0);
	from_indices(w2, 19, buf, sizeof buf);
	TAP_EQ_INT(slip39_mnemonic_decode(buf, &s, &d), CAIRN_ERR_FORMAT,
	    "19 words refused");
	TAP_EQ_INT(d.problem, SLIP39_PROBLEM_LENGTH, "...as a length problem");
	memcpy(w2, w, sizeof w);
	w2[20] = 0;
	fix_checksum(w2, 21, 0);
	from_indices(w2, 21, buf, sizeof buf);
	TAP_EQ_INT(slip39_mnemonic_decode(buf, &s, &d), CAIRN_ERR_FORMAT,
	    "21 words (12 padding bits) refused");
	TAP_EQ_INT(d.problem, SLIP39_PROBLEM_LENGTH, "...as a length problem");
	for (i = 0; i < 60; i++)
		w2[i] = 0;
	fix_checksum(w2, 60, 0);
	from_indices(w2, 60, big, sizeof big);
	TAP_EQ_INT(slip39_mnemonic_decode(big, &s, &d), CAIRN_ERR_LIMIT,
	    "60 words over the 512-bit limit");
	TAP_EQ_INT(slip39_mnemonic_decode("", &s, &d), CAIRN_ERR_FORMAT,
	    "empty mnemonic refused");

	/* Encode: a too small buffer, and out-of-range fields. */
	TAP_EQ_INT(slip39_mnemonic_decode(V1, &s, NULL), 0, "decode vector 1");
	TAP_EQ_INT(slip39_mnemonic_encode(&s, buf, 40), CAIRN_ERR_INVAL,
	    "encode into a short buffer refused");
	TAP_EQ_INT(slip39_mnemonic_encode(&s, buf, sizeof buf), 0, "encode");
	TAP_OK(strcmp(buf, V1) == 0, "encode(decode(v1)) == v1");
	TAP_EQ_INT(slip39_mnemonic_encode(&s, buf, strlen(V1) + 1), 0,
	    "encode into an exact buffer");
	s.value_len = 17;
	TAP_EQ_INT(slip39_mnemonic_encode(&s, buf, sizeof buf), CAIRN_ERR_INVAL,
	    "odd value length refused");
	s.value_len = 16;
	s.group_threshold = 3;
	s.group_count = 2;
	TAP_EQ_INT(slip39_mnemonic_encode(&s, buf, sizeof buf), CAIRN_ERR_INVAL,
	    "group threshold > count refused");
	slip39_share_wipe(&s);
	TAP_OK(s.value_len == 0 && s.value[0] == 0, "share wiped");
}

/* ---- the Feistel cipher against one built on nettle's PBKDF2 */
static void
ref_feistel(const uint8_t *in, size_t len, const char *pass, int e, uint16_t id,
    int ext, uint8_t *out, int dec)
{
	uint8_t l[32], r[32], f[32], pw[128], salt[8 + 32], t;
	size_t h = len / 2, pre = ext ? 0 : 8, k;
	int i, round;

	memcpy(l, in, h);
	memcpy(r, in + h, h);
	memcpy(pw + 1, pass, strlen(pass));
	memcpy(salt, "shamir", 6);
	salt[6] = (uint8_t)(id >> 8);
	salt[7] = (uint8_t)id;
	for (round = 0; round < 4; round++) {
		i = dec ? 3 - round : round;
		pw[0] = (uint8_t)i;
		memcpy(salt + pre, r, h);
		pbkdf2_hmac_sha256(
		    1 + strlen(pass), pw, 2500u << e, pre + h, salt, h, f);
		for (k = 0; k < h; k++) {
			t = (uint8_t)(l[k] ^ f[k]);
			l[k] = r[k];
			r[k] = t;
		}
	}
	memcpy(out, r, h);
	memcpy(out + h, l, h);
}

static void
test_cipher(void)
{
	uint8_t in[32], a[32], b[32], c[32];
	size_t len, i, bad = 0, inv = 0;
	int ext;

	for (i = 0; i < sizeof in; i++)
		in[i] = (uint8_t)(i * 7 + 1);
	for (len = 16; len <= 32; len += 16)
		for (ext = 0; ext <= 1; ext++) {
			slip39_encrypt(in, len, "TREZOR", 6, 0, 0x1234, ext, a);
			ref_feistel(in, len, "TREZOR", 0, 0x1234, ext, b, 0);
			bad += memcmp(a, b, len) != 0;
			slip39_decrypt(a, len, "TREZOR", 6, 0, 0x1234, ext, c);
			inv += memcmp(c, in, len) != 0;
			ref_feistel(in, len, "", 1, 7, ext, b, 1);
			slip39_decrypt(in, len, "", 0, 1, 7, ext, a);
			bad += memcmp(a, b, len) != 0;
		}
	TAP_EQ_INT(bad, 0,
	    "Feistel agrees with a nettle-PBKDF2 reference "
	    "(16/32 bytes, ext 0/1, e 0/1)");
	TAP_EQ_INT(inv, 0, "decrypt inverts encrypt");
	slip39_encrypt(in, 16, "TREZOR", 6, 0, 0x1234, 0, a);
	slip39_encrypt(in, 16, "TREZOR", 6, 0, 0x1235, 0, b);
	TAP_OK(memcmp(a, b, 16) != 0, "ext=0: the identifier salts");
	slip39_encrypt(in, 16, "TREZOR", 6, 0, 0x1234, 1, a);
	slip39_encrypt(in, 16, "TREZOR", 6, 0, 0x1235, 1, b);
	TAP_OK(memcmp(a, b, 16) == 0, "ext=1: the identifier does not");
	memcpy(a, in, 16);
	TAP_EQ_INT(slip39_encrypt(a, 16, "x", 1, 0, 1, 1, a), 0,
	    "in-place encryption");
	slip39_encrypt(in, 16, "x", 1, 0, 1, 1, b);
	TAP_OK(memcmp(a, b, 16) == 0, "in-place gives the same result");
	TAP_EQ_INT(slip39_encrypt(in, 15, "", 0, 0, 0, 1, a), CAIRN_ERR_INVAL,
	    "15-byte secret refused");
	TAP_EQ_INT(slip39_encrypt(in, 16, "", 0, 16, 0, 1, a), CAIRN_ERR_INVAL,
	    "iteration exponent 16 refused");
	TAP_EQ_INT(slip39_encrypt(in, 16, "caf\xc3\xa9", 5, 0, 0, 1, a),
	    CAIRN_ERR_INVAL, "non-ASCII passphrase refused");
	TAP_OK(slip39_passphrase_check(" ~TREZOR", 8) &&
	        slip39_passphrase_check(NULL, 0) &&
	        !slip39_passphrase_check(NULL, 1) &&
	        !slip39_passphrase_check("\x7f", 1),
	    "passphrase check: 32..126 only");
	TAP_EQ_INT(slip39_encrypt(in, 16, "a\nb", 3, 0, 0, 1, a),
	    CAIRN_ERR_INVAL, "control character in passphrase refused");
}

static void
test_vector1_detail(void)
{
	struct slip39_share s;
	uint8_t want[16], got[64];
	size_t len;

	unhex(V1_SECRET, want, sizeof want);
	TAP_EQ_INT(slip39_mnemonic_decode(V1, &s, NULL), 0, "decode v1");
	TAP_EQ_INT(slip39_combine(&s, 1, "TREZOR", 6, got, 15, &len, NULL),
	    CAIRN_ERR_INVAL, "combine into a too small buffer refused");
	TAP_EQ_INT(slip39_combine(&s, 1, "TREZOR", 6, got, 16, &len, NULL), 0,
	    "combine v1 into an exact buffer");
	TAP_OK(len == 16 && memcmp(got, want, 16) == 0, "v1 secret");
	TAP_EQ_INT(slip39_combine(&s, 1, "TREZOR", 6, got, 64, &len, NULL), 0,
	    "combine is repeatable");
	TAP_EQ_INT(slip39_combine(&s, 1, "TREZOS", 6, got, 64, &len, NULL), 0,
	    "wrong passphrase is not detected (by design)");
	TAP_OK(memcmp(got, want, 16) != 0, "...but gives another secret");
	slip39_share_wipe(&s);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_vectors();
	test_words();
	test_cipher();
	test_vector1_detail();
	return tap_done();
}
