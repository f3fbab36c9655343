/*
 * tarball_scan.c - cairn's own walk of the raw tar bytes (see
 * tarball_scan.h): headers parsed the way GNU tar reads them, one queued
 * entry per member, and a refusal for every construct where GNU tar and
 * libarchive could see different names, sizes or members.
 *
 * Knows the ustar/pax/GNU header layout only: nothing of libarchive, age,
 * manifests or files.  Never prints.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "tarball.h"
#include "tarball_scan.h"

#define BLOCK 512

enum { ST_HEADER, ST_EXT, ST_END };

struct tscan {
	int state, err;
	const char *why;
	char *errname;
	uint64_t pos;  /* offset of the next byte fed */
	uint64_t skip; /* data and padding bytes still to pass over */
	uint8_t blk[BLOCK];
	size_t blen;
	/* the extended header ('x' or 'L') being read */
	int ext_kind;
	uint8_t *ext;
	size_t ext_len, ext_size;
	/* what the headers so far say about the next member */
	int chain;      /* 1 while 'x'/'L' headers wait for a member */
	uint64_t start; /* offset of the chain's first header */
	int seen_x, seen_l;
	char *pax_path, *long_name;
	int has_size;
	uint64_t pax_size;
	/* queue of parsed members (ring) */
	struct tscan_entry *q;
	size_t qhead, qlen, qcap;
};

int
tscan_new(struct tscan **out)
{
	*out = cio_calloc(1, sizeof(**out));
	return *out == NULL ? CAIRN_ERR_NOMEM : 0;
}

static int
fail(struct tscan *s, int err, const char *why, const char *name, size_t n)
{
	if (s->err == 0) {
		s->err = err;
		s->why = why;
		if (name != NULL && (s->errname = cio_malloc(n + 1)) != NULL) {
			memcpy(s->errname, name, n);
			s->errname[n] = '\0';
		}
	}
	return s->err;
}

static int
fail0(struct tscan *s, int err, const char *why)
{
	return fail(s, err, why, NULL, 0);
}

/* A ustar number field: optional leading spaces, octal digits, then only
 * NUL or space.  -1 for anything else (including base-256). */
int64_t
tscan_octal(const uint8_t *f, size_t len)
{
	int64_t v = 0;
	size_t i = 0;

	while (i < len && f[i] == ' ')
		i++;
	if (i == len || f[i] < '0' || f[i] > '7')
		return -1;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (INT64_MAX >> 3))
			return -1;
		v = v * 8 + (f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != '\0' && f[i] != ' ')
			return -1;
	return v;
}

/* The header checksum, unsigned or signed (both readers accept both). */
static int
checksum_ok(const uint8_t *b)
{
	int64_t want = tscan_octal(b + 148, 8), u = 0, sg = 0;

	for (size_t i = 0; i < BLOCK; i++) {
		int c = i >= 148 && i < 156 ? ' ' : b[i];

		u += (unsigned char)c;
		sg += (signed char)c;
	}
	return want >= 0 && (want == u || want == sg);
}

static void
chain_reset(struct tscan *s)
{
	free(s->pax_path);
	free(s->long_name);
	s->pax_path = s->long_name = NULL;
	s->chain = s->seen_x = s->seen_l = s->has_size = 0;
	s->pax_size = 0;
}

static int
push(struct tscan *s, char *name, int dir, int pax_name, uint64_t size)
{
	struct tscan_entry *e;

	if (s->qlen == s->qcap) {
		size_t nc = s->qcap ? s->qcap * 2 : 16;
		struct tscan_entry *nq;

		if (s->qlen >= TSCAN_QUEUE_MAX) {
			free(name);
			return fail0(s, CAIRN_ERR_LIMIT,
			    "too many members ahead of the reader");
		}
		if ((nq = cio_calloc(nc, sizeof(*nq))) == NULL) {
			free(name);
			return fail0(s, CAIRN_ERR_NOMEM, "out of memory");
		}
		for (size_t i = 0; i < s->qlen; i++)
			nq[i] = s->q[(s->qhead + i) % s->qcap];
		free(s->q);
		s->q = nq;
		s->qcap = nc;
		s->qhead = 0;
	}
	e = &s->q[(s->qhead + s->qlen++) % s->qcap];
	e->start = s->start;
	e->name = name;
	e->dir = dir;
	e->pax_name = pax_name;
	e->size = size;
	return 0;
}

