/*
 * minisig_trust.c - who a key is: fingerprints (SHA-256 of the whole
 * public key, for people to compare), whole-key comparison, and lists of
 * trusted signers with their text format (the key home's "signers" file;
 * see minisig.h).
 *
 * Knows nothing of files, archives or the terminal: callers read and
 * write the text themselves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/minisig.h"
#include "minisig_impl.h"

void
minisig_fingerprint(
    const struct minisig_public *pk, char out[MINISIG_FINGERPRINT_LEN])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t h[crypto_hash_sha256_BYTES];
	size_t o = 0;

	crypto_hash_sha256(h, pk->pk, MINISIG_PK_LEN);
	for (size_t i = 0; i < MINISIG_FINGERPRINT_BYTES; i++) {
		if (i > 0 && i % 2 == 0)
			out[o++] = ' ';
		out[o++] = hex[h[i] >> 4];
		out[o++] = hex[h[i] & 15];
	}
	out[o] = '\0';
}

int
minisig_public_same(
    const struct minisig_public *a, const struct minisig_public *b)
{
	return sodium_memcmp(a->pk, b->pk, MINISIG_PK_LEN) == 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int
minisig_trust_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > MINISIG_TRUST_NAME_MAX || is_blank(name[0]) ||
	    name[0] == '#' || is_blank(name[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return 0;
	return 1;
}

long
minisig_trust_find(
    const struct minisig_trust *t, const struct minisig_public *pk)
{
	for (size_t i = 0; i < t->n; i++)
		if (minisig_public_same(&t->v[i].pk, pk))
			return (long)i;
	return -1;
}

long
minisig_trust_find_name(const struct minisig_trust *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return (long)i;
	return -1;
}

long
minisig_trust_find_key_id_clash(
    const struct minisig_trust *t, const struct minisig_public *pk)
{
	for (size_t i = 0; i < t->n; i++)
		if (memcmp(t->v[i].pk.key_id, pk->key_id, MINISIG_KEY_ID_LEN) ==
		        0 &&
		    !minisig_public_same(&t->v[i].pk, pk))
			return (long)i;
	return -1;
}

int
minisig_trust_add(
    struct minisig_trust *t, const char *name, const struct minisig_public *pk)
{
	if (!minisig_trust_name_ok(name))
		return CAIRN_ERR_INVAL;
	if (minisig_trust_find_name(t, name) >= 0 ||
	    minisig_trust_find(t, pk) >= 0)
		return CAIRN_ERR_EXISTS;
	if (t->n == t->cap) {
		size_t cap = t->cap == 0 ? 8 : t->cap * 2;
		struct minisig_trusted *v = cio_realloc(t->v, cap * sizeof(*v));

		if (v == NULL)
			return CAIRN_ERR_NOMEM;
		t->v = v;
		t->cap = cap;
	}
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	memcpy(t->v[t->n].name, name, strlen(name) + 1);
	t->v[t->n].pk = *pk;
	t->n++;
	return 0;
}

/* One non-comment line: key, blanks, name.  0 or an error. */
static int
parse_line(struct minisig_trust *t, const char *line, size_t ll)
{
	char name[MINISIG_TRUST_NAME_MAX + 1];
	struct minisig_public pk;
	size_t k = 0, ns, ne;

	while (k < ll && !is_blank(line[k]))
		k++;
	if (k == ll || minisig_public_decode(line, k, &pk) != 0)
		return CAIRN_ERR_FORMAT;
	for (ns = k; ns < ll && is_blank(line[ns]); ns++)
		;
	for (ne = ll; ne > ns && is_blank(line[ne - 1]); ne--)
		;
	if (ne == ns || ne - ns > MINISIG_TRUST_NAME_MAX ||
	    memchr(line + ns, '\0', ne - ns) != NULL)
		return CAIRN_ERR_FORMAT;
	memcpy(name, line + ns, ne - ns);
	name[ne - ns] = '\0';
	switch (minisig_trust_add(t, name, &pk)) {
	case 0: return 0;
	case CAIRN_ERR_NOMEM: return CAIRN_ERR_NOMEM;
	default: return CAIRN_ERR_FORMAT;
	}
}

int
minisig_trust_parse(
    const char *text, size_t len, struct minisig_trust *t, size_t *bad_line)
{
	const char *line;
	size_t off = 0, ll, lineno = 0, k;
	int rc = 0;

	*bad_line = 0;
	memset(t, 0, sizeof(*t));
	while (off < len) {
		lineno++;
		if ((rc = minisig_line(text, len, &off, &line, &ll)) != 0)
			break;
		for (k = 0; k < ll && is_blank(line[k]); k++)
			;
		if (k == ll || line[k] == '#')
			continue;
		if ((rc = parse_line(t, line + k, ll - k)) != 0)
			break;
	}
	if (rc != 0) {
		if (rc == CAIRN_ERR_FORMAT)
			*bad_line = lineno;
		minisig_trust_free(t);
	}
	return rc;
}

int
minisig_trust_line(const struct minisig_trusted *e, char **out)
{
	char b64[MINISIG_PUBLIC_B64_LEN];
	size_t cap = MINISIG_PUBLIC_B64_LEN + strlen(e->name) + 2;

	if ((*out = cio_malloc(cap)) == NULL)
		return CAIRN_ERR_NOMEM;
	minisig_public_base64(&e->pk, b64);
	snprintf(*out, cap, "%s %s\n", b64, e->name);
	return 0;
}

void
minisig_trust_free(struct minisig_trust *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}
