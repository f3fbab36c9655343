/*
 * http.c - one request through libcurl (see http.h).  The environment's
 * proxy variables are ignored (CURLOPT_PROXY is always set, "" for none),
 * redirects are not followed, and only http and https are allowed (or
 * only sftp for an SSH request), so a request goes exactly where the
 * caller said.  SSH host keys are checked against the caller's
 * known_hosts file only: unknown or changed keys are refused.  A struct
 * http_conn is a libcurl easy handle kept between requests
 * (curl_easy_reset keeps its open connection), so a multipart upload
 * does not connect per part.
 *
 * Knows libcurl (and libsodium's base64); knows nothing of S3, signatures or archives.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/http.h"

struct http_conn {
	CURL *c;
};

struct xfer {
	const struct http_req *req;
	struct http_resp *resp;
	CURL *c;
	size_t sent;
	int sink_err;
	enum curl_khmatch khmatch; /* what the host key check found */
	int khchecked;
};

/* The body from a file: pread at off + what was sent. */
static size_t
read_file_body(struct xfer *x, char *buf, size_t k)
{
	const struct http_file *f = x->req->body_file;
	uint64_t left = f->len - x->sent;
	ssize_t got;

	if (k > left)
		k = (size_t)left;
	if (k == 0)
		return 0;
	do
		got = pread(f->fd, buf, k, (off_t)(f->off + x->sent));
	while (got < 0 && errno == EINTR);
	if (got <= 0) {
		x->sink_err = got < 0 ? CAIRN_ERR_IO : CAIRN_ERR_CHANGED;
		return CURL_READFUNC_ABORT;
	}
	x->sent += (size_t)got;
	if (f->progress != NULL)
		f->progress(f->ctx, x->sent);
	return (size_t)got;
}

static size_t
on_read(char *buf, size_t size, size_t n, void *p)
{
	struct xfer *x = p;
	size_t left = x->req->body_len - x->sent, k = size * n;

	if (x->req->body_file != NULL)
		return read_file_body(x, buf, k);

	if (k > left)
		k = left;
	if (k > 0)
		memcpy(buf, x->req->body + x->sent, k);
	x->sent += k;
	return k;
}

static size_t
on_write(char *buf, size_t size, size_t n, void *p)
{
	struct xfer *x = p;
	size_t k = size * n;
	long status = 0;
	int rc;

	curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &status);
	if (x->req->out != NULL &&
	    (x->req->ssh != NULL ||
	        (x->req->out_status != 0 ? status == x->req->out_status
	                                 : status >= 200 && status < 300))) {
		rc = x->req->out->write(
		    x->req->out->ctx, (const uint8_t *)buf, k);
		if (rc != 0) {
			x->sink_err = rc;
			return 0;
		}
		x->resp->bytes_out += k;
		return k;
	}
	if ((rc = cio_membuf_write(&x->resp->body, (const uint8_t *)buf, k)) !=
	    0) {
		x->sink_err = rc;
		return 0;
	}
	return k;
}

/* The value of header line buf (k bytes) when it is name (with its
 * colon), copied into out; else out untouched. */
static void
header_value(
    const char *buf, size_t k, const char *name, char *out, size_t outlen)
{
	size_t v = strlen(name);

	if (k <= v || strncasecmp(buf, name, v) != 0)
		return;
	while (v < k && (buf[v] == ' ' || buf[v] == '\t'))
		v++;
	while (k > v &&
	    (buf[k - 1] == '\r' || buf[k - 1] == '\n' || buf[k - 1] == ' '))
		k--;
	if (k - v < outlen) {
		memcpy(out, buf + v, k - v);
		out[k - v] = '\0';
	}
}

static size_t
on_header(char *buf, size_t size, size_t n, void *p)
{
	struct xfer *x = p;
	size_t k = size * n;

	header_value(buf, k, "etag:", x->resp->etag, sizeof(x->resp->etag));
	header_value(buf, k, "content-type:", x->resp->content_type,
	    sizeof(x->resp->content_type));
	return k;
}

