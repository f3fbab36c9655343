/*
 * cmd_share.c - `cairn share check` (validate one share file on its own
 * and show what it is) and `cairn share reveal` (a contact decrypts the
 * share they keep, and re-encrypts it to the person coordinating a
 * recovery, so shares never travel in plain text).
 *
 * Knows slip39.h, age.h and the share-file helpers (cli_shares.h).
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cairn/minisig.h"
#include "builtin.h"
#include "cli.h"
#include "cli_json.h"
#include "cli_shares.h"
#include "cairn/slip39.h"

static const char share_help[] =
    "usage: cairn share check [-i IDENTITY_FILE]... [--json] SHARE_FILE\n"
    "       cairn share reveal [-i IDENTITY_FILE]... [--to RECIPIENT]\n"
    "                          [-o OUT] SHARE_FILE\n"
    "\n"
    "check   validate one share file on its own (words, checksum, padding)\n"
    "        and print its set, group and member numbers, thresholds,\n"
    "        label, the public key the set recovers and the fingerprint\n"
    "        of the journalist's signing key it records.  Whether the\n"
    "        shares fit together is only known when they are combined.\n"
    "reveal  decrypt a share file kept for someone else; with --to,\n"
    "        encrypt it again (armored) to the person coordinating the\n"
    "        recovery, ready to send.  Without --to the plain share is\n"
    "        written (to OUT, mode 0600, or standard output).\n"
    "\n"
    "  -i, --identity FILE  identity the share file is encrypted to\n"
    "                       (repeatable; default: the key home's identity)\n"
    "      --identity-passphrase-file F\n"
    "                       passphrase of an encrypted identity file\n"
    "                       (else asked on the terminal)\n"
    "      --to RECIPIENT   (reveal) the coordinator's age1... key\n"
    "  -o, --output OUT     (reveal) write to OUT (never replacing a file)\n"
    "      --json           (check) print a JSON object instead\n"
    "  -h, --help           show this help\n";

/* `share check --json`: the same facts as one object (docs/json.md). */
static int
check_json(const struct cli_share *sh)
{
	const struct slip39_share *s = &sh->s;
	json_t *o = json_object(), *v;

	if (o == NULL)
		return cli_json_print(NULL);
	/* json_string() refuses text that is not UTF-8: null then. */
	cli_json_set(
	    o, "path", (v = json_string(sh->path)) != NULL ? v : json_null());
	cli_json_set(o, "valid", json_true());
	cli_json_set(o, "encrypted", json_boolean(sh->encrypted));
	cli_json_set(o, "set", json_integer(s->identifier));
	cli_json_set(o, "group", json_integer(s->group_index + 1));
	cli_json_set(o, "group_count", json_integer(s->group_count));
	cli_json_set(o, "group_threshold", json_integer(s->group_threshold));
	cli_json_set(o, "member", json_integer(s->member_index + 1));
	cli_json_set(o, "member_count",
	    sh->member_count > 0 ? json_integer(sh->member_count)
	                         : json_null());
	cli_json_set(o, "member_threshold", json_integer(s->member_threshold));
	cli_json_set(o, "secret_bytes", json_integer((json_int_t)s->value_len));
	cli_json_set(o, "words",
	    json_integer((json_int_t)SLIP39_WORDS_FOR(s->value_len)));
	cli_json_set(o, "extendable", json_boolean(s->extendable));
	cli_json_set(
	    o, "iteration_exponent", json_integer(s->iteration_exponent));
	cli_json_set(o, "label",
	    sh->label[0] != '\0' && (v = json_string(sh->label)) != NULL
	        ? v
	        : json_null());
	cli_json_set(o, "recovers",
	    sh->recovers[0] != '\0' ? json_string(sh->recovers) : json_null());
	if (sh->has_signer) {
		char b64[MINISIG_PUBLIC_B64_LEN], fp[MINISIG_FINGERPRINT_LEN];

		minisig_public_base64(&sh->signer, b64);
		minisig_fingerprint(&sh->signer, fp);
		cli_json_set(o, "signer_fingerprint", json_string(fp));
		cli_json_set(o, "signer_public_key", json_string(b64));
	} else {
		cli_json_set(o, "signer_fingerprint", json_null());
		cli_json_set(o, "signer_public_key", json_null());
	}
	return cli_json_print(o);
}

