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

int
cmd_encrypt(int argc, char **argv)
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
	struct age_recipients rs = {NULL, 0};
	struct age_writer *w = NULL;
	struct cli_pass pass = {NULL, 0};
	struct cli_in in = {-1, 0, NULL, {NULL, NULL}};
	struct cli_out out;
	struct cli_progress pg;
	const char **rstr = NULL, **rfiles = NULL;
	const char *outpath = NULL, *passfile = NULL, *inpath = NULL;
	char *home = NULL;
	uint8_t *buf = NULL;
	size_t nr = 0, nR = 0;
	int c, ec = 0, rc, ask = 0, armor = 0, force = 0, quiet = 0;

	memset(&out, 0, sizeof(out));
	memset(&pg, 0, sizeof(pg));
	if ((rstr = cio_calloc((size_t)argc + 1, sizeof(*rstr))) == NULL ||
	    (rfiles = cio_calloc((size_t)argc + 1, sizeof(*rfiles))) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "encrypt");
		goto out;
	}
	while (
	    (c = cli_getopt(argc, argv, ":hqar:R:po:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': rstr[nr++] = optarg; break;
		case 'R': rfiles[nR++] = optarg; break;
		case 'p': ask = 1; break;
		case OPT_PASSFILE: passfile = optarg; break;
		case 'a': armor = 1; break;
		case 'o': outpath = optarg; break;
		case OPT_FORCE: force = 1; break;
		case 'q': quiet = 1; break;
		case 'h': ec = cli_print_help(encrypt_help); goto out;
		default: ec = cli_option_error("encrypt", c, argv); goto out;
		}
	}
	if ((ec = cli_one_operand(
	         "encrypt", "INPUT", 0, argc, argv, &inpath)) != 0)
		goto out;
	if (passfile != NULL)
		ask = 1;
	if (ask && (nr > 0 || nR > 0)) {
		ec = cli_usage_error(
		    "encrypt", "a passphrase cannot be combined with -r or -R");
		goto out;
	}
	if (!ask && nr == 0 && nR == 0) {
		if ((home = cli_key_home_path(CLI_HOME_RECIPIENTS)) == NULL) {
			ec = CLI_EXIT_ERR;
			goto out;
		}
		if (!cli_exists(home)) {
			ec = cli_usage_error(
			    "encrypt", "no recipients: give -r, -R or -p");
			goto out;
		}
		rfiles[nR++] = home;
	}
	for (size_t i = 0; i < nr; i++)
		if ((ec = cli_add_recipient(&rs, rstr[i])) != 0)
			goto out;
	for (size_t i = 0; i < nR; i++)
		if ((ec = cli_add_recipients_file(&rs, rfiles[i])) != 0)
			goto out;
	if ((ec = cli_in_open(&in, inpath)) != 0 ||
	    (ec = cli_out_open(&out, outpath, 0666, force, &in)) != 0)
		goto out;
	if (!armor && !out.atomic && isatty(out.fd)) {
		ec = cli_usage_error("encrypt",
		    "refusing to write binary ciphertext to a terminal");
		goto out;
	}
	if (ask) {
		ec = passfile != NULL
		    ? cli_pass_from_file(&pass, passfile)
		    : cli_pass_from_tty(&pass, "Enter passphrase: ", 1);
		if (ec != 0)
			goto out;
		if ((rc = age_recipients_add_passphrase(&rs, pass.buf, pass.len,
		         AGE_SCRYPT_WORK_FACTOR)) != 0) {
			ec = cli_fail(rc, "passphrase");
			goto out;
		}
		cli_pass_free(&pass);
	}
	if ((buf = cio_malloc(CLI_IO_BLOCK)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "encrypt");
		goto out;
	}
	cli_progress_start(&pg, "encrypt", cli_progress_fd_size(in.fd), quiet,
	    out.atomic ? -1 : out.fd);
	if ((rc = age_writer_new(&w, &rs, armor, &out.sink)) != 0 ||
	    (rc = pump(&in, w, buf, &pg)) != 0 ||
	    (rc = age_writer_finish(w)) != 0) {
		cli_progress_end(&pg);
		ec = cli_stream_fail(rc, "encrypt", &in, &out);
		goto out;
	}
	cli_progress_end(&pg);
	ec = cli_out_commit(&out);
out:
	cli_progress_end(&pg);
	cli_out_abort(&out);
	cli_in_close(&in);
	age_writer_free(w);
	age_recipients_free(&rs);
	cli_pass_free(&pass);
	if (buf != NULL) {
		sodium_memzero(buf, CLI_IO_BLOCK);
		free(buf);
	}
	free(home);
	free(rstr);
	free(rfiles);
	return ec;
}