/* The member's name: pax path=, else the GNU long name, else ustar
 * prefix "/" name (prefix only in POSIX headers).  malloc'd. */
static char *
member_name(struct tscan *s, const uint8_t *b, int posix)
{
	size_t nl = strnlen((const char *)b, 100);
	size_t pl = posix ? strnlen((const char *)b + 345, 155) : 0;
	char *name;

	if (s->pax_path != NULL || s->long_name != NULL) {
		name = s->pax_path != NULL ? s->pax_path : s->long_name;
		if (s->pax_path != NULL)
			s->pax_path = NULL; /* ownership moves to the entry */
		else
			s->long_name = NULL;
		return name;
	}
	if ((name = cio_malloc(pl + nl + 2)) == NULL)
		return NULL;
	memcpy(name, b + 345, pl);
	if (pl > 0)
		name[pl++] = '/';
	memcpy(name + pl, b, nl);
	name[pl + nl] = '\0';
	return name;
}

/* Why typeflag t is refused, or NULL ('0', '5', 'x', 'L'). */
static const char *
refused_type(uint8_t t)
{
	switch (t) {
	case '0':
	case '5':
	case 'x':
	case 'L': return NULL;
	case '1': return "hard link";
	case '2': return "symbolic link";
	case '3': return "character device";
	case '4': return "block device";
	case '6': return "FIFO";
	case 'S': return "sparse file";
	case 'g': return "pax global header (cairn never writes one)";
	case 'K': return "GNU long link name";
	default: return "unsupported entry type";
	}
}

/* A member header ('0' or '5'): queue it and skip its data. */
static int
member(struct tscan *s, const uint8_t *b, int posix)
{
	int dir = b[156] == '5', pax_name = s->pax_path != NULL;
	int64_t sz =
	    s->has_size ? (int64_t)s->pax_size : tscan_octal(b + 124, 12);
	char *name;

	if (sz < 0)
		return fail0(s, CAIRN_ERR_PAYLOAD, "bad size field");
	if ((name = member_name(s, b, posix)) == NULL)
		return fail0(s, CAIRN_ERR_NOMEM, "out of memory");
	if (dir && sz != 0) {
		fail(s, CAIRN_ERR_UNSAFE, "directory with data", name,
		    strlen(name));
		free(name);
		return s->err;
	}
	if (push(s, name, dir, pax_name, (uint64_t)sz) != 0)
		return s->err;
	chain_reset(s);
	s->skip = ((uint64_t)sz + BLOCK - 1) / BLOCK * BLOCK;
	return 0;
}

