/*
 * cmd_verify.c - `cairn verify`: read a whole sealed archive and check
 * everything: every age chunk, manifest.json, each member against the
 * manifest, every SHA-256 against SHA256SUMS, and the signature, which
 * must be a trusted signer's (cli_trust.h).  Writes nothing to disk.
 *
 * Knows cli_unlock.h, cli_archive.h and unseal.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cairn/err.h"
#include "builtin.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_parity.h"
#include "cli_stamp.h"
#include "cli_trust.h"
#include "cli_json.h"
#include "cli_unlock.h"
#include "cairn/unseal.h"

static const char verify_help[] =
    "usage: cairn verify " CLI_UNLOCK_USAGE "\n"
    "                    " CLI_TRUST_USAGE "\n"
    "                    [--tsa-ca FILE]... [--json] [-q] ARCHIVE...\n"
    "\n"
    "Decrypt and check whole sealed archives without writing anything:\n"
    "the encryption of every chunk, the manifest, each member's path,\n"
    "type, size, mode, time and SHA-256 (against the manifest and\n"
    "SHA256SUMS), member order, and the signature of SHA256SUMS.  The\n"
    "signature counts only when made by a trusted signer: the key home's\n"
    "signing.pub, a key in its signers file ('cairn signer add'), the\n"
    "journalist the --share files name, or else the --signer keys\n"
    "given.  Signers are shown by fingerprint (SHA-256 of the whole\n"
    "public key).  When ARCHIVE.tsr exists, every RFC 3161\n"
    "time-stamp token in it must match the archive file (or its\n"
    "SHA256SUMS) and verify against the trusted TSA certificates.\n"
    "Several archives are checked in turn (- = standard input, once); the\n"
    "exit status is the highest of theirs.\n"
    "\n" CLI_UNLOCK_HELP CLI_TRUST_HELP
    "      --tsa-ca FILE        trust the TSA CA certificates in FILE (PEM;\n"
    "                           repeatable; default: the key home's\n"
    "                           tsa-ca.pem)\n"
    "      --json               print the report as JSON (one object\n"
    "                           per line for several archives)\n"
    "  -q, --quiet              no report (only errors and warnings),\n"
    "                           no progress display\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 all checks passed; 3 no identity matched; 4 damaged,\n"
    "truncated or tampered with; 5 signature missing, invalid or not by a\n"
    "trusted signer, or a time-stamp that does not match or verify; 1 other\n"
    "errors.\n";

/* What applies to every archive of the command line. */
struct verify_opts {
	struct cli_trust tr;
	struct cli_tsa_cas cas;
	struct cli_stamp_report stamps;
	int json, quiet;
};

/* Verify one archive; returns its exit code. */
static int
verify_one(const char *path, struct cli_unlock *u, struct verify_opts *v)
{
	struct cli_archive a;
	struct unseal_result res;
	int ec, rc;

	memset(&a, 0, sizeof(a));
	memset(&res, 0, sizeof(res));
	memset(&v->stamps, 0, sizeof(v->stamps));
	a.in.fd = -1;
	cli_json_begin("archive", path);
	if ((ec = cli_archive_open(
	         &a, path, u, &v->tr, CLI_ARCHIVE_HASH_LOG)) == 0) {
		rc = cli_archive_check(
		    &a, "verify", &v->tr, NULL, v->quiet || v->json, &res);
		if (rc == 0) {
			uint8_t file[32];
			int have = cli_archive_file_sha256(&a, file) == 0;

			ec = cli_stamp_check(path, have ? file : NULL,
			    res.sums_sha256, &v->cas, &v->stamps);
			if (v->stamps.present)
				a.stamps = &v->stamps;
		}
		ec = cli_archive_finish(
		    &a, &v->tr, &res, rc, ec, NULL, v->json, v->quiet);
		cli_archive_log(&a, "verify", &res, ec);
	}
	if (ec == CLI_EXIT_INTEGRITY)
		cli_parity_advise(path);
	unseal_result_free(&res);
	cli_archive_close(&a);
	return cli_json_end(ec);
}

int
cmd_verify(int argc, char **argv)
{
	enum { OPT_JSON = CLI_UNLOCK_OPT_FIRST_FREE, OPT_TSA_CA };
	static const struct option longopts[] = {
	    CLI_UNLOCK_LONGOPTS,
	    CLI_TRUST_LONGOPTS,
	    {"tsa-ca", required_argument, NULL, OPT_TSA_CA},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static struct verify_opts v;
	struct cli_unlock u;
	int c, ec, one;

	memset(&v, 0, sizeof(v));
	if ((ec = cli_unlock_init(&u, "verify", argc)) != 0)
		goto out;
	while ((c = cli_getopt(argc, argv, ":hq" CLI_UNLOCK_SHORTOPTS, longopts,
	            NULL)) != -1) {
		if (cli_unlock_trust_option(&u, &v.tr, c, optarg, &ec)) {
			if (ec != 0)
				goto out;
			continue;
		}
		switch (c) {
		case OPT_TSA_CA:
			if ((ec = cli_tsa_cas_add(&v.cas, optarg)) != 0)
				goto out;
			break;
		case OPT_JSON: v.json = 1; break;
		case 'q': v.quiet = 1; break;
		case 'h': ec = cli_print_help(verify_help); goto out;
		default: ec = cli_option_error("verify", c, argv); goto out;
		}
	}
	if (optind >= argc) {
		ec = cli_usage_error(
		    "verify", "no ARCHIVE given (use - for standard input)");
		goto out;
	}
	if ((ec = cli_trust_load(&v.tr)) != 0)
		goto out;
	cli_json_lines(argc - optind > 1);
	for (int i = optind; i < argc; i++) {
		one = verify_one(argv[i], &u, &v);
		ec = one > ec ? one : ec;
		if (u.loaded < 0)
			break; /* the keys could not be loaded */
	}
out:
	cli_unlock_free(&u);
	cli_tsa_cas_free(&v.cas);
	cli_trust_free(&v.tr);
	return ec;
}
