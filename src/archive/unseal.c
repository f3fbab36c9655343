/*
 * unseal.c - read the decrypted tar stream of a sealed archive and check
 * it member by member against its manifest, SHA256SUMS and signature
 * (the rules are listed in unseal.h; the signature and trust steps are
 * in unseal_trust.c).
 *
 * Knows the tar reader, manifest, SHA256SUMS and minisign formats;
 * nothing of age, the filesystem or the terminal.  Memory stays flat in
 * the size of the data: the tar reader's buffers (a ring of
 * TARBALL_LEND_RING when a file's data is lent to the hashing thread),
 * plus the manifest and 32 bytes per file entry.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "cairn/seal.h"
#include "signer_trust.h"
#include "sums.h"
#include "tarball.h"
#include "cairn/unseal.h"
#include "unseal_impl.h"

int
unseal_fail(struct unseal_run *r, int err, const char *fmt, ...)
{
	va_list ap;

	if (r->res->error[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(r->res->error, sizeof(r->res->error), fmt, ap);
		va_end(ap);
	}
	return err;
}

/* A callback failed on member path. */
static int
cb_fail(struct unseal_run *r, int rc, const char *path)
{
	const struct unseal_ops *ops = r->o->ops;
	const char *late = ops != NULL && ops->failed_path != NULL
	    ? ops->failed_path(ops->ctx)
	    : NULL;

	if (late != NULL)
		path = late;
	return unseal_fail(r, rc, "%s: %s", path,
	    rc == CAIRN_ERR_IO && errno != 0 ? strerror(errno)
	                                     : cairn_strerror(rc));
}

/* Advance to the next member; a tar error is reported with its reason. */
int
unseal_next(struct unseal_run *r, struct tarball_entry *e, const char *want)
{
	int rc = tarball_next(r->tr, e);

	if (rc < 0)
		return unseal_fail(r, rc, "tar stream: %s",
		    tarball_reader_error(r->tr)[0] != '\0'
		        ? tarball_reader_error(r->tr)
		        : cairn_strerror(rc));
	if (rc == 1 && want != NULL)
		return unseal_fail(r, CAIRN_ERR_INTEGRITY,
		    "archive ends where %s should follow", want);
	return rc;
}

static int
read_err(struct unseal_run *r, ssize_t n, const char *name)
{
	const char *why = tarball_reader_error(r->tr);

	return unseal_fail(r, (int)n, "%s: %s", name,
	    why[0] != '\0' ? why : cairn_strerror((int)n));
}

/* Read a whole small member (at most max bytes) into *out (cio_malloc'd,
 * NUL-terminated). */
