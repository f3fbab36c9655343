/*
 * cli_trust.h - whose signatures count for verify, open and list: the
 * trusted signers of one call.  By default the key home's own
 * signing.pub and its "signers" file (docs/format.md, "The signers
 * file"); --signer KEY (repeatable) replaces both for the call; without
 * it, the signer the --share files record is added (cli_shares.h).  --any-signer
 * and --allow-unsigned are the two separate opt-ins of the policy that
 * unseal.h applies.
 *
 * Follows cli.h's convention: int functions return 0 or an exit code
 * after printing.  Knows minisig.h; nothing of archives.
 */
#ifndef CAIRN_CLI_TRUST_H
#define CAIRN_CLI_TRUST_H

#include <getopt.h>
#include <stddef.h>

#include "cairn/minisig.h"
#include "cli.h"
#include "cli_unlock.h"

/* The name the key home's own signing.pub is shown with. */
#define CLI_TRUST_OWN "you (this key home's signing.pub)"
/* The name of the signer the --share files record. */
#define CLI_TRUST_SHARES "the journalist named by the recovery shares"

/* getopt values (between the unlock options and the verbs' own). */
enum {
	CLI_TRUST_OPT_SIGNER = 0x1080,
	CLI_TRUST_OPT_ANY,
	CLI_TRUST_OPT_UNSIGNED,
};
#define CLI_TRUST_LONGOPTS                                                     \
	{"signer", required_argument, NULL, CLI_TRUST_OPT_SIGNER},             \
	    {"any-signer", no_argument, NULL, CLI_TRUST_OPT_ANY},              \
	{                                                                      \
		"allow-unsigned", no_argument, NULL, CLI_TRUST_OPT_UNSIGNED    \
	}
#define CLI_TRUST_USAGE "[--signer PUBKEY]... [--any-signer] [--allow-unsigned]"
#define CLI_TRUST_HELP                                                         \
	"      --signer PUBKEY      trust only this signing key for this "     \
	"call\n"                                                               \
	"                           (a minisign .pub file or its RW... "       \
	"line;\n"                                                              \
	"                           repeatable), instead of the key home's\n"  \
	"                           signing.pub and signers file\n"            \
	"      --any-signer         accept a valid signature by any key "      \
	"(the\n"                                                               \
	"                           report says the signer is not trusted)\n"  \
	"      --allow-unsigned     accept an unsigned archive\n"

struct cli_trust {
	struct minisig_trust t;
	size_t ngiven;      /* --signer keys: then the store is not read */
	int any_signer;     /* --any-signer */
	int allow_unsigned; /* --allow-unsigned */
	int shares_signer;  /* the --share files' signer was added: */
	struct minisig_public shares_pk; /* ... this key */
};

/* For a getopt_long result c: 1 when c is a trust option (recorded; *ec
 * is set non-zero when its argument was bad), 0 when it is not. */
int cli_trust_option(struct cli_trust *tr, int c, const char *arg, int *ec);

/* For a getopt_long result c of a verb that reads archives: 1 when c is
 * an unlock option (cli_unlock_option()) or a trust option
 * (cli_trust_option(): *ec is set non-zero when its argument was bad), 0
 * when it is neither (the verb handles it).  *ec is 0 otherwise. */
int cli_unlock_trust_option(struct cli_unlock *u, struct cli_trust *tr, int c,
    const char *arg, int *ec);

/* Without --signer: add the key home's signing.pub (when it exists) and
 * the signers file (when it exists), both checked by cli_strict_check(). */
int cli_trust_load(struct cli_trust *tr);

/* Without --signer: trust the signer the --share files of u record
 * (cli_unlock_load() must have run; once is enough, again is a no-op). */
int cli_trust_add_shares(struct cli_trust *tr, const struct cli_unlock *u);

void cli_trust_free(struct cli_trust *tr);

/* A public key given on the command line: the base64 RW... line itself,
 * or a file holding a minisign public key. */
int cli_pubkey_arg(const char *arg, struct minisig_public *pk);

/*
 * The signers file at path into t (zeroed here): a missing file is an
 * empty list.  A bad line is exit 1 naming path and the line.
 */
int cli_signers_file_read(const char *path, struct minisig_trust *t);

#endif
