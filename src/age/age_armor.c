/*
 * age_armor.c - strict PEM armor for age files, streaming: a decoding
 * cio_source and an encoding cio_sink.  Follows age's reference reader:
 * whitespace-only lines before the BEGIN line and whitespace after the
 * END line (bounded), LF or CRLF line ends, 64-column lines, canonical
 * padded base64, a short line only last; nothing else.
 *
 * Must not know what the armored bytes are (headers, STREAM).
 */
#include <stdlib.h>
#include <string.h>

#include "age_armor.h"
#include "age_format.h"
#include "age_wstate.h"
#include "cairn/cio.h"
#include "cairn/err.h"

#define BYTES_PER_LINE 48
#define IN_CAP         (256 * 1024)
#define MAX_LINE       4096  /* longer lines are refused before their end */
#define OUT_LINES      16384 /* lines per sink write (about 1 MiB) */

int
age_armor_detect(const uint8_t *buf, size_t len)
{
	static const char begin[] = "-----BEGIN";
	static const char intro[] = "age-encryption.org/";
	size_t i = 0, n;

	while (i < len && cio_is_space((unsigned char)buf[i]))
		i++;
	n = len - i < 5 ? len - i : 5;
	if (n > 0 && memcmp(buf + i, begin, n) == 0)
		return 1;
	n = len < sizeof(intro) - 1 ? len : sizeof(intro) - 1;
	if (memcmp(buf, intro, n) == 0)
		return 0;
	return memmem(buf, len, begin, sizeof(begin) - 1) != NULL;
}

/* ---- reader ------------------------------------------------------------ */

enum { ST_BEGIN, ST_BODY, ST_LAST, ST_DONE };

struct age_armor_reader {
	struct cio_source src;
	uint8_t *in;
	size_t off, end;
	int eof;
	int state;
	size_t ws; /* leading whitespace seen */
	uint8_t pend[BYTES_PER_LINE];
	size_t pendoff, pendlen;
	int err;
};

int
age_armor_reader_new(
    struct age_armor_reader **out, const struct cio_source *src)
{
	struct age_armor_reader *r;

	*out = NULL;
	if ((r = cio_calloc(1, sizeof(*r))) == NULL)
		return CAIRN_ERR_NOMEM;
	if ((r->in = cio_malloc(IN_CAP)) == NULL) {
		free(r);
		return CAIRN_ERR_NOMEM;
	}
	r->src = *src;
	*out = r;
	return 0;
}

void
age_armor_reader_free(struct age_armor_reader *r)
{
	if (r == NULL)
		return;
	free(r->in);
	free(r);
}

static int
fill(struct age_armor_reader *r)
{
	ssize_t n;

	if (r->off > 0) {
		memmove(r->in, r->in + r->off, r->end - r->off);
		r->end -= r->off;
		r->off = 0;
	}
	n = r->src.read(r->src.ctx, r->in + r->end, IN_CAP - r->end);
	if (n < 0)
		return (int)n;
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return 0;
}

/*
 * The next line without its "\n" and one "\r" before it; consumes it.
 * A last line without "\n" counts; no line at all at EOF is an error.
 */
static int
get_line(struct age_armor_reader *r, const uint8_t **line, size_t *llen)
{
	const uint8_t *nl;
	size_t n;
	int ret;

	for (;;) {
		n = r->end - r->off;
		nl = memchr(r->in + r->off, '\n', n);
		if (nl != NULL || r->eof)
			break;
		if (n > MAX_LINE)
			return CAIRN_ERR_ARMOR;
		if ((ret = fill(r)) != 0)
			return ret;
	}
	*line = r->in + r->off;
	if (nl != NULL) {
		*llen = (size_t)(nl - *line);
		r->off += *llen + 1;
	} else {
		if (n == 0)
			return CAIRN_ERR_ARMOR; /* unexpected EOF */
		*llen = n;
		r->off += n;
	}
	if (*llen > 0 && (*line)[*llen - 1] == '\r')
		(*llen)--;
	return 0;
}

static int
line_is(const uint8_t *line, size_t llen, const char *s)
{
	return llen == strlen(s) && memcmp(line, s, llen) == 0;
}

/* After the END line: only whitespace, less than the limit, then EOF. */
static int
drain_trailing(struct age_armor_reader *r)
{
	size_t total = 0, i;
	int ret;

	for (;;) {
		for (i = r->off; i < r->end; i++)
			if (!cio_is_space((unsigned char)r->in[i]))
				return CAIRN_ERR_ARMOR;
		total += r->end - r->off;
		r->off = r->end;
		if (total >= AGE_ARMOR_MAX_WHITESPACE)
			return CAIRN_ERR_ARMOR;
		if (r->eof)
			return 0;
		if ((ret = fill(r)) != 0)
			return ret;
	}
}

/* Decode the next data line into out (room for 48 bytes); *n its size.
 * *n == 0 with r->state == ST_DONE: the armor ended cleanly. */
static int
next_line(struct age_armor_reader *r, uint8_t *out, size_t *n)
{
	const uint8_t *line;
	size_t llen;
	int ret;

	*n = 0;
	while (r->state == ST_BEGIN) {
		size_t i;

		if ((ret = get_line(r, &line, &llen)) != 0)
			return ret;
		for (i = 0; i < llen && cio_is_space((unsigned char)line[i]);
		     i++)
			;
		if (i == llen) { /* a whitespace-only line */
			r->ws += llen + 1;
			if (r->ws > AGE_ARMOR_MAX_WHITESPACE)
				return CAIRN_ERR_ARMOR;
			continue;
		}
		if (!line_is(line, llen, AGE_ARMOR_BEGIN))
			return CAIRN_ERR_ARMOR;
		r->state = ST_BODY;
	}
	if ((ret = get_line(r, &line, &llen)) != 0)
		return ret;
	if (line_is(line, llen, AGE_ARMOR_END)) {
		r->state = ST_DONE;
		return drain_trailing(r);
	}
	if (r->state == ST_LAST || llen == 0 || llen > AGE_ARMOR_COLUMNS)
		return CAIRN_ERR_ARMOR;
	if (age_b64_decode(
	        (const char *)line, llen, out, BYTES_PER_LINE, n, 1) != 0)
		return CAIRN_ERR_ARMOR;
	if (*n < BYTES_PER_LINE)
		r->state = ST_LAST; /* only the END line may follow */
	return 0;
}

