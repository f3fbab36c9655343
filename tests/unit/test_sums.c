/*
 * test_sums.c - SHA256SUMS text: exact encoding (checked by the real
 * `sha256sum -c`), strict parsing with a must-fail case per rule, lookup,
 * and the match against a manifest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/digest.h"
#include "cairn/manifest.h"
#include "sums.h"
#include "tap.h"

#define H0 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define HA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static int
dec(const char *text)
{
	struct sums s;
	int rc = sums_decode(text, strlen(text), &s);

	sums_free(&s);
	return rc;
}

/* Write files and SHA256SUMS into a temp dir, run sha256sum -c there. */
static int
sha256sum_accepts(const char *sums_text)
{
	char dir[] = "/tmp/cairn-sums-XXXXXX", cmd[256];
	FILE *f;
	int rc;

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd,
	    "mkdir -p '%s/sub dir' && printf abc >"
	    "'%s/sub dir/a b.txt' && : >'%s/manifest.json'",
	    dir, dir, dir);
	if (system(cmd) != 0)
		return -1;
	snprintf(cmd, sizeof cmd, "%s/SHA256SUMS", dir);
	if ((f = fopen(cmd, "w")) == NULL)
		return -1;
	fputs(sums_text, f);
	fclose(f);
	snprintf(cmd, sizeof cmd,
	    "cd '%s' && sha256sum --strict -c SHA256SUMS"
	    " >/dev/null 2>&1",
	    dir);
	rc = system(cmd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return -1;
	return rc;
}

