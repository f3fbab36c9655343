/*
 * cli_trust.c - the trusted signers of one verify/open/list call: the
 * --signer, --any-signer and --allow-unsigned options, the key home's
 * signing.pub and signers file, and reading public keys given on the
 * command line (see cli_trust.h).
 *
 * Knows minisig.h and the key home layout; nothing of archives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/minisig.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_trust.h"
#include "cli_unlock.h"

#define SIGNERS_MAX (1024 * 1024) /* largest signers file read */
#define MAX_GIVEN   64            /* --signer options per call */

int
cli_pubkey_arg(const char *arg, struct minisig_public *pk)
{
	size_t n = strlen(arg);

	if (n == MINISIG_PUBLIC_B64_LEN - 1 && strncmp(arg, "RW", 2) == 0 &&
	    minisig_public_decode(arg, n, pk) == 0)
		return 0;
	return cli_signer_load(arg, pk);
}

/* Add pk as name; a key already trusted is kept under its first name. */
static int
add(struct minisig_trust *t, const char *name, const struct minisig_public *pk)
{
	int rc;

	if (minisig_trust_find(t, pk) >= 0)
		return 0;
	rc = minisig_trust_add(t, name, pk);
	if (rc == CAIRN_ERR_EXISTS) { /* same name, another key */
		char alt[MINISIG_TRUST_NAME_MAX + 1];

		for (unsigned i = 2; rc == CAIRN_ERR_EXISTS && i < 1000; i++) {
			snprintf(alt, sizeof(alt), "%.50s (%u)", name, i);
			rc = minisig_trust_add(t, alt, pk);
		}
	}
	return rc == 0 ? 0 : cli_fail(rc, "trusted signers");
}

int
cli_trust_option(struct cli_trust *tr, int c, const char *arg, int *ec)
{
	struct minisig_public pk;
	char name[MINISIG_TRUST_NAME_MAX + 1];

	*ec = 0;
	switch (c) {
	case CLI_TRUST_OPT_ANY: tr->any_signer = 1; return 1;
	case CLI_TRUST_OPT_UNSIGNED: tr->allow_unsigned = 1; return 1;
	case CLI_TRUST_OPT_SIGNER: break;
	default: return 0;
	}
	if (tr->ngiven >= MAX_GIVEN) {
		cli_error("too many --signer options (at most %d)", MAX_GIVEN);
		*ec = CLI_EXIT_USAGE;
		return 1;
	}
	if (cli_pubkey_arg(arg, &pk) != 0) {
		*ec = CLI_EXIT_USAGE;
		return 1;
	}
	tr->ngiven++;
	snprintf(name, sizeof(name), "--signer %.52s", arg);
	if (!minisig_trust_name_ok(name))
		snprintf(name, sizeof(name), "--signer #%zu", tr->ngiven);
	*ec = add(&tr->t, name, &pk);
	return 1;
}

int
cli_unlock_trust_option(
    struct cli_unlock *u, struct cli_trust *tr, int c, const char *arg, int *ec)
{
	*ec = 0;
	return cli_unlock_option(u, c, arg) || cli_trust_option(tr, c, arg, ec);
}

int
cli_signers_file_read(const char *path, struct minisig_trust *t)
{
	char *text = NULL;
	size_t len = 0, bad = 0;
	int rc, ec = 0;

	memset(t, 0, sizeof(*t));
	if (!cli_exists(path))
		return 0;
	if ((rc = cio_read_file(path, SIGNERS_MAX, 0, &text, &len)) != 0)
		return rc == CAIRN_ERR_LIMIT
		    ? cli_fail_why(CLI_EXIT_ERR, "file too large", "%s", path)
		    : cli_fail(rc, "%s", path);
	rc = minisig_trust_parse(text, len, t, &bad);
	// clang-format off
	if (rc == CAIRN_ERR_FORMAT) {
		cli_error("%s: line %zu: not 'RW...KEY NAME', or a name or key already listed above", path, bad);
		cli_hint("fix the line by hand, or remove the file and add the signers again with 'cairn signer add NAME KEY'");
		ec = CLI_EXIT_ERR;
	} else if (rc != 0)
		ec = cli_fail(rc, "%s", path);
	// clang-format on
	cio_secret_free(text, len);
	return ec;
}

int
cli_trust_load(struct cli_trust *tr)
{
	struct minisig_trust file;
	struct minisig_public pk;
	char *pub = NULL, *signers = NULL;
	int ec;

	memset(&file, 0, sizeof(file));
	if (tr->ngiven > 0)
		return 0;
	if ((ec = cli_key_home_public(CLI_HOME_SIGNING_PUB, &pub)) != 0 ||
	    (ec = cli_key_home_public(CLI_HOME_SIGNERS, &signers)) != 0)
		goto out;
	if (cli_exists(pub) &&
	    ((ec = cli_signer_load(pub, &pk)) != 0 ||
	        (ec = add(&tr->t, CLI_TRUST_OWN, &pk)) != 0))
		goto out;
	if ((ec = cli_signers_file_read(signers, &file)) != 0)
		goto out;
	for (size_t i = 0; i < file.n; i++)
		if ((ec = add(&tr->t, file.v[i].name, &file.v[i].pk)) != 0)
			goto out;
out:
	minisig_trust_free(&file);
	free(pub);
	free(signers);
	return ec;
}

int
cli_trust_add_shares(struct cli_trust *tr, const struct cli_unlock *u)
{
	int ec;

	if (tr->ngiven > 0 || !u->have_share_signer || tr->shares_signer)
		return 0;
	if ((ec = add(&tr->t, CLI_TRUST_SHARES, &u->share_signer)) == 0) {
		tr->shares_signer = 1;
		tr->shares_pk = u->share_signer;
	}
	return ec;
}

void
cli_trust_free(struct cli_trust *tr)
{
	minisig_trust_free(&tr->t);
	memset(tr, 0, sizeof(*tr));
}
