/*
 * age.c - age v1 files as streams: age_writer (file key, stanzas for every
 * recipient plus a grease stanza, header MAC, STREAM payload, optional
 * armor) and age_reader (armor detection, header parse, unwrap, MAC check,
 * STREAM payload).
 *
 * Glue only: the header text is age_format's, the payload age_stream's,
 * the armor age_armor's, and each recipient type hides behind its ops.
 * Recipient/identity lists and key files live in age_keys.c.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "age_armor.h"
#include "age_chunks.h"
#include "age_format.h"
#include "age_hkdf.h"
#include "age_scrypt.h"
#include "age_stream.h"
#include "age_wstate.h"
#include "cairn/err.h"

/* Bytes peeked at the start of a file to detect armor (see age_armor.h). */
#define PEEK_LEN (AGE_ARMOR_MAX_WHITESPACE + 64)
/* Header read buffer: the biggest header plus the payload nonce. */
#define HEADER_BUF_LEN (AGE_MAX_HEADER_LEN + AGE_STREAM_NONCE_LEN)

/* mac = HMAC-SHA-256(HKDF(file key, "", "header"), hdr[0..len)). */
static void
header_mac(const uint8_t file_key[AGE_FILE_KEY_LEN], const uint8_t *hdr,
    size_t len, uint8_t mac[AGE_MAC_LEN])
{
	uint8_t key[AGE_HKDF_LEN];

	age_hkdf_sha256(key, file_key, AGE_FILE_KEY_LEN, NULL, 0, "header");
	crypto_auth_hmacsha256(mac, hdr, len, key);
	sodium_memzero(key, sizeof(key));
}

/* ---- writer ------------------------------------------------------------ */

struct age_writer {
	struct cio_sink sink;           /* caller's sink */
	struct age_armor_writer *armor; /* NULL when binary */
	struct cio_sink out;            /* sink or armor */
	struct cio_membuf hdr;          /* header, until written */
	struct age_stream_writer *stream;
	struct age_wstate st;
	int started;
};

/* 1..8 random VCHARs (rage's grease alphabet and lengths). */
static void
grease_string(char *s)
{
	uint32_t n = 1 + randombytes_uniform(8), i;

	for (i = 0; i < n; i++)
		s[i] = (char)(33 + randombytes_uniform(126 - 33 + 1));
	s[n] = '\0';
}

/* A random stanza of an unknown type, so that parsers keep ignoring
 * stanzas they do not know ("-> <x>-grease [args]" + short body). */
static int
grease_stanza(struct age_stanza *s)
{
	char type[9 + 7], args[4][9];
	const char *argv[4] = {args[0], args[1], args[2], args[3]};
	uint8_t body[100];
	uint32_t nargs = randombytes_uniform(5), blen, i;

	grease_string(type);
	strcat(type, "-grease");
	for (i = 0; i < nargs; i++)
		grease_string(args[i]);
	blen = randombytes_uniform(sizeof(body));
	randombytes_buf(body, blen);
	return age_stanza_set(s, type, argv, nargs, body, blen);
}

/* Build the header for rs around a fresh file key into w->hdr, and set up
 * the payload stream. */