static enum http_fail
curl_class(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_PROXY: return HTTP_FAIL_PROXY;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED: return HTTP_FAIL_TLS;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_QUOTE_ERROR:
	case CURLE_WEIRD_SERVER_REPLY: return HTTP_FAIL_PROTOCOL;
	case CURLE_LOGIN_DENIED:
	case CURLE_REMOTE_ACCESS_DENIED: return HTTP_FAIL_AUTH;
	case CURLE_REMOTE_FILE_NOT_FOUND: return HTTP_FAIL_NOTFOUND;
	case CURLE_REMOTE_DISK_FULL: return HTTP_FAIL_QUOTA;
	case CURLE_REMOTE_FILE_EXISTS: return HTTP_FAIL_EXISTS;
	/* libssh2 reports a cut connection as an SSH layer error */
	case CURLE_SSH: return HTTP_FAIL_NETWORK;
	default: return HTTP_FAIL_NETWORK;
	}
}

enum http_fail
http_status_class(long status)
{
	if (status == 401 || status == 403)
		return HTTP_FAIL_AUTH;
	if (status == 404)
		return HTTP_FAIL_NOTFOUND;
	if (status == 413 || status == 507)
		return HTTP_FAIL_QUOTA;
	if (status >= 500)
		return HTTP_FAIL_SERVER;
	return HTTP_FAIL_PROTOCOL;
}

/* Accept only a host key that known_hosts holds; never add one. */
static int
on_hostkey(CURL *c, const struct curl_khkey *known,
    const struct curl_khkey *found, enum curl_khmatch match, void *p)
{
	static const char *const types[] = {[CURLKHTYPE_RSA1] = "rsa1",
	    [CURLKHTYPE_RSA] = "ssh-rsa",
	    [CURLKHTYPE_DSS] = "ssh-dss",
	    [CURLKHTYPE_ECDSA] = "ecdsa-sha2-nistp256",
	    [CURLKHTYPE_ED25519] = "ssh-ed25519"};
	struct xfer *x = p;
	size_t kl;

	(void)c;
	(void)known;
	x->khmatch = match;
	x->khchecked = 1;
	if (match != CURLKHMATCH_OK && found != NULL && found->key != NULL) {
		/* len 0: base64 text; else the raw key blob */
		kl = found->len ? found->len : strlen(found->key);
		if (found->len == 0 && kl < sizeof(x->resp->hostkey)) {
			memcpy(x->resp->hostkey, found->key, kl);
			x->resp->hostkey[kl] = '\0';
		} else if (found->len > 0 &&
		    sodium_base64_ENCODED_LEN(
		        kl, sodium_base64_VARIANT_ORIGINAL) <=
		        sizeof(x->resp->hostkey))
			sodium_bin2base64(x->resp->hostkey,
			    sizeof(x->resp->hostkey),
			    (const unsigned char *)found->key, kl,
			    sodium_base64_VARIANT_ORIGINAL);
		snprintf(x->resp->hostkey_type, sizeof(x->resp->hostkey_type),
		    "%s",
		    (unsigned)found->keytype <
		                sizeof(types) / sizeof(types[0]) &&
		            types[found->keytype]
		        ? types[found->keytype]
		        : "unknown");
	}
	return match == CURLKHMATCH_OK ? CURLKHSTAT_FINE : CURLKHSTAT_REJECT;
}

static int
setup_ssh(
    CURL *c, const struct http_req *req, struct xfer *x, struct curl_slist **ql)
{
	const struct http_ssh *s = req->ssh;
	int ok = 1;

	for (size_t i = 0; i < s->nquote; i++) {
		struct curl_slist *t = curl_slist_append(*ql, s->quote[i]);
		if (t == NULL)
			return CAIRN_ERR_NOMEM;
		*ql = t;
	}
	ok &= curl_easy_setopt(c, CURLOPT_SSH_KNOWNHOSTS,
	          s->known_hosts != NULL ? s->known_hosts : "/dev/null") ==
	    CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_SSH_KEYFUNCTION, on_hostkey) ==
	    CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_SSH_KEYDATA, x) == CURLE_OK;
	ok &=
	    curl_easy_setopt(c, CURLOPT_SSH_AUTH_TYPES,
	        s->key_file != NULL ? (long)CURLSSH_AUTH_PUBLICKEY
	                            : (long)CURLSSH_AUTH_PASSWORD) == CURLE_OK;
	if (s->key_file != NULL) {
		ok &= curl_easy_setopt(c, CURLOPT_SSH_PRIVATE_KEYFILE,
		          s->key_file) == CURLE_OK;
		/* "": libssh2 derives the public key from the private one */
		ok &= curl_easy_setopt(c, CURLOPT_SSH_PUBLIC_KEYFILE, "") ==
		    CURLE_OK;
		if (s->passphrase != NULL)
			ok &= curl_easy_setopt(c, CURLOPT_KEYPASSWD,
			          s->passphrase) == CURLE_OK;
	}
	if (*ql != NULL)
		ok &= curl_easy_setopt(c, CURLOPT_QUOTE, *ql) == CURLE_OK;
	if (s->append)
		ok &= curl_easy_setopt(c, CURLOPT_APPEND, 1L) == CURLE_OK;
	if (s->resume_from > 0)
		ok &= curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE,
		          (curl_off_t)s->resume_from) == CURLE_OK;
	/* SFTP reads and writes in requests of the buffer's size: the 16
	 * KiB default makes transfers several times slower than curl(1) */
	ok &= curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L << 10) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 256L << 10) ==
	    CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_FTP_CREATE_MISSING_DIRS,
	          (long)CURLFTP_CREATE_DIR_NONE) == CURLE_OK;
	return ok ? 0 : CAIRN_ERR_NOMEM;
}

