/*
 * cli_progress.c - the progress line of the streaming verbs (see
 * cli_progress.h).
 *
 * Knows the terminal, the clock and age_reader_consumed(); nothing of
 * archives or what the bytes mean.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cairn/age.h"
#include "cairn/cio.h"
#include "cli.h"
#include "cli_progress.h"

#define LINE_MAX_LEN 120

/* The display on the terminal now (one per process). */
static struct cli_progress *active;
/* Characters of the line now shown (0: none); read by the signal
 * handler, so a plain sig_atomic_t. */
static volatile sig_atomic_t shown;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Write all of buf to stderr (best effort; async-signal-safe). */
static void
put(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(STDERR_FILENO, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

/* "\r", n spaces, "\r": wipe n characters (async-signal-safe). */
static void
wipe(size_t n)
{
	static const char blanks[] = "                                ";

	put("\r", 1);
	while (n > 0) {
		size_t k = n < sizeof(blanks) - 1 ? n : sizeof(blanks) - 1;

		put(blanks, k);
		n -= k;
	}
	put("\r", 1);
}

static void
clear_signal_safe(void)
{
	if (shown > 0)
		wipe((size_t)shown);
	shown = 0;
}

void
cli_progress_clear(void)
{
	int saved = errno;

	clear_signal_safe();
	errno = saved;
}

/* "12.3 MiB" */
static void
human(char *out, size_t cap, uint64_t n)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(out, cap, "%u B", (unsigned)n);
		return;
	}
	while (v >= 1024.0 && u < 3) {
		v /= 1024.0;
		u++;
	}
	snprintf(out, cap, "%.1f %s", v, units[u]);
}

static void
draw(struct cli_progress *p, uint64_t t)
{
	char line[LINE_MAX_LEN + 1], done[24], total[24], rate[24];
	double secs = (double)(t - p->start_ns) / 1e9;
	uint64_t bps = secs > 0.05 ? (uint64_t)((double)p->done / secs) : 0;
	size_t len, old = (size_t)shown;
	int n;

	human(done, sizeof(done), p->done);
	human(rate, sizeof(rate), bps);
	if (p->total > 0) {
		uint64_t tot = p->total > p->done ? p->total : p->done;
		unsigned pct = (unsigned)(p->done * 100 / tot);
		char left[24] = "--:--";

		if (pct > 99)
			pct = 99; /* 100% only once it is finished */
		if (bps > 0 && secs >= 0.5) {
			uint64_t s = (tot - p->done) / bps;

			if (s >= 3600)
				snprintf(left, sizeof(left), "%u:%02u:%02u",
				    (unsigned)(s / 3600),
				    (unsigned)(s / 60 % 60),
				    (unsigned)(s % 60));
			else
				snprintf(left, sizeof(left), "%u:%02u",
				    (unsigned)(s / 60), (unsigned)(s % 60));
		}
		human(total, sizeof(total), tot);
		n = snprintf(line, sizeof(line),
		    "\rcairn %s: %s of %s (%u%%), %s/s, %s left", p->label,
		    done, total, pct, bps > 0 ? rate : "-", left);
	} else
		n = snprintf(line, sizeof(line), "\rcairn %s: %s, %s/s",
		    p->label, done, bps > 0 ? rate : "-");
	if (n <= 0)
		return;
	len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	/* Pad over what a longer previous line left behind. */
	while (len < old + 1 && len < sizeof(line) - 1)
		line[len++] = ' ';
	put(line, len);
	shown = (sig_atomic_t)(len - 1);
	p->last_ns = t;
}

static void
update(struct cli_progress *p)
{
	uint64_t t;
	int saved = errno;

	if (!p->on)
		return;
	t = now_ns();
	if (p->last_ns != 0 && shown > 0 &&
	    t - p->last_ns < (uint64_t)CLI_PROGRESS_INTERVAL_MS * 1000000u)
		goto out;
	draw(p, t);
out:
	errno = saved;
}

void
cli_progress_start(struct cli_progress *p, const char *label, uint64_t total,
    int quiet, int out_fd)
{
	memset(p, 0, sizeof(*p));
	p->label = label;
	p->total = total;
	if (quiet || !isatty(STDERR_FILENO) || (out_fd >= 0 && isatty(out_fd)))
		return;
	if (active != NULL)
		cli_progress_end(active);
	if (cli_at_signal(clear_signal_safe) != 0)
		return; /* no progress line that a signal could not clear */
	p->on = 1;
	p->start_ns = now_ns();
	active = p;
}

void
cli_progress_add(struct cli_progress *p, uint64_t n)
{
	p->done += n;
	update(p);
}

void
cli_progress_set(struct cli_progress *p, uint64_t done)
{
	p->done = done;
	update(p);
}

void
cli_progress_end(struct cli_progress *p)
{
	if (!p->on)
		return;
	cli_progress_clear();
	p->on = 0;
	if (active == p)
		active = NULL;
}

uint64_t
cli_progress_fd_size(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < 0)
		return 0;
	return (uint64_t)st.st_size;
}

static ssize_t
source_read(void *ctx, uint8_t *buf, size_t len)
{
	struct cli_progress_source *w = ctx;
	ssize_t n = w->inner->read(w->inner->ctx, buf, len);

	if (n > 0 && w->p->on) {
		if (w->r != NULL)
			cli_progress_set(w->p, age_reader_consumed(w->r));
		else
			cli_progress_add(w->p, (uint64_t)n);
	}
	return n;
}

void
cli_progress_source_init(struct cli_progress_source *w,
    const struct cio_source *inner, const struct age_reader *r,
    struct cli_progress *p)
{
	w->inner = inner;
	w->r = r;
	w->p = p;
	w->src = (struct cio_source){.read = source_read, .ctx = w};
}

static int
sink_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct cli_progress_sink *w = ctx;
	int rc = w->inner->write(w->inner->ctx, buf, len);

	if (rc == 0 && w->p->on)
		cli_progress_add(w->p, len);
	return rc;
}

void
cli_progress_sink_init(struct cli_progress_sink *w,
    const struct cio_sink *inner, struct cli_progress *p)
{
	w->inner = inner;
	w->p = p;
	w->sink.write = sink_write;
	w->sink.ctx = w;
}
