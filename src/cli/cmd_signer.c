/*
 * cmd_signer.c - `cairn signer add|list|remove`: the key home's "signers"
 * file, the minisign public keys whose signatures verify, open and list
 * trust (besides the key home's own signing.pub).  Keys are shown by
 * fingerprint, the SHA-256 of the whole public key, which people compare
 * out of band before trusting a key.
 *
 * Knows minisig.h and the trust helpers (cli_trust.h); nothing of
 * archives.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/minisig.h"
#include "builtin.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_json.h"
#include "cli_trust.h"

static const char signer_help[] =
    "usage: cairn signer add NAME PUBKEY\n"
    "       cairn signer list [--json]\n"
    "       cairn signer remove NAME\n"
    "\n"
    "The signers whose archives verify and open accept, kept in the key\n"
    "home's signers file; the key home's own signing.pub is always\n"
    "trusted.  Before adding a key, confirm its fingerprint with its\n"
    "owner by voice or in person: anyone can make a key and an archive.\n"
    "\n"
    "add     trust PUBKEY (a minisign .pub file, or its RW... line) as\n"
    "        NAME; prints its fingerprint.  Refuses a name or a key that\n"
    "        is already there.\n"
    "list    show the trusted signers, their fingerprints and keys\n"
    "remove  stop trusting NAME (e.g. when their key may be seized)\n"
    "\n"
    "      --json           (list) print a JSON object instead\n"
    "  -h, --help           show this help\n";

/* The key home's signers and signing.pub paths, both checked. */
struct store {
	char *signers, *pub;
	struct minisig_trust t; /* the signers file */
	struct minisig_public own;
	int has_own;
};

static void
store_free(struct store *st)
{
	free(st->signers);
	free(st->pub);
	minisig_trust_free(&st->t);
	memset(st, 0, sizeof(*st));
}

static int
store_load(struct store *st)
{
	int ec;

	memset(st, 0, sizeof(*st));
	if ((ec = cli_key_home_public(CLI_HOME_SIGNERS, &st->signers)) != 0 ||
	    (ec = cli_key_home_public(CLI_HOME_SIGNING_PUB, &st->pub)) != 0 ||
	    (ec = cli_signers_file_read(st->signers, &st->t)) != 0)
		return ec;
	if (cli_exists(st->pub)) {
		if ((ec = cli_signer_load(st->pub, &st->own)) != 0)
			return ec;
		st->has_own = 1;
	}
	return 0;
}

/*
 * The sub-verb's options (--help; --json too when json is not NULL) and
 * exactly n operands (else the usage error what).  Returns 1 when the
 * sub-verb is done (help printed or a usage error; *ec is its exit
 * code), 0 to go on with the operands at argv[optind].
 */
