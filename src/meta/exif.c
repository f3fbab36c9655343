/*
 * exif.c - meta_exif_read(): find a JPEG's EXIF block and read the
 * fields of meta.h from it with libexif.
 *
 * The only file in cairn that includes libexif.  Finding the block is
 * walking the JPEG's marker segments (SOI, then length-prefixed segments
 * up to the first APP1 holding "Exif\0\0"); the block itself (TIFF
 * header, IFDs, entries) is parsed by libexif only.  libexif runs with:
 *   - cairn's allocator, so that a failed allocation is seen (its result
 *     would be missing entries) and fault injection reaches it;
 *   - "follow the specification" off: with it on, libexif adds the
 *     mandatory entries a block lacks, with made-up values (a DateTime
 *     of now), which must never pass for what the camera wrote;
 *   - a log that notes corrupt data (the block is then "damaged").
 * Every entry's format, count and size are checked before its bytes are
 * read.  Knows nothing of files, manifests or archives.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libexif/exif-data.h>
#include <libexif/exif-log.h>
#include <libexif/exif-mem.h>
#include <libexif/exif-utils.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/meta.h"
#include "exif_impl.h"

#define JPEG_SOI  0xd8
#define JPEG_EOI  0xd9
#define JPEG_SOS  0xda
#define JPEG_APP1 0xe1

/* An allocation by libexif failed (libexif does not always say so). */
static _Thread_local int exif_oom;

static void *
mem_alloc(ExifLong n)
{
	void *p = cio_calloc(n ? n : 1, 1);

	exif_oom |= p == NULL;
	return p;
}

static void *
mem_realloc(void *p, ExifLong n)
{
	void *q = cio_realloc(p, n ? n : 1);

	exif_oom |= q == NULL;
	return q;
}

static void
mem_free(void *p)
{
	free(p);
}

struct log_state {
	int corrupt, nomem;
};

static void
log_cb(ExifLog *log, ExifLogCode code, const char *domain, const char *fmt,
    va_list ap, void *data)
{
	struct log_state *st = data;

	(void)log, (void)domain, (void)fmt, (void)ap;
	if (code == EXIF_LOG_CODE_CORRUPT_DATA)
		st->corrupt = 1;
	else if (code == EXIF_LOG_CODE_NO_MEMORY)
		st->nomem = 1;
}

/*
 * The EXIF block of a JPEG: 1 with [*seg, *seg + *seglen) the APP1
 * payload (from "Exif\0\0"), 0 when there is none, -1 when the segment
 * holding it runs past the end of buf.
 */
static int
find_block(const uint8_t *b, size_t len, const uint8_t **seg, size_t *seglen)
{
	size_t i = 2, l;

	if (len < 4 || b[0] != 0xff || b[1] != JPEG_SOI)
		return 0;
	for (;;) {
		if (i >= len || b[i] != 0xff)
			return 0;
		while (i < len && b[i] == 0xff)
			i++; /* fill bytes */
		if (i >= len)
			return 0;
		if (b[i] == JPEG_SOS || b[i] == JPEG_EOI || b[i] == JPEG_SOI)
			return 0; /* no EXIF before the image data */
		if ((b[i] >= 0xd0 && b[i] <= 0xd7) || b[i] == 0x01) {
			i++; /* markers without a length */
			continue;
		}
		if (len - i < 3)
			return 0;
		l = (size_t)b[i + 1] << 8 | b[i + 2];
		if (l < 2)
			return 0;
		if (b[i] == JPEG_APP1 && l >= 8 && len - i >= 9 &&
		    memcmp(b + i + 3, "Exif\0\0", 6) == 0) {
			if (len - i - 1 < l)
				return -1;
			*seg = b + i + 3;
			*seglen = l - 2;
			return 1;
		}
		if (len - i - 1 < l)
			return 0;
		i += 1 + l;
	}
}

static ExifEntry *
get(ExifData *d, ExifIfd ifd, ExifTag tag)
{
	return d->ifd[ifd] != NULL ? exif_content_get_entry(d->ifd[ifd], tag)
	                           : NULL;
}

/* An ASCII entry's bytes: 1 with *s, *len; 0 when absent or not ASCII. */
static int
ascii(ExifData *d, ExifIfd ifd, ExifTag tag, const char **s, size_t *len)
{
	ExifEntry *e = get(d, ifd, tag);

	if (e == NULL || e->format != EXIF_FORMAT_ASCII || e->data == NULL ||
	    e->size == 0)
		return 0;
	*s = (const char *)e->data;
	*len = e->size;
	return 1;
}

