/*
 * manifest_impl.h - internals shared by manifest.c (the struct and its
 * rules) and manifest_json.c (JSON encode/decode); not public API.
 */
#ifndef CAIRN_MANIFEST_IMPL_H
#define CAIRN_MANIFEST_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/manifest.h"

/* 1 when s[0..len) is 1..max bytes of "text" as manifest.h defines it:
 * valid UTF-8 without control characters or display traps. */
int manifest_text_ok(const char *s, size_t len, size_t max);
/* 1 when s[0..len) is a "type/subtype" MIME type (see manifest.h). */
int manifest_mime_ok(const char *s, size_t len);
/* Append without checking any rule but the entry limit (copies). */
int manifest_append(struct manifest *m, const char *path, size_t pathlen,
    enum manifest_type type, uint64_t size, uint32_t mode, int64_t mtime,
    const char *mime, size_t mimelen);
/* Append a note without checks (copies). */
int manifest_append_note(struct manifest *m, const char *note, size_t len);
/*
 * Check every rule of a whole manifest: CAIRN_ERR_FORMAT, _UNSAFE (paths),
 * _LIMIT, _NOMEM.  With index non-NULL, *index receives the entries
 * sorted by path (cio_malloc'd) on success.
 */
int manifest_check(
    const struct manifest *m, const struct manifest_entry ***index);

#endif
