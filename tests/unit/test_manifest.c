/*
 * test_manifest.c - manifest.json: the exact encoding of a known
 * manifest, encode/decode round trips, times, and a must-fail case for
 * every rule manifest_decode() enforces (and the build-side checks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "manifest_mut.h"
#include "tap.h"

static const char golden[] =
    MANIFEST_FIXTURE_HEAD(1)
    "  \"case\": \"CASE-2026-042\",\n"
    "  \"notes\": [\n"
    "    \"chain of custody: received from J. Doe\"\n"
    "  ],\n"
    "  \"entries\": [\n"
    "    {\n"
    "      \"path\": \"photos\",\n"
    "      \"type\": \"dir\",\n"
    "      \"mode\": \"0755\",\n"
    "      \"mtime\": \"2026-11-27T10:00:00Z\"\n"
    "    },\n"
    "    {\n"
    "      \"path\": \"photos/caf\xc3\xa9.jpg\",\n"
    "      \"type\": \"file\",\n"
    "      \"size\": 123,\n"
    "      \"mode\": \"0644\",\n"
    "      \"mtime\": \"2026-11-27T10:00:01Z\",\n"
    "      \"mime\": \"image/jpeg\"\n"
    "    }\n"
    "  ]\n"
    "}\n";

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

/* Decode golden with the first occurrence of from replaced by to. */
#define mutated(from, to) manifest_mutated(golden, from, to)

