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

int
cli_remote_read_credentials(
    const char *path, char **buf, size_t *len, const char **ak, const char **sk)
{
	int rc;

	*buf = NULL;
	if ((rc = cio_read_file(path, 8192, 1, buf, len)) != 0) {
		int ec = cli_fail(rc, "credentials %s", path);
		if (rc == CAIRN_ERR_PERM)
			cli_hint("chmod 600 %s", cli_sh(path));
		return ec;
	}
	/* the values are cut out in place: each line ends at its '\n' */
	for (char *p = *buf; *p; p++)
		if (*p == '\n')
			*p = '\0';
	*ak = *sk = NULL;
	for (char *l = *buf; l < *buf + *len; l += strlen(l) + 1) {
		char *e = l + strlen(l);

		while (e > l && (e[-1] == '\r' || e[-1] == ' '))
			*--e = '\0';
		if (strncmp(l, "access_key=", 11) == 0)
			*ak = l + 11;
		else if (strncmp(l, "secret_key=", 11) == 0)
			*sk = l + 11;
	}
	if (*ak == NULL || *sk == NULL || **ak == '\0' || **sk == '\0') {
		cio_secret_free(*buf, *len);
		*buf = NULL;
		// clang-format off
		cli_error("credentials %s: need an access_key=... line and a secret_key=... line",
		    path);
		// clang-format on
		return CLI_EXIT_USAGE;
	}
	return 0;
}

char *
cli_remote_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = cio_malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* Credentials for cr: --credentials-file, environment, stored file. */
static int
load_credentials(struct cli_remote *cr, const struct cli_remote_opts *o,
    char **buf, size_t *len, const char **ak, const char **sk)
{
	const char *eak = getenv("CAIRN_S3_ACCESS_KEY");
	const char *esk = getenv("CAIRN_S3_SECRET_KEY");
	char *stored;
	int ec;

	*buf = NULL;
	*len = 0;
	if (o->credentials_file != NULL)
		return cli_remote_read_credentials(
		    o->credentials_file, buf, len, ak, sk);
	if (eak != NULL && esk != NULL && *eak && *esk) {
		*ak = eak;
		*sk = esk;
		return 0;
	}
	if ((stored = cli_remote_join(cr->dir, "credentials")) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "credentials");
	if (!cli_exists(stored)) {
		cli_error("remote %s: no credentials", cr->name);
		// clang-format off
		cli_hint("give --credentials-file F, set CAIRN_S3_ACCESS_KEY and CAIRN_S3_SECRET_KEY, or store them with 'cairn remote add --credentials-file'");
		// clang-format on
		free(stored);
		return CLI_EXIT_USAGE;
	}
	ec = cli_remote_read_credentials(stored, buf, len, ak, sk);
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
	char *home = NULL, *cpath = NULL, *cbuf = NULL;
	size_t clen = 0;
	const char *why = NULL;
	int ec = 0, rc;

	memset(cr, 0, sizeof(*cr));
	memset(&cfg, 0, sizeof(cfg));
	if (!cli_remote_name_ok(name))
		return cli_usage_error(verb, "'%s' is not a remote name", name);
	if ((home = cli_key_home_path("remotes")) == NULL)
		return CLI_EXIT_ERR;
	cr->dir = cli_remote_join(home, name);
	cr->name = cio_strdup(name);
	cpath = cr->dir ? cli_remote_join(cr->dir, "config.json") : NULL;
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
	cfg.retries = o->retries >= 0 ? (unsigned)o->retries : 4;
	cfg.backoff_ms = 500;
	if (strncmp(cfg.url, "s3", 2) == 0 &&
	    (ec = load_credentials(
	         cr, o, &cbuf, &clen, &cfg.access_key, &cfg.secret_key)) != 0)
		goto out;
	if ((rc = remote_open(&cr->r, &cfg, &why)) != 0)
		ec = rc == CAIRN_ERR_INVAL ? cli_fail_why(CLI_EXIT_USAGE, why,
		                                 "%s: remote %s", verb, name)
		                           : cli_fail(rc, "%s", verb);
out:
	if (cbuf != NULL)
		cio_secret_free(cbuf, clen);
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
	cr->r = NULL;
	cr->name = cr->dir = NULL;
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
	    [HTTP_FAIL_PROTOCOL] = "check that the URL names an S3 endpoint or a directory",
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
