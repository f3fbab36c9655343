/*
 * cmd_encrypt.c - `cairn encrypt`: encrypt a file or stdin to age
 * recipients or a passphrase, in age v1 format (binary or armored),
 * streaming in CLI_IO_BLOCK blocks with flat memory.
 *
 * Knows the age API only.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "builtin.h"
#include "cli.h"
#include "cli_progress.h"

static const char encrypt_help[] =
    "usage: cairn encrypt [-r RECIPIENT]... [-R RECIPIENTS_FILE]... [-a]\n"
    "                     [-o OUT] [--force] [-q] [INPUT]\n"
    "       cairn encrypt -p [--passphrase-file F] [-a] [-o OUT] [--force]\n"
    "                     [-q] [INPUT]\n"
    "\n"
    "Encrypt INPUT (default: standard input) to age format.  Without -r,\n"
    "-R or -p, the key home's recipients file is used.  OUT appears only\n"
    "once complete and never replaces a file (unless --force); on FAT and\n"
    "exFAT its name is claimed with an empty file just before the final\n"
    "rename, so a crash at that instant can leave an empty OUT.\n"
    "\n"
    "  -r, --recipient R        encrypt to recipient age1... (repeatable)\n"
    "  -R, --recipients-file F  recipients from F, one per line (repeatable)\n"
    "  -p, --passphrase         encrypt to a passphrase (asked twice on the\n"
    "                           terminal)\n"
    "      --passphrase-file F  ... read from file F instead (implies -p)\n"
    "  -a, --armor              PEM-armored (text) output\n"
    "  -o, --output OUT         write to OUT (atomically) instead of stdout\n"
    "      --force              replace OUT if it exists\n"
    "  -q, --quiet              no progress display\n"
    "  -h, --help               show this help\n";

/* Stream in to w, counting into pg.  Returns 0 or an enum cairn_err. */
static int
pump(const struct cli_in *in, struct age_writer *w, uint8_t *buf,
    struct cli_progress *pg)
{
	for (;;) {
		ssize_t n = cio_read_full(&in->src, buf, CLI_IO_BLOCK);
		int rc;

		if (n < 0)
			return (int)n;
		if (n == 0)
			return 0;
		if ((rc = age_writer_write(w, buf, (size_t)n)) != 0)
			return rc;
		cli_progress_add(pg, (uint64_t)n);
		if ((size_t)n < CLI_IO_BLOCK)
			return 0;
	}
}

struct encrypt_args {
	struct cli_recipient_opts to; /* -r, -R, -p, --passphrase-file */
	const char *outpath, *inpath;
	int armor, force, quiet;
};

/* Parse the command line into e; returns 0, an exit code, or -1 after
 * --help. */
static int
parse(int argc, char **argv, struct encrypt_args *e)
{
	enum { OPT_PASSFILE = 256, OPT_FORCE };
	static const struct option longopts[] = {
	    {"recipient", required_argument, NULL, 'r'},
	    {"recipients-file", required_argument, NULL, 'R'},
	    {"passphrase", no_argument, NULL, 'p'},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"armor", no_argument, NULL, 'a'},
	    {"output", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	while (
	    (c = cli_getopt(argc, argv, ":hqar:R:po:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': e->to.rstr[e->to.nr++] = optarg; break;
		case 'R': e->to.rfiles[e->to.nR++] = optarg; break;
		case 'p': e->to.ask = 1; break;
		case OPT_PASSFILE:
			e->to.passfile = optarg;
			e->to.ask = 1;
			break;
		case 'a': e->armor = 1; break;
		case 'o': e->outpath = optarg; break;
		case OPT_FORCE: e->force = 1; break;
		case 'q': e->quiet = 1; break;
		case 'h': cli_print_help(encrypt_help); return -1;
		default: return cli_option_error("encrypt", c, argv);
		}
	}
	return cli_one_operand("encrypt", "INPUT", 0, argc, argv, &e->inpath);
}

/* Encrypt in to out with rs, showing progress unless quiet. */
static int
run(const struct encrypt_args *e, const struct age_recipients *rs,
    struct cli_in *in, struct cli_out *out)
{
	struct age_writer *w = NULL;
	struct cli_progress pg;
	uint8_t *buf = NULL;
	int rc, ec;

	memset(&pg, 0, sizeof(pg));
	if ((buf = cio_malloc(CLI_IO_BLOCK)) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "encrypt");
	cli_progress_start(&pg, "encrypt", cli_progress_fd_size(in->fd),
	    e->quiet, out->atomic ? -1 : out->fd);
	if ((rc = age_writer_new(&w, rs, e->armor, &out->sink)) != 0 ||
	    (rc = pump(in, w, buf, &pg)) != 0 ||
	    (rc = age_writer_finish(w)) != 0) {
		cli_progress_end(&pg);
		ec = cli_stream_fail(rc, "encrypt", in, out);
	} else {
		cli_progress_end(&pg);
		ec = cli_out_commit(out);
	}
	age_writer_free(w);
	sodium_memzero(buf, CLI_IO_BLOCK);
	free(buf);
	return ec;
}

int
cmd_encrypt(int argc, char **argv)
{
	struct encrypt_args e;
	struct age_recipients rs = {NULL, 0};
	struct cli_in in = {.fd = -1};
	struct cli_out out;
	int ec;

	memset(&e, 0, sizeof(e));
	memset(&out, 0, sizeof(out));
	e.to.rstr = cio_calloc((size_t)argc + 1, sizeof(char *));
	e.to.rfiles = cio_calloc((size_t)argc + 1, sizeof(char *));
	if (e.to.rstr == NULL || e.to.rfiles == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "encrypt");
		goto out;
	}
	if ((ec = parse(argc, argv, &e)) != 0) {
		if (ec < 0)
			ec = 0;
		goto out;
	}
	if ((ec = cli_load_recipients("encrypt", &e.to, &rs)) != 0 ||
	    (ec = cli_in_open(&in, e.inpath)) != 0 ||
	    (ec = cli_out_open(&out, e.outpath, 0666, e.force, &in)) != 0)
		goto out;
	if (!e.armor && !out.atomic && isatty(out.fd)) {
		ec = cli_usage_error("encrypt",
		    "refusing to write binary ciphertext to a terminal");
		goto out;
	}
	/* Asked only now, once the output is known to be writable. */
	if ((ec = cli_passphrase_recipient(&e.to, &rs)) != 0)
		goto out;
	ec = run(&e, &rs, &in, &out);
out:
	cli_out_abort(&out);
	cli_in_close(&in);
	age_recipients_free(&rs);
	free(e.to.rstr);
	free(e.to.rfiles);
	return ec;
}
