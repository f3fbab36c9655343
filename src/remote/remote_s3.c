/*
 * remote_s3.c - S3 requests: URLs (path-style or virtual-host), SigV4
 * signing with x-amz-content-sha256 on every request, retries with
 * backoff, S3 error codes mapped to failure classes, listing and
 * downloading.  Uploads are in remote_s3_push.c.
 *
 * Knows http.h and sigv4.h; knows nothing of archives or the key home.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "rbuf.h"
#include "remote_impl.h"
#include "sigv4.h"

char *
remote_xml_tag(const char *xml, size_t len, size_t *pos, const char *tag)
{
	char open[64], close[64];
	const char *s, *e, *end = xml + len;
	struct rbuf b = {NULL, 0, 0, 0};

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if (*pos >= len ||
	    (s = memmem(xml + *pos, len - *pos, open, strlen(open))) == NULL)
		return NULL;
	s += strlen(open);
	if ((e = memmem(s, (size_t)(end - s), close, strlen(close))) == NULL)
		return NULL;
	*pos = (size_t)(e - xml) + strlen(close);
	while (s < e) {
		static const char *const ent[][2] = {{"&amp;", "&"},
		    {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
		    {"&apos;", "'"}, {"&#34;", "\""}, {"&#39;", "'"}};
		size_t i, k = sizeof(ent) / sizeof(ent[0]);

		for (i = 0; *s == '&' && i < k; i++)
			if ((size_t)(e - s) >= strlen(ent[i][0]) &&
			    memcmp(s, ent[i][0], strlen(ent[i][0])) == 0)
				break;
		if (*s == '&' && i < k) {
			rbuf_add(&b, ent[i][1]);
			s += strlen(ent[i][0]);
		} else
			rbuf_addn(&b, s++, 1);
	}
	return rbuf_take(&b);
}

/* Failure class and message from an S3 error answer. */
static int
s3_error(struct remote *r, const struct http_resp *resp)
{
	size_t pos = 0;
	char *code = resp->body.data ? remote_xml_tag((char *)resp->body.data,
	                                   resp->body.len, &pos, "Code")
	                             : NULL;
	const char *c = code ? code : "";
	enum http_fail f = http_status_class(resp->status);
	int rc;

	if (!strcmp(c, "AccessDenied") || !strcmp(c, "InvalidAccessKeyId") ||
	    !strcmp(c, "SignatureDoesNotMatch") ||
	    !strcmp(c, "RequestTimeTooSkewed"))
		f = HTTP_FAIL_AUTH;
	else if (!strcmp(c, "QuotaExceeded") || !strcmp(c, "EntityTooLarge"))
		f = HTTP_FAIL_QUOTA;
	else if (!strncmp(c, "NoSuch", 6))
		f = HTTP_FAIL_NOTFOUND;
	// clang-format off
	if (!strcmp(c, "SignatureDoesNotMatch"))
		rc = remote_failf(r, f, "HTTP %ld SignatureDoesNotMatch (wrong secret key)", resp->status);
	else if (!strcmp(c, "RequestTimeTooSkewed"))
		rc = remote_failf(r, f, "HTTP %ld RequestTimeTooSkewed (this machine's clock is wrong)", resp->status);
	else
		rc = remote_failf(r, f, "HTTP %ld%s%.80s", resp->status, *c ? " " : "", c);
	// clang-format on
	free(code);
	return rc;
}

static char *
object_path(const struct remote *r, const char *key)
{
	struct rbuf b = {NULL, 0, 0, 0};
	char *enc = NULL;

	if (key != NULL) {
		struct rbuf k = {NULL, 0, 0, 0};
		char *full;

		rbuf_addf(&k, "%s%s", r->prefix, key);
		if ((full = rbuf_take(&k)) == NULL)
			return NULL;
		enc = sigv4_uri_encode(full, strlen(full), 1);
		free(full);
		if (enc == NULL)
			return NULL;
	}
	if (r->vhost)
		rbuf_addf(&b, "/%s", enc ? enc : "");
	else
		rbuf_addf(&b, "/%s/%s", r->bucket, enc ? enc : "");
	free(enc);
	return rbuf_take(&b);
}

