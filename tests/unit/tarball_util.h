/*
 * tarball_util.h - what test_tarball.c and test_tarball_writer.c share:
 * the includes and a memmem-style contains().  Test-only.
 */
#ifndef CAIRN_TEST_TARBALL_UTIL_H
#define CAIRN_TEST_TARBALL_UTIL_H

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "tap.h"
#include "tar_craft.h"
#include "tarball.h"

static int
contains(const struct cio_membuf *m, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i + n <= m->len; i++)
		if (memcmp(m->data + i, s, n) == 0)
			return 1;
	return 0;
}

#endif
