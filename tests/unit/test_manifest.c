/*
 * test_manifest.c - manifest.json: the exact encoding of a known
 * manifest, encode/decode round trips, times, the build-side checks and
 * the skipped list.  The decoder's must-fail cases live in
 * test_manifest_decode.c.
 */
#include "manifest_golden.h"

static struct manifest *
build_golden(void)
{
	struct manifest *m = manifest_fixture();
	int64_t t;

	if (manifest_set_case(m, "CASE-2026-042") != 0 ||
	    manifest_add_note(m, "chain of custody: received from J. Doe") != 0)
		abort();
	manifest_time_parse("2026-11-27T10:00:00Z", 20, &t);
	if (manifest_add_entry(m, "photos", MANIFEST_DIR, 0, 0755, t, NULL) ||
	    manifest_add_entry(m, "photos/caf\xc3\xa9.jpg", MANIFEST_FILE, 123,
	        0644, t + 1, "image/jpeg"))
		abort();
	return m;
}

static void
test_roundtrip(void)
{
	struct manifest *m = build_golden(), *d = NULL;
	struct minisig_secret *sk = NULL;
	struct minisig_public pk;
	char *json = NULL, *json2 = NULL, id[MANIFEST_ID_HEX_LEN];
	char kid[MINISIG_KEY_ID_HEX_LEN], b64[MINISIG_PUBLIC_B64_LEN];
	const struct manifest_entry *e;
	size_t len, len2;

	TAP_EQ_INT(manifest_encode(m, &json, &len), 0, "encode");
	TAP_OK(
	    json != NULL && len == strlen(golden) && strcmp(json, golden) == 0,
	    "encoding is exactly the documented "
	    "layout (key order, 2-space indent, UTF-8, final newline)");
	if (json != NULL && strcmp(json, golden) != 0)
		fprintf(stderr, "%s", json);
	TAP_EQ_INT(manifest_decode(json, len, &d), 0, "decode");
	TAP_OK(d != NULL && d->version == 1 &&
	        memcmp(d->archive_id, m->archive_id, 16) == 0 &&
	        d->sealed_at == m->sealed_at && strcmp(d->tool, m->tool) == 0 &&
	        !d->has_signer && strcmp(d->case_label, "CASE-2026-042") == 0 &&
	        d->nnotes == 1 && d->nentries == 2,
	    "decoded fields");
	e = d != NULL ? manifest_find(d, "photos/caf\xc3\xa9.jpg") : NULL;
	TAP_OK(e != NULL && e->type == MANIFEST_FILE && e->size == 123 &&
	        e->mode == 0644 && e->mtime == m->entries[1].mtime &&
	        strcmp(e->mime, "image/jpeg") == 0,
	    "decoded file entry");
	e = d != NULL ? manifest_find(d, "photos") : NULL;
	TAP_OK(e != NULL && e->type == MANIFEST_DIR && e->mode == 0755 &&
	        e->mime == NULL,
	    "decoded dir entry");
	TAP_OK(d != NULL && manifest_find(d, "photo") == NULL &&
	        manifest_find(d, "photos/") == NULL,
	    "find misses");
	TAP_EQ_INT(manifest_encode(d, &json2, &len2), 0, "re-encode");
	TAP_OK(json2 != NULL && strcmp(json, json2) == 0,
	    "decode -> encode gives the same bytes");
	manifest_archive_id_hex(m, id);
	TAP_OK(strcmp(id, "00112233445566778899aabbccddeeff") == 0,
	    "archive id hex");
	free(json);
	free(json2);
	manifest_free(d);
	d = NULL;

	/* Signed, without case, notes or entries. */
	minisig_keygen(&sk, &pk);
	manifest_set_signer(m, &pk);
	manifest_set_case(m, NULL);
	TAP_EQ_INT(manifest_encode(m, &json, &len), 0, "encode signed");
	minisig_public_base64(&pk, b64);
	minisig_key_id_hex(pk.key_id, kid);
	TAP_OK(strstr(json, b64) != NULL && strstr(json, kid) != NULL &&
	        strstr(json, "\"case\": null") != NULL,
	    "signer, key id, null case");
	TAP_EQ_INT(manifest_decode(json, len, &d), 0, "decode signed");
	TAP_OK(d != NULL && d->has_signer &&
	        memcmp(&d->signer, &pk, sizeof pk) == 0 &&
	        d->case_label == NULL,
	    "signer round trip");
	free(json);
	manifest_free(d);
	manifest_free(m);
	minisig_secret_free(sk);

	TAP_EQ_INT(manifest_new(&m), 0, "new");
	TAP_EQ_INT(manifest_encode(m, &json, &len), 0, "encode empty");
	TAP_OK(strstr(json, "\"notes\": [],") != NULL &&
	        strstr(json, "\"entries\": []\n") != NULL &&
	        strstr(json, "\"tool\": \"cairn ") != NULL,
	    "empty arrays, tool");
	TAP_EQ_INT(manifest_decode(json, len, &d), 0, "decode empty");
	free(json);
	manifest_free(d);
	manifest_free(m);
}

