/*
 * cli_share_write.c - writing a share set: the share file text (comments
 * + one mnemonic, docs/format.md "Share files"), the files themselves
 * (cli_share_files.c), and showing shares on the terminal as numbered
 * words and QR codes.
 *
 * Share texts and mnemonics live only in sodium_malloc'd memory.  Knows
 * slip39.h and age.h; nothing of archives.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/minisig.h"
#include "cli.h"
#include "cli_shares.h"
#include "cairn/slip39.h"

int
cli_share_add(char *out, size_t cap, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(out + *o, cap - *o, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= cap - *o)
		return -1;
	*o += (size_t)w;
	return 0;
}

/* "# share: ..." and "# threshold: ..." values.  copy > 0: the share
 * is copy number copy of the one share of a 1-of-member_count group. */
int
cli_share_describe(const struct slip39_share *s, int member_count, int copy,
    char *out, size_t cap, size_t *o, const char *pre_share,
    const char *pre_thr)
{
	int g = s->group_index + 1, m = s->member_index + 1;
	int t = s->member_threshold, multi = s->group_count > 1;

	if (copy > 0) {
		if (cli_share_add(out, cap, o, "%scopy %d of %d", pre_share,
		        copy, member_count) != 0 ||
		    (multi &&
		        cli_share_add(out, cap, o, " (group %d of %d)", g,
		            s->group_count)) ||
		    cli_share_add(
		        out, cap, o, ", set %u\n%s", s->identifier, pre_thr))
			return -1;
		if (!multi)
			return cli_share_add(out, cap, o,
			    "this share alone (the %d "
			    "copies are the same share)\n",
			    member_count);
		return cli_share_add(out, cap, o,
		    "this share alone stands for group "
		    "%d (its %d copies are the same share), "
		    "from %d of the %d groups\n",
		    g, member_count, s->group_threshold, s->group_count);
	}
	if (cli_share_add(out, cap, o, "%s%d", pre_share, m) != 0 ||
	    (member_count > 0 &&
	        cli_share_add(out, cap, o, " of %d", member_count)) ||
	    (multi &&
	        cli_share_add(
	            out, cap, o, " in group %d of %d", g, s->group_count)) ||
	    cli_share_add(
	        out, cap, o, ", set %u\n%s", s->identifier, pre_thr) != 0)
		return -1;
	if (t == 1 && !multi)
		return cli_share_add(out, cap, o, "this share alone\n");
	if (!multi)
		return member_count > 0
		    ? cli_share_add(out, cap, o, "any %d of the %d shares\n", t,
		          member_count)
		    : cli_share_add(out, cap, o, "any %d shares\n", t);
	if (cli_share_add(out, cap, o, "%d", t) != 0 ||
	    (member_count > 0 &&
	        cli_share_add(out, cap, o, " of the %d", member_count)))
		return -1;
	return cli_share_add(out, cap, o,
	    " shares of group %d, from %d of the %d "
	    "groups\n",
	    g, s->group_threshold, s->group_count);
}

/* "# signer: RW...\n# signer fingerprint: ...\n" when signer is not NULL. */
static int
add_signer(
    char *out, size_t cap, size_t *o, const struct minisig_public *signer)
{
	char b64[MINISIG_PUBLIC_B64_LEN], fp[MINISIG_FINGERPRINT_LEN];

	if (signer == NULL)
		return 0;
	minisig_public_base64(signer, b64);
	minisig_fingerprint(signer, fp);
	return cli_share_add(out, cap, o,
	    "# " CLI_SHARE_SIGNER " %s\n# " CLI_SHARE_SIGNER_FP " %s\n", b64,
	    fp);
}

