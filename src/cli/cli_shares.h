/*
 * cli_shares.h - SLIP-39 share files for the CLI: reading them (plain or
 * age-encrypted), choosing a valid subset and combining it with messages
 * that name the share file at fault, writing share sets (plain or
 * encrypted to one contact each, optionally shown as words and QR codes),
 * and the share verbs themselves (split, combine, share, recovery).
 *
 * The share file format is documented in docs/format.md, "Share files":
 * '#' comment lines and blank lines, and one SLIP-39 mnemonic.  The only
 * comments read back are "# recovers: age1..." (the public key the set
 * recovers, checked after combining), "# label: TEXT", and "# signer:
 * RW..." with "# signer fingerprint: ..." (the journalist's minisign
 * public key, which `recovery init` records; trusted by --share).  An encrypted
 * share file is an age file (armored when cairn writes it) whose
 * plaintext is such a share file.
 *
 * Everything here follows cli.h's convention: int functions return 0 or
 * an exit code after printing.  Share values, mnemonics and share texts
 * live in sodium_malloc'd memory.  Knows slip39.h and age.h; nothing of
 * archives.
 */
#ifndef CAIRN_CLI_SHARES_H
#define CAIRN_CLI_SHARES_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/age.h"
#include "cairn/minisig.h"
#include "cli.h"
#include "cairn/slip39.h"

/* Format-shaping constants (docs/format.md, "Share files"). */
#define CLI_SHARE_FILE_MAX  (64 * 1024) /* largest share file read */
#define CLI_SHARE_TEXT_MAX  2048        /* largest share text cairn writes */
#define CLI_SHARE_LABEL_MAX 64          /* bytes of a "# label:" */
#define CLI_SHARE_RECOVERS  "recovers:" /* comment key of the public key */
#define CLI_SHARE_LABEL     "label:"    /* comment key of the label */
#define CLI_SHARE_SIGNER    "signer:"   /* the journalist's public key */
#define CLI_SHARE_SIGNER_FP "signer fingerprint:" /* and its fingerprint */
/* Share sets cairn writes: extendable (SLIP-39 "ext" = 1), and this
 * iteration exponent unless --iteration-exponent says otherwise. */
#define CLI_SHARE_ITERATION_EXPONENT 1
/* At most this many share files per command (16 groups of 16). */
#define CLI_SHARES_MAX (SLIP39_MAX_SHARES * SLIP39_MAX_SHARES)

/* One share file, read and decoded. */
struct cli_share {
	const char *path;                     /* as given (not owned) */
	int encrypted;                        /* the file was an age file */
	struct slip39_share s;                /* decoded share (SECRET) */
	char recovers[AGE_RECIPIENT_STR_LEN]; /* "" when not recorded */
	char label[CLI_SHARE_LABEL_MAX + 1];  /* "" when none */
	int member_count; /* "# share: M of N": N; 0 when not recorded */
	int has_signer;   /* "# signer:" present */
	struct minisig_public signer; /* the key it names (when has_signer) */
};

/* Shares loaded from files; v is sodium_allocarray'd (holds secrets). */
struct cli_shares {
	struct cli_share *v;
	size_t n, cap;
	int damaged_ec; /* exit code of the first damaged share left out */
};

/*
 * Read share file path: decrypt it with ids when it is an age file (ids
 * may be NULL or empty: then an encrypted file fails with exit 3), parse
 * comments, decode the mnemonic (errors exit 4 naming the file and, for
 * an unknown word, its 1-based position; nothing is ever corrected).
 * When text_out is not NULL it receives the plaintext share file
 * (sodium_malloc'd, NUL-terminated, *text_len bytes; free with
 * cio_secret_free).  sh is wiped on failure.
 */
int cli_share_read(struct cli_share *sh, const char *path,
    const struct age_identities *ids, char **text_out, size_t *text_len);

/* Read n share files into ss (allocated here; free with cli_shares_free
 * also on failure). */
int cli_shares_read(struct cli_shares *ss, const char *const *paths, size_t n,
    const struct age_identities *ids);
void cli_shares_free(struct cli_shares *ss);

