/*
 * cli_subcmd.c - dispatch of verbs that take a subcommand (`cairn signer
 * add`, `cairn recovery init`, `cairn remote list`): one table per verb,
 * --help, and the same usage errors for a missing or unknown subcommand.
 *
 * Knows nothing of what the subcommands do.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* "a, b or c" from the table's names, into buf. */
static void
names(const struct cli_subcmd *t, char *buf, size_t len)
{
	size_t n = 0, i;

	buf[0] = '\0';
	for (i = 0; t[i].name != NULL && n < len; i++) {
		const char *sep = i == 0    ? ""
		    : t[i + 1].name == NULL ? " or "
		                            : ", ";
		int w = snprintf(buf + n, len - n, "%s%s", sep, t[i].name);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

// clang-format off
int
cli_subcmd_run(const char *verb, const char *help, const struct cli_subcmd *t, int argc, char **argv)
{
	char list[128];
	size_t i;

	names(t, list, sizeof(list));
	if (argc < 2)
		return cli_usage_error(verb, "give a subcommand: %s", list);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cli_print_help(help);
	for (i = 0; t[i].name != NULL; i++)
		if (strcmp(argv[1], t[i].name) == 0) {
			cli_getopt_reset();
			return t[i].fn(argc - 1, argv + 1);
		}
	return cli_usage_error(verb, "unknown subcommand '%s' (give %s)", argv[1], list);
}
// clang-format on
