/*
 * remote.c - remote URLs, their rules (plain HTTP, proxies, .onion), and
 * dispatch to the directory, S3, WebDAV and SFTP backends (see remote.h).
 *
 * Knows http.h for the host rules; knows nothing of S3, WebDAV or SFTP
 * requests, manifests or the key home.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "remote_impl.h"

struct parsed {
	enum remote_kind kind;
	int https;
	char host[256], port[8], bucket[64], prefix[512], dir[4096];
	char user[64], path[1024];
};

static int
valid_chars(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr(extra, s[i]) == NULL)
			return 0;
	return 1;
}

/* host[:port] of n bytes at s into p. */
static int
parse_host(const char *s, size_t n, struct parsed *p, const char **why)
{
	const char *colon = NULL;

	if (n > 0 && s[0] == '[') {
		const char *e = memchr(s, ']', n);
		if (e == NULL || (size_t)(e - s) + 1 >= sizeof(p->host))
			return *why = "bad IPv6 address in the URL", -1;
		snprintf(p->host, sizeof(p->host), "%.*s", (int)(e - s + 1), s);
		if (e + 1 < s + n && e[1] != ':')
			return *why = "bad host in the URL", -1;
		colon = e + 1 < s + n ? e + 1 : NULL;
	} else {
		colon = memchr(s, ':', n);
		size_t hl = colon ? (size_t)(colon - s) : n;
		if (hl == 0 || hl >= sizeof(p->host) ||
		    !valid_chars(s, hl, ".-"))
			return *why = "no host, or a bad host name, in the URL",
			       -1;
		snprintf(p->host, sizeof(p->host), "%.*s", (int)hl, s);
	}
	if (colon != NULL) {
		size_t pl = (size_t)(s + n - colon - 1);
		if (pl == 0 || pl > 5 || !valid_chars(colon + 1, pl, "") ||
		    !isdigit((unsigned char)colon[1]) || atoi(colon + 1) < 1 ||
		    atoi(colon + 1) > 65535)
			return *why = "bad port in the URL", -1;
		snprintf(p->port, sizeof(p->port), "%.*s", (int)pl, colon + 1);
	}
	return 0;
}

/* s3[+http]://HOST[:PORT]/BUCKET[/PREFIX] */
static int
parse_s3(const char *rest, struct parsed *p, const char **why)
{
	const char *slash = strchr(rest, '/'), *b, *e;
	size_t bl, pl;

	if (slash == NULL || parse_host(rest, (size_t)(slash - rest), p, why))
		return slash == NULL
		    ? (*why = "no bucket in the URL (s3://HOST/BUCKET)", -1)
		    : -1;
	b = slash + 1;
	e = strchr(b, '/');
	bl = e ? (size_t)(e - b) : strlen(b);
	// clang-format off
	if (bl < 3 || bl > 63 || !valid_chars(b, bl, ".-_"))
		return *why = "the bucket name must be 3..63 letters, digits, '.', '-' or '_'",
		       -1;
	// clang-format on
	snprintf(p->bucket, sizeof(p->bucket), "%.*s", (int)bl, b);
	if (e == NULL)
		return 0;
	while (*e == '/')
		e++;
	pl = strlen(e);
	while (pl > 0 && e[pl - 1] == '/')
		pl--;
	// clang-format off
	if (pl >= sizeof(p->prefix) - 1 || !valid_chars(e, pl, "._-/") ||
	    strstr(e, "//") != NULL || strstr(e, "..") != NULL)
		return *why = "the prefix may hold only letters, digits, '.', '-', '_' and single '/'",
		       -1;
	// clang-format on
	if (pl > 0)
		snprintf(p->prefix, sizeof(p->prefix), "%.*s/", (int)pl, e);
	return 0;
}

/* webdav[s|+http]://HOST[:PORT]/PATH and sftp://[USER@]HOST[:PORT]/PATH:
 * PATH is kept as "/a/b/" (SFTP: "/~/a/" is relative to the home). */
