/*
 * age_armor.h - the ASCII armor of age v1 files: strict PEM (RFC 7468
 * section 3) with the label "AGE ENCRYPTED FILE", 64-column lines and
 * canonical padded base64.  Streaming in both directions.  Knows nothing
 * of what the armored bytes mean.
 */
#ifndef CAIRN_AGE_ARMOR_H
#define CAIRN_AGE_ARMOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cairn/cio.h"

/* Format constants (fixed by the age v1 spec). */
#define AGE_ARMOR_BEGIN   "-----BEGIN AGE ENCRYPTED FILE-----"
#define AGE_ARMOR_END     "-----END AGE ENCRYPTED FILE-----"
#define AGE_ARMOR_COLUMNS 64
/* cairn (and age) limit on whitespace around the armor. */
#define AGE_ARMOR_MAX_WHITESPACE 1024

/*
 * Does a file starting with buf[0..len) look armored?  Yes when, after
 * leading whitespace, it starts with "-----" (a PEM-ish line), or when it does not
 * start with the binary "age-encryption.org/" intro and "-----BEGIN"
 * appears in buf (so garbage before an armor is an armor error, not a
 * header error).  Pass at least the first 1 KiB + 64 bytes when there
 * are that many.
 */
int age_armor_detect(const uint8_t *buf, size_t len);

/*
 * Decoding reader: a cio_source yielding the armored bytes.  Accepts
 * whitespace-only lines (up to AGE_ARMOR_MAX_WHITESPACE bytes) before the
 * BEGIN line, whitespace after the END line (less than that), and LF or
 * CRLF line ends; rejects everything else (CAIRN_ERR_ARMOR, sticky,
 * reported after the bytes decoded before it).  src must stay valid.
 * Reads src in blocks of 256 KiB.
 */
struct age_armor_reader;
int age_armor_reader_new(
    struct age_armor_reader **out, const struct cio_source *src);
/* cio_source read function; ctx is the struct age_armor_reader. */
ssize_t age_armor_read(void *reader, uint8_t *buf, size_t len);
void age_armor_reader_free(struct age_armor_reader *r);

/*
 * Encoding writer: a cio_sink (age_armor_write) that writes the armor of
 * everything written to it to sink, in large blocks.  finish() writes the
 * last line and the END line; it must be called for a complete armor.
 */
struct age_armor_writer;
int age_armor_writer_new(
    struct age_armor_writer **out, const struct cio_sink *sink);
int age_armor_write(void *writer, const uint8_t *buf, size_t len);
int age_armor_writer_finish(struct age_armor_writer *w);
void age_armor_writer_free(struct age_armor_writer *w);

#endif
