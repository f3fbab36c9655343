/*
 * fuzz_manifest_plain.c - libFuzzer target comparing the fast reader of
 * plain manifest entries (manifest_entry_plain, manifest_plain.c) with
 * jansson: whatever the fast reader accepts, jansson must parse (with
 * duplicate keys refused, as manifest_decode() does) to an object with
 * the same keys and values, and the fast reader must stay within the
 * input.  What it declines is jansson's to decide, as before.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest_impl.h"
#include "fuzz_util.h"

/* Abort unless key in o is the string s[0..len). */
static void
same_string(const json_t *o, const char *key, const char *s, size_t len)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || json_string_length(v) != len ||
	    memcmp(json_string_value(v), s, len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[MF_N] = {
	    "path", "type", "size", "mode", "mtime", "mime"};
	struct manifest_fields f;
	const json_t *sz;
	json_error_t err;
	json_t *o;
	size_t n;

	if ((n = manifest_entry_plain((const char *)data, size, &f)) == 0)
		return 0;
	if (n > size)
		abort();
	o = json_loadb((const char *)data, n, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL || !json_is_object(o) ||
	    json_object_size(o) != (f.is_file ? 6u : 4u))
		abort();
	for (int k = 0; k < MF_N; k++) {
		if (k == MF_SIZE || (k == MF_MIME && !f.is_file))
			continue;
		same_string(o, names[k], f.s[k], f.len[k]);
	}
	same_string(o, "type", f.is_file ? "file" : "dir", f.is_file ? 4 : 3);
	sz = json_object_get(o, "size");
	if (f.is_file ? !json_is_integer(sz) ||
	            json_integer_value(sz) != (json_int_t)f.size
	              : sz != NULL || f.s[MF_MIME] != NULL)
		abort();
	json_decref(o);
	return 0;
}
