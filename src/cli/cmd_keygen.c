/*
 * cmd_keygen.c - `cairn keygen`: create an age X25519 identity file in
 * age's own format (readable by `age -d -i`), optionally age-encrypted to
 * a passphrase (scrypt, armored: `age -d` on it gives the plain file).
 * Without -o it sets up the key home (cli_keyhome.c).
 *
 * Knows the age API and the identity file layout; nothing of archives.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "builtin.h"
#include "cli.h"
#include "cli_archive.h" /* cli_keyhome_create */

static const char keygen_help[] =
    "usage: cairn keygen [-o FILE] [--passphrase | --passphrase-file F]\n"
    "\n"
    "Create a new age X25519 identity in FILE (mode 0600; an existing\n"
    "file is never replaced) and print its recipient (age1...) on\n"
    "standard output.  The file is in age's format, usable with\n"
    "`age -d -i FILE`.\n"
    "\n"
    "Without -o, set up the key home (see 'cairn --help'; mode 0700):\n"
    "identity, signing.key (minisign secret key, 0600), signing.pub\n"
    "(minisign public key: minisign -p signing.pub) and recipients (the\n"
    "identity's recipient; the default for 'cairn seal').  A passphrase\n"
    "then protects both identity and signing.key.  An existing identity,\n"
    "signing.key or signing.pub is never replaced (keygen refuses); an\n"
    "existing recipients file (e.g. from 'cairn recovery init') keeps its\n"
    "lines and gets the new recipient added.\n"
    "\n"
    "  -o, --output FILE        where to write the identity\n"
    "  -p, --passphrase         encrypt the identity file with a passphrase\n"
    "                           read from the terminal (asked twice)\n"
    "      --passphrase-file F  ... with the passphrase in file F\n"
    "  -h, --help               show this help\n";

/* Room for the comment lines plus the secret key line. */
#define KEYGEN_TEXT_MAX 256

