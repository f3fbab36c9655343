/*
 * test_manifest_budget.c - manifest_decode() against hostile sizes and
 * shapes (issue 13, findings 3-4): a text at the size cap made only of
 * empty objects or tiny values is refused as too large before a tree is
 * built (bounded memory), deep paths are checked in linear time, and the
 * entries are parsed one at a time with every separator still checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cairn/err.h"
#include "cairn/manifest.h"
#include "tap.h"

static const char head[] =
    "{\"format\":\"cairn-archive\",\"version\":1,"
    "\"archive_id\":\"00112233445566778899aabbccddeeff\","
    "\"sealed_at\":\"2026-11-28T21:30:00Z\",\"tool\":\"cairn 0.1.0\","
    "\"signer\":null,\"signer_key_id\":null,\"case\":null,\"notes\":[],"
    "\"entries\":";

static const char dir_a[] = "{\"path\":\"a\",\"type\":\"dir\",\"mode\":"
                            "\"0755\",\"mtime\":\"2026-11-27T10:00:00Z\"}";

/* decode head + entries + tail; the manifest is freed. */
static int
decode(const char *entries, const char *tail)
{
	size_t n = strlen(head) + strlen(entries) + strlen(tail) + 1;
	char *t = malloc(n);
	struct manifest *m = NULL;
	int rc;

	snprintf(t, n, "%s%s%s", head, entries, tail);
	rc = manifest_decode(t, strlen(t), &m);
	manifest_free(m);
	free(t);
	return rc;
}

static long
peak_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A text of total size bytes: head, "[", then unit repeated, "]}". */
static char *
filled(const char *unit, size_t size, size_t *len)
{
	size_t u = strlen(unit), o = strlen(head);
	char *t = malloc(size + 8);

	memcpy(t, head, o);
	t[o++] = '[';
	while (o + u + 3 < size) {
		memcpy(t + o, unit, u);
		o += u;
	}
	if (t[o - 1] == ',')
		o--;
	memcpy(t + o, "]}", 2);
	*len = o + 2;
	return t;
}

static void
test_budget(void)
{
	static const char *units[] = {"{},", "0,", "\"\",", "[],"};
	struct manifest *m = NULL;
	long before = peak_kib();

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t len;
		char *t = filled(units[i], MANIFEST_MAX_LEN - 1, &len);

		int rc = manifest_decode(t, len, &m);

		TAP_OK(rc == CAIRN_ERR_LIMIT,
		    "a 64 MiB manifest of entries '%s' is too large (%d)",
		    units[i], rc);
		manifest_free(m);
		m = NULL;
		free(t);
	}
	/* Before the bound, 64 MiB of empty objects took 4.9 GiB. */
#ifdef __SANITIZE_ADDRESS__
	tap_skip("peak RSS under ASan is its shadow memory and quarantine");
	(void)before;
#else
	TAP_OK(peak_kib() - before < 256 * 1024,
	    "peak RSS grew by %ld KiB (< 256 MiB)", peak_kib() - before);
#endif
}

/* Entries parsed one by one: every separator is still checked. */
static void
test_split(void)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "[%s]", dir_a);
	TAP_EQ_INT(decode(buf, "}"), 0, "one entry decodes");
	TAP_EQ_INT(decode("[]", "}"), 0, "no entries decode");
	TAP_EQ_INT(decode(" [ \n ] ", "}"), 0, "[ ] with blanks decodes");
	snprintf(buf, sizeof(buf), "[%s,]", dir_a);
	TAP_EQ_INT(decode(buf, "}"), CAIRN_ERR_FORMAT, "trailing comma");
	snprintf(buf, sizeof(buf), "[,%s]", dir_a);
	TAP_EQ_INT(decode(buf, "}"), CAIRN_ERR_FORMAT, "leading comma");
	snprintf(buf, sizeof(buf), "[%s %s]", dir_a, dir_a);
	TAP_EQ_INT(decode(buf, "}"), CAIRN_ERR_FORMAT, "missing comma");
	snprintf(buf, sizeof(buf), "[%s,,%s]", dir_a, dir_a);
	TAP_EQ_INT(decode(buf, "}"), CAIRN_ERR_FORMAT, "double comma");
	snprintf(buf, sizeof(buf), "[%s],\"entries\":[]", dir_a);
	TAP_EQ_INT(decode(buf, "}"), CAIRN_ERR_FORMAT, "entries twice");
	snprintf(buf, sizeof(buf), "[],\"entri\\u0065s\":[%s]", dir_a);
	TAP_EQ_INT(
	    decode(buf, "}"), CAIRN_ERR_FORMAT, "a key written with an escape");
	TAP_EQ_INT(decode("\"x\"", "}"), CAIRN_ERR_FORMAT, "entries a string");
	TAP_EQ_INT(decode("{}", "}"), CAIRN_ERR_FORMAT, "entries an object");
	snprintf(buf, sizeof(buf), "[%s]", dir_a);
	TAP_EQ_INT(decode(buf, ""), CAIRN_ERR_FORMAT, "unterminated root");
	TAP_EQ_INT(decode(buf, "}}"), CAIRN_ERR_FORMAT, "trailing brace");
	snprintf(buf, sizeof(buf), "[%s", dir_a);
	TAP_EQ_INT(decode(buf, "}"), CAIRN_ERR_FORMAT, "unterminated array");
	TAP_EQ_INT(
	    decode("[{\"path\":\"a,]}[{\\\"b\",\"type\":\"dir\","
	           "\"mode\":\"0755\",\"mtime\":\"2026-11-27T10:00:00Z\"}]",
	        "}"),
	    0, "brackets, commas and quotes inside a string");
}

/* Seconds of CPU to decode n entries with paths of about plen bytes made
 * of components of comp bytes. */
static double
decode_seconds(size_t n, size_t comp, size_t plen)
{
	size_t cap = strlen(head) + n * (plen + 200) + 16, o;
	char *t = malloc(cap);
	struct manifest *m = NULL;
	clock_t c0;
	int rc;

	o = (size_t)snprintf(t, cap, "%s[", head);
	for (size_t i = 0; i < n; i++) {
		size_t start;

		o += (size_t)snprintf(
		    t + o, cap - o, "%s{\"path\":\"", i > 0 ? "," : "");
		start = o;
		while (o - start + comp + 1 < plen - 8) {
			memset(t + o, 'a', comp);
			t[o + comp] = '/';
			o += comp + 1;
		}
		o += (size_t)snprintf(t + o, cap - o, "f%zu", i);
		o += (size_t)snprintf(t + o, cap - o,
		    "\",\"type\":\"file\",\"size\":0,\"mode\":\"0644\","
		    "\"mtime\":\"2026-11-27T10:00:00Z\",\"mime\":\"text/"
		    "plain\"}");
	}
	o += (size_t)snprintf(t + o, cap - o, "]}");
	c0 = clock();
	rc = manifest_decode(t, o, &m);
	manifest_free(m);
	free(t);
	return rc == 0 ? (double)(clock() - c0) / CLOCKS_PER_SEC : 1e9;
}

static void
test_deep(void)
{
	double deep = decode_seconds(4000, 1, 4090);
	double flat = decode_seconds(4000, 200, 4090);

	/* Quadratic before: 3.5 s against 0.4 s (issue 13, finding 4). */
	TAP_OK(deep < 3 * flat + 0.05,
	    "4,000 paths of 2,040 components: %.3f s CPU, shallow: %.3f s",
	    deep, flat);
}

int
main(void)
{
	test_split();
	test_deep();
	test_budget();
	return tap_done();
}