ssize_t
age_armor_read(void *reader, uint8_t *buf, size_t len)
{
	struct age_armor_reader *r = reader;
	size_t got = 0, n;
	int ret;

	if (r->pendoff < r->pendlen) {
		n = r->pendlen - r->pendoff;
		if (n > len)
			n = len;
		memcpy(buf, r->pend + r->pendoff, n);
		r->pendoff += n;
		return (ssize_t)n;
	}
	if (r->err)
		return r->err;
	while (r->state != ST_DONE && got < len) {
		if (len - got >= BYTES_PER_LINE) {
			ret = next_line(r, buf + got, &n);
			got += n;
		} else {
			ret = next_line(r, r->pend, &n);
			r->pendoff = 0;
			r->pendlen = n;
			if (ret == 0 && n > 0)
				break;
		}
		if (ret != 0) {
			r->err = ret;
			break;
		}
		/* Stop at a read boundary to keep latency and stack low. */
		if (r->off == r->end && !r->eof && got > 0)
			break;
	}
	if (got > 0)
		return (ssize_t)got;
	if (r->pendoff < r->pendlen)
		return age_armor_read(r, buf, len);
	return r->err ? r->err : 0;
}

/* ---- writer ------------------------------------------------------------ */

struct age_armor_writer {
	struct cio_sink sink;
	uint8_t part[BYTES_PER_LINE];
	size_t partlen;
	char *out;
	size_t outlen, outcap;
	struct age_wstate st;
	int started;
};

int
age_armor_writer_new(struct age_armor_writer **out, const struct cio_sink *sink)
{
	struct age_armor_writer *w;

	*out = NULL;
	if ((w = cio_calloc(1, sizeof(*w))) == NULL)
		return CAIRN_ERR_NOMEM;
	w->outcap = OUT_LINES * (AGE_ARMOR_COLUMNS + 1);
	if ((w->out = cio_malloc(w->outcap)) == NULL) {
		free(w);
		return CAIRN_ERR_NOMEM;
	}
	w->sink = *sink;
	*out = w;
	return 0;
}

void
age_armor_writer_free(struct age_armor_writer *w)
{
	if (w == NULL)
		return;
	free(w->out);
	free(w);
}

static int
out_flush(struct age_armor_writer *w)
{
	int ret = 0;

	if (w->outlen > 0)
		ret = w->sink.write(
		    w->sink.ctx, (const uint8_t *)w->out, w->outlen);
	w->outlen = 0;
	return ret;
}

/* Append s (at most one line + LF) to the output, flushing as needed. */
static int
out_put(struct age_armor_writer *w, const char *s, size_t n)
{
	int ret;

	if (w->outcap - w->outlen < n && (ret = out_flush(w)) != 0)
		return ret;
	memcpy(w->out + w->outlen, s, n);
	w->outlen += n;
	return 0;
}

static int
out_line(struct age_armor_writer *w, const uint8_t *in, size_t n)
{
	int ret;

	if (w->outcap - w->outlen < AGE_ARMOR_COLUMNS + 1 &&
	    (ret = out_flush(w)) != 0)
		return ret;
	age_b64_encode(w->out + w->outlen, in, n, 1);
	w->outlen += age_b64_encoded_len(n, 1);
	w->out[w->outlen++] = '\n';
	return 0;
}

static int
start(struct age_armor_writer *w)
{
	if (w->started)
		return 0;
	w->started = 1;
	return out_put(w, AGE_ARMOR_BEGIN "\n", sizeof(AGE_ARMOR_BEGIN));
}

int
age_armor_write(void *writer, const uint8_t *buf, size_t len)
{
	struct age_armor_writer *w = writer;
	int ret;

	if ((ret = age_wstate_check(&w->st)) != 0)
		return ret;
	if ((ret = start(w)) != 0)
		goto out;
	while (len > 0) {
		size_t n;

		if (w->partlen == 0 && len >= BYTES_PER_LINE) {
			if ((ret = out_line(w, buf, BYTES_PER_LINE)) != 0)
				goto out;
			buf += BYTES_PER_LINE;
			len -= BYTES_PER_LINE;
			continue;
		}
		n = BYTES_PER_LINE - w->partlen;
		if (n > len)
			n = len;
		memcpy(w->part + w->partlen, buf, n);
		w->partlen += n;
		buf += n;
		len -= n;
		if (w->partlen == BYTES_PER_LINE) {
			if ((ret = out_line(w, w->part, BYTES_PER_LINE)) != 0)
				goto out;
			w->partlen = 0;
		}
	}
out:
	return age_wstate_keep(&w->st, ret);
}

int
age_armor_writer_finish(struct age_armor_writer *w)
{
	int ret;

	if ((ret = age_wstate_finish(&w->st)) != 0)
		return ret;
	if ((ret = start(w)) == 0 &&
	    (w->partlen == 0 ||
	        (ret = out_line(w, w->part, w->partlen)) == 0) &&
	    (ret = out_put(w, AGE_ARMOR_END "\n", sizeof(AGE_ARMOR_END))) == 0)
		ret = out_flush(w);
	return age_wstate_keep(&w->st, ret);
}
