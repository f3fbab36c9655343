/*
 * age_format.c - age v1 header text: strict parsing and canonical encoding
 * of the version line, recipient stanzas and the MAC line.  The strict
 * base64 codecs live in age_base64.c.
 *
 * Must not know any cryptography (the MAC is carried, not computed), any
 * recipient type, or where the bytes come from.
 */
#include <stdlib.h>
#include <string.h>

#include "age_format.h"
#include "cairn/err.h"

/* ---- stanzas ----------------------------------------------------------- */

static int
vchar(uint8_t c)
{
	return c >= 0x21 && c <= 0x7e;
}

int
age_arg_valid(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!vchar((uint8_t)*s))
			return 0;
	return 1;
}

void
age_stanza_clear(struct age_stanza *s)
{
	if (s == NULL)
		return;
	free(s->type); /* one block holding type and every argument */
	free(s->args);
	free(s->body);
	memset(s, 0, sizeof(*s));
}

/* Allocate s->type (a block of NUL-terminated strings: the type, then the
 * arguments) and s->args pointing into it. strs[i] has lens[i] bytes. */
static int
stanza_alloc_strings(struct age_stanza *s, const char *const *strs,
    const size_t *lens, size_t nstr)
{
	size_t total = 0, i;
	char *p;

	for (i = 0; i < nstr; i++)
		total += lens[i] + 1;
	s->type = cio_malloc(total);
	s->args = nstr > 1 ? cio_calloc(nstr - 1, sizeof(char *)) : NULL;
	if (s->type == NULL || (nstr > 1 && s->args == NULL))
		return CAIRN_ERR_NOMEM;
	p = s->type;
	for (i = 0; i < nstr; i++) {
		memcpy(p, strs[i], lens[i]);
		p[lens[i]] = '\0';
		if (i > 0)
			s->args[i - 1] = p;
		p += lens[i] + 1;
	}
	s->nargs = nstr - 1;
	return 0;
}

int
age_stanza_set(struct age_stanza *s, const char *type, const char *const *args,
    size_t nargs, const uint8_t *body, size_t body_len)
{
	const char **strs = NULL;
	size_t *lens = NULL, i;
	int ret = CAIRN_ERR_NOMEM;

	memset(s, 0, sizeof(*s));
	if (!age_arg_valid(type))
		return CAIRN_ERR_INVAL;
	for (i = 0; i < nargs; i++)
		if (!age_arg_valid(args[i]))
			return CAIRN_ERR_INVAL;
	strs = cio_calloc(nargs + 1, sizeof(*strs));
	lens = cio_calloc(nargs + 1, sizeof(*lens));
	if (strs == NULL || lens == NULL)
		goto out;
	strs[0] = type;
	lens[0] = strlen(type);
	for (i = 0; i < nargs; i++) {
		strs[i + 1] = args[i];
		lens[i + 1] = strlen(args[i]);
	}
	if ((ret = stanza_alloc_strings(s, strs, lens, nargs + 1)) != 0)
		goto out;
	s->body = cio_malloc(body_len);
	if (s->body == NULL) {
		ret = CAIRN_ERR_NOMEM;
		goto out;
	}
	if (body_len > 0)
		memcpy(s->body, body, body_len);
	s->body_len = body_len;
	ret = 0;
out:
	free(strs);
	free(lens);
	if (ret != 0)
		age_stanza_clear(s);
	return ret;
}

/* ---- parsing ----------------------------------------------------------- */

struct cursor {
	const uint8_t *buf;
	size_t len, off;
};

/* The next line (without its LF) at c->off: 1 and *line, *llen, or 0 when
 * no LF follows before the end of the buffer. Does not advance. */
static int
peek_line(const struct cursor *c, const uint8_t **line, size_t *llen)
{
	const uint8_t *p = c->buf + c->off;
	const uint8_t *nl = memchr(p, '\n', c->len - c->off);

	if (nl == NULL)
		return 0;
	*line = p;
	*llen = (size_t)(nl - p);
	return 1;
}

