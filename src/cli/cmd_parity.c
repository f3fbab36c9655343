/*
 * cmd_parity.c - `cairn parity create ARCHIVE [PERCENT]` and `cairn
 * parity verify ARCHIVE`: PAR2 recovery data beside an existing archive
 * (cli_parity.h runs Debian's par2).  Needs no key: parity covers the
 * encrypted bytes.
 *
 * Knows cli_parity.h only.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "cli.h"
#include "cli_parity.h"

static const char parity_help[] =
    "usage: cairn parity create [-q] ARCHIVE [PERCENT]\n"
    "       cairn parity verify [-q] ARCHIVE\n"
    "\n"
    "create writes PAR2 recovery data beside ARCHIVE: ARCHIVE.par2 and\n"
    "ARCHIVE.volNNN+MMM.par2, able to rebuild up to PERCENT % of the\n"
    "archive (1..100, default 10) wherever the damage is.  Keep them\n"
    "next to the archive; 'cairn repair ARCHIVE' (or stock 'par2 repair\n"
    "ARCHIVE.par2') uses them.  Needs Debian's par2 on PATH.\n"
    "verify says whether ARCHIVE is intact, repairable or beyond repair\n"
    "(par2's view of the bytes; 'cairn verify' checks the contents).\n"
    "\n"
    "  -q, --quiet              print nothing on success\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 done (verify: intact); 1 par2 missing, no parity\n"
    "files, parity files exist already, other errors; 2 usage; 4 (verify)\n"
    "damaged: 'cairn repair' can fix it, or it is beyond repair.\n";

static int
parity_verify(const char *archive, int quiet)
{
	enum parity_state st;
	int missing, ec;

	if ((ec = cli_parity_check(archive, &st, &missing)) != 0)
		return ec;
	if (missing) {
		cli_error("parity: par2 not found on PATH");
		cli_hint("install it with 'apt install par2'");
		return CLI_EXIT_ERR;
	}
	switch (st) {
	case PARITY_NONE:
		cli_error(
		    "parity: %s: no parity files (%s.par2)", archive, archive);
		return CLI_EXIT_ERR;
	case PARITY_INTACT:
		if (!quiet)
			printf("%s: intact\n", archive);
		return cli_flush_stdout();
	case PARITY_REPAIRABLE:
		cli_error("parity: %s: damaged, repairable", archive);
		cli_hint("run 'cairn repair %s'", archive);
		return CLI_EXIT_INTEGRITY;
	default:
		cli_error(
		    "parity: %s: damaged beyond its parity files", archive);
		// clang-format off
		cli_hint("'cairn salvage %s -C DIR' recovers what is still authentic", archive);
		// clang-format on
		return CLI_EXIT_INTEGRITY;
	}
}

int
cmd_parity(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *sub;
	int c, quiet = 0, percent = CLI_PARITY_DEFAULT, ec, create;

	if (argc >= 2 && argv[1][0] != '-') {
		sub = argv[1];
		argc--;
		argv++;
	} else
		sub = NULL;
	while ((c = cli_getopt(argc, argv, ":hq", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = 1; break;
		case 'h': return cli_print_help(parity_help);
		default: return cli_option_error("parity", c, argv);
		}
	}
	if (sub == NULL)
		return cli_usage_error("parity", "give 'create' or 'verify'");
	create = strcmp(sub, "create") == 0;
	if (!create && strcmp(sub, "verify") != 0)
		return cli_usage_error(
		    "parity", "unknown subcommand '%s'", sub);
	if (optind >= argc)
		return cli_usage_error("parity", "no ARCHIVE given");
	if (argc - optind > (create ? 2 : 1))
		return cli_usage_error("parity", "too many operands");
	if (strcmp(argv[optind], "-") == 0)
		return cli_usage_error("parity",
		    "parity needs an archive file, not standard input");
	if (create && optind + 1 < argc &&
	    (ec = cli_parity_percent("parity", argv[optind + 1], &percent)) !=
	        0)
		return ec;
	return create ? cli_parity_create(argv[optind], percent, quiet)
	              : parity_verify(argv[optind], quiet);
}
