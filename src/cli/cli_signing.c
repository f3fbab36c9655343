/*
 * cli_signing.c - minisign signing keys for the CLI: loading a secret key
 * (asking for its passphrase), loading public keys for --signer, creating
 * a key pair in the key home and printing the public key (see
 * cli_archive.h).  Key files are in minisign's formats (minisig.h), so
 * `minisign -p signing.pub` and `minisign -s signing.key` accept them.
 *
 * Knows minisig.h; nothing of archives.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_json.h"
#include "cairn/minisig.h"

/* Load the key at path; an encrypted one is unlocked with pass, else
 * with a passphrase asked on the terminal. */
static int
signing_load(
    const char *path, const struct cli_pass *pass, struct minisig_secret **sk)
{
	struct cli_pass tty = {NULL, 0};
	char *text = NULL, prompt[512];
	size_t len = 0;
	int rc, ec = 0, enc;

	*sk = NULL;
	if (strcmp(path, "-") == 0 &&
	    (ec = cli_claim_stdin("the signing key")) != 0)
		return ec;
	if ((ec = cli_read_small(path, CLI_SIGNING_KEY_MAX, 1, "signing key",
	         &text, &len)) != 0)
		return ec;
	cli_warn_modeless(path, "signing key", "-s -");
	if ((enc = minisig_secret_is_encrypted(text, len)) < 0 &&
	    (ec = cli_not_public(path, "signing key")) != 0)
		goto out;
	if (enc < 0) {
		cli_error("%s: not a minisign secret key (%s)", path,
		    cairn_strerror(enc));
		ec = CLI_EXIT_ERR;
		goto out;
	}
	if (enc && pass == NULL) {
		snprintf(prompt, sizeof(prompt),
		    "Enter passphrase for signing key %s: ", path);
		if ((ec = cli_pass_from_tty(&tty, prompt, 0)) != 0)
			goto out;
		pass = &tty;
	}
	rc = minisig_secret_decode(
	    text, len, enc ? pass->buf : NULL, enc ? pass->len : 0, sk);
	if (rc == CAIRN_ERR_NO_MATCH) {
		cli_error("%s: wrong passphrase for the signing key", path);
		ec = CLI_EXIT_NO_MATCH;
	} else if (rc == CAIRN_ERR_FORMAT) {
		cli_error("%s: malformed minisign secret key", path);
		ec = CLI_EXIT_ERR;
	} else if (rc == CAIRN_ERR_NOMEM && enc) {
		// clang-format off
		cli_error("%s: not enough memory to unlock the signing key: its passphrase protection (minisign's scrypt) needs about 1 GiB", path);
		cli_hint("free memory or raise the limit (ulimit -v), or on a small device use a signing key without a passphrase, kept on an encrypted disk (see cairn(1), MEMORY)");
		// clang-format on
		ec = CLI_EXIT_ERR;
	} else if (rc != 0)
		ec = cli_fail(rc, "%s", path);
out:
	cli_pass_free(&tty);
	cio_secret_free(text, len);
	return ec;
}

int
cli_signing_load(
    const char *path, const char *passfile, struct minisig_secret **sk)
{
	struct cli_pass pass = {NULL, 0};
	int ec;

	*sk = NULL;
	if (passfile != NULL && (ec = cli_pass_from_file(&pass, passfile)) != 0)
		return ec;
	/* seal's option for this prompt, not its --passphrase-file (which
	 * would seal to a passphrase) */
	cli_pass_tty_option("--signing-passphrase-file");
	ec = signing_load(path, passfile != NULL ? &pass : NULL, sk);
	cli_pass_tty_option(NULL);
	cli_pass_free(&pass);
	return ec;
}

int
cli_signer_load(const char *path, struct minisig_public *pk)
{
	char *text = NULL;
	size_t len = 0;
	int ec = 0;

	if (strcmp(path, "-") == 0 &&
	    (ec = cli_claim_stdin("a public key file")) != 0)
		return ec;
	if ((ec = cli_read_small(
	         path, CLI_SIGNING_KEY_MAX, 0, "public key", &text, &len)) != 0)
		return ec;
	if (minisig_public_decode(text, len, pk) != 0) {
		cli_error("%s: not a minisign public key", path);
		// clang-format off
		if (minisig_secret_is_encrypted(text, len) >= 0)
			cli_hint("that is a secret key; give its .pub file (see 'cairn pubkey --signing')");
		// clang-format on
		ec = CLI_EXIT_USAGE;
	}
	cio_secret_free(text, len);
	return ec;
}

int
cli_signing_create(const char *key_path, const char *pub_path,
    const struct cli_pass *pass, struct minisig_public *pk)
{
	struct minisig_secret *sk = NULL;
	char *sktext = NULL, *pubtext = NULL;
	size_t sklen = 0, publen = 0;
	int rc, ec = CLI_EXIT_ERR, wrote_key = 0;

	if ((rc = minisig_keygen(&sk, pk)) != 0 ||
	    (rc = minisig_secret_encode(sk, pass != NULL ? pass->buf : NULL,
	         pass != NULL ? pass->len : 0, NULL, &sktext, &sklen)) != 0 ||
	    (rc = minisig_public_encode(pk, NULL, &pubtext, &publen)) != 0) {
		ec = cli_fail(rc, "creating the signing key");
		goto out;
	}
	if ((rc = cio_write_file(key_path, sktext, sklen, 0600)) != 0) {
		ec = cli_fail(rc, "%s", key_path);
		goto out;
	}
	wrote_key = 1;
	if ((rc = cio_write_file(pub_path, pubtext, publen, 0644)) != 0) {
		ec = cli_fail(rc, "%s", pub_path);
		goto out;
	}
	ec = 0;
out:
	if (ec != 0 && wrote_key)
		(void)unlink(key_path);
	minisig_secret_free(sk);
	if (sktext != NULL)
		cio_secret_free(sktext, sklen);
	free(pubtext);
	return ec;
}

