/*
 * cli_keyhome.c - `cairn keygen` without -o: create the key home with a
 * fresh age identity, a minisign signing key pair and the default
 * recipients file (see cli_archive.h), added to when it exists;
 * cli_recipients_append() (cli.h), which 'recovery init' uses too, over
 * cli_file_replace() (cli.h), which 'signer remove' uses too; and
 * the StrictModes check of the key home's public files (cli.h).
 * Never replaces an existing key.
 *
 * Knows the key home layout (cli.h) and the signing-key helpers; the
 * identity file itself is written by cmd_keygen.c's writer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cli.h"
#include "cli_archive.h"
#include "cairn/minisig.h"

/* After a commit that published the new file at path and then failed:
 * put the old content back (had: path existed, with mode), or remove
 * the new file.  1 when path is as it was again (its content: the
 * directory fsync may fail again), else 0. */
static int
put_back(const char *path, int had, const char *old, size_t oldlen, mode_t mode)
{
	struct cio_atomic a;
	int rc;

	if (!had)
		return unlink(path) == 0;
	if (cio_atomic_open(&a, path, mode, 1) != 0)
		return 0;
	if ((rc = cio_fd_write(&a.fd, (const uint8_t *)old, oldlen)) == 0)
		rc = cio_atomic_commit(&a);
	cio_atomic_abort(&a); /* no-op after commit */
	return rc == 0 || a.published;
}

int
cli_file_replace(const char *path, const char *buf, size_t len, mode_t mode,
    const struct cli_prev *prev, int *left_new)
{
	struct cio_atomic a;
	int rc, ec = 0;

	if (left_new != NULL)
		*left_new = 0;
	if ((rc = cio_atomic_open(&a, path, mode, 1)) != 0)
		return cli_fail(rc, "%s", path);
	if ((rc = cio_fd_write(&a.fd, (const uint8_t *)buf, len)) != 0 ||
	    (rc = cio_atomic_commit(&a)) != 0) {
		ec = cli_fail(rc, "%s", path);
		/* published, then the directory fsync failed: undo it */
		if (a.published &&
		    !put_back(
		        path, prev->had, prev->text, prev->len, prev->mode)) {
			// clang-format off
			cli_warn("%s: holds the new content: its old content could not be put back", path);
			// clang-format on
			if (left_new != NULL)
				*left_new = 1;
		}
	}
	cio_atomic_abort(&a); /* no-op after commit */
	return ec;
}

int
cli_recipients_append(
    const char *path, const char *lines, mode_t mode, int *left_new)
{
	struct cli_prev prev = {0, NULL, 0, 0};
	struct stat st;
	char *old = NULL, *buf = NULL;
	size_t oldlen = 0, len, o;
	int rc, ec = 0;

	if (left_new != NULL)
		*left_new = 0;
	if ((prev.had = cli_exists(path)) &&
	    ((rc = cio_read_file(path, CLI_RECIPIENTS_MAX, 0, &old, &oldlen)) !=
	            0 ||
	        (rc = stat(path, &st) != 0 ? CAIRN_ERR_IO : 0) != 0)) {
		ec = cli_fail(rc, "%s", path);
		goto out;
	}
	len = strlen(lines);
	if ((buf = cio_malloc(oldlen + 1 + len)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "%s", path);
		goto out;
	}
	if (oldlen > 0)
		memcpy(buf, old, oldlen);
	o = oldlen;
	if (oldlen > 0 && old[oldlen - 1] != '\n')
		buf[o++] = '\n';
	memcpy(buf + o, lines, len);
	o += len;
	prev.text = old;
	prev.len = oldlen;
	prev.mode = prev.had ? st.st_mode & 07777 : 0;
	ec = cli_file_replace(path, buf, o, mode, &prev, left_new);
out:
	cio_secret_free(old, oldlen);
	free(buf);
	return ec;
}

int
cli_strict_check(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno == ENOENT ? 0 : cli_fail(CAIRN_ERR_IO, "%s", path);
	// clang-format off
	if (st.st_uid != getuid() && st.st_uid != 0) {
		cli_error("%s: owned by another user (uid %u), so anyone with that account could change whom cairn encrypts to or trusts", path, (unsigned)st.st_uid);
		cli_hint("check the file, then make it yours: chown %u %s", (unsigned)getuid(), path);
		return CLI_EXIT_ERR;
	}
	if ((st.st_mode & 022) != 0) {
		cli_error("%s: writable by group or others, so someone else could change whom cairn encrypts to or trusts; refusing to use it", path);
		cli_hint("check its content, then: chmod go-w %s", cli_sh(path));
		return CLI_EXIT_ERR;
	}
	// clang-format on
	return 0;
}

