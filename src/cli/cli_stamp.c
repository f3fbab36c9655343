/*
 * cli_stamp.c - RFC 3161 time-stamps for seal --tsa, stamp and verify:
 * asking TSAs, the sidecar ARCHIVE.tsr, checking tokens and reporting
 * them (see cli_stamp.h; the sidecar format is in docs/format.md).
 *
 * Knows tsa.h, digest.h, cio.h and jansson; nothing of manifests or the
 * age layer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "cairn/manifest.h"
#include "cairn/tsa.h"
#include "cli.h"
#include "cli_json.h"
#include "cli_stamp.h"

// clang-format off
int
cli_tsas_add(struct cli_tsas *t, const char *verb, const char *url)
{
	if (t->n >= CLI_MAX_TSAS)
		return cli_usage_error(verb, "too many --tsa options (at most %d)", CLI_MAX_TSAS);
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return cli_usage_error(verb, "--tsa %s: not an http:// or https:// URL", url);
	t->url[t->n++] = url;
	return 0;
}
// clang-format on

int
cli_file_sha256(const char *path, uint8_t out[TSA_DIGEST_LEN], uint64_t *size)
{
	uint64_t total;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return cli_fail(CAIRN_ERR_IO, "%s", path);
	rc = digest_fd_sha256(fd, out, &total);
	close(fd);
	if (rc != 0)
		return cli_fail(rc, "%s", path);
	if (size != NULL)
		*size = total;
	return 0;
}

static char *
sidecar_path(const char *archive)
{
	size_t n = strlen(archive) + sizeof(CLI_STAMP_SUFFIX);
	char *p = cio_malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s%s", archive, CLI_STAMP_SUFFIX);
	else
		cli_fail(CAIRN_ERR_NOMEM, "%s", archive);
	return p;
}

int
cli_stamp_sidecar_exists(const char *archive)
{
	char *p;
	int yes;

	if (strcmp(archive, "-") == 0)
		return 0;
	if ((p = sidecar_path(archive)) == NULL)
		return 1; /* hash anyway; the check fails the same way */
	yes = cli_exists(p);
	free(p);
	return yes;
}

/* Read path's sidecar into t; a missing one is an empty t (*present 0). */
static int
sidecar_load(const char *path, struct tsr *t, int *present)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	*present = 0;
	if (!cli_exists(path))
		return 0;
	if ((rc = cio_read_file(path, TSR_MAX_LEN, 0, &text, &len)) != 0)
		return cli_fail(rc, "%s", path);
	*present = 1;
	rc = tsr_decode((const uint8_t *)text, len, t);
	cio_secret_free(text, len);
	if (rc != 0) {
		cli_error("%s: not a cairn time-stamp file: %s", path,
		    cairn_strerror(rc));
		return rc == CAIRN_ERR_NOMEM ? CLI_EXIT_ERR
		                             : CLI_EXIT_INTEGRITY;
	}
	return 0;
}

static int
sidecar_save(const char *path, const struct tsr *t)
{
	struct cio_atomic a;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = tsr_encode(t, &buf, &len)) != 0)
		return cli_fail(rc, "%s", path);
	if ((rc = cio_atomic_open(&a, path, 0666, 1)) == 0) {
		rc = cio_fd_write(&a.fd, buf, len);
		if (rc == 0)
			rc = cio_atomic_commit(&a);
		else
			cio_atomic_abort(&a);
	}
	free(buf);
	return rc != 0 ? cli_fail(rc, "%s", path) : 0;
}

static void
time_text(int64_t t, char out[MANIFEST_TIME_LEN])
{
	if (manifest_time_format(t, out) != 0)
		snprintf(out, MANIFEST_TIME_LEN, "?");
}

static const char *
kind_text(enum tsr_kind k)
{
	return k == TSR_SUMS ? "SHA256SUMS" : "archive file";
}

/* One token from url for digest into t.  Returns 0 or a cairn_err with
 * the reason in why. */
