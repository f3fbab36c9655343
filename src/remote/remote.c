/*
 * remote.c - remote URLs, their rules (plain HTTP, proxies, .onion), and
 * dispatch to the directory and S3 backends (see remote.h).
 *
 * Knows http.h for the host rules; knows nothing of S3 requests,
 * manifests or the key home.
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
		    !isdigit((unsigned char)colon[1]))
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

// clang-format off
static const char WHY_FILE_ABS[] = "a file:// URL needs an absolute path (file:///DIR)";
static const char WHY_SCHEME[] = "unsupported URL scheme (use s3://, s3+http://, file:// or a directory path)";
static const char WHY_PROXY[] = "the proxy must be socks5h://HOST:PORT (Tor), socks5:// or http://";
static const char WHY_ONION_NO_PROXY[] = "a .onion host is reachable only through Tor: add --proxy socks5h://127.0.0.1:9050";
static const char WHY_ONION_SOCKS5[] = "a .onion host needs a socks5h:// proxy: with socks5:// or http:// the name would be resolved on this machine (leaking it to the DNS resolver, which cannot resolve it anyway)";
static const char WHY_PLAIN[] = "s3+http:// sends data and signed requests unencrypted: allowed only for loopback and .onion hosts unless --allow-plain-http";
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
	size_t hl = strlen(p->host);
	int onion;

	if (p->kind != REMOTE_S3)
		return px != NULL
		    ? (*why = "a directory remote takes no --proxy", -1)
		    : 0;
	onion = hl > 6 && strcmp(p->host + hl - 6, ".onion") == 0;
	if (px != NULL && strncmp(px, "socks5h://", 10) != 0 &&
	    strncmp(px, "socks5://", 9) != 0 && strncmp(px, "http://", 7) != 0)
		return *why = WHY_PROXY, -1;
	if (onion && px == NULL)
		return *why = WHY_ONION_NO_PROXY, -1;
	if (onion && strncmp(px, "socks5h://", 10) != 0)
		return *why = WHY_ONION_SOCKS5, -1;
	if (!p->https && !cfg->allow_plain_http &&
	    !http_host_is_local_or_onion(p->host))
		return *why = WHY_PLAIN, -1;
	if (cfg->part_size != 0 && cfg->part_size < REMOTE_PART_MIN)
		return *why = "the part size must be at least 5 MiB", -1;
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

static char *
dup_or_empty(const char *s)
{
	return cio_strdup(s != NULL ? s : "");
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
	if ((r = cio_calloc(1, sizeof(*r))) == NULL)
		return CAIRN_ERR_NOMEM;
	r->kind = p.kind;
	r->https = p.https;
	r->vhost = cfg->virtual_host;
	r->retries = cfg->retries;
	r->backoff_ms = cfg->backoff_ms;
	r->part_size = cfg->part_size ? cfg->part_size : REMOTE_PART_DEFAULT;
	r->dir = cio_strdup(p.dir);
	r->host = cio_strdup(p.host);
	r->port = cio_strdup(p.port);
	r->bucket = cio_strdup(p.bucket);
	r->prefix = cio_strdup(p.prefix);
	r->region = cio_strdup(cfg->region ? cfg->region : "us-east-1");
	r->proxy = cfg->proxy ? cio_strdup(cfg->proxy) : NULL;
	r->access_key = dup_or_empty(cfg->access_key);
	r->secret_len = cfg->secret_key ? strlen(cfg->secret_key) : 0;
	if ((r->secret_key = cio_secret_malloc(r->secret_len + 1)) != NULL) {
		memcpy(r->secret_key, cfg->secret_key ? cfg->secret_key : "",
		    r->secret_len);
		r->secret_key[r->secret_len] = '\0';
	}
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
	if (r->secret_key != NULL)
		sodium_free(r->secret_key);
	free(r);
}

enum remote_kind
remote_kind(const struct remote *r)
{
	return r->kind;
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
	return remote_s3_get(r, name, offset, out, fn, ctx);
}
