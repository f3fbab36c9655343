/*
 * rbuf.h - a growable text buffer for building requests, URLs and state
 * files in the remote layer.  An allocation failure is sticky: every
 * later append is a no-op and rbuf_take() returns NULL.
 *
 * Knows nothing of HTTP or S3.
 */
#ifndef CAIRN_RBUF_H
#define CAIRN_RBUF_H

#include <stddef.h>

struct rbuf {
	char *s; /* NUL-terminated while len > 0 and !oom */
	size_t len, cap;
	int oom;
};

void rbuf_addn(struct rbuf *b, const char *s, size_t n);
void rbuf_add(struct rbuf *b, const char *s);
void rbuf_addf(struct rbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The text (malloc'd, caller frees; "" for an empty buffer), or NULL after
 * an allocation failure.  The buffer is empty afterwards. */
char *rbuf_take(struct rbuf *b);
void rbuf_free(struct rbuf *b);

#endif
