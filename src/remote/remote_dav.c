/*
 * remote_dav.c - a WebDAV collection as a remote (Apache mod_dav,
 * Nextcloud, rclone serve webdav): push PUTs the archive to a temp name
 * (.NAME.part), re-reads its size with PROPFIND where the credentials may
 * (write-only accounts may not), then MOVEs it to NAME with "Overwrite: F"
 * so an existing object is never replaced (412: the object is there; it
 * counts as confirmed only if it holds the same bytes).  Pull lists with
 * PROPFIND (Depth: 1) and GETs, resuming with a Range.  Basic
 * authentication; network errors and 5xx answers are retried.
 *
 * Knows http.h and remote_impl.h; knows nothing of archives or the key
 * home.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "rbuf.h"
#include "remote_impl.h"

struct dav_call {
	const char *method;
	const char *name; /* object under the path, or "" for the collection */
	const char *path; /* instead of the remote's path (MKCOL), or NULL */
	const char *const *headers;
	size_t nheaders;
	const uint8_t *body;
	size_t body_len;
	const struct http_file *file;
	const struct cio_sink *out;
	long out_status;
	int retry;
};

static char *
dav_url(const struct remote *r, const char *path, const char *name)
{
	struct rbuf b = {NULL, 0, 0, 0};

	rbuf_addf(&b, "%s://%s%s%s%s%s", r->https ? "https" : "http", r->host,
	    *r->port ? ":" : "", r->port, path != NULL ? path : r->path, name);
	return rbuf_take(&b);
}

/* Failure class and reason of an answer that is not 2xx. */
static int
dav_status_fail(struct remote *r, long status)
{
	enum http_fail f = http_status_class(status);

	if (status == 409)
		f = HTTP_FAIL_NOTFOUND; /* the parent collection is missing */
	return remote_failf(r, f, "HTTP %ld", status);
}

/* One request, tried again after network errors and 5xx answers when
 * c->retry.  0 only for a 2xx answer (resp filled: caller frees). */
static int
dav_call(struct remote *r, const struct dav_call *c, struct http_resp *resp)
{
	char *url = dav_url(r, c->path, c->name);
	unsigned wait = r->backoff_ms;
	struct http_req req;
	int rc = CAIRN_ERR_NOMEM;

	memset(resp, 0, sizeof(*resp));
	if (url == NULL)
		return rc;
	memset(&req, 0, sizeof(req));
	req.method = c->method;
	req.url = url;
	req.headers = c->headers;
	req.nheaders = c->nheaders;
	req.body = c->body;
	req.body_len = c->body_len;
	req.body_file = c->file;
	req.out = c->out;
	req.out_status = c->out_status;
	req.proxy = r->proxy;
	req.user = r->access_key;
	req.password = r->secret_key;
	req.max_body = 16u << 20;
	for (unsigned try = 0;; try++) {
		rc = http_perform(&req, resp);
		if (rc == 0 && resp->status >= 200 && resp->status < 300)
			break;
		if (rc == CAIRN_ERR_REMOTE)
			remote_failf(r, resp->fail, "%s", resp->error);
		else if (rc != 0)
			break;
		if (!c->retry || !remote_retry(r, try, &wait, rc, resp->status))
			break;
		http_resp_free(resp);
	}
	if (rc == 0 && (resp->status < 200 || resp->status >= 300))
		rc = dav_status_fail(r, resp->status);
	free(url);
	return rc;
}

/*
 * The text of the next element whose local name is tag (any namespace
 * prefix) from *pos on, malloc'd ("" for <x:tag/>); NULL when there is
 * none.  *pos moves past it.  Entities &amp; &lt; &gt; are decoded.
 */
