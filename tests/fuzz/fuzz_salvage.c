/*
 * fuzz_salvage.c - libFuzzer target for salvage's pass 1 (salvage.h):
 * the tar walk, re-synchronisation and decisions over damaged chunks.
 * Input: two bytes of chunk-damage mask (bit i: flip a byte of chunk i),
 * then a plaintext (a tar stream, or anything), encrypted here to the
 * CCTV test key.  Invariants: every member found passes
 * tarball_path_syntax(); nothing is VERIFIED (no valid signature can be
 * made here); a complete file lies inside the plaintext; a damaged chunk
 * leaves its files incomplete; counts add up.  Must never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cairn/salvage.h"
#include "fuzz_util.h"
#include "tarball.h"

#define FZ_MAX_PLAIN (1024 * 1024)

static const char test_identity[] =
    "AGE-SECRET-KEY-"
    "1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

static int
add_recipient(void *ctx, const char *recipient)
{
	return age_recipients_add_string(ctx, recipient);
}

/* Offset of the first payload chunk: after "--- <mac>\n" and the nonce. */
static size_t
payload_at(const uint8_t *f, size_t len)
{
	for (size_t i = 0; i + 4 < len; i++)
		if ((i == 0 || f[i - 1] == '\n') &&
		    memcmp(f + i, "--- ", 4) == 0)
			return i + 48 + 16;
	abort();
}

static void
check(const struct salvage_result *r, size_t plainlen)
{
	if (r->nbadchunks > r->nchunks)
		abort();
	for (size_t i = 0; i < r->n; i++) {
		const struct salvage_member *v = &r->v[i];

		if (v->state == SALVAGE_VERIFIED ||
		    tarball_path_syntax(v->path, NULL) != 0)
			abort();
		if (v->state == SALVAGE_LOST)
			continue;
		if (v->complete && !v->is_dir &&
		    (v->data_off > plainlen ||
		        v->size > plainlen - v->data_off))
			abort();
		if (v->complete && v->nlost != 0)
			abort();
		for (size_t j = 0; j < r->nbad && v->complete && !v->is_dir;
		     j++)
			if (v->data_off < r->bad[j].end &&
			    v->data_off + v->size > r->bad[j].start)
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct age_identities ids = {NULL, 0};
	struct age_recipients rs = {NULL, 0};
	struct cio_membuf f = {NULL, 0, 0, 0};
	struct cio_sink sink = {cio_membuf_write, &f};
	struct age_writer *w = NULL;
	struct age_reader *r = NULL;
	struct salvage_result res;
	struct salvage_options so = {
	    NULL, 1}; /* the policy never hides a VERIFIED */
	struct fz_src s;
	struct cio_source src = {.read = fz_src_read, .ctx = &s};
	unsigned mask;
	size_t p;

	if (size < 2 || size - 2 > FZ_MAX_PLAIN)
		return 0;
	mask = (unsigned)data[0] | (unsigned)data[1] << 8;
	if (age_identities_add_text(&ids, test_identity, strlen(test_identity),
	        NULL, NULL, NULL) != 0 ||
	    age_identities_each_recipient(&ids, add_recipient, &rs) != 0 ||
	    age_writer_new(&w, &rs, 0, &sink) != 0 ||
	    age_writer_write(w, data + 2, size - 2) != 0 ||
	    age_writer_finish(w) != 0)
		abort();
	p = payload_at(f.data, f.len);
	for (unsigned i = 0; i < 16; i++)
		if ((mask >> i & 1) && p + i * 65552 + 7 < f.len)
			f.data[p + i * 65552 + 7] ^= 0x20;
	fz_src_init(&s, f.data, f.len, (uint32_t)size | 1);
	if (age_reader_new_chunks(&r, &src, &ids) != 0)
		abort();
	if (salvage_scan(r, &so, &res) == 0)
		check(&res, size - 2);
	salvage_result_free(&res);
	age_reader_free(r);
	age_writer_free(w);
	cio_membuf_free(&f);
	age_recipients_free(&rs);
	age_identities_free(&ids);
	return 0;
}
