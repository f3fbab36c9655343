/*
 * seal_impl.h - the plan shared by seal_plan.c (walking and sniffing the
 * inputs) and seal.c (streaming them); not public API.
 */
#ifndef CAIRN_SEAL_IMPL_H
#define CAIRN_SEAL_IMPL_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "filetype.h"
#include "cairn/digest.h"
#include "cairn/manifest.h"
#include "cairn/seal.h"

/* What was seen of one manifest entry when planning (same index). */
struct seal_item {
	char *host; /* path to open, as reached from the argument */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim;
};

#define SEAL_ERROR_LEN 512
#define SEAL_WHY_LEN   128 /* a reason alone, for the skipped list */

struct seal_plan {
	struct manifest *m;
	struct seal_item *items; /* parallel to m->entries */
	size_t cap;
	char **tops; /* top-level names, for duplicates */
	size_t ntops;
	uint64_t nfiles, bytes;
	struct filetype *ft;
	uint8_t *sniff;            /* META_EXIF_WINDOW bytes */
	struct seal_sniff *sniffs; /* libmagic's second thread, or NULL */
	seal_warn_cb warn;
	void *warn_ctx;
	int written;
	uint8_t sums_sha256[32]; /* of SHA256SUMS, once written */
	int has_sums_sha256;
	int sealed;    /* seal_write() returned 0 */
	int skip;      /* seal_plan_skip_unreadable() */
	size_t failed; /* 1 + the entry whose reading failed seal_write() */
	char error[SEAL_ERROR_LEN];
	char why[SEAL_WHY_LEN]; /* the reason part of error */
	int error_utf8;         /* the error is a name that is not UTF-8 */
};

/* The read side's error: "<host>: <why>" and <why> alone. */
struct seal_rerr {
	char text[SEAL_ERROR_LEN];
	char why[SEAL_WHY_LEN];
};

/* s into out (cap bytes), every byte that is not part of well-formed
 * UTF-8 as \xHH (seal_names.c). */
void seal_escape_name(char *out, size_t cap, const char *s);
/* 1 when all of s is well-formed UTF-8. */
int seal_name_utf8(const char *s);

/* Record the first error's reason: "<path>: <why>" (path may be NULL). */
int seal_fail(struct seal_plan *p, int err, const char *path, const char *why);

/*
 * libmagic and EXIF on a second thread while planning (seal_sniff.c).
 * seal_sniff_new(): *out NULL (and 0) when one thread is the choice or
 * the only option; else 0 or CAIRN_ERR_NOMEM/IO.  On the planning thread:
 * seal_sniff_buffer() gives a META_EXIF_WINDOW buffer to read a file's
 * start into (NULL with *rc, the reason in the plan, when an earlier
 * job failed), and seal_sniff_submit() queues it for entry `entry`:
 * its first len bytes (at most FILETYPE_SNIFF_LEN) are typed, and total
 * bytes (len, or more for what may be a JPEG) are there for its EXIF
 * block; the entry's mime and exif are replaced once done.
 * seal_sniff_finish() does whatever is left and returns 0 or the first
 * error.  free() drops the rest.
 */
struct seal_sniff;
int seal_sniff_new(struct seal_sniff **out);
uint8_t *seal_sniff_buffer(struct seal_sniff *s, struct seal_plan *p, int *rc);
void seal_sniff_submit(
    struct seal_sniff *s, size_t entry, size_t len, size_t total);
int seal_sniff_finish(struct seal_sniff *s, struct seal_plan *p);
void seal_sniff_free(struct seal_sniff *s);

/* emit: hand over buf[0..len) (hashed) and return the buffer to read the
 * next block into, or NULL with *rc set to stop. */
typedef uint8_t *(*seal_emit_fn)(void *ctx, uint8_t *buf, size_t len, int *rc);

/*
 * The read+hash side for entry i (a file; seal_read.c): returns 0 with
 * digest, or an error with its text in err.  Does not touch the plan's
 * error.  buf holds SEAL_BLOCK bytes; faults: honour cio_fault_hit().
 */
int seal_read_file(const struct seal_plan *p, size_t i, uint8_t *buf,
    int faults, seal_emit_fn emit, void *ctx, uint8_t digest[DIGEST_SHA256_LEN],
    struct seal_rerr *err);
/* Entry i could not be read (err): that is the seal's error, and with
 * CAIRN_ERR_IO or _CHANGED i is the entry seal_plan_skip_failed() may
 * leave out.  Returns rc. */
int seal_read_failed(
    struct seal_plan *p, size_t i, int rc, const struct seal_rerr *err);

/*
 * Stream every entry of the plan into tw (directories, and each file read
 * once and hashed; see seal_stream.c), adding one SHA256SUMS line per file
 * to sums.  Returns 0 or an error with its reason in the plan.
 */
struct tarball_writer;
struct sums;
int seal_stream_entries(
    struct seal_plan *p, struct tarball_writer *tw, struct sums *sums);

#endif
