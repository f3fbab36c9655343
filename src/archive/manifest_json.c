/*
 * manifest_json.c - strict decoding of manifest.json with jansson (schema
 * and rules: manifest.h), and the jansson allocator shared with the
 * encoder (manifest_encode.c).
 *
 * Knows nothing of tar, age, files or the terminal.  The input to
 * manifest_decode() is hostile: it is bounded in size and depth before
 * jansson sees it, duplicate keys are refused, and every field is checked.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/manifest.h"
#include "cairn/meta.h"
#include "manifest_impl.h"
#include "cairn/minisig.h"

/* The deepest nesting the schema needs: root, entries, entry, exif. */
#define MANIFEST_MAX_DEPTH 4

/* The exif object's string fields, in key order (meta.h). */
// clang-format off
#define EXIF_FIELD(name) {#name, offsetof(struct meta_exif, name), sizeof(((struct meta_exif *)0)->name)}
// clang-format on
const struct manifest_exif_field manifest_exif_fields[] = {
    EXIF_FIELD(taken_at),
    EXIF_FIELD(taken_offset),
    EXIF_FIELD(make),
    EXIF_FIELD(model),
    EXIF_FIELD(gps_latitude),
    EXIF_FIELD(gps_longitude),
    EXIF_FIELD(gps_time),
};
const size_t manifest_exif_nfields =
    sizeof manifest_exif_fields / sizeof manifest_exif_fields[0];

/* Set by manifest_json_malloc() when an allocation failed: jansson
 * reports some allocation failures while parsing as syntax errors, which
 * must not pass for a malformed file.  The library installs no allocator
 * (that would be process-wide state): the program does (see manifest.h). */
int manifest_jansson_oom;

/* After one failure every later allocation fails too, until the next
 * parse or encode starts: jansson 2.14 ignores a failure to grow its
 * lexer buffer and, if a later one succeeds, scans the string it lost
 * bytes of past its end (an assert or a crash; found by faults.bats). */
void *
manifest_json_malloc(size_t n)
{
	void *p = manifest_jansson_oom ? NULL : cio_malloc(n);

	if (p == NULL)
		manifest_jansson_oom = 1;
	return p;
}

void
manifest_jansson_reset(void)
{
	manifest_jansson_oom = 0;
}

/* ---- decoding ------------------------------------------------------------ */

/* The string value of key in o: 0, or CAIRN_ERR_FORMAT when missing or
 * not a string (or, with nullable, null: then *s = NULL). */
