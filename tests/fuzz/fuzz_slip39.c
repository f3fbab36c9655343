/*
 * fuzz_slip39.c - libFuzzer target for the SLIP-39 mnemonic parser and the
 * combining checks: input is lines of words; each line is decoded, every
 * decoded share must re-encode to a mnemonic that decodes to the same
 * share, and when all lines decode (with iteration exponent 0, to keep
 * PBKDF2 cheap) they are combined.  Must never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/slip39.h"

#define MAXSH 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slip39_share sh[MAXSH], again;
	struct slip39_diag d;
	char *buf, *line, *save = NULL, mn[SLIP39_MNEMONIC_MAX];
	uint8_t secret[SLIP39_MAX_SECRET_LEN];
	size_t n = 0, len;
	int all = 1;

	if (size > 4096 || (buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL && n < MAXSH;
	     line = strtok_r(NULL, "\n", &save)) {
		if (slip39_mnemonic_decode(line, &sh[n], &d) != 0) {
			all = 0;
			continue;
		}
		if (slip39_mnemonic_encode(&sh[n], mn, sizeof mn) != 0 ||
		    slip39_mnemonic_decode(mn, &again, NULL) != 0 ||
		    memcmp(&again, &sh[n], sizeof again) != 0)
			abort();
		if (sh[n].iteration_exponent != 0)
			all = 0;
		n++;
	}
	if (all && n > 0)
		(void)slip39_combine(
		    sh, n, "", 0, secret, sizeof secret, &len, &d);
	free(buf);
	return 0;
}
