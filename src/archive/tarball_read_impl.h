/*
 * tarball_read_impl.h - the reader's state, shared by tarball_read.c and
 * tarball_lend.c only; not public API.
 */
#ifndef CAIRN_TARBALL_READ_IMPL_H
#define CAIRN_TARBALL_READ_IMPL_H

#include <stdint.h>

#include <archive.h>

#include "cairn/cio.h"
#include "tarball.h"
#include "tarball_impl.h"
#include "tarball_scan.h"

struct tarball_reader {
	struct archive *a;
	struct archive_entry *e; /* ours: see tarball_reader_new() */
	struct tscan *scan;      /* cairn's own walk of the same bytes */
	struct cio_source src;
	int err;     /* sticky error */
	int src_err; /* the source's own error code */
	int opened, src_eof, at_end, have_entry;
	uint64_t delivered; /* bytes handed to libarchive */
	uint64_t zrun;      /* how many of them, at the end, are zero */
	uint64_t nentries;
	uint8_t *buf;         /* TARBALL_READ_BLOCK bytes, the ring's current */
	struct cio_ring ring; /* one buffer until tarball_reader_lend() */
	uint64_t data_off;    /* the current entry's data handed out */
	char path[TARBALL_PATH_MAX + 2];
	char errbuf[TB_ERRLEN];
};

/* Record the first error (reason [: "name"]); returns it. */
int tb_rfail(
    struct tarball_reader *r, int err, const char *reason, const char *name);
/* libarchive failed: the source's error, else out of memory when it says
 * so (not a damaged archive), else a damaged archive. */
int tb_rfail_archive(struct tarball_reader *r);

#endif