static int
parse_version(struct cursor *c)
{
	static const char intro[] = "age-encryption.org/";
	static const char v1[] = AGE_VERSION_LINE;
	const uint8_t *line;
	size_t llen, i, n = c->len < sizeof(v1) - 1 ? c->len : sizeof(v1) - 1;

	if (!peek_line(c, &line, &llen)) {
		/* Fail early on input that cannot become a v1 header. */
		if (memcmp(c->buf, v1, n) != 0) {
			size_t m =
			    n < sizeof(intro) - 1 ? n : sizeof(intro) - 1;

			if (memcmp(c->buf, intro, m) != 0)
				return CAIRN_ERR_HEADER;
			if (c->len > AGE_MAX_HEADER_LEN)
				return CAIRN_ERR_HEADER;
		}
		return AGE_HEADER_INCOMPLETE;
	}
	if (llen == sizeof(v1) - 2 && memcmp(line, v1, llen) == 0) {
		c->off += llen + 1;
		return 0;
	}
	if (llen <= sizeof(intro) - 1 || memcmp(line, intro, sizeof(intro) - 1))
		return CAIRN_ERR_HEADER;
	for (i = sizeof(intro) - 1; i < llen; i++)
		if (!vchar(line[i]))
			return CAIRN_ERR_HEADER;
	return CAIRN_ERR_UNSUPPORTED;
}

/* Parse "-> arg..." into s's strings. */
static int
parse_arg_line(const uint8_t *line, size_t llen, struct age_stanza *s)
{
	const char **strs = NULL;
	size_t *lens = NULL, n = 1, i, start;
	int ret = CAIRN_ERR_HEADER;

	if (llen < 3 || memcmp(line, "-> ", 3) != 0)
		return CAIRN_ERR_HEADER;
	for (i = 3; i < llen; i++)
		n += line[i] == ' ';
	strs = cio_calloc(n, sizeof(*strs));
	lens = cio_calloc(n, sizeof(*lens));
	if (strs == NULL || lens == NULL) {
		ret = CAIRN_ERR_NOMEM;
		goto out;
	}
	n = 0;
	start = 3;
	for (i = 3; i <= llen; i++) {
		if (i < llen && line[i] != ' ') {
			if (!vchar(line[i]))
				goto out;
			continue;
		}
		if (i == start)
			goto out; /* empty argument */
		strs[n] = (const char *)line + start;
		lens[n] = i - start;
		n++;
		start = i + 1;
	}
	ret = stanza_alloc_strings(s, strs, lens, n);
out:
	free(strs);
	free(lens);
	return ret;
}

/* Parse body lines at c->off into s->body. */
static int
parse_body(struct cursor *c, struct age_stanza *s)
{
	struct cursor scan = *c;
	const uint8_t *line;
	size_t llen, chars = 0, got, o = 0;
	int ret;

	/* First pass: find the final (short) line and the size. */
	for (;;) {
		if (!peek_line(&scan, &line, &llen))
			return AGE_HEADER_INCOMPLETE;
		if (llen > AGE_COLUMNS)
			return CAIRN_ERR_HEADER;
		chars += llen;
		scan.off += llen + 1;
		if (llen < AGE_COLUMNS)
			break;
	}
	s->body = cio_malloc(age_b64_decoded_len(chars) + 3);
	if (s->body == NULL)
		return CAIRN_ERR_NOMEM;
	/* Second pass: decode, each line canonical on its own. */
	while (c->off < scan.off) {
		peek_line(c, &line, &llen);
		ret = age_b64_decode((const char *)line, llen, s->body + o,
		    AGE_BYTES_PER_LINE, &got, 0);
		if (ret != 0)
			return CAIRN_ERR_HEADER;
		o += got;
		c->off += llen + 1;
	}
	s->body_len = o;
	return 0;
}

static int
parse_mac_line(struct cursor *c, struct age_header *h)
{
	const uint8_t *line;
	size_t llen, got;

	if (!peek_line(c, &line, &llen))
		return AGE_HEADER_INCOMPLETE;
	if (llen != 4 + 43 || memcmp(line, "--- ", 4) != 0)
		return CAIRN_ERR_HEADER;
	if (age_b64_decode((const char *)line + 4, 43, h->mac, sizeof(h->mac),
	        &got, 0) != 0 ||
	    got != AGE_MAC_LEN)
		return CAIRN_ERR_HEADER;
	h->mac_len = c->off + 3;
	c->off += llen + 1;
	h->len = c->off;
	return 0;
}

void
age_header_free(struct age_header *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		age_stanza_clear(&h->stanzas[i]);
	free(h->stanzas);
	memset(h, 0, sizeof(*h));
}

