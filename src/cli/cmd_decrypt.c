/*
 * cmd_decrypt.c - `cairn decrypt`: decrypt an age v1 file (binary or
 * armored) with identity files and/or passphrases, streaming.  Plaintext
 * reaches the output only after the chunk holding it authenticated; with
 * -o a failure leaves neither OUT nor a temp file.
 *
 * Knows the age API only.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "builtin.h"
#include "cli.h"
#include "cli_progress.h"
#include "cli_shares.h"

static const char decrypt_help[] =
    "usage: cairn decrypt [-i IDENTITY_FILE]... [--passphrase-file F]...\n"
    "                     [--share SHARE_FILE]... [--share-passphrase-file F]\n"
    "                     [-o OUT] [--force] [-q] [INPUT]\n"
    "\n"
    "Decrypt INPUT (default: standard input), an age file, binary or\n"
    "armored.  Without -i, the key home's identity is used if it exists.\n"
    "A passphrase-encrypted file asks for the passphrase on the terminal\n"
    "unless --passphrase-file is given.\n"
    "\n"
    "  -i, --identity FILE      identity file (repeatable; - = stdin); must\n"
    "                           not be readable by group or others\n"
    "      --passphrase-file F  passphrase, tried for the file itself and for\n"
    "                           encrypted identity files (repeatable)\n"
    "      --share SHARE_FILE   a SLIP-39 share file (repeatable): enough\n"
    "                           of them rebuild a split identity in memory;\n"
    "                           -i identities decrypt encrypted share files\n"
    "      --share-passphrase-file F\n"
    "                           the shares' SLIP-39 passphrase, if any\n"
    "  -o, --output OUT         write to OUT (atomically, mode 0600)\n"
    "      --force              replace OUT if it exists\n"
    "  -q, --quiet              no progress display\n"
    "  -h, --help               show this help\n";

/* Report an age_reader_new() failure; returns the exit code. */
static int
open_fail(
    int rc, const struct cli_in *in, const struct cli_tty_scrypt *t, int nids)
{
	if (rc != CAIRN_ERR_NO_MATCH)
		return cli_fail(rc, "%s", in->name);
	if (t->exit_code != 0)
		return t->exit_code;
	if (t->wanted_passphrase && t->no_tty) {
		cli_error("%s: encrypted with a passphrase, and there is no "
		          "terminal to ask for it",
		    in->name);
		cli_hint("use --passphrase-file FILE");
		return CLI_EXIT_NO_MATCH;
	}
	if (t->wanted_passphrase) {
		cli_error("%s: wrong passphrase", in->name);
		return CLI_EXIT_NO_MATCH;
	}
	cli_error("%s: no identity matched", in->name);
	if (nids == 0)
		cli_hint("give the identity with -i FILE");
	else
		cli_hint("the file was encrypted to other recipients; check "
		         "your keys with 'cairn pubkey -i FILE'");
	return CLI_EXIT_NO_MATCH;
}

