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
	int https;  /* REMOTE_S3 */
	char *host; /* without port; "[::1]" kept in brackets */
	char *port; /* "" for the scheme's default */
	char *bucket;
	char *prefix; /* "" or "a/b/" (ends in '/') */
	char *region;
	int vhost;
	char *proxy;
	char *access_key;
	char *secret_key; /* sodium_malloc'd */
	size_t secret_len;
	unsigned retries, backoff_ms;
	size_t part_size;
	enum http_fail fail;
	char error[320];
};

/* Record a failure (class and printf-style reason); returns
 * CAIRN_ERR_REMOTE. */
int remote_failf(struct remote *r, enum http_fail f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

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

/* s3 request plumbing (remote_s3.c), used by remote_s3_push.c. */
struct s3_call {
	const char *method;
	const char *key;   /* object name under the prefix, or NULL */
	const char *query; /* already sorted and encoded, or NULL */
	const uint8_t *body;
	size_t body_len;
	const char *content_type;
	const char *range; /* "bytes=N-" or NULL */
	const struct cio_sink *out;
	int retry; /* retry network errors and 5xx (bodies in memory only) */
};
/* One signed request; 0 only for a 2xx answer (resp filled, caller
 * frees); else CAIRN_ERR_REMOTE with r->fail/r->error set from the S3
 * error code, or another error. */
int remote_s3_call(
    struct remote *r, const struct s3_call *c, struct http_resp *resp);
/* The text of <tag>...</tag> in xml from *pos on (entities decoded),
 * malloc'd; NULL when absent.  *pos moves past it. */
char *remote_xml_tag(const char *xml, size_t len, size_t *pos, const char *tag);

#endif
