/*
 * test_manifest_exif.c - manifest version 2: the exact encoding of a file
 * entry with EXIF fields (a file without has no "exif" key), the round
 * trip, a must-fail case for each rule of the "exif" object, version 1
 * written when no file has EXIF and refused with an "exif" key; and
 * meta_exif_read() on bytes that are not a JPEG, a
 * JPEG without EXIF, a block cut short and a block of garbage.  Real
 * photos with known tags are made by tests/cli/exif.bats.  The encoder
 * writes the entries one at a time: its text must equal jansson's dump
 * of the whole tree (what it wrote before) for a large manifest too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "cairn/err.h"
#include "cairn/manifest.h"
#include "cairn/meta.h"
#include "manifest_mut.h"
#include "tap.h"

// clang-format off
static const char golden[] =
    MANIFEST_FIXTURE_HEAD(2)
    "  \"case\": null,\n"
    "  \"notes\": [],\n"
    "  \"entries\": [\n"
    "    {\n"
    "      \"path\": \"a.jpg\",\n"
    "      \"type\": \"file\",\n"
    "      \"size\": 123,\n"
    "      \"mode\": \"0644\",\n"
    "      \"mtime\": \"2026-11-27T10:00:01Z\",\n"
    "      \"mime\": \"image/jpeg\",\n"
    "      \"exif\": {\n"
    "        \"status\": \"ok\",\n"
    "        \"taken_at\": \"2024-05-06T07:08:09\",\n"
    "        \"taken_offset\": \"+02:00\",\n"
    "        \"make\": \"TestCam\",\n"
    "        \"model\": \"Model X 100\",\n"
    "        \"gps_latitude\": \"-33.8688197\",\n"
    "        \"gps_longitude\": \"151.2092955\",\n"
    "        \"gps_time\": \"2024-05-06T05:08:09Z\"\n"
    "      }\n"
    "    },\n"
    "    {\n"
    "      \"path\": \"b.txt\",\n"
    "      \"type\": \"file\",\n"
    "      \"size\": 5,\n"
    "      \"mode\": \"0600\",\n"
    "      \"mtime\": \"2026-11-27T10:00:01Z\",\n"
    "      \"mime\": \"text/plain\"\n"
    "    }\n"
    "  ]\n"
    "}\n";
// clang-format on

static const struct meta_exif known = {META_EXIF_OK, "2024-05-06T07:08:09",
    "+02:00", "TestCam", "Model X 100", "-33.8688197", "151.2092955",
    "2024-05-06T05:08:09Z"};

static struct manifest *
build(void)
{
	struct manifest *m = manifest_fixture();
	int64_t t;

	manifest_time_parse("2026-11-27T10:00:01Z", 20, &t);
	if (manifest_add_entry(
	        m, "a.jpg", MANIFEST_FILE, 123, 0644, t, "image/jpeg") ||
	    manifest_set_exif(m, &known) ||
	    manifest_add_entry(
	        m, "b.txt", MANIFEST_FILE, 5, 0600, t, "text/plain"))
		abort();
	return m;
}

/* Decode golden with the first occurrence of from replaced by to. */
#define mutated(from, to) manifest_mutated(golden, from, to)

#define F                      CAIRN_ERR_FORMAT
#define FAILS(from, to, what)  TAP_EQ_INT(mutated(from, to), F, what)
#define PASSES(from, to, what) TAP_EQ_INT(mutated(from, to), 0, what)

static void
test_roundtrip(void)
{
	struct manifest *m = build(), *d = NULL;
	char *json = NULL, *json2 = NULL;
	const struct manifest_entry *e;
	size_t len, len2;

	TAP_EQ_INT(manifest_encode(m, &json, &len), 0, "encode version 2");
	TAP_OK(json != NULL && strcmp(json, golden) == 0,
	    "version 2 encoding is exactly the documented layout");
	if (json != NULL && strcmp(json, golden) != 0)
		fprintf(stderr, "%s", json);
	TAP_EQ_INT(manifest_decode(golden, strlen(golden), &d), 0, "decode");
	e = d != NULL ? manifest_find(d, "a.jpg") : NULL;
	TAP_OK(d != NULL && d->version == 2 && e != NULL && e->exif != NULL &&
	        memcmp(e->exif, &known, sizeof known) == 0,
	    "exif fields read back");
	e = d != NULL ? manifest_find(d, "b.txt") : NULL;
	TAP_OK(e != NULL && e->exif == NULL, "no exif key: no EXIF");
	TAP_EQ_INT(manifest_encode(d, &json2, &len2), 0, "re-encode");
	TAP_OK(json2 != NULL && strcmp(json2, golden) == 0,
	    "decode -> encode gives the same bytes");
	free(json);
	free(json2);
	manifest_free(m);
	manifest_free(d);
}

