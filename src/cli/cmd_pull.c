/*
 * cmd_pull.c - `cairn pull REMOTE DIR`: the coordinator's side.  Fetch
 * every archive (ID.cairn) from the remote into DIR, resuming a partial
 * download (DIR/.ID.cairn.part), verify each with the usual rules (an
 * identity or --share, --signer) and only then give it its name; an
 * archive that fails is kept as ID.cairn.unverified.  Archives already in
 * DIR are not fetched again.
 *
 * Knows cli_remote.h and cli_archive.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cairn/err.h"
#include "cairn/remote.h"
#include "builtin.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_json.h"
#include "cli_progress.h"
#include "cli_remote.h"
#include "cli_trust.h"
#include "cli_unlock.h"

static const char pull_help[] =
    "usage: cairn pull " CLI_UNLOCK_USAGE "\n"
    "                  [--share SHARE_FILE]... " CLI_TRUST_USAGE "\n"
    "                  [--since DATE] [--proxy PROXY] [--credentials-file F]\n"
    "                  [--retries N] [--json] [-q] REMOTE DIR\n"
    "\n"
    "Download every archive on REMOTE into DIR (created if missing),\n"
    "resuming partial downloads, and verify each as `cairn verify` does\n"
    "before giving it its name ID.cairn.  An archive that fails the\n"
    "checks is kept as ID.cairn.unverified.  Archives already in DIR are\n"
    "skipped.  Needs credentials that may list and read the bucket.\n"
    "\n" CLI_UNLOCK_HELP CLI_TRUST_HELP
    "      --since DATE         only objects stored on or after DATE\n"
    "                           (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)\n"
    "      --proxy PROXY        connect through PROXY for this call\n"
    "      --credentials-file F the remote's credentials lines (see `cairn\n"
    "                           remote --help`)\n"
    "      --retries N          tries again N times after a network or\n"
    "                           server error (default 4)\n"
    "      --json               print what was fetched and each result\n"
    "  -q, --quiet              print nothing but errors\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 all fetched and verified; 6 the remote was unreachable\n"
    "or refused; 3, 4, 5 as for verify (the worst archive); 1 other\n"
    "errors.\n";

struct pull {
	struct cli_remote cr;
	struct cli_unlock u;
	struct cli_trust tr;
	const char *dir;
	int64_t since;
	json_t *list;
};

static int64_t
parse_since(const char *s)
{
	struct tm tm;
	const char *e;

	memset(&tm, 0, sizeof(tm));
	if ((e = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*e != '\0' &&
	    ((e = strptime(e, "T%H:%M:%SZ", &tm)) == NULL || *e != '\0'))
		return -1;
	return (int64_t)timegm(&tm);
}

static char *
pathf(const char *dir, const char *name, const char *pre, const char *suf)
{
	size_t n = strlen(dir) + strlen(name) + strlen(pre) + strlen(suf) + 2;
	char *p = cio_malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s%s%s", dir, pre, name, suf);
	return p;
}

static void
on_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)total;
	cli_progress_set(ctx, done);
}

/* Download o into part (appending to what is there), retrying network
 * failures from where the file ends. */
static int
download(struct pull *p, const struct remote_object *o, const char *part)
{
	struct cli_progress pg;
	struct cio_sink sink;
	struct stat st;
	int fd, rc = 0, ec = 0;

	if ((fd = open(part,
	         O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
	         0600)) < 0 ||
	    fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return cli_fail(CAIRN_ERR_IO, "pull: %s", part);
	}
	if ((uint64_t)st.st_size > o->size && ftruncate(fd, 0) == 0)
		st.st_size = 0;
	sink.write = cio_fd_write;
	sink.ctx = &fd;
	cli_progress_start(&pg, "pull", o->size, p->cr.quiet || p->cr.json, -1);
	for (long tries = 0; (uint64_t)st.st_size < o->size; tries++) {
		rc = remote_get(p->cr.r, o->name, (uint64_t)st.st_size, &sink,
		    on_progress, &pg);
		if (fstat(fd, &st) != 0) {
			rc = CAIRN_ERR_IO;
			break;
		}
		if (rc == 0 || rc != CAIRN_ERR_REMOTE ||
		    remote_fail(p->cr.r) != HTTP_FAIL_NETWORK || tries >= 4)
			break;
	}
	cli_progress_end(&pg);
	if (rc == 0 && (uint64_t)st.st_size != o->size)
		rc = CAIRN_ERR_PAYLOAD;
	if (rc == 0 && fsync(fd) != 0)
		rc = CAIRN_ERR_IO;
	close(fd);
	if (rc != 0) {
		char what[300];

		snprintf(what, sizeof(what), "pull %s", o->name);
		ec = cli_remote_fail(&p->cr, rc, what);
	}
	return ec;
}

