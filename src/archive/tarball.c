/*
 * tarball.c - pax tar writer into a cio_sink and hardened tar reader from
 * a cio_source, both through libarchive (see tarball.h for the format and
 * every refusal).
 *
 * The only file in cairn that includes archive.h / archive_entry.h.
 * Knows nothing of age, manifests, SHA256SUMS or the filesystem; never
 * prints.
 */
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "tarball.h"
#include "tarball_scan.h"

/* Record size (format-shaping: blocking factor 20, as GNU tar/bsdtar). */
#define TB_RECORD 10240
/* The end-of-archive marker: two zero blocks (format-shaping). */
#define TB_EOA_LEN 1024
#define TB_ERRLEN  320

/* ---- locale ------------------------------------------------------------- */

/*
 * libarchive converts names between the archive's charset and the current
 * locale's (nl_langinfo(CODESET)).  Run every name-handling libarchive
 * call under a thread-local UTF-8 locale so names pass byte-exact whatever
 * LANG says.  The locale object is created once and kept for the process.
 */
static pthread_once_t tb_locale_once = PTHREAD_ONCE_INIT;
static locale_t tb_utf8;

static void
tb_locale_init(void)
{
	tb_utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (tb_utf8 == (locale_t)0)
		tb_utf8 = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
}

/* 0 when names can be handled as UTF-8, else CAIRN_ERR_UNSUPPORTED. */
static int
tb_locale_usable(void)
{
	const char *cs;

	pthread_once(&tb_locale_once, tb_locale_init);
	if (tb_utf8 != (locale_t)0)
		return 0;
	cs = nl_langinfo(CODESET);
	return cs != NULL && strcmp(cs, "UTF-8") == 0 ? 0
	                                              : CAIRN_ERR_UNSUPPORTED;
}

static locale_t
tb_enter(void)
{
	pthread_once(&tb_locale_once, tb_locale_init);
	return tb_utf8 != (locale_t)0 ? uselocale(tb_utf8) : (locale_t)0;
}

static void
tb_leave(locale_t old)
{
	if (old != (locale_t)0)
		uselocale(old);
}

/* ---- error strings ------------------------------------------------------ */

/* Append s to buf (cap bytes); with esc, control characters, non-ASCII
 * bytes and backslashes become \xHH. */
static void
tb_append(char *buf, size_t cap, const char *s, int esc)
{
	size_t len = strlen(buf);

	for (; s != NULL && *s != '\0' && len + 5 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && (c != '\\' || !esc))
			buf[len++] = (char)c;
		else
			len += (size_t)snprintf(
			    buf + len, cap - len, "\\x%02x", c);
	}
	buf[len] = '\0';
}

/* buf = reason [: "name"], with no control characters left. */
static void
tb_format(char *buf, size_t cap, const char *reason, const char *name)
{
	buf[0] = '\0';
	tb_append(buf, cap, reason, 0);
	if (name != NULL) {
		tb_append(buf, cap, ": \"", 0);
		tb_append(buf, cap, name, 1);
		tb_append(buf, cap, "\"", 0);
	}
}

/* ---- names -------------------------------------------------------------- */

int
tarball_path_check(const char *path, const char **why)
{
	/* Names are written byte for byte, whatever their Unicode
	 * normalisation: the reader takes pax names raw (tarball_scan.c). */
	return tarball_path_syntax(path, why);
}

int
tarball_name_nfc(const char *name, char **out)
{
	struct archive_entry *e;
	const char *back;
	locale_t old;
	int rc = CAIRN_ERR_NOMEM;

	*out = NULL;
	if (tb_locale_usable() != 0)
		return CAIRN_ERR_UNSUPPORTED;
	/*
	 * libarchive's tar reader passes pax UTF-8 names through its NFC
	 * normaliser; the same conversion runs here when the UTF-8 form is
	 * turned into the (UTF-8) locale form.
	 */
	old = tb_enter();
	if ((e = archive_entry_new()) != NULL) {
		archive_entry_set_pathname_utf8(e, name);
		back = archive_entry_pathname(e);
		rc = back == NULL ? CAIRN_ERR_INVAL : 0;
		if (rc == 0 && (*out = cio_strdup(back)) == NULL)
			rc = CAIRN_ERR_NOMEM;
		archive_entry_free(e);
	}
	tb_leave(old);
	return rc;
}

