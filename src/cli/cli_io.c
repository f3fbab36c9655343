/*
 * cli_io.c - command input (a file or stdin) and output (stdout, or an
 * atomic file written through cio_atomic_*), with the same-file and
 * existing-file refusals and quiet handling of a closed stdout pipe; and
 * the one reader of small key and secret files with its messages.
 *
 * Knows nothing of what the bytes mean.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cli.h"

int
cli_in_open(struct cli_in *in, const char *path)
{
	struct stat st;
	int ec;

	in->fd = -1;
	in->own = 0;
	in->src = (struct cio_source){.read = cio_fd_read, .ctx = &in->fd};
	if (path == NULL || strcmp(path, "-") == 0) {
		if ((ec = cli_claim_stdin("the input")) != 0)
			return ec;
		in->fd = STDIN_FILENO;
		in->name = "standard input";
		return 0;
	}
	in->name = path;
	if (cio_fault_hit()) {
		errno = EIO;
		return cli_fail(CAIRN_ERR_IO, "%s", path);
	}
	if ((in->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return cli_fail(CAIRN_ERR_IO, "%s", path);
	in->own = 1;
	if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		cli_in_close(in);
		errno = EISDIR;
		return cli_fail(CAIRN_ERR_IO, "%s", path);
	}
	return 0;
}

void
cli_in_close(struct cli_in *in)
{
	if (in->own && in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	in->own = 0;
}

static int
out_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct cli_out *o = ctx;
	int rc = cio_fd_write(&o->fd, buf, len);

	if (rc == 0 && o->atomic)
		cio_writeback(o->fd, &o->a.wb, len);
	if (rc != 0 && o->write_errno == 0) {
		o->write_errno = errno != 0 ? errno : EIO;
		if (!o->atomic && o->write_errno == EPIPE) {
			/* The reader went away: leave quietly, as SIGPIPE
			 * would, but without leaving temp files behind. */
			cio_atomic_abort_all_signal_safe();
			_exit(CLI_EXIT_PIPE);
		}
	}
	return rc;
}

/* 1 when fds a and b are the same regular file. */
static int
same_regular(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) != 0 || fstat(b, &sb) != 0 || !S_ISREG(sa.st_mode))
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int
cli_out_open(struct cli_out *o, const char *path, mode_t mode, int force,
    const struct cli_in *in)
{
	return cli_out_open_hint(
	    o, path, mode, force, in, "use --force to replace it");
}

int
cli_out_open_hint(struct cli_out *o, const char *path, mode_t mode, int force,
    const struct cli_in *in, const char *exists_hint)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->a.fd = -1;
	o->sink.write = out_write;
	o->sink.ctx = o;
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		o->name = "standard output";
		if (in != NULL && in->fd >= 0 &&
		    same_regular(in->fd, STDOUT_FILENO)) {
			cli_error(
			    "standard output is the input file %s", in->name);
			cli_hint("write to a different file");
			return CLI_EXIT_USAGE;
		}
		return 0;
	}
	o->name = path;
	if (in != NULL && in->fd >= 0 && cio_same_file(in->fd, path)) {
		cli_error("%s: input and output are the same file", path);
		cli_hint("write to a different file");
		return CLI_EXIT_USAGE;
	}
	(void)cli_leftovers_warn(path, 0);
	rc = cio_atomic_open(&o->a, path, mode, force);
	if (rc == CAIRN_ERR_EXISTS) {
		cli_error("%s: file exists", path);
		cli_hint("%s", exists_hint);
		return CLI_EXIT_ERR;
	}
	if (rc == CAIRN_ERR_INVAL)
		return cli_fail_why(
		    CLI_EXIT_ERR, "not a regular file", "%s", path);
	if (rc != 0)
		return cli_fail(rc, "%s", path);
	o->atomic = 1;
	o->fd = o->a.fd;
	return 0;
}

