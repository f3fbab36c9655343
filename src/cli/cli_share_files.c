/*
 * cli_share_files.c - writing a share set's files into a directory: one
 * share file per share (0600, plain or age-encrypted to one contact
 * each), or for `recovery init` one kit directory per contact with the
 * share, README.txt and signing.pub (cli_share_kit.c's texts).  Every
 * target is checked absent first, files are written to temp files
 * beside them and published without replacing anything (fsync, link,
 * fsync of the directory), all or nothing, also on SIGINT/SIGTERM.
 *
 * Share texts live only in sodium_malloc'd memory.  Knows slip39.h and
 * age.h; nothing of archives.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/cio.h"
#include "cairn/err.h"
#include "cli.h"
#include "cli_shares.h"
#include "cairn/slip39.h"

/* "share-03-alice-smith.age": prefix, number, label slug, extension
 * (ext NULL: none, as for a kit directory "kit-03-alice-smith"). */
static char *
share_path(const char *dir, size_t k, const char *label, const char *prefix,
    const char *ext)
{
	char slug[33], *p;
	size_t o = 0, n;

	for (; label != NULL && *label != '\0' && o < sizeof(slug) - 1;
	     label++) {
		char c = *label;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			slug[o++] = c;
		else if (o > 0 && slug[o - 1] != '-')
			slug[o++] = '-';
	}
	while (o > 0 && slug[o - 1] == '-')
		o--;
	slug[o] = '\0';
	n = strlen(dir) + strlen(prefix) + o + 32;
	if ((p = cio_malloc(n)) == NULL)
		return NULL;
	snprintf(p, n, "%s/%s%02zu%s%s%s%s", dir, prefix, k + 1,
	    o > 0 ? "-" : "", slug, ext != NULL ? "." : "",
	    ext != NULL ? ext : "");
	return p;
}

