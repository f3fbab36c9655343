/*
 * cmd_remote.c - `cairn remote add|list|remove`: the remotes that push
 * and pull use, stored in the key home (settings in config.json,
 * credentials in a separate 0600 file; see cli_remote.h).  Credentials
 * come from a file or the environment, never from the command line, and
 * are never printed.  Removing a remote forgets it here; nothing on the
 * server is touched.
 *
 * Knows cli_remote.h and remote.h (remote_check).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cairn/err.h"
#include "cairn/remote.h"
#include "builtin.h"
#include "cli.h"
#include "cli_json.h"
#include "cli_remote.h"

static const char remote_help[] =
    "usage: cairn remote add NAME URL [--region R] [--virtual-host]\n"
    "                        [--proxy PROXY] [--allow-plain-http]\n"
    "                        [--part-size MIB] [--known-hosts F]\n"
    "                        [--connections N] [--create]\n"
    "                        [--credentials-file F | --credentials-env]\n"
    "       cairn remote list [--json]\n"
    "       cairn remote remove NAME\n"
    "\n"
    "Remember where `cairn push` sends archives and `cairn pull` fetches\n"
    "them.  URL is a directory (a path or file:///DIR); an S3 bucket:\n"
    "s3://HOST[:PORT]/BUCKET[/PREFIX] (HTTPS), or s3+http://... (plain\n"
    "HTTP, only for loopback and .onion hosts unless --allow-plain-http);\n"
    "a WebDAV collection: webdav://HOST[:PORT]/PATH (HTTPS; webdavs:// is\n"
    "the same), or webdav+http://... (plain HTTP, the same rule); or an\n"
    "SFTP directory: sftp://[USER@]HOST[:PORT]/PATH (/~/PATH: in the\n"
    "home directory), whose host key must be in the known_hosts file.\n"
    "Credentials are read from a file or the environment, stored in the\n"
    "key home (mode 0600) and never printed.  `remote remove` forgets the\n"
    "remote here and deletes nothing on the server.\n"
    "\n"
    "      --region R           S3 region (default us-east-1)\n"
    "      --virtual-host       bucket in the host name (BUCKET.HOST)\n"
    "                           instead of the path\n"
    "      --proxy PROXY        always connect through PROXY; for Tor:\n"
    "                           socks5h://127.0.0.1:9050 (socks5:// is\n"
    "                           refused for .onion hosts)\n"
    "      --allow-plain-http   allow s3+http:// and webdav+http:// to any\n"
    "                           host\n"
    "      --part-size MIB      upload in parts of MIB MiB (5..4096;\n"
    "                           default 16)\n"
    "      --known-hosts F      (sftp) the server's host key must be in F\n"
    "                           (default ~/.ssh/known_hosts); an unknown\n"
    "                           key is refused, never added\n"
    "      --connections N      send N parts at once, one connection\n"
    "                           each (1..16; default 4)\n"
    "      --create             create the bucket, WebDAV collection or\n"
    "                           directory (with its parents) now; refused\n"
    "                           when something is already under the URL\n"
    "                           (add without --create to use it as it is)\n"
    "      --credentials-file F store the credentials lines of F: S3\n"
    "                           access_key= and secret_key=; WebDAV user=\n"
    "                           and password=; SFTP key_file= (and\n"
    "                           passphrase=) or password=, and user=\n"
    "                           unless the URL names the user\n"
    "      --credentials-env    store $CAIRN_S3_ACCESS_KEY and\n"
    "                           $CAIRN_S3_SECRET_KEY (S3), or\n"
    "                           $CAIRN_REMOTE_USER and\n"
    "                           $CAIRN_REMOTE_PASSWORD (WebDAV, SFTP)\n"
    "      --json               (list) print the remotes as JSON\n"
    "  -h, --help               show this help\n";

struct add_args {
	const char *region, *proxy, *credfile, *known_hosts;
	long part_mib, conns;
	int vhost, plain, credenv, json, create;
};

static int
parse(int argc, char **argv, struct add_args *a)
{
	enum {
		OPT_REGION = 256,
		OPT_VHOST,
		OPT_PROXY,
		OPT_PLAIN,
		OPT_PART,
		OPT_CONNS,
		OPT_CREATE,
		OPT_CREDFILE,
		OPT_CREDENV,
		OPT_KNOWN_HOSTS,
		OPT_JSON
	};
	static const struct option longopts[] = {
	    {"region", required_argument, NULL, OPT_REGION},
	    {"virtual-host", no_argument, NULL, OPT_VHOST},
	    {"proxy", required_argument, NULL, OPT_PROXY},
	    {"allow-plain-http", no_argument, NULL, OPT_PLAIN},
	    {"part-size", required_argument, NULL, OPT_PART},
	    {"connections", required_argument, NULL, OPT_CONNS},
	    {"create", no_argument, NULL, OPT_CREATE},
	    {"credentials-file", required_argument, NULL, OPT_CREDFILE},
	    {"credentials-env", no_argument, NULL, OPT_CREDENV},
	    {"known-hosts", required_argument, NULL, OPT_KNOWN_HOSTS},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	while ((c = cli_getopt(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_REGION: a->region = optarg; break;
		case OPT_VHOST: a->vhost = 1; break;
		case OPT_PROXY: a->proxy = optarg; break;
		case OPT_PLAIN: a->plain = 1; break;
		case OPT_PART:
			errno = 0;
			a->part_mib = strtol(optarg, &end, 10);
			if (errno || *end || a->part_mib < 5 ||
			    a->part_mib > 4096)
				return cli_usage_error("remote",
				    "--part-size: a number of MiB, 5..4096");
			break;
		case OPT_CONNS:
			errno = 0;
			a->conns = strtol(optarg, &end, 10);
			if (errno || *end || a->conns < 1 || a->conns > 16)
				return cli_usage_error(
				    "remote", "--connections: a number 1..16");
			break;
		case OPT_CREATE: a->create = 1; break;
		case OPT_CREDFILE: a->credfile = optarg; break;
		case OPT_CREDENV: a->credenv = 1; break;
		case OPT_KNOWN_HOSTS: a->known_hosts = optarg; break;
		case OPT_JSON: a->json = 1; break;
		case 'h': cli_print_help(remote_help); return -1;
		default: return cli_option_error("remote", c, argv);
		}
	}
	if (a->credfile != NULL && a->credenv)
		// clang-format off
		return cli_usage_error("remote", "--credentials-file and --credentials-env exclude each other");
	// clang-format on
	return 0;
}

/* The credentials to store, as name=value lines. */
static int
credentials_text(
    const struct add_args *a, enum remote_kind kind, char **txt, size_t *tlen)
{
	struct cli_creds c;
	const char *k[6], *v[6];
	size_t n = 0, i;
	int ec = 0;

	*txt = NULL;
	memset(&c, 0, sizeof(c));
	if (a->credfile != NULL &&
	    (ec = cli_remote_read_credentials(a->credfile, kind, &c)) != 0)
		return ec;
	// clang-format off
	if (a->credenv && !cli_remote_env_credentials(kind, &c))
		return cli_usage_error("remote", kind == REMOTE_S3
		    ? "--credentials-env: set CAIRN_S3_ACCESS_KEY and CAIRN_S3_SECRET_KEY"
		    : "--credentials-env: set CAIRN_REMOTE_USER and CAIRN_REMOTE_PASSWORD");
	// clang-format on
	k[n] = "access_key", v[n++] = c.access_key;
	k[n] = "secret_key", v[n++] = c.secret_key;
	k[n] = "user", v[n++] = c.user;
	k[n] = "password", v[n++] = c.password;
	k[n] = "key_file", v[n++] = c.key_file;
	k[n] = "passphrase", v[n++] = c.passphrase;
	*tlen = 1;
	for (i = 0; i < n; i++)
		*tlen += v[i] ? strlen(k[i]) + strlen(v[i]) + 2 : 0;
	if ((*txt = cio_secret_malloc(*tlen)) == NULL)
		ec = cli_fail(CAIRN_ERR_NOMEM, "remote");
	else {
		size_t off = 0;
		for (i = 0; i < n; i++)
			if (v[i] != NULL)
				off += (size_t)snprintf(*txt + off, *tlen - off,
				    "%s=%s\n", k[i], v[i]);
		(*txt)[off] = '\0';
		*tlen = off;
	}
	cli_creds_free(&c);
	return ec;
}

