/*
 * test_slip39_extend.c - SLIP-39 beyond the basic cases: mixed sets,
 * duplicates, tampering, extendable flag, secret lengths, mnemonic round
 * trips, deterministic output and allocation failures.  A deterministic
 * RNG is injected through slip39_test_set_rng() (slip39_util.h).
 */
#include "slip39_util.h"

static void
test_mixed_sets(void)
{
	static const struct slip39_group_spec g23 = {2, 3};
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
	static const struct slip39_group_spec g23 = {2, 3};
	struct slip39_share *sh, dec;
	char mn[SLIP39_MNEMONIC_MAX];
	uint8_t secret[64];
	size_t n, len, k, i, words, bad = 0, badw = 0, prefix = 0;
	int ext;

	for (i = 0; i < sizeof secret; i++)
		secret[i] = (uint8_t)(0xa0 ^ i * 13);
	for (ext = 0; ext <= 1; ext++) {
		seed_rng((uint8_t)(40 + ext));
		TAP_OK(split(MS, MSLEN, "pw", 0, ext, 1, &g23, 1, &sh, &n) == 0,
		    "split with extendable=%d", ext);
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
			if (slip39_mnemonic_encode(&sh[k], mn, sizeof mn) !=
			        0 ||
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
				prefix +=
				    strncmp(mn, m0, (size_t)(p - mn)) != 0;
			}
		}
		bad += !combine_eq(sh, 2, NULL, secret, len);
		bad += !combine_eq(sh + 1, 2, NULL, secret, len);
		slip39_shares_free(sh, n);
	}
	TAP_EQ_INT(bad, 0,
	    "16..32-byte (step 2) and 64-byte secrets "
	    "round-trip through mnemonics");
	TAP_EQ_INT(badw, 0, "word counts 7 + ceil(8n/10); 32 bytes -> 33");
	TAP_EQ_INT(prefix, 0, "shares of a group share their first 3 words");
	slip39_share_wipe(&dec);
}

static void
test_deterministic(void)
{
	static const struct slip39_group_spec g[2] = {{2, 3}, {3, 4}};
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
		static const struct slip39_group_spec g11 = {1, 1};
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
	static const struct slip39_group_spec g23 = {2, 3};
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
	static const int want[6] = {1, 1, 1, 2, 2, 0};
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
	TAP_EQ_INT(bad, 0,
	    "every allocation failure gives CAIRN_ERR_NOMEM "
	    "cleanly, and all succeed past them");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_faults(); /* first: before any cio_fault_hit() call here */
	test_mixed_sets();
	test_extendable_and_lengths();
	test_deterministic();
	slip39_test_set_rng(NULL, NULL);
	return tap_done();
}
