/*
 * cli_json.c - printing the --json outputs (see cli_json.h).
 *
 * Knows jansson and stdout; nothing of what the objects mean.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cairn_err.h"
#include "cli.h"
#include "cli_json.h"

int
cli_json_print(json_t *o)
{
	char *txt;

	if (o == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "JSON output");
	txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (txt == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "JSON output");
	printf("%s\n", txt);
	free(txt);
	return cli_flush_stdout();
}
