/*
 * cli_json.h - the one JSON printer of the CLI's --json outputs (seal,
 * list's report, verify, open, split, share check, pubkey): objects are
 * built with jansson and printed here, pretty (2-space indent, keys in
 * insertion order) with a trailing newline.  The schemas are in
 * docs/json.md.
 *
 * Follows cli.h's convention: returns 0 or an exit code after printing.
 * Knows jansson; nothing of what the objects mean.
 */
#ifndef CAIRN_CLI_JSON_H
#define CAIRN_CLI_JSON_H

#include <jansson.h>

/*
 * Print o on standard output and flush, then release o (json_decref).
 * o == NULL (a failed json_object()) is reported as out of memory.
 * Returns 0, or an exit code after printing the error.
 */
int cli_json_print(json_t *o);

#endif
