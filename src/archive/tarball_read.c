/*
 * tarball_read.c - hardened pax/ustar tar reader from a cio_source through
 * libarchive, cross-checked entry by entry against cairn's own header walk
 * (tarball_scan.h); see tarball.h for every refusal.
 *
 * With tarball.c (the writer and the shared locale and error helpers,
 * tarball_impl.h) and tarball_lend.c (data blocks without a copy), the
 * only files in cairn that include archive.h / archive_entry.h.  Knows nothing of the writer's state, age, manifests,
 * SHA256SUMS or the filesystem; never prints.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "tarball.h"
#include "tarball_impl.h"
#include "tarball_read_impl.h"
#include "tarball_scan.h"

/* The end-of-archive marker: two zero blocks (format-shaping). */
#define TB_EOA_LEN 1024

/* ---- reader ------------------------------------------------------------- */

/*
 * Fill buf from the source: up to TARBALL_READ_BLOCK bytes (a whole
 * batch of the age layer's chunks, which it decrypts on two threads),
 * but no more reads once TARBALL_READ_MIN bytes are in (a pipe that
 * stalls after the manifest must not stall `list`).  Bytes read before a
 * source error are delivered first; the error comes next call.
 */
static ssize_t
tb_pull(struct tarball_reader *r)
{
	size_t got = 0;

	r->buf = cio_ring_next(&r->ring); /* once its borrower let go */
	while (r->src_err == 0 && !r->src_eof && got < TARBALL_READ_MIN) {
		ssize_t n = r->src.read(
		    r->src.ctx, r->buf + got, TARBALL_READ_BLOCK - got);

		if (n < 0)
			r->src_err = (int)n;
		else if (n == 0)
			r->src_eof = 1;
		else
			got += (size_t)n;
	}
	if (got == 0 && r->src_err != 0)
		return r->src_err;
	return (ssize_t)got;
}

static la_ssize_t
tb_read_cb(struct archive *a, void *ctx, const void **out)
{
	struct tarball_reader *r = ctx;
	ssize_t n = tb_pull(r);
	size_t i;

	*out = r->buf;
	if (n < 0) {
		archive_set_error(
		    a, EIO, "input failed: %s", cairn_strerror((int)n));
		return -1;
	}
	for (i = (size_t)n; i > 0 && r->buf[i - 1] == 0; i--)
		;
	r->zrun = i == 0 ? r->zrun + (uint64_t)n : (uint64_t)n - i;
	r->delivered += (uint64_t)n;
	/* The scanner refused a member and libarchive has returned every
	 * member before it: stop here (tarball_next() reports why). */
	if (tscan_feed(r->scan, r->buf, (size_t)n) != 0 &&
	    tscan_queued(r->scan) == 0) {
		archive_set_error(a, EINVAL, "refused by the scanner");
		return -1;
	}
	return n;
}

int
tb_rfail(
    struct tarball_reader *r, int err, const char *reason, const char *name)
{
	if (r->err == 0) {
		r->err = err;
		tb_format(r->errbuf, sizeof(r->errbuf), reason, name);
	}
	return r->err;
}

int
tb_rfail_archive(struct tarball_reader *r)
{
	return tb_rfail(r,
	    r->src_err != 0                     ? r->src_err
	        : archive_errno(r->a) == ENOMEM ? CAIRN_ERR_NOMEM
	                                        : CAIRN_ERR_PAYLOAD,
	    archive_error_string(r->a), NULL);
}

int
tarball_reader_new(struct tarball_reader **out, const struct cio_source *src)
{
	struct tarball_reader *r;
	int rc;

	*out = NULL;
	rc = tb_locale_usable();
	if (rc != 0)
		return rc;
	r = cio_calloc(1, sizeof(*r));
	if (r == NULL)
		return CAIRN_ERR_NOMEM;
	r->src = *src;
	if (cio_ring_init(&r->ring, TARBALL_READ_BLOCK) == 0)
		r->buf = r->ring.buf[0];
	r->a = archive_read_new();
	/* Our own entry for archive_read_next_header2(): archive_read_new()
	 * ignores a failure to allocate its built-in one, which
	 * archive_read_next_header() then dereferences (libarchive 3.6.2;
	 * tests/cli/oom.bats). */
	if (r->a != NULL)
		r->e = archive_entry_new2(r->a);
	/* tar only: no compression filters, no other formats. */
	if (r->buf == NULL || r->a == NULL || r->e == NULL ||
	    tscan_new(&r->scan) != 0 ||
	    archive_read_support_format_tar(r->a) != ARCHIVE_OK) {
		tarball_reader_free(r);
		return CAIRN_ERR_NOMEM;
	}
	*out = r;
	return 0;
}

/*
 * libarchive said end of archive.  It also says so when the input simply
 * stops at an entry boundary, or after a single zero block; insist on the
 * two-block marker, then on zero padding up to the end of the source.
 */
