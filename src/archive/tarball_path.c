/*
 * tarball_path.c - the entry-name rules of cairn's tar archives (see
 * tarball_path_syntax() in tarball.h): relative, no "." or "..", no
 * backslash, strict UTF-8, no control or bidi-override characters.
 *
 * Pure byte checks: knows nothing of libarchive, locales or files.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cairn/err.h"
#include "tarball.h"

/*
 * Decode one UTF-8 sequence at s (n bytes available).  Returns its length
 * and stores the code point, or 0 when the sequence is malformed,
 * overlong, a surrogate or beyond U+10FFFF.
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0; /* continuation byte, 0xc0/0xc1 or 0xf5.. */
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

size_t
tarball_utf8_len(const char *s, size_t n)
{
	uint32_t cp;

	return n == 0 ? 0 : utf8_decode((const unsigned char *)s, n, &cp);
}

/* Code points refused in names (see tarball.h). */
static int
forbidden_cp(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 ||
	    c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069);
}

int
tarball_path_syntax(const char *path, const char **why)
{
	const unsigned char *s = (const unsigned char *)path;
	const char *reason = NULL;
	size_t len, i, comp_start = 0;

	if (path == NULL || path[0] == '\0') {
		reason = "empty name";
		goto out;
	}
	len = strlen(path);
	if (len > TARBALL_PATH_MAX) {
		reason = "name too long";
		goto out;
	}
	if (strcmp(path, "-") == 0) {
		/* a SHA256SUMS line naming "-" makes sha256sum -c read
		 * standard input */
		reason = "name '-' (sha256sum -c reads it as standard input)";
		goto out;
	}
	if (path[0] == '/') {
		reason = "absolute path";
		goto out;
	}
	for (i = 0; i <= len;) {
		uint32_t cp;
		size_t n;

		if (i == len || s[i] == '/') {
			size_t clen = i - comp_start;

			if (clen == 0) {
				reason = i == len ? "trailing '/'"
				                  : "empty path component";
				goto out;
			}
			if (clen == 1 && s[comp_start] == '.') {
				reason = "'.' path component";
				goto out;
			}
			if (clen == 2 && s[comp_start] == '.' &&
			    s[comp_start + 1] == '.') {
				reason = "'..' path component";
				goto out;
			}
			if (clen > TARBALL_NAME_MAX) {
				reason = "path component too long";
				goto out;
			}
			i++;
			comp_start = i;
			continue;
		}
		if (s[i] == '\\') {
			reason = "backslash in name";
			goto out;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			reason = "name is not valid UTF-8";
			goto out;
		}
		if (forbidden_cp(cp)) {
			reason = "control character in name";
			goto out;
		}
		i += n;
	}
out:
	if (why != NULL)
		*why = reason;
	return reason == NULL ? 0 : CAIRN_ERR_UNSAFE;
}
