/*
 * cli_recovery_keys.h - the recovery keys recorded in the key home's
 * recipients file by 'recovery init' (see cli_recovery_keys.c).
 */
#ifndef CAIRN_CLI_RECOVERY_KEYS_H
#define CAIRN_CLI_RECOVERY_KEYS_H

#include <stddef.h>

#include "cli.h"

struct cli_recovery_key {
	char *about;     /* "SLIP-39 share set N, any T of N contacts: ..." */
	char *recipient; /* "age1..." */
};
struct cli_recovery_keys {
	struct cli_recovery_key *v;
	size_t n;
};

/* Parse recipients-file text: each age1... line under a "# cairn
 * recovery key, ..." comment.  Appends to k (zero it first); 0 or
 * CAIRN_ERR_NOMEM. */
int cli_recovery_keys_parse(
    struct cli_recovery_keys *k, const char *text, size_t len);
/* The key home's recovery keys (none when it has no recipients file).
 * Returns 0 or an exit code after a message; free with
 * cli_recovery_keys_free(). */
int cli_recovery_keys_load(struct cli_recovery_keys *k);
void cli_recovery_keys_free(struct cli_recovery_keys *k);

/* Warn for each recovery key of the key home that the recipients chosen
 * by o (-r, -R, -p) leave out, unless no_recovery (--no-recovery). */
void cli_recovery_check(const struct cli_recipient_opts *o, int no_recovery);

#endif
