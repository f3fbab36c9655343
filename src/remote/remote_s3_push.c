/*
 * remote_s3_push.c - uploading one archive to S3: a single PUT up to the
 * part size, else a multipart upload whose state (upload id, confirmed
 * parts and their ETags) is saved to a file after every confirmed part,
 * so the next run continues after a cut, kill -9 or reboot without List
 * or Get permission.  Confirmed means: a PUT answered 200 with an ETag;
 * CompleteMultipartUpload answered 200 with a CompleteMultipartUploadResult
 * (Ceph RGW 16 leaves its ETag empty, so its presence is not required).
 *
 * State file (text, 0600):
 *   cairn-s3-upload 1 / key K / size N / mtime T / part_size P /
 *   upload ID / part N ETAG ...
 *
 * Knows remote_impl.h; knows nothing of archives or the key home.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "rbuf.h"
#include "remote_impl.h"
#include "remote_s3_upload.h"
#include "sigv4.h"

static void
upload_clear(struct upload *u)
{
	for (size_t i = 0; u->etags != NULL && i < u->nparts; i++)
		free(u->etags[i]);
	free(u->etags);
	free(u->upload_id);
	memset(u, 0, sizeof(*u));
}

static int
upload_init(struct upload *u, uint64_t size, int64_t mtime, uint64_t part)
{
	memset(u, 0, sizeof(*u));
	u->size = size;
	u->mtime = mtime;
	u->part_size = part;
	u->nparts = (size_t)((size + part - 1) / part);
	return (u->etags = cio_calloc(u->nparts, sizeof(char *))) == NULL
	    ? CAIRN_ERR_NOMEM
	    : 0;
}

int
remote_s3_save_state(const char *path, const char *key, const struct upload *u)
{
	struct rbuf b = {NULL, 0, 0, 0};
	struct cio_atomic a;
	char *txt;
	int rc;

	rbuf_addf(&b,
	    "cairn-s3-upload 1\nkey %s\nsize %llu\nmtime %lld\npart_size "
	    "%llu\nupload %s\n",
	    key, (unsigned long long)u->size, (long long)u->mtime,
	    (unsigned long long)u->part_size, u->upload_id);
	for (size_t i = 0; i < u->nparts; i++)
		if (u->etags[i] != NULL)
			rbuf_addf(&b, "part %zu %s\n", i + 1, u->etags[i]);
	if ((txt = rbuf_take(&b)) == NULL)
		return CAIRN_ERR_NOMEM;
	if ((rc = cio_atomic_open(&a, path, 0600, 1)) == 0) {
		rc = cio_fd_write(&a.fd, (const uint8_t *)txt, strlen(txt));
		rc = rc == 0 ? cio_atomic_commit(&a) : rc;
		cio_atomic_abort(&a);
	}
	free(txt);
	return rc;
}

/* Load a saved state that matches key, size, mtime and part size; 1 when
 * loaded, 0 when there is none (or it is for something else). */
static int
load_state(const char *path, const char *key, struct upload *u)
{
	char *txt = NULL, *save = NULL, k[300] = "", id[512] = "";
	unsigned long long sz = 0, ps = 0;
	long long mt = 0;
	size_t len = 0;
	struct upload w;
	int ok = 0;

	if (cio_read_file(path, 1u << 20, 0, &txt, &len) != 0)
		return 0;
	if (sscanf(txt,
	        "cairn-s3-upload 1\nkey %299s\nsize %llu\nmtime %lld\n"
	        "part_size %llu\nupload %511s\n",
	        k, &sz, &mt, &ps, id) == 5 &&
	    strcmp(k, key) == 0 && sz == u->size && mt == u->mtime &&
	    ps >= REMOTE_PART_MIN && upload_init(&w, sz, mt, ps) == 0) {
		ok = (w.upload_id = cio_strdup(id)) != NULL;
		for (char *l = strtok_r(txt, "\n", &save); ok && l != NULL;
		     l = strtok_r(NULL, "\n", &save)) {
			size_t n;
			char etag[256];

			if (sscanf(l, "part %zu %255s", &n, etag) != 2)
				continue;
			if (n == 0 || n > w.nparts ||
			    (w.etags[n - 1] = cio_strdup(etag)) == NULL)
				ok = 0;
		}
		if (ok) {
			upload_clear(u);
			*u = w;
		} else
			upload_clear(&w);
	}
	cio_secret_free(txt, len);
	return ok;
}

