/*
 * lend_util.h - a borrower for the tests of readers that lend their
 * buffers (test_age_held.c, test_tarball_lend.c): it keeps a digest of
 * every lent range and compares it when a release() covers the range, so
 * a reader that rewrote a lent buffer before releasing it shows as a
 * changed range.  Test-only; each program gets its own copy.
 */
#ifndef CAIRN_TEST_LEND_UTIL_H
#define CAIRN_TEST_LEND_UTIL_H

#include <stdint.h>
#include <string.h>

#include "cairn/digest.h"

#define LEND_MAX 64

struct borrower {
	struct {
		const uint8_t *p;
		size_t n;
		uint8_t md[DIGEST_SHA256_LEN];
	} l[LEND_MAX];
	int nl, changed, overflow, lent, releases;
};

/* [p, p + n) was lent: remember its digest. */
static void
borrow(struct borrower *b, const uint8_t *p, size_t n)
{
	b->lent++;
	if (b->nl == LEND_MAX) {
		b->overflow++;
		return;
	}
	b->l[b->nl].p = p;
	b->l[b->nl].n = n;
	digest_sha256(p, n, b->l[b->nl].md);
	b->nl++;
}

/* The reader gives back [p, p + len): every lent range in it must be as
 * it was lent. */
static void
borrower_release(struct borrower *b, const uint8_t *p, size_t len)
{
	b->releases++;
	for (int i = 0; i < b->nl;) {
		uint8_t md[DIGEST_SHA256_LEN];

		if (!(b->l[i].p < p + len && p < b->l[i].p + b->l[i].n)) {
			i++;
			continue;
		}
		digest_sha256(b->l[i].p, b->l[i].n, md);
		if (memcmp(md, b->l[i].md, sizeof(md)) != 0)
			b->changed++;
		b->l[i] = b->l[--b->nl];
	}
}

/* 1 when every lent range came back, unchanged, and none was missed. */
static int
borrower_clean(const struct borrower *b)
{
	return b->nl == 0 && b->changed == 0 && b->overflow == 0;
}

#endif