int
age_header_parse(const uint8_t *buf, size_t len, struct age_header *h)
{
	struct cursor c = {buf, len, 0};
	int ret;

	memset(h, 0, sizeof(*h));
	if ((ret = parse_version(&c)) != 0)
		return ret;
	h->stanzas = cio_calloc(AGE_MAX_STANZAS, sizeof(*h->stanzas));
	if (h->stanzas == NULL)
		return CAIRN_ERR_NOMEM;
	for (;;) {
		const uint8_t *line;
		size_t llen;

		if (c.len - c.off < 3) {
			/* Could still become "---" or "-> ". */
			if (memcmp(c.buf + c.off, "-> ", c.len - c.off) != 0 &&
			    memcmp(c.buf + c.off, "---", c.len - c.off) != 0)
				ret = CAIRN_ERR_HEADER;
			else
				ret = AGE_HEADER_INCOMPLETE;
			goto out;
		}
		if (memcmp(c.buf + c.off, "---", 3) == 0) {
			if (h->n == 0) {
				ret = CAIRN_ERR_HEADER;
				goto out;
			}
			ret = parse_mac_line(&c, h);
			goto out;
		}
		if (memcmp(c.buf + c.off, "-> ", 3) != 0) {
			ret = CAIRN_ERR_HEADER;
			goto out;
		}
		if (!peek_line(&c, &line, &llen)) {
			ret = AGE_HEADER_INCOMPLETE;
			goto out;
		}
		if (h->n == AGE_MAX_STANZAS) {
			ret = CAIRN_ERR_LIMIT;
			goto out;
		}
		ret = parse_arg_line(line, llen, &h->stanzas[h->n]);
		h->n++;
		if (ret != 0)
			goto out;
		c.off += llen + 1;
		if ((ret = parse_body(&c, &h->stanzas[h->n - 1])) != 0)
			goto out;
	}
out:
	if (ret == AGE_HEADER_INCOMPLETE && len >= AGE_MAX_HEADER_LEN)
		ret = CAIRN_ERR_LIMIT;
	if (ret != 0)
		age_header_free(h);
	return ret;
}

/* ---- encoding ---------------------------------------------------------- */

static int
put(struct cio_membuf *out, const void *p, size_t n)
{
	return cio_membuf_write(out, p, n);
}

static int
encode_stanza(const struct age_stanza *s, struct cio_membuf *out)
{
	char line[AGE_COLUMNS];
	size_t i, n;
	int ret;

	if (s->type == NULL || !age_arg_valid(s->type))
		return CAIRN_ERR_INVAL;
	if ((ret = put(out, "-> ", 3)) != 0 ||
	    (ret = put(out, s->type, strlen(s->type))) != 0)
		return ret;
	for (i = 0; i < s->nargs; i++) {
		if (!age_arg_valid(s->args[i]))
			return CAIRN_ERR_INVAL;
		if ((ret = put(out, " ", 1)) != 0 ||
		    (ret = put(out, s->args[i], strlen(s->args[i]))) != 0)
			return ret;
	}
	if ((ret = put(out, "\n", 1)) != 0)
		return ret;
	/* Full 64-column lines, then a final short (maybe empty) line. */
	for (i = 0;; i += n) {
		n = s->body_len - i;
		if (n > AGE_BYTES_PER_LINE)
			n = AGE_BYTES_PER_LINE;
		age_b64_encode(line, s->body + i, n, 0);
		if ((ret = put(out, line, age_b64_encoded_len(n, 0))) != 0 ||
		    (ret = put(out, "\n", 1)) != 0)
			return ret;
		if (n < AGE_BYTES_PER_LINE)
			break;
	}
	return 0;
}

int
age_header_encode(const struct age_stanza *st, size_t n, struct cio_membuf *out)
{
	size_t i;
	int ret;

	if (n == 0 || n > AGE_MAX_STANZAS)
		return CAIRN_ERR_INVAL;
	if ((ret = put(out, AGE_VERSION_LINE, sizeof(AGE_VERSION_LINE) - 1)))
		return ret;
	for (i = 0; i < n; i++)
		if ((ret = encode_stanza(&st[i], out)) != 0)
			return ret;
	return put(out, "---", 3);
}

int
age_header_encode_mac(const uint8_t mac[AGE_MAC_LEN], struct cio_membuf *out)
{
	char line[1 + 43 + 1];

	line[0] = ' ';
	age_b64_encode(line + 1, mac, AGE_MAC_LEN, 0);
	line[44] = '\n';
	return put(out, line, sizeof(line));
}
