/*
 * exif_fields.c - the rules of the EXIF fields cairn records (meta.h),
 * and the conversions from EXIF's forms to them: "YYYY:MM:DD HH:MM:SS"
 * to "YYYY-MM-DDTHH:MM:SS", degrees/minutes/seconds to decimal degrees,
 * camera names to printable ASCII.
 *
 * Knows nothing of libexif (exif.c feeds it plain values), files or
 * manifests.  A conversion that fails leaves its whole output buffer
 * zeroed, so that equal results are equal bytes.
 */
#include <stdio.h>
#include <string.h>

#include "cairn/meta.h"
#include "exif_impl.h"

static int
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* 1 when y-m-d is a real date, years 1..9999. */
static int
calendar_ok(int y, int m, int d)
{
	static const int mdays[12] = {
	    31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return m != 2 || d <= 28 + leap;
}

/* s is "YYYY?MM?DD?HH?MM?SS" with the separators given (sep[5]). */
static int
datetime_ok(const char *s, const char *sep)
{
	static const size_t at[5] = {4, 7, 10, 13, 16};

	for (int i = 0; i < 5; i++)
		if (s[at[i]] != sep[i])
			return 0;
	if (!digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2) ||
	    !digits(s + 11, 2) || !digits(s + 14, 2) || !digits(s + 17, 2))
		return 0;
	return calendar_ok(num(s, 4), num(s + 5, 2), num(s + 8, 2)) &&
	    num(s + 11, 2) < 24 && num(s + 14, 2) < 60 && num(s + 17, 2) < 60;
}

int
exif_fmt_datetime(const char *s, size_t len, char out[20])
{
	out[0] = '\0';
	if (len < 19 || !datetime_ok(s, ":: ::"))
		return 0;
	memcpy(out, s, 19);
	out[4] = out[7] = '-';
	out[10] = 'T';
	out[19] = '\0';
	return 1;
}

int
exif_fmt_offset(const char *s, size_t len, char out[7])
{
	out[0] = '\0';
	if (len < 6 || (s[0] != '+' && s[0] != '-') || !digits(s + 1, 2) ||
	    s[3] != ':' || !digits(s + 4, 2) || num(s + 1, 2) > 23 ||
	    num(s + 4, 2) > 59)
		return 0;
	memcpy(out, s, 6);
	out[6] = '\0';
	return 1;
}

void
exif_fmt_text(const char *s, size_t len, char out[META_TEXT_MAX + 1])
{
	size_t n = 0;

	for (size_t i = 0; i < len && s[i] != '\0' && n < META_TEXT_MAX; i++)
		out[n++] = s[i] >= 0x20 && s[i] <= 0x7e ? s[i] : '?';
	while (n > 0 && out[n - 1] == ' ')
		n--;
	memset(out + n, 0, META_TEXT_MAX + 1 - n);
}

int
exif_fmt_coord(const uint32_t num3[3], const uint32_t den3[3], int negative,
    double max, char *out, size_t cap)
{
	double v = 0, scale = 1;

	out[0] = '\0';
	for (int i = 0; i < 3; i++) {
		if (den3[i] == 0)
			return 0;
		v += (double)num3[i] / den3[i] / scale;
		scale *= 60;
	}
	if (!(v <= max))
		return 0;
	snprintf(out, cap, "%s%.7f", negative && v != 0 ? "-" : "", v);
	/* rounding can reach the limit from below ("90.0000000"), never
	 * pass it; and the result must be what meta_exif_check accepts */
	if (exif_coord_ok(out, max))
		return 1;
	memset(out, 0, cap);
	return 0;
}

int
exif_fmt_gps_time(const char *date, size_t len, const uint32_t num3[3],
    const uint32_t den3[3], char out[21])
{
	uint32_t v[3];

	out[0] = '\0';
	if (len < 10 || date[4] != ':' || date[7] != ':')
		return 0;
	for (int i = 0; i < 3; i++) {
		if (den3[i] == 0)
			return 0;
		v[i] = num3[i] / den3[i];
	}
	if (v[0] > 23 || v[1] > 59 || v[2] > 59)
		return 0;
	snprintf(out, 21, "%.4s-%.2s-%.2sT%02u:%02u:%02uZ", date, date + 5,
	    date + 8, (unsigned)v[0], (unsigned)v[1], (unsigned)v[2]);
	if (!datetime_ok(out, "--T::")) {
		memset(out, 0, 21);
		return 0;
	}
	return 1;
}

int
exif_coord_ok(const char *s, double max)
{
	size_t len = strlen(s), i = s[0] == '-', d = 0;
	double v;

	while (i + d < len && s[i + d] >= '0' && s[i + d] <= '9')
		d++;
	if (d == 0 || d > 3 || (d > 1 && s[i] == '0') || i + d + 8 != len ||
	    s[i + d] != '.' || !digits(s + i + d + 1, 7))
		return 0;
	if (sscanf(s + i, "%lf", &v) != 1)
		return 0;
	return v <= max;
}

static int
text_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > META_TEXT_MAX || s[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return 1;
}

/* 1 when field (of size cap) is NUL-terminated within it. */
static int
terminated(const char *field, size_t cap)
{
	return memchr(field, '\0', cap) != NULL;
}

int
meta_exif_check(const struct meta_exif *e)
{
	char tmp[7];

	if (e->status != META_EXIF_OK && e->status != META_EXIF_DAMAGED)
		return 0;
	if (!terminated(e->taken_at, sizeof e->taken_at) ||
	    !terminated(e->taken_offset, sizeof e->taken_offset) ||
	    !terminated(e->make, sizeof e->make) ||
	    !terminated(e->model, sizeof e->model) ||
	    !terminated(e->gps_latitude, sizeof e->gps_latitude) ||
	    !terminated(e->gps_longitude, sizeof e->gps_longitude) ||
	    !terminated(e->gps_time, sizeof e->gps_time))
		return 0;
	if (e->taken_at[0] != '\0' &&
	    (strlen(e->taken_at) != 19 || !datetime_ok(e->taken_at, "--T::")))
		return 0;
	if (e->taken_offset[0] != '\0' &&
	    (strlen(e->taken_offset) != 6 ||
	        !exif_fmt_offset(e->taken_offset, 6, tmp)))
		return 0;
	if ((e->make[0] != '\0' && !text_ok(e->make)) ||
	    (e->model[0] != '\0' && !text_ok(e->model)))
		return 0;
	if ((e->gps_latitude[0] == '\0') != (e->gps_longitude[0] == '\0'))
		return 0;
	if (e->gps_latitude[0] != '\0' &&
	    (!exif_coord_ok(e->gps_latitude, 90) ||
	        !exif_coord_ok(e->gps_longitude, 180)))
		return 0;
	return e->gps_time[0] == '\0' ||
	    (strlen(e->gps_time) == 20 && e->gps_time[19] == 'Z' &&
	        datetime_ok(e->gps_time, "--T::"));
}

int
meta_exif_has_gps(const struct meta_exif *e)
{
	return e != NULL && e->gps_latitude[0] != '\0';
}