static int
writer_header(struct age_writer *w, const struct age_recipients *rs)
{
	struct age_stanza *st = NULL;
	uint8_t *fk = NULL, mac[AGE_MAC_LEN];
	size_t n = 0, i, exclusive = 0;
	int ret = CAIRN_ERR_NOMEM;

	for (i = 0; i < rs->n; i++)
		exclusive += rs->v[i].ops->exclusive != 0;
	if (rs->n == 0 || rs->n >= AGE_MAX_STANZAS ||
	    (exclusive > 0 && rs->n != 1))
		return CAIRN_ERR_INVAL;
	if ((st = cio_calloc(rs->n + 1, sizeof(*st))) == NULL)
		goto out;
	if ((fk = cio_secret_malloc(AGE_FILE_KEY_LEN)) == NULL)
		goto out;
	randombytes_buf(fk, AGE_FILE_KEY_LEN);
	for (i = 0; i < rs->n; i++, n++)
		if ((ret = rs->v[i].ops->wrap(rs->v[i].ctx, fk, &st[n])) != 0)
			goto out;
	if (!exclusive) {
		/* Grease at a random position among the real stanzas. */
		size_t at = randombytes_uniform((uint32_t)n + 1);

		memmove(&st[at + 1], &st[at], (n - at) * sizeof(*st));
		memset(&st[at], 0, sizeof(*st));
		n++;
		if ((ret = grease_stanza(&st[at])) != 0)
			goto out;
	}
	if ((ret = age_header_encode(st, n, &w->hdr)) != 0)
		goto out;
	header_mac(fk, w->hdr.data, w->hdr.len, mac);
	if ((ret = age_header_encode_mac(mac, &w->hdr)) != 0)
		goto out;
	ret = age_stream_writer_new(&w->stream, fk, &w->out);
out:
	for (i = 0; st != NULL && i < n; i++)
		age_stanza_clear(&st[i]);
	free(st);
	sodium_free(fk);
	return ret;
}

int
age_writer_new(struct age_writer **out, const struct age_recipients *rs,
    int armor, const struct cio_sink *sink)
{
	struct age_writer *w;
	int ret;

	*out = NULL;
	if ((w = cio_calloc(1, sizeof(*w))) == NULL)
		return CAIRN_ERR_NOMEM;
	w->sink = *sink;
	w->out = w->sink;
	if (armor) {
		if ((ret = age_armor_writer_new(&w->armor, &w->sink)) != 0)
			goto out;
		w->out.write = age_armor_write;
		w->out.ctx = w->armor;
	}
	if ((ret = writer_header(w, rs)) != 0)
		goto out;
	*out = w;
	return 0;
out:
	age_writer_free(w);
	return ret;
}

static int
writer_start(struct age_writer *w)
{
	int ret;

	if (w->started)
		return 0;
	w->started = 1;
	ret = w->out.write(w->out.ctx, w->hdr.data, w->hdr.len);
	cio_membuf_free(&w->hdr);
	return ret;
}

int
age_writer_write(struct age_writer *w, const uint8_t *buf, size_t len)
{
	int ret;

	if ((ret = age_wstate_check(&w->st)) != 0)
		return ret;
	if ((ret = writer_start(w)) == 0)
		ret = age_stream_writer_write(w->stream, buf, len);
	return age_wstate_keep(&w->st, ret);
}

int
age_writer_finish(struct age_writer *w)
{
	int ret;

	if ((ret = age_wstate_finish(&w->st)) != 0)
		return ret;
	if ((ret = writer_start(w)) == 0 &&
	    (ret = age_stream_writer_finish(w->stream)) == 0 &&
	    w->armor != NULL)
		ret = age_armor_writer_finish(w->armor);
	return age_wstate_keep(&w->st, ret);
}

void
age_writer_free(struct age_writer *w)
{
	if (w == NULL)
		return;
	age_stream_writer_free(w->stream);
	age_armor_writer_free(w->armor);
	cio_membuf_free(&w->hdr);
	free(w);
}

/* ---- reader ------------------------------------------------------------ */

/* The caller's source, with the peeked bytes served first, counted. */
struct raw_source {
	struct cio_source src;
	uint8_t peek[PEEK_LEN];
	size_t peekoff, peeklen;
	uint64_t consumed;
};

/* The peeked bytes (ours, never lent), then the caller's source through
 * read() or, held, read_held(). */
