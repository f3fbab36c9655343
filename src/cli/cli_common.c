/*
 * cli_common.c - messages, exit codes, option errors, stdin ownership
 * and the key home (see cli.h; process setup is in cli_setup.c).
 *
 * The only place that decides how an enum cairn_err becomes an exit code.
 * Knows nothing of age formats, archives or shares.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/cio.h"
#include "cairn/err.h"
#include "cli.h"
#include "cli_progress.h"

/* ---- exit codes ------------------------------------------------------- */

const char cli_exit_code_help[] =
    "Exit status:\n"
    "  0  success\n"
    "  1  other error (I/O, resources, unsafe permissions, file exists)\n"
    "  2  usage error (bad option or argument, same input and output)\n"
    "  3  no identity or passphrase matched, or too few shares\n"
    "  4  integrity failure (corrupted, truncated or malformed input)\n"
    "  5  signature missing, invalid or made by another key\n"
    "  6  remote store unreachable or refused (push, pull)\n"
    "  7  partially recovered (cairn salvage: see its report)\n"
    "  129/130/143  interrupted by SIGHUP/SIGINT/SIGTERM; 141 output pipe "
    "closed\n";

int
cli_exit_code(int err)
{
	switch (err) {
	case CAIRN_OK: return CLI_EXIT_OK;
	case CAIRN_ERR_NO_MATCH:
	case CAIRN_ERR_TOO_FEW: return CLI_EXIT_NO_MATCH;
	case CAIRN_ERR_HEADER:
	case CAIRN_ERR_HMAC:
	case CAIRN_ERR_PAYLOAD:
	case CAIRN_ERR_ARMOR:
	case CAIRN_ERR_FORMAT:
	case CAIRN_ERR_INTEGRITY:
	case CAIRN_ERR_UNSAFE:
	case CAIRN_ERR_MISMATCH: return CLI_EXIT_INTEGRITY;
	case CAIRN_ERR_SIGNATURE: return CLI_EXIT_SIGNATURE;
	case CAIRN_ERR_REMOTE: return CLI_EXIT_REMOTE;
	default: return CLI_EXIT_ERR;
	}
}

/* ---- messages --------------------------------------------------------- */

/* Write all of buf to fd, ignoring errors (best effort for stderr). */
static void
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += w;
		len -= (size_t)w;
	}
}

/* Escape s into out (cap bytes, NUL-terminated, truncated if needed):
 * the library's one escaping, cio_escape(). */
static void
escape(char *out, size_t cap, const char *s)
{
	cio_escape(out, cap, s);
}

void
cli_print_escaped(int fd, const char *s)
{
	char buf[4096];

	escape(buf, sizeof(buf), s);
	write_all(fd, buf, strlen(buf));
}

/* The first error since cli_messages_reset() and its first hint. */
static char last_error[4096 + 64], last_hint[4096 + 64];

const char *
cli_last_error(void)
{
	return last_error;
}

const char *
cli_last_hint(void)
{
	return last_hint;
}

void
cli_messages_reset(void)
{
	last_error[0] = last_hint[0] = '\0';
}

static void
vmessage(const char *kind, const char *fmt, va_list ap)
{
	char raw[2048], esc[4096 + 64], line[sizeof(esc) + 32];
	int saved = errno;
	int n;

	vsnprintf(raw, sizeof(raw), fmt, ap);
	escape(esc, sizeof(esc) - 64, raw);
	n = snprintf(line, sizeof(line), "cairn: %s: %s\n", kind, esc);
	if (strcmp(kind, "error") == 0 && last_error[0] == '\0')
		snprintf(last_error, sizeof(last_error), "%s", esc);
	else if (strcmp(kind, "hint") == 0 && last_error[0] != '\0' &&
	    last_hint[0] == '\0')
		snprintf(last_hint, sizeof(last_hint), "%s", esc);
	cli_progress_clear(); /* a progress line must not run into it */
	if (n > 0)
		write_all(STDERR_FILENO, line,
		    (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	errno = saved;
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("error", fmt, ap);
	va_end(ap);
}

void
cli_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("hint", fmt, ap);
	va_end(ap);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning", fmt, ap);
	va_end(ap);
}

void
cli_warn_modeless(const char *path, const char *what, const char *stdin_opt)
{
	if (!cio_secret_on_modeless_fs(path))
		return;
	// clang-format off
	cli_warn("%s: %s is on a file system that cannot store permissions (FAT or exFAT): anyone who has this device can read it; using it anyway", path, what);
	if (stdin_opt != NULL)
		cli_hint("keep it in an encrypted volume, or give it on standard input with %s (e.g. %s < FILE from an encrypted store)", stdin_opt, stdin_opt);
	else
		cli_hint("keep it in an encrypted volume");
	// clang-format on
}

int
cli_fail(int err, const char *what_fmt, ...)
{
	char what[1024];
	const char *why;
	va_list ap;
	int saved = errno;

	va_start(ap, what_fmt);
	vsnprintf(what, sizeof(what), what_fmt, ap);
	va_end(ap);
	if (err == CAIRN_ERR_IO && saved != 0)
		why = strerror(saved);
	else
		why = cairn_strerror(err);
	cli_error("%s: %s", what, why);
	return err == 0 ? CLI_EXIT_ERR : cli_exit_code(err);
}

int
cli_fail_why(int exit_code, const char *why, const char *what_fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, what_fmt);
	vsnprintf(what, sizeof(what), what_fmt, ap);
	va_end(ap);
	cli_error("%s: %s", what, why);
	return exit_code;
}

