/*
 * cmd_open.c - `cairn open`: verify a sealed archive while extracting it
 * into a private staging directory beside DIR, and rename the staging
 * directory to DIR only when every check `cairn verify` makes passed.
 * On any failure, or SIGINT/SIGTERM/SIGHUP, the staging directory is
 * removed and DIR never appears.
 *
 * Knows cli_unlock.h, cli_archive.h, unseal.h and extract.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "builtin.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_json.h"
#include "cli_trust.h"
#include "cli_unlock.h"
#include "cairn/extract.h"
#include "cairn/manifest.h"
#include "cairn/unseal.h"

static const char open_help[] =
    "usage: cairn open " CLI_UNLOCK_USAGE "\n"
    "                  " CLI_TRUST_USAGE "\n"
    "                  [-C DIR] [--json] [-q] ARCHIVE|-\n"
    "\n"
    "Verify a sealed archive (as 'cairn verify' does: the signature must\n"
    "be a trusted signer's) and extract it into\n"
    "DIR, which must not exist (default: the archive's file name without\n"
    ".cairn, in the current directory).  Files are written into a private\n"
    "staging directory beside DIR, which becomes DIR only after every check\n"
    "passed; on failure nothing is left (on FAT and exFAT, where a rename\n"
    "cannot refuse to replace, DIR is claimed with an empty directory just\n"
    "before the rename).  Owners are never restored; files\n"
    "get mode 0644 or 0600 and directories 0755 or 0700 (after the umask),\n"
    "following the archived read permissions; modification times are\n"
    "restored.\n"
    "\n" CLI_UNLOCK_HELP CLI_TRUST_HELP
    "  -C, --directory DIR      extract into DIR\n"
    "      --json               print the report as JSON\n"
    "  -q, --quiet              no report (only errors and warnings),\n"
    "                           no progress display\n"
    "  -h, --help               show this help\n";

static int
op_dir(void *ctx, const struct manifest_entry *e)
{
	return extract_dir(ctx, e->path, e->mode, e->mtime);
}

static int
op_file_begin(void *ctx, const struct manifest_entry *e)
{
	return extract_file_begin(ctx, e->path, e->mode, e->mtime);
}

static int
op_file_data(void *ctx, const uint8_t *buf, size_t len)
{
	return extract_file_write(ctx, buf, len);
}

static int
op_file_end(void *ctx)
{
	return extract_file_end(ctx);
}

static int
op_files_done(void *ctx)
{
	return extract_drain(ctx);
}

static const char *
op_failed_path(void *ctx)
{
	return extract_failed_path(ctx);
}

/* DIR from the archive's name: "x/photos-1.cairn" -> "photos-1". */
static char *
default_dir(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;
	char *d;

	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (len <= 6 || strcmp(base + len - 6, ".cairn") != 0)
		return NULL;
	if ((d = cio_malloc(len - 5)) != NULL) {
		memcpy(d, base, len - 6);
		d[len - 6] = '\0';
	}
	return d;
}

/* Report a failed extract_commit(); returns the exit code. */
static int
open_commit_fail(int rc, const char *dest)
{
	int e = errno, ec;

	// clang-format off
	if (rc == CAIRN_ERR_EXISTS)
		return cli_fail_why(CLI_EXIT_ERR, "appeared while the archive was being opened", "%s", dest);
	if (rc == CAIRN_ERR_UNSAFE) {
		cli_error("%s: the staging directory was replaced while the archive was being opened; nothing was published", dest);
		cli_hint("someone else can write the directory it is in: open into a directory only you can write");
		return CLI_EXIT_ERR;
	}
	ec = cli_fail(rc, "%s", dest);
	if (rc == CAIRN_ERR_IO && e == EIO)
		cli_hint("the file system did not move the checked folder into place intact (fusefat does this); open into a folder on another file system, then copy it");
	// clang-format on
	return ec;
}

int
cmd_open(int argc, char **argv)
{
	enum { OPT_JSON = CLI_UNLOCK_OPT_FIRST_FREE };
	static const struct option longopts[] = {
	    CLI_UNLOCK_LONGOPTS,
	    CLI_TRUST_LONGOPTS,
	    {"directory", required_argument, NULL, 'C'},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_trust tr;
	struct cli_unlock u;
	struct cli_archive a;
	struct unseal_ops ops;
	struct unseal_result res;
	struct extract *x = NULL;
	const char *path, *dest = NULL;
	char *dflt = NULL;
	int c, ec, rc = 0, json = 0, quiet = 0;

	memset(&a, 0, sizeof(a));
	memset(&res, 0, sizeof(res));
	memset(&tr, 0, sizeof(tr));
	a.in.fd = -1;
	if ((ec = cli_unlock_init(&u, "open", argc)) != 0)
		goto out;
	while ((c = cli_getopt(argc, argv, ":hqC:" CLI_UNLOCK_SHORTOPTS,
	            longopts, NULL)) != -1) {
		if (cli_unlock_trust_option(&u, &tr, c, optarg, &ec)) {
			if (ec != 0)
				goto out;
			continue;
		}
		switch (c) {
		case 'C': dest = optarg; break;
		case OPT_JSON: json = 1; break;
		case 'q': quiet = 1; break;
		case 'h': ec = cli_print_help(open_help); goto out;
		default: ec = cli_option_error("open", c, argv); goto out;
		}
	}
	if (argc - optind == 2) {
		// clang-format off
		cli_error("open: more than one ARCHIVE ('%s')", argv[optind + 1]);
		cli_hint("to open into a directory, give it with -C: cairn open -C %s %s", cli_sh(argv[optind + 1]), cli_sh(argv[optind]));
		// clang-format on
		ec = CLI_EXIT_USAGE;
		goto out;
	}
	if ((ec = cli_one_operand("open", "ARCHIVE", 1, argc, argv, &path)) !=
	    0)
		goto out;
	cli_json_begin("archive", path);
	if (dest == NULL) {
		if (strcmp(path, "-") == 0 ||
		    (dflt = default_dir(path)) == NULL) {
			// clang-format off
			ec = cli_usage_error("open", "cannot name the directory after '%s'; give -C DIR", path);
			// clang-format on
			goto out;
		}
		dest = dflt;
	}
	if ((ec = cli_extract_dest_new("open", dest)) != 0)
		goto out;
	if ((ec = cli_trust_load(&tr)) != 0 ||
	    (ec = cli_archive_open(&a, path, &u, &tr, CLI_ARCHIVE_HASH_LOG)) !=
	        0)
		goto out;
	if ((ec = cli_extract_start(dest, &x)) != 0)
		goto out;
	if (extract_async(x) != 0) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "%s", dest);
		goto out;
	}
	memset(&ops, 0, sizeof(ops));
	ops.dir = op_dir;
	ops.file_begin = op_file_begin;
	ops.file_data = op_file_data;
	ops.file_end = op_file_end;
	ops.files_done = op_files_done;
	ops.failed_path = op_failed_path;
	ops.ctx = x;
	rc = cli_archive_check(&a, "open", &tr, &ops, quiet || json, &res);
	if (rc != 0)
		extract_abort(x);
	else if ((rc = extract_commit(x)) != 0)
		ec = open_commit_fail(rc, dest);
	ec = cli_archive_finish(&a, &tr, &res, rc, ec, dest, json, quiet);
	cli_archive_log(&a, "open", &res, ec);
out:
	extract_free(x);
	unseal_result_free(&res);
	cli_archive_close(&a);
	cli_unlock_free(&u);
	cli_trust_free(&tr);
	free(dflt);
	return ec;
}
