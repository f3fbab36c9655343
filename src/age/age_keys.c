/*
 * age_keys.c - recipient and identity lists: recipient strings and
 * recipients files, identity files (plain, or themselves age files
 * encrypted to a passphrase), passphrases and raw X25519 keys, and the
 * one raw key of an identity file (age_x25519_identity_secret_key).
 *
 * Must not know the header or payload formats (an encrypted identity file
 * is read through age_reader like any other age file) or how a
 * passphrase is obtained (a callback).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "age_armor.h"
#include "age_scrypt.h"
#include "age_x25519.h"
#include "bech32.h"
#include "cairn/err.h"

#define MAX_KEY_LINE   4096 /* longer identity/recipient lines are bad */
#define PASSPHRASE_CAP 1024 /* buffer handed to the passphrase callback */

/* ---- lists ------------------------------------------------------------- */

static int
recipients_push(struct age_recipients *rs, const struct age_recipient *r)
{
	struct age_recipient *v;

	v = cio_realloc(rs->v, (rs->n + 1) * sizeof(*v));
	if (v == NULL) {
		r->ops->free(r->ctx);
		return CAIRN_ERR_NOMEM;
	}
	rs->v = v;
	rs->v[rs->n++] = *r;
	return 0;
}

static int
identities_push(struct age_identities *ids, const struct age_identity *id)
{
	struct age_identity *v;

	v = cio_realloc(ids->v, (ids->n + 1) * sizeof(*v));
	if (v == NULL) {
		id->ops->free(id->ctx);
		return CAIRN_ERR_NOMEM;
	}
	ids->v = v;
	ids->v[ids->n++] = *id;
	return 0;
}

static void
recipients_truncate(struct age_recipients *rs, size_t n)
{
	while (rs->n > n) {
		rs->n--;
		rs->v[rs->n].ops->free(rs->v[rs->n].ctx);
	}
}

static void
identities_truncate(struct age_identities *ids, size_t n)
{
	while (ids->n > n) {
		ids->n--;
		ids->v[ids->n].ops->free(ids->v[ids->n].ctx);
	}
}

void
age_recipients_free(struct age_recipients *rs)
{
	if (rs == NULL)
		return;
	recipients_truncate(rs, 0);
	free(rs->v);
	rs->v = NULL;
}

void
age_identities_free(struct age_identities *ids)
{
	if (ids == NULL)
		return;
	identities_truncate(ids, 0);
	free(ids->v);
	ids->v = NULL;
}

/* ---- recipients -------------------------------------------------------- */

static int
has_prefix(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && memcmp(s, p, n) == 0;
}

static int
add_recipient(struct age_recipients *rs, const char *s, size_t len)
{
	struct age_recipient r;
	uint8_t pk[AGE_X25519_KEY_LEN], data[2048];
	char hrp[96];
	size_t got;
	int ret;

	if (age_x25519_recipient_parse(s, len, pk) == 0) {
		if ((ret = age_x25519_recipient_new(&r, pk)) != 0)
			return ret;
		return recipients_push(rs, &r);
	}
	/* Valid Bech32 "age1..." of another kind: post-quantum, tagged or
	 * plugin recipients; and SSH keys. */
	if ((has_prefix(s, len, "age1") &&
	        bech32_decode(
	            s, len, hrp, sizeof(hrp), data, sizeof(data), &got) == 0 &&
	        has_prefix(hrp, strlen(hrp), "age1")) ||
	    has_prefix(s, len, "ssh-ed25519 ") ||
	    has_prefix(s, len, "ssh-rsa "))
		return CAIRN_ERR_UNSUPPORTED;
	return CAIRN_ERR_INVAL;
}

int
age_recipients_add_string(struct age_recipients *rs, const char *s)
{
	return add_recipient(rs, s, strlen(s));
}

/* Calls fn on each non-blank, non-comment line (CR and surrounding
 * spaces/tabs removed); stops at the first error, setting *bad_line. */
