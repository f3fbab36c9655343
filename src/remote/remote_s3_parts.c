/*
 * remote_s3_parts.c - the parts of one multipart upload, sent in
 * parallel: r->connections sender threads (the caller is one) each take
 * the next unconfirmed part and send it over a connection of their own,
 * kept open between parts, with their own copy of the remote (so their
 * errors do not mix); one hasher thread computes the parts' SHA-256 (the
 * signed x-amz-content-sha256) ahead of the senders, so hashing overlaps
 * sending.  The state file is saved under the lock after each confirmed
 * part; the first failure stops the others after their current part.
 *
 * Knows remote_s3_upload.h; knows nothing of archives or the key home.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "remote_s3_upload.h"

struct parts {
	struct remote *r;
	const char *key, *state_path;
	int fd;
	struct upload *u;
	remote_progress_fn fn;
	void *ctx;
	pthread_mutex_t mu;
	pthread_cond_t hashed_cv; /* a hash is ready, or hashing stopped */
	char (*hex)[DIGEST_SHA256_HEX_LEN]; /* [nparts], or NULL: senders
	                                     * hash their own parts */
	unsigned char *hashed;              /* [nparts] */
	int hash_rc, hash_stop;
	size_t next;
	uint64_t done;
	int rc;
};

/* The hasher thread: each unconfirmed part's hash, in order. */
static void *
hasher(void *arg)
{
	struct parts *p = arg;
	char hex[DIGEST_SHA256_HEX_LEN];
	int rc = 0;

	for (size_t i = 0; i < p->u->nparts && rc == 0; i++) {
		uint64_t off = (uint64_t)i * p->u->part_size;
		int skip;

		pthread_mutex_lock(&p->mu);
		skip = p->u->etags[i] != NULL;
		if (p->rc != 0 || p->hash_stop)
			rc = CAIRN_ERR_INTERRUPTED;
		pthread_mutex_unlock(&p->mu);
		if (skip || rc != 0)
			continue;
		rc = remote_s3_hash_range(p->fd, off,
		    p->u->size - off < p->u->part_size ? p->u->size - off
		                                       : p->u->part_size,
		    hex);
		pthread_mutex_lock(&p->mu);
		if (rc == 0) {
			memcpy(p->hex[i], hex, sizeof(hex));
			p->hashed[i] = 1;
		}
		pthread_cond_broadcast(&p->hashed_cv);
		pthread_mutex_unlock(&p->mu);
	}
	pthread_mutex_lock(&p->mu);
	p->hash_rc = rc != 0 ? rc : CAIRN_ERR_INTERRUPTED; /* done */
	pthread_cond_broadcast(&p->hashed_cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Under the lock: wait for part i's hash from the hasher; NULL when
 * there is no hasher, or it stopped before part i (*rc: why, 0 when the
 * sender should hash the part itself). */
static const char *
wait_hash(struct parts *p, size_t i, int *rc)
{
	*rc = 0;
	if (p->hex == NULL)
		return NULL;
	while (!p->hashed[i] && p->hash_rc == 0)
		pthread_cond_wait(&p->hashed_cv, &p->mu);
	if (p->hashed[i])
		return p->hex[i];
	if (p->hash_rc != CAIRN_ERR_INTERRUPTED)
		*rc = p->hash_rc;
	return NULL;
}

/* Under the lock: record part i's outcome; the first failure wins. */
static void
part_done(struct parts *p, const struct remote *w, size_t i, char *etag, int rc)
{
	if (rc == 0) {
		p->u->etags[i] = etag;
		rc = remote_s3_save_state(p->state_path, p->key, p->u);
		p->done += i + 1 < p->u->nparts
		    ? p->u->part_size
		    : p->u->size - (uint64_t)i * p->u->part_size;
		if (p->fn != NULL)
			p->fn(p->ctx, p->done, p->u->size);
	}
	if (rc != 0 && p->rc == 0) {
		p->rc = rc;
		p->r->fail = w->fail;
		memcpy(p->r->error, w->error, sizeof(p->r->error));
	}
}

/* Send parts until none is left or one failed, on *conn (kept). */
static void
parts_loop(struct parts *p, struct http_conn **conn)
{
	struct remote w;

	pthread_mutex_lock(&p->mu); /* part_done writes r's error */
	w = *p->r;
	w.conn = *conn;
	for (;;) {
		size_t i = p->next;
		char *etag = NULL;
		int rc;

		const char *hex;

		while (i < p->u->nparts && p->u->etags[i] != NULL)
			i++;
		if (p->rc != 0 || i >= p->u->nparts)
			break;
		p->next = i + 1;
		hex = wait_hash(p, i, &rc);
		pthread_mutex_unlock(&p->mu);
		if (rc == 0)
			rc = remote_s3_send_part(
			    &w, p->key, p->u, i, p->fd, hex, &etag);
		pthread_mutex_lock(&p->mu);
		part_done(p, &w, i, etag, rc);
	}
	*conn = w.conn;
	pthread_mutex_unlock(&p->mu);
}

static void *
parts_worker(void *arg)
{
	struct http_conn *conn = NULL;

	parts_loop(arg, &conn);
	http_conn_free(conn);
	return NULL;
}

int
remote_s3_send_parts(struct remote *r, const char *key, int fd,
    struct upload *u, const char *state_path, remote_progress_fn fn, void *ctx)
{
	struct parts p;
	pthread_t tid[REMOTE_CONNECTIONS_MAX], htid;
	size_t nt = 0, todo = 0;
	int hashing = 0;

	memset(&p, 0, sizeof(p));
	p.r = r;
	p.key = key;
	p.state_path = state_path;
	p.fd = fd;
	p.u = u;
	p.fn = fn;
	p.ctx = ctx;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.hashed_cv, NULL);
	/* without memory or a thread for the hasher, senders hash */
	if ((p.hex = cio_calloc(u->nparts, sizeof(*p.hex))) != NULL &&
	    (p.hashed = cio_calloc(u->nparts, 1)) != NULL &&
	    cio_thread_spawn(&htid, hasher, &p) == 0)
		hashing = 1;
	else {
		free(p.hex);
		p.hex = NULL;
	}

	for (size_t i = 0; i < u->nparts; i++)
		if (u->etags[i] != NULL)
			p.done += i + 1 < u->nparts
			    ? u->part_size
			    : u->size - (uint64_t)i * u->part_size;
		else
			todo++;
	if (fn != NULL)
		fn(ctx, p.done, u->size);
	/* the calling thread is one of the senders, on r's connection */
	while (nt + 1 < r->connections && nt + 1 < todo &&
	    cio_thread_spawn(&tid[nt], parts_worker, &p) == 0)
		nt++;
	parts_loop(&p, &r->conn);
	while (nt > 0)
		pthread_join(tid[--nt], NULL);
	if (hashing) {
		pthread_mutex_lock(&p.mu);
		p.hash_stop = 1;
		pthread_mutex_unlock(&p.mu);
		pthread_join(htid, NULL);
	}
	free(p.hex);
	free(p.hashed);
	pthread_cond_destroy(&p.hashed_cv);
	pthread_mutex_destroy(&p.mu);
	return p.rc;
}