/* 1 unless path is readable and does not start like an age file (then
 * cli_share_read() reports what it is). */
static int
share_is_encrypted(const char *path)
{
	char head[256];
	ssize_t n;
	int fd = strcmp(path, "-") == 0
	    ? -1
	    : open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return 1;
	n = read(fd, head, sizeof(head));
	close(fd);
	return n <= 0 || age_is_encrypted(head, (size_t)n);
}

static int
check(const struct cli_share *sh, int json)
{
	const struct slip39_share *s = &sh->s;

	if (json)
		return check_json(sh);
	printf("%s: valid share (words, checksum and padding)\n", sh->path);
	printf("encrypted: %s\n", sh->encrypted ? "yes" : "no");
	printf("set: %u\n", s->identifier);
	printf("group: %d of %d (%d group%s needed)\n", s->group_index + 1,
	    s->group_count, s->group_threshold,
	    s->group_threshold == 1 ? "" : "s");
	printf("member: %d", s->member_index + 1);
	if (sh->member_count > 0)
		printf(" of %d", sh->member_count);
	printf(" (%d share%s of the group needed)\n", s->member_threshold,
	    s->member_threshold == 1 ? "" : "s");
	printf("secret: %zu bytes (%d words)\n", s->value_len,
	    (int)SLIP39_WORDS_FOR(s->value_len));
	printf("extendable: %s\n", s->extendable ? "yes" : "no");
	printf("iteration exponent: %d\n", s->iteration_exponent);
	if (sh->label[0] != '\0') {
		printf("label: ");
		fflush(stdout);
		cli_print_escaped(STDOUT_FILENO, sh->label);
		printf("\n");
	}
	printf("recovers: %s\n",
	    sh->recovers[0] != '\0' ? sh->recovers : "(not recorded)");
	if (sh->has_signer) {
		char b64[MINISIG_PUBLIC_B64_LEN], fp[MINISIG_FINGERPRINT_LEN];

		minisig_public_base64(&sh->signer, b64);
		minisig_fingerprint(&sh->signer, fp);
		printf("signer fingerprint: %s\nsigner key: %s\n", fp, b64);
	} else
		printf("signer fingerprint: (not recorded)\n");
	return cli_flush_stdout();
}

static int
reveal(const struct cli_share *sh, const char *text, size_t len, const char *to,
    const char *outpath)
{
	struct age_recipients rs = {NULL, 0};
	struct age_writer *w = NULL;
	struct cli_out out;
	int rc = 0, ec;

	memset(&out, 0, sizeof(out));
	if (to != NULL && (ec = cli_add_recipient(&rs, to, "--to")) != 0)
		return ec;
	if (to == NULL && outpath == NULL && isatty(STDOUT_FILENO))
		// clang-format off
		cli_warn("the share is shown on this terminal: clear its scrollback when done");
	// clang-format on
	if ((ec = cli_out_open(&out, outpath, 0600, 0, NULL)) != 0)
		goto out;
	if (to == NULL)
		rc = out.sink.write(out.sink.ctx, (const uint8_t *)text, len);
	else if ((rc = age_writer_new(&w, &rs, 1, &out.sink)) == 0 &&
	    (rc = age_writer_write(w, (const uint8_t *)text, len)) == 0)
		rc = age_writer_finish(w);
	if (rc != 0) {
		ec = out.write_errno != 0
		    ? cli_stream_fail(rc, NULL, NULL, &out)
		    : cli_fail(rc, "%s", out.name);
		goto out;
	}
	if ((ec = cli_out_commit(&out)) != 0)
		goto out;
	if (outpath != NULL) {
		printf("%s: share %d of group %d, set %u%s%s\n", outpath,
		    sh->s.member_index + 1, sh->s.group_index + 1,
		    sh->s.identifier, to != NULL ? ", encrypted to " : "",
		    to != NULL ? to : " (plain text: keep it private)");
		ec = cli_flush_stdout();
	}
out:
	cli_out_abort(&out);
	age_writer_free(w);
	age_recipients_free(&rs);
	return ec;
}

