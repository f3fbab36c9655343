/*
 * test_unseal.c - the checks of unseal_run() on hand-built tar streams
 * (no age layer): a valid archive and the callbacks it drives, then one
 * must-fail case per rule: member order and agreement with the manifest,
 * SHA256SUMS, the signature and its trusted comment, signers, trailing
 * members, malformed manifests, and callback errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "cairn/seal.h"
#include "sums.h"
#include "tap.h"
#include "tarball.h"
#include "cairn/unseal.h"

static struct minisig_secret *sk, *sk2;
static struct minisig_public pk, pk2;

/* What a variant changes. */
enum twist {
	T_NONE,
	T_UNSIGNED,        /* manifest unsigned, no .minisig */
	T_UNSIGNED_SIG,    /* unsigned manifest but a .minisig member */
	T_NO_SIG,          /* signed manifest, .minisig missing */
	T_BAD_TC,          /* signed with another trusted comment */
	T_OTHER_KEY,       /* signed by another key */
	T_SUMS_DIGEST,     /* a wrong digest in SHA256SUMS */
	T_SUMS_MISSING,    /* SHA256SUMS lacks a file */
	T_CONTENT,         /* content differs (same size) */
	T_MODE,            /* tar mode differs from the manifest */
	T_MTIME,           /* tar mtime differs */
	T_TYPE,            /* a file entry stored as a directory */
	T_EXTRA_AFTER,     /* a member after the signature */
	T_MANIFEST_SECOND, /* manifest.json not first */
	T_BAD_JSON,        /* manifest.json is not JSON */
	T_EMPTY,           /* no members at all */
	T_SUMS_NOT_FILE,   /* SHA256SUMS member is a directory */
};

static void
add_file(struct tarball_writer *tw, const char *name, const void *data,
    size_t len, unsigned mode, int64_t mtime)
{
	if (tarball_write_file_begin(tw, name, len, mode, mtime) != 0 ||
	    tarball_write_data(tw, data, len) != 0 ||
	    tarball_write_file_end(tw) != 0)
		fprintf(stderr, "# add_file %s failed\n", name);
}

/* Build the tar of a small archive with the given twist into out. */
static void
build(enum twist t, struct cio_membuf *out)
{
	static const char a[] = "hello, world\n", b[] = "second file\n";
	struct cio_sink sink = {cio_membuf_write, out};
	struct tarball_writer *tw = NULL;
	struct manifest *m = NULL;
	struct sums s;
	uint8_t d[DIGEST_SHA256_LEN];
	char *json = NULL, *text = NULL, *sig = NULL,
	     tc[SEAL_TRUSTED_COMMENT_LEN];
	size_t jlen = 0, tlen = 0, slen = 0;
	int64_t mt = 1700000000;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	if (manifest_new(&m) != 0 || tarball_writer_new(&tw, &sink) != 0)
		goto out;
	if (t != T_UNSIGNED && t != T_UNSIGNED_SIG)
		manifest_set_signer(m, &pk);
	manifest_add_entry(m, "d", MANIFEST_DIR, 0, 0755, mt, NULL);
	manifest_add_entry(
	    m, "d/a.txt", MANIFEST_FILE, sizeof(a) - 1, 0644, mt, "text/plain");
	manifest_add_entry(
	    m, "b.txt", MANIFEST_FILE, sizeof(b) - 1, 0600, mt, "text/plain");
	if (manifest_encode(m, &json, &jlen) != 0)
		goto out;
	if (t == T_BAD_JSON)
		json[0] = '[';
	digest_sha256(json, jlen, d);
	sums_add(&s, MANIFEST_NAME, d);
	digest_sha256(a, sizeof(a) - 1, d);
	if (t == T_SUMS_DIGEST)
		d[5] ^= 1;
	sums_add(&s, "d/a.txt", d);
	digest_sha256(b, sizeof(b) - 1, d);
	if (t != T_SUMS_MISSING)
		sums_add(&s, "b.txt", d);
	if (sums_encode(&s, &text, &tlen) != 0 ||
	    seal_trusted_comment(m, tc) != 0)
		goto out;
	if (t == T_BAD_TC) { /* change one digit, whatever it was */
		size_t i = strlen(tc) - 2;

		tc[i] = tc[i] == '0' ? '1' : '0';
	}
	if (minisig_sign(t == T_OTHER_KEY ? sk2 : sk, text, tlen, tc, NULL,
	        &sig, &slen) != 0)
		goto out;
	if (t == T_EMPTY)
		goto finish;
	if (t != T_MANIFEST_SECOND)
		add_file(tw, MANIFEST_NAME, json, jlen, 0644, mt);
	tarball_write_dir(tw, "d", 0755, mt);
	if (t == T_MANIFEST_SECOND)
		add_file(tw, MANIFEST_NAME, json, jlen, 0644, mt);
	if (t == T_TYPE)
		tarball_write_dir(tw, "d/a.txt", 0644, mt);
	else
		add_file(tw, "d/a.txt", t == T_CONTENT ? "HELLO, world\n" : a,
		    sizeof(a) - 1, t == T_MODE ? 0640 : 0644,
		    t == T_MTIME ? mt + 1 : mt);
	add_file(tw, "b.txt", b, sizeof(b) - 1, 0600, mt);
	if (t == T_SUMS_NOT_FILE)
		tarball_write_dir(tw, SUMS_NAME, 0755, mt);
	else
		add_file(tw, SUMS_NAME, text, tlen, 0644, mt);
	if (t != T_UNSIGNED && t != T_NO_SIG)
		add_file(tw, SUMS_SIG_NAME, sig, slen, 0644, mt);
	if (t == T_EXTRA_AFTER)
		add_file(tw, "b.txt", b, sizeof(b) - 1, 0600, mt);
finish:
	tarball_writer_finish(tw);
out:
	tarball_writer_free(tw);
	manifest_free(m);
	sums_free(&s);
	free(json);
	free(text);
	free(sig);
}

