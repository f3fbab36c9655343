/*
 * test_age_armor.c - strict PEM armor: writer output against an
 * independent encoder, reader round trips at every read size, the
 * tolerated variations (CRLF, whitespace around the block, no final EOL)
 * and the refused ones, detection, and streaming a large armor without
 * holding it in memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_armor.h"
#include "cairn/err.h"
#include "tap.h"

/* memcmp that accepts NULL pointers when n is 0 (empty membufs). */
static int
tmemcmp(const void *a, const void *b, size_t n)
{
	return n == 0 ? 0 : memcmp(a, b, n);
}

static char *
ref_armor(const uint8_t *d, size_t n)
{
	size_t b64len =
	    sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64len), *out = malloc(b64len * 2 + 100);
	size_t len, i, o;

	sodium_bin2base64(b64, b64len, d, n, sodium_base64_VARIANT_ORIGINAL);
	len = strlen(b64);
	o = (size_t)sprintf(out, "%s\n", AGE_ARMOR_BEGIN);
	for (i = 0; i < len; i += 64) {
		size_t k = len - i < 64 ? len - i : 64;

		memcpy(out + o, b64 + i, k);
		o += k;
		out[o++] = '\n';
	}
	sprintf(out + o, "%s\n", AGE_ARMOR_END);
	free(b64);
	return out;
}

static int
armor(const uint8_t *d, size_t n, size_t piece, struct cio_membuf *out)
{
	struct cio_sink sink = {cio_membuf_write, out};
	struct age_armor_writer *w;
	size_t off;
	int ret;

	out->len = 0;
	if ((ret = age_armor_writer_new(&w, &sink)) != 0)
		return ret;
	for (off = 0; off < n && ret == 0; off += piece)
		ret = age_armor_write(
		    w, d + off, n - off < piece ? n - off : piece);
	if (ret == 0)
		ret = age_armor_writer_finish(w);
	age_armor_writer_free(w);
	return ret;
}

struct trickle {
	const uint8_t *p;
	size_t len, off, step;
};

static ssize_t
trickle_read(void *ctx, uint8_t *buf, size_t len)
{
	struct trickle *t = ctx;
	size_t n = t->len - t->off;

	if (n > len)
		n = len;
	if (n > t->step)
		n = t->step;
	memcpy(buf, t->p + t->off, n);
	t->off += n;
	return (ssize_t)n;
}

/* De-armor text; returns the status, decoded bytes in out. */
static int
dearmor(const char *text, size_t len, size_t step, size_t readsz,
    struct cio_membuf *out)
{
	struct trickle t = {(const uint8_t *)text, len, 0, step};
	struct cio_source src = {.read = trickle_read, .ctx = &t};
	struct age_armor_reader *r;
	uint8_t *buf = malloc(readsz);
	ssize_t n;

	out->len = 0;
	if ((n = age_armor_reader_new(&r, &src)) != 0) {
		free(buf);
		return (int)n;
	}
	while ((n = age_armor_read(r, buf, readsz)) > 0)
		cio_membuf_write(out, buf, (size_t)n);
	age_armor_reader_free(r);
	free(buf);
	return (int)n;
}

static int
dearmor_s(const char *text, struct cio_membuf *out)
{
	return dearmor(text, strlen(text), 1 << 20, 1 << 20, out);
}