int
remote_s3_hash_range(
    int fd, uint64_t off, uint64_t n, char hex[DIGEST_SHA256_HEX_LEN])
{
	uint8_t *buf = cio_malloc(1u << 20), d[DIGEST_SHA256_LEN];
	struct digest_sha256 h;
	int rc = 0;

	if (buf == NULL || digest_sha256_init(&h) != 0) {
		free(buf);
		return CAIRN_ERR_NOMEM;
	}
	while (rc == 0 && n > 0) {
		size_t want = n < (1u << 20) ? (size_t)n : (1u << 20);
		ssize_t k = pread(fd, buf, want, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = k < 0 ? CAIRN_ERR_IO : CAIRN_ERR_CHANGED;
			break;
		}
		digest_sha256_update(&h, buf, (size_t)k);
		off += (uint64_t)k;
		n -= (uint64_t)k;
	}
	if (digest_sha256_final(&h, d) != 0 && rc == 0)
		rc = CAIRN_ERR_NOMEM;
	digest_sha256_free(&h);
	free(buf);
	if (rc == 0)
		digest_hex(d, sizeof(d), hex);
	return rc;
}

/* PUT n bytes of fd at off (hashed first unless hex is its hash, then
 * streamed from the file: no copy in memory) as key with query q (NULL
 * for a whole object). */
static int
put_range(struct remote *r, const char *key, const char *q, int fd,
    uint64_t off, uint64_t n, const char *hex, struct http_resp *resp)
{
	char own[DIGEST_SHA256_HEX_LEN];
	struct s3_call c;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if (hex == NULL) {
		if ((rc = remote_s3_hash_range(fd, off, n, own)) != 0)
			return rc;
		hex = own;
	}
	memset(&c, 0, sizeof(c));
	c.method = "PUT";
	c.key = key;
	c.query = q;
	c.from_fd = 1;
	c.fd = fd;
	c.off = off;
	c.body_len = (size_t)n;
	c.sha256_hex = hex;
	c.retry = 1;
	return remote_s3_call(r, &c, resp);
}

static int
single_put(struct remote *r, const char *key, int fd, uint64_t size,
    remote_progress_fn fn, void *ctx)
{
	struct http_resp resp;
	int rc = put_range(r, key, NULL, fd, 0, size, NULL, &resp);

	if (rc == 0 && resp.etag[0] == '\0')
		rc = remote_failf(r, HTTP_FAIL_PROTOCOL,
		    "the server did not confirm the upload (no ETag)");
	if (rc == 0 && fn != NULL)
		fn(ctx, size, size);
	http_resp_free(&resp);
	return rc;
}

static int
start_upload(struct remote *r, const char *key, struct upload *u)
{
	struct http_resp resp;
	struct s3_call c;
	size_t pos = 0;
	int rc;

	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.key = key;
	c.query = "uploads=";
	c.retry = 1;
	if ((rc = remote_s3_call(r, &c, &resp)) == 0 &&
	    (u->upload_id = remote_xml_tag((char *)resp.body.data,
	         resp.body.len, &pos, "UploadId")) == NULL)
		rc = remote_failf(r, HTTP_FAIL_PROTOCOL,
		    "no UploadId in the answer to CreateMultipartUpload");
	if (rc == 0 && (strpbrk(u->upload_id, " \t\r\n") || !*u->upload_id))
		rc = remote_failf(r, HTTP_FAIL_PROTOCOL, "a strange UploadId");
	http_resp_free(&resp);
	return rc;
}

static char *
upload_query(const char *prefix, size_t part, const char *id)
{
	char *enc = sigv4_uri_encode(id, strlen(id), 0);
	struct rbuf b = {NULL, 0, 0, 0};

	if (enc == NULL)
		return NULL;
	if (part > 0)
		rbuf_addf(&b, "%s%zu&uploadId=%s", prefix, part, enc);
	else
		rbuf_addf(&b, "uploadId=%s", enc);
	free(enc);
	return rbuf_take(&b);
}