static int
parse_path_url(const char *rest, struct parsed *p, const char **why)
{
	const char *at, *slash = strchr(rest, '/'), *e;
	size_t pl;

	at = p->kind == REMOTE_SFTP ? strchr(rest, '@') : NULL;
	if (at != NULL && (slash == NULL || at < slash)) {
		size_t ul = (size_t)(at - rest);
		if (ul == 0 || ul >= sizeof(p->user) ||
		    !valid_chars(rest, ul, ".-_"))
			return *why = "bad user name in the URL", -1;
		snprintf(p->user, sizeof(p->user), "%.*s", (int)ul, rest);
		rest = at + 1;
	}
	if (slash == NULL || parse_host(rest, (size_t)(slash - rest), p, why))
		return slash == NULL ? (*why = "no path in the URL", -1) : -1;
	e = slash;
	pl = strlen(e);
	while (pl > 1 && e[pl - 1] == '/')
		pl--;
	// clang-format off
	if (pl + 2 >= sizeof(p->path) || !valid_chars(e, pl, "._-/~@") ||
	    strstr(e, "//") != NULL || strstr(e, "/.") != NULL ||
	    (strchr(e, '~') != NULL && (p->kind != REMOTE_SFTP || strncmp(e, "/~", 2) != 0 || (e[2] != '/' && e[2] != '\0') || strchr(e + 2, '~') != NULL)))
		return *why = "the path may hold only letters, digits, '.', '-', '_', '@' and single '/' (no segment starting with '.'; SFTP: /~/ for the home directory)",
		       -1;
	// clang-format on
	snprintf(
	    p->path, sizeof(p->path), "%.*s%s", (int)pl, e, pl > 1 ? "/" : "");
	return 0;
}

static const struct {
	const char *scheme;
	enum remote_kind kind;
	int https;
} SCHEMES[] = {
    {"webdav://", REMOTE_DAV, 1},
    {"webdavs://", REMOTE_DAV, 1},
    {"webdav+http://", REMOTE_DAV, 0},
    {"sftp://", REMOTE_SFTP, 1},
};

// clang-format off
static const char WHY_FILE_ABS[] = "a file:// URL needs an absolute path (file:///DIR)";
static const char WHY_SCHEME[] = "unsupported URL scheme (use s3://, s3+http://, webdav://, webdav+http://, sftp://, file:// or a directory path)";
static const char WHY_PLAIN[] = "s3+http:// and webdav+http:// send data and credentials unencrypted: allowed only for loopback and .onion hosts unless --allow-plain-http";
static const char WHY_SFTP_PROXY[] = "an sftp:// remote takes only a socks5h:// or socks5:// proxy";
// clang-format on

static int
parse_url(const char *url, struct parsed *p, const char **why)
{
	memset(p, 0, sizeof(*p));
	if (url == NULL || *url == '\0')
		return *why = "empty URL", -1;
	if (strncmp(url, "s3://", 5) == 0 ||
	    strncmp(url, "s3+http://", 10) == 0) {
		p->kind = REMOTE_S3;
		p->https = url[2] == ':';
		return parse_s3(url + (p->https ? 5 : 10), p, why);
	}
	for (size_t i = 0; i < sizeof(SCHEMES) / sizeof(SCHEMES[0]); i++) {
		size_t sl = strlen(SCHEMES[i].scheme);
		if (strncmp(url, SCHEMES[i].scheme, sl) == 0) {
			p->kind = SCHEMES[i].kind;
			p->https = SCHEMES[i].https;
			return parse_path_url(url + sl, p, why);
		}
	}
	if (strncmp(url, "file://", 7) == 0) {
		url += 7;
		if (*url != '/')
			return *why = WHY_FILE_ABS, -1;
	} else if (strstr(url, "://") != NULL)
		return *why = WHY_SCHEME, -1;
	if (strlen(url) >= sizeof(p->dir))
		return *why = "path too long", -1;
	p->kind = REMOTE_DIR;
	snprintf(p->dir, sizeof(p->dir), "%s", url);
	return 0;
}

static int
check_rules(
    const struct remote_config *cfg, const struct parsed *p, const char **why)
{
	const char *px = cfg->proxy;

	if (p->kind == REMOTE_DIR)
		return px != NULL
		    ? (*why = "a directory remote takes no --proxy", -1)
		    : 0;
	if (p->kind == REMOTE_SFTP && px != NULL &&
	    strncmp(px, "http://", 7) == 0)
		return *why = WHY_SFTP_PROXY, -1;
	if (http_proxy_check(p->host, px, why) != 0)
		return -1;
	if (!p->https && !cfg->allow_plain_http &&
	    !http_host_is_local_or_onion(p->host))
		return *why = WHY_PLAIN, -1;
	if (cfg->part_size != 0 && cfg->part_size < REMOTE_PART_MIN)
		return *why = "the part size must be at least 5 MiB", -1;
	if (cfg->connections > REMOTE_CONNECTIONS_MAX)
		return *why = "at most 16 connections", -1;
	return 0;
}

