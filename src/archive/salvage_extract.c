/*
 * salvage_extract.c - pass 2 of salvage: read the chunks again and copy
 * the data of every VERIFIED file to prefix_ok/PATH and of every
 * UNVERIFIED file to prefix_unverified/PATH through extract.h (staging
 * directory, name rules, O_EXCL, no links), re-hashing each; a file whose
 * chunks no longer authenticate or whose digest differs from pass 1 is
 * CAIRN_ERR_CHANGED.  Also salvage_result_free().
 *
 * Knows extract.h and the member list; not tar or signatures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "salvage_impl.h"
#include "sums.h"

static int
written(const struct salvage_member *v)
{
	return !v->is_dir && v->complete && !v->skipped &&
	    (v->state == SALVAGE_VERIFIED || v->state == SALVAGE_UNVERIFIED) &&
	    strcmp(v->path, MANIFEST_NAME) != 0 &&
	    strcmp(v->path, SUMS_NAME) != 0 &&
	    strcmp(v->path, SUMS_SIG_NAME) != 0;
}

/* The directories of a trusted manifest, under prefix_ok. */
static int
make_dirs(
    const struct salvage_result *res, struct extract *x, const char *prefix_ok)
{
	int rc = 0;

	if (!res->trusted)
		return 0;
	for (size_t i = 0; rc == 0 && i < res->m->nentries; i++) {
		const struct manifest_entry *e = &res->m->entries[i];
		char *p;

		if (e->type != MANIFEST_DIR)
			continue;
		if ((p = cio_path_join(prefix_ok, e->path, NULL)) == NULL)
			return CAIRN_ERR_NOMEM;
		rc = extract_dir(x, p, e->mode, e->mtime);
		free(p);
		if (rc == CAIRN_ERR_EXISTS || rc == CAIRN_ERR_UNSAFE)
			rc = 0; /* a case-folding file system: files decide */
	}
	return rc;
}

struct pass2 {
	struct extract *x;
	const char *ok, *unverified;
	struct digest_sha256 h;
	int open;
	uint64_t done;
};

static int
begin(struct pass2 *p, const struct salvage_member *v)
{
	char *path =
	    cio_path_join(v->state == SALVAGE_VERIFIED ? p->ok : p->unverified,
	        v->path, NULL);
	int rc;

	if (path == NULL)
		return CAIRN_ERR_NOMEM;
	rc = extract_file_begin(p->x, path, v->mode, v->mtime);
	free(path);
	if (rc != 0)
		return rc;
	if (digest_sha256_init(&p->h) != 0)
		return CAIRN_ERR_NOMEM;
	p->open = 1;
	p->done = 0;
	return 0;
}

static int
end(struct pass2 *p, const struct salvage_member *v)
{
	uint8_t h[DIGEST_SHA256_LEN];
	int rc;

	p->open = 0;
	if (digest_sha256_final(&p->h, h) != 0)
		return CAIRN_ERR_NOMEM;
	if ((rc = extract_file_end(p->x)) != 0)
		return rc;
	return memcmp(h, v->sha256, sizeof(h)) == 0 ? 0 : CAIRN_ERR_CHANGED;
}

/* Copy what chunk c holds of the files from index *k on. */
static int
chunk(struct pass2 *p, struct salvage_result *res, size_t *k,
    const struct age_chunk *c)
{
	uint64_t cs = c->offset, ce = c->offset + c->len;
	int rc;

	for (; *k < res->n; (*k)++) {
		struct salvage_member *v = &res->v[*k];
		uint64_t a, b;

		if (!written(v))
			continue;
		if (v->data_off >= ce && !(v->size == 0 && v->data_off == ce))
			return 0;
		if (!c->ok)
			return CAIRN_ERR_CHANGED;
		if (!p->open && (rc = begin(p, v)) != 0) {
			if (rc != CAIRN_ERR_EXISTS && rc != CAIRN_ERR_UNSAFE)
				return rc;
			v->skipped = 1;
			v->why = "its name collides with another file: not "
			         "written";
			continue;
		}
		a = v->data_off + p->done > cs ? v->data_off + p->done : cs;
		b = v->data_off + v->size < ce ? v->data_off + v->size : ce;
		if (a < b) {
			digest_sha256_update(&p->h, c->pt + (a - cs), b - a);
			if ((rc = extract_file_write(
			         p->x, c->pt + (a - cs), b - a)) != 0)
				return rc;
			p->done += b - a;
		}
		if (p->done < v->size)
			return 0;
		if ((rc = end(p, v)) != 0)
			return rc;
	}
	return 0;
}

int
salvage_extract(struct age_reader *r, struct salvage_result *res,
    struct extract *x, const char *prefix_ok, const char *prefix_unverified)
{
	struct pass2 p;
	struct age_chunk c;
	size_t k = 0;
	int rc;

	memset(&p, 0, sizeof(p));
	p.x = x;
	p.ok = prefix_ok;
	p.unverified = prefix_unverified;
	if ((rc = make_dirs(res, x, prefix_ok)) != 0)
		return rc;
	while ((rc = age_reader_next_chunk(r, &c)) == 1)
		if ((rc = chunk(&p, res, &k, &c)) != 0)
			break;
	if (p.open)
		digest_sha256_free(&p.h);
	if (rc == 0)
		for (; k < res->n; k++)
			if (written(&res->v[k]))
				return CAIRN_ERR_CHANGED;
	return rc;
}

void
salvage_result_free(struct salvage_result *res)
{
	if (res == NULL)
		return;
	for (size_t i = 0; i < res->n; i++) {
		free(res->v[i].path);
		free(res->v[i].lost);
	}
	free(res->v);
	free(res->bad);
	manifest_free(res->m);
	memset(res, 0, sizeof(*res));
}