static int
tb_check_end(struct tarball_reader *r)
{
	la_int64_t hdr = archive_read_header_position(r->a);
	la_int64_t pos = archive_filter_bytes(r->a, 0);
	uint64_t trailer;

	if (hdr < 0 || pos != hdr + TB_EOA_LEN)
		return tb_rfail(r, CAIRN_ERR_PAYLOAD,
		    "truncated archive (no end-of-archive marker)", NULL);
	/* Bytes libarchive buffered but did not consume must be zero. */
	trailer = r->delivered - (uint64_t)pos;
	if (trailer > r->zrun)
		return tb_rfail(r, CAIRN_ERR_PAYLOAD,
		    "data after the end-of-archive marker", NULL);
	for (;;) {
		ssize_t n = tb_pull(r);
		ssize_t i;

		if (n < 0)
			return tb_rfail(r, (int)n, "input failed", NULL);
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			if (r->buf[i] != 0)
				return tb_rfail(r, CAIRN_ERR_PAYLOAD,
				    "data after the end-of-archive marker",
				    NULL);
		trailer += (uint64_t)n;
		if (trailer > TARBALL_MAX_TRAILER)
			return tb_rfail(r, CAIRN_ERR_PAYLOAD,
			    "too much padding after the archive", NULL);
	}
	return 0;
}

/* The scanner refused the member libarchive is at: report its reason.
 * Returns that error, or 0 when the scanner has none pending. */
static int
tb_scan_refused(struct tarball_reader *r)
{
	const char *why, *name;
	int err;

	if (tscan_queued(r->scan) != 0)
		return 0;
	err = tscan_error(r->scan, &why, &name);
	return err == 0 ? 0 : tb_rfail(r, err, why, name);
}

/* lname (libarchive's name) is what it makes of raw: the same bytes, or
 * for a pax path= record the same bytes normalised to NFC. */
static int
tb_same_name(const char *lname, const struct tscan_entry *se)
{
	const unsigned char *p;
	char *nfc = NULL;
	int same;

	if (lname == NULL)
		return 0;
	if (strcmp(lname, se->name) == 0)
		return 1;
	for (p = (const unsigned char *)se->name; *p != 0 && *p < 0x80; p++)
		;
	if (!se->pax_name || *p == 0)
		return 0;
	same = tarball_name_nfc(se->name, &nfc) == 0 && strcmp(nfc, lname) == 0;
	free(nfc);
	return same;
}

/* libarchive's entry e is the scanner's next member se: same header
 * offset, type, size and name.  0, or why not. */
static const char *
tb_disagree(struct tarball_reader *r, struct archive_entry *e,
    const struct tscan_entry *se)
{
	int dir = archive_entry_filetype(e) == AE_IFDIR;

	if (se->start != (uint64_t)archive_read_header_position(r->a))
		return "tar readers disagree about where a member starts";
	if (se->dir != dir || (archive_entry_filetype(e) != AE_IFREG && !dir))
		return "tar readers disagree about a member's type";
	if (!dir &&
	    (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0 ||
	        (uint64_t)archive_entry_size(e) != se->size))
		return "tar readers disagree about a member's size";
	if (!tb_same_name(archive_entry_pathname(e), se))
		return "tar readers disagree about a member's name";
	return NULL;
}

/* Vet one entry and describe it in *out; the name is the scanner's raw
 * bytes (libarchive normalises pax names). */
static int
tb_check_entry(struct tarball_reader *r, struct archive_entry *e,
    struct tarball_entry *out)
{
	struct tscan_entry se;
	const char *why = NULL;
	const char *name = archive_entry_pathname(e);
	enum tarball_type type = TARBALL_FILE;
	size_t len;
	int rc;

	if (archive_entry_hardlink(e) != NULL)
		return tb_rfail(r, CAIRN_ERR_UNSAFE, "hard link", name);
	switch (archive_entry_filetype(e)) {
	case AE_IFREG: type = TARBALL_FILE; break;
	case AE_IFDIR: type = TARBALL_DIR; break;
	case AE_IFLNK: why = "symbolic link"; break;
	case AE_IFCHR: why = "character device"; break;
	case AE_IFBLK: why = "block device"; break;
	case AE_IFIFO: why = "FIFO"; break;
	case AE_IFSOCK: why = "socket"; break;
	default: why = "unsupported entry type"; break;
	}
	if (why == NULL && archive_entry_symlink(e) != NULL)
		why = "symbolic link";
	if (why == NULL && archive_entry_sparse_count(e) > 0)
		why = "sparse file";
	if (why != NULL)
		return tb_rfail(r, CAIRN_ERR_UNSAFE, why, name);
	if ((rc = tb_scan_refused(r)) != 0)
		return rc;
	if (tscan_pop(r->scan, &se) != 0)
		return tb_rfail(r, CAIRN_ERR_UNSAFE,
		    "tar readers disagree about the members", name);
	why = tb_disagree(r, e, &se);
	len = strlen(se.name);
	if (why == NULL && len > TARBALL_PATH_MAX + 1)
		why = "name too long";
	if (why != NULL) {
		rc = tb_rfail(r, CAIRN_ERR_UNSAFE, why, se.name);
		free(se.name);
		return rc;
	}
	memcpy(r->path, se.name, len + 1);
	free(se.name);
	if (type == TARBALL_DIR && len > 1 && r->path[len - 1] == '/')
		r->path[len - 1] = '\0';
	if (tarball_path_syntax(r->path, &why) != 0)
		return tb_rfail(r, CAIRN_ERR_UNSAFE, why, r->path);

