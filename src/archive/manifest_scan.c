/*
 * manifest_scan.c - one linear pass over manifest.json text before any
 * JSON parser sees it: nesting depth, a bound on the number of values
 * (and so on the memory a parser's tree takes), and where the top-level
 * "entries" array lies, so that manifest_json.c can parse the root
 * without it and each entry on its own (see manifest_impl.h).
 *
 * Knows the JSON grammar's brackets, strings and separators only; the
 * full grammar is left to jansson, which sees every byte of the text in
 * one of the parts.
 */
#include <string.h>

#include "cairn/err.h"
#include "cairn/manifest.h"
#include "manifest_impl.h"

/*
 * The most JSON values (objects, arrays, strings, numbers, literals,
 * counting each object key as one) a manifest within the documented
 * limits holds: the root with its 10 (11) keys and values, the notes,
 * every entry with its keys and values (and its exif object with its
 * own), and every skipped path with its two.  jansson builds about 100 bytes
 * of tree per value (more for objects), so a 64 MiB text of empty
 * objects made it use 4.9 GiB.
 */
#define SCAN_MAX_OBJECTS                                                       \
	(1 + 2 * (size_t)MANIFEST_MAX_ENTRIES + MANIFEST_MAX_SKIPPED)
#define SCAN_MAX_VALUES                                                        \
	(1 + 2 * ((size_t)MANIFEST_TOP_KEYS + 1) + MANIFEST_MAX_NOTES +        \
	    (size_t)MANIFEST_MAX_ENTRIES *                                     \
	        (2 + 2 * (MANIFEST_FILE_KEYS + 1) + 2 * MANIFEST_EXIF_KEYS) +  \
	    (size_t)MANIFEST_MAX_SKIPPED * (1 + 2 * 2))

struct scan {
	size_t objects, values;
	int depth, expect; /* expect: a value may start here */
	int key_next;      /* the next string at depth 1 is a key */
	int in_entries;    /* depth-1 key "entries" seen, value not yet */
	size_t key_start;
};

/* A string starting at s[i] (the quote) ends at the returned index (its
 * closing quote), or len when unterminated. */
static size_t
string_end(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i;
	}
	return len;
}

/* A depth-1 key ending at s[end]: find "entries" (written plainly: a
 * key with an escape is refused, since two spellings of one key could
 * be read differently by different parsers). */
static int
scan_key(struct scan *sc, const char *s, size_t start, size_t end,
    struct manifest_span *entries)
{
	if (memchr(s + start, '\\', end - start) != NULL)
		return CAIRN_ERR_FORMAT;
	if (end - start == 7 && memcmp(s + start, "entries", 7) == 0) {
		if (entries->end != 0 || sc->in_entries)
			return CAIRN_ERR_FORMAT; /* a duplicate key */
		sc->in_entries = 1;
	}
	return 0;
}

int
manifest_scan(
    const char *s, size_t len, int max_depth, struct manifest_span *entries)
{
	struct scan sc = {0, 0, 0, 1, 0, 0, 0};
	int rc;

	entries->start = entries->end = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		switch (c) {
		case ' ':
			while (i + 1 < len && s[i + 1] == ' ')
				i++; /* indentation */
			continue;
		case '\t':
		case '\n':
		case '\r': continue;
		case '"': {
			size_t e = string_end(s, len, i);

			if (sc.depth == 1 && sc.key_next && e < len &&
			    (rc = scan_key(&sc, s, i + 1, e, entries)) != 0)
				return rc;
			sc.key_next = 0;
			i = e;
			break;
		}
		case '{':
		case '[':
			if (++sc.depth > max_depth)
				return CAIRN_ERR_FORMAT;
			sc.objects += c == '{';
			sc.key_next = sc.depth == 1 && c == '{';
			if (sc.depth == 2 && sc.in_entries && c == '[')
				entries->start = i;
			break;
		case '}':
		case ']':
			if (sc.depth == 2 && c == ']' && sc.in_entries &&
			    entries->start != 0) {
				entries->end = i + 1;
				sc.in_entries = 0;
			}
			sc.depth--;
			sc.expect = 0;
			continue;
		case ',':
			sc.key_next = sc.depth == 1;
			sc.in_entries = sc.in_entries && entries->start != 0;
			sc.expect = 1;
			continue;
		case ':': sc.expect = 1; continue;
		default:
			if (!sc.expect)
				continue; /* inside a number or literal */
			break;
		}
		sc.expect = c == '{' || c == '[';
		if (++sc.values > SCAN_MAX_VALUES ||
		    sc.objects > SCAN_MAX_OBJECTS)
			return CAIRN_ERR_LIMIT;
	}
	if (sc.in_entries && entries->end == 0)
		entries->start = 0; /* "entries" is no array: jansson says so */
	return 0;
}

int
manifest_span_next(const char *s, const struct manifest_span *sp, size_t *pos,
    size_t *a, size_t *b)
{
	size_t i = *pos, last = sp->end - 1; /* the closing ']' */
	int depth = 0;

	if (i == 0) { /* first call: an empty array has no element */
		i = sp->start + 1;
		while (i < last && strchr(" \t\n\r", s[i]) != NULL)
			i++;
		if (i == last) {
			*pos = sp->end;
			return 0;
		}
	}
	if (i >= sp->end)
		return 0;
	*a = i;
	for (; i < last; i++) {
		char c = s[i];

		if (c == '"')
			i = string_end(s, last, i);
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		else if (c == ',' && depth == 0)
			break;
	}
	*b = i;
	*pos = i + 1;
	return 1;
}
