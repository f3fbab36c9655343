/*
 * cli_exif.c - the EXIF fields of a manifest as list, verify and open
 * show them (see cli_exif.h).  The values come from a possibly hostile
 * archive, but manifest_decode() has checked them (meta_exif_check():
 * printable ASCII, fixed forms), so they are printed as they are.
 *
 * Knows manifest.h, meta.h and jansson; nothing of archives or keys.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cairn/manifest.h"
#include "cairn/meta.h"
#include "cli_exif.h"
#include "cli_json.h"

/* Print s after the separator the previous piece needs. */
static void
piece(int *n, const char *s)
{
	printf("%s%s", *n > 0 ? ", " : "", s);
	(*n)++;
}

void
cli_exif_print_row(const struct meta_exif *x)
{
	int n = 0;

	printf("%38s  exif: ", "");
	if (x->status == META_EXIF_DAMAGED)
		piece(&n, "DAMAGED (libexif reported corrupt data)");
	if (x->taken_at[0] != '\0') {
		piece(&n, "taken ");
		printf("%s%s", x->taken_at,
		    x->taken_offset[0] != '\0'
		        ? x->taken_offset
		        : " (camera clock, zone unknown)");
	}
	if (x->make[0] != '\0' || x->model[0] != '\0') {
		piece(&n, x->make);
		printf("%s%s",
		    x->make[0] != '\0' && x->model[0] != '\0' ? " " : "",
		    x->model);
	}
	if (meta_exif_has_gps(x)) {
		piece(&n, "GPS ");
		printf("%s,%s", x->gps_latitude, x->gps_longitude);
	}
	if (n == 0)
		printf("no fields cairn records");
	printf("\n");
}

void
cli_exif_print_summary(const struct manifest *m, const char *label)
{
	size_t with = 0, gps = 0;

	for (size_t i = 0; i < m->nentries; i++) {
		with += m->entries[i].exif != NULL;
		gps += meta_exif_has_gps(m->entries[i].exif);
	}
	if (with == 0)
		return;
	// clang-format off
	printf("%s%zu %s with EXIF, %zu with a GPS position%s\n", label, with, with == 1 ? "file" : "files", gps,
	    gps > 0 ? " (anyone who can open the archive sees where those were taken)" : "");
	// clang-format on
}

static json_t *
exif_object(const struct manifest_entry *e)
{
	static const struct {
		const char *key;
		size_t off;
	} f[] = {
	    {"taken_at", offsetof(struct meta_exif, taken_at)},
	    {"taken_offset", offsetof(struct meta_exif, taken_offset)},
	    {"make", offsetof(struct meta_exif, make)},
	    {"model", offsetof(struct meta_exif, model)},
	    {"gps_latitude", offsetof(struct meta_exif, gps_latitude)},
	    {"gps_longitude", offsetof(struct meta_exif, gps_longitude)},
	    {"gps_time", offsetof(struct meta_exif, gps_time)},
	};
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	cli_json_set(o, "path", json_string(e->path));
	cli_json_set(o, "status",
	    json_string(e->exif->status == META_EXIF_OK ? "ok" : "damaged"));
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		const char *v = (const char *)e->exif + f[i].off;

		cli_json_set(
		    o, f[i].key, v[0] != '\0' ? json_string(v) : json_null());
	}
	return o;
}

json_t *
cli_exif_json(const struct manifest *m)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < m->nentries; i++)
		if (m->entries[i].exif != NULL)
			cli_json_append(a, exif_object(&m->entries[i]));
	return a;
}