/*
 * Pick a valid subset of ss (group threshold groups, member threshold
 * distinct members each; extra shares are left out, the same share twice
 * counts once) and combine it with the SLIP-39 passphrase (pass may be
 * NULL).  Writes the secret to secret (cap bytes) and *len.  Errors, each
 * naming files: different sets, inconsistent or tampered shares (exit
 * 4), too few shares or groups ("need 3 shares, have 2", exit 3).
 */
int cli_shares_combine(const struct cli_shares *ss, const struct cli_pass *pass,
    uint8_t *secret, size_t cap, size_t *len);

/*
 * Check a recovered secret against the public key the share files record
 * (if any): a 32-byte secret whose X25519 public key differs is reported
 * as "does not match" (exit 3; usually a wrong SLIP-39 passphrase).  When
 * recipient is not NULL it receives the secret's age1 string (32-byte
 * secrets only; "" otherwise).
 */
int cli_shares_check_key(const struct cli_shares *ss, const uint8_t *secret,
    size_t len, char recipient[AGE_RECIPIENT_STR_LEN]);

/*
 * For `--share` on decrypt/list/verify/open: read the share files (paths,
 * n of them), decrypting encrypted ones with the identities already in
 * ids (the -i files), combine them with the SLIP-39 passphrase in
 * passfile (NULL: none), check the recorded key, and append the recovered
 * identity to ids, its public key ("age1...") to recipient.  Unless signer
 * is NULL (decrypt: no signature to check), the signing key the shares
 * record ("# signer:") goes to *signer with *have_signer = 1 (0 when none
 * does); shares that record different keys are exit 5, or only a warning
 * when lenient (the caller was given --signer).
 * Nothing is written to disk.
 */
int cli_shares_add_identity(struct age_identities *ids,
    const char *const *paths, size_t n, const char *passfile,
    char recipient[AGE_RECIPIENT_STR_LEN], struct minisig_public *signer,
    int *have_signer, int lenient);

/*
 * The SLIP-39 passphrase from a file (--passphrase-file of split/combine,
 * --share-passphrase-file elsewhere): refuses anything but printable
 * ASCII (exit 2).  opt names the option in messages.
 */
int cli_shares_pass(struct cli_pass *p, const char *path, const char *opt);

/*
 * Read the single X25519 secret key of an identity file into sk (a
 * sodium_malloc'd buffer).  An age-encrypted identity file is decrypted
 * with the passphrase in passfile (split --identity-passphrase-file), or
 * when NULL one read from the terminal.  Files with no key or more than
 * one are refused.
 */
int cli_identity_secret(
    const char *path, const char *passfile, uint8_t sk[AGE_X25519_KEY_LEN]);

/* Read a small secret file ("-" = stdin) with cio_read_file(secret = 1)
 * into *text (free with cio_secret_free): a symlink or a file readable by
 * group or others is refused (exit 1, "hint: chmod 600").  what names the
 * kind of file in messages. */
int cli_read_secret_file(
    const char *path, size_t max, const char *what, char **text, size_t *len);

/* ---- writing share sets (cli_share_write.c) --------------------------- */

struct cli_share_set {
	const char *dir; /* write one file per share here; NULL: don't */
	int raw;         /* files hold only the words */
	int print;       /* also show words and QR codes on stdout */
	const char *const *names;  /* NULL, or one label per share */
	struct age_recipients *to; /* NULL, or one list per share: encrypt */
	const char *recovers;      /* NULL, or the age1 key of the set */
	const struct minisig_public *signer; /* NULL, or the journalist's
	                                      * signing key ("# signer:") */
	const int *member_counts; /* N of each group (by group index) */
	const int *copies;        /* per share: 0, or its copy number in a
				    * 1-of-N group (cli_groups_split) */
	int kits;                 /* one kit directory per share: the share,
				    * README.txt and the signer's
				    * signing.pub (cli_share_kit.c) */
	char **paths;             /* out: n malloc'd file names, or NULL */
	char **kit_dirs;          /* out: with kits, n malloc'd kit
				    * directories */
	int dir_created;          /* out: set->dir was created here */
	int hold;                 /* a signal still removes the written set
				    * until cli_share_set_release() */
};

/*
 * Write shares (n of them, as slip39_split returned them) as share files
 * into set->dir (created 0700 if missing; each file 0600, never replacing
 * one: every target is checked first, and a failure removes the files
 * already written) and/or print them.  Fills set->paths when non-NULL
 * (caller frees each and the array with cli_share_paths_free).
 */