static void
test_roundtrip(const uint8_t *d)
{
	static const size_t sizes[] = {
	    0, 1, 2, 3, 47, 48, 49, 95, 96, 97, 1000, 65536, 300001};
	static const size_t reads[] = {1, 7, 48, 4096, 1 << 20};
	struct cio_membuf a = {0}, back = {0};
	size_t i, j;
	int ok;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *ref = ref_armor(d, sizes[i]);

		ok = armor(d, sizes[i], 1 << 20, &a) == 0 &&
		    a.len == strlen(ref) && tmemcmp(a.data, ref, a.len) == 0;
		ok = ok && armor(d, sizes[i], 5, &a) == 0 &&
		    a.len == strlen(ref) && tmemcmp(a.data, ref, a.len) == 0;
		TAP_OK(
		    ok, "armor of %zu bytes matches the reference", sizes[i]);
		for (j = 0; j < sizeof(reads) / sizeof(reads[0]); j++) {
			if (reads[j] == 1 && sizes[i] > 70000)
				continue;
			ok = dearmor(a.data ? (char *)a.data : "", a.len,
			         reads[j] == 1 ? 3 : 1 << 20, reads[j],
			         &back) == 0 &&
			    back.len == sizes[i] &&
			    tmemcmp(back.data, d, sizes[i]) == 0;
			TAP_OK(ok, "de-armor %zu bytes, reads of %zu", sizes[i],
			    reads[j]);
		}
		free(ref);
	}
	cio_membuf_free(&a);
	cio_membuf_free(&back);
}

/* Replace the first occurrence of from with to in a copy of s. */
static char *
subst(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	char *out = malloc(strlen(s) + strlen(to) + 1);

	if (p == NULL) {
		strcpy(out, s);
		return out;
	}
	memcpy(out, s, (size_t)(p - s));
	strcpy(out + (p - s), to);
	strcat(out, p + strlen(from));
	return out;
}

