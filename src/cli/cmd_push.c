/*
 * cmd_push.c - `cairn push REMOTE [ARCHIVE...]`: send archives to a
 * remote.  Without ARCHIVE: every archive in the outbox (what seal wrote
 * with this key home) that the remote has not yet confirmed.  Each object
 * is named by the archive id; an archive counts as pushed only after the
 * server confirmed it, and a cut upload resumes on the next run.
 *
 * Knows cli_remote.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cairn/err.h"
#include "builtin.h"
#include "cli.h"
#include "cli_json.h"
#include "cli_remote.h"

static const char push_help[] =
    "usage: cairn push [--proxy PROXY] [--credentials-file F]\n"
    "                  [--retries N] [--remove-after-push] [--json] [-q]\n"
    "                  REMOTE [ARCHIVE...]\n"
    "\n"
    "Send archives to REMOTE (see 'cairn remote').  Without ARCHIVE, send\n"
    "every archive sealed with this key home that REMOTE has not yet\n"
    "confirmed.  Objects are named by archive id (ID.cairn), never by the\n"
    "local file name.  Large archives go up in parts; a cut connection or\n"
    "a killed push resumes with the next push.  An archive is marked\n"
    "pushed only after the server confirmed the whole object.  Push works\n"
    "with write-only credentials, creates no buckets and deletes nothing\n"
    "remote.\n"
    "\n"
    "      --proxy PROXY        connect through PROXY for this call\n"
    "                           (Tor: socks5h://127.0.0.1:9050)\n"
    "      --credentials-file F the remote's credentials lines (see `cairn\n"
    "                           remote --help`); else $CAIRN_S3_ACCESS_KEY\n"
    "                           and $CAIRN_S3_SECRET_KEY (S3) or\n"
    "                           $CAIRN_REMOTE_USER and\n"
    "                           $CAIRN_REMOTE_PASSWORD, else the stored ones\n"
    "      --retries N          tries again N times after a network or\n"
    "                           server error, waiting longer each time\n"
    "                           (default 4)\n"
    "      --remove-after-push  delete each local archive once the remote\n"
    "                           confirmed it\n"
    "      --json               print a JSON summary\n"
    "  -q, --quiet              print nothing but errors\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 all sent (or nothing to send); 6 the remote was\n"
    "unreachable or refused; 1 other errors.\n";

/* Push es[0..n) in order; stops at the first failure.  named: the
 * archives were named on the command line (say so for each). */
static int
push_all(struct cli_remote *cr, struct cli_outbox_entry *es, size_t n,
    int remove_after, int named, json_t *done)
{
	int ec = 0, pushed;

	for (size_t i = 0; ec == 0 && i < n; i++) {
		json_t *o;

		if (!cli_exists(es[i].path)) {
			// clang-format off
			if (!cr->quiet && !cr->json &&
			    !cli_remote_is_pushed(cr, es[i].id))
				cli_warn("%s: archive %s no longer exists, skipped",
				    es[i].path, es[i].id);
			// clang-format on
			continue;
		}
		if ((ec = cli_remote_push_entry(
		         cr, &es[i], remove_after, &pushed)) != 0)
			break;
		if (cr->json && (pushed || named) &&
		    (o = json_object()) != NULL) {
			cli_json_set(o, "archive_id", json_string(es[i].id));
			cli_json_set(o, "path", json_string(es[i].path));
			cli_json_set(o, "sent", json_boolean(pushed));
			cli_json_set(o, "removed", json_boolean(remove_after));
			cli_json_append(done, o);
		} else if (!cr->quiet && !cr->json && (pushed || named))
			printf("%s %s %s\n",
			    pushed ? "pushed" : "already on remote", es[i].id,
			    es[i].path);
	}
	return ec;
}

int
cmd_push(int argc, char **argv)
{
	enum { OPT_PROXY = 256, OPT_CRED, OPT_RETRIES, OPT_REMOVE, OPT_JSON };
	static const struct option longopts[] = {
	    {"proxy", required_argument, NULL, OPT_PROXY},
	    {"credentials-file", required_argument, NULL, OPT_CRED},
	    {"retries", required_argument, NULL, OPT_RETRIES},
	    {"remove-after-push", no_argument, NULL, OPT_REMOVE},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_remote_opts o = {NULL, NULL, -1};
	struct cli_remote cr;
	struct cli_outbox_entry *es = NULL;
	json_t *done = NULL, *sum;
	size_t n = 0, pending = 0;
	int c, ec, json = 0, quiet = 0, remove_after = 0;

	memset(&cr, 0, sizeof(cr));
	while ((c = cli_getopt(argc, argv, ":hq", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PROXY: o.proxy = optarg; break;
		case OPT_CRED: o.credentials_file = optarg; break;
		case OPT_RETRIES:
			if ((ec = cli_remote_parse_retries(
			         "push", optarg, &o.retries)) != 0)
				return ec;
			break;
		case OPT_REMOVE: remove_after = 1; break;
		case OPT_JSON: json = 1; break;
		case 'q': quiet = 1; break;
		case 'h': return cli_print_help(push_help);
		default: return cli_option_error("push", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("push", "no REMOTE given");
	if ((ec = cli_remote_open(&cr, "push", argv[optind], &o)) != 0)
		return ec;
	cr.json = json;
	cr.quiet = quiet;
	if (optind + 1 < argc) {
		n = (size_t)(argc - optind - 1);
		if ((es = cio_calloc(n, sizeof(*es))) == NULL) {
			ec = cli_fail(CAIRN_ERR_NOMEM, "push");
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			if ((ec = cli_outbox_find_or_add(
			         argv[optind + 1 + i], &es[i])) != 0)
				goto out;
	} else if ((ec = cli_outbox_load(&es, &n)) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		pending += !cli_remote_is_pushed(&cr, es[i].id);
	if (json && (done = json_array()) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "push");
		goto out;
	}
	if (pending == 0 && optind + 1 >= argc) {
		if (!json && !quiet)
			printf("nothing to push to %s\n", cr.name);
	} else
		ec =
		    push_all(&cr, es, n, remove_after, optind + 1 < argc, done);
	if (json && (sum = json_object()) != NULL) {
		cli_json_set(sum, "remote", json_string(cr.name));
		cli_json_set(sum, "ok", json_boolean(ec == 0));
		cli_json_set(sum, "archives", done);
		done = NULL;
		int jec = cli_json_print(sum);
		ec = ec ? ec : jec;
	} else if (ec == 0)
		ec = cli_flush_stdout();
out:
	json_decref(done);
	cli_outbox_free(es, n);
	cli_remote_close(&cr);
	return ec;
}
