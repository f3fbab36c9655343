/*
 * rbuf.c - the remote layer's growable text buffer (see rbuf.h).
 *
 * Knows nothing of HTTP or S3.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cio.h"
#include "rbuf.h"

static int
grow(struct rbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (b->len + n + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 128;
	while (cap < b->len + n + 1)
		cap *= 2;
	if ((p = cio_realloc(b->s, cap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->s = p;
	b->cap = cap;
	return 0;
}

void
rbuf_addn(struct rbuf *b, const char *s, size_t n)
{
	if (grow(b, n) != 0)
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
rbuf_add(struct rbuf *b, const char *s)
{
	rbuf_addn(b, s, strlen(s));
}

void
rbuf_addf(struct rbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
rbuf_take(struct rbuf *b)
{
	char *s;

	if (b->oom) {
		rbuf_free(b);
		return NULL;
	}
	if (b->s == NULL)
		return cio_strdup("");
	s = b->s;
	memset(b, 0, sizeof(*b));
	return s;
}

void
rbuf_free(struct rbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}