static void
test_strict(const uint8_t *d)
{
	struct cio_membuf back = {0};
	char *base = ref_armor(d, 100), *s, big[3000], *crlf;
	size_t i, o;
	/* base: BEGIN, 2 full lines, a short padded line, END. */
	char l1[65];
	struct {
		const char *from, *to, *what;
	} bad[] = {
	    {"-----BEGIN AGE", "-----BEGIN age", "lower-case label"},
	    {"ENCRYPTED FILE-----\n", "ENCRYPTED FILE----- \n",
	        "space after BEGIN"},
	    {"-----BEGIN", " -----BEGIN", "space before BEGIN"},
	    {"FILE-----\n", "FILE-----\n\n", "empty line after BEGIN"},
	    {"FILE-----\n", "FILE-----\nKey: value\n", "PEM header"},
	    {"=\n", "=\n\n", "empty line before END"},
	    {"=\n", "= \n", "space at end of last line"},
	    {"-----END AGE ENCRYPTED FILE-----\n", "", "no END line"},
	    {"-----END AGE", "-----END age", "wrong END label"},
	    {"-----END AGE ENCRYPTED FILE-----\n",
	        "-----END AGE ENCRYPTED FILE-----\ngarbage\n",
	        "garbage after END"},
	    {"-----END", "=abcd\n-----END", "checksum line"},
	    {"==\n", "\n", "missing padding"},
	    {"=\n", "\n", "one padding character dropped"},
	    {"=\n", "=\r\r\n", "two CRs"},
	};

	/* 100 bytes: two full lines, then "xxxxxx==". */
	memcpy(l1, base + strlen(AGE_ARMOR_BEGIN) + 1, 64);
	l1[64] = '\0';
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = subst(base, bad[i].from, bad[i].to);
		TAP_OK(strcmp(s, base) != 0 &&
		        dearmor_s(s, &back) == CAIRN_ERR_ARMOR,
		    "refused: %s", bad[i].what);
		free(s);
	}
	/* Line-structure changes. */
	s = subst(base, l1, "");
	TAP_EQ_INT(dearmor_s(s, &back), CAIRN_ERR_ARMOR, "short line first");
	free(s);
	{
		char split[80];

		snprintf(split, sizeof(split), "%.32s\n%s", l1, l1 + 32);
		s = subst(base, l1, split);
		TAP_EQ_INT(dearmor_s(s, &back), CAIRN_ERR_ARMOR,
		    "64-column line split in two");
		free(s);
		snprintf(split, sizeof(split), "%sAAAA", l1);
		s = subst(base, l1, split);
		TAP_EQ_INT(
		    dearmor_s(s, &back), CAIRN_ERR_ARMOR, "68-column line");
		free(s);
		snprintf(split, sizeof(split), "%.63s*", l1);
		s = subst(base, l1, split);
		TAP_EQ_INT(
		    dearmor_s(s, &back), CAIRN_ERR_ARMOR, "invalid character");
		free(s);
		snprintf(split, sizeof(split), "%.63s", l1);
		split[60] = '=';
		split[61] = '=';
		split[62] = '=';
		split[63] = '=';
		split[64] = '\0';
		s = subst(base, l1, split);
		TAP_EQ_INT(dearmor_s(s, &back), CAIRN_ERR_ARMOR,
		    "padding in a full line");
		free(s);
	}
	/* Non-canonical padding bits in the last line. */
	{
		uint8_t one = 0x41;
		char *a1 = ref_armor(&one, 1); /* "QQ==" */

		s = subst(a1, "QQ==", "QR==");
		TAP_EQ_INT(dearmor_s(s, &back), CAIRN_ERR_ARMOR,
		    "non-canonical last group");
		free(s);
		free(a1);
	}

	/* Accepted variations. */
	TAP_OK(dearmor_s(base, &back) == 0 && back.len == 100 &&
	        tmemcmp(back.data, d, 100) == 0,
	    "canonical armor");
	crlf = malloc(strlen(base) * 2);
	for (i = 0, o = 0; base[i] != '\0'; i++) {
		if (base[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = base[i];
	}
	crlf[o] = '\0';
	TAP_OK(dearmor_s(crlf, &back) == 0 && back.len == 100, "CRLF lines");
	free(crlf);
	snprintf(big, sizeof(big), "\n \t\r\n  \n%s\n\t \r\n \n", base);
	TAP_OK(dearmor_s(big, &back) == 0 && back.len == 100,
	    "whitespace lines before and after");
	snprintf(big, sizeof(big), "%s", base);
	big[strlen(big) - 1] = '\0';
	TAP_OK(
	    dearmor_s(big, &back) == 0 && back.len == 100, "no EOL after END");
	/* Whitespace limits. */
	memset(big, '\n', 1025);
	snprintf(big + 1025, sizeof(big) - 1025, "%s", base);
	TAP_EQ_INT(dearmor_s(big, &back), CAIRN_ERR_ARMOR,
	    "more than 1024 bytes of leading whitespace");
	memset(big, '\n', 1000);
	snprintf(big + 1000, sizeof(big) - 1000, "%s", base);
	TAP_EQ_INT(
	    dearmor_s(big, &back), 0, "1000 bytes of leading whitespace");
	snprintf(big, sizeof(big), "%s", base);
	memset(big + strlen(base), ' ', 1024);
	big[strlen(base) + 1024] = '\0';
	TAP_EQ_INT(dearmor_s(big, &back), CAIRN_ERR_ARMOR,
	    "1024 bytes of trailing whitespace");
	big[strlen(base) + 1023] = '\0';
	TAP_EQ_INT(
	    dearmor_s(big, &back), 0, "1023 bytes of trailing whitespace");
	TAP_EQ_INT(dearmor_s("", &back), CAIRN_ERR_ARMOR, "empty input");
	TAP_EQ_INT(dearmor_s(AGE_ARMOR_BEGIN "\n", &back), CAIRN_ERR_ARMOR,
	    "BEGIN only");
	cio_membuf_free(&back);
	free(base);
}

static void
test_detect(void)
{
	static const struct {
		const char *s;
		int want;
	} v[] = {
	    {"age-encryption.org/v1\n-> X25519", 0},
	    {"-----BEGIN AGE ENCRYPTED FILE-----\n", 1},
	    {"\r\n \t-----BEGIN AGE ENCRYPTED FILE-----\n", 1},
	    {"----- BEGIN AGE ENCRYPTED FILE -----\n", 1},
	    {"garbage\n-----BEGIN AGE ENCRYPTED FILE-----\n", 1},
	    {"age-encryption.org/v1\n-----BEGIN", 0},
	    {"garbage", 0},
	    {"", 0},
	    {"   ", 0},
	    {"-", 1},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		TAP_EQ_INT(
		    age_armor_detect((const uint8_t *)v[i].s, strlen(v[i].s)),
		    v[i].want, "detect");
}

/* A source generating a large armor on the fly (never held in memory). */
struct gen {
	size_t lines, line; /* data lines, next line */
	int state;          /* 0 begin, 1 data, 2 end, 3 eof */
	char pend[128];
	size_t pendoff, pendlen;
};

static void
gen_bytes(uint8_t *b, size_t line)
{
	size_t i;

	for (i = 0; i < 48; i++)
		b[i] = (uint8_t)((line * 48 + i) * 2654435761u >> 13);
}

static ssize_t
gen_read(void *ctx, uint8_t *buf, size_t len)
{
	struct gen *g = ctx;
	size_t n = 0;

	while (n < len && g->state != 3) {
		if (g->pendoff == g->pendlen) {
			uint8_t b[48];

			if (g->state == 0) {
				g->pendlen = (size_t)sprintf(
				    g->pend, "%s\n", AGE_ARMOR_BEGIN);
				g->state = 1;
			} else if (g->state == 1 && g->line < g->lines) {
				gen_bytes(b, g->line++);
				sodium_bin2base64(g->pend, sizeof(g->pend), b,
				    48, sodium_base64_VARIANT_ORIGINAL);
				g->pendlen = 65;
				g->pend[64] = '\n';
			} else if (g->state == 1) {
				g->pendlen = (size_t)sprintf(
				    g->pend, "%s\n", AGE_ARMOR_END);
				g->state = 2;
			} else {
				g->state = 3;
				break;
			}
			g->pendoff = 0;
		}
		{
			size_t k = g->pendlen - g->pendoff;

			if (k > len - n)
				k = len - n;
			memcpy(buf + n, g->pend + g->pendoff, k);
			g->pendoff += k;
			n += k;
		}
	}
	return (ssize_t)n;
}

static void
test_streaming(void)
{
	struct gen g = {(64u << 20) / 48, 0, 0, {0}, 0, 0};
	struct cio_source src = {.read = gen_read, .ctx = &g};
	struct age_armor_reader *r;
	crypto_hash_sha256_state a, b;
	uint8_t *buf = malloc(1 << 20), ha[32], hb[32], line[48];
	size_t total = 0, i;
	ssize_t n;

	crypto_hash_sha256_init(&a);
	crypto_hash_sha256_init(&b);
	if ((n = age_armor_reader_new(&r, &src)) != 0) {
		TAP_OK(0, "armor reader for the generator (%zd)", n);
		free(buf);
		return;
	}
	while ((n = age_armor_read(r, buf, 1 << 20)) > 0) {
		crypto_hash_sha256_update(&a, buf, (size_t)n);
		total += (size_t)n;
	}
	age_armor_reader_free(r);
	for (i = 0; i < g.lines; i++) {
		gen_bytes(line, i);
		crypto_hash_sha256_update(&b, line, 48);
	}
	crypto_hash_sha256_final(&a, ha);
	crypto_hash_sha256_final(&b, hb);
	TAP_OK(n == 0 && total == g.lines * 48 && tmemcmp(ha, hb, 32) == 0,
	    "64 MiB armor streamed from a generator (%zu bytes)", total);
	free(buf);
}

int
main(void)
{
	uint8_t *d;

	if (sodium_init() < 0)
		return 1;
	d = malloc(300001);
	randombytes_buf(d, 300001);
	test_roundtrip(d);
	test_strict(d);
	test_detect();
	test_streaming();
	free(d);
	return tap_done();
}
