/*
 * manifest_rules.c - the rules for the strings a manifest holds: valid
 * UTF-8 "text" and notes without control characters or display traps,
 * entry paths, "type/subtype" MIME types (manifest.h), and when a
 * manifest needs version 2.
 *
 * Knows nothing of JSON, tar, age, files or the terminal; must not know
 * how the manifest is built or checked as a whole (manifest.c).
 */
#include <stdint.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/manifest.h"
#include "manifest_impl.h"

/* ---- text, paths, MIME types ------------------------------------------- */

/* Decode the code point at s[*i] and advance; -1 when not valid UTF-8
 * (overlong, surrogate, above U+10FFFF, truncated). */
static int32_t
utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	uint32_t cp, min;
	size_t n, k;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1, cp = c & 0x1fu, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2, cp = c & 0x0fu, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3, cp = c & 0x07u, min = 0x10000;
	} else
		return -1;
	if (len - *i <= n)
		return -1;
	for (k = 1; k <= n; k++) {
		unsigned char cc = s[*i + k];

		if ((cc & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (cc & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*i += n + 1;
	return (int32_t)cp;
}

static int
is_control(int32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

/* Characters that reorder or break lines when a path is displayed. */
static int
is_display_trap(int32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x2028 || cp == 0x2029;
}

/* text_ok, with tab and line feed allowed when lines is set. */
static int
text_ok(const char *s, size_t len, size_t max, int lines)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	if (len == 0 || len > max)
		return 0;
	while (i < len) {
		int32_t cp;

		if (u[i] >= 0x20 && u[i] < 0x7f) { /* printable ASCII */
			i++;
			continue;
		}
		cp = utf8_next(u, len, &i);
		if (lines && (cp == '\t' || cp == '\n'))
			continue;
		if (cp < 0 || is_control(cp) || is_display_trap(cp))
			return 0;
	}
	return 1;
}

int
manifest_text_ok(const char *s, size_t len, size_t max)
{
	return text_ok(s, len, max, 0);
}

int
manifest_note_ok(const char *s, size_t len)
{
	return text_ok(s, len, MANIFEST_NOTE_MAX, 1);
}

int
manifest_needs_v2(const struct manifest *m)
{
	if (m->nskipped > 0)
		return 1;
	for (size_t i = 0; i < m->nnotes; i++)
		if (strpbrk(m->notes[i], "\t\n") != NULL)
			return 1;
	return 0;
}

int
manifest_path_check(const char *path, size_t len)
{
	size_t i, start = 0;

	if (!manifest_text_ok(path, len, MANIFEST_PATH_MAX))
		return CAIRN_ERR_UNSAFE;
	if (len == 1 && path[0] == '-') /* sha256sum -c: standard input */
		return CAIRN_ERR_UNSAFE;
	/* valid UTF-8 (checked above) holds the byte '\\' only as that
	 * character */
	if (memchr(path, '\\', len) != NULL)
		return CAIRN_ERR_UNSAFE;
	/* Components: non-empty, not "." or "..", at most NAME_MAX. */
	for (i = 0; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		if (i == start || i - start > MANIFEST_NAME_MAX ||
		    (i - start == 1 && path[start] == '.') ||
		    (i - start == 2 && path[start] == '.' &&
		        path[start + 1] == '.'))
			return CAIRN_ERR_UNSAFE;
		start = i + 1;
	}
	return 0;
}

/* RFC 6838 restricted-name: [A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126} */
static size_t
mime_name_len(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 127; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9');

		if (!alnum &&
		    (i == 0 || strchr("!#$&^_.+-", c) == NULL || c == '\0'))
			break;
	}
	return i;
}

int
manifest_mime_ok(const char *s, size_t len)
{
	size_t a, b;

	if (len > MANIFEST_MIME_MAX)
		return 0;
	a = mime_name_len(s, len);
	if (a == 0 || a >= len || s[a] != '/')
		return 0;
	b = mime_name_len(s + a + 1, len - a - 1);
	return b > 0 && a + 1 + b == len;
}
