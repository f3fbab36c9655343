/*
 * cli_seal_out.h - seal's output file: -o OUT, -o DIR, or a default name
 * that reveals nothing of the content and never collides (see
 * cli_seal_out.c).
 */
#ifndef CAIRN_CLI_SEAL_OUT_H
#define CAIRN_CLI_SEAL_OUT_H

#include <stdint.h>

#include "cairn/age.h"
#include "cairn/minisig.h"
#include "cairn/seal.h"
#include "cli.h"
#include "cli_seal_after.h"

struct cli_seal_out {
	const char *outpath; /* -o, or NULL */
	const char *name;    /* --name, or NULL ("cairn") */
	int force;           /* --force: replace an existing -o OUT */
};

/* Refuse (exit 2) a --name that is not a plain file name. */
int cli_seal_name_check(const char *name);

/* Open o for seal's output.  When the name was made here (no -o, or -o an
 * existing directory) *made holds it (free() it; print it), else NULL.
 * Returns 0 or an exit code after a message. */
int cli_seal_out_open(struct cli_out *o, const struct cli_seal_out *w,
    int64_t sealed_at, char **made);

/*
 * seal's PATH arguments (cli_seal_paths.c).  cli_seal_check_paths()
 * refuses (exit 2, with a hint) an archive given as the first of several
 * PATHs without -o (tar-style order: "seal old.cairn evidence/"), or a
 * missing first PATH ending in ".cairn" there.  cli_seal_link_hints()
 * prints, for each PATH that is a symbolic link to a directory written
 * without a trailing '/', a hint that "PATH/" seals the directory.
 */
int cli_seal_check_paths(char *const *paths, int n, int has_output);
void cli_seal_link_hints(char *const *paths, int n);

/* How cli_seal_write() writes (cli_seal_write.c). */
struct cli_seal_write {
	struct cli_seal_out where;
	int armor, quiet, no_readback;
	int skip; /* --skip-unreadable: leave out files that change */
	int hash; /* hash the output: 0 only when nothing uses its SHA-256 */
};

/*
 * Write the plan, encrypted to rs and signed with sk (NULL: unsigned), to
 * the output (opened here into out: see cli_seal_out_open() for *made),
 * hashing it into h, read it back unless no_readback, and commit it.
 * With skip, a file that fails while being read is left out
 * (seal_plan_skip_failed()) and the archive is written again.  Returns 0
 * or an exit code after a message; out and h are the caller's to free.
 */
int cli_seal_write(const struct cli_seal_write *w, struct seal_plan *p,
    const struct age_recipients *rs, const struct minisig_secret *sk,
    char **made, struct cli_out *out, struct cli_hash_sink *h);

#endif
