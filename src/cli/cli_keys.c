/*
 * cli_keys.c - loading identity files and recipients for the commands,
 * with the permission/symlink refusals and hints, and the terminal
 * passphrase identity used when decrypting scrypt files (see cli.h).
 *
 * Knows the age API (include/cairn/age.h) but no age wire format details.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cairn/cio.h"
#include "cli.h"

/* ---- identity files --------------------------------------------------- */

struct pass_cb_ctx {
	const char *path;
	const struct cli_passes *ps; /* NULL: ask the terminal */
	size_t next;                 /* next passphrase of ps to hand out */
	int called;
	int exit_code; /* set when the terminal read failed (printed) */
};

static int
pass_cb(void *cbctx, const char *prompt, char *buf, size_t cap, size_t *len)
{
	struct pass_cb_ctx *c = cbctx;
	const struct cli_pass *p;
	struct cli_pass tty = {NULL, 0};
	char msg[512];

	(void)prompt;
	c->called = 1;
	*len = 0;
	if (c->ps == NULL) {
		snprintf(msg, sizeof(msg),
		    "Enter passphrase for identity file %s: ", c->path);
		if ((c->exit_code = cli_pass_from_tty(&tty, msg, 0)) != 0)
			return CAIRN_ERR_NO_MATCH;
		p = &tty;
	} else {
		if (c->next >= c->ps->n)
			return CAIRN_ERR_NO_MATCH;
		p = &c->ps->v[c->next];
	}
	if (p->len > cap) {
		cli_pass_free(&tty);
		return CAIRN_ERR_LIMIT;
	}
	memcpy(buf, p->buf, p->len);
	*len = p->len;
	cli_pass_free(&tty);
	return 0;
}

int
cli_load_identity_file(
    struct age_identities *ids, const char *path, const struct cli_passes *ps)
{
	struct pass_cb_ctx c;
	char *text = NULL;
	size_t len = 0, bad_line = 0, before = ids->n;
	int rc, ec = 0;

	if (strcmp(path, "-") == 0 &&
	    (ec = cli_claim_stdin("an identity file")) != 0)
		return ec;
	if ((ec = cli_read_small(
	         path, CLI_IDENTITY_MAX, 1, "identity file", &text, &len)) != 0)
		return ec;
	cli_warn_modeless(path, "identity file", "-i -");
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.ps = ps != NULL && ps->n > 0 ? ps : NULL;
	for (;;) {
		c.called = 0;
		bad_line = 0;
		rc = age_identities_add_text(
		    ids, text, len, pass_cb, &c, &bad_line);
		if (rc != CAIRN_ERR_NO_MATCH || !c.called || c.ps == NULL ||
		    ++c.next >= c.ps->n)
			break;
	}
	if (c.exit_code != 0) {
		ec = c.exit_code;
	} else if (rc == CAIRN_ERR_NO_MATCH && c.called) {
		cli_error(
		    "%s: wrong passphrase for the encrypted identity file",
		    path);
		ec = CLI_EXIT_NO_MATCH;
	} else if ((rc == CAIRN_ERR_INVAL || rc == CAIRN_ERR_FORMAT) &&
	    !c.called) {
		if ((ec = cli_not_public(path, "identity file")) == 0) {
			if (bad_line > 0)
				cli_error("%s:%zu: malformed identity", path,
				    bad_line);
			else
				cli_error("%s: malformed identity file", path);
			ec = CLI_EXIT_ERR;
		}
	} else if (rc != 0) {
		ec = cli_fail(rc, "%s", path);
	} else if (ids->n == before) {
		cli_error("%s: no identities found", path);
		ec = CLI_EXIT_ERR;
	}
	cio_secret_free(text, len);
	return ec;
}

int
cli_load_identities(struct age_identities *ids, const char *const *files,
    size_t n, const struct cli_passes *ps, const char *require_for)
{
	char *home;
	int ec = 0;

	for (size_t i = 0; i < n; i++)
		if ((ec = cli_load_identity_file(ids, files[i], ps)) != 0)
			return ec;
	if (n > 0)
		return 0;
	if ((home = cli_key_home_path(CLI_HOME_IDENTITY)) == NULL)
		return CLI_EXIT_ERR;
	if (cli_exists(home))
		ec = cli_load_identity_file(ids, home, ps);
	else if (require_for != NULL)
		ec = cli_usage_error(require_for,
		    "no -i given and no identity in the key home (%s)", home);
	free(home);
	return ec;
}

int
cli_load_identities_idpass(struct age_identities *ids, const char *const *files,
    size_t n, const char *idpass, const char *require_for)
{
	struct cli_passes ps;
	int ec;

	memset(&ps, 0, sizeof(ps));
	if (idpass != NULL && (ec = cli_passes_add_file(&ps, idpass)) != 0)
		return ec;
	cli_pass_tty_option("--identity-passphrase-file");
	ec = cli_load_identities(
	    ids, files, n, idpass != NULL ? &ps : NULL, require_for);
	cli_pass_tty_option(NULL);
	cli_passes_free(&ps);
	return ec;
}

/* ---- recipients ------------------------------------------------------- */

