/*
 * cli_shares_combine.c - from the share files a user gives to a secret:
 * let slip39_select check they belong to one set and pick a valid subset
 * (slip39_combine wants exactly the threshold), combine, name the files
 * at fault when either refuses, compare the result with the
 * public key the files record, and (for --share) add the recovered
 * identity to an identity list without writing it anywhere.
 *
 * Groups and members are numbered from 1 in messages, as in share files.
 * Knows slip39.h and age.h; nothing of archives.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/minisig.h"
#include "cairn/slip39.h"
#include "cli.h"
#include "cli_shares.h"

#define NMAX SLIP39_MAX_SHARES

/* "a, b, c" of the files of sel (n shares, indices into ss). */
static void
file_list(char *buf, size_t cap, const struct cli_shares *ss, const size_t *sel,
    size_t n)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < cap; i++) {
		int w = snprintf(buf + o, cap - o, "%s%s", i > 0 ? ", " : "",
		    ss->v[sel[i]].path);

		if (w < 0)
			break;
		o += (size_t)w;
	}
}

// clang-format off
static int
too_few(const struct cli_shares *ss, const struct slip39_selection *sel)
{
	const struct slip39_share *s0 = &ss->v[0].s;
	int gt = s0->group_threshold, g;

	if (s0->group_count == 1) {
		cli_error("too few shares: need %d shares, have %d", sel->threshold[0], sel->count[0]);
		cli_hint("any %d shares of the set recover the key", sel->threshold[0]);
		return CLI_EXIT_NO_MATCH;
	}
	cli_error("too few shares: need %d complete group%s of the %d, have %d", gt, gt == 1 ? "" : "s", s0->group_count, sel->complete);
	for (g = 0; g < NMAX; g++)
		if (sel->count[g] > 0 && sel->count[g] < sel->threshold[g])
			cli_hint("group %d: need %d shares, have %d", g + 1, sel->threshold[g], sel->count[g]);
	return CLI_EXIT_NO_MATCH;
}

/* slip39_select over the decoded shares of ss (copied into secret memory,
 * wiped after). */
static int
select_shares(const struct cli_shares *ss, struct slip39_selection *sel,
    struct slip39_diag *diag)
{
	struct slip39_share *all;
	int rc;

	memset(sel, 0, sizeof(*sel));
	memset(diag, 0, sizeof(*diag));
	if ((all = cio_secret_allocarray(ss->n, sizeof(*all))) == NULL)
		return CAIRN_ERR_NOMEM;
	for (size_t k = 0; k < ss->n; k++)
		all[k] = ss->v[k].s;
	rc = slip39_select(all, ss->n, sel, diag);
	slip39_shares_free(all, ss->n);
	return rc;
}

/* The message for a set slip39_select refused. */
static int
select_failed(const struct cli_shares *ss, const struct slip39_selection *sel,
    const struct slip39_diag *d, int rc)
{
	const struct cli_share *a = &ss->v[d->share], *b = &ss->v[d->other];

	switch (d->problem) {
	case SLIP39_PROBLEM_FEW_GROUPS:
		return too_few(ss, sel);
	case SLIP39_PROBLEM_SET:
		if (a->s.identifier != b->s.identifier) {
			cli_error("%s: from a different share set than %s (set %u, not %u)", a->path, b->path, a->s.identifier, b->s.identifier);
			cli_hint("give shares of one set; 'cairn share check FILE' shows a share's set");
			return CLI_EXIT_INTEGRITY;
		}
		cli_error("%s: its set parameters differ from %s's (same set %u): inconsistent shares, possibly tampered", a->path, b->path, a->s.identifier);
		return CLI_EXIT_INTEGRITY;
	case SLIP39_PROBLEM_MEMBER_THRESHOLD:
		cli_error("%s: group %d threshold %d differs from %s's (%d): inconsistent shares, possibly tampered", a->path, d->group + 1, a->s.member_threshold, b->path, b->s.member_threshold);
		return CLI_EXIT_INTEGRITY;
	case SLIP39_PROBLEM_DUPLICATE:
		cli_error("%s and %s: two different shares numbered %d in group %d: inconsistent shares, possibly tampered", b->path, a->path, a->s.member_index + 1, d->group + 1);
		return CLI_EXIT_INTEGRITY;
	default:
		return cli_fail(rc, "combining shares");
	}
}
// clang-format on

