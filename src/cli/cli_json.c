/*
 * cli_json.c - printing the --json outputs (see cli_json.h).
 *
 * Knows jansson and stdout; nothing of what the objects mean.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cli.h"
#include "cli_json.h"

/* A cli_json_set()/cli_json_append() failed since the last print. */
static int json_incomplete;

void
cli_json_set(json_t *o, const char *key, json_t *v)
{
	if (json_object_set_new(o, key, v) != 0)
		json_incomplete = 1;
}

void
cli_json_append(json_t *array, json_t *v)
{
	if (json_array_append_new(array, v) != 0)
		json_incomplete = 1;
}

/* json_dump_callback() sink that notes a failure: jansson 2.14 ignores
 * one while it writes an object key and goes on without the key. */
struct dump {
	struct cio_membuf m;
	int failed;
};

static int
dump_write(const char *buf, size_t len, void *ctx)
{
	struct dump *d = ctx;

	if (cio_membuf_write(&d->m, (const uint8_t *)buf, len) != 0) {
		d->failed = 1;
		return -1;
	}
	return 0;
}

int
cli_json_print(json_t *o)
{
	struct dump d = {{NULL, 0, 0, 0}, 0};
	int incomplete = json_incomplete, rc;

	json_incomplete = 0;
	if (o == NULL || incomplete) {
		json_decref(o);
		return cli_fail(CAIRN_ERR_NOMEM, "JSON output");
	}
	rc = json_dump_callback(
	    o, dump_write, &d, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (rc != 0 || d.failed || dump_write("\n", 1, &d) != 0) {
		cio_membuf_free(&d.m);
		return cli_fail(CAIRN_ERR_NOMEM, "JSON output");
	}
	fwrite(d.m.data, 1, d.m.len, stdout);
	cio_membuf_free(&d.m);
	return cli_flush_stdout();
}
