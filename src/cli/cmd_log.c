/*
 * cmd_log.c - `cairn log`: print the custody log of the key home, check
 * its hash chain and signatures (`log verify`), and copy one archive's
 * entries out for handing over with it (`log export`).  The format is in
 * docs/format.md ("Custody log").
 *
 * Knows custody.h, minisig.h and cli_archive.h's public-key loading;
 * nothing of archives.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cairn/custody.h"
#include "cairn/err.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "builtin.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_custody.h"
#include "cli_json.h"

static const char log_help[] =
    "usage: cairn log [--json]\n"
    "       cairn log verify [--signer PUBKEY_FILE] [--json]\n"
    "       cairn log export --archive ID -o DIR\n"
    "\n"
    "The custody log of the key home (custody/): one entry per seal,\n"
    "verify, open and stamp, with the UTC time, the action, its result,\n"
    "the cairn version, the archive id and the archive file's SHA-256 and\n"
    "size; never file names, notes or case labels.  Entries are hash-\n"
    "chained; those made with a signing key at hand (every signed seal)\n"
    "are signed in minisign format and cover the unsigned ones before\n"
    "them.\n"
    "\n"
    "  log             print the entries\n"
    "  log verify      check the chain and every signature (exit 4: the\n"
    "                  chain is broken; 5: a signature is missing or bad)\n"
    "  log export      copy the entries of one archive (and their\n"
    "                  signatures) into the new directory DIR\n"
    "\n"
    "      --signer PUBKEY_FILE the signing public key (default: the key\n"
    "                           home's signing.pub)\n"
    "      --archive ID         the archive id (32 hex digits) to export\n"
    "  -o, --output DIR         the directory to create for the export\n"
    "      --json               print JSON\n"
    "  -h, --help               show this help\n";

struct log_args {
	const char *signer, *archive, *output;
	int json;
};

static int
parse(int argc, char **argv, const char *verb, struct log_args *a)
{
	enum { OPT_SIGNER = 256, OPT_ARCHIVE, OPT_JSON };
	static const struct option longopts[] = {
	    {"signer", required_argument, NULL, OPT_SIGNER},
	    {"archive", required_argument, NULL, OPT_ARCHIVE},
	    {"output", required_argument, NULL, 'o'},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(a, 0, sizeof(*a));
	while ((c = cli_getopt(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SIGNER: a->signer = optarg; break;
		case OPT_ARCHIVE: a->archive = optarg; break;
		case 'o': a->output = optarg; break;
		case OPT_JSON: a->json = 1; break;
		case 'h': cli_print_help(log_help); return -1;
		default: return cli_option_error(verb, c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(
		    verb, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* The key home's custody log into log (and its path into *dir). */
static int
load(struct custody_log *log, char **dir)
{
	int rc;

	memset(log, 0, sizeof(*log));
	if ((*dir = cli_key_home_path(CLI_HOME_CUSTODY)) == NULL)
		return CLI_EXIT_ERR;
	if ((rc = custody_load(*dir, log)) != 0)
		return cli_fail(rc, "%s", *dir);
	return 0;
}

static json_t *
entry_json(const struct custody_item *it)
{
	char t[MANIFEST_TIME_LEN];
	json_t *o = json_object();
	const struct custody_entry *e = &it->e;

	if (o == NULL || !it->parsed)
		return o;
	if (manifest_time_format(e->time, t) != 0)
		t[0] = '\0';
	cli_json_set(o, "seq", json_integer((json_int_t)e->seq));
	cli_json_set(o, "time", json_string(t));
	cli_json_set(o, "action", json_string(e->action));
	cli_json_set(o, "result", json_string(e->result));
	cli_json_set(o, "tool", json_string(e->tool));
	cli_json_set(o, "archive_id",
	    strcmp(e->archive_id, "-") != 0 ? json_string(e->archive_id)
	                                    : json_null());
	cli_json_set(o, "sha256",
	    strcmp(e->sha256, "-") != 0 ? json_string(e->sha256) : json_null());
	cli_json_set(o, "size",
	    e->has_size ? json_integer((json_int_t)e->size) : json_null());
	cli_json_set(o, "signer",
	    strcmp(e->signer, "unsigned") != 0 ? json_string(e->signer)
	                                       : json_null());
	return o;
}

static int
print_log(const struct custody_log *log, int json)
{
	char t[MANIFEST_TIME_LEN];
	json_t *o, *a;

	if (json) {
		if ((o = json_object()) == NULL || (a = json_array()) == NULL) {
			json_decref(o);
			return cli_fail(CAIRN_ERR_NOMEM, "log");
		}
		for (size_t i = 0; i < log->n; i++)
			cli_json_append(a, entry_json(&log->v[i]));
		cli_json_set(o, "entries", a);
		return cli_json_print(o);
	}
	for (size_t i = 0; i < log->n; i++) {
		const struct custody_entry *e = &log->v[i].e;

		if (!log->v[i].parsed) {
			printf("%6zu  (damaged entry)\n", i + 1);
			continue;
		}
		if (manifest_time_format(e->time, t) != 0)
			snprintf(t, sizeof(t), "?");
		printf("%6" PRIu64 "  %s  %-7s %-6s %-32s  %s  %s\n", e->seq, t,
		    e->action, e->result, e->archive_id, e->sha256,
		    strcmp(e->signer, "unsigned") == 0 ? "unsigned" : "signed");
	}
	return cli_flush_stdout();
}

