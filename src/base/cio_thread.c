/*
 * cio_thread.c - the one way cairn starts a worker thread (see cio.h):
 * with every signal blocked but the faults the thread may raise itself.
 * The CLI's SIGINT/SIGTERM/SIGHUP handler then always runs on the
 * calling thread, which changes the cleanup lists (pending temp files,
 * cli_signals_defer()) with those signals blocked, so the handler never
 * sees them half changed; a fault in a worker (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL, SIGABRT) still reaches its handler (a sanitizer's, the test
 * shim's) rather than killing the process unreported.
 *
 * Knows nothing of what the threads do.
 */
#include <pthread.h>
#include <signal.h>

#include "cairn/cio.h"

/* The faults a thread raises itself: never blocked in a worker. */
static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

int
cio_thread_spawn(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	sigset_t mask, old;
	int rc;

	/* The new thread inherits the mask in force at pthread_create(). */
	sigfillset(&mask);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		sigdelset(&mask, faults[i]);
	if ((rc = pthread_sigmask(SIG_SETMASK, &mask, &old)) != 0)
		return rc;
	rc = pthread_create(tid, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