/* Callback recorder. */
struct rec {
	char log[512];
	int fail_at_data; /* return an error from the Nth file_data call */
	int ndata;
};

static void
logf_(struct rec *r, const char *s)
{
	size_t n = strlen(r->log);

	snprintf(r->log + n, sizeof(r->log) - n, "%s;", s);
}

static int
cb_manifest(void *ctx, const struct manifest *m)
{
	(void)m;
	logf_(ctx, "M");
	return 0;
}

static int
cb_dir(void *ctx, const struct manifest_entry *e)
{
	logf_(ctx, e->path);
	return 0;
}

static int
cb_begin(void *ctx, const struct manifest_entry *e)
{
	logf_(ctx, e->path);
	return 0;
}

static int
cb_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct rec *r = ctx;

	(void)buf;
	(void)len;
	if (++r->ndata == r->fail_at_data)
		return CAIRN_ERR_EXISTS;
	logf_(r, "data");
	return 0;
}

static int
cb_end(void *ctx)
{
	logf_(ctx, "end");
	return 0;
}

static int
run(enum twist t, const struct unseal_options *o, struct unseal_result *res)
{
	struct cio_membuf tar;
	struct cio_memsrc ms;
	struct cio_source src = {.read = cio_memsrc_read, .ctx = &ms};
	int rc;

	build(t, &tar);
	ms.data = tar.data;
	ms.len = tar.len;
	ms.off = 0;
	rc = unseal_run(&src, o, res);
	cio_membuf_free(&tar);
	return rc;
}

static void
expect(enum twist t, int want, const char *what, const char *msg)
{
	struct unseal_options o;
	struct unseal_result res;
	int rc;

	memset(&o, 0, sizeof(o));
	o.any_signer = 1; /* the checks, not the trust policy */
	o.allow_unsigned = 1;
	rc = run(t, &o, &res);
	TAP_OK(rc == want && (msg == NULL || strstr(res.error, msg) != NULL),
	    "%s: %d (want %d), '%s'", what, rc, want, res.error);
	unseal_result_free(&res);
}