static int
setup(CURL *c, const struct http_req *req, struct xfer *x,
    struct curl_slist **hl, struct curl_slist **ql)
{
	int ok = 1;

	for (size_t i = 0; i < req->nheaders; i++) {
		struct curl_slist *t = curl_slist_append(*hl, req->headers[i]);
		if (t == NULL)
			return CAIRN_ERR_NOMEM;
		*hl = t;
	}
	ok &= curl_easy_setopt(c, CURLOPT_URL, req->url) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
	          req->ssh != NULL ? "sftp" : "http,https") == CURLE_OK;
	if (req->user != NULL)
		ok &= curl_easy_setopt(c, CURLOPT_USERNAME, req->user) ==
		    CURLE_OK;
	if (req->password != NULL)
		ok &= curl_easy_setopt(c, CURLOPT_PASSWORD, req->password) ==
		    CURLE_OK;
	if (req->ssh == NULL && req->user != NULL)
		ok &= curl_easy_setopt(c, CURLOPT_HTTPAUTH,
		          (long)CURLAUTH_BASIC) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_PROXY,
	          req->proxy != NULL ? req->proxy : "") == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	          req->connect_timeout > 0 ? req->connect_timeout : 30L) ==
	    CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L) == CURLE_OK;
	ok &=
	    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
	        req->stall_timeout > 0 ? req->stall_timeout : 60L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hl) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_WRITEDATA, x) == CURLE_OK;
	ok &=
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_HEADERDATA, x) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->resp->error) ==
	    CURLE_OK;
	if (strcmp(req->method, "PUT") == 0) {
		ok &= curl_easy_setopt(c, CURLOPT_UPLOAD, 1L) == CURLE_OK;
		ok &= curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read) ==
		    CURLE_OK;
		ok &= curl_easy_setopt(c, CURLOPT_READDATA, x) == CURLE_OK;
		ok &= curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
		          (curl_off_t)(req->body_file != NULL
		                  ? req->body_file->len
		                  : req->body_len)) == CURLE_OK;
	} else if (strcmp(req->method, "POST") == 0) {
		ok &= curl_easy_setopt(c, CURLOPT_POST, 1L) == CURLE_OK;
		ok &= curl_easy_setopt(c, CURLOPT_POSTFIELDS,
		          req->body != NULL ? (const char *)req->body : "") ==
		    CURLE_OK;
		ok &= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		          (curl_off_t)req->body_len) == CURLE_OK;
	} else if (strcmp(req->method, "HEAD") == 0)
		ok &= curl_easy_setopt(c, CURLOPT_NOBODY, 1L) == CURLE_OK;
	else if (strcmp(req->method, "GET") != 0)
		ok &= curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method) ==
		    CURLE_OK;
	/* a download: fewer, larger writes (curl(1) itself asks 100 KiB) */
	if (req->out != NULL && req->ssh == NULL)
		ok &= curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L << 10) ==
		    CURLE_OK;
	if (!ok)
		return CAIRN_ERR_NOMEM;
	return req->ssh != NULL ? setup_ssh(c, req, x, ql) : 0;
}

int
http_global_init(void)
{
	static int inited;

	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return CAIRN_ERR_NOMEM;
		inited = 1;
	}
	return 0;
}

