/*
 * test_slip39_split.c - SLIP-39 splitting and combining: the cases of the
 * reference implementation's test_shamir.py (python-shamir-mnemonic),
 * plus mixed sets, duplicates, tampering, extendable flag, secret lengths
 * and mnemonic round trips.  A deterministic RNG is injected through
 * slip39_test_set_rng().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/slip39.h"
#include "tap.h"

static const uint8_t MS[] = "ABCDEFGHIJKLMNOP"; /* 16 bytes + NUL */
#define MSLEN 16

/* ---- deterministic RNG: ChaCha20 keyed by a seed and a call counter */
struct det_rng {
	uint8_t seed[randombytes_SEEDBYTES];
	uint64_t calls;
};

static struct det_rng rngstate;

static void
det_rng_fn(void *ctx, uint8_t *buf, size_t len)
{
	struct det_rng *r = ctx;
	uint8_t s[randombytes_SEEDBYTES];

	memcpy(s, r->seed, sizeof s);
	memcpy(s, &r->calls, sizeof r->calls);
	r->calls++;
	randombytes_buf_deterministic(buf, len, s);
}

static void
seed_rng(uint8_t seed)
{
	memset(&rngstate, 0, sizeof rngstate);
	memset(rngstate.seed, seed, sizeof rngstate.seed);
	slip39_test_set_rng(det_rng_fn, &rngstate);
}

static uint32_t shuf_state = 0x9e3779b9u;

static void
shuffle(struct slip39_share *s, size_t n)
{
	struct slip39_share t;
	size_t i, j;

	for (i = n; i > 1; i--) {
		shuf_state ^= shuf_state << 13;
		shuf_state ^= shuf_state >> 17;
		shuf_state ^= shuf_state << 5;
		j = shuf_state % i;
		t = s[i - 1];
		s[i - 1] = s[j];
		s[j] = t;
	}
}

static int
split(const uint8_t *ms, size_t len, const char *pass, int e, int ext,
    int gt, const struct slip39_group_spec *g, size_t ng,
    struct slip39_share **sh, size_t *n)
{
	return slip39_split(ms, len, pass, pass ? strlen(pass) : 0, e, ext, gt,
	    g, ng, sh, n);
}

static int
combine(const struct slip39_share *sh, size_t n, const char *pass,
    uint8_t *out, size_t *len, struct slip39_diag *d)
{
	return slip39_combine(sh, n, pass, pass ? strlen(pass) : 0, out,
	    SLIP39_MAX_SECRET_LEN, len, d);
}

static int
combine_eq(const struct slip39_share *sh, size_t n, const char *pass,
    const uint8_t *want, size_t wlen)
{
	uint8_t out[SLIP39_MAX_SECRET_LEN];
	size_t len;

	return combine(sh, n, pass, out, &len, NULL) == 0 && len == wlen &&
	    memcmp(out, want, wlen) == 0;
}

/* Pick shares by index into a scratch array. */
static struct slip39_share pick[32];

static size_t
pick_idx(const struct slip39_share *sh, const int *idx, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pick[i] = sh[idx[i]];
	return n;
}