static void
test_times(void)
{
	char buf[MANIFEST_TIME_LEN];
	int64_t t;
	int i, ok = 1;

	manifest_time_format(0, buf);
	TAP_OK(strcmp(buf, "1970-01-01T00:00:00Z") == 0, "epoch: %s", buf);
	manifest_time_format(-1, buf);
	TAP_OK(strcmp(buf, "1969-12-31T23:59:59Z") == 0, "-1: %s", buf);
	manifest_time_format(951782400, buf);
	TAP_OK(strcmp(buf, "2000-02-29T00:00:00Z") == 0, "leap day: %s", buf);
	TAP_EQ_INT(manifest_time_format(253402300799LL, buf), 0, "9999 max");
	TAP_OK(strcmp(buf, "9999-12-31T23:59:59Z") == 0, "max: %s", buf);
	TAP_EQ_INT(manifest_time_format(253402300800LL, buf), CAIRN_ERR_INVAL,
	    "year 10000 refused");
	TAP_EQ_INT(manifest_time_format(-62135596800LL, buf), 0, "year 1");
	TAP_OK(strcmp(buf, "0001-01-01T00:00:00Z") == 0, "min: %s", buf);
	TAP_EQ_INT(manifest_time_format(-62135596801LL, buf), CAIRN_ERR_INVAL,
	    "year 0 refused");
	/* Against gmtime_r for many values. */
	for (i = 0; i < 20000; i++) {
		int64_t v = (int64_t)randombytes_uniform(2000000000) * 2 -
		    2000000000 + (int64_t)randombytes_uniform(3);
		time_t tt = (time_t)v;
		struct tm tm;
		char want[64];

		gmtime_r(&tt, &tm);
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (manifest_time_format(v, buf) != 0 ||
		    strcmp(buf, want) != 0 ||
		    manifest_time_parse(buf, 20, &t) != 0 || t != v)
			ok = 0;
	}
	TAP_OK(ok, "format/parse agree with gmtime_r over 20000 times");
	TAP_EQ_INT(manifest_time_parse("2000-02-29T23:59:59Z", 20, &t), 0,
	    "parse leap day");
	TAP_EQ_INT(manifest_time_parse("1900-02-29T00:00:00Z", 20, &t),
	    CAIRN_ERR_FORMAT, "1900-02-29 refused");
	TAP_EQ_INT(manifest_time_parse("2026-04-31T00:00:00Z", 20, &t),
	    CAIRN_ERR_FORMAT, "April 31 refused");
	TAP_EQ_INT(manifest_time_parse("2026-11-28T24:00:00Z", 20, &t),
	    CAIRN_ERR_FORMAT, "hour 24 refused");
	TAP_EQ_INT(manifest_time_parse("2026-12-31T23:59:60Z", 20, &t),
	    CAIRN_ERR_FORMAT, "leap second refused");
	TAP_EQ_INT(manifest_time_parse("2026-11-28t21:30:00Z", 20, &t),
	    CAIRN_ERR_FORMAT, "lower-case t refused");
	TAP_EQ_INT(manifest_time_parse("2026-11-28T21:30:00.5Z", 22, &t),
	    CAIRN_ERR_FORMAT, "fractional seconds refused");
	TAP_EQ_INT(manifest_time_parse("+026-11-28T21:30:00Z", 20, &t),
	    CAIRN_ERR_FORMAT, "sign refused");
	TAP_EQ_INT(manifest_time_parse("0000-01-01T00:00:00Z", 20, &t),
	    CAIRN_ERR_FORMAT, "year 0 refused");
}

