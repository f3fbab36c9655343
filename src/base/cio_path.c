/*
 * cio_path.c - cio_path_join(): the one "dir/name" join of the library
 * and the CLI (see cio.h).
 *
 * Knows only strings; nothing of files, archives or the terminal.
 */
#include <stdint.h>
#include <string.h>

#include "cairn/cio.h"

char *
cio_path_join(const char *a, const char *b, const char *suffix)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t ls = suffix != NULL ? strlen(suffix) : 0;
	char *p;

	if (la > SIZE_MAX - 2 - lb || ls > SIZE_MAX - 2 - la - lb)
		return NULL;
	if ((p = cio_malloc(la + lb + ls + 2)) == NULL)
		return NULL;
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb);
	if (ls > 0)
		memcpy(p + la + 1 + lb, suffix, ls);
	p[la + 1 + lb + ls] = '\0';
	return p;
}