static int
write_config(const char *dir, const char *url, const struct add_args *a)
{
	json_t *o = json_object();
	char *txt = NULL, *file = cio_path_join(dir, "config.json", NULL);
	int ec = 0, rc;

	if (o == NULL || file == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "remote");
		goto out;
	}
	cli_json_set(o, "url", json_string(url));
	if (a->region != NULL)
		cli_json_set(o, "region", json_string(a->region));
	cli_json_set(o, "virtual_host", json_boolean(a->vhost));
	if (a->proxy != NULL)
		cli_json_set(o, "proxy", json_string(a->proxy));
	cli_json_set(o, "allow_plain_http", json_boolean(a->plain));
	if (a->part_mib > 0)
		cli_json_set(o, "part_size_mib", json_integer(a->part_mib));
	if (a->known_hosts != NULL)
		cli_json_set(o, "known_hosts", json_string(a->known_hosts));
	if (a->conns > 0)
		cli_json_set(o, "connections", json_integer(a->conns));
	if ((txt = json_dumps(o, JSON_INDENT(2))) == NULL)
		ec = cli_fail(CAIRN_ERR_NOMEM, "remote");
	else if ((rc = cio_write_file(file, txt, strlen(txt), 0600)) != 0)
		ec = cli_fail(rc, "%s", file);