static ssize_t
raw_pull(struct raw_source *s, uint8_t *buf, size_t len, int held)
{
	ssize_t n;

	if (s->peekoff < s->peeklen) {
		size_t k = s->peeklen - s->peekoff;

		if (k > len)
			k = len;
		memcpy(buf, s->peek + s->peekoff, k);
		s->peekoff += k;
		return (ssize_t)k;
	}
	n = held ? s->src.read_held(s->src.ctx, buf, len)
	         : s->src.read(s->src.ctx, buf, len);
	if (n > 0)
		s->consumed += (uint64_t)n;
	return n;
}

static ssize_t
raw_read(void *ctx, uint8_t *buf, size_t len)
{
	return raw_pull(ctx, buf, len, 0);
}

static ssize_t
raw_read_held(void *ctx, uint8_t *buf, size_t len)
{
	return raw_pull(ctx, buf, len, 1);
}

static void
raw_release(void *ctx, const uint8_t *p, size_t len)
{
	struct raw_source *s = ctx;

	s->src.release(s->src.ctx, p, len);
}

struct age_reader {
	struct raw_source raw;
	struct age_armor_reader *armor; /* NULL when binary */
	struct cio_source in;           /* raw or armor */
	struct age_stream_reader *stream;
	struct age_chunks *chunks; /* salvage readers only */
};

/* Read and parse the header into *h; the bytes read are in *buf, *len. */
static int
read_header(
    struct age_reader *r, struct age_header *h, uint8_t **buf, size_t *len)
{
	int ret, eof = 0;

	*len = 0;
	if ((*buf = cio_malloc(HEADER_BUF_LEN)) == NULL)
		return CAIRN_ERR_NOMEM;
	while (
	    (ret = age_header_parse(*buf, *len, h)) == AGE_HEADER_INCOMPLETE) {
		ssize_t n;

		if (eof)
			return CAIRN_ERR_HEADER;
		if (*len == HEADER_BUF_LEN)
			return CAIRN_ERR_LIMIT;
		n = r->in.read(r->in.ctx, *buf + *len, HEADER_BUF_LEN - *len);
		if (n < 0)
			return (int)n;
		eof = n == 0;
		*len += (size_t)n;
	}
	return ret;
}

/* Unwrap the file key with the first identity that can. */
static int
unwrap(const struct age_header *h, const struct age_identities *ids,
    uint8_t file_key[AGE_FILE_KEY_LEN])
{
	size_t i;
	int ret;

	/* An scrypt stanza must be alone, whoever is decrypting. */
	for (i = 0; i < h->n; i++)
		if (strcmp(h->stanzas[i].type, AGE_SCRYPT_TYPE) == 0 &&
		    h->n != 1)
			return CAIRN_ERR_HEADER;
	for (i = 0; i < ids->n; i++) {
		ret = ids->v[i].ops->unwrap(
		    ids->v[i].ctx, h->stanzas, h->n, file_key);
		if (ret != CAIRN_ERR_NO_MATCH)
			return ret;
	}
	return CAIRN_ERR_NO_MATCH;
}

