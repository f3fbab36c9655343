/*
 * unseal_impl.h - the state of one unseal_run() and the helpers that
 * unseal.c shares with unseal_trust.c; not public API.
 */
#ifndef CAIRN_UNSEAL_IMPL_H
#define CAIRN_UNSEAL_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/digest.h"
#include "cairn/unseal.h"
#include "signer_trust.h"
#include "tarball.h"

struct unseal_run {
	const struct unseal_options *o;
	struct unseal_result *res;
	struct tarball_reader *tr;
	struct digest_async *hash; /* the files' SHA-256, maybe threaded */
	uint8_t (*digests)[DIGEST_SHA256_LEN]; /* [0] manifest, then files */
	size_t ndigests;
	enum signer_verdict verdict; /* for unseal_check_trust() */
};

/* Record the first failure's message in r->res->error; returns err. */
int unseal_fail(struct unseal_run *r, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* tarball_next() with its failures described; want names the member
 * that must follow (end of archive is then an error).  0, 1 at the end,
 * or a negative enum cairn_err. */
int unseal_next(
    struct unseal_run *r, struct tarball_entry *e, const char *want);
/* Read a whole small member (at most max bytes) into *out (cio_malloc'd,
 * NUL-terminated, the caller's). */
int unseal_slurp(struct unseal_run *r, const struct tarball_entry *e,
    size_t max, char **out, size_t *outlen);
void unseal_lookup_signer(struct unseal_run *r);
int unseal_check_signature(
    struct unseal_run *r, const char *sums, size_t sumslen);
int unseal_check_trust(struct unseal_run *r);

#endif
