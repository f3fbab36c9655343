/*
 * remote_create.c - `remote add --create`: make the remote's place (an S3
 * bucket with CreateBucket, a directory with its missing parents, 0700;
 * WebDAV and SFTP in remote_dav.c and remote_sftp.c)
 * and check that nothing is there yet under the prefix, so a fresh
 * remote never mixes its archives into someone's existing data.  Push
 * itself never creates anything (write-only credentials cannot).
 *
 * Knows remote_impl.h; knows nothing of archives or the key home.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "rbuf.h"
#include "remote_impl.h"
#include "sigv4.h"

/* mkdir -p dir, new directories 0700; 1 when dir itself was made. */
static int
make_dirs(struct remote *r, int *made)
{
	char *p = cio_strdup(r->dir);
	int rc = 0;

	*made = 0;
	if (p == NULL)
		return CAIRN_ERR_NOMEM;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) == 0)
			*made = c == '\0';
		else if (errno != EEXIST) {
			rc = remote_failf(r,
			    errno == EACCES || errno == EPERM || errno == EROFS
			        ? HTTP_FAIL_AUTH
			        : HTTP_FAIL_SERVER,
			    "cannot create %s: %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

/* How many entries (other than . and ..) dir holds, up to 2. */
static int
dir_entries(struct remote *r, size_t *n)
{
	DIR *d = opendir(r->dir);
	struct dirent *e;

	*n = 0;
	if (d == NULL)
		return remote_failf(
		    r, HTTP_FAIL_NOTFOUND, "%s: %s", r->dir, strerror(errno));
	while (*n < 2 && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			(*n)++;
	closedir(d);
	return 0;
}

static int
create_bucket(struct remote *r)
{
	struct rbuf b = {NULL, 0, 0, 0};
	struct http_resp resp;
	struct s3_call c;
	char *xml = NULL;
	int rc;

	/* us-east-1 is the default and must not be named */
	if (strcmp(r->region, "us-east-1") != 0) {
		rbuf_addf(&b,
		    "<CreateBucketConfiguration><LocationConstraint>%s"
		    "</LocationConstraint></CreateBucketConfiguration>",
		    r->region);
		if ((xml = rbuf_take(&b)) == NULL)
			return CAIRN_ERR_NOMEM;
	}
	memset(&c, 0, sizeof(c));
	c.method = "PUT";
	c.body = (const uint8_t *)xml;
	c.body_len = xml ? strlen(xml) : 0;
	c.content_type = xml ? "application/xml" : NULL;
	c.retry = 1;
	rc = remote_s3_call(r, &c, &resp);
	/* the owner creating it again: AWS says 409 BucketAlreadyOwnedByYou
	 * (outside us-east-1), Ceph RGW and us-east-1 answer 200 */
	if (rc == CAIRN_ERR_REMOTE && resp.status == 409 &&
	    strstr(r->error, "BucketAlreadyOwnedByYou") != NULL)
		rc = 0;
	else if (rc == CAIRN_ERR_REMOTE && resp.status == 409 &&
	    strstr(r->error, "BucketAlreadyExists") != NULL)
		rc = remote_failf(r, HTTP_FAIL_AUTH,
		    "HTTP 409 BucketAlreadyExists (the bucket name is taken "
		    "by another account)");
	http_resp_free(&resp);
	free(xml);
	return rc;
}

/* Whether any object's key starts with the prefix (one key listed). */
static int
bucket_entries(struct remote *r, size_t *n)
{
	char *enc = sigv4_uri_encode(r->prefix, strlen(r->prefix), 0), *q;
	struct rbuf b = {NULL, 0, 0, 0};
	struct http_resp resp;
	struct s3_call c;
	int rc;

	if (enc == NULL)
		return CAIRN_ERR_NOMEM;
	rbuf_addf(&b, "list-type=2&max-keys=1&prefix=%s", enc);
	free(enc);
	if ((q = rbuf_take(&b)) == NULL)
		return CAIRN_ERR_NOMEM;
	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.query = q;
	c.retry = 1;
	if ((rc = remote_s3_call(r, &c, &resp)) == 0)
		*n = resp.body.data != NULL &&
		    memmem(resp.body.data, resp.body.len, "<Contents>", 10);
	http_resp_free(&resp);
	free(q);
	return rc;
}

int
remote_create(struct remote *r, size_t *there)
{
	int rc, made = 0;

	*there = 0;
	r->fail = HTTP_FAIL_NONE;
	r->error[0] = '\0';
	if (r->kind == REMOTE_DAV)
		rc = remote_dav_create(r, there);
	else if (r->kind == REMOTE_SFTP)
		rc = remote_sftp_create(r, there);
	else if (r->kind == REMOTE_DIR) {
		if ((rc = make_dirs(r, &made)) == 0)
			rc = dir_entries(r, there);
	} else if ((rc = create_bucket(r)) == 0)
		rc = bucket_entries(r, there);
	if (rc != 0)
		return rc;
	return *there > 0 ? CAIRN_ERR_EXISTS : 0;
}
