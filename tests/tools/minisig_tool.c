/*
 * minisig_tool.c - test-only driver of the minisig module, so that
 * tests/cli/minisign_interop.bats can check cairn's keys and signatures
 * against the real minisign binary.  Not installed; not the cairn CLI.
 *
 *   minisig_tool keygen PUBFILE SECFILE     (encrypted when $MINISIG_PASS
 *                                            is set, minisign's defaults)
 *   minisig_tool sign SECFILE MSGFILE SIGFILE TRUSTED_COMMENT
 *   minisig_tool verify PUBFILE MSGFILE SIGFILE   (prints the trusted
 *                                                  comment)
 * The passphrase of an encrypted secret key is taken from $MINISIG_PASS.
 * Exit status: 0 success, 1 refused/failed (reason on stderr), 2 usage.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/minisig.h"

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "minisig_tool: %s: %s (%d)\n", what, cairn_strerror(rc),
	    rc);
	return 1;
}

static int
write_all(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0)
		return CAIRN_ERR_IO;
	if (cio_fd_write(&fd, (const uint8_t *)text, len) != 0) {
		close(fd);
		return CAIRN_ERR_IO;
	}
	return close(fd) == 0 ? 0 : CAIRN_ERR_IO;
}

/* Feed a file to cb in odd-sized chunks (exercising streaming). */
static int
feed(const char *path, void (*cb)(void *, const void *, size_t), void *ctx)
{
	uint8_t buf[4093];
	ssize_t r;
	int fd = open(path, O_RDONLY), rc = 0;

	if (fd < 0)
		return CAIRN_ERR_IO;
	while ((r = cio_fd_read(&fd, buf, sizeof buf)) > 0)
		cb(ctx, buf, (size_t)r);
	if (r < 0)
		rc = (int)r;
	close(fd);
	return rc;
}

static void
sign_cb(void *s, const void *buf, size_t len)
{
	minisig_signer_update(s, buf, len);
}

static int verify_err;

static void
verify_cb(void *v, const void *buf, size_t len)
{
	int rc = minisig_verifier_update(v, buf, len);

	if (rc != 0)
		verify_err = rc;
}

static const char *
pass_env(size_t *len)
{
	const char *p = getenv("MINISIG_PASS");

	*len = p != NULL ? strlen(p) : 0;
	return p;
}

int
main(int argc, char **argv)
{
	struct minisig_secret *sk = NULL;
	struct minisig_public pk;
	struct minisig_signer *s = NULL;
	struct minisig_verifier *v = NULL;
	char *text = NULL, *text2 = NULL, *tc = NULL;
	size_t len, len2, plen;
	const char *pass = pass_env(&plen);
	int rc;

	if (sodium_init() < 0)
		return 1;
	if (argc == 4 && strcmp(argv[1], "keygen") == 0) {
		if ((rc = minisig_keygen(&sk, &pk)) != 0)
			return fail("keygen", rc);
		if ((rc = minisig_public_encode(&pk, NULL, &text, &len)) != 0 ||
		    (rc = write_all(argv[2], text, len, 0644)) != 0)
			return fail(argv[2], rc);
		if ((rc = minisig_secret_encode(
		         sk, pass, plen, NULL, &text2, &len2)) != 0 ||
		    (rc = write_all(argv[3], text2, len2, 0600)) != 0)
			return fail(argv[3], rc);
		cio_secret_free(text2, len2);
		free(text);
		minisig_secret_free(sk);
		return 0;
	}
	if (argc == 6 && strcmp(argv[1], "sign") == 0) {
		if ((rc = cio_read_file(argv[2], 4096, 0, &text, &len)) != 0)
			return fail(argv[2], rc);
		if ((rc = minisig_secret_decode(text, len, pass, plen, &sk)) !=
		    0)
			return fail("secret key", rc);
		cio_secret_free(text, len);
		if ((rc = minisig_signer_new(&s)) != 0 ||
		    (rc = feed(argv[3], sign_cb, s)) != 0)
			return fail(argv[3], rc);
		if ((rc = minisig_signer_final(
		         s, sk, argv[5], NULL, &text, &len)) != 0)
			return fail("sign", rc);
		if ((rc = write_all(argv[4], text, len, 0644)) != 0)
			return fail(argv[4], rc);
		free(text);
		minisig_signer_free(s);
		minisig_secret_free(sk);
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "verify") == 0) {
		if ((rc = cio_read_file(argv[2], 4096, 0, &text, &len)) != 0)
			return fail(argv[2], rc);
		if ((rc = minisig_public_decode(text, len, &pk)) != 0)
			return fail("public key", rc);
		cio_secret_free(text, len);
		if ((rc = cio_read_file(argv[4], 65536, 0, &text, &len)) != 0)
			return fail(argv[4], rc);
		if ((rc = minisig_verifier_new(&v, &pk, text, len)) != 0)
			return fail("signature", rc);
		cio_secret_free(text, len);
		if ((rc = feed(argv[3], verify_cb, v)) != 0)
			return fail(argv[3], rc);
		if (verify_err != 0)
			return fail(argv[3], verify_err);
		if ((rc = minisig_verifier_final(v, &tc)) != 0)
			return fail("verify", rc);
		printf("%s\n", tc);
		free(tc);
		minisig_verifier_free(v);
		return 0;
	}
	fprintf(stderr,
	    "usage: minisig_tool keygen PUB SEC | "
	    "sign SEC MSG SIG TRUSTED | verify PUB MSG SIG\n");
	return 2;
}
