/*
 * manifest_encode.c - manifest.json encoding (schema: manifest.h): the
 * root object through jansson, each entry dumped on its own into one
 * growing text, so no tree of the whole manifest is ever held.
 *
 * Knows nothing of tar, age, files or the terminal.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/manifest.h"
#include "cairn/meta.h"
#include "manifest_impl.h"

static json_t *
jstr(const char *s)
{
	return s != NULL ? json_stringn(s, strlen(s)) : json_null();
}

static json_t *
jtime(int64_t t)
{
	char buf[MANIFEST_TIME_LEN];

	if (manifest_time_format(t, buf) != 0)
		return NULL;
	return json_string(buf);
}

static json_t *
exif_json(const struct meta_exif *x)
{
	json_t *o;
	int bad = 0;

	if ((o = json_object()) == NULL)
		return NULL;
	bad |= json_object_set_new(o, "status",
	    json_string(x->status == META_EXIF_OK ? "ok" : "damaged"));
	for (size_t i = 0; i < manifest_exif_nfields; i++) {
		const char *v = (const char *)x + manifest_exif_fields[i].off;

		bad |= json_object_set_new(o, manifest_exif_fields[i].key,
		    jstr(v[0] != '\0' ? v : NULL));
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
entry_json(const struct manifest_entry *e)
{
	json_t *o = json_object();
	char mode[8];
	int bad = 0;

	if (o == NULL)
		return NULL;
	snprintf(mode, sizeof mode, "%04o", (unsigned)e->mode);
	bad |= json_object_set_new(o, "path", jstr(e->path));
	bad |= json_object_set_new(
	    o, "type", json_string(e->type == MANIFEST_FILE ? "file" : "dir"));
	if (e->type == MANIFEST_FILE)
		bad |= json_object_set_new(
		    o, "size", json_integer((json_int_t)e->size));
	bad |= json_object_set_new(o, "mode", json_string(mode));
	bad |= json_object_set_new(o, "mtime", jtime(e->mtime));
	if (e->type == MANIFEST_FILE)
		bad |= json_object_set_new(o, "mime", jstr(e->mime));
	if (e->exif != NULL)
		bad |= json_object_set_new(o, "exif", exif_json(e->exif));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* 1 when a file entry records EXIF (the manifest is then version 2). */
static int
has_exif(const struct manifest *m)
{
	for (size_t i = 0; i < m->nentries; i++)
		if (m->entries[i].exif != NULL)
			return 1;
	return 0;
}