int
remote_check(const struct remote_config *cfg, const char **why)
{
	struct parsed p;

	if (parse_url(cfg->url, &p, why) != 0 || check_rules(cfg, &p, why) != 0)
		return CAIRN_ERR_INVAL;
	return 0;
}

enum remote_kind
remote_url_kind(const char *url)
{
	struct parsed p;
	const char *why;

	return parse_url(url, &p, &why) == 0 ? p.kind : REMOTE_DIR;
}

static char *
dup_or_empty(const char *s)
{
	return cio_strdup(s != NULL ? s : "");
}

static char *
secret_dup(const char *s, size_t *len)
{
	char *d;

	*len = s ? strlen(s) : 0;
	if ((d = cio_secret_malloc(*len + 1)) != NULL) {
		memcpy(d, s ? s : "", *len);
		d[*len] = '\0';
	}
	return d;
}

/* The rest of remote_open for WebDAV and SFTP: a user, and a password or
 * (SFTP) a key file; SFTP also a known_hosts file. */
static int
open_login(struct remote *r, const struct remote_config *cfg,
    const struct parsed *p, struct remote **rp, const char **why)
{
	const char *user = cfg->user && *cfg->user ? cfg->user : p->user;

	// clang-format off
	if (*user == '\0')
		*why = p->kind == REMOTE_SFTP ? "no user: give one in the URL (sftp://USER@HOST/DIR) or a user= line in the credentials" : "no user: give a user= line in the credentials";
	else if (p->kind == REMOTE_DAV && cfg->password == NULL)
		*why = "no password: give a password= line in the credentials";
	else if (p->kind == REMOTE_SFTP && cfg->password == NULL && cfg->key_file == NULL)
		*why = "no key_file= or password= line in the credentials";
	else if (p->kind == REMOTE_SFTP && (cfg->known_hosts == NULL || *cfg->known_hosts == '\0'))
		*why = "no known_hosts file for the server's host key";
	else
		*why = NULL;
	// clang-format on
	if (*why != NULL) {
		remote_free(r);
		return CAIRN_ERR_INVAL;
	}
	r->path = cio_strdup(p->path);
	r->access_key = cio_strdup(user);
	r->secret_key = secret_dup(cfg->password, &r->secret_len);
	r->key_file = cfg->key_file ? cio_strdup(cfg->key_file) : NULL;
	r->known_hosts = cfg->known_hosts ? cio_strdup(cfg->known_hosts) : NULL;
	if (cfg->passphrase != NULL) {
		size_t pl;
		r->passphrase = secret_dup(cfg->passphrase, &pl);
	}
	if (!r->dir || !r->host || !r->port || !r->path || !r->region ||
	    (cfg->proxy && !r->proxy) || !r->access_key || !r->secret_key ||
	    (cfg->key_file && !r->key_file) ||
	    (cfg->known_hosts && !r->known_hosts) ||
	    (cfg->passphrase && !r->passphrase)) {
		remote_free(r);
		return CAIRN_ERR_NOMEM;
	}
	if (cfg->password == NULL) {
		sodium_free(r->secret_key);
		r->secret_key = NULL; /* SFTP with a key: no password */
	}
	*rp = r;
	return 0;
}

int
remote_open(
    struct remote **rp, const struct remote_config *cfg, const char **why)
{
	struct parsed p;
	struct remote *r;

	*rp = NULL;
	if (remote_check(cfg, why) != 0 || parse_url(cfg->url, &p, why) != 0)
		return CAIRN_ERR_INVAL;
	if (http_global_init() != 0 || (r = cio_calloc(1, sizeof(*r))) == NULL)
		return CAIRN_ERR_NOMEM;
	r->kind = p.kind;
	r->https = p.https;
	r->vhost = cfg->virtual_host;
	r->retries = cfg->retries;
	r->backoff_ms = cfg->backoff_ms;
	r->part_size = cfg->part_size ? cfg->part_size : REMOTE_PART_DEFAULT;
	r->connections =
	    cfg->connections ? cfg->connections : REMOTE_CONNECTIONS_DEFAULT;
	r->dir = cio_strdup(p.dir);
	r->host = cio_strdup(p.host);
	r->port = cio_strdup(p.port);
	r->bucket = cio_strdup(p.bucket);
	r->prefix = cio_strdup(p.prefix);
	r->region = cio_strdup(cfg->region ? cfg->region : "us-east-1");
	r->proxy = cfg->proxy ? cio_strdup(cfg->proxy) : NULL;
	if (p.kind == REMOTE_DAV || p.kind == REMOTE_SFTP)
		return open_login(r, cfg, &p, rp, why);
	r->access_key = dup_or_empty(cfg->access_key);
	r->secret_key = secret_dup(cfg->secret_key, &r->secret_len);
	if (!r->dir || !r->host || !r->port || !r->bucket || !r->prefix ||
	    !r->region || (cfg->proxy && !r->proxy) || !r->access_key ||
	    !r->secret_key) {
		remote_free(r);
		return CAIRN_ERR_NOMEM;
	}
	*rp = r;
	return 0;
}

