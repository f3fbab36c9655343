/*
 * cli_salvage_report.c - the text of a salvage report (written as
 * DIR/salvage-report.txt and printed): what was damaged, the state of
 * the manifest, SHA256SUMS and signature, and one line per member.
 * Member names passed the archive name rules (no control characters).
 *
 * Knows salvage.h's result; nothing of how it was made.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/err.h"
#include "cairn/minisig.h"
#include "cli.h"
#include "cli_salvage.h"

static int oom; /* a write to the buffer failed */

static void add(struct cio_membuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
add(struct cio_membuf *b, const char *fmt, ...)
{
	char line[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 &&
	    cio_membuf_write(b, (const uint8_t *)line,
	        (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) != 0)
		oom = 1;
}

static void
ranges(struct cio_membuf *b, const struct salvage_range *v, size_t n)
{
	for (size_t i = 0; i < n && i < 32; i++)
		add(b, "%s%llu-%llu", i ? ", " : "",
		    (unsigned long long)v[i].start,
		    (unsigned long long)v[i].end - 1);
	if (n > 32)
		add(b, ", ... (%zu ranges in all)", n);
}

static const char *
part(enum salvage_part p)
{
	switch (p) {
	case SALVAGE_PART_OK: return "intact";
	case SALVAGE_PART_LOST: return "LOST (in a damaged chunk)";
	case SALVAGE_PART_INVALID: return "INVALID";
	default: return "none";
	}
}

static const char *
sig(const struct salvage_result *r)
{
	if (r->m == NULL)
		return "cannot be checked (manifest lost)";
	switch (r->sig) {
	case SALVAGE_PART_OK: return "verified";
	case SALVAGE_PART_LOST: return "LOST (in a damaged chunk)";
	case SALVAGE_PART_INVALID: return "INVALID or cannot be checked";
	default: return "none: the archive is unsigned";
	}
}

/* Files per state; c[4]: skipped (counted there only). */
static void
counts(const struct salvage_result *r, size_t c[5])
{
	memset(c, 0, 5 * sizeof(*c));
	for (size_t i = 0; i < r->n; i++)
		if (!r->v[i].is_dir && !cli_salvage_own(r->v[i].path))
			c[r->v[i].skipped ? 4 : r->v[i].state]++;
}

static void
member(struct cio_membuf *b, const struct salvage_member *v)
{
	static const char *const word[] = {
	    "verified", "UNVERIFIED", "PARTIAL", "LOST"};

	if (v->is_dir && v->state != SALVAGE_LOST)
		return;
	add(b, "%-10s  %s%s", v->skipped ? "NOT-WRITTEN" : word[v->state],
	    v->path, v->is_dir ? "/" : "");
	if (v->state == SALVAGE_PARTIAL || v->state == SALVAGE_LOST) {
		add(b, "  (%llu bytes; lost bytes ",
		    (unsigned long long)v->size);
		ranges(b, v->lost, v->nlost);
		add(b, ")");
	}
	if (v->why != NULL)
		add(b, "  -- %s", v->why);
	add(b, "\n");
}

int
cli_salvage_report(
    const char *archive, const struct salvage_result *r, struct cio_membuf *b)
{
	size_t c[5];

	oom = 0;
	counts(r, c);
	// clang-format off
	add(b, "cairn salvage report\n");
	add(b, "THIS IS A SALVAGE of a damaged archive, not a verified opening.\n\n");
	add(b, "archive:        %s\n", archive);
	add(b, "chunks:         %llu of %llu authenticated\n", (unsigned long long)(r->nchunks - r->nbadchunks), (unsigned long long)r->nchunks);
	if (r->nbad > 0) {
		add(b, "damaged:        plaintext bytes ");
		ranges(b, r->bad, r->nbad);
		add(b, "\n");
	}
	add(b, "end of archive: %s\n", r->final_ok ? "present" : "MISSING (truncated, or its last chunk is damaged)");
	add(b, "manifest.json:  %s\n", part(r->manifest));
	add(b, "SHA256SUMS:     %s\n", part(r->sums));
	add(b, "signature:      %s\n", sig(r));
	add(b, "\nverified/ holds files whose every byte authenticated and whose path, metadata and SHA-256 match the signed manifest and SHA256SUMS.\n");
	add(b, "unverified/ holds files whose every byte authenticated (they come from this archive's key) but which could NOT be checked against a signature.\n\n");
	// clang-format on
	for (size_t i = 0; i < r->n; i++)
		if (!cli_salvage_own(r->v[i].path))
			member(b, &r->v[i]);
	add(b,
	    "\n%zu verified, %zu unverified, %zu partial, %zu lost, "
	    "%zu not written (name collision), %llu refused (bad name or "
	    "type)\n",
	    c[SALVAGE_VERIFIED], c[SALVAGE_UNVERIFIED], c[SALVAGE_PARTIAL],
	    c[SALVAGE_LOST], c[4], (unsigned long long)r->nrefused);
	return oom ? CAIRN_ERR_NOMEM : 0;
}

int
cli_salvage_own(const char *path)
{
	return strcmp(path, "manifest.json") == 0 ||
	    strcmp(path, "SHA256SUMS") == 0 ||
	    strcmp(path, "SHA256SUMS.minisig") == 0;
}

int
cli_salvage_complete(const struct salvage_result *r)
{
	size_t c[5];

	counts(r, c);
	return r->nbadchunks == 0 && r->final_ok && r->trusted &&
	    c[SALVAGE_UNVERIFIED] + c[SALVAGE_PARTIAL] + c[SALVAGE_LOST] +
	        c[4] ==
	    0 &&
	    r->nrefused == 0;
}