static char *
dav_tag(const char *x, size_t len, size_t *pos, const char *tag)
{
	size_t tl = strlen(tag);

	for (size_t i = *pos; i + tl + 2 < len; i++) {
		size_t s = i + 1, e, c;
		struct rbuf b = {NULL, 0, 0, 0};
		char close[80];

		if (x[i] != '<' || x[s] == '/' || x[s] == '?' || x[s] == '!')
			continue;
		for (e = s; e < len && !strchr(" \t\r\n/>", x[e]); e++)
			;
		c = e;
		while (c > s && x[c - 1] != ':')
			c--;
		if (e - c != tl || memcmp(x + c, tag, tl) != 0 || e - s > 60)
			continue;
		while (e < len && x[e] != '>')
			e++;
		if (e >= len)
			return NULL;
		if (x[e - 1] == '/') {
			*pos = e + 1;
			return cio_strdup("");
		}
		snprintf(
		    close, sizeof(close), "</%.*s>", (int)(c - s + tl), x + s);
		const char *end =
		    memmem(x + e + 1, len - e - 1, close, strlen(close));
		if (end == NULL)
			return NULL;
		*pos = (size_t)(end - x) + strlen(close);
		for (const char *p = x + e + 1; p < end; p++) {
			if (*p == '&' && end - p >= 5 && !memcmp(p, "&amp;", 5))
				rbuf_add(&b, "&"), p += 4;
			else if (*p == '&' && end - p >= 4 &&
			    !memcmp(p, "&lt;", 4))
				rbuf_add(&b, "<"), p += 3;
			else if (*p == '&' && end - p >= 4 &&
			    !memcmp(p, "&gt;", 4))
				rbuf_add(&b, ">"), p += 3;
			else
				rbuf_addn(&b, p, 1);
		}
		return rbuf_take(&b);
	}
	return NULL;
}

/* The size the server reports for name: 0 and *size, 1 when it may not
 * be asked (a write-only account), or an error. */
static int
dav_size(struct remote *r, const char *name, uint64_t *size)
{
	static const char *const hdr[] = {
	    "Depth: 0", "Content-Type: application/xml"};
	static const char body[] = "<?xml version=\"1.0\"?><propfind "
	                           "xmlns=\"DAV:\"><prop><getcontentlength/>"
	                           "</prop></propfind>";
	struct http_resp resp;
	struct dav_call c;
	size_t pos = 0;
	char *len;
	int rc;

	memset(&c, 0, sizeof(c));
	c = (struct dav_call){"PROPFIND", name, NULL, hdr, 2,
	    (const uint8_t *)body, sizeof(body) - 1, NULL, NULL, 0, 1};
	rc = dav_call(r, &c, &resp);
	if (rc == CAIRN_ERR_REMOTE && r->fail == HTTP_FAIL_AUTH) {
		http_resp_free(&resp);
		return 1;
	}
	if (rc == 0) {
		len = resp.body.data
		    ? dav_tag((char *)resp.body.data, resp.body.len, &pos,
		          "getcontentlength")
		    : NULL;
		if (len == NULL || *len == '\0')
			rc = remote_failf(r, HTTP_FAIL_PROTOCOL,
			    "PROPFIND gave no getcontentlength");
		else
			*size = strtoull(len, NULL, 10);
		free(len);
	}
	http_resp_free(&resp);
	return rc;
}

/* MOVE .name.part to name without replacing; 412 handled by the caller. */
static int
dav_move(struct remote *r, const char *part, const char *name)
{
	char *dest = dav_url(r, NULL, name), *hdest = NULL;
	struct rbuf b = {NULL, 0, 0, 0};
	const char *hdr[2];
	struct http_resp resp;
	struct dav_call c;
	int rc;

	rbuf_addf(&b, "Destination: %s", dest ? dest : "");
	if (dest == NULL || (hdest = rbuf_take(&b)) == NULL) {
		free(dest);
		return CAIRN_ERR_NOMEM;
	}
	hdr[0] = hdest;
	hdr[1] = "Overwrite: F";
	memset(&c, 0, sizeof(c));
	c.method = "MOVE";
	c.name = part;
	c.headers = hdr;
	c.nheaders = 2;
	c.retry = 1;
	rc = dav_call(r, &c, &resp);
	if (rc == CAIRN_ERR_REMOTE && resp.status == 412)
		rc = remote_failf(
		    r, HTTP_FAIL_EXISTS, "%s%s exists", r->path, name);
	http_resp_free(&resp);
	free(hdest);
	free(dest);
	return rc;
}

