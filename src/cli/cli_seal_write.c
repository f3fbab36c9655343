/*
 * cli_seal_write.c - writing seal's archive: the plan's plain tar
 * (seal_write) through an age_writer into the output file, hashed as
 * written, read back, and committed (see cli_seal_out.h).  With
 * --skip-unreadable, a file found changing while it is read is left out
 * and the archive is written again from the start (at most
 * SEAL_MAX_RESTARTS times): the tar already streamed cannot drop it.
 *
 * Knows seal.h, the age API and cli_seal_after.h's hash sink; nothing of
 * keys, notes or what happens after the archive is committed.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cairn/manifest.h"
#include "cairn/seal.h"
#include "cli.h"
#include "cli_progress.h"
#include "cli_seal_after.h"
#include "cli_seal_out.h"

#define SEAL_MAX_RESTARTS 16

/* Roughly the archive's size, for the progress display: the content,
 * tar headers and padding, the age overhead (and armor). */
static uint64_t
estimate_size(struct seal_plan *p, int armor)
{
	uint64_t n = seal_plan_bytes(p) +
	    (uint64_t)seal_plan_manifest(p)->nentries * 1280 + 32768;

	n += n / 65536 * 16 + 1024;
	return armor ? n / 3 * 4 + n / 48 : n;
}

static int
age_sink_write(void *ctx, const uint8_t *buf, size_t len)
{
	return age_writer_write(ctx, buf, len);
}

/* seal_write() through an age writer to rs onto sink: the archive. */
static int
seal_encrypted(struct seal_plan *p, const struct age_recipients *rs, int armor,
    const struct minisig_secret *sk, const struct cio_sink *sink)
{
	struct age_writer *w = NULL;
	struct cio_sink plain;
	int rc;

	if ((rc = age_writer_new(&w, rs, armor, sink)) == 0) {
		plain.write = age_sink_write;
		plain.ctx = w;
		if ((rc = seal_write(p, sk, &plain)) == 0)
			rc = age_writer_finish(w);
	}
	age_writer_free(w);
	return rc;
}

// clang-format off
/* One attempt: open out, write, hash, read back and commit.  Returns 0,
 * an exit code after a message, or -1 (nothing printed) when a file
 * changed and was left out, so that the caller tries again. */
static int
write_once(const struct cli_seal_write *w, struct seal_plan *p,
    const struct age_recipients *rs, const struct minisig_secret *sk,
    char **made, struct cli_out *out, struct cli_hash_sink *h)
{
	struct cli_progress pg;
	struct cli_progress_sink counted;
	const char *why;
	int ec, rc;

	if ((ec = cli_seal_out_open(out, &w->where, seal_plan_manifest(p)->sealed_at, made)) != 0)
		return ec;
	if (!w->armor && !out->atomic && isatty(out->fd))
		return cli_usage_error("seal", "refusing to write binary ciphertext to a terminal");
	memset(&pg, 0, sizeof(pg));
	cli_progress_start(&pg, "seal", estimate_size(p, w->armor), w->quiet, out->atomic ? -1 : out->fd);
	cli_progress_sink_init(&counted, &out->sink, &pg);
	if ((ec = cli_hash_sink_init(h, &counted.sink, w->hash)) != 0)
		return ec;
	rc = seal_encrypted(p, rs, w->armor, sk, &h->sink);
	cli_progress_end(&pg);
	if (rc == 0) {
		if ((ec = cli_hash_sink_final(h)) != 0)
			return ec;
		if (out->atomic && !w->no_readback && (ec = cli_seal_readback(out, h)) != 0)
			return ec;
		return cli_out_commit(out);
	}
	if (out->write_errno != 0)
		return cli_stream_fail(rc, NULL, NULL, out);
	if (w->skip && out->atomic && seal_plan_skip_failed(p) == 0)
		return -1;
	why = seal_plan_error(p);
	ec = cli_fail_why(cli_exit_code(rc), why[0] != '\0' ? why : cairn_strerror(rc), "seal");
	if (rc == CAIRN_ERR_CHANGED && w->skip && !out->atomic)
		cli_hint("a file that changes while it is sealed to standard output cannot be left out: seal to a file (-o FILE)");
	else if (rc == CAIRN_ERR_CHANGED && !w->skip)
		cli_hint("nothing was written; seal again when the file is no longer being changed, or leave such files out with --skip-unreadable");
	return ec;
}

int
cli_seal_write(const struct cli_seal_write *w, struct seal_plan *p,
    const struct age_recipients *rs, const struct minisig_secret *sk,
    char **made, struct cli_out *out, struct cli_hash_sink *h)
{
	int ec;

	for (int tries = 0;; tries++) {
		if ((ec = write_once(w, p, rs, sk, made, out, h)) != -1)
			return ec;
		/* discard the attempt: nothing of it is left */
		cli_out_abort(out);
		cli_hash_sink_free(h);
		free(*made);
		*made = NULL;
		memset(out, 0, sizeof(*out));
		out->fd = -1;
		if (seal_plan_manifest(p)->nentries == 0) {
			cli_error("seal: nothing to seal (every file was skipped)");
			return CLI_EXIT_ERR;
		}
		if (tries == SEAL_MAX_RESTARTS) {
			cli_error("seal: more than %d files changed while being sealed", SEAL_MAX_RESTARTS);
			cli_hint("nothing was written; seal again when fewer files are being changed");
			return CLI_EXIT_ERR;
		}
	}
}
// clang-format on
