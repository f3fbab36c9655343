/*
 * cairn_err.h - the error codes every library module returns.
 *
 * Library functions return 0 on success or one of these negative values.
 * Only src/cli/ maps them to messages and exit codes (see cli.h); modules
 * never print or exit.
 */
#ifndef CAIRN_ERR_H
#define CAIRN_ERR_H

enum cairn_err {
	CAIRN_OK = 0,
	CAIRN_ERR_IO = -1,           /* read/write/open failed (errno kept) */
	CAIRN_ERR_NOMEM = -2,        /* allocation failed */
	CAIRN_ERR_INVAL = -3,        /* bad argument or unusable key string */
	CAIRN_ERR_NO_MATCH = -4,     /* no identity/passphrase unwrapped it */
	CAIRN_ERR_HEADER = -5,       /* malformed age header */
	CAIRN_ERR_HMAC = -6,         /* age header MAC mismatch */
	CAIRN_ERR_PAYLOAD = -7,      /* bad, truncated or trailing payload */
	CAIRN_ERR_ARMOR = -8,        /* malformed ASCII armor */
	CAIRN_ERR_FORMAT = -9,       /* malformed key/share/manifest/file */
	CAIRN_ERR_SIGNATURE = -10,   /* signature missing, bad, wrong key */
	CAIRN_ERR_CHANGED = -11,     /* input file changed while read */
	CAIRN_ERR_UNSAFE = -12,      /* hostile archive entry refused */
	CAIRN_ERR_PERM = -13,        /* secret file has unsafe permissions */
	CAIRN_ERR_TOO_FEW = -14,     /* not enough shares/groups */
	CAIRN_ERR_EXISTS = -15,      /* output exists, refusing */
	CAIRN_ERR_UNSUPPORTED = -16, /* valid but unsupported (e.g. work
				      * factor too high, unknown version) */
	CAIRN_ERR_INTEGRITY = -17,   /* archive content disagrees with its
				     * manifest or SHA256SUMS */
	CAIRN_ERR_INTERRUPTED = -18, /* stopped by a signal */
	CAIRN_ERR_LIMIT = -19,       /* a documented size/count limit hit */
	CAIRN_ERR_MISMATCH = -20,    /* inconsistent shares / wrong key */
	CAIRN_ERR_REMOTE = -21,      /* remote store unreachable or refused
				      * (see remote.h for the class) */
	CAIRN_ERR_TOOL = -22,        /* an external program (par2) failed
				      * (see parity.h for its status) */
};

/* Short, static, human-readable reason for err ("malformed header"). */
const char *cairn_strerror(int err);

#endif
