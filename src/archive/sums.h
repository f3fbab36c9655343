/*
 * sums.h - the SHA256SUMS member of a sealed archive: building its text
 * and parsing it strictly, in the exact form `sha256sum -c` checks.
 *
 * Format (fixed by GNU coreutils' text mode, restricted by cairn): one
 * line per file, "<64 lower-case hex>  <path>\n" (two spaces), in archive
 * order, the first line for "manifest.json", then one per file entry of
 * the manifest in manifest order.  Paths obey manifest_path_check(), so
 * they never hold a newline or backslash (which sha256sum would escape).
 * No blank lines, no CR, no comments, the last line ends in "\n".
 *
 * Knows nothing of tar, age or files; digests are computed by the caller.
 */
#ifndef CAIRN_SUMS_H
#define CAIRN_SUMS_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/digest.h"
#include "cairn/manifest.h"

#define SUMS_NAME     "SHA256SUMS"
#define SUMS_SIG_NAME "SHA256SUMS.minisig"
/* cairn limits: one line per file entry plus manifest.json. */
#define SUMS_MAX_LINES (MANIFEST_MAX_ENTRIES + 1)
#define SUMS_MAX_LEN   (SUMS_MAX_LINES * 128u + 16u * 1024 * 1024)

struct sums_entry {
	char *path;
	uint8_t sha256[DIGEST_SHA256_LEN];
};

/* Zero-initialise before first use; free with sums_free(). */
struct sums {
	struct sums_entry *v;
	size_t n;
	/* private */
	size_t cap;
	const struct sums_entry **index; /* sorted by path, or NULL */
};

/* Append a line.  CAIRN_ERR_INVAL when the path breaks the path rules,
 * CAIRN_ERR_LIMIT beyond SUMS_MAX_LINES, CAIRN_ERR_NOMEM. */
int sums_add(
    struct sums *s, const char *path, const uint8_t sha256[DIGEST_SHA256_LEN]);

/* The text; CAIRN_ERR_INVAL when empty or a path repeats.  *out is
 * cio_malloc'd and NUL-terminated, *outlen excludes the NUL. */
int sums_encode(const struct sums *s, char **out, size_t *outlen);

/*
 * Parse untrusted text into *out (zero-initialised by the call; free with
 * sums_free() whatever the result).  Returns 0, CAIRN_ERR_FORMAT (not
 * the format above, or empty), CAIRN_ERR_UNSAFE (a path breaks the path
 * rules or repeats), CAIRN_ERR_LIMIT, CAIRN_ERR_NOMEM.
 */
int sums_decode(const char *text, size_t len, struct sums *out);

/* The entry for path, or NULL.  Fast after sums_decode(). */
const struct sums_entry *sums_find(const struct sums *s, const char *path);

/*
 * 0 when s lists "manifest.json" first and then exactly the file entries
 * of m, in the same order; CAIRN_ERR_INTEGRITY otherwise.
 */
int sums_match_manifest(const struct sums *s, const struct manifest *m);

void sums_free(struct sums *s);

#endif