out:
	free(txt);
	free(file);
	json_decref(o);
	return ec;
}

static int
sub_add(int argc, char **argv)
{
	struct add_args a;
	struct remote_config cfg;
	char *home = NULL, *rdir = NULL, *dir = NULL, *cred = NULL,
	     *cpath = NULL;
	size_t clen = 0;
	const char *why, *name, *url;
	enum remote_kind kind;
	int ec, rc, made = 0;

	memset(&a, 0, sizeof(a));
	if ((ec = parse(argc, argv, &a)) != 0)
		return ec < 0 ? 0 : ec;
	if (argc - optind != 2)
		return cli_usage_error("remote", "remote add takes NAME URL");
	name = argv[optind];
	url = argv[optind + 1];
	if (!cli_remote_name_ok(name))
		return cli_usage_error("remote",
		    "a remote name is 1..32 letters, digits, '-' or '_'");
	memset(&cfg, 0, sizeof(cfg));
	cfg.url = url;
	cfg.proxy = a.proxy;
	cfg.allow_plain_http = a.plain;
	if (remote_check(&cfg, &why) != 0)
		return cli_fail_why(CLI_EXIT_USAGE, why, "remote add %s", url);
	kind = remote_url_kind(url);
	if (kind == REMOTE_DIR && (a.credfile || a.credenv))
		return cli_usage_error(
		    "remote", "a directory remote takes no credentials");
	if (kind != REMOTE_SFTP && a.known_hosts != NULL)
		return cli_usage_error(
		    "remote", "--known-hosts is for sftp:// remotes");
	if ((a.credfile || a.credenv) &&
	    (ec = credentials_text(&a, kind, &cred, &clen)) != 0)
		return ec;
	if ((home = cli_key_home()) == NULL ||
	    (rdir = cio_path_join(home, "remotes", NULL)) == NULL ||
	    (dir = cio_path_join(rdir, name, NULL)) == NULL) {
		ec = home ? cli_fail(CAIRN_ERR_NOMEM, "remote") : CLI_EXIT_ERR;
		goto out;
	}
	if ((mkdir(home, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(rdir, 0700) != 0 && errno != EEXIST)) {
		ec = cli_fail(CAIRN_ERR_IO, "%s", rdir);
		goto out;
	}
	if (mkdir(dir, 0700) != 0) {
		ec = errno == EEXIST ? cli_fail_why(CLI_EXIT_ERR,
		                           "already exists", "remote %s", name)
		                     : cli_fail(CAIRN_ERR_IO, "%s", dir);
		if (errno == EEXIST)
			cli_hint(
			    "remove it first with 'cairn remote remove %s'",
			    name);
		goto out;
	}
	made = 1;
	if (cred != NULL &&
	    ((cpath = cio_path_join(dir, "credentials", NULL)) == NULL ||
	        (rc = cio_write_file(cpath, cred, clen, 0600)) != 0)) {
		ec = cli_fail(cpath ? rc : CAIRN_ERR_NOMEM, "credentials");
		goto out;
	}
	ec = write_config(dir, url, &a);
	if (ec == 0 && a.create)
		ec = cli_remote_create(name);
out:
	if (ec != 0 && made) {
		char *conf = cio_path_join(dir, "config.json", NULL);

		if (conf != NULL)
			unlink(conf);
		free(conf);
		if (cpath != NULL)
			unlink(cpath);
		rmdir(dir);
	}
	if (cred != NULL)
		cio_secret_free(cred, clen);
	free(cpath);
	free(dir);
	free(rdir);
	free(home);
	return ec;
}

static int
sub_list(int argc, char **argv)
{
	struct add_args a;
	char *rdir = NULL, **names = NULL;
	json_t *arr = NULL;
	size_t n = 0;
	int ec;

	memset(&a, 0, sizeof(a));
	if ((ec = parse(argc, argv, &a)) != 0)
		return ec < 0 ? 0 : ec;
	if (optind != argc)
		return cli_usage_error(
		    "remote", "remote list takes no operand");
	if ((rdir = cli_key_home_path("remotes")) == NULL)
		return CLI_EXIT_ERR;
	if ((ec = cli_remote_names(rdir, &names, &n)) != 0 ||
	    (a.json && (arr = json_array()) == NULL)) {
		ec = ec ? ec : cli_fail(CAIRN_ERR_NOMEM, "remote list");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = cli_remote_describe(rdir, names[i]);
		const char *px;

		if (o == NULL) {
			cli_warn("remote %s: unreadable config.json", names[i]);
			continue;
		}
		if (a.json) {
			cli_json_append(arr, o);
			continue;
		}
		px = json_string_value(json_object_get(o, "proxy"));
		printf("%s\t%s%s%s\n", names[i],
		    json_string_value(json_object_get(o, "url")),
		    px ? "\tproxy " : "", px ? px : "");
		json_decref(o);
	}
	ec = a.json ? cli_json_print(arr) : cli_flush_stdout();
	arr = NULL;
out:
	json_decref(arr);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(rdir);
	return ec;
}

/* Remove the files of dir/sub and then dir/sub. */
static int
remove_sub(const char *dir, const char *sub)
{
	char *p = cio_path_join(dir, sub, NULL);
	struct dirent *e;
	DIR *d;
	int ec = 0;

	if (p == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "remote remove");
	if ((d = opendir(p)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.' &&
			    unlinkat(dirfd(d), e->d_name, 0) != 0)
				ec = cli_fail(
				    CAIRN_ERR_IO, "%s/%s", p, e->d_name);
		closedir(d);
	}
	if (ec == 0 && rmdir(p) != 0 && errno != ENOENT)
		ec = cli_fail(CAIRN_ERR_IO, "%s", p);
	free(p);
	return ec;
}

static int
sub_remove(int argc, char **argv)
{
	struct add_args a;
	char *rdir = NULL, *dir = NULL, *f = NULL;
	int ec;

	memset(&a, 0, sizeof(a));
	if ((ec = parse(argc, argv, &a)) != 0)
		return ec < 0 ? 0 : ec;
	if (argc - optind != 1 || !cli_remote_name_ok(argv[optind]))
		return cli_usage_error("remote", "remote remove takes NAME");
	if ((rdir = cli_key_home_path("remotes")) == NULL)
		return CLI_EXIT_ERR;
	if ((dir = cio_path_join(rdir, argv[optind], NULL)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "remote remove");
		goto out;
	}
	if (!cli_exists(dir)) {
		cli_error("remote remove: no remote named '%s'", argv[optind]);
		ec = CLI_EXIT_USAGE;
		goto out;
	}
	if ((ec = remove_sub(dir, "pushed")) != 0 ||
	    (ec = remove_sub(dir, "uploads")) != 0)
		goto out;
	f = cio_path_join(dir, "credentials", NULL);
	if (f != NULL)
		unlink(f);
	free(f);
	f = cio_path_join(dir, "config.json", NULL);
	if (f == NULL || (unlink(f) != 0 && errno != ENOENT) || rmdir(dir) != 0)
		ec = cli_fail(CAIRN_ERR_IO, "%s", dir);
out:
	free(f);
	free(dir);
	free(rdir);
	return ec;
}

int
cmd_remote(int argc, char **argv)
{
	static const struct cli_subcmd t[] = {{"add", sub_add},
	    {"list", sub_list}, {"remove", sub_remove}, {NULL, NULL}};

	return cli_subcmd_run("remote", remote_help, t, argc, argv);
}