int
main(void)
{
	struct sums s = {0}, d;
	struct manifest *m = NULL;
	uint8_t h0[32], ha[32];
	char *text = NULL;
	size_t len;
	const char *text2,
	    *want = H0 "  manifest.json\n" HA "  sub dir/a b.txt\n";
	const int F = CAIRN_ERR_FORMAT, U = CAIRN_ERR_UNSAFE;

	if (sodium_init() < 0)
		return 1;
	digest_sha256("", 0, h0);
	digest_sha256("abc", 3, ha);
	TAP_EQ_INT(sums_add(&s, "manifest.json", h0), 0, "add manifest.json");
	TAP_EQ_INT(sums_add(&s, "sub dir/a b.txt", ha), 0, "add a file");
	TAP_EQ_INT(sums_encode(&s, &text, &len), 0, "encode");
	TAP_OK(text != NULL && strcmp(text, want) == 0 && len == strlen(want),
	    "exact text: hex, two spaces, path, newline");
	TAP_EQ_INT(
	    sha256sum_accepts(text), 0, "sha256sum --strict -c accepts it");
	TAP_OK(sha256sum_accepts(
	           H0 "  manifest.json\n" H0 "  sub dir/a b.txt\n") != 0,
	    "sha256sum -c rejects a wrong digest "
	    "(the check above can fail)");
	TAP_EQ_INT(sums_decode(text, len, &d), 0, "decode");
	TAP_OK(d.n == 2 && strcmp(d.v[1].path, "sub dir/a b.txt") == 0 &&
	        memcmp(d.v[1].sha256, ha, 32) == 0,
	    "decoded entries");
	TAP_OK(sums_find(&d, "sub dir/a b.txt") == &d.v[1] &&
	        sums_find(&d, "manifest.json") == &d.v[0] &&
	        sums_find(&d, "sub dir") == NULL,
	    "find");
	TAP_OK(
	    sums_find(&s, "sub dir/a b.txt") == &s.v[1], "find without index");

	/* Against a manifest. */
	manifest_new(&m);
	manifest_add_entry(m, "sub dir", MANIFEST_DIR, 0, 0755, 0, NULL);
	manifest_add_entry(
	    m, "sub dir/a b.txt", MANIFEST_FILE, 3, 0644, 0, "text/plain");
	TAP_EQ_INT(sums_match_manifest(&d, m), 0, "matches manifest");
	manifest_add_entry(
	    m, "sub dir/c", MANIFEST_FILE, 3, 0644, 0, "text/plain");
	TAP_EQ_INT(sums_match_manifest(&d, m), CAIRN_ERR_INTEGRITY,
	    "file missing from SHA256SUMS");
	sums_add(&d, "sub dir/c", ha);
	TAP_EQ_INT(sums_match_manifest(&d, m), 0, "matches again");
	sums_add(&d, "extra", ha);
	TAP_EQ_INT(sums_match_manifest(&d, m), CAIRN_ERR_INTEGRITY,
	    "extra file in SHA256SUMS");
	sums_free(&d);
	TAP_EQ_INT(dec(HA "  sub dir/a b.txt\n" H0 "  manifest.json\n"), 0,
	    "other order parses");
	text2 = HA "  sub dir/a b.txt\n" H0 "  manifest.json\n";
	sums_decode(text2, strlen(text2), &d);
	manifest_free(m);
	manifest_new(&m);
	manifest_add_entry(
	    m, "sub dir/a b.txt", MANIFEST_FILE, 3, 0644, 0, "text/plain");
	TAP_EQ_INT(sums_match_manifest(&d, m), CAIRN_ERR_INTEGRITY,
	    "manifest.json not first");
	sums_free(&d);
	manifest_free(m);

	/* Must-fail parsing. */
	TAP_EQ_INT(dec(""), F, "empty refused");
	TAP_EQ_INT(dec(H0 "  manifest.json"), F, "missing final newline");
	TAP_EQ_INT(dec(H0 "  manifest.json\n\n"), F, "blank line refused");
	TAP_EQ_INT(dec(H0 " *manifest.json\n"), F, "binary marker refused");
	TAP_EQ_INT(dec(H0 " manifest.json\n"), F, "one space refused");
	TAP_EQ_INT(dec(H0 "  \n"), F, "empty path refused");
	// clang-format off
	TAP_EQ_INT(dec("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
	    "  manifest.json\n"), F, "upper-case hex refused");
	TAP_EQ_INT(dec("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"
	    "  manifest.json\n"), F, "63 hex digits refused");
	// clang-format on
	TAP_EQ_INT(dec(H0 "  manifest.json\r\n"), F, "CRLF refused");
	TAP_EQ_INT(dec("\\" H0 "  a\\\\b\n"), F, "escaped line refused");
	TAP_EQ_INT(dec("# comment\n"), F, "comment refused");
	TAP_EQ_INT(dec(H0 "  ../x\n"), U, "../x refused");
	TAP_EQ_INT(dec(H0 "  /etc/passwd\n"), U, "absolute path refused");
	TAP_EQ_INT(dec(H0 "  a\\b\n"), U, "backslash refused");
	TAP_EQ_INT(dec(H0 "  a\tb\n"), U, "tab refused");
	TAP_EQ_INT(dec(H0 "  caf\xe9\n"), U, "invalid UTF-8 refused");
	TAP_EQ_INT(dec(H0 "  a\n" HA "  a\n"), U, "duplicate path refused");
	{
		char buf[200];

		memcpy(buf, H0 "  a", 67);
		buf[67] = '\0';
		buf[68] = 'b';
		buf[69] = '\n';
		TAP_EQ_INT(sums_decode(buf, 70, &d), U, "NUL in path refused");
		sums_free(&d);
	}
	TAP_EQ_INT(sums_decode(text, SUMS_MAX_LEN + 1, &d), CAIRN_ERR_LIMIT,
	    "over SUMS_MAX_LEN refused before reading");
	sums_free(&d);

	/* Build-side refusals. */
	TAP_EQ_INT(
	    sums_add(&s, "a\nb", ha), CAIRN_ERR_INVAL, "add: newline refused");
	TAP_EQ_INT(sums_add(&s, "a\\b", ha), CAIRN_ERR_INVAL,
	    "add: backslash refused");
	sums_add(&s, "manifest.json", ha);
	free(text);
	TAP_EQ_INT(sums_encode(&s, &text, &len), CAIRN_ERR_INVAL,
	    "encode: duplicate refused");
	sums_free(&s);
	TAP_EQ_INT(sums_encode(&s, &text, &len), CAIRN_ERR_INVAL,
	    "encode: empty refused");
	return tap_done();
}
