/*
 * cli_seal_after.c - hashing, reading back and removing the originals after
 * `cairn seal` (see cli_seal_after.h).
 *
 * Knows digest.h, seal.h and the filesystem; nothing of age or tar.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_json.h"
#include "cli_seal_after.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"

static int
hash_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct cli_hash_sink *h = ctx;
	int rc = h->next->write(h->next->ctx, buf, len);

	if (rc == 0) {
		if (h->d != NULL)
			digest_async_update(h->d, buf, len);
		h->size += len;
	}
	return rc;
}

int
cli_hash_sink_init(
    struct cli_hash_sink *h, const struct cio_sink *next, int hash)
{
	memset(h, 0, sizeof(*h));
	h->next = next;
	h->sink.write = hash_write;
	h->sink.ctx = h;
	h->started = 1;
	if (!hash)
		return 0;
	h->hashed = 1;
	if (digest_async_new(&h->d, -1) != 0)
		return cli_fail(CAIRN_ERR_NOMEM, "seal");
	if (digest_async_begin(h->d) != 0)
		return cli_fail(CAIRN_ERR_NOMEM, "seal");
	return 0;
}

int
cli_hash_sink_final(struct cli_hash_sink *h)
{
	int rc;

	if (!h->started)
		return cli_fail(CAIRN_ERR_INVAL, "seal");
	h->started = 0;
	if (!h->hashed)
		return 0;
	digest_async_end(h->d, h->sha256);
	rc = digest_async_wait(h->d);
	digest_async_free(h->d);
	h->d = NULL;
	if (rc != 0)
		return cli_fail(CAIRN_ERR_NOMEM, "seal");
	return 0;
}

void
cli_hash_sink_free(struct cli_hash_sink *h)
{
	digest_async_free(h->d);
	h->d = NULL;
	h->started = 0;
}

/* Test builds: flip one byte of the file at path, as a failing card
 * might. */
