/*
 * tsa_http.c - the RFC 3161 HTTP transport: one POST of a DER query as
 * application/timestamp-query, the reply read into memory (see tsa.h).
 *
 * Knows libcurl; nothing of the TS formats.  Reads no environment: the
 * proxy is set to none explicitly, so libcurl does not take one from
 * http_proxy and friends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/tsa.h"

struct reply_buf {
	struct cio_membuf mb;
	int nomem, toolong;
};

static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	struct reply_buf *r = ctx;
	size_t n = size * nmemb;
	int rc = cio_membuf_write(&r->mb, (const uint8_t *)ptr, n);

	if (rc == CAIRN_ERR_LIMIT)
		r->toolong = 1;
	else if (rc != 0)
		r->nomem = 1;
	return rc == 0 ? n : 0;
}

static int
scheme_ok(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0;
}

/* The reply of a finished transfer: HTTP 200 with the right type. */
static int
check_reply(CURL *c, char why[TSA_WHY_LEN])
{
	long status = 0;
	char *type = NULL;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
	if (status != 200) {
		snprintf(why, TSA_WHY_LEN, "HTTP status %ld", status);
		return CAIRN_ERR_IO;
	}
	if (type == NULL ||
	    strncasecmp(type, "application/timestamp-reply", 27) != 0) {
		snprintf(why, TSA_WHY_LEN,
		    "not a time-stamp reply (content type %s)",
		    type != NULL ? type : "none");
		return CAIRN_ERR_IO;
	}
	return 0;
}

int
tsa_http_post(const char *url, const uint8_t *body, size_t len, long timeout_s,
    uint8_t **reply, size_t *replylen, char why[TSA_WHY_LEN])
{
	struct reply_buf r;
	struct curl_slist *hdr = NULL, *h2;
	CURL *c = NULL;
	CURLcode cc;
	int rc = CAIRN_ERR_NOMEM;

	*reply = NULL;
	*replylen = 0;
	why[0] = '\0';
	memset(&r, 0, sizeof(r));
	r.mb.max = TSA_REPLY_MAX;
	if (!scheme_ok(url)) {
		snprintf(why, TSA_WHY_LEN, "not an http:// or https:// URL");
		return CAIRN_ERR_INVAL;
	}
	if ((c = curl_easy_init()) == NULL ||
	    (hdr = curl_slist_append(
	         NULL, "Content-Type: application/timestamp-query")) == NULL ||
	    (h2 = curl_slist_append(hdr, "Expect:")) == NULL)
		goto out;
	hdr = h2;
	if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") !=
	        CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROXY, "") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) !=
	        CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r) != CURLE_OK)
		goto out;
	cc = curl_easy_perform(c);
	if (r.nomem)
		goto out;
	if (r.toolong) {
		snprintf(why, TSA_WHY_LEN, "reply larger than %u bytes",
		    TSA_REPLY_MAX);
		rc = CAIRN_ERR_LIMIT;
		goto out;
	}
	if (cc != CURLE_OK) {
		snprintf(why, TSA_WHY_LEN, "%s", curl_easy_strerror(cc));
		rc = CAIRN_ERR_IO;
		goto out;
	}
	if ((rc = check_reply(c, why)) != 0)
		goto out;
	*reply = r.mb.data;
	*replylen = r.mb.len;
	r.mb.data = NULL;
out:
	cio_membuf_free(&r.mb);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return rc;
}
