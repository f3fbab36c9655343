/*
 * cli_outbox.c - the outbox (each archive seal wrote, in the key home)
 * and pushing one of its entries to a remote: the object is named
 * ID.cairn (the archive id, or a random id for an archive cairn did not
 * seal here), never the local file name; it is recorded as pushed only
 * after the server confirmed it (see cli_remote.h).
 *
 * Knows remote.h and the key home layout; nothing of archive contents.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cairn/err.h"
#include "cairn/remote.h"
#include "cli.h"
#include "cli_json.h"
#include "cli_progress.h"
#include "cli_remote.h"

static int
mkdir_0700(const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return cli_fail(CAIRN_ERR_IO, "%s", path);
	return 0;
}

static int
id_ok(const char *id)
{
	if (strlen(id) != 32)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

/* Write outbox/ID.json in home; 0 or an enum cairn_err (errno kept for
 * CAIRN_ERR_IO), nothing printed. */
static int
record(const char *home, const char *id, const char *path)
{
	char *dir = NULL, *file = NULL, *abs = NULL, *txt = NULL, name[40];
	json_t *o = NULL;
	struct stat st;
	int rc = CAIRN_ERR_NOMEM;

	snprintf(name, sizeof(name), "%s.json", id);
	if ((dir = cio_path_join(home, "outbox", NULL)) == NULL ||
	    (file = cio_path_join(dir, name, NULL)) == NULL)
		goto out;
	if ((abs = realpath(path, NULL)) == NULL || stat(abs, &st) != 0 ||
	    (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
		rc = CAIRN_ERR_IO;
		goto out;
	}
	if ((o = json_object()) == NULL ||
	    json_object_set_new(o, "archive_id", json_string(id)) != 0 ||
	    json_object_set_new(o, "path", json_string(abs)) != 0 ||
	    json_object_set_new(
	        o, "size", json_integer((json_int_t)st.st_size)) != 0 ||
	    (txt = json_dumps(o, JSON_COMPACT)) == NULL)
		goto out;
	rc = cio_write_file(file, txt, strlen(txt), 0600);
	rc = rc == CAIRN_ERR_EXISTS ? 0 : rc;
out:
	free(txt);
	json_decref(o);
	free(abs);
	free(file);
	free(dir);
	return rc;
}

int
cli_outbox_record(const char *id, const char *path, int must)
{
	char *home = cli_key_home();
	int rc = 0;

	if (home == NULL)
		return must ? CLI_EXIT_ERR : 0;
	if (cli_exists(home) && id_ok(id)) /* no key home: nothing to push */
		rc = record(home, id, path);
	free(home);
	if (rc == 0)
		return 0;
	if (must)
		return cli_fail(rc, "outbox: %s", path);
	// clang-format off
	cli_warn("%s: not recorded in the outbox (%s); 'cairn push REMOTE %s' sends it", path, rc == CAIRN_ERR_IO ? strerror(errno) : cairn_strerror(rc), path);
	// clang-format on
	return 0;
}

void
cli_outbox_free(struct cli_outbox_entry *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i].path);
	free(v);
}

/* Parse one outbox file into e; 0 when it is not a valid entry. */
static int
load_entry(const char *file, struct cli_outbox_entry *e)
{
	json_t *o = json_load_file(file, 0, NULL);
	const char *id = json_string_value(json_object_get(o, "archive_id"));
	const char *p = json_string_value(json_object_get(o, "path"));
	int ok = id != NULL && p != NULL && id_ok(id) && p[0] == '/';

	if (ok) {
		snprintf(e->id, sizeof(e->id), "%s", id);
		e->size =
		    (uint64_t)json_integer_value(json_object_get(o, "size"));
		ok = (e->path = cio_strdup(p)) != NULL;
	}
	json_decref(o);
	return ok;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cli_outbox_entry *)a)->path,
	    ((const struct cli_outbox_entry *)b)->path);
}

int
cli_outbox_load(struct cli_outbox_entry **v, size_t *n)
{
	char *dir = cli_key_home_path("outbox");
	size_t cap = 0;
	struct dirent *d;
	DIR *dp;

	*v = NULL;
	*n = 0;
	if (dir == NULL)
		return CLI_EXIT_ERR;
	if ((dp = opendir(dir)) == NULL) {
		free(dir);
		return 0; /* nothing sealed here yet */
	}
	while ((d = readdir(dp)) != NULL) {
		size_t l = strlen(d->d_name);
		char *file;

		if (l != 37 || strcmp(d->d_name + 32, ".json") != 0)
			continue;
		if (*n == cap) {
			struct cli_outbox_entry *nv;
			cap = cap ? cap * 2 : 16;
			if ((nv = cio_realloc(*v, cap * sizeof(*nv))) == NULL)
				break;
			*v = nv;
		}
		if ((file = cio_path_join(dir, d->d_name, NULL)) == NULL)
			break;
		if (load_entry(file, &(*v)[*n]))
			(*n)++;
		free(file);
	}
	closedir(dp);
	free(dir);
	if (d != NULL) {
		cli_outbox_free(*v, *n);
		*v = NULL;
		*n = 0;
		return cli_fail(CAIRN_ERR_NOMEM, "outbox");
	}
	if (*n > 1)
		qsort(*v, *n, sizeof(**v), entry_cmp);
	return 0;
}