/* ---- writer ------------------------------------------------------------- */

struct tarball_writer {
	struct archive *a;
	struct archive_entry *e;
	struct cio_sink sink;
	int err;         /* sticky error */
	int sink_err;    /* the sink's own error code */
	int saved_errno; /* errno of the failure, saved when it happened */
	int discard;     /* freeing: swallow libarchive's trailer */
	int in_file, finished;
	uint64_t size, written, nentries;
	char errbuf[TB_ERRLEN];
};

static la_ssize_t
tb_write_cb(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct tarball_writer *w = ctx;
	int rc;

	if (w->discard)
		return (la_ssize_t)len;
	rc = w->sink.write(w->sink.ctx, buf, len);
	if (rc < 0) {
		w->sink_err = rc;
		w->saved_errno = rc == CAIRN_ERR_IO ? errno : 0;
		archive_set_error(a, EIO, "output failed: %s",
		    w->saved_errno != 0 ? strerror(w->saved_errno)
		                        : cairn_strerror(rc));
		return -1;
	}
	return (la_ssize_t)len;
}

/* Record a sticky error; the first one wins. */
static int
tb_wfail(
    struct tarball_writer *w, int err, const char *reason, const char *name)
{
	if (w->err == 0) {
		w->err = err;
		tb_format(w->errbuf, sizeof(w->errbuf), reason, name);
	}
	return w->err;
}

/* A libarchive call failed: the sink's error, or libarchive's own. */
static int
tb_wfail_archive(struct tarball_writer *w)
{
	int err = w->sink_err;

	if (err == 0) {
		err = archive_errno(w->a) == ENOMEM ? CAIRN_ERR_NOMEM
		                                    : CAIRN_ERR_IO;
		if (w->err == 0)
			w->saved_errno = archive_errno(w->a);
	}
	return tb_wfail(w, err, archive_error_string(w->a), NULL);
}

/* A refusal that wrote nothing: reported, but not sticky. */
static int
tb_wrefuse(
    struct tarball_writer *w, int err, const char *reason, const char *name)
{
	tb_format(w->errbuf, sizeof(w->errbuf), reason, name);
	return err;
}

int
tarball_writer_new(struct tarball_writer **out, const struct cio_sink *sink)
{
	struct tarball_writer *w;
	locale_t old;
	int rc;

	*out = NULL;
	rc = tb_locale_usable();
	if (rc != 0)
		return rc;
	w = cio_calloc(1, sizeof(*w));
	if (w == NULL)
		return CAIRN_ERR_NOMEM;
	w->sink = *sink;
	old = tb_enter();
	w->a = archive_write_new();
	w->e = archive_entry_new();
	rc = CAIRN_ERR_NOMEM;
	if (w->a == NULL || w->e == NULL)
		goto out;
	/*
	 * pax_restricted: ustar headers, pax extended headers only where
	 * ustar cannot hold a field.  ("pax" would add SCHILY/LIBARCHIVE
	 * records for xattrs, ACLs and fflags; we set none, but restricted
	 * guarantees none appear.)
	 */
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(w->a, TB_RECORD) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->a, 0) != ARCHIVE_OK ||
	    archive_write_open(w->a, w, NULL, tb_write_cb, NULL) != ARCHIVE_OK)
		goto out;
	rc = 0;
out:
	tb_leave(old);
	if (rc != 0)
		tarball_writer_free(w);
	else
		*out = w;
	return rc;
}