static int
reader_new(struct age_reader **out, const struct cio_source *src,
    const struct age_identities *ids, int salvage)
{
	struct age_reader *r;
	struct age_header h = {0};
	uint8_t *buf = NULL, *fk = NULL, mac[AGE_MAC_LEN];
	size_t len = 0;
	ssize_t n;
	int ret;

	*out = NULL;
	if ((r = cio_calloc(1, sizeof(*r))) == NULL)
		return CAIRN_ERR_NOMEM;
	r->raw.src = *src;
	n = cio_read_full(src, r->raw.peek, sizeof(r->raw.peek));
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	r->raw.peeklen = (size_t)n;
	r->raw.consumed = (uint64_t)n;
	r->in.read = raw_read;
	r->in.ctx = &r->raw;
	if (age_armor_detect(r->raw.peek, r->raw.peeklen)) {
		/* never lent: the armor reader decodes into its own buffers */
		if ((ret = age_armor_reader_new(&r->armor, &r->in)) != 0)
			goto out;
		r->in.read = age_armor_read;
		r->in.ctx = r->armor;
	} else if (src->read_held != NULL && src->release != NULL) {
		r->in.read_held = raw_read_held;
		r->in.release = raw_release;
	}
	if ((ret = read_header(r, &h, &buf, &len)) != 0)
		goto out;
	if ((fk = cio_secret_malloc(AGE_FILE_KEY_LEN)) == NULL) {
		ret = CAIRN_ERR_NOMEM;
		goto out;
	}
	if ((ret = unwrap(&h, ids, fk)) != 0)
		goto out;
	header_mac(fk, buf, h.mac_len, mac);
	if (crypto_verify_32(mac, h.mac) != 0) {
		ret = CAIRN_ERR_HMAC;
		goto out;
	}
	if (salvage)
		ret = age_chunks_new(
		    &r->chunks, fk, &r->in, buf + h.len, len - h.len);
	else
		ret = age_stream_reader_new(
		    &r->stream, fk, &r->in, buf + h.len, len - h.len);
out:
	age_header_free(&h);
	free(buf);
	sodium_free(fk);
	if (ret != 0) {
		age_reader_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int
age_reader_new(struct age_reader **out, const struct cio_source *src,
    const struct age_identities *ids)
{
	return reader_new(out, src, ids, 0);
}

int
age_reader_new_chunks(struct age_reader **out, const struct cio_source *src,
    const struct age_identities *ids)
{
	return reader_new(out, src, ids, 1);
}

ssize_t
age_reader_read(struct age_reader *r, uint8_t *buf, size_t len)
{
	if (r->stream == NULL)
		return CAIRN_ERR_INVAL;
	return age_stream_reader_read(r->stream, buf, len);
}

int
age_reader_next_chunk(struct age_reader *r, struct age_chunk *c)
{
	if (r->chunks == NULL)
		return CAIRN_ERR_INVAL;
	return age_chunks_next(r->chunks, c);
}

uint64_t
age_reader_consumed(const struct age_reader *r)
{
	return r->raw.consumed;
}

void
age_reader_free(struct age_reader *r)
{
	if (r == NULL)
		return;
	age_stream_reader_free(r->stream);
	age_chunks_free(r->chunks);
	age_armor_reader_free(r->armor);
	free(r);
}

/* ---- whole files in memory --------------------------------------------- */

int
age_is_encrypted(const char *text, size_t len)
{
	static const char bin[] = "age-encryption.org/";
	static const char arm[] = "-----BEGIN AGE ENCRYPTED FILE-----";
	size_t i = 0;

	if (len >= sizeof(bin) - 1 && memcmp(text, bin, sizeof(bin) - 1) == 0)
		return 1;
	while (i < len && cio_is_space((unsigned char)text[i]))
		i++;
	return len - i >= sizeof(arm) - 1 &&
	    memcmp(text + i, arm, sizeof(arm) - 1) == 0;
}

int
age_decrypt_mem(const char *text, size_t len, const struct age_identities *ids,
    char **plain, size_t *plainlen)
{
	struct cio_memsrc ms = {(const uint8_t *)text, len, 0};
	struct cio_source src = {.read = cio_memsrc_read, .ctx = &ms};
	struct age_reader *r = NULL;
	char *out = NULL;
	size_t got = 0;
	ssize_t n;
	int ret;

	*plain = NULL;
	*plainlen = 0;
	/* The plaintext is never longer than the age file. */
	if (len == SIZE_MAX || (out = cio_secret_malloc(len + 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	if ((ret = age_reader_new(&r, &src, ids)) != 0)
		goto out;
	while (
	    (n = age_reader_read(r, (uint8_t *)out + got, len + 1 - got)) > 0)
		got += (size_t)n;
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	out[got] = '\0';
	*plain = out;
	*plainlen = got;
	out = NULL;
out:
	age_reader_free(r);
	sodium_free(out);
	return ret;
}
