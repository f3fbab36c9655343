/*
 * manifest.h - the archive manifest (manifest.json, the first member of
 * a sealed cairn archive): building it, encoding it as JSON and parsing
 * it strictly, since it comes from an archive that may be hostile.
 *
 * Knows nothing of tar, age, files or the terminal: it turns a struct
 * into text and back, and checks the rules below.  SHA-256 digests are
 * not here (they are in SHA256SUMS, written after the data; see sums.h).
 *
 * ---- manifest.json, version 1 (this comment is the normative schema;
 * docs/format.md is written from it) ----
 *
 * A UTF-8 JSON object, pretty-printed with 2-space indentation and keys
 * in the order below, ending with a newline.  Readers do not depend on
 * the layout, but every rule here is enforced when reading:
 *
 *   {
 *     "format": "cairn-archive",         exactly this string
 *     "version": 1,                      integer; other integers are
 *                                        refused as unsupported
 *     "archive_id": "<32 hex>",          16 random bytes, lower-case hex
 *     "sealed_at": "<time>",             when sealing began (see time)
 *     "tool": "cairn 0.1.0",             1..64 bytes of text
 *     "signer": "<base64>" | null,       the minisign public key line
 *                                        (56 chars, "Ed" key) that signed
 *                                        SHA256SUMS; null when unsigned
 *     "signer_key_id": "<16 HEX>" | null, that key's id as minisign
 *                                        prints it (upper-case hex);
 *                                        null exactly when signer is, and
 *                                        must match signer's key id
 *     "case": "<text>" | null,           case label, 1..256 bytes of text
 *     "notes": ["<text>", ...],          0..256 notes, each 1..4096 bytes
 *                                        of text (version 2: tab and
 *                                        line feed allowed too)
 *     "entries": [ <entry>, ... ],       0..MANIFEST_MAX_ENTRIES, in the
 *                                        order the members follow in the
 *                                        tar
 *     "skipped": [ <skipped>, ... ]      version 2 only, and optional
 *                                        there: 0..MANIFEST_MAX_SKIPPED
 *   }
 *   file entry:  {"path": <path>, "type": "file", "size": <integer>,
 *                 "mode": "<mode>", "mtime": "<time>", "mime": "<mime>",
 *                 "exif": <exif>}        "exif": version 2 only, and
 *                                        optional there: present exactly
 *                                        when the file is a JPEG with an
 *                                        EXIF block
 *   dir entry:   {"path": <path>, "type": "dir", "mode": "<mode>",
 *                 "mtime": "<time>"}
 *   exif:        {"status": "ok" | "damaged",
 *                 "taken_at": ..., "taken_offset": ..., "make": ...,
 *                 "model": ..., "gps_latitude": ..., "gps_longitude": ...,
 *                 "gps_time": ...}       every key required; each value
 *                                        a string of the form meta.h
 *                                        gives, or null
 *
 *   skipped:     {"path": <path>, "reason": "<text>"}: a file or
 *                directory that was to be sealed but is not in the
 *                archive (seal --skip-unreadable: it could not be read,
 *                or changed while being read); reason is 1..256 bytes of
 *                text.  Its path obeys the path rules, is unique among
 *                the skipped and is no entry's path.
 *
 *   Every key listed is required (but "skipped" and "exif"), and no other
 *   key is allowed (at the top level, in entries or in exif objects); a
 *   new field means a new version.  Version 2 is version 1 plus the
 *   optional "skipped" and "exif" keys, and notes that may hold tabs and
 *   line feeds; writers write version 1 whenever nothing was skipped, no
 *   file has EXIF and no note has a tab or line feed, so that older
 *   readers read those manifests.  No JSON value nests deeper than the exif objects
 *   (depth 4).
 *   size:  JSON integer, 0 .. 2^63-1 (no fraction, exponent or sign).
 *   mode:  "0" followed by three octal digits (permission bits only).
 *   time:  RFC 3339 UTC to the second, exactly "YYYY-MM-DDTHH:MM:SSZ",
 *          years 0001..9999, a real calendar date, no leap second.
 *   mime:  "type/subtype" as libmagic's MIME type output, RFC 6838
 *          restricted names: [A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}
 *          on each side of the "/", no parameters.
 *   text:  valid UTF-8 with no control characters (C0, DEL, C1) and
 *          none of the characters that reorder or break a displayed line:
 *          U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069,
 *          U+2028, U+2029.
 *   path:  1..4096 bytes of text, '/'-separated, relative (no leading
 *          '/'), no empty, "." or ".." component, components of at most
 *          255 bytes, no backslash (sha256sum would escape it).  Paths
 *          are unique; no path lies below a file entry; the first
 *          component is none of the archive's own members
 *          "manifest.json", "SHA256SUMS", "SHA256SUMS.minisig".  Parent
 *          directories need no entries.
 *
 * The manifest carries no host or user names and no absolute paths; the
 * tool field is the program name and version only.
 */
