/*
 * test_seal_changed.c - sealing when things go wrong: inputs that change
 * between planning and streaming or while being read (CHANGED, nothing
 * usable written), sink errors, and that list mode reads only the head of
 * a large archive.
 */
#include "seal_util.h"

/* A sink that runs a shell command once, after the first write (when
 * manifest.json has gone out and before the files stream). */
struct meddle {
	struct cio_membuf m;
	const char *cmd;
	int done;
};

static int
meddle_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct meddle *md = ctx;

	if (!md->done && md->cmd != NULL) {
		md->done = 1;
		if (system(md->cmd) != 0)
			fprintf(stderr, "# meddle failed: %s\n", md->cmd);
	}
	return cio_membuf_write(&md->m, buf, len);
}

/* Write dir/ch/f (size bytes) and seal dir/ch into memory, running
 * plan_cmd between planning and streaming and sink_cmd (the meddling
 * sink) after the first write; returns the result and the error text. */
static int
seal_meddled(size_t size, const char *plan_cmd, const char *sink_cmd, char *err,
    size_t errlen)
{
	struct seal_plan *p;
	struct meddle md = {.cmd = sink_cmd};
	struct cio_sink sink = {meddle_write, &md};
	char path[128];
	const char *paths[] = {path, NULL};
	int rc;

	tap_sh("rm -rf %s/ch && mkdir -p %s/ch", dir, dir);
	snprintf(path, sizeof(path), "%s/ch/f", dir);
	write_file(path, size, 3);
	snprintf(path, sizeof(path), "%s/ch", dir);
	if ((rc = plan_paths(&p, paths)) == 0) {
		if (plan_cmd != NULL && system(plan_cmd) != 0)
			fprintf(stderr, "# command failed: %s\n", plan_cmd);
		rc = seal_age(p, sk, &sink);
	}
	snprintf(err, errlen, "%s", p != NULL ? seal_plan_error(p) : "");
	seal_plan_free(p);
	cio_membuf_free(&md.m);
	return rc;
}

static void
test_changed(void)
{
	char cmd[512], err[512];
	static const struct {
		const char *what, *fmt;
	} cases[] = {
	    {"appended to", "echo more >>%s/ch/f"},
	    {"truncated", "truncate -s 100 %s/ch/f"},
	    {"same size, new mtime", "touch -d '2001-01-01' %s/ch/f"},
	    {"replaced by another file",
	        "cp %s/ch/f %s/ch/g && "
	        "mv %s/ch/g %s/ch/f"},
	    {"replaced by a symlink",
	        "mv %s/ch/f %s/ch/h && "
	        "ln -s h %s/ch/f"},
	    {"removed", "rm %s/ch/f"},
	};
	int rc;

	TAP_EQ_INT(
	    seal_meddled(2 * SEAL_BLOCK + 5, NULL, NULL, err, sizeof(err)), 0,
	    "unchanged input seals");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(cmd, sizeof(cmd), cases[i].fmt, dir, dir, dir, dir);
		rc = seal_meddled(
		    2 * SEAL_BLOCK + 5, cmd, NULL, err, sizeof(err));
		TAP_OK(rc ==
		            (strcmp(cases[i].what, "removed") == 0
		                    ? CAIRN_ERR_IO
		                    : CAIRN_ERR_CHANGED) &&
		        strstr(err, "ch/f") != NULL,
		    "file %s after planning: error %d, '%s'", cases[i].what, rc,
		    err);
	}
	/* growing during the read: the meddling sink appends to a file
	 * larger than what the reading thread may run ahead; its first write
	 * happens when the first 64 KiB age chunk is complete, i.e. inside
	 * the file's data */
	snprintf(cmd, sizeof(cmd), "head -c 3000000 /dev/zero >>%s/ch/f", dir);
	rc = seal_meddled(12 * SEAL_BLOCK + 5, NULL, cmd, err, sizeof(err));
	TAP_EQ_INT(rc, CAIRN_ERR_CHANGED, "file growing while being read");
	TAP_OK(strstr(err, "while being sealed") != NULL, "... says so: '%s'",
	    err);
}

/* A sink that fails after max bytes. */
struct failing {
	size_t n, max;
};

static int
failing_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct failing *f = ctx;

	(void)buf;
	if (f->n + len > f->max) {
		errno = ENOSPC;
		return CAIRN_ERR_IO;
	}
	f->n += len;
	return 0;
}

static void
test_sink_error_and_list(void)
{
	struct seal_plan *p = NULL;
	struct failing fl = {0, 200000};
	struct cio_sink sink = {failing_write, &fl};
	const char *paths[2] = {NULL, NULL};
	char a[128];
	struct cio_membuf out;
	struct unseal_options o;
	struct unseal_result res;
	uint64_t consumed = 0;
	int rc;

	tap_sh("mkdir -p %s/big", dir);
	snprintf(a, sizeof(a), "%s/big/video.bin", dir);
	write_file(a, 8 * 1024 * 1024, 9);
	snprintf(a, sizeof(a), "%s/big", dir);
	rc = seal_plan_new(&p, NULL, NULL);
	if (rc == 0)
		rc = seal_plan_add(p, a);
	if (rc == 0)
		rc = seal_age(p, sk, &sink);
	TAP_EQ_INT(rc, CAIRN_ERR_IO, "sink error comes back");
	TAP_EQ_INT(seal_write(p, sk, &sink), CAIRN_ERR_INVAL,
	    "a plan is written once");
	seal_plan_free(p);

	paths[0] = a;
	{
		char e[512];

		rc = seal_paths(paths, sk, &out, e, sizeof(e));
		TAP_OK(rc == 0, "seal 8 MiB: %d '%s'", rc, e);
	}
	memset(&o, 0, sizeof(o));
	o.list_only = 1;
	rc = unseal_mem(out.data, out.len, &o, &res, &consumed);
	TAP_OK(rc == 0 && res.m != NULL && res.m->nentries == 2,
	    "list mode parses the manifest");
	/* the age reader reads ahead up to ~1 MiB; decrypts far less */
	TAP_OK(consumed < 1200 * 1024, "list read %llu of %zu bytes",
	    (unsigned long long)consumed, out.len);
	unseal_result_free(&res);
	/* the head alone still lists */
	rc = unseal_mem(out.data, 300 * 1024, &o, &res, NULL);
	TAP_EQ_INT(rc, 0, "a 300 KiB head of the archive lists");
	unseal_result_free(&res);
	o.list_only = 0;
	rc = unseal_mem(out.data, 300 * 1024, &o, &res, NULL);
	TAP_EQ_INT(rc, CAIRN_ERR_PAYLOAD, "... but does not verify");
	unseal_result_free(&res);
	cio_membuf_free(&out);
}

int
main(void)
{
	if (seal_setup() != 0)
		return 1;
	seal_both_ways(test_changed);
	test_sink_error_and_list();
	seal_teardown();
	return tap_done();
}
