/*
 * cli_progress.h - the one-line progress display of the streaming verbs
 * (seal, open, verify, encrypt, decrypt) on standard error:
 *
 *	cairn seal: 12.3 MiB of 45.6 MiB (27%), 8.1 MiB/s, 0:04 left
 *
 * It is shown only when standard error is a terminal, not with -q or
 * --json, and not when the command's own output goes to that terminal;
 * it is redrawn at most every CLI_PROGRESS_INTERVAL_MS, cleared before
 * any cairn message (cli_error/cli_warn/cli_hint call
 * cli_progress_clear()), at the end, and by the SIGINT/SIGTERM/SIGHUP
 * handler.  Plain "\r" and spaces only: no terminal escape sequences.
 *
 * Knows the terminal, cio sources/sinks and age_reader_consumed();
 * nothing of what the bytes mean.
 */
#ifndef CAIRN_CLI_PROGRESS_H
#define CAIRN_CLI_PROGRESS_H

#include <stdint.h>

#include "cairn/age.h"
#include "cairn/cio.h"

#define CLI_PROGRESS_INTERVAL_MS 100 /* at most 10 redraws a second */

struct cli_progress {
	int on;            /* the display is active */
	const char *label; /* "seal", "decrypt", ... (static) */
	uint64_t done;     /* bytes so far */
	uint64_t total;    /* expected bytes; 0 when unknown */
	uint64_t start_ns; /* monotonic clock at start */
	uint64_t last_ns;  /* last redraw; 0 before the first */
};

/*
 * Start a display labelled label (a string literal).  total 0 means
 * unknown (no percentage or time left).  It stays off when quiet is set,
 * when standard error is not a terminal, or when out_fd >= 0 is a
 * terminal (the command's output would mix with it).  Always safe to
 * follow with cli_progress_end().
 */
void cli_progress_start(struct cli_progress *p, const char *label,
    uint64_t total, int quiet, int out_fd);
/* Record bytes done (add n, or set the position); redraws when due. */
void cli_progress_add(struct cli_progress *p, uint64_t n);
void cli_progress_set(struct cli_progress *p, uint64_t done);
/* Clear the line and stop (idempotent; nothing when never shown). */
void cli_progress_end(struct cli_progress *p);
/* Clear the active display's line before printing something else; the
 * next update redraws it.  No-op without an active display. */
void cli_progress_clear(void);

/* Size of the regular file open as fd, else 0 (a pipe, a terminal). */
uint64_t cli_progress_fd_size(int fd);

/*
 * A source that counts what passes through it: each read from inner
 * adds its bytes to p, or, when r is non-NULL, sets p to the bytes r
 * consumed from its (encrypted) input so far.  src is the wrapped
 * source; w must outlive its use.
 */
struct cli_progress_source {
	struct cio_source src;
	const struct cio_source *inner;
	const struct age_reader *r;
	struct cli_progress *p;
};
void cli_progress_source_init(struct cli_progress_source *w,
    const struct cio_source *inner, const struct age_reader *r,
    struct cli_progress *p);

/* A sink that adds the bytes written through it to p. */
struct cli_progress_sink {
	struct cio_sink sink;
	const struct cio_sink *inner;
	struct cli_progress *p;
};
void cli_progress_sink_init(struct cli_progress_sink *w,
    const struct cio_sink *inner, struct cli_progress *p);

#endif
