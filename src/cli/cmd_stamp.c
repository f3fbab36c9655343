/*
 * cmd_stamp.c - `cairn stamp`: ask RFC 3161 time-stamping authorities
 * for tokens on an archive file (its SHA-256 as written) and keep them
 * in the sidecar ARCHIVE.tsr beside it (docs/format.md).  For archives
 * sealed while no TSA could be reached, or for more TSAs later.  Needs
 * no key: the archive is not decrypted.
 *
 * Knows cli_stamp.h; nothing of manifests or the age layer.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "cli.h"
#include "cli_custody.h"
#include "cli_stamp.h"

static const char stamp_help[] =
    "usage: cairn stamp --tsa URL [--tsa URL]... [--proxy PROXY] [-q]\n"
    "                   ARCHIVE\n"
    "\n"
    "Ask each time-stamping authority (RFC 3161, HTTP or HTTPS) for a\n"
    "time-stamp token on the SHA-256 of the archive file, and add the\n"
    "tokens to ARCHIVE.tsr beside it (created when missing).  The archive\n"
    "is not decrypted and no key is needed.  `cairn verify` checks the\n"
    "tokens against the TSA certificates you trust (--tsa-ca).\n"
    "\n"
    "  -t, --tsa URL            time-stamping authority (repeatable)\n"
    "      --proxy PROXY        connect through PROXY; for Tor:\n"
    "                           socks5h://127.0.0.1:9050 (socks5:// is\n"
    "                           refused for .onion hosts)\n"
    "  -q, --quiet              print nothing but errors and warnings\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 every TSA gave a token; 1 one did not (the others'\n"
    "tokens are kept) or another error; 2 usage.\n";

int
cmd_stamp(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"tsa", required_argument, NULL, 't'},
	    {"proxy", required_argument, NULL, 'P'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_tsas tsas;
	struct cli_custody_note n;
	uint8_t digest[TSA_DIGEST_LEN];
	const char *path;
	int c, ec, quiet = 0;

	memset(&tsas, 0, sizeof(tsas));
	memset(&n, 0, sizeof(n));
	while ((c = cli_getopt(argc, argv, ":hqt:", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if ((ec = cli_tsas_add(&tsas, "stamp", optarg)) != 0)
				return ec;
			break;
		case 'P': tsas.proxy = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': return cli_print_help(stamp_help);
		default: return cli_option_error("stamp", c, argv);
		}
	}
	if ((ec = cli_one_operand("stamp", "ARCHIVE", 1, argc, argv, &path)) !=
	    0)
		return ec;
	// clang-format off
	if (strcmp(path, "-") == 0)
		return cli_usage_error("stamp", "the archive must be a file (its tokens are kept beside it)");
	// clang-format on
	if (tsas.n == 0)
		return cli_usage_error("stamp", "no TSA: give --tsa URL");
	if ((ec = cli_file_sha256(path, digest, &n.size)) != 0)
		return ec;
	ec = cli_stamp_archive(path, &tsas, digest, NULL, quiet);
	n.action = "stamp";
	n.exit_code = ec;
	n.sha256 = digest;
	cli_custody_log(&n, NULL);
	return ec;
}