int
cli_shares_combine(const struct cli_shares *ss, const struct cli_pass *pass,
    uint8_t *secret, size_t cap, size_t *len)
{
	struct slip39_share *pick = NULL;
	struct slip39_selection sel;
	struct slip39_diag diag;
	int rc, ec;
	char files[1024];

	*len = 0;
	if (ss->n == 0)
		return cli_fail_why(
		    CLI_EXIT_USAGE, "no share files given", "combine");
	if ((rc = select_shares(ss, &sel, &diag)) != 0)
		return select_failed(ss, &sel, &diag, rc);
	if ((pick = cio_secret_allocarray(sel.n, sizeof(*pick))) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "combining shares");
	for (size_t i = 0; i < sel.n; i++)
		pick[i] = ss->v[sel.idx[i]].s;
	rc = slip39_combine(pick, sel.n, pass != NULL ? pass->buf : NULL,
	    pass != NULL ? pass->len : 0, secret, cap, len, &diag);
	slip39_shares_free(pick, sel.n);
	if (rc == 0)
		return 0;
	file_list(files, sizeof(files), ss, sel.idx, sel.n);
	// clang-format off
	if (diag.problem == SLIP39_PROBLEM_DIGEST) {
		cli_error("inconsistent shares (digest mismatch), possibly tampered: %s", files);
		if (sel.n < ss->n)
			cli_hint("more shares were given than needed; leaving one of these out may get past a bad one");
		ec = CLI_EXIT_INTEGRITY;
	} else if (diag.problem != SLIP39_PROBLEM_NONE) {
		cli_error("cannot combine %s: %s", files, slip39_problem_str(diag.problem));
		ec = cli_exit_code(rc);
	} else
		ec = cli_fail(rc, "combining %s", files);
	// clang-format on
	sodium_memzero(secret, cap);
	*len = 0;
	return ec;
}

int
cli_shares_check_key(const struct cli_shares *ss, const uint8_t *secret,
    size_t len, char recipient[AGE_RECIPIENT_STR_LEN])
{
	const struct cli_share *rec = NULL;
	uint8_t pk[AGE_X25519_KEY_LEN];
	char got[AGE_RECIPIENT_STR_LEN];
	int rc;

	if (recipient != NULL)
		recipient[0] = '\0';
	for (size_t k = 0; k < ss->n; k++) {
		const struct cli_share *sh = &ss->v[k];

		if (sh->recovers[0] == '\0')
			continue;
		if (rec == NULL)
			rec = sh;
		else if (strcmp(rec->recovers, sh->recovers) != 0) {
			// clang-format off
			cli_error("%s and %s record different public keys (# recovers:): possibly tampered", rec->path, sh->path);
			// clang-format on
			return CLI_EXIT_INTEGRITY;
		}
	}
	if (len != AGE_X25519_KEY_LEN) {
		if (rec == NULL)
			return 0;
		// clang-format off
		cli_error("%s records the key %s, but the shares hold a %zu-byte secret: possibly tampered", rec->path, rec->recovers, len);
		// clang-format on
		return CLI_EXIT_INTEGRITY;
	}
	if ((rc = age_x25519_public(secret, pk)) != 0 ||
	    (rc = age_x25519_recipient_string(pk, got)) != 0)
		return cli_fail(rc, "recovered key");
	if (recipient != NULL)
		memcpy(recipient, got, sizeof(got));
	if (rec != NULL && strcmp(rec->recovers, got) != 0) {
		// clang-format off
		cli_error("the recovered key %s does not match the key the shares record (%s in %s)", got, rec->recovers, rec->path);
		cli_hint("a wrong SLIP-39 passphrase gives a different key: check the passphrase file");
		// clang-format on
		return CLI_EXIT_NO_MATCH;
	}
	return 0;
}

