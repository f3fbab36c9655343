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

/*
 * Error objects.  main() calls cli_json_errors_on() when the command line
 * holds --json; a command that then fails without having printed its
 * object prints {"ok": false, "exit_code": N, "error": "...", "hint": ...}
 * instead (docs/json.md), with subject_key first when set.
 * cli_json_begin() starts one object's worth of output (verify and list
 * call it per archive; subject_key/subject may be NULL); cli_json_end()
 * prints the error object if ec != 0 and nothing was printed since, and
 * returns ec.  Exit 141 (closed stdout) prints nothing.
 */
void cli_json_errors_on(void);
void cli_json_begin(const char *subject_key, const char *subject);
int cli_json_end(int ec);
/* Print each object on one line (JSON Lines: several archives). */
void cli_json_lines(int on);

#endif
