/*
 * salvage.h - recovering what is still authentic from a damaged sealed
 * archive (`cairn salvage`).  The age layer hands over 64 KiB chunks,
 * each authenticated or not (age.h, age_reader_next_chunk); this module
 * walks the tar stream block by block over them, re-synchronising on a
 * valid ustar header (checksum, magic) after a header lost in a damaged
 * chunk, and decides for every member:
 *
 *   VERIFIED    header and every byte from authenticated chunks, and the
 *               manifest, SHA256SUMS and its signature by a trusted
 *               signer are intact and agree with it: path, type, size,
 *               mode, time and SHA-256 (an unsigned archive's files are
 *               never VERIFIED);
 *   UNVERIFIED  every byte authenticated (so it comes from this
 *               archive's file key), but it cannot be checked against a
 *               SHA256SUMS signed by a trusted signer (lost, damaged,
 *               unsigned, another key), or it disagrees;
 *   PARTIAL     some of its bytes were in damaged chunks (lost ranges);
 *   LOST        listed by the manifest, header never found.
 *
 * Two passes over the input: salvage_scan() decides (and keeps no file
 * data), salvage_extract() reads again and writes the VERIFIED and
 * UNVERIFIED files through extract.h (staging directory, name rules, no
 * links), re-hashing each: a file whose bytes changed between the passes
 * is CAIRN_ERR_CHANGED.  A file whose name cannot be created (it
 * collides with another, e.g. a duplicate or a case-folding file system)
 * is skipped and marked (skipped, why), not written.
 *
 * Knows the tar layout cairn writes, the manifest, SHA256SUMS and the
 * signature; nothing of files on disk (extract.h) or the terminal.
 */
#ifndef CAIRN_SALVAGE_H
#define CAIRN_SALVAGE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/age.h"
#include "cairn/digest.h"
#include "cairn/extract.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"

enum salvage_state {
	SALVAGE_VERIFIED,
	SALVAGE_UNVERIFIED,
	SALVAGE_PARTIAL,
	SALVAGE_LOST
};

/* What became of manifest.json, SHA256SUMS and SHA256SUMS.minisig. */
enum salvage_part {
	SALVAGE_PART_OK,      /* complete and valid (signature: verified) */
	SALVAGE_PART_LOST,    /* not found complete */
	SALVAGE_PART_INVALID, /* complete but malformed, or does not verify */
	SALVAGE_PART_NONE     /* signature: the archive is unsigned */
};

struct salvage_range {
	uint64_t start, end; /* [start, end) */
};

struct salvage_member {
	char *path;
	int is_dir;
	uint64_t size;
	uint32_t mode;
	int64_t mtime;
	uint64_t data_off; /* plaintext offset of its data (UINT64_MAX: lost) */
	int complete;      /* header and data all authenticated */
	int resynced; /* found after a gap: a pax name may have been lost */
	uint8_t sha256[DIGEST_SHA256_LEN]; /* when complete */
	struct salvage_range *lost;        /* file-relative, when partial */
	size_t nlost, lostcap;             /* lostcap: private */
	enum salvage_state state;
	const char *why; /* static text: why unverified, partial or lost */
	int skipped;     /* pass 2: its name collided, not written */
};

/* Whose signature counts: the policy unseal.h applies (step 7). */
struct salvage_options {
	/* Trusted signers (NULL or empty: none is trusted). */
	const struct minisig_trust *trust;
	int any_signer; /* accept a valid signature by any key */
};

struct salvage_result {
	struct manifest *m; /* NULL unless manifest.json parsed */
	enum salvage_part manifest, sums, sig;
	/* manifest + SHA256SUMS + signature all verified, and the signer
	 * accepted by the trust policy */
	int trusted;
	/* The signature verified, but its signer is not trusted (and no
	 * any_signer): trusted is 0 and nothing is VERIFIED. */
	int refused_untrusted;
	char signer_fingerprint[MINISIG_FINGERPRINT_LEN]; /* "" unsigned */
	struct salvage_member *v; /* members in archive order, then LOST ones */
	size_t n;
	struct salvage_range *bad; /* plaintext ranges of failed chunks */
	size_t nbad;
	uint64_t nchunks, nbadchunks;
	int final_ok;       /* the final chunk authenticated */
	uint64_t nrefused;  /* members refused (bad name or type) */
	size_t cap, badcap; /* private */
};

/*
 * Pass 1: read every chunk of r (made by age_reader_new_chunks) and fill
 * res (zero-initialised by the call; free with salvage_result_free()
 * whatever the result).  Files are VERIFIED only when the signer is
 * accepted by o's trust policy, decided by the same code as unseal.h's;
 * a valid signature by another key sets res->refused_untrusted and every
 * member that would have been VERIFIED is UNVERIFIED ("signed by a key
 * you do not trust").  An unsigned archive is never verified.  Returns
 * 0, or the reader's error (_IO, _NOMEM, _HEADER when even the payload
 * nonce is missing).
 */
int salvage_scan(struct age_reader *r, const struct salvage_options *o,
    struct salvage_result *res);

/*
 * Pass 2: read r (a fresh reader of the same input) and write each
 * VERIFIED file as prefix_ok/PATH and each UNVERIFIED one as
 * prefix_unverified/PATH into x; directories of a trusted manifest are
 * made under prefix_ok.  Returns 0, CAIRN_ERR_CHANGED (a chunk or a file
 * differs from pass 1), or extract.h's and the reader's errors.
 */
int salvage_extract(struct age_reader *r, struct salvage_result *res,
    struct extract *x, const char *prefix_ok, const char *prefix_unverified);

void salvage_result_free(struct salvage_result *res);

#endif