static int
tb_write_header(struct tarball_writer *w, const char *path, int dir,
    uint64_t size, unsigned int mode, int64_t mtime)
{
	const char *why = NULL;
	locale_t old;
	int rc;

	if (w->err != 0)
		return w->err;
	if (w->in_file || w->finished)
		return tb_wrefuse(w, CAIRN_ERR_INVAL,
		    w->finished ? "archive already finished"
		                : "previous file not ended",
		    path);
	rc = tarball_path_check(path, &why);
	if (rc == CAIRN_ERR_NOMEM)
		return tb_wrefuse(w, rc, why, NULL);
	if (rc != 0)
		return tb_wrefuse(w, CAIRN_ERR_UNSUPPORTED, why, path);
	if (w->nentries >= TARBALL_MAX_ENTRIES)
		return tb_wrefuse(w, CAIRN_ERR_LIMIT, "too many entries", path);
	if (size > INT64_MAX)
		return tb_wrefuse(w, CAIRN_ERR_INVAL, "file too large", path);

	old = tb_enter();
	archive_entry_clear(w->e);
	archive_entry_set_pathname(w->e, path);
	archive_entry_set_filetype(w->e, dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(w->e, (mode_t)(mode & 0777));
	archive_entry_set_size(w->e, (la_int64_t)size);
	archive_entry_set_mtime(w->e, (time_t)mtime, 0);
	rc = archive_write_header(w->a, w->e);
	tb_leave(old);
	if (rc != ARCHIVE_OK)
		return tb_wfail_archive(w);
	w->nentries++;
	return 0;
}

int
tarball_write_dir(struct tarball_writer *w, const char *path, unsigned int mode,
    int64_t mtime)
{
	return tb_write_header(w, path, 1, 0, mode, mtime);
}

int
tarball_write_file_begin(struct tarball_writer *w, const char *path,
    uint64_t size, unsigned int mode, int64_t mtime)
{
	int rc = tb_write_header(w, path, 0, size, mode, mtime);

	if (rc == 0) {
		w->in_file = 1;
		w->size = size;
		w->written = 0;
	}
	return rc;
}

int
tarball_write_data(struct tarball_writer *w, const uint8_t *buf, size_t len)
{
	if (w->err != 0)
		return w->err;
	if (!w->in_file)
		return tb_wrefuse(w, CAIRN_ERR_INVAL, "no file open", NULL);
	if (len > w->size - w->written)
		return tb_wfail(w, CAIRN_ERR_CHANGED,
		    "more data than the announced size", NULL);
	while (len > 0) {
		size_t n = len > (size_t)1 << 30 ? (size_t)1 << 30 : len;
		la_ssize_t r = archive_write_data(w->a, buf, n);

		if (r <= 0)
			return tb_wfail_archive(w);
		buf += r;
		len -= (size_t)r;
		w->written += (uint64_t)r;
	}
	return 0;
}

int
tarball_write_file_end(struct tarball_writer *w)
{
	if (w->err != 0)
		return w->err;
	if (!w->in_file)
		return tb_wrefuse(w, CAIRN_ERR_INVAL, "no file open", NULL);
	w->in_file = 0;
	if (w->written != w->size)
		return tb_wfail(w, CAIRN_ERR_CHANGED,
		    "less data than the announced size", NULL);
	/* libarchive pads the entry when the next header or close comes. */
	return 0;
}

int
tarball_writer_finish(struct tarball_writer *w)
{
	if (w->err != 0)
		return w->err;
	if (w->in_file)
		return tb_wrefuse(
		    w, CAIRN_ERR_INVAL, "a file is still open", NULL);
	if (w->finished)
		return 0;
	if (archive_write_close(w->a) != ARCHIVE_OK)
		return tb_wfail_archive(w);
	w->finished = 1;
	return 0;
}

const char *
tarball_writer_error(const struct tarball_writer *w)
{
	return w->errbuf;
}

int
tarball_writer_errno(const struct tarball_writer *w)
{
	return w->saved_errno;
}

void
tarball_writer_free(struct tarball_writer *w)
{
	if (w == NULL)
		return;
	w->discard = 1; /* an unfinished stream stays unfinished */
	if (w->a != NULL)
		archive_write_free(w->a);
	if (w->e != NULL)
		archive_entry_free(w->e);
	free(w);
}

/* ---- reader ------------------------------------------------------------- */

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
	uint8_t *buf; /* TARBALL_READ_BLOCK bytes */
	char path[TARBALL_PATH_MAX + 2];
	char errbuf[TB_ERRLEN];
};

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

static int
tb_rfail(
    struct tarball_reader *r, int err, const char *reason, const char *name)
{
	if (r->err == 0) {
		r->err = err;
		tb_format(r->errbuf, sizeof(r->errbuf), reason, name);
	}
	return r->err;
}

/* libarchive failed: the source's error, else out of memory when it says
 * so (not a damaged archive), else a damaged archive. */
static int
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
	r->buf = cio_malloc(TARBALL_READ_BLOCK);
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
	free(r->buf);
	free(r);
}
