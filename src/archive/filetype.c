/*
 * filetype.c - MIME type from a file's first bytes through libmagic (see
 * filetype.h for the flags chosen and why).
 *
 * The only file in cairn that includes magic.h.  Knows nothing of files,
 * manifests or archives: it is given bytes and returns a string.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <magic.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "filetype.h"

/*
 * MIME type only; skip the decompressor (and never fork one) and the ELF
 * and CDF parsers.  Text, encoding, JSON, CSV, tar and token checks stay
 * on: text/plain needs them.
 */
#define FT_FLAGS                                                               \
	(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_COMPRESS_FORK |  \
	    MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_CDF)

struct filetype {
	magic_t m;
	int broken; /* an allocation failed inside libmagic */
};

int
filetype_open(struct filetype **out)
{
	struct filetype *ft;
	size_t bytes_max = FILETYPE_SNIFF_LEN;

	*out = NULL;
	ft = cio_calloc(1, sizeof(*ft));
	if (ft == NULL)
		return CAIRN_ERR_NOMEM;
	ft->m = magic_open(FT_FLAGS);
	if (ft->m == NULL) {
		free(ft);
		return CAIRN_ERR_NOMEM;
	}
	errno = 0;
	if (magic_load(ft->m, NULL) != 0 || errno == ENOMEM ||
	    magic_setparam(ft->m, MAGIC_PARAM_BYTES_MAX, &bytes_max) != 0) {
		int nomem = magic_errno(ft->m) == ENOMEM || errno == ENOMEM;

		ft->broken = nomem;
		filetype_close(ft);
		return nomem ? CAIRN_ERR_NOMEM : CAIRN_ERR_IO;
	}
	*out = ft;
	return 0;
}

static int
ft_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* One RFC 6838 restricted-name character. */
static int
ft_namechar(unsigned char c)
{
	return ft_alnum(c) || (c != '\0' && strchr("!#$&^_.+-", c) != NULL);
}

/* 1 when s is "name/name" with restricted names, short enough. */
static int
ft_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t part = 0, slashes = 0;

	for (; *p != '\0'; p++) {
		if (*p == '/') {
			if (part == 0 || ++slashes > 1)
				return 0;
			part = 0;
		} else if (ft_namechar(*p) && (part > 0 || ft_alnum(*p))) {
			part++;
		} else {
			return 0;
		}
	}
	return slashes == 1 && part > 0 &&
	    (size_t)((const char *)p - s) < FILETYPE_MIME_MAX;
}

int
filetype_buffer(
    struct filetype *ft, const uint8_t *buf, size_t len, char *out, size_t cap)
{
	const char *t;

	if (cap < FILETYPE_MIME_MAX)
		return CAIRN_ERR_INVAL;
	if (len == 0) {
		strcpy(out, FILETYPE_EMPTY);
		return 0;
	}
	if (len > FILETYPE_SNIFF_LEN)
		len = FILETYPE_SNIFF_LEN;
	/*
	 * An allocation that fails inside magic_buffer() makes it skip a
	 * test and name a text file application/octet-stream, or give up:
	 * that is out of memory, not a verdict (tests/cli/oom.bats).
	 */
	errno = 0;
	t = magic_buffer(ft->m, buf, len);
	if (errno == ENOMEM || (t == NULL && magic_errno(ft->m) == ENOMEM)) {
		ft->broken = 1;
		return CAIRN_ERR_NOMEM;
	}
	if (t == NULL || !ft_valid(t))
		t = FILETYPE_UNKNOWN;
	strcpy(out, t);
	return 0;
}

void
filetype_close(struct filetype *ft)
{
	if (ft == NULL)
		return;
	/* After a failed allocation libmagic 5.44 may hold a regex that
	 * glibc's regcomp() already freed: magic_close() would free it again
	 * (tests/cli/oom.bats).  Leak the handle instead; the caller is
	 * failing anyway. */
	if (ft->m != NULL && !ft->broken)
		magic_close(ft->m);
	free(ft);
}