static void
test_basic(void)
{
	static const struct slip39_group_spec g35 = { 3, 5 };
	struct slip39_share *sh;
	struct slip39_diag d;
	uint8_t out[64];
	size_t n, len;

	seed_rng(1);
	TAP_EQ_INT(split(MS, MSLEN, NULL, 0, 1, 1, &g35, 1, &sh, &n), 0,
	    "split 3-of-5");
	TAP_EQ_INT(n, 5, "5 shares");
	TAP_OK(combine_eq(sh, 3, NULL, MS, MSLEN), "shares 0..2 recover");
	TAP_OK(combine_eq(sh + 1, 3, NULL, MS, MSLEN), "shares 1..3 recover");
	TAP_EQ_INT(combine(sh + 1, 2, NULL, out, &len, &d), CAIRN_ERR_TOO_FEW,
	    "two of 3-of-5 are too few");
	TAP_EQ_INT(d.problem, SLIP39_PROBLEM_FEW_MEMBERS, "...members short");
	TAP_OK(d.need == 3 && d.have == 2 && d.group == 0,
	    "...need 3, have 2 in group 0 (need %d have %d group %d)", d.need,
	    d.have, d.group);
	TAP_EQ_INT(combine(sh, 4, NULL, out, &len, &d), CAIRN_ERR_MISMATCH,
	    "four of 3-of-5: the spec wants exactly the threshold");
	TAP_EQ_INT(d.problem, SLIP39_PROBLEM_MANY_MEMBERS, "...too many");
	TAP_EQ_INT(combine(NULL, 0, NULL, out, &len, &d), CAIRN_ERR_TOO_FEW,
	    "no shares at all");
	/* The same share twice counts once. */
	pick[0] = sh[0];
	pick[1] = sh[0];
	pick[2] = sh[1];
	TAP_EQ_INT(combine(pick, 3, NULL, out, &len, &d), CAIRN_ERR_TOO_FEW,
	    "a repeated share counts once");
	TAP_EQ_INT(d.have, 2, "...two distinct shares");
	pick[3] = sh[4];
	TAP_OK(combine_eq(pick, 4, NULL, MS, MSLEN),
	    "3 distinct + 1 repeated recover");
	/* One index, two values. */
	pick[0] = sh[0];
	pick[1] = sh[1];
	pick[2] = sh[2];
	pick[3] = sh[2];
	pick[3].value[5] ^= 1;
	TAP_EQ_INT(combine(pick, 4, NULL, out, &len, &d), CAIRN_ERR_MISMATCH,
	    "duplicate member index with different value");
	TAP_EQ_INT(d.problem, SLIP39_PROBLEM_DUPLICATE, "...as duplicate");
	/* A tampered value: the digest catches it. */
	pick[2].value[5] ^= 1;
	TAP_EQ_INT(combine(pick, 3, NULL, out, &len, &d), CAIRN_ERR_MISMATCH,
	    "tampered share value");
	TAP_EQ_INT(d.problem, SLIP39_PROBLEM_DIGEST, "...digest mismatch");
	/* Different member thresholds in one group. */
	pick[2] = sh[2];
	pick[2].member_threshold = 4;
	TAP_EQ_INT(combine(pick, 3, NULL, out, &len, &d), CAIRN_ERR_MISMATCH,
	    "member thresholds differ");
	TAP_EQ_INT(d.problem, SLIP39_PROBLEM_MEMBER_THRESHOLD, "...as such");
	/* Out-of-range fields in a hand-made struct. */
	pick[2] = sh[2];
	pick[2].value_len = 15;
	TAP_EQ_INT(combine(pick, 3, NULL, out, &len, &d), CAIRN_ERR_FORMAT,
	    "bad value_len in a share struct");
	TAP_EQ_INT(d.share, 2, "...share 2 at fault");
	TAP_EQ_INT(slip39_combine(sh, 3, "\x01", 1, out, 64, &len, &d),
	    CAIRN_ERR_INVAL, "non-printable passphrase refused");
	slip39_shares_free(sh, n);
}

static void
test_passphrase_and_exponent(void)
{
	static const struct slip39_group_spec g35 = { 3, 5 };
	struct slip39_share *sh;
	uint8_t out[64];
	size_t n, len;
	int e;

	for (e = 0; e <= 2; e++) {
		seed_rng((uint8_t)(10 + e));
		TAP_OK(split(MS, MSLEN, "TREZOR", e, 1, 1, &g35, 1, &sh,
			   &n) == 0, "split with passphrase, e=%d", e);
		TAP_EQ_INT(sh[0].iteration_exponent, e, "exponent stored");
		TAP_OK(combine_eq(sh + 1, 3, "TREZOR", MS, MSLEN),
		    "right passphrase recovers (e=%d)", e);
		TAP_OK(combine(sh + 1, 3, NULL, out, &len, NULL) == 0 &&
			memcmp(out, MS, MSLEN) != 0,
		    "empty passphrase gives another secret (e=%d)", e);
		slip39_shares_free(sh, n);
	}
	TAP_EQ_INT(split(MS, MSLEN, "caf\xc3\xa9", 0, 1, 1, &g35, 1, &sh, &n),
	    CAIRN_ERR_INVAL, "non-ASCII passphrase refused by split");
	TAP_EQ_INT(split(MS, MSLEN, NULL, 16, 1, 1, &g35, 1, &sh, &n),
	    CAIRN_ERR_INVAL, "iteration exponent 16 refused");
	TAP_EQ_INT(split(MS, MSLEN, NULL, -1, 1, 1, &g35, 1, &sh, &n),
	    CAIRN_ERR_INVAL, "iteration exponent -1 refused");
	TAP_EQ_INT(split(MS, MSLEN, NULL, 0, 2, 1, &g35, 1, &sh, &n),
	    CAIRN_ERR_INVAL, "extendable 2 refused");
	TAP_OK(sh == NULL && n == 0, "failed split returns nothing");
}