static void
test_build_rules(void)
{
	struct manifest *m = NULL;
	char *json = NULL;
	size_t len;
	const int I = CAIRN_ERR_INVAL;

	manifest_new(&m);
	TAP_EQ_INT(manifest_add_entry(
	               m, "a\nb", MANIFEST_FILE, 1, 0644, 0, "text/plain"),
	    I, "add: newline in path refused");
	TAP_EQ_INT(manifest_add_entry(
	               m, "a\\b", MANIFEST_FILE, 1, 0644, 0, "text/plain"),
	    I, "add: backslash in path refused");
	TAP_EQ_INT(manifest_add_entry(
	               m, "caf\xe9", MANIFEST_FILE, 1, 0644, 0, "text/plain"),
	    I, "add: non-UTF-8 path refused");
	TAP_EQ_INT(manifest_add_entry(m, "/etc/passwd", MANIFEST_FILE, 1, 0644,
	               0, "text/plain"),
	    I, "add: absolute path refused");
	TAP_EQ_INT(
	    manifest_add_entry(m, "d", MANIFEST_DIR, 0, 0755, 0, "text/plain"),
	    I, "add: dir with MIME refused");
	TAP_EQ_INT(manifest_add_entry(m, "f", MANIFEST_FILE, 1, 0644, 0, NULL),
	    I, "add: file without MIME refused");
	TAP_EQ_INT(
	    manifest_add_entry(m, "f", MANIFEST_FILE, 1, 04755, 0, "a/b"), I,
	    "add: setuid mode refused");
	TAP_EQ_INT(manifest_add_entry(m, "f", MANIFEST_FILE, (uint64_t)1 << 63,
	               0644, 0, "a/b"),
	    I, "add: size 2^63 refused");
	TAP_EQ_INT(manifest_add_entry(
	               m, "f", MANIFEST_FILE, 1, 0644, 300000000000LL, "a/b"),
	    I, "add: mtime beyond 9999 refused");
	TAP_EQ_INT(manifest_add_entry(
	               m, "SHA256SUMS", MANIFEST_FILE, 1, 0644, 0, "a/b"),
	    I, "add: reserved name refused");
	TAP_EQ_INT(manifest_add_entry(m, "f", 3, 1, 0644, 0, "a/b"), I,
	    "add: unknown type refused");
	TAP_EQ_INT(
	    manifest_set_case(m, "bad\x1b[0m"), I, "case with ESC refused");
	TAP_EQ_INT(manifest_add_note(m, ""), I, "empty note refused");
	TAP_EQ_INT(manifest_add_note(m, "two\nlines\tand a tab"), 0,
	    "multi-line note with a tab accepted (version 2)");
	TAP_EQ_INT(manifest_add_note(m, "a\rb"), I, "note with CR refused");
	TAP_EQ_INT(manifest_add_note(m, "a\x01b"), I, "note with ^A refused");
	TAP_EQ_INT(m->nentries, 0, "nothing was added");
	TAP_EQ_INT(manifest_add_entry(m, "f", MANIFEST_FILE, 1, 0644, 0, "a/b"),
	    0, "add f");
	TAP_EQ_INT(manifest_encode(m, &json, &len), 0, "encode one entry");
	free(json);
	TAP_EQ_INT(manifest_add_entry(m, "f", MANIFEST_DIR, 0, 0755, 0, NULL),
	    0, "add f again (accepted until encode)");
	TAP_EQ_INT(manifest_encode(m, &json, &len), I,
	    "encode with duplicate path refused");
	TAP_OK(json == NULL, "no text on failure");
	manifest_free(m);
	manifest_new(&m);
	manifest_add_entry(m, "f", MANIFEST_FILE, 1, 0644, 0, "a/b");
	manifest_add_entry(m, "f/g", MANIFEST_FILE, 1, 0644, 0, "a/b");
	TAP_EQ_INT(manifest_encode(m, &json, &len), I,
	    "encode with a path below a file refused");
	manifest_free(m);
	manifest_new(&m);
	manifest_add_entry(m, "d/g", MANIFEST_FILE, 1, 0644, 0, "a/b");
	manifest_add_entry(m, "d", MANIFEST_DIR, 0, 0755, 0, NULL);
	manifest_add_entry(m, "d-x", MANIFEST_FILE, 1, 0644, 0, "a/b");
	TAP_EQ_INT(manifest_encode(m, &json, &len), 0,
	    "dir after its child and a sibling sorting between are fine");
	free(json);
	manifest_free(m);
}

