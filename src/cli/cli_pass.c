/*
 * cli_pass.c - reading passphrases: from a --passphrase-file, or from the
 * controlling terminal with echo off (see cli.h).  Passphrases never come
 * from argv or the environment, and live only in sodium_malloc'd memory.
 *
 * Knows nothing of age; callers decide what a passphrase unlocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cli.h"
#include "cli_tty.h"

/* ---- terminal state, restorable from a signal handler ----------------- */

static struct termios tty_saved;
static volatile sig_atomic_t tty_fd = -1; /* >= 0 while echo is off */

void
cli_tty_restore_signal_safe(void)
{
	int fd = tty_fd;

	if (fd >= 0) {
		ssize_t w;

		(void)tcsetattr(fd, TCSANOW, &tty_saved);
		w = write(fd, "\n", 1);
		(void)w;
	}
}

/* Turn echo off on fd; remember how to undo it. */
static int
echo_off(int fd)
{
	struct termios t;
	sigset_t all, old;
	int rc = 0;

	if (tcgetattr(fd, &t) != 0)
		return -1;
	/* Publish the saved state before changing it, with signals
	 * blocked, so the handler never restores a half-written copy. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	tty_saved = t;
	tty_fd = fd;
	sigprocmask(SIG_SETMASK, &old, NULL);
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	if (tcsetattr(fd, TCSANOW, &t) != 0)
		rc = -1;
	return rc;
}

static void
echo_restore(int fd)
{
	sigset_t all, old;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (tty_fd >= 0)
		(void)tcsetattr(fd, TCSANOW, &tty_saved);
	tty_fd = -1;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void
tty_puts(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t w = write(fd, s, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		s += w;
		len -= (size_t)w;
	}
}

/*
 * Prompt on fd and read one line into p (echo off).  Returns 0, or -1 on
 * read error, -2 when the line is too long.
 */
static int
read_line(int fd, const char *prompt, struct cli_pass *p)
{
	int rc = 0, too_long = 0;

	p->len = 0;
	tty_puts(fd, prompt);
	if (echo_off(fd) != 0)
		return -1;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r == 0 && p->len == 0)
			rc = -1; /* end of input (Ctrl-D): no more tries */
		if (r == 0 || c == '\n')
			break;
		if (p->len >= CLI_PASS_MAX) {
			too_long = 1;
			continue;
		}
		p->buf[p->len++] = c;
	}
	echo_restore(fd);
	tty_puts(fd, "\n");
	if (p->len > 0 && p->buf[p->len - 1] == '\r')
		p->len--;
	p->buf[p->len] = '\0';
	if (rc == 0 && too_long)
		rc = -2;
	return rc;
}

static int
pass_alloc(struct cli_pass *p)
{
	p->len = 0;
	if ((p->buf = cio_secret_malloc(CLI_PASS_MAX + 1)) == NULL) {
		cli_error("out of memory");
		return CLI_EXIT_ERR;
	}
	p->buf[0] = '\0';
	return 0;
}

void
cli_pass_free(struct cli_pass *p)
{
	if (p->buf != NULL)
		sodium_free(p->buf); /* wipes */
	p->buf = NULL;
	p->len = 0;
}

int
cli_have_tty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int ok = fd >= 0 && isatty(fd);

	if (fd >= 0)
		close(fd);
	return ok;
}

/* The option that answers the next terminal prompt (cli_pass_tty_option). */
static const char *tty_option;

void
cli_pass_tty_option(const char *option)
{
	tty_option = option;
}

/* Times a mistyped confirmation (or an empty passphrase) is asked again
 * for, in all. */
#define CLI_PASS_TRIES 3