/* test_shamir.py test_group_sharing: GT 2 of (3,5) (2,3) (2,5) (1,1). */
static void
test_groups(void)
{
	static const struct slip39_group_spec g[4] = { { 3, 5 }, { 2, 3 },
		{ 2, 5 }, { 1, 1 } };
	static const int off[4] = { 0, 5, 8, 13 };
	struct slip39_share *sh;
	struct slip39_diag d;
	uint8_t out[64];
	size_t n, len, m, k;
	unsigned a, b, sa, sb, combos = 0, bad = 0, order = 0, i;
	int idx[8];

	seed_rng(20);
	TAP_EQ_INT(split(MS, MSLEN, NULL, 0, 1, 2, g, 4, &sh, &n), 0,
	    "split 2-of-4 groups");
	TAP_EQ_INT(n, 14, "14 shares");
	for (k = 0; k < n; k++) {
		i = k >= 13 ? 3 : k >= 8 ? 2 : k >= 5 ? 1 : 0;
		order += sh[k].group_index != i ||
		    sh[k].member_index != k - (size_t)off[i] ||
		    sh[k].group_count != 4 || sh[k].group_threshold != 2 ||
		    sh[k].member_threshold != g[i].member_threshold;
	}
	TAP_EQ_INT(order, 0, "shares in group order, then member order");

	/* Every valid combination: 2 groups, threshold members of each,
	 * as subsets encoded in bitmasks, shuffled. */
	for (a = 0; a < 4; a++)
		for (b = a + 1; b < 4; b++)
			for (sa = 0; sa < (1u << g[a].member_count); sa++) {
				if ((int)__builtin_popcount(sa) !=
				    g[a].member_threshold)
					continue;
				for (sb = 0; sb < (1u << g[b].member_count);
				     sb++) {
					if ((int)__builtin_popcount(sb) !=
					    g[b].member_threshold)
						continue;
					m = 0;
					for (i = 0; i < 5; i++) {
						if (sa & (1u << i))
							idx[m++] = off[a] + (int)i;
						if (sb & (1u << i))
							idx[m++] = off[b] + (int)i;
					}
					pick_idx(sh, idx, m);
					shuffle(pick, m);
					combos++;
					bad += !combine_eq(pick, m, NULL, MS,
					    MSLEN);
				}
			}
	TAP_EQ_INT(combos, 183, "183 valid combinations tried");
	TAP_EQ_INT(bad, 0, "every valid combination recovers the secret");

	/* Minimal sets from test_shamir.py. */
	idx[0] = off[2] + 0, idx[1] = off[2] + 2, idx[2] = off[3];
	TAP_OK(combine_eq(pick, pick_idx(sh, idx, 3), NULL, MS, MSLEN),
	    "minimal set: group 2 (2 shares) + group 3");
	idx[0] = off[2] + 3, idx[1] = off[3], idx[2] = off[2] + 4;
	TAP_OK(combine_eq(pick, pick_idx(sh, idx, 3), NULL, MS, MSLEN),
	    "minimal set, other order");

	/* One complete group and one incomplete group. */
	idx[0] = 2, idx[1] = 3, idx[2] = 4, idx[3] = off[1];
	TAP_EQ_INT(combine(pick, pick_idx(sh, idx, 4), NULL, out, &len, &d),
	    CAIRN_ERR_TOO_FEW, "complete + incomplete group fails");
	TAP_OK(d.problem == SLIP39_PROBLEM_FEW_MEMBERS && d.group == 1 &&
		d.need == 2 && d.have == 1,
	    "...group 1 needs 2, has 1");
	/* One group of two required. */
	TAP_EQ_INT(combine(sh + 1, 3, NULL, out, &len, &d), CAIRN_ERR_TOO_FEW,
	    "one group when two are required fails");
	TAP_OK(d.problem == SLIP39_PROBLEM_FEW_GROUPS && d.need == 2 &&
		d.have == 1, "...need 2 groups, have 1");
	/* Three groups when two are required. */
	idx[0] = off[3], idx[1] = off[1], idx[2] = off[1] + 1,
	idx[3] = off[2], idx[4] = off[2] + 1;
	TAP_EQ_INT(combine(pick, pick_idx(sh, idx, 5), NULL, out, &len, &d),
	    CAIRN_ERR_MISMATCH, "three groups when two are required");
	TAP_EQ_INT(d.problem, SLIP39_PROBLEM_MANY_GROUPS, "...too many groups");
	/* Tampering with a group index moves a share to another group: the
	 * top-level digest catches it. */
	idx[0] = off[3], idx[1] = off[1], idx[2] = off[1] + 1;
	pick_idx(sh, idx, 3);
	pick[0].group_index = 0;
	TAP_EQ_INT(combine(pick, 3, NULL, out, &len, &d), CAIRN_ERR_MISMATCH,
	    "forged group index");
	TAP_OK(d.problem == SLIP39_PROBLEM_DIGEST && d.group == -1,
	    "...top-level digest mismatch");
	slip39_shares_free(sh, n);
}