/* Verify part; on success link it to final, else rename to bad. */
static int
check(struct pull *p, const char *part, const char *final, const char *bad,
    json_t *item)
{
	struct cli_archive a;
	struct unseal_result res;
	int ec, rc;

	memset(&res, 0, sizeof(res));
	if ((ec = cli_archive_open(
	         &a, part, &p->u, &p->tr, CLI_ARCHIVE_NO_HASH)) != 0) {
		cli_archive_close(&a);
		rename(part, bad);
		return ec;
	}
	rc = cli_archive_check(&a, "verify", &p->tr, NULL, 1, &res);
	ec = rc == 0 ? 0 : cli_archive_fail(rc, &res, &p->tr, final);
	// clang-format off
	if (rc == 0 && !res.is_signed && !p->cr.quiet)
		cli_warn("%s: archive is unsigned: its content matches its SHA256SUMS, but nothing shows who sealed it",
		    final);
	// clang-format on
	cli_archive_close(&a);
	if (item != NULL) {
		cli_json_set(item, "verified", json_boolean(rc == 0));
		cli_json_set(item, "signed", json_boolean(res.sig_ok));
		cli_json_set(
		    item, "files", json_integer((json_int_t)res.nfiles));
		cli_json_set(item, "exit_code", json_integer(ec));
	}
	unseal_result_free(&res);
	if (ec != 0)
		rename(part, bad);
	else if (link(part, final) != 0 || unlink(part) != 0)
		ec = cli_fail(CAIRN_ERR_IO, "pull: %s", final);
	return ec;
}

static int
pull_one(struct pull *p, const struct remote_object *o)
{
	char *final = pathf(p->dir, o->name, "", "");
	char *part = pathf(p->dir, o->name, ".", ".part");
	char *bad = pathf(p->dir, o->name, "", ".unverified");
	const char *status = "fetched";
	json_t *item = NULL;
	int ec = 0;

	if (final == NULL || part == NULL || bad == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "pull");
		goto out;
	}
	if (p->list != NULL && (item = json_object()) != NULL) {
		cli_json_set(item, "object", json_string(o->name));
		cli_json_set(item, "path", json_string(final));
		cli_json_set(item, "bytes", json_integer((json_int_t)o->size));
	}
	if (cli_exists(final))
		status = "present";
	else if ((ec = download(p, o, part)) != 0)
		status = "failed";
	else if ((ec = check(p, part, final, bad, item)) != 0)
		status = "unverified";
	if (item != NULL)
		cli_json_set(item, "status", json_string(status));
	else if (!p->cr.quiet && ec == 0)
		printf("%s %s\n", status, final);
out:
	if (item != NULL)
		cli_json_append(p->list, item);
	free(final);
	free(part);
	free(bad);
	return ec;
}

/* The worse of two exit codes: remote and integrity failures first. */
static int
worse(int a, int b)
{
	static const int rank[] = {0, 2, 1, 3, 5, 4, 6, 1};
	int ra = a >= 0 && a < 8 ? rank[a] : 1,
	    rb = b >= 0 && b < 8 ? rank[b] : 1;

	return ra >= rb ? a : b;
}

