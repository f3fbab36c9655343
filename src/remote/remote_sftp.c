/*
 * remote_sftp.c - an SFTP directory as a remote, through libcurl's SFTP
 * (libssh2).  The server's host key must be in the caller's known_hosts
 * file (http.c refuses unknown and changed keys).  Push uploads to a temp
 * name (.NAME.part), re-reads its size from a listing, then renames it to
 * NAME with the SFTP rename request, which OpenSSH's sftp-server performs
 * with link(2): an existing NAME is never replaced (cairn also checks the
 * listing first, for servers whose rename would replace).  An existing
 * NAME counts as confirmed only if it holds the same bytes.
 *
 * Resume: the state file (text, 0600: "cairn-sftp-upload 1 / name N /
 * size S / mtime T") is written before the upload starts; a later push of
 * the same file appends to the .part from the size the listing shows,
 * instead of starting over.  Network errors are retried the same way.
 * A continued .part is read back and compared with the archive where the
 * credentials allow (it is uploaded again whole if it differs).
 *
 * Knows http.h and remote_impl.h; knows nothing of archives or the key
 * home.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "rbuf.h"
#include "remote_impl.h"

/* The path of name for SFTP commands: "/~/" URLs are home-relative. */
static char *
cmd_path(const struct remote *r, const char *name)
{
	struct rbuf b = {NULL, 0, 0, 0};

	if (strncmp(r->path, "/~/", 3) == 0)
		rbuf_addf(&b, "%s%s", r->path + 3, name);
	else if (strcmp(r->path, "/~") == 0)
		rbuf_addf(&b, "%s", name);
	else
		rbuf_addf(&b, "%s%s", r->path, name);
	return rbuf_take(&b);
}

/* The failure of a request; for a refused host key, which key (type and
 * SHA256 fingerprint, as ssh-keygen -l prints them). */
