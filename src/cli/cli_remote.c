/*
 * cli_remote.c - a remote's stored settings and credentials, opening it
 * for push and pull, and one message per failure class (see
 * cli_remote.h).  The outbox and the push of one archive are in
 * cli_outbox.c.
 *
 * Knows remote.h and the key home layout; nothing of archive contents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cairn/err.h"
#include "cairn/remote.h"
#include "cli.h"
#include "cli_remote.h"

int
cli_remote_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		        (name[i] >= 'A' && name[i] <= 'Z') ||
		        (name[i] >= '0' && name[i] <= '9') || name[i] == '-' ||
		        name[i] == '_'))
			return 0;
	return 1;
}

/* Which lines a remote of this kind needs; NULL when c has them. */
static const char *
creds_missing(enum remote_kind kind, const struct cli_creds *c)
{
	// clang-format off
	if (kind == REMOTE_S3 && (c->access_key == NULL || c->secret_key == NULL))
		return "need an access_key=... line and a secret_key=... line";
	if (kind == REMOTE_DAV && (c->user == NULL || c->password == NULL))
		return "need a user=... line and a password=... line";
	if (kind == REMOTE_SFTP && c->key_file == NULL && c->password == NULL)
		return "need a key_file=/PATH line (or a password=... line), and user=... unless the URL names the user";
	if (c->key_file != NULL && c->key_file[0] != '/')
		return "key_file= needs an absolute path";
	// clang-format on
	return NULL;
}

void
cli_creds_free(struct cli_creds *c)
{
	if (c->buf != NULL)
		cio_secret_free(c->buf, c->len);
	memset(c, 0, sizeof(*c));
}