int
main(void)
{
	struct unseal_options o;
	struct unseal_result res;
	struct unseal_ops ops;
	struct rec rec;
	int rc;

	if (sodium_init() < 0 || minisig_keygen(&sk, &pk) != 0 ||
	    minisig_keygen(&sk2, &pk2) != 0)
		return 1;

	/* the valid archive and its callbacks */
	memset(&rec, 0, sizeof(rec));
	memset(&ops, 0, sizeof(ops));
	ops.manifest = cb_manifest;
	ops.dir = cb_dir;
	ops.file_begin = cb_begin;
	ops.file_data = cb_data;
	ops.file_end = cb_end;
	ops.ctx = &rec;
	memset(&o, 0, sizeof(o));
	o.ops = &ops;
	o.any_signer = 1;
	rc = run(T_NONE, &o, &res);
	TAP_EQ_INT(rc, 0, "valid archive");
	TAP_OK(res.sig_ok && res.is_signed && res.nfiles == 2 &&
	        res.ndirs == 1 && res.bytes == 25,
	    "result counts and signature");
	TAP_OK(strcmp(rec.log, "M;d;d/a.txt;data;end;b.txt;data;end;") == 0,
	    "callbacks in order: %s", rec.log);
	unseal_result_free(&res);
	rec.log[0] = '\0';
	rec.fail_at_data = 2;
	rec.ndata = 0;
	rc = run(T_NONE, &o, &res);
	TAP_OK(rc == CAIRN_ERR_EXISTS && strstr(res.error, "b.txt") != NULL,
	    "a callback's error stops the run, naming the member: '%s'",
	    res.error);
	unseal_result_free(&res);

	/* list mode: manifest only, even when the rest is broken */
	memset(&o, 0, sizeof(o));
	o.list_only = 1;
	rc = run(T_CONTENT, &o, &res);
	TAP_OK(rc == 0 && res.m != NULL && res.m->nentries == 3,
	    "list mode reads only the manifest");
	unseal_result_free(&res);

	/* the trust policy */
	{
		struct minisig_trust tr;
		struct minisig_public spoof = pk;

		memset(&tr, 0, sizeof(tr));
		memset(&o, 0, sizeof(o));
		TAP_EQ_INT(run(T_NONE, &o, &res), CAIRN_ERR_SIGNATURE,
		    "no trusted signer: a valid signature is refused");
		TAP_OK(res.refused == UNSEAL_REFUSED_UNTRUSTED && res.sig_ok &&
		        res.nfiles == 2 &&
		        strstr(res.error, "UNTRUSTED") != NULL &&
		        strstr(res.error, res.signer_fingerprint) != NULL,
		    "... after every check, naming the fingerprint: '%s'",
		    res.error);
		unseal_result_free(&res);
		TAP_EQ_INT(minisig_trust_add(&tr, "other", &pk2), 0, "trust");
		o.trust = &tr;
		TAP_EQ_INT(run(T_NONE, &o, &res), CAIRN_ERR_SIGNATURE,
		    "signed by a key not trusted");
		TAP_OK(res.key_id_clash == -1 && !res.signer_trusted,
		    "... no key id clash");
		unseal_result_free(&res);
		o.any_signer = 1;
		TAP_EQ_INT(run(T_NONE, &o, &res), 0, "... any_signer accepts");
		TAP_OK(!res.signer_trusted && res.refused == UNSEAL_ACCEPTED,
		    "... and says it is not trusted");
		unseal_result_free(&res);
		o.any_signer = 0;
		TAP_EQ_INT(run(T_UNSIGNED, &o, &res), CAIRN_ERR_SIGNATURE,
		    "unsigned: refused by default");
		TAP_OK(res.refused == UNSEAL_REFUSED_UNSIGNED &&
		        strstr(res.error, "unsigned") != NULL,
		    "... '%s'", res.error);
		unseal_result_free(&res);
		o.any_signer = 1;
		TAP_EQ_INT(run(T_UNSIGNED, &o, &res), CAIRN_ERR_SIGNATURE,
		    "unsigned: any_signer does not admit it");
		unseal_result_free(&res);
		o.any_signer = 0;
		o.allow_unsigned = 1;
		TAP_EQ_INT(run(T_NONE, &o, &res), CAIRN_ERR_SIGNATURE,
		    "untrusted: allow_unsigned does not admit it");
		unseal_result_free(&res);
		TAP_EQ_INT(run(T_UNSIGNED, &o, &res), 0,
		    "unsigned: allow_unsigned admits it");
		unseal_result_free(&res);
		o.allow_unsigned = 0;
		/* a trusted key with the signer's key id, another key */
		memcpy(spoof.key_id, pk.key_id, sizeof(spoof.key_id));
		memcpy(spoof.pk, pk2.pk, sizeof(spoof.pk));
		minisig_trust_free(&tr);
		TAP_EQ_INT(minisig_trust_add(&tr, "journalist", &spoof), 0,
		    "trust a key with the same id");
		TAP_EQ_INT(run(T_NONE, &o, &res), CAIRN_ERR_SIGNATURE,
		    "same key id, another key: refused");
		TAP_OK(res.key_id_clash == 0 &&
		        strstr(res.error, "different key") != NULL &&
		        strstr(res.error, "journalist") != NULL,
		    "... said so: '%s'", res.error);
		unseal_result_free(&res);
		TAP_EQ_INT(minisig_trust_add(&tr, "signer", &pk), 0, "trust");
		TAP_EQ_INT(
		    run(T_NONE, &o, &res), 0, "trusted signer: accepted");
		TAP_OK(res.signer_trusted && res.trusted_index == 1,
		    "... as entry 1");
		unseal_result_free(&res);
		o.list_only = 1;
		TAP_EQ_INT(run(T_CONTENT, &o, &res), 0,
		    "list mode: no trust decision");
		TAP_OK(res.signer_trusted && res.trusted_index == 1,
		    "... but the lookup is made");
		unseal_result_free(&res);
		minisig_trust_free(&tr);
	}

	expect(T_UNSIGNED, 0, "unsigned archive", NULL);
	expect(T_UNSIGNED_SIG, CAIRN_ERR_INTEGRITY,
	    "unsigned archive with a .minisig member", "unsigned");
	expect(T_NO_SIG, CAIRN_ERR_SIGNATURE, "signature member missing",
	    "signature missing");
	expect(T_BAD_TC, CAIRN_ERR_SIGNATURE, "another trusted comment",
	    "trusted comment");
	expect(T_OTHER_KEY, CAIRN_ERR_SIGNATURE, "signed by another key", NULL);
	expect(T_SUMS_DIGEST, CAIRN_ERR_INTEGRITY, "wrong digest in sums",
	    "d/a.txt: SHA-256 differs");
	expect(
	    T_SUMS_MISSING, CAIRN_ERR_INTEGRITY, "sums lack a file", "exactly");
	expect(T_CONTENT, CAIRN_ERR_INTEGRITY, "content differs",
	    "SHA-256 differs");
	expect(T_MODE, CAIRN_ERR_INTEGRITY, "mode differs", "mode or mtime");
	expect(T_MTIME, CAIRN_ERR_INTEGRITY, "mtime differs", "mode or mtime");
	expect(T_TYPE, CAIRN_ERR_INTEGRITY, "type differs", "type");
	expect(T_EXTRA_AFTER, CAIRN_ERR_INTEGRITY, "member after signature",
	    "after " SUMS_SIG_NAME);
	expect(T_MANIFEST_SECOND, CAIRN_ERR_INTEGRITY, "manifest not first",
	    "first member");
	expect(
	    T_BAD_JSON, CAIRN_ERR_FORMAT, "malformed manifest", MANIFEST_NAME);
	expect(T_EMPTY, CAIRN_ERR_INTEGRITY, "no members", "archive ends");
	expect(T_SUMS_NOT_FILE, CAIRN_ERR_INTEGRITY, "SHA256SUMS a directory",
	    "not a file");

	/* not a tar stream */
	{
		static const uint8_t junk[2048] = {'x'};
		struct cio_memsrc ms = {junk, sizeof(junk), 0};
		struct cio_source src = {.read = cio_memsrc_read, .ctx = &ms};

		memset(&o, 0, sizeof(o));
		rc = unseal_run(&src, &o, &res);
		/* exactly "the payload is no tar", not any error */
		TAP_OK(rc == CAIRN_ERR_PAYLOAD &&
		        strstr(res.error, "not a tar archive") != NULL,
		    "not a tar: %d '%s'", rc, res.error);
		unseal_result_free(&res);
	}
	minisig_secret_free(sk);
	minisig_secret_free(sk2);
	return tap_done();
}
