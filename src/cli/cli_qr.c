/*
 * cli_qr.c - show a short text (a share's words) as a QR code on a
 * terminal, two module rows per text line with UTF-8 half blocks, via
 * libqrencode.  The words are upper-cased first: SLIP-39 words are
 * case-insensitive, and upper case fits QR's denser alphanumeric mode.
 *
 * Light modules are drawn as blocks, dark ones as the background; on a
 * terminal the colours are forced (white on black) so the code reads
 * the same on light and dark themes.  Knows nothing of shares.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <qrencode.h>
#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cli.h"
#include "cli_shares.h"

#define QR_QUIET 4 /* modules of quiet zone around the code */

static const char *const half[4] = {
    " ",            /* top dark, bottom dark */
    "\xe2\x96\x84", /* top dark, bottom light: lower half block */
    "\xe2\x96\x80", /* top light, bottom dark: upper half block */
    "\xe2\x96\x88", /* both light: full block */
};

/* 1 when module (x, y) of q (quiet zone included) is light. */
static int
light(const QRcode *q, int x, int y, int rows)
{
	int w = q->width;

	if (y >= rows)
		return 0; /* below the picture: background */
	x -= QR_QUIET;
	y -= QR_QUIET;
	if (x < 0 || y < 0 || x >= w || y >= w)
		return 1;
	return !(q->data[y * w + x] & 1);
}

int
cli_qr_print(int fd, const char *text)
{
	static const char on[] = "\033[97;40m", off[] = "\033[0m";
	QRcode *q = NULL;
	char *up = NULL, *line = NULL;
	size_t n = strlen(text), cap, o;
	int ansi = isatty(fd), rows, cols, ec = 0;

	if ((up = cio_secret_malloc(n + 1)) == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "QR code");
	for (size_t i = 0; i <= n; i++)
		up[i] = (text[i] >= 'a' && text[i] <= 'z')
		    ? (char)(text[i] - 'a' + 'A')
		    : text[i];
	errno = 0;
	if ((q = QRcode_encodeString(up, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) ==
	    NULL) {
		ec = cli_fail_why(CLI_EXIT_ERR,
		    errno == ERANGE ? "text too long" : "libqrencode failed",
		    "QR code");
		goto out;
	}
	rows = cols = q->width + 2 * QR_QUIET;
	cap = (size_t)cols * 3 + sizeof(on) + sizeof(off) + 2;
	if ((line = cio_secret_malloc(cap)) == NULL) {
		ec = cli_fail(CAIRN_ERR_NOMEM, "QR code");
		goto out;
	}
	for (int y = 0; y < rows; y += 2) {
		int f = fd;

		o = 0;
		if (ansi) {
			memcpy(line, on, sizeof(on) - 1);
			o = sizeof(on) - 1;
		}
		for (int x = 0; x < cols; x++) {
			const char *h = half[light(q, x, y, rows) << 1 |
			    light(q, x, y + 1, rows)];
			size_t hl = strlen(h);

			memcpy(line + o, h, hl);
			o += hl;
		}
		if (ansi) {
			memcpy(line + o, off, sizeof(off) - 1);
			o += sizeof(off) - 1;
		}
		line[o++] = '\n';
		if (cio_fd_write(&f, (const uint8_t *)line, o) != 0) {
			ec = cli_stdout_fail();
			goto out;
		}
	}
out:
	if (q != NULL) {
		sodium_memzero(q->data, (size_t)q->width * (size_t)q->width);
		QRcode_free(q);
	}
	if (line != NULL)
		sodium_free(line);
	if (up != NULL)
		sodium_free(up);
	return ec;
}