static int
each_line(const char *text, size_t len, size_t *bad_line,
    int (*fn)(void *, const char *, size_t), void *ctx)
{
	size_t off = 0, lineno = 0;
	int ret;

	while (off < len) {
		const char *p = text + off, *nl = memchr(p, '\n', len - off);
		size_t n = nl != NULL ? (size_t)(nl - p) : len - off;

		off += n + (nl != NULL);
		lineno++;
		while (n > 0 &&
		    (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		if (n == 0 || *p == '#')
			continue;
		if ((ret = fn(ctx, p, n)) != 0) {
			if (bad_line != NULL)
				*bad_line = lineno;
			return ret;
		}
	}
	return 0;
}

static int
recipient_line(void *ctx, const char *s, size_t n)
{
	return add_recipient(ctx, s, n);
}

int
age_recipients_add_text(
    struct age_recipients *rs, const char *text, size_t len, size_t *bad_line)
{
	size_t n0 = rs->n;
	int ret;

	if (bad_line != NULL)
		*bad_line = 0;
	ret = each_line(text, len, bad_line, recipient_line, rs);
	if (ret != 0)
		recipients_truncate(rs, n0);
	return ret;
}

int
age_recipients_add_passphrase(struct age_recipients *rs, const char *pass,
    size_t passlen, int work_factor)
{
	struct age_recipient r;
	int ret;

	if ((ret = age_scrypt_recipient_new(&r, pass, passlen, work_factor)))
		return ret;
	return recipients_push(rs, &r);
}

/* ---- identities -------------------------------------------------------- */

int
age_identities_add(struct age_identities *ids, const struct age_identity *id)
{
	return identities_push(ids, id);
}

int
age_identities_add_x25519(
    struct age_identities *ids, const uint8_t sk[AGE_X25519_KEY_LEN])
{
	struct age_identity id;
	int ret;

	if ((ret = age_x25519_identity_new(&id, sk)) != 0)
		return ret;
	return identities_push(ids, &id);
}

int
age_identities_add_passphrase(
    struct age_identities *ids, const char *pass, size_t passlen)
{
	struct age_identity id;
	int ret;

	if ((ret = age_scrypt_identity_new(&id, pass, passlen, 0)) != 0)
		return ret;
	return identities_push(ids, &id);
}

static int
identity_line(void *ctx, const char *s, size_t n)
{
	struct age_identities *ids = ctx;
	char *line;
	uint8_t *sk;
	int ret = CAIRN_ERR_INVAL;

	if (has_prefix(s, n, "AGE-SECRET-KEY-PQ-1") ||
	    has_prefix(s, n, "AGE-PLUGIN-"))
		return CAIRN_ERR_UNSUPPORTED;
	if (n > MAX_KEY_LINE)
		return CAIRN_ERR_INVAL;
	line = cio_secret_malloc(n + 1);
	sk = cio_secret_malloc(AGE_X25519_KEY_LEN);
	if (line == NULL || sk == NULL || cio_fault_hit()) {
		ret = CAIRN_ERR_NOMEM;
		goto out;
	}
	memcpy(line, s, n);
	line[n] = '\0';
	if (age_x25519_identity_parse(line, sk) == 0)
		ret = age_identities_add_x25519(ids, sk);
out:
	sodium_free(line);
	sodium_free(sk);
	return ret;
}

/* Decrypt an identity file that is an age file, with a passphrase from cb,
 * into *plain (sodium_malloc'd, *plainlen bytes). */
static int
decrypt_identity_file(const char *text, size_t len, age_passphrase_cb cb,
    void *cbctx, char **plain, size_t *plainlen)
{
	struct age_identities pw = {0};
	char *pass = NULL;
	size_t passlen = 0;
	int ret;

	*plain = NULL;
	*plainlen = 0;
	if (cb == NULL)
		return CAIRN_ERR_NO_MATCH;
	pass = cio_secret_malloc(PASSPHRASE_CAP);
	if (pass == NULL || cio_fault_hit()) {
		ret = CAIRN_ERR_NOMEM;
		goto out;
	}
	if ((ret = cb(cbctx, "Enter passphrase for identity file", pass,
	         PASSPHRASE_CAP, &passlen)) != 0)
		goto out;
	if (passlen > PASSPHRASE_CAP) {
		ret = CAIRN_ERR_INVAL;
		goto out;
	}
	if ((ret = age_identities_add_passphrase(&pw, pass, passlen)) != 0)
		goto out;
	ret = age_decrypt_mem(text, len, &pw, plain, plainlen);
out:
	age_identities_free(&pw);
	sodium_free(pass);
	return ret;
}

static int
looks_like_age_file(const char *text, size_t len)
{
	static const char intro[] = "age-encryption.org/";

	if (len >= sizeof(intro) - 1 &&
	    memcmp(text, intro, sizeof(intro) - 1) == 0)
		return 1;
	return age_armor_detect((const uint8_t *)text, len);
}

int
age_identities_add_text(struct age_identities *ids, const char *text,
    size_t len, age_passphrase_cb cb, void *cbctx, size_t *bad_line)
{
	char *plain = NULL;
	size_t plainlen = 0, n0 = ids->n;
	int ret;

	if (bad_line != NULL)
		*bad_line = 0;
	if (looks_like_age_file(text, len)) {
		if ((ret = decrypt_identity_file(
		         text, len, cb, cbctx, &plain, &plainlen)) != 0)
			return ret;
		/* The decrypted file must be plain identity text. */
		if (looks_like_age_file(plain, plainlen))
			ret = CAIRN_ERR_INVAL;
		else
			ret = each_line(
			    plain, plainlen, bad_line, identity_line, ids);
		sodium_free(plain);
	} else {
		ret = each_line(text, len, bad_line, identity_line, ids);
	}
	if (ret == 0 && ids->n == n0)
		ret = CAIRN_ERR_INVAL; /* no identity in the file */
	if (ret != 0)
		identities_truncate(ids, n0);
	return ret;
}

int
age_identities_each_recipient(const struct age_identities *ids,
    int (*cb)(void *cbctx, const char *recipient), void *cbctx)
{
	uint8_t pk[AGE_X25519_KEY_LEN];
	char s[AGE_RECIPIENT_STR_LEN];
	size_t i;
	int ret;

	for (i = 0; i < ids->n; i++) {
		if (age_x25519_identity_public_key(&ids->v[i], pk) != 0)
			continue;
		if ((ret = age_x25519_recipient_string(pk, s)) != 0 ||
		    (ret = cb(cbctx, s)) != 0)
			return ret;
	}
	return 0;
}

/* ---- one raw key --------------------------------------------------------- */

int
age_x25519_identity_secret_key(const char *text, size_t len,
    uint8_t sk[AGE_X25519_KEY_LEN], size_t *bad_line)
{
	static const char prefix[] = "AGE-SECRET-KEY-1";
	const char *p, *end = text + len, *b, *e;
	char *key;
	size_t line = 0, nkeys = 0;
	int ret = 0;

	*bad_line = 0;
	if ((key = cio_secret_malloc(AGE_IDENTITY_STR_LEN + 1)) == NULL)
		return CAIRN_ERR_NOMEM;
	for (p = text; ret == 0 && cio_next_line(&p, end, &b, &e);) {
		line++;
		if (b == e || *b == '#')
			continue;
		if ((size_t)(e - b) > AGE_IDENTITY_STR_LEN ||
		    !has_prefix(b, (size_t)(e - b), prefix))
			ret = CAIRN_ERR_FORMAT;
		else if (++nkeys > 1)
			continue;
		else {
			memcpy(key, b, (size_t)(e - b));
			key[e - b] = '\0';
			if (age_x25519_identity_parse(key, sk) != 0)
				ret = CAIRN_ERR_INVAL;
		}
		if (ret != 0)
			*bad_line = line;
	}
	if (ret == 0 && nkeys == 0)
		ret = CAIRN_ERR_NO_MATCH;
	else if (ret == 0 && nkeys > 1)
		ret = CAIRN_ERR_LIMIT;
	if (ret != 0)
		sodium_memzero(sk, AGE_X25519_KEY_LEN);
	sodium_free(key);
	return ret;
}
