/*
 * cli_unlock.h - the one place where the archive-reading verbs (list,
 * verify, open) and decrypt gather what unlocks an age file: -i identity files,
 * --passphrase-file passphrases, the key home's identity by default, and
 * a terminal passphrase prompt for scrypt archives.  A new way to unlock
 * (e.g. --share SHARE_FILE) is added here once: an option in
 * CLI_UNLOCK_LONGOPTS/CLI_UNLOCK_HELP, a case in cli_unlock_option() and
 * a step in cli_unlock_load() that appends identities to u->ids.
 *
 * Follows cli.h's convention: int functions return 0 or an exit code
 * after printing.  Knows the age API; nothing of archives.
 */
#ifndef CAIRN_CLI_UNLOCK_H
#define CAIRN_CLI_UNLOCK_H

#include <getopt.h>
#include <stddef.h>

#include "cairn/age.h"
#include "cairn/minisig.h"
#include "cli.h"

/* getopt values of the long-only unlock options (above any char). */
enum {
	CLI_UNLOCK_OPT_PASSFILE = 0x1000,
	CLI_UNLOCK_OPT_SHARE,              /* --share (cli_shares.h) */
	CLI_UNLOCK_OPT_SHARE_PASSFILE,     /* --share-passphrase-file */
	CLI_UNLOCK_OPT_FIRST_FREE = 0x1100 /* verbs number theirs from here */
};

// clang-format off
/* Put these in the verb's optstring and option table. */
#define CLI_UNLOCK_SHORTOPTS "i:"
#define CLI_UNLOCK_LONGOPTS \
	{"identity", required_argument, NULL, 'i'}, \
	{"passphrase-file", required_argument, NULL, CLI_UNLOCK_OPT_PASSFILE}, \
	{"share", required_argument, NULL, CLI_UNLOCK_OPT_SHARE}, \
	{"share-passphrase-file", required_argument, NULL, CLI_UNLOCK_OPT_SHARE_PASSFILE}
#define CLI_UNLOCK_USAGE "[-i IDENTITY_FILE]... [--passphrase-file F]..."
#define CLI_UNLOCK_HELP \
	"  -i, --identity FILE      identity file (repeatable; - = stdin);\n" \
	"                           default: the key home's identity\n" \
	"      --passphrase-file F  passphrase of a passphrase-encrypted\n" \
	"                           archive or identity file (repeatable;\n" \
	"                           else asked on the terminal)\n" \
	"      --share SHARE_FILE   a SLIP-39 share file (repeatable): enough\n" \
	"                           of them rebuild a split identity in\n" \
	"                           memory; -i identities decrypt encrypted\n" \
	"                           share files\n" \
	"      --share-passphrase-file F\n" \
	"                           the shares' SLIP-39 passphrase, if any\n"
// clang-format on

struct cli_unlock {
	const char *verb;
	const char **idfiles; /* -i, as given */
	size_t nidfiles;
	const char **passfiles; /* --passphrase-file, as given */
	size_t npassfiles;
	const char **sharefiles; /* --share, as given */
	size_t nsharefiles;
	const char *sharepass; /* --share-passphrase-file */
	struct age_identities ids;
	struct cli_passes ps;
	struct cli_tty_scrypt tty;
	size_t nkeys;     /* identities + passphrases tried */
	int any_age_file; /* decrypt: messages speak of a file, not an archive */
	int loaded;       /* cli_unlock_load(): 1 done, -1 failed, 0 not yet */
	char share_key[AGE_RECIPIENT_STR_LEN]; /* what --share rebuilt, or "" */
	int want_signer;   /* set by the verb: it checks signatures, so the
			    * shares' signer is read (and must agree) */
	int signers_given; /* set by the verb: --signer was given, so shares
			    * naming different signers only warn */
	struct minisig_public share_signer; /* the key the shares record */
	int have_share_signer;              /* ... when they record one */
};

/* Prepare u for a command line of argc words.  Returns 0 or exit code. */
int cli_unlock_init(struct cli_unlock *u, const char *verb, int argc);

/* For a getopt_long result c: 1 when c is an unlock option (recorded),
 * 0 when it is not (the verb handles it). */
int cli_unlock_option(struct cli_unlock *u, int c, const char *arg);

/*
 * Load everything given (call after the archive input claimed stdin, so
 * "-i -" with a stdin archive is refused before a secret is read).  Once
 * it succeeded, later calls (the next archive) do nothing.
 */
int cli_unlock_load(struct cli_unlock *u);

/*
 * Open the age layer of src (named name in messages): age_reader_new()
 * with u's identities, with the messages and hints of `cairn decrypt`
 * (exit 3 when nothing matched, 4 for a malformed header, which is "not
 * a cairn archive" unless u->any_age_file).
 */
int cli_unlock_open(struct cli_unlock *u, const struct cio_source *src,
    const char *name, struct age_reader **r);
/* The messages of cli_unlock_open() for age_reader_new()'s error rc
 * (for a caller that opened the reader itself); returns the exit code. */
int cli_unlock_open_fail(struct cli_unlock *u, int rc, const char *name);

void cli_unlock_free(struct cli_unlock *u);

#endif