// clang-format off
static int
verify_log(const struct custody_log *log, const char *dir, const struct log_args *a)
{
	struct minisig_public pk;
	char *pub = NULL, why[CUSTODY_WHY_LEN];
	size_t unchecked = 0, bad = 0, tail = 0;
	int ec = 0, rc, have_pk = 0;

	if (a->signer != NULL) {
		if ((ec = cli_signer_load(a->signer, &pk)) != 0)
			return ec;
		have_pk = 1;
	} else {
		if ((pub = cli_key_home_path(CLI_HOME_SIGNING_PUB)) == NULL)
			return CLI_EXIT_ERR;
		if (cli_exists(pub) && (ec = cli_signer_load(pub, &pk)) != 0) {
			free(pub);
			return ec;
		}
		have_pk = cli_exists(pub);
		free(pub);
	}
	rc = custody_verify(log, have_pk ? &pk : NULL, &unchecked, &bad, why);
	if (rc == CAIRN_ERR_NOMEM)
		return cli_fail(rc, "%s", dir);
	if (rc != 0) {
		cli_error("%s: entry %zu: %s", dir, bad, why);
		cli_hint("the log was changed after that entry was written; entries before it are intact");
		return cli_exit_code(rc);
	}
	if (unchecked > 0) {
		cli_error("%s: %zu signed entries, but no public key to check them", dir, unchecked);
		cli_hint("give --signer PUBKEY_FILE (the signing key's .pub)");
		return CLI_EXIT_SIGNATURE;
	}
	for (size_t i = log->n; i > 0 && strcmp(log->v[i - 1].e.signer, "unsigned") == 0; i--)
		tail++;
	if (a->json) {
		json_t *o = json_object();

		cli_json_set(o, "ok", json_true());
		cli_json_set(o, "entries", json_integer((json_int_t)log->n));
		cli_json_set(o, "unsigned_tail", json_integer((json_int_t)tail));
		return cli_json_print(o);
	}
	printf("custody log: %zu %s, chain intact, every signature good\n", log->n, log->n == 1 ? "entry" : "entries");
	if (tail > 0)
		printf("custody log: the last %zu entries are not yet covered by a signature (the next signed entry covers them)\n", tail);
	return cli_flush_stdout();
}
// clang-format on

/* Copy src into the new file dst. */
static int
copy_file(const char *src, const char *dst)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if ((rc = cio_read_file(src, 64 * 1024, 0, &text, &len)) != 0)
		return cli_fail(rc, "%s", src);
	rc = cio_write_file(dst, text, len, 0644);
	cio_secret_free(text, len);
	return rc != 0 ? cli_fail(rc, "%s", dst) : 0;
}

static int
export_log(
    const struct custody_log *log, const char *dir, const struct log_args *a)
{
	size_t cap = strlen(dir) + strlen(a->output) + 40, n = 0;
	char *src = NULL, *dst = NULL;
	int ec = 0;

	if (a->archive == NULL || a->output == NULL)
		return cli_usage_error(
		    "log export", "give --archive ID and -o DIR");
	if (strlen(a->archive) != 32 ||
	    strspn(a->archive, "0123456789abcdef") != 32)
		return cli_usage_error("log export",
		    "--archive: an archive id is 32 lower-case hex digits");
	if (mkdir(a->output, 0755) != 0)
		return cli_fail(CAIRN_ERR_IO, "%s", a->output);
	if ((src = cio_malloc(cap)) == NULL ||
	    (dst = cio_malloc(cap)) == NULL) {
		free(src);
		return cli_fail(CAIRN_ERR_NOMEM, "log export");
	}
	for (size_t i = 0; ec == 0 && i < log->n; i++) {
		const struct custody_item *it = &log->v[i];

		if (!it->parsed || strcmp(it->e.archive_id, a->archive) != 0)
			continue;
		for (int sig = 0; ec == 0 && sig < 2; sig++) {
			const char *ext = sig ? ".entry.minisig" : ".entry";

			if (sig && it->sig == NULL)
				continue;
			snprintf(src, cap, "%s/%08" PRIu64 "%s", dir, it->e.seq,
			    ext);
			snprintf(dst, cap, "%s/%08" PRIu64 "%s", a->output,
			    it->e.seq, ext);
			ec = copy_file(src, dst);
		}
		n++;
	}
	free(src);
	free(dst);
	if (ec == 0)
		printf("%zu %s exported to %s\n", n,
		    n == 1 ? "entry" : "entries", a->output);
	return ec != 0 ? ec : cli_flush_stdout();
}

int
cmd_log(int argc, char **argv)
{
	struct custody_log log;
	struct log_args a;
	const char *sub = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
	char *dir = NULL;
	int ec;

	memset(&log, 0, sizeof(log));
	if (sub != NULL && strcmp(sub, "verify") != 0 &&
	    strcmp(sub, "export") != 0)
		return cli_usage_error(
		    "log", "unknown subcommand '%s' (verify, export)", sub);
	if (sub != NULL) {
		argc--;
		argv++;
	}
	if ((ec = parse(argc, argv,
	         sub == NULL ? "log"
	                     : (strcmp(sub, "verify") == 0 ? "log verify"
	                                                   : "log export"),
	         &a)) != 0)
		return ec < 0 ? 0 : ec;
	if ((ec = load(&log, &dir)) != 0)
		goto out;
	if (sub == NULL)
		ec = print_log(&log, a.json);
	else if (strcmp(sub, "verify") == 0)
		ec = verify_log(&log, dir, &a);
	else
		ec = export_log(&log, dir, &a);
out:
	custody_log_free(&log);
	free(dir);
	return ec;
}
