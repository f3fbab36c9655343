/*
 * cmd_pubkey.c - `cairn pubkey`: print the age1... recipient of each
 * X25519 identity in the given identity files, one per line.
 *
 * With --signing, print the minisign public key of the signing key
 * instead (cli_signing.c).
 *
 * Knows the age API only.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "builtin.h"
#include "cli.h"
#include "cli_archive.h" /* cli_signing_print_pub */
#include "cli_json.h"

static const char pubkey_help[] =
    "usage: cairn pubkey [-i IDENTITY_FILE]... [--passphrase-file F]...\n"
    "                    [--json]\n"
    "       cairn pubkey --signing [-s SIGNING_KEY] [--passphrase-file F]\n"
    "                    [--json]\n"
    "\n"
    "Print the recipient (age1...) of every identity in the identity\n"
    "files, one per line.  Without -i, the key home's identity is used.\n"
    "With --signing, print the minisign public key file of the signing\n"
    "key (usable as `minisign -p FILE` and `cairn verify --signer FILE`):\n"
    "the key home's signing.pub, or derived from SIGNING_KEY.\n"
    "\n"
    "  -i, --identity FILE      identity file (repeatable; - = stdin)\n"
    "      --passphrase-file F  passphrase for an encrypted identity file\n"
    "                           (repeatable; else asked on the terminal)\n"
    "      --signing            print the signing key's public key\n"
    "  -s, --signing-key KEY    minisign secret key (implies --signing)\n"
    "      --json               print a JSON object instead\n"
    "  -h, --help               show this help\n";

/* cbctx: NULL to print the recipient, else a JSON array to append to. */
static int
print_recipient(void *cbctx, const char *recipient)
{
	if (cbctx == NULL) {
		printf("%s\n", recipient);
		return 0;
	}
	return json_array_append_new(cbctx, json_string(recipient)) == 0
	    ? 0
	    : CAIRN_ERR_NOMEM;
}

int
cmd_pubkey(int argc, char **argv)
{
	enum { OPT_PASSFILE = 256, OPT_SIGNING, OPT_JSON };
	static const struct option longopts[] = {
	    {"identity", required_argument, NULL, 'i'},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"signing", no_argument, NULL, OPT_SIGNING},
	    {"signing-key", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct age_identities ids = {NULL, 0};
	struct cli_passes ps;
	const char **files = NULL, *signkey = NULL;
	json_t *o = NULL, *list = NULL;
	size_t nfiles = 0;
	int c, ec = 0, rc, signing = 0, json = 0;

	memset(&ps, 0, sizeof(ps));
	if ((files = cio_calloc((size_t)argc + 1, sizeof(*files))) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "pubkey");
	while ((c = cli_getopt(argc, argv, ":hi:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': files[nfiles++] = optarg; break;
		case OPT_SIGNING: signing = 1; break;
		case OPT_JSON: json = 1; break;
		case 's':
			signkey = optarg;
			signing = 1;
			break;
		case OPT_PASSFILE:
			if ((ec = cli_passes_add_file(&ps, optarg)) != 0)
				goto out;
			break;
		case 'h': ec = cli_print_help(pubkey_help); goto out;
		default: ec = cli_option_error("pubkey", c, argv); goto out;
		}
	}
	if (optind < argc) {
		ec = cli_usage_error(
		    "pubkey", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (signing) {
		ec = nfiles > 0 ? cli_usage_error("pubkey",
		                      "--signing cannot be combined with -i")
		                : cli_signing_print_pub(signkey, &ps, json);
		goto out;
	}
	if ((ec = cli_load_identities(&ids, files, nfiles, &ps, "pubkey")) != 0)
		goto out;
	if (json &&
	    ((o = json_object()) == NULL || (list = json_array()) == NULL ||
	        json_object_set(o, "recipients", list) != 0)) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "pubkey");
		goto out;
	}
	if ((rc = age_identities_each_recipient(&ids, print_recipient, list)) !=
	    0) {
		ec = cli_fail(rc, "pubkey");
		goto out;
	}
	if (json) {
		ec = cli_json_print(o);
		o = NULL;
	} else
		ec = cli_flush_stdout();
out:
	json_decref(list);
	json_decref(o);
	age_identities_free(&ids);
	cli_passes_free(&ps);
	free(files);
	return ec;
}
