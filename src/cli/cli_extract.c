/*
 * cli_extract.c - the start of an extraction that `open` and `salvage`
 * share: refuse a destination that exists, say what an earlier
 * interrupted run left beside the destination, make the signal handler
 * abort (remove) the staging directory, begin the staging directory, and
 * warn when the directory it is made in can be written by others without
 * the sticky bit.
 *
 * Knows extract.h only; nothing of age, tar or the archive's contents.
 */
#include "cairn/err.h"
#include "cairn/extract.h"
#include "cli.h"

// clang-format off
int
cli_extract_dest_new(const char *verb, const char *dest)
{
	if (!cli_exists(dest))
		return 0;
	cli_error("%s: already exists", dest);
	cli_hint("choose another directory with -C DIR; %s never writes into an existing one", verb);
	return CLI_EXIT_ERR;
}

int
cli_extract_start(const char *dest, struct extract **x)
{
	int ec, rc;

	*x = NULL;
	(void)cli_leftovers_warn(dest, 1);
	if ((ec = cli_at_signal(extract_abort_signal_safe)) != 0)
		return ec;
	if ((rc = extract_begin(x, dest)) != 0)
		return rc == CAIRN_ERR_EXISTS ? cli_fail_why(CLI_EXIT_ERR, "already exists", "%s", dest) : cli_fail(rc, "%s", dest);
	if (extract_parent_unsafe(*x))
		cli_warn("%s: other users can write the directory it is made in (not sticky): cairn checks that the directory it publishes is the one it wrote", dest);
	return 0;
}
// clang-format on
