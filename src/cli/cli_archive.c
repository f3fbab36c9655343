/*
 * cli_archive.c - reading sealed archives for list/verify/open: the input
 * and its age layer as one plaintext source, --signer keys, the check
 * and its failure messages, the custody entry.  The manifest table and
 * the verify/open reports are in cli_archive_report.c.  See
 * cli_archive.h.
 *
 * Knows age.h, manifest.h, unseal.h, minisig.h and jansson (for JSON
 * output only).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_custody.h"
#include "cli_progress.h"
#include "cli_stamp.h"
#include "cli_trust.h"
#include "cli_unlock.h"
#include "cairn/manifest.h"
#include "cairn/unseal.h"

static ssize_t
plain_read(void *ctx, uint8_t *buf, size_t len)
{
	return age_reader_read(ctx, buf, len);
}

/* The input, hashed as the age layer reads it (held: without a copy,
 * the age layer releasing the bytes before it reuses them). */
static ssize_t
hash_read(struct cli_archive *a, uint8_t *buf, size_t len, int held)
{
	ssize_t n = a->in.src.read(a->in.src.ctx, buf, len);

	if (n > 0) {
		if (a->hashing && held)
			digest_async_update_held(a->hash, buf, (size_t)n);
		else if (a->hashing)
			digest_async_update(a->hash, buf, (size_t)n);
		a->size += (uint64_t)n;
	} else if (n == 0)
		a->eof = 1;
	return n;
}

static ssize_t
hashed_read(void *ctx, uint8_t *buf, size_t len)
{
	return hash_read(ctx, buf, len, 0);
}

static ssize_t
hashed_read_held(void *ctx, uint8_t *buf, size_t len)
{
	return hash_read(ctx, buf, len, 1);
}

static void
hashed_release(void *ctx, const uint8_t *p, size_t len)
{
	struct cli_archive *a = ctx;

	if (a->hash != NULL)
		digest_async_release(a->hash, p, len);
}

int
cli_archive_file_sha256(struct cli_archive *a, uint8_t out[32])
{
	if (!a->eof || !a->hashing)
		return -1;
	if (!a->hash_done) {
		digest_async_end(a->hash, a->file_sha256);
		if (digest_async_wait(a->hash) != 0) {
			a->hashing = 0;
			return -1;
		}
		a->hash_done = 1;
	}
	memcpy(out, a->file_sha256, 32);
	return 0;
}

int
cli_archive_open(struct cli_archive *a, const char *path, struct cli_unlock *u,
    struct cli_trust *tr, enum cli_archive_hash want)
{
	int ec;

	memset(a, 0, sizeof(*a));
	a->in.fd = -1;
	if ((ec = cli_in_open(&a->in, path)) != 0)
		return ec;
	if (want == CLI_ARCHIVE_HASH_LOG && !cli_custody_enabled() &&
	    !cli_stamp_sidecar_exists(path))
		want = CLI_ARCHIVE_NO_HASH;
	if (want != CLI_ARCHIVE_NO_HASH) {
		if (digest_async_new(&a->hash, -1) != 0 ||
		    digest_async_begin(a->hash) != 0)
			return cli_fail(CAIRN_ERR_NOMEM, "%s", a->in.name);
		a->hashing = 1;
	}
	a->hashed = (struct cio_source){.read = hashed_read, .ctx = a};
	if (a->hashing && digest_async_threaded(a->hash)) {
		a->hashed.read_held = hashed_read_held;
		a->hashed.release = hashed_release;
	}
	if (tr != NULL) {
		u->want_signer = 1;
		u->signers_given = tr->ngiven > 0;
	}
	if ((ec = cli_unlock_load(u)) != 0 ||
	    (tr != NULL && (ec = cli_trust_add_shares(tr, u)) != 0) ||
	    (ec = cli_unlock_open(u, &a->hashed, a->in.name, &a->r)) != 0)
		return ec;
	a->plain = (struct cio_source){.read = plain_read, .ctx = a->r};
	return 0;
}

void
cli_archive_close(struct cli_archive *a)
{
	age_reader_free(a->r);
	a->r = NULL;
	cli_in_close(&a->in);
	digest_async_free(a->hash);
	a->hash = NULL;
	a->hashing = 0;
}

const char *
cli_archive_signer_name(
    const struct unseal_result *res, const struct cli_trust *tr)
{
	if (tr == NULL || !res->signer_trusted || res->trusted_index < 0 ||
	    (size_t)res->trusted_index >= tr->t.n)
		return NULL;
	return tr->t.v[res->trusted_index].name;
}