#ifndef CAIRN_MANIFEST_H
#define CAIRN_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/meta.h"
#include "cairn/minisig.h"

/* Format constants. */
#define MANIFEST_NAME        "manifest.json"
#define MANIFEST_FORMAT      "cairn-archive"
#define MANIFEST_VERSION     1 /* written when nothing was skipped */
#define MANIFEST_VERSION_MAX 2 /* the newest version read and written */
#define MANIFEST_ID_LEN      16
#define MANIFEST_ID_HEX_LEN  33 /* 32 + NUL */
#define MANIFEST_TIME_LEN    21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */
/* cairn limits (documented in docs/format.md). */
#define MANIFEST_MAX_LEN     (64u * 1024 * 1024) /* JSON text, bytes */
#define MANIFEST_MAX_ENTRIES 250000
#define MANIFEST_MAX_NOTES   256
#define MANIFEST_NOTE_MAX    4096
#define MANIFEST_CASE_MAX    256
#define MANIFEST_TOOL_MAX    64
#define MANIFEST_PATH_MAX    4096
#define MANIFEST_NAME_MAX    255 /* one path component */
#define MANIFEST_MIME_MAX    255
#define MANIFEST_MAX_SKIPPED 10000
#define MANIFEST_REASON_MAX  256

enum manifest_type {
	MANIFEST_FILE = 1,
	MANIFEST_DIR = 2,
};

struct manifest_entry {
	char *path;
	enum manifest_type type;
	uint64_t size;          /* files; 0 for dirs */
	uint32_t mode;          /* permission bits, 0 .. 0777 */
	int64_t mtime;          /* seconds since the epoch, UTC */
	char *mime;             /* files; NULL for dirs */
	struct meta_exif *exif; /* files, version 2: the "exif" key; or NULL */
};

/* A path that was to be sealed but is not in the archive, and why. */
struct manifest_skipped {
	char *path;
	char *reason;
};

struct manifest {
	int version; /* as read; manifest_encode() writes 1 or 2 */
	uint8_t archive_id[MANIFEST_ID_LEN];
	int64_t sealed_at;
	char *tool;
	int has_signer;
	struct minisig_public signer; /* valid when has_signer */
	char *case_label;             /* NULL: "case": null */
	char **notes;
	size_t nnotes;
	struct manifest_entry *entries;
	size_t nentries;
	struct manifest_skipped *skipped;
	size_t nskipped;
	/* private */
	size_t cap_entries, cap_notes, cap_skipped;
	const struct manifest_entry **index; /* sorted by path, or NULL */
};

/*
 * A new manifest: version 1, a random archive id, sealed_at = now, tool
 * "cairn <version>", unsigned, no case, no notes, no entries.  Free with
 * manifest_free().  Returns 0 or CAIRN_ERR_NOMEM.
 */
int manifest_new(struct manifest **out);
void manifest_free(struct manifest *m);

/* Setters copy their arguments.  Return 0, CAIRN_ERR_INVAL (text breaks
 * the rules above) or CAIRN_ERR_NOMEM (or CAIRN_ERR_LIMIT for notes). */
int manifest_set_case(struct manifest *m, const char *label); /* NULL ok */
int manifest_add_note(struct manifest *m, const char *note);
void manifest_set_signer(struct manifest *m, const struct minisig_public *pk);

