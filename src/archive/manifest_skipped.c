/*
 * manifest_skipped.c - the manifest's "skipped" list (version 2): paths
 * that were to be sealed but are not in the archive, each with a reason
 * (see the schema in manifest.h).  Building it, and its rules.
 *
 * Knows nothing of JSON, tar, age, files or the terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/manifest.h"
#include "manifest_impl.h"

int
manifest_append_skipped(struct manifest *m, const char *path, size_t pathlen,
    const char *reason, size_t reasonlen)
{
	struct manifest_skipped *v;

	if (m->nskipped >= MANIFEST_MAX_SKIPPED)
		return CAIRN_ERR_LIMIT;
	if (m->nskipped == m->cap_skipped) {
		size_t cap = m->cap_skipped ? 2 * m->cap_skipped : 8;

		if ((v = cio_realloc(m->skipped, cap * sizeof(*v))) == NULL)
			return CAIRN_ERR_NOMEM;
		m->skipped = v;
		m->cap_skipped = cap;
	}
	v = &m->skipped[m->nskipped];
	if ((v->path = manifest_dupn(path, pathlen)) == NULL)
		return CAIRN_ERR_NOMEM;
	if ((v->reason = manifest_dupn(reason, reasonlen)) == NULL) {
		free(v->path);
		return CAIRN_ERR_NOMEM;
	}
	m->nskipped++;
	return 0;
}

/* The rules of one skipped path and reason. */
static int
skipped_ok(const char *path, size_t plen, const char *reason, size_t rlen)
{
	return manifest_path_check(path, plen) == 0 &&
	    manifest_text_ok(reason, rlen, MANIFEST_REASON_MAX);
}

int
manifest_add_skipped(struct manifest *m, const char *path, const char *reason)
{
	if (path == NULL || reason == NULL ||
	    !skipped_ok(path, strlen(path), reason, strlen(reason)))
		return CAIRN_ERR_INVAL;
	return manifest_append_skipped(
	    m, path, strlen(path), reason, strlen(reason));
}

void
manifest_drop_entry(struct manifest *m, size_t i)
{
	if (i >= m->nentries)
		return;
	free(m->entries[i].path);
	free(m->entries[i].mime);
	memmove(&m->entries[i], &m->entries[i + 1],
	    (m->nentries - i - 1) * sizeof(m->entries[0]));
	m->nentries--;
	free(m->index); /* entries moved */
	m->index = NULL;
}

void
manifest_skipped_free(struct manifest *m)
{
	for (size_t i = 0; i < m->nskipped; i++) {
		free(m->skipped[i].path);
		free(m->skipped[i].reason);
	}
	free(m->skipped);
	m->skipped = NULL;
	m->nskipped = m->cap_skipped = 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_key_entry(const void *k, const void *b)
{
	return strcmp(
	    (const char *)k, (*(const struct manifest_entry *const *)b)->path);
}

int
manifest_check_skipped(
    const struct manifest *m, const struct manifest_entry *const *index)
{
	const char **v;
	size_t i;
	int rc = CAIRN_ERR_UNSAFE;

	if (m->nskipped > MANIFEST_MAX_SKIPPED)
		return CAIRN_ERR_LIMIT;
	for (i = 0; i < m->nskipped; i++) {
		const struct manifest_skipped *s = &m->skipped[i];

		if (manifest_path_check(s->path, strlen(s->path)) != 0)
			return CAIRN_ERR_UNSAFE;
		if (!manifest_text_ok(
		        s->reason, strlen(s->reason), MANIFEST_REASON_MAX))
			return CAIRN_ERR_FORMAT;
		if (bsearch(s->path, index, m->nentries, sizeof(*index),
		        cmp_key_entry) != NULL)
			return CAIRN_ERR_UNSAFE; /* both held and skipped */
	}
	if (m->nskipped < 2)
		return 0;
	if ((v = cio_calloc(m->nskipped, sizeof(*v))) == NULL)
		return CAIRN_ERR_NOMEM;
	for (i = 0; i < m->nskipped; i++)
		v[i] = m->skipped[i].path;
	qsort(v, m->nskipped, sizeof(*v), cmp_str);
	for (i = 1; i < m->nskipped; i++)
		if (strcmp(v[i - 1], v[i]) == 0)
			goto out;
	rc = 0;
out:
	free(v);
	return rc;
}
