/*
 * tarball.h - streaming POSIX pax tar writer and hardened reader.
 *
 * The writer turns a sequence of directory and file entries into a pax
 * tar stream pushed into a struct cio_sink; the reader pulls a tar stream
 * from a struct cio_source and hands out entries one at a time, refusing
 * anything a hostile archive could use against the extracting side.
 * Memory stays flat whatever the entry sizes: data is never buffered
 * beyond one 64 KiB block.
 *
 * This module (src/archive/tarball.c writes, tarball_read.c reads) is the
 * only one that knows libarchive; the path rules live in
 * src/archive/tarball_path.c.  It knows nothing of age, manifests,
 * SHA256SUMS or the filesystem.
 *
 * Format (shapes the archive; docs/format.md, when written, must match):
 *   - libarchive's "pax_restricted" writer: a plain ustar header for every
 *     entry that fits ustar (ASCII name that fits the 100+155 byte fields,
 *     size < 8 GiB, 0 <= mtime < 8^11), a pax extended header ("path=",
 *     "size=", "mtime=") only where it does not.  No SCHILY.*, LIBARCHIVE.*,
 *     xattr, ACL, fflags, atime or ctime records are ever written.
 *   - Entries carry uid/gid 0, empty uname/gname, mode & 0777, mtime in
 *     whole seconds.  Directories are written as "name/".
 *   - 10240-byte records (blocking factor 20, as GNU tar and bsdtar),
 *     ended by two zero blocks and zero padding to the record size.
 *   - Names are stored byte-exact as UTF-8 ("path=" records carry no
 *     hdrcharset), in any Unicode normalisation.  libarchive NFC-normalises
 *     pax UTF-8 names when reading, so the reader takes every name from its
 *     own walk of the headers (tarball_scan.h), byte for byte.
 *
 * Reader limits and refusals (every one of them is an error, never a
 * silently skipped entry):
 *   - only regular files and directories; symlinks, hard links, devices,
 *     FIFOs, sockets and sparse files: CAIRN_ERR_UNSAFE;
 *   - names must pass tarball_path_syntax() (after one trailing '/' is
 *     removed from directory names): CAIRN_ERR_UNSAFE.  The check applies
 *     to the final name libarchive reports, i.e. after pax "path=" records
 *     and GNU long names have been applied;
 *   - any libarchive warning about an entry (unconvertible name, malformed
 *     pax record): CAIRN_ERR_UNSAFE;
 *   - anything GNU tar could read differently from libarchive (pax global
 *     headers, GNU long names with pax headers, unknown pax records, a
 *     member the two walks disagree on; tarball_scan.h): CAIRN_ERR_UNSAFE;
 *   - more than TARBALL_MAX_ENTRIES entries: CAIRN_ERR_LIMIT;
 *   - not a tar stream, bad header checksum, data shorter than the header
 *     says, a missing end-of-archive marker (two zero blocks), non-zero
 *     bytes after it or more than TARBALL_MAX_TRAILER bytes of padding:
 *     CAIRN_ERR_PAYLOAD;
 *   - an error from the cio_source is passed through unchanged.
 * Duplicate names and names differing only in case are not detected here:
 * the caller compares the entries with its manifest (and should create
 * files with O_EXCL, which also catches case-insensitive collisions).
 *
 * Locale: libarchive converts names through the current locale's charset.
 * Both reader and writer switch the calling thread to a C.UTF-8 locale
 * (uselocale) for the duration of each call, so results do not depend on
 * LANG/LC_ALL.  If no UTF-8 locale exists and the current one is not
 * UTF-8, tarball_*_new() return CAIRN_ERR_UNSUPPORTED.
 *
 * A reader or writer is used by one thread at a time.
 */
#ifndef CAIRN_TARBALL_H
#define CAIRN_TARBALL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cairn/cio.h"

/* Limits (cairn's, not tar's; format-shaping: docs/format.md must match). */
#define TARBALL_PATH_MAX    4096          /* bytes in an entry name */
#define TARBALL_NAME_MAX    255           /* bytes in one path component */
#define TARBALL_MAX_ENTRIES 1000000       /* entries in one archive */
#define TARBALL_MAX_TRAILER (1024 * 1024) /* zero bytes after the marker */
#define TARBALL_READ_BLOCK  (1024 * 1024) /* most bytes per source pull */
#define TARBALL_READ_MIN    (64 * 1024)   /* ... and fewest (but at end) */
#define TARBALL_LEND_RING   8             /* buffers when lending */