static void
test_rules(void)
{
	PASSES("\"status\": \"ok\"", "\"status\": \"damaged\"", "damaged ok");
	PASSES("\"make\": \"TestCam\"", "\"make\": null", "null make ok");
	PASSES("\"gps_latitude\": \"-33.8688197\",\n        "
	       "\"gps_longitude\": \"151.2092955\"",
	    "\"gps_latitude\": null,\n        \"gps_longitude\": null",
	    "no position ok");
	FAILS("\"status\": \"ok\"", "\"status\": \"none\"", "unknown status");
	FAILS("\"status\": \"ok\"", "\"status\": null", "null status");
	FAILS("\"status\": \"ok\",", "", "missing status");
	FAILS("\"taken_offset\": \"+02:00\",", "", "missing key");
	FAILS("\"status\": \"ok\",", "\"status\": \"ok\", \"x\": null,",
	    "unknown key");
	FAILS("\"make\": \"TestCam\",",
	    "\"make\": \"TestCam\", \"make\": "
	    "\"TestCam\",",
	    "duplicate key");
	FAILS("\"mime\": \"text/plain\"",
	    "\"mime\": \"text/plain\", \"exif\": "
	    "null",
	    "exif null (absent means none)");
	FAILS("\"mime\": \"text/plain\"",
	    "\"mime\": \"text/plain\", \"exif\": "
	    "\"none\"",
	    "exif a string");
	FAILS("\"mime\": \"text/plain\"",
	    "\"mime\": \"text/plain\", \"exif\": "
	    "{}",
	    "empty exif object");
	FAILS("2024-05-06T07:08:09\"", "2024-02-30T07:08:09\"",
	    "taken_at not a calendar date");
	FAILS("2024-05-06T07:08:09\"", "2024-05-06T07:08:09Z\"",
	    "taken_at with a zone");
	FAILS("2024-05-06T07:08:09\"", "2024:05:06 07:08:09\"",
	    "taken_at in EXIF's form");
	FAILS("\"+02:00\"", "\"+24:00\"", "offset hour out of range");
	FAILS("\"+02:00\"", "\"02:00\"", "offset without sign");
	FAILS("\"TestCam\"", "\"\"", "empty make");
	FAILS("\"TestCam\"", "\"TestCam \"", "make ending in a space");
	FAILS("\"TestCam\"", "\"Test\\u00e9Cam\"", "make not ASCII");
	FAILS("\"TestCam\"", "\"Test\\tCam\"", "make with a control character");
	FAILS("\"TestCam\"",
	    "\"0123456789012345678901234567890123456789012345678901234567890123"
	    "4\"",
	    "make longer than 64 bytes");
	FAILS("\"-33.8688197\"", "\"-93.8688197\"", "latitude beyond 90");
	FAILS("\"151.2092955\"", "\"181.2092955\"", "longitude beyond 180");
	FAILS("\"-33.8688197\"", "\"-33.868819\"", "six decimals");
	FAILS("\"-33.8688197\"", "\"+33.8688197\"", "plus sign");
	FAILS("\"-33.8688197\"", "\"033.8688197\"", "leading zero");
	FAILS("\"-33.8688197\"", "\"-33.8688197e0\"", "exponent");
	FAILS("\"-33.8688197\"", "-33.8688197", "latitude as a number");
	FAILS("\"-33.8688197\"", "null", "latitude without longitude");
	FAILS("\"2024-05-06T05:08:09Z\"", "\"2024-05-06T05:08:09\"",
	    "gps_time without Z");
	FAILS("\"2024-05-06T05:08:09Z\"", "\"2024-05-06T24:08:09Z\"",
	    "gps_time hour 24");
	FAILS("\"status\": \"ok\",",
	    "\"status\": \"ok\", \"deep\": {\"x\": 1},", "nesting below exif");
	/* on a directory, and in a version 1 manifest */
	FAILS("\"version\": 2", "\"version\": 1",
	    "version 1 manifest with exif keys refused");
}

static void
test_build_rules(void)
{
	struct manifest *m = NULL;
	struct meta_exif x = known;

	if (manifest_new(&m) != 0)
		abort();
	TAP_EQ_INT(manifest_set_exif(m, &x), CAIRN_ERR_INVAL, "no entry yet");
	manifest_add_entry(m, "d", MANIFEST_DIR, 0, 0755, 0, NULL);
	TAP_EQ_INT(manifest_set_exif(m, &x), CAIRN_ERR_INVAL, "on a directory");
	manifest_add_entry(m, "d/f", MANIFEST_FILE, 1, 0644, 0, "image/jpeg");
	strcpy(x.gps_longitude, "");
	TAP_EQ_INT(manifest_set_exif(m, &x), CAIRN_ERR_INVAL,
	    "latitude without longitude refused when building");
	x = known;
	x.status = META_EXIF_NONE;
	TAP_EQ_INT(manifest_set_exif(m, &x), 0, "status none: nothing kept");
	TAP_OK(m->entries[1].exif == NULL, "status none: exif null");
	{
		char *json = NULL;
		size_t len;

		TAP_OK(manifest_encode(m, &json, &len) == 0 &&
		        strstr(json, "\"version\": 1,") != NULL &&
		        strstr(json, "exif") == NULL,
		    "no file with EXIF: version 1, readable by older cairn");
		free(json);
	}
	manifest_free(m);
}

