/*
 * seal_names.c - what sealing checks about names beyond the path rules:
 * names that differ only in their Unicode normalisation (stored byte for
 * byte, but macOS cannot hold both), and host names shown in errors with
 * the bytes that are not UTF-8 escaped.
 *
 * Knows the plan's manifest and the tar module's NFC form; nothing of the
 * filesystem, age or the terminal.  Never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "seal_impl.h"
#include "tarball.h"

void
seal_escape_name(char *out, size_t cap, const char *s)
{
	size_t o = 0, len = strlen(s), i = 0;

	while (i < len && o + 5 < cap) {
		size_t n = tarball_utf8_len(s + i, len - i);

		if (n == 0) {
			o += (size_t)snprintf(
			    out + o, cap - o, "\\x%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		if (o + n + 1 >= cap)
			break;
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
}

int
seal_name_utf8(const char *s)
{
	size_t len = strlen(s), i = 0;

	while (i < len) {
		size_t n = tarball_utf8_len(s + i, len - i);

		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

int
seal_plan_error_utf8(const struct seal_plan *p)
{
	return p->error_utf8;
}

struct nfc_name {
	char *nfc; /* malloc'd, or NULL: the path is its own NFC form */
	const char *path;
};

static const char *
nfc_of(const struct nfc_name *x)
{
	return x->nfc != NULL ? x->nfc : x->path;
}

static int
cmp_nfc(const void *a, const void *b)
{
	const struct nfc_name *x = a, *y = b;
	int c = strcmp(nfc_of(x), nfc_of(y));

	return c != 0 ? c : strcmp(x->path, y->path);
}

/* Does s hold a byte above 0x7f? */
static int
non_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

int
seal_plan_check_nfc(struct seal_plan *p)
{
	struct nfc_name *v;
	size_t n = p->m->nentries, i;
	int rc = 0;

	if (p->warn == NULL || n < 2)
		return 0;
	if ((v = cio_calloc(n, sizeof(*v))) == NULL)
		return CAIRN_ERR_NOMEM;
	for (i = 0; i < n && rc == 0; i++) {
		v[i].path = p->m->entries[i].path;
		if (non_ascii(v[i].path)) {
			rc = tarball_name_nfc(v[i].path, &v[i].nfc);
			if (rc == CAIRN_ERR_INVAL)
				rc = 0; /* no NFC form known: compare as is */
		}
	}
	if (rc == 0) {
		qsort(v, n, sizeof(*v), cmp_nfc);
		for (i = 1; i < n; i++)
			if (strcmp(nfc_of(&v[i - 1]), nfc_of(&v[i])) == 0)
				p->warn(p->warn_ctx, SEAL_WARN_NFC, v[i].path,
				    v[i - 1].path);
	}
	for (i = 0; i < n; i++)
		free(v[i].nfc);
	free(v);
	return rc;
}