static int
header(struct tscan *s, const uint8_t *b)
{
	static const uint8_t zero[BLOCK];
	const char *why;
	int posix, gnu;
	int64_t sz;

	if (!s->chain)
		s->start = s->pos - BLOCK;
	if (memcmp(b, zero, BLOCK) == 0) {
		if (s->chain)
			return fail0(s, CAIRN_ERR_UNSAFE,
			    "extended header without a member");
		s->state = ST_END;
		return 0;
	}
	if (!checksum_ok(b))
		return fail0(s, CAIRN_ERR_PAYLOAD, "bad header checksum");
	posix = memcmp(b + 257,
	            "ustar\0"
	            "00",
	            8) == 0;
	gnu = memcmp(b + 257, "ustar  \0", 8) == 0;
	if (!posix && !gnu)
		return fail0(s, CAIRN_ERR_UNSAFE, "not a ustar header");
	if ((why = refused_type(b[156])) != NULL)
		return fail(s, CAIRN_ERR_UNSAFE, why, (const char *)b,
		    strnlen((const char *)b, 100));
	if (b[156] == '0' || b[156] == '5')
		return member(s, b, posix);
	if ((b[156] == 'x' && s->seen_x) || (b[156] == 'L' && s->seen_l))
		return fail0(
		    s, CAIRN_ERR_UNSAFE, "two extended headers for one member");
	if (s->seen_x || s->seen_l)
		return fail0(s, CAIRN_ERR_UNSAFE,
		    "GNU long name combined with a pax header");
	sz = tscan_octal(b + 124, 12);
	if (sz < 0)
		return fail0(s, CAIRN_ERR_PAYLOAD, "bad size field");
	if (b[156] == 'x' && sz > TSCAN_PAX_MAX)
		return fail0(s, CAIRN_ERR_UNSAFE, "pax header too large");
	if (b[156] == 'L' && sz > TARBALL_PATH_MAX + 2)
		return fail0(s, CAIRN_ERR_UNSAFE, "name too long");
	s->chain = 1;
	s->ext_kind = b[156];
	s->ext_size = (size_t)sz;
	s->ext_len = 0;
	if ((s->ext = cio_malloc(s->ext_size + 1)) == NULL)
		return fail0(s, CAIRN_ERR_NOMEM, "out of memory");
	s->state = ST_EXT;
	return 0;
}

/* One pax record key=value (value: v, n bytes, no newline). */
static int
pax_record(
    struct tscan *s, const char *key, size_t klen, const char *v, size_t n)
{
	static const char *const ignored[] = {
	    "mtime", "atime", "ctime", "uid", "gid", "uname", "gname"};
	uint64_t size = 0;

	if (klen == 4 && memcmp(key, "path", 4) == 0) {
		if (s->pax_path != NULL)
			return fail0(
			    s, CAIRN_ERR_UNSAFE, "two pax path records");
		if (memchr(v, '\0', n) != NULL || n > TARBALL_PATH_MAX + 1)
			return fail(s, CAIRN_ERR_UNSAFE, "bad pax path", v,
			    strnlen(v, n));
		if ((s->pax_path = cio_malloc(n + 1)) == NULL)
			return fail0(s, CAIRN_ERR_NOMEM, "out of memory");
		memcpy(s->pax_path, v, n);
		s->pax_path[n] = '\0';
		return 0;
	}
	if (klen == 4 && memcmp(key, "size", 4) == 0) {
		if (s->has_size)
			return fail0(
			    s, CAIRN_ERR_UNSAFE, "two pax size records");
		if (n == 0 || n > 18)
			return fail0(s, CAIRN_ERR_UNSAFE, "bad pax size");
		for (size_t i = 0; i < n; i++) {
			if (v[i] < '0' || v[i] > '9')
				return fail0(
				    s, CAIRN_ERR_UNSAFE, "bad pax size");
			size = size * 10 + (uint64_t)(v[i] - '0');
		}
		s->has_size = 1;
		s->pax_size = size;
		return 0;
	}
	for (size_t i = 0; i < sizeof(ignored) / sizeof(*ignored); i++)
		if (klen == strlen(ignored[i]) &&
		    memcmp(key, ignored[i], klen) == 0)
			return 0;
	return fail(
	    s, CAIRN_ERR_UNSAFE, "pax record cairn does not accept", key, klen);
}

/* "LEN key=value\n" records filling the whole body. */
static int
pax_parse(struct tscan *s)
{
	const char *p = (const char *)s->ext, *end = p + s->ext_len;

	while (p < end) {
		size_t len = 0, i = 0;
		const char *eq;

		while (p + i < end && p[i] >= '0' && p[i] <= '9' && i < 6)
			len = len * 10 + (size_t)(p[i++] - '0');
		if (i == 0 || p[0] == '0' || p + i >= end || p[i] != ' ' ||
		    len > (size_t)(end - p) || len < i + 3 ||
		    p[len - 1] != '\n')
			return fail0(
			    s, CAIRN_ERR_UNSAFE, "malformed pax record");
		eq = memchr(p + i + 1, '=', len - i - 2);
		if (eq == NULL || eq == p + i + 1)
			return fail0(
			    s, CAIRN_ERR_UNSAFE, "malformed pax record");
		if (pax_record(s, p + i + 1, (size_t)(eq - (p + i + 1)), eq + 1,
		        (size_t)(p + len - 1 - (eq + 1))) != 0)
			return s->err;
		p += len;
	}
	return 0;
}

