/*
 * cmd_seal.c - `cairn seal`: seal files and directories into an
 * encrypted, signed evidence archive (age file holding a pax tar of
 * manifest.json, the members, SHA256SUMS and SHA256SUMS.minisig; see
 * docs/format.md).  Needs recipients and a signing key, never an
 * identity.  Output is atomic: on any failure nothing is left.
 * Steps: parse, recipients and signing key, plan, then write: seal_write
 * makes the plain tar, which this file encrypts with an age_writer (as
 * `open` decrypts and hands unseal_run a plain stream).
 *
 * Knows seal.h, manifest.h, the age API, cli_archive.h's signing-key
 * helpers and whether a custody log is kept (cli_custody.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "builtin.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_custody.h"
#include "cli_json.h"
#include "cli_parity.h"
#include "cli_seal_after.h"
#include "cli_recovery_keys.h"
#include "cli_seal_out.h"
#include "cli_stamp.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "cairn/seal.h"

static const char seal_help[] =
    "usage: cairn seal [-r RECIPIENT]... [-R RECIPIENTS_FILE]... [-p]\n"
    "                  [-s SIGNING_KEY | --no-sign] [-m NOTE]...\n"
    "                  [--note-file F]... [--case LABEL] [-a] [-o OUT]\n"
    "                  [--tsa URL]... [--name NAME] [--no-recovery] [--force]\n"
    "                  [--no-readback | --remove-originals] [--push REMOTE]\n"
    "                  [--skip-unreadable] [--json] [-q] PATH...\n"
    "\n"
    "Seal files and directories into an encrypted, signed archive.  Each\n"
    "PATH is stored under its last component ('photos/' as photos/...,\n"
    "'a/notes.txt' as notes.txt).  Regular files and directories only:\n"
    "symbolic links are skipped with a warning; sockets, devices and FIFOs\n"
    "are refused.  Names that differ only in letter case are sealed with a\n"
    "warning (a case-insensitive file system cannot open both).  Without\n"
    "-r, -R or -p the key home's recipients file is used; without -s, its\n"
    "signing.key.  OUT appears only once complete and never replaces a\n"
    "file (unless --force); on FAT and exFAT (USB sticks, SD cards), which\n"
    "have no hard links, its name is claimed with an empty file just before\n"
    "the final rename, so a crash at that instant can leave an empty OUT.\n"
    "\n"
    "  -r, --recipient R        seal to recipient age1... (repeatable)\n"
    "  -R, --recipients-file F  recipients from F (repeatable)\n"
    "  -p, --passphrase         seal to a passphrase (asked twice)\n"
    "      --passphrase-file F  ... read from file F instead (implies -p)\n"
    "  -s, --signing-key KEY    minisign secret key to sign with\n"
    "      --signing-passphrase-file F\n"
    "                           passphrase of an encrypted signing key\n"
    "                           (else asked on the terminal)\n"
    "      --no-sign            seal without a signature (marked unsigned)\n"
    "  -m, --note NOTE          add a note to the manifest (repeatable)\n"
    "      --note-file F        add each non-empty line of F as a note\n"
    "      --case LABEL         case label recorded in the manifest\n"
    "  -a, --armor              PEM-armored (text) output\n"
    "  -o, --output OUT         write to OUT (- = standard output; an\n"
    "                           existing directory: a new name inside it);\n"
    "                           default: a new name here,\n"
    "                           cairn-YYYYMMDDTHHMMSSZ-RANDOM.cairn, which\n"
    "                           tells nothing of what is inside\n"
    "      --name NAME          new names start with NAME instead of cairn\n"
    "                           (it is not encrypted: anyone can read it)\n"
    "      --tsa URL            time-stamp the archive and its SHA256SUMS at\n"
    "                           this RFC 3161 TSA (repeatable); tokens go to\n"
    "                           OUT.tsr.  A TSA that cannot be reached is a\n"
    "                           warning: stamp later with `cairn stamp`\n"
    "      --no-recovery        no warning when -r, -R or -p leave out the\n"
    "                           key home's recovery key (contacts will not\n"
    "                           be able to open this archive)\n"
    "      --force              replace OUT if it exists\n"
    "      --parity PERCENT     also write PAR2 recovery data for PERCENT %\n"
    "                           of the archive (OUT.par2, OUT.vol*.par2;\n"
    "                           needs par2; 5..10 recommended)\n"
    "      --no-readback        do not read OUT back from the disk or\n"
    "                           card to compare it with what was written\n"
    "      --remove-originals   after OUT was written, synced and read\n"
    "                           back intact, remove the sealed files and\n"
    "                           (then empty) directories; prints each.\n"
    "                           Not a secure erase: see cairn(1)\n"
    "      --skip-unreadable    leave out files and directories that\n"
    "                           cannot be read or that change while being\n"
    "                           sealed, instead of failing: each is named\n"
    "                           on stderr and recorded in the manifest as\n"
    "                           skipped (a change found while writing\n"
    "                           starts the archive again without the file)\n"
    "      --push REMOTE        then push the archive to REMOTE (see\n"
    "                           'cairn push'); exit 6 if that fails (the\n"
    "                           archive stays, and the next 'cairn push'\n"
    "                           sends it)\n"
    "      --json               print a JSON summary (an error object on\n"
    "                           failure)\n"
    "  -q, --quiet              no output name, no progress display\n"
    "  -h, --help               show this help\n";

struct seal_args {
	struct cli_recipient_opts to; /* -r, -R, -p, --passphrase-file */
	const char **notes, **notefiles;
	size_t nnotes, nnotefiles;
	const char *signkey, *signpass, *case_label, *outpath;
	const char *name;
	int nosign, armor, force, json, quiet, parity, no_readback;
	int no_recovery;
	int remove, skip;
	struct cli_tsas tsas;
	const char *push;
};