/* The signing key the shares record: all that record one must agree. */
static int
shares_signer(const struct cli_shares *ss, struct minisig_public *signer,
    int *have, int lenient)
{
	const struct cli_share *first = NULL;
	char a[MINISIG_FINGERPRINT_LEN], b[MINISIG_FINGERPRINT_LEN];

	*have = 0;
	for (size_t k = 0; k < ss->n; k++) {
		const struct cli_share *sh = &ss->v[k];

		if (!sh->has_signer)
			continue;
		if (first == NULL) {
			first = sh;
			continue;
		}
		if (minisig_public_same(&first->signer, &sh->signer))
			continue;
		minisig_fingerprint(&first->signer, a);
		minisig_fingerprint(&sh->signer, b);
		// clang-format off
		if (lenient) {
			cli_warn("%s and %s record different signing keys (%s and %s): trusting only the --signer keys given", first->path, sh->path, a, b);
			return 0;
		}
		cli_error("%s and %s record different signing keys (%s and %s): a share was altered, or they belong to different people", first->path, sh->path, a, b);
		cli_hint("ask each contact to read the fingerprint in their kit's README.txt and compare it with the journalist's; then give the right key with --signer KEY");
		// clang-format on
		return CLI_EXIT_SIGNATURE;
	}
	if (first != NULL) {
		*signer = first->signer;
		*have = 1;
	}
	return 0;
}

int
cli_shares_add_identity(struct age_identities *ids, const char *const *paths,
    size_t n, const char *passfile, char recipient[AGE_RECIPIENT_STR_LEN],
    struct minisig_public *signer, int *have_signer, int lenient)
{
	uint8_t pk[AGE_X25519_KEY_LEN];

	struct cli_shares ss = {NULL, 0, 0, 0};
	struct cli_pass pass = {NULL, 0};
	uint8_t *secret = NULL;
	size_t len = 0;
	int ec, rc;

	if (passfile != NULL &&
	    (ec = cli_shares_pass(
	         &pass, passfile, "--share-passphrase-file")) != 0)
		return ec;
	if ((ec = cli_shares_read(&ss, paths, n, ids)) != 0)
		goto out;
	if ((secret = cio_secret_malloc(SLIP39_MAX_SECRET_LEN)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "shares");
		goto out;
	}
	if ((ec = cli_shares_combine(&ss, pass.buf != NULL ? &pass : NULL,
	         secret, SLIP39_MAX_SECRET_LEN, &len)) != 0) {
		if (ss.damaged_ec != 0) /* the damaged share was needed */
			ec = ss.damaged_ec;
		goto out;
	}
	if ((ec = cli_shares_check_key(&ss, secret, len, NULL)) != 0 ||
	    (signer != NULL &&
	        (ec = shares_signer(&ss, signer, have_signer, lenient)) != 0))
		goto out;
	if (len != AGE_X25519_KEY_LEN) {
		// clang-format off
		cli_error("the shares hold a %zu-byte secret, not an age identity", len);
		// clang-format on
		cli_hint("'cairn combine --print-secret-hex' shows it");
		ec = CLI_EXIT_ERR;
		goto out;
	}
	if ((rc = age_identities_add_x25519(ids, secret)) != 0 ||
	    (rc = age_x25519_public(secret, pk)) != 0 ||
	    (rc = age_x25519_recipient_string(pk, recipient)) != 0)
		ec = cli_fail(rc, "recovered identity");
out:
	if (secret != NULL)
		sodium_free(secret);
	cli_shares_free(&ss);
	cli_pass_free(&pass);
	return ec;
}