/* The "skipped" array, or NULL. */
static json_t *
skipped_json(const struct manifest *m)
{
	json_t *a = json_array(), *o;
	int bad = a == NULL;

	for (size_t i = 0; !bad && i < m->nskipped; i++) {
		if ((o = json_object()) == NULL) {
			bad = 1;
			break;
		}
		bad |= json_object_set_new(o, "path", jstr(m->skipped[i].path));
		bad |= json_object_set_new(
		    o, "reason", jstr(m->skipped[i].reason));
		bad |= json_array_append_new(a, o);
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* A growing text buffer; err set by the first failed allocation. */
struct jtext {
	char *s;
	size_t len, cap;
	int err;
};

static void
jtext_add(struct jtext *t, const char *s, size_t n)
{
	if (t->err)
		return;
	if (t->cap - t->len < n + 1) {
		size_t cap = t->cap ? t->cap : 4096;
		char *ns;

		while (cap - t->len < n + 1)
			cap *= 2;
		if ((ns = cio_realloc(t->s, cap)) == NULL) {
			t->err = 1;
			return;
		}
		t->s = ns;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/* json_dumps() of v as the manifest writes it (dump jansson's). */
static char *
jdump(const json_t *v)
{
	char *d = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	/* jansson 2.14's dump ignores a failed append of an object key and
	 * goes on without it: check for any failed allocation too. */
	if (d != NULL && manifest_jansson_oom) {
		free(d);
		d = NULL;
	}
	return d;
}

/*
 * The "entries" array as json_dumps() of the whole root would write it
 * (an element of the root's array is two levels deep: four more spaces
 * on every line; JSON strings hold no raw line feed), one entry's
 * jansson object at a time, so that no tree of all entries is ever
 * built (at 100,000 entries it was 1.2 KiB per entry, the largest part
 * of a seal's memory).
 */
static void
entries_text(const struct manifest *m, struct jtext *t)
{
	for (size_t i = 0; i < m->nentries && !t->err; i++) {
		json_t *o = entry_json(&m->entries[i]);
		char *d = o != NULL ? jdump(o) : NULL, *p, *nl;

		json_decref(o);
		if (d == NULL) {
			t->err = 1;
			break;
		}
		jtext_add(t, i == 0 ? "[\n    " : ",\n    ", 6);
		for (p = d; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
			jtext_add(t, p, (size_t)(nl - p));
			jtext_add(t, "\n    ", 5);
		}
		jtext_add(t, p, strlen(p));
		free(d);
	}
	jtext_add(t, "\n  ]", 4);
}

/* The root object, with "entries" written as [] (filled in later). */
static json_t *
root_json(const struct manifest *m)
{
	char idhex[MANIFEST_ID_HEX_LEN], b64[MINISIG_PUBLIC_B64_LEN];
	char kid[MINISIG_KEY_ID_HEX_LEN];
	json_t *root, *notes;
	int bad = 0;

	if ((root = json_object()) == NULL)
		return NULL;
	manifest_archive_id_hex(m, idhex);
	if (m->has_signer) {
		minisig_public_base64(&m->signer, b64);
		minisig_key_id_hex(m->signer.key_id, kid);
	}
	bad |=
	    json_object_set_new(root, "format", json_string(MANIFEST_FORMAT));
	bad |= json_object_set_new(root, "version",
	    json_integer(
	        manifest_needs_v2(m) || has_exif(m) ? 2 : MANIFEST_VERSION));
	bad |= json_object_set_new(root, "archive_id", json_string(idhex));
	bad |= json_object_set_new(root, "sealed_at", jtime(m->sealed_at));
	bad |= json_object_set_new(root, "tool", jstr(m->tool));
	bad |= json_object_set_new(
	    root, "signer", jstr(m->has_signer ? b64 : NULL));
	bad |= json_object_set_new(
	    root, "signer_key_id", jstr(m->has_signer ? kid : NULL));
	bad |= json_object_set_new(root, "case", jstr(m->case_label));
	bad |= (notes = json_array()) == NULL;
	for (size_t i = 0; !bad && i < m->nnotes; i++)
		bad |= json_array_append_new(notes, jstr(m->notes[i]));
	bad |= json_object_set_new(root, "notes", notes);
	bad |= json_object_set_new(root, "entries", json_array());
	if (m->nskipped > 0)
		bad |= json_object_set_new(root, "skipped", skipped_json(m));
	if (bad) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int
manifest_encode(const struct manifest *m, char **json, size_t *len)
{
	static const char key[] = "\n  \"entries\": []";
	struct jtext t = {NULL, 0, 0, 0};
	json_t *root = NULL;
	char *dump = NULL, *at;
	int rc;

	*json = NULL;
	*len = 0;
	manifest_jansson_reset();
	if ((rc = manifest_check(m, NULL)) != 0)
		return rc == CAIRN_ERR_FORMAT || rc == CAIRN_ERR_UNSAFE
		    ? CAIRN_ERR_INVAL
		    : rc;
	rc = CAIRN_ERR_NOMEM;
	if ((root = root_json(m)) == NULL || (dump = jdump(root)) == NULL)
		goto out;
	json_decref(root);
	root = NULL;
	/* the only such line: any '"' inside a string value is escaped */
	if ((at = strstr(dump, key)) == NULL) {
		rc = CAIRN_ERR_INVAL;
		goto out;
	}
	at += sizeof key - 3; /* at the "[]" */
	jtext_add(&t, dump, (size_t)(at - dump));
	if (m->nentries > 0)
		entries_text(m, &t);
	else
		jtext_add(&t, "[]", 2);
	jtext_add(&t, at + 2, strlen(at + 2));
	jtext_add(&t, "\n", 1);
	if (t.err)
		goto out;
	*json = t.s;
	*len = t.len;
	t.s = NULL;
	rc = 0;
out:
	free(t.s);
	free(dump);
	json_decref(root);
	return rc;
}