static void
test_invalid_sharing(void)
{
	static const struct slip39_group_spec g2[2] = { { 3, 5 }, { 2, 5 } };
	static const struct slip39_group_spec bad32[2] = { { 3, 2 }, { 2, 5 } };
	static const struct slip39_group_spec bad0[2] = { { 0, 2 }, { 2, 5 } };
	static const struct slip39_group_spec one3[3] = { { 3, 5 }, { 1, 3 },
		{ 2, 5 } };
	static const struct slip39_group_spec g17 = { 2, 17 };
	static const struct slip39_group_spec g11 = { 1, 1 };
	struct slip39_group_spec many[17];
	uint8_t big[66] = { 0 };
	struct slip39_share *sh;
	size_t n, i;

	TAP_EQ_INT(split(MS, 14, NULL, 0, 1, 1, g2, 1, &sh, &n),
	    CAIRN_ERR_INVAL, "short master secret refused");
	TAP_EQ_INT(split((const uint8_t *)"ABCDEFGHIJKLMNOPX", 17, NULL, 0, 1,
		       1, g2, 1, &sh, &n),
	    CAIRN_ERR_INVAL, "odd-length master secret refused");
	TAP_EQ_INT(split(big, 66, NULL, 0, 1, 1, g2, 1, &sh, &n),
	    CAIRN_ERR_INVAL, "66-byte secret over cairn's limit refused");
	TAP_EQ_INT(split(MS, MSLEN, NULL, 0, 1, 3, g2, 2, &sh, &n),
	    CAIRN_ERR_INVAL, "group threshold exceeds group count");
	TAP_EQ_INT(split(MS, MSLEN, NULL, 0, 1, 0, g2, 2, &sh, &n),
	    CAIRN_ERR_INVAL, "group threshold 0");
	TAP_EQ_INT(split(MS, MSLEN, NULL, 0, 1, 2, bad32, 2, &sh, &n),
	    CAIRN_ERR_INVAL, "member threshold exceeds member count");
	TAP_EQ_INT(split(MS, MSLEN, NULL, 0, 1, 2, bad0, 2, &sh, &n),
	    CAIRN_ERR_INVAL, "member threshold 0");
	TAP_EQ_INT(split(MS, MSLEN, NULL, 0, 1, 2, one3, 3, &sh, &n),
	    CAIRN_ERR_INVAL, "group with 3 members and threshold 1 refused");
	TAP_EQ_INT(split(MS, MSLEN, NULL, 0, 1, 1, &g17, 1, &sh, &n),
	    CAIRN_ERR_INVAL, "17 members refused");
	for (i = 0; i < 17; i++)
		many[i] = g11;
	TAP_EQ_INT(split(MS, MSLEN, NULL, 0, 1, 1, many, 17, &sh, &n),
	    CAIRN_ERR_INVAL, "17 groups refused");
	TAP_EQ_INT(split(MS, MSLEN, NULL, 0, 1, 16, many, 16, &sh, &n), 0,
	    "16 groups of 1-of-1, all required");
	TAP_OK(n == 16 && combine_eq(sh, n, NULL, MS, MSLEN),
	    "16 groups recover");
	shuffle(sh, n);
	TAP_EQ_INT(combine_eq(sh, 15, NULL, MS, MSLEN), 0,
	    "15 of 16 required groups do not");
	slip39_shares_free(sh, n);
}

