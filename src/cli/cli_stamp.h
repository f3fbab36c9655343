/*
 * cli_stamp.h - RFC 3161 time-stamps for the CLI (cli_stamp.c): asking
 * TSAs for tokens (seal --tsa, stamp), the sidecar ARCHIVE.tsr beside the
 * archive, and checking every token in verify (--tsa-ca, the key home's
 * tsa-ca.pem) with its report lines and JSON.
 *
 * Follows cli.h's convention: int functions return 0 or an exit code
 * after printing.  Knows tsa.h and digest.h; nothing of manifests.
 */
#ifndef CAIRN_CLI_STAMP_H
#define CAIRN_CLI_STAMP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cairn/tsa.h"

#define CLI_HOME_TSA_CA     "tsa-ca.pem"
#define CLI_STAMP_SUFFIX    ".tsr"
#define CLI_STAMP_TIMEOUT_S 30L
#define CLI_MAX_TSAS        16

/* --tsa URL (repeatable). */
struct cli_tsas {
	const char *url[CLI_MAX_TSAS];
	size_t n;
	const char *proxy; /* --proxy, or NULL */
};
int cli_tsas_add(struct cli_tsas *t, const char *verb, const char *url);

/* The SHA-256 of the file at path (read once, front to back), and its
 * size in bytes when size is not NULL. */
int cli_file_sha256(
    const char *path, uint8_t out[TSA_DIGEST_LEN], uint64_t *size);

/*
 * Ask every TSA in tsas for a token on the archive file's digest and,
 * when sums is not NULL, on the SHA256SUMS digest, and add the tokens
 * to ARCHIVE.tsr (created, or kept and extended; replaced atomically).
 * Prints "stamped: <UTC> by <TSA> (<what>)" per token unless quiet, and
 * a warning per TSA that failed (unreachable, refused, wrong reply).
 * Returns 0 when every TSA answered, CLI_EXIT_ERR when one did not (the
 * tokens that came are saved), or another exit code after an error.
 */
int cli_stamp_archive(const char *archive, const struct cli_tsas *tsas,
    const uint8_t file_sha256[TSA_DIGEST_LEN], const uint8_t *sums, int quiet);

/* What verify found for one token. */
struct cli_stamp_result {
	enum tsr_kind kind;
	struct tsa_token_info info;
	int ok;
	char why[TSA_WHY_LEN]; /* "" when ok */
};
struct cli_stamp_report {
	struct cli_stamp_result v[TSR_MAX_TOKENS];
	size_t n;
	int present; /* the archive has a sidecar */
};

/* --tsa-ca FILE (repeatable); the key home's tsa-ca.pem when none. */
struct cli_tsa_cas {
	const char *v[CLI_MAX_TSAS + 1];
	size_t n;
	char *home; /* malloc'd key-home path, when used */
};
int cli_tsa_cas_add(struct cli_tsa_cas *c, const char *path);
void cli_tsa_cas_free(struct cli_tsa_cas *c);

/*
 * verify: check every token of archive's sidecar (none: rep->present 0,
 * returns 0).  archive tokens against the archive file's SHA-256
 * (file_sha256, the bytes verify read; NULL: read the file again here), sums tokens against sums (the SHA256SUMS digest verify
 * computed).  Returns 0 when every token verified, else
 * CLI_EXIT_SIGNATURE after printing the first failure (or another exit
 * code after an error).
 */
int cli_stamp_check(const char *archive, const uint8_t *file_sha256,
    const uint8_t sums[TSA_DIGEST_LEN], struct cli_tsa_cas *cas,
    struct cli_stamp_report *rep);

/* 1 when archive has a sidecar ARCHIVE.tsr (or out of memory, after
 * printing), else 0. */
int cli_stamp_sidecar_exists(const char *archive);

/* The report lines ("timestamp:   ..."), and the JSON array (empty for
 * rep NULL). */
void cli_stamp_print(const struct cli_stamp_report *rep);
json_t *cli_stamp_json(const struct cli_stamp_report *rep);
/* The first failed token's reason as a JSON string; JSON null when every
 * token verified or rep is NULL. */
json_t *cli_stamp_json_error(const struct cli_stamp_report *rep);

#endif
