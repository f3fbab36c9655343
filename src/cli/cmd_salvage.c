/*
 * cmd_salvage.c - `cairn salvage ARCHIVE -C DIR`: recover what is still
 * authentic from a damaged archive (salvage.h): read it twice, chunk by
 * chunk, and write DIR/verified/ (checked against the signed manifest and
 * SHA256SUMS), DIR/unverified/ (authenticated chunks, not checkable) and
 * DIR/salvage-report.txt, through extract.h's staging directory.  Exit 7
 * when anything was lost, partial or unverified.
 *
 * Knows cli_unlock.h, salvage.h, extract.h and cli_parity.h (hints).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/extract.h"
#include "cairn/salvage.h"
#include "builtin.h"
#include "cli.h"
#include "cli_parity.h"
#include "cli_salvage.h"
#include "cli_trust.h"
#include "cli_unlock.h"

static const char salvage_help[] =
    "usage: cairn salvage " CLI_UNLOCK_USAGE "\n"
    "                     -C DIR [-q] ARCHIVE\n"
    "\n"
    "Recover what is still authentic from an archive damaged beyond\n"
    "repair ('cairn repair' first, if it has parity files).  Each 64 KiB\n"
    "chunk is decrypted on its own; damaged chunks are skipped and the tar\n"
    "stream is picked up again after them.  Writes the new directory DIR:\n"
    "  DIR/verified/    files whose every byte authenticated and which\n"
    "                   match the signed manifest and SHA256SUMS\n"
    "  DIR/unverified/  files whose every byte authenticated, but which\n"
    "                   cannot be checked (SHA256SUMS, its signature or\n"
    "                   the manifest was lost) or do not match\n"
    "  DIR/salvage-report.txt  what was damaged; every file verified,\n"
    "                   unverified, partial (with lost byte ranges) or\n"
    "                   lost\n"
    "Partial and lost files are listed, never written.  The age header\n"
    "(recipient stanzas and MAC) must be intact; if it is not, only parity\n"
    "can help.  Binary archives only (not -a armored ones).\n"
    "Files count as verified only when the signer is trusted, as for\n"
    "'cairn open' (the key home's signing.pub and signers file, --signer,\n"
    "or the signer the --share files record); otherwise they go to\n"
    "unverified/ and the exit status is 5.  Unsigned archives' files\n"
    "always go to unverified/.\n"
    "\n" CLI_UNLOCK_HELP
    "      --signer PUBKEY      trust only this signing key for this call\n"
    "                           (a minisign .pub file or its RW... line;\n"
    "                           repeatable), instead of the key home's\n"
    "                           signing.pub and signers file\n"
    "      --any-signer         verify against a valid signature by any key\n"
    "  -C, --directory DIR      create DIR for the results (must not exist)\n"
    "  -q, --quiet              do not print the report (it is in DIR)\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 intact: everything recovered and verified; 7 partially\n"
    "recovered (see the report); 5 signed by a key you do not trust\n"
    "(nothing verified); 3 no identity matched; 4 nothing recoverable\n"
    "(damaged header or nonce); 1 other errors; 2 usage.\n";

/* The chunk reader for in, with salvage's messages for a bad header. */
static int
open_chunks(struct cli_unlock *u, struct cli_in *in, const char *path,
    struct age_reader **r)
{
	int rc = age_reader_new_chunks(r, &in->src, &u->ids);

	if (rc == 0)
		return 0;
	// clang-format off
	if (rc == CAIRN_ERR_NO_MATCH) {
		cli_error("%s: no identity matched", path);
		cli_hint("check the key with 'cairn pubkey -i FILE'; if it is the right one, the archive's header is damaged and only its parity files can help ('cairn repair %s')", path);
		return CLI_EXIT_NO_MATCH;
	}
	if (rc == CAIRN_ERR_HEADER || rc == CAIRN_ERR_HMAC || rc == CAIRN_ERR_ARMOR) {
		cli_error("%s: the age header is damaged (%s): the file key cannot be recovered", path, cairn_strerror(rc));
		cli_hint("nothing can be salvaged without the header; only parity files can repair it ('cairn repair %s')", path);
		cli_parity_advise(path);
		return CLI_EXIT_INTEGRITY;
	}
	// clang-format on
	return cli_fail(rc, "%s", path);
}

/* Pass 2 and the report, into the staging directory of dest. */
static int
write_out(struct cli_unlock *u, struct cli_in *in, const char *path,
    const char *dest, struct salvage_result *res, struct cio_membuf *rep)
{
	struct age_reader *r = NULL;
	struct extract *x = NULL;
	int ec, rc;

	if (lseek(in->fd, 0, SEEK_SET) != 0)
		return cli_fail(CAIRN_ERR_IO, "%s", path);
	if ((ec = open_chunks(u, in, path, &r)) != 0)
		return ec;
	if ((ec = cli_extract_start(dest, &x)) != 0)
		goto out;
	rc = salvage_extract(
	    r, res, x, CLI_SALVAGE_VERIFIED, CLI_SALVAGE_UNVERIFIED);
	if (rc == 0)
		rc = cli_salvage_report(path, res, rep);
	if (rc == 0)
		rc = extract_file_begin(
		    x, CLI_SALVAGE_REPORT, 0644, (int64_t)time(NULL));
	if (rc == 0)
		rc = extract_file_write(x, rep->data, rep->len);
	if (rc == 0)
		rc = extract_file_end(x);
	if (rc == 0)
		rc = extract_commit(x);
	if (rc != 0) {
		extract_abort(x);
		ec = rc == CAIRN_ERR_CHANGED
		    ? cli_fail_why(CLI_EXIT_INTEGRITY,
		          "the archive changed while it was read", "%s", path)
		    : cli_fail(rc, "%s", dest);
	}
out:
	extract_free(x);
	age_reader_free(r);
	return ec;
}