int
unseal_slurp(struct unseal_run *r, const struct tarball_entry *e, size_t max,
    char **out, size_t *outlen)
{
	size_t got = 0;
	char *p;

	*out = NULL;
	if (e->type != TARBALL_FILE)
		return unseal_fail(
		    r, CAIRN_ERR_INTEGRITY, "%s is not a file", e->path);
	if (e->size > max)
		return unseal_fail(r, CAIRN_ERR_LIMIT,
		    "%s: larger than %zu bytes", e->path, max);
	if ((p = cio_malloc((size_t)e->size + 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	while (got < e->size) {
		ssize_t n = tarball_read_data(
		    r->tr, (uint8_t *)p + got, (size_t)e->size - got);

		if (n <= 0) {
			free(p);
			return n < 0 ? read_err(r, n, e->path)
			             : unseal_fail(r, CAIRN_ERR_INTEGRITY,
			                   "%s: short", e->path);
		}
		got += (size_t)n;
	}
	p[got] = '\0';
	*out = p;
	*outlen = got;
	return 0;
}

static int
read_manifest(struct unseal_run *r)
{
	struct tarball_entry e;
	char *json = NULL;
	size_t len = 0, nfiles = 0;
	int rc;

	if ((rc = unseal_next(r, &e, MANIFEST_NAME)) != 0) {
		/* the age layer authenticated what it gave, so this is a
		 * plain age file (or other data), not a damaged archive */
		r->res->not_archive = strcmp(tarball_reader_error(r->tr),
		                          "not a tar archive") == 0;
		return rc;
	}
	if (strcmp(e.path, MANIFEST_NAME) != 0) {
		r->res->not_archive = 1;
		return unseal_fail(r, CAIRN_ERR_INTEGRITY,
		    "first member is %s, not " MANIFEST_NAME, e.path);
	}
	if ((rc = unseal_slurp(r, &e, MANIFEST_MAX_LEN, &json, &len)) != 0)
		return rc;
	rc = manifest_decode(json, len, &r->res->m);
	if (rc == 0 && r->o->list_only) {
		/* list compares no digest */
	} else if (rc == 0) {
		for (size_t i = 0; i < r->res->m->nentries; i++)
			nfiles += r->res->m->entries[i].type == MANIFEST_FILE;
		r->ndigests = nfiles + 1;
		r->digests = cio_calloc(r->ndigests, sizeof(*r->digests));
		if (r->digests == NULL)
			rc = CAIRN_ERR_NOMEM;
		else
			rc = digest_sha256(json, len, r->digests[0]);
		// clang-format off
	} else if (rc == CAIRN_ERR_LIMIT)
		rc = unseal_fail(r, rc, MANIFEST_NAME ": manifest too large: more than %u entries, or more JSON values than they can hold", (unsigned)MANIFEST_MAX_ENTRIES);
	// clang-format on
	else if (rc != CAIRN_ERR_NOMEM)
		rc = unseal_fail(
		    r, rc, MANIFEST_NAME ": %s", cairn_strerror(rc));
	free(json);
	return rc;
}

/* Files up to this size are hashed on the calling thread: handing one
 * to the hashing thread (a slot each, two wake-ups) costs more than
 * hashing it, and with many small files the threads mostly wait for
 * each other. */
#define UNSEAL_INLINE_HASH (64u * 1024)

/* Stream the data of file entry me to the callbacks and its digest
 * (inline: into *d, else the hashing thread, which reads the tar
 * reader's buffers in place when they are lent); *got bytes. */
static int
file_data(struct unseal_run *r, const struct manifest_entry *me,
    struct digest_sha256 *d, uint64_t *got)
{
	const struct unseal_ops *ops = r->o->ops;
	int rc;

	for (;;) {
		const uint8_t *p;
		size_t n;
		int lent;

		if ((rc = tarball_read_block(r->tr, &p, &n, &lent)) == 0)
			return 0;
		if (rc < 0)
			return read_err(r, rc, me->path);
		if (d != NULL)
			digest_sha256_update(d, p, n);
		else if (lent)
			digest_async_update_held(r->hash, p, n);
		else
			digest_async_update(r->hash, p, n);
		*got += (uint64_t)n;
		if (ops != NULL && ops->file_data != NULL &&
		    (rc = ops->file_data(ops->ctx, p, n)) != 0)
			return cb_fail(r, rc, me->path);
	}
}

/* A file member's data, digest and callbacks. */
static int
member_file(
    struct unseal_run *r, const struct manifest_entry *me, size_t *filei)
{
	const struct unseal_ops *ops = r->o->ops;
	struct digest_sha256 d, *dp = NULL;
	uint64_t got = 0;
	int rc;

	if (me->size <= UNSEAL_INLINE_HASH) {
		/* the same failure point as digest_async_begin() */
		if ((rc = digest_sha256_init(&d)) != 0)
			return rc;
		dp = &d;
	} else if ((rc = digest_async_begin(r->hash)) != 0)
		return rc;
	if (ops != NULL && ops->file_begin != NULL &&
	    (rc = ops->file_begin(ops->ctx, me)) != 0)
		rc = cb_fail(r, rc, me->path);
	else if ((rc = file_data(r, me, dp, &got)) == 0 && got != me->size)
		rc = unseal_fail(r, CAIRN_ERR_INTEGRITY,
		    "%s: %" PRIu64 " bytes, the manifest says %" PRIu64,
		    me->path, got, me->size);
	if (rc != 0) {
		if (dp != NULL)
			digest_sha256_free(dp);
		return rc;
	}
	/* An async digest is there once check_sums() has waited for it. */
	if (dp != NULL) {
		if ((rc = digest_sha256_final(dp, r->digests[++*filei])) != 0)
			return rc;
	} else
		digest_async_end(r->hash, r->digests[++*filei]);
	if (ops != NULL && ops->file_end != NULL &&
	    (rc = ops->file_end(ops->ctx)) != 0)
		return cb_fail(r, rc, me->path);
	r->res->nfiles++;
	r->res->bytes += got;
	return 0;
}

/* Check one member against manifest entry me and stream its data. */
static int
member(struct unseal_run *r, const struct manifest_entry *me, size_t *filei)
{
	const struct unseal_ops *ops = r->o->ops;
	struct tarball_entry e;
	int rc, isdir = me->type == MANIFEST_DIR;

	if ((rc = unseal_next(r, &e, me->path)) != 0)
		return rc;
	if (strcmp(e.path, me->path) != 0)
		return unseal_fail(r, CAIRN_ERR_INTEGRITY,
		    "member %s where the manifest lists %s", e.path, me->path);
	if ((e.type == TARBALL_DIR) != isdir)
		return unseal_fail(r, CAIRN_ERR_INTEGRITY,
		    "%s: type differs from the manifest", me->path);
	if (!isdir && e.size != me->size)
		return unseal_fail(r, CAIRN_ERR_INTEGRITY,
		    "%s: size %" PRIu64 " in tar, %" PRIu64 " in the manifest",
		    me->path, e.size, me->size);
	if (e.mode != me->mode || e.mtime != me->mtime)
		return unseal_fail(r, CAIRN_ERR_INTEGRITY,
		    "%s: mode or mtime differs from the manifest", me->path);
	if (!isdir)
		return member_file(r, me, filei);
	r->res->ndirs++;
	if (ops != NULL && ops->dir != NULL &&
	    (rc = ops->dir(ops->ctx, me)) != 0)
		return cb_fail(r, rc, me->path);
	return 0;
}

/* SHA256SUMS: parse, match the manifest, compare every digest. */
static int
check_sums(struct unseal_run *r, char **text, size_t *len)
{
	struct tarball_entry e;
	struct sums s;
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = unseal_next(r, &e, SUMS_NAME)) != 0)
		return rc;
	if (strcmp(e.path, SUMS_NAME) != 0)
		return unseal_fail(r, CAIRN_ERR_INTEGRITY,
		    "member %s where " SUMS_NAME
		    " should follow (not in the manifest)",
		    e.path);
	if ((rc = unseal_slurp(r, &e, SUMS_MAX_LEN, text, len)) != 0)
		return rc;
	if ((rc = digest_sha256(*text, *len, r->res->sums_sha256)) != 0)
		return rc;
	if ((rc = sums_decode(*text, *len, &s)) != 0) {
		if (rc != CAIRN_ERR_NOMEM)
			rc = unseal_fail(r, CAIRN_ERR_INTEGRITY,
			    SUMS_NAME ": %s", cairn_strerror(rc));
		goto out;
	}
	if ((rc = digest_async_wait(r->hash)) != 0)
		goto out;
	if (sums_match_manifest(&s, r->res->m) != 0 || s.n != r->ndigests) {
		rc = unseal_fail(r, CAIRN_ERR_INTEGRITY,
		    SUMS_NAME " does not list exactly the manifest's files");
		goto out;
	}
	for (size_t i = 0; i < s.n; i++)
		if (!digest_equal(
		        s.v[i].sha256, r->digests[i], DIGEST_SHA256_LEN)) {
			rc = unseal_fail(r, CAIRN_ERR_INTEGRITY,
			    "%s: SHA-256 differs from " SUMS_NAME, s.v[i].path);
			goto out;
		}
out:
	sums_free(&s);
	return rc;
}

static void
release_lent(void *ctx, const uint8_t *p, size_t len)
{
	digest_async_release(ctx, p, len);
}

int
unseal_run(const struct cio_source *src, const struct unseal_options *o,
    struct unseal_result *res)
{
	const struct unseal_ops *ops = o->ops;
	struct unseal_run r;
	char *sums = NULL;
	size_t sumslen = 0, filei = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	res->trusted_index = res->key_id_clash = -1;
	memset(&r, 0, sizeof(r));
	r.o = o;
	r.res = res;
	if ((rc = tarball_reader_new(&r.tr, src)) != 0)
		return unseal_fail(
		    &r, rc, "tar reader: %s", cairn_strerror(rc));
	if ((rc = read_manifest(&r)) != 0)
		goto out;
	res->is_signed = res->m->has_signer;
	unseal_lookup_signer(&r);
	if (o->list_only)
		goto out;
	if (ops != NULL && ops->manifest != NULL &&
	    (rc = ops->manifest(ops->ctx, res->m)) != 0)
		goto out;
	if ((rc = digest_async_new(&r.hash, -1)) != 0)
		goto out;
	/* tarball_reader_free() below releases before r.hash is freed */
	if (digest_async_threaded(r.hash) &&
	    (rc = tarball_reader_lend(r.tr, release_lent, r.hash)) != 0)
		goto out;
	for (size_t i = 0; i < res->m->nentries; i++)
		if ((rc = member(&r, &res->m->entries[i], &filei)) != 0)
			goto out;
	if (ops != NULL && ops->files_done != NULL &&
	    (rc = ops->files_done(ops->ctx)) != 0) {
		rc = cb_fail(&r, rc, "extracted files");
		goto out;
	}
	if ((rc = check_sums(&r, &sums, &sumslen)) != 0)
		goto out;
	if ((rc = unseal_check_signature(&r, sums, sumslen)) == 0)
		rc = unseal_check_trust(&r);
out:
	if (rc != 0 && res->error[0] == '\0')
		unseal_fail(&r, rc, "%s", cairn_strerror(rc));
	tarball_reader_free(r.tr);
	digest_async_free(r.hash);
	free(r.digests);
	free(sums);
	return rc;
}

void
unseal_result_free(struct unseal_result *res)
{
	manifest_free(res->m);
	free(res->trusted_comment);
	memset(res, 0, sizeof(*res));
}
