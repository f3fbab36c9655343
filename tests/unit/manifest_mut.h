/*
 * manifest_mut.h - shared by the manifest unit tests: decode a known
 * manifest text with one substring replaced, and report what
 * manifest_decode() returned (999 when its output did not match its
 * return value).  Included by one file per test program.
 */
#ifndef CAIRN_MANIFEST_MUT_H
#define CAIRN_MANIFEST_MUT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/manifest.h"

/* Decode text with the first occurrence of from replaced by to. */
static int
manifest_mutated(const char *text, const char *from, const char *to)
{
	struct manifest *m = NULL;
	const char *p = strstr(text, from);
	size_t pre, len;
	char *buf;
	int rc;

	if (p == NULL) {
		fprintf(stderr, "# no \"%s\" in the text\n", from);
		abort();
	}
	pre = (size_t)(p - text);
	len = strlen(text) - strlen(from) + strlen(to);
	buf = malloc(len + 1);
	memcpy(buf, text, pre);
	memcpy(buf + pre, to, strlen(to));
	strcpy(buf + pre + strlen(to), p + strlen(from));
	rc = manifest_decode(buf, len, &m);
	if ((rc == 0) != (m != NULL))
		rc = 999; /* out must be set exactly on success */
	manifest_free(m);
	free(buf);
	return rc;
}

#endif
