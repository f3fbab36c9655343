/*
 * tarball.c - pax tar writer into a cio_sink through libarchive (see
 * tarball.h for the format), plus what the writer and the reader
 * (tarball_read.c) share: the UTF-8 locale switch, error strings and the
 * name helpers.
 *
 * With tarball_read.c, the only files in cairn that include archive.h /
 * archive_entry.h.  Knows nothing of age, manifests, SHA256SUMS or the
 * filesystem; never prints.
 */
#include <errno.h>
#include <langinfo.h>
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
#include "tarball_impl.h"

/* Record size (format-shaping: blocking factor 20, as GNU tar/bsdtar). */
#define TB_RECORD 10240

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
int
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

locale_t
tb_enter(void)
{
	pthread_once(&tb_locale_once, tb_locale_init);
	return tb_utf8 != (locale_t)0 ? uselocale(tb_utf8) : (locale_t)0;
}

void
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
void
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