static void
test_read(void)
{
	static const uint8_t not_jpeg[] = "GIF89a not a jpeg at all";
	/* SOI, APP0 "JFIF", then SOS: a JPEG without EXIF */
	static const uint8_t no_exif[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x07,
	    'J', 'F', 'I', 'F', 0x00, 0xff, 0xda, 0x00, 0x02};
	/* SOI, APP1 of length 0x1000 holding "Exif\0\0", cut after 20 bytes */
	static const uint8_t cut[] = {0xff, 0xd8, 0xff, 0xe1, 0x10, 0x00, 'E',
	    'x', 'i', 'f', 0, 0, 'I', 'I', 0x2a, 0, 8, 0, 0, 0};
	/* SOI, APP1 "Exif\0\0" then a TIFF header of unknown byte order */
	static const uint8_t garbage[] = {0xff, 0xd8, 0xff, 0xe1, 0x00, 0x16,
	    'E', 'x', 'i', 'f', 0, 0, 'X', 'X', 0x2a, 0, 8, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xd9};
	/* the same with a good header whose IFD 0 lies past the block */
	static const uint8_t far[] = {0xff, 0xd8, 0xff, 0xe1, 0x00, 0x16, 'E',
	    'x', 'i', 'f', 0, 0, 'I', 'I', 0x2a, 0, 0xff, 0xff, 0, 0, 0, 0, 0,
	    0, 0xff, 0xd9};
	struct meta_exif x;

	TAP_EQ_INT(meta_exif_read(not_jpeg, sizeof not_jpeg, &x), 0, "read");
	TAP_OK(x.status == META_EXIF_NONE, "not a JPEG: no EXIF");
	meta_exif_read(no_exif, sizeof no_exif, &x);
	TAP_OK(x.status == META_EXIF_NONE, "JPEG without APP1: no EXIF");
	meta_exif_read(cut, sizeof cut, &x);
	TAP_OK(x.status == META_EXIF_DAMAGED && x.make[0] == '\0',
	    "block cut short: damaged, no fields");
	meta_exif_read(garbage, sizeof garbage, &x);
	TAP_OK(x.status == META_EXIF_DAMAGED, "unknown byte order: damaged");
	meta_exif_read(far, sizeof far, &x);
	TAP_OK(x.status == META_EXIF_DAMAGED,
	    "IFD 0 outside the block (libexif silent): damaged");
	TAP_OK(!meta_exif_check(&x) || x.status != META_EXIF_NONE,
	    "a read result obeys the rules");
	TAP_OK(meta_exif_check(&known) && meta_exif_has_gps(&known),
	    "the known fields obey the rules");
}

/* 600 entries (names with quotes, backslash escapes and UTF-8; EXIF on
 * every third file), notes with a tab, skipped paths: the streamed text
 * equals jansson's json_dumps() of the same document parsed whole. */
static void
test_many(void)
{
	struct manifest *m = NULL;
	char *json = NULL, *whole = NULL, p[64];
	json_t *root;
	size_t len;
	int ok = 1;

	TAP_EQ_INT(manifest_new(&m), 0, "new (many)");
	ok &= manifest_add_note(m, "note \"one\"\twith a tab") == 0;
	manifest_set_case(m, "C-\xc3\xa9 1");
	for (int i = 0; ok && i < 300; i++) {
		snprintf(p, sizeof p, "d%03d", i);
		ok &= manifest_add_entry(m, p, MANIFEST_DIR, 0, 0755,
		          1764000000 + i, NULL) == 0;
		snprintf(p, sizeof p, "d%03d/f \"%d\" caf\xc3\xa9.txt", i, i);
		ok &= manifest_add_entry(m, p, MANIFEST_FILE, (uint64_t)i * 977,
		          0644, 1764000000 + i, "text/plain") == 0;
		if (i % 3 == 0)
			ok &= manifest_set_exif(m, &known) == 0;
	}
	ok &= manifest_add_skipped(m, "gone/a", "Permission denied") == 0;
	ok &= manifest_add_skipped(m, "gone/b \"x\"", "changed") == 0;
	TAP_OK(ok, "600 entries, notes and skipped paths built");
	TAP_EQ_INT(manifest_encode(m, &json, &len), 0, "encode 600 entries");
	root = json != NULL ? json_loadb(json, len, 0, NULL) : NULL;
	whole = root != NULL
	    ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
	    : NULL;
	TAP_OK(whole != NULL && strlen(whole) + 1 == len &&
	        memcmp(whole, json, len - 1) == 0 && json[len - 1] == '\n',
	    "streamed entries equal jansson's dump of the whole tree");
	TAP_OK(json != NULL && strstr(json, "\"version\": 2") != NULL &&
	        strstr(json, "\"skipped\": [") != NULL,
	    "version 2, skipped list after the entries");
	json_decref(root);
	free(whole);
	free(json);
	manifest_free(m);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_roundtrip();
	test_rules();
	test_build_rules();
	test_read();
	test_many();
	return tap_done();
}
