/*
 * salvage_tar.c - pass 1 of salvage: walk the tar stream 512-byte block
 * by block over the age chunks (a 64 KiB chunk holds exactly 128 blocks,
 * so no block straddles two chunks).  A block in a damaged chunk is
 * "lost": inside a member's data it makes the member partial, and the
 * walk stays in step (chunk offsets do not move); where a header was
 * expected it drops the walk out of step, and every following block is
 * tried as a header (ustar magic and checksum) until one is valid: that
 * is the re-synchronisation.  File data is hashed, never kept, except
 * the bytes of manifest.json, SHA256SUMS and SHA256SUMS.minisig.
 *
 * Knows the ustar/pax layout cairn writes (docs/format.md, "Layer 2");
 * nothing of manifests, signatures or files on disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/manifest.h"
#include "cairn/unseal.h"
#include "salvage_impl.h"
#include "sums.h"
#include "tarball.h"
#include "tarball_scan.h"

#define BLOCK    512
#define PAX_MAX  (64u * 1024)
#define NO_INDEX ((size_t)-1)

enum { S_HEADER, S_PAX, S_DATA };

struct scan {
	struct salvage_result *res;
	struct salvage_caps *caps;
	int state, gap; /* gap: a lost block since the last header */
	/* pax extended header being read, and what it says */
	uint8_t *pax;
	size_t paxlen, paxsize;
	int pax_valid, pax_ready, pax_has_size, pax_has_mtime;
	char *pax_path;
	uint64_t pax_size;
	int64_t pax_mtime;
	/* member whose data is being read (cur == NO_INDEX: skipped) */
	size_t cur;
	uint64_t remaining, foff;
	struct digest_sha256 h;
	int hashing, cap; /* cap: CAP_* or -1 */
	uint8_t *capbuf;
	size_t caplen, capmax;
	int capok;
};

int
salvage_range_add(struct salvage_range **v, size_t *n, size_t *cap,
    uint64_t start, uint64_t end)
{
	if (*n > 0 && (*v)[*n - 1].end == start) {
		(*v)[*n - 1].end = end;
		return 0;
	}
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		void *p = cio_realloc(*v, nc * sizeof(**v));

		if (p == NULL)
			return CAIRN_ERR_NOMEM;
		*v = p;
		*cap = nc;
	}
	(*v)[*n].start = start;
	(*v)[(*n)++].end = end;
	return 0;
}

struct salvage_member *
salvage_add(struct salvage_result *res)
{
	struct salvage_member *m;

	if (res->n == res->cap) {
		size_t nc = res->cap ? res->cap * 2 : 64;
		void *p = cio_realloc(res->v, nc * sizeof(*res->v));

		if (p == NULL)
			return NULL;
		res->v = p;
		res->cap = nc;
	}
	m = &res->v[res->n++];
	memset(m, 0, sizeof(*m));
	m->data_off = UINT64_MAX;
	return m;
}

