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
		cli_error("%s: a SLIP-39 secret is 16 to 64 bytes, an even "
		          "number (32 to 128 hex digits, a multiple of 4); "
		          "got %zu digits",
		    path, nd);
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

int
cmd_split(int argc, char **argv)
{
	enum {
		OPT_GROUP = 256,
		OPT_GT,
		OPT_TO,
		OPT_NAME,
		OPT_PASSFILE,
		OPT_PRINT,
		OPT_HEX,
		OPT_EXP,
		OPT_JSON,
	};
	static const struct option longopts[] = {
	    {"threshold", required_argument, NULL, 't'},
	    {"shares", required_argument, NULL, 'n'},
	    {"group", required_argument, NULL, OPT_GROUP},
	    {"group-threshold", required_argument, NULL, OPT_GT},
	    {"to", required_argument, NULL, OPT_TO},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"output", required_argument, NULL, 'o'},
	    {"print", no_argument, NULL, OPT_PRINT},
	    {"secret-hex-file", required_argument, NULL, OPT_HEX},
	    {"iteration-exponent", required_argument, NULL, OPT_EXP},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_groups gs;
	struct cli_share_set set;
	struct cli_pass pass = {NULL, 0};
	struct age_recipients *rs = NULL;
	struct slip39_share *shares = NULL;
	char **to = NULL, **names = NULL, *home = NULL;
	char recovers[AGE_RECIPIENT_STR_LEN];
	const char *passfile = NULL, *hexfile = NULL, *idpath = NULL;
	uint8_t *secret = NULL, pk[AGE_X25519_KEY_LEN];
	size_t nto = 0, nnames = 0, nshares = 0, len = 0;
	int copies[CLI_SHARES_MAX];
	int c, ec = 0, rc, exp = CLI_SHARE_ITERATION_EXPONENT;
	int json = 0, quiet = 0;

	memset(&gs, 0, sizeof(gs));
	memset(&set, 0, sizeof(set));
	recovers[0] = '\0';
	if ((to = cio_calloc((size_t)argc + 1, sizeof(*to))) == NULL ||
	    (names = cio_calloc((size_t)argc + 1, sizeof(*names))) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "split");
		goto out;
	}
	while (
	    (c = cli_getopt(argc, argv, ":hqt:n:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			ec = cli_shares_int(
			    "split", "-t", optarg, 1, SLIP39_MAX_SHARES, &gs.t);
			break;
		case 'n':
			ec = cli_shares_int("split", "-n", optarg, 1,
			    SLIP39_MAX_SHARES, &gs.nshares);
			break;
		case OPT_GROUP:
			ec = cli_groups_add("split", &gs, optarg);
			break;
		case OPT_GT:
			ec = cli_shares_int("split", "--group-threshold",
			    optarg, 1, SLIP39_MAX_SHARES, &gs.gt);
			break;
		case OPT_TO: to[nto++] = optarg; break;
		case OPT_NAME: names[nnames++] = optarg; break;
		case OPT_PASSFILE: passfile = optarg; break;
		case 'o': set.dir = optarg; break;
		case OPT_PRINT: set.print = 1; break;
		case OPT_HEX: hexfile = optarg; break;
		case OPT_EXP:
			ec = cli_shares_int("split", "--iteration-exponent",
			    optarg, 0, SLIP39_MAX_ITERATION_EXPONENT, &exp);
			break;
		case OPT_JSON: json = 1; break;
		case 'q': quiet = 1; break;
		case 'h': ec = cli_print_help(split_help); goto out;
		default: ec = cli_option_error("split", c, argv); goto out;
		}
		if (ec != 0)
			goto out;
	}
	if (optind < argc)
		idpath = argv[optind++];
	if (optind < argc) {
		ec = cli_usage_error(
		    "split", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if ((ec = cli_groups_finish("split", &gs, 0)) != 0)
		goto out;
	if (set.dir == NULL && !set.print) {
		ec = cli_usage_error("split",
		    "say where the shares go: -o DIR "
		    "and/or --print");
		goto out;
	}
	if (json && (set.dir == NULL || set.print)) {
		ec = cli_usage_error("split",
		    "--json describes the share "
		    "files: give -o DIR, and no --print");
		goto out;
	}
	if (hexfile != NULL && (idpath != NULL || nto > 0 || nnames > 0)) {
		ec = cli_usage_error("split",
		    "--secret-hex-file writes plain "
		    "words: no IDENTITY_FILE, --to or "
		    "--name");
		goto out;
	}
	if ((nto > 0 && nto != gs.total) ||
	    (nnames > 0 && nnames != gs.total)) {
		ec = cli_usage_error("split",
		    "the set has %zu shares: give "
		    "--to and --name once per share "
		    "(got %zu and %zu)",
		    gs.total, nto, nnames);
		goto out;
	}
	if (nto > 0 && set.dir == NULL) {
		ec = cli_usage_error("split", "--to needs -o DIR");
		goto out;
	}
	if (nto > 0) {
		if ((rs = cio_calloc(nto, sizeof(*rs))) == NULL) {
			ec = cli_fail(CAIRN_ERR_NOMEM, "split");
			goto out;
		}
		for (size_t k = 0; k < nto; k++)
			if ((ec = cli_add_recipient(&rs[k], to[k])) != 0)
				goto out;
		set.to = rs;
	}
	if (nnames > 0)
		set.names = (const char *const *)names;
	set.raw = hexfile != NULL;
	set.member_counts = gs.member_counts;
	if (passfile != NULL &&
	    (ec = cli_shares_pass(&pass, passfile, "--passphrase-file")) != 0)
		goto out;
	if ((secret = cio_secret_malloc(SLIP39_MAX_SECRET_LEN)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "split");
		goto out;
	}
	if (hexfile != NULL) {
		if ((ec = read_hex(hexfile, secret, &len)) != 0)
			goto out;
	} else {
		if (idpath == NULL) {
			if ((home = cli_key_home_path(CLI_HOME_IDENTITY)) ==
			    NULL) {
				ec = CLI_EXIT_ERR;
				goto out;
			}
			idpath = home;
		}
		if ((ec = cli_identity_secret(idpath, secret)) != 0)
			goto out;
		len = AGE_X25519_KEY_LEN;
		if ((rc = age_x25519_public(secret, pk)) != 0 ||
		    (rc = age_x25519_recipient_string(pk, recovers)) != 0) {
			ec = cli_fail(rc, "%s", idpath);
			goto out;
		}
		set.recovers = recovers;
	}
	if ((ec = cli_groups_split(&gs, secret, len,
	         pass.buf != NULL ? &pass : NULL, exp, &shares, copies)) != 0)
		goto out;
	nshares = gs.total;
	set.copies = copies;
	if ((ec = cli_share_set_write(shares, nshares, &set)) != 0)
		goto out;
	if (json)
		ec = report_json(shares, &gs, &set, nto > 0 ? to : NULL,
		    hexfile == NULL ? recovers : NULL);
	else if (set.dir != NULL && !quiet)
		ec = report(&shares[0], &gs, &set, nto > 0 ? to : NULL,
		    hexfile == NULL ? recovers : NULL);
out:
	slip39_shares_free(shares, nshares);
	if (secret != NULL)
		sodium_free(secret);
	cli_pass_free(&pass);
	for (size_t k = 0; rs != NULL && k < nto; k++)
		age_recipients_free(&rs[k]);
	free(rs);
	cli_share_paths_free(set.paths, gs.total);
	free(home);
	free(to);
	free(names);
	return ec;
}
