/*
 * test_cio_thread.c - cio_thread_spawn() (src/base/cio_thread.c): the
 * thread it starts has SIGINT, SIGTERM and SIGHUP blocked (the CLI's
 * handlers stay with the calling thread) and the faults it may raise
 * itself (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) unblocked, whatever
 * the caller blocks; the caller's own mask is as it was.  The same checks
 * on a thread from a plain pthread_create() must fail (they can fail).
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "cairn/cio.h"
#include "tap.h"

static const int handled[] = {SIGINT, SIGTERM, SIGHUP};
static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define N(a) (sizeof(a) / sizeof((a)[0]))

struct probe {
	sigset_t mask;
	int queried;
	int abrt_here; /* raise(SIGABRT) ran its handler on this thread */
};

static volatile sig_atomic_t abrt_seen;

static void
on_abrt(int sig)
{
	(void)sig;
	abrt_seen = 1;
}

static void *
query(void *arg)
{
	struct probe *p = arg;

	p->queried = pthread_sigmask(SIG_BLOCK, NULL, &p->mask) == 0;
	abrt_seen = 0;
	(void)raise(SIGABRT); /* to this thread: runs now unless blocked */
	p->abrt_here = abrt_seen;
	return NULL;
}

/* 1 when the thread's mask is a worker's: handled signals blocked, faults
 * not. */
static int
worker_mask(const struct probe *p)
{
	if (!p->queried)
		return 0;
	for (size_t i = 0; i < N(handled); i++)
		if (sigismember(&p->mask, handled[i]) != 1)
			return 0;
	for (size_t i = 0; i < N(faults); i++)
		if (sigismember(&p->mask, faults[i]) != 0)
			return 0;
	return 1;
}

static int
same_set(const sigset_t *a, const sigset_t *b)
{
	for (int s = 1; s < NSIG; s++)
		if (sigismember(a, s) != sigismember(b, s))
			return 0;
	return 1;
}

/* Run query() on a thread started by spawn (1: cio_thread_spawn, 0: a
 * plain pthread_create) while the caller blocks *caller_mask; *kept is
 * 1 when the caller's mask is the same after the start as before.  0 or
 * the start error. */
static int
run(int spawn, const sigset_t *caller_mask, struct probe *p, int *kept)
{
	sigset_t saved, before, after;
	pthread_t t;
	int rc;

	memset(p, 0, sizeof(*p));
	pthread_sigmask(SIG_SETMASK, caller_mask, &saved);
	pthread_sigmask(SIG_SETMASK, NULL, &before);
	rc = spawn ? cio_thread_spawn(&t, query, p)
	           : pthread_create(&t, NULL, query, p);
	pthread_sigmask(SIG_SETMASK, NULL, &after);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	*kept = same_set(&before, &after);
	if (rc == 0)
		pthread_join(t, NULL);
	return rc;
}

int
main(void)
{
	struct sigaction sa;
	sigset_t none, all;
	struct probe p;
	int kept;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_abrt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGABRT, &sa, NULL);
	sigemptyset(&none);
	sigfillset(&all);

	tap_check(run(1, &none, &p, &kept) == 0, "cio_thread_spawn starts");
	tap_check(worker_mask(&p),
	    "spawned: SIGINT/SIGTERM/SIGHUP blocked, faults unblocked");
	tap_check(p.abrt_here, "spawned: its own SIGABRT reaches the handler");
	tap_check(kept, "caller's empty mask kept");

	/* A caller with everything blocked (cio_atomic's critical
	 * sections, cli_signals_defer()): the faults still reach. */
	tap_check(run(1, &all, &p, &kept) == 0 && worker_mask(&p),
	    "spawned from a fully blocked caller: the same worker mask");
	tap_check(p.abrt_here, "... and its own SIGABRT reaches the handler");
	tap_check(kept, "caller's full mask kept");

	/* The checks can fail: a plain pthread_create() inherits the
	 * caller's mask. */
	tap_check(run(0, &none, &p, &kept) == 0 && !worker_mask(&p) &&
	        sigismember(&p.mask, SIGINT) == 0,
	    "plain pthread_create: SIGINT not blocked (check fails)");
	tap_check(run(0, &all, &p, &kept) == 0 && !worker_mask(&p) &&
	        sigismember(&p.mask, SIGSEGV) == 1 && !p.abrt_here,
	    "plain pthread_create from a blocked caller: faults blocked "
	    "(check fails)");
	return tap_done();
}