static int
ask_one(const char *url, const char *proxy, enum tsr_kind kind,
    const uint8_t digest[TSA_DIGEST_LEN], struct tsr *t, int quiet,
    char why[TSA_WHY_LEN])
{
	struct tsa_query *q = NULL;
	struct tsa_token_info info;
	uint8_t *der = NULL, *reply = NULL, *tok = NULL;
	size_t derlen = 0, replylen = 0, toklen = 0;
	char when[MANIFEST_TIME_LEN];
	int rc;

	why[0] = '\0';
	if ((rc = tsa_query_new(digest, &q)) != 0 ||
	    (rc = tsa_query_der(q, &der, &derlen)) != 0 ||
	    (rc = tsa_http_post(url, proxy, der, derlen, CLI_STAMP_TIMEOUT_S,
	         &reply, &replylen, why)) != 0 ||
	    (rc = tsa_query_reply(q, reply, replylen, &tok, &toklen, why)) !=
	        0 ||
	    (rc = tsr_add(t, kind, digest, tok, toklen)) != 0)
		goto out;
	if (!quiet && tsa_token_info(tok, toklen, &info) == 0) {
		time_text(info.gen_time, when);
		printf("stamped: %s by %s (%s)\n", when, info.subject,
		    kind_text(kind));
	}
out:
	if (rc != 0 && why[0] == '\0')
		snprintf(why, TSA_WHY_LEN, "%s", cairn_strerror(rc));
	tsa_query_free(q);
	free(der);
	free(reply);
	free(tok);
	return rc;
}

int
cli_stamp_archive(const char *archive, const struct cli_tsas *tsas,
    const uint8_t file_sha256[TSA_DIGEST_LEN], const uint8_t *sums, int quiet)
{
	struct tsr t;
	char *path = NULL, why[TSA_WHY_LEN];
	size_t before;
	int ec, present, failed = 0;

	if ((path = sidecar_path(archive)) == NULL)
		return CLI_EXIT_ERR;
	if ((ec = sidecar_load(path, &t, &present)) != 0)
		goto out;
	before = t.n;
	for (size_t i = 0; i < tsas->n; i++) {
		int rc = ask_one(tsas->url[i], tsas->proxy, TSR_ARCHIVE,
		    file_sha256, &t, quiet, why);

		if (rc == 0 && sums != NULL)
			rc = ask_one(tsas->url[i], tsas->proxy, TSR_SUMS, sums,
			    &t, quiet, why);
		if (rc == CAIRN_ERR_NOMEM) {
			ec = cli_fail(rc, "%s", tsas->url[i]);
			goto out;
		}
		if (rc != 0) {
			cli_warn("%s: no time-stamp: %s", tsas->url[i], why);
			failed = 1;
		}
	}
	if (t.n > before && (ec = sidecar_save(path, &t)) != 0)
		goto out;
	if ((ec = cli_flush_stdout()) != 0)
		goto out;
	ec = failed ? CLI_EXIT_ERR : 0;
out:
	tsr_free(&t);
	free(path);
	return ec;
}

int
cli_tsa_cas_add(struct cli_tsa_cas *c, const char *path)
{
	if (c->n >= CLI_MAX_TSAS)
		return cli_usage_error("verify",
		    "too many --tsa-ca options (at most %d)", CLI_MAX_TSAS);
	c->v[c->n++] = path;
	return 0;
}

void
cli_tsa_cas_free(struct cli_tsa_cas *c)
{
	free(c->home);
	c->home = NULL;
}

/* With no --tsa-ca: the key home's tsa-ca.pem when it exists. */
static int
cas_default(struct cli_tsa_cas *c)
{
	if (c->n > 0)
		return 0;
	if ((c->home = cli_key_home_path(CLI_HOME_TSA_CA)) == NULL)
		return CLI_EXIT_ERR;
	if (cli_exists(c->home))
		c->v[c->n++] = c->home;
	return 0;
}

