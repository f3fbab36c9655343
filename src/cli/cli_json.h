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
 * o == NULL (a failed json_object()), or a failed cli_json_set() or
 * cli_json_append() since the last call, is reported as out of memory.
 * Returns 0, or an exit code after printing the error.
 */
int cli_json_print(json_t *o);

/*
 * json_object_set_new() / json_array_append_new() that remember a
 * failure (out of memory, or a NULL value from a failed json_string()
 * etc.): the next cli_json_print() then reports out of memory instead of
 * printing an object with members missing.  Both take ownership of v.
 */
void cli_json_set(json_t *o, const char *key, json_t *v);
void cli_json_append(json_t *array, json_t *v);

#endif
