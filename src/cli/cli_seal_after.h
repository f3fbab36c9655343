/*
 * cli_seal_after.h - what `cairn seal` does with the archive it wrote:
 * hash it as written (SHA-256 and size of the ciphertext, for --json),
 * read it back from the medium and compare (--no-readback skips), and
 * remove the originals (--remove-originals); also the case and notes
 * (cli_seal_notes.c).
 *
 * Follows cli.h's convention: int functions return 0 or an exit code
 * after printing.  Knows digest.h and seal.h; nothing of age or tar.
 */
#ifndef CAIRN_CLI_SEAL_AFTER_H
#define CAIRN_CLI_SEAL_AFTER_H

#include <stdint.h>

#include <jansson.h>

#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/manifest.h"
#include "cairn/seal.h"
#include "cli.h"

/* A sink that hashes and counts what passes through to next (hashing
 * on a second thread when there is a second CPU), or only counts when
 * nothing will use the SHA-256 (see cli_seal_write's hash). */
struct cli_hash_sink {
	struct cio_sink sink; /* give this to the writer */
	const struct cio_sink *next;
	struct digest_async *d;
	int started;
	int hashed; /* 0: sha256 stays zero, size is still counted */
	uint64_t size;
	uint8_t sha256[DIGEST_SHA256_LEN]; /* after cli_hash_sink_final() */
};
/* With hash 0 the sink only counts.  Returns 0 or an exit code (out of
 * memory). */
int cli_hash_sink_init(
    struct cli_hash_sink *h, const struct cio_sink *next, int hash);
/* Fills h->sha256 when hashed; returns 0 or an exit code.  Safe to call
 * once. */
int cli_hash_sink_final(struct cli_hash_sink *h);
void cli_hash_sink_free(struct cli_hash_sink *h);

/*
 * Flush o (an atomic, not yet committed output) to the medium, drop it
 * from the page cache, read it back and compare with h (size and
 * SHA-256).  A difference is exit 1 with a message that the medium may
 * be failing.  In test builds, CAIRN_TEST_READBACK_FLIP=N flips byte N of
 * the file before reading (a simulated bad card).
 */
int cli_seal_readback(const struct cli_out *o, const struct cli_hash_sink *h);

/*
 * --remove-originals: remove what p sealed, files first (reverse manifest
 * order, so directories end empty), each only while it is still what was
 * sealed.  Prints each removed path on stdout ("removed: PATH") unless
 * quiet, and appends it to removed (a JSON array) when non-NULL.  A file
 * that changed or could not be removed is kept with a warning, and is
 * exit 1.
 */
int cli_seal_remove_originals(struct seal_plan *p, int quiet, json_t *removed);

/*
 * The case label (NULL: none) and notes (-m NOTE, --note-file F: one note
 * per non-empty line) into m (cli_seal_notes.c).  Returns 0 or an exit
 * code after printing (a bad note is a usage error).
 */
int cli_seal_add_notes(const char *case_label, const char *const *notes,
    size_t nnotes, const char *const *notefiles, size_t nnotefiles,
    struct manifest *m);

/*
 * The end of a successful seal: with json, the summary object
 * (docs/json.md; takes ownership of removed, the --remove-originals list
 * or NULL); remove_ec is cli_seal_remove_originals()'s result (0 without
 * --remove-originals).  Returns the exit code.
 */
int cli_seal_summary(struct seal_plan *p, const char *output,
    size_t nrecipients, const struct cli_hash_sink *h, int readback,
    json_t *removed, int json, int remove_ec);

struct cli_tsas;
struct minisig_secret;

/* The custody log entry of the archive just written (h: its SHA-256 and
 * size), signed with sk when non-NULL (cli_seal_post.c). */
void cli_seal_log(struct seal_plan *p, const struct cli_hash_sink *h,
    const struct minisig_secret *sk);

/* --tsa: time-stamp output (file: its SHA-256) and p's SHA256SUMS.  Never
 * fails the seal: a TSA that did not answer is a warning and a hint. */
void cli_seal_stamp(const struct cli_tsas *tsas, int quiet, struct seal_plan *p,
    const char *output, const uint8_t file[32]);

/* The outbox entry of output (none when outpath is "-"), then with push
 * (a remote name, or NULL) the push itself.  Returns 0 or an exit code
 * (6 when the push failed; the archive stays in the outbox). */
int cli_seal_push(const char *outpath, const char *push, int quiet, int json,
    struct seal_plan *p, const char *output);

#endif
