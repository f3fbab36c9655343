/*
 * cli_quote.c - quoting a path for a shell command shown in a hint
 * ("remove it: rm -rf -- PATH"), so that copying the hint into a POSIX
 * shell acts on exactly that path, whatever quotes, spaces or $ it holds.
 *
 * Knows nothing but bytes; printing (and escaping control bytes) stays
 * with cli_hint().
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define SLOTS    4
#define SLOT_LEN 8192

/* 1 when c needs no quoting in a POSIX shell word. */
static int
plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("_./:@%+=,-", c) != NULL ||
	    c >= 0x80;
}

const char *
cli_sh(const char *s)
{
	static char buf[SLOTS][SLOT_LEN];
	static unsigned next;
	char *out = buf[next++ % SLOTS];
	size_t n = 0, i;
	int quote = s[0] == '\0' || s[0] == '-' || s[0] == '=';

	for (i = 0; s[i] != '\0' && !quote; i++)
		quote = !plain((unsigned char)s[i]);
	if (!quote)
		return s;
	out[n++] = '\'';
	for (i = 0; s[i] != '\0' && n + 6 < SLOT_LEN; i++) {
		if (s[i] == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else
			out[n++] = s[i];
	}
	out[n++] = '\'';
	out[n] = '\0';
	return out;
}