/* RFC 3339 local time, as age-keygen writes it. */
static void
rfc3339_now(char *buf, size_t cap)
{
	time_t now = time(NULL);
	struct tm tm;
	long off;
	size_t n;

	localtime_r(&now, &tm);
	n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	if (off == 0)
		snprintf(buf + n, cap - n, "Z");
	else
		snprintf(buf + n, cap - n, "%c%02ld:%02ld", off < 0 ? '-' : '+',
		    (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
}

/*
 * Generate an identity and write it to path (0600, never replacing),
 * encrypted to pass when pass != NULL.  Fills recipient.  Returns an exit
 * code (printed).
 */
static int
write_identity(const char *path, const struct cli_pass *pass,
    char recipient[AGE_RECIPIENT_STR_LEN])
{
	uint8_t *sk = NULL, pk[AGE_X25519_KEY_LEN];
	char *text = NULL, created[64];
	char idstr[AGE_IDENTITY_STR_LEN];
	struct age_recipients rs = {NULL, 0};
	struct age_writer *w = NULL;
	struct cli_out out;
	int rc, ec = CLI_EXIT_ERR, n;

	memset(&out, 0, sizeof(out));
	out.atomic = 0;
	if (cli_exists(path)) {
		cli_error("%s: file exists, refusing to overwrite a key", path);
		cli_hint("choose another path, or move the old key away first");
		return CLI_EXIT_ERR;
	}
	if ((sk = cio_secret_malloc(AGE_X25519_KEY_LEN)) == NULL ||
	    (text = cio_secret_malloc(KEYGEN_TEXT_MAX)) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	if ((rc = age_x25519_generate(sk)) != 0 ||
	    (rc = age_x25519_public(sk, pk)) != 0 ||
	    (rc = age_x25519_recipient_string(pk, recipient)) != 0 ||
	    (rc = age_x25519_identity_string(sk, idstr)) != 0) {
		ec = cli_fail(rc, "generating the key");
		goto out;
	}
	rfc3339_now(created, sizeof(created));
	n = snprintf(text, KEYGEN_TEXT_MAX,
	    "# created: %s\n# public key: %s\n%s\n", created, recipient, idstr);
	if (n < 0 || n >= KEYGEN_TEXT_MAX) {
		cli_error("identity text too long");
		goto out;
	}
	if ((ec = cli_out_open(&out, path, 0600, 0, NULL)) != 0)
		goto out;
	if (pass == NULL) {
		rc = out.sink.write(
		    out.sink.ctx, (const uint8_t *)text, (size_t)n);
	} else if ((rc = age_recipients_add_passphrase(&rs, pass->buf,
	                pass->len, AGE_SCRYPT_WORK_FACTOR)) == 0 &&
	    (rc = age_writer_new(&w, &rs, 1, &out.sink)) == 0 &&
	    (rc = age_writer_write(w, (const uint8_t *)text, (size_t)n)) == 0)
		rc = age_writer_finish(w);
	if (rc != 0) {
		ec = out.write_errno != 0
		    ? cli_stream_fail(rc, NULL, NULL, &out)
		    : cli_fail(rc, "%s", path);
		goto out;
	}
	ec = cli_out_commit(&out);
out:
	cli_out_abort(&out);
	age_writer_free(w);
	age_recipients_free(&rs);
	sodium_memzero(idstr, sizeof(idstr));
	if (sk != NULL)
		sodium_free(sk);
	if (text != NULL)
		sodium_free(text);
	return ec;
}

/*
 * `cairn keygen` without -o: fill the key home (identity, recipients,
 * signing.key, signing.pub; see cli_keyhome_create() in cli_keyhome.c).
 */
static int
keygen_home(const struct cli_pass *pass)
{
	return cli_keyhome_create(pass, write_identity);
}

int
cmd_keygen(int argc, char **argv)
{
	enum { OPT_PASSFILE = 256 };
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"passphrase", no_argument, NULL, 'p'},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *outpath = NULL, *passfile = NULL;
	char recipient[AGE_RECIPIENT_STR_LEN];
	struct cli_pass pass = {NULL, 0};
	int c, ask = 0, ec;

	while ((c = cli_getopt(argc, argv, ":ho:p", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': outpath = optarg; break;
		case 'p': ask = 1; break;
		case OPT_PASSFILE: passfile = optarg; break;
		case 'h': return cli_print_help(keygen_help);
		default: return cli_option_error("keygen", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(
		    "keygen", "unexpected argument '%s'", argv[optind]);
	if (ask && passfile != NULL)
		return cli_usage_error("keygen",
		    "give --passphrase or --passphrase-file, not both");
	if (outpath != NULL && strcmp(outpath, "-") == 0)
		return cli_usage_error("keygen",
		    "refusing to write a secret key to standard output");
	if (outpath != NULL && cli_exists(outpath)) {
		cli_error(
		    "%s: file exists, refusing to overwrite a key", outpath);
		cli_hint("choose another path, or move the old key away first");
		return CLI_EXIT_ERR;
	}
	if (passfile != NULL)
		ec = cli_pass_from_file(&pass, passfile);
	else if (ask)
		ec = cli_pass_from_tty(
		    &pass, "Enter passphrase for the new identity: ", 1);
	else
		ec = 0;
	if (ec != 0)
		return ec;
	if (pass.buf != NULL && pass.len < CLI_PASS_WEAK)
		// clang-format off
		cli_warn("the passphrase is only %zu character%s long: whoever gets the key file can guess it quickly; a passphrase of five or more random words is far safer", pass.len, pass.len == 1 ? "" : "s");
	// clang-format on
	if (outpath == NULL)
		ec = keygen_home(pass.buf != NULL ? &pass : NULL);
	else
		ec = write_identity(
		    outpath, pass.buf != NULL ? &pass : NULL, recipient);
	cli_pass_free(&pass);
	if (ec == 0 && outpath != NULL) {
		printf("%s\n", recipient);
		ec = cli_flush_stdout();
	}
	return ec;
}
