/*
 * cli_recovery_keys.c - the recovery keys the key home knows about:
 * 'recovery init' writes each one into the recipients file under a
 * "# cairn recovery key, SLIP-39 share set N, ..." comment.  Used by
 * 'recovery list' and by seal's warning when an archive is not sealed
 * to them (-r, -R or -p replace the key home's recipients).
 *
 * Knows only the recipients file's text; never reads a secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cli.h"
#include "cli_recovery_keys.h"

#define MARK "# cairn recovery key, "

/* Next line of [*p, end) into [*b, *e), without the newline and spaces
 * around it; 0 at the end. */
static int
next_line(const char **p, const char *end, const char **b, const char **e)
{
	const char *nl;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*b = *p;
	*e = nl != NULL ? nl : end;
	*p = nl != NULL ? nl + 1 : end;
	while (*b < *e && (**b == ' ' || **b == '\t'))
		(*b)++;
	while (*e > *b &&
	    ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
	return 1;
}

static char *
dup_range(const char *b, const char *e)
{
	char *s = cio_malloc((size_t)(e - b) + 1);

	if (s != NULL) {
		memcpy(s, b, (size_t)(e - b));
		s[e - b] = '\0';
	}
	return s;
}

static int
add_key(struct cli_recovery_keys *k, const char *desc, const char *db,
    const char *de)
{
	struct cli_recovery_key *v = cio_realloc(k->v, (k->n + 1) * sizeof(*v));

	if (v == NULL)
		return CAIRN_ERR_NOMEM;
	k->v = v;
	v[k->n].about = cio_strdup(desc);
	v[k->n].recipient = dup_range(db, de);
	if (v[k->n].about == NULL || v[k->n].recipient == NULL) {
		free(v[k->n].about);
		free(v[k->n].recipient);
		return CAIRN_ERR_NOMEM;
	}
	k->n++;
	return 0;
}

int
cli_recovery_keys_parse(
    struct cli_recovery_keys *k, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *b, *e;
	char *desc = NULL;
	int rc = 0;

	while (rc == 0 && next_line(&p, end, &b, &e)) {
		if ((size_t)(e - b) > strlen(MARK) &&
		    memcmp(b, MARK, strlen(MARK)) == 0) {
			free(desc);
			b += strlen(MARK);
			if ((desc = dup_range(b, e)) == NULL)
				rc = CAIRN_ERR_NOMEM;
		} else if (desc != NULL && e - b > 4 &&
		    strncasecmp(b, "age1", 4) == 0) {
			rc = add_key(k, desc, b, e);
			free(desc);
			desc = NULL;
		} else if (b < e && *b != '#') {
			free(desc);
			desc = NULL;
		}
	}
	free(desc);
	return rc;
}

int
cli_recovery_keys_load(struct cli_recovery_keys *k)
{
	char *path = cli_key_home_path(CLI_HOME_RECIPIENTS), *text = NULL;
	size_t len = 0;
	int rc;

	memset(k, 0, sizeof(*k));
	if (path == NULL)
		return CLI_EXIT_ERR;
	if (!cli_exists(path)) {
		free(path);
		return 0;
	}
	rc = cio_read_file(path, CLI_RECIPIENTS_MAX, 0, &text, &len);
	if (rc == 0)
		rc = cli_recovery_keys_parse(k, text, len);
	cio_secret_free(text, len);
	rc = rc != 0 ? cli_fail(rc, "%s", path) : 0;
	free(path);
	return rc;
}

void
cli_recovery_keys_free(struct cli_recovery_keys *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].about);
		free(k->v[i].recipient);
	}
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

/* 1 when the recipients given by o include recipient. */
static int
given(const struct cli_recipient_opts *o, const char *recipient)
{
	for (size_t i = 0; i < o->nr; i++)
		if (strcasecmp(o->rstr[i], recipient) == 0)
			return 1;
	for (size_t i = 0; i < o->nR; i++) {
		char *text = NULL;
		size_t len = 0;
		int hit = 0;

		if (strcmp(o->rfiles[i], "-") == 0)
			return 1; /* read already: cannot tell, stay quiet */
		if (cio_read_file(
		        o->rfiles[i], CLI_RECIPIENTS_MAX, 0, &text, &len) == 0)
			hit = strcasestr(text, recipient) != NULL;
		cio_secret_free(text, len);
		if (hit)
			return 1;
	}
	return 0;
}

void
cli_recovery_check(const struct cli_recipient_opts *o, int no_recovery)
{
	struct cli_recovery_keys k;

	if (no_recovery || (o->nr + o->nR == 0 && !o->ask))
		return; /* the key home's recipients: recovery included */
	if (cli_recovery_keys_load(&k) != 0)
		return;
	for (size_t i = 0; i < k.n; i++) {
		if (!o->ask && given(o, k.v[i].recipient))
			continue;
		// clang-format off
		cli_warn("this archive is not sealed to the recovery key %s (%s): your contacts will not be able to open it", k.v[i].recipient, k.v[i].about);
		if (o->ask)
			cli_hint("seal without -p to use the key home's recipients, or add --no-recovery to seal to the passphrase alone deliberately");
		else
			cli_hint("add -r %s (or -R with the key home's recipients file), or --no-recovery to leave it out deliberately", k.v[i].recipient);
		// clang-format on
	}
	cli_recovery_keys_free(&k);
}
