/*
 * seal.c - the second step of sealing: stream a planned set of files into
 * a pax tar, hashing each file as it is read, then append SHA256SUMS and
 * its minisign signature (see seal.h; the archive format is in
 * docs/format.md).
 *
 * Data path, one pass per file: read() SEAL_BLOCK bytes -> SHA-256 ->
 * tarball_write_data() -> libarchive's 10240-byte records -> the plain
 * sink (the CLI's is an age_writer: 64 KiB STREAM chunks -> the output
 * file).  The files' part of it (read+hash on one side, tar+sink on the
 * other, on two threads when there are two CPUs) is in seal_stream.c.
 *
 * Knows the filesystem, tar writer, manifest, SHA256SUMS and minisign
 * modules; nothing of age, the terminal or key files (the mirror of
 * unseal.c, which reads a plain stream).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "cairn/seal.h"
#include "manifest_impl.h"
#include "seal_impl.h"
#include "sums.h"
#include "tarball.h"

int
seal_trusted_comment(
    const struct manifest *m, char out[SEAL_TRUSTED_COMMENT_LEN])
{
	char id[MANIFEST_ID_HEX_LEN], t[MANIFEST_TIME_LEN];
	int n;

	if (manifest_time_format(m->sealed_at, t) != 0)
		return CAIRN_ERR_INVAL;
	manifest_archive_id_hex(m, id);
	n = snprintf(out, SEAL_TRUSTED_COMMENT_LEN,
	    "cairn-archive archive_id:%s sealed_at:%s", id, t);
	return n > 0 && n < SEAL_TRUSTED_COMMENT_LEN ? 0 : CAIRN_ERR_INVAL;
}

/* A tar writer call failed on name: record its reason. */
static int
tar_fail(
    struct seal_plan *p, struct tarball_writer *tw, int rc, const char *name)
{
	const char *why = tarball_writer_error(tw);
	int saved = rc == CAIRN_ERR_IO ? tarball_writer_errno(tw) : 0;

	/* The errno saved with the failure, not errno now (later libarchive
	 * calls may have changed it). */
	if (saved != 0)
		why = strerror(saved);
	rc = seal_fail(p, rc, name, why[0] != '\0' ? why : cairn_strerror(rc));
	if (saved != 0)
		errno = saved; /* seal.h: CAIRN_ERR_IO keeps errno */
	return rc;
}

/* One of cairn's own members, from memory. */
static int
write_blob(struct seal_plan *p, struct tarball_writer *tw, const char *name,
    const void *buf, size_t len)
{
	int rc;

	if ((rc = tarball_write_file_begin(
	         tw, name, len, SEAL_OWN_MODE, p->m->sealed_at)) != 0 ||
	    (rc = tarball_write_data(tw, buf, len)) != 0 ||
	    (rc = tarball_write_file_end(tw)) != 0)
		return tar_fail(p, tw, rc, name);
	return 0;
}

/* Write SHA256SUMS and (with sk) its signature. */
static int
write_sums(struct seal_plan *p, struct tarball_writer *tw,
    const struct sums *sums, const struct minisig_secret *sk)
{
	char tc[SEAL_TRUSTED_COMMENT_LEN], *text = NULL, *sig = NULL;
	size_t len = 0, siglen = 0;
	int rc;

	if ((rc = sums_encode(sums, &text, &len)) != 0) {
		seal_fail(p, rc, SUMS_NAME, cairn_strerror(rc));
		goto out;
	}
	if ((rc = write_blob(p, tw, SUMS_NAME, text, len)) != 0)
		goto out;
	if ((rc = digest_sha256(text, len, p->sums_sha256)) != 0)
		goto out;
	p->has_sums_sha256 = 1;
	if (sk == NULL)
		goto out;
	if ((rc = seal_trusted_comment(p->m, tc)) != 0 ||
	    (rc = minisig_sign(sk, text, len, tc, SEAL_UNTRUSTED_COMMENT, &sig,
	         &siglen)) != 0) {
		seal_fail(p, rc, SUMS_SIG_NAME, cairn_strerror(rc));
		goto out;
	}
	rc = write_blob(p, tw, SUMS_SIG_NAME, sig, siglen);
out:
	free(text);
	free(sig);
	return rc;
}