int
cli_remote_read_credentials(
    const char *path, enum remote_kind kind, struct cli_creds *c)
{
	static const char *const keys[] = {"access_key=", "secret_key=",
	    "user=", "password=", "key_file=", "passphrase="};
	const char **slot[] = {&c->access_key, &c->secret_key, &c->user,
	    &c->password, &c->key_file, &c->passphrase};
	const char *why;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = cio_read_file(path, 8192, 1, &c->buf, &c->len)) != 0) {
		int ec = cli_fail(rc, "credentials %s", path);
		if (rc == CAIRN_ERR_PERM)
			cli_hint("chmod 600 %s", cli_sh(path));
		return ec;
	}
	/* the values are cut out in place: each line ends at its '\n' */
	for (char *p = c->buf; *p; p++)
		if (*p == '\n')
			*p = '\0';
	for (char *l = c->buf; l < c->buf + c->len; l += strlen(l) + 1) {
		char *e = l + strlen(l);

		while (e > l && (e[-1] == '\r' || e[-1] == ' '))
			*--e = '\0';
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strncmp(l, keys[i], strlen(keys[i])) == 0 &&
			    l[strlen(keys[i])] != '\0')
				*slot[i] = l + strlen(keys[i]);
	}
	if ((why = creds_missing(kind, c)) != NULL) {
		cli_creds_free(c);
		cli_error("credentials %s: %s", path, why);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

int
cli_remote_env_credentials(enum remote_kind kind, struct cli_creds *c)
{
	const char *a = getenv(
	    kind == REMOTE_S3 ? "CAIRN_S3_ACCESS_KEY" : "CAIRN_REMOTE_USER");
	const char *b = getenv(kind == REMOTE_S3 ? "CAIRN_S3_SECRET_KEY"
	                                         : "CAIRN_REMOTE_PASSWORD");

	memset(c, 0, sizeof(*c));
	if (a != NULL && *a == '\0')
		a = NULL;
	if (b == NULL || *b == '\0' || (a == NULL && kind != REMOTE_SFTP))
		return 0;
	if (kind == REMOTE_S3) {
		c->access_key = a;
		c->secret_key = b;
	} else {
		c->user = a;
		c->password = b;
	}
	return 1;
}

char *
cli_remote_default_known_hosts(void)
{
	const char *home = getenv("HOME");

	return cio_path_join(
	    home && *home ? home : "/", ".ssh/known_hosts", NULL);
}

/* Credentials for cr: --credentials-file, environment, stored file. */
static int
load_credentials(struct cli_remote *cr, const struct cli_remote_opts *o,
    enum remote_kind kind, struct cli_creds *c)
{
	char *stored;
	int ec;

	if (o->credentials_file != NULL)
		return cli_remote_read_credentials(
		    o->credentials_file, kind, c);
	if (cli_remote_env_credentials(kind, c))
		return 0;
	if ((stored = cio_path_join(cr->dir, "credentials", NULL)) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "credentials");
	if (!cli_exists(stored)) {
		cli_error("remote %s: no credentials", cr->name);
		// clang-format off
		if (kind == REMOTE_S3)
			cli_hint("give --credentials-file F, set CAIRN_S3_ACCESS_KEY and CAIRN_S3_SECRET_KEY, or store them with 'cairn remote add --credentials-file'");
		else
			cli_hint("give --credentials-file F, set CAIRN_REMOTE_USER and CAIRN_REMOTE_PASSWORD, or store them with 'cairn remote add --credentials-file'");
		// clang-format on
		free(stored);
		return CLI_EXIT_USAGE;
	}
	ec = cli_remote_read_credentials(stored, kind, c);
	free(stored);
	return ec;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int
cli_remote_open(struct cli_remote *cr, const char *verb, const char *name,
    const struct cli_remote_opts *o)
{
	struct remote_config cfg;
	json_t *conf = NULL;
	char *home = NULL, *cpath = NULL, *kh = NULL;
	struct cli_creds cc;
	enum remote_kind kind;
	const char *why = NULL;
	int ec = 0, rc;

	memset(cr, 0, sizeof(*cr));
	memset(&cfg, 0, sizeof(cfg));
	memset(&cc, 0, sizeof(cc));
	if (!cli_remote_name_ok(name))
		return cli_usage_error(verb, "'%s' is not a remote name", name);
	if ((home = cli_key_home_path("remotes")) == NULL)
		return CLI_EXIT_ERR;
	cr->dir = cio_path_join(home, name, NULL);
	cr->name = cio_strdup(name);
	cpath = cr->dir ? cio_path_join(cr->dir, "config.json", NULL) : NULL;
	if (cpath == NULL || cr->name == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "%s", verb);
		goto out;
	}
	if (!cli_exists(cpath)) {
		cli_error("%s: no remote named '%s'", verb, name);
		// clang-format off
		cli_hint("see 'cairn remote list'; add one with 'cairn remote add NAME URL'");
		// clang-format on
		ec = CLI_EXIT_USAGE;
		goto out;
	}
	if ((conf = json_load_file(cpath, 0, NULL)) == NULL ||
	    jstr(conf, "url") == NULL) {
		ec = cli_fail_why(
		    CLI_EXIT_ERR, "unreadable or malformed", "%s", cpath);
		goto out;
	}
	cfg.url = jstr(conf, "url");
	cfg.region = jstr(conf, "region");
	cfg.virtual_host = json_is_true(json_object_get(conf, "virtual_host"));
	cfg.allow_plain_http =
	    json_is_true(json_object_get(conf, "allow_plain_http"));
	cfg.proxy = o->proxy != NULL ? o->proxy : jstr(conf, "proxy");
	cfg.part_size =
	    (size_t)json_integer_value(json_object_get(conf, "part_size_mib"))
	    << 20;
	cfg.connections =
	    (unsigned)json_integer_value(json_object_get(conf, "connections"));
	cfg.retries = o->retries >= 0 ? (unsigned)o->retries : 4;
	cfg.backoff_ms = 500;
	kind = remote_url_kind(cfg.url);
	if (kind != REMOTE_DIR &&
	    (ec = load_credentials(cr, o, kind, &cc)) != 0)
		goto out;
	cfg.access_key = cc.access_key;
	cfg.secret_key = cc.secret_key;
	cfg.user = cc.user;
	cfg.password = cc.password;
	cfg.key_file = cc.key_file;
	cfg.passphrase = cc.passphrase;
	cfg.known_hosts = jstr(conf, "known_hosts");
	if (kind == REMOTE_SFTP && cfg.known_hosts == NULL) {
		if ((kh = cli_remote_default_known_hosts()) == NULL) {
			ec = cli_fail(CAIRN_ERR_NOMEM, "%s", verb);
			goto out;
		}
		cfg.known_hosts = kh;
	}
	if (cfg.known_hosts != NULL &&
	    (cr->known_hosts = cio_strdup(cfg.known_hosts)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "%s", verb);
		goto out;
	}
	if ((rc = remote_open(&cr->r, &cfg, &why)) != 0)
		ec = rc == CAIRN_ERR_INVAL ? cli_fail_why(CLI_EXIT_USAGE, why,
		                                 "%s: remote %s", verb, name)
		                           : cli_fail(rc, "%s", verb);
out:
	cli_creds_free(&cc);
	free(kh);
	json_decref(conf);
	free(cpath);
	free(home);
	if (ec != 0)
		cli_remote_close(cr);
	return ec;
}

void
cli_remote_close(struct cli_remote *cr)
{
	remote_free(cr->r);
	free(cr->name);
	free(cr->dir);
	free(cr->known_hosts);
	cr->r = NULL;
	cr->name = cr->dir = cr->known_hosts = NULL;
}

/* How to add (or replace) an SSH host key; cairn never does it. */
static void
hostkey_hint(const struct cli_remote *cr, enum http_fail f)
{
	const char *host = remote_host(cr->r), *port = remote_port(cr->r);
	const char *kh =
	    cr->known_hosts ? cr->known_hosts : "~/.ssh/known_hosts";
	char entry[300];

	if (*port != '\0' && strcmp(port, "22") != 0)
		snprintf(entry, sizeof(entry), "[%s]:%s", host, port);
	else
		snprintf(entry, sizeof(entry), "%s", host);
	// clang-format off
	if (f == HTTP_FAIL_HOSTKEY_CHANGED) {
		cli_hint("someone may be between you and the server: push nothing until the server's administrator confirms its new key fingerprint; then: ssh-keygen -R %s -f %s", cli_sh(entry), cli_sh(kh));
		return;
	}
	cli_hint("ask the server's administrator for its key fingerprint (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), compare it with the one above, and only then add the key: ssh-keyscan -t ed25519 -p %s %s >>%s", *port ? port : "22", host, cli_sh(kh));
	// clang-format on
}

int
cli_remote_fail(const struct cli_remote *cr, int rc, const char *what)
{
	// clang-format off
	static const char *const why[] = {
	    [HTTP_FAIL_NONE] = "failed",
	    [HTTP_FAIL_NETWORK] = "network",
	    [HTTP_FAIL_PROXY] = "proxy",
	    [HTTP_FAIL_TLS] = "TLS",
	    [HTTP_FAIL_AUTH] = "refused the credentials",
	    [HTTP_FAIL_QUOTA] = "no space or over quota",
	    [HTTP_FAIL_NOTFOUND] = "not found",
	    [HTTP_FAIL_SERVER] = "server error",
	    [HTTP_FAIL_PROTOCOL] = "unexpected answer",
	    [HTTP_FAIL_HOSTKEY] = "unknown SSH host key",
	    [HTTP_FAIL_HOSTKEY_CHANGED] = "SSH host key CHANGED",
	    [HTTP_FAIL_EXISTS] = "already there",
	};
	static const char *const hint[] = {
	    [HTTP_FAIL_NONE] = "run the same command again",
	    [HTTP_FAIL_NETWORK] = "check the connection; run the same command again: it resumes where it stopped",
	    [HTTP_FAIL_PROXY] = "is the proxy (Tor) running? check --proxy (Tor: socks5h://127.0.0.1:9050)",
	    [HTTP_FAIL_TLS] = "the server's TLS certificate was refused: check the host name in the URL and the system's CA certificates",
	    [HTTP_FAIL_AUTH] = "check the access key and secret key (--credentials-file) and the bucket policy; nothing was marked pushed",
	    [HTTP_FAIL_QUOTA] = "the remote is full or over its quota: ask its administrator; nothing was marked pushed",
	    [HTTP_FAIL_NOTFOUND] = "check the bucket or directory in the remote's URL: push creates none",
	    [HTTP_FAIL_SERVER] = "the server failed: try again later; push resumes where it stopped",
	    [HTTP_FAIL_PROTOCOL] = "check that the URL names an S3 bucket, a WebDAV collection, an SFTP directory or a directory",
	    [HTTP_FAIL_HOSTKEY] = "",
	    [HTTP_FAIL_HOSTKEY_CHANGED] = "",
	    [HTTP_FAIL_EXISTS] = "an object with this name but other content is on the remote; cairn never replaces one: ask the remote's administrator",
	};
	// clang-format on
	enum http_fail f;

	if (rc != CAIRN_ERR_REMOTE)
		return cli_fail(rc, "%s", what);
	f = remote_fail(cr->r);
	if ((unsigned)f >= sizeof(why) / sizeof(why[0]))
		f = HTTP_FAIL_NONE;
	cli_error("%s: remote %s: %s: %s", what, cr->name, why[f],
	    remote_error(cr->r));
	if (f == HTTP_FAIL_HOSTKEY || f == HTTP_FAIL_HOSTKEY_CHANGED)
		hostkey_hint(cr, f);
	else
		cli_hint("%s", hint[f]);
	return CLI_EXIT_REMOTE;
}

int
cli_remote_parse_retries(const char *verb, const char *s, long *out)
{
	char *end;

	*out = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *out < 0 || *out > 100)
		return cli_usage_error(verb, "--retries: a number 0..100");
	return 0;
}