// clang-format off
/* The warning for an archive whose signer the trust policy refused
 * (salvage_scan() decided it): every file went to unverified/. */
static void
warn_untrusted(const struct salvage_result *res, const char *path)
{
	cli_warn("%s: signed by key %s, which you do not trust: every recovered file goes to unverified/", path, res->signer_fingerprint);
	cli_hint("if it is the journalist's key, confirm the fingerprint with them, then 'cairn signer add NAME KEY' or salvage with --signer KEY");
}
// clang-format on

int
cmd_salvage(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_UNLOCK_LONGOPTS,
	    {"signer", required_argument, NULL, CLI_TRUST_OPT_SIGNER},
	    {"any-signer", no_argument, NULL, CLI_TRUST_OPT_ANY},
	    {"directory", required_argument, NULL, 'C'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_unlock u;
	struct cli_trust tr;
	struct cli_in in = {.fd = -1};
	struct age_reader *r = NULL;
	struct salvage_result res;
	struct salvage_options so;
	struct cio_membuf rep = {NULL, 0, 0, 0};
	const char *path = NULL, *dest = NULL;
	int c, ec, rc, quiet = 0;

	memset(&res, 0, sizeof(res));
	memset(&tr, 0, sizeof(tr));
	if ((ec = cli_unlock_init(&u, "salvage", argc)) != 0)
		goto out;
	while ((c = cli_getopt(argc, argv, ":hqC:" CLI_UNLOCK_SHORTOPTS,
	            longopts, NULL)) != -1) {
		if (cli_unlock_trust_option(&u, &tr, c, optarg, &ec)) {
			if (ec != 0)
				goto out;
			continue;
		}
		switch (c) {
		case 'C': dest = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': ec = cli_print_help(salvage_help); goto out;
		default: ec = cli_option_error("salvage", c, argv); goto out;
		}
	}
	if ((ec = cli_one_operand(
	         "salvage", "ARCHIVE", 1, argc, argv, &path)) != 0)
		goto out;
	if (strcmp(path, "-") == 0) {
		ec = cli_usage_error("salvage",
		    "salvage reads the archive twice: give a file, not -");
		goto out;
	}
	if (dest == NULL) {
		ec = cli_usage_error("salvage", "give -C DIR for the results");
		goto out;
	}
	if ((ec = cli_extract_dest_new("salvage", dest)) != 0)
		goto out;
	if ((ec = cli_trust_load(&tr)) != 0 ||
	    (ec = cli_in_open(&in, path)) != 0 ||
	    (ec = cli_unlock_load(&u)) != 0 ||
	    (ec = cli_trust_add_shares(&tr, &u)) != 0 ||
	    (ec = open_chunks(&u, &in, path, &r)) != 0)
		goto out;
	so.trust = &tr.t;
	so.any_signer = tr.any_signer;
	if ((rc = salvage_scan(r, &so, &res)) != 0) {
		ec = cli_fail(rc, "%s", path);
		goto out;
	}
	if (res.nchunks > 0 && res.nbadchunks == res.nchunks) {
		// clang-format off
		cli_error("%s: no chunk authenticated: the payload nonce (after the header) or the whole payload is damaged", path);
		cli_hint("nothing can be salvaged; only parity files can repair it ('cairn repair %s')", path);
		// clang-format on
		ec = CLI_EXIT_INTEGRITY;
		goto out;
	}
	if (res.refused_untrusted)
		warn_untrusted(&res, path);
	if ((ec = write_out(&u, &in, path, dest, &res, &rep)) != 0)
		goto out;
	if (!quiet && fwrite(rep.data, 1, rep.len, stdout) != rep.len) {
		ec = cli_stdout_fail();
		goto out;
	}
	if ((ec = cli_flush_stdout()) != 0)
		goto out;
	if (!cli_salvage_complete(&res)) {
		cli_warn("%s: partially recovered into %s (see %s/%s)", path,
		    dest, dest, CLI_SALVAGE_REPORT);
		ec = CLI_EXIT_PARTIAL;
	}
	if (res.refused_untrusted)
		ec = CLI_EXIT_SIGNATURE;
out:
	cli_trust_free(&tr);
	cio_membuf_free(&rep);
	salvage_result_free(&res);
	age_reader_free(r);
	cli_in_close(&in);
	cli_unlock_free(&u);
	return ec;
}
