/*
 * manifest_mut.h - fixtures shared by the manifest unit tests: the
 * common head of their known manifest texts and the manifest it encodes
 * from (manifest_fixture()), and manifest_mutated(), which decodes a
 * known text with one substring replaced and reports what
 * manifest_decode() returned (999 when its output did not match its
 * return value).  Included by one file per test program.
 */
#ifndef CAIRN_MANIFEST_MUT_H
#define CAIRN_MANIFEST_MUT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/manifest.h"

/* The lines every known text starts with, up to "signer_key_id" (an
 * unsigned manifest made by manifest_fixture()); version is 1 or 2. */
#define MANIFEST_FIXTURE_HEAD(version)                                         \
	"{\n"                                                                  \
	"  \"format\": \"cairn-archive\",\n"                                   \
	"  \"version\": " #version ",\n"                                       \
	"  \"archive_id\": \"00112233445566778899aabbccddeeff\",\n"            \
	"  \"sealed_at\": \"2026-11-28T21:30:00Z\",\n"                         \
	"  \"tool\": \"cairn 0.1.0\",\n"                                       \
	"  \"signer\": null,\n"                                                \
	"  \"signer_key_id\": null,\n"

/* A new manifest with the tool, archive id and sealing time of
 * MANIFEST_FIXTURE_HEAD (aborts when out of memory). */
static __attribute__((unused)) struct manifest *
manifest_fixture(void)
{
	struct manifest *m = NULL;

	if (manifest_new(&m) != 0)
		abort();
	free(m->tool);
	if ((m->tool = strdup("cairn 0.1.0")) == NULL)
		abort();
	memcpy(m->archive_id,
	    "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff",
	    16);
	if (manifest_time_parse("2026-11-28T21:30:00Z", 20, &m->sealed_at) != 0)
		abort();
	return m;
}

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
