/*
 * cmd_repair.c - `cairn repair ARCHIVE`: rebuild a damaged archive from
 * the PAR2 files beside it, atomically (cli_parity.h: a repaired copy is
 * made and checked by par2 before it replaces the archive), and report
 * the byte ranges that were restored.  Needs no key.
 *
 * Knows cli_parity.h only.
 */
#include <getopt.h>
#include <string.h>

#include "builtin.h"
#include "cli.h"
#include "cli_parity.h"

static const char repair_help[] =
    "usage: cairn repair [-q] ARCHIVE\n"
    "\n"
    "Repair ARCHIVE in place from the PAR2 recovery data beside it\n"
    "(ARCHIVE.par2 and ARCHIVE.vol*.par2, written by 'cairn seal\n"
    "--parity' or 'cairn parity create').  A repaired copy is made beside\n"
    "the archive and checked by par2; only then does it replace the\n"
    "archive.  Prints the byte ranges that were restored.  Run 'cairn\n"
    "verify' afterwards.  Needs Debian's par2 on PATH.\n"
    "\n"
    "  -q, --quiet              print nothing on success\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 repaired or already intact; 4 damaged beyond the\n"
    "recovery data (the archive is left as it was: try 'cairn salvage');\n"
    "1 no parity files, par2 missing, other errors; 2 usage.\n";

int
cmd_repair(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *path;
	int c, quiet = 0, ec;

	while ((c = cli_getopt(argc, argv, ":hq", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = 1; break;
		case 'h': return cli_print_help(repair_help);
		default: return cli_option_error("repair", c, argv);
		}
	}
	if ((ec = cli_one_operand("repair", "ARCHIVE", 1, argc, argv, &path)) !=
	    0)
		return ec;
	if (strcmp(path, "-") == 0)
		return cli_usage_error("repair",
		    "repair works on an archive file, not standard input");
	return cli_parity_repair(path, quiet);
}
