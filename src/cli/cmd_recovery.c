/*
 * cmd_recovery.c - `cairn recovery init`: create a recovery identity in
 * locked memory, split it among trusted contacts (each share file
 * encrypted to its contact), and add its public key to the key home's
 * recipients file so every later `cairn seal` also encrypts to it.  The
 * recovery secret is never written anywhere: only enough contacts
 * together can rebuild it.
 *
 * Each contact gets a kit (cli_share_kit.c): the share, the journalist's
 * signing.pub and a README with its fingerprint; the share records the
 * key too, so that --share trusts it.
 *
 * Knows slip39.h, age.h, minisig.h and the share-file helpers
 * (cli_shares.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cairn/cio.h"
#include "builtin.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_recovery_keys.h"
#include "cli_shares.h"
#include "cli_trust.h"
#include "cairn/minisig.h"
#include "cairn/slip39.h"

#ifndef CAIRN_DOCDIR
#define CAIRN_DOCDIR "/usr/local/share/doc/cairn" /* make install's */
#endif

static const char recovery_help[] =
    "usage: cairn recovery init -t T --contact NAME=RECIPIENT...\n"
    "                           [--any-one-can-recover] [--signer PUBKEY]\n"
    "                           [-o DIR]\n"
    "       cairn recovery init --group T/N... --group-threshold G\n"
    "                           --contact NAME=RECIPIENT...\n"
    "                           [--signer PUBKEY] [-o DIR]\n"
    "       cairn recovery list\n"
    "\n"
    "Create a recovery key and split it among your contacts: any T of\n"
    "them together can rebuild it (with groups: G groups, each with its\n"
    "own threshold; contacts fill the groups in order).  Each contact\n"
    "gets a kit, a directory in DIR (default recovery-SET): their share\n"
    "file, encrypted to their age1... key, your signing.pub and a\n"
    "README.txt with its fingerprint.  The share records your signing\n"
    "key, which --share then trusts.  The recovery key's public half is\n"
    "added to the key home's recipients file, so later archives can be\n"
    "opened with the contacts' help even if your own key is lost or\n"
    "seized.  The recovery secret itself is never written to disk.\n"
    "Running it again adds another set (archives are then sealed to\n"
    "every set).  'recovery list' shows each set: its threshold,\n"
    "contacts and key.\n"
    "\n"
    "  -t, --threshold T          contacts needed to recover\n"
    "      --any-one-can-recover  confirm -t 1: any single contact could\n"
    "                             then open every archive alone\n"
    "      --contact NAME=AGE1... a contact and their public key\n"
    "                             (repeatable, at least 2)\n"
    "      --group T/N            a group of N contacts, T needed\n"
    "      --group-threshold G    groups needed\n"
    "      --signer PUBKEY        the signing key the kits carry (a\n"
    "                             minisign .pub file or its RW... line);\n"
    "                             default: the key home's signing.pub\n"
    "  -o, --output DIR           where to write the kits\n"
    "  -h, --help                 show this help\n";

struct contact {
	char *name; /* malloc'd */
	const char *recipient;
};

/*
 * Append "# comment\nrecipient\n" to the key home's recipients file,
 * atomically (new file beside it, renamed over it), creating the key home
 * (0700) and the file (0600) when missing.  Exit code; on an error the
 * file is as it was, unless *left_new is set (cli_recipients_append()).
 */
static int
add_to_recipients(
    const char *comment, const char *recipient, char **where, int *left_new)
{
	char *path = NULL, *lines = NULL;
	size_t cap;
	int ec = 0;

	*where = NULL;
	*left_new = 0;
	if ((ec = cli_key_home_make()) != 0)
		goto out;
	if ((ec = cli_key_home_public(CLI_HOME_RECIPIENTS, &path)) != 0)
		goto out;
	cap = strlen(comment) + strlen(recipient) + 8;
	if ((lines = cio_malloc(cap)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "%s", path);
		goto out;
	}
	snprintf(lines, cap, "# %s\n%s\n", comment, recipient);
	if ((ec = cli_recipients_append(path, lines, 0600, left_new)) != 0)
		goto out;
	*where = path;
	path = NULL;
out:
	free(lines);
	free(path);
	return ec;
}

/* "any 3 of 5 contacts: a, b, c" or "2 of 2 groups: 2 of 3 (a, b, c), ..."
 * into buf. */