int
cli_share_text(const struct slip39_share *s, int member_count, int copy,
    const char *label, const char *recovers,
    const struct minisig_public *signer, int raw, char *out, size_t cap)
{
	char *words;
	size_t o = 0;
	int rc = -1;

	if ((words = cio_secret_malloc(SLIP39_MNEMONIC_MAX)) == NULL)
		return -1;
	if (slip39_mnemonic_encode(s, words, SLIP39_MNEMONIC_MAX) != 0)
		goto out;
	if (!raw &&
	    (cli_share_add(out, cap, &o,
	         "# cairn share file (SLIP-39).  Keep it "
	         "private; never send it unencrypted.\n") != 0 ||
	        cli_share_describe(s, member_count, copy, out, cap, &o,
	            "# share: ", "# threshold: ") != 0 ||
	        (label != NULL &&
	            cli_share_add(
	                out, cap, &o, "# " CLI_SHARE_LABEL " %s\n", label)) ||
	        (recovers != NULL &&
	            cli_share_add(out, cap, &o, "# " CLI_SHARE_RECOVERS " %s\n",
	                recovers)) ||
	        add_signer(out, cap, &o, signer) != 0))
		goto out;
	if (cli_share_add(out, cap, &o, "%s\n", words) != 0)
		goto out;
	rc = (int)o;
out:
	sodium_free(words);
	return rc;
}

/* A label is 1..CLI_SHARE_LABEL_MAX printable bytes (UTF-8 allowed). */
static int
label_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CLI_SHARE_LABEL_MAX)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* Show one share on fd 1: header, numbered words, QR code. */
static int
print_share(const struct slip39_share *s, size_t k, size_t n, int member_count,
    int copy, const char *label)
{
	char *buf = NULL, *words = NULL, *p, *sp;
	size_t o = 0, cap = 4096, i = 0;
	int ec = 0, fd = STDOUT_FILENO;

	if ((buf = cio_secret_malloc(cap)) == NULL ||
	    (words = cio_secret_malloc(SLIP39_MNEMONIC_MAX)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "printing shares");
		goto out;
	}
	if (slip39_mnemonic_encode(s, words, SLIP39_MNEMONIC_MAX) != 0 ||
	    cli_share_add(buf, cap, &o, "\n==== Share %zu of %zu%s%s ====\n",
	        k + 1, n, label != NULL ? ": " : "",
	        label != NULL ? label : "") != 0 ||
	    cli_share_describe(s, member_count, copy, buf, cap, &o, "share ",
	        "threshold: ") != 0) {
		ec = cli_fail(CAIRN_ERR_INVAL, "printing shares");
		goto out;
	}
	for (p = words; p != NULL && *p != '\0'; p = sp) {
		if ((sp = strchr(p, ' ')) != NULL)
			*sp++ = '\0';
		if (cli_share_add(buf, cap, &o, "%s%2zu %-9s",
		        i % 4 == 0 ? "\n" : " ", i + 1, p) != 0) {
			ec = cli_fail(CAIRN_ERR_INVAL, "printing shares");
			goto out;
		}
		i++;
	}
	if (cli_share_add(buf, cap, &o, "\n\n") != 0 ||
	    cio_fd_write(&fd, (const uint8_t *)buf, o) != 0) {
		ec = cli_stdout_fail();
		goto out;
	}
	/* The QR code holds the words again, separated by spaces. */
	if (slip39_mnemonic_encode(s, words, SLIP39_MNEMONIC_MAX) != 0) {
		ec = cli_fail(CAIRN_ERR_INVAL, "printing shares");
		goto out;
	}
	ec = cli_qr_print(STDOUT_FILENO, words);
out:
	if (buf != NULL)
		sodium_free(buf);
	if (words != NULL)
		sodium_free(words);
	return ec;
}

int
cli_share_set_write(
    const struct slip39_share *shares, size_t n, struct cli_share_set *set)
{
	size_t k;
	int ec = 0;

	for (k = 0; set->names != NULL && k < n; k++)
		if (!label_ok(set->names[k]))
			return cli_fail_why(CLI_EXIT_USAGE,
			    "a label must be 1 to 64 printable characters",
			    "'%s'", set->names[k]);
	if (set->dir != NULL && (ec = cli_share_dir_write(shares, n, set)) != 0)
		return ec;
	if (set->print) {
		// clang-format off
		cli_warn("the shares are shown on this terminal: clear its scrollback and close it when done, and never photograph them with a networked phone");
		// clang-format on
		for (k = 0; k < n; k++)
			if ((ec = print_share(&shares[k], k, n,
			         set->member_counts[shares[k].group_index],
			         set->copies[k],
			         set->names != NULL ? set->names[k] : NULL)) !=
			    0) {
				/* All or nothing, as when a commit fails: a
				 * set that could not be shown is not kept. */
				cli_share_set_unwrite(set, n);
				return ec;
			}
	}
	return 0;
}
