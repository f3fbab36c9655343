/*
 * fuzz_unseal.c - libFuzzer target for the archive reader/validator
 * behind `cairn list`, `verify` and `open` (unseal.h), fed a whole
 * decrypted payload: tar with manifest.json, members, SHA256SUMS and
 * SHA256SUMS.minisig.  Each input is checked three ways: list mode, full
 * check with no callbacks, and full check with callbacks that record what
 * they are given (as extract.h would).  Checks: the three runs agree where
 * they must (a full pass implies a list pass; callbacks or not, same
 * verdict); on success the counts add up (entries, bytes handed to the
 * callbacks, per-file sizes), every file is delivered exactly once in
 * manifest order, and a signed archive has a verified signature; the
 * callback run also requires the fixed signer when one is named and so
 * must fail for any other.  Must never crash or leak.
 */
/* LLVMFuzzerInitialize below also loads the fixed signer. */
#define FZ_CUSTOM_INIT

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "fuzz_util.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "cairn/unseal.h"

/* The signing key of the signed seeds (tests/fuzz/make-seeds). */
static const char fixed_pub[] =
    "RWT58KqdSpAXb5rqOXwv1A47pKJ9FJZq+O/mnrXh5h3n0HZ2WbCi4Rk8";
static struct minisig_public signer;
static struct minisig_trusted trusted_one;
static struct minisig_trust trust = {&trusted_one, 1, 1};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0 ||
	    minisig_public_decode(fixed_pub, sizeof fixed_pub - 1, &signer) !=
	        0)
		abort();
	trusted_one.pk = signer;
	return 0;
}

struct rec {
	const struct manifest *m;
	size_t next; /* index of the next manifest entry expected */
	int in_file;
	uint64_t file_bytes, total;
	const struct manifest_entry *cur;
};

static int
on_manifest(void *ctx, const struct manifest *m)
{
	struct rec *r = ctx;

	if (r->m != NULL || m == NULL)
		abort();
	r->m = m;
	return 0;
}

static int
on_dir(void *ctx, const struct manifest_entry *e)
{
	struct rec *r = ctx;

	if (r->m == NULL || r->in_file || r->next >= r->m->nentries ||
	    e != &r->m->entries[r->next] || e->type != MANIFEST_DIR)
		abort();
	r->next++;
	return 0;
}

static int
on_file_begin(void *ctx, const struct manifest_entry *e)
{
	struct rec *r = ctx;

	if (r->m == NULL || r->in_file || r->next >= r->m->nentries ||
	    e != &r->m->entries[r->next] || e->type != MANIFEST_FILE)
		abort();
	r->next++;
	r->in_file = 1;
	r->cur = e;
	r->file_bytes = 0;
	return 0;
}

static int
on_file_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct rec *r = ctx;

	(void)buf;
	if (!r->in_file || len == 0 || r->file_bytes + len > r->cur->size)
		abort();
	r->file_bytes += len;
	r->total += len;
	return 0;
}

static int
on_file_end(void *ctx)
{
	struct rec *r = ctx;

	if (!r->in_file || r->file_bytes != r->cur->size)
		abort();
	r->in_file = 0;
	return 0;
}

static int
run(const uint8_t *data, size_t size, const struct unseal_options *o,
    struct unseal_result *res)
{
	struct fz_src s;
	struct cio_source src = {.read = fz_src_read, .ctx = &s};

	fz_src_init(&s, data, size, (uint32_t)size | 1);
	return unseal_run(&src, o, res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec rc_ = {0};
	struct unseal_ops ops = {.manifest = on_manifest,
	    .dir = on_dir,
	    .file_begin = on_file_begin,
	    .file_data = on_file_data,
	    .file_end = on_file_end,
	    .ctx = &rc_};
	struct unseal_options list = {1, NULL, 0, 0, NULL},
	                      full = {0, NULL, 1, 1, NULL},
	                      cbs = {0, &trust, 0, 0, &ops};
	struct unseal_result rl, rf, rcb;
	int l, f, c;

	if (size > 4 * 1024 * 1024)
		return 0;
	l = run(data, size, &list, &rl);
	f = run(data, size, &full, &rf);
	c = run(data, size, &cbs, &rcb);
	if (f == 0) {
		if (l != 0 || rf.m == NULL ||
		    rf.nfiles + rf.ndirs != rf.m->nentries ||
		    (rf.is_signed &&
		        (!rf.sig_ok || rf.trusted_comment == NULL)))
			abort();
		/* with the fixed signer trusted: passes iff signed by it */
		if (rf.is_signed && rf.m->has_signer &&
		    minisig_public_same(&rf.m->signer, &signer)) {
			if (c != 0 || rcb.bytes != rf.bytes ||
			    rc_.total != rf.bytes || rc_.in_file ||
			    rc_.next != rf.m->nentries)
				abort();
		} else if (c == 0)
			abort();
	} else if (c == 0) {
		abort(); /* callbacks cannot make a failing archive pass */
	}
	if (l == 0 && rl.m == NULL)
		abort();
	unseal_result_free(&rl);
	unseal_result_free(&rf);
	unseal_result_free(&rcb);
	return 0;
}
