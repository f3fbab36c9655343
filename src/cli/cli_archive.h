/*
 * cli_archive.h - CLI helpers for sealed archives: minisign signing keys
 * (cli_signing.c: loading, creating in the key home, printing the public
 * key), and reading archives for list/verify/open (cli_archive.c: the
 * input and its age layer as one source, error reporting and the
 * human/JSON reports, with the signer named as cli_trust.h decides).
 *
 * Follows cli.h's convention: int functions return 0 or an exit code
 * after printing.  Knows manifest.h, unseal.h and minisig.h.
 */
#ifndef CAIRN_CLI_ARCHIVE_H
#define CAIRN_CLI_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/age.h"
#include "cairn/digest.h"
#include "cli.h"
#include "cli_trust.h"
#include "cli_unlock.h"
#include <jansson.h>

#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "cairn/unseal.h"

/* ---- signing keys (cli_signing.c) -------------------------------------- */

#define CLI_SIGNING_KEY_MAX 4096 /* largest key file read */

/*
 * Load a minisign secret key file (refused when a symlink or accessible
 * by group/others).  An encrypted key is unlocked with the passphrase in
 * passfile, else one asked on the terminal (no terminal: exit 2 with a
 * hint); a wrong passphrase is exit 3.  *sk: minisig_secret_free().
 */
int cli_signing_load(
    const char *path, const char *passfile, struct minisig_secret **sk);

/* Load a public key file (a minisign .pub file, or its base64 line). */
int cli_signer_load(const char *path, struct minisig_public *pk);

/*
 * Create a new signing key pair: the secret key into key_path (0600,
 * encrypted with pass when non-NULL) and the public key into pub_path
 * (0644); neither may exist.  Fills *pk.  On failure neither is left.
 */
int cli_signing_create(const char *key_path, const char *pub_path,
    const struct cli_pass *pass, struct minisig_public *pk);

/*
 * The key home's signing.pub into *pk (*have = 1), refused when others
 * could have changed it (cli_strict_check()) or, when signing.key has no
 * passphrase, when it does not match signing.key.  No signing.pub: 0
 * with *have = 0.  Never asks for a passphrase.
 */
int cli_signing_home_pub(struct minisig_public *pk, int *have);

/*
 * `cairn pubkey --signing`: print the public key file text of the secret
 * key at path (NULL: the key home's signing.pub if it exists, else its
 * signing.key) to stdout.  An encrypted key is unlocked with ps->v[0]
 * (ps NULL or empty: asked on the terminal).  json != 0 prints
 * {"signing_key_id", "signing_public_key"} instead (docs/json.md).
 */
int cli_signing_print_pub(
    const char *path, const struct cli_passes *ps, int json);

/*
 * `cairn keygen` without -o: create the key home (mode 0700) with
 * "identity" (written by write_identity, encrypted with pass when
 * non-NULL), "signing.key" (minisign, 0600, encrypted with pass when
 * non-NULL), "signing.pub" and "recipients" (the identity's recipient,
 * with a comment; added to an existing recipients file, whose lines and
 * mode are kept, via cli_recipients_append()).  Refuses when identity,
 * signing.key or signing.pub exists; on failure removes the keys it
 * wrote (recipients is written last).  Prints the recipient on stdout.
 */
typedef int (*cli_identity_writer)(const char *path,
    const struct cli_pass *pass, char recipient[AGE_RECIPIENT_STR_LEN]);
int cli_keyhome_create(
    const struct cli_pass *pass, cli_identity_writer write_identity);

/* ---- reading archives (cli_archive.c) ----------------------------------- */

struct cli_stamp_report;
struct cli_archive {
	struct cli_in in;
	struct age_reader *r;
	struct cio_source plain; /* the decrypted tar stream */
	/* verify: its time-stamps (cli_stamp.h), reported; NULL: none */
	const struct cli_stamp_report *stamps;
	/* The archive file's bytes as read, hashed on the way (for the
	 * custody log and time-stamps): see cli_archive_file_sha256(). */
	struct cio_source hashed;
	struct digest_async *hash; /* on a second thread if there is a CPU */
	int hashing, eof, hash_done;
	uint64_t size;
	uint8_t file_sha256[32];
};

