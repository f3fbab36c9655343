/*
 * manifest.c - the archive manifest as a struct: building it, and the
 * rules every manifest obeys as a whole (see the schema in manifest.h).
 * The rules for its strings (paths, text, MIME types) live in
 * manifest_rules.c, JSON in manifest_json.c, times in manifest_time.c.
 *
 * Knows nothing of JSON, tar, age, files or the terminal.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/manifest.h"
#include "cairn/meta.h"
#include "manifest_impl.h"

#ifndef CAIRN_VERSION
#define CAIRN_VERSION "0.0.0"
#endif

/* ---- building ------------------------------------------------------------ */

int
manifest_new(struct manifest **out)
{
	struct manifest *m;

	*out = NULL;
	if (sodium_init() < 0)
		return CAIRN_ERR_INVAL;
	if ((m = cio_calloc(1, sizeof *m)) == NULL)
		return CAIRN_ERR_NOMEM;
	m->version = MANIFEST_VERSION;
	randombytes_buf(m->archive_id, sizeof m->archive_id);
	m->sealed_at = (int64_t)time(NULL);
	if ((m->tool = cio_strdup("cairn " CAIRN_VERSION)) == NULL) {
		free(m);
		return CAIRN_ERR_NOMEM;
	}
	*out = m;
	return 0;
}

void
manifest_free(struct manifest *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nentries; i++) {
		free(m->entries[i].path);
		free(m->entries[i].mime);
		free(m->entries[i].exif);
	}
	for (i = 0; i < m->nnotes; i++)
		free(m->notes[i]);
	manifest_skipped_free(m);
	free(m->entries);
	free(m->notes);
	free(m->tool);
	free(m->case_label);
	free(m->index);
	free(m);
}

int
manifest_set_case(struct manifest *m, const char *label)
{
	char *c = NULL;

	if (label != NULL) {
		if (!manifest_text_ok(label, strlen(label), MANIFEST_CASE_MAX))
			return CAIRN_ERR_INVAL;
		if ((c = cio_strdup(label)) == NULL)
			return CAIRN_ERR_NOMEM;
	}
	free(m->case_label);
	m->case_label = c;
	return 0;
}

