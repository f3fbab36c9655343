/*
 * cairn_err.c - human-readable reasons for enum cairn_err.
 * Knows nothing of exit codes or the terminal; that is src/cli/'s job.
 */
#include "cairn/err.h"

const char *
cairn_strerror(int err)
{
	switch (err) {
	case CAIRN_OK: return "success";
	case CAIRN_ERR_IO: return "input/output error";
	case CAIRN_ERR_NOMEM: return "out of memory";
	case CAIRN_ERR_INVAL: return "invalid argument";
	case CAIRN_ERR_NO_MATCH: return "no identity matched";
	case CAIRN_ERR_HEADER: return "malformed age header";
	case CAIRN_ERR_HMAC: return "header MAC mismatch";
	case CAIRN_ERR_PAYLOAD: return "payload is corrupted or truncated";
	case CAIRN_ERR_ARMOR: return "malformed ASCII armor";
	case CAIRN_ERR_FORMAT: return "malformed input";
	case CAIRN_ERR_SIGNATURE: return "signature missing or invalid";
	case CAIRN_ERR_CHANGED: return "file changed while being read";
	case CAIRN_ERR_UNSAFE: return "unsafe archive entry";
	case CAIRN_ERR_PERM: return "unsafe file permissions";
	case CAIRN_ERR_TOO_FEW: return "not enough shares";
	case CAIRN_ERR_EXISTS: return "file exists";
	case CAIRN_ERR_UNSUPPORTED: return "unsupported";
	case CAIRN_ERR_INTEGRITY: return "integrity check failed";
	case CAIRN_ERR_INTERRUPTED: return "interrupted";
	case CAIRN_ERR_LIMIT: return "limit exceeded";
	case CAIRN_ERR_MISMATCH: return "inconsistent or mismatched input";
	case CAIRN_ERR_TOOL: return "an external program failed";
	case CAIRN_ERR_REMOTE: return "remote store unreachable or refused";
	}
	return "unknown error";
}