static void
test_mixed_sets(void)
{
	static const struct slip39_group_spec g23 = { 2, 3 };
	struct slip39_share *a, *b;
	struct slip39_diag d;
	uint8_t out[64];
	size_t na, nb, len;

	seed_rng(30);
	split(MS, MSLEN, NULL, 0, 1, 1, &g23, 1, &a, &na);
	split(MS, MSLEN, NULL, 0, 1, 1, &g23, 1, &b, &nb);
	TAP_OK(a[0].identifier != b[0].identifier,
	    "two splits get different identifiers");
	pick[0] = a[0];
	pick[1] = b[1];
	TAP_EQ_INT(combine(pick, 2, NULL, out, &len, &d), CAIRN_ERR_MISMATCH,
	    "shares from two sets refused");
	TAP_OK(d.problem == SLIP39_PROBLEM_SET && d.share == 1,
	    "...share 1 is from another set");
	/* Same identifier forced: the digest still catches the mix. */
	pick[1].identifier = pick[0].identifier;
	TAP_EQ_INT(combine(pick, 2, NULL, out, &len, &d), CAIRN_ERR_MISMATCH,
	    "same id, different polynomials refused");
	TAP_EQ_INT(d.problem, SLIP39_PROBLEM_DIGEST, "...by the digest");
	pick[1] = a[1];
	pick[1].iteration_exponent = 1;
	TAP_EQ_INT(combine(pick, 2, NULL, out, &len, &d), CAIRN_ERR_MISMATCH,
	    "different iteration exponents refused");
	pick[1] = a[1];
	pick[1].extendable = 0;
	TAP_EQ_INT(combine(pick, 2, NULL, out, &len, &d), CAIRN_ERR_MISMATCH,
	    "different extendable flags refused");
	TAP_OK(combine_eq(a + 1, 2, NULL, MS, MSLEN), "the real pair works");
	slip39_shares_free(a, na);
	slip39_shares_free(b, nb);
}

static void
test_extendable_and_lengths(void)
{
	static const struct slip39_group_spec g23 = { 2, 3 };
	struct slip39_share *sh, dec;
	char mn[SLIP39_MNEMONIC_MAX];
	uint8_t secret[64];
	size_t n, len, k, i, words, bad = 0, badw = 0, prefix = 0;
	int ext;

	for (i = 0; i < sizeof secret; i++)
		secret[i] = (uint8_t)(0xa0 ^ i * 13);
	for (ext = 0; ext <= 1; ext++) {
		seed_rng((uint8_t)(40 + ext));
		TAP_OK(split(MS, MSLEN, "pw", 0, ext, 1, &g23, 1, &sh, &n) ==
		    0, "split with extendable=%d", ext);
		TAP_EQ_INT(sh[0].extendable, ext, "flag set on new shares");
		slip39_mnemonic_encode(&sh[1], mn, sizeof mn);
		slip39_mnemonic_decode(mn, &dec, NULL);
		TAP_EQ_INT(dec.extendable, ext, "flag survives the mnemonic");
		TAP_OK(combine_eq(sh + 1, 2, "pw", MS, MSLEN),
		    "extendable=%d round trip", ext);
		slip39_shares_free(sh, n);
	}

	/* 16..32 bytes in 2-byte steps, and 64: mnemonic round trip with
	 * the expected number of words. */
	for (len = 16; len <= 64; len += 2) {
		if (len > 32 && len != 64)
			continue;
		seed_rng((uint8_t)len);
		if (split(secret, len, NULL, 0, 1, 1, &g23, 1, &sh, &n) != 0) {
			bad++;
			continue;
		}
		for (k = 0; k < n; k++) {
			if (slip39_mnemonic_encode(&sh[k], mn, sizeof mn) != 0 ||
			    slip39_mnemonic_decode(mn, &sh[k], NULL) != 0) {
				bad++;
				continue;
			}
			for (i = 0, words = 1; mn[i]; i++)
				words += mn[i] == ' ';
			badw += words != SLIP39_WORDS_FOR(len);
			if (len == 32)
				badw += words != 33;
			/* first 3 words equal within a group */
			if (k > 0) {
				char m0[SLIP39_MNEMONIC_MAX];
				const char *p = mn;
				int sp = 0;

				slip39_mnemonic_encode(&sh[0], m0, sizeof m0);
				while (*p && sp < 3)
					sp += *p++ == ' ';
				prefix += strncmp(mn, m0, (size_t)(p - mn)) != 0;
			}
		}
		bad += !combine_eq(sh, 2, NULL, secret, len);
		bad += !combine_eq(sh + 1, 2, NULL, secret, len);
		slip39_shares_free(sh, n);
	}
	TAP_EQ_INT(bad, 0, "16..32-byte (step 2) and 64-byte secrets "
	    "round-trip through mnemonics");
	TAP_EQ_INT(badw, 0, "word counts 7 + ceil(8n/10); 32 bytes -> 33");
	TAP_EQ_INT(prefix, 0, "shares of a group share their first 3 words");
	slip39_share_wipe(&dec);
}

