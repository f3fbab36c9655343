/*
 * manifest_plain.c - a fast reader for one manifest entry in the plain
 * form cairn writes: an object of the documented keys, each once, whose
 * strings are printable ASCII without escapes and whose size is a plain
 * decimal integer.  It only ever accepts: anything else (escapes,
 * non-ASCII, exif, odd numbers, unknown or repeated keys, trailing
 * bytes) makes it answer 0 and the caller hands the text to jansson,
 * which accepts or rejects it as before.  What it accepts, jansson
 * would accept with the same values (tests/fuzz/fuzz_manifest_plain.c
 * compares the two).
 *
 * Knows the JSON grammar for that subset and the entry keys; nothing of
 * the manifest's other rules (manifest_json.c checks the fields).
 */
#include <string.h>

#include "manifest_impl.h"

#define IS_WS(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r')

static const struct {
	const char *name;
	size_t len;
} keys[MF_N] = {
    {"path", 4},
    {"type", 4},
    {"size", 4},
    {"mode", 4},
    {"mtime", 5},
    {"mime", 4},
};

/* After the opening quote at s[*i]: a plain string ends at its closing
 * quote; returns its length and moves *i past the quote, or -1. */
static long
plain_string(const char *s, size_t len, size_t *i)
{
	size_t st = *i;

	for (size_t k = st; k < len; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c == '"') {
			*i = k + 1;
			return (long)(k - st);
		}
		if (c < 0x20 || c > 0x7e || c == '\\')
			return -1;
	}
	return -1;
}

/* A plain non-negative integer of at most 18 digits (so it fits in
 * int64_t), no leading zero, not followed by a fraction or exponent. */
static int
plain_number(const char *s, size_t len, size_t *i, uint64_t *v)
{
	size_t k = *i, n = 0;

	*v = 0;
	while (k < len && s[k] >= '0' && s[k] <= '9' && n < 19) {
		*v = *v * 10 + (uint64_t)(s[k] - '0');
		k++, n++;
	}
	if (n == 0 || n > 18 || (n > 1 && s[*i] == '0') ||
	    (k < len &&
	        (s[k] == '.' || s[k] == 'e' || s[k] == 'E' ||
	            (s[k] >= '0' && s[k] <= '9'))))
		return -1;
	*i = k;
	return 0;
}

static int
key_index(const char *k, size_t n)
{
	int j;

	if (n == 5)
		j = MF_MTIME;
	else if (n != 4)
		return -1;
	else if (k[0] == 'm')
		j = k[1] == 'o' ? MF_MODE : MF_MIME;
	else
		j = k[0] == 'p' ? MF_PATH : k[0] == 't' ? MF_TYPE : MF_SIZE;
	return memcmp(k, keys[j].name, n) == 0 ? j : -1;
}

static void
skip_ws(const char *s, size_t len, size_t *i)
{
	while (*i < len && IS_WS(s[*i]))
		(*i)++;
}

/* One "key": value pair starting at s[*i]; records it in f and seen. */
static int
plain_pair(const char *s, size_t len, size_t *i, unsigned *seen,
    struct manifest_fields *f)
{
	const char *str;
	long n;
	int k;

	if (*i >= len || s[*i] != '"')
		return -1;
	(*i)++;
	str = s + *i;
	if ((n = plain_string(s, len, i)) < 0 ||
	    (k = key_index(str, (size_t)n)) < 0 || (*seen & (1u << k)))
		return -1;
	*seen |= 1u << k;
	skip_ws(s, len, i);
	if (*i >= len || s[*i] != ':')
		return -1;
	(*i)++;
	skip_ws(s, len, i);
	if (k == MF_SIZE)
		return plain_number(s, len, i, &f->size);
	if (*i >= len || s[*i] != '"')
		return -1;
	(*i)++;
	str = s + *i;
	if ((n = plain_string(s, len, i)) < 0)
		return -1;
	f->s[k] = str;
	f->len[k] = (size_t)n;
	return 0;
}

size_t
manifest_entry_plain(const char *s, size_t len, struct manifest_fields *f)
{
	const unsigned file = 1u << MF_PATH | 1u << MF_TYPE | 1u << MF_SIZE |
	    1u << MF_MODE | 1u << MF_MTIME | 1u << MF_MIME;
	const unsigned dir =
	    1u << MF_PATH | 1u << MF_TYPE | 1u << MF_MODE | 1u << MF_MTIME;
	unsigned seen = 0;
	size_t i = 0;

	memset(f, 0, sizeof *f);
	skip_ws(s, len, &i);
	if (i >= len || s[i++] != '{')
		return 0;
	for (;;) {
		skip_ws(s, len, &i);
		if (plain_pair(s, len, &i, &seen, f) != 0)
			return 0;
		skip_ws(s, len, &i);
		if (i < len && s[i] == ',') {
			i++;
			continue;
		}
		if (i < len && s[i] == '}')
			break;
		return 0;
	}
	i++;
	skip_ws(s, len, &i);
	if (seen == file && f->len[MF_TYPE] == 4 &&
	    memcmp(f->s[MF_TYPE], "file", 4) == 0)
		f->is_file = 1;
	else if (!(seen == dir && f->len[MF_TYPE] == 3 &&
	             memcmp(f->s[MF_TYPE], "dir", 3) == 0))
		return 0;
	return i;
}
