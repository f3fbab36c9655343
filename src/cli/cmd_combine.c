/*
 * cmd_combine.c - `cairn combine`: rebuild an age identity (or, with
 * --print-secret-hex, any SLIP-39 secret) from share files, plain or
 * encrypted to the -i identities.  More shares than needed are fine; a
 * recovered key that differs from the one the shares record is refused.
 *
 * A secret key goes to -o FILE (0600, never replacing a file), or to
 * standard output only when that is not a terminal.
 *
 * Knows slip39.h, age.h and the share-file helpers (cli_shares.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "builtin.h"
#include "cli.h"
#include "cli_shares.h"
#include "cairn/slip39.h"

static const char combine_help[] =
    "usage: cairn combine [-i IDENTITY_FILE]... [--passphrase-file F]\n"
    "                     [-o IDENTITY_OUT] SHARE_FILE...\n"
    "       cairn combine --print-secret-hex [--passphrase-file F]\n"
    "                     SHARE_FILE...\n"
    "\n"
    "Rebuild the age identity split with 'cairn split' or 'cairn recovery\n"
    "init' from enough share files (more are fine: a valid subset is\n"
    "used).  Encrypted share files are decrypted with the -i identities\n"
    "(default: the key home's identity, if any).  The identity is written\n"
    "to IDENTITY_OUT (mode 0600; an existing file is never replaced) and\n"
    "its public key printed; without -o it goes to standard output, which\n"
    "must then not be a terminal.  It works with 'age -d -i IDENTITY_OUT'.\n"
    "\n"
    "  -i, --identity FILE      identity for encrypted share files\n"
    "                           (repeatable)\n"
    "      --identity-passphrase-file F\n"
    "                           passphrase of an encrypted identity file\n"
    "                           (else asked on the terminal)\n"
    "      --passphrase-file F  the SLIP-39 passphrase given to split\n"
    "  -o, --output FILE        where to write the identity\n"
    "      --print-secret-hex   print the raw secret in hex instead (for\n"
    "                           shares made by other SLIP-39 software)\n"
    "  -h, --help               show this help\n";

/* Write len bytes of text to the output (-o or stdout); exit code. */
static int
emit(const char *outpath, const char *text, size_t len)
{
	struct cli_out out;
	int rc, ec;

	if ((ec = cli_out_open(&out, outpath, 0600, 0, NULL)) != 0)
		return ec;
	if ((rc = out.sink.write(out.sink.ctx, (const uint8_t *)text, len)) !=
	    0) {
		ec = out.write_errno != 0
		    ? cli_stream_fail(rc, NULL, NULL, &out)
		    : cli_fail(rc, "%s", out.name);
		cli_out_abort(&out);
		return ec;
	}
	ec = cli_out_commit(&out);
	cli_out_abort(&out);
	return ec;
}

struct combine_args {
	const char **files; /* -i */
	size_t nfiles;
	const char *passfile, *outpath; /* outpath NULL: standard output */
	const char *idpass;             /* --identity-passphrase-file */
	int hex;
	const char *const *shares;
	size_t nshares;
};

/* Parse the command line into a; returns 0, an exit code, or -1 after
 * --help. */
