/*
 * test_seal.c - sealing at the library level: plan + write into memory,
 * read back with unseal (signed and unsigned), inputs that change between
 * planning and streaming or while being read (CHANGED, nothing usable
 * written), refused inputs and names, the symlink warning, sink errors,
 * and that list mode reads only the head of a large archive.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "cairn/seal.h"
#include "sums.h"
#include "tap.h"
#include "cairn/unseal.h"

static char dir[64];
static struct age_recipients rs;
static struct age_identities ids;
static struct minisig_secret *sk;
static struct minisig_public pk;
static int warnings;
static char last_warning[512];

static void
on_warn(void *ctx, enum seal_warning w, const char *path, const char *other)
{
	(void)other;
	(void)ctx;
	if (w == SEAL_WARN_SYMLINK || w == SEAL_WARN_NFC)
		warnings++;
	snprintf(last_warning, sizeof(last_warning), "%s", path);
}

static void
write_file(const char *path, size_t size, unsigned seed)
{
	FILE *f = fopen(path, "wb");

	for (size_t i = 0; f != NULL && i < size; i++)
		fputc((int)((i * 2654435761u + seed) >> 13) & 0xff, f);
	if (f != NULL)
		fclose(f);
}

static int
age_sink_write(void *ctx, const uint8_t *buf, size_t len)
{
	return age_writer_write(ctx, buf, len);
}

/* seal_write() through an age writer to rs, as the CLI does. */
static int
seal_age(struct seal_plan *p, const struct minisig_secret *key,
    const struct cio_sink *sink)
{
	struct age_writer *w = NULL;
	struct cio_sink plain = { age_sink_write, NULL };
	int rc;

	if ((rc = age_writer_new(&w, &rs, 0, sink)) == 0) {
		plain.ctx = w;
		if ((rc = seal_write(p, key, &plain)) == 0)
			rc = age_writer_finish(w);
	}
	age_writer_free(w);
	return rc;
}

/* Plan the given paths (NULL-terminated) and write them into out. */
static int
seal_paths(const char *const *paths, const struct minisig_secret *key,
    struct cio_membuf *out, char *err, size_t errlen)
{
	struct seal_plan *p = NULL;
	struct cio_sink sink = { cio_membuf_write, out };
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = seal_plan_new(&p, on_warn, NULL)) != 0)
		return rc;
	for (size_t i = 0; paths[i] != NULL && rc == 0; i++)
		rc = seal_plan_add(p, paths[i]);
	if (rc == 0)
		rc = seal_plan_check_nfc(p);
	if (rc == 0)
		rc = seal_age(p, key, &sink);
	if (err != NULL)
		snprintf(err, errlen, "%s", seal_plan_error(p));
	seal_plan_free(p);
	return rc;
}

static ssize_t
age_src_read(void *ctx, uint8_t *buf, size_t len)
{
	return age_reader_read(ctx, buf, len);
}

/* Decrypt and unseal data; fills res (caller frees). */
static int
unseal_mem(const uint8_t *data, size_t len, const struct unseal_options *o,
    struct unseal_result *res, uint64_t *consumed)
{
	struct cio_memsrc ms = { data, len, 0 };
	struct cio_source src = { cio_memsrc_read, &ms }, plain;
	struct age_reader *r = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = age_reader_new(&r, &src, &ids)) != 0)
		return rc;
	plain.read = age_src_read;
	plain.ctx = r;
	rc = unseal_run(&plain, o, res);
	if (consumed != NULL)
		*consumed = age_reader_consumed(r);
	age_reader_free(r);
	return rc;
}

