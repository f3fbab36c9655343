/*
 * sums.c - SHA256SUMS text: build, strict parse, lookup, and the check
 * that it lists exactly manifest.json and the manifest's files (see
 * sums.h).
 *
 * Knows nothing of tar, age, files or signatures.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/manifest.h"
#include "sums.h"

#define HEXLEN (2 * DIGEST_SHA256_LEN)

static int
append(struct sums *s, const char *path, size_t len,
    const uint8_t sha256[DIGEST_SHA256_LEN])
{
	struct sums_entry *e;

	if (s->n >= SUMS_MAX_LINES)
		return CAIRN_ERR_LIMIT;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;

		if ((e = cio_realloc(s->v, cap * sizeof *e)) == NULL)
			return CAIRN_ERR_NOMEM;
		s->v = e;
		s->cap = cap;
	}
	free(s->index); /* entries may have moved */
	s->index = NULL;
	e = &s->v[s->n];
	if ((e->path = cio_malloc(len + 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(e->path, path, len);
	e->path[len] = '\0';
	memcpy(e->sha256, sha256, DIGEST_SHA256_LEN);
	s->n++;
	return 0;
}

int
sums_add(
    struct sums *s, const char *path, const uint8_t sha256[DIGEST_SHA256_LEN])
{
	size_t len = strlen(path);

	if (manifest_path_check(path, len) != 0)
		return CAIRN_ERR_INVAL;
	return append(s, path, len, sha256);
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct sums_entry *x = *(const struct sums_entry *const *)a;
	const struct sums_entry *y = *(const struct sums_entry *const *)b;

	return strcmp(x->path, y->path);
}

/* Sorted index; CAIRN_ERR_UNSAFE on a repeated path. */
static int
build_index(const struct sums *s, const struct sums_entry ***out)
{
	const struct sums_entry **index;
	size_t i;

	*out = NULL;
	if ((index = cio_calloc(s->n + 1, sizeof *index)) == NULL)
		return CAIRN_ERR_NOMEM;
	for (i = 0; i < s->n; i++)
		index[i] = &s->v[i];
	qsort(index, s->n, sizeof *index, cmp_entry);
	for (i = 1; i < s->n; i++) {
		if (strcmp(index[i - 1]->path, index[i]->path) == 0) {
			free(index);
			return CAIRN_ERR_UNSAFE;
		}
	}
	*out = index;
	return 0;
}

int
sums_encode(const struct sums *s, char **out, size_t *outlen)
{
	const struct sums_entry **index;
	size_t i, total = 0, off = 0;
	char *text;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (s->n == 0)
		return CAIRN_ERR_INVAL;
	if ((rc = build_index(s, &index)) != 0)
		return rc == CAIRN_ERR_UNSAFE ? CAIRN_ERR_INVAL : rc;
	free(index);
	for (i = 0; i < s->n; i++)
		total += HEXLEN + 2 + strlen(s->v[i].path) + 1;
	if ((text = cio_malloc(total + 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	for (i = 0; i < s->n; i++) {
		size_t plen = strlen(s->v[i].path);

		digest_hex(s->v[i].sha256, DIGEST_SHA256_LEN, text + off);
		off += HEXLEN;
		text[off++] = ' ';
		text[off++] = ' ';
		memcpy(text + off, s->v[i].path, plen);
		off += plen;
		text[off++] = '\n';
	}
	text[off] = '\0';
	*out = text;
	*outlen = off;
	return 0;
}

int
sums_decode(const char *text, size_t len, struct sums *out)
{
	uint8_t md[DIGEST_SHA256_LEN];
	size_t off = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (len > SUMS_MAX_LEN)
		return CAIRN_ERR_LIMIT;
	if (len == 0 || text[len - 1] != '\n')
		return CAIRN_ERR_FORMAT;
	while (off < len) {
		const char *line = text + off, *nl;
		size_t ll;

		nl = memchr(line, '\n', len - off);
		ll = (size_t)(nl - line);
		off += ll + 1;
		if (ll < HEXLEN + 3 || line[HEXLEN] != ' ' ||
		    line[HEXLEN + 1] != ' ' ||
		    digest_hex_decode(line, HEXLEN, md, sizeof md, 0) != 0)
			return CAIRN_ERR_FORMAT;
		if (memchr(line, '\r', ll) != NULL)
			return CAIRN_ERR_FORMAT;
		if (manifest_path_check(line + HEXLEN + 2, ll - HEXLEN - 2) !=
		    0)
			return CAIRN_ERR_UNSAFE;
		if ((rc = append(
		         out, line + HEXLEN + 2, ll - HEXLEN - 2, md)) != 0)
			return rc;
	}
	return build_index(out, &out->index);
}

const struct sums_entry *
sums_find(const struct sums *s, const char *path)
{
	struct sums_entry key = {(char *)path, {0}};
	const struct sums_entry *kp = &key, **hit;
	size_t i;

	if (s->index != NULL) {
		hit = bsearch(&kp, s->index, s->n, sizeof *s->index, cmp_entry);
		return hit != NULL ? *hit : NULL;
	}
	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].path, path) == 0)
			return &s->v[i];
	return NULL;
}

int
sums_match_manifest(const struct sums *s, const struct manifest *m)
{
	size_t i, k = 1;

	if (s->n == 0 || strcmp(s->v[0].path, MANIFEST_NAME) != 0)
		return CAIRN_ERR_INTEGRITY;
	for (i = 0; i < m->nentries; i++) {
		if (m->entries[i].type != MANIFEST_FILE)
			continue;
		if (k >= s->n || strcmp(s->v[k].path, m->entries[i].path) != 0)
			return CAIRN_ERR_INTEGRITY;
		k++;
	}
	return k == s->n ? 0 : CAIRN_ERR_INTEGRITY;
}

void
sums_free(struct sums *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	free(s->index);
	memset(s, 0, sizeof *s);
}
