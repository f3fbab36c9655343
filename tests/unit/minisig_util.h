/*
 * minisig_util.h - text helpers shared by test_minisig.c and
 * test_minisig_keys.c: find a line, copy a text, replace a substring.
 * Test-only; each program gets its own copy of the statics.
 */
#ifndef CAIRN_TEST_MINISIG_UTIL_H
#define CAIRN_TEST_MINISIG_UTIL_H

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/minisig.h"
#include "tap.h"

/* Find the start of line n (0-based) in text. */
static char *
line_at(char *text, int n)
{
	while (n-- > 0) {
		text = strchr(text, '\n');
		if (text == NULL)
			return NULL;
		text++;
	}
	return text;
}

static char *
dup_text(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

/* Replace the first occurrence of from (same length as to). */
static char *
replaced(const char *s, const char *from, const char *to)
{
	char *d = dup_text(s), *p = strstr(d, from);

	if (p == NULL || strlen(from) != strlen(to))
		abort();
	memcpy(p, to, strlen(to));
	return d;
}

#endif
