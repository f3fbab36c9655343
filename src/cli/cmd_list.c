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
#include <unistd.h>

#include "cairn/err.h"
#include "builtin.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_json.h"
#include "cli_trust.h"
#include "cli_unlock.h"
#include "cairn/manifest.h"
#include "cairn/unseal.h"

static const char list_help[] =
    "usage: cairn list " CLI_UNLOCK_USAGE " [--json]\n"
    "                  ARCHIVE...\n"
    "\n"
    "Show the manifest of a sealed archive: archive id, sealing time, case,\n"
    "notes, the signer (\"trusted: NAME\" or \"unknown key FINGERPRINT\";\n"
    "never an error), and each entry's size, modification time, MIME\n"
    "type and path.  Only the start of the archive is decrypted.  Nothing\n"
    "is verified: run 'cairn verify' for that.  Several archives are listed\n"
    "in turn (- = standard input, once); the exit status is the highest of\n"
    "theirs.\n"
    "\n" CLI_UNLOCK_HELP
    "      --json               print manifest.json instead of the table\n"
    "                           (one line each for several archives)\n"
    "  -h, --help               show this help\n";

/* manifest.json as stored, pretty, or compacted to one line. */
static int
print_json(const char *json, size_t len, int one_line)
{
	json_t *o;

	if (!one_line) {
		fwrite(json, 1, len, stdout);
		return 0;
	}
	if ((o = json_loadb(json, len, 0, NULL)) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "JSON output");
	return cli_json_print(o);
}

/* List one archive; returns its exit code. */
static int
list_one(const char *path, struct cli_unlock *u, struct cli_trust *tr,
    int as_json, int one_line)
{
	struct cli_archive a;
	struct unseal_options o;
	struct unseal_result res;
	char *json = NULL;
	size_t len = 0;
	int ec, rc;

	memset(&res, 0, sizeof(res));
	cli_json_begin("archive", path);
	if ((ec = cli_archive_open(&a, path, u, tr, CLI_ARCHIVE_NO_HASH)) != 0)
		goto out;
	memset(&o, 0, sizeof(o));
	o.list_only = 1;
	o.trust = &tr->t;
	if ((rc = unseal_run(&a.plain, &o, &res)) != 0) {
		ec = cli_archive_fail(rc, &res, tr, a.in.name);
		goto out;
	}
	if (as_json) {
		if ((rc = manifest_encode(res.m, &json, &len)) != 0) {
			ec = cli_fail(rc, "%s", a.in.name);
			goto out;
		}
		if ((ec = print_json(json, len, one_line)) != 0)
			goto out;
	} else
		cli_archive_print_manifest(&res, tr);
	ec = cli_flush_stdout();
out:
	free(json);
	unseal_result_free(&res);
	cli_archive_close(&a);
	return cli_json_end(ec);
}

/* Into a file or pipe, write the table 64 KiB at a time (a table of
 * 100,000 entries is 10 MB); a terminal keeps its line buffering. */
static void
set_stdout_buffer(void)
{
	static char buf[1 << 16];

	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, buf, _IOFBF, sizeof buf);
}

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
	struct cli_trust tr;
	int c, ec, one, as_json = 0;

	memset(&tr, 0, sizeof(tr));

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
	if (optind >= argc) {
		ec = cli_usage_error(
		    "list", "no ARCHIVE given (use - for standard input)");
		goto out;
	}
	if ((ec = cli_trust_load(&tr)) != 0)
		goto out;
	cli_json_lines(argc - optind > 1);
	set_stdout_buffer();
	for (int i = optind; i < argc; i++) {
		if (!as_json && i > optind)
			printf("\n");
		one = list_one(argv[i], &u, &tr, as_json, argc - optind > 1);
		ec = one > ec ? one : ec;
		if (u.loaded < 0)
			break; /* the keys could not be loaded */
	}
out:
	cli_unlock_free(&u);
	cli_trust_free(&tr);
	return ec;
}
