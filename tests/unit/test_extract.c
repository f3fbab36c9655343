/*
 * test_extract.c - the staging-directory writer behind `cairn open`:
 * files and directories land in a private staging directory and appear
 * at the destination only on commit; modes, times, implicit parents;
 * refusals (bad names, duplicates, an existing destination, symlinks
 * planted in the way); abort and the signal-safe cleanup remove
 * everything, also unwritable directories.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/extract.h"
#include "tap.h"

static char dir[64];

/* Number of entries in dir whose name starts with prefix. */
static int
count(const char *prefix)
{
	char cmd[256], buf[32];
	FILE *f;
	int n = -1;

	snprintf(
	    cmd, sizeof(cmd), "ls -A %s | grep -c '^%s' || true", dir, prefix);
	if ((f = popen(cmd, "r")) != NULL) {
		if (fgets(buf, sizeof(buf), f) != NULL)
			n = atoi(buf);
		pclose(f);
	}
	return n;
}

static int
put(struct extract *x, const char *path, const char *data, unsigned mode)
{
	int rc = extract_file_begin(x, path, mode, 1600000000);

	if (rc == 0)
		rc = extract_file_write(x, (const uint8_t *)data, strlen(data));
	if (rc == 0)
		rc = extract_file_end(x);
	return rc;
}

static struct stat
st_of(const char *rel)
{
	struct stat st;
	char p[256];

	memset(&st, 0, sizeof(st));
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	lstat(p, &st);
	return st;
}