int
remote_s3_send_part(struct remote *r, const char *key, const struct upload *u,
    size_t i, int fd, const char *hex, char **etag)
{
	uint64_t off = (uint64_t)i * u->part_size;
	uint64_t n =
	    u->size - off < u->part_size ? u->size - off : u->part_size;
	struct http_resp resp;
	char *q;
	int rc;

	*etag = NULL;
	if ((q = upload_query("partNumber=", i + 1, u->upload_id)) == NULL)
		return CAIRN_ERR_NOMEM;
	rc = put_range(r, key, q, fd, off, n, hex, &resp);
	if (rc == 0 && (resp.etag[0] == '\0' || strpbrk(resp.etag, " \t")))
		rc = remote_failf(r, HTTP_FAIL_PROTOCOL,
		    "the server did not confirm part %zu (no ETag)", i + 1);
	if (rc == 0 && (*etag = cio_strdup(resp.etag)) == NULL)
		rc = CAIRN_ERR_NOMEM;
	http_resp_free(&resp);
	free(q);
	return rc;
}

static int
complete(struct remote *r, const char *key, const struct upload *u)
{
	struct rbuf b = {NULL, 0, 0, 0};
	struct http_resp resp;
	struct s3_call c;
	char *xml, *q;
	int rc;

	rbuf_add(&b, "<CompleteMultipartUpload>");
	for (size_t i = 0; i < u->nparts; i++)
		rbuf_addf(&b,
		    "<Part><PartNumber>%zu</PartNumber><ETag>%s</ETag>"
		    "</Part>",
		    i + 1, u->etags[i]);
	rbuf_add(&b, "</CompleteMultipartUpload>");
	xml = rbuf_take(&b);
	q = upload_query("", 0, u->upload_id);
	if (xml == NULL || q == NULL) {
		free(xml);
		free(q);
		return CAIRN_ERR_NOMEM;
	}
	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.key = key;
	c.query = q;
	c.body = (const uint8_t *)xml;
	c.body_len = strlen(xml);
	c.content_type = "application/xml";
	c.retry = 1;
	rc = remote_s3_call(r, &c, &resp);
	/* S3 may answer 200 and still fail: the body says which */
	if (rc == 0 &&
	    (resp.body.data == NULL ||
	        !memmem(resp.body.data, resp.body.len,
	            "CompleteMultipartUploadResult", 29) ||
	        memmem(resp.body.data, resp.body.len, "<Error>", 7)))
		rc = remote_failf(r, HTTP_FAIL_SERVER,
		    "CompleteMultipartUpload was not confirmed");
	http_resp_free(&resp);
	free(xml);
	free(q);
	return rc;
}

/* One multipart attempt; *gone set when the server forgot the upload. */
static int
multipart(struct remote *r, const char *key, int fd, struct upload *u,
    const char *state_path, remote_progress_fn fn, void *ctx, int *gone)
{
	int rc = 0;

	*gone = 0;
	if (u->upload_id == NULL &&
	    ((rc = start_upload(r, key, u)) != 0 ||
	        (rc = remote_s3_save_state(state_path, key, u)) != 0))
		return rc;
	if ((rc = remote_s3_send_parts(r, key, fd, u, state_path, fn, ctx)) ==
	    0)
		rc = complete(r, key, u);
	if (rc == CAIRN_ERR_REMOTE && r->fail == HTTP_FAIL_NOTFOUND &&
	    strstr(r->error, "NoSuchUpload") != NULL)
		*gone = 1;
	return rc;
}

int
remote_s3_push(struct remote *r, const char *name, int fd, uint64_t size,
    const char *state_path, remote_progress_fn fn, void *ctx)
{
	uint64_t part = r->part_size;
	struct upload u;
	struct stat st;
	int rc, gone = 0;

	if (fstat(fd, &st) != 0)
		return CAIRN_ERR_IO;
	if ((uint64_t)st.st_size != size)
		return CAIRN_ERR_CHANGED;
	if (size <= part)
		return single_put(r, name, fd, size, fn, ctx);
	while ((size + part - 1) / part > 10000) /* S3's limit on parts */
		part *= 2;
	for (int attempt = 0; attempt < 2; attempt++) {
		if ((rc = upload_init(&u, size, (int64_t)st.st_mtime, part)) !=
		    0)
			return rc;
		if (attempt == 0)
			load_state(state_path, name, &u);
		rc = multipart(r, name, fd, &u, state_path, fn, ctx, &gone);
		upload_clear(&u);
		if (rc == 0 || !gone)
			break;
		/* the upload id is unknown to the server (expired by a
		 * lifecycle rule, or completed by a run whose answer was
		 * lost): start over as a new upload */
		unlink(state_path);
	}
	if (rc == 0)
		unlink(state_path);
	return rc;
}