static void
test_flip(const char *path)
{
#ifdef CAIRN_TESTING
	const char *e = getenv("CAIRN_TEST_READBACK_FLIP");
	unsigned char c;
	off_t at;
	int fd;

	if (e == NULL || *e == '\0' ||
	    (fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return;
	at = (off_t)strtoll(e, NULL, 10);
	if (pread(fd, &c, 1, at) == 1) {
		c ^= 0xff;
		if (pwrite(fd, &c, 1, at) != 1)
			c = 0;
	}
	close(fd);
#else
	(void)path;
#endif
}

int
cli_seal_readback(const struct cli_out *o, const struct cli_hash_sink *h)
{
	uint8_t got[DIGEST_SHA256_LEN];
	struct stat a, b;
	uint64_t size;
	int fd, rc;

	test_flip(o->a.tmp);
	/* Written to the medium, then dropped from the page cache so the
	 * reads below come from the medium (where the kernel allows). */
	if (fdatasync(o->fd) != 0)
		return cli_fail(CAIRN_ERR_IO, "writing %s", o->name);
	(void)posix_fadvise(o->fd, 0, 0, POSIX_FADV_DONTNEED);
	fd = open(o->a.tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cli_fail(CAIRN_ERR_IO, "reading back %s", o->name);
	if (fstat(fd, &a) != 0 || fstat(o->fd, &b) != 0 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(fd);
		return cli_fail_why(CLI_EXIT_ERR,
		    "the file being written was replaced", "reading back %s",
		    o->name);
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	rc = digest_fd_sha256(fd, got, &size);
	close(fd);
	if (rc != 0)
		return cli_fail(rc, "reading back %s", o->name);
	if (size != h->size || !digest_equal(got, h->sha256, sizeof(got))) {
		// clang-format off
		cli_error("%s: reading the archive back gave other bytes than were written: the disk or card may be failing", o->name);
		cli_hint("nothing was kept and the originals are untouched; seal again to another disk or card");
		// clang-format on
		return CLI_EXIT_ERR;
	}
	return 0;
}

int
cli_seal_remove_originals(struct seal_plan *p, int quiet, json_t *removed)
{
	size_t n = seal_plan_manifest(p)->nentries;
	int ec = 0, rc;

	for (size_t i = n; i-- > 0;) {
		const char *host = seal_plan_host(p, i);

		rc = seal_plan_remove(p, i);
		if (rc == 0) {
			if (!quiet) {
				fputs("removed: ", stdout);
				fflush(stdout);
				cli_print_escaped(STDOUT_FILENO, host);
				fputs("\n", stdout);
			}
			if (removed != NULL) {
				json_t *v = json_string(host);

				cli_json_append(
				    removed, v != NULL ? v : json_null());
			}
			continue;
		}
		// clang-format off
		if (rc == CAIRN_ERR_EXISTS)
			cli_warn("%s: directory kept: it holds files that were not sealed", host);
		else if (rc == CAIRN_ERR_CHANGED)
			cli_warn("%s: kept: it changed after it was sealed", host);
		else
			cli_warn("%s: could not be removed: %s", host, rc == CAIRN_ERR_IO ? strerror(errno) : cairn_strerror(rc));
		// clang-format on
		if (rc != CAIRN_ERR_EXISTS)
			ec = CLI_EXIT_ERR;
	}
	return ec;
}

int
cli_seal_summary(struct seal_plan *p, const char *output, size_t nrecipients,
    const struct cli_hash_sink *h, int readback, json_t *removed, int json,
    int remove_ec)
{
	struct manifest *m = seal_plan_manifest(p);
	char id[MANIFEST_ID_HEX_LEN], t[MANIFEST_TIME_LEN];
	char kid[MINISIG_KEY_ID_HEX_LEN], hex[DIGEST_SHA256_LEN * 2 + 1];
	json_t *o;

	// clang-format off
	if (m->nskipped > 0)
		cli_warn("%zu %s not sealed (--skip-unreadable, named above); the archive's manifest lists %s as skipped", m->nskipped, m->nskipped == 1 ? "path was" : "paths were", m->nskipped == 1 ? "it" : "them");
	// clang-format on
	if (!json) {
		json_decref(removed);
		return remove_ec != 0 ? remove_ec : cli_flush_stdout();
	}
	manifest_archive_id_hex(m, id);
	if (manifest_time_format(m->sealed_at, t) != 0)
		t[0] = '\0';
	if (m->has_signer)
		minisig_key_id_hex(m->signer.key_id, kid);
	digest_hex(h->sha256, sizeof(h->sha256), hex);
	if ((o = json_object()) == NULL) {
		json_decref(removed);
		return cli_fail(CAIRN_ERR_NOMEM, "summary");
	}
	cli_json_set(o, "ok", json_boolean(remove_ec == 0));
	cli_json_set(o, "exit_code", json_integer(remove_ec));
	cli_json_set(o, "error",
	    remove_ec == 0 ? json_null()
	                   : json_string("some originals were kept"));
	cli_json_set(o, "archive_id", json_string(id));
	cli_json_set(o, "output", json_string(output));
	cli_json_set(o, "sealed_at", json_string(t));
	cli_json_set(o, "files", json_integer((json_int_t)seal_plan_files(p)));
	cli_json_set(o, "entries", json_integer((json_int_t)m->nentries));
	cli_json_set(o, "bytes", json_integer((json_int_t)seal_plan_bytes(p)));
	cli_json_set(o, "recipients", json_integer((json_int_t)nrecipients));
	cli_json_set(o, "signed", json_boolean(m->has_signer));
	cli_json_set(
	    o, "signer_key_id", m->has_signer ? json_string(kid) : json_null());
	cli_json_set(o, "sha256", json_string(hex));
	cli_json_set(o, "size", json_integer((json_int_t)h->size));
	cli_json_set(o, "read_back", json_boolean(readback));
	cli_json_set(o, "removed", removed != NULL ? removed : json_null());
	cli_json_set(o, "skipped", cli_skipped_json(m));
	return remove_ec != 0 ? (cli_json_print(o), remove_ec)
	                      : cli_json_print(o);
}
