/*
 * cli_shares.c - reading SLIP-39 share files (plain, or age-encrypted to
 * the reader) for the share verbs, with messages that name the file at
 * fault (see cli_shares.h).  Choosing a subset and combining it is in
 * cli_shares_combine.c, writing share sets in cli_share_write.c, the
 * command-line set shape in cli_share_groups.c, and reading an identity's
 * raw secret in cli_share_identity.c.
 *
 * Never corrects a word.  Knows slip39.h and age.h; nothing of archives.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/minisig.h"
#include "cli.h"
#include "cli_shares.h"
#include "cairn/slip39.h"

/* Read a file for the share verbs; "-" is stdin.  Exit code or 0. */
static int
read_small(const char *path, size_t max, int secret, const char *what,
    char **text, size_t *len)
{
	int rc, ec;

	if (strcmp(path, "-") == 0 && (ec = cli_claim_stdin(what)) != 0)
		return ec;
	rc = cio_read_file(path, max, secret, text, len);
	if (rc == 0) {
		if (secret)
			cli_warn_modeless(path, what, NULL);
		return 0;
	}
	/* An over-long share file is hostile input (exit 4), not a mistake. */
	if (rc == CAIRN_ERR_LIMIT)
		return cli_fail_why(
		    CLI_EXIT_INTEGRITY, "file too large", "%s", path);
	return cli_read_error(rc, path, what);
}

int
cli_read_secret_file(
    const char *path, size_t max, const char *what, char **text, size_t *len)
{
	return read_small(path, max, 1, what, text, len);
}

/* A "# key: value" comment (b..e, '#' stripped): value in vb..ve. */
static int
comment_key(const char *b, const char *e, const char *key, const char **vb,
    const char **ve)
{
	size_t kl = strlen(key);

	cio_trim(&b, &e);
	if ((size_t)(e - b) < kl || memcmp(b, key, kl) != 0)
		return 0;
	*vb = b + kl;
	*ve = e;
	cio_trim(vb, ve);
	return 1;
}

static int
parse_recovers(struct cli_share *sh, const char *path, size_t line,
    const char *b, const char *e)
{
	struct age_recipients rs = {NULL, 0};
	size_t n = (size_t)(e - b);
	int rc;

	if (sh->recovers[0] != '\0')
		return cli_fail_why(CLI_EXIT_INTEGRITY,
		    "a second '# recovers:' line", "%s:%zu", path, line);
	if (n == 0 || n >= AGE_RECIPIENT_STR_LEN)
		goto bad;
	memcpy(sh->recovers, b, n);
	sh->recovers[n] = '\0';
	rc = age_recipients_add_string(&rs, sh->recovers);
	age_recipients_free(&rs);
	if (rc == CAIRN_ERR_NOMEM)
		return cli_fail(rc, "%s", path);
	if (rc == 0 && strncmp(sh->recovers, "age1", 4) == 0)
		return 0;
bad:
	sh->recovers[0] = '\0';
	return cli_fail_why(CLI_EXIT_INTEGRITY,
	    "'# recovers:' is not an age1... public key", "%s:%zu", path, line);
}

/* N of a "# share: M of N..." or "copy M of N..." comment (as written by
 * cli_share_text()); 0 when it says otherwise. */
static int
member_count(const char *b, const char *e)
{
	char buf[64];
	size_t n = (size_t)(e - b) < sizeof(buf) - 1 ? (size_t)(e - b)
	                                             : sizeof(buf) - 1;
	int m, of;

	memcpy(buf, b, n);
	buf[n] = '\0';
	if (sscanf(buf, "%d of %d", &m, &of) == 2 ||
	    sscanf(buf, "copy %d of %d", &m, &of) == 2)
		return of >= 1 && of <= SLIP39_MAX_SHARES && m >= 1 && m <= of
		    ? of
		    : 0;
	return 0;
}

/* "# signer: RW..." into sh (at most one, a minisign public key). */
static int
parse_signer(struct cli_share *sh, const char *path, size_t line, const char *b,
    const char *e)
{
	if (sh->has_signer)
		return cli_fail_why(CLI_EXIT_INTEGRITY,
		    "a second '# signer:' line", "%s:%zu", path, line);
	if ((size_t)(e - b) != MINISIG_PUBLIC_B64_LEN - 1 ||
	    minisig_public_decode(b, (size_t)(e - b), &sh->signer) != 0)
		return cli_fail_why(CLI_EXIT_INTEGRITY,
		    "'# signer:' is not a minisign public key (RW...)",
		    "%s:%zu", path, line);
	sh->has_signer = 1;
	return 0;
}