// clang-format off
int
cli_pass_from_tty(struct cli_pass *p, const char *prompt, int confirm)
{
	const char *option =
	    tty_option != NULL ? tty_option : "--passphrase-file";
	struct cli_pass again = {NULL, 0};
	int fd, ec = 0, r;

	p->buf = NULL;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || !isatty(fd)) {
		if (fd >= 0)
			close(fd);
		tty_option = NULL;
		cli_error("cannot read a passphrase: no terminal");
		cli_hint("use %s FILE", option);
		return CLI_EXIT_USAGE;
	}
	tty_option = NULL;
	if ((ec = pass_alloc(p)) != 0 ||
	    (confirm && (ec = pass_alloc(&again)) != 0))
		goto out;
	for (int tries = 1;; tries++) {
		if ((r = read_line(fd, prompt, p)) != 0) {
			ec = r == -2 ? cli_fail_why(CLI_EXIT_ERR, "too long", "passphrase (at most %d bytes)", CLI_PASS_MAX) : cli_fail(CAIRN_ERR_IO, "reading passphrase");
			goto out;
		}
		if (!confirm)
			goto out;
		if (p->len > 0 && (r = read_line(fd, "Confirm passphrase: ", &again)) != 0) {
			ec = cli_fail(CAIRN_ERR_IO, "reading passphrase");
			goto out;
		}
		if (p->len > 0 && again.len == p->len && sodium_memcmp(again.buf, p->buf, p->len) == 0)
			goto out;
		if (tries == CLI_PASS_TRIES) {
			cli_error(p->len == 0 ? "empty passphrase refused" : "passphrases do not match (%d tries)", CLI_PASS_TRIES);
			ec = CLI_EXIT_ERR;
			goto out;
		}
		cli_warn(p->len == 0 ? "empty passphrase refused; try again (%d of %d)" : "passphrases do not match; try again (%d of %d)", tries + 1, CLI_PASS_TRIES);
	}
out:
	cli_pass_free(&again);
	if (ec != 0)
		cli_pass_free(p);
	close(fd);
	return ec;
}
// clang-format on

int
cli_pass_from_file(struct cli_pass *p, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int rc, ec = 0;

	p->buf = NULL;
	p->len = 0;
	if (strcmp(path, "-") == 0) {
		if ((ec = cli_claim_stdin("--passphrase-file -")) != 0)
			return ec;
	} else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 077) != 0)
		cli_warn("passphrase file %s is accessible by group or others",
		    path);
	rc = cio_read_file(path, CLI_PASS_MAX + 2, 0, &buf, &len);
	if (rc == CAIRN_ERR_LIMIT)
		return cli_fail_why(CLI_EXIT_ERR, "passphrase too long",
		    "%s (at most %d bytes)", path, CLI_PASS_MAX);
	if (rc != 0)
		return cli_fail(rc, "%s", path);
	if (len > 0 && buf[len - 1] == '\n') {
		len--;
		if (len > 0 && buf[len - 1] == '\r')
			len--;
	}
	if (len == 0) {
		ec = cli_fail_why(
		    CLI_EXIT_ERR, "empty passphrase refused", "%s", path);
		goto out;
	}
	if (len > CLI_PASS_MAX) {
		ec = cli_fail_why(CLI_EXIT_ERR, "passphrase too long",
		    "%s (at most %d bytes)", path, CLI_PASS_MAX);
		goto out;
	}
	if ((ec = pass_alloc(p)) != 0)
		goto out;
	memcpy(p->buf, buf, len);
	p->buf[len] = '\0';
	p->len = len;
out:
	cio_secret_free(buf, len);
	return ec;
}

int
cli_passes_add_file(struct cli_passes *ps, const char *path)
{
	int ec;

	if (ps->n >= CLI_MAX_PASSES) {
		cli_error("too many --passphrase-file options (at most %d)",
		    CLI_MAX_PASSES);
		return CLI_EXIT_USAGE;
	}
	if ((ec = cli_pass_from_file(&ps->v[ps->n], path)) != 0)
		return ec;
	ps->n++;
	return 0;
}

void
cli_passes_free(struct cli_passes *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		cli_pass_free(&ps->v[i]);
	ps->n = 0;
}
