/*
 * parity.h - PAR2 recovery data beside an archive, made and used by
 * Debian's par2 (par2cmdline), run as an external program with a fixed
 * argv (posix_spawn, never a shell; stdio on /dev/null; environment
 * LC_ALL=C only).  Sidecars: ARCHIVE.par2 (index) and
 * ARCHIVE.volNNN+MMM.par2 (recovery blocks); stock `par2 verify/repair
 * ARCHIVE.par2` work on them.
 *
 * Every int function returns 0 or a negative enum cairn_err; nothing
 * prints.  CAIRN_ERR_TOOL means par2 ran and failed: *status holds its
 * exit status (-1: could not run or was killed) for parity_status_text().
 * Knows nothing of the archive's contents (par2 sees bytes).
 */
#ifndef CAIRN_PARITY_H
#define CAIRN_PARITY_H

#include <stddef.h>
#include <stdint.h>

#define PARITY_PERCENT_MIN     1
#define PARITY_PERCENT_MAX     100
#define PARITY_PERCENT_DEFAULT 10

/* par2 exit statuses (par2cmdline's "Result" enum). */
#define PAR2_OK             0
#define PAR2_REPAIRABLE     1
#define PAR2_NOT_REPAIRABLE 2

/* Malloc'd absolute path of an executable par2 in path_env (a PATH value;
 * NULL or empty: "/usr/bin:/bin"; relative entries are skipped), or NULL
 * when there is none or memory ran out. */
char *parity_find_par2(const char *path_env);

/* Why par2 failed with exit status st, as static text. */
const char *parity_status_text(int st);

/* 1 when archive has an ARCHIVE.par2 beside it, else 0. */
int parity_has_sidecar(const char *archive);

/*
 * Write ARCHIVE.par2 and ARCHIVE.vol*.par2 with percent % recovery data
 * (blocks of whole 4 KiB sectors): made by par2 in a private directory
 * beside the archive, fsynced, then linked into place without replacing
 * anything.  CAIRN_ERR_EXISTS when ARCHIVE.par2 (or a volume) exists,
 * CAIRN_ERR_INVAL when archive is not a regular non-empty file.
 */
int parity_create(
    const char *par2, const char *archive, int percent, int *status);

enum parity_state {
	PARITY_NONE,       /* no ARCHIVE.par2 */
	PARITY_INTACT,     /* par2 finds the archive intact */
	PARITY_REPAIRABLE, /* damaged, enough recovery data */
	PARITY_TOO_DAMAGED /* damaged beyond the recovery data */
};
/* What par2 says about archive and its sidecars (PARITY_NONE without
 * ARCHIVE.par2; par2 is not run then). */
int parity_check(
    const char *par2, const char *archive, enum parity_state *st, int *status);

#define PARITY_SHOW_RANGES 16

/* What a repair changed: 512-byte-sector ranges [start, end) that differ
 * between the damaged and repaired files (the first PARITY_SHOW_RANGES;
 * more counts the rest), the bytes in them, and both lengths. */
struct parity_repair {
	int intact;    /* nothing to repair: the archive was left alone */
	int published; /* the repaired archive replaced the damaged one
	                * (set even when the directory fsync then failed) */
	uint64_t start[PARITY_SHOW_RANGES], end[PARITY_SHOW_RANGES];
	size_t n, more;
	uint64_t bytes, damaged_len, repaired_len;
};
/*
 * Repair archive in place: copy it into a private directory beside it,
 * let par2 repair the copy, let par2 verify the result, compare, then
 * rename the copy over the archive (keeping its mode) and fsync the
 * directory.  The archive is never changed on failure, except when
 * only that last fsync failed: CAIRN_ERR_IO with r->published set.
 * Otherwise:
 * CAIRN_ERR_INTEGRITY when the damage exceeds the recovery data,
 * CAIRN_ERR_TOOL when par2 failed or its repaired copy does not verify
 * (*status PAR2_OK or PAR2_REPAIRABLE then).
 */
int parity_repair(const char *par2, const char *archive,
    struct parity_repair *r, int *status);

#endif