static void
test_round_trip(void)
{
	const char *paths[] = { NULL, NULL, NULL };
	char a[128], b[128];
	struct cio_membuf out;
	struct unseal_options o;
	struct unseal_result res;
	int rc;

	tap_sh("mkdir -p %s/rt/sub/deeper %s/rt/empty", dir, dir);
	snprintf(a, sizeof(a), "%s/rt/big.bin", dir);
	write_file(a, 3 * SEAL_BLOCK + 12345, 1);
	snprintf(a, sizeof(a), "%s/rt/sub/deeper/small.txt", dir);
	write_file(a, 10, 2);
	snprintf(a, sizeof(a), "%s/rt/zero", dir);
	write_file(a, 0, 0);
	snprintf(a, sizeof(a), "%s/rt/", dir);
	snprintf(b, sizeof(b), "%s/rt/sub/deeper/small.txt", dir);
	paths[0] = a;
	paths[1] = b;
	rc = seal_paths(paths, sk, &out, NULL, 0);
	TAP_EQ_INT(rc, 0, "seal a tree and a loose file");
	memset(&o, 0, sizeof(o));
	o.any_signer = 1;
	rc = unseal_mem(out.data, out.len, &o, &res, NULL);
	TAP_EQ_INT(rc, 0, "unseal checks it");
	TAP_OK(res.m != NULL && res.m->nentries == 8, "8 entries (%zu)",
	    res.m != NULL ? res.m->nentries : 0);
	TAP_OK(res.m != NULL && strcmp(res.m->entries[0].path, "rt") == 0 &&
	    strcmp(res.m->entries[1].path, "rt/big.bin") == 0 &&
	    strcmp(res.m->entries[2].path, "rt/empty") == 0 &&
	    strcmp(res.m->entries[7].path, "small.txt") == 0,
	    "entries named after the arguments' last components, sorted");
	TAP_EQ_INT(res.nfiles, 4, "4 files checked");
	TAP_EQ_INT(res.bytes, 3 * SEAL_BLOCK + 12345 + 20, "bytes checked");
	TAP_OK(res.is_signed && res.sig_ok, "signature verified");
	TAP_OK(res.m != NULL && memcmp(&res.m->signer, &pk, sizeof(pk)) == 0,
	    "manifest names the signing key");
	TAP_OK(res.trusted_comment != NULL &&
	    strncmp(res.trusted_comment, "cairn-archive archive_id:", 25) == 0,
	    "trusted comment");
	unseal_result_free(&res);
	/* the same with a trusted list: one right key among others */
	{
		struct minisig_trust tr;
		struct minisig_public other;

		memset(&tr, 0, sizeof(tr));
		memset(&other, 7, sizeof(other));
		o.any_signer = 0;
		o.trust = &tr;
		TAP_EQ_INT(minisig_trust_add(&tr, "other", &other), 0, "add");
		TAP_EQ_INT(unseal_mem(out.data, out.len, &o, &res, NULL),
		    CAIRN_ERR_SIGNATURE, "signer not trusted: 5");
		TAP_OK(res.refused == UNSEAL_REFUSED_UNTRUSTED && res.sig_ok,
		    "... refused as untrusted, signature valid");
		unseal_result_free(&res);
		TAP_EQ_INT(minisig_trust_add(&tr, "me", &pk), 0, "add");
		TAP_EQ_INT(unseal_mem(out.data, out.len, &o, &res, NULL), 0,
		    "trusted signer among others");
		TAP_OK(res.signer_trusted && res.trusted_index == 1,
		    "... found as entry 1");
		unseal_result_free(&res);
		minisig_trust_free(&tr);
	}
	cio_membuf_free(&out);

	/* unsigned */
	paths[1] = NULL;
	rc = seal_paths(paths, NULL, &out, NULL, 0);
	TAP_EQ_INT(rc, 0, "seal unsigned");
	memset(&o, 0, sizeof(o));
	o.allow_unsigned = 1;
	rc = unseal_mem(out.data, out.len, &o, &res, NULL);
	TAP_OK(rc == 0 && !res.is_signed && !res.sig_ok &&
	    res.m->has_signer == 0, "unsigned archive checks, marked unsigned");
	unseal_result_free(&res);
	o.allow_unsigned = 0;
	TAP_EQ_INT(unseal_mem(out.data, out.len, &o, &res, NULL),
	    CAIRN_ERR_SIGNATURE, "unsigned, not allowed: 5");
	unseal_result_free(&res);
	cio_membuf_free(&out);
}