/* The fingerprint line, when there is one, must be the signer's. */
static int
check_signer_fp(const struct cli_share *sh, const char *path, const char *fb,
    const char *fe)
{
	char fp[MINISIG_FINGERPRINT_LEN];

	if (fb == NULL)
		return 0;
	// clang-format off
	if (!sh->has_signer)
		return cli_fail_why(CLI_EXIT_INTEGRITY, "'# signer fingerprint:' without a '# signer:' line", "%s", path);
	minisig_fingerprint(&sh->signer, fp);
	if ((size_t)(fe - fb) != strlen(fp) || memcmp(fb, fp, strlen(fp)) != 0)
		return cli_fail_why(CLI_EXIT_INTEGRITY, "'# signer fingerprint:' is not the fingerprint of the '# signer:' key: possibly tampered", "%s", path);
	// clang-format on
	return 0;
}

/* One comment line b..e ('#' stripped); the fingerprint's value is left
 * in *fb..*fe for check_signer_fp(). */
static int
parse_comment(struct cli_share *sh, const char *path, size_t line,
    const char *b, const char *e, const char **fb, const char **fe)
{
	const char *vb, *ve;

	if (comment_key(b, e, CLI_SHARE_RECOVERS, &vb, &ve))
		return parse_recovers(sh, path, line, vb, ve);
	if (comment_key(b, e, CLI_SHARE_SIGNER, &vb, &ve))
		return parse_signer(sh, path, line, vb, ve);
	if (comment_key(b, e, CLI_SHARE_SIGNER_FP, &vb, &ve)) {
		if (*fb != NULL)
			return cli_fail_why(CLI_EXIT_INTEGRITY,
			    "a second '# signer fingerprint:' line", "%s:%zu",
			    path, line);
		*fb = vb;
		*fe = ve;
	} else if (comment_key(b, e, CLI_SHARE_LABEL, &vb, &ve)) {
		size_t n = (size_t)(ve - vb);

		if (n > CLI_SHARE_LABEL_MAX)
			n = CLI_SHARE_LABEL_MAX;
		memcpy(sh->label, vb, n);
		sh->label[n] = '\0';
	} else if (comment_key(b, e, "share:", &vb, &ve))
		sh->member_count = member_count(vb, ve);
	return 0;
}

/*
 * Parse share text into sh: comments, then the mnemonic words (which may
 * span lines) into words (cap > len).  Returns 0 or an exit code.
 */
static int
parse_text(struct cli_share *sh, const char *path, const char *text, size_t len,
    char *words)
{
	const char *p = text, *end = text + len, *b, *e;
	const char *fb = NULL, *fe = NULL;
	size_t wl = 0, line = 0;
	int ec;

	if (memchr(text, '\0', len) != NULL)
		return cli_fail_why(CLI_EXIT_INTEGRITY,
		    "not a share file (NUL byte)", "%s", path);
	while (cio_next_line(&p, end, &b, &e)) {
		line++;
		if (b == e)
			continue;
		if (*b == '#') {
			if ((ec = parse_comment(
			         sh, path, line, b + 1, e, &fb, &fe)) != 0)
				return ec;
			continue;
		}
		if (wl > 0)
			words[wl++] = ' ';
		memcpy(words + wl, b, (size_t)(e - b));
		wl += (size_t)(e - b);
	}
	words[wl] = '\0';
	if (wl == 0)
		return cli_fail_why(
		    CLI_EXIT_INTEGRITY, "no share words found", "%s", path);
	return check_signer_fp(sh, path, fb, fe);
}

static size_t
count_words(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (!cio_is_space((unsigned char)*s) &&
		    (s[1] == '\0' || cio_is_space((unsigned char)s[1])))
			n++;
	return n;
}

/* Explain a slip39_mnemonic_decode failure; returns the exit code. */
static int
decode_fail(
    int rc, const struct slip39_diag *d, const char *path, const char *words)
{
	switch (d->problem) {
	case SLIP39_PROBLEM_UNKNOWN_WORD:
		cli_error("%s: word %zu is not in the SLIP-39 word list", path,
		    d->word);
		// clang-format off
		cli_hint("compare it with the written share; cairn never corrects words");
		// clang-format on
		return CLI_EXIT_INTEGRITY;
	case SLIP39_PROBLEM_CHECKSUM:
		// clang-format off
		cli_error("%s: checksum mismatch: a word is wrong, missing or out of place", path);
		cli_hint("compare every word with the written share; cairn never corrects words");
		// clang-format on
		return CLI_EXIT_INTEGRITY;
	case SLIP39_PROBLEM_LENGTH:
		cli_error("%s: %zu words is not a valid share length", path,
		    count_words(words));
		return CLI_EXIT_INTEGRITY;
	case SLIP39_PROBLEM_NONE: break;
	default:
		cli_error("%s: not a valid share: %s", path,
		    slip39_problem_str(d->problem));
		return CLI_EXIT_INTEGRITY;
	}
	if (rc == CAIRN_ERR_LIMIT) {
		cli_error("%s: too many words (%zu)", path, count_words(words));
		return CLI_EXIT_INTEGRITY;
	}
	return cli_fail(rc, "%s", path);
}