enum tarball_type {
	TARBALL_FILE = 1,
	TARBALL_DIR = 2,
};

struct tarball_entry {
	const char *path; /* UTF-8, relative, no trailing '/'; owned
				 * by the reader, valid until the next
				 * tarball_next() or tarball_reader_free() */
	enum tarball_type type;
	uint64_t size;     /* bytes of data; 0 for directories */
	unsigned int mode; /* permission bits, & 0777 (no setuid,
				 * setgid or sticky bits) */
	int64_t mtime;     /* seconds since the epoch */
};

/* ---- names -------------------------------------------------------------- */

/*
 * The name rules both sides enforce.  Returns 0 when path is acceptable
 * as an entry name, else CAIRN_ERR_UNSAFE with *why (may be NULL) set to a
 * static reason.  Rules:
 *   - 1..TARBALL_PATH_MAX bytes, relative (no leading '/'), no trailing
 *     '/', components separated by single '/', each 1..TARBALL_NAME_MAX
 *     bytes and neither "." nor "..";
 *   - no backslash (Windows extractors treat it as a separator, so
 *     "..\\x" would escape the target directory);
 *   - well-formed UTF-8 (shortest form, no surrogates, <= U+10FFFF);
 *   - no control characters: C0 (bytes < 0x20), DEL (0x7f), C1
 *     (U+0080..U+009F), the line/paragraph separators U+2028/U+2029 and
 *     the bidirectional embedding, override and isolate controls
 *     U+202A..U+202E and U+2066..U+2069 (which can make a name display
 *     as a different one).
 * Pure function; needs no locale.
 */
int tarball_path_syntax(const char *path, const char **why);

/* Bytes of the well-formed UTF-8 sequence at s (n bytes available; a NUL
 * counts as one), or 0 when it is malformed, overlong, a surrogate or
 * above U+10FFFF. */
size_t tarball_utf8_len(const char *s, size_t n);

/*
 * The writer's name rule: tarball_path_syntax().  Names are written byte
 * for byte whatever their Unicode normalisation (the reader takes pax
 * names raw, not as libarchive normalises them).  Returns 0,
 * CAIRN_ERR_UNSAFE with *why set.
 */
int tarball_path_check(const char *path, const char **why);

/*
 * name (UTF-8) in the form libarchive's tar reader gives pax names: NFC.
 * *out is malloc'd, the caller's.  Returns 0, CAIRN_ERR_INVAL (libarchive
 * could not convert it), CAIRN_ERR_UNSUPPORTED (no UTF-8 locale) or
 * CAIRN_ERR_NOMEM.  Used to warn about names that differ only in their
 * normalisation, and to check libarchive against tarball_scan.c.
 */
int tarball_name_nfc(const char *name, char **out);

/* ---- writer ------------------------------------------------------------- */

struct tarball_writer;

/*
 * Start a pax tar stream into sink (which must outlive the writer).
 * Nothing is written until the first entry.  Returns 0, CAIRN_ERR_NOMEM
 * or CAIRN_ERR_UNSUPPORTED (no UTF-8 locale).  *out is freed with
 * tarball_writer_free().
 */
int tarball_writer_new(
    struct tarball_writer **out, const struct cio_sink *sink);

/*
 * Add a directory entry.  path has no trailing '/'.  Returns 0,
 * CAIRN_ERR_UNSUPPORTED (path refused by tarball_path_check(); reason in
 * tarball_writer_error()), CAIRN_ERR_INVAL (called while a file is open),
 * CAIRN_ERR_LIMIT (TARBALL_MAX_ENTRIES reached), or the sink's error.
 */
int tarball_write_dir(struct tarball_writer *w, const char *path,
    unsigned int mode, int64_t mtime);

/*
 * Start a regular file of exactly size bytes, then call tarball_write_data()
 * any number of times and tarball_write_file_end() once.  Errors as for
 * tarball_write_dir().
 */
int tarball_write_file_begin(struct tarball_writer *w, const char *path,
    uint64_t size, unsigned int mode, int64_t mtime);