#define FAILS(from, to, want, what) TAP_EQ_INT(mutated(from, to), want, what)

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
test_decode_rules(void)
{
	const int F = CAIRN_ERR_FORMAT, U = CAIRN_ERR_UNSAFE;
	struct manifest *m = NULL;
	char *buf, longname[300];

	TAP_EQ_INT(mutated("", ""), 0, "golden text decodes");
	/* JSON-level. */
	FAILS("\"version\": 1,", "\"version\": 1, \"version\": 1,", F,
	    "duplicate key refused");
	FAILS("\"type\": \"dir\",", "\"type\": \"dir\", \"type\": \"dir\",", F,
	    "duplicate key inside an entry refused");
	FAILS("caf\xc3\xa9", "caf\xe9", F,
	    "invalid UTF-8 (latin-1 byte) refused");
	FAILS("caf\xc3\xa9", "caf\xc0\xaf", F, "overlong UTF-8 refused");
	FAILS("caf\xc3\xa9", "caf\xed\xa0\x80", F,
	    "UTF-8 encoded surrogate refused");
	FAILS("caf\xc3\xa9", "caf\\ud800", F, "lone surrogate escape refused");
	FAILS("caf\xc3\xa9", "caf\\u0000", F, "NUL escape refused");
	FAILS("\"chain of", "[[\"chain of", F, "deep nesting refused");
	FAILS("\"chain of custody: received from J. Doe\"", "[\"x\"]", F,
	    "array inside notes refused (depth 3, wrong type)");
	FAILS("{\n  \"format\"", "[{\n  \"format\"", F,
	    "top-level array refused");
	FAILS("  ]\n}\n", "  ]\n}\n{}", F, "trailing garbage refused");
	FAILS("{\n  \"format\"", "\xef\xbb\xbf{\n  \"format\"", F,
	    "byte order mark refused");
	/* Numbers. */
	FAILS("\"size\": 123", "\"size\": 123456789012345678901234567890", F,
	    "integer overflow refused");
	FAILS("\"size\": 123", "\"size\": 9223372036854775808", F,
	    "2^63 refused");
	TAP_EQ_INT(mutated("\"size\": 123", "\"size\": 9223372036854775807"), 0,
	    "2^63-1 accepted");
	FAILS("\"size\": 123", "\"size\": -1", F, "negative size refused");
	FAILS("\"size\": 123", "\"size\": 1.5", F, "fractional size refused");
	FAILS("\"size\": 123", "\"size\": 1e3", F, "exponent size refused");
	FAILS("\"size\": 123", "\"size\": 123.0", F, "123.0 refused");
	/* the fast reader of plain entries hands these to jansson */
	FAILS("\"size\": 123", "\"size\": 0123", F, "leading zero refused");
	FAILS("\"size\": 123", "\"size\": 123,\"size\": 123", F,
	    "repeated size refused");
	TAP_EQ_INT(
	    mutated("\"path\": \"photos\",", "\"path\": \"phot\\u006fs\","), 0,
	    "escaped entry string accepted");
	FAILS("\"size\": 123", "\"size\": \"123\"", F, "string size refused");
	FAILS("\"size\": 123", "\"size\": null", F, "null size refused");
	FAILS("\"version\": 1", "\"version\": 1.0", F, "version 1.0 refused");
	FAILS("\"version\": 1", "\"version\": \"1\"", F,
	    "version as string refused");
	FAILS("\"version\": 1", "\"version\": 0", CAIRN_ERR_UNSUPPORTED,
	    "version 0 unsupported");
	FAILS("\"version\": 1", "\"version\": 99999999999999999999", F,
	    "huge version refused");
	/* Paths. */
	FAILS(
	    "\"path\": \"photos\",", "\"path\": \"../x\",", U, "../x refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"a/../x\",", U,
	    "a/../x refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"..\",", U, ".. refused");
	FAILS(
	    "\"path\": \"photos\",", "\"path\": \"/abs\",", U, "/abs refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"a/./b\",", U,
	    "a/./b refused");
	FAILS("\"path\": \"photos\",", "\"path\": \".\",", U, ". refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"a//b\",", U,
	    "empty component refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"a/\",", U,
	    "trailing slash refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"\",", U,
	    "empty path refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"a\\nb\",", U,
	    "newline in path refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"a\\u0001b\",", U,
	    "control character in path refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"a\\u007fb\",", U,
	    "DEL in path refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"a\\u009bb\",", U,
	    "C1 control (CSI) in path refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"a\\\\b\",", U,
	    "backslash in path refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"gpj.\\u202eexe\",", U,
	    "bidi override in path refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"manifest.json\",", U,
	    "reserved name manifest.json refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"SHA256SUMS.minisig\",", U,
	    "reserved name SHA256SUMS.minisig refused");
	FAILS("\"path\": \"photos\",", "\"path\": \"SHA256SUMS/x\",", U,
	    "reserved first component refused");
	TAP_EQ_INT(
	    mutated("\"path\": \"photos\",", "\"path\": \"x/manifest.json\","),
	    0, "reserved name below a directory is fine");
	memset(longname, 'a', 9 + 256);
	memcpy(longname, "\"path\": \"", 9);
	strcpy(longname + 9 + 256, "\",");
	FAILS(
	    "\"path\": \"photos\",", longname, U, "256-byte component refused");
	longname[9 + 255] = '"';
	strcpy(longname + 9 + 256, ",");
	TAP_EQ_INT(mutated("\"path\": \"photos\",", longname), 0,
	    "255-byte component accepted");
	FAILS("\"path\": \"photos\",", "\"path\": \"photos/caf\xc3\xa9.jpg\",",
	    U, "duplicate path refused");
	FAILS("\"path\": \"photos\",",
	    "\"path\": \"photos/caf\xc3\xa9.jpg/x\",", U,
	    "path below a file refused");
	FAILS(
	    "\"path\": \"photos\",", "\"path\": 7,", F, "numeric path refused");
	/* Other fields and types. */
	FAILS("\"format\": \"cairn-archive\"", "\"format\": \"cairn-archivE\"",
	    F, "wrong format refused");
	FAILS("\"type\": \"dir\"", "\"type\": \"symlink\"", F,
	    "type symlink refused");
	FAILS("\"type\": \"dir\",", "\"type\": \"dir\", \"size\": 0,", F,
	    "size on a dir refused");
	FAILS("\"type\": \"dir\",", "\"type\": \"dir\", \"mime\": \"a/b\",", F,
	    "mime on a dir refused");
	FAILS("\"mode\": \"0755\"", "\"mode\": \"755\"", F,
	    "3-digit mode refused");
	FAILS("\"mode\": \"0755\"", "\"mode\": \"04755\"", F,
	    "setuid mode refused");
	FAILS("\"mode\": \"0755\"", "\"mode\": \"0785\"", F,
	    "non-octal mode refused");
	FAILS("\"mode\": \"0755\"", "\"mode\": 493", F, "numeric mode refused");
	FAILS("\"mtime\": \"2026-11-27T10:00:00Z\"",
	    "\"mtime\": \"2026-02-30T10:00:00Z\"", F, "Feb 30 refused");
	FAILS("\"mtime\": \"2026-11-27T10:00:00Z\"",
	    "\"mtime\": \"2026-11-27T10:00:00+00:00\"", F,
	    "numeric offset refused");
	FAILS("\"mtime\": \"2026-11-27T10:00:00Z\"", "\"mtime\": 1764237600", F,
	    "numeric mtime refused");
	FAILS("\"archive_id\": \"00112233445566778899aabbccddeeff\"",
	    "\"archive_id\": \"00112233445566778899AABBCCDDEEFF\"", F,
	    "upper-case archive id refused");
	FAILS("\"archive_id\": \"00112233445566778899aabbccddeeff\"",
	    "\"archive_id\": \"00112233445566778899aabbccddeef\"", F,
	    "short archive id refused");
	FAILS("\"sealed_at\": \"2026-11-28T21:30:00Z\"", "\"sealed_at\": null",
	    F, "null sealed_at refused");
	FAILS("\"tool\": \"cairn 0.1.0\"", "\"tool\": \"\"", F,
	    "empty tool refused");
	FAILS("\"case\": \"CASE-2026-042\"", "\"case\": \"CASE\\u001b[2J\"", F,
	    "escape sequence in case refused");
	FAILS("\"case\": \"CASE-2026-042\"", "\"case\": \"CASE\u2066x\"", F,
	    "bidi isolate in case refused");
	FAILS("\"chain of", "\"\u2028chain of", F,
	    "line separator in a note refused");
	FAILS("\"case\": \"CASE-2026-042\"", "\"case\": 42", F,
	    "numeric case refused");
	FAILS("\"chain of custody", "\"chain\\nof custody", F,
	    "newline in a note refused");
	FAILS("\"chain of custody: received from J. Doe\"", "7", F,
	    "numeric note refused");
	FAILS("\"notes\": [", "\"notes\": null, \"x\": [", F,
	    "null notes refused");
	FAILS("\"mime\": \"image/jpeg\"",
	    "\"mime\": \"text/plain; charset=utf-8\"", F,
	    "MIME parameters refused");
	FAILS("\"mime\": \"image/jpeg\"", "\"mime\": \"imagejpeg\"", F,
	    "MIME without slash refused");
	FAILS("\"mime\": \"image/jpeg\"", "\"mime\": \"image/\"", F,
	    "MIME without subtype refused");
	FAILS("\"mime\": \"image/jpeg\"", "\"mime\": null", F,
	    "null MIME on a file refused");
	TAP_EQ_INT(mutated("\"mime\": \"image/jpeg\"",
	               "\"mime\": "
	               "\"application/"
	               "vnd.openxmlformats-officedocument.wordprocessingml."
	               "document\""),
	    0, "long vnd MIME type accepted");
	FAILS("\"signer\": null",
	    "\"signer\": \"RWRqsXOORQT/l4aXP3NGNWzyk7qblAC"
	    "+kZw8TruCJl36gR1CZQtfClnG\"",
	    F, "signer without key id refused");
	FAILS("\"signer_key_id\": null",
	    "\"signer_key_id\": \"97FF04458E73B16A\"", F,
	    "key id without signer refused");
	FAILS("\"signer\": null,\n  \"signer_key_id\": null",
	    "\"signer\": \"RWRqsXOORQT/l4aXP3NGNWzyk7qblAC+kZw8TruCJl36gR1CZQtf"
	    "ClnG\",\n  \"signer_key_id\": \"97FF04458E73B16B\"",
	    F, "key id not matching the signer refused");
	TAP_EQ_INT(mutated("\"signer\": null,\n  \"signer_key_id\": null",
	               "\"signer\": "
	               "\"RWRqsXOORQT/l4aXP3NGNWzyk7qblAC+kZw8TruCJl36gR1CZQtf"
	               "ClnG\",\n  \"signer_key_id\": \"97FF04458E73B16A\""),
	    0, "matching signer and key id accepted");
	FAILS("\"signer\": null", "\"signer\": \"RWRqsXOORQT\"", F,
	    "malformed signer refused");
	FAILS("\"entries\": [", "\"entries\": {\"a\": 1}, \"x\": [", F,
	    "entries as object refused");
	/* Missing and unknown fields. */
	FAILS("\"case\": \"CASE-2026-042\",\n", "", F, "missing case refused");
	FAILS("\"tool\": \"cairn 0.1.0\",", "\"tool2\": \"cairn 0.1.0\",", F,
	    "missing tool (renamed) refused");
	FAILS(",\n      \"mtime\": \"2026-11-27T10:00:00Z\"\n", "\n", F,
	    "entry without mtime refused");
	FAILS("\"tool\": \"cairn 0.1.0\",",
	    "\"tool\": \"cairn 0.1.0\", \"host\": \"alice-laptop\",", F,
	    "unknown top-level field refused");
	FAILS("\"type\": \"dir\",", "\"type\": \"dir\", \"uid\": 0,", F,
	    "unknown entry field refused");
	FAILS("\"version\": 1,", "", F, "missing version refused");

	/* Whole-text limits. */
	TAP_EQ_INT(manifest_decode("", 0, &m), F, "empty text refused");
	TAP_EQ_INT(manifest_decode("{}", 2, &m), F, "empty object refused");
	buf = malloc(MANIFEST_MAX_LEN + 1);
	memset(buf, ' ', MANIFEST_MAX_LEN + 1);
	TAP_EQ_INT(manifest_decode(buf, MANIFEST_MAX_LEN + 1, &m),
	    CAIRN_ERR_LIMIT, "text over MANIFEST_MAX_LEN refused");
	memset(buf, '[', 1000000);
	TAP_EQ_INT(manifest_decode(buf, 1000000, &m), F,
	    "a million '[' refused quickly");
	free(buf);
	{
		/* 257 notes. */
		size_t n = strlen(golden) + 257 * 6, off;
		const char *at = strstr(golden, "\"chain of");
		int i;

		buf = malloc(n + 1);
		off = (size_t)(at - golden);
		memcpy(buf, golden, off);
		for (i = 0; i < 257; i++) {
			memcpy(buf + off, "\"n\",\n ", 6);
			off += 6;
		}
		strcpy(buf + off, at);
		TAP_EQ_INT(manifest_decode(buf, strlen(buf), &m),
		    CAIRN_ERR_LIMIT,
		    "more than MANIFEST_MAX_NOTES notes refused");
		free(buf);
	}
	TAP_OK(m == NULL, "no manifest returned on failure");
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
	test_decode_rules();
	test_build_rules();
	test_skipped();
	return tap_done();
}
