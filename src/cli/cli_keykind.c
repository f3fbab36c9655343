/*
 * cli_keykind.c - recognise a public key given where a secret key is
 * expected (-i coord.pub, -s signing.pub) and a mistyped age1...
 * recipient, so that the messages say what happened instead of "chmod
 * 600" or "malformed identity".
 *
 * Reads only public files (never a secret: a file that holds one is not
 * recognised as public); knows nothing of the verbs.
 */
#include <string.h>
#include <strings.h>

#include "cairn/cio.h"
#include "cli.h"

#define PEEK_MAX 4096

static const char bech32_chars[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* First line of text that is not blank and not a '#' comment, into
 * [*b, *e). */
static int
first_line(const char *text, const char **b, const char **e)
{
	const char *p = text;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		const char *end = nl != NULL ? nl : p + strlen(p);

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p != '#' && *p != '\r') {
			*b = p;
			*e = end;
			return 1;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

const char *
cli_public_key_kind(const char *path)
{
	const char *kind = NULL, *b, *e;
	char *text = NULL;
	size_t len = 0;

	if (strcmp(path, "-") == 0 ||
	    cio_read_file(path, PEEK_MAX, 0, &text, &len) != 0)
		return NULL;
	if (strstr(text, "SECRET") != NULL)
		kind = NULL; /* holds a secret key: not a public key file */
	else if (strncmp(text, "untrusted comment: minisign public key", 38) ==
	    0)
		kind = "a minisign public key";
	else if (first_line(text, &b, &e) && e - b >= 4 &&
	    strncasecmp(b, "age1", 4) == 0)
		kind = "an age public key (age1...)";
	cio_secret_free(text, len);
	return kind;
}

int
cli_recipient_bad_checksum(const char *s)
{
	size_t n = strlen(s);

	if (n != 62 || strncmp(s, "age1", 4) != 0)
		return 0;
	for (size_t i = 4; i < n; i++)
		if (strchr(bech32_chars, s[i]) == NULL)
			return 0;
	return 1; /* the right shape; only the checksum can be wrong */
}
