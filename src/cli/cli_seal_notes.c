/*
 * cli_seal_notes.c - `cairn seal --case`, `-m` and `--note-file`: the
 * case label and notes put into the manifest, with their usage errors.
 *
 * Knows manifest.h and cio's file reading; nothing of sealing itself.
 */
#include <stdio.h>
#include <string.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/manifest.h"
#include "cli.h"
#include "cli_seal_after.h"

int
cli_seal_add_notes(const char *case_label, const char *const *notes,
    size_t nnotes, const char *const *notefiles, size_t nnotefiles,
    struct manifest *m)
{
	char *text = NULL;
	size_t len = 0;
	int rc, ec = 0;

	// clang-format off
	if (case_label != NULL && manifest_set_case(m, case_label) != 0)
		return cli_usage_error("seal", "--case: must be 1..%d bytes of UTF-8 text without control characters", MANIFEST_CASE_MAX);
	// clang-format on
	// clang-format off
	for (size_t i = 0; i < nnotes; i++)
		if ((rc = manifest_add_note(m, notes[i])) != 0)
			return rc == CAIRN_ERR_NOMEM
			    ? cli_fail(rc, "note")
			    : cli_usage_error("seal", "-m: a note must be 1..%d bytes of UTF-8 text, without control characters but tabs and line breaks (at most %d notes)", MANIFEST_NOTE_MAX, MANIFEST_MAX_NOTES);
	// clang-format on
	for (size_t i = 0; ec == 0 && i < nnotefiles; i++) {
		const char *f = notefiles[i];
		size_t line = 1;

		if (strcmp(f, "-") == 0 &&
		    (ec = cli_claim_stdin("a note file")) != 0)
			break;
		rc = cio_read_file(f,
		    MANIFEST_MAX_NOTES * (MANIFEST_NOTE_MAX + 2), 0, &text,
		    &len);
		if (rc != 0) {
			ec = cli_fail(rc, "%s", f);
			break;
		}
		for (char *p = text, *e; ec == 0 && p < text + len;
		     p = e + 1, line++) {
			if ((e = memchr(p, '\n', (size_t)(text + len - p))) ==
			    NULL)
				e = text + len;
			if (e > p && e[-1] == '\r')
				e[-1] = '\0';
			*e = '\0';
			if (*p == '\0')
				continue;
			// clang-format off
			if ((rc = manifest_add_note(m, p)) != 0)
				ec = cli_usage_error("seal", "%s:%zu: not a valid note (UTF-8 text, at most %d bytes per line, at most %d notes)", f, line, MANIFEST_NOTE_MAX, MANIFEST_MAX_NOTES);
			// clang-format on
		}
		cio_secret_free(text, len);
		text = NULL;
	}
	return ec;
}
