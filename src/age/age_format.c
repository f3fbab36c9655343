/*
 * age_format.c - age v1 header text: strict parsing and canonical encoding
 * of the version line, recipient stanzas and the MAC line, plus the strict
 * base64 codecs (unpadded for the header, padded for the armor).
 *
 * Must not know any cryptography (the MAC is carried, not computed), any
 * recipient type, or where the bytes come from.
 */
#include <stdlib.h>
#include <string.h>

#include "age_format.h"
#include "cairn/err.h"

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63 for alphabet characters, 0xff otherwise. */
/* clang-format off */
static const uint8_t b64val[256] = {
	['A'] = 0 + 1, ['B'] = 1 + 1, ['C'] = 2 + 1, ['D'] = 3 + 1,
	['E'] = 4 + 1, ['F'] = 5 + 1, ['G'] = 6 + 1, ['H'] = 7 + 1,
	['I'] = 8 + 1, ['J'] = 9 + 1, ['K'] = 10 + 1, ['L'] = 11 + 1,
	['M'] = 12 + 1, ['N'] = 13 + 1, ['O'] = 14 + 1, ['P'] = 15 + 1,
	['Q'] = 16 + 1, ['R'] = 17 + 1, ['S'] = 18 + 1, ['T'] = 19 + 1,
	['U'] = 20 + 1, ['V'] = 21 + 1, ['W'] = 22 + 1, ['X'] = 23 + 1,
	['Y'] = 24 + 1, ['Z'] = 25 + 1, ['a'] = 26 + 1, ['b'] = 27 + 1,
	['c'] = 28 + 1, ['d'] = 29 + 1, ['e'] = 30 + 1, ['f'] = 31 + 1,
	['g'] = 32 + 1, ['h'] = 33 + 1, ['i'] = 34 + 1, ['j'] = 35 + 1,
	['k'] = 36 + 1, ['l'] = 37 + 1, ['m'] = 38 + 1, ['n'] = 39 + 1,
	['o'] = 40 + 1, ['p'] = 41 + 1, ['q'] = 42 + 1, ['r'] = 43 + 1,
	['s'] = 44 + 1, ['t'] = 45 + 1, ['u'] = 46 + 1, ['v'] = 47 + 1,
	['w'] = 48 + 1, ['x'] = 49 + 1, ['y'] = 50 + 1, ['z'] = 51 + 1,
	['0'] = 52 + 1, ['1'] = 53 + 1, ['2'] = 54 + 1, ['3'] = 55 + 1,
	['4'] = 56 + 1, ['5'] = 57 + 1, ['6'] = 58 + 1, ['7'] = 59 + 1,
	['8'] = 60 + 1, ['9'] = 61 + 1, ['+'] = 62 + 1, ['/'] = 63 + 1,
};
/* clang-format on */
/* The table stores value + 1 so that 0 means "not in the alphabet". */
#define B64V(c) ((int)b64val[(uint8_t)(c)] - 1)

/* ---- base64 ------------------------------------------------------------ */

size_t
age_b64_encoded_len(size_t n, int pad)
{
	if (pad)
		return (n + 2) / 3 * 4;
	return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

size_t
age_b64_decoded_len(size_t n)
{
	return n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
}

void
age_b64_encode(char *out, const uint8_t *in, size_t n, int pad)
{
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];

		*out++ = b64chars[v >> 18];
		*out++ = b64chars[(v >> 12) & 63];
		*out++ = b64chars[(v >> 6) & 63];
		*out++ = b64chars[v & 63];
	}
	if (n - i == 1) {
		*out++ = b64chars[in[i] >> 2];
		*out++ = b64chars[(in[i] & 3) << 4];
		if (pad) {
			*out++ = '=';
			*out++ = '=';
		}
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];

		*out++ = b64chars[v >> 10];
		*out++ = b64chars[(v >> 4) & 63];
		*out++ = b64chars[(v << 2) & 63];
		if (pad)
			*out++ = '=';
	}
}

int
age_b64_decode(
    const char *in, size_t n, uint8_t *out, size_t cap, size_t *outlen, int pad)
{
	size_t i, o = 0, rem;
	int a, b, c, d;

	*outlen = 0;
	if (pad) {
		if (n % 4 != 0)
			return CAIRN_ERR_FORMAT;
		if (n > 0 && in[n - 1] == '=')
			n -= (n > 1 && in[n - 2] == '=') ? 2 : 1;
	}
	rem = n % 4;
	if (rem == 1)
		return CAIRN_ERR_FORMAT;
	if (age_b64_decoded_len(n) > cap)
		return CAIRN_ERR_INVAL;
	for (i = 0; i + 4 <= n; i += 4) {
		a = B64V(in[i]);
		b = B64V(in[i + 1]);
		c = B64V(in[i + 2]);
		d = B64V(in[i + 3]);
		if ((a | b | c | d) < 0)
			return CAIRN_ERR_FORMAT;
		out[o++] = (uint8_t)(a << 2 | b >> 4);
		out[o++] = (uint8_t)(b << 4 | c >> 2);
		out[o++] = (uint8_t)(c << 6 | d);
	}
	if (rem >= 2) {
		a = B64V(in[i]);
		b = B64V(in[i + 1]);
		c = rem == 3 ? B64V(in[i + 2]) : 0;
		if ((a | b | c) < 0)
			return CAIRN_ERR_FORMAT;
		/* canonical: the unused low bits must be zero */
		if ((rem == 2 && (b & 15) != 0) || (rem == 3 && (c & 3) != 0))
			return CAIRN_ERR_FORMAT;
		out[o++] = (uint8_t)(a << 2 | b >> 4);
		if (rem == 3)
			out[o++] = (uint8_t)(b << 4 | c >> 2);
	}
	*outlen = o;
	return 0;
}

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