int
cli_key_home_public(const char *name, char **path)
{
	char *home;
	int ec;

	*path = NULL;
	if ((home = cli_key_home()) == NULL)
		return CLI_EXIT_ERR;
	ec = cli_strict_check(home);
	free(home);
	if (ec != 0)
		return ec;
	if ((*path = cli_key_home_path(name)) == NULL)
		return CLI_EXIT_ERR;
	if ((ec = cli_strict_check(*path)) != 0) {
		free(*path);
		*path = NULL;
	}
	return ec;
}

/* mkdir -p home; the last component 0700.  Warns when it is open to
 * group or others. */
static int
make_home(const char *home)
{
	struct stat st;
	char *p;

	if ((p = cio_strdup(home)) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "keygen");
	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			free(p);
			return cli_fail(CAIRN_ERR_IO, "%s", home);
		}
		*s = '/';
	}
	free(p);
	if (mkdir(home, 0700) != 0 && errno != EEXIST)
		return cli_fail(CAIRN_ERR_IO, "%s", home);
	if (stat(home, &st) != 0)
		return cli_fail(CAIRN_ERR_IO, "%s", home);
	if (!S_ISDIR(st.st_mode))
		return cli_fail_why(
		    CLI_EXIT_ERR, "not a directory", "%s", home);
	if ((st.st_mode & 077) != 0) {
		cli_warn("%s: key home is accessible by group or others", home);
		cli_hint("chmod 700 %s", cli_sh(home));
	}
	return 0;
}

int
cli_keyhome_create(
    const struct cli_pass *pass, cli_identity_writer write_identity)
{
	static const char *names[] = {CLI_HOME_IDENTITY, CLI_HOME_SIGNING_KEY,
	    CLI_HOME_SIGNING_PUB, CLI_HOME_RECIPIENTS};
	char *home = NULL, *path[4] = {NULL, NULL, NULL, NULL};
	char recipient[AGE_RECIPIENT_STR_LEN], text[512], created[32];
	char kid[MINISIG_KEY_ID_HEX_LEN];
	struct minisig_public pk;
	struct stat st;
	time_t now = time(NULL);
	struct tm tm;
	int ec = CLI_EXIT_ERR, wrote = 0, added, left = 0;

	if ((home = cli_key_home()) == NULL)
		goto out;
	for (int i = 0; i < 4; i++)
		if ((path[i] = cli_key_home_path(names[i])) == NULL)
			goto out;
	/* The keys are never replaced; recipients may already exist (from
	 * 'recovery init', or written by hand): the new recipient is added. */
	for (int i = 0; i < 3; i++)
		if (cli_exists(path[i])) {
			cli_error(
			    "%s: exists, refusing to overwrite a key", path[i]);
			// clang-format off
			cli_hint("the key home %s is already set up; use keygen -o FILE for another identity", home);
			// clang-format on
			goto out;
		}
	if ((ec = make_home(home)) != 0)
		goto out;
	if ((ec = write_identity(path[0], pass, recipient)) != 0)
		goto out;
	wrote = 1;
	if ((ec = cli_signing_create(path[1], path[2], pass, &pk)) != 0)
		goto out;
	wrote = 3;
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((added = stat(path[3], &st) == 0)) /* keep its lines and mode */
		snprintf(text, sizeof(text),
		    "# the identity in this key home (created %s)\n%s\n",
		    created, recipient);
	else {
		st.st_mode = 0644;
		snprintf(text, sizeof(text),
		    "# cairn default recipients for 'cairn seal': the "
		    "identity in\n# this key home (created %s)\n%s\n",
		    created, recipient);
	}
	/* The recipient is printed before recipients is written: a failure
	 * (even a closed pipe) then removes the keys and leaves recipients
	 * as it was, never naming a key that is gone. */
	printf("%s\n", recipient);
	if ((ec = cli_flush_stdout()) != 0)
		goto out;
	if ((ec = cli_recipients_append(
	         path[3], text, st.st_mode & 0777, &left)) != 0) {
		if (left) /* recipients names the key: keep it */
			wrote = 0;
		goto out;
	}
	minisig_key_id_hex(pk.key_id, kid);
	fprintf(stderr,
	    "cairn: created %s: identity, %s, signing.key and signing.pub "
	    "(signing key id %s)%s\n",
	    home, added ? "recipient added to recipients" : "recipients", kid,
	    pass != NULL ? "; identity and signing key "
	                   "are passphrase-protected"
	                 : "");
out:
	if (ec != 0)
		for (int i = 0; i < wrote; i++)
			(void)unlink(path[i]);
	for (int i = 0; i < 4; i++)
		free(path[i]);
	free(home);
	return ec;
}