static void
hostkey_fail(struct remote *r, const struct http_resp *resp)
{
	uint8_t blob[768], d[DIGEST_SHA256_LEN];
	char fp[64];
	size_t bl = 0;

	if ((resp->fail != HTTP_FAIL_HOSTKEY &&
	        resp->fail != HTTP_FAIL_HOSTKEY_CHANGED) ||
	    resp->hostkey[0] == '\0' ||
	    sodium_base642bin(blob, sizeof(blob), resp->hostkey,
	        strlen(resp->hostkey), NULL, &bl, NULL,
	        sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    digest_sha256(blob, bl, d) != 0) {
		remote_failf(r, resp->fail, "%s", resp->error);
		return;
	}
	sodium_bin2base64(fp, sizeof(fp), d, sizeof(d),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	// clang-format off
	remote_failf(r, resp->fail, "the server's %s key SHA256:%s is %s %s",
	    resp->hostkey_type, fp,
	    resp->fail == HTTP_FAIL_HOSTKEY ? "not in" : "NOT the one in",
	    r->known_hosts);
	// clang-format on
}

/* One SFTP request on path/name ("" lists the directory). */
static int
sftp_once(struct remote *r, const char *method, const char *name,
    const struct http_ssh *ssh, const struct http_file *file,
    const struct cio_sink *out, struct http_resp *resp)
{
	struct rbuf b = {NULL, 0, 0, 0};
	struct http_req req;
	char *url;
	int rc;

	rbuf_addf(&b, "sftp://%s%s%s%s%s", r->host, *r->port ? ":" : "",
	    r->port, strcmp(r->path, "/~") == 0 ? "/~/" : r->path, name);
	if ((url = rbuf_take(&b)) == NULL)
		return CAIRN_ERR_NOMEM;
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.body_file = file;
	req.out = out;
	req.proxy = r->proxy;
	req.user = r->access_key;
	req.password = r->secret_key;
	req.ssh = ssh;
	req.max_body = 16u << 20;
	rc = http_perform(&req, resp);
	if (rc == CAIRN_ERR_REMOTE)
		hostkey_fail(r, resp);
	free(url);
	return rc;
}

static void
ssh_init(const struct remote *r, struct http_ssh *s)
{
	memset(s, 0, sizeof(*s));
	s->known_hosts = r->known_hosts;
	s->key_file = r->key_file;
	s->passphrase = r->passphrase;
}

/* Parse one "ls -l" line of a listing: regular files only. */
static int
parse_line(
    const char *l, char *name, size_t cap, uint64_t *size, int64_t *mtime)
{
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char perm[16], m[4], ty[8], nm[256];
	unsigned long long sz;
	int day, hh = 0, mm = 0, year;
	const char *p;
	struct tm tm, now;
	time_t t = time(NULL);

	if (sscanf(l, "%15s %*s %*s %*s %llu %3s %d %7s %255s", perm, &sz, m,
	        &day, ty, nm) != 6 ||
	    perm[0] != '-' || (p = strstr(mon, m)) == NULL || strlen(nm) >= cap)
		return 0;
	gmtime_r(&t, &now);
	year = now.tm_year + 1900;
	if (sscanf(ty, "%d:%d", &hh, &mm) != 2 &&
	    (sscanf(ty, "%d", &year) != 1 || (hh = mm = 0)))
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = (int)(p - mon) / 3;
	tm.tm_mday = day;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	*mtime = (int64_t)timegm(&tm);
	if (strchr(ty, ':') != NULL && *mtime > (int64_t)t + 86400) {
		tm.tm_year--; /* "Dec 31 23:59" seen in January */
		*mtime = (int64_t)timegm(&tm);
	}
	*size = sz;
	snprintf(name, cap, "%s", nm);
	return 1;
}

/* The directory listing's text into *mb (the caller frees it), with
 * quote commands run first (may be NULL). */
static int
sftp_listing(struct remote *r, const char *const *quote, size_t nquote,
    struct cio_membuf *mb)
{
	struct cio_sink sink = {cio_membuf_write, mb};
	struct http_resp resp;
	struct http_ssh ssh;
	unsigned wait = r->backoff_ms;
	int rc;

	ssh_init(r, &ssh);
	ssh.quote = quote;
	ssh.nquote = nquote;
	for (unsigned try = 0;; try++) {
		memset(mb, 0, sizeof(*mb));
		mb->max = 64u << 20;
		rc = sftp_once(r, "GET", "", &ssh, NULL, &sink, &resp);
		http_resp_free(&resp);
		/* a rename that ran cannot run twice: no retry with quotes */
		if (rc == 0 || nquote > 0 ||
		    !remote_retry(r, try, &wait, rc, 0))
			break;
		cio_membuf_free(mb);
	}
	return rc;
}

/* The directory listing, with quote commands run first (may be NULL). */
static int
sftp_ls(struct remote *r, const char *const *quote, size_t nquote,
    struct remote_object **objs, size_t *n)
{
	struct cio_membuf mb = {NULL, 0, 0, 0};
	size_t cap = 0;
	int rc;

	*objs = NULL;
	*n = 0;
	rc = sftp_listing(r, quote, nquote, &mb);
	for (char *l = (char *)mb.data, *e;
	     rc == 0 && l != NULL && l < (char *)mb.data + mb.len; l = e + 1) {
		char name[256];
		uint64_t size;
		int64_t mtime;

		if ((e = memchr(l, '\n',
		         mb.len - (size_t)(l - (char *)mb.data))) == NULL)
			e = (char *)mb.data + mb.len;
		*e = '\0';
		if (parse_line(l, name, sizeof(name), &size, &mtime))
			rc = remote_objects_add(
			    objs, n, &cap, name, size, mtime);
	}
	cio_membuf_free(&mb);
	if (rc != 0) {
		remote_objects_free(*objs, *n);
		*objs = NULL;
		*n = 0;
	}
	return rc;
}

/* Size of name in a listing: 1 found (*size), 0 absent. */
static int
find(const struct remote_object *objs, size_t n, const char *name,
    uint64_t *size)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(objs[i].name, name) == 0) {
			*size = objs[i].size;
			return 1;
		}
	return 0;
}

static int
save_state(const char *path, const char *name, uint64_t size, int64_t mtime)
{
	char txt[400];
	struct cio_atomic a;
	int rc, k;

	k = snprintf(txt, sizeof(txt),
	    "cairn-sftp-upload 1\nname %s\nsize %llu\nmtime %lld\n", name,
	    (unsigned long long)size, (long long)mtime);
	if ((rc = cio_atomic_open(&a, path, 0600, 1)) == 0) {
		rc = cio_fd_write(&a.fd, (const uint8_t *)txt, (size_t)k);
		rc = rc == 0 ? cio_atomic_commit(&a) : rc;
		cio_atomic_abort(&a);
	}
	return rc;
}

