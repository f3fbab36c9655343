/*
 * test_manifest_decode.c - a must-fail case for every rule
 * manifest_decode() enforces, each a one-substring mutation of the known
 * manifest text (manifest_golden.h).
 */
#include "manifest_golden.h"

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

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_decode_rules();
	return tap_done();
}