/* A ustar header with a valid checksum. */
static int
is_header(const uint8_t *b)
{
	int64_t want = tscan_octal(b + 148, 8), sum = 0;

	if (memcmp(b + 257, "ustar", 6) != 0 || memcmp(b + 263, "00", 2) != 0)
		return 0;
	for (int i = 0; i < BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : b[i];
	return want == sum;
}

static void
pax_reset(struct scan *s)
{
	free(s->pax_path);
	s->pax_path = NULL;
	s->pax_ready = s->pax_has_size = s->pax_has_mtime = 0;
}

/* Parse "LEN key=value\n" records; unknown keys are ignored. */
static void
pax_parse(struct scan *s)
{
	size_t p = 0;

	while (p < s->paxlen) {
		char *rec = (char *)s->pax + p, *eq, *end;
		unsigned long long n = strtoull(rec, &end, 10);

		if (end == rec || *end != ' ' || n < 3 || n > s->paxlen - p ||
		    s->pax[p + n - 1] != '\n')
			return; /* malformed: keep what was parsed */
		s->pax[p + n - 1] = '\0';
		eq = strchr(end + 1, '=');
		if (eq != NULL) {
			*eq++ = '\0';
			if (strcmp(end + 1, "path") == 0) {
				free(s->pax_path);
				s->pax_path = cio_strdup(eq);
			} else if (strcmp(end + 1, "size") == 0) {
				s->pax_size = strtoull(eq, NULL, 10);
				s->pax_has_size = 1;
			} else if (strcmp(end + 1, "mtime") == 0) {
				s->pax_mtime = strtoll(eq, NULL, 10);
				s->pax_has_mtime = 1;
			}
		}
		p += n;
	}
	s->pax_ready = 1;
}

/* The member's name: pax path, else prefix/name; NULL if none. */
static char *
header_name(struct scan *s, const uint8_t *b)
{
	char name[101], prefix[156], *out;
	size_t n;

	if (s->pax_path != NULL) {
		out = s->pax_path;
		s->pax_path = NULL;
		return out;
	}
	memcpy(name, b, 100);
	name[100] = '\0';
	memcpy(prefix, b + 345, 155);
	prefix[155] = '\0';
	n = strlen(prefix) + strlen(name) + 2;
	if ((out = cio_malloc(n)) != NULL)
		snprintf(out, n, "%s%s%s", prefix, *prefix ? "/" : "", name);
	return out;
}

static int
cap_of(const char *path)
{
	if (strcmp(path, MANIFEST_NAME) == 0)
		return CAP_MANIFEST;
	if (strcmp(path, SUMS_NAME) == 0)
		return CAP_SUMS;
	if (strcmp(path, SUMS_SIG_NAME) == 0)
		return CAP_SIG;
	return -1;
}

static const size_t cap_max[NCAP] = {
    MANIFEST_MAX_LEN, SUMS_MAX_LEN, UNSEAL_SIG_MAX};

/* The data of the member just ended: digest, captured bytes. */
static int
end_member(struct scan *s)
{
	struct salvage_member *m =
	    s->cur != NO_INDEX ? &s->res->v[s->cur] : NULL;

	if (s->hashing) {
		if (digest_sha256_final(&s->h, m->sha256) != 0)
			return CAIRN_ERR_NOMEM;
		s->hashing = 0;
	}
	if (m != NULL && s->cap >= 0 && s->capok && m->complete &&
	    s->caps->buf[s->cap] == NULL) {
		s->caps->buf[s->cap] = s->capbuf;
		s->caps->len[s->cap] = s->caplen;
		s->capbuf = NULL;
	}
	free(s->capbuf);
	s->capbuf = NULL;
	s->cap = -1;
	s->cur = NO_INDEX;
	s->state = S_HEADER;
	return 0;
}

/* Start the member described by header block b at offset off. */
static int
member(struct scan *s, const uint8_t *b, uint64_t off)
{
	int64_t size =
	    s->pax_has_size ? (int64_t)s->pax_size : tscan_octal(b + 124, 12);
	int64_t mtime =
	    s->pax_has_mtime ? s->pax_mtime : tscan_octal(b + 136, 12);
	int64_t mode = tscan_octal(b + 100, 8);
	char t = (char)b[156], *path;
	const char *why;
	struct salvage_member *m;
	size_t n;

	path = header_name(s, b);
	pax_reset(s);
	if (path == NULL)
		return CAIRN_ERR_NOMEM;
	n = strlen(path);
	if ((t == '5') && n > 1 && path[n - 1] == '/')
		path[n - 1] = '\0';
	s->cur = NO_INDEX;
	s->remaining = size > 0 ? (uint64_t)size : 0;
	s->foff = 0;
	s->state = s->remaining > 0 ? S_DATA : S_HEADER;
	if ((t != '0' && t != '\0' && t != '5') || size < 0 || mtime < 0 ||
	    mode < 0 || tarball_path_syntax(path, &why) != 0 ||
	    (t == '5' && size != 0)) {
		s->res->nrefused++;
		free(path);
		return 0; /* its data (if any) is skipped */
	}
	if ((m = salvage_add(s->res)) == NULL) {
		free(path);
		return CAIRN_ERR_NOMEM;
	}
	m->path = path;
	m->is_dir = t == '5';
	m->size = (uint64_t)size;
	m->mode = (uint32_t)mode & 0777;
	m->mtime = mtime;
	m->data_off = off + BLOCK;
	m->complete = 1;
	m->resynced = s->gap;
	s->gap = 0;
	if (m->is_dir)
		return 0;
	s->cur = s->res->n - 1;
	if (digest_sha256_init(&s->h) != 0)
		return CAIRN_ERR_NOMEM;
	s->hashing = 1;
	s->cap = cap_of(path);
	s->capok = s->cap >= 0 && m->size <= cap_max[s->cap];
	s->caplen = 0;
	if (s->capok &&
	    (s->capbuf = cio_malloc(m->size > 0 ? m->size : 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	return s->remaining == 0 ? end_member(s) : 0;
}

static int
data_block(struct scan *s, const uint8_t *b)
{
	size_t n = s->remaining < BLOCK ? (size_t)s->remaining : BLOCK;
	struct salvage_member *m =
	    s->cur != NO_INDEX ? &s->res->v[s->cur] : NULL;

	if (m != NULL && b != NULL) {
		digest_sha256_update(&s->h, b, n);
		if (s->capok) {
			memcpy(s->capbuf + s->caplen, b, n);
			s->caplen += n;
		}
	} else if (m != NULL) {
		m->complete = 0;
		s->capok = 0;
		if (salvage_range_add(&m->lost, &m->nlost, &m->lostcap, s->foff,
		        s->foff + n) != 0)
			return CAIRN_ERR_NOMEM;
	}
	s->foff += n;
	s->remaining -= n;
	return s->remaining == 0 ? end_member(s) : 0;
}

static int
pax_block(struct scan *s, const uint8_t *b)
{
	size_t n =
	    s->paxsize - s->paxlen < BLOCK ? s->paxsize - s->paxlen : BLOCK;

	if (b == NULL)
		s->pax_valid = 0;
	else
		memcpy(s->pax + s->paxlen, b, n);
	s->paxlen += n;
	if (s->paxlen < s->paxsize)
		return 0;
	s->state = S_HEADER;
	s->pax[s->paxlen] = '\0';
	if (s->pax_valid)
		pax_parse(s);
	else
		s->gap = 1; /* the next member's pax name was lost */
	return 0;
}

/* One 512-byte block at plaintext offset off; b == NULL: lost. */
static int
block(struct scan *s, uint64_t off, const uint8_t *b)
{
	int64_t size;

	if (s->state == S_DATA)
		return data_block(s, b);
	if (s->state == S_PAX)
		return pax_block(s, b);
	if (b == NULL) {
		pax_reset(s);
		s->gap = 1;
		return 0;
	}
	if (!is_header(b))
		return 0; /* zero padding, or out of step: look further */
	if (b[156] != 'x')
		return member(s, b, off);
	pax_reset(s);
	size = tscan_octal(b + 124, 12);
	if (size <= 0 || (uint64_t)size > PAX_MAX)
		return 0;
	s->paxsize = (size_t)size;
	s->paxlen = 0;
	s->pax_valid = 1;
	s->state = S_PAX;
	return 0;
}

/* The input ended inside a member: the rest of it is lost. */
static int
finish(struct scan *s)
{
	if (s->state == S_DATA && s->cur != NO_INDEX) {
		struct salvage_member *m = &s->res->v[s->cur];

		m->complete = 0;
		if (salvage_range_add(&m->lost, &m->nlost, &m->lostcap, s->foff,
		        m->size) != 0)
			return CAIRN_ERR_NOMEM;
	}
	if (s->state == S_DATA)
		s->capok = 0;
	return end_member(s);
}

int
salvage_walk(
    struct age_reader *r, struct salvage_result *res, struct salvage_caps *caps)
{
	struct scan s;
	struct age_chunk c;
	uint8_t last[BLOCK];
	int rc;

	memset(&s, 0, sizeof(s));
	s.res = res;
	s.caps = caps;
	s.cur = NO_INDEX;
	s.cap = -1;
	if ((s.pax = cio_malloc(PAX_MAX + 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	while ((rc = age_reader_next_chunk(r, &c)) == 1) {
		res->nchunks++;
		if (c.ok && c.final)
			res->final_ok = 1;
		if (!c.ok) {
			res->nbadchunks++;
			if (salvage_range_add(&res->bad, &res->nbad,
			        &res->badcap, c.offset,
			        c.offset + c.len) != 0) {
				rc = CAIRN_ERR_NOMEM;
				break;
			}
		}
		for (size_t i = 0; rc == 1 && i < c.len; i += BLOCK) {
			const uint8_t *b = c.ok ? c.pt + i : NULL;

			if (b != NULL && c.len - i < BLOCK) {
				/* A partial last block (a tar stream cut short):
				 * data that ends inside it is whole; anything
				 * else in it is left to finish() as lost. */
				if (s.state != S_DATA ||
				    s.remaining > c.len - i)
					continue;
				memset(last, 0, sizeof(last));
				memcpy(last, b, c.len - i);
				b = last;
			}
			if ((rc = block(&s, c.offset + i, b)) == 0)
				rc = 1;
		}
		if (rc != 1)
			break;
	}
	if (rc == 0)
		rc = finish(&s);
	if (s.hashing)
		digest_sha256_free(&s.h);
	pax_reset(&s);
	free(s.capbuf);
	free(s.pax);
	return rc;
}