static int
describe(char *buf, size_t cap, const struct cli_groups *gs,
    const struct contact *ct, unsigned set)
{
	size_t o = 0, k = 0;

	if (cli_share_add(buf, cap, &o,
	        "cairn recovery key, SLIP-39 share set %u, ", set) != 0)
		return -1;
	if (gs->n == 1) {
		if (cli_share_add(buf, cap, &o, "any %d of %d contacts:",
		        gs->g[0].member_threshold, gs->g[0].member_count) != 0)
			return -1;
		for (; k < gs->total; k++)
			if (cli_share_add(buf, cap, &o, "%s %s",
			        k > 0 ? "," : "", ct[k].name) != 0)
				return -1;
		return 0;
	}
	if (cli_share_add(buf, cap, &o, "%d of %zu groups:", gs->gt, gs->n) !=
	    0)
		return -1;
	for (size_t g = 0; g < gs->n; g++) {
		if (cli_share_add(buf, cap, &o, "%s %d of %d (",
		        g > 0 ? ";" : "", gs->g[g].member_threshold,
		        gs->g[g].member_count) != 0)
			return -1;
		for (int m = 0; m < gs->g[g].member_count; m++, k++)
			if (cli_share_add(buf, cap, &o, "%s%s",
			        m > 0 ? ", " : "", ct[k].name) != 0)
				return -1;
		if (cli_share_add(buf, cap, &o, ")") != 0)
			return -1;
	}
	return 0;
}

static int
parse_contact(struct contact *c, const char *arg)
{
	const char *eq = strrchr(arg, '=');

	if (eq == NULL || eq == arg || eq[1] == '\0')
		// clang-format off
		return cli_usage_error("recovery init", "--contact wants NAME=age1..., not '%s'", arg);
	// clang-format on
	if ((c->name = cio_malloc((size_t)(eq - arg) + 1)) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "recovery init");
	memcpy(c->name, arg, (size_t)(eq - arg));
	c->name[eq - arg] = '\0';
	c->recipient = eq + 1;
	return 0;
}

/* 1 when a single share rebuilds the secret. */
static int
one_can_recover(const struct cli_groups *gs)
{
	if (gs->n == 1)
		return gs->g[0].member_threshold == 1;
	if (gs->gt != 1)
		return 0;
	for (size_t g = 0; g < gs->n; g++)
		if (gs->g[g].member_threshold == 1)
			return 1;
	return 0;
}

/* How many recovery sets the key home knows already. */
static int
sets_before(size_t *n)
{
	struct cli_recovery_keys k;
	int ec = cli_recovery_keys_load(&k);

	*n = k.n;
	cli_recovery_keys_free(&k);
	return ec;
}