int
http_conn_new(struct http_conn **c)
{
	*c = NULL;
	if (http_global_init() != 0 ||
	    (*c = cio_calloc(1, sizeof(**c))) == NULL)
		return CAIRN_ERR_NOMEM;
	if (((*c)->c = curl_easy_init()) == NULL) {
		free(*c);
		*c = NULL;
		return CAIRN_ERR_NOMEM;
	}
	return 0;
}

void
http_conn_free(struct http_conn *c)
{
	if (c != NULL) {
		curl_easy_cleanup(c->c);
		free(c);
	}
}

int
http_perform(const struct http_req *req, struct http_resp *resp)
{
	struct curl_slist *hl = NULL, *ql = NULL;
	struct xfer x;
	CURLcode cc;
	CURL *c;
	int rc;

	memset(resp, 0, sizeof(*resp));
	resp->body.max = req->max_body ? req->max_body : (1u << 20);
	memset(&x, 0, sizeof(x));
	x.req = req;
	x.resp = resp;
	if (http_global_init() != 0 || cio_fault_hit())
		return CAIRN_ERR_NOMEM;
	if (req->conn != NULL)
		curl_easy_reset(c = req->conn->c);
	else if ((c = curl_easy_init()) == NULL)
		return CAIRN_ERR_NOMEM;
	x.c = c;
	if ((rc = setup(c, req, &x, &hl, &ql)) == 0) {
		cc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
		if (x.sink_err != 0)
			rc = x.sink_err;
		else if (cc != CURLE_OK) {
			resp->fail = curl_class(cc);
			/* with a proxy, the connection curl makes is to it */
			if (cc == CURLE_COULDNT_CONNECT && req->proxy != NULL &&
			    *req->proxy != '\0')
				resp->fail = HTTP_FAIL_PROXY;
			if (x.khchecked && x.khmatch != CURLKHMATCH_OK)
				resp->fail = x.khmatch == CURLKHMATCH_MISMATCH
				    ? HTTP_FAIL_HOSTKEY_CHANGED
				    : HTTP_FAIL_HOSTKEY;
			resp->quote_failed = cc == CURLE_QUOTE_ERROR;
			if (resp->error[0] == '\0')
				snprintf(resp->error, sizeof(resp->error), "%s",
				    curl_easy_strerror(cc));
			rc = CAIRN_ERR_REMOTE;
		}
	}
	curl_slist_free_all(hl);
	curl_slist_free_all(ql);
	if (req->conn == NULL)
		curl_easy_cleanup(c);
	else /* the buffer is the caller's: do not keep a pointer to it */
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	return rc;
}

void
http_resp_free(struct http_resp *resp)
{
	cio_membuf_free(&resp->body);
}

// clang-format off
static const char WHY_PROXY[] = "the proxy must be socks5h://HOST:PORT (Tor), socks5:// or http://";
static const char WHY_ONION_NO_PROXY[] = "a .onion host is reachable only through Tor: add --proxy socks5h://127.0.0.1:9050";
static const char WHY_ONION_SOCKS5[] = "a .onion host needs a socks5h:// proxy: with socks5:// or http:// the name would be resolved on this machine (leaking it to the DNS resolver, which cannot resolve it anyway)";
// clang-format on

int
http_proxy_check(const char *host, const char *proxy, const char **why)
{
	size_t hl = strlen(host);
	int onion = hl > 6 && strcasecmp(host + hl - 6, ".onion") == 0;

	if (proxy != NULL && strncmp(proxy, "socks5h://", 10) != 0 &&
	    strncmp(proxy, "socks5://", 9) != 0 &&
	    strncmp(proxy, "http://", 7) != 0)
		return *why = WHY_PROXY, -1;
	if (onion && proxy == NULL)
		return *why = WHY_ONION_NO_PROXY, -1;
	if (onion && strncmp(proxy, "socks5h://", 10) != 0)
		return *why = WHY_ONION_SOCKS5, -1;
	return 0;
}

int
http_host_is_local_or_onion(const char *host)
{
	size_t n = strlen(host);

	if (n > 6 && strcasecmp(host + n - 6, ".onion") == 0)
		return 1;
	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "[::1]") == 0)
		return 1;
	if (strncmp(host, "127.", 4) == 0) {
		for (const char *p = host + 4; *p; p++)
			if ((*p < '0' || *p > '9') && *p != '.')
				return 0;
		return 1;
	}
	return 0;
}
