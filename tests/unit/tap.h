/*
 * tap.h - a tiny TAP producer for cairn's C unit tests.
 *
 * Each check prints "ok N - what" or "not ok N - what"; tests/run counts
 * these lines across every test program.  tap_done() prints the plan and
 * returns the process exit status (non-zero when any check failed).
 */
#ifndef CAIRN_TAP_H
#define CAIRN_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static void
tap_vcheck(int cond, const char *fmt, va_list ap)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

static void __attribute__((format(printf, 2, 3), unused))
tap_check(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vcheck(cond, fmt, ap);
	va_end(ap);
}

/* Run a shell command (setting up or inspecting test files); a failure is
 * printed as a TAP comment, for the checks that follow to catch. */
static void __attribute__((format(printf, 1, 2), unused))
tap_sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		printf("# command failed: %s\n", cmd);
}

static void __attribute__((format(printf, 1, 2), unused))
tap_skip(const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("ok %d # skip ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#define TAP_OK(cond, ...) tap_check(!!(cond), __VA_ARGS__)
#define TAP_EQ_INT(a, b, what)                                                 \
	do {                                                                   \
		long long tap_a_ = (long long)(a), tap_b_ = (long long)(b);    \
		tap_check(tap_a_ == tap_b_, "%s (got %lld, want %lld)", what,  \
		    tap_a_, tap_b_);                                           \
	} while (0)
#define TAP_EQ_MEM(a, b, n, what)                                              \
	tap_check(memcmp((a), (b), (n)) == 0, "%s", what)

static __attribute__((unused)) int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