/* 'recovery list': each set the key home's recipients file records. */
static int
list(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_recovery_keys k;
	int c, ec;

	while ((c = cli_getopt(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'h')
			return cli_print_help(recovery_help);
		return cli_option_error("recovery list", c, argv);
	}
	if (optind < argc)
		return cli_usage_error(
		    "recovery list", "unexpected argument '%s'", argv[optind]);
	if ((ec = cli_recovery_keys_load(&k)) != 0)
		return ec;
	if (k.n == 0)
		printf("No recovery set: create one with 'cairn recovery "
		       "init'.\n");
	for (size_t i = 0; i < k.n; i++) {
		printf("%s\n  recovery key: ", k.v[i].about);
		fflush(stdout);
		cli_print_escaped(1, k.v[i].recipient);
		printf("\n");
	}
	cli_recovery_keys_free(&k);
	return cli_flush_stdout();
}

#define VERB "recovery init"

struct init_args {
	struct cli_groups gs;
	struct cli_share_set set;
	struct contact *ct; /* argc + 1 entries, nct used */
	size_t nct;
	int any_one;              /* --any-one-can-recover */
	const char *signer;       /* --signer */
	struct minisig_public pk; /* the signing key the kits carry */
	int have_pk;
};

enum { OPT_CONTACT = 256, OPT_GROUP, OPT_GT, OPT_ANY_ONE, OPT_SIGNER };

// clang-format off
/* One option c into a; 0, an exit code, or -1 after --help. */
static int
init_option(struct init_args *a, int c, char **argv)
{
	int ec;

	switch (c) {
	case 't': return cli_shares_int(VERB, "-t", optarg, 1, SLIP39_MAX_SHARES, &a->gs.t);
	case OPT_CONTACT:
		if ((ec = parse_contact(&a->ct[a->nct], optarg)) == 0)
			a->nct++;
		return ec;
	case OPT_GROUP: return cli_groups_add(VERB, &a->gs, optarg);
	case OPT_GT: return cli_shares_int(VERB, "--group-threshold", optarg, 1, SLIP39_MAX_SHARES, &a->gs.gt);
	case 'o': a->set.dir = optarg; return 0;
	case OPT_ANY_ONE: a->any_one = 1; return 0;
	case OPT_SIGNER: a->signer = optarg; return 0;
	case 'h': cli_print_help(recovery_help); return -1;
	default: return cli_option_error(VERB, c, argv);
	}
}

/* Parse and check the command line; 0, an exit code, or -1 after --help. */
static int
init_parse(int argc, char **argv, struct init_args *a)
{
	static const struct option longopts[] = {
	    {"threshold", required_argument, NULL, 't'},
	    {"contact", required_argument, NULL, OPT_CONTACT},
	    {"group", required_argument, NULL, OPT_GROUP},
	    {"group-threshold", required_argument, NULL, OPT_GT},
	    {"any-one-can-recover", no_argument, NULL, OPT_ANY_ONE},
	    {"signer", required_argument, NULL, OPT_SIGNER},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, ec;

	while ((c = cli_getopt(argc, argv, ":ht:o:", longopts, NULL)) != -1)
		if ((ec = init_option(a, c, argv)) != 0)
			return ec;
	if (optind < argc)
		return cli_usage_error(VERB, "unexpected argument '%s'", argv[optind]);
	if (a->nct < 2 || a->nct > CLI_SHARES_MAX)
		return cli_usage_error(VERB, "give at least two contacts (--contact NAME=age1...)");
	if ((ec = cli_groups_finish(VERB, &a->gs, a->nct <= SLIP39_MAX_SHARES ? (int)a->nct : 0)) != 0)
		return ec;
	if (one_can_recover(&a->gs) && !a->any_one) {
		cli_error("%s: with this threshold any single contact could open every archive alone", VERB);
		cli_hint("give a threshold of 2 or more (-t 2), or add --any-one-can-recover if that is what you want");
		return CLI_EXIT_USAGE;
	}
	if (a->gs.total != a->nct)
		return cli_usage_error(VERB, "the groups hold %zu shares but %zu contacts were given", a->gs.total, a->nct);
	return 0;
}

#define CLI_CONTACT_OPT_MAX 256 /* "--contact NAME" in messages */

/* Each contact's recipient into rs[k] and name into names[k] (arrays of
 * a->nct, allocated here); two contacts with one key are refused. */
static int
load_contacts(const struct init_args *a, struct age_recipients **rs, const char ***names)
{
	const struct contact *ct = a->ct;
	char opt[CLI_CONTACT_OPT_MAX];
	int ec;

	if ((*rs = cio_calloc(a->nct, sizeof(**rs))) == NULL || (*names = cio_calloc(a->nct, sizeof(**names))) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "%s", VERB);
	for (size_t k = 0; k < a->nct; k++) {
		snprintf(opt, sizeof(opt), "--contact %s", ct[k].name);
		if ((ec = cli_add_recipient(&(*rs)[k], ct[k].recipient, opt)) != 0)
			return ec;
		(*names)[k] = ct[k].name;
		for (size_t j = 0; j < k; j++)
			if (strcasecmp(ct[j].recipient, ct[k].recipient) == 0) {
				cli_error("%s: %s and %s have the same key: one person would hold two shares", VERB, ct[j].name, ct[k].name);
				cli_hint("give each contact their own key (each runs 'cairn keygen -o my-key' and sends the age1... line)");
				return CLI_EXIT_USAGE;
			}
	}
	return 0;
}

/* A new recovery key, in locked memory only while it is split into
 * *shares; recipient gets its public key. */
static int
new_key_shares(const struct cli_groups *gs, char recipient[AGE_RECIPIENT_STR_LEN], struct slip39_share **shares, int *copies)
{
	uint8_t *sk, pk[AGE_X25519_KEY_LEN];
	int ec, rc;

	if ((sk = cio_secret_malloc(AGE_X25519_KEY_LEN)) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "%s", VERB);
	if ((rc = age_x25519_generate(sk)) != 0 || (rc = age_x25519_public(sk, pk)) != 0 || (rc = age_x25519_recipient_string(pk, recipient)) != 0)
		ec = cli_fail(rc, "generating the recovery key");
	else
		ec = cli_groups_split(gs, sk, AGE_X25519_KEY_LEN, NULL, CLI_SHARE_ITERATION_EXPONENT, shares, copies);
	sodium_free(sk);
	return ec;
}

/* The signing key the kits carry: --signer, else the key home's
 * signing.pub, else none (warned: the coordinator then needs --signer). */
static int
load_signer(struct init_args *a)
{
	int ec;

	if (a->signer != NULL) {
		if ((ec = cli_pubkey_arg(a->signer, &a->pk)) != 0)
			return ec;
		a->have_pk = 1;
		return 0;
	}
	if ((ec = cli_signing_home_pub(&a->pk, &a->have_pk)) != 0)
		return ec;
	if (!a->have_pk)
		cli_warn("%s: no signing key in the key home: the kits carry no signing key, so whoever recovers must be given yours (--signer) to trust your archives", VERB);
	return 0;
}

/* What was done and what the user does next. */
static int
print_done(const struct init_args *a, const char *recipient, const char *comment, const char *where, size_t nshares, size_t before)
{
	char fp[MINISIG_FINGERPRINT_LEN];

	printf("Recovery key %s\n(%s)\nadded to %s: archives sealed from now on can also be opened with the contacts' help.\n"
	       "Its secret exists nowhere else.\n\n",
	    recipient, comment, where);
	if (a->have_pk) {
		minisig_fingerprint(&a->pk, fp);
		printf("Each kit carries your signing key, fingerprint %s: confirm it with each contact by voice or in person.\n\n", fp);
	}
	printf("Send each contact their kit, the whole directory (the share in it is encrypted to them, so email or a messenger is fine):\n");
	for (size_t k = 0; k < nshares; k++) {
		printf("  %-40s -> ", a->set.kit_dirs[k]);
		fflush(stdout);
		cli_print_escaped(1, a->ct[k].name);
		printf(" (%s)\n", a->ct[k].recipient);
	}
	if (before > 0)
		printf("\nThe key home already had %zu recovery set%s: this is one more, and archives sealed from now on are sealed to every set ('cairn recovery list' shows them).\n", before, before == 1 ? "" : "s");
	printf("\nGive them the recovery guide (installed as %s/recovery-guide.md), and keep a list of who holds a share.\n", CAIRN_DOCDIR);
	return cli_flush_stdout();
}
// clang-format on

static int
init(int argc, char **argv)
{
	struct init_args a;
	struct age_recipients *rs = NULL;
	struct slip39_share *shares = NULL;
	const char **names = NULL;
	char recipient[AGE_RECIPIENT_STR_LEN], dir[64], comment[4096];
	char *where = NULL;
	size_t nshares = 0, before = 0;
	int copies[CLI_SHARES_MAX];
	int ec, left = 0;

	memset(&a, 0, sizeof(a));
	if ((a.ct = cio_calloc((size_t)argc + 1, sizeof(*a.ct))) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "%s", VERB);
		goto out;
	}
	if ((ec = init_parse(argc, argv, &a)) != 0) {
		if (ec < 0)
			ec = 0;
		goto out;
	}
	if ((ec = load_contacts(&a, &rs, &names)) != 0 ||
	    (ec = load_signer(&a)) != 0 ||
	    (ec = new_key_shares(&a.gs, recipient, &shares, copies)) != 0)
		goto out;
	nshares = a.gs.total;
	a.set.copies = copies;
	if (a.set.dir == NULL) {
		snprintf(dir, sizeof(dir), "recovery-%u", shares[0].identifier);
		a.set.dir = dir;
	}
	a.set.names = names;
	a.set.to = rs;
	a.set.recovers = recipient;
	a.set.member_counts = a.gs.member_counts;
	a.set.signer = a.have_pk ? &a.pk : NULL;
	a.set.kits = 1;
	if (describe(comment, sizeof(comment), &a.gs, a.ct,
	        shares[0].identifier) != 0) {
		ec = cli_usage_error(VERB, "contact names too long");
		goto out;
	}
	a.set.hold = 1; /* a signal removes the set until recipients has it */
	if ((ec = sets_before(&before)) != 0 ||
	    (ec = cli_share_set_write(shares, nshares, &a.set)) != 0)
		goto out;
	cio_test_signal("recovery-shares-written");
	/* The recipients file and the set land together or not at all. */
	cli_signals_defer(1);
	ec = add_to_recipients(comment, recipient, &where, &left);
	if (ec != 0 && !left)
		cli_share_set_unwrite(&a.set, nshares); /* nobody's key */
	// clang-format off
	if (ec != 0 && left)
		cli_hint("the recipients file has the new recovery key, so its kits in %s were kept: check the disk, then 'cairn recovery list'; send the kits, or remove the key's lines from the recipients file", a.set.dir);
	// clang-format on
	cli_share_set_release();
	cio_test_signal("recovery-recipients-written");
	if (ec == 0)
		ec = print_done(&a, recipient, comment, where, nshares, before);
	cli_signals_defer(0);
out:
	cli_share_set_release(); /* no-op unless a step after the write failed */
	slip39_shares_free(shares, nshares);
	cli_share_paths_free(a.set.paths, nshares);
	cli_share_paths_free(a.set.kit_dirs, nshares);
	for (size_t k = 0; rs != NULL && k < a.nct; k++)
		age_recipients_free(&rs[k]);
	free(rs);
	for (size_t k = 0; a.ct != NULL && k < a.nct; k++)
		free(a.ct[k].name);
	free(a.ct);
	free(names);
	free(where);
	return ec;
}

int
cmd_recovery(int argc, char **argv)
{
	static const struct cli_subcmd t[] = {
	    {"init", init}, {"list", list}, {NULL, NULL}};

	return cli_subcmd_run("recovery", recovery_help, t, argc, argv);
}
