/*
 * cmd_list.c - `cairn list`: show an archive's manifest.  Decrypts only
 * up to the end of manifest.json and stops, so listing costs the same
 * for a 10 GiB archive as for a small one; nothing is verified (the
 * manifest is authenticated by the signature only once SHA256SUMS is
 * read: `cairn verify` does that).
 *
 * Knows cli_unlock.h, cli_archive.h, unseal.h and manifest.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "builtin.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_unlock.h"
#include "cairn/manifest.h"
#include "cairn/unseal.h"

static const char list_help[] =
    "usage: cairn list " CLI_UNLOCK_USAGE " [--json]\n"
    "                  ARCHIVE|-\n"
    "\n"
    "Show the manifest of a sealed archive: archive id, sealing time, case,\n"
    "notes, signer key id, and each entry's size, modification time, MIME\n"
    "type and path.  Only the start of the archive is decrypted.  Nothing\n"
    "is verified: run 'cairn verify' for that.\n"
    "\n" CLI_UNLOCK_HELP
    "      --json               print manifest.json instead of the table\n"
    "  -h, --help               show this help\n";

int
cmd_list(int argc, char **argv)
{
	enum { OPT_JSON = CLI_UNLOCK_OPT_FIRST_FREE };
	static const struct option longopts[] = {
	    CLI_UNLOCK_LONGOPTS,
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_unlock u;
	struct cli_archive a;
	struct unseal_options o;
	struct unseal_result res;
	const char *path = NULL;
	char *json = NULL;
	size_t len = 0;
	int c, ec, rc, as_json = 0;

	memset(&a, 0, sizeof(a));
	memset(&res, 0, sizeof(res));
	a.in.fd = -1;
	if ((ec = cli_unlock_init(&u, "list", argc)) != 0)
		goto out;
	while ((c = cli_getopt(argc, argv, ":h" CLI_UNLOCK_SHORTOPTS, longopts,
	            NULL)) != -1) {
		if (cli_unlock_option(&u, c, optarg))
			continue;
		switch (c) {
		case OPT_JSON: as_json = 1; break;
		case 'h': ec = cli_print_help(list_help); goto out;
		default: ec = cli_option_error("list", c, argv); goto out;
		}
	}
	if ((ec = cli_one_operand("list", "ARCHIVE", 1, argc, argv, &path)) !=
	    0)
		goto out;
	if ((ec = cli_archive_open(&a, path, &u)) != 0)
		goto out;
	memset(&o, 0, sizeof(o));
	o.list_only = 1;
	if ((rc = unseal_run(&a.plain, &o, &res)) != 0) {
		ec = cli_archive_fail(rc, &res, a.in.name);
		goto out;
	}
	if (as_json) {
		if ((rc = manifest_encode(res.m, &json, &len)) != 0) {
			ec = cli_fail(rc, "%s", a.in.name);
			goto out;
		}
		fwrite(json, 1, len, stdout);
	} else
		cli_archive_print_manifest(res.m);
	ec = cli_flush_stdout();
out:
	free(json);
	unseal_result_free(&res);
	cli_archive_close(&a);
	cli_unlock_free(&u);
	return ec;
}