int
main(void)
{
	struct extract *x = NULL;
	char dest[128];
	struct stat st;
	int rc;

	umask(022);
	snprintf(dir, sizeof(dir), "/tmp/cairn-test-extract-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dest, sizeof(dest), "%s/out", dir);

	/* a normal extraction */
	rc = extract_begin(&x, dest);
	TAP_EQ_INT(rc, 0, "begin");
	TAP_EQ_INT(count(".out.cairn-"), 1, "staging directory beside DIR");
	st = st_of(strrchr(extract_staging_path(x), '/') + 1);
	TAP_OK(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
	    "staging directory is 0700 (%o)", st.st_mode & 0777);
	TAP_EQ_INT(extract_dir(x, "a", 0750, 1500000000), 0, "dir a");
	TAP_EQ_INT(put(x, "a/f.txt", "hello", 0640), 0, "file a/f.txt");
	TAP_EQ_INT(put(x, "a/x.sh", "#!/bin/sh", 0777), 0, "file a/x.sh");
	TAP_EQ_INT(
	    put(x, "p/q/r.txt", "deep", 0644), 0, "file with missing parents");
	TAP_EQ_INT(extract_dir(x, "p", 0700, 1500000000), 0,
	    "dir entry for an implicit parent");
	TAP_EQ_INT(put(x, "a/f.txt", "again", 0644), CAIRN_ERR_EXISTS,
	    "duplicate file refused (as a case-insensitive file system "
	    "sees A.txt after a.txt)");
	TAP_EQ_INT(put(x, "a/f.txt/g", "x", 0644), CAIRN_ERR_UNSAFE,
	    "path below a file refused");
	TAP_EQ_INT(extract_dir(x, "a/f.txt", 0755, 1), CAIRN_ERR_EXISTS,
	    "directory over a file refused");
	TAP_EQ_INT(
	    put(x, "../escape", "x", 0644), CAIRN_ERR_UNSAFE, "'..' refused");
	TAP_EQ_INT(put(x, "/abs", "x", 0644), CAIRN_ERR_UNSAFE,
	    "absolute path refused");
	TAP_EQ_INT(put(x, "a//b", "x", 0644), CAIRN_ERR_UNSAFE,
	    "empty component refused");
	TAP_EQ_INT(put(x, "bad\nname", "x", 0644), CAIRN_ERR_UNSAFE,
	    "control character refused");
	TAP_EQ_INT(put(x, "", "x", 0644), CAIRN_ERR_UNSAFE, "empty refused");
	/* a symlink planted in the staging directory is not followed */
	tap_sh("ln -s %s %s/link", dir, extract_staging_path(x));
	TAP_EQ_INT(put(x, "link/planted", "x", 0644), CAIRN_ERR_UNSAFE,
	    "symlinked parent not followed");
	TAP_EQ_INT(put(x, "link", "x", 0644), CAIRN_ERR_EXISTS,
	    "existing symlink not overwritten");
	tap_sh("rm %s/link", extract_staging_path(x));
	TAP_OK(access("/tmp/planted", F_OK) != 0 && count("planted") == 0,
	    "nothing written through the link");
	TAP_OK(access(dest, F_OK) != 0, "DIR does not exist before commit");
	TAP_EQ_INT(extract_commit(x), 0, "commit");
	extract_free(x);
	x = NULL;
	TAP_EQ_INT(count(".out.cairn-"), 0, "no staging directory left");
	st = st_of("out");
	TAP_OK(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755,
	    "DIR is 0755 & ~umask (%o)", st.st_mode & 0777);
	st = st_of("out/a");
	TAP_OK((st.st_mode & 0777) == 0750 && st.st_mtime == 1500000000,
	    "dir mode and mtime restored (%o)", st.st_mode & 0777);
	st = st_of("out/a/f.txt");
	TAP_OK((st.st_mode & 0777) == 0640 && st.st_mtime == 1600000000 &&
	        st.st_size == 5,
	    "file mode and mtime restored (%o)", st.st_mode & 0777);
	st = st_of("out/a/x.sh");
	TAP_OK((st.st_mode & 0777) == 0644,
	    "no execute or group/other write "
	    "bits (%o)",
	    st.st_mode & 0777);
	st = st_of("out/p");
	TAP_OK((st.st_mode & 0777) == 0700,
	    "implicit parent took the entry's "
	    "mode (%o)",
	    st.st_mode & 0777);
	st = st_of("out/p/q/r.txt");
	TAP_OK(S_ISREG(st.st_mode), "deep file exists");

	/* an existing destination */
	TAP_EQ_INT(
	    extract_begin(&x, dest), CAIRN_ERR_EXISTS, "existing DIR refused");
	tap_sh("ln -s nowhere %s/dangling", dir);
	snprintf(dest, sizeof(dest), "%s/dangling", dir);
	TAP_EQ_INT(extract_begin(&x, dest), CAIRN_ERR_EXISTS,
	    "dangling symlink counts as existing");
	TAP_EQ_INT(extract_begin(&x, "/"), CAIRN_ERR_INVAL, "'/' refused");
	TAP_EQ_INT(extract_begin(&x, ".."), CAIRN_ERR_INVAL, "'..' refused");

	/* abort removes everything, also read-only and unwritable dirs */
	snprintf(dest, sizeof(dest), "%s/out2", dir);
	rc = extract_begin(&x, dest);
	rc = rc ? rc : extract_dir(x, "ro", 0500, 1);
	rc = rc ? rc : put(x, "ro/f", "x", 0400);
	rc = rc ? rc : put(x, "w/x/y/z", "deep", 0644);
	TAP_EQ_INT(rc, 0, "second extraction");
	tap_sh("chmod 0500 %s/ro %s/w/x; chmod 0000 %s/w/x/y",
	    extract_staging_path(x), extract_staging_path(x),
	    extract_staging_path(x));
	extract_abort(x);
	TAP_EQ_INT(count(".out2.cairn-"), 0, "abort removed the staging tree");
	TAP_OK(access(dest, F_OK) != 0, "DIR never appeared");
	TAP_EQ_INT(extract_commit(x), CAIRN_ERR_INVAL, "no commit after abort");
	extract_free(x);

	/* the signal-safe cleanup */
	rc = extract_begin(&x, dest);
	rc = rc ? rc : put(x, "s/t/u", "x", 0644);
	TAP_EQ_INT(rc, 0, "third extraction");
	extract_abort_signal_safe();
	TAP_EQ_INT(count(".out2.cairn-"), 0,
	    "signal-safe cleanup removed the staging tree");
	extract_free(x);
	extract_abort_signal_safe(); /* nothing armed: no-op */

	/* DIR appears while extracting: commit refuses, nothing replaced */
	rc = extract_begin(&x, dest);
	rc = rc ? rc : put(x, "f", "x", 0644);
	tap_sh("mkdir %s && touch %s/theirs", dest, dest);
	TAP_EQ_INT(extract_commit(x), CAIRN_ERR_EXISTS,
	    "DIR created meanwhile: commit refuses");
	TAP_EQ_INT(count(".out2.cairn-"), 0, "... and cleans up");
	TAP_OK(access("/dev/null", F_OK) == 0 &&
	        st_of("out2/theirs").st_nlink == 1,
	    "their DIR untouched");
	extract_free(x);

	tap_sh("chmod -R u+rwx %s; rm -rf %s", dir, dir);
	return tap_done();
}
