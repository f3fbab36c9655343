/*
 * custody.c - the custody log's entry text and the check of a whole log:
 * hash chain and minisign signatures (see custody.h; the format is in
 * docs/format.md).  An entry is one line:
 *
 *   cairn-custody v1 seq=N time=YYYY-MM-DDTHH:MM:SSZ action=A result=R
 *   tool=T archive=ID|- sha256=HEX|- size=N|- signer=KEYID|unsigned
 *   prev=HEX
 *
 * (one space between fields, "\n" at the end).  Decoding is strict: the
 * text must be exactly what encoding the parsed fields gives back.
 *
 * Knows minisig.h, digest.h and manifest.h's time format; nothing of
 * files (custody_dir.c) or archives.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cio.h"
#include "cairn/custody.h"
#include "cairn/digest.h"
#include "cairn/err.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"

#define MAGIC "cairn-custody v1"

/* s is 1..max-1 bytes, each in set (or "-" when dash_ok). */
static int
field_ok(const char *s, size_t max, const char *set, size_t exact, int dash_ok)
{
	size_t n = strlen(s);

	if (dash_ok && strcmp(s, "-") == 0)
		return 1;
	if (n == 0 || n >= max || (exact != 0 && n != exact))
		return 0;
	return strspn(s, set) == n;
}

#define LOWER_HEX "0123456789abcdef"
#define UPPER_HEX "0123456789ABCDEF"

static int
entry_ok(const struct custody_entry *e)
{
	return field_ok(e->action, sizeof(e->action),
	           "abcdefghijklmnopqrstuvwxyz-", 0, 0) &&
	    field_ok(e->result, sizeof(e->result),
	        "abcdefghijklmnopqrstuvwxyz0123456789", 0, 0) &&
	    field_ok(e->tool, sizeof(e->tool),
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	        "0123456789./+-~",
	        0, 0) &&
	    field_ok(e->archive_id, sizeof(e->archive_id), LOWER_HEX, 32, 1) &&
	    field_ok(e->sha256, sizeof(e->sha256), LOWER_HEX, 64, 1) &&
	    (strcmp(e->signer, "unsigned") == 0 ||
	        field_ok(e->signer, sizeof(e->signer), UPPER_HEX, 16, 0)) &&
	    e->seq >= 1 && e->seq <= CUSTODY_MAX_ENTRIES;
}

int
custody_entry_encode(const struct custody_entry *e, char **out, size_t *outlen)
{
	char t[MANIFEST_TIME_LEN], prev[DIGEST_SHA256_HEX_LEN], size[24];
	char *buf;
	int n;

	*out = NULL;
	if (!entry_ok(e) || manifest_time_format(e->time, t) != 0)
		return CAIRN_ERR_INVAL;
	digest_hex(e->prev, sizeof(e->prev), prev);
	if (e->has_size)
		snprintf(size, sizeof(size), "%" PRIu64, e->size);
	else
		snprintf(size, sizeof(size), "-");
	if ((buf = cio_malloc(CUSTODY_ENTRY_MAX)) == NULL)
		return CAIRN_ERR_NOMEM;
	n = snprintf(buf, CUSTODY_ENTRY_MAX,
	    MAGIC " seq=%" PRIu64 " time=%s action=%s result=%s tool=%s "
	          "archive=%s sha256=%s size=%s signer=%s prev=%s\n",
	    e->seq, t, e->action, e->result, e->tool, e->archive_id, e->sha256,
	    size, e->signer, prev);
	if (n < 0 || n >= CUSTODY_ENTRY_MAX) {
		free(buf);
		return CAIRN_ERR_INVAL;
	}
	*out = buf;
	*outlen = (size_t)n;
	return 0;
}

/* The value of "key=" at *p (up to the next space or newline) into out. */
static int
take(const char **p, const char *key, char *out, size_t max)
{
	size_t k = strlen(key), n;

	if (strncmp(*p, key, k) != 0 || (*p)[k] != '=')
		return -1;
	*p += k + 1;
	n = strcspn(*p, " \n");
	if (n == 0 || n >= max)
		return -1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	if (**p == ' ')
		(*p)++;
	return 0;
}

