/*
 * meta.h - capture metadata of evidence files, read when sealing: the
 * EXIF block of a JPEG photo (through libexif), reduced to the fields an
 * investigator asks for: when it was taken (the camera's clock and its
 * UTC offset), which camera, and where (GPS position and GPS time).
 *
 * Knows bytes and libexif only: nothing of files, manifests, archives or
 * the terminal.  The bytes are hostile (a photo from anyone): libexif
 * parses them with a cairn allocator, every value is range-checked
 * before it is kept, and a block libexif reports as corrupt is kept as
 * "damaged" with whatever fields it could still read.  The strings kept
 * obey the rules below, which meta_exif_check() enforces on values read
 * back from an archive (docs/format.md, manifest version 2).
 */
#ifndef CAIRN_META_H
#define CAIRN_META_H

#include <stddef.h>
#include <stdint.h>

/* Bytes from the start of a file that are searched for the EXIF block
 * (a JPEG's APP1 segment holds at most 64 KiB and comes first, after
 * SOI and perhaps other APPn segments). */
#define META_EXIF_WINDOW (256 * 1024)
/* Camera make and model: bytes kept. */
#define META_TEXT_MAX 64

enum meta_exif_status {
	META_EXIF_NONE = 0,    /* no EXIF block (manifest: "exif": null) */
	META_EXIF_OK = 1,      /* read without complaint */
	META_EXIF_DAMAGED = 2, /* found, but libexif reported corrupt data or
	                          the block is cut short */
};

/*
 * Each field is a NUL-terminated string, "" when absent or unusable:
 *   taken_at      DateTimeOriginal, the camera's local clock:
 *                 "YYYY-MM-DDTHH:MM:SS" (a real calendar date, years
 *                 0001..9999, no zone)
 *   taken_offset  OffsetTimeOriginal: "+HH:MM" or "-HH:MM" (HH <= 23,
 *                 MM <= 59)
 *   make, model   1..META_TEXT_MAX bytes of printable ASCII (0x20..0x7e),
 *                 not ending in a space; other bytes become '?'
 *   gps_latitude  decimal degrees, 7 decimals, '-' for south:
 *                 "-33.8688197"; at most 90
 *   gps_longitude the same, '-' for west; at most 180
 *   gps_time      GPSDateStamp + GPSTimeStamp (UTC), whole seconds:
 *                 "YYYY-MM-DDTHH:MM:SSZ"
 * Latitude and longitude are both present or both absent.
 */
struct meta_exif {
	enum meta_exif_status status;
	char taken_at[20];
	char taken_offset[7];
	char make[META_TEXT_MAX + 1];
	char model[META_TEXT_MAX + 1];
	char gps_latitude[12];
	char gps_longitude[13];
	char gps_time[21];
};

/*
 * Read the EXIF block of the file whose first len bytes are buf (a JPEG:
 * SOI, then marker segments up to the first APP1 "Exif" one).  Fills
 * *out (status META_EXIF_NONE and empty fields when the bytes are not a
 * JPEG or hold no EXIF block).  Returns 0, or CAIRN_ERR_NOMEM when an
 * allocation failed (inside libexif too: its result would be incomplete).
 */
int meta_exif_read(const uint8_t *buf, size_t len, struct meta_exif *out);

/* 1 when e obeys the rules above and its status is OK or DAMAGED. */
int meta_exif_check(const struct meta_exif *e);

/* 1 when e records a GPS position. */
int meta_exif_has_gps(const struct meta_exif *e);

#endif
