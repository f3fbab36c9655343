/*
 * tarball_scan.h - cairn's own walk of the raw tar bytes, beside
 * libarchive's, so that cairn and GNU tar can never disagree about an
 * archive's names, sizes or order (docs/format.md, "Reader rules").
 *
 * The tar reader (tarball.c) feeds every byte it hands to libarchive into
 * a scanner.  The scanner parses the headers the way GNU tar does and
 * queues one entry per member: the offset of its first header block, its
 * name as raw bytes (pax "path=", else a GNU long name, else ustar
 * prefix/name; never normalised), its type and size.  It refuses what
 * stock tools could read differently from cairn: pax global headers ('g'),
 * GNU long link names ('K'), a GNU long name combined with a pax header
 * for one member, two extended headers for one member, pax records other
 * than path/size/mtime/atime/ctime/uid/gid/uname/gname (hdrcharset,
 * GNU.sparse.*, linkpath, SCHILY.*, ...), a repeated path= or size=, any
 * typeflag but '0', '5', 'x' and 'L', pre-POSIX headers, and directories
 * that claim data.
 *
 * Knows the ustar/pax/GNU header layout only: nothing of libarchive, age,
 * manifests or files.  Never prints.
 */
#ifndef CAIRN_TARBALL_SCAN_H
#define CAIRN_TARBALL_SCAN_H

#include <stddef.h>
#include <stdint.h>

/* Largest pax extended header body accepted (cairn writes < 4.2 KiB). */
#define TSCAN_PAX_MAX (64 * 1024)
/* Most entries parsed ahead of libarchive (it reads at most a few 64 KiB
 * blocks ahead, so a few hundred at most). */
#define TSCAN_QUEUE_MAX 4096

struct tscan_entry {
	uint64_t start; /* offset of the member's first header block */
	char *name;     /* raw bytes, as stored (a directory keeps its '/');
			 * malloc'd, the caller's after tscan_pop() */
	int dir;        /* typeflag '5' */
	int pax_name;   /* the name came from a pax path= record */
	uint64_t size;  /* data bytes (0 for a directory) */
};

struct tscan;

/* A ustar number field of len bytes: optional leading spaces, octal
 * digits, then only NUL or space bytes.  -1 for anything else (including
 * GNU base-256). */
int64_t tscan_octal(const uint8_t *f, size_t len);

/* A new scanner at offset 0.  Returns 0 or CAIRN_ERR_NOMEM. */
int tscan_new(struct tscan **out);

/*
 * Parse the next len bytes of the stream.  Returns 0 or the scanner's
 * sticky error (see tscan_error()); after the end-of-archive block the
 * rest is ignored (the tar reader checks it is zero).
 */
int tscan_feed(struct tscan *s, const uint8_t *buf, size_t len);

/* The oldest queued entry into *out (its name is then the caller's to
 * free).  Returns 0, or 1 when none is queued. */
int tscan_pop(struct tscan *s, struct tscan_entry *out);

/* Entries queued and not popped yet. */
size_t tscan_queued(const struct tscan *s);

/* 1 once a zero block ended the archive. */
int tscan_ended(const struct tscan *s);

/*
 * The sticky error (0 when none): CAIRN_ERR_UNSAFE for a construct cairn
 * refuses, CAIRN_ERR_PAYLOAD for a damaged header, CAIRN_ERR_LIMIT,
 * CAIRN_ERR_NOMEM.  *why gets a static reason and *name the raw name (or
 * record key) it concerns, or NULL; both owned by the scanner.  It
 * concerns the member after the queued ones.
 */
int tscan_error(const struct tscan *s, const char **why, const char **name);

/* Accepts NULL; frees queued names too. */
void tscan_free(struct tscan *s);

#endif
