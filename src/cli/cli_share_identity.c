/*
 * cli_share_identity.c - the raw X25519 secret of an age identity file,
 * for `cairn split` (age's identity API hides it on purpose; the parsing
 * is age_x25519_identity_secret_key's).  An age-encrypted identity file
 * is decrypted with a passphrase from a file or the terminal.  See
 * cli_shares.h.
 *
 * Knows age.h; nothing of shares or archives.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cairn/cio.h"
#include "cli.h"
#include "cli_shares.h"

/* Decrypt text, an encrypted identity file, into *plain with the
 * passphrase in passfile (NULL: asked on the terminal). */
static int
decrypt_identity(const char *path, const char *passfile, const char *text,
    size_t len, char **plain, size_t *plainlen)
{
	struct age_identities pw = {NULL, 0};
	struct cli_pass p = {NULL, 0};
	char prompt[512];
	int rc, ec;

	if (passfile == NULL && !cli_have_tty()) {
		// clang-format off
		cli_error("%s: the identity file is passphrase-encrypted, and there is no terminal to ask for it", path);
		cli_hint("give its passphrase with --identity-passphrase-file FILE (--passphrase-file is the shares' own SLIP-39 passphrase)");
		// clang-format on
		return CLI_EXIT_USAGE;
	}
	snprintf(prompt, sizeof(prompt),
	    "Enter passphrase for identity file %s: ", path);
	if ((ec = passfile != NULL ? cli_pass_from_file(&p, passfile)
	                           : cli_pass_from_tty(&p, prompt, 0)) != 0)
		return ec;
	rc = age_identities_add_passphrase(&pw, p.buf, p.len);
	cli_pass_free(&p);
	if (rc == 0)
		rc = age_decrypt_mem(text, len, &pw, plain, plainlen);
	age_identities_free(&pw);
	if (rc == CAIRN_ERR_NO_MATCH) {
		// clang-format off
		cli_error("%s: wrong passphrase for the encrypted identity file", path);
		// clang-format on
		return CLI_EXIT_NO_MATCH;
	}
	return rc != 0 ? cli_fail(rc, "%s", path) : 0;
}

// clang-format off
int
cli_identity_secret(const char *path, const char *passfile, uint8_t sk[AGE_X25519_KEY_LEN])
{
	char *raw = NULL, *plain = NULL;
	const char *text;
	size_t rawlen = 0, plainlen = 0, len, line = 0;
	int ec, rc;

	if ((ec = cli_read_secret_file(path, CLI_IDENTITY_MAX, "identity file", &raw, &rawlen)) != 0)
		return ec;
	text = raw;
	len = rawlen;
	if (age_is_encrypted(raw, rawlen)) {
		if ((ec = decrypt_identity(path, passfile, raw, rawlen, &plain, &plainlen)) != 0)
			goto out;
		text = plain;
		len = plainlen;
	}
	switch ((rc = age_x25519_identity_secret_key(text, len, sk, &line))) {
	case 0:
		break;
	case CAIRN_ERR_FORMAT:
		ec = cli_fail_why(CLI_EXIT_ERR, "not an age X25519 identity (AGE-SECRET-KEY-1...)", "%s:%zu", path, line);
		break;
	case CAIRN_ERR_INVAL:
		ec = cli_fail_why(CLI_EXIT_ERR, "malformed identity", "%s:%zu", path, line);
		break;
	case CAIRN_ERR_NO_MATCH:
		ec = cli_fail_why(CLI_EXIT_ERR, "no identity found", "%s", path);
		break;
	case CAIRN_ERR_LIMIT:
		ec = cli_fail_why(CLI_EXIT_USAGE, "the file holds more than one identity; split one at a time", "%s", path);
		break;
	default:
		ec = cli_fail(rc, "%s", path);
	}
out:
	if (ec != 0)
		sodium_memzero(sk, AGE_X25519_KEY_LEN);
	if (plain != NULL)
		cio_secret_free(plain, plainlen);
	cio_secret_free(raw, rawlen);
	return ec;
}
// clang-format on