static void
warn_cb(void *ctx, enum seal_warning w, const char *path, const char *other)
{
	(void)ctx;
	// clang-format off
	if (w == SEAL_WARN_SYMLINK)
		cli_warn("%s: symbolic link, skipped (cairn seals regular files and directories only)", path);
	else if (w == SEAL_WARN_SKIPPED)
		cli_warn("%s: not sealed (--skip-unreadable): %s", path, other);
	else if (w == SEAL_WARN_CASE)
		cli_warn("%s and %s differ only in letter case: sealed, but `cairn open` cannot extract both on a case-insensitive file system (macOS, Windows)", other, path);
	else if (w == SEAL_WARN_NFC)
		cli_warn("%s and %s differ only in Unicode normalisation (NFC/NFD): both sealed byte for byte, but macOS cannot hold both and other tools may show them as one name", other, path);
	// clang-format on
}

/* The signing key from -s or the key home; *sk stays NULL with
 * --no-sign. */
static int
get_signing_key(const struct seal_args *s, struct minisig_secret **sk)
{
	char *home = NULL;
	int ec;

	*sk = NULL;
	if (s->nosign)
		return 0;
	if (s->signkey != NULL)
		return cli_signing_load(s->signkey, s->signpass, sk);
	if ((home = cli_key_home_path(CLI_HOME_SIGNING_KEY)) == NULL)
		return CLI_EXIT_ERR;
	if (!cli_exists(home)) {
		cli_error("seal: no signing key (%s does not exist)", home);
		// clang-format off
		cli_hint("create one with 'cairn keygen', give -s KEY, or seal unsigned with --no-sign");
		// clang-format on
		ec = CLI_EXIT_USAGE;
	} else
		ec = cli_signing_load(home, s->signpass, sk);
	free(home);
	return ec;
}

/* Parse the command line into s; returns 0, an exit code, or -1 after
 * --help. */