int
cmd_decrypt(int argc, char **argv)
{
	enum { OPT_PASSFILE = 256, OPT_FORCE, OPT_SHARE, OPT_SHAREPASS };
	static const struct option longopts[] = {
	    {"identity", required_argument, NULL, 'i'},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"output", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"share", required_argument, NULL, OPT_SHARE},
	    {"share-passphrase-file", required_argument, NULL, OPT_SHAREPASS},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct age_identities ids = {NULL, 0};
	struct age_reader *r = NULL;
	struct cli_passes ps;
	struct cli_tty_scrypt tty;
	struct cli_in in = {-1, 0, NULL, {NULL, NULL}};
	struct cli_out out;
	struct cli_progress pg;
	const char **files = NULL, **passfiles = NULL, **shares = NULL;
	const char *outpath = NULL, *inpath = NULL, *sharepass = NULL;
	uint8_t *buf = NULL;
	size_t nfiles = 0, npass = 0, nshares = 0;
	int c, ec = 0, rc, force = 0, nids, quiet = 0;

	memset(&ps, 0, sizeof(ps));
	memset(&out, 0, sizeof(out));
	memset(&tty, 0, sizeof(tty));
	memset(&pg, 0, sizeof(pg));
	if ((files = cio_calloc((size_t)argc + 1, sizeof(*files))) == NULL ||
	    (passfiles = cio_calloc((size_t)argc + 1, sizeof(*passfiles))) ==
	        NULL ||
	    (shares = cio_calloc((size_t)argc + 1, sizeof(*shares))) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "decrypt");
		goto out;
	}
	while ((c = cli_getopt(argc, argv, ":hqi:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': files[nfiles++] = optarg; break;
		case OPT_PASSFILE: passfiles[npass++] = optarg; break;
		case 'o': outpath = optarg; break;
		case OPT_FORCE: force = 1; break;
		case 'q': quiet = 1; break;
		case OPT_SHARE: shares[nshares++] = optarg; break;
		case OPT_SHAREPASS: sharepass = optarg; break;
		case 'h': ec = cli_print_help(decrypt_help); goto out;
		default: ec = cli_option_error("decrypt", c, argv); goto out;
		}
	}
	if ((ec = cli_one_operand(
	         "decrypt", "INPUT", 0, argc, argv, &inpath)) != 0)
		goto out;
	/* The input claims stdin first, so "-i -" with stdin input fails
	 * before any secret is read. */
	if ((ec = cli_in_open(&in, inpath)) != 0)
		goto out;
	for (size_t i = 0; i < npass; i++)
		if ((ec = cli_passes_add_file(&ps, passfiles[i])) != 0)
			goto out;
	if ((ec = cli_load_identities(&ids, files, nfiles, &ps, NULL)) != 0)
		goto out;
	/* The identity split into --share files, rebuilt in memory only. */
	if (nshares > 0 &&
	    (ec = cli_shares_add_identity(&ids, shares, nshares, sharepass)) !=
	        0)
		goto out;
	nids = (int)ids.n;
	for (size_t i = 0; i < ps.n; i++)
		if ((rc = age_identities_add_passphrase(
		         &ids, ps.v[i].buf, ps.v[i].len)) != 0) {
			ec = cli_fail(rc, "passphrase");
			goto out;
		}
	if (ps.n == 0 && (ec = cli_tty_scrypt_add(&ids, &tty)) != 0)
		goto out;
	if ((ec = cli_out_open(&out, outpath, 0600, force, &in)) != 0)
		goto out;
	if ((rc = age_reader_new(&r, &in.src, &ids)) != 0) {
		ec = open_fail(rc, &in, &tty, nids + (int)ps.n);
		goto out;
	}
	if ((buf = cio_malloc(CLI_IO_BLOCK)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "decrypt");
		goto out;
	}
	cli_progress_start(&pg, "decrypt", cli_progress_fd_size(in.fd), quiet,
	    out.atomic ? -1 : out.fd);
	for (;;) {
		ssize_t n = age_reader_read(r, buf, CLI_IO_BLOCK);

		if (n == 0)
			break;
		if (n > 0)
			cli_progress_set(&pg, age_reader_consumed(r));
		if (n < 0 ||
		    (rc = out.sink.write(out.sink.ctx, buf, (size_t)n)) != 0) {
			ec = cli_stream_fail(
			    n < 0 ? (int)n : rc, NULL, &in, &out);
			goto out;
		}
	}
	cli_progress_end(&pg);
	ec = cli_out_commit(&out);
out:
	cli_progress_end(&pg);
	cli_out_abort(&out);
	cli_in_close(&in);
	age_reader_free(r);
	age_identities_free(&ids);
	cli_passes_free(&ps);
	if (buf != NULL) {
		sodium_memzero(buf, CLI_IO_BLOCK);
		free(buf);
	}
	free(files);
	free(passfiles);
	free(shares);
	return ec;
}
