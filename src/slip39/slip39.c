/*
 * slip39.c - SLIP-39 two-level Shamir sharing: SplitSecret/RecoverSecret
 * with the digest share at x = 254 and the secret at x = 255, and
 * GenerateShares/combining with every validity check of the Final text of
 * SLIP-0039.
 *
 * Encryption lives in slip39_cipher.c, the mnemonic format in
 * slip39_mnemonic.c, field arithmetic in gf256.c: this file knows nothing
 * of words, bits or PBKDF2.  Every secret intermediate lives in one
 * sodium_malloc'd workspace, freed (and so zeroed) on every path.
 */
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "gf256.h"
#include "cairn/slip39.h"

#define MAXLEN SLIP39_MAX_SECRET_LEN
#define NMAX   SLIP39_MAX_SHARES
#define MACLEN crypto_auth_hmacsha256_BYTES

#ifdef CAIRN_TESTING
static slip39_rng_fn test_rng;
static void *test_rng_ctx;

void
slip39_test_set_rng(slip39_rng_fn fn, void *ctx)
{
	test_rng = fn;
	test_rng_ctx = fn != NULL ? ctx : NULL;
}

static void
rng(uint8_t *buf, size_t len)
{
	if (test_rng != NULL)
		test_rng(test_rng_ctx, buf, len);
	else
		randombytes_buf(buf, len);
}
#else
#define rng(buf, len) randombytes_buf((buf), (len))
#endif

/* sodium_malloc aligns only sizes that are multiples of the alignment. */
static void *
secret_alloc(size_t n)
{
	return cio_secret_malloc((n + 63) & ~(size_t)63);
}

struct split_ws {
	crypto_auth_hmacsha256_state hst;
	uint8_t ems[MAXLEN];
	uint8_t gsh[NMAX][MAXLEN]; /* group shares */
	uint8_t msh[NMAX][MAXLEN]; /* member shares of the current group */
	uint8_t digest[MAXLEN];    /* D = HMAC(R, S)[:4] || R */
	uint8_t mac[MACLEN];
	uint8_t idb[2];
};

struct combine_ws {
	crypto_auth_hmacsha256_state hst;
	uint8_t gsec[NMAX][MAXLEN]; /* recovered group shares */
	uint8_t ems[MAXLEN];
	uint8_t digest[MAXLEN];
	uint8_t mac[MACLEN];
};

/* mac = HMAC-SHA256(key = r, msg = s); the digest is its first 4 bytes. */
static void
hmac(crypto_auth_hmacsha256_state *st, uint8_t mac[MACLEN], const uint8_t *r,
    size_t rlen, const uint8_t *s, size_t slen)
{
	crypto_auth_hmacsha256_init(st, r, rlen);
	crypto_auth_hmacsha256_update(st, s, slen);
	crypto_auth_hmacsha256_final(st, mac);
}

/*
 * SplitSecret(T, N, S): out[0..n-1] get the shares for x = 0..n-1.  The
 * first t-2 are random; the rest are interpolated through them, (254, D)
 * and (255, S).  s must not be one of the out rows.
 */
static int
split_secret(struct split_ws *ws, int t, int n, const uint8_t *s, size_t len,
    uint8_t out[][MAXLEN])
{
	uint8_t xs[NMAX];
	const uint8_t *ys[NMAX];
	int i, rc;

	if (t == 1) {
		for (i = 0; i < n; i++)
			memcpy(out[i], s, len);
		return 0;
	}
	for (i = 0; i < t - 2; i++) {
		rng(out[i], len);
		xs[i] = (uint8_t)i;
		ys[i] = out[i];
	}
	rng(ws->digest + SLIP39_DIGEST_LEN, len - SLIP39_DIGEST_LEN);
	hmac(&ws->hst, ws->mac, ws->digest + SLIP39_DIGEST_LEN,
	    len - SLIP39_DIGEST_LEN, s, len);
	memcpy(ws->digest, ws->mac, SLIP39_DIGEST_LEN);
	xs[t - 2] = SLIP39_DIGEST_INDEX;
	ys[t - 2] = ws->digest;
	xs[t - 1] = SLIP39_SECRET_INDEX;
	ys[t - 1] = s;
	for (i = t - 2; i < n; i++)
		if ((rc = gf256_interpolate(
		         (uint8_t)i, xs, ys, (size_t)t, len, out[i])) != 0)
			return rc;
	return 0;
}

/* RecoverSecret(T, points): out = f(255), checked against the digest
 * f(254) when t >= 2.  Returns 0 or CAIRN_ERR_MISMATCH. */