static int
share_sub(int argc, char **argv, int is_reveal)
{
	enum { OPT_TO = 256, OPT_JSON, OPT_IDPASS };
	static const struct option longopts[] = {
	    {"identity", required_argument, NULL, 'i'},
	    {"identity-passphrase-file", required_argument, NULL, OPT_IDPASS},
	    {"to", required_argument, NULL, OPT_TO},
	    {"output", required_argument, NULL, 'o'},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *verb = is_reveal ? "share reveal" : "share check";
	struct age_identities ids = {NULL, 0};
	struct cli_share *sh = NULL;
	char **files = NULL, *text = NULL;
	const char *to = NULL, *outpath = NULL, *idpass = NULL;
	size_t nfiles = 0, len = 0;
	int c, ec = 0, json = 0;

	if ((files = cio_calloc((size_t)argc + 1, sizeof(*files))) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "share");
		goto out;
	}
	while ((c = cli_getopt(argc, argv, ":hi:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': files[nfiles++] = optarg; break;
		case OPT_IDPASS: idpass = optarg; break;
		case OPT_TO:
		case 'o':
			if (!is_reveal) {
				// clang-format off
				ec = cli_usage_error(verb, "%s is for 'share reveal'", c == 'o' ? "-o" : "--to");
				// clang-format on
				goto out;
			}
			if (c == 'o')
				outpath = optarg;
			else
				to = optarg;
			break;
		case OPT_JSON:
			if (is_reveal) {
				ec = cli_usage_error(
				    verb, "--json is for 'share check'");
				goto out;
			}
			json = 1;
			break;
		case 'h': ec = cli_print_help(share_help); goto out;
		default: ec = cli_option_error(verb, c, argv); goto out;
		}
	}
	if (optind + 1 != argc) {
		ec = cli_usage_error(verb, "give exactly one SHARE_FILE");
		goto out;
	}
	if (outpath != NULL && strcmp(outpath, "-") == 0)
		outpath = NULL;
	if (outpath != NULL && cli_exists(outpath)) {
		cli_error("%s: file exists, refusing to overwrite it", outpath);
		ec = CLI_EXIT_ERR;
		goto out;
	}
	/* A plain share needs no identity: do not ask for the key home's
	 * passphrase then. */
	if ((nfiles > 0 || share_is_encrypted(argv[optind])) &&
	    (ec = cli_load_identities_idpass(
	         &ids, (const char *const *)files, nfiles, idpass, NULL)) != 0)
		goto out;
	if ((sh = cio_secret_malloc(sizeof(*sh))) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "share");
		goto out;
	}
	if ((ec = cli_share_read(
	         sh, argv[optind], &ids, is_reveal ? &text : NULL, &len)) != 0)
		goto out;
	ec = is_reveal ? reveal(sh, text, len, to, outpath) : check(sh, json);
out:
	if (text != NULL)
		cio_secret_free(text, len);
	if (sh != NULL)
		sodium_free(sh);
	age_identities_free(&ids);
	free(files);
	return ec;
}

int
cmd_share(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("share", "say 'check' or 'reveal'");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cli_print_help(share_help);
	cli_getopt_reset();
	if (strcmp(argv[1], "check") == 0)
		return share_sub(argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "reveal") == 0)
		return share_sub(argc - 1, argv + 1, 1);
	// clang-format off
	return cli_usage_error("share", "unknown subcommand '%s' (check or reveal)", argv[1]);
	// clang-format on
}