/* seal_write() alone writes the plain tar: unseal_run() reads it back
 * with no age layer at all (the two are mirrors). */
static void
test_plain_tar(void)
{
	struct seal_plan *p = NULL;
	struct cio_membuf out = { NULL, 0, 0, 0 };
	struct cio_sink sink = { cio_membuf_write, &out };
	struct cio_memsrc ms;
	struct cio_source src = { cio_memsrc_read, &ms };
	struct unseal_options o;
	struct unseal_result res;
	char a[128];
	int rc;

	tap_sh("mkdir -p %s/plain/d", dir);
	snprintf(a, sizeof(a), "%s/plain/d/f.txt", dir);
	write_file(a, 70000, 4);
	snprintf(a, sizeof(a), "%s/plain", dir);
	rc = seal_plan_new(&p, NULL, NULL);
	if (rc == 0)
		rc = seal_plan_add(p, a);
	if (rc == 0)
		rc = seal_write(p, sk, &sink);
	TAP_EQ_INT(rc, 0, "plain: seal_write to a memory sink");
	seal_plan_free(p);
	TAP_OK(out.len > 512 && out.len % 512 == 0 &&
	    memcmp(out.data + 257, "ustar", 5) == 0 &&
	    !age_is_encrypted((const char *)out.data, out.len),
	    "plain: a tar, not an age file (%zu bytes)", out.len);
	memset(&o, 0, sizeof(o));
	o.any_signer = 1; /* the format, not the trust policy */
	memset(&res, 0, sizeof(res));
	ms.data = out.data;
	ms.len = out.len;
	ms.off = 0;
	rc = unseal_run(&src, &o, &res);
	TAP_EQ_INT(rc, 0, "plain: unseal_run reads it back");
	TAP_OK(rc == 0 && res.nfiles == 1 && res.ndirs == 2 &&
	    res.bytes == 70000 && res.is_signed && res.sig_ok,
	    "plain: 1 file, 2 dirs, 70000 bytes, signature verified");
	unseal_result_free(&res);
	/* a flipped data byte in the plain tar is caught by SHA256SUMS */
	out.data[out.len / 2] ^= 1;
	ms.off = 0;
	memset(&res, 0, sizeof(res));
	TAP_OK(unseal_run(&src, &o, &res) != 0,
	    "plain: a changed byte fails the check");
	unseal_result_free(&res);
	cio_membuf_free(&out);
}

/* A sink that runs a shell command once, after the first write (when
 * manifest.json has gone out and before the files stream). */
struct meddle {
	struct cio_membuf m;
	const char *cmd;
	int done;
};

static int
meddle_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct meddle *md = ctx;

	if (!md->done && md->cmd != NULL) {
		md->done = 1;
		if (system(md->cmd) != 0)
			fprintf(stderr, "# meddle failed: %s\n", md->cmd);
	}
	return cio_membuf_write(&md->m, buf, len);
}

/* Plan dir/ch, run cmd between planning and streaming; returns the
 * result and the error text. */
static int
seal_meddled(const char *cmd, char *err, size_t errlen)
{
	struct seal_plan *p = NULL;
	struct meddle md;
	struct cio_sink sink = { meddle_write, &md };
	char path[128];
	int rc;

	memset(&md, 0, sizeof(md));
	tap_sh("rm -rf %s/ch && mkdir -p %s/ch", dir, dir);
	snprintf(path, sizeof(path), "%s/ch/f", dir);
	write_file(path, 2 * SEAL_BLOCK + 5, 3);
	snprintf(path, sizeof(path), "%s/ch", dir);
	if ((rc = seal_plan_new(&p, NULL, NULL)) != 0 ||
	    (rc = seal_plan_add(p, path)) != 0)
		goto out;
	if (cmd != NULL && system(cmd) != 0)
		fprintf(stderr, "# command failed: %s\n", cmd);
	rc = seal_age(p, sk, &sink);
out:
	snprintf(err, errlen, "%s", p != NULL ? seal_plan_error(p) : "");
	seal_plan_free(p);
	cio_membuf_free(&md.m);
	return rc;
}