static int
recover_secret(struct combine_ws *ws, int t, const uint8_t *xs,
    const uint8_t *const *ys, size_t m, size_t len, uint8_t *out)
{
	int rc;

	if (t == 1) {
		memcpy(out, ys[0], len);
		return 0;
	}
	if ((rc = gf256_interpolate(
	         SLIP39_SECRET_INDEX, xs, ys, m, len, out)) != 0 ||
	    (rc = gf256_interpolate(
	         SLIP39_DIGEST_INDEX, xs, ys, m, len, ws->digest)) != 0)
		return CAIRN_ERR_MISMATCH; /* duplicate x: caught earlier */
	hmac(&ws->hst, ws->mac, ws->digest + SLIP39_DIGEST_LEN,
	    len - SLIP39_DIGEST_LEN, out, len);
	if (sodium_memcmp(ws->mac, ws->digest, SLIP39_DIGEST_LEN) != 0)
		return CAIRN_ERR_MISMATCH;
	return 0;
}

int
slip39_split(const uint8_t *secret, size_t len, const char *pass,
    size_t passlen, int iteration_exponent, int extendable, int group_threshold,
    const struct slip39_group_spec *groups, size_t ngroups,
    struct slip39_share **shares_out, size_t *nshares_out)
{
	struct split_ws *ws = NULL;
	struct slip39_share *shares = NULL, *sh;
	size_t total = 0, g, k = 0;
	uint16_t id;
	int rc = CAIRN_ERR_INVAL, m, t, cnt;

	if (shares_out != NULL)
		*shares_out = NULL;
	if (nshares_out != NULL)
		*nshares_out = 0;
	if (secret == NULL || shares_out == NULL || nshares_out == NULL ||
	    groups == NULL || len < SLIP39_MIN_SECRET_LEN || len > MAXLEN ||
	    len % 2 != 0 || !slip39_passphrase_check(pass, passlen) ||
	    iteration_exponent < 0 ||
	    iteration_exponent > SLIP39_MAX_ITERATION_EXPONENT ||
	    (extendable != 0 && extendable != 1) || ngroups < 1 ||
	    ngroups > NMAX || group_threshold < 1 ||
	    (size_t)group_threshold > ngroups)
		return CAIRN_ERR_INVAL;
	for (g = 0; g < ngroups; g++) {
		t = groups[g].member_threshold;
		cnt = groups[g].member_count;
		/* GenerateShares step 1: 1-of-N only for N = 1 */
		if (cnt < 1 || cnt > NMAX || t < 1 || t > cnt ||
		    (t == 1 && cnt > 1))
			return CAIRN_ERR_INVAL;
		total += (size_t)cnt;
	}
	if (sodium_init() < 0)
		return CAIRN_ERR_NOMEM;
	rc = CAIRN_ERR_NOMEM;
	if ((ws = secret_alloc(sizeof *ws)) == NULL)
		goto out;
	if ((shares = cio_secret_allocarray(total, sizeof *shares)) == NULL)
		goto out;
	memset(shares, 0, total * sizeof *shares);

	rng(ws->idb, sizeof ws->idb);
	id = (uint16_t)((((unsigned)ws->idb[0] << 8) | ws->idb[1]) &
	    ((1u << SLIP39_ID_BITS) - 1));
	if ((rc = slip39_encrypt(secret, len, pass, passlen, iteration_exponent,
	         id, extendable, ws->ems)) != 0)
		goto out;
	if ((rc = split_secret(ws, group_threshold, (int)ngroups, ws->ems, len,
	         ws->gsh)) != 0)
		goto out;
	for (g = 0; g < ngroups; g++) {
		t = groups[g].member_threshold;
		cnt = groups[g].member_count;
		if ((rc = split_secret(ws, t, cnt, ws->gsh[g], len, ws->msh)) !=
		    0)
			goto out;
		for (m = 0; m < cnt; m++) {
			sh = &shares[k++];
			sh->identifier = id;
			sh->extendable = (uint8_t)extendable;
			sh->iteration_exponent = (uint8_t)iteration_exponent;
			sh->group_index = (uint8_t)g;
			sh->group_threshold = (uint8_t)group_threshold;
			sh->group_count = (uint8_t)ngroups;
			sh->member_index = (uint8_t)m;
			sh->member_threshold = (uint8_t)t;
			sh->value_len = len;
			memcpy(sh->value, ws->msh[m], len);
		}
	}
	*shares_out = shares;
	*nshares_out = total;
	shares = NULL;
	rc = 0;
out:
	slip39_shares_free(shares, total);
	if (ws != NULL)
		sodium_free(ws); /* zeroes it */
	return rc;
}

