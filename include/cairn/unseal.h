/*
 * unseal.h - reading and checking the decrypted tar stream of a sealed
 * archive: manifest.json first, then every member against the manifest,
 * SHA256SUMS against the content, and the signature.  Used by `cairn
 * list` (which stops after manifest.json), `verify` (which discards the
 * data) and `open` (which passes it to extract.h through callbacks).
 *
 * What is checked, in stream order (docs/format.md, "Verifying"):
 *   1. the first member is the file "manifest.json", at most
 *      MANIFEST_MAX_LEN bytes, and parses under manifest_decode()'s
 *      strict rules;
 *   2. (the signer the manifest names is looked up in the trusted list:
 *      unseal_result's signer_* fields; list mode stops here)
 *   3. the next members are exactly the manifest's entries, in order,
 *      each with the same path, type, size, mode and mtime; each file's
 *      data is hashed (SHA-256) as it streams;
 *   4. then the file "SHA256SUMS" (at most SUMS_MAX_LEN bytes): it must
 *      parse, list manifest.json and exactly the file entries in
 *      manifest order, and every digest must equal the computed one;
 *   5. signed manifest: then "SHA256SUMS.minisig" (at most
 *      UNSEAL_SIG_MAX bytes), a valid minisign signature of SHA256SUMS
 *      by the manifest's signer whose trusted comment is exactly
 *      seal_trusted_comment(); unsigned manifest: no such member;
 *   6. nothing after that (the tar reader also checks the end-of-archive
 *      marker and reads the source to its end, so an age layer below
 *      authenticates its last chunk);
 *   7. the trust policy, once everything above held: a signed archive
 *      counts only when its signer is in o->trust (whole key compared),
 *      unless o->any_signer; an unsigned one only with o->allow_unsigned.
 *      A refusal is CAIRN_ERR_SIGNATURE with res->refused set.
 * Errors: CAIRN_ERR_INTEGRITY (members and manifest/SHA256SUMS
 * disagree), CAIRN_ERR_SIGNATURE (signature missing, malformed, invalid,
 * wrong trusted comment, or refused by the trust policy), the
 * manifest_decode() errors, the tar reader's errors (CAIRN_ERR_UNSAFE,
 * _PAYLOAD, _LIMIT), the source's errors, and any non-zero value a
 * callback returns.  unseal_result.error says which member and why.
 *
 * Knows the tar reader, the manifest, SHA256SUMS and minisign formats;
 * nothing of age, files or the terminal.
 */
#ifndef CAIRN_UNSEAL_H
#define CAIRN_UNSEAL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/cio.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"

/* Largest SHA256SUMS.minisig member accepted (cairn limit). */
#define UNSEAL_SIG_MAX (16u * 1024)

/*
 * Callbacks (each may be NULL).  Entry pointers stay valid until
 * unseal_result_free().  A non-zero return stops the run with that
 * value.  Data handed to file_data() is not yet authenticated by the
 * signature: the caller must not publish it until unseal_run() returned
 * 0 (extract.h's staging directory does exactly that).
 */
struct unseal_ops {
	int (*manifest)(void *ctx, const struct manifest *m);
	int (*dir)(void *ctx, const struct manifest_entry *e);
	int (*file_begin)(void *ctx, const struct manifest_entry *e);
	int (*file_data)(void *ctx, const uint8_t *buf, size_t len);
	int (*file_end)(void *ctx);
	/* Optional: after the last entry, before SHA256SUMS is checked
	 * (e.g. wait for files being finished elsewhere). */
	int (*files_done)(void *ctx);
	/* Optional: the entry an operation's failure belongs to when it is
	 * not the entry being handled (a file finished later), else NULL. */
	const char *(*failed_path)(void *ctx);
	void *ctx;
};

struct unseal_options {
	int list_only; /* stop after manifest.json */
	/* Trusted signers (NULL or empty: none is trusted). */
	const struct minisig_trust *trust;
	int any_signer;               /* accept a valid signature by any key */
	int allow_unsigned;           /* accept an unsigned archive */
	const struct unseal_ops *ops; /* NULL: check and discard */
};

#define UNSEAL_ERROR_LEN 512

struct unseal_result {
	struct manifest *m;    /* parsed manifest (NULL if none) */
	int is_signed;         /* the manifest names a signer */
	int sig_ok;            /* ... and its signature verified */
	char *trusted_comment; /* of the verified signature, or NULL */
	/* The manifest's signer against o->trust (set in list mode too;
	 * nothing here says the signature was checked: see sig_ok). */
	int signer_trusted; /* the signer's key is in o->trust */
	long trusted_index; /* ... at this index; else -1 */
	long key_id_clash;  /* untrusted, but has the key id of the
				* trusted key at this index; else -1 */
	char signer_fingerprint[MINISIG_FINGERPRINT_LEN]; /* "" unsigned */
	enum {
		UNSEAL_ACCEPTED = 0,
		UNSEAL_REFUSED_UNSIGNED, /* unsigned, !allow_unsigned */
		UNSEAL_REFUSED_UNTRUSTED /* valid signature by an untrusted
					  * key, !any_signer */
	} refused;
	uint64_t nfiles, ndirs;       /* entries checked */
	uint64_t bytes;               /* file bytes checked */
	uint8_t sums_sha256[32];      /* SHA-256 of the SHA256SUMS member
				       * (set once it was read) */
	int not_archive;              /* the plaintext is no cairn archive
				       * (not a tar, or no manifest.json
				       * first): e.g. a plain age file */
	char error[UNSEAL_ERROR_LEN]; /* "" or what failed (may hold
				       * member names: escape on output) */
};

/*
 * Read and check the tar stream from src.  res is zero-initialised by the
 * call and must be released with unseal_result_free() whatever the
 * result.  Returns 0 when everything in the list above holds (in list
 * mode: when the manifest parsed).
 */
int unseal_run(const struct cio_source *src, const struct unseal_options *o,
    struct unseal_result *res);
void unseal_result_free(struct unseal_result *res);

#endif