int
remote_dav_push(struct remote *r, const char *name, int fd, uint64_t size,
    remote_progress_fn fn, void *ctx)
{
	struct remote_sent up = {fn, ctx, 0, size};
	struct http_file file = {fd, 0, size, remote_on_sent, &up};
	struct rbuf b = {NULL, 0, 0, 0};
	struct http_resp resp;
	struct dav_call c;
	uint64_t got = 0;
	char *part;
	int rc;

	rbuf_addf(&b, ".%s.part", name);
	if ((part = rbuf_take(&b)) == NULL)
		return CAIRN_ERR_NOMEM;
	memset(&c, 0, sizeof(c));
	c.method = "PUT";
	c.name = part;
	c.file = &file;
	c.headers = (const char *const[]){"Expect:"};
	c.nheaders = 1;
	c.retry = 1;
	rc = dav_call(r, &c, &resp);
	http_resp_free(&resp);
	if (rc == 0 && (rc = dav_size(r, part, &got)) == 0 && got != size)
		rc = remote_failf(r, HTTP_FAIL_PROTOCOL,
		    "the server holds %llu bytes of %llu",
		    (unsigned long long)got, (unsigned long long)size);
	if (rc == 1)
		rc = 0; /* write-only: the PUT's 2xx is the confirmation */
	if (rc == 0)
		rc = dav_move(r, part, name);
	/* there already: a push whose answer was lost, or other content */
	if (rc == CAIRN_ERR_REMOTE && r->fail == HTTP_FAIL_EXISTS)
		rc = remote_existing(r, remote_dav_get, name, fd, size);
	free(part);
	return rc;
}

static int64_t
parse_http_date(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strptime(s, "%a, %d %b %Y %H:%M:%S", &tm) == NULL)
		return 0;
	return (int64_t)timegm(&tm);
}

/* The last path segment of an href, percent-decoded, into out. */
static int
href_name(const char *href, char *out, size_t cap)
{
	size_t n = strlen(href), k = 0;
	const char *s;

	while (n > 0 && href[n - 1] == '/')
		n--;
	for (s = href + n; s > href && s[-1] != '/'; s--)
		;
	for (; s < href + n && k + 1 < cap; s++) {
		unsigned v;
		if (*s == '%' && href + n - s >= 3 &&
		    sscanf(s + 1, "%2x", &v) == 1)
			out[k++] = (char)v, s += 2;
		else
			out[k++] = *s;
	}
	out[k] = '\0';
	return s == href + n && k > 0;
}

static int
add_response(const char *item, size_t il, const char *suffix,
    struct remote_object **objs, size_t *n, size_t *cap)
{
	size_t p = 0, sl = suffix ? strlen(suffix) : 0, nl;
	char *href = dav_tag(item, il, &p, "href"), name[256];
	char *rt = (p = 0, dav_tag(item, il, &p, "resourcetype"));
	char *len = (p = 0, dav_tag(item, il, &p, "getcontentlength"));
	char *lm = (p = 0, dav_tag(item, il, &p, "getlastmodified"));
	int rc = 0;

	if (href != NULL && len != NULL && *len &&
	    !(rt && strstr(rt, "collection")) &&
	    href_name(href, name, sizeof(name)) && name[0] != '.' &&
	    (nl = strlen(name)) > sl &&
	    (!suffix || strcmp(name + nl - sl, suffix) == 0))
		rc = remote_objects_add(objs, n, cap, name,
		    strtoull(len, NULL, 10), parse_http_date(lm));
	free(href);
	free(rt);
	free(len);
	free(lm);
	return rc;
}

/* PROPFIND (Depth: 1) of the collection: 0 with a 207 answer in resp
 * (the caller frees it). */
