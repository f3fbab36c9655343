/*
 * cli.h - the toolkit every cairn subcommand (src/cli/cmd_*.c) is built
 * from: messages, exit codes, option errors, passphrases, identity and
 * recipient loading, the key home, input and atomic output.
 *
 * Conventions for every cli_* function below that returns int: it returns
 * 0 on success, or a non-zero *exit code* (CLI_EXIT_*) after it has
 * already printed the error (and hint) itself.  So a command is written
 *
 *	if ((ec = cli_in_open(&in, path)) != 0)
 *		goto out;
 *
 * and returns ec from its handler.  The exception is cli_exit_code(),
 * which maps a library error (enum cairn_err) to an exit code and prints
 * nothing.
 *
 * Library modules (the src/ library) never print or exit; only this directory does.
 * Nothing here knows about archives, manifests or shares.
 */
#ifndef CAIRN_CLI_H
#define CAIRN_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cairn/age.h"
#include "cairn/cio.h"

#ifndef CAIRN_VERSION
#define CAIRN_VERSION "unknown"
#endif

/* ---- exit codes (documented in README.md and `cairn --help`) --------- */
#define CLI_EXIT_OK        0
#define CLI_EXIT_ERR       1 /* I/O, resources, unsafe permissions, other */
#define CLI_EXIT_USAGE     2 /* bad command line */
#define CLI_EXIT_NO_MATCH  3 /* no identity/passphrase matched; too few shares */
#define CLI_EXIT_INTEGRITY 4 /* corrupted, truncated or forged input */
#define CLI_EXIT_SIGNATURE 5 /* signature missing, bad or wrong key */
#define CLI_EXIT_REMOTE    6 /* remote store unreachable or refused */
#define CLI_EXIT_PARTIAL   7 /* salvage: partially recovered */
/* Killed by a signal we handle: 128 + signo (129 HUP, 130 INT, 143 TERM);
 * 141 when standard output is a closed pipe (as with SIGPIPE). */
#define CLI_EXIT_PIPE 141

/* Exit code for a library error (enum cairn_err); 0 for 0.  Prints nothing. */
int cli_exit_code(int err);

/* The text of the exit-code table, for `--help` outputs. */
extern const char cli_exit_code_help[];

/* ---- process setup ---------------------------------------------------- */

/*
 * First thing in main(): sodium_init(), core dumps off (RLIMIT_CORE 0 and
 * PR_SET_DUMPABLE 0), SIGINT/SIGTERM/SIGHUP handler (removes pending
 * atomic temp files, restores the terminal if echo is off, _exit(128+sig)),
 * SIGPIPE ignored (a closed stdout pipe is handled by cli_out, see below),
 * SIGXFSZ ignored (a file size limit is then an EFBIG write error).
 * Returns 0 or an exit code (after printing).
 */
int cli_setup(void);
/* Also run fn (async-signal-safe, e.g. extract_abort_signal_safe) from
 * that handler, before it removes the temp files.  Adding the same fn
 * twice is a no-op.  Returns 0, or CLI_EXIT_ERR (after printing) when the
 * fixed table (one slot per cleanup function in the code) is full: never
 * a silent drop. */
int cli_at_signal(void (*fn)(void)) __attribute__((warn_unused_result));
/* on: hold SIGINT, SIGTERM and SIGHUP (they stay pending); off: deliver
 * them (the handler then cleans up and exits).  For the few steps that
 * must not be cut in two; never nested. */
void cli_signals_defer(int on);
/* main() calls this when the command returned: an exit() before that
 * (from inside a library) runs the same cleanups and prints an error. */
void cli_main_done(void);

/* ---- messages ----------------------------------------------------------
 * All go to stderr as one line each.  Every byte < 0x20 or == 0x7f of the
 * formatted text is printed as \xNN, so user-supplied strings (file names,
 * key strings) can be passed through %s safely.
 */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warn when the secret file at path (what: "identity file", ...) was
 * accepted only because its file system cannot store permissions (FAT,
 * exFAT; see cio_read_file); stdin_opt ("-i -") names the way to give it
 * on standard input instead, or NULL. */
void cli_warn_modeless(
    const char *path, const char *what, const char *stdin_opt);
/* "cairn: error: <what>: <why>" where why is strerror(errno) for
 * CAIRN_ERR_IO (errno as it is now) and cairn_strerror(err) otherwise;
 * returns cli_exit_code(err) (CLI_EXIT_ERR if err is 0). */
