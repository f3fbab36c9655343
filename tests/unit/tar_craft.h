/*
 * tar_craft.h - helpers shared by the tarball unit tests: sources that
 * serve short reads or fail, a counting sink, raw ustar/pax/GNU header
 * crafting, writing an archive entry by entry through the writer, and a
 * reader loop that consumes every byte of every entry.
 */
#ifndef CAIRN_TAR_CRAFT_H
#define CAIRN_TAR_CRAFT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "tarball.h"

#define MiB (1024 * 1024)

/* ---- sources and sinks used by the tests -------------------------------- */

/* Serves a buffer in short, varying reads. */
struct choppy {
	const uint8_t *data;
	size_t len, off, step;
	size_t fail_at; /* 0: never; else fail once off reaches it */
	int fail_code;
};

static __attribute__((unused)) ssize_t
choppy_read(void *ctx, uint8_t *buf, size_t len)
{
	struct choppy *c = ctx;
	size_t n = c->len - c->off;

	if (c->fail_at != 0 && c->off >= c->fail_at)
		return c->fail_code;
	c->step = (c->step * 7 + 3) % 9001 + 1;
	if (n > c->step)
		n = c->step;
	if (n > len)
		n = len;
	if (c->fail_at != 0 && n > c->fail_at - c->off)
		n = c->fail_at - c->off;
	if (n > 0)
		memcpy(buf, c->data + c->off, n);
	c->off += n;
	return (ssize_t)n;
}

/* Counts sink calls, optionally failing after max bytes. */
struct counting {
	struct cio_membuf m;
	size_t calls, max;
};

static __attribute__((unused)) int
counting_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct counting *c = ctx;

	c->calls++;
	if (c->max != 0 && c->m.len + len > c->max)
		return CAIRN_ERR_IO;
	return cio_membuf_write(&c->m, buf, len);
}

/* ---- writing archives with the writer ----------------------------------- */

/* Write an archive of n entries to sink: entry(w, k) writes entry k
 * (header, data and end); then the end of the archive.  0 or the first
 * error. */
static __attribute__((unused)) int
tar_write_entries(const struct cio_sink *sink, size_t n,
    int (*entry)(struct tarball_writer *w, size_t k))
{
	struct tarball_writer *w;
	int rc;

	if ((rc = tarball_writer_new(&w, sink)) != 0)
		return rc;
	for (size_t k = 0; k < n && rc == 0; k++)
		rc = entry(w, k);
	if (rc == 0)
		rc = tarball_writer_finish(w);
	tarball_writer_free(w);
	return rc;
}

/* ---- crafting raw tar bytes --------------------------------------------- */

static __attribute__((unused)) void
put(struct cio_membuf *m, const void *p, size_t n)
{
	if (cio_membuf_write(m, p, n) != 0)
		abort();
}

static __attribute__((unused)) void
put_pad(struct cio_membuf *m)
{
	static const uint8_t zero[512];

	if (m->len % 512 != 0)
		put(m, zero, 512 - m->len % 512);
}

/* A ustar header; name may be up to 100 bytes (not NUL-terminated then). */
static __attribute__((unused)) void
put_hdr(struct cio_membuf *m, const char *name, char type, uint64_t size,
    const char *link, unsigned int mode)
{
	uint8_t h[512];
	unsigned int sum = 0;
	size_t i;

	memset(h, 0, sizeof(h));
	memcpy(h, name, strlen(name) > 100 ? 100 : strlen(name));
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	snprintf((char *)h + 136, 12, "%011o", 1700000000);
	memset(h + 148, ' ', 8);
	h[156] = (uint8_t)type;
	if (link != NULL)
		memcpy(h + 157, link, strlen(link));
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	put(m, h, sizeof(h));
}

static __attribute__((unused)) void
put_file(struct cio_membuf *m, const char *name, const char *data)
{
	put_hdr(m, name, '0', strlen(data), NULL, 0644);
	put(m, data, strlen(data));
	put_pad(m);
}

/* A pax extended header ('x' or 'g') holding one key=value record. */
static __attribute__((unused)) void
put_pax(struct cio_membuf *m, char type, const char *key, const char *val)
{
	char rec[8192];
	size_t body = strlen(key) + strlen(val) + 3, len = body + 1;
	int n;

	while ((size_t)snprintf(NULL, 0, "%zu", len) + body != len)
		len++;
	n = snprintf(rec, sizeof(rec), "%zu %s=%s\n", len, key, val);
	put_hdr(m, "PaxHeader/x", type, (uint64_t)n, NULL, 0644);
	put(m, rec, (size_t)n);
	put_pad(m);
}

/* A GNU ././@LongLink record ('L': name) followed by nothing else. */
static __attribute__((unused)) void
put_longname(struct cio_membuf *m, const char *name)
{
	put_hdr(m, "././@LongLink", 'L', strlen(name) + 1, NULL, 0644);
	put(m, name, strlen(name) + 1);
	put_pad(m);
}

static __attribute__((unused)) void
put_end(struct cio_membuf *m)
{
	static const uint8_t zero[1024];

	put_pad(m);
	put(m, zero, sizeof(zero));
	while (m->len % 10240 != 0)
		put(m, zero, 512);
}

/* ---- reading helpers ---------------------------------------------------- */

static char last_why[512];
static int last_entries;

/*
 * Read a whole archive, every byte of every entry.  Returns 1 at a clean
 * end, else the first negative code; last_why/last_entries describe it.
 */
static __attribute__((unused)) int
read_all(const uint8_t *data, size_t len)
{
	struct choppy c = {data, len, 0, 1, 0, 0};
	struct cio_source src = {.read = choppy_read, .ctx = &c};
	struct tarball_reader *r;
	struct tarball_entry e;
	static uint8_t buf[70000];
	int rc;

	last_why[0] = '\0';
	last_entries = 0;
	if (tarball_reader_new(&r, &src) != 0)
		return CAIRN_ERR_NOMEM;
	while ((rc = tarball_next(r, &e)) == 0) {
		ssize_t n;
		uint64_t got = 0;

		last_entries++;
		while ((n = tarball_read_data(r, buf, sizeof(buf))) > 0)
			got += (uint64_t)n;
		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (got != e.size) {
			rc = -1000; /* a short success: the bug we hunt */
			break;
		}
	}
	snprintf(last_why, sizeof(last_why), "%s", tarball_reader_error(r));
	tarball_reader_free(r);
	return rc;
}

static __attribute__((unused)) int
no_controls(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

#endif