int
manifest_append_note(struct manifest *m, const char *note, size_t len)
{
	char *n;

	if (m->nnotes >= MANIFEST_MAX_NOTES)
		return CAIRN_ERR_LIMIT;
	if (m->nnotes == m->cap_notes) {
		size_t cap = m->cap_notes ? 2 * m->cap_notes : 8;
		char **v = cio_realloc(m->notes, cap * sizeof *v);

		if (v == NULL)
			return CAIRN_ERR_NOMEM;
		m->notes = v;
		m->cap_notes = cap;
	}
	if ((n = cio_malloc(len + 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(n, note, len);
	n[len] = '\0';
	m->notes[m->nnotes++] = n;
	return 0;
}

int
manifest_add_note(struct manifest *m, const char *note)
{
	size_t len = strlen(note);

	if (!manifest_note_ok(note, len))
		return CAIRN_ERR_INVAL;
	return manifest_append_note(m, note, len);
}

void
manifest_set_signer(struct manifest *m, const struct minisig_public *pk)
{
	m->has_signer = pk != NULL;
	if (pk != NULL)
		m->signer = *pk;
	else
		memset(&m->signer, 0, sizeof m->signer);
}

char *
manifest_dupn(const char *s, size_t len)
{
	char *d = cio_malloc(len + 1);

	if (d != NULL) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

int
manifest_append(struct manifest *m, const char *path, size_t pathlen,
    enum manifest_type type, uint64_t size, uint32_t mode, int64_t mtime,
    const char *mime, size_t mimelen)
{
	struct manifest_entry *e;

	if (m->nentries >= MANIFEST_MAX_ENTRIES)
		return CAIRN_ERR_LIMIT;
	if (m->nentries == m->cap_entries) {
		size_t cap = m->cap_entries ? 2 * m->cap_entries : 64;

		if ((e = cio_realloc(m->entries, cap * sizeof *e)) == NULL)
			return CAIRN_ERR_NOMEM;
		m->entries = e;
		m->cap_entries = cap;
	}
	free(m->index); /* entries may have moved */
	m->index = NULL;
	e = &m->entries[m->nentries];
	memset(e, 0, sizeof *e);
	if ((e->path = manifest_dupn(path, pathlen)) == NULL)
		return CAIRN_ERR_NOMEM;
	if (mime != NULL && (e->mime = manifest_dupn(mime, mimelen)) == NULL) {
		free(e->path);
		return CAIRN_ERR_NOMEM;
	}
	e->type = type;
	e->size = size;
	e->mode = mode;
	e->mtime = mtime;
	m->nentries++;
	return 0;
}

/* Per-entry rules except uniqueness.  Returns 0, CAIRN_ERR_UNSAFE (path)
 * or CAIRN_ERR_FORMAT. */
static int
entry_check(const struct manifest_entry *e)
{
	static const char *reserved[] = {
	    MANIFEST_NAME, "SHA256SUMS", "SHA256SUMS.minisig"};
	size_t i, first, len = strlen(e->path);

	if (manifest_path_check(e->path, len) != 0)
		return CAIRN_ERR_UNSAFE;
	first = strcspn(e->path, "/");
	for (i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (first == strlen(reserved[i]) &&
		    memcmp(e->path, reserved[i], first) == 0)
			return CAIRN_ERR_UNSAFE;
	if (e->mode > 0777 || !manifest_time_in_range(e->mtime))
		return CAIRN_ERR_FORMAT;
	if (e->exif != NULL &&
	    (e->type != MANIFEST_FILE || !meta_exif_check(e->exif)))
		return CAIRN_ERR_FORMAT;
	if (e->type == MANIFEST_FILE)
		return e->size <= INT64_MAX && e->mime != NULL &&
		        manifest_mime_ok(e->mime, strlen(e->mime))
		    ? 0
		    : CAIRN_ERR_FORMAT;
	if (e->type == MANIFEST_DIR)
		return e->size == 0 && e->mime == NULL ? 0 : CAIRN_ERR_FORMAT;
	return CAIRN_ERR_FORMAT;
}

int
manifest_add_entry(struct manifest *m, const char *path,
    enum manifest_type type, uint64_t size, uint32_t mode, int64_t mtime,
    const char *mime)
{
	struct manifest_entry e = {
	    (char *)path, type, size, mode, mtime, (char *)mime, NULL};

	if (path == NULL || entry_check(&e) != 0)
		return CAIRN_ERR_INVAL;
	return manifest_append(m, path, strlen(path), type, size, mode, mtime,
	    mime, mime != NULL ? strlen(mime) : 0);
}

int
manifest_set_exif(struct manifest *m, const struct meta_exif *x)
{
	if (m->nentries == 0)
		return CAIRN_ERR_INVAL;
	return manifest_set_exif_at(m, m->nentries - 1, x);
}

int
manifest_set_exif_at(struct manifest *m, size_t i, const struct meta_exif *x)
{
	struct manifest_entry *e;
	struct meta_exif *c;

	if (i >= m->nentries)
		return CAIRN_ERR_INVAL;
	e = &m->entries[i];
	if (e->type != MANIFEST_FILE)
		return CAIRN_ERR_INVAL;
	if (x->status == META_EXIF_NONE) {
		free(e->exif);
		e->exif = NULL;
		return 0;
	}
	if (!meta_exif_check(x))
		return CAIRN_ERR_INVAL;
	if ((c = cio_malloc(sizeof *c)) == NULL)
		return CAIRN_ERR_NOMEM;
	*c = *x;
	free(e->exif);
	e->exif = c;
	return 0;
}

/* ---- whole-manifest checks and lookup ------------------------------------ */

static int
cmp_entry(const void *a, const void *b)
{
	const struct manifest_entry *x =
	    *(const struct manifest_entry *const *)a;
	const struct manifest_entry *y =
	    *(const struct manifest_entry *const *)b;

	return strcmp(x->path, y->path);
}

struct prefix_key {
	const char *s;
	size_t len;
};

/* Orders like strcmp() of the NUL-terminated prefix against the path. */
static int
cmp_prefix(const void *k, const void *b)
{
	const struct prefix_key *key = k;
	const struct manifest_entry *e =
	    *(const struct manifest_entry *const *)b;
	int c = strncmp(key->s, e->path, key->len);

	if (c != 0)
		return c;
	return e->path[key->len] == '\0' ? 0 : -1;
}

static const struct manifest_entry *
index_find(
    const struct manifest_entry **index, size_t n, const char *s, size_t len)
{
	struct prefix_key key = {s, len};
	const struct manifest_entry **hit;

	hit = bsearch(&key, index, n, sizeof *index, cmp_prefix);
	return hit != NULL ? *hit : NULL;
}

/* strcmp(f "/", s) for f of length flen, without building f "/". */
static int
cmp_slash(const char *f, size_t flen, const char *s)
{
	int c = strncmp(f, s, flen);

	if (c != 0)
		return c;
	return (unsigned char)'/' - (unsigned char)s[flen];
}

/* 1 when some path in the sorted index starts with index[k]'s path and
 * '/': such paths sort together, from the first one not below "f/". */
static int
has_below(const struct manifest_entry **index, size_t n, size_t k)
{
	const char *f = index[k]->path;
	size_t flen = strlen(f), lo = k + 1, hi = n;

	/* the paths starting with f sort right after it: usually none */
	if (lo >= n || strncmp(index[lo]->path, f, flen) != 0)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_slash(f, flen, index[mid]->path) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strncmp(index[lo]->path, f, flen) == 0 &&
	    index[lo]->path[flen] == '/';
}

int
manifest_check(const struct manifest *m, const struct manifest_entry ***indexp)
{
	const struct manifest_entry **index = NULL;
	char tbuf[MANIFEST_TIME_LEN];
	size_t i;
	int rc = CAIRN_ERR_FORMAT;

	if (m->version < MANIFEST_VERSION ||
	    m->version > MANIFEST_VERSION_MAX || m->tool == NULL ||
	    !manifest_text_ok(m->tool, strlen(m->tool), MANIFEST_TOOL_MAX) ||
	    (m->case_label != NULL &&
	        !manifest_text_ok(
	            m->case_label, strlen(m->case_label), MANIFEST_CASE_MAX)) ||
	    manifest_time_format(m->sealed_at, tbuf) != 0)
		return CAIRN_ERR_FORMAT;
	if (m->nnotes > MANIFEST_MAX_NOTES ||
	    m->nentries > MANIFEST_MAX_ENTRIES)
		return CAIRN_ERR_LIMIT;
	for (i = 0; i < m->nnotes; i++)
		if (!manifest_note_ok(m->notes[i], strlen(m->notes[i])))
			return CAIRN_ERR_FORMAT;
	for (i = 0; i < m->nentries; i++)
		if ((rc = entry_check(&m->entries[i])) != 0)
			return rc;
	if ((index = cio_calloc(m->nentries + 1, sizeof *index)) == NULL)
		return CAIRN_ERR_NOMEM;
	for (i = 0; i < m->nentries; i++)
		index[i] = &m->entries[i];
	/* a sealed manifest is usually in path order already */
	for (i = 1; i < m->nentries; i++)
		if (strcmp(index[i - 1]->path, index[i]->path) >= 0)
			break;
	if (i < m->nentries)
		qsort(index, m->nentries, sizeof *index, cmp_entry);
	rc = CAIRN_ERR_UNSAFE;
	for (i = 1; i < m->nentries; i++)
		if (strcmp(index[i - 1]->path, index[i]->path) == 0)
			goto out;
	/* No path below a file entry: one search per file, linear in the
	 * manifest's size (searching every '/' of every path was quadratic
	 * in a path's depth). */
	for (i = 0; i < m->nentries; i++)
		if (index[i]->type == MANIFEST_FILE &&
		    has_below(index, m->nentries, i))
			goto out;
	if ((rc = manifest_check_skipped(m, index)) != 0)
		goto out;
	if (indexp != NULL) {
		*indexp = index;
		index = NULL;
	}
out:
	free(index);
	return rc;
}

const struct manifest_entry *
manifest_find(const struct manifest *m, const char *path)
{
	size_t i;

	if (m->index != NULL)
		return index_find(m->index, m->nentries, path, strlen(path));
	for (i = 0; i < m->nentries; i++)
		if (strcmp(m->entries[i].path, path) == 0)
			return &m->entries[i];
	return NULL;
}

void
manifest_archive_id_hex(const struct manifest *m, char out[MANIFEST_ID_HEX_LEN])
{
	digest_hex(m->archive_id, sizeof m->archive_id, out);
}
