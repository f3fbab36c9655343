/*
 * cmd_stamp.c - `cairn stamp`: ask RFC 3161 time-stamping authorities
 * for tokens on an archive file (its SHA-256 as written) and keep them
 * in the sidecar ARCHIVE.tsr beside it (docs/format.md).  For archives
 * sealed while no TSA could be reached, or for more TSAs later.  Needs
 * no key: the archive is not decrypted, unless --sums asks for a token
 * on its SHA256SUMS too (as seal makes): then it is decrypted and checked
 * as verify does (any signer or none: a time-stamp proves existence, not
 * authorship), and the file's SHA-256 is the one of the bytes decrypted.
 *
 * Knows cli_stamp.h, cli_archive.h and cli_unlock.h; nothing of
 * manifests or the age layer.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/unseal.h"
#include "builtin.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_custody.h"
#include "cli_stamp.h"
#include "cli_trust.h"
#include "cli_unlock.h"

static const char stamp_help[] =
    "usage: cairn stamp --tsa URL [--tsa URL]... [--proxy PROXY]\n"
    "                   [--sums " CLI_UNLOCK_USAGE "] [-q] ARCHIVE\n"
    "\n"
    "Ask each time-stamping authority (RFC 3161, HTTP or HTTPS) for a\n"
    "time-stamp token on the SHA-256 of the archive file, and add the\n"
    "tokens to ARCHIVE.tsr beside it (created when missing).  The archive\n"
    "is not decrypted and no key is needed, unless --sums.  `cairn verify`\n"
    "checks the tokens against the TSA certificates you trust (--tsa-ca).\n"
    "\n"
    "  -t, --tsa URL            time-stamping authority (repeatable)\n"
    "      --proxy PROXY        connect through PROXY; for Tor:\n"
    "                           socks5h://127.0.0.1:9050 (socks5:// is\n"
    "                           refused for .onion hosts)\n"
    "      --sums               also stamp the archive's SHA256SUMS (the\n"
    "                           signed content, as seal --tsa does): the\n"
    "                           archive is decrypted and checked first\n"
    "                           (needs an identity; any signer, or\n"
    "                           none)\n" CLI_UNLOCK_HELP
    "  -q, --quiet              print nothing but errors and warnings\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 every TSA gave a token; 1 one did not (the others'\n"
    "tokens are kept) or another error; 2 usage; with --sums, verify's\n"
    "codes when the archive cannot be decrypted or fails its checks\n"
    "(nothing is stamped then).\n";

struct stamp_args {
	struct cli_tsas tsas;
	struct cli_unlock u;
	const char *path;
	int sums, quiet;
};

/* Parse the command line into a; returns 0, an exit code, or -1 after
 * --help. */
static int
parse(struct stamp_args *a, int argc, char **argv)
{
	enum { OPT_SUMS = CLI_UNLOCK_OPT_FIRST_FREE };
	static const struct option longopts[] = {
	    CLI_UNLOCK_LONGOPTS,
	    {"tsa", required_argument, NULL, 't'},
	    {"proxy", required_argument, NULL, 'P'},
	    {"sums", no_argument, NULL, OPT_SUMS},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, ec;

	while ((c = cli_getopt(argc, argv, ":hqt:" CLI_UNLOCK_SHORTOPTS,
	            longopts, NULL)) != -1) {
		if (cli_unlock_option(&a->u, c, optarg))
			continue;
		switch (c) {
		case 't':
			if ((ec = cli_tsas_add(&a->tsas, "stamp", optarg)) != 0)
				return ec;
			break;
		case 'P': a->tsas.proxy = optarg; break;
		case OPT_SUMS: a->sums = 1; break;
		case 'q': a->quiet = 1; break;
		case 'h': cli_print_help(stamp_help); return -1;
		default: return cli_option_error("stamp", c, argv);
		}
	}
	if ((ec = cli_one_operand(
	         "stamp", "ARCHIVE", 1, argc, argv, &a->path)) != 0)
		return ec;
	// clang-format off
	if (strcmp(a->path, "-") == 0)
		return cli_usage_error("stamp", "the archive must be a file (its tokens are kept beside it)");
	// clang-format on
	if (a->tsas.n == 0)
		return cli_usage_error("stamp", "no TSA: give --tsa URL");
	return 0;
}

/* --sums: decrypt and check the archive; file and sums receive the
 * SHA-256 of the file as decrypted and of its SHA256SUMS member. */
static int
check_archive(struct stamp_args *a, uint8_t file[TSA_DIGEST_LEN],
    uint8_t sums[TSA_DIGEST_LEN], uint64_t *size)
{
	struct cli_archive ar;
	struct unseal_result res;
	struct cli_trust tr;
	int ec, rc;

	memset(&ar, 0, sizeof(ar));
	memset(&res, 0, sizeof(res));
	memset(&tr, 0, sizeof(tr));
	ar.in.fd = -1;
	tr.any_signer = tr.allow_unsigned = 1;
	if ((ec = cli_trust_load(&tr)) == 0 &&
	    (ec = cli_archive_open(
	         &ar, a->path, &a->u, &tr, CLI_ARCHIVE_HASH)) == 0) {
		rc = cli_archive_check(&ar, "stamp", &tr, NULL, 1, &res);
		if (rc == 0 && cli_archive_file_sha256(&ar, file) != 0)
			rc = CAIRN_ERR_IO;
		if (rc != 0)
			ec = cli_archive_fail(rc, &res, &tr, ar.in.name);
		else {
			memcpy(sums, res.sums_sha256, TSA_DIGEST_LEN);
			*size = ar.size;
		}
	}
	unseal_result_free(&res);
	cli_archive_close(&ar);
	cli_trust_free(&tr);
	return ec;
}

int
cmd_stamp(int argc, char **argv)
{
	struct stamp_args a;
	struct cli_custody_note n;
	uint8_t digest[TSA_DIGEST_LEN], sums[TSA_DIGEST_LEN];
	int ec;

	memset(&a, 0, sizeof(a));
	memset(&n, 0, sizeof(n));
	if ((ec = cli_unlock_init(&a.u, "stamp", argc)) != 0)
		goto out;
	if ((ec = parse(&a, argc, argv)) != 0) {
		ec = ec < 0 ? CLI_EXIT_OK : ec;
		goto out;
	}
	if (a.sums)
		ec = check_archive(&a, digest, sums, &n.size);
	else
		ec = cli_file_sha256(a.path, digest, &n.size);
	if (ec != 0)
		goto out;
	ec = cli_stamp_archive(
	    a.path, &a.tsas, digest, a.sums ? sums : NULL, a.quiet);
	n.action = "stamp";
	n.exit_code = ec;
	n.sha256 = digest;
	cli_custody_log(&n, NULL);
out:
	cli_unlock_free(&a.u);
	return ec;
}
