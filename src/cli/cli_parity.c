/*
 * cli_parity.c - PAR2 sidecars through Debian's par2 (par2cmdline): find
 * par2 on PATH, run it with a fixed argv via posix_spawn (no shell, stdio
 * on /dev/null, environment LC_ALL=C only), create recovery files in a
 * private directory beside the archive and publish them without
 * replacing anything, and ask par2 whether an archive is intact.
 *
 * Must not know the archive's format or contents (par2 sees bytes).
 * Repair is in cli_parity_repair.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cli.h"
#include "cli_parity.h"
#include "cli_parity_impl.h"

int
cli_parity_percent(const char *verb, const char *s, int *out)
{
	long v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9' && v <= CLI_PARITY_MAX; p++)
		v = v * 10 + (*p - '0');
	if (*p == '%' && p != s)
		p++;
	if (p == s || *p != '\0' || v < CLI_PARITY_MIN || v > CLI_PARITY_MAX)
		return cli_usage_error(verb,
		    "PERCENT must be a whole number from %d to %d, not '%s'",
		    CLI_PARITY_MIN, CLI_PARITY_MAX, s);
	*out = (int)v;
	return 0;
}

char *
parity_find_par2(void)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;
	struct stat st;

	if (path == NULL || *path == '\0')
		path = "/usr/bin:/bin";
	if ((copy = cio_strdup(path)) == NULL)
		return NULL;
	for (dir = strtok_r(copy, ":", &save); dir != NULL && found == NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		size_t n = strlen(dir) + sizeof("/par2");
		char *cand;

		if (dir[0] != '/' || (cand = cio_malloc(n)) == NULL)
			continue; /* relative PATH entries are not searched */
		snprintf(cand, n, "%s/par2", dir);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(copy);
	return found;
}

char *
parity_need_par2(const char *verb)
{
	char *p = parity_find_par2();

	if (p == NULL) {
		// clang-format off
		cli_error("%s: par2 not found on PATH: cairn uses Debian's par2 (par2cmdline) for recovery data", verb);
		cli_hint("install it with 'apt install par2' (or put par2 on PATH)");
		// clang-format on
	}
	return p;
}