// clang-format off
int
cli_stamp_check(const char *archive, const uint8_t *file_sha256, const uint8_t sums[TSA_DIGEST_LEN],
    struct cli_tsa_cas *cas, struct cli_stamp_report *rep)
{
	uint8_t file[TSA_DIGEST_LEN];
	struct tsr t;
	char *path = NULL;
	int ec, rc, present;

	memset(rep, 0, sizeof(*rep));
	memset(&t, 0, sizeof(t));
	if (strcmp(archive, "-") == 0)
		return 0;
	if ((path = sidecar_path(archive)) == NULL)
		return CLI_EXIT_ERR;
	if ((ec = sidecar_load(path, &t, &present)) != 0 || !present)
		goto out;
	rep->present = 1;
	if (file_sha256 != NULL)
		memcpy(file, file_sha256, sizeof(file));
	else if ((ec = cli_file_sha256(archive, file, NULL)) != 0)
		goto out;
	if ((ec = cas_default(cas)) != 0)
		goto out;
	for (size_t i = 0; i < t.n; i++) {
		struct cli_stamp_result *r = &rep->v[rep->n++];

		r->kind = t.v[i].kind;
		rc = tsa_token_verify(t.v[i].der, t.v[i].len, r->kind == TSR_SUMS ? sums : file, cas->v, cas->n, &r->info, r->why);
		if (rc == CAIRN_ERR_NOMEM) {
			ec = cli_fail(rc, "%s", path);
			goto out;
		}
		if (rc == CAIRN_ERR_IO) {
			ec = cli_fail_why(CLI_EXIT_ERR, r->why, "verify");
			rep->present = 0;
			goto out;
		}
		r->ok = rc == 0;
		if (!r->ok && ec == 0) {
			cli_error("%s: time-stamp %zu (%s): %s", path, i + 1, kind_text(r->kind), r->why);
			if (cas->n == 0)
				cli_hint("give the TSA's CA certificate with --tsa-ca FILE, or put it in the key home as %s", CLI_HOME_TSA_CA);
			ec = CLI_EXIT_SIGNATURE;
		}
	}
out:
	tsr_free(&t);
	free(path);
	return ec;
}
// clang-format on

void
cli_stamp_print(const struct cli_stamp_report *rep)
{
	char when[MANIFEST_TIME_LEN];

	for (size_t i = 0; i < rep->n; i++) {
		const struct cli_stamp_result *r = &rep->v[i];

		time_text(r->info.gen_time, when);
		if (r->ok)
			printf("timestamp:   %s by %s (verified, %s)\n", when,
			    r->info.subject, kind_text(r->kind));
		else
			printf("timestamp:   FAILED (%s): %s\n",
			    kind_text(r->kind), r->why);
	}
}

json_t *
cli_stamp_json(const struct cli_stamp_report *rep)
{
	char when[MANIFEST_TIME_LEN];
	json_t *a = json_array(), *o;

	for (size_t i = 0; a != NULL && rep != NULL && i < rep->n; i++) {
		const struct cli_stamp_result *r = &rep->v[i];

		time_text(r->info.gen_time, when);
		if ((o = json_object()) == NULL) {
			json_decref(a);
			return NULL;
		}
		cli_json_set(o, "stamped", json_string(tsr_kind_name(r->kind)));
		cli_json_set(o, "time",
		    r->info.gen_time != 0 ? json_string(when) : json_null());
		cli_json_set(o, "tsa", json_string(r->info.subject));
		cli_json_set(o, "verified", json_boolean(r->ok));
		cli_json_set(
		    o, "error", r->ok ? json_null() : json_string(r->why));
		cli_json_append(a, o);
	}
	return a;
}

json_t *
cli_stamp_json_error(const struct cli_stamp_report *rep)
{
	for (size_t i = 0; rep != NULL && i < rep->n; i++)
		if (!rep->v[i].ok)
			return json_string(rep->v[i].why);
	return json_null();
}
