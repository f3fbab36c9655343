/*
 * cmd_split.c - `cairn split`: split an age X25519 identity (its 32-byte
 * secret) into SLIP-39 shares, one share file per share, plain or each
 * age-encrypted to one contact, optionally shown as words and QR codes.
 * With --secret-hex-file it splits a raw secret instead (share files then
 * hold only the words), for other SLIP-39 software.
 *
 * Knows slip39.h, age.h and the share-file helpers (cli_shares.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "builtin.h"
#include "cli.h"
#include "cli_json.h"
#include "cli_shares.h"
#include "cairn/slip39.h"

static const char split_help[] =
    "usage: cairn split -t T -n N [options] [IDENTITY_FILE]\n"
    "       cairn split --group T/N... --group-threshold G [options]\n"
    "                   [IDENTITY_FILE]\n"
    "       cairn split --secret-hex-file F -t T -n N -o DIR\n"
    "\n"
    "Split the age identity in IDENTITY_FILE (default: the key home's\n"
    "identity) into SLIP-39 shares: any T of the N shares rebuild it\n"
    "('cairn combine'), fewer reveal nothing.  With groups, G of the groups\n"
    "must each bring their own threshold of shares, e.g. --group 2/3\n"
    "--group 1/1 --group-threshold 2.  Each share file (0600, in DIR,\n"
    "never replacing a file) says which share of which set it is and the\n"
    "public key the set recovers.\n"
    "\n"
    "  -t, --threshold T        shares needed (one group)\n"
    "  -n, --shares N           shares made (one group)\n"
    "      --group T/N          a group of N shares, T needed (repeatable)\n"
    "      --group-threshold G  groups needed (with several --group)\n"
    "      --to RECIPIENT       encrypt each share file to one contact\n"
    "                           (age1..., once per share, in order)\n"
    "      --name LABEL         a label per share (e.g. the contact's name,\n"
    "                           once per share, in order)\n"
    "      --passphrase-file F  SLIP-39 passphrase (printable ASCII); the\n"
    "                           same one is needed to combine\n"
    "      --identity-passphrase-file F\n"
    "                           passphrase of an encrypted IDENTITY_FILE\n"
    "                           (else asked on the terminal)\n"
    "  -o, --output DIR         write the share files into DIR (created\n"
    "                           0700 if missing)\n"
    "      --print              also show each share as words and a QR code\n"
    "      --json               describe the set and its files as JSON\n"
    "  -q, --quiet              print nothing on success\n"
    "      --secret-hex-file F  split the raw secret in F (hex, 16 to 64\n"
    "                           bytes) instead of an identity\n"
    "      --iteration-exponent E  SLIP-39 iteration exponent (0-15, "
    "default 1)\n"
    "  -h, --help               show this help\n";

/* Read a hex secret (whitespace ignored) into secret; 0 or exit code. */
static int
read_hex(const char *path, uint8_t *secret, size_t *len)
{
	char *text = NULL;
	size_t tl = 0, nd = 0;
	int ec, hi = -1;

	*len = 0;
	if ((ec = cli_read_secret_file(
	         path, 4096, "secret file", &text, &tl)) != 0)
		return ec;
	for (size_t i = 0; i < tl; i++) {
		char c = text[i];
		int v;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else {
			ec = cli_fail_why(
			    CLI_EXIT_USAGE, "not hexadecimal", "%s", path);
			goto out;
		}
		if (nd / 2 >= SLIP39_MAX_SECRET_LEN) {
			nd++;
			continue;
		}
		if (hi < 0)
			hi = v;
		else {
			secret[nd / 2] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
		nd++;
	}
	if (nd % 2 != 0 || nd / 2 < SLIP39_MIN_SECRET_LEN ||
	    nd / 2 > SLIP39_MAX_SECRET_LEN || (nd / 2) % 2 != 0) {
		// clang-format off
		cli_error("%s: a SLIP-39 secret is 16 to 64 bytes, an even number (32 to 128 hex digits, a multiple of 4); got %zu digits", path, nd);
		// clang-format on
		ec = CLI_EXIT_USAGE;
		goto out;
	}
	*len = nd / 2;
out:
	if (ec != 0)
		sodium_memzero(secret, SLIP39_MAX_SECRET_LEN);
	cio_secret_free(text, tl);
	return ec;
}

/* The report as one JSON object (docs/json.md). */
static int
report_json(const struct slip39_share *shares, const struct cli_groups *gs,
    const struct cli_share_set *set, char *const *to, const char *recovers)
{
	json_t *o = json_object(), *groups = json_array(),
	       *files = json_array();
	json_t *v;

	if (o == NULL || groups == NULL || files == NULL) {
		json_decref(o);
		json_decref(groups);
		json_decref(files);
		return cli_json_print(NULL);
	}
	cli_json_set(o, "set", json_integer(shares[0].identifier));
	cli_json_set(
	    o, "group_threshold", json_integer(gs->n == 1 ? 1 : gs->gt));
	for (size_t g = 0; g < gs->n; g++) {
		json_t *e = json_object();

		cli_json_set(
		    e, "threshold", json_integer(gs->g[g].member_threshold));
		cli_json_set(e, "shares", json_integer(gs->g[g].member_count));
		cli_json_append(groups, e);
	}
	cli_json_set(o, "groups", groups);
	cli_json_set(o, "recovers",
	    recovers != NULL ? json_string(recovers) : json_null());
	for (size_t k = 0; set->paths != NULL && k < gs->total; k++) {
		json_t *e = json_object();

		cli_json_set(e, "path",
		    (v = json_string(set->paths[k])) != NULL ? v : json_null());
		cli_json_set(
		    e, "group", json_integer(shares[k].group_index + 1));
		cli_json_set(
		    e, "member", json_integer(shares[k].member_index + 1));
		cli_json_set(
		    e, "to", to != NULL ? json_string(to[k]) : json_null());
		cli_json_set(e, "label",
		    set->names != NULL &&
		            (v = json_string(set->names[k])) != NULL
		        ? v
		        : json_null());
		cli_json_append(files, e);
	}
	cli_json_set(o, "files", files);
	return cli_json_print(o);
}

/* "Wrote ..." on stdout: the set and where each share went. */
static int
report(const struct slip39_share *s0, const struct cli_groups *gs,
    const struct cli_share_set *set, char *const *to, const char *recovers)
{
	printf("share set %u: ", s0->identifier);
	if (gs->n == 1)
		printf("any %d of %d shares", gs->g[0].member_threshold,
		    gs->g[0].member_count);
	else {
		printf("%d of %zu groups (", gs->gt, gs->n);
		for (size_t g = 0; g < gs->n; g++)
			printf("%s%d of %d", g > 0 ? ", " : "",
			    gs->g[g].member_threshold, gs->g[g].member_count);
		printf(")");
	}
	printf("\n");
	if (recovers != NULL)
		printf("recovers: %s\n", recovers);
	for (size_t k = 0; set->paths != NULL && k < gs->total; k++) {
		printf("  %s", set->paths[k]);
		if (to != NULL)
			printf("  (encrypted to %s%s%s)", to[k],
			    set->names != NULL ? ", " : "",
			    set->names != NULL ? set->names[k] : "");
		printf("\n");
	}
	return cli_flush_stdout();
}

enum {
	OPT_GROUP = 256,
	OPT_GT,
	OPT_TO,
	OPT_NAME,
	OPT_PASSFILE,
	OPT_IDPASS,
	OPT_PRINT,
	OPT_HEX,
	OPT_EXP,
	OPT_JSON,
};

// clang-format off
struct split_args {
	struct cli_groups gs;
	struct cli_share_set set;
	char **to, **names; /* --to, --name as given (argc + 1 entries) */
	size_t nto, nnames;
	const char *passfile, *idpass, *hexfile, *idpath;
	int exp, json, quiet;
};

/* One option c (with optarg) into a; 0, an exit code, or -1 after
 * --help. */
static int
option(struct split_args *a, int c, char **argv)
{
	struct cli_groups *gs = &a->gs;

	switch (c) {
	case 't': return cli_shares_int("split", "-t", optarg, 1, SLIP39_MAX_SHARES, &gs->t);
	case 'n': return cli_shares_int("split", "-n", optarg, 1, SLIP39_MAX_SHARES, &gs->nshares);
	case OPT_GROUP: return cli_groups_add("split", gs, optarg);
	case OPT_GT: return cli_shares_int("split", "--group-threshold", optarg, 1, SLIP39_MAX_SHARES, &gs->gt);
	case OPT_TO: a->to[a->nto++] = optarg; return 0;
	case OPT_NAME: a->names[a->nnames++] = optarg; return 0;
	case OPT_PASSFILE: a->passfile = optarg; return 0;
	case OPT_IDPASS: a->idpass = optarg; return 0;
	case 'o': a->set.dir = optarg; return 0;
	case OPT_PRINT: a->set.print = 1; return 0;
	case OPT_HEX: a->hexfile = optarg; return 0;
	case OPT_EXP: return cli_shares_int("split", "--iteration-exponent", optarg, 0, SLIP39_MAX_ITERATION_EXPONENT, &a->exp);
	case OPT_JSON: a->json = 1; return 0;
	case 'q': a->quiet = 1; return 0;
	case 'h': cli_print_help(split_help); return -1;
	default: return cli_option_error("split", c, argv);
	}
}

/* Parse the command line into a; 0, an exit code, or -1 after --help. */
static int
parse(int argc, char **argv, struct split_args *a)
{
	static const struct option longopts[] = {
	    {"threshold", required_argument, NULL, 't'},
	    {"shares", required_argument, NULL, 'n'},
	    {"group", required_argument, NULL, OPT_GROUP},
	    {"group-threshold", required_argument, NULL, OPT_GT},
	    {"to", required_argument, NULL, OPT_TO},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"identity-passphrase-file", required_argument, NULL, OPT_IDPASS},
	    {"output", required_argument, NULL, 'o'},
	    {"print", no_argument, NULL, OPT_PRINT},
	    {"secret-hex-file", required_argument, NULL, OPT_HEX},
	    {"iteration-exponent", required_argument, NULL, OPT_EXP},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, ec;

	while ((c = cli_getopt(argc, argv, ":hqt:n:o:", longopts, NULL)) != -1)
		if ((ec = option(a, c, argv)) != 0)
			return ec;
	if (optind < argc)
		a->idpath = argv[optind++];
	if (optind < argc)
		return cli_usage_error("split", "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* The options that must agree with each other and with the set. */
static int
validate(struct split_args *a)
{
	const struct cli_share_set *set = &a->set;
	int ec;

	if ((ec = cli_groups_finish("split", &a->gs, 0)) != 0)
		return ec;
	if (set->dir == NULL && !set->print)
		return cli_usage_error("split", "say where the shares go: -o DIR and/or --print");
	if (a->json && (set->dir == NULL || set->print))
		return cli_usage_error("split", "--json describes the share files: give -o DIR, and no --print");
	if (a->hexfile != NULL && (a->idpath != NULL || a->nto > 0 || a->nnames > 0))
		return cli_usage_error("split", "--secret-hex-file writes plain words: no IDENTITY_FILE, --to or --name");
	if ((a->nto > 0 && a->nto != a->gs.total) || (a->nnames > 0 && a->nnames != a->gs.total))
		return cli_usage_error("split", "the set has %zu shares: give --to and --name once per share (got %zu and %zu)", a->gs.total, a->nto, a->nnames);
	if (a->nto > 0 && set->dir == NULL)
		return cli_usage_error("split", "--to needs -o DIR");
	return 0;
}
// clang-format on

/* One recipient list per --to into *rs (a->nto lists). */
static int
load_contacts(const struct split_args *a, struct age_recipients **rs)
{
	int ec;

	if (a->nto == 0)
		return 0;
	if ((*rs = cio_calloc(a->nto, sizeof(**rs))) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "split");
	for (size_t k = 0; k < a->nto; k++)
		if ((ec = cli_add_recipient(&(*rs)[k], a->to[k], "--to")) != 0)
			return ec;
	return 0;
}

/* The secret to split into secret (SLIP39_MAX_SECRET_LEN bytes) and
 * *len: the --secret-hex-file, or the identity's X25519 key (then
 * recovers gets its age1 recipient). */
static int
load_secret(const struct split_args *a, uint8_t *secret, size_t *len,
    char recovers[AGE_RECIPIENT_STR_LEN])
{
	uint8_t pk[AGE_X25519_KEY_LEN];
	char *home = NULL;
	const char *idpath = a->idpath;
	int ec, rc;

	if (a->hexfile != NULL)
		return read_hex(a->hexfile, secret, len);
	if (idpath == NULL) {
		if ((home = cli_key_home_path(CLI_HOME_IDENTITY)) == NULL)
			return CLI_EXIT_ERR;
		idpath = home;
	}
	if ((ec = cli_identity_secret(idpath, a->idpass, secret)) == 0) {
		*len = AGE_X25519_KEY_LEN;
		if ((rc = age_x25519_public(secret, pk)) != 0 ||
		    (rc = age_x25519_recipient_string(pk, recovers)) != 0)
			ec = cli_fail(rc, "%s", idpath);
	}
	free(home);
	return ec;
}

int
cmd_split(int argc, char **argv)
{
	struct split_args a;
	struct cli_pass pass = {NULL, 0};
	struct age_recipients *rs = NULL;
	struct slip39_share *shares = NULL;
	char recovers[AGE_RECIPIENT_STR_LEN];
	uint8_t *secret = NULL;
	size_t nshares = 0, len = 0;
	int copies[CLI_SHARES_MAX];
	int ec;

	memset(&a, 0, sizeof(a));
	a.exp = CLI_SHARE_ITERATION_EXPONENT;
	recovers[0] = '\0';
	if ((a.to = cio_calloc((size_t)argc + 1, sizeof(*a.to))) == NULL ||
	    (a.names = cio_calloc((size_t)argc + 1, sizeof(*a.names))) ==
	        NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "split");
		goto out;
	}
	if ((ec = parse(argc, argv, &a)) != 0) {
		if (ec < 0)
			ec = 0;
		goto out;
	}
	if ((ec = validate(&a)) != 0 || (ec = load_contacts(&a, &rs)) != 0)
		goto out;
	a.set.to = rs;
	if (a.nnames > 0)
		a.set.names = (const char *const *)a.names;
	a.set.raw = a.hexfile != NULL;
	a.set.member_counts = a.gs.member_counts;
	if (a.passfile != NULL &&
	    (ec = cli_shares_pass(&pass, a.passfile, "--passphrase-file")) != 0)
		goto out;
	if ((secret = cio_secret_malloc(SLIP39_MAX_SECRET_LEN)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "split");
		goto out;
	}
	if ((ec = load_secret(&a, secret, &len, recovers)) != 0)
		goto out;
	if (a.hexfile == NULL)
		a.set.recovers = recovers;
	if ((ec = cli_groups_split(&a.gs, secret, len,
	         pass.buf != NULL ? &pass : NULL, a.exp, &shares, copies)) != 0)
		goto out;
	nshares = a.gs.total;
	a.set.copies = copies;
	if ((ec = cli_share_set_write(shares, nshares, &a.set)) != 0)
		goto out;
	if (a.json)
		ec = report_json(shares, &a.gs, &a.set, a.nto > 0 ? a.to : NULL,
		    a.hexfile == NULL ? recovers : NULL);
	else if (a.set.dir != NULL && !a.quiet)
		ec = report(&shares[0], &a.gs, &a.set, a.nto > 0 ? a.to : NULL,
		    a.hexfile == NULL ? recovers : NULL);
out:
	slip39_shares_free(shares, nshares);
	if (secret != NULL)
		sodium_free(secret);
	cli_pass_free(&pass);
	for (size_t k = 0; rs != NULL && k < a.nto; k++)
		age_recipients_free(&rs[k]);
	free(rs);
	cli_share_paths_free(a.set.paths, a.gs.total);
	free(a.to);
	free(a.names);
	return ec;
}
