/*
 * cio_ring.c - the input buffers of a reader that lends what it reads to
 * another thread (see cio.h): used in turn, each released before it is
 * filled again or freed.  Knows nothing of who borrows the bytes or why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cio.h"
#include "cairn/err.h"

int
cio_ring_init(struct cio_ring *g, size_t cap)
{
	memset(g, 0, sizeof(*g));
	g->cap = cap;
	if ((g->buf[0] = cio_malloc(cap)) == NULL)
		return CAIRN_ERR_NOMEM;
	g->n = 1;
	return 0;
}

int
cio_ring_lend(struct cio_ring *g, unsigned n,
    void (*release)(void *ctx, const uint8_t *p, size_t len), void *ctx)
{
	if (g->n != 1 || n < 2 || n > CIO_RING_MAX)
		return CAIRN_ERR_INVAL;
	for (unsigned i = 1; i < n; i++)
		if ((g->buf[i] = cio_malloc(g->cap)) == NULL)
			return CAIRN_ERR_NOMEM;
	g->release = release;
	g->ctx = ctx;
	g->n = n;
	return 0;
}

uint8_t *
cio_ring_next(struct cio_ring *g)
{
	if (g->n > 1) {
		g->cur = (g->cur + 1) % g->n;
		g->release(g->ctx, g->buf[g->cur], g->cap);
	}
	return g->buf[g->cur];
}

int
cio_ring_holds(const struct cio_ring *g, const uint8_t *p, size_t len)
{
	for (unsigned i = 0; g->n > 1 && i < g->n; i++)
		if ((uintptr_t)p >= (uintptr_t)g->buf[i] &&
		    (uintptr_t)p + len <= (uintptr_t)g->buf[i] + g->cap)
			return 1;
	return 0;
}

void
cio_ring_free(struct cio_ring *g)
{
	for (unsigned i = 0; i < CIO_RING_MAX; i++) {
		if (g->n > 1 && g->buf[i] != NULL)
			g->release(g->ctx, g->buf[i], g->cap);
		free(g->buf[i]);
		g->buf[i] = NULL;
	}
	g->n = 0;
}
