/*
 * cli_parity_repair.c - `cairn repair` and the hints after a failed
 * verify: what the PAR2 files beside an archive can do for it, and the
 * report of an atomic repair (cairn/parity.h does the work: a repaired
 * copy replaces the archive only once par2 verifies it).
 *
 * Must not know the archive's format (par2 sees bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/parity.h"
#include "cli.h"
#include "cli_parity.h"

void
cli_parity_advise(const char *archive)
{
	enum parity_state st;
	int missing;

	if (strcmp(archive, "-") == 0 ||
	    cli_parity_check(archive, &st, &missing) != 0)
		return;
	// clang-format off
	if (missing)
		cli_hint("%s.par2 holds recovery data, but par2 is not installed: 'apt install par2', then 'cairn repair %s'", archive, archive);
	else if (st == PARITY_REPAIRABLE)
		cli_hint("the parity files beside it can repair it: run 'cairn repair %s'", archive);
	else if (st == PARITY_TOO_DAMAGED)
		cli_hint("the damage exceeds its parity files; 'cairn salvage %s -C DIR' recovers the files that are still authentic", archive);
	else if (st == PARITY_NONE)
		cli_hint("if the damage is real, 'cairn salvage %s -C DIR' recovers the files that are still authentic", archive);
	else if (st == PARITY_INTACT)
		cli_hint("par2 finds the archive identical to when its parity files were made: check the identity and signer");
	// clang-format on
}

static void
print_fixed(const char *archive, const struct parity_repair *r)
{
	unsigned long long alen = r->damaged_len, blen = r->repaired_len;
	size_t n = r->n + r->more;

	printf("repaired %s: %llu bytes in %zu range%s of 512-byte sectors "
	       "restored\n",
	    archive, (unsigned long long)r->bytes, n, n == 1 ? "" : "s");
	for (size_t i = 0; i < r->n; i++)
		printf("  bytes %llu-%llu (%llu bytes)\n",
		    (unsigned long long)r->start[i],
		    (unsigned long long)r->end[i] - 1,
		    (unsigned long long)(r->end[i] - r->start[i]));
	if (r->more > 0)
		printf("  ... and %zu more ranges\n", r->more);
	if (alen < blen)
		printf("  the damaged file was truncated: %llu of %llu bytes\n",
		    alen, blen);
	else if (alen > blen)
		printf("  %llu extra bytes at the end were removed\n",
		    alen - blen);
}

// clang-format off
/* A failed repair: the message, the salvage hint and the exit code. */
static int
repair_failed(const char *archive, int rc, int status, int published)
{
	if (published) {
		rc = cli_fail(rc, "repair: %s: the repaired archive is in place and complete, but its directory could not be synced", archive);
		cli_hint("a crash before the next sync may bring back the damaged archive; if it does, run 'cairn repair %s' again", archive);
		return rc;
	}
	if (rc == CAIRN_ERR_IO || rc == CAIRN_ERR_NOMEM)
		return cli_fail(rc, "repair: %s", archive);
	cli_error("repair: %s: %s", archive, rc == CAIRN_ERR_TOOL && (status == PAR2_OK || status == PAR2_REPAIRABLE) ? "the repaired copy does not verify" : parity_status_text(rc == CAIRN_ERR_INTEGRITY ? PAR2_NOT_REPAIRABLE : status));
	cli_hint("the archive was left as it was; 'cairn salvage %s -C DIR' recovers what is still authentic", archive);
	return rc == CAIRN_ERR_INTEGRITY ? CLI_EXIT_INTEGRITY : CLI_EXIT_ERR;
}

int
cli_parity_repair(const char *archive, int quiet)
{
	struct parity_repair r;
	char *par2;
	int rc, status = 0;

	if ((par2 = parity_need_par2("repair")) == NULL)
		return CLI_EXIT_ERR;
	if (!parity_has_sidecar(archive)) {
		free(par2);
		cli_error("repair: %s: no parity files (%s.par2)", archive, archive);
		cli_hint("without recovery data, 'cairn salvage %s -C DIR' recovers what is still authentic", archive);
		return CLI_EXIT_ERR;
	}
	rc = parity_repair(par2, archive, &r, &status);
	free(par2);
	if (rc != 0)
		return repair_failed(archive, rc, status, r.published);
	if (!quiet && r.intact)
		printf("%s: intact, nothing to repair\n", archive);
	else if (!quiet)
		print_fixed(archive, &r);
	return cli_flush_stdout();
}
// clang-format on
