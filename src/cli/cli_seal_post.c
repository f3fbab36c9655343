/*
 * cli_seal_post.c - what `cairn seal` does once the archive is committed:
 * the custody log entry, --tsa time-stamps, the outbox entry and --push.
 * Split from cmd_seal.c so the verb file stays a parse-then-steps
 * outline.
 *
 * Knows the CLI's custody, stamp, outbox and remote helpers; nothing of
 * age or tar.
 */
#include <stdio.h>
#include <string.h>

#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "cairn/seal.h"
#include "cli.h"
#include "cli_custody.h"
#include "cli_remote.h"
#include "cli_seal_after.h"
#include "cli_stamp.h"

void
cli_seal_log(struct seal_plan *p, const struct cli_hash_sink *h,
    const struct minisig_secret *sk)
{
	struct cli_custody_note n;
	char id[MANIFEST_ID_HEX_LEN];

	memset(&n, 0, sizeof(n));
	manifest_archive_id_hex(seal_plan_manifest(p), id);
	n.action = "seal";
	n.archive_id = id;
	n.sha256 = h->hashed ? h->sha256 : NULL;
	n.size = h->size;
	cli_custody_log(&n, sk);
}

// clang-format off
void
cli_seal_stamp(const struct cli_tsas *tsas, int quiet, struct seal_plan *p,
    const char *output, const uint8_t file[TSA_DIGEST_LEN])
{
	uint8_t sums[TSA_DIGEST_LEN];
	int ec;

	if (tsas->n == 0)
		return;
	ec = seal_plan_sums_sha256(p, sums) != 0 ? CLI_EXIT_ERR : 0;
	if (ec == 0)
		ec = cli_stamp_archive(output, tsas, file, sums, quiet);
	if (ec != 0) {
		cli_warn("%s: sealed, but not time-stamped by every TSA", output);
		cli_hint("run 'cairn stamp --tsa URL %s' when the TSA can be reached", output);
	}
}
// clang-format on

int
cli_seal_push(const char *outpath, const char *push, int quiet, int json,
    struct seal_plan *p, const char *output)
{
	struct cli_remote_opts o = {NULL, NULL, -1};
	struct cli_outbox_entry e;
	struct cli_remote cr;
	char id[MANIFEST_ID_HEX_LEN];
	int ec, pushed = 0;

	if (outpath != NULL && strcmp(outpath, "-") == 0)
		return 0;
	manifest_archive_id_hex(seal_plan_manifest(p), id);
	if ((ec = cli_outbox_record(id, output, 0)) != 0 || push == NULL)
		return ec;
	if ((ec = cli_remote_open(&cr, "seal", push, &o)) != 0)
		return ec;
	cr.quiet = quiet;
	cr.json = json;
	memset(&e, 0, sizeof(e));
	snprintf(e.id, sizeof(e.id), "%s", id);
	e.path = (char *)output;
	ec = cli_remote_push_entry(&cr, &e, 0, &pushed);
	cli_remote_close(&cr);
	return ec;
}
