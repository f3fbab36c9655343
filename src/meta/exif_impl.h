/*
 * exif_impl.h - conversions shared by exif.c (libexif) and
 * exif_fields.c (the field rules); not public API.  Each writes a
 * NUL-terminated field of meta.h's form, "" when the input is unusable,
 * and returns 1 when it wrote a value.
 */
#ifndef CAIRN_EXIF_IMPL_H
#define CAIRN_EXIF_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/meta.h"

/* "YYYY:MM:DD HH:MM:SS" (EXIF DateTime) -> "YYYY-MM-DDTHH:MM:SS". */
int exif_fmt_datetime(const char *s, size_t len, char out[20]);
/* "+HH:MM" / "-HH:MM" (EXIF OffsetTime*), checked and copied. */
int exif_fmt_offset(const char *s, size_t len, char out[7]);
/* EXIF ASCII -> printable ASCII, cut at NUL or META_TEXT_MAX, trailing
 * spaces dropped (may give ""). */
void exif_fmt_text(const char *s, size_t len, char out[META_TEXT_MAX + 1]);
/* Degrees, minutes, seconds as three rationals -> "[-]D.DDDDDDD"; 0 when
 * a denominator is 0 or the value exceeds max. */
int exif_fmt_coord(const uint32_t num3[3], const uint32_t den3[3], int negative,
    double max, char *out, size_t cap);
/* GPSDateStamp "YYYY:MM:DD" + GPSTimeStamp (h, m, s rationals) ->
 * "YYYY-MM-DDTHH:MM:SSZ" (fractions of a second dropped). */
int exif_fmt_gps_time(const char *date, size_t len, const uint32_t num3[3],
    const uint32_t den3[3], char out[21]);
/* 1 when s is "[-]D.DDDDDDD" (1..3 integer digits, no leading zero) and
 * its value is at most max. */
int exif_coord_ok(const char *s, double max);

#endif
