/*
 * seal.h - sealing files and directories into a cairn archive: an age
 * file whose plaintext is a pax tar of manifest.json, the members,
 * SHA256SUMS and SHA256SUMS.minisig (docs/format.md).
 *
 * Two steps, because manifest.json comes first in the tar but describes
 * every member:
 *   1. plan (src/archive/seal_plan.c): walk the inputs, lstat everything, read
 *      the first FILETYPE_SNIFF_LEN bytes of each file for its MIME type,
 *      and build the manifest.  Memory grows with the number of entries,
 *      never with their sizes.
 *   2. write (src/archive/seal.c): stream the tar into a sink, reading
 *      each file once in SEAL_BLOCK blocks, hashing it as it goes, then
 *      add SHA256SUMS and its signature.  Each file is re-opened with
 *      O_NOFOLLOW and must still be the planned one (same device, inode,
 *      size and mtime), and must not change while it is read (a short
 *      read, growth, or an fstat() after reading that differs in size,
 *      mtime or ctime): CAIRN_ERR_CHANGED.  With two or more CPUs the
 *      read+hash side runs on a second thread (src/archive/seal_stream.c;
 *      cairn_options' seal_threads = 0 or 1 overrides the choice, which
 *      the CLI takes from CAIRN_SEAL_THREADS); the archive is the same
 *      either way.
 *
 * Inputs: each argument contributes its last path component as the
 * top-level name ("photos/" -> "photos", "a/b.txt" -> "b.txt"), and a
 * directory everything below it, depth first, names sorted bytewise.
 * Regular files and directories only: symbolic links are skipped and
 * reported through the warning callback (a top-level argument ending in
 * '/' is resolved by the system, so "link/" seals the directory it names);
 * sockets, devices and FIFOs are refused (CAIRN_ERR_UNSUPPORTED); files
 * that cannot be read fail the plan unless seal_plan_skip_unreadable().  Two
 * arguments with the same top-level name, or an argument without a usable
 * name ("/", ".", ".."), are refused (CAIRN_ERR_INVAL).  A name that
 * breaks the manifest's path rules (control characters, backslash, the
 * name "-") is refused, naming the file (CAIRN_ERR_INVAL); a name that is
 * not valid UTF-8 is refused with CAIRN_ERR_UNSUPPORTED, its bytes that
 * are not UTF-8 escaped as \xHH in seal_plan_error().  Names are stored
 * byte for byte as read from the directory, in whatever Unicode
 * normalisation they have (macOS writes NFD): never normalised.
 *
 * Knows the filesystem, manifest, SHA256SUMS, tar writer, minisign and
 * filetype modules; nothing of age (the caller encrypts what seal_write
 * writes), the terminal or key files.
 * Never prints: errors are codes plus seal_plan_error() text.
 */
#ifndef CAIRN_SEAL_H
#define CAIRN_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/cio.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"

/* Bytes read from an input file per read() call. */
#define SEAL_BLOCK (1024 * 1024)
/* Mode and mtime of cairn's own members: manifest.json, SHA256SUMS and
 * SHA256SUMS.minisig get mode 0644 and mtime = the manifest's sealed_at. */
#define SEAL_OWN_MODE 0644
/*
 * The signature's trusted comment (format-shaping):
 *   "cairn-archive archive_id:<32 hex> sealed_at:<YYYY-MM-DDTHH:MM:SSZ>"
 * built from the manifest; verifiers require exactly this text.
 */
#define SEAL_TRUSTED_COMMENT_LEN 96
#define SEAL_UNTRUSTED_COMMENT   "signature from cairn secret key"

enum seal_warning {
	SEAL_WARN_SYMLINK = 1, /* path is a symbolic link: skipped */
	SEAL_WARN_CASE = 2,    /* path and other differ only in letter case */
	SEAL_WARN_SKIPPED = 3, /* path could not be read: left out */
	SEAL_WARN_NFC = 4,     /* path and other differ only in Unicode
				* normalisation (NFC/NFD) */
};
/*
 * SEAL_WARN_SYMLINK: path is the host path as found, other is NULL.
 * SEAL_WARN_CASE, SEAL_WARN_NFC: path and other are archive paths.
 * SEAL_WARN_SKIPPED: path is the host path, other the reason (as
 * recorded in the manifest's skipped list).  None is escaped.
 */
typedef void (*seal_warn_cb)(
    void *ctx, enum seal_warning w, const char *path, const char *other);

struct seal_plan;

/*
 * A new, empty plan with a fresh manifest (manifest_new()).  warn may be
 * NULL.  Returns 0, CAIRN_ERR_NOMEM or filetype_open()'s error.
 */
int seal_plan_new(struct seal_plan **out, seal_warn_cb warn, void *ctx);

/*
 * Add one argument (a file or directory path) and everything below it.
 * Returns 0, CAIRN_ERR_IO (errno kept), CAIRN_ERR_INVAL (no usable name,
 * duplicate top-level name, or a name that breaks the path rules),
 * CAIRN_ERR_UNSUPPORTED (a socket, device or FIFO; or a name that is not
 * valid UTF-8),
 * CAIRN_ERR_LIMIT (MANIFEST_MAX_ENTRIES), CAIRN_ERR_NOMEM.  On error,
 * seal_plan_error() names the path and reason, and the plan must not be
 * written.
 */
