/*
 * tsa_http.c - the RFC 3161 HTTP transport: one POST of a DER query as
 * application/timestamp-query, the reply read into memory (see tsa.h),
 * through the library's one libcurl wrapper (cairn/http.h: no proxy
 * from the environment, no redirects, http and https only), optionally
 * through a proxy (Tor: socks5h://).
 *
 * Knows http.h; nothing of the TS formats.  Reads no environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/http.h"
#include "cairn/tsa.h"

/* The host of an http:// or https:// URL (no port, no user), or "". */
static void
url_host(const char *url, char *host, size_t len)
{
	const char *s = strstr(url, "://"), *e, *at;
	size_t n;

	host[0] = '\0';
	if (s == NULL)
		return;
	s += 3;
	e = s + strcspn(s, "/?#");
	if ((at = memchr(s, '@', (size_t)(e - s))) != NULL)
		s = at + 1;
	if (*s == '[') /* [v6]:port */
		n = strcspn(s, "]") + (s[strcspn(s, "]")] == ']');
	else
		n = strcspn(s, ":/?#");
	if (n < len) {
		memcpy(host, s, n);
		host[n] = '\0';
	}
}

/* The reply of an answered request: HTTP 200 with the right type. */
static int
check_reply(const struct http_resp *resp, char why[TSA_WHY_LEN])
{
	if (resp->status != 200) {
		snprintf(why, TSA_WHY_LEN, "HTTP status %ld", resp->status);
		return CAIRN_ERR_IO;
	}
	if (strncasecmp(
	        resp->content_type, "application/timestamp-reply", 27) != 0) {
		snprintf(why, TSA_WHY_LEN,
		    "not a time-stamp reply (content type %s)",
		    resp->content_type[0] ? resp->content_type : "none");
		return CAIRN_ERR_IO;
	}
	return 0;
}

int
tsa_http_post(const char *url, const char *proxy, const uint8_t *body,
    size_t len, long timeout_s, uint8_t **reply, size_t *replylen,
    char why[TSA_WHY_LEN])
{
	static const char *const hdrs[] = {
	    "Content-Type: application/timestamp-query", "Expect:"};
	struct http_resp resp;
	struct http_req req;
	const char *pwhy;
	char host[256];
	int rc;

	*reply = NULL;
	*replylen = 0;
	why[0] = '\0';
	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0) {
		snprintf(why, TSA_WHY_LEN, "not an http:// or https:// URL");
		return CAIRN_ERR_INVAL;
	}
	url_host(url, host, sizeof(host));
	if (http_proxy_check(host, proxy, &pwhy) != 0) {
		snprintf(why, TSA_WHY_LEN, "%s", pwhy);
		return CAIRN_ERR_INVAL;
	}
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.headers = hdrs;
	req.nheaders = 2;
	req.body = body;
	req.body_len = len;
	req.max_body = TSA_REPLY_MAX;
	req.proxy = proxy;
	req.timeout = timeout_s;
	req.connect_timeout = timeout_s;
	rc = http_perform(&req, &resp);
	if (rc == CAIRN_ERR_LIMIT)
		snprintf(why, TSA_WHY_LEN, "reply larger than %u bytes",
		    TSA_REPLY_MAX);
	else if (rc == CAIRN_ERR_REMOTE) {
		snprintf(why, TSA_WHY_LEN, "%s%.240s",
		    resp.fail == HTTP_FAIL_PROXY ? "proxy: " : "", resp.error);
		rc = CAIRN_ERR_IO;
	} else if (rc == 0 && (rc = check_reply(&resp, why)) == 0) {
		*reply = resp.body.data;
		*replylen = resp.body.len;
		resp.body.data = NULL;
	}
	http_resp_free(&resp);
	return rc;
}