/* ---- command line ----------------------------------------------------- */

/* argv index of a long option given abbreviated, for cli_option_error. */
static int abbreviated_arg = -1;
/* ... and the option it would have abbreviated. */
static const char *abbreviated_of;

void
cli_getopt_reset(void)
{
	optind = 0; /* GNU: full re-initialisation */
	opterr = 0;
	abbreviated_arg = -1;
}

/* 1 when a is "--name" or "--name=...". */
static int
long_option_is(const char *a, const char *name)
{
	size_t n = strlen(name);

	return strncmp(a, "--", 2) == 0 && strncmp(a + 2, name, n) == 0 &&
	    (a[2 + n] == '\0' || a[2 + n] == '=');
}

int
cli_getopt(int argc, char *const argv[], const char *optstring,
    const struct option *longopts, int *longindex)
{
	int idx = -1, c;

	abbreviated_arg = -1;
	c = getopt_long(argc, argv, optstring, longopts, &idx);
	if (longindex != NULL)
		*longindex = idx;
	if (idx < 0 || c == '?' || c == ':')
		return c;
	/* The option's text is at optind - 1, or at optind - 2 when its
	 * argument was the next element. */
	for (int back = 1; back <= 2 && optind - back > 0; back++)
		if (long_option_is(argv[optind - back], longopts[idx].name))
			return c;
	for (int back = 1; back <= 2 && optind - back > 0; back++)
		if (strncmp(argv[optind - back], "--", 2) == 0) {
			abbreviated_arg = optind - back;
			abbreviated_of = longopts[idx].name;
			break;
		}
	optopt = 0;
	return '?';
}

int
cli_option_error(const char *verb, int c, char **argv)
{
	const char *arg = argv[optind - 1 > 0 ? optind - 1 : 0];
	int namelen;

	if (abbreviated_arg >= 0)
		arg = argv[abbreviated_arg];
	/* Never echo what follows '=': it may be a secret typed by mistake. */
	namelen = (int)strcspn(arg, "=");
	if (c == ':') {
		if (optopt != 0)
			cli_error(
			    "%s: option -%c needs an argument", verb, optopt);
		else
			cli_error("%s: option %.*s needs an argument", verb,
			    namelen, arg);
	} else if (optopt != 0)
		cli_error("%s: unknown option -%c", verb, optopt);
	else if (abbreviated_arg >= 0) {
		// clang-format off
		cli_error("%s: unknown option %.*s", verb, namelen, arg);
		cli_hint("did you mean --%s? (long options must be written in full); see 'cairn %s --help'", abbreviated_of, verb);
		// clang-format on
		return CLI_EXIT_USAGE;
	} else
		cli_error("%s: unknown option %.*s", verb, namelen, arg);
	cli_hint("see 'cairn %s --help'", verb);
	return CLI_EXIT_USAGE;
}

int
cli_usage_error(const char *verb, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_error("%s: %s", verb, msg);
	cli_hint("see 'cairn %s --help'", verb);
	return CLI_EXIT_USAGE;
}

int
cli_one_operand(const char *verb, const char *what, int required, int argc,
    char **argv, const char **path)
{
	*path = NULL;
	if (optind >= argc) {
		if (required)
			return cli_usage_error(verb,
			    "no %s given (use - for standard input)", what);
		return 0;
	}
	*path = argv[optind++];
	if (optind < argc)
		return cli_usage_error(
		    verb, "more than one %s ('%s')", what, argv[optind]);
	return 0;
}

int
cli_print_help(const char *text)
{
	fputs(text, stdout);
	fflush(stdout);
	return CLI_EXIT_OK;
}

static const char *stdin_user;

int
cli_claim_stdin(const char *what)
{
	if (stdin_user != NULL) {
		cli_error("standard input is used twice (%s and %s)",
		    stdin_user, what);
		cli_hint("give at most one of them as '-'");
		return CLI_EXIT_USAGE;
	}
	stdin_user = what;
	return 0;
}

/* ---- key home --------------------------------------------------------- */

char *
cli_key_home_quiet(int *unset)
{
	const char *e;

	*unset = 0;
	if ((e = getenv("CAIRN_HOME")) != NULL && *e != '\0')
		return cio_strdup(e);
	if ((e = getenv("XDG_CONFIG_HOME")) != NULL && *e == '/')
		return cio_path_join(e, "cairn", NULL);
	if ((e = getenv("HOME")) != NULL && *e != '\0')
		return cio_path_join(e, ".config/cairn", NULL);
	*unset = 1;
	return NULL;
}

char *
cli_key_home(void)
{
	int unset;
	char *p = cli_key_home_quiet(&unset);

	if (p != NULL)
		return p;
	if (!unset) {
		cli_error("out of memory");
		return NULL;
	}
	// clang-format off
	cli_error("cannot find the key home: neither CAIRN_HOME nor HOME is set");
	// clang-format on
	cli_hint("set CAIRN_HOME to a private directory");
	return NULL;
}

int
cli_key_home_make(void)
{
	char *home = cli_key_home();
	int ec = 0;

	if (home == NULL)
		return CLI_EXIT_ERR;
	if (mkdir(home, 0700) != 0 && errno != EEXIST)
		ec = cli_fail(CAIRN_ERR_IO, "%s", home);
	free(home);
	return ec;
}

char *
cli_key_home_path(const char *name)
{
	char *home = cli_key_home(), *p;

	if (home == NULL)
		return NULL;
	if ((p = cio_path_join(home, name, NULL)) == NULL)
		cli_error("out of memory");
	free(home);
	return p;
}

int
cli_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}
