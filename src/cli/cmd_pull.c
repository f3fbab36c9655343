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
#include "cli_fetch.h"
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

static ssize_t
plain_read(void *ctx, uint8_t *buf, size_t len)
{
	return age_reader_read(ctx, buf, len);
}

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

/* "dir/.name.part", the hidden download file (a dot before the name, so
 * not a plain cio_path_join()); NULL when out of memory. */
static char *
part_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + sizeof("/..part");
	char *p = cio_malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/.%s.part", dir, name);
	return p;
}

/* Open (or continue) the download file; *have: the bytes it holds (a
 * file longer than the object is started again). */
static int
open_part(
    const struct remote_object *o, const char *part, int *fd, uint64_t *have)
{
	struct stat st;

	if ((*fd = open(part,
	         O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600)) <
	        0 ||
	    fstat(*fd, &st) != 0) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return cli_fail(CAIRN_ERR_IO, "pull: %s", part);
	}
	if ((uint64_t)st.st_size > o->size && ftruncate(*fd, 0) == 0)
		st.st_size = 0;
	*have = (uint64_t)st.st_size;
	return 0;
}

/* Verify the archive as it arrives through src (no message: the
 * download may still fail).  *orc: the age layer's result, else the
 * verify's is returned. */
static int
verify_stream(struct pull *p, const struct cio_source *src, const char *name,
    struct cli_archive *a, int *orc, struct unseal_result *res)
{
	memset(a, 0, sizeof(*a));
	a->in.fd = -1;
	a->in.name = name;
	if ((*orc = age_reader_new(&a->r, src, &p->u.ids)) != 0)
		return *orc;
	a->plain = (struct cio_source){.read = plain_read, .ctx = a->r};
	return cli_archive_check(a, "verify", &p->tr, NULL, 1, res);
}

/* The verify's outcome: messages, JSON, then link part to final, or
 * rename it to bad. */
static int
publish(struct pull *p, int orc, int rc, const struct unseal_result *res,
    const char *part, const char *final, const char *bad, json_t *item)
{
	int ec;

	if (orc != 0) {
		ec = cli_unlock_open_fail(&p->u, orc, final);
		rename(part, bad);
		return ec;
	}
	ec = rc == 0 ? 0 : cli_archive_fail(rc, res, &p->tr, final);
	// clang-format off
	if (rc == 0 && !res->is_signed && !p->cr.quiet)
		cli_warn("%s: archive is unsigned: its content matches its SHA256SUMS, but nothing shows who sealed it",
		    final);
	// clang-format on
	if (item != NULL) {
		cli_json_set(item, "verified", json_boolean(rc == 0));
		cli_json_set(item, "signed", json_boolean(res->sig_ok));
		cli_json_set(
		    item, "files", json_integer((json_int_t)res->nfiles));
		cli_json_set(item, "exit_code", json_integer(ec));
	}
	if (ec != 0)
		rename(part, bad);
	else if (link(part, final) != 0 || unlink(part) != 0)
		ec = cli_fail(CAIRN_ERR_IO, "pull: %s", final);
	return ec;
}

/*
 * Download o into part (continuing what is there) while verifying it
 * from its start; only a download that brought the whole object counts,
 * and only then is the verify's result used (publish).  A failed
 * download keeps part for the next pull to continue.  *fetched: the
 * download succeeded.
 */
static int
fetch_check(struct pull *p, const struct remote_object *o, const char *part,
    const char *final, const char *bad, json_t *item, int *fetched)
{
	struct cli_progress pg;
	struct cli_archive a;
	struct unseal_result res;
	struct cli_fetch f;
	uint64_t have = 0;
	int fd, ec, rc, orc, drc;
	char what[300];

	*fetched = 0;
	if ((ec = open_part(o, part, &fd, &have)) != 0)
		return ec;
	memset(&res, 0, sizeof(res));
	cli_progress_start(&pg, "pull", o->size, p->cr.quiet || p->cr.json, -1);
	if (cli_fetch_start(&f, p->cr.r, o, fd, have, &pg) != 0) {
		cli_progress_end(&pg);
		close(fd);
		return cli_fail(CAIRN_ERR_NOMEM, "pull");
	}
	rc = verify_stream(p, &f.src, final, &a, &orc, &res);
	drc = cli_fetch_finish(&f);
	cli_progress_end(&pg);
	cli_archive_close(&a);
	close(fd);
	if (drc != 0) {
		snprintf(what, sizeof(what), "pull %s", o->name);
		ec = cli_remote_fail(&p->cr, drc, what);
	} else {
		*fetched = 1;
		ec = publish(p, orc, rc, &res, part, final, bad, item);
	}
	unseal_result_free(&res);
	return ec;
}

static int
pull_one(struct pull *p, const struct remote_object *o)
{
	char *final = cio_path_join(p->dir, o->name, NULL);
	char *part = part_path(p->dir, o->name);
	char *bad = cio_path_join(p->dir, o->name, ".unverified");
	const char *status = "fetched";
	json_t *item = NULL;
	int ec = 0, fetched = 0;

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
	else if ((ec = fetch_check(p, o, part, final, bad, item, &fetched)) !=
	    0)
		status = fetched ? "unverified" : "failed";
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
		if (cli_unlock_trust_option(&p->u, &p->tr, c, optarg, &ec)) {
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
