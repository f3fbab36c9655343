/*
 * cli_parity.h - the CLI side of PAR2 recovery data beside an archive
 * (cairn/parity.h runs Debian's par2, found here on PATH).  Sidecars:
 * ARCHIVE.par2 (index) and ARCHIVE.volNNN+MMM.par2 (recovery blocks);
 * stock `par2 verify/repair ARCHIVE.par2` work on them.
 *
 * Every int function returns 0 or an exit code after printing, like cli.h.
 * Knows nothing of the archive's contents.
 */
#ifndef CAIRN_CLI_PARITY_H
#define CAIRN_CLI_PARITY_H

#include "cairn/parity.h"

#define CLI_PARITY_MIN     PARITY_PERCENT_MIN
#define CLI_PARITY_MAX     PARITY_PERCENT_MAX
#define CLI_PARITY_DEFAULT PARITY_PERCENT_DEFAULT

/* Parse a PERCENT operand/option value (1..100, digits only, optional
 * trailing '%'); returns 0 and *out, or CLI_EXIT_USAGE after printing. */
int cli_parity_percent(const char *verb, const char *s, int *out);
/* Malloc'd path of par2 on PATH, or NULL after printing an error with
 * an install hint (verb names the command). */
char *parity_need_par2(const char *verb);
/* Write ARCHIVE.par2 and ARCHIVE.vol*.par2 with percent % recovery data:
 * made in a private directory beside the archive, then published without
 * replacing anything (an existing ARCHIVE.par2 is refused). */
int cli_parity_create(const char *archive, int percent, int quiet);

/* What par2 says about archive and its sidecars; prints nothing when
 * there are none or par2 is not installed (then PARITY_NONE and
 * *missing = 1 when par2 is missing). */
int cli_parity_check(const char *archive, enum parity_state *st, int *missing);
/* For `cairn verify`: after an integrity failure, say whether the
 * parity files beside archive can repair it (prints hints only). */
void cli_parity_advise(const char *archive);
/* Repair archive in place: copy, repair the copy with par2, check it with
 * par2, report the byte ranges that changed, then rename over archive. */
int cli_parity_repair(const char *archive, int quiet);

#endif
