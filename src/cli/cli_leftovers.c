/*
 * cli_leftovers.c - noticing what an interrupted run left beside a
 * destination.  After SIGKILL or a power loss no cleanup runs: open's
 * staging directory ".DIR.cairn-XXXXXX" (verified plaintext) or an
 * output's temp file ".NAME.XXXXXX" stays, and nothing else would ever
 * mention it.  cairn says where it is and how to remove it; it never
 * removes it on its own (a cairn still running may own it).
 *
 * Knows only the names cio.c and extract.c give their temporaries.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/cio.h"
#include "cli.h"

/* Bytes of the name kept in a staging directory's name (extract.c). */
#define STAGE_NAME_KEEP 200

/* 1 when s is 6 characters of [a-z0-9] (the random part). */
static int
random_part(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return i == 6;
}

/* 1 when name is "." base(at most keep bytes) infix XXXXXX. */
static int
leftover_name(
    const char *name, const char *base, size_t keep, const char *infix)
{
	size_t n = strlen(base), k = n < keep ? n : keep, m = strlen(infix);

	return name[0] == '.' && strncmp(name + 1, base, k) == 0 &&
	    strncmp(name + 1 + k, infix, m) == 0 &&
	    random_part(name + 1 + k + m);
}

int
cli_leftovers_warn(const char *dest, int staging)
{
	const char *slash = strrchr(dest, '/'), *base;
	char dir[4096], path[8192];
	struct dirent *d;
	struct stat st;
	DIR *dp;
	int found = 0;

	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
		base = dest;
	} else {
		snprintf(
		    dir, sizeof(dir), "%.*s", (int)(slash - dest + 1), dest);
		base = slash + 1;
	}
	if (*base == '\0' || (dp = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		if (!(staging
		            ? leftover_name(
		                  d->d_name, base, STAGE_NAME_KEEP, ".cairn-")
		            : leftover_name(d->d_name, base, (size_t)-1, ".")))
			continue;
		snprintf(path, sizeof(path), "%s%s%s",
		    slash != NULL ? "" : "./", slash != NULL ? dir : "",
		    d->d_name);
		if (lstat(path, &st) != 0 || st.st_uid != geteuid() ||
		    !(staging ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)))
			continue;
		found++;
		// clang-format off
		cli_warn("%s: left by an interrupted cairn run (killed or a power loss); it may hold plaintext", path);
		cli_hint("unless a cairn is still running there, remove it: rm -rf -- %s", cli_sh(path));
		// clang-format on
	}
	closedir(dp);
	return found;
}