static int
parse(int argc, char **argv, struct pull *p, struct cli_remote_opts *o,
    int *json, int *quiet)
{
	enum {
		OPT_SINCE = CLI_UNLOCK_OPT_FIRST_FREE,
		OPT_PROXY,
		OPT_CRED,
		OPT_RETRIES,
		OPT_JSON
	};
	static const struct option longopts[] = {
	    CLI_UNLOCK_LONGOPTS,
	    CLI_TRUST_LONGOPTS,
	    {"since", required_argument, NULL, OPT_SINCE},
	    {"proxy", required_argument, NULL, OPT_PROXY},
	    {"credentials-file", required_argument, NULL, OPT_CRED},
	    {"retries", required_argument, NULL, OPT_RETRIES},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, ec;

	while ((c = cli_getopt(argc, argv, ":hq" CLI_UNLOCK_SHORTOPTS, longopts,
	            NULL)) != -1) {
		if (cli_unlock_option(&p->u, c, optarg))
			continue;
		if (cli_trust_option(&p->tr, c, optarg, &ec)) {
			if (ec != 0)
				return ec;
			continue;
		}
		switch (c) {
		// clang-format off
		case OPT_SINCE:
			if ((p->since = parse_since(optarg)) < 0)
				return cli_usage_error("pull", "--since: give YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)");
			break;
		// clang-format on
		case OPT_PROXY: o->proxy = optarg; break;
		case OPT_CRED: o->credentials_file = optarg; break;
		case OPT_RETRIES:
			if ((ec = cli_remote_parse_retries(
			         "pull", optarg, &o->retries)) != 0)
				return ec;
			break;
		case OPT_JSON: *json = 1; break;
		case 'q': *quiet = 1; break;
		case 'h': cli_print_help(pull_help); return -1;
		default: return cli_option_error("pull", c, argv);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("pull", "give REMOTE and DIR");
	return 0;
}

int
cmd_pull(int argc, char **argv)
{
	static struct pull p;
	struct cli_remote_opts o = {NULL, NULL, -1};
	struct remote_object *objs = NULL;
	size_t n = 0;
	int ec, rc, json = 0, quiet = 0, worst = 0;

	memset(&p, 0, sizeof(p));
	if ((ec = cli_unlock_init(&p.u, "pull", argc)) != 0)
		return ec;
	if ((ec = parse(argc, argv, &p, &o, &json, &quiet)) != 0) {
		ec = ec < 0 ? 0 : ec;
		goto out;
	}
	p.dir = argv[optind + 1];
	if ((ec = cli_remote_open(&p.cr, "pull", argv[optind], &o)) != 0)
		goto out;
	p.cr.json = json;
	p.cr.quiet = quiet;
	if (mkdir(p.dir, 0700) != 0 && errno != EEXIST) {
		ec = cli_fail(CAIRN_ERR_IO, "pull: %s", p.dir);
		goto out;
	}
	/* the keys first: a missing identity is reported before any download */
	p.u.want_signer = 1;
	p.u.signers_given = p.tr.ngiven > 0;
	if ((ec = cli_trust_load(&p.tr)) != 0 ||
	    (ec = cli_unlock_load(&p.u)) != 0 ||
	    (ec = cli_trust_add_shares(&p.tr, &p.u)) != 0)
		goto out;
	if (p.u.nkeys == 0) {
		// clang-format off
		ec = cli_usage_error("pull", "no identity to verify the archives with: give -i FILE, --share FILE... or --passphrase-file F (or create the key home with 'cairn keygen')");
		// clang-format on
		goto out;
	}
	if ((rc = remote_list(p.cr.r, ".cairn", &objs, &n)) != 0) {
		ec = cli_remote_fail(&p.cr, rc, "pull: list");
		goto out;
	}
	if (json && (p.list = json_array()) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "pull");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (p.since > 0 && objs[i].mtime < p.since)
			continue;
		worst = worse(worst, pull_one(&p, &objs[i]));
		if (worst == CLI_EXIT_REMOTE)
			break; /* the remote is gone: the rest would fail too */
	}
	if (json) {
		json_t *sum = json_object();

		cli_json_set(sum, "remote", json_string(p.cr.name));
		cli_json_set(sum, "dir", json_string(p.dir));
		cli_json_set(sum, "ok", json_boolean(worst == 0));
		cli_json_set(sum, "archives", p.list);
		p.list = NULL;
		ec = cli_json_print(sum);
	} else
		ec = cli_flush_stdout();
	ec = worst ? worst : ec;
out:
	json_decref(p.list);
	remote_objects_free(objs, n);
	cli_remote_close(&p.cr);
	cli_unlock_free(&p.u);
	cli_trust_free(&p.tr);
	return ec;
}