/* What cli_archive_open() hashes the archive file for (SHA-256 is about
 * 0.5 s of CPU per GiB, so only when something uses it). */
enum cli_archive_hash {
	CLI_ARCHIVE_NO_HASH = 0, /* list, pull: nothing records it */
	CLI_ARCHIVE_HASH_LOG,    /* verify, open: for the custody log when a
				  * key home exists, and for ARCHIVE.tsr */
	CLI_ARCHIVE_HASH,        /* always (stamp) */
};

/* Open path ("-" = stdin), load u's keys and open the age layer, hashing
 * the file as it is read when want asks for it.  With tr (may be NULL),
 * the signer u's --share files record is trusted too
 * (cli_trust_add_shares()). */
int cli_archive_open(struct cli_archive *a, const char *path,
    struct cli_unlock *u, struct cli_trust *tr, enum cli_archive_hash want);
void cli_archive_close(struct cli_archive *a);
/* The SHA-256 of the archive file into out when it was read to its end
 * (after cli_archive_check()); returns 0, or -1 when it was not (a
 * failure before the end) or could not be hashed. */
int cli_archive_file_sha256(struct cli_archive *a, uint8_t out[32]);

/*
 * verify and open: read all of a (after cli_archive_open) with
 * unseal_run(), under a progress display labelled verb (a string literal;
 * off when quiet), under tr's trust policy; ops receives the members
 * (NULL: check only).  Returns unseal_run()'s result (0 or an enum
 * cairn_err; nothing printed) and fills res.
 */
int cli_archive_check(struct cli_archive *a, const char *verb,
    const struct cli_trust *tr, const struct unseal_ops *ops, int quiet,
    struct unseal_result *res);

/*
 * The end of verify and open.  rc: cli_archive_check()'s result, or the
 * caller's own later error; ec: 0, or the exit code of that error (already
 * printed).  Reports a failed check (when ec is 0), warns when all went
 * well but the archive is unsigned or its signer untrusted (accepted by
 * an opt-in), then prints the report (none when quiet without json;
 * dest: open's directory or NULL).  Returns the exit code.
 */
int cli_archive_finish(const struct cli_archive *a, const struct cli_trust *tr,
    const struct unseal_result *res, int rc, int ec, const char *dest, int json,
    int quiet);

/* Append action's custody log entry (cli_custody.h): the archive id
 * when the manifest was read, the file's SHA-256 when it was read to the
 * end, exit code ec; unsigned. */
void cli_archive_log(struct cli_archive *a, const char *action,
    const struct unseal_result *res, int ec);

/* Report a failed unseal_run() on archive name (tr: the trust of the
 * call, for hints; may be NULL); returns the exit code. */
int cli_archive_fail(int rc, const struct unseal_result *res,
    const struct cli_trust *tr, const char *name);

/* Print the manifest res->m as `cairn list` shows it, the signer named
 * against tr ("trusted: NAME" or "unknown key FINGERPRINT"), nothing
 * verified. */
void cli_archive_print_manifest(
    const struct unseal_result *res, const struct cli_trust *tr);

/* The manifest's skipped list as a JSON array of {"path", "reason"}
 * (empty when nothing was skipped), or NULL when out of memory. */
json_t *cli_skipped_json(const struct manifest *m);
/* Key id of the manifest's signer into out ("" when unsigned). */
void cli_archive_signer_id(
    const struct manifest *m, char out[MINISIG_KEY_ID_HEX_LEN]);

/* The trusted name of res's signer in tr, or NULL when not trusted. */
const char *cli_archive_signer_name(
    const struct unseal_result *res, const struct cli_trust *tr);

/* Print the verify/open report: human text, or JSON when json != 0.
 * rc/exit_code describe the outcome; dest is open's directory or NULL. */
int cli_archive_report(const struct cli_archive *a, const struct cli_trust *tr,
    const struct unseal_result *res, int rc, int exit_code, const char *dest,
    int json);

#endif
