/*
 * cli_share_kit.c - what `cairn recovery init` puts beside each
 * contact's share in their kit (docs/recovery-guide.md): a plain-text
 * README.txt (what the kit is, the journalist's key fingerprint to
 * confirm by voice, what to do when asked for the share) and the
 * journalist's signing.pub.  See cli_shares.h.
 *
 * Texts only: writing them is cli_share_write.c's.  Knows minisig.h and
 * slip39.h; nothing of archives, and never the share's words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/minisig.h"
#include "cairn/slip39.h"
#include "cli.h"
#include "cli_shares.h"

#ifndef CAIRN_DOCDIR
#define CAIRN_DOCDIR "/usr/local/share/doc/cairn" /* make install's */
#endif

#define README_MAX 8192

// clang-format off
/* Step 1 of the README: the fingerprint to confirm, or how to get one. */
static int
add_confirm(char *b, size_t cap, size_t *o, const struct minisig_public *signer, const char *file)
{
	char fp[MINISIG_FINGERPRINT_LEN];

	if (signer == NULL)
		return cli_share_add(b, cap, o,
		    "1. This kit holds no signing key: the journalist had none in their\n"
		    "   key home when it was made.  Ask them for their signing.pub and\n"
		    "   confirm its fingerprint with them by voice or in person.\n\n");
	minisig_fingerprint(signer, fp);
	return cli_share_add(b, cap, o,
	    "1. Confirm the journalist's signing key, once, now.  Its fingerprint is\n\n"
	    "       %s\n\n"
	    "   Read it aloud with the journalist, by voice or in person (not over\n"
	    "   the channel this kit came by).  If it differs, tell them and do not\n"
	    "   keep this kit.  'cairn share check %s' shows the\n"
	    "   same fingerprint, recorded inside your share.\n\n",
	    fp, file);
}

int
cli_kit_readme(const struct cli_share_set *set, size_t k, const struct slip39_share *s, const char *share_path, char **text, size_t *len)
{
	const char *name = set->names != NULL ? set->names[k] : "you";
	const char *file = strrchr(share_path, '/') != NULL ? strrchr(share_path, '/') + 1 : share_path;
	char *b;
	size_t o = 0;

	*text = NULL;
	*len = 0;
	if ((b = cio_malloc(README_MAX)) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "recovery kit");
	if (cli_share_add(b, README_MAX, &o,
	        "cairn recovery kit for %s\n\n"
	        "You keep one share of a journalist's recovery key.  This kit holds:\n\n"
	        "  %-22s your share, encrypted to your own age key\n"
	        "%s"
	        "  %-22s this file\n\n",
	        name, file,
	        set->signer != NULL ? "  signing.pub            the journalist's signing public key\n" : "",
	        CLI_KIT_README) != 0 ||
	    cli_share_describe(s, set->member_counts[s->group_index], set->copies[k], b, README_MAX, &o, "Your share: ", "Needed:     ") != 0 ||
	    cli_share_add(b, README_MAX, &o,
	        "\nAlone, your share opens nothing.  Enough shares together rebuild a key\n"
	        "that opens the journalist's archives when they cannot (a lost device,\n"
	        "an arrest).\n\n") != 0 ||
	    add_confirm(b, README_MAX, &o, set->signer, file) != 0 ||
	    cli_share_add(b, README_MAX, &o,
	        "2. Keep the share file private, with a copy offline.  Never send it\n"
	        "   unencrypted.\n\n"
	        "3. When asked for your share, make sure the request is genuine (as\n"
	        "   agreed with the journalist), then encrypt it to the person\n"
	        "   coordinating the recovery (their age1... key) and send them the\n"
	        "   result:\n\n"
	        "       cairn share reveal --to age1... -o for-coordinator.age %s\n\n"
	        "The coordinator opens the archives with enough shares.  cairn then\n"
	        "trusts only archives signed by the key your share records, and refuses\n"
	        "any other (exit 5):\n\n"
	        "    cairn open --share FILE --share FILE ... -i COORDINATOR_KEY ARCHIVE\n\n"
	        "More: cairn's recovery guide, installed with cairn as\n"
	        CAIRN_DOCDIR "/recovery-guide.md.\n",
	        file) != 0) {
		free(b);
		return cli_fail(CAIRN_ERR_LIMIT, "recovery kit README");
	}
	*text = b;
	*len = o;
	return 0;
}
// clang-format on

int
cli_kit_signing_pub(
    const struct minisig_public *signer, char **text, size_t *len)
{
	int rc = minisig_public_encode(signer, NULL, text, len);

	return rc == 0 ? 0 : cli_fail(rc, "signing.pub");
}