static void
test_changed(void)
{
	char cmd[512], err[512];
	static const struct {
		const char *what, *fmt;
	} cases[] = {
		{ "appended to", "echo more >>%s/ch/f" },
		{ "truncated", "truncate -s 100 %s/ch/f" },
		{ "same size, new mtime", "touch -d '2001-01-01' %s/ch/f" },
		{ "replaced by another file", "cp %s/ch/f %s/ch/g && "
		    "mv %s/ch/g %s/ch/f" },
		{ "replaced by a symlink", "mv %s/ch/f %s/ch/h && "
		    "ln -s h %s/ch/f" },
		{ "removed", "rm %s/ch/f" },
	};

	TAP_EQ_INT(seal_meddled(NULL, err, sizeof(err)), 0,
	    "unchanged input seals");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		snprintf(cmd, sizeof(cmd), cases[i].fmt, dir, dir, dir, dir);
		rc = seal_meddled(cmd, err, sizeof(err));
		TAP_OK(rc == (strcmp(cases[i].what, "removed") == 0 ?
		    CAIRN_ERR_IO : CAIRN_ERR_CHANGED) &&
		    strstr(err, "ch/f") != NULL,
		    "file %s after planning: error %d, '%s'", cases[i].what,
		    rc, err);
	}
	/* growing during the read: the meddling sink appends a block after
	 * the first data has gone out */
	{
		struct seal_plan *p = NULL;
		struct meddle md;
		struct cio_sink sink = { meddle_write, &md };
		char path[128];
		int rc;

		memset(&md, 0, sizeof(md));
		tap_sh("rm -rf %s/ch && mkdir -p %s/ch", dir, dir);
		snprintf(path, sizeof(path), "%s/ch/f", dir);
		/* larger than what the reading thread may run ahead */
		write_file(path, 12 * SEAL_BLOCK + 5, 3);
		snprintf(cmd, sizeof(cmd), "head -c 3000000 /dev/zero >>%s",
		    path);
		md.cmd = NULL;
		rc = seal_plan_new(&p, NULL, NULL);
		if (rc == 0)
			rc = seal_plan_add(p, path);
		md.cmd = cmd;
		/* the first sink write happens when the first 64 KiB age
		 * chunk is complete, i.e. inside the file's data */
		if (rc == 0)
			rc = seal_age(p, sk, &sink);
		TAP_EQ_INT(rc, CAIRN_ERR_CHANGED,
		    "file growing while being read");
		TAP_OK(strstr(seal_plan_error(p), "while being sealed") != NULL,
		    "... says so: '%s'", seal_plan_error(p));
		seal_plan_free(p);
		cio_membuf_free(&md.m);
	}
}