static int
parse(int argc, char **argv, const char *verb, int n, const char *what,
    int *json, int *ec)
{
	static const struct option help_only[] = {
	    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	static const struct option with_json[] = {
	    {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int c;

	*ec = 0;
	while ((c = cli_getopt(argc, argv, ":h",
	            json != NULL ? with_json : help_only, NULL)) != -1) {
		if (c == 'h') {
			*ec = cli_print_help(signer_help);
			return 1;
		}
		if (c != 'j' || json == NULL) {
			*ec = cli_option_error(verb, c, argv);
			return 1;
		}
		*json = 1;
	}
	if (argc - optind != n) {
		*ec = cli_usage_error(verb, "%s", what);
		return 1;
	}
	return 0;
}

static int
add(int argc, char **argv)
{
	const char *verb = "signer add", *name;
	struct store st;
	struct minisig_trusted e;
	char fp[MINISIG_FINGERPRINT_LEN], *line = NULL;
	long at;
	int ec, rc;

	memset(&st, 0, sizeof(st));
	if (parse(argc, argv, verb, 2, "give NAME and PUBKEY", NULL, &ec))
		return ec;
	name = argv[optind];
	memset(&e, 0, sizeof(e));
	// clang-format off
	if (!minisig_trust_name_ok(name))
		return cli_usage_error(verb, "a name must be 1 to %d printable characters, not starting with '#' or a space, nor ending with a space", MINISIG_TRUST_NAME_MAX);
	// clang-format on
	if ((ec = cli_pubkey_arg(argv[optind + 1], &e.pk)) != 0 ||
	    (ec = store_load(&st)) != 0)
		goto out;
	memcpy(e.name, name, strlen(name) + 1);
	minisig_fingerprint(&e.pk, fp);
	// clang-format off
	if (st.has_own && minisig_public_same(&st.own, &e.pk)) {
		cli_error("%s: that is this key home's own signing key (fingerprint %s), which is always trusted", verb, fp);
		ec = CLI_EXIT_ERR;
		goto out;
	}
	if ((at = minisig_trust_find_name(&st.t, name)) >= 0) {
		char other[MINISIG_FINGERPRINT_LEN];

		minisig_fingerprint(&st.t.v[at].pk, other);
		cli_error("%s: a signer named '%s' is already trusted (fingerprint %s)", verb, name, other);
		cli_hint("choose another name, or 'cairn signer remove %s' first", name);
		ec = CLI_EXIT_ERR;
		goto out;
	}
	if ((at = minisig_trust_find(&st.t, &e.pk)) >= 0) {
		cli_error("%s: that key (fingerprint %s) is already trusted as '%s'", verb, fp, st.t.v[at].name);
		ec = CLI_EXIT_ERR;
		goto out;
	}
	// clang-format on
	if ((ec = cli_key_home_make()) != 0)
		goto out;
	if ((rc = minisig_trust_line(&e, &line)) != 0) {
		ec = cli_fail(rc, "%s", verb);
		goto out;
	}
	if ((ec = cli_recipients_append(st.signers, line, 0644, NULL)) != 0)
		goto out;
	printf("trusted signer: ");
	fflush(stdout);
	cli_print_escaped(STDOUT_FILENO, name);
	printf("\nfingerprint:    %s\n", fp);
	ec = cli_flush_stdout();
out:
	free(line);
	store_free(&st);
	return ec;
}

static json_t *
entry_json(const char *name, const struct minisig_public *pk, const char *from)
{
	char fp[MINISIG_FINGERPRINT_LEN], b64[MINISIG_PUBLIC_B64_LEN];
	char kid[MINISIG_KEY_ID_HEX_LEN];
	json_t *o = json_object(), *v;

	if (o == NULL)
		return NULL;
	minisig_fingerprint(pk, fp);
	minisig_public_base64(pk, b64);
	minisig_key_id_hex(pk->key_id, kid);
	cli_json_set(
	    o, "name", (v = json_string(name)) != NULL ? v : json_null());
	cli_json_set(o, "fingerprint", json_string(fp));
	cli_json_set(o, "public_key", json_string(b64));
	cli_json_set(o, "key_id", json_string(kid));
	cli_json_set(o, "source", json_string(from));
	return o;
}

static void
entry_text(const char *name, const struct minisig_public *pk)
{
	char fp[MINISIG_FINGERPRINT_LEN], b64[MINISIG_PUBLIC_B64_LEN];

	minisig_fingerprint(pk, fp);
	minisig_public_base64(pk, b64);
	printf("%s  %s  ", fp, b64);
	fflush(stdout);
	cli_print_escaped(STDOUT_FILENO, name);
	printf("\n");
}

static int
list(int argc, char **argv)
{
	const char *verb = "signer list";
	struct store st;
	json_t *o = NULL, *arr = NULL;
	int ec, json = 0;

	memset(&st, 0, sizeof(st));
	if (parse(argc, argv, verb, 0, "no operands expected", &json, &ec))
		return ec;
	if ((ec = store_load(&st)) != 0)
		goto out;
	if (json) {
		if ((o = json_object()) == NULL ||
		    (arr = json_array()) == NULL) {
			json_decref(o);
			ec = cli_json_print(NULL);
			goto out;
		}
		if (st.has_own)
			json_array_append_new(arr,
			    entry_json(CLI_TRUST_OWN, &st.own, "signing.pub"));
		for (size_t i = 0; i < st.t.n; i++)
			json_array_append_new(arr,
			    entry_json(
			        st.t.v[i].name, &st.t.v[i].pk, "signers"));
		cli_json_set(o, "signers", arr);
		ec = cli_json_print(o);
		goto out;
	}
	if (st.has_own)
		entry_text(CLI_TRUST_OWN, &st.own);
	for (size_t i = 0; i < st.t.n; i++)
		entry_text(st.t.v[i].name, &st.t.v[i].pk);
	if (!st.has_own && st.t.n == 0)
		// clang-format off
		cli_warn("no trusted signers: verify and open refuse every signed archive until you 'cairn signer add' one");
	// clang-format on
	ec = cli_flush_stdout();
out:
	store_free(&st);
	return ec;
}

/* text without the entry line of signer name (comments kept) into out,
 * its length in *olen.  0, or an error when a line cannot be parsed
 * (out of memory: keeping that line would keep the signer trusted while
 * reporting it removed) or no line names the signer. */
static int
drop_line(
    const char *text, size_t len, const char *name, char *out, size_t *olen)
{
	size_t off = 0, o = 0, dropped = 0;

	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t end = nl != NULL ? (size_t)(nl - text) + 1 : len, bad;
		struct minisig_trust one;
		int rc = minisig_trust_parse(text + off, end - off, &one, &bad);

		if (rc != 0)
			return rc;
		if (one.n == 1 && strcmp(one.v[0].name, name) == 0)
			dropped++;
		else {
			memcpy(out + o, text + off, end - off);
			o += end - off;
		}
		minisig_trust_free(&one);
		off = end;
	}
	*olen = o;
	return dropped == 1 ? 0 : CAIRN_ERR_FORMAT;
}

static int
remove_signer(int argc, char **argv)
{
	const char *verb = "signer remove", *name;
	struct store st;
	struct cli_prev prev;
	struct stat sb;
	char *text = NULL, *out = NULL, fp[MINISIG_FINGERPRINT_LEN];
	size_t len = 0, olen;
	long at;
	int ec, rc;

	memset(&st, 0, sizeof(st));
	if (parse(argc, argv, verb, 1, "give the NAME to remove", NULL, &ec))
		return ec;
	if ((ec = store_load(&st)) != 0)
		goto out;
	name = argv[optind];
	// clang-format off
	if ((at = minisig_trust_find_name(&st.t, name)) < 0) {
		cli_error("%s: no trusted signer is named '%s'", verb, name);
		cli_hint(strcmp(name, CLI_TRUST_OWN) == 0 ? "the key home's own signing.pub is always trusted; replace the key itself (see docs/threat-model.md)" : "see 'cairn signer list'");
		ec = CLI_EXIT_ERR;
		goto out;
	}
	// clang-format on
	minisig_fingerprint(&st.t.v[at].pk, fp);
	if ((rc = cio_read_file(st.signers, 1024 * 1024, 0, &text, &len)) !=
	        0 ||
	    stat(st.signers, &sb) != 0) {
		ec = cli_fail(rc != 0 ? rc : CAIRN_ERR_IO, "%s", st.signers);
		goto out;
	}
	if ((out = cio_malloc(len + 1)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "%s", verb);
		goto out;
	}
	if ((rc = drop_line(text, len, name, out, &olen)) != 0) {
		ec = cli_fail(rc, "%s", st.signers);
		goto out;
	}
	/* An error leaves the signer trusted, as it says: a removal that
	 * was in place when the directory fsync failed is undone. */
	prev.had = 1;
	prev.text = text;
	prev.len = len;
	prev.mode = sb.st_mode & 07777;
	if ((ec = cli_file_replace(
	         st.signers, out, olen, sb.st_mode & 0777, &prev, NULL)) != 0)
		goto out;
	printf("no longer trusted: ");
	fflush(stdout);
	cli_print_escaped(STDOUT_FILENO, name);
	printf(" (fingerprint %s)\n", fp);
	ec = cli_flush_stdout();
out:
	cio_secret_free(text, len);
	free(out);
	store_free(&st);
	return ec;
}

int
cmd_signer(int argc, char **argv)
{
	static const struct cli_subcmd t[] = {{"add", add}, {"list", list},
	    {"remove", remove_signer}, {NULL, NULL}};

	return cli_subcmd_run("signer", signer_help, t, argc, argv);
}
