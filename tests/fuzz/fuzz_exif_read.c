/*
 * fuzz_exif_read.c - libFuzzer target for the EXIF reader
 * (meta_exif_read: a JPEG's marker segments, then libexif on the APP1
 * block).  Whatever it reads must obey the manifest's rules for the
 * fields (meta_exif_check), and a manifest holding it must encode,
 * decode and re-encode to the same bytes: the reader never produces a
 * value that would make sealing fail or an archive unreadable.  No EXIF
 * means every field empty.  Must never crash, hang or leak.  Seeds:
 * photos made by tests/fuzz/make-seeds with ImageMagick and exiftool.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/manifest.h"
#include "cairn/meta.h"
#include "fuzz_util.h"

static void
roundtrip(const struct meta_exif *x)
{
	struct manifest *m = NULL, *d = NULL;
	char *json = NULL, *json2 = NULL;
	size_t len, len2;

	if (manifest_new(&m) != 0 ||
	    manifest_add_entry(
	        m, "a.jpg", MANIFEST_FILE, 1, 0644, 0, "image/jpeg") != 0)
		abort();
	if (manifest_set_exif(m, x) != 0 ||
	    manifest_encode(m, &json, &len) != 0 ||
	    manifest_decode(json, len, &d) != 0 ||
	    manifest_encode(d, &json2, &len2) != 0 || len != len2 ||
	    memcmp(json, json2, len) != 0 || d->entries[0].exif == NULL ||
	    memcmp(d->entries[0].exif, x, sizeof *x) != 0)
		abort();
	free(json);
	free(json2);
	manifest_free(m);
	manifest_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct meta_exif none;
	struct meta_exif x;

	if (size > META_EXIF_WINDOW)
		return 0;
	if (meta_exif_read(data, size, &x) != 0)
		abort(); /* no allocation fails here */
	if (x.status == META_EXIF_NONE) {
		if (memcmp(&x, &none, sizeof x) != 0)
			abort();
		return 0;
	}
	if (!meta_exif_check(&x))
		abort();
	roundtrip(&x);
	return 0;
}