/* 1 when the saved state is for this name, size and mtime. */
static int
state_matches(const char *path, const char *name, uint64_t size, int64_t mtime)
{
	char *txt = NULL, nm[300];
	unsigned long long sz;
	long long mt;
	size_t len = 0;
	int ok;

	if (cio_read_file(path, 4096, 0, &txt, &len) != 0)
		return 0;
	ok = sscanf(txt,
	         "cairn-sftp-upload 1\nname %299s\nsize %llu\nmtime %lld", nm,
	         &sz, &mt) == 3 &&
	    strcmp(nm, name) == 0 && sz == size && mt == mtime;
	cio_secret_free(txt, len);
	return ok;
}

/* Upload fd to part, appending from what is there when resume; retries
 * network errors from the size the server then holds. */
static int
upload(struct remote *r, const char *part, int fd, uint64_t size, int resume,
    int *appended, remote_progress_fn fn, void *ctx)
{
	struct remote_sent up = {fn, ctx, 0, size};
	unsigned wait = r->backoff_ms;
	int rc = 0;

	for (unsigned try = 0;; try++) {
		struct http_file file = {fd, 0, size, remote_on_sent, &up};
		struct remote_object *objs = NULL;
		struct http_resp resp;
		struct http_ssh ssh;
		uint64_t have = 0;
		size_t n = 0;

		if (resume && sftp_ls(r, NULL, 0, &objs, &n) == 0 &&
		    find(objs, n, part, &have) && have <= size)
			file.off = have;
		remote_objects_free(objs, n);
		file.len = size - file.off;
		up.base = file.off;
		ssh_init(r, &ssh);
		ssh.append = file.off > 0;
		*appended |= ssh.append;
		rc = sftp_once(r, "PUT", part, &ssh, &file, NULL, &resp);
		http_resp_free(&resp);
		if (rc == 0 || !remote_retry(r, try, &wait, rc, 0))
			break;
		resume = 1;
	}
	return rc;
}

/* Rename part to name (never replacing) and confirm name's size. */
static int
publish(
    struct remote *r, const char *part, const char *name, int fd, uint64_t size)
{
	struct remote_object *objs = NULL;
	char *from = cmd_path(r, part), *to = cmd_path(r, name), *q = NULL;
	struct rbuf b = {NULL, 0, 0, 0};
	uint64_t have = 0;
	size_t n = 0;
	int rc;

	if ((rc = sftp_ls(r, NULL, 0, &objs, &n)) != 0)
		goto out;
	if (find(objs, n, name, &have)) {
		rc = have == size
		    ? remote_existing(r, remote_sftp_get, name, fd, size)
		    : remote_failf(r, HTTP_FAIL_EXISTS,
		          "%s%s exists with another size; not replaced",
		          r->path, name);
		goto out;
	}
	if (!find(objs, n, part, &have) || have != size) {
		rc = remote_failf(r, HTTP_FAIL_PROTOCOL,
		    "the server holds %llu bytes of %llu",
		    (unsigned long long)have, (unsigned long long)size);
		goto out;
	}
	remote_objects_free(objs, n);
	objs = NULL;
	n = 0;
	rbuf_addf(&b, "rename %s %s", from ? from : "", to ? to : "");
	if (from == NULL || to == NULL || (q = rbuf_take(&b)) == NULL) {
		rc = CAIRN_ERR_NOMEM;
		goto out;
	}
	rc = sftp_ls(r, (const char *const *)&q, 1, &objs, &n);
	if (rc == 0 && (!find(objs, n, name, &have) || have != size))
		rc = remote_failf(r, HTTP_FAIL_PROTOCOL,
		    "after the rename, the server holds %llu bytes of %llu",
		    (unsigned long long)have, (unsigned long long)size);
out:
	remote_objects_free(objs, n);
	free(q);
	free(from);
	free(to);
	return rc;
}

int
remote_sftp_push(struct remote *r, const char *name, int fd, uint64_t size,
    const char *state_path, remote_progress_fn fn, void *ctx)
{
	struct rbuf b = {NULL, 0, 0, 0};
	struct stat st;
	char *part;
	int rc, resume, appended = 0;

	if (fstat(fd, &st) != 0)
		return CAIRN_ERR_IO;
	if ((uint64_t)st.st_size != size)
		return CAIRN_ERR_CHANGED;
	rbuf_addf(&b, ".%s.part", name);
	if ((part = rbuf_take(&b)) == NULL)
		return CAIRN_ERR_NOMEM;
	resume = state_matches(state_path, name, size, (int64_t)st.st_mtime);
	if ((rc = save_state(state_path, name, size, (int64_t)st.st_mtime)) ==
	        0 &&
	    (rc = upload(r, part, fd, size, resume, &appended, fn, ctx)) == 0 &&
	    appended &&
	    remote_same_content(r, remote_sftp_get, part, fd, size) == 0) {
		/* the part the upload continued is not a prefix of ours */
		appended = 0;
		rc = upload(r, part, fd, size, 0, &appended, fn, ctx);
	}
	if (rc == 0)
		rc = publish(r, part, name, fd, size);
	if (rc == 0 || (rc == CAIRN_ERR_REMOTE && r->fail == HTTP_FAIL_EXISTS))
		unlink(state_path);
	free(part);
	return rc;
}

