/*
 * fuzz_manifest.c - libFuzzer target for the manifest.json parser
 * (manifest_decode).  Whatever decodes must encode (manifest_encode), the
 * encoding must decode again, and re-encode to the same bytes; every
 * entry must be findable by path.  Must never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/manifest.h"
#include "fuzz_util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest *m = NULL, *m2 = NULL;
	char *j1 = NULL, *j2 = NULL;
	size_t l1, l2;

	if (size > 1024 * 1024)
		return 0;
	if (manifest_decode((const char *)data, size, &m) != 0) {
		if (m != NULL)
			abort();
		return 0;
	}
	for (size_t i = 0; i < m->nentries; i++)
		if (manifest_find(m, m->entries[i].path) != &m->entries[i] ||
		    manifest_path_check(
		        m->entries[i].path, strlen(m->entries[i].path)) != 0)
			abort();
	if (manifest_encode(m, &j1, &l1) != 0)
		abort();
	if (strlen(j1) != l1 || manifest_decode(j1, l1, &m2) != 0)
		abort();
	if (m2->nentries != m->nentries || m2->nnotes != m->nnotes ||
	    m2->sealed_at != m->sealed_at || m2->has_signer != m->has_signer ||
	    memcmp(m2->archive_id, m->archive_id, MANIFEST_ID_LEN) != 0)
		abort();
	if (manifest_encode(m2, &j2, &l2) != 0 || l2 != l1 ||
	    memcmp(j1, j2, l1) != 0)
		abort();
	free(j1);
	free(j2);
	manifest_free(m);
	manifest_free(m2);
	return 0;
}