// clang-format off
int
cli_add_recipient(struct age_recipients *rs, const char *s, const char *opt)
{
	int rc = age_recipients_add_string(rs, s);

	if (rc == 0)
		return 0;
	if (rc != CAIRN_ERR_INVAL)
		return cli_fail(rc, "recipient");
	if (strncmp(s, "AGE-SECRET-KEY-", 15) == 0) {
		/* Never echo a secret key back. */
		cli_error("%s: that is a secret key, not a recipient", opt);
		cli_hint("give its public key (see 'cairn pubkey -i FILE')");
	} else if (cli_recipient_bad_checksum(s)) {
		cli_error("%s: invalid recipient '%s': invalid checksum", opt, s);
		cli_hint("a character of this age1... key is mistyped: copy it again from where its owner sent it");
	} else {
		cli_error("%s: invalid recipient '%s'", opt, s);
		cli_hint("a recipient looks like age1...");
	}
	return CLI_EXIT_USAGE;
}
// clang-format on

int
cli_add_recipients_file(struct age_recipients *rs, const char *path)
{
	char *text = NULL;
	size_t len = 0, bad_line = 0, before = rs->n;
	int rc, ec = 0;

	if (strcmp(path, "-") == 0 &&
	    (ec = cli_claim_stdin("a recipients file")) != 0)
		return ec;
	rc = cio_read_file(path, CLI_RECIPIENTS_MAX, 0, &text, &len);
	if (rc == CAIRN_ERR_LIMIT)
		return cli_fail_why(
		    CLI_EXIT_ERR, "recipients file too large", "%s", path);
	if (rc != 0)
		return cli_fail(rc, "%s", path);
	rc = age_recipients_add_text(rs, text, len, &bad_line);
	if (rc == CAIRN_ERR_INVAL || rc == CAIRN_ERR_FORMAT) {
		if (bad_line > 0)
			cli_error("%s:%zu: invalid recipient", path, bad_line);
		else
			cli_error("%s: invalid recipients file", path);
		ec = CLI_EXIT_ERR;
	} else if (rc != 0) {
		ec = cli_fail(rc, "%s", path);
	} else if (rs->n == before) {
		cli_error("%s: no recipients found", path);
		ec = CLI_EXIT_ERR;
	}
	cio_secret_free(text, len);
	return ec;
}

// clang-format off
int
cli_load_recipients(const char *verb, const struct cli_recipient_opts *o, struct age_recipients *rs)
{
	char *home = NULL;
	int ec = 0;

	if (o->ask)
		return o->nr + o->nR > 0 ? cli_usage_error(verb, "a passphrase cannot be combined with -r or -R") : 0;
	for (size_t i = 0; ec == 0 && i < o->nr; i++)
		ec = cli_add_recipient(rs, o->rstr[i], "-r");
	for (size_t i = 0; ec == 0 && i < o->nR; i++)
		ec = cli_add_recipients_file(rs, o->rfiles[i]);
	if (ec != 0 || o->nr + o->nR > 0)
		return ec;
	if ((ec = cli_key_home_public(CLI_HOME_RECIPIENTS, &home)) != 0)
		return ec;
	if (!cli_exists(home))
		ec = cli_usage_error(verb, "no recipients: give -r, -R or -p (or create the key home with 'cairn keygen')");
	else
		ec = cli_add_recipients_file(rs, home);
	free(home);
	return ec;
}
// clang-format on

int
cli_passphrase_recipient(
    const struct cli_recipient_opts *o, struct age_recipients *rs)
{
	struct cli_pass pass = {NULL, 0};
	int ec, rc;

	if (!o->ask)
		return 0;
	ec = o->passfile != NULL
	    ? cli_pass_from_file(&pass, o->passfile)
	    : cli_pass_from_tty(&pass, "Enter passphrase: ", 1);
	if (ec == 0 &&
	    (rc = age_recipients_add_passphrase(
	         rs, pass.buf, pass.len, AGE_SCRYPT_WORK_FACTOR)) != 0)
		ec = cli_fail(rc, "passphrase");
	cli_pass_free(&pass);
	return ec;
}

/* ---- passphrase from the terminal, only when an scrypt stanza shows ---- */

static int
tty_scrypt_unwrap(const void *ctx, const struct age_stanza *stanzas, size_t n,
    uint8_t file_key[AGE_FILE_KEY_LEN])
{
	struct cli_tty_scrypt *t = (struct cli_tty_scrypt *)ctx;
	struct age_identities tmp = {NULL, 0};
	struct cli_pass p = {NULL, 0};
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if (strcmp(stanzas[i].type, "scrypt") == 0)
			break;
	if (i == n || t->wanted_passphrase)
		return CAIRN_ERR_NO_MATCH;
	t->wanted_passphrase = 1;
	if (!cli_have_tty()) {
		t->no_tty = 1;
		return CAIRN_ERR_NO_MATCH;
	}
	if ((t->exit_code = cli_pass_from_tty(&p, "Enter passphrase: ", 0)) !=
	    0)
		return CAIRN_ERR_NO_MATCH;
	rc = age_identities_add_passphrase(&tmp, p.buf, p.len);
	cli_pass_free(&p);
	if (rc != 0)
		return rc;
	rc = tmp.v[0].ops->unwrap(tmp.v[0].ctx, stanzas, n, file_key);
	age_identities_free(&tmp);
	return rc;
}

static void
tty_scrypt_free(void *ctx)
{
	(void)ctx; /* owned by the caller */
}

static const struct age_identity_ops tty_scrypt_ops = {
    .unwrap = tty_scrypt_unwrap,
    .free = tty_scrypt_free,
};

int
cli_tty_scrypt_add(struct age_identities *ids, struct cli_tty_scrypt *t)
{
	struct age_identity id = {&tty_scrypt_ops, t};

	memset(t, 0, sizeof(*t));
	if (age_identities_add(ids, &id) != 0) {
		cli_error("out of memory");
		return CLI_EXIT_ERR;
	}
	return 0;
}