static int
unhex32(const char *s, uint8_t out[32])
{
	if (!field_ok(s, 65, LOWER_HEX, 64, 0))
		return -1;
	for (size_t i = 0; i < 32; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int
number(const char *s, uint64_t *v)
{
	char *end;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0') ||
	    strlen(s) > 19)
		return -1;
	*v = strtoull(s, &end, 10);
	return *end == '\0' ? 0 : -1;
}

int
custody_entry_decode(const char *text, size_t len, struct custody_entry *e)
{
	char seq[24], t[24], size[24], prev[72], *again = NULL;
	char buf[CUSTODY_ENTRY_MAX];
	const char *p = buf;
	size_t againlen = 0;
	int ok;

	memset(e, 0, sizeof(*e));
	if (len >= CUSTODY_ENTRY_MAX || memchr(text, '\0', len) != NULL ||
	    len < sizeof(MAGIC) || memcmp(text, MAGIC " ", sizeof(MAGIC)) != 0)
		return CAIRN_ERR_FORMAT;
	/* The string functions below need the terminating NUL. */
	memcpy(buf, text, len);
	buf[len] = '\0';
	p += sizeof(MAGIC);
	if (take(&p, "seq", seq, sizeof(seq)) != 0 ||
	    take(&p, "time", t, sizeof(t)) != 0 ||
	    take(&p, "action", e->action, sizeof(e->action)) != 0 ||
	    take(&p, "result", e->result, sizeof(e->result)) != 0 ||
	    take(&p, "tool", e->tool, sizeof(e->tool)) != 0 ||
	    take(&p, "archive", e->archive_id, sizeof(e->archive_id)) != 0 ||
	    take(&p, "sha256", e->sha256, sizeof(e->sha256)) != 0 ||
	    take(&p, "size", size, sizeof(size)) != 0 ||
	    take(&p, "signer", e->signer, sizeof(e->signer)) != 0 ||
	    take(&p, "prev", prev, sizeof(prev)) != 0)
		return CAIRN_ERR_FORMAT;
	if (number(seq, &e->seq) != 0 ||
	    manifest_time_parse(t, strlen(t), &e->time) != 0 ||
	    unhex32(prev, e->prev) != 0)
		return CAIRN_ERR_FORMAT;
	if (strcmp(size, "-") != 0) {
		if (number(size, &e->size) != 0)
			return CAIRN_ERR_FORMAT;
		e->has_size = 1;
	}
	/* Canonical: the text is exactly what the fields encode to. */
	if (custody_entry_encode(e, &again, &againlen) != 0)
		return CAIRN_ERR_FORMAT;
	ok = againlen == len && memcmp(again, text, len) == 0;
	free(again);
	return ok ? 0 : CAIRN_ERR_FORMAT;
}

static int
bad_at(
    size_t i, size_t *bad, char why[CUSTODY_WHY_LEN], int rc, const char *what)
{
	*bad = i + 1;
	snprintf(why, CUSTODY_WHY_LEN, "%s", what);
	return rc;
}

/* Signature of item it (entry i) against pk. */
static int
check_sig(const struct custody_item *it, const struct minisig_public *pk,
    size_t i, size_t *bad, char why[CUSTODY_WHY_LEN])
{
	char kid[MINISIG_KEY_ID_HEX_LEN];
	int rc;

	if (strcmp(it->e.signer, "unsigned") == 0)
		return it->sig == NULL
		    ? 0
		    : bad_at(i, bad, why, CAIRN_ERR_INTEGRITY,
		          "an unsigned entry has a signature file");
	if (it->sig == NULL)
		return bad_at(
		    i, bad, why, CAIRN_ERR_SIGNATURE, "signature file missing");
	minisig_key_id_hex(pk->key_id, kid);
	if (strcmp(kid, it->e.signer) != 0)
		return bad_at(i, bad, why, CAIRN_ERR_SIGNATURE,
		    "signed by another key than the one given");
	rc = minisig_verify(pk, it->text, it->len, it->sig, it->siglen, NULL);
	if (rc == CAIRN_ERR_NOMEM)
		return rc;
	return rc == 0 ? 0
	               : bad_at(i, bad, why, CAIRN_ERR_SIGNATURE,
	                     "signature does not verify");
}

int
custody_verify(const struct custody_log *log, const struct minisig_public *pk,
    size_t *unchecked, size_t *bad, char why[CUSTODY_WHY_LEN])
{
	uint8_t prev[32];
	int rc;

	*bad = 0;
	*unchecked = 0;
	why[0] = '\0';
	memset(prev, 0, sizeof(prev));
	for (size_t i = 0; i < log->n; i++) {
		const struct custody_item *it = &log->v[i];

		if (!it->parsed)
			return bad_at(i, bad, why, CAIRN_ERR_INTEGRITY,
			    "not a custody entry (edited or damaged)");
		if (it->e.seq != i + 1)
			return bad_at(i, bad, why, CAIRN_ERR_INTEGRITY,
			    "out of sequence (an entry was removed, added or "
			    "renamed)");
		if (!digest_equal(prev, it->e.prev, sizeof(prev)))
			return bad_at(i, bad, why, CAIRN_ERR_INTEGRITY,
			    "the previous entry is not the one chained "
			    "(removed, reordered or edited)");
		if (pk != NULL) {
			if ((rc = check_sig(it, pk, i, bad, why)) != 0)
				return rc;
		} else if (strcmp(it->e.signer, "unsigned") != 0)
			(*unchecked)++;
		if ((rc = digest_sha256(it->text, it->len, prev)) != 0)
			return rc;
	}
	return 0;
}