void
slip39_shares_free(struct slip39_share *shares, size_t n)
{
	if (shares == NULL)
		return;
	sodium_memzero(shares, n * sizeof *shares);
	sodium_free(shares);
}

static int
problem(struct slip39_diag *diag, enum slip39_problem p, size_t share,
    int group, int need, int have, int rc)
{
	if (diag != NULL) {
		diag->problem = p;
		diag->share = share;
		diag->group = group;
		diag->need = need;
		diag->have = have;
	}
	return rc;
}

static int
same_set(const struct slip39_share *a, const struct slip39_share *b)
{
	return a->identifier == b->identifier &&
	    a->extendable == b->extendable &&
	    a->iteration_exponent == b->iteration_exponent &&
	    a->group_threshold == b->group_threshold &&
	    a->group_count == b->group_count && a->value_len == b->value_len;
}

/* Shares sorted into groups: mem[g][0..cnt[g]-1] index the distinct
 * members given of group g, thr[g] is their member threshold. */
struct groups {
	size_t mem[NMAX][NMAX];
	int cnt[NMAX], thr[NMAX];
};

/*
 * The checks every use of a share set makes: each share in range, all of
 * one set (compared with shares[0]), one member threshold per group, one
 * value per member index (the same share twice counts once).  Fills gs;
 * returns 0 or the problem (diag.share at fault, diag.other the earlier
 * share it conflicts with).
 */
static int
sort_groups(const struct slip39_share *shares, size_t n, struct groups *gs,
    struct slip39_diag *diag)
{
	const struct slip39_share *s;
	size_t k, o;
	int g, j;

	memset(gs, 0, sizeof *gs);
	for (k = 0; k < n; k++) {
		s = &shares[k];
		if (!slip39_share_check(s))
			return problem(diag, SLIP39_PROBLEM_BAD_FIELD, k, -1, 0,
			    0, CAIRN_ERR_FORMAT);
		if (!same_set(s, &shares[0]))
			return problem(diag, SLIP39_PROBLEM_SET, k, -1, 0, 0,
			    CAIRN_ERR_MISMATCH);
	}
	for (k = 0; k < n; k++) {
		s = &shares[k];
		g = s->group_index;
		if (gs->cnt[g] > 0 && gs->thr[g] != s->member_threshold) {
			if (diag != NULL)
				diag->other = gs->mem[g][0];
			return problem(diag, SLIP39_PROBLEM_MEMBER_THRESHOLD, k,
			    g, 0, 0, CAIRN_ERR_MISMATCH);
		}
		gs->thr[g] = s->member_threshold;
		for (j = 0; j < gs->cnt[g]; j++)
			if (shares[gs->mem[g][j]].member_index ==
			    s->member_index)
				break;
		if (j == gs->cnt[g]) {
			gs->mem[g][gs->cnt[g]++] = k;
			continue;
		}
		o = gs->mem[g][j];
		if (sodium_memcmp(shares[o].value, s->value, s->value_len) !=
		    0) {
			if (diag != NULL)
				diag->other = o;
			return problem(diag, SLIP39_PROBLEM_DUPLICATE, k, g, 0,
			    0, CAIRN_ERR_MISMATCH);
		}
	}
	return 0;
}

static void
diag_clear(struct slip39_diag *diag)
{
	if (diag != NULL) {
		memset(diag, 0, sizeof *diag);
		diag->group = -1;
	}
}

int
slip39_select(const struct slip39_share *shares, size_t n,
    struct slip39_selection *sel, struct slip39_diag *diag)
{
	struct groups gs;
	int g, j, gt, rc;

	diag_clear(diag);
	if (sel == NULL)
		return CAIRN_ERR_INVAL;
	memset(sel, 0, sizeof *sel);
	if (shares == NULL || n == 0)
		return problem(diag, SLIP39_PROBLEM_FEW_GROUPS, 0, -1, 1, 0,
		    CAIRN_ERR_TOO_FEW);
	if ((rc = sort_groups(shares, n, &gs, diag)) != 0)
		return rc;
	gt = shares[0].group_threshold;
	for (g = 0; g < NMAX; g++) {
		sel->count[g] = gs.cnt[g];
		sel->threshold[g] = gs.thr[g];
		sel->complete += gs.cnt[g] > 0 && gs.cnt[g] >= gs.thr[g];
	}
	if (sel->complete < gt)
		return problem(diag, SLIP39_PROBLEM_FEW_GROUPS, 0, -1, gt,
		    sel->complete, CAIRN_ERR_TOO_FEW);
	/* The first GT complete groups, the first T members of each. */
	for (g = 0, gt = 0; g < NMAX && gt < shares[0].group_threshold; g++) {
		if (gs.cnt[g] == 0 || gs.cnt[g] < gs.thr[g])
			continue;
		for (j = 0; j < gs.thr[g]; j++)
			sel->idx[sel->n++] = gs.mem[g][j];
		gt++;
	}
	return 0;
}