static void
test_refusals(void)
{
	const char *paths[3] = { NULL, NULL, NULL };
	char a[128], b[128], err[512];
	struct cio_membuf out;
	int rc;

	tap_sh("mkdir -p %s/rf/x %s/rf/y/x && echo 1 >%s/rf/x/f && "
	   "echo 2 >%s/rf/y/x/f && mkfifo %s/rf/fifo", dir, dir, dir, dir,
	    dir);
	snprintf(a, sizeof(a), "%s/rf/x", dir);
	snprintf(b, sizeof(b), "%s/rf/y/x/", dir);
	paths[0] = a;
	paths[1] = b;
	rc = seal_paths(paths, sk, &out, err, sizeof(err));
	TAP_OK(rc == CAIRN_ERR_INVAL && strstr(err, "same name") != NULL,
	    "duplicate top-level name: %d '%s'", rc, err);
	cio_membuf_free(&out);
	paths[1] = NULL;
	snprintf(a, sizeof(a), "%s/rf", dir);
	rc = seal_paths(paths, sk, &out, err, sizeof(err));
	TAP_OK(rc == CAIRN_ERR_UNSUPPORTED && strstr(err, "rf/fifo") != NULL,
	    "FIFO refused: %d '%s'", rc, err);
	cio_membuf_free(&out);
	for (size_t i = 0; i < 4; i++) {
		static const char *bad[] = { "/", ".", "x/..", "" };

		paths[0] = bad[i];
		rc = seal_paths(paths, sk, &out, err, sizeof(err));
		TAP_EQ_INT(rc, CAIRN_ERR_INVAL, "no usable name refused");
		cio_membuf_free(&out);
	}
	tap_sh("rm -f %s/rf/fifo && mkdir -p %s/rf2 && echo x >%s/rf2/SHA256SUMS",
	    dir, dir, dir);
	snprintf(a, sizeof(a), "%s/rf2/SHA256SUMS", dir);
	paths[0] = a;
	rc = seal_paths(paths, sk, &out, err, sizeof(err));
	TAP_OK(rc == CAIRN_ERR_INVAL && strstr(err, "reserved") != NULL,
	    "reserved top-level name: '%s'", err);
	cio_membuf_free(&out);
	/* names that break the path rules */
	tap_sh("mkdir -p %s/rf3 && echo x >\"%s/rf3/a$(printf '\\033')b\"", dir,
	    dir);
	snprintf(a, sizeof(a), "%s/rf3", dir);
	rc = seal_paths(paths, sk, &out, err, sizeof(err));
	TAP_OK(rc == CAIRN_ERR_INVAL, "control character in a name: %d", rc);
	cio_membuf_free(&out);
	tap_sh("rm -rf %s/rf3 && mkdir -p %s/rf3 && "
	   "echo x >\"%s/rf3/$(printf 'e\\314\\201')\"", dir, dir, dir);
	warnings = 0;
	rc = seal_paths(paths, sk, &out, err, sizeof(err));
	TAP_OK(rc == 0 && warnings == 0, "NFD name seals: %d '%s'", rc, err);
	cio_membuf_free(&out);
	/* the same name in NFC beside it: both sealed, one warning */
	tap_sh("echo y >\"%s/rf3/$(printf '\303\251')\"", dir);
	warnings = 0;
	rc = seal_paths(paths, sk, &out, err, sizeof(err));
	TAP_OK(rc == 0 && warnings == 1 && strstr(last_warning, "rf3/") != NULL,
	    "NFC/NFD twins seal with one warning: %d %d '%s'", rc, warnings,
	    last_warning);
	cio_membuf_free(&out);
	/* a Latin-1 name: refused, its byte escaped */
	tap_sh("rm -rf %s/rf3 && mkdir -p %s/rf3 && "
	   "echo x >\"%s/rf3/caf$(printf '\351')\"", dir, dir, dir);
	rc = seal_paths(paths, sk, &out, err, sizeof(err));
	TAP_OK(rc == CAIRN_ERR_UNSUPPORTED && strstr(err, "caf\\xe9") != NULL,
	    "Latin-1 name refused, escaped: %d '%s'", rc, err);
	cio_membuf_free(&out);
	/* symlinks: warned and skipped */
	tap_sh("rm -rf %s/rf3 && mkdir -p %s/rf3 && echo x >%s/rf3/f && "
	   "ln -s f %s/rf3/l && ln -s /nonexistent %s/rf3/m", dir, dir, dir,
	    dir, dir);
	warnings = 0;
	rc = seal_paths(paths, sk, &out, err, sizeof(err));
	TAP_OK(rc == 0 && warnings == 2 && strstr(last_warning, "rf3/m"),
	    "two symlinks skipped with warnings (%d)", warnings);
	cio_membuf_free(&out);
}

/* A sink that fails after max bytes. */
struct failing {
	size_t n, max;
};

