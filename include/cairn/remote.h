/*
 * remote.h - copies of sealed archives on another machine: a directory
 * (file:// or a path; a USB stick, a mounted share), an S3-compatible
 * object store (AWS Signature V4, path-style or virtual-host buckets), a
 * WebDAV collection (PUT to a temp name, then MOVE without overwriting)
 * or an SFTP directory (upload to a temp name, then rename; host keys
 * checked against a known_hosts file).  Push sends one archive under a
 * name that reveals nothing (the caller chooses it: the archive id);
 * large archives resume (S3: parts; SFTP: from the size already
 * uploaded), and the resume state lives in a file the caller names, so a
 * cut connection, kill -9 or a reboot continues where it stopped without
 * List permission.  An archive counts as pushed only after the server
 * confirmed the whole object.  Nothing remote is ever deleted, and an
 * existing object is never replaced.
 *
 * Library code: prints nothing, reads no environment (credentials and
 * options come from the caller).  Knows http.h and cio.h; knows nothing
 * of manifests, the key home or the command line.
 */
#ifndef CAIRN_REMOTE_H
#define CAIRN_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/cio.h"
#include "cairn/http.h"

enum remote_kind { REMOTE_DIR, REMOTE_S3, REMOTE_DAV, REMOTE_SFTP };

#define REMOTE_PART_MIN            (5u << 20) /* S3's smallest part but the last */
#define REMOTE_PART_DEFAULT        (16u << 20)
#define REMOTE_CONNECTIONS_DEFAULT 4u /* parts sent at once */
#define REMOTE_CONNECTIONS_MAX     16u

struct remote_config {
	/* s3://, s3+http://, webdav://, webdavs://, webdav+http://,
	 * sftp://, file://, or a path */
	const char *url;
	const char *region;     /* S3 region (NULL: us-east-1) */
	int virtual_host;       /* S3: BUCKET.HOST instead of HOST/BUCKET */
	int allow_plain_http;   /* s3+http:// to hosts not loopback/.onion */
	const char *proxy;      /* socks5h://... or NULL */
	const char *access_key; /* S3 credentials (not for directories) */
	const char *secret_key;
	const char *user;        /* WebDAV/SFTP login (SFTP: else the URL's) */
	const char *password;    /* WebDAV/SFTP password, or NULL */
	const char *key_file;    /* SFTP private key file, or NULL */
	const char *passphrase;  /* of key_file, or NULL */
	const char *known_hosts; /* SFTP: OpenSSH known_hosts (required) */
	unsigned retries;        /* extra tries after a network or 5xx error */
	unsigned backoff_ms;     /* first wait; doubles each try (max 30 s) */
	size_t part_size;     /* 0: REMOTE_PART_DEFAULT; >= REMOTE_PART_MIN */
	unsigned connections; /* parts in flight at once, one connection
	                       * each (0: REMOTE_CONNECTIONS_DEFAULT) */
};

struct remote;

/*
 * Check a URL and options without connecting: scheme, host, bucket, the
 * plain-HTTP rule, the proxy rule (socks5:// is refused for .onion hosts:
 * the name would be resolved locally and leak).  Returns 0 or
 * CAIRN_ERR_INVAL with a static reason in *why.
 */
int remote_check(const struct remote_config *cfg, const char **why);

/* The kind of remote a URL names (REMOTE_DIR for anything not s3, webdav
 * or sftp: remote_check says whether it is valid). */
enum remote_kind remote_url_kind(const char *url);

/* Open a remote (no connection yet).  Returns 0, CAIRN_ERR_INVAL (*why
 * says why), or CAIRN_ERR_NOMEM.  The config's strings are copied;
 * remote_free() wipes the secret. */
int remote_open(
    struct remote **r, const struct remote_config *cfg, const char **why);
void remote_free(struct remote *r);
enum remote_kind remote_kind(const struct remote *r);
/* Host (IPv6 in brackets) and port ("" for the default) of a network
 * remote, owned by r; for messages (e.g. how to add an SSH host key). */
const char *remote_host(const struct remote *r);
const char *remote_port(const struct remote *r);

/* After a CAIRN_ERR_REMOTE: the class and a one-line reason (owned by r,
 * valid until its next call; never holds a secret). */
enum http_fail remote_fail(const struct remote *r);
const char *remote_error(const struct remote *r);

/*
 * Create the remote's place: the S3 bucket (CreateBucket; needs
 * credentials that may create buckets), the directory with its missing
 * parents (0700), the WebDAV collection (MKCOL, missing parents first)
 * or the SFTP directory (mkdir, missing parents first; the server's
 * umask decides its mode).  Finding it already there is fine when nothing is
 * under the URL's prefix yet.  Returns 0; CAIRN_ERR_EXISTS when something
 * is (*there > 0: one or more objects or entries); CAIRN_ERR_REMOTE (see
 * remote_fail; a bucket name taken by another account, or a place the
 * credentials may not create, is HTTP_FAIL_AUTH); CAIRN_ERR_NOMEM.  Never deletes
 * anything.
 */
int remote_create(struct remote *r, size_t *there);

/* Called as bytes are confirmed sent or received (may be NULL). */
typedef void (*remote_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/*
 * Push size bytes of fd (read with pread from offset 0) as object name
 * (letters, digits, '.', '-', '_'; placed under the URL's prefix).
 * state_path: the resume-state file for this upload (created, updated
 * after each confirmed part, removed on success).  Returns 0 only when
 * the server confirmed the whole object; CAIRN_ERR_REMOTE (see
 * remote_fail), CAIRN_ERR_IO, CAIRN_ERR_CHANGED (the file changed size
 * since the saved state; the state is dropped) or CAIRN_ERR_NOMEM.
 */
int remote_push(struct remote *r, const char *name, int fd, uint64_t size,
    const char *state_path, remote_progress_fn fn, void *ctx);

struct remote_object {
	char *name; /* relative to the prefix */
	uint64_t size;
	int64_t mtime; /* seconds since the epoch (UTC), 0 when unknown */
};

/* Every object under the prefix whose name ends in suffix (NULL: all).
 * *objs: malloc'd array, free with remote_objects_free(). */
int remote_list(struct remote *r, const char *suffix,
    struct remote_object **objs, size_t *n);
void remote_objects_free(struct remote_object *objs, size_t n);

/* Write object name's bytes from offset on to out (a resumed download
 * continues at the size already written).  Returns 0, CAIRN_ERR_REMOTE,
 * or out's error. */
int remote_get(struct remote *r, const char *name, uint64_t offset,
    const struct cio_sink *out, remote_progress_fn fn, void *ctx);

#endif