int
slip39_combine(const struct slip39_share *shares, size_t n, const char *pass,
    size_t passlen, uint8_t *secret_out, size_t cap, size_t *len_out,
    struct slip39_diag *diag)
{
	struct combine_ws *ws = NULL;
	const struct slip39_share *s0;
	struct groups gs;
	int gt, gm = 0, g, j, rc;
	uint8_t xs[NMAX], gx[NMAX];
	const uint8_t *ys[NMAX], *gys[NMAX];
	size_t len;

	diag_clear(diag);
	if (len_out != NULL)
		*len_out = 0;
	if (secret_out == NULL || len_out == NULL)
		return CAIRN_ERR_INVAL;
	if (!slip39_passphrase_check(pass, passlen))
		return problem(diag, SLIP39_PROBLEM_PASSPHRASE, 0, -1, 0, 0,
		    CAIRN_ERR_INVAL);
	if (shares == NULL || n == 0)
		return problem(diag, SLIP39_PROBLEM_FEW_GROUPS, 0, -1, 1, 0,
		    CAIRN_ERR_TOO_FEW);
	if ((rc = sort_groups(shares, n, &gs, diag)) != 0)
		return rc;
	s0 = &shares[0];
	len = s0->value_len;
	gt = s0->group_threshold;
	if (cap < len)
		return CAIRN_ERR_INVAL;
	for (g = 0; g < NMAX; g++)
		gm += gs.cnt[g] > 0;
	if (gm < gt)
		return problem(diag, SLIP39_PROBLEM_FEW_GROUPS, 0, -1, gt, gm,
		    CAIRN_ERR_TOO_FEW);
	if (gm > gt)
		return problem(diag, SLIP39_PROBLEM_MANY_GROUPS, 0, -1, gt, gm,
		    CAIRN_ERR_MISMATCH);
	for (g = 0; g < NMAX; g++)
		if (gs.cnt[g] > 0 && gs.cnt[g] < gs.thr[g])
			return problem(diag, SLIP39_PROBLEM_FEW_MEMBERS,
			    gs.mem[g][0], g, gs.thr[g], gs.cnt[g],
			    CAIRN_ERR_TOO_FEW);
	for (g = 0; g < NMAX; g++)
		if (gs.cnt[g] > gs.thr[g])
			return problem(diag, SLIP39_PROBLEM_MANY_MEMBERS,
			    gs.mem[g][0], g, gs.thr[g], gs.cnt[g],
			    CAIRN_ERR_MISMATCH);

	if (sodium_init() < 0)
		return CAIRN_ERR_NOMEM;
	if ((ws = secret_alloc(sizeof *ws)) == NULL)
		return CAIRN_ERR_NOMEM;
	for (g = 0, gm = 0; g < NMAX; g++) {
		if (gs.cnt[g] == 0)
			continue;
		for (j = 0; j < gs.cnt[g]; j++) {
			xs[j] = shares[gs.mem[g][j]].member_index;
			ys[j] = shares[gs.mem[g][j]].value;
		}
		if ((rc = recover_secret(ws, gs.thr[g], xs, ys,
		         (size_t)gs.cnt[g], len, ws->gsec[gm])) != 0) {
			rc = problem(diag, SLIP39_PROBLEM_DIGEST, gs.mem[g][0],
			    g, 0, 0, rc);
			goto out;
		}
		gx[gm] = (uint8_t)g;
		gys[gm] = ws->gsec[gm];
		gm++;
	}
	if ((rc = recover_secret(ws, gt, gx, gys, (size_t)gm, len, ws->ems)) !=
	    0) {
		rc = problem(diag, SLIP39_PROBLEM_DIGEST, 0, -1, 0, 0, rc);
		goto out;
	}
	if ((rc = slip39_decrypt(ws->ems, len, pass, passlen,
	         s0->iteration_exponent, s0->identifier, s0->extendable,
	         secret_out)) != 0)
		goto out;
	*len_out = len;
out:
	sodium_free(ws); /* zeroes it */
	return rc;
}