int
cli_remote_create(const char *name)
{
	struct cli_remote_opts o = {NULL, NULL, -1};
	struct cli_remote cr;
	size_t there = 0;
	int ec, rc;

	memset(&cr, 0, sizeof(cr));
	if ((ec = cli_remote_open(&cr, "remote add", name, &o)) != 0)
		return ec;
	rc = remote_create(cr.r, &there);
	if (rc == CAIRN_ERR_EXISTS) {
		// clang-format off
		cli_error("remote add --create: remote %s: not empty: something is already under its URL", name);
		cli_hint("give an empty place (another bucket or prefix), or add it without --create to use it as it is");
		// clang-format on
		ec = CLI_EXIT_ERR;
	} else if (rc == CAIRN_ERR_REMOTE &&
	    remote_fail(cr.r) == HTTP_FAIL_AUTH) {
		// clang-format off
		cli_error("remote add --create: remote %s: refused the credentials: %s", name, remote_error(cr.r));
		cli_hint("the credentials may not create it there (write-only credentials never can), or a parent is not a directory they may write in: create it with an administrator's credentials");
		// clang-format on
		ec = CLI_EXIT_REMOTE;
	} else if (rc != 0)
		ec = cli_remote_fail(&cr, rc, "remote add --create");
	cli_remote_close(&cr);
	return ec;
}
