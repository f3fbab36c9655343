/*
 * tsa_impl.h - helpers shared by the tsa layer's files; not public API.
 */
#ifndef CAIRN_TSA_IMPL_H
#define CAIRN_TSA_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/tsa.h"

/* what, plus OpenSSL's last queued error if any, into why; clears the
 * error queue. */
void tsa_why(char why[TSA_WHY_LEN], const char *what);

/* Copy n DER bytes into a malloc'd *out.  Returns 0 or CAIRN_ERR_NOMEM
 * (also for n <= 0, an i2d_*() failure). */
int tsa_der_copy(
    const unsigned char *der, int n, uint8_t **out, size_t *outlen);

#endif