void
remote_free(struct remote *r)
{
	if (r == NULL)
		return;
	free(r->dir);
	free(r->host);
	free(r->port);
	free(r->bucket);
	free(r->prefix);
	free(r->region);
	free(r->proxy);
	free(r->access_key);
	free(r->path);
	free(r->key_file);
	free(r->known_hosts);
	http_conn_free(r->conn);
	if (r->secret_key != NULL)
		sodium_free(r->secret_key);
	if (r->passphrase != NULL)
		sodium_free(r->passphrase);
	free(r);
}

enum remote_kind
remote_kind(const struct remote *r)
{
	return r->kind;
}

const char *
remote_host(const struct remote *r)
{
	return r->host;
}

const char *
remote_port(const struct remote *r)
{
	return r->port;
}

enum http_fail
remote_fail(const struct remote *r)
{
	return r->fail;
}

const char *
remote_error(const struct remote *r)
{
	return r->error;
}

int
remote_failf(struct remote *r, enum http_fail f, const char *fmt, ...)
{
	va_list ap;

	r->fail = f;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return CAIRN_ERR_REMOTE;
}

void
remote_tries_note(struct remote *r, unsigned n)
{
	size_t len = strlen(r->error);

	snprintf(r->error + len, sizeof(r->error) - len, " (%u tries)", n);
}

static int
good_name(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n < 200 && name[0] != '.' &&
	    valid_chars(name, n, ".-_");
}

int
remote_push(struct remote *r, const char *name, int fd, uint64_t size,
    const char *state_path, remote_progress_fn fn, void *ctx)
{
	if (!good_name(name))
		return CAIRN_ERR_INVAL;
	r->fail = HTTP_FAIL_NONE;
	r->error[0] = '\0';
	if (r->kind == REMOTE_DIR)
		return remote_dir_push(r, name, fd, size, fn, ctx);
	if (r->kind == REMOTE_DAV)
		return remote_dav_push(r, name, fd, size, fn, ctx);
	if (r->kind == REMOTE_SFTP)
		return remote_sftp_push(r, name, fd, size, state_path, fn, ctx);
	return remote_s3_push(r, name, fd, size, state_path, fn, ctx);
}

int
remote_list(struct remote *r, const char *suffix, struct remote_object **objs,
    size_t *n)
{
	*objs = NULL;
	*n = 0;
	r->fail = HTTP_FAIL_NONE;
	if (r->kind == REMOTE_DIR)
		return remote_dir_list(r, suffix, objs, n);
	if (r->kind == REMOTE_DAV)
		return remote_dav_list(r, suffix, objs, n);
	if (r->kind == REMOTE_SFTP)
		return remote_sftp_list(r, suffix, objs, n);
	return remote_s3_list(r, suffix, objs, n);
}

void
remote_objects_free(struct remote_object *objs, size_t n)
{
	for (size_t i = 0; objs != NULL && i < n; i++)
		free(objs[i].name);
	free(objs);
}

int
remote_get(struct remote *r, const char *name, uint64_t offset,
    const struct cio_sink *out, remote_progress_fn fn, void *ctx)
{
	if (!good_name(name))
		return CAIRN_ERR_INVAL;
	r->fail = HTTP_FAIL_NONE;
	if (r->kind == REMOTE_DIR)
		return remote_dir_get(r, name, offset, out, fn, ctx);
	if (r->kind == REMOTE_DAV)
		return remote_dav_get(r, name, offset, out, fn, ctx);
	if (r->kind == REMOTE_SFTP)
		return remote_sftp_get(r, name, offset, out, fn, ctx);
	return remote_s3_get(r, name, offset, out, fn, ctx);
}
