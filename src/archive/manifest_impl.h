/*
 * manifest_impl.h - internals shared by manifest.c (the struct and its
 * rules) and manifest_json.c (JSON encode/decode); not public API.
 */
#ifndef CAIRN_MANIFEST_IMPL_H
#define CAIRN_MANIFEST_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/manifest.h"

/* Keys of the root object, of a file entry (without the optional
 * "exif"), of a directory entry and of an exif object. */
#define MANIFEST_TOP_KEYS  10
#define MANIFEST_FILE_KEYS 6
#define MANIFEST_DIR_KEYS  4
#define MANIFEST_EXIF_KEYS 8

/* 1 when s[0..len) is 1..max bytes of "text" as manifest.h defines it:
 * valid UTF-8 without control characters or display traps. */
int manifest_text_ok(const char *s, size_t len, size_t max);
/* 1 when s[0..len) is a note: text, but tab and line feed allowed
 * (version 2). */
int manifest_note_ok(const char *s, size_t len);
/* 1 when m needs version 2: something skipped, or a note with a tab or
 * line feed. */
int manifest_needs_v2(const struct manifest *m);
/* 1 when manifest_time_format() can write t (years 1 to 9999). */
int manifest_time_in_range(int64_t t);
/* 1 when s[0..len) is a "type/subtype" MIME type (see manifest.h). */
int manifest_mime_ok(const char *s, size_t len);
/* Append without checking any rule but the entry limit (copies). */
int manifest_append(struct manifest *m, const char *path, size_t pathlen,
    enum manifest_type type, uint64_t size, uint32_t mode, int64_t mtime,
    const char *mime, size_t mimelen);
/* manifest_set_exif() for entry i rather than the last one. */
int manifest_set_exif_at(
    struct manifest *m, size_t i, const struct meta_exif *x);
/* A NUL-terminated cio_malloc'd copy of s[0..len), or NULL. */
char *manifest_dupn(const char *s, size_t len);
/* Append a skipped path without checks (copies). */
int manifest_append_skipped(struct manifest *m, const char *path,
    size_t pathlen, const char *reason, size_t reasonlen);
/* Remove entry i (it was not sealed after all), keeping the others'
 * order. */
void manifest_drop_entry(struct manifest *m, size_t i);
/* Free the skipped list (manifest_free() calls it). */
void manifest_skipped_free(struct manifest *m);
/* The rules of the skipped list (manifest.h), given the entries sorted
 * by path: 0, CAIRN_ERR_UNSAFE, _FORMAT, _LIMIT or _NOMEM. */
int manifest_check_skipped(
    const struct manifest *m, const struct manifest_entry *const *index);
/* Append a note without checks (copies). */
int manifest_append_note(struct manifest *m, const char *note, size_t len);
/*
 * Check every rule of a whole manifest: CAIRN_ERR_FORMAT, _UNSAFE (paths),
 * _LIMIT, _NOMEM.  With index non-NULL, *index receives the entries
 * sorted by path (cio_malloc'd) on success.
 */
int manifest_check(
    const struct manifest *m, const struct manifest_entry ***index);

/*
 * manifest_scan.c.  manifest_scan() checks JSON text in one pass before
 * it is parsed: CAIRN_ERR_FORMAT when an array/object nests deeper than
 * max_depth or the root has a key written with an escape or a second
 * "entries", CAIRN_ERR_LIMIT when it holds more objects or values than a
 * manifest within the documented limits can (so parsing takes bounded
 * memory).  *entries receives the bytes [start, end) of the top-level
 * "entries" array ('[' to ']'; end 0 when there is none).  Only needs to
 * be right for valid JSON: the parser rejects the rest.
 * manifest_span_next() yields the elements of that array one by one:
 * 1 with [*a, *b) the text of the next one (separators excluded; what
 * lies between is left to the parser), 0 after the last; *pos starts at
 * 0.
 */
struct manifest_span {
	size_t start, end;
};
int manifest_scan(
    const char *s, size_t len, int max_depth, struct manifest_span *entries);
int manifest_span_next(const char *s, const struct manifest_span *sp,
    size_t *pos, size_t *a, size_t *b);

/*
 * manifest_plain.c.  The fields of one entry object, pointing into the
 * text (not NUL-terminated; s[MF_SIZE] unused, the number is in size;
 * s[MF_MIME] NULL for a directory).
 */
enum { MF_PATH, MF_TYPE, MF_SIZE, MF_MODE, MF_MTIME, MF_MIME, MF_N };
struct manifest_fields {
	const char *s[MF_N];
	size_t len[MF_N];
	uint64_t size;
	int is_file;
};
/*
 * When s[0..len) starts with an entry in the plain form cairn writes
 * (the documented keys of a file or directory entry, once each;
 * printable ASCII strings without escapes; size a decimal integer below
 * 10^18), followed by optional whitespace: the number of bytes those
 * take, with *f filled.  0 for anything else: jansson must then decide.
 * Never reads outside s[0..len).
 */
size_t manifest_entry_plain(
    const char *s, size_t len, struct manifest_fields *f);

/*
 * manifest_json.c, shared with manifest_encode.c: the exif object's
 * string fields in key order, and the jansson allocation state: set by
 * manifest_json_malloc() when an allocation failed, cleared by
 * manifest_jansson_reset() as each parse or encode starts.
 */
struct manifest_exif_field {
	const char *key;
	size_t off, cap;
};
extern const struct manifest_exif_field manifest_exif_fields[];
extern const size_t manifest_exif_nfields;
extern int manifest_jansson_oom;
void manifest_jansson_reset(void);

#endif
