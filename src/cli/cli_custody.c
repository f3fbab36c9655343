/*
 * cli_custody.c - appending the custody log entry of an action (see
 * cli_custody.h; the format is in docs/format.md).
 *
 * Knows custody.h and the key home; nothing of archives.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cairn/custody.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "cli.h"
#include "cli_custody.h"

int
cli_custody_enabled(void)
{
	struct stat st;
	int unset;
	char *home = cli_key_home_quiet(&unset);
	int on = home != NULL && stat(home, &st) == 0 && S_ISDIR(st.st_mode);

	free(home);
	return on;
}

void
cli_custody_log(
    const struct cli_custody_note *n, const struct minisig_secret *sk)
{
	struct custody_entry e;
	struct stat st;
	char *home = NULL, *dir = NULL;
	int rc;

	memset(&e, 0, sizeof(e));
	if ((home = cli_key_home()) == NULL)
		return;
	if (stat(home, &st) != 0 || !S_ISDIR(st.st_mode))
		goto out;
	if ((dir = cli_key_home_path(CLI_HOME_CUSTODY)) == NULL)
		goto out;
	e.time = (int64_t)time(NULL);
	snprintf(e.action, sizeof(e.action), "%s", n->action);
	if (n->exit_code == 0)
		snprintf(e.result, sizeof(e.result), "ok");
	else
		snprintf(e.result, sizeof(e.result), "exit%d", n->exit_code);
	snprintf(e.tool, sizeof(e.tool), "cairn/%s", CAIRN_VERSION);
	snprintf(e.archive_id, sizeof(e.archive_id), "%s",
	    n->archive_id != NULL ? n->archive_id : "-");
	if (n->sha256 != NULL) {
		digest_hex(n->sha256, 32, e.sha256);
		e.size = n->size;
		e.has_size = 1;
	} else
		snprintf(e.sha256, sizeof(e.sha256), "-");
	// clang-format off
	if ((rc = custody_append(dir, &e, sk)) != 0) {
		if (rc == CAIRN_ERR_INTEGRITY)
			cli_warn("%s: the custody log is broken; this %s was not logged", dir, n->action);
		else
			cli_warn("%s: this %s was not logged: %s", dir, n->action, rc == CAIRN_ERR_IO ? strerror(errno) : cairn_strerror(rc));
		cli_hint("check it with 'cairn log verify'");
	}
	// clang-format on
out:
	free(dir);
	free(home);
}