void
remote_wait_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Build, sign and send c once. */
static int
s3_once(struct remote *r, const struct s3_call *c, const char *path,
    const char *host, struct http_resp *resp)
{
	char date[17], hash[DIGEST_SHA256_HEX_LEN], *auth = NULL, *url = NULL;
	char h_host[300], h_date[40], h_sha[100], h_ct[100], h_range[80];
	uint8_t d[DIGEST_SHA256_LEN];
	struct sigv4_header sh[3];
	const char *hdrs[8];
	struct rbuf b = {NULL, 0, 0, 0};
	struct sigv4_input in;
	struct http_file file = {c->fd, c->off, c->body_len, NULL, NULL};
	struct http_req req;
	struct tm tm;
	time_t now = time(NULL);
	size_t nh = 0;
	int rc;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
	if (c->from_fd)
		snprintf(hash, sizeof(hash), "%s", c->sha256_hex);
	else if (digest_sha256(
	             c->body ? (const void *)c->body : "", c->body_len, d) != 0)
		return CAIRN_ERR_NOMEM;
	else
		digest_hex(d, sizeof(d), hash);
	if (r->conn == NULL && (rc = http_conn_new(&r->conn)) != 0)
		return rc;
	sh[0] = (struct sigv4_header){"host", host};
	sh[1] = (struct sigv4_header){"x-amz-content-sha256", hash};
	sh[2] = (struct sigv4_header){"x-amz-date", date};
	memset(&in, 0, sizeof(in));
	in = (struct sigv4_input){c->method, path, c->query, sh, 3, hash, date,
	    r->region, "s3", r->access_key, r->secret_key};
	if ((rc = sigv4_authorization(&in, &auth)) != 0)
		return rc;
	rbuf_addf(&b, "%s://%s%s%s%s", r->https ? "https" : "http", host, path,
	    c->query && *c->query ? "?" : "", c->query ? c->query : "");
	if ((url = rbuf_take(&b)) == NULL) {
		free(auth);
		return CAIRN_ERR_NOMEM;
	}
	snprintf(h_host, sizeof(h_host), "Host: %s", host);
	snprintf(h_date, sizeof(h_date), "x-amz-date: %s", date);
	snprintf(h_sha, sizeof(h_sha), "x-amz-content-sha256: %s", hash);
	hdrs[nh++] = h_host;
	hdrs[nh++] = h_date;
	hdrs[nh++] = h_sha;
	hdrs[nh++] = "Expect:";
	if (c->content_type != NULL) {
		snprintf(
		    h_ct, sizeof(h_ct), "Content-Type: %s", c->content_type);
		hdrs[nh++] = h_ct;
	}
	if (c->range != NULL) {
		snprintf(h_range, sizeof(h_range), "Range: %s", c->range);
		hdrs[nh++] = h_range;
	}
	{
		struct rbuf a = {NULL, 0, 0, 0};
		char *ah;

		rbuf_addf(&a, "Authorization: %s", auth);
		if ((ah = rbuf_take(&a)) == NULL)
			rc = CAIRN_ERR_NOMEM;
		else {
			hdrs[nh++] = ah;
			memset(&req, 0, sizeof(req));
			req.method = c->method;
			req.url = url;
			req.headers = hdrs;
			req.nheaders = nh;
			req.body = c->body;
			req.body_len = c->body_len;
			req.body_file = c->from_fd ? &file : NULL;
			req.conn = r->conn;
			req.out = c->out;
			req.out_status = c->range ? 206 : 0;
			req.proxy = r->proxy;
			rc = http_perform(&req, resp);
			free(ah);
		}
	}
	free(auth);
	free(url);
	return rc;
}