/* A GNU long name: the name, then NUL bytes only. */
static int
long_name(struct tscan *s)
{
	size_t n = strnlen((const char *)s->ext, s->ext_len);

	for (size_t i = n; i < s->ext_len; i++)
		if (s->ext[i] != 0)
			return fail0(
			    s, CAIRN_ERR_UNSAFE, "malformed GNU long name");
	if (n == 0 || n == s->ext_len)
		return fail0(s, CAIRN_ERR_UNSAFE, "malformed GNU long name");
	if ((s->long_name = cio_malloc(n + 1)) == NULL)
		return fail0(s, CAIRN_ERR_NOMEM, "out of memory");
	memcpy(s->long_name, s->ext, n + 1);
	return 0;
}

/* The extended header's body is complete. */
static int
ext_done(struct tscan *s)
{
	int rc;

	s->ext[s->ext_len] = 0;
	if (s->ext_kind == 'x') {
		s->seen_x = 1;
		rc = pax_parse(s);
	} else {
		s->seen_l = 1;
		rc = long_name(s);
	}
	free(s->ext);
	s->ext = NULL;
	s->skip = (BLOCK - s->ext_size % BLOCK) % BLOCK;
	s->state = ST_HEADER;
	return rc;
}

int
tscan_feed(struct tscan *s, const uint8_t *buf, size_t len)
{
	while (len > 0 && s->err == 0 && s->state != ST_END) {
		size_t n;

		if (s->skip > 0) {
			n = s->skip < len ? (size_t)s->skip : len;
			s->skip -= n;
		} else if (s->state == ST_EXT) {
			n = s->ext_size - s->ext_len < len
			    ? s->ext_size - s->ext_len
			    : len;
			memcpy(s->ext + s->ext_len, buf, n);
			s->ext_len += n;
		} else {
			n = BLOCK - s->blen < len ? BLOCK - s->blen : len;
			memcpy(s->blk + s->blen, buf, n);
			s->blen += n;
		}
		buf += n;
		len -= n;
		s->pos += n;
		if (s->state == ST_HEADER && s->skip == 0 && s->blen == BLOCK) {
			s->blen = 0;
			header(s, s->blk);
		}
		if (s->err == 0 && s->state == ST_EXT &&
		    s->ext_len == s->ext_size)
			ext_done(s);
	}
	return s->err;
}

int
tscan_pop(struct tscan *s, struct tscan_entry *out)
{
	if (s->qlen == 0)
		return 1;
	*out = s->q[s->qhead];
	s->q[s->qhead].name = NULL;
	s->qhead = (s->qhead + 1) % s->qcap;
	s->qlen--;
	return 0;
}

size_t
tscan_queued(const struct tscan *s)
{
	return s->qlen;
}

int
tscan_ended(const struct tscan *s)
{
	return s->state == ST_END && s->err == 0;
}

int
tscan_error(const struct tscan *s, const char **why, const char **name)
{
	if (why != NULL)
		*why = s->why;
	if (name != NULL)
		*name = s->errname;
	return s->err;
}

void
tscan_free(struct tscan *s)
{
	if (s == NULL)
		return;
	while (s->qlen > 0) {
		free(s->q[s->qhead].name);
		s->qhead = (s->qhead + 1) % s->qcap;
		s->qlen--;
	}
	free(s->q);
	chain_reset(s);
	free(s->ext);
	free(s->errname);
	free(s);
}
