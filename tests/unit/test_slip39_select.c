/*
 * test_slip39_select.c - slip39_select(): choosing a subset
 * slip39_combine accepts from the share files a user gives (extra
 * shares, incomplete groups, the same share twice), and each refusal with
 * the shares at fault (diag.share, diag.other) and the per-group counts
 * the CLI names in "too few shares" messages.
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/slip39.h"
#include "tap.h"

static const uint8_t MS[] = "ABCDEFGHIJKLMNOP"; /* 16 bytes + NUL */
#define MSLEN 16

/* gt = 2 of groups 2-of-3 (shares 0..2), 3-of-5 (3..7), 1-of-1 (8). */
static struct slip39_share *sh;
static size_t nsh;

static int
split_set(struct slip39_share **out, size_t *n)
{
	static const struct slip39_group_spec g[3] = {{2, 3}, {3, 5}, {1, 1}};

	return slip39_split(MS, MSLEN, NULL, 0, 0, 1, 2, g, 3, out, n);
}

/* in[i] = sh[idx[i]]; returns n. */
static size_t
take(struct slip39_share *in, const int *idx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		in[i] = sh[idx[i]];
	return n;
}

static void
test_pick(void)
{
	/* group 0 complete (3 of 2, one given twice), group 1 short (2 of
	 * 3), group 2 complete. */
	static const int idx[] = {1, 4, 2, 1, 0, 8, 5};
	struct slip39_share in[8], pick[8];
	struct slip39_selection sel;
	struct slip39_diag d;
	uint8_t out[SLIP39_MAX_SECRET_LEN];
	size_t n = take(in, idx, 7), len = 0;

	TAP_EQ_INT(slip39_select(in, n, &sel, &d), 0,
	    "select: two complete groups among extras");
	TAP_EQ_INT(sel.complete, 2, "select: two complete groups counted");
	TAP_OK(sel.count[0] == 3 && sel.count[1] == 2 && sel.count[2] == 1,
	    "select: distinct members per group (a share twice counts once)");
	TAP_OK(sel.threshold[0] == 2 && sel.threshold[1] == 3 &&
	        sel.threshold[2] == 1 && sel.threshold[3] == 0,
	    "select: member thresholds per group, 0 where none given");
	TAP_EQ_INT(sel.n, 3, "select: threshold members of the first groups");
	TAP_OK(sel.idx[0] == 0 && sel.idx[1] == 2 && sel.idx[2] == 5,
	    "select: first members in the order given, group order");
	for (size_t i = 0; i < sel.n; i++)
		pick[i] = in[sel.idx[i]];
	TAP_OK(slip39_combine(
	           pick, sel.n, NULL, 0, out, sizeof out, &len, NULL) == 0 &&
	        len == MSLEN && memcmp(out, MS, MSLEN) == 0,
	    "select: the chosen shares combine to the secret");
	TAP_EQ_INT(slip39_combine(in, n, NULL, 0, out, sizeof out, &len, &d),
	    CAIRN_ERR_MISMATCH, "combine alone refuses the extras");
}

static void
test_too_few(void)
{
	static const int idx[] = {1, 4, 5};
	struct slip39_share in[4];
	struct slip39_selection sel;
	struct slip39_diag d;
	size_t n = take(in, idx, 3);

	TAP_EQ_INT(slip39_select(in, n, &sel, &d), CAIRN_ERR_TOO_FEW,
	    "select: no complete group is too few");
	TAP_OK(d.problem == SLIP39_PROBLEM_FEW_GROUPS && d.need == 2 &&
	        d.have == 0,
	    "select: FEW_GROUPS, need 2, have 0");
	TAP_OK(sel.complete == 0 && sel.count[0] == 1 && sel.count[1] == 2 &&
	        sel.threshold[1] == 3 && sel.n == 0,
	    "select: counts filled on TOO_FEW, nothing chosen");
	TAP_EQ_INT(slip39_select(in, 0, &sel, &d), CAIRN_ERR_TOO_FEW,
	    "select: no shares is too few");
	TAP_EQ_INT(slip39_select(in, n, NULL, &d), CAIRN_ERR_INVAL,
	    "select: NULL selection refused");
}

static void
test_conflicts(void)
{
	struct slip39_share in[4], *other = NULL;
	struct slip39_selection sel;
	struct slip39_diag d;
	size_t nother = 0;

	in[0] = sh[3];
	in[1] = sh[4];
	in[2] = sh[4];
	in[2].value[0] ^= 1;
	TAP_EQ_INT(slip39_select(in, 3, &sel, &d), CAIRN_ERR_MISMATCH,
	    "select: one member index, two values");
	TAP_OK(d.problem == SLIP39_PROBLEM_DUPLICATE && d.share == 2 &&
	        d.other == 1 && d.group == 1,
	    "select: DUPLICATE names share 2 against share 1, group 1");

	in[1] = sh[5];
	in[1].member_threshold = 4;
	TAP_EQ_INT(slip39_select(in, 2, &sel, &d), CAIRN_ERR_MISMATCH,
	    "select: two member thresholds in one group");
	TAP_OK(d.problem == SLIP39_PROBLEM_MEMBER_THRESHOLD && d.share == 1 &&
	        d.other == 0 && d.group == 1,
	    "select: MEMBER_THRESHOLD names share 1 against share 0");

	TAP_EQ_INT(split_set(&other, &nother), 0, "split a second set");
	in[0] = sh[0];
	in[1] = sh[1];
	in[2] = other[0];
	if (in[2].identifier == in[0].identifier)
		in[2].identifier ^= 1;
	TAP_EQ_INT(slip39_select(in, 3, &sel, &d), CAIRN_ERR_MISMATCH,
	    "select: shares of two sets");
	TAP_OK(d.problem == SLIP39_PROBLEM_SET && d.share == 2 && d.other == 0,
	    "select: SET names the share that differs from the first");
	slip39_shares_free(other, nother);

	in[2] = sh[2];
	in[2].value_len = 15;
	TAP_EQ_INT(slip39_select(in, 3, &sel, &d), CAIRN_ERR_FORMAT,
	    "select: out-of-range field");
	TAP_OK(d.problem == SLIP39_PROBLEM_BAD_FIELD && d.share == 2,
	    "select: BAD_FIELD names the share");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	TAP_EQ_INT(split_set(&sh, &nsh), 0, "split 2 of (2/3, 3/5, 1/1)");
	TAP_EQ_INT(nsh, 9, "nine shares");
	test_pick();
	test_too_few();
	test_conflicts();
	slip39_shares_free(sh, nsh);
	return tap_done();
}