static void
test_deterministic(void)
{
	static const struct slip39_group_spec g[2] = { { 2, 3 }, { 3, 4 } };
	struct slip39_share *a, *b;
	size_t na, nb;

	seed_rng(50);
	split(MS, MSLEN, NULL, 0, 1, 2, g, 2, &a, &na);
	seed_rng(50);
	split(MS, MSLEN, NULL, 0, 1, 2, g, 2, &b, &nb);
	TAP_OK(na == 7 && nb == 7 && memcmp(a, b, 7 * sizeof *a) == 0,
	    "same injected RNG seed, same shares");
	slip39_shares_free(b, nb);
	seed_rng(51);
	split(MS, MSLEN, NULL, 0, 1, 2, g, 2, &b, &nb);
	TAP_OK(memcmp(a[3].value, b[3].value, MSLEN) != 0,
	    "another seed, other shares");
	slip39_shares_free(a, na);
	slip39_shares_free(b, nb);
	/* 1-of-1: the share value is the encrypted secret itself, and the
	 * digest is not used. */
	{
		static const struct slip39_group_spec g11 = { 1, 1 };
		uint8_t ems[MSLEN];

		seed_rng(52);
		split(MS, MSLEN, "", 0, 1, 1, &g11, 1, &a, &na);
		slip39_encrypt(MS, MSLEN, "", 0, 0, a[0].identifier, 1, ems);
		TAP_OK(memcmp(a[0].value, ems, MSLEN) == 0,
		    "1-of-1 share value is EMS");
		slip39_shares_free(a, na);
	}
	slip39_test_set_rng(NULL, NULL);
	split(MS, MSLEN, NULL, 0, 1, 1, &g[0], 1, &a, &na);
	TAP_OK(combine_eq(a, 2, NULL, MS, MSLEN), "real RNG restored, works");
	slip39_shares_free(a, na);
}

/*
 * Allocation failures (fault_at = N in the library options fails the Nth
 * cio_fault_hit call).  Each N runs in a fresh child forked before this
 * process made any such call.  The child exits with the
 * stage that failed: 0 none, 1 split NOMEM, 2 combine NOMEM, 3 other.
 */
static int
fault_child(int nth)
{
	static const struct slip39_group_spec g23 = { 2, 3 };
	struct slip39_share *sh;
	uint8_t out[64];
	struct cairn_options o = *cairn_options();
	size_t n, len;
	int rc;

	o.fault_at = nth;
	cairn_set_options(&o);
	rc = split(MS, MSLEN, "x", 0, 1, 1, &g23, 1, &sh, &n);
	if (rc != 0)
		return rc == CAIRN_ERR_NOMEM && sh == NULL ? 1 : 3;
	rc = combine(sh, 2, "x", out, &len, NULL);
	slip39_shares_free(sh, n);
	if (rc != 0)
		return rc == CAIRN_ERR_NOMEM ? 2 : 3;
	return memcmp(out, MS, MSLEN) == 0 ? 0 : 3;
}

static void
test_faults(void)
{
	/* split: workspace, share array, cipher workspace; combine:
	 * workspace, cipher workspace; then nothing left to fail. */
	static const int want[6] = { 1, 1, 1, 2, 2, 0 };
	int nth, st, bad = 0;
	pid_t pid;

	fflush(stdout);
	for (nth = 1; nth <= 6; nth++) {
		if ((pid = fork()) == 0)
			_exit(fault_child(nth));
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != want[nth - 1]) {
			bad++;
			printf("# CAIRN_FAULT=%d: status %d\n", nth, st);
		}
	}
	TAP_EQ_INT(bad, 0, "every allocation failure gives CAIRN_ERR_NOMEM "
	    "cleanly, and all succeed past them");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_faults(); /* first: before any cio_fault_hit() call here */
	test_basic();
	test_passphrase_and_exponent();
	test_groups();
	test_invalid_sharing();
	test_mixed_sets();
	test_extendable_and_lengths();
	test_deterministic();
	slip39_test_set_rng(NULL, NULL);
	return tap_done();
}
