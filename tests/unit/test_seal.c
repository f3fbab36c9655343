/*
 * test_seal.c - sealing at the library level: plan + write into memory,
 * read back with unseal (signed and unsigned), refused inputs and names,
 * the symlink warning, and a plain (unencrypted) tar.  Inputs that change
 * and sink errors live in test_seal_changed.c.
 */
#include "seal_util.h"

static void
test_round_trip(void)
{
	const char *paths[] = {NULL, NULL, NULL};
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
	        strncmp(res.trusted_comment, "cairn-archive archive_id:", 25) ==
	            0,
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
	TAP_OK(
	    rc == 0 && !res.is_signed && !res.sig_ok && res.m->has_signer == 0,
	    "unsigned archive checks, marked unsigned");
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
	struct cio_membuf out = {NULL, 0, 0, 0};
	struct cio_sink sink = {cio_membuf_write, &out};
	struct cio_memsrc ms;
	struct cio_source src = {.read = cio_memsrc_read, .ctx = &ms};
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

static void
test_refusals(void)
{
	const char *paths[3] = {NULL, NULL, NULL};
	char a[128], b[128], err[512];
	struct cio_membuf out;
	int rc;

	tap_sh("mkdir -p %s/rf/x %s/rf/y/x && echo 1 >%s/rf/x/f && "
	       "echo 2 >%s/rf/y/x/f && mkfifo %s/rf/fifo",
	    dir, dir, dir, dir, dir);
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
		static const char *bad[] = {"/", ".", "x/..", ""};

		paths[0] = bad[i];
		rc = seal_paths(paths, sk, &out, err, sizeof(err));
		TAP_EQ_INT(rc, CAIRN_ERR_INVAL, "no usable name refused");
		cio_membuf_free(&out);
	}
	tap_sh(
	    "rm -f %s/rf/fifo && mkdir -p %s/rf2 && echo x >%s/rf2/SHA256SUMS",
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
	       "echo x >\"%s/rf3/$(printf 'e\\314\\201')\"",
	    dir, dir, dir);
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
	       "echo x >\"%s/rf3/caf$(printf '\351')\"",
	    dir, dir, dir);
	rc = seal_paths(paths, sk, &out, err, sizeof(err));
	TAP_OK(rc == CAIRN_ERR_UNSUPPORTED && strstr(err, "caf\\xe9") != NULL,
	    "Latin-1 name refused, escaped: %d '%s'", rc, err);
	cio_membuf_free(&out);
	/* symlinks: warned and skipped */
	tap_sh("rm -rf %s/rf3 && mkdir -p %s/rf3 && echo x >%s/rf3/f && "
	       "ln -s f %s/rf3/l && ln -s /nonexistent %s/rf3/m",
	    dir, dir, dir, dir, dir);
	warnings = 0;
	rc = seal_paths(paths, sk, &out, err, sizeof(err));
	TAP_OK(rc == 0 && warnings == 2 && strstr(last_warning, "rf3/m"),
	    "two symlinks skipped with warnings (%d)", warnings);
	cio_membuf_free(&out);
}

int
main(void)
{
	if (seal_setup() != 0)
		return 1;
	seal_both_ways(test_round_trip);
	test_refusals();
	test_plain_tar();
	seal_teardown();
	return tap_done();
}