static int
failing_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct failing *f = ctx;

	(void)buf;
	if (f->n + len > f->max) {
		errno = ENOSPC;
		return CAIRN_ERR_IO;
	}
	f->n += len;
	return 0;
}

static void
test_sink_error_and_list(void)
{
	struct seal_plan *p = NULL;
	struct failing fl = { 0, 200000 };
	struct cio_sink sink = { failing_write, &fl };
	const char *paths[2] = { NULL, NULL };
	char a[128];
	struct cio_membuf out;
	struct unseal_options o;
	struct unseal_result res;
	uint64_t consumed = 0;
	int rc;

	tap_sh("mkdir -p %s/big", dir);
	snprintf(a, sizeof(a), "%s/big/video.bin", dir);
	write_file(a, 8 * 1024 * 1024, 9);
	snprintf(a, sizeof(a), "%s/big", dir);
	rc = seal_plan_new(&p, NULL, NULL);
	if (rc == 0)
		rc = seal_plan_add(p, a);
	if (rc == 0)
		rc = seal_age(p, sk, &sink);
	TAP_EQ_INT(rc, CAIRN_ERR_IO, "sink error comes back");
	TAP_EQ_INT(seal_write(p, sk, &sink), CAIRN_ERR_INVAL,
	    "a plan is written once");
	seal_plan_free(p);

	paths[0] = a;
	{
		char e[512];

		rc = seal_paths(paths, sk, &out, e, sizeof(e));
		TAP_OK(rc == 0, "seal 8 MiB: %d '%s'", rc, e);
	}
	memset(&o, 0, sizeof(o));
	o.list_only = 1;
	rc = unseal_mem(out.data, out.len, &o, &res, &consumed);
	TAP_OK(rc == 0 && res.m != NULL && res.m->nentries == 2,
	    "list mode parses the manifest");
	/* the age reader reads ahead up to ~1 MiB; decrypts far less */
	TAP_OK(consumed < 1200 * 1024, "list read %llu of %zu bytes",
	    (unsigned long long)consumed, out.len);
	unseal_result_free(&res);
	/* the head alone still lists */
	rc = unseal_mem(out.data, 300 * 1024, &o, &res, NULL);
	TAP_EQ_INT(rc, 0, "a 300 KiB head of the archive lists");
	unseal_result_free(&res);
	o.list_only = 0;
	rc = unseal_mem(out.data, 300 * 1024, &o, &res, NULL);
	TAP_EQ_INT(rc, CAIRN_ERR_PAYLOAD, "... but does not verify");
	unseal_result_free(&res);
	cio_membuf_free(&out);
}

int
main(void)
{
	uint8_t xsk[AGE_X25519_KEY_LEN], xpk[AGE_X25519_KEY_LEN];
	char rec[AGE_RECIPIENT_STR_LEN];

	if (sodium_init() < 0)
		return 1;
	snprintf(dir, sizeof(dir), "/tmp/cairn-test-seal-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	if (age_x25519_generate(xsk) != 0 || age_x25519_public(xsk, xpk) != 0 ||
	    age_x25519_recipient_string(xpk, rec) != 0 ||
	    age_recipients_add_string(&rs, rec) != 0 ||
	    age_identities_add_x25519(&ids, xsk) != 0 ||
	    minisig_keygen(&sk, &pk) != 0)
		return 1;
	/* the data path on one thread, then read+hash on a second thread */
	for (int threads = 0; threads < 2; threads++) {
		struct cairn_options opt = *cairn_options();

		opt.seal_threads = threads;
		cairn_set_options(&opt);
		printf("# seal_threads=%d\n", threads);
		test_round_trip();
		test_changed();
	}
	cairn_set_options(NULL);
	test_refusals();
	test_plain_tar();
	test_sink_error_and_list();
	tap_sh("chmod -R u+rwx %s; rm -rf %s", dir, dir);
	age_recipients_free(&rs);
	age_identities_free(&ids);
	minisig_secret_free(sk);
	return tap_done();
}