	out->path = r->path;
	out->type = type;
	out->size = type == TARBALL_FILE ? (uint64_t)archive_entry_size(e) : 0;
	out->mode = (unsigned int)archive_entry_perm(e) & 0777;
	out->mtime = (int64_t)archive_entry_mtime(e);
	return 0;
}

int
tarball_next(struct tarball_reader *r, struct tarball_entry *out)
{
	struct archive_entry *e;
	locale_t old;
	int rc;

	if (r->err != 0)
		return r->err;
	if (r->at_end)
		return 1;
	r->have_entry = 0;
	r->data_off = 0;
	old = tb_enter();
	if (!r->opened) {
		r->opened = 1;
		/* Not archive_read_open(): it ignores a failed allocation
		 * in archive_read_set_callback_data() and then dereferences
		 * NULL (libarchive 3.6.2; tests/cli/oom.bats). */
		if (archive_read_set_read_callback(r->a, tb_read_cb) !=
		        ARCHIVE_OK ||
		    archive_read_set_callback_data(r->a, r) != ARCHIVE_OK) {
			rc = tb_rfail(r, CAIRN_ERR_NOMEM, NULL, NULL);
			goto out;
		}
		if (archive_read_open1(r->a) != ARCHIVE_OK) {
			/* It fails without a word when an allocation
			 * fails: that is not a verdict on the input. */
			int silent = archive_errno(r->a) == 0 &&
			    archive_error_string(r->a) == NULL;

			/* a damaged first header stays "not a tar" */
			if (tscan_error(r->scan, NULL, NULL) !=
			        CAIRN_ERR_PAYLOAD &&
			    tb_scan_refused(r) != 0)
				rc = r->err;
			else if (r->src_err != 0 ||
			    archive_errno(r->a) == ENOMEM)
				rc = tb_rfail_archive(r);
			else if (silent)
				rc = tb_rfail(r, CAIRN_ERR_NOMEM, NULL, NULL);
			else
				rc = tb_rfail(r, CAIRN_ERR_PAYLOAD,
				    "not a tar archive", NULL);
			goto out;
		}
	}
	e = r->e;
	rc = archive_read_next_header2(r->a, e);
	if (rc != ARCHIVE_OK && tb_scan_refused(r) != 0) {
		rc = r->err;
		goto out;
	}
	if (rc == ARCHIVE_EOF) {
		rc = tb_check_end(r);
		if (rc == 0 &&
		    (!tscan_ended(r->scan) || tscan_queued(r->scan) != 0))
			rc = tb_rfail(r, CAIRN_ERR_UNSAFE,
			    "tar readers disagree about where the archive ends",
			    NULL);
		if (rc == 0) {
			r->at_end = 1;
			rc = 1;
		}
		goto out;
	}
	if (rc == ARCHIVE_WARN && r->src_err == 0) {
		char msg[TB_ERRLEN];

		snprintf(msg, sizeof(msg), "suspicious entry: %s",
		    archive_error_string(r->a));
		rc = tb_rfail(
		    r, CAIRN_ERR_UNSAFE, msg, archive_entry_pathname(e));
		goto out;
	}
	if (rc != ARCHIVE_OK) {
		rc = tb_rfail_archive(r);
		goto out;
	}
	if (++r->nentries > TARBALL_MAX_ENTRIES) {
		rc = tb_rfail(r, CAIRN_ERR_LIMIT, "too many entries", NULL);
		goto out;
	}
	rc = tb_check_entry(r, e, out);
	if (rc == 0)
		r->have_entry = 1;
out:
	tb_leave(old);
	return rc;
}

ssize_t
tarball_read_data(struct tarball_reader *r, uint8_t *buf, size_t len)
{
	la_ssize_t n;

	if (r->err != 0)
		return r->err;
	if (!r->have_entry)
		return 0;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	n = archive_read_data(r->a, buf, len);
	if (n < 0)
		return tb_rfail_archive(r);
	return n;
}

const char *
tarball_reader_error(const struct tarball_reader *r)
{
	return r->errbuf;
}

void
tarball_reader_free(struct tarball_reader *r)
{
	if (r == NULL)
		return;
	if (r->a != NULL)
		archive_read_free(r->a);
	if (r->e != NULL)
		archive_entry_free(r->e);
	tscan_free(r->scan);
	cio_ring_free(&r->ring);
	free(r);
}
