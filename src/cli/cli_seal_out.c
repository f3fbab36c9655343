/*
 * cli_seal_out.c - where seal writes: -o OUT, -o DIR (an existing
 * directory: a default name inside it) or a default name here.  Default
 * names tell nothing of the content ("cairn-YYYYMMDDTHHMMSSZ-RANDOM.cairn",
 * or --name NAME instead of "cairn") and never collide with an existing
 * file: a name that exists is drawn again.
 *
 * Knows nothing of sealing itself; prints through cli.h only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cairn/manifest.h"
#include "cli.h"
#include "cli_seal_out.h"

#define RANDOM_LEN 6
#define MAX_DRAWS  16

// clang-format off
static const char exists_hint[] = "an archive is never replaced by accident: choose another name with -o, or leave -o out for a new name";
// clang-format on

int
cli_seal_name_check(const char *name)
{
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		cli_error("seal: --name '%s' is not a file name", name);
		cli_hint(
		    "give a name without '/' that does not start with '.'");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* dir + "/" (unless dir is NULL) + prefix-YYYYMMDDTHHMMSSZ-RANDOM.cairn */
static char *
make_name(const char *dir, const char *prefix, int64_t sealed_at)
{
	static const char abc[] = "abcdefghijkmnpqrstuvwxyz23456789";
	char t[MANIFEST_TIME_LEN], ts[32], rnd[RANDOM_LEN + 1], *out;
	size_t k = 0, n;

	if (manifest_time_format(sealed_at, t) != 0)
		return NULL;
	for (const char *p = t; *p != '\0'; p++)
		if (*p != '-' && *p != ':')
			ts[k++] = *p;
	ts[k] = '\0';
	for (int i = 0; i < RANDOM_LEN; i++)
		rnd[i] = abc[randombytes_uniform(sizeof(abc) - 1)];
	rnd[RANDOM_LEN] = '\0';
	n = (dir != NULL ? strlen(dir) + 1 : 0) + strlen(prefix) + k +
	    RANDOM_LEN + 16;
	if ((out = cio_malloc(n)) == NULL)
		return NULL;
	if (dir != NULL)
		snprintf(out, n, "%s%s%s-%s-%s.cairn", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", prefix, ts, rnd);
	else
		snprintf(out, n, "%s-%s-%s.cairn", prefix, ts, rnd);
	return out;
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
cli_seal_out_open(struct cli_out *o, const struct cli_seal_out *w,
    int64_t sealed_at, char **made)
{
	const char *dir = NULL;
	size_t len;

	*made = NULL;
	if (w->outpath != NULL && strcmp(w->outpath, "-") != 0) {
		if (!is_dir(w->outpath)) {
			len = strlen(w->outpath);
			if (len > 0 && w->outpath[len - 1] == '/') {
				cli_error("%s: no such directory", w->outpath);
				cli_hint("create it first, or give -o FILE");
				return CLI_EXIT_ERR;
			}
			return cli_out_open_hint(
			    o, w->outpath, 0666, w->force, NULL, exists_hint);
		}
		dir = w->outpath;
	} else if (w->outpath != NULL)
		return cli_out_open(o, w->outpath, 0666, 0, NULL);
	for (int i = 0; i < MAX_DRAWS; i++) {
		free(*made);
		*made = make_name(
		    dir, w->name != NULL ? w->name : "cairn", sealed_at);
		if (*made == NULL)
			return cli_fail(CAIRN_ERR_NOMEM, "seal");
		if (!cli_exists(*made))
			break;
	}
	return cli_out_open_hint(o, *made, 0666, 0, NULL, exists_hint);
}