int
remote_s3_call(
    struct remote *r, const struct s3_call *c, struct http_resp *resp)
{
	char *path = object_path(r, c->key);
	struct rbuf hb = {NULL, 0, 0, 0};
	char *host;
	unsigned wait = r->backoff_ms;
	int rc = CAIRN_ERR_NOMEM;

	memset(resp, 0, sizeof(*resp));
	rbuf_addf(&hb, "%s%s%s%s%s", r->vhost ? r->bucket : "",
	    r->vhost ? "." : "", r->host, *r->port ? ":" : "", r->port);
	if ((host = rbuf_take(&hb)) == NULL || path == NULL)
		goto out;
	for (unsigned try = 0;; try++) {
		int again;

		rc = s3_once(r, c, path, host, resp);
		if (rc == 0 && resp->status >= 200 && resp->status < 300)
			break;
		if (rc == CAIRN_ERR_REMOTE)
			remote_failf(r, resp->fail, "%s", resp->error);
		else if (rc == 0)
			rc = s3_error(r, resp);
		else
			break;
		again = c->retry && try < r->retries &&
		    (r->fail == HTTP_FAIL_NETWORK || resp->status >= 500 ||
		        resp->status == 429);
		if (!again) {
			if (rc == CAIRN_ERR_REMOTE && try > 0 && c->retry)
				remote_tries_note(r, try + 1);
			break;
		}
		http_resp_free(resp);
		remote_wait_ms(wait);
		wait = wait * 2 > 30000 ? 30000 : wait * 2;
	}
out:
	free(path);
	free(host);
	return rc;
}

static int64_t
parse_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return 0;
	return (int64_t)timegm(&tm);
}

/* Add the <Contents> entries of one ListObjectsV2 page. */
static int
add_page(struct remote *r, const struct http_resp *resp, const char *suffix,
    struct remote_object **objs, size_t *n, size_t *cap)
{
	const char *x = (const char *)resp->body.data;
	size_t pos = 0, len = resp->body.len, pl = strlen(r->prefix);
	char *item;

	while ((item = remote_xml_tag(x, len, &pos, "Contents")) != NULL) {
		size_t p = 0, il = strlen(item);
		char *key = remote_xml_tag(item, il, &p, "Key");
		char *lm =
		    (p = 0, remote_xml_tag(item, il, &p, "LastModified"));
		char *sz = (p = 0, remote_xml_tag(item, il, &p, "Size"));
		const char *name =
		    key ? key + (strncmp(key, r->prefix, pl) ? 0 : pl) : NULL;
		size_t nl = name ? strlen(name) : 0,
		       sl = suffix ? strlen(suffix) : 0;
		int keep = key && sz && !strncmp(key, r->prefix, pl) &&
		    !strchr(name, '/') && nl > sl &&
		    (!suffix || !strcmp(name + nl - sl, suffix));
		int rc = 0;

		if (keep && *n == *cap) {
			struct remote_object *o;
			*cap = *cap ? *cap * 2 : 16;
			if ((o = cio_realloc(*objs, *cap * sizeof(**objs))) ==
			    NULL)
				rc = CAIRN_ERR_NOMEM;
			else
				*objs = o;
		}
		if (keep && rc == 0) {
			struct remote_object *o = &(*objs)[*n];
			o->size = strtoull(sz, NULL, 10);
			o->mtime = parse_time(lm);
			if ((o->name = cio_strdup(name)) == NULL)
				rc = CAIRN_ERR_NOMEM;
			else
				(*n)++;
		}
		free(key);
		free(lm);
		free(sz);
		free(item);
		if (rc != 0)
			return rc;
	}
	(void)r;
	return 0;
}

int
remote_s3_list(struct remote *r, const char *suffix,
    struct remote_object **objs, size_t *n)
{
	char *token = NULL, *enc_prefix;
	size_t cap = 0;
	int rc = 0;

