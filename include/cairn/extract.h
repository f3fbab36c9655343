/*
 * extract.h - the safe writer behind `cairn open`: it creates the files
 * and directories of an archive inside a private staging directory and,
 * only when the caller says everything checked out, renames the staging
 * directory to its final name.  On failure (or a signal) the staging
 * directory is removed and the final name never appears.
 *
 * Rules (documented in docs/format.md, "Opening"):
 *   - the destination must not exist; the staging directory is created
 *     beside it as ".<dest>.cairn-XXXXXX", mode 0700, and held open: its
 *     name is acted on only after checking it is still that directory
 *     (device and inode), and it is removed through the descriptor;
 *   - only regular files and directories; every name must pass
 *     tarball_path_syntax() (relative, no "..", no control characters);
 *   - every component is walked with openat(O_NOFOLLOW|O_DIRECTORY)
 *     relative to the staging directory; files are created with
 *     O_CREAT|O_EXCL|O_NOFOLLOW, directories with mkdirat(), so an
 *     existing name (a duplicate, or a case-insensitive collision) is an
 *     error, never overwritten;
 *   - owners are never restored; file modes are 0600 | (mode & 0044),
 *     directory modes 0700 | (mode & 0055), both then masked by the
 *     umask; modification times are restored (directories last);
 *   - missing parent directories are created (mode 0755 & ~umask);
 *   - commit: syncfs(), the staging directory gets mode 0755 & ~umask,
 *     renameat2(RENAME_NOREPLACE) to the destination, fsync of the
 *     parent directory.
 *
 * Knows the filesystem only: nothing of tar, age, manifests or digests.
 * One extraction at a time per process (the signal cleanup slot is
 * global).
 */
#ifndef CAIRN_EXTRACT_H
#define CAIRN_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

struct extract;

/*
 * Create the staging directory for dest.  Returns 0, CAIRN_ERR_EXISTS
 * (dest exists, even as a dangling symlink), CAIRN_ERR_INVAL (dest has no
 * usable last component, e.g. "/" or ".."), CAIRN_ERR_IO (errno kept),
 * CAIRN_ERR_NOMEM.  *out is released with extract_commit() or
 * extract_abort() and then extract_free().
 */
int extract_begin(struct extract **out, const char *dest);

/*
 * From now on, finish files of up to 256 KiB (write, mode, times, close)
 * on a worker thread, when there is more than one CPU: the names are
 * still created here, in order, so every rule above holds and a refused
 * name fails at its own entry.  A later call (the next entry, or
 * extract_commit(), which waits for the worker) returns the first
 * failure of a finished file, with errno as that failure left it;
 * extract_failed_path() then names its entry.  Returns 0 (also when no
 * worker was started) or CAIRN_ERR_NOMEM.
 */
int extract_async(struct extract *x);
/* Wait until the worker has finished every file handed to it: 0 or the
 * first failure (see extract_async()); 0 without a worker. */
int extract_drain(struct extract *x);
/* The entry a failure from the worker belongs to, or NULL when the last
 * failure was the entry the call was about (owned by x). */
const char *extract_failed_path(const struct extract *x);
/* Create a directory entry (mode applied at commit).  Returns 0,
 * CAIRN_ERR_UNSAFE (bad name, or a parent that is not a directory),
 * CAIRN_ERR_EXISTS (the name exists as a non-directory), CAIRN_ERR_IO,
 * CAIRN_ERR_NOMEM.  Names the caller has checked to be unique can still
 * exist already on a file system that folds letter case or Unicode
 * normalization: that is CAIRN_ERR_EXISTS. */
int extract_dir(
    struct extract *x, const char *path, unsigned int mode, int64_t mtime);

/* Create a file, then extract_file_write() its bytes and
 * extract_file_end() it.  Errors as extract_dir(); CAIRN_ERR_EXISTS also
 * when the name exists already (never overwritten). */
int extract_file_begin(
    struct extract *x, const char *path, unsigned int mode, int64_t mtime);
int extract_file_write(struct extract *x, const uint8_t *buf, size_t len);
int extract_file_end(struct extract *x);

/* Apply directory modes and times, sync, and move the staging directory
 * to dest.  Returns 0, CAIRN_ERR_EXISTS (dest appeared meanwhile: the
 * staging directory is removed), CAIRN_ERR_UNSAFE (the staging name no
 * longer is the directory written: someone who can write the parent
 * swapped it; nothing is published), CAIRN_ERR_IO.  On error everything
 * written is removed. */
int extract_commit(struct extract *x);

/* Remove the staging directory and everything in it (no-op after a
 * successful commit). */
void extract_abort(struct extract *x);
void extract_free(struct extract *x);

/* 1 when others can write dest's parent and it is not sticky (on a file
 * system that stores permissions): they could swap the staging
 * directory, which extract_commit() then refuses. */
int extract_parent_unsafe(const struct extract *x);

/* The staging directory's path (for messages); owned by x. */
const char *extract_staging_path(const struct extract *x);

/* Remove the staging directory of the extraction in progress, if any,
 * using only async-signal-safe calls (for the CLI's signal handler). */
void extract_abort_signal_safe(void);

#endif