static int
parse(int argc, char **argv, struct seal_args *s)
{
	enum {
		OPT_PASSFILE = 256,
		OPT_SIGNPASS,
		OPT_NOSIGN,
		OPT_NOTEFILE,
		OPT_CASE,
		OPT_FORCE,
		OPT_JSON,
		OPT_PARITY,
		OPT_TSA,
		OPT_NAME,
		OPT_NO_READBACK,
		OPT_REMOVE,
		OPT_NO_RECOVERY,
		OPT_PUSH,
		OPT_SKIP
	};
	static const struct option longopts[] = {
	    {"recipient", required_argument, NULL, 'r'},
	    {"recipients-file", required_argument, NULL, 'R'},
	    {"passphrase", no_argument, NULL, 'p'},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"signing-key", required_argument, NULL, 's'},
	    {"signing-passphrase-file", required_argument, NULL, OPT_SIGNPASS},
	    {"no-sign", no_argument, NULL, OPT_NOSIGN},
	    {"note", required_argument, NULL, 'm'},
	    {"note-file", required_argument, NULL, OPT_NOTEFILE},
	    {"case", required_argument, NULL, OPT_CASE},
	    {"armor", no_argument, NULL, 'a'},
	    {"output", required_argument, NULL, 'o'},
	    {"tsa", required_argument, NULL, OPT_TSA},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"no-recovery", no_argument, NULL, OPT_NO_RECOVERY},
	    {"parity", required_argument, NULL, OPT_PARITY},
	    {"push", required_argument, NULL, OPT_PUSH},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"no-readback", no_argument, NULL, OPT_NO_READBACK},
	    {"remove-originals", no_argument, NULL, OPT_REMOVE},
	    {"skip-unreadable", no_argument, NULL, OPT_SKIP},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, ec;

	while ((c = cli_getopt(
	            argc, argv, ":hqr:R:ps:m:ao:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': s->to.rstr[s->to.nr++] = optarg; break;
		case 'R': s->to.rfiles[s->to.nR++] = optarg; break;
		case 'p': s->to.ask = 1; break;
		case OPT_PASSFILE:
			s->to.passfile = optarg;
			s->to.ask = 1;
			break;
		case 's': s->signkey = optarg; break;
		case OPT_SIGNPASS: s->signpass = optarg; break;
		case OPT_NOSIGN: s->nosign = 1; break;
		case 'm': s->notes[s->nnotes++] = optarg; break;
		case OPT_NOTEFILE:
			s->notefiles[s->nnotefiles++] = optarg;
			break;
		case OPT_CASE: s->case_label = optarg; break;
		case 'a': s->armor = 1; break;
		case 'o': s->outpath = optarg; break;
		case OPT_TSA:
			if ((ec = cli_tsas_add(&s->tsas, "seal", optarg)) != 0)
				return ec;
			break;
		case OPT_FORCE: s->force = 1; break;
		case OPT_NO_RECOVERY: s->no_recovery = 1; break;
		case OPT_NAME:
			if ((c = cli_seal_name_check(optarg)) != 0)
				return c;
			s->name = optarg;
			break;
		case OPT_PARITY:
			if ((c = cli_parity_percent(
			         "seal", optarg, &s->parity)) != 0)
				return c;
			break;
		case OPT_PUSH: s->push = optarg; break;
		case OPT_JSON: s->json = 1; break;
		case OPT_NO_READBACK: s->no_readback = 1; break;
		case OPT_REMOVE: s->remove = 1; break;
		case OPT_SKIP: s->skip = 1; break;
		case 'q': s->quiet = 1; break;
		case 'h': cli_print_help(seal_help); return -1;
		default: return cli_option_error("seal", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("seal", "nothing to seal: give PATH...");
	if (s->nosign && (s->signkey != NULL || s->signpass != NULL))
		return cli_usage_error(
		    "seal", "--no-sign cannot be combined with -s");
	if (s->tsas.n > 0 && s->outpath != NULL && strcmp(s->outpath, "-") == 0)
		return cli_usage_error("seal",
		    "--tsa keeps the tokens beside the archive: give -o FILE");
	if (s->push != NULL && s->outpath != NULL &&
	    strcmp(s->outpath, "-") == 0)
		return cli_usage_error("seal",
		    "--push needs an archive file: give -o FILE, not -");
	if (s->json && s->outpath != NULL && strcmp(s->outpath, "-") == 0)
		return cli_usage_error(
		    "seal", "--json prints to standard output: give -o FILE");
	if (s->parity && s->outpath != NULL && strcmp(s->outpath, "-") == 0)
		return cli_usage_error(
		    "seal", "--parity writes files beside OUT: give -o FILE");
	// clang-format off
	if (s->remove && s->no_readback)
		return cli_usage_error("seal", "--remove-originals needs the read-back check: drop --no-readback");
	if (s->remove && s->outpath != NULL && strcmp(s->outpath, "-") == 0)
		return cli_usage_error("seal", "--remove-originals needs an archive that can be read back: give -o FILE");
	// clang-format on
	return 0;
}

/* seal_plan_add() failed with rc: the message, and for a file that
 * cannot be read, the way to leave such files out. */
static int
plan_fail(const struct seal_args *s, struct seal_plan *p, int rc)
{
	int err = errno, ec;

	if (rc == CAIRN_ERR_NOMEM)
		return cli_fail(rc, "seal");
	ec = cli_fail_why(cli_exit_code(rc), seal_plan_error(p), "seal");
	if (!s->skip && rc == CAIRN_ERR_IO &&
	    (err == EACCES || err == EPERM || err == EIO))
		// clang-format off
		cli_hint("nothing was written; make it readable, or leave out what cannot be read with --skip-unreadable");
	// clang-format on
	// clang-format off
	if (seal_plan_error_utf8(p))
		cli_hint("cairn stores names as UTF-8: rename the file (for example with 'convmv -f latin1 -t utf-8 -r --notest DIR'), or move it out of what you seal");
	// clang-format on
	return ec;
}

/* Plan argv[optind..] with the case and notes of s into *p. */
static int
plan(const struct seal_args *s, int argc, char **argv, struct seal_plan **p)
{
	int ec, rc;

	if ((rc = seal_plan_new(p, warn_cb, NULL)) != 0)
		return rc == CAIRN_ERR_IO
		    ? cli_fail_why(CLI_EXIT_ERR,
		          "cannot load the libmagic database", "seal")
		    : cli_fail(rc, "seal");
	seal_plan_skip_unreadable(*p, s->skip);
	if ((ec = cli_seal_check_paths(
	         argv + optind, argc - optind, s->outpath != NULL)) != 0)
		return ec;
	if ((ec = cli_seal_add_notes(s->case_label, s->notes, s->nnotes,
	         s->notefiles, s->nnotefiles, seal_plan_manifest(*p))) != 0)
		return ec;
	for (int i = optind; i < argc; i++)
		if ((rc = seal_plan_add(*p, argv[i])) != 0)
			return plan_fail(s, *p, rc);
	if ((rc = seal_plan_check_case(*p)) != 0 ||
	    (rc = seal_plan_check_nfc(*p)) != 0)
		return cli_fail(rc, "seal");
	if (seal_plan_manifest(*p)->nentries == 0) {
		cli_error("seal: nothing to seal (every PATH was skipped)");
		cli_seal_link_hints(argv + optind, argc - optind);
		return CLI_EXIT_ERR;
	}
	cli_seal_link_hints(argv + optind, argc - optind);
	return 0;
}

int
cmd_seal(int argc, char **argv)
{
	struct seal_args s;
	struct age_recipients rs = {NULL, 0};
	struct minisig_secret *sk = NULL;
	struct seal_plan *p = NULL;
	struct cli_out out;
	struct cli_hash_sink hs;
	struct cli_seal_write wr;
	json_t *removed = NULL;
	char *dflt = NULL, *par2 = NULL;
	int ec, rc, readback;

	memset(&s, 0, sizeof(s));
	memset(&out, 0, sizeof(out));
	memset(&hs, 0, sizeof(hs));
	memset(&wr, 0, sizeof(wr));
	out.fd = -1;
	s.to.rstr = cio_calloc((size_t)argc + 1, sizeof(char *));
	s.to.rfiles = cio_calloc((size_t)argc + 1, sizeof(char *));
	s.notes = cio_calloc((size_t)argc + 1, sizeof(char *));
	s.notefiles = cio_calloc((size_t)argc + 1, sizeof(char *));
	if (s.to.rstr == NULL || s.to.rfiles == NULL || s.notes == NULL ||
	    s.notefiles == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "seal");
		goto out;
	}
	if ((ec = parse(argc, argv, &s)) != 0) {
		if (ec < 0)
			ec = 0;
		goto out;
	}
	if (s.parity && (par2 = parity_need_par2("seal")) == NULL) {
		ec = CLI_EXIT_ERR;
		goto out;
	}
	if ((ec = cli_load_recipients("seal", &s.to, &rs)) != 0)
		goto out;
	cli_recovery_check(&s.to, s.no_recovery);
	if ((ec = cli_passphrase_recipient(&s.to, &rs)) != 0 ||
	    (ec = get_signing_key(&s, &sk)) != 0 ||
	    (ec = plan(&s, argc, argv, &p)) != 0)
		goto out;
	readback = !s.no_readback &&
	    (s.outpath == NULL || strcmp(s.outpath, "-") != 0);
	wr.where.outpath = s.outpath;
	wr.where.name = s.name;
	wr.where.force = s.force;
	wr.armor = s.armor;
	wr.quiet = s.quiet || s.json;
	wr.no_readback = s.no_readback;
	wr.skip = s.skip;
	/* Standard output takes no --json, --tsa or --push and is not read
	 * back: there only the custody log uses the archive's SHA-256. */
	wr.hash = s.outpath == NULL || strcmp(s.outpath, "-") != 0 ||
	    cli_custody_enabled();
	if ((ec = cli_seal_write(&wr, p, &rs, sk, &dflt, &out, &hs)) != 0)
		goto out;
	if (!s.json && dflt != NULL && !s.quiet)
		printf("%s\n", out.name);
	cli_seal_log(p, &hs, sk);
	cli_seal_stamp(&s.tsas, s.quiet || s.json, p, out.name, hs.sha256);
	if (s.parity &&
	    (ec = cli_parity_create(out.name, s.parity, s.quiet || s.json)) !=
	        0)
		goto out;
	if (s.remove && s.json && (removed = json_array()) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "seal");
		goto out;
	}
	rc = s.remove ? cli_seal_remove_originals(p, s.quiet || s.json, removed)
	              : 0;
	ec = cli_seal_summary(
	    p, out.name, rs.n, &hs, readback, removed, s.json, rc);
	removed = NULL;
	if (ec == 0)
		ec = cli_seal_push(
		    s.outpath, s.push, s.quiet, s.json, p, out.name);
out:
	json_decref(removed);
	cli_hash_sink_free(&hs);
	cli_out_abort(&out);
	seal_plan_free(p);
	minisig_secret_free(sk);
	age_recipients_free(&rs);
	free(dflt);
	free(par2);
	free(s.to.rstr);
	free(s.to.rfiles);
	free(s.notes);
	free(s.notefiles);
	return ec;
}