	if ((enc_prefix = sigv4_uri_encode(r->prefix, strlen(r->prefix), 0)) ==
	    NULL)
		return CAIRN_ERR_NOMEM;
	do {
		struct rbuf q = {NULL, 0, 0, 0};
		struct http_resp resp;
		struct s3_call c;
		char *query, *trunc, *enc_tok = NULL;
		size_t pos = 0;

		if (token != NULL &&
		    (enc_tok = sigv4_uri_encode(token, strlen(token), 0)) ==
		        NULL)
			rc = CAIRN_ERR_NOMEM;
		rbuf_addf(&q, "%s%s%slist-type=2&prefix=%s",
		    enc_tok ? "continuation-token=" : "",
		    enc_tok ? enc_tok : "", enc_tok ? "&" : "", enc_prefix);
		free(enc_tok);
		free(token);
		token = NULL;
		if (rc != 0 || (query = rbuf_take(&q)) == NULL) {
			rc = CAIRN_ERR_NOMEM;
			break;
		}
		memset(&c, 0, sizeof(c));
		c.method = "GET";
		c.query = query;
		c.retry = 1;
		rc = remote_s3_call(r, &c, &resp);
		free(query);
		if (rc == 0)
			rc = add_page(r, &resp, suffix, objs, n, &cap);
		trunc = rc == 0 ? remote_xml_tag((char *)resp.body.data,
		                      resp.body.len, &pos, "IsTruncated")
		                : NULL;
		if (trunc != NULL && strcmp(trunc, "true") == 0) {
			pos = 0;
			token = remote_xml_tag((char *)resp.body.data,
			    resp.body.len, &pos, "NextContinuationToken");
			if (token == NULL)
				rc = remote_failf(r, HTTP_FAIL_PROTOCOL,
				    "a truncated listing without a token");
		}
		free(trunc);
		http_resp_free(&resp);
	} while (rc == 0 && token != NULL);
	free(token);
	free(enc_prefix);
	return rc;
}

struct counted {
	const struct cio_sink *out;
	remote_progress_fn fn;
	void *ctx;
	uint64_t done, total;
};

static int
counted_write(void *p, const uint8_t *buf, size_t len)
{
	struct counted *c = p;
	int rc = c->out->write(c->out->ctx, buf, len);

	c->done += len;
	if (rc == 0 && c->fn != NULL)
		c->fn(c->ctx, c->done, c->total);
	return rc;
}

int
remote_s3_get(struct remote *r, const char *name, uint64_t offset,
    const struct cio_sink *out, remote_progress_fn fn, void *ctx)
{
	struct counted cnt = {out, fn, ctx, offset, 0};
	struct cio_sink sink = {counted_write, &cnt};
	unsigned wait = r->backoff_ms, tries = 0;
	struct http_resp resp;
	struct s3_call c;
	char range[48];
	int rc;

	/* retried here, not in remote_s3_call: a cut download continues
	 * after the bytes the sink already has */
	for (unsigned try = 0;; try++) {
		long status;

		tries = try + 1;
		snprintf(range, sizeof(range), "bytes=%llu-",
		    (unsigned long long)cnt.done);
		memset(&c, 0, sizeof(c));
		c.method = "GET";
		c.key = name;
		c.range = cnt.done > 0 ? range : NULL;
		c.out = &sink;
		rc = remote_s3_call(r, &c, &resp);
		status = resp.status;
		if (rc == 0 && c.range != NULL && resp.status != 206)
			rc = remote_failf(r, HTTP_FAIL_PROTOCOL,
			    "the server ignored the Range of a resumed "
			    "download");
		http_resp_free(&resp);
		if (rc != CAIRN_ERR_REMOTE || try >= r->retries ||
		    !(r->fail == HTTP_FAIL_NETWORK || status >= 500 ||
		        status == 429))
			break;
		remote_wait_ms(wait);
		wait = wait * 2 > 30000 ? 30000 : wait * 2;
	}
	if (rc == CAIRN_ERR_REMOTE && tries > 1)
		remote_tries_note(r, tries);
	return rc;
}
