/*
 * cli_parity.c - the CLI side of PAR2 recovery data (cairn/parity.h runs
 * Debian's par2): find par2 on PATH, parse PERCENT, create the sidecars
 * and list them, ask par2 whether an archive is intact, and the hints a
 * failed verify gives.  Repair is in cli_parity_repair.c.
 *
 * Must not know the archive's format or contents (par2 sees bytes).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cairn/err.h"
#include "cairn/parity.h"
#include "cli.h"
#include "cli_parity.h"

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
parity_need_par2(const char *verb)
{
	char *p = parity_find_par2(getenv("PATH"));

	if (p == NULL) {
		// clang-format off
		cli_error("%s: par2 not found on PATH: cairn uses Debian's par2 (par2cmdline) for recovery data", verb);
		cli_hint("install it with 'apt install par2' (or put par2 on PATH)");
		// clang-format on
	}
	return p;
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

int
cli_parity_create(const char *archive, int percent, int quiet)
{
	char *par2, *dir = NULL;
	const char *slash = strrchr(archive, '/');
	int ec, rc, status = 0;

	if ((par2 = parity_need_par2("parity")) == NULL)
		return CLI_EXIT_ERR;
	rc = parity_create(par2, archive, percent, &status);
	free(par2);
	// clang-format off
	if (rc == CAIRN_ERR_INVAL) {
		cli_error("parity: %s: not a regular, non-empty file", archive);
		return CLI_EXIT_ERR;
	}
	if (rc == CAIRN_ERR_EXISTS) {
		cli_error("parity: %s.par2 already exists", archive);
		cli_hint("remove %s.par2 and %s.vol*.par2 first to make new recovery data", archive, archive);
		return CLI_EXIT_ERR;
	}
	if (rc == CAIRN_ERR_TOOL) {
		cli_error("parity: %s: %s", archive, parity_status_text(status));
		return CLI_EXIT_ERR;
	}
	// clang-format on
	if (rc != 0)
		return cli_fail(rc, "parity: %s", archive);
	if (!quiet) {
		if (slash == NULL)
			dir = cio_strdup(".");
		else if ((dir = cio_malloc((size_t)(slash - archive) + 2)) !=
		    NULL)
			snprintf(
			    dir, (size_t)(slash - archive) + 2, "%s", archive);
		if (dir != NULL)
			report(archive, dir,
			    slash != NULL ? slash + 1 : archive, percent);
		free(dir);
	}
	ec = cli_flush_stdout();
	return ec;
}

int
cli_parity_check(const char *archive, enum parity_state *st, int *missing)
{
	enum parity_state ps;
	char *par2 = NULL;
	int rc, status = 0;

	*st = PARITY_NONE;
	*missing = 0;
	if (!parity_has_sidecar(archive))
		return 0;
	if ((par2 = parity_find_par2(getenv("PATH"))) == NULL) {
		*missing = 1;
		return 0;
	}
	rc = parity_check(par2, archive, &ps, &status);
	free(par2);
	if (rc == CAIRN_ERR_TOOL) {
		cli_error(
		    "parity: %s.par2: %s", archive, parity_status_text(status));
		return CLI_EXIT_ERR;
	}
	if (rc == 0)
		*st = ps; /* else as without parity files */
	return 0;
}
