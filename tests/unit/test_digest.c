/*
 * test_digest.c - SHA-256 against the FIPS 180-4 / NIST example vectors,
 * streaming in odd chunk sizes, libsodium's SHA-256 as a cross-check, hex
 * helpers and comparison.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "cairn/digest.h"
#include "tap.h"

static void
check_vec(const char *what, const void *msg, size_t len, const char *want)
{
	uint8_t md[DIGEST_SHA256_LEN];
	char hex[DIGEST_SHA256_HEX_LEN];

	if (digest_sha256(msg, len, md) != 0)
		memset(md, 0, sizeof md);
	digest_hex(md, sizeof md, hex);
	TAP_OK(strcmp(hex, want) == 0, "%s: %s", what, hex);
}

int
main(void)
{
	static const char *million_a =
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	static const char *abc448 =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t *big, md1[DIGEST_SHA256_LEN], md2[DIGEST_SHA256_LEN];
	uint8_t bin[4];
	char hex[DIGEST_SHA256_HEX_LEN];
	struct digest_sha256 d;
	size_t i, off, step;
	int ok;

	if (sodium_init() < 0)
		return 1;
	// clang-format off
	check_vec("empty", "", 0,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_vec("abc", "abc", 3,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_vec("448-bit", abc448, strlen(abc448),
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check_vec("896-bit",
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	    "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 112,
	    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	// clang-format on

	big = malloc(1000000);
	if (big == NULL)
		return 1;
	memset(big, 'a', 1000000);
	check_vec("one million 'a'", big, 1000000, million_a);

	/* Streaming in odd chunk sizes equals one-shot. */
	TAP_EQ_INT(digest_sha256(big, 1000000, md1), 0, "one-shot");
	ok = 1;
	for (step = 1; step < 200; step += 37) {
		if (digest_sha256_init(&d) != 0)
			ok = 0;
		for (off = 0; off < 1000000; off += step)
			digest_sha256_update(&d, big + off,
			    off + step > 1000000 ? 1000000 - off : step);
		if (digest_sha256_final(&d, md2) != 0 ||
		    memcmp(md1, md2, sizeof md1) != 0)
			ok = 0;
	}
	TAP_OK(ok, "streaming in chunks of 1, 38, 75, ... equals one-shot");
	/* Varying chunk sizes, including zero-length updates. */
	ok = digest_sha256_init(&d) == 0;
	for (off = 0, i = 0; off < 1000000; i++) {
		step = (i * 7919) % 4099;
		if (off + step > 1000000)
			step = 1000000 - off;
		digest_sha256_update(&d, big + off, step);
		off += step;
	}
	ok = digest_sha256_final(&d, md2) == 0 && ok;
	TAP_OK(ok && memcmp(md1, md2, sizeof md1) == 0,
	    "streaming in irregular chunks (with empty ones) equals one-shot");
	digest_hex(md2, sizeof md2, hex);
	TAP_OK(strcmp(hex, million_a) == 0, "streamed million-'a' digest");

	/* Changing one byte changes the digest. */
	big[500000] = 'b';
	TAP_EQ_INT(digest_sha256(big, 1000000, md2), 0, "one-shot again");
	TAP_OK(!digest_equal(md1, md2, sizeof md1), "one changed byte differs");
	TAP_OK(digest_equal(md1, md1, sizeof md1), "digest_equal on equal");

	/* Against libsodium's independent (portable C) SHA-256 on random
	 * inputs of every length 0..300 and some long ones, fed to the
	 * streaming interface in two parts split at a random point. */
	ok = 1;
	randombytes_buf(big, 1000000);
	for (i = 0; i < 320; i++) {
		size_t len = i <= 300 ? i : 1000000 - (i - 300) * 4099;
		size_t cut = len > 0 ? randombytes_uniform((uint32_t)len) : 0;

		crypto_hash_sha256(md1, big, len);
		if (digest_sha256_init(&d) != 0) {
			ok = 0;
			break;
		}
		digest_sha256_update(&d, big, cut);
		digest_sha256_update(&d, big + cut, len - cut);
		if (digest_sha256_final(&d, md2) != 0 ||
		    memcmp(md1, md2, sizeof md1) != 0)
			ok = 0;
	}
	TAP_OK(ok, "equals libsodium's SHA-256 on 320 random inputs");

	/* An abandoned state can be freed, twice, without a digest. */
	TAP_EQ_INT(digest_sha256_init(&d), 0, "init");
	digest_sha256_update(&d, "abc", 3);
	digest_sha256_free(&d);
	TAP_OK(d.ctx == NULL, "free clears the state");
	digest_sha256_free(&d);
	TAP_OK(d.ctx == NULL, "free of a freed state is a no-op");

	/* Hex decoding. */
	TAP_EQ_INT(
	    digest_hex_decode("00ff7a10", 8, bin, 4, 0), 0, "hex decode lower");
	TAP_OK(
	    bin[0] == 0 && bin[1] == 0xff && bin[2] == 0x7a && bin[3] == 0x10,
	    "hex decode value");
	TAP_EQ_INT(digest_hex_decode("00FF7A10", 8, bin, 4, 0),
	    CAIRN_ERR_FORMAT, "upper-case refused when not allowed");
	TAP_EQ_INT(digest_hex_decode("00FF7A10", 8, bin, 4, 1), 0,
	    "upper-case accepted when allowed");
	TAP_EQ_INT(digest_hex_decode("00ff7a1", 7, bin, 4, 0), CAIRN_ERR_FORMAT,
	    "short hex refused");
	TAP_EQ_INT(digest_hex_decode("00ff7a1g", 8, bin, 4, 0),
	    CAIRN_ERR_FORMAT, "non-hex refused");
	TAP_EQ_INT(digest_hex_decode("00ff 7a1", 8, bin, 4, 0),
	    CAIRN_ERR_FORMAT, "space refused");

	free(big);
	return tap_done();
}
