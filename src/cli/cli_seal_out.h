/*
 * cli_seal_out.h - seal's output file: -o OUT, -o DIR, or a default name
 * that reveals nothing of the content and never collides (see
 * cli_seal_out.c).
 */
#ifndef CAIRN_CLI_SEAL_OUT_H
#define CAIRN_CLI_SEAL_OUT_H

#include <stdint.h>

#include "cli.h"

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

#endif
