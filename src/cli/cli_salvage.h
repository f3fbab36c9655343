/*
 * cli_salvage.h - the salvage report (cli_salvage_report.c) for
 * cmd_salvage.c.
 */
#ifndef CAIRN_CLI_SALVAGE_H
#define CAIRN_CLI_SALVAGE_H

#include "cairn/cio.h"
#include "cairn/salvage.h"

#define CLI_SALVAGE_REPORT     "salvage-report.txt"
#define CLI_SALVAGE_VERIFIED   "verified"
#define CLI_SALVAGE_UNVERIFIED "unverified"

/* Append the report text for archive to b (after salvage_extract(),
 * which marks skipped files): 0 or CAIRN_ERR_NOMEM. */
int cli_salvage_report(
    const char *archive, const struct salvage_result *r, struct cio_membuf *b);
/* 1 for manifest.json, SHA256SUMS, SHA256SUMS.minisig. */
int cli_salvage_own(const char *path);
/* 1 when nothing was damaged and everything verified. */
int cli_salvage_complete(const struct salvage_result *r);

#endif