static int
parse(int argc, char **argv, struct combine_args *a)
{
	enum { OPT_PASSFILE = 256, OPT_HEX, OPT_IDPASS };
	static const struct option longopts[] = {
	    {"identity", required_argument, NULL, 'i'},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"identity-passphrase-file", required_argument, NULL, OPT_IDPASS},
	    {"output", required_argument, NULL, 'o'},
	    {"print-secret-hex", no_argument, NULL, OPT_HEX},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = cli_getopt(argc, argv, ":hi:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': a->files[a->nfiles++] = optarg; break;
		case OPT_PASSFILE: a->passfile = optarg; break;
		case OPT_IDPASS: a->idpass = optarg; break;
		case 'o': a->outpath = optarg; break;
		case OPT_HEX: a->hex = 1; break;
		case 'h': cli_print_help(combine_help); return -1;
		default: return cli_option_error("combine", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("combine", "give the share files");
	a->shares = (const char *const *)(argv + optind);
	a->nshares = (size_t)(argc - optind);
	if (a->outpath != NULL && strcmp(a->outpath, "-") == 0)
		a->outpath = NULL;
	// clang-format off
	if (a->outpath == NULL && !a->hex && isatty(STDOUT_FILENO))
		return cli_usage_error("combine", "refusing to print a secret key on the terminal: use -o FILE");
	// clang-format on
	if (a->outpath != NULL && cli_exists(a->outpath)) {
		cli_error(
		    "%s: file exists, refusing to overwrite it", a->outpath);
		cli_hint("choose another path");
		return CLI_EXIT_ERR;
	}
	return 0;
}

/*
 * The text to write for the recovered secret (len bytes): its hex, or an
 * age identity file naming recipient.  Into text (cap bytes, a secret
 * buffer); *n is its length.  Returns 0 or an exit code after printing.
 */
static int
format_secret(const struct combine_args *a, const struct cli_shares *ss,
    const uint8_t *secret, size_t len, const char *recipient, char *text,
    size_t cap, int *n)
{
	char idstr[AGE_IDENTITY_STR_LEN];
	int rc;

	if (a->hex) {
		sodium_bin2hex(text, cap, secret, len);
		*n = (int)(2 * len);
		text[(*n)++] = '\n';
		return 0;
	}
	if (len != AGE_X25519_KEY_LEN) {
		// clang-format off
		cli_error("the shares hold a %zu-byte secret, not an age identity", len);
		// clang-format on
		cli_hint("use --print-secret-hex");
		return CLI_EXIT_ERR;
	}
	if ((rc = age_x25519_identity_string(secret, idstr)) != 0)
		return cli_fail(rc, "recovered key");
	*n = snprintf(text, cap,
	    "# recovered by cairn combine from SLIP-39 share set %u\n"
	    "# public key: %s\n%s\n",
	    ss->v[0].s.identifier, recipient, idstr);
	sodium_memzero(idstr, sizeof(idstr));
	if (*n < 0 || (size_t)*n >= cap)
		return cli_fail(CAIRN_ERR_INVAL, "identity text");
	return 0;
}

int
cmd_combine(int argc, char **argv)
{
	struct combine_args a;
	struct age_identities ids = {NULL, 0};
	struct cli_shares ss = {NULL, 0, 0, 0};
	struct cli_pass pass = {NULL, 0};
	char *text = NULL;
	char recipient[AGE_RECIPIENT_STR_LEN];
	uint8_t *secret = NULL;
	size_t len = 0, cap = 2 * SLIP39_MAX_SECRET_LEN + 512;
	int ec = 0, n = 0;

	memset(&a, 0, sizeof(a));
	if ((a.files = cio_calloc((size_t)argc + 1, sizeof(*a.files))) ==
	    NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "combine");
		goto out;
	}
	if ((ec = parse(argc, argv, &a)) != 0) {
		if (ec < 0)
			ec = 0;
		goto out;
	}
	if (a.passfile != NULL &&
	    (ec = cli_shares_pass(&pass, a.passfile, "--passphrase-file")) != 0)
		goto out;
	if ((ec = cli_load_identities_idpass(
	         &ids, a.files, a.nfiles, a.idpass, NULL)) != 0 ||
	    (ec = cli_shares_read(&ss, a.shares, a.nshares, &ids)) != 0)
		goto out;
	if ((secret = cio_secret_malloc(SLIP39_MAX_SECRET_LEN)) == NULL ||
	    (text = cio_secret_malloc(cap)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "combine");
		goto out;
	}
	if ((ec = cli_shares_combine(&ss, pass.buf != NULL ? &pass : NULL,
	         secret, SLIP39_MAX_SECRET_LEN, &len)) != 0 &&
	    ss.damaged_ec != 0)
		ec = ss.damaged_ec; /* the damaged share was needed */
	if (ec != 0 ||
	    (ec = cli_shares_check_key(&ss, secret, len, recipient)) != 0 ||
	    (ec = format_secret(
	         &a, &ss, secret, len, recipient, text, cap, &n)) != 0 ||
	    (ec = emit(a.outpath, text, (size_t)n)) != 0)
		goto out;
	if (a.outpath != NULL && !a.hex && recipient[0] != '\0') {
		printf("%s\n", recipient);
		ec = cli_flush_stdout();
	}
out:
	if (text != NULL)
		sodium_free(text);
	if (secret != NULL)
		sodium_free(secret);
	cli_shares_free(&ss);
	age_identities_free(&ids);
	cli_pass_free(&pass);
	free(a.files);
	return ec;
}
