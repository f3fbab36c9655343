/*
 * cli_unlock.c - gathering identities and passphrases for the archive
 * verbs and opening the age layer with decrypt's messages (see
 * cli_unlock.h).
 *
 * Knows the age API; nothing of archives.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cli.h"
#include "cli_shares.h"
#include "cli_unlock.h"

int
cli_unlock_init(struct cli_unlock *u, const char *verb, int argc)
{
	memset(u, 0, sizeof(*u));
	u->verb = verb;
	u->idfiles = cio_calloc((size_t)argc + 1, sizeof(*u->idfiles));
	u->passfiles = cio_calloc((size_t)argc + 1, sizeof(*u->passfiles));
	u->sharefiles = cio_calloc((size_t)argc + 1, sizeof(*u->sharefiles));
	if (u->idfiles == NULL || u->passfiles == NULL || u->sharefiles == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "%s", verb);
	return 0;
}

int
cli_unlock_option(struct cli_unlock *u, int c, const char *arg)
{
	switch (c) {
	case 'i': u->idfiles[u->nidfiles++] = arg; return 1;
	case CLI_UNLOCK_OPT_PASSFILE:
		u->passfiles[u->npassfiles++] = arg;
		return 1;
	case CLI_UNLOCK_OPT_SHARE:
		u->sharefiles[u->nsharefiles++] = arg;
		return 1;
	case CLI_UNLOCK_OPT_SHARE_PASSFILE: u->sharepass = arg; return 1;
	default: return 0;
	}
}

int
cli_unlock_load(struct cli_unlock *u)
{
	int ec, rc;

	if (u->loaded > 0)
		return 0;
	u->loaded = -1; /* until it succeeded */
	for (size_t i = 0; i < u->npassfiles; i++)
		if ((ec = cli_passes_add_file(&u->ps, u->passfiles[i])) != 0)
			return ec;
	if ((ec = cli_load_identities(
	         &u->ids, u->idfiles, u->nidfiles, &u->ps, NULL)) != 0)
		return ec;
	/* Shares rebuild an identity in memory; the -i identities loaded
	 * so far decrypt encrypted share files. */
	if (u->nsharefiles > 0 &&
	    (ec = cli_shares_add_identity(&u->ids, u->sharefiles,
	         u->nsharefiles, u->sharepass, u->share_key,
	         u->want_signer ? &u->share_signer : NULL,
	         &u->have_share_signer, u->signers_given)) != 0)
		return ec;
	u->nkeys = u->ids.n;
	for (size_t i = 0; i < u->ps.n; i++)
		if ((rc = age_identities_add_passphrase(
		         &u->ids, u->ps.v[i].buf, u->ps.v[i].len)) != 0)
			return cli_fail(rc, "passphrase");
	u->nkeys += u->ps.n;
	if (u->ps.n == 0 && (ec = cli_tty_scrypt_add(&u->ids, &u->tty)) != 0)
		return ec;
	u->loaded = 1;
	return 0;
}

// clang-format off
int
cli_unlock_open(struct cli_unlock *u, const struct cio_source *src,
    const char *name, struct age_reader **r)
{
	int rc = age_reader_new(r, src, &u->ids);

	return rc == 0 ? 0 : cli_unlock_open_fail(u, rc, name);
}

int
cli_unlock_open_fail(struct cli_unlock *u, int rc, const char *name)
{
	if (rc != CAIRN_ERR_NO_MATCH) {
		if ((rc == CAIRN_ERR_HEADER || rc == CAIRN_ERR_ARMOR) && !u->any_age_file) {
			cli_error("%s: not a cairn archive, or its age header is damaged: %s", name, cairn_strerror(rc));
			return cli_exit_code(rc);
		}
		return cli_fail(rc, "%s", name);
	}
	if (u->tty.exit_code != 0)
		return u->tty.exit_code;
	if (u->tty.wanted_passphrase && u->tty.no_tty) {
		cli_error("%s: encrypted with a passphrase, and there is no terminal to ask for it", name);
		cli_hint("use --passphrase-file FILE");
		return CLI_EXIT_NO_MATCH;
	}
	if (u->tty.wanted_passphrase) {
		cli_error("%s: wrong passphrase", name);
		return CLI_EXIT_NO_MATCH;
	}
	if (u->nkeys == 0) {
		cli_error("%s: no identity was given and the key home has none (this device is seal-only)", name);
		cli_hint("give the identity it was sealed to with -i FILE (e.g. from the stick you keep it on), or your contacts' recovery shares with --share FILE; a new key from 'cairn keygen' cannot open anything sealed before");
		return CLI_EXIT_NO_MATCH;
	}
	if (u->share_key[0] != '\0') {
		cli_error("%s: the shares rebuild the recovery key %s, which is not a recipient of this %s", name, u->share_key, u->any_age_file ? "file" : "archive");
		cli_hint("these shares belong to another recovery set, or the archive was sealed before 'cairn recovery init' or without the recovery key (seal -r/-R/-p); 'cairn recovery list' on the sealing device shows its sets");
		return CLI_EXIT_NO_MATCH;
	}
	cli_error("%s: no identity matched", name);
	if (u->any_age_file)
		cli_hint("the file was encrypted to other recipients; check your keys with 'cairn pubkey -i FILE'");
	else
		cli_hint("the archive was sealed for other recipients; check your keys with 'cairn pubkey -i FILE'");
	return CLI_EXIT_NO_MATCH;
}
// clang-format on

void
cli_unlock_free(struct cli_unlock *u)
{
	age_identities_free(&u->ids);
	cli_passes_free(&u->ps);
	free(u->idfiles);
	free(u->passfiles);
	free(u->sharefiles);
	memset(u, 0, sizeof(*u));
}