int cli_fail(int err, const char *what_fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Same, with an explicit reason string. */
int cli_fail_why(int exit_code, const char *why, const char *what_fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Warn (with a removal hint) about each leftover of an interrupted run
 * beside dest: with staging, open's ".DEST.cairn-XXXXXX" directories,
 * else an output's ".DEST.XXXXXX" temp files (only those of this user).
 * Never removes anything.  Returns how many were found. */
int cli_leftovers_warn(const char *dest, int staging);
struct extract;
/* Begin extracting into dest (which must not exist) for open and salvage:
 * warn of leftovers beside it, abort the staging directory on a signal,
 * warn when its parent is writable by others and not sticky.  *x is the
 * caller's to commit or abort.  Returns 0 or an exit code after printing
 * (cli_extract.c). */
int cli_extract_start(const char *dest, struct extract **x);
/* The destination of an extracting verb (open, salvage) must not exist:
 * 0 when dest does not, else CLI_EXIT_ERR after an error and a hint
 * naming verb (cli_extract.c). */
int cli_extract_dest_new(const char *verb, const char *dest);
/*
 * s quoted for a POSIX shell when it needs it ('...' with '\'' for a
 * quote; s itself when it is plain), for commands shown in hints.  The
 * result lives in one of 4 static buffers reused in turn: use it before
 * the fourth next call (cli_quote.c).  Very long paths are cut.
 */
const char *cli_sh(const char *s);
/* Write s to stream fd with control bytes escaped (no newline added). */
void cli_print_escaped(int fd, const char *s);
/*
 * The first error message printed since the last cli_messages_reset()
 * (escaped as printed, without "cairn: error: "), and the first hint
 * that followed it; "" when none.  For --json error objects (cli_json.h).
 */
const char *cli_last_error(void);
const char *cli_last_hint(void);
void cli_messages_reset(void);

/* ---- command line ----------------------------------------------------- */

/*
 * Each command handler has this type; argv[0] is the verb.  It parses its
 * own options with getopt_long (call cli_getopt_reset() first), prints its
 * usage on --help (exit 0), and returns an exit code.
 */
typedef int (*cli_handler)(int argc, char **argv);

/* Reset getopt state so a handler can parse argv from the start. */
void cli_getopt_reset(void);
/*
 * For getopt_long with opterr = 0 and an optstring starting with ':': call
 * on a '?' or ':' result.  Prints "unknown option" / "option needs an
 * argument" with a hint to `cairn VERB --help`, returns CLI_EXIT_USAGE.
 */
int cli_option_error(const char *verb, int c, char **argv);
/*
 * getopt_long() that refuses abbreviated long options: "--pass=x" is
 * '?' (optopt 0), not a silent "--passphrase-file=x".  Same arguments and
 * results as getopt_long otherwise; cli_option_error() reports it
 * without echoing anything after '='.
 */
struct option;
int cli_getopt(int argc, char *const argv[], const char *optstring,
    const struct option *longopts, int *longindex);
/* Print a usage error for verb with a hint; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *verb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * The verb's one operand, after getopt_long: *path = argv[optind], or
 * NULL when there is none.  None is a usage error when required ("no
 * WHAT given (use - for standard input)"), and so is a second operand
 * ("more than one WHAT ('...')").  what names the operand (ARCHIVE,
 * INPUT).  Returns 0 or CLI_EXIT_USAGE.
 */
int cli_one_operand(const char *verb, const char *what, int required, int argc,
    char **argv, const char **path);
/* Print usage text to stdout (for --help); returns CLI_EXIT_OK. */
int cli_print_help(const char *text);
/* One subcommand of a verb; a table ends with a NULL name. */
struct cli_subcmd {
	const char *name;
	cli_handler fn; /* gets argv[0] = the subcommand */
};
/*
 * Run the subcommand argv[1] of verb from table t (help: the verb's
 * --help text).  A missing or unknown subcommand is a usage error naming
 * the table's subcommands.  Returns the handler's exit code.
 */
int cli_subcmd_run(const char *verb, const char *help,
    const struct cli_subcmd *t, int argc, char **argv);

/* ---- standard input ownership -----------------------------------------
 * Only one thing may read stdin (the input, an identity "-", a passphrase
 * file "-").  cli_claim_stdin() records what uses it and fails with a
 * usage error (exit 2) if something else already did.
 */
int cli_claim_stdin(const char *what);
/*
 * The one reader of small key and secret files: cio_read_file(path, max,
 * secret) into *text (free with cio_secret_free).  The caller claims
 * stdin for "-".  With secret != 0 a symlink or a file open to group or
 * others is refused.  Failures are printed naming path and what ("identity
 * file"): "PATH: WHAT is accessible by group or others" + "hint: chmod
 * 600 PATH", "PATH: WHAT is a symbolic link, refusing", "PATH: WHAT too
 * large" (each exit 1), else cli_fail's.  Returns 0 or the exit code.
 * cli_read_error() prints those for a cio_read_file result rc != 0 (call
 * it right after: it reads errno).
 */
int cli_read_small(const char *path, size_t max, int secret, const char *what,
    char **text, size_t *len);
int cli_read_error(int rc, const char *path, const char *what);

/* ---- passphrases ------------------------------------------------------ */

#define CLI_PASS_MAX  1024 /* bytes; longer passphrases are refused */
#define CLI_PASS_WEAK 8    /* keygen warns below this many bytes */

/* A passphrase in sodium_malloc'd memory; free with cli_pass_free(). */
struct cli_pass {
	char *buf; /* NUL-terminated, CLI_PASS_MAX + 1 bytes */
	size_t len;
};

/*
 * Read a passphrase from a file ("-" = stdin): refuses an empty file,
 * strips one trailing "\n" (or "\r\n"), refuses more than CLI_PASS_MAX
 * bytes.  Warns when the file is readable by group or others.
 */
int cli_pass_from_file(struct cli_pass *p, const char *path);
/*
 * Read a passphrase from /dev/tty with echo off (prompt on the terminal).
 * confirm != 0 asks twice and requires both to match, and refuses an
 * empty passphrase.  Without a terminal: exit 2 with a hint to use
 * --passphrase-file.  The terminal is restored on return and on
 * SIGINT/SIGTERM/SIGHUP.
 */
int cli_pass_from_tty(struct cli_pass *p, const char *prompt, int confirm);
/* The option that answers the next cli_pass_from_tty() prompt in this verb
 * (e.g. "--signing-passphrase-file"), named by its no-terminal hint;
 * default "--passphrase-file".  Reset by that call. */
void cli_pass_tty_option(const char *option);
void cli_pass_free(struct cli_pass *p);
/* 1 when /dev/tty can be opened (a passphrase prompt is possible). */
int cli_have_tty(void);

/* Passphrases given as repeated --passphrase-file options. */
#define CLI_MAX_PASSES 16
struct cli_passes {
	struct cli_pass v[CLI_MAX_PASSES];
	size_t n;
};
/* Read one more --passphrase-file into ps. */
int cli_passes_add_file(struct cli_passes *ps, const char *path);
void cli_passes_free(struct cli_passes *ps);

/* ---- key home ----------------------------------------------------------
 * $CAIRN_HOME, else $XDG_CONFIG_HOME/cairn, else $HOME/.config/cairn.
 * It holds "identity", "signing.key", "signing.pub", "recipients" and
 * "signers" (trusted signing keys, cli_trust.h).
 */
#define CLI_HOME_IDENTITY    "identity"
#define CLI_HOME_SIGNING_KEY "signing.key"
#define CLI_HOME_SIGNING_PUB "signing.pub"
#define CLI_HOME_RECIPIENTS  "recipients"
#define CLI_HOME_SIGNERS     "signers"
/* Malloc'd key home directory path (caller frees), or NULL after printing
 * an error (no $HOME, out of memory). */
char *cli_key_home(void);
/* The same without printing: NULL with *unset 1 when no variable names
 * it, NULL with *unset 0 when out of memory. */
char *cli_key_home_quiet(int *unset);
/* Malloc'd path of name inside the key home, or NULL after printing. */
char *cli_key_home_path(const char *name);
/* Make the key home directory (0700) when it is missing (its parent must
 * exist).  Returns 0 or an exit code after printing; allocates nothing
 * that outlives the call. */
int cli_key_home_make(void);
/* 1 if path exists (lstat), else 0. */
int cli_exists(const char *path);
/*
 * StrictModes (as OpenSSH's) for what decides whom cairn encrypts to and
 * trusts: the key home itself and its public files (recipients,
 * signing.pub, signers).  path must be owned by the user or root and not
 * writable by group or others; else an error naming path with a chmod (or
 * chown) hint, exit 1.  A missing path passes (the caller decides what
 * that means).  The one place this rule lives (cli_keyhome.c).
 */
int cli_strict_check(const char *path);
/* The path of the key home's public file name: checks the key home and
 * the file with cli_strict_check().  0 with *path malloc'd (caller
 * frees; the file may not exist), or an exit code (printed). */
int cli_key_home_public(const char *name, char **path);

/* ---- identities and recipients ---------------------------------------- */

#define CLI_IDENTITY_MAX   (1024 * 1024) /* largest identity file read */
#define CLI_RECIPIENTS_MAX (1024 * 1024)

/*
 * Load an identity file (age format, "-" = stdin) into ids.  The file is
 * read with cio_read_file(secret = 1): a symlink is refused, and a file
 * readable or writable by group/others is refused with exit 1 and
 * "hint: chmod 600 FILE".  A passphrase-encrypted identity file is
 * decrypted with each passphrase in ps in turn, or, when ps is NULL or
 * empty, with one read from the terminal.
 */
int cli_load_identity_file(
    struct age_identities *ids, const char *path, const struct cli_passes *ps);
/*
 * cli_load_identity_file() for each of the n files (-i); with n == 0, for
 * the key home's identity file when it exists.  When n == 0 and there is
 * none: 0 with nothing loaded, or, when require_for names a verb, a usage
 * error (exit 2) saying so.  Returns 0 or an exit code (message printed).
 */
int cli_load_identities(struct age_identities *ids, const char *const *files,
    size_t n, const struct cli_passes *ps, const char *require_for);
/*
 * cli_load_identities() for share and combine, whose --passphrase-file
 * means something else: an encrypted identity file is decrypted with the
 * passphrase in the file idpass (--identity-passphrase-file), or when
 * NULL one asked on the terminal (whose no-terminal hint names that
 * option).
 */
int cli_load_identities_idpass(struct age_identities *ids,
    const char *const *files, size_t n, const char *idpass,
    const char *require_for);
/* Add a recipient string (-r): a bad one is a usage error (exit 2). */
int cli_add_recipient(
    struct age_recipients *rs, const char *s, const char *opt);
/* "an age public key (age1...)" or "a minisign public key" when the
 * file at path holds a public key (and no secret one), else NULL. */
const char *cli_public_key_kind(const char *path);
/* When the file at path is a public key given where what (a secret key:
 * "identity file", "signing key") was expected, say so: exit 1; else 0
 * and nothing printed. */
int cli_not_public(const char *path, const char *what);
/* 1 when s has the shape of an X25519 age1... recipient (62 characters,
 * all Bech32), so that failing to parse it means a bad checksum. */
int cli_recipient_bad_checksum(const char *s);
/* Add a recipients file (-R, "-" = stdin): one age1... per line. */
int cli_add_recipients_file(struct age_recipients *rs, const char *path);
/* What -r, -R, -p and --passphrase-file said (encrypt, seal).  The
 * arrays hold at most argc entries; the caller owns them. */
struct cli_recipient_opts {
	const char **rstr, **rfiles; /* -r, -R as given */
	size_t nr, nR;
	int ask;              /* -p or --passphrase-file */
	const char *passfile; /* --passphrase-file */
};
/*
 * The one place encrypt and seal gather recipients: -r strings, then -R
 * files, or, with neither, the key home's recipients file (missing: a
 * usage error naming verb).  With o->ask it loads nothing (a passphrase
 * with -r or -R is a usage error): cli_passphrase_recipient() adds the
 * scrypt recipient when the verb is ready to ask for it (from
 * --passphrase-file, else twice on the terminal).
 */
int cli_load_recipients(const char *verb, const struct cli_recipient_opts *o,
    struct age_recipients *rs);
int cli_passphrase_recipient(
    const struct cli_recipient_opts *o, struct age_recipients *rs);
/*
 * Add lines (whole lines: comments and an age1... recipient, each ending
 * in "\n") to the recipients file at path, keeping what it holds (a
 * missing last newline is supplied); a missing file is created.  The new
 * file, with the given mode, replaces the old one atomically
 * (cio_atomic_*): on failure path is as it was, even when the new file
 * was already in place (a failed directory fsync): the old content is
 * then put back.  Only when that fails too, path keeps the new lines
 * (warned) and *left_new (when not NULL) is set to 1.
 */
int cli_recipients_append(
    const char *path, const char *lines, mode_t mode, int *left_new);
/*
 * Replace the small text file at path with len bytes of buf (mode)
 * atomically, with cli_recipients_append()'s promise: on failure (the
 * error printed, its exit code returned) path is as it was, which prev
 * describes (had: it existed, with text, len and mode), even when the new
 * file was already in place (a failed directory fsync): the old content
 * is then put back.  Only when that fails too, path keeps the new
 * content (warned) and *left_new (when not NULL) is set to 1.  0 on
 * success.
 */
struct cli_prev {
	int had;
	const char *text;
	size_t len;
	mode_t mode;
};
int cli_file_replace(const char *path, const char *buf, size_t len, mode_t mode,
    const struct cli_prev *prev, int *left_new);

/*
 * An identity to put last in a decryption identity list: when the header
 * holds an scrypt stanza and no other identity matched, it asks for the
 * passphrase on the terminal (once) and tries it.  Without a terminal it
 * matches nothing and sets wanted_passphrase so the caller can hint.
 * cli_tty_scrypt_add() initialises t and appends the identity to ids;
 * t must outlive ids.  exit_code is non-zero (and printed) when reading
 * the passphrase failed.
 */
struct cli_tty_scrypt {
	int wanted_passphrase; /* an scrypt stanza was seen */
	int no_tty;            /* ... but there was no terminal */
	int exit_code;         /* set when reading the passphrase failed */
};
int cli_tty_scrypt_add(struct age_identities *ids, struct cli_tty_scrypt *t);

/* ---- input and output ------------------------------------------------- */

#define CLI_IO_BLOCK (1024 * 1024) /* streaming block size */

struct cli_in {
	int fd;
	int own;          /* fd is ours to close */
	const char *name; /* for messages: the path or "standard input" */
	struct cio_source src;
};
/* Open path for reading; NULL or "-" is stdin (claimed). */
int cli_in_open(struct cli_in *in, const char *path);
void cli_in_close(struct cli_in *in);

struct cli_out {
	int fd;
	const char *name; /* the path or "standard output" */
	int atomic;       /* writing through a (cio_atomic) temp file */
	struct cio_atomic a;
	struct cio_sink sink; /* writes to fd; records errors */
	int write_errno;      /* errno of the first failed write, or 0 */
};
/*
 * Open the output: NULL or "-" is stdout; else an atomic temp file beside
 * path with the given mode, refusing an existing path unless force (exit
 * 1 with a --force hint).  When in is non-NULL, refuses (exit 2) to write
 * to the file it reads from (also for stdout redirected to it).
 * Writing to a closed stdout pipe exits quietly with 141 after removing
 * pending temp files.
 */
int cli_out_open(struct cli_out *o, const char *path, mode_t mode, int force,
    const struct cli_in *in);
/* The same with exists_hint as the hint for an existing path (seal never
 * suggests --force for an archive). */
int cli_out_open_hint(struct cli_out *o, const char *path, mode_t mode,
    int force, const struct cli_in *in, const char *exists_hint);
/* Finish: commit the atomic file (or flush nothing for stdout). */
int cli_out_commit(struct cli_out *o);
/* Give up: remove the temp file.  Safe after commit and twice. */
void cli_out_abort(struct cli_out *o);
/*
 * Flush stdout; returns 0 or an exit code.  Every verb ends what it
 * printed to stdout with this (or cli_stdout_fail() after a failed
 * write(2) to STDOUT_FILENO).  When the reader of a stdout pipe has gone,
 * it prints nothing and returns CLI_EXIT_PIPE, as a SIGPIPE death would
 * look (SIGPIPE is ignored, see cli_setup); any other error is printed
 * ("standard output: <errno text>") and gives its exit code.
 */
int cli_flush_stdout(void);
/* The same for a write to stdout that failed, with errno as it left it. */
int cli_stdout_fail(void);
/*
 * Report err from a streaming loop: if a write to o failed, reports the
 * write error on o->name, else "<verb>: <in name>: <reason>"; returns the
 * exit code.
 */
int cli_stream_fail(int err, const char *what, const struct cli_in *in,
    const struct cli_out *o);

#endif
