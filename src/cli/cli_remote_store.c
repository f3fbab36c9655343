/*
 * cli_remote_store.c - reading the remotes stored in the key home for
 * `cairn remote list`: their names, and what list shows of each (never
 * the credentials themselves).  See cli_remote.h.
 *
 * Knows cli_remote.h and jansson.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cairn/err.h"
#include "cli.h"
#include "cli_json.h"
#include "cli_remote.h"

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
cli_remote_names(const char *rdir, char ***names, size_t *n)
{
	DIR *d = opendir(rdir);
	struct dirent *e;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char **nv;

		if (!cli_remote_name_ok(e->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = cio_realloc(*names, cap * sizeof(*nv))) ==
			    NULL)
				break;
			*names = nv;
		}
		if (((*names)[*n] = cio_strdup(e->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	if (e != NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "remote list");
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), name_cmp);
	return 0;
}

json_t *
cli_remote_describe(const char *rdir, const char *name)
{
	char *dir = cio_path_join(rdir, name, NULL), *conf = NULL, *cred = NULL;
	json_t *c = NULL, *o = NULL;

	if (dir != NULL &&
	    (conf = cio_path_join(dir, "config.json", NULL)) != NULL &&
	    (cred = cio_path_join(dir, "credentials", NULL)) != NULL &&
	    (c = json_load_file(conf, 0, NULL)) != NULL &&
	    (o = json_object()) != NULL) {
		json_t *p = json_object_get(c, "proxy");
		cli_json_set(o, "name", json_string(name));
		cli_json_set(
		    o, "url", json_deep_copy(json_object_get(c, "url")));
		cli_json_set(o, "proxy", p ? json_deep_copy(p) : json_null());
		cli_json_set(
		    o, "stored_credentials", json_boolean(cli_exists(cred)));
	}
	json_decref(c);
	free(cred);
	free(conf);
	free(dir);
	return o;
}
