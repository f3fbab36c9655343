/*
 * seal_plan_life.c - a seal plan's life outside the walk: creating and
 * freeing it, its accessors, recording its first error, and the warning
 * about names that differ only in case (see seal.h).
 *
 * Knows the plan's struct, the manifest and filetype modules; must not
 * know how the inputs are walked, read or sniffed (seal_plan.c), nor tar,
 * age, signing or the terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/manifest.h"
#include "cairn/meta.h"
#include "cairn/seal.h"
#include "filetype.h"
#include "seal_impl.h"

int
seal_fail(struct seal_plan *p, int err, const char *path, const char *why)
{
	char esc[SEAL_ERROR_LEN - 64];

	if (p->error[0] == '\0') {
		snprintf(p->why, sizeof(p->why), "%s", why);
		if (path != NULL) {
			seal_escape_name(esc, sizeof(esc), path);
			snprintf(
			    p->error, sizeof(p->error), "%s: %s", esc, why);
		} else
			snprintf(p->error, sizeof(p->error), "%s", why);
	}
	return err;
}

void
seal_plan_skip_unreadable(struct seal_plan *p, int on)
{
	p->skip = on;
}

int
seal_plan_new(struct seal_plan **out, seal_warn_cb warn, void *ctx)
{
	struct seal_plan *p;
	int rc = CAIRN_ERR_NOMEM;

	*out = NULL;
	if ((p = cio_calloc(1, sizeof(*p))) == NULL)
		return CAIRN_ERR_NOMEM;
	p->warn = warn;
	p->warn_ctx = ctx;
	if ((p->sniff = cio_malloc(META_EXIF_WINDOW)) == NULL ||
	    (rc = manifest_new(&p->m)) != 0 ||
	    (rc = filetype_open(&p->ft)) != 0 ||
	    (rc = seal_sniff_new(&p->sniffs)) != 0) {
		seal_plan_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void
seal_plan_free(struct seal_plan *p)
{
	if (p == NULL)
		return;
	if (p->m != NULL)
		for (size_t i = 0; i < p->m->nentries; i++)
			free(p->items[i].host);
	for (size_t i = 0; i < p->ntops; i++)
		free(p->tops[i]);
	free(p->tops);
	free(p->items);
	free(p->sniff);
	seal_sniff_free(p->sniffs);
	filetype_close(p->ft);
	manifest_free(p->m);
	free(p);
}

struct manifest *
seal_plan_manifest(struct seal_plan *p)
{
	return p->m;
}

uint64_t
seal_plan_files(const struct seal_plan *p)
{
	return p->nfiles;
}

uint64_t
seal_plan_bytes(const struct seal_plan *p)
{
	return p->bytes;
}

const char *
seal_plan_error(const struct seal_plan *p)
{
	return p->error;
}

/* strcasecmp() folds ASCII letters only: cairn never calls setlocale(),
 * so it runs in the "C" locale. */
static int
cmp_entry_case(const void *a, const void *b)
{
	const struct manifest_entry *x =
	    *(const struct manifest_entry *const *)a;
	const struct manifest_entry *y =
	    *(const struct manifest_entry *const *)b;
	int c = strcasecmp(x->path, y->path);

	return c != 0 ? c : strcmp(x->path, y->path);
}

int
seal_plan_check_case(struct seal_plan *p)
{
	const struct manifest_entry **v;
	size_t n = p->m->nentries;

	if (p->warn == NULL || n < 2)
		return 0;
	if ((v = cio_calloc(n, sizeof(*v))) == NULL)
		return CAIRN_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = &p->m->entries[i];
	qsort(v, n, sizeof(*v), cmp_entry_case);
	for (size_t i = 1; i < n; i++)
		if (strcasecmp(v[i - 1]->path, v[i]->path) == 0)
			p->warn(p->warn_ctx, SEAL_WARN_CASE, v[i]->path,
			    v[i - 1]->path);
	free(v);
	return 0;
}
