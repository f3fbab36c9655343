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
/* --json given; an object printed since cli_json_begin(); its subject;
 * one object per line. */
static int json_errors, json_printed, json_compact;
static const char *subject_key, *subject;

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
	json_printed = 1;
	rc = json_dump_callback(o, dump_write, &d,
	    (json_compact ? JSON_COMPACT : JSON_INDENT(2)) |
	        JSON_PRESERVE_ORDER);
	json_decref(o);
	if (rc != 0 || d.failed || dump_write("\n", 1, &d) != 0) {
		cio_membuf_free(&d.m);
		return cli_fail(CAIRN_ERR_NOMEM, "JSON output");
	}
	fwrite(d.m.data, 1, d.m.len, stdout);
	cio_membuf_free(&d.m);
	return cli_flush_stdout();
}

void
cli_json_errors_on(void)
{
	json_errors = 1;
}

void
cli_json_lines(int on)
{
	json_compact = on;
}

void
cli_json_begin(const char *key, const char *value)
{
	json_printed = 0;
	subject_key = key;
	subject = value;
	cli_messages_reset();
}

/* A string member, or null when s is NULL, empty or not UTF-8. */
static json_t *
string_or_null(const char *s)
{
	json_t *v = s != NULL && *s != '\0' ? json_string(s) : NULL;

	return v != NULL ? v : json_null();
}

int
cli_json_end(int ec)
{
	json_t *o;

	if (!json_errors || ec == 0 || ec == CLI_EXIT_PIPE || json_printed)
		return ec;
	if ((o = json_object()) == NULL)
		return ec;
	if (subject_key != NULL)
		cli_json_set(o, subject_key, string_or_null(subject));
	cli_json_set(o, "ok", json_false());
	cli_json_set(o, "exit_code", json_integer(ec));
	cli_json_set(o, "error",
	    cli_last_error()[0] != '\0' ? string_or_null(cli_last_error())
	                                : json_string("failed"));
	cli_json_set(o, "hint", string_or_null(cli_last_hint()));
	cli_json_print(o);
	return ec;
}
