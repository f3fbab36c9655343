/*
 * main.c - cairn's entry point: process setup, then dispatch to one
 * subcommand from a git-style table.  To add a verb, write
 * src/cli/cmd_<verb>.c with int cmd_<verb>(int argc, char **argv), declare
 * it in builtin.h and add one line to the table below.
 *
 * Knows nothing of what any subcommand does.
 */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "cli.h"
#include "cli_json.h"

struct command {
	const char *name;
	cli_handler handler;
	const char *summary;
};

static const struct command commands[] = {
    {"keygen", cmd_keygen, "create an age X25519 identity"},
    {"pubkey", cmd_pubkey, "print the recipients of identity files"},
    {"encrypt", cmd_encrypt, "encrypt a file to recipients (age format)"},
    {"decrypt", cmd_decrypt, "decrypt an age file"},
    {"seal", cmd_seal, "seal files into an encrypted, signed archive"},
    {"list", cmd_list, "show an archive's manifest (not verified)"},
    {"verify", cmd_verify, "check an archive completely"},
    {"open", cmd_open, "verify and extract an archive safely"},
    {"parity", cmd_parity, "write PAR2 recovery data beside an archive"},
    {"repair", cmd_repair, "repair a damaged archive from its parity"},
    {"salvage", cmd_salvage, "recover what is still authentic from damage"},
    {"split", cmd_split, "split an identity into SLIP-39 shares"},
    {"combine", cmd_combine, "rebuild an identity from shares"},
    {"share", cmd_share, "check or reveal one share file"},
    {"recovery", cmd_recovery, "split a recovery key among contacts"},
    {"stamp", cmd_stamp, "add RFC 3161 time-stamps to an archive"},
    {"log", cmd_log, "show or check the custody log"},
    {"remote", cmd_remote, "add, list or remove remote stores"},
    {"push", cmd_push, "send archives to a remote store"},
    {"pull", cmd_pull, "fetch and verify archives from a remote"},
    {"signer", cmd_signer, "trust, list or stop trusting signing keys"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cairn [--help | --version] <command> [<args>]\n"
	    "\n"
	    "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(
		    f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
	    "\n"
	    "Run 'cairn help <command>' or 'cairn <command> --help' for "
	    "details.\n"
	    "Keys live in the key home: $CAIRN_HOME, else "
	    "$XDG_CONFIG_HOME/cairn,\nelse ~/.config/cairn.\n\n%s",
	    cli_exit_code_help);
}

static const struct command *
find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int
unknown(const char *name)
{
	cli_error("unknown command '%s'", name);
	cli_hint("see 'cairn --help' for the list of commands");
	return CLI_EXIT_USAGE;
}

/* Verbs with --json: a failure prints an error object (cli_json.h). */
static const char *const json_verbs[] = {"pubkey", "seal", "list", "verify",
    "open", "split", "share", "log", "remote", "push", "pull", "signer"};

/* 1 when verb takes --json and it is among the options (before any
 * "--"). */
static int
has_json(const char *verb, int argc, char **argv)
{
	size_t i, n = sizeof(json_verbs) / sizeof(json_verbs[0]);

	for (i = 0; i < n && strcmp(json_verbs[i], verb) != 0; i++)
		;
	if (i == n)
		return 0;
	for (int k = 2; k < argc && strcmp(argv[k], "--") != 0; k++)
		if (strcmp(argv[k], "--json") == 0)
			return 1;
	return 0;
}

static int
run(int argc, char **argv)
{
	const struct command *c;
	char help[] = "--help";
	char *hargv[3];
	int ec;

	if ((ec = cli_setup()) != 0)
		return ec;
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("cairn %s\n", CAIRN_VERSION);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		if ((c = find(argv[2])) == NULL)
			return unknown(argv[2]);
		hargv[0] = argv[2];
		hargv[1] = help;
		hargv[2] = NULL;
		cli_getopt_reset();
		return c->handler(2, hargv);
	}
	if (argv[1][0] == '-') {
		cli_error("unknown option %s", argv[1]);
		cli_hint("options go after the command; see 'cairn --help'");
		return CLI_EXIT_USAGE;
	}
	if ((c = find(argv[1])) == NULL)
		return unknown(argv[1]);
	if (has_json(c->name, argc, argv)) {
		cli_json_errors_on();
		cli_json_begin(NULL, NULL);
	}
	cli_getopt_reset();
	return cli_json_end(c->handler(argc - 1, argv + 1));
}

int
main(int argc, char **argv)
{
	int ec = run(argc, argv);

	cli_main_done(); /* an exit() before this came from a library */
	return ec;
}