static int
dav_propfind(struct remote *r, struct http_resp *resp)
{
	static const char *const hdr[] = {
	    "Depth: 1", "Content-Type: application/xml"};
	static const char body[] =
	    "<?xml version=\"1.0\"?><propfind xmlns=\"DAV:\"><prop>"
	    "<resourcetype/><getcontentlength/><getlastmodified/>"
	    "</prop></propfind>";
	struct dav_call c;
	int rc;

	c = (struct dav_call){"PROPFIND", "", NULL, hdr, 2,
	    (const uint8_t *)body, sizeof(body) - 1, NULL, NULL, 0, 1};
	if ((rc = dav_call(r, &c, resp)) == 0 && resp->status != 207)
		rc = remote_failf(r, HTTP_FAIL_PROTOCOL,
		    "HTTP %ld to PROPFIND (not a WebDAV collection?)",
		    resp->status);
	return rc;
}

int
remote_dav_list(struct remote *r, const char *suffix,
    struct remote_object **objs, size_t *n)
{
	struct http_resp resp;
	size_t pos = 0, cap = 0;
	char *item;
	int rc = dav_propfind(r, &resp);

	while (rc == 0 && resp.body.data != NULL &&
	    (item = dav_tag((char *)resp.body.data, resp.body.len, &pos,
	         "response")) != NULL) {
		rc = add_response(item, strlen(item), suffix, objs, n, &cap);
		free(item);
	}
	http_resp_free(&resp);
	return rc;
}

/* MKCOL path (ending in '/'); while the server answers 409 (a parent is
 * missing), the parents first.  There already (405) is fine. */
static int
dav_mkcol(struct remote *r, const char *path, unsigned depth)
{
	struct dav_call c;
	struct http_resp resp;
	size_t k = strlen(path) - 1;
	char *parent;
	long status;
	int rc;

	memset(&c, 0, sizeof(c));
	c.method = "MKCOL";
	c.name = "";
	c.path = path;
	c.retry = 1;
	rc = dav_call(r, &c, &resp);
	status = resp.status;
	http_resp_free(&resp);
	if (rc != CAIRN_ERR_REMOTE || status == 0 || status == 405)
		return status == 405 ? 0 : rc;
	while (k > 0 && path[k - 1] != '/')
		k--;
	if (status != 409 || depth >= 32 || k <= 1)
		return remote_failf(r, http_status_class(status),
		    "cannot create %s: HTTP %ld", path, status);
	if ((parent = cio_malloc(k + 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	memcpy(parent, path, k);
	parent[k] = '\0';
	rc = dav_mkcol(r, parent, depth + 1);
	free(parent);
	return rc != 0 ? rc : dav_mkcol(r, path, 32);
}

int
remote_dav_create(struct remote *r, size_t *there)
{
	struct http_resp resp;
	size_t pos = 0;
	char *item;
	int rc;

	*there = 0;
	if ((rc = dav_mkcol(r, r->path, 0)) != 0 ||
	    (rc = dav_propfind(r, &resp)) != 0)
		return rc;
	/* the first response is the collection itself */
	while ((item = dav_tag((char *)resp.body.data, resp.body.len, &pos,
	            "response")) != NULL) {
		free(item);
		(*there)++;
	}
	http_resp_free(&resp);
	*there = *there > 0 ? *there - 1 : 0;
	return 0;
}

int
remote_dav_get(struct remote *r, const char *name, uint64_t offset,
    const struct cio_sink *out, remote_progress_fn fn, void *ctx)
{
	struct remote_counted cnt = {out, fn, ctx, offset};
	struct cio_sink sink = {remote_counted_write, &cnt};
	struct http_resp resp;
	struct dav_call c;
	char range[64];
	const char *hdr[1] = {range};
	int rc;

	snprintf(range, sizeof(range), "Range: bytes=%llu-",
	    (unsigned long long)offset);
	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.name = name;
	c.headers = hdr;
	c.nheaders = offset > 0 ? 1 : 0;
	c.out = &sink;
	c.out_status = offset > 0 ? 206 : 0;
	rc = dav_call(r, &c, &resp);
	if (rc == 0 && offset > 0 && resp.status != 206)
		rc = remote_failf(r, HTTP_FAIL_PROTOCOL,
		    "the server ignored the Range of a resumed download");
	http_resp_free(&resp);
	return rc;
}
