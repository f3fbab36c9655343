/*
 * test_cio_path.c - cio_path_join(): "a/b" plus an optional suffix,
 * nothing added or removed, and NULL (not a crash) out of memory.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/cio.h"
#include "tap.h"

static void
check(const char *a, const char *b, const char *suffix, const char *want)
{
	char *p = cio_path_join(a, b, suffix);

	TAP_OK(p != NULL && strcmp(p, want) == 0,
	    "join(\"%s\", \"%s\", %s%s%s) is \"%s\" (got \"%s\")", a, b,
	    suffix ? "\"" : "", suffix ? suffix : "NULL", suffix ? "\"" : "",
	    want, p ? p : "(null)");
	free(p);
}

int
main(void)
{
	struct cairn_options o = {0, -1, 0, 0, NULL, NULL};

	check("dir", "name", NULL, "dir/name");
	check("dir", "name", "", "dir/name");
	check("/a/b", "c.cairn", ".par2", "/a/b/c.cairn.par2");
	check("", "x", NULL, "/x");
	check("d", "", NULL, "d/");
	check("d/", "sub/f", NULL, "d//sub/f");
	check(
	    ".", "recovery-1/share-01.txt", NULL, "./recovery-1/share-01.txt");

	o.fault_at = 1;
	cairn_set_options(&o);
	TAP_OK(cio_path_join("a", "b", "c") == NULL,
	    "an allocation failure gives NULL");
	cairn_set_options(NULL);
	return tap_done();
}