void
cli_share_paths_free(char **paths, size_t n)
{
	if (paths == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* Create dir (0700) unless it is a directory already; *created says
 * whether it was made here. */
static int
make_dir(const char *dir, int *created)
{
	struct stat st;

	*created = 0;
	if (mkdir(dir, 0700) == 0) {
		*created = 1;
		return 0;
	}
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		errno = ENOTDIR;
	return cli_fail(CAIRN_ERR_IO, "%s", dir);
}

/* Write share text to a pending atomic file, encrypted to rs if given. */
static int
write_one(struct cio_atomic *a, const char *text, size_t len,
    const struct age_recipients *rs)
{
	struct cio_sink sink = {cio_fd_write, &a->fd};
	struct age_writer *w = NULL;
	int rc;

	if (rs == NULL)
		return sink.write(sink.ctx, (const uint8_t *)text, len);
	if ((rc = age_writer_new(&w, rs, 1, &sink)) == 0 &&
	    (rc = age_writer_write(w, (const uint8_t *)text, len)) == 0)
		rc = age_writer_finish(w);
	age_writer_free(w);
	return rc;
}

/*
 * The set being written, for the signal handler: a signal removes its
 * published files (the first sig_published of sig_paths), the temp files
 * (cio's list), the sig_nkits kit directories made here and the
 * directory when it was made here, so that an interrupted run leaves no
 * share at all.
 */
static char *const *volatile sig_paths;
static volatile size_t sig_published;
static char *const *volatile sig_kits;
static volatile size_t sig_nkits;
static const char *volatile sig_dir;
/* The published names a held set's signal cleanup still uses. */
static char **held_paths;
static size_t held_n;

static void
share_set_abort_signal_safe(void)
{
	char *const *paths = sig_paths, *const *kits = sig_kits;

	if (paths == NULL)
		return;
	for (size_t i = 0; i < sig_published; i++)
		(void)unlink(paths[i]);
	cio_atomic_abort_all_signal_safe();
	for (size_t i = 0; kits != NULL && i < sig_nkits; i++)
		(void)rmdir(kits[i]);
	if (sig_dir != NULL)
		(void)rmdir(sig_dir);
}

static void
sig_arm(char *const *paths, char *const *kits, const char *dir)
{
	sig_published = 0;
	sig_nkits = 0;
	sig_dir = dir;
	sig_kits = kits;
	sig_paths = paths;
}

/* Commit every pending file, or remove all of them. */
static int
commit_all(struct cio_atomic *a, char **paths, size_t n)
{
	size_t k;
	int rc = 0;

	for (k = 0; k < n; k++) {
		/* Counted first: a signal during the commit removes
		 * paths[k] too (it was checked absent before writing). */
		sig_published = k + 1;
		if ((rc = cio_atomic_commit(&a[k])) != 0)
			break;
		cio_test_signal("share-published");
	}
	if (k == n)
		return 0;
	for (size_t i = 0; i < k; i++)
		(void)unlink(paths[i]);
	for (size_t i = k; i < n; i++)
		cio_atomic_abort(&a[i]);
	if (rc == CAIRN_ERR_EXISTS) {
		cli_error("%s: file exists (created while writing)", paths[k]);
		return CLI_EXIT_ERR;
	}
	return cli_fail(rc, "%s", paths[k]);
}

/*
 * What cli_share_set_write() writes: per share, `per` files (the share,
 * then in a kit its README and the signer's signing.pub), all in one
 * flat array of paths; in a kit, each share's directory.
 */
struct plan {
	size_t n, per;
	char **paths;         /* n * per */
	char **kits;          /* n kit directories, or NULL */
	size_t kits_made;     /* kits[0..kits_made) were created here */
	struct cio_atomic *a; /* n * per */
	size_t opened;        /* a[0..opened) are pending */
	int dir_created;
};

/* Every path of the plan; each must not exist yet. */
static int
plan_paths(struct plan *pl, const struct cli_share_set *set)
{
	for (size_t k = 0; k < pl->n; k++) {
		const char *label = set->names != NULL ? set->names[k] : NULL;
		char **p = &pl->paths[k * pl->per];
		const char *where = set->dir;

		if (pl->kits != NULL) {
			if ((pl->kits[k] = share_path(set->dir, k, label,
			         CLI_KIT_PREFIX, NULL)) == NULL)
				return cli_fail(CAIRN_ERR_NOMEM, "kits");
			where = pl->kits[k];
			if (cli_exists(where)) {
				// clang-format off
				cli_error("%s: exists, refusing to overwrite a kit", where);
				// clang-format on
				cli_hint("write the set to a new directory");
				return CLI_EXIT_ERR;
			}
		}
		if ((p[0] = share_path(where, k, label, "share-",
		         set->to != NULL ? "age" : "txt")) == NULL ||
		    (pl->per > 1 &&
		        (p[1] = cio_path_join(where, CLI_KIT_README, NULL)) ==
		            NULL) ||
		    (pl->per > 2 &&
		        (p[2] = cio_path_join(
		             where, CLI_HOME_SIGNING_PUB, NULL)) == NULL))
			return cli_fail(CAIRN_ERR_NOMEM, "writing shares");
		if (cli_exists(p[0])) {
			// clang-format off
			cli_error("%s: file exists, refusing to overwrite a share", p[0]);
			// clang-format on
			cli_hint("write the set to a new directory");
			return CLI_EXIT_ERR;
		}
	}
	return 0;
}

/* Create the kit directories (0700) and make their names durable. */
static int
plan_kits(struct plan *pl, const char *dir)
{
	int fd;

	for (; pl->kits != NULL && pl->kits_made < pl->n; pl->kits_made++) {
		if (mkdir(pl->kits[pl->kits_made], 0700) != 0)
			return cli_fail(
			    CAIRN_ERR_IO, "%s", pl->kits[pl->kits_made]);
		sig_nkits = pl->kits_made + 1;
	}
	if (pl->kits == NULL)
		return 0;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fsync(fd) != 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		errno = e;
		return cli_fail(CAIRN_ERR_IO, "%s", dir);
	}
	close(fd);
	return 0;
}

/* One pending file at plan index i holding text (encrypted to rs when
 * not NULL). */
static int
plan_file(struct plan *pl, size_t i, const char *text, size_t len,
    const struct age_recipients *rs, mode_t mode)
{
	int rc;

	if ((rc = cio_atomic_open(&pl->a[i], pl->paths[i], mode, 0)) != 0)
		return cli_fail(rc, "%s", pl->paths[i]);
	pl->opened = i + 1;
	if ((rc = write_one(&pl->a[i], text, len, rs)) != 0)
		return cli_fail(rc, "%s", pl->paths[i]);
	return 0;
}

/* Share k's kit files: README.txt and signing.pub (public, 0644). */
static int
plan_kit_files(struct plan *pl, size_t k, const struct slip39_share *s,
    const struct cli_share_set *set)
{
	char *text = NULL;
	size_t len = 0, i = k * pl->per;
	int ec;

	if ((ec = cli_kit_readme(set, k, s, pl->paths[i], &text, &len)) != 0 ||
	    (ec = plan_file(pl, i + 1, text, len, NULL, 0644)) != 0)
		goto out;
	free(text);
	text = NULL;
	if (pl->per > 2 &&
	    ((ec = cli_kit_signing_pub(set->signer, &text, &len)) != 0 ||
	        (ec = plan_file(pl, i + 2, text, len, NULL, 0644)) != 0))
		goto out;
out:
	free(text);
	return ec;
}

/* Write every file of the plan to pending temp files. */
static int
plan_write(struct plan *pl, const struct slip39_share *shares,
    const struct cli_share_set *set)
{
	char *text;
	int ec = 0, len;

	if ((text = cio_secret_malloc(CLI_SHARE_TEXT_MAX)) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "writing shares");
	for (size_t k = 0; k < pl->n && ec == 0; k++) {
		const struct slip39_share *s = &shares[k];

		len = cli_share_text(s, set->member_counts[s->group_index],
		    set->copies[k], set->names != NULL ? set->names[k] : NULL,
		    set->recovers, set->signer, set->raw, text,
		    CLI_SHARE_TEXT_MAX);
		if (len < 0)
			ec = cli_fail(CAIRN_ERR_INVAL, "share text");
		else if ((ec = plan_file(pl, k * pl->per, text, (size_t)len,
		              set->to != NULL ? &set->to[k] : NULL, 0600)) ==
		        0 &&
		    pl->per > 1)
			ec = plan_kit_files(pl, k, s, set);
		cio_test_signal("share-written");
	}
	sodium_free(text);
	return ec;
}

/* Undo a failed plan: pending files, kit directories, the directory. */
static void
plan_undo(struct plan *pl, const char *dir)
{
	for (size_t i = 0; i < pl->opened; i++)
		cio_atomic_abort(&pl->a[i]);
	pl->opened = 0;
	while (pl->kits_made > 0)
		(void)rmdir(pl->kits[--pl->kits_made]);
	if (pl->dir_created)
		(void)rmdir(dir); /* only if empty: no share was kept */
}

static void
plan_free(struct plan *pl)
{
	cli_share_paths_free(pl->paths, pl->n * pl->per);
	cli_share_paths_free(pl->kits, pl->n);
	free(pl->a);
}

int
cli_share_dir_write(
    const struct slip39_share *shares, size_t n, struct cli_share_set *set)
{
	struct plan pl;
	int ec;

	memset(&pl, 0, sizeof(pl));
	pl.n = n;
	pl.per = !set->kits ? 1 : set->signer != NULL ? 3 : 2;
	if ((pl.paths = cio_calloc(n * pl.per, sizeof(*pl.paths))) == NULL ||
	    (pl.a = cio_calloc(n * pl.per, sizeof(*pl.a))) == NULL ||
	    (set->paths = cio_calloc(n, sizeof(*set->paths))) == NULL ||
	    (set->kits &&
	        (pl.kits = cio_calloc(n, sizeof(*pl.kits))) == NULL)) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "writing shares");
		goto out;
	}
	if ((ec = make_dir(set->dir, &pl.dir_created)) != 0 ||
	    (ec = plan_paths(&pl, set)) != 0 ||
	    (ec = cli_at_signal(share_set_abort_signal_safe)) != 0)
		goto out;
	sig_arm(pl.paths, pl.kits, pl.dir_created ? set->dir : NULL);
	if ((ec = plan_kits(&pl, set->dir)) != 0 ||
	    (ec = plan_write(&pl, shares, set)) != 0)
		goto out;
	/* The caller's copies of the names, before anything is published:
	 * after the commit nothing may fail. */
	for (size_t k = 0; k < n && ec == 0; k++)
		if ((set->paths[k] = cio_strdup(pl.paths[k * pl.per])) == NULL)
			ec = cli_fail(CAIRN_ERR_NOMEM, "writing shares");
	if (ec != 0)
		goto out;
	pl.opened = 0; /* commit_all commits or aborts every one */
	if ((ec = commit_all(pl.a, pl.paths, n * pl.per)) != 0)
		goto out;
	set->dir_created = pl.dir_created;
	set->kit_dirs = pl.kits;
	pl.kits = NULL;
	if (set->hold) {
		/* The handler keeps using pl's names: they stay, armed,
		 * until cli_share_set_release(). */
		held_paths = pl.paths;
		held_n = n * pl.per;
		pl.paths = NULL;
		sig_arm(held_paths, set->kit_dirs,
		    set->dir_created ? set->dir : NULL);
		sig_published = held_n;
		sig_nkits = set->kit_dirs != NULL ? n : 0;
		free(pl.a);
		return 0;
	}
