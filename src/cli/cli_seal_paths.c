/*
 * cli_seal_paths.c - mistakes in seal's PATH arguments caught before
 * planning: an archive given first, tar-style ("seal old.cairn
 * evidence/", which would seal the old archive into the new one), and
 * a top-level symbolic link to a directory (skipped like every link;
 * "Evidence/" seals what it points to).  See cli_seal_out.h.
 *
 * Knows the file system and age_is_encrypted(); nothing of sealing.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/age.h"
#include "cli.h"
#include "cli_seal_out.h"

/* 1 when path is a regular file that starts like an age file. */
static int
is_age_file(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return 0;
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
	    ? read(fd, buf, sizeof(buf))
	    : -1;
	close(fd);
	return n > 0 && age_is_encrypted(buf, (size_t)n);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

// clang-format off
int
cli_seal_check_paths(char *const *paths, int n, int has_output)
{
	struct stat st;

	if (n < 2 || has_output)
		return 0;
	if (is_age_file(paths[0])) {
		cli_error("seal: %s is an encrypted archive, given as the first PATH: it would be sealed inside the new archive", paths[0]);
		cli_hint("to write the new archive, give -o FILE (with a new name: an archive is never replaced); to seal an archive with other files, give it after them");
		return CLI_EXIT_USAGE;
	}
	if (ends_with(paths[0], ".cairn") && lstat(paths[0], &st) != 0) {
		cli_error("seal: %s does not exist (PATH... are what to seal)", paths[0]);
		cli_hint("to name the new archive, give -o %s", paths[0]);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

void
cli_seal_link_hints(char *const *paths, int n)
{
	struct stat l, t;

	for (int i = 0; i < n; i++) {
		size_t len = strlen(paths[i]);

		if (len == 0 || paths[i][len - 1] == '/' || lstat(paths[i], &l) != 0 || !S_ISLNK(l.st_mode) || stat(paths[i], &t) != 0 || !S_ISDIR(t.st_mode))
			continue;
		cli_hint("%s is a symbolic link to a directory: give %s/ (with a slash) to seal the directory it points to", paths[i], paths[i]);
	}
}
// clang-format on
