/*
 * remote_impl.h - what remote.c, remote_s3*.c and remote_dir.c share: the
 * parsed remote and the error recorder.
 *
 * Knows http.h; not for use outside src/remote.
 */
#ifndef CAIRN_REMOTE_IMPL_H
#define CAIRN_REMOTE_IMPL_H

#include "cairn/http.h"
#include "cairn/remote.h"

struct remote {
	enum remote_kind kind;
	char *dir;  /* REMOTE_DIR: the directory */
	int https;  /* REMOTE_S3, REMOTE_DAV */
	char *host; /* without port; "[::1]" kept in brackets */
	char *port; /* "" for the scheme's default */
	char *bucket;
	char *prefix; /* "" or "a/b/" (ends in '/') */
	char *path;   /* DAV, SFTP: "/a/b/" (starts and ends in '/') */
	char *region;
	int vhost;
	char *proxy;
	char *access_key; /* S3; WebDAV/SFTP: the user */
	char *secret_key; /* sodium_malloc'd; WebDAV/SFTP: the password */
	size_t secret_len;
	char *key_file, *known_hosts; /* SFTP */
	char *passphrase;             /* SFTP, sodium_malloc'd or NULL */
	unsigned retries, backoff_ms;
	size_t part_size;
	unsigned connections;   /* parts in flight at once */
	struct http_conn *conn; /* kept open between requests, or NULL */
	enum http_fail fail;
	char error[320];
};

/* Record a failure (class and printf-style reason); returns
 * CAIRN_ERR_REMOTE. */
int remote_failf(struct remote *r, enum http_fail f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Append " (N tries)" to r's error message, for a request given up
 * after retries. */
void remote_tries_note(struct remote *r, unsigned n);
/* Sleep ms milliseconds (a retry's backoff). */
void remote_wait_ms(unsigned ms);

/* Backend entry points (same contracts as remote.h). */
int remote_dir_push(struct remote *r, const char *name, int fd, uint64_t size,
    remote_progress_fn fn, void *ctx);
int remote_dir_list(struct remote *r, const char *suffix,
    struct remote_object **objs, size_t *n);
int remote_dir_get(struct remote *r, const char *name, uint64_t offset,
    const struct cio_sink *out, remote_progress_fn fn, void *ctx);
int remote_s3_push(struct remote *r, const char *name, int fd, uint64_t size,
    const char *state_path, remote_progress_fn fn, void *ctx);
int remote_s3_list(struct remote *r, const char *suffix,
    struct remote_object **objs, size_t *n);
int remote_s3_get(struct remote *r, const char *name, uint64_t offset,
    const struct cio_sink *out, remote_progress_fn fn, void *ctx);

int remote_dav_push(struct remote *r, const char *name, int fd, uint64_t size,
    remote_progress_fn fn, void *ctx);
int remote_dav_list(struct remote *r, const char *suffix,
    struct remote_object **objs, size_t *n);
int remote_dav_get(struct remote *r, const char *name, uint64_t offset,
    const struct cio_sink *out, remote_progress_fn fn, void *ctx);
int remote_sftp_push(struct remote *r, const char *name, int fd, uint64_t size,
    const char *state_path, remote_progress_fn fn, void *ctx);
int remote_sftp_list(struct remote *r, const char *suffix,
    struct remote_object **objs, size_t *n);
int remote_sftp_get(struct remote *r, const char *name, uint64_t offset,
    const struct cio_sink *out, remote_progress_fn fn, void *ctx);
/* remote add --create for WebDAV (MKCOL, parents as needed) and SFTP
 * (mkdir, parents as needed): remote_create()'s contract. */
int remote_dav_create(struct remote *r, size_t *there);
int remote_sftp_create(struct remote *r, size_t *there);

/* After a failed try (rc from a request, status of its answer): 1 when
 * it should be tried again (network error, 5xx or 429, tries left), after
 * sleeping *wait_ms, which then doubles (at most 30 s). */
int remote_retry(
    struct remote *r, unsigned try, unsigned *wait_ms, int rc, long status);

/* Adds an object to a growing array; 0 or CAIRN_ERR_NOMEM. */
int remote_objects_add(struct remote_object **objs, size_t *n, size_t *cap,
    const char *name, uint64_t size, int64_t mtime);

/* An object name is already on the server: 0 when it holds exactly
 * fd's first size bytes (read with get; a push whose answer was lost),
 * else CAIRN_ERR_REMOTE with HTTP_FAIL_EXISTS (other content, or it may
 * not be read), or another error.  Nothing is replaced. */
typedef int (*remote_get_fn)(struct remote *r, const char *name,
    uint64_t offset, const struct cio_sink *out, remote_progress_fn fn,
    void *ctx);
int remote_existing(struct remote *r, remote_get_fn get, const char *name,
    int fd, uint64_t size);
/* 1 when object name holds exactly fd's first size bytes, 0 when not,
 * else an error (CAIRN_ERR_REMOTE: r->fail says why, e.g. AUTH). */
int remote_same_content(struct remote *r, remote_get_fn get, const char *name,
    int fd, uint64_t size);

/* A sink that passes writes on to out and reports the running count. */
struct remote_counted {
	const struct cio_sink *out;
	remote_progress_fn fn;
	void *ctx;
	uint64_t done; /* starts at the resume offset */
};
int remote_counted_write(void *p, const uint8_t *buf, size_t len);

/* http_file progress (base + bytes sent so far) to a remote_progress_fn. */
struct remote_sent {
	remote_progress_fn fn;
	void *ctx;
	uint64_t base, total;
};
void remote_on_sent(void *p, uint64_t sent);

/* s3 request plumbing (remote_s3.c), used by remote_s3_push.c. */
struct s3_call {
	const char *method;
	const char *key;   /* object name under the prefix, or NULL */
	const char *query; /* already sorted and encoded, or NULL */
	const uint8_t *body;
	size_t body_len;
	/* PUT: with from_fd, the body is body_len bytes of fd from off on,
	 * and sha256_hex its hash (64 hex digits) */
	int from_fd, fd;
	uint64_t off;
	const char *sha256_hex;
	const char *content_type;
	const char *range; /* "bytes=N-" or NULL */
	const struct cio_sink *out;
	int retry; /* retry network errors and 5xx (bodies in memory only) */
};
/* One signed request on r->conn (opened on first use); 0 only for a
 * 2xx answer (resp filled, caller
 * frees); else CAIRN_ERR_REMOTE with r->fail/r->error set from the S3
 * error code, or another error. */
int remote_s3_call(
    struct remote *r, const struct s3_call *c, struct http_resp *resp);
/* The text of <tag>...</tag> in xml from *pos on (entities decoded),
 * malloc'd; NULL when absent.  *pos moves past it. */
char *remote_xml_tag(const char *xml, size_t len, size_t *pos, const char *tag);

#endif