int
cli_share_read(struct cli_share *sh, const char *path,
    const struct age_identities *ids, char **text_out, size_t *text_len)
{
	struct slip39_diag diag;
	char *raw = NULL, *plain = NULL, *words = NULL;
	const char *text;
	size_t rawlen = 0, plainlen = 0, len;
	int rc, ec;

	sodium_memzero(sh, sizeof(*sh));
	sh->path = path;
	if (text_out != NULL) {
		*text_out = NULL;
		*text_len = 0;
	}
	if ((ec = read_small(path, CLI_SHARE_FILE_MAX, 0, "share file", &raw,
	         &rawlen)) != 0)
		goto out;
	text = raw;
	len = rawlen;
	if (age_is_encrypted(raw, rawlen)) {
		sh->encrypted = 1;
		if (ids == NULL || ids->n == 0) {
			cli_error("%s: the share file is encrypted", path);
			// clang-format off
			cli_hint("give the identity it was encrypted to with -i FILE");
			// clang-format on
			ec = CLI_EXIT_NO_MATCH;
			goto out;
		}
		rc = age_decrypt_mem(raw, rawlen, ids, &plain, &plainlen);
		if (rc == CAIRN_ERR_NO_MATCH) {
			// clang-format off
			cli_error("%s: encrypted share file, and no identity given can decrypt it", path);
			cli_hint("give the identity it was encrypted to with -i FILE");
			// clang-format on
			ec = CLI_EXIT_NO_MATCH;
			goto out;
		}
		if (rc != 0) {
			ec = cli_fail(rc, "%s", path);
			goto out;
		}
		if (age_is_encrypted(plain, plainlen)) {
			ec = cli_fail_why(CLI_EXIT_INTEGRITY,
			    "encrypted twice (not a share file)", "%s", path);
			goto out;
		}
		text = plain;
		len = plainlen;
	}
	if ((words = cio_secret_malloc(len + 1)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "%s", path);
		goto out;
	}
	if ((ec = parse_text(sh, path, text, len, words)) != 0)
		goto out;
	if ((rc = slip39_mnemonic_decode(words, &sh->s, &diag)) != 0) {
		ec = decode_fail(rc, &diag, path, words);
		goto out;
	}
	if (text_out != NULL) {
		if (plain != NULL) {
			*text_out = plain;
			*text_len = plainlen;
			plain = NULL;
		} else {
			*text_out = raw;
			*text_len = rawlen;
			raw = NULL;
		}
	}
out:
	if (ec != 0) {
		sodium_memzero(sh, sizeof(*sh));
		sh->path = path;
	}
	if (words != NULL)
		sodium_free(words);
	if (plain != NULL)
		cio_secret_free(plain, plainlen);
	if (raw != NULL)
		cio_secret_free(raw, rawlen);
	return ec;
}

int
cli_shares_read(struct cli_shares *ss, const char *const *paths, size_t n,
    const struct age_identities *ids)
{
	int ec;

	ss->n = 0;
	ss->cap = 0;
	if (n > CLI_SHARES_MAX)
		return cli_fail_why(CLI_EXIT_USAGE, "too many share files",
		    "%zu shares (at most %d)", n, CLI_SHARES_MAX);
	if ((ss->v = cio_secret_allocarray(n > 0 ? n : 1, sizeof(*ss->v))) ==
	    NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "shares");
	ss->cap = n;
	ss->damaged_ec = 0;
	for (size_t i = 0; i < n; i++) {
		ec = cli_share_read(&ss->v[ss->n], paths[i], ids, NULL, NULL);
		if (ec == CLI_EXIT_INTEGRITY) {
			/* A damaged share: leave it out; the others may be
			 * enough (a valid subset). */
			// clang-format off
			cli_warn("%s: this share is damaged and is left out; the other shares are used if they are enough", paths[i]);
			// clang-format on
			if (ss->damaged_ec == 0)
				ss->damaged_ec = ec;
			continue;
		}
		if (ec != 0)
			return ec;
		ss->n++;
	}
	return ss->n == 0 && ss->damaged_ec != 0 ? ss->damaged_ec : 0;
}

void
cli_shares_free(struct cli_shares *ss)
{
	if (ss->v != NULL)
		sodium_free(ss->v); /* wipes */
	ss->v = NULL;
	ss->n = ss->cap = 0;
}

int
cli_shares_pass(struct cli_pass *p, const char *path, const char *opt)
{
	int ec;

	if ((ec = cli_pass_from_file(p, path)) != 0)
		return ec;
	if (!slip39_passphrase_check(p->buf, p->len)) {
		cli_pass_free(p);
		// clang-format off
		cli_error("%s %s: a SLIP-39 passphrase must be printable ASCII (letters, digits, punctuation, spaces)", opt, path);
		// clang-format on
		return CLI_EXIT_USAGE;
	}
	return 0;
}
