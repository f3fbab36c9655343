/*
 * remote_s3_upload.h - what remote_s3_push.c (the upload, its state
 * file, single PUTs and the multipart requests) and remote_s3_parts.c
 * (sending the parts in parallel) share.
 *
 * Knows remote_impl.h; not for use outside src/remote.
 */
#ifndef CAIRN_REMOTE_S3_UPLOAD_H
#define CAIRN_REMOTE_S3_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/digest.h"
#include "remote_impl.h"

struct upload {
	uint64_t size, part_size;
	int64_t mtime;
	char *upload_id;
	char **etags; /* [nparts], NULL = not yet confirmed */
	size_t nparts;
};

/* Write u's state (key, sizes, upload id, confirmed parts) to path
 * atomically (0600).  Returns 0 or a cairn_err. */
int remote_s3_save_state(
    const char *path, const char *key, const struct upload *u);

/* The SHA-256 (hex) of n bytes of fd at off, read in 1 MiB pieces: the
 * payload hash SigV4 signs before the body is sent.  Returns 0,
 * CAIRN_ERR_IO, CAIRN_ERR_CHANGED (the file is shorter) or
 * CAIRN_ERR_NOMEM. */
int remote_s3_hash_range(
    int fd, uint64_t off, uint64_t n, char hex[DIGEST_SHA256_HEX_LEN]);

/* Send part i (0-based) of u, whose hash is hex (NULL: hash it here);
 * *etag (malloc'd) is the server's confirmation.  Returns 0 or a
 * cairn_err (CAIRN_ERR_REMOTE: see r's fail and error). */
int remote_s3_send_part(struct remote *r, const char *key,
    const struct upload *u, size_t i, int fd, const char *hex, char **etag);

/* Send every part of u not yet confirmed, r->connections at once, saving
 * the state to state_path after each confirmed one.  Returns 0 when all
 * are confirmed, else the first failure (r's fail and error set). */
int remote_s3_send_parts(struct remote *r, const char *key, int fd,
    struct upload *u, const char *state_path, remote_progress_fn fn, void *ctx);

#endif
