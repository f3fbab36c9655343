/*
 * test_tarball_lend.c - tarball_read_block() and lending
 * (tarball_reader_lend()): the blocks are the entries' bytes, in order;
 * every block marked lent stays unchanged until a release() covers it,
 * and all are released once the reader is freed.  The borrower keeps a
 * digest of each lent block and compares it at release, so a reader that
 * refilled a lent buffer first shows as a changed block (the test fails
 * when tb_pull()'s release is removed).  Files of 0 bytes to 5 MiB, from
 * a source that fills whole 1 MiB reads and from one that trickles; and
 * without lending nothing is marked lent.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cio.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "lend_util.h"
#include "tap.h"
#include "tar_craft.h"
#include "tarball.h"

#define MiB (1024 * 1024)
static const size_t sizes[] = {0, 1, 511, 512, 70000, MiB + 5, 5 * MiB};
#define NF (sizeof(sizes) / sizeof(sizes[0]))

static void
release(void *ctx, const uint8_t *p, size_t len)
{
	borrower_release(ctx, p, len);
}

static uint8_t
byte_at(size_t i, size_t k)
{
	return (uint8_t)((i * 131 + k * 7 + (i >> 11)) & 0xff);
}

/* File k: sizes[k] bytes of byte_at(). */
static int
write_entry(struct tarball_writer *w, size_t k)
{
	static uint8_t data[5 * MiB];
	char name[32];
	int rc;

	for (size_t i = 0; i < sizes[k]; i++)
		data[i] = byte_at(i, k);
	snprintf(name, sizeof(name), "f%zu", k);
	rc = tarball_write_file_begin(w, name, sizes[k], 0644, 1);
	if (rc == 0)
		rc = tarball_write_data(w, data, sizes[k]);
	if (rc == 0)
		rc = tarball_write_file_end(w);
	return rc;
}

static int
make_tar(struct cio_membuf *m)
{
	struct cio_sink sink = {cio_membuf_write, m};

	return tar_write_entries(&sink, NF, write_entry);
}

/* Read every entry by blocks; 1 when every byte is right and, lending,
 * the borrower saw lent blocks, all released unchanged. */
static int
lend_read_all(const struct cio_membuf *m, int whole, int lend)
{
	struct choppy c = {m->data, m->len, 0, 1, 0, 0};
	struct cio_memsrc ms = {m->data, m->len, 0}; /* whole 1 MiB pulls */
	struct cio_source src = {.read = whole ? cio_memsrc_read : choppy_read,
	    .ctx = whole ? (void *)&ms : (void *)&c};
	struct borrower b = {0};
	struct tarball_reader *r;
	struct tarball_entry e;
	int ok = 1, rc;

	if (tarball_reader_new(&r, &src) != 0)
		return 0;
	if (lend && tarball_reader_lend(r, release, &b) != 0)
		ok = 0;
	for (size_t k = 0; ok && k < NF; k++) {
		const uint8_t *p;
		size_t n, got = 0;
		int lent;

		if (tarball_next(r, &e) != 0 || e.size != sizes[k])
			ok = 0;
		while (ok && (rc = tarball_read_block(r, &p, &n, &lent)) == 1) {
			for (size_t i = 0; i < n && ok; i++)
				ok = p[i] == byte_at(got + i, k);
			got += n;
			/* not lent: libarchive's own copy (a block that
			 * straddled two pulls), read now, fine */
			if (lent)
				borrow(&b, p, n);
		}
		ok = ok && rc == 0 && got == sizes[k];
	}
	ok = ok && tarball_next(r, &e) == 1;
	tarball_reader_free(r);
	if (!lend)
		return ok && b.lent == 0;
	return ok && b.lent > 0 && borrower_clean(&b) && b.releases > 0;
}

int
main(void)
{
	struct cio_membuf m = {0};

	setlocale(LC_ALL, "");
	TAP_OK(make_tar(&m) == 0, "tar of %zu files written", NF);
	TAP_OK(lend_read_all(&m, 1, 1),
	    "whole pulls, lending: bytes right, lent blocks released "
	    "unchanged");
	TAP_OK(lend_read_all(&m, 0, 1),
	    "trickling source, lending: bytes right, lent blocks released "
	    "unchanged");
	TAP_OK(
	    lend_read_all(&m, 1, 0), "without lending nothing is marked lent");
	cio_membuf_free(&m);
	return tap_done();
}