int
remote_sftp_list(struct remote *r, const char *suffix,
    struct remote_object **objs, size_t *n)
{
	size_t sl = suffix ? strlen(suffix) : 0, k = 0;
	int rc = sftp_ls(r, NULL, 0, objs, n);

	for (size_t i = 0; rc == 0 && i < *n; i++) {
		size_t nl = strlen((*objs)[i].name);
		if ((*objs)[i].name[0] == '.' || nl <= sl ||
		    (suffix && strcmp((*objs)[i].name + nl - sl, suffix))) {
			free((*objs)[i].name);
			continue;
		}
		(*objs)[k++] = (*objs)[i];
	}
	if (rc == 0)
		*n = k;
	return rc;
}

int
remote_sftp_get(struct remote *r, const char *name, uint64_t offset,
    const struct cio_sink *out, remote_progress_fn fn, void *ctx)
{
	struct remote_counted cnt = {out, fn, ctx, offset};
	struct cio_sink sink = {remote_counted_write, &cnt};
	struct http_resp resp;
	struct http_ssh ssh;
	int rc;

	ssh_init(r, &ssh);
	ssh.resume_from = offset;
	rc = sftp_once(r, "GET", name, &ssh, NULL, &sink, &resp);
	http_resp_free(&resp);
	return rc;
}

/* Entries of a listing's text other than "." and "..". */
static size_t
count_entries(struct cio_membuf *mb)
{
	size_t n = 0;

	for (char *l = (char *)mb->data, *e, *name;
	     l != NULL && l < (char *)mb->data + mb->len; l = e + 1) {
		if ((e = memchr(l, '\n',
		         mb->len - (size_t)(l - (char *)mb->data))) == NULL)
			e = (char *)mb->data + mb->len;
		*e = '\0';
		name = strrchr(l, ' ');
		name = name != NULL ? name + 1 : l;
		n += *name != '\0' && strcmp(name, ".") != 0 &&
		    strcmp(name, "..") != 0;
	}
	return n;
}

int
remote_sftp_create(struct remote *r, size_t *there)
{
	char *dir = cmd_path(r, ""), **q = NULL, why[sizeof(r->error)];
	struct cio_membuf mb = {NULL, 0, 0, 0};
	size_t nq = 0, len;
	int rc = CAIRN_ERR_NOMEM;

	*there = 0;
	if (dir == NULL ||
	    (q = cio_calloc(strlen(dir) + 1, sizeof(*q))) == NULL)
		goto out;
	/* mkdir -p: every parent, failures ignored ('*'), then the
	 * directory itself, whose failure says why */
	len = strlen(dir);
	for (size_t i = 1; i < len; i++) {
		struct rbuf b = {NULL, 0, 0, 0};

		if (dir[i] != '/')
			continue;
		rbuf_addf(
		    &b, "%smkdir %.*s", i + 1 < len ? "*" : "", (int)i, dir);
		if ((q[nq++] = rbuf_take(&b)) == NULL)
			goto out;
	}
	rc = sftp_listing(r, (const char *const *)q, nq, &mb);
	if (rc == CAIRN_ERR_REMOTE && nq > 0 && r->fail == HTTP_FAIL_PROTOCOL) {
		/* it failed: was the directory there already? */
		snprintf(why, sizeof(why), "%s", r->error);
		cio_membuf_free(&mb);
		if ((rc = sftp_listing(r, NULL, 0, &mb)) == CAIRN_ERR_REMOTE)
			rc = remote_failf(r, HTTP_FAIL_AUTH,
			    "cannot create %.*s: %s", (int)(len - 1), dir, why);
	}
	if (rc == 0)
		*there = count_entries(&mb);
out:
	cio_membuf_free(&mb);
	for (size_t i = 0; q != NULL && i < nq; i++)
		free(q[i]);
	free(q);
	free(dir);
	return rc;
}