/* Three unsigned rationals; 0 when absent or of another shape. */
static int
rationals(
    ExifData *d, ExifIfd ifd, ExifTag tag, uint32_t num[3], uint32_t den[3])
{
	ExifEntry *e = get(d, ifd, tag);
	ExifByteOrder o = exif_data_get_byte_order(d);

	if (e == NULL || e->format != EXIF_FORMAT_RATIONAL || e->data == NULL ||
	    e->components < 3 || e->size < 24)
		return 0;
	for (int i = 0; i < 3; i++) {
		ExifRational r = exif_get_rational(e->data + 8 * i, o);

		num[i] = r.numerator;
		den[i] = r.denominator;
	}
	return 1;
}

/* One coordinate: value tag, and a reference tag whose first letter is
 * pos or neg. */
static int
coord(ExifData *d, ExifTag val, ExifTag ref, char pos, char neg, double max,
    char *out, size_t cap)
{
	uint32_t num[3], den[3];
	const char *r;
	size_t rlen;

	out[0] = '\0';
	if (!rationals(d, EXIF_IFD_GPS, val, num, den) ||
	    !ascii(d, EXIF_IFD_GPS, ref, &r, &rlen) ||
	    (r[0] != pos && r[0] != neg))
		return 0;
	return exif_fmt_coord(num, den, r[0] == neg, max, out, cap);
}

static unsigned int
entries(ExifData *d)
{
	unsigned int n = 0;

	for (int i = 0; i < EXIF_IFD_COUNT; i++)
		n += d->ifd[i] != NULL ? d->ifd[i]->count : 0;
	return n;
}

static void
fields(ExifData *d, struct meta_exif *out)
{
	uint32_t num[3], den[3];
	const char *s;
	size_t len;

	if (ascii(d, EXIF_IFD_0, EXIF_TAG_MAKE, &s, &len))
		exif_fmt_text(s, len, out->make);
	if (ascii(d, EXIF_IFD_0, EXIF_TAG_MODEL, &s, &len))
		exif_fmt_text(s, len, out->model);
	if (ascii(d, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL, &s, &len))
		exif_fmt_datetime(s, len, out->taken_at);
	if (ascii(d, EXIF_IFD_EXIF, EXIF_TAG_OFFSET_TIME_ORIGINAL, &s, &len))
		exif_fmt_offset(s, len, out->taken_offset);
	if (!coord(d, EXIF_TAG_GPS_LATITUDE, EXIF_TAG_GPS_LATITUDE_REF, 'N',
	        'S', 90, out->gps_latitude, sizeof out->gps_latitude) ||
	    !coord(d, EXIF_TAG_GPS_LONGITUDE, EXIF_TAG_GPS_LONGITUDE_REF, 'E',
	        'W', 180, out->gps_longitude, sizeof out->gps_longitude)) {
		memset(out->gps_latitude, 0, sizeof out->gps_latitude);
		memset(out->gps_longitude, 0, sizeof out->gps_longitude);
	}
	if (ascii(d, EXIF_IFD_GPS, EXIF_TAG_GPS_DATE_STAMP, &s, &len) &&
	    rationals(d, EXIF_IFD_GPS, EXIF_TAG_GPS_TIME_STAMP, num, den))
		exif_fmt_gps_time(s, len, num, den, out->gps_time);
}

int
meta_exif_read(const uint8_t *buf, size_t len, struct meta_exif *out)
{
	struct log_state st = {0, 0};
	const uint8_t *seg = NULL;
	size_t seglen = 0;
	ExifMem *mem = NULL;
	ExifLog *log = NULL;
	ExifData *d = NULL;
	int found, rc = CAIRN_ERR_NOMEM;

	memset(out, 0, sizeof *out);
	if ((found = find_block(buf, len, &seg, &seglen)) == 0)
		return 0;
	out->status = META_EXIF_DAMAGED;
	if (found < 0)
		return 0; /* cut short: nothing to read */
	exif_oom = 0;
	if ((mem = exif_mem_new(mem_alloc, mem_realloc, mem_free)) == NULL ||
	    (log = exif_log_new_mem(mem)) == NULL ||
	    (d = exif_data_new_mem(mem)) == NULL || exif_oom)
		goto out;
	exif_log_set_func(log, log_cb, &st);
	exif_data_unset_option(d, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_log(d, log);
	exif_data_load_data(d, seg, (unsigned int)seglen);
	if (exif_oom || st.nomem)
		goto out;
	fields(d, out);
	/* libexif gives up silently on some broken headers: a block from
	 * which no entry at all was read is damaged too */
	if (!st.corrupt && entries(d) > 0)
		out->status = META_EXIF_OK;
	rc = 0;
out:
	if (d != NULL)
		exif_data_unref(d);
	if (log != NULL)
		exif_log_unref(log);
	if (mem != NULL)
		exif_mem_unref(mem);
	if (rc != 0)
		memset(out, 0, sizeof *out);
	return rc;
}
