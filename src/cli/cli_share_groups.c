/*
 * cli_share_groups.c - the shape of a share set from the command line
 * (-t/-n, --group T/N, --group-threshold) and splitting a secret into it,
 * with 1-of-N groups made as N copies of one share (SLIP-39 refuses 1-of-N
 * member sharing).  See cli_shares.h.
 *
 * Knows slip39.h; nothing of files, age or archives.
 */
#include <errno.h>
#include <stdlib.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cli.h"
#include "cli_shares.h"
#include "cairn/slip39.h"

int
cli_shares_int(const char *verb, const char *opt, const char *arg, int min,
    int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || v < min || v > max)
		// clang-format off
		return cli_usage_error(verb, "%s %s: want a number from %d to %d", opt, arg, min, max);
	// clang-format on
	*out = (int)v;
	return 0;
}

/* Check one group's T of N; 0 or exit 2.  1 of N (N > 1) is allowed:
 * see cli_groups_split(). */
static int
group_check(const char *verb, int t, int n)
{
	if (n < 1 || n > SLIP39_MAX_SHARES || t < 1 || t > n)
		// clang-format off
		return cli_usage_error(verb, "threshold %d of %d shares: need 1 <= T <= N <= %d", t, n, SLIP39_MAX_SHARES);
	// clang-format on
	return 0;
}

int
cli_groups_add(const char *verb, struct cli_groups *gs, const char *arg)
{
	char *end;
	long t, n;
	int ec;

	if (gs->n >= SLIP39_MAX_SHARES)
		return cli_usage_error(
		    verb, "at most %d groups", SLIP39_MAX_SHARES);
	errno = 0;
	t = strtol(arg, &end, 10);
	if (end == arg || *end != '/' || errno != 0 || t > 99)
		goto bad;
	arg = end + 1;
	n = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || n > 99)
		goto bad;
	if ((ec = group_check(verb, (int)t, (int)n)) != 0)
		return ec;
	gs->g[gs->n].member_threshold = (int)t;
	gs->g[gs->n].member_count = (int)n;
	gs->n++;
	return 0;
bad:
	return cli_usage_error(verb, "--group wants T/N, as in 2/3");
}

int
cli_groups_finish(const char *verb, struct cli_groups *gs, int default_n)
{
	int ec;

	if (gs->n > 0 && (gs->t != 0 || gs->nshares != 0))
		// clang-format off
		return cli_usage_error(verb, "give either -t/-n or --group, not both");
	// clang-format on
	if (gs->n == 0) {
		if (gs->nshares == 0)
			gs->nshares = default_n;
		// clang-format off
		if (gs->t == 0 && default_n != 0)
			return cli_usage_error(verb, "give the threshold: -t T (how many of the %d contacts are needed), or --group T/N", default_n);
		// clang-format on
		if (gs->t == 0 || gs->nshares == 0)
			// clang-format off
			return cli_usage_error(verb, "give the threshold and share count (-t T -n N) or --group T/N");
		// clang-format on
		if ((ec = group_check(verb, gs->t, gs->nshares)) != 0)
			return ec;
		gs->g[0].member_threshold = gs->t;
		gs->g[0].member_count = gs->nshares;
		gs->n = 1;
		if (gs->gt > 1)
			// clang-format off
			return cli_usage_error(verb, "--group-threshold needs --group");
		// clang-format on
	}
	if (gs->gt == 0 && gs->n > 1)
		// clang-format off
		return cli_usage_error(verb, "with %zu groups, say how many are needed: --group-threshold G", gs->n);
	// clang-format on
	if (gs->gt == 0)
		gs->gt = 1;
	if (gs->gt < 1 || (size_t)gs->gt > gs->n)
		// clang-format off
		return cli_usage_error(verb, "--group-threshold %d: need 1 to %zu", gs->gt, gs->n);
	// clang-format on
	gs->total = 0;
	for (size_t i = 0; i < gs->n; i++) {
		gs->member_counts[i] = gs->g[i].member_count;
		gs->total += (size_t)gs->g[i].member_count;
	}
	return 0;
}

int
cli_groups_split(const struct cli_groups *gs, const uint8_t *secret, size_t len,
    const struct cli_pass *pass, int exp, struct slip39_share **out,
    int *copies)
{
	struct slip39_group_spec lib[SLIP39_MAX_SHARES];
	struct slip39_share *made = NULL, *all = NULL;
	size_t nmade = 0, k = 0, m = 0;
	int rc;

	*out = NULL;
	/* SLIP-39 refuses 1-of-N member sharing (N > 1): such shares would
	 * differ only in their index.  A 1-of-N group is made as one 1-of-1
	 * share, written N times. */
	for (size_t g = 0; g < gs->n; g++) {
		lib[g] = gs->g[g];
		if (lib[g].member_threshold == 1)
			lib[g].member_count = 1;
	}
	rc = slip39_split(secret, len, pass != NULL ? pass->buf : NULL,
	    pass != NULL ? pass->len : 0, exp, 1, gs->gt, lib, gs->n, &made,
	    &nmade);
	if (rc != 0)
		return cli_fail(rc, "splitting");
	if ((all = cio_secret_allocarray(gs->total, sizeof(*all))) == NULL) {
		slip39_shares_free(made, nmade);
		return cli_fail(CAIRN_ERR_NOMEM, "splitting");
	}
	for (size_t g = 0; g < gs->n; g++) {
		int c1 =
		    gs->g[g].member_threshold == 1 && gs->g[g].member_count > 1;

		for (int j = 0; j < gs->g[g].member_count; j++) {
			all[k] = made[c1 ? m : m + (size_t)j];
			copies[k++] = c1 ? j + 1 : 0;
		}
		m += (size_t)lib[g].member_count;
	}
	slip39_shares_free(made, nmade);
	*out = all;
	return 0;
}
