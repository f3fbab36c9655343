/*
 * cli_share_identity.c - the raw X25519 secret of an age identity file,
 * for `cairn split` (age's identity API hides it on purpose).  An
 * age-encrypted identity file is decrypted with a passphrase from the
 * terminal.  See cli_shares.h.
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

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

/* Trim [*b, *e) of whitespace. */
static void
trim(const char **b, const char **e)
{
	while (*b < *e && is_space(**b))
		(*b)++;
	while (*e > *b && is_space((*e)[-1]))
		(*e)--;
}

/* Ask the terminal for the passphrase of an encrypted identity file and
 * decrypt text with it into *plain. */
static int
decrypt_identity(const char *path, const char *text, size_t len, char **plain,
    size_t *plainlen)
{
	struct age_identities pw = {NULL, 0};
	struct cli_pass p = {NULL, 0};
	char prompt[512];
	int rc, ec;

	if (!cli_have_tty()) {
		cli_error("%s: the identity file is passphrase-encrypted, and "
		          "there is no terminal to ask for it",
		    path);
		cli_hint(
		    "decrypt it first: cairn decrypt -o PLAIN.key %s", path);
		return CLI_EXIT_USAGE;
	}
	snprintf(prompt, sizeof(prompt),
	    "Enter passphrase for identity file %s: ", path);
	if ((ec = cli_pass_from_tty(&p, prompt, 0)) != 0)
		return ec;
	rc = age_identities_add_passphrase(&pw, p.buf, p.len);
	cli_pass_free(&p);
	if (rc == 0)
		rc = cli_shares_decrypt_mem(text, len, &pw, plain, plainlen);
	age_identities_free(&pw);
	if (rc == CAIRN_ERR_NO_MATCH) {
		cli_error("%s: wrong passphrase for the encrypted identity "
		          "file",
		    path);
		return CLI_EXIT_NO_MATCH;
	}
	return rc != 0 ? cli_fail(rc, "%s", path) : 0;
}

int
cli_identity_secret(const char *path, uint8_t sk[AGE_X25519_KEY_LEN])
{
	static const char prefix[] = "AGE-SECRET-KEY-1";
	char *raw = NULL, *plain = NULL, *key = NULL;
	const char *text, *p, *end, *nl, *b, *e;
	size_t rawlen = 0, plainlen = 0, line = 0, nkeys = 0;
	int ec;

	if ((ec = cli_read_secret_file(
	         path, CLI_IDENTITY_MAX, "identity file", &raw, &rawlen)) != 0)
		return ec;
	text = raw;
	end = raw + rawlen;
	if (cli_shares_is_age(raw, rawlen)) {
		if ((ec = decrypt_identity(
		         path, raw, rawlen, &plain, &plainlen)) != 0)
			goto out;
		text = plain;
		end = plain + plainlen;
	}
	if ((key = cio_secret_malloc(AGE_IDENTITY_STR_LEN + 1)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "%s", path);
		goto out;
	}
	for (p = text; p < end; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		b = p;
		e = nl;
		trim(&b, &e);
		if (b == e || *b == '#')
			continue;
		if ((size_t)(e - b) > AGE_IDENTITY_STR_LEN ||
		    (size_t)(e - b) < sizeof(prefix) - 1 ||
		    memcmp(b, prefix, sizeof(prefix) - 1) != 0) {
			ec = cli_fail_why(CLI_EXIT_ERR,
			    "not an age X25519 identity (AGE-SECRET-KEY-1...)",
			    "%s:%zu", path, line);
			goto out;
		}
		if (++nkeys > 1)
			continue;
		memcpy(key, b, (size_t)(e - b));
		key[e - b] = '\0';
		if (age_x25519_identity_parse(key, sk) != 0) {
			ec = cli_fail_why(CLI_EXIT_ERR, "malformed identity",
			    "%s:%zu", path, line);
			goto out;
		}
	}
	if (nkeys == 0)
		ec =
		    cli_fail_why(CLI_EXIT_ERR, "no identity found", "%s", path);
	else if (nkeys > 1)
		ec = cli_fail_why(CLI_EXIT_USAGE,
		    "the file holds more than one identity; split one at a "
		    "time",
		    "%s", path);
out:
	if (ec != 0)
		sodium_memzero(sk, AGE_X25519_KEY_LEN);
	if (key != NULL)
		sodium_free(key);
	if (plain != NULL)
		cio_secret_free(plain, plainlen);
	cio_secret_free(raw, rawlen);
	return ec;
}
