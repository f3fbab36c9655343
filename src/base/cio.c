/*
 * cio.c - options, test-build fault injection, allocation and byte
 * sources/sinks (see cio.h; atomic output files are in cio_atomic.c,
 * whole small files and text helpers in cio_file.c).
 *
 * Knows nothing of age, tar, JSON or the terminal.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdatomic.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"

/* ---- options, fault injection and test points ------------------------- */

static const struct cairn_options default_options = {0, -1, 0, 0, NULL, NULL};
static struct cairn_options options = {0, -1, 0, 0, NULL, NULL};
/* fault_count is atomic: seal's reader thread and the caller both count
 * (CAIRN_SEAL_THREADS=1 sweeps the two-thread pipeline). */
static atomic_long fault_count;
static long test_at_count, test_signal_count;

void
cairn_set_options(const struct cairn_options *o)
{
	options = o != NULL ? *o : default_options;
	atomic_store(&fault_count, 0);
	test_at_count = test_signal_count = 0;
}

const struct cairn_options *
cairn_options(void)
{
	return &options;
}

#ifdef CAIRN_TESTING
int
cio_fault_hit(void)
{
	if (options.fault_at <= 0)
		return 0;
	long n = atomic_fetch_add(&fault_count, 1) + 1;

	return n == options.fault_at ||
	    (options.fault_sticky && n > options.fault_at);
}

long
cio_fault_count(void)
{
	return atomic_load(&fault_count);
}

/* "name" or "name:N" in spec matches the Nth call with this name (the
 * first when N is not given). */
static int
test_match(const char *spec, const char *name, long *count)
{
	size_t n = strlen(name);
	long want = 1;

	if (spec == NULL || strncmp(spec, name, n) != 0 ||
	    (spec[n] != '\0' && spec[n] != ':'))
		return 0;
	if (spec[n] == ':')
		want = strtol(spec + n + 1, NULL, 10);
	return ++*count == want;
}

int
cio_test_at(const char *name)
{
	return test_match(options.test_at, name, &test_at_count);
}

void
cio_test_signal(const char *name)
{
	if (test_match(options.test_signal, name, &test_signal_count))
		(void)kill(getpid(), SIGTERM);
}
#else
int
cio_fault_hit(void)
{
	return 0;
}

long
cio_fault_count(void)
{
	return 0;
}

int
cio_test_at(const char *name)
{
	(void)name;
	return 0;
}

void
cio_test_signal(const char *name)
{
	(void)name;
}
#endif

void *
cio_secret_malloc(size_t n)
{
	return cio_fault_hit() ? NULL : sodium_malloc(n);
}

void *
cio_secret_allocarray(size_t count, size_t size)
{
	return cio_fault_hit() ? NULL : sodium_allocarray(count, size);
}

void *
cio_malloc(size_t n)
{
	if (cio_fault_hit())
		return NULL;
	return malloc(n == 0 ? 1 : n);
}

void *
cio_calloc(size_t n, size_t m)
{
	if (cio_fault_hit())
		return NULL;
	return calloc(n == 0 ? 1 : n, m == 0 ? 1 : m);
}

void *
cio_realloc(void *p, size_t n)
{
	if (cio_fault_hit())
		return NULL;
	return realloc(p, n == 0 ? 1 : n);
}

char *
cio_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = cio_malloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

/* ---- sources and sinks ------------------------------------------------- */

ssize_t
cio_read_full(const struct cio_source *src, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = src->read(src->ctx, buf + got, len - got);

		if (r < 0)
			return r;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

ssize_t
cio_fd_read(void *fdp, uint8_t *buf, size_t len)
{
	int fd = *(int *)fdp;
	ssize_t r;

	if (cio_fault_hit()) {
		errno = EIO;
		return CAIRN_ERR_IO;
	}
	do {
		r = read(fd, buf, len);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? CAIRN_ERR_IO : r;
}

int
cio_fd_write(void *fdp, const uint8_t *buf, size_t len)
{
	int fd = *(int *)fdp;

	while (len > 0) {
		ssize_t w;

		if (cio_fault_hit()) {
			errno = EIO;
			return CAIRN_ERR_IO;
		}
		w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return CAIRN_ERR_IO;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int
cio_membuf_write(void *membuf, const uint8_t *buf, size_t len)
{
	struct cio_membuf *m = membuf;

	if (m->max != 0 && (len > m->max || m->len > m->max - len))
		return CAIRN_ERR_LIMIT;
	if (m->len + len > m->cap) {
		size_t cap = m->cap ? m->cap : 4096;
		uint8_t *p;

		while (cap < m->len + len)
			cap *= 2;
		p = cio_realloc(m->data, cap);
		if (p == NULL)
			return CAIRN_ERR_NOMEM;
		m->data = p;
		m->cap = cap;
	}
	if (len > 0)
		memcpy(m->data + m->len, buf, len);
	m->len += len;
	return 0;
}

void
cio_membuf_free(struct cio_membuf *m)
{
	free(m->data);
	m->data = NULL;
	m->len = m->cap = 0;
}

ssize_t
cio_memsrc_read(void *memsrc, uint8_t *buf, size_t len)
{
	struct cio_memsrc *s = memsrc;
	size_t n = s->len - s->off;

	if (n > len)
		n = len;
	if (n > 0)
		memcpy(buf, s->data + s->off, n);
	s->off += n;
	return (ssize_t)n;
}