/*
 * Append len bytes to the open file.  Returns 0, CAIRN_ERR_CHANGED when
 * the data would exceed the size given to tarball_write_file_begin() (the
 * file grew while being read), CAIRN_ERR_INVAL when no file is open, or
 * the sink's error.  Data goes to the sink in 10240-byte records without
 * being copied when len is large.
 */
int tarball_write_data(
    struct tarball_writer *w, const uint8_t *buf, size_t len);

/*
 * Close the open file.  Returns 0, CAIRN_ERR_CHANGED when fewer bytes were
 * written than announced (the file shrank), CAIRN_ERR_INVAL when no file
 * is open, or the sink's error.
 */
int tarball_write_file_end(struct tarball_writer *w);

/*
 * Write the end-of-archive marker and padding.  Returns 0, CAIRN_ERR_INVAL
 * (a file is still open) or the sink's error.
 */
int tarball_writer_finish(struct tarball_writer *w);

/*
 * Any error is sticky: after it every call returns the same code and the
 * stream must be discarded.  tarball_writer_error() gives a short reason
 * ("" when none; owned by the writer).  tarball_writer_free() accepts NULL;
 * freeing an unfinished writer writes nothing more to the sink.
 */
const char *tarball_writer_error(const struct tarball_writer *w);
/* The errno of a CAIRN_ERR_IO failure, saved when it happened (the sink's
 * write, or libarchive's own), or 0: read it here, not from errno after
 * the call, which later libarchive calls may have changed. */
int tarball_writer_errno(const struct tarball_writer *w);
void tarball_writer_free(struct tarball_writer *w);

/* ---- reader ------------------------------------------------------------- */

struct tarball_reader;

/*
 * Prepare to read a tar stream from src (which must outlive the reader).
 * Nothing is read until tarball_next().  Returns 0, CAIRN_ERR_NOMEM or
 * CAIRN_ERR_UNSUPPORTED (no UTF-8 locale).
 */
int tarball_reader_new(
    struct tarball_reader **out, const struct cio_source *src);

/*
 * Advance to the next entry (skipping any unread data of the current one)
 * and fill *out.  Returns 0 with an entry, 1 at the end of the archive, or
 * a negative enum cairn_err as listed at the top of this file.  1 is
 * returned only after the end-of-archive marker was seen and the source
 * was read to its end (so an age reader below has authenticated its final
 * chunk); everything after the marker must be zero bytes.  Errors are
 * sticky.
 */
int tarball_next(struct tarball_reader *r, struct tarball_entry *out);

/*
 * Read up to len bytes of the current entry's data.  Returns the count
 * (> 0), 0 at the end of the entry's data (a directory has none), or a
 * negative enum cairn_err: CAIRN_ERR_PAYLOAD when the archive ends before
 * the size the header announced, or the source's error.
 */
ssize_t tarball_read_data(struct tarball_reader *r, uint8_t *buf, size_t len);

/*
 * Lend data blocks to a reader of them on another thread (the files'
 * SHA-256): from now on the reader fills a ring of TARBALL_LEND_RING
 * buffers of TARBALL_READ_BLOCK bytes and calls release(ctx, p, len)
 * before it writes into or frees any of them.  Returns 0,
 * CAIRN_ERR_NOMEM (the reader goes on without lending) or
 * CAIRN_ERR_INVAL (already lending).
 */
int tarball_reader_lend(struct tarball_reader *r,
    void (*release)(void *ctx, const uint8_t *p, size_t len), void *ctx);

/*
 * tarball_read_data() without the copy: the next block of the current
 * entry's data in *p, *n (> 0), valid until the next call on r.  Returns
 * 1, 0 at the end of the data, or a negative enum cairn_err as
 * tarball_read_data() does.  *lent is 1 when the block lies in a lending
 * buffer: the caller may then go on reading it after later calls, until
 * a release() covers it.  Do not mix with tarball_read_data() within an
 * entry.
 */
int tarball_read_block(
    struct tarball_reader *r, const uint8_t **p, size_t *n, int *lent);

/* Short reason for the last error ("" when none; owned by the reader;
 * names in it are escaped, so it holds no control characters). */
const char *tarball_reader_error(const struct tarball_reader *r);

/* Accepts NULL. */
void tarball_reader_free(struct tarball_reader *r);

#endif
