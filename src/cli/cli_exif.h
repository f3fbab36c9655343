/*
 * cli_exif.h - how list, verify and open show the EXIF fields a
 * manifest records (docs/json.md, docs/threat-model.md): a short line
 * under a photo in `cairn list`, a count with the GPS warning, and the
 * "exif" array of verify --json.
 *
 * Knows manifest.h, meta.h and jansson; prints to standard output only.
 */
#ifndef CAIRN_CLI_EXIF_H
#define CAIRN_CLI_EXIF_H

#include <jansson.h>

#include "cairn/manifest.h"
#include "cairn/meta.h"

/* list: the short form of one file's EXIF, indented under its row. */
void cli_exif_print_row(const struct meta_exif *x);

/* "LABEL N files with EXIF, K with a GPS position (...)\n"; nothing when
 * no file records EXIF.  label is printed first, as given. */
void cli_exif_print_summary(const struct manifest *m, const char *label);

/* verify --json's "exif": one object per file with EXIF, in manifest
 * order ({"path", "status", and the fields, null when absent}); a new
 * reference, or NULL when out of memory. */
json_t *cli_exif_json(const struct manifest *m);

#endif
