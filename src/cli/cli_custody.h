/*
 * cli_custody.h - the CLI side of the custody log (cli_custody.c): one
 * entry per action on an archive (seal, verify, open, stamp) in the key
 * home's custody/ directory, signed when the action has a signing key
 * unlocked anyway, never prompting for one.  A failure to log is a
 * warning, never the action's failure.
 *
 * Knows custody.h; nothing of archives beyond their id and file hash.
 */
#ifndef CAIRN_CLI_CUSTODY_H
#define CAIRN_CLI_CUSTODY_H

#include <stdint.h>

#include "cairn/minisig.h"

#define CLI_HOME_CUSTODY "custody"

/* What one action did (never file names, notes or case labels). */
struct cli_custody_note {
	const char *action;     /* "seal", "verify", "open", "stamp" */
	int exit_code;          /* the action's exit code */
	const char *archive_id; /* 32 hex, or NULL when not known */
	const uint8_t *sha256;  /* the archive file's SHA-256, or NULL */
	uint64_t size;          /* its size, when sha256 is given */
};

/*
 * Append the entry, signed with sk when not NULL.  Only when the key home
 * directory exists (nothing is created outside it); a failure is a
 * warning.
 */
void cli_custody_log(
    const struct cli_custody_note *n, const struct minisig_secret *sk);

/* 1 when cli_custody_log() would write (the key home directory exists),
 * else 0: callers skip work only the log needs. */
int cli_custody_enabled(void);

#endif