int
seal_write(struct seal_plan *p, const struct minisig_secret *sk,
    const struct cio_sink *sink)
{
	struct minisig_public pk;
	struct tarball_writer *tw = NULL;
	struct sums sums;
	uint8_t digest[DIGEST_SHA256_LEN];
	char *json = NULL;
	size_t jlen = 0;
	int rc;

	memset(&sums, 0, sizeof(sums));
	if (p->written)
		return CAIRN_ERR_INVAL;
	p->written = 1;
	/* planning is over: the typing thread and its buffers go */
	seal_sniff_free(p->sniffs);
	p->sniffs = NULL;
	if (sk != NULL) {
		minisig_public_from_secret(sk, &pk);
		manifest_set_signer(p->m, &pk);
	}
	if ((rc = manifest_encode(p->m, &json, &jlen)) != 0) {
		seal_fail(p, rc, MANIFEST_NAME, cairn_strerror(rc));
		goto out;
	}
	if ((rc = digest_sha256(json, jlen, digest)) != 0 ||
	    (rc = sums_add(&sums, MANIFEST_NAME, digest)) != 0)
		goto out;
	if ((rc = tarball_writer_new(&tw, sink)) != 0) {
		seal_fail(p, rc, NULL, cairn_strerror(rc));
		goto out;
	}
	rc = write_blob(p, tw, MANIFEST_NAME, json, jlen);
	free(json); /* not needed while the files stream */
	json = NULL;
	if (rc != 0 || (rc = seal_stream_entries(p, tw, &sums)) != 0 ||
	    (rc = write_sums(p, tw, &sums, sk)) != 0)
		goto out;
	if ((rc = tarball_writer_finish(tw)) != 0)
		rc = tar_fail(p, tw, rc, NULL);
out:
	if (rc == CAIRN_ERR_NOMEM)
		seal_fail(p, rc, NULL, "out of memory");
	p->sealed = rc == 0;
	tarball_writer_free(tw);
	sums_free(&sums);
	free(json);
	return rc;
}

int
seal_plan_sums_sha256(const struct seal_plan *p, uint8_t out[32])
{
	if (!p->has_sums_sha256)
		return CAIRN_ERR_INVAL;
	memcpy(out, p->sums_sha256, 32);
	return 0;
}

int
seal_plan_skip_failed(struct seal_plan *p)
{
	struct manifest_entry *e;
	size_t i;
	int rc;

	if (!p->skip || p->failed == 0 || p->sealed ||
	    p->failed > p->m->nentries)
		return CAIRN_ERR_INVAL;
	i = p->failed - 1;
	e = &p->m->entries[i];
	if ((rc = manifest_add_skipped(p->m, e->path, p->why)) != 0) {
		if (rc == CAIRN_ERR_LIMIT) {
			p->error[0] = '\0';
			seal_fail(p, rc, p->items[i].host,
			    "changed while being sealed, and too many files "
			    "were skipped already");
		}
		return rc;
	}
	if (p->warn != NULL)
		p->warn(
		    p->warn_ctx, SEAL_WARN_SKIPPED, p->items[i].host, p->why);
	p->nfiles--;
	p->bytes -= e->size;
	free(p->items[i].host);
	memmove(&p->items[i], &p->items[i + 1],
	    (p->m->nentries - i - 1) * sizeof(p->items[0]));
	manifest_drop_entry(p->m, i);
	p->failed = 0;
	p->written = 0;
	p->has_sums_sha256 = 0;
	p->error[0] = p->why[0] = '\0';
	return 0;
}
