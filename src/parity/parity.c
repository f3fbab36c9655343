/*
 * parity.c - PAR2 sidecars through Debian's par2 (par2cmdline): find par2
 * on a PATH the caller gives, run it with a fixed argv via posix_spawn (no
 * shell, stdio on /dev/null, environment LC_ALL=C only), create recovery
 * files in a private directory beside the archive and publish them
 * without replacing anything, and ask par2 whether an archive is intact.
 *
 * Must not know the archive's format or contents (par2 sees bytes), and
 * never prints or reads the environment.  Repair is in parity_repair.c.
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

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/parity.h"
#include "parity_impl.h"

char *
parity_find_par2(const char *path_env)
{
	const char *path = path_env;
	char *copy, *dir, *save = NULL, *found = NULL;
	struct stat st;

	if (path == NULL || *path == '\0')
		path = "/usr/bin:/bin";
	if ((copy = cio_strdup(path)) == NULL)
		return NULL;
	for (dir = strtok_r(copy, ":", &save); dir != NULL && found == NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand;

		if (dir[0] != '/' ||
		    (cand = cio_path_join(dir, "par2", NULL)) == NULL)
			continue; /* relative PATH entries are not searched */
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(copy);
	return found;
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
parity_run_verify(const char *par2, const char *datadir, const char *side)
{
	size_t n = strlen(datadir) + 3;
	char *bopt = cio_malloc(n);
	int rc;

	if (bopt == NULL)
		return -1;
	snprintf(bopt, n, "-B%s", datadir);
	{
		const char *argv[] = {
		    "par2", "verify", "-q", "-q", bopt, "--", side, NULL};

		rc = parity_run(par2, argv);
	}
	free(bopt);
	return rc;
}

void
parity_paths_free(struct parity_paths *p)
{
	free(p->dir);
	free(p->base);
	free(p->side);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

int
parity_paths_get(const char *archive, struct parity_paths *p)
{
	const char *slash = strrchr(archive, '/');
	const char *base = slash != NULL ? slash + 1 : archive;
	char *d = NULL;

	memset(p, 0, sizeof(*p));
	if (*base == '\0')
		return CAIRN_ERR_INVAL;
	if (slash == NULL)
		d = cio_strdup(".");
	else if (slash == archive)
		d = cio_strdup("/");
	else if ((d = cio_malloc((size_t)(slash - archive) + 1)) != NULL)
		snprintf(d, (size_t)(slash - archive) + 1, "%s", archive);
	if (d == NULL)
		return CAIRN_ERR_NOMEM;
	p->dir = realpath(d, NULL);
	free(d);
	if (p->dir == NULL)
		return CAIRN_ERR_IO;
	if ((p->base = cio_strdup(base)) == NULL ||
	    (p->side = cio_path_join(p->dir, base, ".par2")) == NULL ||
	    (p->path = cio_path_join(p->dir, base, "")) == NULL) {
		parity_paths_free(p);
		return CAIRN_ERR_NOMEM;
	}
	return 0;
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
parity_status_text(int st)
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

int
parity_has_sidecar(const char *archive)
{
	struct parity_paths p;
	struct stat st;
	int has;

	if (parity_paths_get(archive, &p) != 0)
		return 0;
	has = lstat(p.side, &st) == 0;
	parity_paths_free(&p);
	return has;
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

/* Blocks of a multiple of 4 KiB (a failing card loses whole 4 KiB
 * sectors, each then costs one block), at most about PARITY_BLOCKS of
 * them (par2's index grows with the count). */
static unsigned long long
block_size(off_t size)
{
	unsigned long long unit = PARITY_SECTOR * PARITY_BLOCKS;

	return PARITY_SECTOR * (((unsigned long long)size + unit - 1) / unit);
}

/* par2 create into tmp for p's archive (size bytes). */
static int
run_create(const char *par2, const struct parity_paths *p, const char *tmp,
    off_t size, int percent, int *status)
{
	char ropt[16], sopt[32], *bopt = NULL, *idx = NULL;
	int rc = CAIRN_ERR_NOMEM;

	if ((idx = cio_path_join(tmp, p->base, ".par2")) == NULL ||
	    (bopt = cio_malloc(strlen(p->dir) + 3)) == NULL)
		goto out;
	snprintf(bopt, strlen(p->dir) + 3, "-B%s", p->dir);
	snprintf(ropt, sizeof(ropt), "-r%d", percent);
	snprintf(sopt, sizeof(sopt), "-s%llu", block_size(size));
	{
		const char *argv[] = {"par2", "create", "-q", "-q", ropt, sopt,
		    "-n1", bopt, "--", idx, p->path, NULL};

		*status = parity_run(par2, argv);
	}
	rc = *status == PAR2_OK ? 0 : CAIRN_ERR_TOOL;
out:
	free(idx);
	free(bopt);
	return rc;
}

int
parity_create(const char *par2, const char *archive, int percent, int *status)
{
	struct parity_paths p;
	struct stat st;
	char *tmp = NULL;
	int rc, err;

	*status = PAR2_OK;
	if (percent < PARITY_PERCENT_MIN || percent > PARITY_PERCENT_MAX)
		return CAIRN_ERR_INVAL;
	if (stat(archive, &st) != 0)
		return CAIRN_ERR_IO;
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return CAIRN_ERR_INVAL;
	if ((rc = parity_paths_get(archive, &p)) != 0)
		return rc;
	if (lstat(p.side, &st) == 0 || errno != ENOENT) {
		rc = CAIRN_ERR_EXISTS;
		goto out;
	}
	if ((tmp = parity_tmpdir(p.dir, "parity")) == NULL) {
		rc = CAIRN_ERR_IO;
		goto out;
	}
	if ((rc = run_create(par2, &p, tmp, st.st_size, percent, status)) != 0)
		goto out;
	if ((err = publish(tmp, p.dir)) != 0) {
		rc = err == EEXIST ? CAIRN_ERR_EXISTS : CAIRN_ERR_IO;
		errno = err;
	}
out:
	err = errno;
	parity_rmdir(tmp);
	parity_paths_free(&p);
	errno = err;
	return rc;
}

int
parity_check(
    const char *par2, const char *archive, enum parity_state *st, int *status)
{
	struct parity_paths p;
	struct stat sb;
	int rc;

	*st = PARITY_NONE;
	*status = PAR2_OK;
	if ((rc = parity_paths_get(archive, &p)) != 0)
		return rc;
	if (lstat(p.side, &sb) != 0)
		goto out;
	*status = parity_run_verify(par2, p.dir, p.side);
	if (*status == PAR2_OK)
		*st = PARITY_INTACT;
	else if (*status == PAR2_REPAIRABLE)
		*st = PARITY_REPAIRABLE;
	else if (*status == PAR2_NOT_REPAIRABLE)
		*st = PARITY_TOO_DAMAGED;
	else
		rc = CAIRN_ERR_TOOL;
out:
	parity_paths_free(&p);
	return rc;
}
