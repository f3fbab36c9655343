/*
 * http.h - one HTTP(S)/SFTP request through libcurl, for the remote layer
 * (S3, WebDAV, SFTP) and any other library code that talks to a server
 * (e.g. a time-stamping authority).  A thin, synchronous wrapper: no
 * retries, no redirects, no proxy from the environment (only the one
 * given), protocols limited to http and https, or to sftp when the
 * request says so (then the server's host key must be in the caller's
 * known_hosts file: an unknown or changed key is refused, never added).
 *
 * Knows libcurl; knows nothing of S3, signatures or archives.
 */
#ifndef CAIRN_HTTP_H
#define CAIRN_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/cio.h"

/* Why a request failed, for the user's message and for retrying. */
enum http_fail {
	HTTP_FAIL_NONE = 0,
	HTTP_FAIL_NETWORK,  /* no answer: resolve, connect, cut, timeout */
	HTTP_FAIL_PROXY,    /* the proxy refused or is not there */
	HTTP_FAIL_TLS,      /* TLS handshake or certificate refused */
	HTTP_FAIL_AUTH,     /* credentials refused (401/403) */
	HTTP_FAIL_QUOTA,    /* out of space or over quota */
	HTTP_FAIL_NOTFOUND, /* no such bucket, directory or object */
	HTTP_FAIL_SERVER,   /* 5xx or a server-side error after retries */
	HTTP_FAIL_PROTOCOL, /* an answer cairn does not understand */
	HTTP_FAIL_HOSTKEY,  /* SSH host key unknown (not in known_hosts) */
	HTTP_FAIL_HOSTKEY_CHANGED, /* SSH host key differs from known_hosts */
	HTTP_FAIL_EXISTS,          /* the object exists (with other content) */
};

/* A request body read with pread(2) from a file, not from memory. */
struct http_file {
	int fd;
	uint64_t off, len;
	/* called with the bytes handed to libcurl so far (may be NULL) */
	void (*progress)(void *ctx, uint64_t sent);
	void *ctx;
};

/* SSH settings of an sftp:// request. */
struct http_ssh {
	const char *known_hosts; /* OpenSSH known_hosts file (required) */
	const char *key_file;    /* private key, or NULL for a password */
	const char *passphrase;  /* of key_file, or NULL */
	/* SFTP commands (e.g. "rename A B") run before the transfer; a
	 * failing one fails the request with HTTP_FAIL_PROTOCOL and
	 * resp->quote_failed set */
	const char *const *quote;
	size_t nquote;
	int append;           /* upload: append to the remote file */
	uint64_t resume_from; /* download: start at this offset */
};

struct http_conn;

struct http_req {
	const char *method; /* GET PUT POST HEAD ...; never DELETE here */
	const char *url;
	const char *const *headers; /* "Name: value" lines */
	size_t nheaders;
	const uint8_t *body; /* request body (PUT/POST), may be NULL */
	size_t body_len;
	struct http_conn *conn; /* reuse this connection, or NULL */
	long timeout;           /* whole request, seconds (0: none) */
	/* Response body of a 2xx answer goes to out when non-NULL (else
	 * into resp->body); other answers always into resp->body. */
	const struct cio_sink *out;
	long out_status;      /* only this status goes to out (0: any 2xx) */
	size_t max_body;      /* cap on resp->body (0: 1 MiB) */
	const char *proxy;    /* "socks5h://127.0.0.1:9050" or NULL */
	long connect_timeout; /* seconds (0: 30) */
	long stall_timeout;   /* abort below 1 byte/s for this long (0: 60) */
	const struct http_file *body_file; /* PUT body from a file */
	const char *user;           /* HTTP basic auth or SSH login, or NULL */
	const char *password;       /* NULL: none */
	const struct http_ssh *ssh; /* non-NULL: an sftp:// URL */
};

struct http_resp {
	long status;            /* HTTP status, 0 for none */
	char etag[256];         /* ETag header (quotes kept), or "" */
	char content_type[128]; /* Content-Type header, or "" */
	struct cio_membuf body; /* see http_req.out; free with
	                           * http_resp_free() */
	enum http_fail fail;    /* set when http_perform failed */
	char error[256];        /* libcurl's message when it failed */
	uint64_t bytes_out;     /* bytes of body delivered to out */
	int quote_failed;       /* sftp: an SFTP command failed */
	/* sftp: the host key the server offered ("ssh-ed25519", base64),
	 * when it was refused; "" otherwise */
	char hostkey_type[32];
	char hostkey[1024];
};

/*
 * Prepare libcurl for use by several threads; call once from the main
 * thread before any thread calls http_perform.  Returns 0 or
 * CAIRN_ERR_NOMEM.  (http_perform calls it too, for single-threaded
 * callers.)
 */
int http_global_init(void);

/* A new connection to reuse across requests (*c is NULL on failure):
 * returns 0 or CAIRN_ERR_NOMEM.  http_conn_free closes it (NULL is
 * fine). */
int http_conn_new(struct http_conn **c);
void http_conn_free(struct http_conn *c);

/*
 * Perform one request (on req->conn when given, else on a connection
 * of its own, closed afterwards).  Returns 0 when the server answered (any HTTP
 * status: look at resp->status), CAIRN_ERR_REMOTE when no complete answer
 * came (resp->fail and resp->error say why), CAIRN_ERR_NOMEM,
 * CAIRN_ERR_IO or CAIRN_ERR_CHANGED (reading body_file failed or it was
 * shorter than body_len), or the error of req->out's sink.  resp is initialised here; free its body with
 * http_resp_free() in every case.
 */
int http_perform(const struct http_req *req, struct http_resp *resp);
void http_resp_free(struct http_resp *resp);

/* Class of an HTTP status that is not 2xx (401/403 AUTH, 404 NOTFOUND,
 * 413/507 QUOTA, 5xx SERVER, else PROTOCOL). */
enum http_fail http_status_class(long status);

/* 1 when host (a name or address, without port) is a loopback address
 * (127.0.0.0/8, ::1, localhost) or ends in ".onion". */
int http_host_is_local_or_onion(const char *host);

/* The proxy rules for a request to host (a name or address, without
 * port): proxy is NULL, socks5h://, socks5:// or http://...; a .onion
 * host needs a socks5h:// proxy (with the others the name would be
 * resolved on this machine).  Returns 0, or -1 with a static reason in
 * *why. */
int http_proxy_check(const char *host, const char *proxy, const char **why);

#endif
