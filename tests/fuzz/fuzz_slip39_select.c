/*
 * fuzz_slip39_select.c - libFuzzer target for slip39_select(), the choice
 * of a combinable subset among the shares a user gives.  The input builds
 * share structs directly (no mnemonics, so the grouping logic is reached
 * without valid checksums): byte 0 sets the group threshold and count, then
 * 4 bytes per share give its group, member index, member threshold, value
 * and, rarely, a differing set field.  A chosen subset must hold exactly
 * GT groups of exactly T distinct members, never an index twice, and
 * slip39_combine must accept it (only a digest mismatch may fail); a
 * refusal must name shares in range.  Must never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/slip39.h"
#include "fuzz_util.h"

#define MAXN (SLIP39_MAX_SHARES * SLIP39_MAX_SHARES)

static struct slip39_share in[MAXN], pick[MAXN];

static void
build(struct slip39_share *s, uint8_t gt, uint8_t gc, const uint8_t *b)
{
	memset(s, 0, sizeof *s);
	s->identifier = 1234;
	s->group_threshold = gt;
	s->group_count = gc;
	s->group_index = (uint8_t)((b[0] & 15) % gc);
	s->member_index = (uint8_t)(b[1] & 15);
	s->member_threshold = (uint8_t)(1 + (b[1] >> 4) % 4);
	s->value_len = 16;
	memset(s->value, b[2], s->value_len);
	s->value[0] = b[3];
	switch (b[0] >> 4) { /* a field of another set, or out of range */
	case 15: s->identifier ^= 1; break;
	case 14: s->value_len = b[3] % 2 == 0 ? 18 : 15; break;
	case 13: s->iteration_exponent = 1; break;
	}
}

static void
check_selection(size_t n, const struct slip39_selection *sel)
{
	int members[SLIP39_MAX_SHARES] = {0}, groups = 0, g;
	uint16_t seen[SLIP39_MAX_SHARES] = {0};
	uint8_t out[SLIP39_MAX_SECRET_LEN];
	struct slip39_diag d;
	size_t len, i;
	int rc;

	for (i = 0; i < sel->n; i++) {
		const struct slip39_share *s = &in[sel->idx[i]];

		if (sel->idx[i] >= n ||
		    (seen[s->group_index] >> s->member_index & 1))
			abort();
		seen[s->group_index] |= (uint16_t)(1u << s->member_index);
		members[s->group_index]++;
		pick[i] = *s;
	}
	for (g = 0; g < SLIP39_MAX_SHARES; g++) {
		if (members[g] == 0)
			continue;
		groups++;
		if (members[g] != sel->threshold[g] ||
		    sel->count[g] < members[g])
			abort();
	}
	if (groups != in[0].group_threshold || sel->complete < groups)
		abort();
	rc = slip39_combine(pick, sel->n, "", 0, out, sizeof out, &len, &d);
	if (rc != 0 && d.problem != SLIP39_PROBLEM_DIGEST)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slip39_selection sel;
	struct slip39_diag d;
	uint8_t gc, gt;
	size_t n = 0;
	int rc;

	if (size < 1)
		return 0;
	gc = (uint8_t)(1 + (data[0] & 15));
	gt = (uint8_t)(1 + (data[0] >> 4) % gc);
	for (size_t o = 1; o + 4 <= size && n < MAXN; o += 4)
		build(&in[n++], gt, gc, data + o);
	rc = slip39_select(in, n, &sel, &d);
	if (rc == 0)
		check_selection(n, &sel);
	else if (rc == CAIRN_ERR_TOO_FEW) {
		if (d.problem != SLIP39_PROBLEM_FEW_GROUPS || sel.n != 0 ||
		    (n > 0 && sel.complete >= gt))
			abort();
	} else if (rc == CAIRN_ERR_MISMATCH || rc == CAIRN_ERR_FORMAT) {
		if (n == 0 || d.share >= n || d.other >= n ||
		    (d.problem != SLIP39_PROBLEM_SET &&
		        d.problem != SLIP39_PROBLEM_BAD_FIELD &&
		        d.other >= d.share))
			abort();
	} else
		abort();
	sodium_memzero(in, sizeof in);
	return 0;
}