int seal_plan_add(struct seal_plan *p, const char *path);

/*
 * --skip-unreadable (before seal_plan_add()): a file or directory that
 * cannot be read (CAIRN_ERR_IO: permission denied, an I/O error, gone
 * since its directory was listed) or changed while it was examined is
 * left out instead of failing the seal: it is recorded in the manifest's
 * skipped list (path and reason; manifest version 2) and reported through
 * the warning callback (SEAL_WARN_SKIPPED).  A missing argument is still
 * an error.  A file that fails while seal_write() reads it (it grew,
 * shrank or changed, or a read failed) cannot be left out of the stream
 * already written: see seal_plan_skip_failed().
 */
void seal_plan_skip_unreadable(struct seal_plan *p, int on);

/*
 * After seal_write() failed with CAIRN_ERR_IO or CAIRN_ERR_CHANGED while
 * reading an input, and with skipping on: move that file from the
 * entries to the skipped list (reported through the warning callback)
 * and make the plan writable again, so the caller can discard what was
 * written and call seal_write() again.  Returns 0, CAIRN_ERR_INVAL (the
 * failure was not an input's, or skipping is off), CAIRN_ERR_LIMIT or
 * CAIRN_ERR_NOMEM (then seal_plan_error() is unchanged or says why).
 */
int seal_plan_skip_failed(struct seal_plan *p);

/*
 * After the last seal_plan_add(): report, through the warning callback
 * (SEAL_WARN_CASE), every two archive paths that differ only in ASCII
 * letter case.  Such an archive is valid and seals as it is, but a
 * case-insensitive file system (the default on macOS and Windows) cannot
 * hold both names, so `open` refuses it there.  Non-ASCII letters are not
 * folded.  Returns 0 or CAIRN_ERR_NOMEM.
 */
int seal_plan_check_case(struct seal_plan *p);

/*
 * After the last seal_plan_add(): report, through the warning callback
 * (SEAL_WARN_NFC), every two archive paths that are equal once normalised
 * to Unicode NFC ("cafe\xcc\x81" and "caf\xc3\xa9").  Both are sealed byte
 * for byte, but they cannot both exist on macOS, and other tools may show
 * them as one name.  Returns 0 or CAIRN_ERR_NOMEM.
 */
int seal_plan_check_nfc(struct seal_plan *p);

/* The manifest being built: set the case and notes here (not entries).
 * Owned by the plan. */
struct manifest *seal_plan_manifest(struct seal_plan *p);

/* Files and bytes planned so far. */
uint64_t seal_plan_files(const struct seal_plan *p);
uint64_t seal_plan_bytes(const struct seal_plan *p);

/* "" or the reason for the last error (holds host paths: escape them). */
const char *seal_plan_error(const struct seal_plan *p);

/* 1 when that error is a file name that is not valid UTF-8, else 0. */
int seal_plan_error_utf8(const struct seal_plan *p);

void seal_plan_free(struct seal_plan *p);

/*
 * Write the archive's plaintext, the pax tar, to plain_sink, signed with
 * sk (NULL: unsigned, the manifest's signer is null and there is no
 * SHA256SUMS.minisig member).  Encrypting is the caller's: the CLI's sink
 * is an age_writer (age.h), finished after this returns 0 (the mirror of
 * unseal_run(), which reads a plain stream).  Nothing is complete until
 * this returns 0; on error the caller discards everything written
 * (cio_atomic_abort()).  Returns 0, CAIRN_ERR_CHANGED (an input changed,
 * see above), CAIRN_ERR_IO (errno kept), the sink's error, or the
 * modules' errors; seal_plan_error() says which file and why.  A plan is
 * written at most once.
 */
int seal_write(struct seal_plan *p, const struct minisig_secret *sk,
    const struct cio_sink *plain_sink);

/*
 * The SHA-256 of the SHA256SUMS member written by a successful
 * seal_write() into out (what `cairn seal --tsa` time-stamps besides the
 * archive file).  Returns 0, or CAIRN_ERR_INVAL before that.
 */
int seal_plan_sums_sha256(const struct seal_plan *p, uint8_t out[32]);

/*
 * Removing the originals (seal --remove-originals), only after seal_write()
 * returned 0 (else CAIRN_ERR_INVAL) and the caller made sure the archive
 * is safely stored.  seal_plan_host() is the path entry i (manifest
 * order) was read from (owned by the plan).  seal_plan_remove() removes
 * it when it is still what was sealed: a file is unlinked only when its
 * device, inode, size and mtime are those sealed (else CAIRN_ERR_CHANGED,
 * left in place); a directory is removed only when empty (else
 * CAIRN_ERR_EXISTS, left), so call it in reverse manifest order.  Returns
 * 0, those, or CAIRN_ERR_IO (errno kept).  Unlinking does not erase the
 * data from the medium.
 */
const char *seal_plan_host(const struct seal_plan *p, size_t i);
int seal_plan_remove(struct seal_plan *p, size_t i);

/* The trusted comment for m into out.  Returns 0 or CAIRN_ERR_INVAL. */
int seal_trusted_comment(
    const struct manifest *m, char out[SEAL_TRUSTED_COMMENT_LEN]);

#endif
