/*
 * cli_share_write.c - writing a share set: the share file text (comments
 * + one mnemonic, docs/format.md "Share files"), one file per share in a
 * directory (0600, plain or age-encrypted and armored to one contact
 * each; all or nothing), and showing shares on the terminal as numbered
 * words and QR codes.
 *
 * Share texts and mnemonics live only in sodium_malloc'd memory.  Knows
 * slip39.h and age.h; nothing of archives.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/age.h"
#include "cairn/err.h"
#include "cairn/cio.h"
#include "cli.h"
#include "cli_shares.h"
#include "cairn/slip39.h"

/* Append printf output to out at *o; -1 when it does not fit. */
static int add(char *out, size_t cap, size_t *o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
add(char *out, size_t cap, size_t *o, const char *fmt, ...)
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
static int
describe(const struct slip39_share *s, int member_count, int copy, char *out,
    size_t cap, size_t *o, const char *pre_share, const char *pre_thr)
{
	int g = s->group_index + 1, m = s->member_index + 1;
	int t = s->member_threshold, multi = s->group_count > 1;

	if (copy > 0) {
		if (add(out, cap, o, "%scopy %d of %d", pre_share, copy,
		        member_count) != 0 ||
		    (multi &&
		        add(out, cap, o, " (group %d of %d)", g,
		            s->group_count)) ||
		    add(out, cap, o, ", set %u\n%s", s->identifier, pre_thr))
			return -1;
		if (!multi)
			return add(out, cap, o,
			    "this share alone (the %d "
			    "copies are the same share)\n",
			    member_count);
		return add(out, cap, o,
		    "this share alone stands for group "
		    "%d (its %d copies are the same share), "
		    "from %d of the %d groups\n",
		    g, member_count, s->group_threshold, s->group_count);
	}
	if (add(out, cap, o, "%s%d", pre_share, m) != 0 ||
	    (member_count > 0 && add(out, cap, o, " of %d", member_count)) ||
	    (multi &&
	        add(out, cap, o, " in group %d of %d", g, s->group_count)) ||
	    add(out, cap, o, ", set %u\n%s", s->identifier, pre_thr) != 0)
		return -1;
	if (t == 1 && !multi)
		return add(out, cap, o, "this share alone\n");
	if (!multi)
		return member_count > 0
		    ? add(out, cap, o, "any %d of the %d shares\n", t,
		          member_count)
		    : add(out, cap, o, "any %d shares\n", t);
	if (add(out, cap, o, "%d", t) != 0 ||
	    (member_count > 0 && add(out, cap, o, " of the %d", member_count)))
		return -1;
	return add(out, cap, o,
	    " shares of group %d, from %d of the %d "
	    "groups\n",
	    g, s->group_threshold, s->group_count);
}

int
cli_share_text(const struct slip39_share *s, int member_count, int copy,
    const char *label, const char *recovers, int raw, char *out, size_t cap)
{
	char *words;
	size_t o = 0;
	int rc = -1;

	if ((words = cio_secret_malloc(SLIP39_MNEMONIC_MAX)) == NULL)
		return -1;
	if (slip39_mnemonic_encode(s, words, SLIP39_MNEMONIC_MAX) != 0)
		goto out;
	if (!raw &&
	    (add(out, cap, &o,
	         "# cairn share file (SLIP-39).  Keep it "
	         "private; never send it unencrypted.\n") != 0 ||
	        describe(s, member_count, copy, out, cap, &o,
	            "# share: ", "# threshold: ") != 0 ||
	        (label != NULL &&
	            add(out, cap, &o, "# " CLI_SHARE_LABEL " %s\n", label)) ||
	        (recovers != NULL &&
	            add(out, cap, &o, "# " CLI_SHARE_RECOVERS " %s\n",
	                recovers))))
		goto out;
	if (add(out, cap, &o, "%s\n", words) != 0)
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

/* "share-03-alice-smith.age": number, label slug, extension. */
static char *
share_path(const char *dir, size_t k, const char *label, int enc)
{
	char slug[33], *p;
	size_t o = 0, n;

	for (; label != NULL && *label != '\0' && o < sizeof(slug) - 1;
	     label++) {
		char c = *label;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			slug[o++] = c;
		else if (o > 0 && slug[o - 1] != '-')
			slug[o++] = '-';
	}
	while (o > 0 && slug[o - 1] == '-')
		o--;
	slug[o] = '\0';
	n = strlen(dir) + o + 32;
	if ((p = cio_malloc(n)) == NULL)
		return NULL;
	snprintf(p, n, "%s/share-%02zu%s%s.%s", dir, k + 1, o > 0 ? "-" : "",
	    slug, enc ? "age" : "txt");
	return p;
}

void
cli_share_paths_free(char **paths, size_t n)
{
	if (paths == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* Create dir (0700) unless it is a directory already; *created says
 * whether it was made here. */
static int
make_dir(const char *dir, int *created)
{
	struct stat st;

	*created = 0;
	if (mkdir(dir, 0700) == 0) {
		*created = 1;
		return 0;
	}
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		errno = ENOTDIR;
	return cli_fail(CAIRN_ERR_IO, "%s", dir);
}

/* Write share text to a pending atomic file, encrypted to rs if given. */
static int
write_one(struct cio_atomic *a, const char *text, size_t len,
    const struct age_recipients *rs)
{
	struct cio_sink sink = {cio_fd_write, &a->fd};
	struct age_writer *w = NULL;
	int rc;

	if (rs == NULL)
		return sink.write(sink.ctx, (const uint8_t *)text, len);
	if ((rc = age_writer_new(&w, rs, 1, &sink)) == 0 &&
	    (rc = age_writer_write(w, (const uint8_t *)text, len)) == 0)
		rc = age_writer_finish(w);
	age_writer_free(w);
	return rc;
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
	    add(buf, cap, &o, "\n==== Share %zu of %zu%s%s ====\n", k + 1, n,
	        label != NULL ? ": " : "", label != NULL ? label : "") != 0 ||
	    describe(s, member_count, copy, buf, cap, &o, "share ",
	        "threshold: ") != 0) {
		ec = cli_fail(CAIRN_ERR_INVAL, "printing shares");
		goto out;
	}
	for (p = words; p != NULL && *p != '\0'; p = sp) {
		if ((sp = strchr(p, ' ')) != NULL)
			*sp++ = '\0';
		if (add(buf, cap, &o, "%s%2zu %-9s", i % 4 == 0 ? "\n" : " ",
		        i + 1, p) != 0) {
			ec = cli_fail(CAIRN_ERR_INVAL, "printing shares");
			goto out;
		}
		i++;
	}
	if (add(buf, cap, &o, "\n\n") != 0 ||
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

/*
 * The set being written, for the signal handler: a signal removes its
 * published share files (the first sig_published of sig_paths), the
 * temp files (cio's list) and the directory when it was made here, so
 * that an interrupted run leaves no share at all.
 */
static char *const *volatile sig_paths;
static volatile size_t sig_published;
static const char *volatile sig_dir;

static void
share_set_abort_signal_safe(void)
{
	char *const *paths = sig_paths;

	if (paths == NULL)
		return;
	for (size_t i = 0; i < sig_published; i++)
		(void)unlink(paths[i]);
	cio_atomic_abort_all_signal_safe();
	if (sig_dir != NULL)
		(void)rmdir(sig_dir);
}

static void
sig_arm(char *const *paths, const char *dir)
{
	sig_published = 0;
	sig_dir = dir;
	sig_paths = paths;
}

/* Commit every pending file, or remove all of them. */
static int
commit_all(struct cio_atomic *a, char **paths, size_t n)
{
	size_t k;
	int rc = 0;

	for (k = 0; k < n; k++) {
		/* Counted first: a signal during the commit removes
		 * paths[k] too (it was checked absent before writing). */
		sig_published = k + 1;
		if ((rc = cio_atomic_commit(&a[k])) != 0)
			break;
		cio_test_signal("share-published");
	}
	if (k == n)
		return 0;
	for (size_t i = 0; i < k; i++)
		(void)unlink(paths[i]);
	for (size_t i = k; i < n; i++)
		cio_atomic_abort(&a[i]);
	if (rc == CAIRN_ERR_EXISTS) {
		cli_error("%s: file exists (created while writing)", paths[k]);
		return CLI_EXIT_ERR;
	}
	return cli_fail(rc, "%s", paths[k]);
}

int
cli_share_set_write(
    const struct slip39_share *shares, size_t n, struct cli_share_set *set)
{
	struct cio_atomic *a = NULL;
	char **paths = NULL, *text = NULL;
	size_t opened = 0, k;
	int ec = 0, rc, len, created = 0;

	for (k = 0; set->names != NULL && k < n; k++)
		if (!label_ok(set->names[k]))
			return cli_fail_why(CLI_EXIT_USAGE,
			    "a label must be 1 to 64 printable characters",
			    "'%s'", set->names[k]);
	if ((text = cio_secret_malloc(CLI_SHARE_TEXT_MAX)) == NULL ||
	    (paths = cio_calloc(n, sizeof(*paths))) == NULL ||
	    (a = cio_calloc(n, sizeof(*a))) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "writing shares");
		goto out;
	}
	if (set->dir != NULL) {
		if ((ec = make_dir(set->dir, &created)) != 0)
			goto out;
		for (k = 0; k < n; k++) {
			paths[k] = share_path(set->dir, k,
			    set->names != NULL ? set->names[k] : NULL,
			    set->to != NULL);
			if (paths[k] == NULL) {
				ec =
				    cli_fail(CAIRN_ERR_NOMEM, "writing shares");
				goto out;
			}
			if (cli_exists(paths[k])) {
				// clang-format off
				cli_error("%s: file exists, refusing to overwrite a share", paths[k]);
				// clang-format on
				cli_hint("write the set to a new directory");
				ec = CLI_EXIT_ERR;
				goto out;
			}
		}
		if ((ec = cli_at_signal(share_set_abort_signal_safe)) != 0)
			goto out;
		sig_arm(paths, created ? set->dir : NULL);
		for (k = 0; k < n; k++) {
			const struct slip39_share *s = &shares[k];

			len = cli_share_text(s,
			    set->member_counts[s->group_index], set->copies[k],
			    set->names != NULL ? set->names[k] : NULL,
			    set->recovers, set->raw, text, CLI_SHARE_TEXT_MAX);
			if (len < 0) {
				ec = cli_fail(CAIRN_ERR_INVAL, "share text");
				goto out;
			}
			if ((rc = cio_atomic_open(&a[k], paths[k], 0600, 0)) !=
			    0) {
				ec = cli_fail(rc, "%s", paths[k]);
				goto out;
			}
			opened++;
			if ((rc = write_one(&a[k], text, (size_t)len,
			         set->to != NULL ? &set->to[k] : NULL)) != 0) {
				ec = cli_fail(rc, "%s", paths[k]);
				goto out;
			}
			cio_test_signal("share-written");
		}
		if ((ec = commit_all(a, paths, n)) != 0) {
			opened = 0;
			goto out;
		}
		opened = 0;
	}
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
				for (size_t i = 0; set->dir != NULL && i < n;
				     i++)
					(void)unlink(paths[i]);
				goto out;
			}
	}
out:
	for (k = 0; k < opened; k++)
		cio_atomic_abort(&a[k]);
	sig_arm(NULL, NULL);
	set->dir_created = ec == 0 && created;
	if (ec != 0 && created)
		(void)rmdir(set->dir); /* only if empty: no share was kept */
	free(a);
	if (text != NULL)
		sodium_free(text);
	if (ec == 0 && set->dir != NULL) {
		set->paths = paths;
		paths = NULL;
	}
	cli_share_paths_free(paths, n);
	return ec;
}
