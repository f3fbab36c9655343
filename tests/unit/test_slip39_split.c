/*
 * test_slip39_split.c - SLIP-39 splitting and combining: the cases of the
 * reference implementation's test_shamir.py (python-shamir-mnemonic):
 * basic sharing, passphrase and iteration exponent, groups and invalid
 * sharings.  Mixed sets, extendable flag, secret lengths, determinism
 * and allocation failures live in test_slip39_extend.c.
 */
#include "slip39_util.h"

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
	static const struct slip39_group_spec g35 = {3, 5};
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
	static const struct slip39_group_spec g35 = {3, 5};
	struct slip39_share *sh;
	uint8_t out[64];
	size_t n, len;
	int e;

	for (e = 0; e <= 2; e++) {
		seed_rng((uint8_t)(10 + e));
		TAP_OK(
		    split(MS, MSLEN, "TREZOR", e, 1, 1, &g35, 1, &sh, &n) == 0,
		    "split with passphrase, e=%d", e);
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
	static const struct slip39_group_spec g[4] = {
	    {3, 5}, {2, 3}, {2, 5}, {1, 1}};
	static const int off[4] = {0, 5, 8, 13};
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
							idx[m++] =
							    off[a] + (int)i;
						if (sb & (1u << i))
							idx[m++] =
							    off[b] + (int)i;
					}
					pick_idx(sh, idx, m);
					shuffle(pick, m);
					combos++;
					bad += !combine_eq(
					    pick, m, NULL, MS, MSLEN);
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
	        d.have == 1,
	    "...need 2 groups, have 1");
	/* Three groups when two are required. */
	idx[0] = off[3], idx[1] = off[1], idx[2] = off[1] + 1, idx[3] = off[2],
	idx[4] = off[2] + 1;
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
	static const struct slip39_group_spec g2[2] = {{3, 5}, {2, 5}};
	static const struct slip39_group_spec bad32[2] = {{3, 2}, {2, 5}};
	static const struct slip39_group_spec bad0[2] = {{0, 2}, {2, 5}};
	static const struct slip39_group_spec one3[3] = {
	    {3, 5}, {1, 3}, {2, 5}};
	static const struct slip39_group_spec g17 = {2, 17};
	static const struct slip39_group_spec g11 = {1, 1};
	struct slip39_group_spec many[17];
	uint8_t big[66] = {0};
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
	TAP_OK(
	    n == 16 && combine_eq(sh, n, NULL, MS, MSLEN), "16 groups recover");
	shuffle(sh, n);
	TAP_EQ_INT(combine_eq(sh, 15, NULL, MS, MSLEN), 0,
	    "15 of 16 required groups do not");
	slip39_shares_free(sh, n);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_basic();
	test_passphrase_and_exponent();
	test_groups();
	test_invalid_sharing();
	slip39_test_set_rng(NULL, NULL);
	return tap_done();
}