int
cli_outbox_find_or_add(const char *path, struct cli_outbox_entry *e)
{
	struct cli_outbox_entry *v = NULL;
	struct stat st, st2;
	size_t n = 0;
	uint8_t rnd[16];
	int ec;

	memset(e, 0, sizeof(*e));
	if (stat(path, &st) != 0)
		return cli_fail(CAIRN_ERR_IO, "push: %s", path);
	if (!S_ISREG(st.st_mode))
		return cli_fail_why(
		    CLI_EXIT_ERR, "not a regular file", "push: %s", path);
	if ((ec = cli_outbox_load(&v, &n)) != 0)
		return ec;
	for (size_t i = 0; i < n; i++)
		if (stat(v[i].path, &st2) == 0 && st2.st_dev == st.st_dev &&
		    st2.st_ino == st.st_ino) {
			*e = v[i];
			v[i].path = NULL;
			cli_outbox_free(v, n);
			return 0;
		}
	cli_outbox_free(v, n);
	randombytes_buf(rnd, sizeof(rnd));
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(e->id + 2 * i, 3, "%02x", rnd[i]);
	if ((ec = cli_outbox_record(e->id, path, 1)) != 0)
		return ec;
	e->size = (uint64_t)st.st_size;
	if ((e->path = realpath(path, NULL)) == NULL)
		return cli_fail(CAIRN_ERR_IO, "%s", path);
	return 0;
}

int
cli_remote_is_pushed(const struct cli_remote *cr, const char *id)
{
	char *sub = cio_path_join("pushed", id, NULL);
	char *p = sub != NULL ? cio_path_join(cr->dir, sub, NULL) : NULL;
	int yes = p != NULL && cli_exists(p);

	free(sub);
	free(p);
	return yes;
}

static void
on_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)total;
	cli_progress_set(ctx, done);
}

/* Record that the server confirmed e (the one file push trusts). */
static int
mark_pushed(
    struct cli_remote *cr, const struct cli_outbox_entry *e, uint64_t size)
{
	char *dir = cio_path_join(cr->dir, "pushed", NULL), *file = NULL,
	     txt[160];
	int ec = 0, rc;

	if (dir == NULL || (file = cio_path_join(dir, e->id, NULL)) == NULL) {
		free(dir);
		return cli_fail(CAIRN_ERR_NOMEM, "push");
	}
	snprintf(txt, sizeof(txt),
	    "{\"object\":\"%s.cairn\",\"size\":%llu,"
	    "\"confirmed_at\":%lld}\n",
	    e->id, (unsigned long long)size, (long long)time(NULL));
	if ((ec = mkdir_0700(dir)) == 0 &&
	    (rc = cio_write_file(file, txt, strlen(txt), 0600)) != 0 &&
	    rc != CAIRN_ERR_EXISTS)
		ec = cli_fail(rc, "%s", file);
	free(file);
	free(dir);
	return ec;
}

int
cli_remote_push_entry(struct cli_remote *cr, const struct cli_outbox_entry *e,
    int remove_after, int *pushed)
{
	char *udir = NULL, *state = NULL, object[64], what[80];
	struct cli_progress pg;
	struct stat st;
	int fd = -1, ec = 0, rc;

	*pushed = 0;
	memset(&pg, 0, sizeof(pg));
	if (cli_remote_is_pushed(cr, e->id))
		goto done;
	if ((fd = open(e->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) != 0) {
		ec = cli_fail(CAIRN_ERR_IO, "push: %s", e->path);
		goto out;
	}
	if ((udir = cio_path_join(cr->dir, "uploads", NULL)) == NULL ||
	    (state = cio_path_join(udir, e->id, NULL)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "push");
		goto out;
	}
	if ((ec = mkdir_0700(udir)) != 0)
		goto out;
	snprintf(object, sizeof(object), "%s.cairn", e->id);
	cli_progress_start(
	    &pg, "push", (uint64_t)st.st_size, cr->quiet || cr->json, -1);
	rc = remote_push(
	    cr->r, object, fd, (uint64_t)st.st_size, state, on_progress, &pg);
	cli_progress_end(&pg);
	if (rc != 0) {
		snprintf(what, sizeof(what), "push %s", e->id);
		ec = cli_remote_fail(cr, rc, what);
		goto out;
	}
	if ((ec = mark_pushed(cr, e, (uint64_t)st.st_size)) != 0)
		goto out;
	*pushed = 1;
done:
	if (remove_after && cli_exists(e->path) && unlink(e->path) != 0)
		ec = cli_fail(CAIRN_ERR_IO, "--remove-after-push: %s", e->path);
out:
	cli_progress_end(&pg);
	if (fd >= 0)
		close(fd);
	free(state);
	free(udir);
	return ec;
}
