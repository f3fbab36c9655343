/*
 * custody.h - the chain-of-custody log kept in the key home
 * (docs/format.md, "Custody log"): one small text file per entry,
 * DIR/NNNNNNNN.entry, each holding the SHA-256 of the entry before it,
 * and, when a signing key was at hand, DIR/NNNNNNNN.entry.minisig, a
 * minisign signature of that file (so `sha256sum` and `minisign -Vm`
 * check it entry by entry).
 *
 * An entry records what was done to which archive, never what is inside
 * it: time, action, result, cairn version, archive id, the archive
 * file's SHA-256 and size, and the signer's key id.
 *
 * Knows minisig.h, digest.h and the file system (cio.h); nothing of the
 * terminal, archives or manifests.  Never prints.
 */
#ifndef CAIRN_CUSTODY_H
#define CAIRN_CUSTODY_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/minisig.h"

#define CUSTODY_MAX_ENTRIES 1000000 /* entries a log may hold */
#define CUSTODY_ENTRY_MAX   512     /* bytes in one entry file */
#define CUSTODY_WHY_LEN     256

struct custody_entry {
	uint64_t seq;        /* 1, 2, ... */
	int64_t time;        /* Unix seconds, UTC */
	char action[16];     /* seal, verify, open, stamp, ... [a-z-] */
	char result[16];     /* ok, or exitN */
	char tool[32];       /* "cairn/0.1.0" */
	char archive_id[33]; /* 32 lower-case hex, or "-" */
	char sha256[65];     /* archive file SHA-256 (hex), or "-" */
	uint64_t size;       /* archive file size in bytes ... */
	int has_size;        /* ... when known */
	char signer[17];     /* minisign key id (16 upper-case hex), or
	                        * "unsigned" */
	uint8_t prev[32];    /* SHA-256 of the previous entry file, zeros
	                        * for the first */
};

/* The entry's text (one line ending in "\n") into *out (malloc'd, caller
 * frees).  Returns 0, CAIRN_ERR_INVAL (a field out of its alphabet),
 * CAIRN_ERR_NOMEM. */
int custody_entry_encode(
    const struct custody_entry *e, char **out, size_t *outlen);
/* Parse one entry file, strictly.  Returns 0 or CAIRN_ERR_FORMAT. */
int custody_entry_decode(const char *text, size_t len, struct custody_entry *e);

/* One entry as read from the directory. */
struct custody_item {
	struct custody_entry e;
	char *text; /* the entry file, NUL-terminated (malloc'd) */
	size_t len;
	char *sig; /* its .minisig file, or NULL (malloc'd) */
	size_t siglen;
	int parsed; /* text parsed as an entry */
};
struct custody_log {
	struct custody_item *v;
	size_t n;
};

/*
 * Read every DIR/NNNNNNNN.entry (and .minisig) in name order.  A missing
 * DIR is an empty log.  Other files are ignored.  Returns 0,
 * CAIRN_ERR_IO (errno kept), CAIRN_ERR_LIMIT, CAIRN_ERR_NOMEM.  Free
 * with custody_log_free() whatever the result.
 */
int custody_load(const char *dir, struct custody_log *log);
void custody_log_free(struct custody_log *log);

/*
 * Check the log: entry i is file number i+1, parses, has seq i+1 and the
 * SHA-256 of entry i-1 as prev; an entry naming a signer has a .minisig
 * that pk verifies (with pk NULL, signatures are not checked and
 * *unchecked counts them), an unsigned entry has none.  Returns 0,
 * CAIRN_ERR_INTEGRITY (chain broken) or CAIRN_ERR_SIGNATURE, with
 * *bad = the first bad entry's number (1-based) and why; CAIRN_ERR_NOMEM.
 */
int custody_verify(const struct custody_log *log,
    const struct minisig_public *pk, size_t *unchecked, size_t *bad,
    char why[CUSTODY_WHY_LEN]);

/*
 * Append e to the log in dir (created 0700 if missing): sets e->seq and
 * e->prev from the last entry, e->signer from sk (NULL: "unsigned"),
 * writes the signature first when sk is given, then the entry file (both
 * created exclusively, fsynced), under an flock on DIR/lock so two
 * processes do not interleave.  Lists the directory but reads only the
 * last entry file (no other entry, no signature), so its cost does not
 * grow with the log; custody_verify() is what checks the whole chain.
 * Returns 0, CAIRN_ERR_IO (errno kept), CAIRN_ERR_INTEGRITY (the highest
 * entry number is not the count of entries, or that entry is missing,
 * does not parse or has another seq), CAIRN_ERR_LIMIT, CAIRN_ERR_NOMEM,
 * CAIRN_ERR_INVAL.
 */
int custody_append(
    const char *dir, struct custody_entry *e, const struct minisig_secret *sk);

#endif