/* Version 2: the skipped list (seal --skip-unreadable). */
static void
test_skipped(void)
{
	struct manifest *m = build_golden(), *d = NULL;
	char *json = NULL, *json2 = NULL;
	size_t len = 0, len2 = 0;
	static const char tail[] =
	    "  ],\n  \"skipped\": [\n    {\n"
	    "      \"path\": \"photos/log.txt\",\n"
	    "      \"reason\": \"grew while being sealed\"\n    }\n  ]\n}\n";

	TAP_EQ_INT(manifest_add_skipped(
	               m, "photos/log.txt", "grew while being sealed"),
	    0, "add a skipped path");
	TAP_EQ_INT(manifest_encode(m, &json, &len), 0, "encode with skipped");
	TAP_OK(json != NULL && strstr(json, "\"version\": 2,") != NULL &&
	        len > sizeof(tail) &&
	        strcmp(json + len - (sizeof(tail) - 1), tail) == 0,
	    "version 2, skipped last, after entries");
	TAP_EQ_INT(manifest_decode(json, len, &d), 0, "decode version 2");
	TAP_OK(d != NULL && d->version == 2 && d->nskipped == 1 &&
	        strcmp(d->skipped[0].path, "photos/log.txt") == 0 &&
	        strcmp(d->skipped[0].reason, "grew while being sealed") == 0,
	    "decoded skipped list");
	TAP_EQ_INT(manifest_encode(d, &json2, &len2), 0, "re-encode");
	TAP_OK(json2 != NULL && strcmp(json, json2) == 0, "same bytes");
	free(json2);
	manifest_free(d);
	/* notes with line breaks: version 2 only */
	FAILS("\"chain of custody: received from J. Doe\"", "\"two\\nlines\"",
	    CAIRN_ERR_FORMAT, "version 1 note with a line feed refused");
	FAILS("\"chain of custody: received from J. Doe\"", "\"tab\\there\"",
	    CAIRN_ERR_FORMAT, "version 1 note with a tab refused");
	/* version 1 has no skipped key; version 2 may leave it out */
	FAILS("  ]\n}", "  ],\n  \"skipped\": []\n}", CAIRN_ERR_FORMAT,
	    "version 1 with a skipped key refused");
	FAILS("\"version\": 1", "\"version\": 2", 0,
	    "version 2 without skipped accepted");
	FAILS("\"version\": 1", "\"version\": 3", CAIRN_ERR_UNSUPPORTED,
	    "version 3 unsupported");
	TAP_EQ_INT(manifest_add_skipped(m, "photos/a\nb", "x"), CAIRN_ERR_INVAL,
	    "skipped path with a newline refused");
	TAP_EQ_INT(manifest_add_skipped(m, "photos/x", ""), CAIRN_ERR_INVAL,
	    "empty reason refused");
	TAP_EQ_INT(manifest_add_skipped(m, "photos/caf\xc3\xa9.jpg", "x"), 0,
	    "add a skipped path that is also an entry");
	free(json);
	json = NULL;
	TAP_EQ_INT(manifest_encode(m, &json, &len), CAIRN_ERR_INVAL,
	    "a path both held and skipped refused");
	manifest_free(m);
	m = build_golden();
	TAP_EQ_INT(manifest_add_note(m, "line one\n\tline two"), 0,
	    "add a two-line note");
	free(json);
	json = NULL;
	TAP_EQ_INT(manifest_encode(m, &json, &len), 0, "encode it");
	TAP_OK(json != NULL && strstr(json, "\"version\": 2,") != NULL,
	    "a note with a line break makes version 2");
	TAP_EQ_INT(manifest_decode(json, len, &d), 0, "and decodes");
	TAP_OK(d != NULL && d->nnotes == 2 &&
	        strcmp(d->notes[1], "line one\n\tline two") == 0,
	    "as it was");
	manifest_free(d);
	free(json);
	json = NULL;
	manifest_free(m);
	m = build_golden();
	manifest_add_skipped(m, "x", "a");
	manifest_add_skipped(m, "x", "b");
	TAP_EQ_INT(manifest_encode(m, &json, &len), CAIRN_ERR_INVAL,
	    "a path skipped twice refused");
	manifest_free(m);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_roundtrip();
	test_times();
	test_build_rules();
	test_skipped();
	return tap_done();
}
