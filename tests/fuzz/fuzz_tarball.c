/*
 * fuzz_tarball.c - libFuzzer target for the hardened tar reader
 * (tarball.h) over arbitrary bytes, through a short-read source.  Every
 * entry handed out must obey the documented rules (name passes
 * tarball_path_syntax(), file or directory, mode & 0777, directories
 * without data), the data read must match the announced size, the entry
 * count must stay within the limit, and the error text must hold no
 * control characters.  Must never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "fuzz_util.h"
#include "tarball.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tarball_reader *r = NULL;
	struct tarball_entry e;
	struct fz_src s;
	struct cio_source src = {.read = fz_src_read, .ctx = &s};
	static uint8_t buf[70000];
	size_t entries = 0;
	int rc;

	if (size > 4 * 1024 * 1024)
		return 0;
	fz_src_init(&s, data, size, (uint32_t)size | 1);
	if (tarball_reader_new(&r, &src) != 0)
		abort();
	while ((rc = tarball_next(r, &e)) == 0) {
		uint64_t got = 0;
		ssize_t n;
		size_t want = 1 + (entries * 977) % sizeof buf;

		entries++;
		if (entries > TARBALL_MAX_ENTRIES ||
		    tarball_path_syntax(e.path, NULL) != 0 ||
		    (e.type != TARBALL_FILE && e.type != TARBALL_DIR) ||
		    (e.mode & ~0777u) != 0 ||
		    (e.type == TARBALL_DIR && e.size != 0))
			abort();
		/* Read only some entries' data: skipping must work too. */
		if (entries % 3 == 2)
			continue;
		while ((n = tarball_read_data(r, buf, want)) > 0) {
			if ((size_t)n > want)
				abort();
			got += (uint64_t)n;
		}
		if (n == 0 && got != e.size)
			abort();
		if (n < 0)
			break;
	}
	if (rc == 1 && tarball_next(r, &e) != 1)
		abort(); /* the end is sticky */
	for (const char *p = tarball_reader_error(r); *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	tarball_reader_free(r);
	return 0;
}
