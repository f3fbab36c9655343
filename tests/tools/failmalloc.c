/*
 * failmalloc.c - test-only LD_PRELOAD shim that makes the Nth heap
 * allocation of a process fail, including those made inside libarchive,
 * libmagic, jansson, libcrypto, libqrencode and glibc itself (fopen,
 * strdup, ...), which cairn's own seam (CAIRN_FAULT, cio.h) cannot reach.
 * Used by tests/cli/oom.bats.  Not installed; not linked into cairn.
 *
 *   CAIRN_FAILMALLOC=N    the Nth malloc/calloc/realloc/aligned_alloc
 *                         call returns NULL with errno ENOMEM (N+: that
 *                         one and every later one)
 *   CAIRN_FAILMALLOC_REPORT=PATH   at exit, write the number of calls
 *                         counted to PATH (a sweep's upper bound)
 *
 * Calls are counted from the moment main() is entered (the shim wraps
 * __libc_start_main), so library constructors and the dynamic loader are
 * never failed and the count is the same from run to run.  Counting is
 * atomic; with several threads, which call is the Nth may vary.
 * A fatal signal (SIGSEGV, SIGBUS, SIGABRT) is reported on stderr as
 * "failmalloc: signal S inside magic_load" when it struck inside one of
 * libmagic's magic_load/magic_buffer/magic_close (wrapped here only to
 * know that),
 * else "... inside main", then re-raised: oom.bats tolerates the known
 * libmagic crashes on allocation failure and nothing else.
 * posix_memalign/memalign are not wrapped: neither cairn nor its libraries
 * import them (nm -D), and glibc's own calls to them bypass the PLT.
 * Knows nothing of cairn.  Cannot work under ASan, which owns malloc.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*main_fn)(int, char **, char **);

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static void *(*real_aligned_alloc)(size_t, size_t);

/* dlsym() may itself call calloc/malloc before the real ones are known:
 * those requests are served from here, and free() ignores them. */
static _Alignas(16) unsigned char boot[4096];
static size_t boot_used;
static int resolving;

static long fail_at; /* 0: never fail */
static int fail_sticky;
static atomic_int armed; /* set when main() is entered */
static atomic_long calls;
static main_fn real_main;

#define IN_BOOT(p)                                                             \
	((unsigned char *)(p) >= boot &&                                       \
	    (unsigned char *)(p) < boot + sizeof(boot))

/* Static storage: already zero, as calloc() needs.  Single-threaded:
 * only used before main(), while resolve() runs. */
static void *
boot_alloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n > sizeof(boot) - boot_used)
		return NULL;
	boot_used += n;
	return boot + boot_used - n;
}

static void
resolve(void)
{
	if (real_malloc != NULL || resolving)
		return;
	resolving = 1;
	*(void **)&real_calloc = dlsym(RTLD_NEXT, "calloc");
	*(void **)&real_realloc = dlsym(RTLD_NEXT, "realloc");
	*(void **)&real_free = dlsym(RTLD_NEXT, "free");
	*(void **)&real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
	*(void **)&real_malloc = dlsym(RTLD_NEXT, "malloc");
	resolving = 0;
}

/* 1 when this call must fail; errno is then ENOMEM. */
static int
hit(void)
{
	long n;

	if (!atomic_load(&armed))
		return 0;
	n = atomic_fetch_add(&calls, 1) + 1;
	if (fail_at > 0 && (n == fail_at || (fail_sticky && n > fail_at))) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *
malloc(size_t n)
{
	resolve();
	if (real_malloc == NULL)
		return boot_alloc(n);
	return hit() ? NULL : real_malloc(n);
}

void *
calloc(size_t n, size_t m)
{
	resolve();
	if (real_calloc == NULL || real_malloc == NULL)
		return m != 0 && n > sizeof(boot) / m ? NULL
		                                      : boot_alloc(n * m);
	return hit() ? NULL : real_calloc(n, m);
}

void *
realloc(void *p, size_t n)
{
	void *q;

	resolve();
	if (IN_BOOT(p)) { /* copy out of the boot buffer (rare) */
		size_t have = (size_t)(boot + boot_used - (unsigned char *)p);

		if ((q = malloc(n)) != NULL)
			memcpy(q, p, n < have ? n : have);
		return q;
	}
	return hit() ? NULL : real_realloc(p, n);
}

void
free(void *p)
{
	if (p == NULL || IN_BOOT(p))
		return;
	resolve();
	real_free(p);
}

void *
aligned_alloc(size_t a, size_t n)
{
	resolve();
	return hit() ? NULL : real_aligned_alloc(a, n);
}

/* At exit: the count, for CAIRN_FAILMALLOC_REPORT (no allocation). */
static void
report(void)
{
	char buf[32];
	int fd, len = snprintf(buf, sizeof(buf), "%ld\n", atomic_load(&calls));

	fd = open(getenv("CAIRN_FAILMALLOC_REPORT"),
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0 && write(fd, buf, (size_t)len) != len)
		(void)unlink(getenv("CAIRN_FAILMALLOC_REPORT"));
	if (fd >= 0)
		(void)close(fd);
}

static _Thread_local const char *inside = "main";
static const char *(*real_magic_buffer)(void *, const void *, size_t);
static int (*real_magic_load)(void *, const char *);
static void (*real_magic_close)(void *);

const char *
magic_buffer(void *m, const void *buf, size_t len)
{
	const char *t;

	inside = "magic_buffer";
	t = real_magic_buffer(m, buf, len);
	inside = "main";
	return t;
}

int
magic_load(void *m, const char *file)
{
	int rc;

	inside = "magic_load";
	rc = real_magic_load(m, file);
	inside = "main";
	return rc;
}

void
magic_close(void *m)
{
	inside = "magic_close";
	real_magic_close(m);
	inside = "main";
}

static void
on_fatal(int sig)
{
	char msg[80];
	int len = snprintf(
	    msg, sizeof(msg), "failmalloc: signal %d inside %s\n", sig, inside);

	if (write(2, msg, (size_t)len) < 0)
		len = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
wrapped_main(int argc, char **argv, char **envp)
{
	const char *e = getenv("CAIRN_FAILMALLOC");
	char *end;

	if (e != NULL) {
		fail_at = strtol(e, &end, 10);
		fail_sticky = *end == '+';
	}
	if (getenv("CAIRN_FAILMALLOC_REPORT") != NULL)
		/* registered before arming: cannot fail */
		(void)atexit(report);
	/* before arming: neither may fail */
	*(void **)&real_magic_buffer = dlsym(RTLD_NEXT, "magic_buffer");
	*(void **)&real_magic_load = dlsym(RTLD_NEXT, "magic_load");
	*(void **)&real_magic_close = dlsym(RTLD_NEXT, "magic_close");
	signal(SIGSEGV, on_fatal);
	signal(SIGBUS, on_fatal);
	signal(SIGABRT, on_fatal);
	atomic_store(&armed, 1);
	return real_main(argc, argv, envp);
}

int
__libc_start_main(main_fn m, int argc, char **argv, void (*init)(void),
    void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
	int (*next)(main_fn, int, char **, void (*)(void), void (*)(void),
	    void (*)(void), void *);

	*(void **)&next = dlsym(RTLD_NEXT, "__libc_start_main");
	real_main = m;
	return next(wrapped_main, argc, argv, init, fini, rtld_fini, stack_end);
}
