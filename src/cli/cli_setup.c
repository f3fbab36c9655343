/*
 * cli_setup.c - process setup (see cli.h): the library's options from the
 * environment, no core dumps, libsodium and libcrypto initialised, and
 * the signal handlers that clean up an interrupted run (temp files,
 * registered cleanups, the terminal) before the one "interrupted" line.
 *
 * Knows cio's atomic-file cleanup and the terminal; nothing of formats,
 * archives or shares.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <sodium.h>

#include "cairn/cio.h"
#include "cairn/manifest.h"
#include "cli.h"
#include "cli_tty.h"

static sigset_t deferred_old;

void
cli_signals_defer(int on)
{
	sigset_t set;

	if (on) {
		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGHUP);
		(void)sigprocmask(SIG_BLOCK, &set, &deferred_old);
	} else
		(void)sigprocmask(SIG_SETMASK, &deferred_old, NULL);
}

/* Extra async-signal-safe cleanups (cli_at_signal).  One slot per
 * cleanup function in the code (extract, progress, share set, ...). */
#define CLI_MAX_AT_SIGNAL 8
static void (*volatile at_signal[CLI_MAX_AT_SIGNAL])(void);

int
cli_at_signal(void (*fn)(void))
{
	for (int i = 0; i < CLI_MAX_AT_SIGNAL; i++)
		if (at_signal[i] == NULL || at_signal[i] == fn) {
			at_signal[i] = fn;
			return 0;
		}
	/* Never silently: a cleanup that would not run leaves plaintext. */
	cli_error(
	    "internal limit: more than %d signal cleanups", CLI_MAX_AT_SIGNAL);
	return CLI_EXIT_ERR;
}

/* The cleanups of an interrupted run (async-signal-safe): the
 * cli_at_signal() functions, pending temp files, the terminal. */
static void
run_cleanups(void)
{
	for (int i = 0; i < CLI_MAX_AT_SIGNAL; i++)
		if (at_signal[i] != NULL)
			at_signal[i]();
	cio_atomic_abort_all_signal_safe();
	cli_tty_restore_signal_safe();
}

/* The one line a signal leaves on stderr, after the cleanups
 * (async-signal-safe: a constant and write(2)). */
// clang-format off
static void
say_interrupted(int sig)
{
	static const char intr[] = "cairn: error: interrupted (Ctrl-C): nothing partial was left behind\n";
	static const char term[] = "cairn: error: terminated: nothing partial was left behind\n";
	static const char hup[] = "cairn: error: hung up: nothing partial was left behind\n";
	const char *m = sig == SIGINT ? intr : sig == SIGHUP ? hup : term;
	size_t n = sig == SIGINT ? sizeof(intr) : sig == SIGHUP ? sizeof(hup) : sizeof(term);

	if (write(STDERR_FILENO, m, n - 1) < 0)
		return; /* nothing more can be done in a handler */
}
// clang-format on

static void
on_signal(int sig)
{
	run_cleanups();
	say_interrupted(sig);
	_exit(128 + sig);
}

/*
 * exit() called before main() is done came from inside a library:
 * libarchive 3.6 calls exit(1) (after "Fatal Internal Error in
 * libarchive") when some allocations fail.  Clean up as the signal
 * handler does and say so on the usual error line (tests/cli/oom.bats).
 */
static volatile int main_done;

void
cli_main_done(void)
{
	main_done = 1;
#ifdef CAIRN_TESTING
	/* tests/cli/faults.bats: how many fault points this run passed */
	if (getenv("CAIRN_FAULT_COUNT") != NULL)
		fprintf(stderr, "cairn-test: fault points: %ld\n",
		    cio_fault_count());
#endif
}

static void
on_library_exit(void)
{
	if (main_done)
		return;
	run_cleanups();
	cli_error("a library ended the process (out of memory?)");
}

/* The library's options from the environment (it reads none itself). */
static void
library_options(void)
{
	struct cairn_options o = *cairn_options();
	const char *e;
	char *end = NULL;

	if ((e = getenv("CAIRN_THREADS")) != NULL &&
	    (e[0] == '1' || e[0] == '2') && e[1] == '\0')
		o.aead_threads = e[0] - '0';
	if ((e = getenv("CAIRN_SEAL_THREADS")) != NULL &&
	    (e[0] == '0' || e[0] == '1') && e[1] == '\0')
		o.seal_threads = e[0] - '0';
#ifdef CAIRN_TESTING
	if ((e = getenv("CAIRN_FAULT")) != NULL && *e != '\0') {
		o.fault_at = strtol(e, &end, 10);
		o.fault_sticky = end != NULL && *end == '+';
	}
	o.test_at = getenv("CAIRN_TEST_AT");
	o.test_signal = getenv("CAIRN_TEST_SIGNAL");
#endif
	(void)end;
	cairn_set_options(&o);
	/* jansson allocates through cio (fault injection, OOM noted). */
	json_set_alloc_funcs(manifest_json_malloc, free);
}

int
cli_setup(void)
{
	struct rlimit rl = {0, 0};
	struct sigaction sa;
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};

	library_options();
	/* No core file can hold keys or plaintext; also blocks ptrace by
	 * other processes of the same user. */
	if (setrlimit(RLIMIT_CORE, &rl) != 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		cli_error("cannot disable core dumps: %s", strerror(errno));
		return CLI_EXIT_ERR;
	}
	if (sodium_init() < 0) {
		cli_error("cannot initialise libsodium");
		return CLI_EXIT_ERR;
	}
	/*
	 * libcrypto without its atexit() cleanup: an exit() from inside a
	 * library (see on_library_exit) while the AEAD or seal threads still
	 * use libcrypto must not free its state under them (oom.bats saw
	 * SIGSEGV there, and the cleanup that removes the temp file never
	 * ran).  The process is ending; the kernel frees everything.
	 */
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) != 1 ||
	    OSSL_LIB_CTX_get0_global_default() == NULL) {
		cli_error("cannot initialise libcrypto (out of memory?)");
		return CLI_EXIT_ERR;
	}
	if (atexit(on_library_exit) != 0)
		return CLI_EXIT_ERR;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return CLI_EXIT_ERR;
	/* A closed output pipe shows up as EPIPE in cli_out's sink. */
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		return CLI_EXIT_ERR;
	/* A file size limit (ulimit -f) shows up as EFBIG from write(), so
	 * the temp file is removed, rather than a SIGXFSZ kill leaving it. */
	if (sigaction(SIGXFSZ, &sa, NULL) != 0)
		return CLI_EXIT_ERR;
	return 0;
}