out:
	sig_arm(NULL, NULL, NULL);
	if (ec != 0) {
		plan_undo(&pl, set->dir);
		cli_share_paths_free(set->paths, set->paths != NULL ? n : 0);
		set->paths = NULL;
	}
	plan_free(&pl);
	return ec;
}

void
cli_share_set_release(void)
{
	sig_arm(NULL, NULL, NULL);
	cli_share_paths_free(held_paths, held_n);
	held_paths = NULL;
	held_n = 0;
}

/* Remove the files cli_share_dir_write() published (a later step failed). */
void
cli_share_set_unwrite(struct cli_share_set *set, size_t n)
{
	char p[PATH_MAX];

	/* No allocation here: this runs after failures, out of memory too. */
	for (size_t k = 0; set->paths != NULL && k < n; k++) {
		(void)remove(set->paths[k]);
		if (set->kit_dirs == NULL)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", set->kit_dirs[k],
		        CLI_KIT_README) < (int)sizeof(p))
			(void)remove(p);
		if (snprintf(p, sizeof(p), "%s/%s", set->kit_dirs[k],
		        CLI_HOME_SIGNING_PUB) < (int)sizeof(p))
			(void)remove(p);
		(void)rmdir(set->kit_dirs[k]);
	}
	if (set->dir_created)
		(void)rmdir(set->dir);
}
