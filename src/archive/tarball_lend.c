/*
 * tarball_lend.c - a tar entry's data without a copy: blocks straight
 * from libarchive (tarball_read_block()), and lending them to another
 * thread (tarball_reader_lend(): the reader then fills a ring of buffers
 * and releases each before it refills it).  See tarball.h.  Knows the
 * reader's state (tarball_read_impl.h), nothing of what the blocks are
 * for.
 */
#include <stdint.h>
#include <stdlib.h>

#include <archive.h>

#include "cairn/err.h"
#include "tarball_read_impl.h"

int
tarball_reader_lend(struct tarball_reader *r,
    void (*release)(void *ctx, const uint8_t *p, size_t len), void *ctx)
{
	return cio_ring_lend(&r->ring, TARBALL_LEND_RING, release, ctx);
}

int
tarball_read_block(
    struct tarball_reader *r, const uint8_t **p, size_t *n, int *lent)
{
	const void *b = NULL;
	size_t len = 0;
	la_int64_t off = 0;
	int rc;

	*p = NULL;
	*n = 0;
	*lent = 0;
	if (r->err != 0)
		return r->err;
	if (!r->have_entry)
		return 0;
	do
		rc = archive_read_data_block(r->a, &b, &len, &off);
	while (rc == ARCHIVE_OK && len == 0);
	if (rc == ARCHIVE_EOF)
		return 0;
	if (rc != ARCHIVE_OK)
		return tb_rfail_archive(r);
	/* Sparse entries are refused at their header: the data is one run. */
	if (off < 0 || (uint64_t)off != r->data_off)
		return tb_rfail(
		    r, CAIRN_ERR_PAYLOAD, "data out of order", r->path);
	r->data_off += len;
	*p = b;
	*n = len;
	*lent = cio_ring_holds(&r->ring, *p, len);
	return 1;
}
