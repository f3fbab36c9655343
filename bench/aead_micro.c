/*
 * bench/aead_micro.c - micro-benchmark of ChaCha20-Poly1305 (IETF, 12-byte
 * nonce) on 64 KiB age chunks: libsodium vs OpenSSL EVP vs nettle, one
 * thread.  Checks that all three produce the same ciphertext and tag
 * first.  Not part of the build; run:
 *   cc -O2 -o bench/out/aead_micro bench/aead_micro.c \
 *       $(pkg-config --cflags --libs libsodium nettle libcrypto)
 *   bench/out/aead_micro [MiB]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/chacha-poly1305.h>
#include <openssl/evp.h>
#include <sodium.h>

#define CHUNK 65536

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
seal_sodium(const uint8_t *k, const uint8_t *n, const uint8_t *in, uint8_t *out)
{
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(
	    out, out + CHUNK, NULL, in, CHUNK, NULL, 0, NULL, n, k);
}

static EVP_CIPHER_CTX *ectx;
static EVP_CIPHER *ecip;

static void
seal_openssl(
    const uint8_t *k, const uint8_t *n, const uint8_t *in, uint8_t *out)
{
	int l;

	EVP_EncryptInit_ex2(ectx, ecip, k, n, NULL);
	EVP_EncryptUpdate(ectx, out, &l, in, CHUNK);
	EVP_EncryptFinal_ex(ectx, out + l, &l);
	EVP_CIPHER_CTX_ctrl(ectx, EVP_CTRL_AEAD_GET_TAG, 16, out + CHUNK);
}

static void
seal_nettle(const uint8_t *k, const uint8_t *n, const uint8_t *in, uint8_t *out)
{
	struct chacha_poly1305_ctx c;

	chacha_poly1305_set_key(&c, k);
	chacha_poly1305_set_nonce(&c, n);
	chacha_poly1305_encrypt(&c, CHUNK, out, in);
	chacha_poly1305_digest(&c, 16, out + CHUNK);
}

static void
run(const char *name,
    void (*f)(const uint8_t *, const uint8_t *, const uint8_t *, uint8_t *),
    size_t mib, const uint8_t *k, const uint8_t *in, uint8_t *out)
{
	uint8_t n[12] = {0};
	size_t i, chunks = mib * 16;
	double t0 = now(), dt;

	for (i = 0; i < chunks; i++) {
		n[10] = (uint8_t)i;
		n[9] = (uint8_t)(i >> 8);
		f(k, n, in, out);
	}
	dt = now() - t0;
	printf("%-10s %7.0f MB/s  %.3f s/GB\n", name,
	    (double)chunks * CHUNK / dt / 1e6,
	    dt / ((double)chunks * CHUNK / 1e9));
}

int
main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 1024;
	static uint8_t in[CHUNK], a[CHUNK + 16], b[CHUNK + 16], c[CHUNK + 16];
	uint8_t k[32], n[12] = {1};

	if (sodium_init() < 0)
		return 1;
	randombytes_buf(k, sizeof(k));
	randombytes_buf(in, sizeof(in));
	ectx = EVP_CIPHER_CTX_new();
	ecip = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	seal_sodium(k, n, in, a);
	seal_openssl(k, n, in, b);
	seal_nettle(k, n, in, c);
	if (memcmp(a, b, sizeof(a)) != 0 || memcmp(a, c, sizeof(a)) != 0) {
		printf("MISMATCH\n");
		return 1;
	}
	run("libsodium", seal_sodium, mib, k, in, a);
	run("openssl", seal_openssl, mib, k, in, b);
	run("nettle", seal_nettle, mib, k, in, c);
	return 0;
}