/*
 * The key home's signing.pub into *pk, refused (StrictModes, cli.h) when
 * others could have changed it, and when signing.key exists, checked
 * against it (unlocking it with ps->v[0] or a terminal passphrase): a
 * signing.pub that does not match the key that signs is refused.
 */
static int
home_pub_checked(const char *pub, const char *key, const struct cli_passes *ps,
    struct minisig_public *pk)
{
	struct minisig_secret *sk = NULL;
	struct minisig_public real;
	char *home = NULL;
	int ec;

	if ((ec = cli_key_home_public(CLI_HOME_SIGNING_PUB, &home)) != 0 ||
	    (ec = cli_signer_load(pub, pk)) != 0 || !cli_exists(key))
		goto out;
	if ((ec = signing_load(
	         key, ps != NULL && ps->n > 0 ? &ps->v[0] : NULL, &sk)) != 0)
		goto out;
	minisig_public_from_secret(sk, &real);
	if (!minisig_public_same(&real, pk) ||
	    memcmp(real.key_id, pk->key_id, sizeof(real.key_id)) != 0) {
		char have[MINISIG_FINGERPRINT_LEN],
		    want[MINISIG_FINGERPRINT_LEN];

		minisig_fingerprint(pk, have);
		minisig_fingerprint(&real, want);
		// clang-format off
		cli_error("%s: does not match %s (it holds key %s, the signing key's public key is %s): someone may have replaced it", pub, key, have, want);
		cli_hint("do not hand out this signing.pub; check the key home, then print the right public key with 'cairn pubkey --signing -s %s'", key);
		// clang-format on
		ec = CLI_EXIT_ERR;
	}
out:
	minisig_secret_free(sk);
	free(home);
	return ec;
}

int
cli_signing_home_pub(struct minisig_public *pk, int *have)
{
	char *pub = NULL, *key = NULL, *text = NULL;
	size_t len = 0;
	int ec, enc = 1;

	*have = 0;
	if ((ec = cli_key_home_public(CLI_HOME_SIGNING_PUB, &pub)) != 0 ||
	    !cli_exists(pub))
		goto out;
	if ((key = cli_key_home_path(CLI_HOME_SIGNING_KEY)) == NULL) {
		ec = CLI_EXIT_ERR;
		goto out;
	}
	/* Only a key without a passphrase is checked: no prompt here. */
	if (cli_exists(key) &&
	    cio_read_file(key, CLI_SIGNING_KEY_MAX, 1, &text, &len) == 0)
		enc = minisig_secret_is_encrypted(text, len) != 0;
	ec = enc ? cli_signer_load(pub, pk)
	         : home_pub_checked(pub, key, NULL, pk);
	*have = ec == 0;
out:
	if (text != NULL)
		cio_secret_free(text, len);
	free(pub);
	free(key);
	return ec;
}

int
cli_signing_print_pub(const char *path, const struct cli_passes *ps, int json)
{
	struct minisig_secret *sk = NULL;
	struct minisig_public pk;
	char *home_pub = NULL, *home_key = NULL, *text = NULL;
	size_t len = 0;
	int rc, ec;

	if (path == NULL) {
		if ((home_pub = cli_key_home_path(CLI_HOME_SIGNING_PUB)) ==
		        NULL ||
		    (home_key = cli_key_home_path(CLI_HOME_SIGNING_KEY)) ==
		        NULL) {
			ec = CLI_EXIT_ERR;
			goto out;
		}
		if (cli_exists(home_pub)) {
			ec = home_pub_checked(home_pub, home_key, ps, &pk);
			goto print;
		}
		if (!cli_exists(home_key)) {
			// clang-format off
			ec = cli_usage_error("pubkey", "no -s given and no signing key in the key home (%s)", home_key);
			// clang-format on
			goto out;
		}
		path = home_key;
	}
	if ((ec = signing_load(
	         path, ps != NULL && ps->n > 0 ? &ps->v[0] : NULL, &sk)) != 0)
		goto out;
	minisig_public_from_secret(sk, &pk);
print:
	if (ec != 0)
		goto out;
	if (json) {
		char b64[MINISIG_PUBLIC_B64_LEN], kid[MINISIG_KEY_ID_HEX_LEN];
		json_t *o = json_object();

		char fp[MINISIG_FINGERPRINT_LEN];

		minisig_public_base64(&pk, b64);
		minisig_key_id_hex(pk.key_id, kid);
		minisig_fingerprint(&pk, fp);
		if (o != NULL) {
			cli_json_set(o, "signing_key_id", json_string(kid));
			cli_json_set(o, "signing_public_key", json_string(b64));
			cli_json_set(o, "signing_fingerprint", json_string(fp));
		}
		ec = cli_json_print(o);
		goto out;
	}
	if ((rc = minisig_public_encode(&pk, NULL, &text, &len)) != 0) {
		ec = cli_fail(rc, "pubkey");
		goto out;
	}
	fputs(text, stdout);
	ec = cli_flush_stdout();
out:
	minisig_secret_free(sk);
	free(text);
	free(home_pub);
	free(home_key);
	return ec;
}
