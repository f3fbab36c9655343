/*
 * cmd_decrypt.c - `cairn decrypt`: decrypt an age v1 file (binary or
 * armored) with identity files and/or passphrases, streaming.  Plaintext
 * reaches the output only after the chunk holding it authenticated; with
 * -o a failure leaves neither OUT nor a temp file.  What unlocks the file
 * is gathered by cli_unlock, as for the archive verbs.
 *
 * Knows the age API and cli_unlock.h only.
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
#include "cli_unlock.h"

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

struct decrypt_args {
	struct cli_unlock u; /* -i, --passphrase-file, --share... */
	const char *outpath, *inpath;
	int force, quiet;
};

/* Parse the command line into d (d->u initialised); returns 0, an exit
 * code, or -1 after --help. */
static int
parse(int argc, char **argv, struct decrypt_args *d)
{
	enum { OPT_FORCE = CLI_UNLOCK_OPT_FIRST_FREE };
	static const struct option longopts[] = {
	    CLI_UNLOCK_LONGOPTS,
	    {"output", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = cli_getopt(argc, argv, ":hqo:" CLI_UNLOCK_SHORTOPTS,
	            longopts, NULL)) != -1) {
		if (cli_unlock_option(&d->u, c, optarg))
			continue;
		switch (c) {
		case 'o': d->outpath = optarg; break;
		case OPT_FORCE: d->force = 1; break;
		case 'q': d->quiet = 1; break;
		case 'h': cli_print_help(decrypt_help); return -1;
		default: return cli_option_error("decrypt", c, argv);
		}
	}
	return cli_one_operand("decrypt", "INPUT", 0, argc, argv, &d->inpath);
}

/* Decrypt r into out, showing progress unless quiet. */
static int
run(const struct decrypt_args *d, struct age_reader *r, struct cli_in *in,
    struct cli_out *out)
{
	struct cli_progress pg;
	uint8_t *buf;
	int rc, ec = 0;

	memset(&pg, 0, sizeof(pg));
	if ((buf = cio_malloc(CLI_IO_BLOCK)) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "decrypt");
	cli_progress_start(&pg, "decrypt", cli_progress_fd_size(in->fd),
	    d->quiet, out->atomic ? -1 : out->fd);
	for (;;) {
		ssize_t n = age_reader_read(r, buf, CLI_IO_BLOCK);

		if (n == 0)
			break;
		if (n > 0)
			cli_progress_set(&pg, age_reader_consumed(r));
		if (n < 0 ||
		    (rc = out->sink.write(out->sink.ctx, buf, (size_t)n)) !=
		        0) {
			ec =
			    cli_stream_fail(n < 0 ? (int)n : rc, NULL, in, out);
			break;
		}
	}
	cli_progress_end(&pg);
	if (ec == 0)
		ec = cli_out_commit(out);
	sodium_memzero(buf, CLI_IO_BLOCK);
	free(buf);
	return ec;
}

int
cmd_decrypt(int argc, char **argv)
{
	struct decrypt_args d;
	struct age_reader *r = NULL;
	struct cli_in in = {.fd = -1};
	struct cli_out out;
	int ec;

	memset(&d, 0, sizeof(d));
	memset(&out, 0, sizeof(out));
	if ((ec = cli_unlock_init(&d.u, "decrypt", argc)) != 0)
		goto out;
	d.u.any_age_file = 1;
	if ((ec = parse(argc, argv, &d)) != 0) {
		if (ec < 0)
			ec = 0;
		goto out;
	}
	/* The input claims stdin first, so "-i -" with stdin input fails
	 * before any secret is read. */
	if ((ec = cli_in_open(&in, d.inpath)) != 0 ||
	    (ec = cli_unlock_load(&d.u)) != 0 ||
	    (ec = cli_out_open(&out, d.outpath, 0600, d.force, &in)) != 0 ||
	    (ec = cli_unlock_open(&d.u, &in.src, in.name, &r)) != 0)
		goto out;
	ec = run(&d, r, &in, &out);
out:
	cli_out_abort(&out);
	cli_in_close(&in);
	age_reader_free(r);
	cli_unlock_free(&d.u);
	return ec;
}