int cli_share_set_write(
    const struct slip39_share *shares, size_t n, struct cli_share_set *set);
void cli_share_paths_free(char **paths, size_t n);
/* The set->dir part of cli_share_set_write() (cli_share_files.c). */
int cli_share_dir_write(
    const struct slip39_share *shares, size_t n, struct cli_share_set *set);
/* Remove every file and kit a successful cli_share_set_write() wrote
 * (a later step failed: shares of a key nobody uses would confuse). */
void cli_share_set_unwrite(struct cli_share_set *set, size_t n);
/* With set->hold: from here on a signal no longer removes the set (call
 * with signals held, once the step that makes the set useful is done). */
void cli_share_set_release(void);

/* Append printf output to out (cap bytes) at *o; -1 when it does not
 * fit. */
int cli_share_add(char *out, size_t cap, size_t *o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Append share s's "share: ..." line (after pre_share) and "threshold:
 * ..." line (after pre_thr) to out at *o; -1 when it does not fit. */
int cli_share_describe(const struct slip39_share *s, int member_count, int copy,
    char *out, size_t cap, size_t *o, const char *pre_share,
    const char *pre_thr);

/* ---- recovery kits (cli_share_kit.c) ---------------------------------- */

#define CLI_KIT_PREFIX "kit-"       /* kit directories: kit-03-alice */
#define CLI_KIT_README "README.txt" /* the kit's instructions */

/*
 * The README of share k's kit (set->names[k] is the contact, share_path
 * the share file beside it, set->signer the journalist's key or NULL)
 * into *text (malloc'd; caller frees).  0 or an exit code.
 */
int cli_kit_readme(const struct cli_share_set *set, size_t k,
    const struct slip39_share *s, const char *share_path, char **text,
    size_t *len);
/* A minisign public key file of signer into *text (malloc'd). */
int cli_kit_signing_pub(
    const struct minisig_public *signer, char **text, size_t *len);

/* The share file text for one share into out (cap bytes, a sodium_malloc'd
 * buffer); signer (may be NULL) is recorded with its fingerprint.
 * Returns the length, or -1 if it does not fit. */
int cli_share_text(const struct slip39_share *s, int member_count, int copy,
    const char *label, const char *recovers,
    const struct minisig_public *signer, int raw, char *out, size_t cap);

/* The shape of a set from -t/-n, --group T/N... and --group-threshold. */
struct cli_groups {
	struct slip39_group_spec g[SLIP39_MAX_SHARES];
	size_t n;       /* groups */
	int t, nshares; /* -t and -n (0: not given) */
	int gt;         /* --group-threshold (0: not given) */
	int member_counts[SLIP39_MAX_SHARES]; /* out: N by group */
	size_t total;                         /* out: shares in the set */
};
/* Parse one --group "T/N" into gs; 0 or exit 2. */
int cli_groups_add(const char *verb, struct cli_groups *gs, const char *arg);
/* Check the options and settle the groups (-t T -n N is one group T/N; n
 * defaults to default_n when > 0); 0 or exit 2. */
int cli_groups_finish(const char *verb, struct cli_groups *gs, int default_n);

/*
 * Split secret (len bytes) as gs says, extendable, with iteration exponent
 * exp and the SLIP-39 passphrase pass (may be NULL): *out receives
 * gs->total shares in group order (free with slip39_shares_free).  SLIP-39
 * refuses 1-of-N member sharing; a 1-of-N group is made as one 1-of-1
 * share written N times, and copies[k] (CLI_SHARES_MAX entries) says which
 * copy share k is (1..N), or 0 for an ordinary share.
 */
int cli_groups_split(const struct cli_groups *gs, const uint8_t *secret,
    size_t len, const struct cli_pass *pass, int exp, struct slip39_share **out,
    int *copies);

/* Parse a decimal option value opt=arg in min..max into *out; 0 or exit
 * 2. */
int cli_shares_int(const char *verb, const char *opt, const char *arg, int min,
    int max, int *out);

/* Show text as a QR code (UTF-8 half blocks) on fd (cli_qr.c). */
int cli_qr_print(int fd, const char *text);

#endif