int
parity_run(const char *par2, const char *const *argv)
{
	static char *const envp[] = {(char *)"LC_ALL=C", NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_addopen(
		    &fa, 1, "/dev/null", O_WRONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (rc == 0)
		rc = posix_spawn(
		    &pid, par2, &fa, NULL, (char *const *)argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
parity_split(const char *archive, char **dir, const char **base)
{
	const char *slash = strrchr(archive, '/');
	char *d;

	*base = slash != NULL ? slash + 1 : archive;
	if (**base == '\0')
		return CAIRN_ERR_INVAL;
	if (slash == NULL)
		d = cio_strdup(".");
	else if (slash == archive)
		d = cio_strdup("/");
	else if ((d = cio_malloc((size_t)(slash - archive) + 1)) != NULL)
		snprintf(d, (size_t)(slash - archive) + 1, "%s", archive);
	if (d == NULL)
		return CAIRN_ERR_NOMEM;
	*dir = realpath(d, NULL);
	free(d);
	return *dir != NULL ? 0 : CAIRN_ERR_IO;
}

char *
parity_join(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 2;
	char *s = cio_malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s/%s%s", a, b, c);
	return s;
}

char *
parity_tmpdir(const char *dir, const char *what)
{
	size_t n = strlen(dir) + strlen(what) + 16;
	char *s = cio_malloc(n);

	if (s == NULL)
		return NULL;
	snprintf(s, n, "%s/.cairn-%s.XXXXXX", dir, what);
	if (mkdtemp(s) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
parity_rmdir(char *tmp)
{
	DIR *d;
	struct dirent *e;

	if (tmp == NULL)
		return;
	if ((d = opendir(tmp)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 &&
			    strcmp(e->d_name, "..") != 0)
				(void)unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	(void)rmdir(tmp);
	free(tmp);
}

int
parity_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

const char *
parity_why(int st)
{
	switch (st) {
	case -1: return "par2 could not be run or was killed";
	case 2: return "not enough recovery data to repair";
	case 3: return "par2 refused its command line";
	case 4: return "par2 found too little intact index data";
	case 5: return "par2 could not repair the file";
	case 6: return "par2 could not read or write a file";
	case 8: return "par2 ran out of memory";
	default: return "par2 failed";
	}
}

/* Link every file of tmp into dir under its own name, never replacing
 * one; on failure remove what was linked.  Returns 0 or errno. */
static int
publish(const char *tmp, const char *dir)
{
	DIR *d = opendir(tmp);
	struct dirent *e;
	char *names[8];
	size_t n = 0;
	int err = 0, dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (d == NULL || dfd < 0) {
		err = errno;
		goto out;
	}
	while (err == 0 && (e = readdir(d)) != NULL) {
		int fd;

		if (e->d_name[0] == '.')
			continue;
		if (n == 8 || (names[n] = cio_strdup(e->d_name)) == NULL) {
			err = ENOMEM;
			break;
		}
		n++;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) != 0 ||
		    linkat(dirfd(d), e->d_name, dfd, e->d_name, 0) != 0) {
			err = errno;
			free(names[--n]);
		}
		if (fd >= 0)
			close(fd);
	}
	if (err == 0 && fsync(dfd) != 0)
		err = errno;
out:
	for (size_t i = 0; i < n; i++) {
		if (err != 0)
			(void)unlinkat(dfd, names[i], 0);
		free(names[i]);
	}
	if (d != NULL)
		closedir(d);
	if (dfd >= 0)
		close(dfd);
	return err;
}

/* Print the sidecars made and their share of the archive's size. */
static void
report(const char *archive, const char *dir, const char *base, int percent)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st, ast;
	unsigned long long total = 0;
	size_t blen = strlen(base);

	if (d == NULL || stat(archive, &ast) != 0) {
		if (d != NULL)
			closedir(d);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (strncmp(e->d_name, base, blen) != 0 || n < blen + 5 ||
		    strcmp(e->d_name + n - 5, ".par2") != 0 ||
		    fstatat(dirfd(d), e->d_name, &st, 0) != 0)
			continue;
		printf("%s%s\n", archive, e->d_name + blen);
		total += (unsigned long long)st.st_size;
	}
	closedir(d);
	printf("parity: %d%% recovery data, %llu bytes (%.1f%% of the "
	       "archive)\n",
	    percent, total,
	    ast.st_size > 0 ? 100.0 * (double)total / (double)ast.st_size
	                    : 0.0);
}

/* Blocks of a multiple of 4 KiB (a failing card loses whole 4 KiB
 * sectors, each then costs one block), at most about PARITY_BLOCKS of
 * them (par2's index grows with the count). */
static unsigned long long
block_size(off_t size)
{
	unsigned long long unit = PARITY_SECTOR * PARITY_BLOCKS;

	return PARITY_SECTOR * (((unsigned long long)size + unit - 1) / unit);
}

int
cli_parity_create(const char *archive, int percent, int quiet)
{
	char *par2 = NULL, *dir = NULL, *tmp = NULL, *idx = NULL;
	char *apath = NULL, *side = NULL, ropt[16], sopt[32], *bopt = NULL;
	const char *base;
	struct stat st;
	int ec = CLI_EXIT_ERR, rc, err;

	if ((par2 = parity_need_par2("parity")) == NULL)
		goto out;
	if (stat(archive, &st) != 0) {
		ec = cli_fail(CAIRN_ERR_IO, "%s", archive);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		cli_error("parity: %s: not a regular, non-empty file", archive);
		goto out;
	}
	if ((rc = parity_split(archive, &dir, &base)) != 0) {
		ec = cli_fail(rc, "%s", archive);
		goto out;
	}
	side = parity_join(dir, base, ".par2");
	apath = parity_join(dir, base, "");
	if ((bopt = cio_malloc(strlen(dir) + 3)) != NULL)
		snprintf(bopt, strlen(dir) + 3, "-B%s", dir);
	if (side == NULL || apath == NULL || bopt == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "parity");
		goto out;
	}
	if (cli_exists(side)) {
		// clang-format off
		cli_error("parity: %s.par2 already exists", archive);
		cli_hint("remove %s.par2 and %s.vol*.par2 first to make new recovery data", archive, archive);
		// clang-format on
		goto out;
	}
	if ((tmp = parity_tmpdir(dir, "parity")) == NULL ||
	    (idx = parity_join(tmp, base, ".par2")) == NULL) {
		ec = cli_fail(CAIRN_ERR_IO, "parity: temporary directory");
		goto out;
	}
	snprintf(ropt, sizeof(ropt), "-r%d", percent);
	snprintf(sopt, sizeof(sopt), "-s%llu", block_size(st.st_size));
	{
		const char *argv[] = {"par2", "create", "-q", "-q", ropt, sopt,
		    "-n1", bopt, "--", idx, apath, NULL};

		rc = parity_run(par2, argv);
	}
	if (rc != PAR2_OK) {
		cli_error("parity: %s: %s", archive, parity_why(rc));
		goto out;
	}
	if ((err = publish(tmp, dir)) != 0) {
		errno = err;
		ec = cli_fail(CAIRN_ERR_IO, "parity: %s.par2", archive);
		if (err == EEXIST)
			cli_hint("remove the old recovery files first");
		goto out;
	}
	if (!quiet)
		report(archive, dir, base, percent);
	ec = cli_flush_stdout();
out:
	parity_rmdir(tmp);
	free(par2);
	free(dir);
	free(idx);
	free(apath);
	free(side);
	free(bopt);
	return ec;
}