int
cli_out_commit(struct cli_out *o)
{
	int rc;

	if (!o->atomic)
		return 0;
	o->atomic = 0;
	rc = cio_atomic_commit(&o->a);
	o->fd = -1;
	if (rc == CAIRN_ERR_EXISTS) {
		cli_error("%s: file exists (created while writing)", o->name);
		return CLI_EXIT_ERR;
	}
	if (rc != 0 && o->a.published) {
		/* --force: the new file replaced any old one; "error: OUT:
		 * I/O error" alone reads as "nothing was written". */
		// clang-format off
		rc = cli_fail(rc, "%s: the new file is in place and complete, but its directory could not be synced", o->name);
		cli_hint("a crash before the next sync may lose it or bring back the file it replaced");
		// clang-format on
		return rc;
	}
	if (rc != 0)
		return cli_fail(rc, "%s", o->name);
	return 0;
}

void
cli_out_abort(struct cli_out *o)
{
	if (o->atomic) {
		cio_atomic_abort(&o->a);
		o->atomic = 0;
		o->fd = -1;
	}
}

/* 1 when stdout is a pipe whose reader has gone: the last write said
 * EPIPE, or poll(2) says so (after a stdio error whose errno is lost). */
static int
stdout_pipe_closed(int err)
{
	struct pollfd p = {STDOUT_FILENO, POLLOUT, 0};

	if (err == EPIPE)
		return 1;
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR) != 0;
}

int
cli_stdout_fail(void)
{
	int err = errno;

	if (stdout_pipe_closed(err))
		return CLI_EXIT_PIPE;
	errno = err != 0 ? err : EIO;
	return cli_fail(CAIRN_ERR_IO, "standard output");
}

int
cli_flush_stdout(void)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_stdout_fail();
	return 0;
}

int
cli_stream_fail(
    int err, const char *what, const struct cli_in *in, const struct cli_out *o)
{
	if (o != NULL && o->write_errno != 0) {
		errno = o->write_errno;
		return cli_fail(CAIRN_ERR_IO, "writing %s", o->name);
	}
	if (what != NULL)
		return cli_fail(err, "%s: %s", what, in->name);
	return cli_fail(err, "%s", in->name);
}

// clang-format off
int
cli_not_public(const char *path, const char *what)
{
	const char *kind = cli_public_key_kind(path);

	if (kind == NULL)
		return 0;
	cli_error("%s: this is %s, not the %s (a secret key) expected here", path, kind, what);
	if (strstr(kind, "minisign") != NULL)
		cli_hint("give the secret key file (signing.key in the key home, or the -s file of 'minisign -G'); the .pub file is for whoever checks the signature (--signer)");
	else
		cli_hint("give the identity file (AGE-SECRET-KEY-1..., the key home's identity or the -o FILE of 'cairn keygen'); an age1... public key can seal but not open");
	return CLI_EXIT_ERR;
}

int
cli_read_error(int rc, const char *path, const char *what)
{
	int ec;

	if (rc == CAIRN_ERR_PERM && (ec = cli_not_public(path, what)) != 0)
		return ec;
	if (rc == CAIRN_ERR_PERM) {
		cli_error("%s: %s is accessible by group or others", path, what);
		cli_hint("chmod 600 %s", cli_sh(path));
		return CLI_EXIT_ERR;
	}
	if (rc == CAIRN_ERR_IO && errno == ELOOP) {
		cli_error("%s: %s is a symbolic link, refusing", path, what);
		cli_hint("give the path of the file itself");
		return CLI_EXIT_ERR;
	}
	if (rc == CAIRN_ERR_LIMIT) {
		cli_error("%s: %s too large", path, what);
		return CLI_EXIT_ERR;
	}
	return cli_fail(rc, "%s", path);
}
// clang-format on

int
cli_read_small(const char *path, size_t max, int secret, const char *what,
    char **text, size_t *len)
{
	int rc = cio_read_file(path, max, secret, text, len);

	return rc != 0 ? cli_read_error(rc, path, what) : 0;
}