/*
 * Append an entry.  size and mime are for files only (pass 0 and NULL
 * for dirs).  Checks the path, mode, time and MIME rules: CAIRN_ERR_INVAL
 * when one is broken (e.g. a file name with a newline, a backslash or
 * invalid UTF-8), CAIRN_ERR_LIMIT beyond MANIFEST_MAX_ENTRIES,
 * CAIRN_ERR_NOMEM.  Uniqueness is checked by manifest_encode().
 */
int manifest_add_entry(struct manifest *m, const char *path,
    enum manifest_type type, uint64_t size, uint32_t mode, int64_t mtime,
    const char *mime);

/*
 * Record a path that is not in the archive and why (seal
 * --skip-unreadable).  Checks the path and reason rules: CAIRN_ERR_INVAL
 * when one is broken, CAIRN_ERR_LIMIT beyond MANIFEST_MAX_SKIPPED,
 * CAIRN_ERR_NOMEM.  That it is no entry's path is checked by
 * manifest_encode().
 */
int manifest_add_skipped(
    struct manifest *m, const char *path, const char *reason);

/*
 * Record EXIF fields for the last entry added, which must be a file
 * (copies x; status META_EXIF_NONE records nothing).  Returns 0,
 * CAIRN_ERR_INVAL (no entry, a directory, or x breaks meta_exif_check())
 * or CAIRN_ERR_NOMEM.
 */
int manifest_set_exif(struct manifest *m, const struct meta_exif *x);

/*
 * Encode as JSON (see the schema above): version 1, or 2 when something
 * was skipped or a file has EXIF.  The whole manifest is checked
 * first: CAIRN_ERR_INVAL when it breaks a rule (duplicate path, path
 * below a file, ...).  *json is cio_malloc'd, NUL-terminated, ends in a
 * newline; *len excludes the NUL.  Deterministic: the same manifest gives
 * the same bytes.
 */
int manifest_encode(const struct manifest *m, char **json, size_t *len);

/*
 * Parse and check untrusted JSON.  Returns 0, CAIRN_ERR_FORMAT (not the
 * schema: bad JSON, duplicate keys, invalid UTF-8, deep nesting, wrong
 * types, missing or unknown fields, out-of-range numbers, ...),
 * CAIRN_ERR_UNSAFE (a path breaks the path rules, or is duplicated, or
 * lies below a file), CAIRN_ERR_UNSUPPORTED (another version),
 * CAIRN_ERR_LIMIT (a MANIFEST_MAX_* limit), CAIRN_ERR_NOMEM.
 */
int manifest_decode(const char *json, size_t len, struct manifest **out);

/*
 * jansson allocator for a program to install once at startup with
 * json_set_alloc_funcs(manifest_json_malloc, free) (the CLI does; the
 * library changes no process-wide state): cio_malloc(), so fault
 * injection reaches jansson, noting a failure so that manifest_encode and
 * manifest_decode report CAIRN_ERR_NOMEM where jansson 2.14 would drop a
 * key or call the failure a syntax error.  Without it they rely on
 * jansson's own out-of-memory reports.
 */
void *manifest_json_malloc(size_t n);

/* The entry with this path, or NULL.  Fast after manifest_decode(). */
const struct manifest_entry *manifest_find(
    const struct manifest *m, const char *path);

/* Lower-case hex of the archive id. */
void manifest_archive_id_hex(
    const struct manifest *m, char out[MANIFEST_ID_HEX_LEN]);

/*
 * The path rules above (not the reserved names, which apply to entries
 * only).  Returns 0 or CAIRN_ERR_UNSAFE.  len is the path's length; a NUL
 * inside it breaks the rules.
 */
int manifest_path_check(const char *path, size_t len);

/* "YYYY-MM-DDTHH:MM:SSZ" for t; CAIRN_ERR_INVAL outside years
 * 0001..9999. */
int manifest_time_format(int64_t t, char out[MANIFEST_TIME_LEN]);
/* Strict parse of that form; 0 or CAIRN_ERR_FORMAT. */
int manifest_time_parse(const char *s, size_t len, int64_t *t);

#endif
