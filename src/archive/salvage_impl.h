/*
 * salvage_impl.h - internal to salvage_tar.c and salvage.c: the captured
 * bytes of cairn's own members, shared between the block scanner (pass 1)
 * and the classification that follows it.
 */
#ifndef CAIRN_SALVAGE_IMPL_H
#define CAIRN_SALVAGE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/salvage.h"

enum { CAP_MANIFEST, CAP_SUMS, CAP_SIG, NCAP };

struct salvage_caps {
	uint8_t *buf[NCAP]; /* complete members only, else NULL */
	size_t len[NCAP];
};

/* Pass 1's walk over the chunks: fills res->v (members in archive order,
 * state not yet decided), res->bad and the chunk counts, and caps. */
int salvage_walk(struct age_reader *r, struct salvage_result *res,
    struct salvage_caps *caps);
/* Append a zeroed member to res; NULL when out of memory. */
struct salvage_member *salvage_add(struct salvage_result *res);
/* Add [start, end) to a list, merging with its last range. */
int salvage_range_add(struct salvage_range **v, size_t *n, size_t *cap,
    uint64_t start, uint64_t end);

#endif