static int
get_str(
    const json_t *o, const char *key, int nullable, const char **s, size_t *len)
{
	const json_t *v = json_object_get(o, key);

	*s = NULL;
	*len = 0;
	if (nullable && json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return CAIRN_ERR_FORMAT;
	*s = json_string_value(v);
	*len = json_string_length(v);
	return strlen(*s) == *len ? 0 : CAIRN_ERR_FORMAT;
}

/* The "exif" object of a version 2 file entry (exactly the documented
 * keys), attached to the entry just appended. */
static int
decode_exif(struct manifest *m, const json_t *v)
{
	struct meta_exif x;
	const char *s;
	size_t len;
	int rc;

	memset(&x, 0, sizeof x);
	if (!json_is_object(v) || json_object_size(v) != MANIFEST_EXIF_KEYS ||
	    get_str(v, "status", 0, &s, &len) != 0)
		return CAIRN_ERR_FORMAT;
	if (strcmp(s, "ok") == 0)
		x.status = META_EXIF_OK;
	else if (strcmp(s, "damaged") == 0)
		x.status = META_EXIF_DAMAGED;
	else
		return CAIRN_ERR_FORMAT;
	for (size_t i = 0; i < manifest_exif_nfields; i++) {
		if (get_str(v, manifest_exif_fields[i].key, 1, &s, &len) != 0 ||
		    (s != NULL &&
		        (len == 0 || len >= manifest_exif_fields[i].cap)))
			return CAIRN_ERR_FORMAT;
		if (s != NULL)
			memcpy((char *)&x + manifest_exif_fields[i].off, s,
			    len + 1);
	}
	rc = manifest_set_exif(m, &x);
	return rc == CAIRN_ERR_INVAL ? CAIRN_ERR_FORMAT : rc;
}

/* Check an entry's mode and mtime and append it (both readers). */
static int
append_fields(struct manifest *m, const struct manifest_fields *f)
{
	const char *mode = f->s[MF_MODE];
	int64_t t;

	if (f->len[MF_MODE] != 4 || mode[0] != '0' || mode[1] < '0' ||
	    mode[1] > '7' || mode[2] < '0' || mode[2] > '7' || mode[3] < '0' ||
	    mode[3] > '7' ||
	    manifest_time_parse(f->s[MF_MTIME], f->len[MF_MTIME], &t) != 0)
		return CAIRN_ERR_FORMAT;
	return manifest_append(m, f->s[MF_PATH], f->len[MF_PATH],
	    f->is_file ? MANIFEST_FILE : MANIFEST_DIR, f->size,
	    (uint32_t)((mode[1] - '0') << 6 | (mode[2] - '0') << 3 |
	        (mode[3] - '0')),
	    t, f->s[MF_MIME], f->len[MF_MIME]);
}

static int
decode_entry(struct manifest *m, const json_t *o)
{
	struct manifest_fields f;
	const char *type;
	const json_t *size, *exif = NULL;
	json_int_t sz = 0;
	int rc;

	memset(&f, 0, sizeof f);
	if (!json_is_object(o) ||
	    get_str(o, "type", 0, &type, &f.len[MF_TYPE]) != 0 ||
	    get_str(o, "path", 0, &f.s[MF_PATH], &f.len[MF_PATH]) != 0 ||
	    get_str(o, "mode", 0, &f.s[MF_MODE], &f.len[MF_MODE]) != 0 ||
	    get_str(o, "mtime", 0, &f.s[MF_MTIME], &f.len[MF_MTIME]) != 0)
		return CAIRN_ERR_FORMAT;
	if (strcmp(type, "file") == 0) {
		f.is_file = 1;
		size = json_object_get(o, "size");
		/* version 2: "exif" may be present */
		if (m->version >= 2)
			exif = json_object_get(o, "exif");
		if (json_object_size(o) !=
		        MANIFEST_FILE_KEYS + (size_t)(exif != NULL) ||
		    !json_is_integer(size) ||
		    (sz = json_integer_value(size)) < 0 ||
		    get_str(o, "mime", 0, &f.s[MF_MIME], &f.len[MF_MIME]) != 0)
			return CAIRN_ERR_FORMAT;
		f.size = (uint64_t)sz;
	} else if (strcmp(type, "dir") == 0) {
		if (json_object_size(o) != MANIFEST_DIR_KEYS)
			return CAIRN_ERR_FORMAT;
	} else
		return CAIRN_ERR_FORMAT;
	rc = append_fields(m, &f);
	return rc != 0 || exif == NULL ? rc : decode_exif(m, exif);
}

/* The optional "skipped" array of a version 2 manifest. */
static int
decode_skipped(struct manifest *m, const json_t *a)
{
	const char *path, *reason;
	size_t i, plen, rlen;
	const json_t *v;
	int rc;

	if (!json_is_array(a))
		return CAIRN_ERR_FORMAT;
	if (json_array_size(a) > MANIFEST_MAX_SKIPPED)
		return CAIRN_ERR_LIMIT;
	json_array_foreach(a, i, v)
	{
		if (!json_is_object(v) || json_object_size(v) != 2 ||
		    get_str(v, "path", 0, &path, &plen) != 0 ||
		    get_str(v, "reason", 0, &reason, &rlen) != 0)
			return CAIRN_ERR_FORMAT;
		if ((rc = manifest_append_skipped(
		         m, path, plen, reason, rlen)) != 0)
			return rc;
	}
	return 0;
}

static int
decode_root(struct manifest *m, const json_t *root)
{
	const char *s, *kid;
	size_t len, kidlen, i;
	const json_t *notes, *entries, *v;
	char want[MINISIG_KEY_ID_HEX_LEN];
	int rc;

	const json_t *skipped = json_object_get(root, "skipped");

	/* version 1: exactly the 10 keys; version 2 may add "skipped" */
	if (json_object_size(root) !=
	    MANIFEST_TOP_KEYS + (size_t)(m->version >= 2 && skipped != NULL))
		return CAIRN_ERR_FORMAT;
	if (skipped != NULL && (rc = decode_skipped(m, skipped)) != 0)
		return rc;
	if (get_str(root, "archive_id", 0, &s, &len) != 0 ||
	    digest_hex_decode(s, len, m->archive_id, MANIFEST_ID_LEN, 0) != 0 ||
	    get_str(root, "sealed_at", 0, &s, &len) != 0 ||
	    manifest_time_parse(s, len, &m->sealed_at) != 0 ||
	    get_str(root, "tool", 0, &s, &len) != 0)
		return CAIRN_ERR_FORMAT;
	if ((m->tool = cio_malloc(len + 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(m->tool, s, len + 1);
	/* signer and signer_key_id: both null, or a key and its id. */
	if (get_str(root, "signer", 1, &s, &len) != 0 ||
	    get_str(root, "signer_key_id", 1, &kid, &kidlen) != 0 ||
	    (s == NULL) != (kid == NULL))
		return CAIRN_ERR_FORMAT;
	if (s != NULL) {
		if (len != MINISIG_PUBLIC_B64_LEN - 1 ||
		    minisig_public_decode(s, len, &m->signer) != 0)
			return CAIRN_ERR_FORMAT;
		minisig_key_id_hex(m->signer.key_id, want);
		if (kidlen != MINISIG_KEY_ID_HEX_LEN - 1 ||
		    memcmp(kid, want, kidlen) != 0)
			return CAIRN_ERR_FORMAT;
		m->has_signer = 1;
	}
	if (get_str(root, "case", 1, &s, &len) != 0)
		return CAIRN_ERR_FORMAT;
	if (s != NULL) {
		if ((m->case_label = cio_malloc(len + 1)) == NULL)
			return CAIRN_ERR_NOMEM;
		memcpy(m->case_label, s, len + 1);
	}
	notes = json_object_get(root, "notes");
	entries = json_object_get(root, "entries");
	if (!json_is_array(notes) || !json_is_array(entries))
		return CAIRN_ERR_FORMAT;
	if (json_array_size(notes) > MANIFEST_MAX_NOTES ||
	    json_array_size(entries) > MANIFEST_MAX_ENTRIES)
		return CAIRN_ERR_LIMIT;
	json_array_foreach(notes, i, v)
	{
		if (!json_is_string(v) ||
		    (m->version < 2 &&
		        strpbrk(json_string_value(v), "\t\n") != NULL))
			return CAIRN_ERR_FORMAT; /* version 1: no tab, no LF */
		if ((rc = manifest_append_note(
		         m, json_string_value(v), json_string_length(v))) != 0)
			return rc;
	}
	json_array_foreach(entries, i, v)
	{
		if ((rc = decode_entry(m, v)) != 0)
			return rc;
	}
	return 0;
}

/* The next element at *pos when it is a plain entry (manifest_plain.c)
 * followed by the ',' or ']' that ends it: 1 with it appended (*rc) and
 * *pos past it, as manifest_span_next() would have moved it. */
static int
next_plain(struct manifest *m, const char *json, const struct manifest_span *sp,
    size_t *pos, int *rc)
{
	size_t last = sp->end - 1, n;
	struct manifest_fields f;

	if (*pos == 0 || *pos >= last ||
	    (n = manifest_entry_plain(json + *pos, last - *pos, &f)) == 0 ||
	    (*pos + n != last && json[*pos + n] != ','))
		return 0;
	*pos += n + 1;
	*rc = append_fields(m, &f);
	return 1;
}

/* Parse and append each element of the entries array at sp, one at a
 * time, so that no tree of all entries is ever built.  Entries in the
 * plain form are read without jansson; jansson decides on the rest. */
static int
decode_entries(
    struct manifest *m, const char *json, const struct manifest_span *sp)
{
	size_t pos = 0, a, b, n = 0;
	struct manifest_fields f;
	json_error_t err;
	json_t *v;
	int rc;

	for (;;) {
		if (++n <= MANIFEST_MAX_ENTRIES &&
		    next_plain(m, json, sp, &pos, &rc)) {
			if (rc != 0)
				return rc;
			continue;
		}
		if (manifest_span_next(json, sp, &pos, &a, &b) != 1)
			break;
		if (n > MANIFEST_MAX_ENTRIES)
			return CAIRN_ERR_LIMIT;
		if (manifest_entry_plain(json + a, b - a, &f) == b - a) {
			if ((rc = append_fields(m, &f)) != 0)
				return rc;
			continue;
		}
		v = json_loadb(json + a, b - a, JSON_REJECT_DUPLICATES, &err);
		if (v == NULL)
			return manifest_jansson_oom ||
			        json_error_code(&err) ==
			            json_error_out_of_memory
			    ? CAIRN_ERR_NOMEM
			    : CAIRN_ERR_FORMAT;
		rc =
		    manifest_jansson_oom ? CAIRN_ERR_NOMEM : decode_entry(m, v);
		json_decref(v);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The root object, parsed without the entries array's elements (the
 * array is left empty: decode_entries() reads them). */
static json_t *
load_root(const char *json, size_t len, const struct manifest_span *sp,
    json_error_t *err)
{
	size_t rlen;
	char *copy;
	json_t *root;

	if (sp->end == 0)
		return json_loadb(json, len, JSON_REJECT_DUPLICATES, err);
	rlen = len - (sp->end - sp->start) + 2;
	if ((copy = cio_malloc(rlen)) == NULL) {
		manifest_jansson_oom = 1;
		return NULL;
	}
	memcpy(copy, json, sp->start);
	memcpy(copy + sp->start, "[]", 2);
	memcpy(copy + sp->start + 2, json + sp->end, len - sp->end);
	root = json_loadb(copy, rlen, JSON_REJECT_DUPLICATES, err);
	free(copy);
	return root;
}

int
manifest_decode(const char *json, size_t len, struct manifest **out)
{
	struct manifest *m = NULL;
	json_t *root = NULL, *v;
	struct manifest_span sp;
	json_error_t err;
	int rc = CAIRN_ERR_FORMAT, shape;

	*out = NULL;
	manifest_jansson_reset();
	if (len > MANIFEST_MAX_LEN)
		return CAIRN_ERR_LIMIT;
	if ((shape = manifest_scan(json, len, MANIFEST_MAX_DEPTH, &sp)) != 0)
		return shape;
	root = load_root(json, len, &sp, &err);
	if (root == NULL)
		return manifest_jansson_oom ||
		        json_error_code(&err) == json_error_out_of_memory
		    ? CAIRN_ERR_NOMEM
		    : CAIRN_ERR_FORMAT;
	if (manifest_jansson_oom) {
		/* a tree built despite a failed allocation may lack parts */
		rc = CAIRN_ERR_NOMEM;
		goto out;
	}
	if (!json_is_object(root))
		goto out;
	/* format and version first, so a newer version is "unsupported"
	 * rather than "malformed". */
	v = json_object_get(root, "format");
	if (!json_is_string(v) ||
	    strcmp(json_string_value(v), MANIFEST_FORMAT) != 0 ||
	    json_string_length(v) != sizeof MANIFEST_FORMAT - 1)
		goto out;
	v = json_object_get(root, "version");
	if (!json_is_integer(v))
		goto out;
	rc = CAIRN_ERR_UNSUPPORTED;
	if (json_integer_value(v) < MANIFEST_VERSION ||
	    json_integer_value(v) > MANIFEST_VERSION_MAX)
		goto out;
	rc = CAIRN_ERR_NOMEM;
	if ((m = cio_calloc(1, sizeof *m)) == NULL)
		goto out;
	m->version = (int)json_integer_value(v);
	if ((rc = decode_root(m, root)) != 0 ||
	    (sp.end != 0 && (rc = decode_entries(m, json, &sp)) != 0))
		goto out;
	if ((rc = manifest_check(m, &m->index)) != 0)
		goto out;
	*out = m;
	m = NULL;
out:
	manifest_free(m);
	json_decref(root);
	return rc;
}