/* The hints for an archive the trust policy refused. */
static void
refused_hint(const struct unseal_result *res, const struct cli_trust *tr)
{
	char b64[MINISIG_PUBLIC_B64_LEN];

	// clang-format off
	if (res->refused == UNSEAL_REFUSED_UNSIGNED) {
		cli_hint("its content matches its SHA256SUMS, but anyone could have sealed it; if you expected an unsigned archive, run again with --allow-unsigned");
		return;
	}
	if (res->m == NULL)
		return;
	if (res->key_id_clash >= 0 && tr != NULL) {
		cli_hint("someone made a key that looks like '%s' by its key id: do not trust this archive; compare fingerprints, never key ids", tr->t.v[res->key_id_clash].name);
		return;
	}
	if (tr != NULL && tr->shares_signer) {
		char fp[MINISIG_FINGERPRINT_LEN];

		minisig_fingerprint(&tr->shares_pk, fp);
		cli_hint("the recovery shares record the journalist's signing key, fingerprint %s; this archive was signed by another key, so it was not sealed with the journalist's key: do not trust it", fp);
		cli_hint("if the journalist changed signing keys after making the recovery kits, confirm the new key's fingerprint with someone who knows it, then give that key with --signer KEY");
		return;
	}
	minisig_public_base64(&res->m->signer, b64);
	cli_hint("if this should be the journalist's key, confirm the fingerprint %s with them by voice or in person, then trust it with: cairn signer add NAME %s", res->signer_fingerprint, b64);
	cli_hint("or accept it for this call only, untrusted, with --any-signer");
	// clang-format on
}

int
cli_archive_fail(int rc, const struct unseal_result *res,
    const struct cli_trust *tr, const char *name)
{
	const char *why =
	    res->error[0] != '\0' ? res->error : cairn_strerror(rc);
	int ec = cli_exit_code(rc);

	if (rc == CAIRN_ERR_NOMEM)
		return cli_fail(rc, "%s", name);
	if (res->not_archive) {
		// clang-format off
		cli_error("%s: not a cairn archive: it decrypts, but holds no cairn archive (%s)", name, why);
		cli_hint("a plain age file is opened with 'cairn decrypt'");
		// clang-format on
		return ec;
	}
	cli_error("%s: %s", name, why);
	// clang-format off
	if (ec == CLI_EXIT_INTEGRITY)
		cli_hint("the archive is damaged, truncated or has been tampered with; nothing from it can be trusted");
	else if (rc == CAIRN_ERR_EXISTS)
		cli_hint("the archive holds two names this file system cannot tell apart (they differ only in letter case, as on macOS or Windows); open it on a case-sensitive file system, e.g. Linux ext4");
	else if (rc == CAIRN_ERR_SIGNATURE && res->refused != UNSEAL_ACCEPTED)
		refused_hint(res, tr);
	else if (ec == CLI_EXIT_SIGNATURE && res->m != NULL && res->m->has_signer && res->sig_ok == 0 && rc == CAIRN_ERR_SIGNATURE)
		cli_hint("check the signer's public key (cairn pubkey --signing on the sealing side)");
	// clang-format on
	return ec;
}

int
cli_archive_check(struct cli_archive *a, const char *verb,
    const struct cli_trust *tr, const struct unseal_ops *ops, int quiet,
    struct unseal_result *res)
{
	struct unseal_options o;
	struct cli_progress pg;
	struct cli_progress_source counted;
	int rc;

	memset(&o, 0, sizeof(o));
	o.trust = &tr->t;
	o.any_signer = tr->any_signer;
	o.allow_unsigned = tr->allow_unsigned;
	o.ops = ops;
	cli_progress_start(
	    &pg, verb, cli_progress_fd_size(a->in.fd), quiet, -1);
	cli_progress_source_init(&counted, &a->plain, a->r, &pg);
	rc = unseal_run(&counted.src, &o, res);
	cli_progress_end(&pg);
	return rc;
}

int
cli_archive_finish(const struct cli_archive *a, const struct cli_trust *tr,
    const struct unseal_result *res, int rc, int ec, const char *dest, int json,
    int quiet)
{
	int rec;

	// clang-format off
	if (rc != 0 && ec == 0)
		ec = cli_archive_fail(rc, res, tr, a->in.name);
	else if (rc == 0 && !res->is_signed)
		cli_warn("%s: archive is unsigned: its content matches its SHA256SUMS, but nothing shows who sealed it (accepted because of --allow-unsigned)", a->in.name);
	else if (rc == 0 && !res->signer_trusted)
		cli_warn("%s: signed by key %s, which is NOT one of your trusted signers: the signature only shows that the holder of that key sealed it (accepted because of --any-signer)", a->in.name, res->signer_fingerprint);
	if (rc == 0 && !res->signer_trusted && res->key_id_clash >= 0)
		cli_warn("%s: that key has the key id of trusted signer '%s', but it is a different key: someone made it look like theirs", a->in.name, tr->t.v[res->key_id_clash].name);
	// clang-format on
	rec = quiet && !json
	    ? 0
	    : cli_archive_report(a, tr, res, rc, ec, dest, json);
	return ec != 0 ? ec : rec;
}

void
cli_archive_log(struct cli_archive *a, const char *action,
    const struct unseal_result *res, int ec)
{
	struct cli_custody_note n;
	char id[MANIFEST_ID_HEX_LEN];
	uint8_t sha[32];

	memset(&n, 0, sizeof(n));
	n.action = action;
	n.exit_code = ec;
	if (res->m != NULL) {
		manifest_archive_id_hex(res->m, id);
		n.archive_id = id;
	}
	if (cli_archive_file_sha256(a, sha) == 0) {
		n.sha256 = sha;
		n.size = a->size;
	}
	cli_custody_log(&n, NULL);
}

void
cli_archive_signer_id(
    const struct manifest *m, char out[MINISIG_KEY_ID_HEX_LEN])
{
	if (m->has_signer)
		minisig_key_id_hex(m->signer.key_id, out);
	else
		out[0] = '\0';
}
