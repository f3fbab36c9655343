/*
 * gencorpus.c - benchmark corpus generator for bench/run.
 *
 *   gencorpus big FILE SIZE_MB [SEED]
 *	one "video" file of exactly SIZE_MB MiB: an MP4 ftyp box, then an
 *	mdat box whose body is incompressible pseudo-random bytes.
 *   gencorpus dump DIR [NFILES [SCALE_PCT [SEED]]]
 *	a "field dump" of NFILES (default 3000) files in a camera/phone-like
 *	tree: JPEG photos (50 KiB - 3 MiB), PNG screenshots (20 KiB -
 *	2 MiB), PDF documents (30 KiB - 4 MiB), a few MP4 videos (16 -
 *	64 MiB) and short text notes (200 B - 8 KiB).  Every binary file
 *	starts with a real header for its type, so file(1) and libmagic
 *	recognise it, followed by an incompressible body.  SCALE_PCT
 *	(default 100) scales every binary body size.
 *   gencorpus small DIR NFILES [SEED]
 *	NFILES small files (1 B - 64 KiB, log-uniform) in directories of
 *	1000: 40 % JPEG, 20 % PNG, 15 % PDF, 25 % text notes (cut to their
 *	size).  The binary kinds keep a real header, so they are at least
 *	64 (JPEG), 128 (PNG) or 1024 (PDF) bytes.  For the many-files
 *	figures of bench/run (per-file cost, list, memory per entry).
 *
 * Bytes come from xoshiro256** (Blackman/Vigna) seeded through splitmix64:
 * not cryptographic, just fast (several GB/s) and deterministic, so a
 * corpus is reproducible from its seed.  Output is a pure function of the
 * arguments.
 *
 * This is a standalone tool: it knows nothing about cairn and links only
 * against libc and libm (bench/run compiles it with `cc -O2 ... -lm`).
 */
#define _XOPEN_SOURCE 700 /* truncate() under -std=c11 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define BUF_LEN      (1u << 20)
#define KIB          1024ull
#define MIB          (1024ull * 1024ull)
#define DEFAULT_SEED 0x636169726eull /* "cairn" */

static uint64_t rng_s[4];
static unsigned char *buf;
static uint32_t crc_table[256];
static uint64_t total_bytes;

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void
rng_seed(uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rng_s[i] = splitmix64(&seed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 */
static inline uint64_t
rng_next(void)
{
	uint64_t r = rotl(rng_s[1] * 5, 7) * 9;
	uint64_t t = rng_s[1] << 17;

	rng_s[2] ^= rng_s[0];
	rng_s[3] ^= rng_s[1];
	rng_s[1] ^= rng_s[2];
	rng_s[0] ^= rng_s[3];
	rng_s[2] ^= t;
	rng_s[3] = rotl(rng_s[3], 45);
	return r;
}

/* Uniform in [lo, hi]. */
static uint64_t
rng_range(uint64_t lo, uint64_t hi)
{
	return lo + rng_next() % (hi - lo + 1);
}

/* Log-uniform in [lo, hi]: many small files, a long tail of big ones. */
static uint64_t
rng_logsize(uint64_t lo, uint64_t hi)
{
	double u = (double)(rng_next() >> 11) / 9007199254740992.0;

	return (uint64_t)((double)lo * pow((double)hi / (double)lo, u));
}

static void
crc_init(void)
{
	uint32_t c, n, k;

	for (n = 0; n < 256; n++) {
		c = n;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

/* PNG/zlib CRC-32; start with crc = 0xffffffff, finish with ~crc. */
static uint32_t
crc_update(uint32_t crc, const unsigned char *p, size_t n)
{
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

static void
die(const char *what, const char *path)
{
	fprintf(stderr, "gencorpus: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void
put(FILE *f, const void *p, size_t n, const char *path)
{
	if (n && fwrite(p, 1, n, f) != n)
		die("write", path);
	total_bytes += n;
}

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* n pseudo-random bytes; folded into *crc when crc != NULL. */
static void
put_random(FILE *f, uint64_t n, uint32_t *crc, const char *path)
{
	while (n > 0) {
		size_t len = n < BUF_LEN ? (size_t)n : BUF_LEN;
		size_t i;

		for (i = 0; i < len; i += 8) {
			uint64_t r = rng_next();

			memcpy(buf + i, &r, 8); /* BUF_LEN is a multiple of 8 */
		}
		if (crc != NULL)
			*crc = crc_update(*crc, buf, len);
		put(f, buf, len, path);
		n -= len;
	}
}

static FILE *
open_out(const char *path)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		die("cannot create", path);
	return f;
}

static void
close_out(FILE *f, const char *path)
{
	if (fclose(f) != 0)
		die("close", path);
}

static void
mkdir_p(const char *path)
{
	char tmp[4096];
	size_t i, n = strlen(path);

	if (n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		die("mkdir", path);
	}
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			die("mkdir", tmp);
		if (i < n)
			tmp[i] = '/';
	}
}

/*
 * MP4: ftyp box, then one mdat box holding the rest (64-bit "largesize"
 * form when it does not fit in 32 bits).  total is the whole file size.
 */
static void
write_mp4(const char *path, uint64_t total)
{
	// clang-format off
	static const unsigned char ftyp[32] = {
		0, 0, 0, 32, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm',
		0, 0, 2, 0, 'i', 's', 'o', 'm', 'i', 's', 'o', '2',
		'a', 'v', 'c', '1', 'm', 'p', '4', '1'
	};
	// clang-format on
	unsigned char hdr[16];
	uint64_t body;
	size_t hlen;
	FILE *f = open_out(path);

	if (total < 64)
		total = 64;
	body = total - sizeof(ftyp) - 8;
	if (body + 8 <= UINT32_MAX) {
		put_be32(hdr, (uint32_t)(body + 8));
		memcpy(hdr + 4, "mdat", 4);
		hlen = 8;
	} else {
		body -= 8;
		put_be32(hdr, 1);
		memcpy(hdr + 4, "mdat", 4);
		put_be32(hdr + 8, (uint32_t)((body + 16) >> 32));
		put_be32(hdr + 12, (uint32_t)(body + 16));
		hlen = 16;
	}
	put(f, ftyp, sizeof(ftyp), path);
	put(f, hdr, hlen, path);
	put_random(f, body, NULL, path);
	close_out(f, path);
}

/* JPEG/JFIF: SOI, APP0 JFIF segment, entropy-coded-looking body, EOI. */
static void
write_jpeg(const char *path, uint64_t total)
{
	// clang-format off
	static const unsigned char soi_app0[20] = {
		0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00,
		0x01, 0x01, 0x01, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00
	};
	static const unsigned char eoi[2] = { 0xff, 0xd9 };
	// clang-format on
	FILE *f = open_out(path);

	if (total < 64)
		total = 64;
	put(f, soi_app0, sizeof(soi_app0), path);
	put_random(f, total - sizeof(soi_app0) - sizeof(eoi), NULL, path);
	put(f, eoi, sizeof(eoi), path);
	close_out(f, path);
}

/* PNG: signature, IHDR, one IDAT chunk (correct CRCs), IEND. */
static void
write_png(const char *path, uint64_t total)
{
	// clang-format off
	static const unsigned char sig[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
	};
	static const unsigned char iend[12] = {
		0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82
	};
	// clang-format on
	unsigned char ihdr[25], idat[8], crcb[4];
	uint32_t crc, w = (uint32_t)rng_range(800, 2400);
	uint64_t body;
	FILE *f = open_out(path);

	if (total < 128)
		total = 128;
	body = total - sizeof(sig) - sizeof(ihdr) - 12 - sizeof(iend);
	put_be32(ihdr, 13);
	memcpy(ihdr + 4, "IHDR", 4);
	put_be32(ihdr + 8, w);
	put_be32(ihdr + 12, w * 2 / 3);
	ihdr[16] = 8;                       /* bit depth */
	ihdr[17] = 6;                       /* RGBA */
	ihdr[18] = ihdr[19] = ihdr[20] = 0; /* deflate, adaptive, none */
	put_be32(ihdr + 21, ~crc_update(0xffffffffu, ihdr + 4, 17));
	put_be32(idat, (uint32_t)body);
	memcpy(idat + 4, "IDAT", 4);
	put(f, sig, sizeof(sig), path);
	put(f, ihdr, sizeof(ihdr), path);
	put(f, idat, sizeof(idat), path);
	crc = crc_update(0xffffffffu, idat + 4, 4);
	put_random(f, body, &crc, path);
	put_be32(crcb, ~crc);
	put(f, crcb, 4, path);
	put(f, iend, sizeof(iend), path);
	close_out(f, path);
}

/* PDF: header, one image XObject stream with a random body, trailer. */
static void
write_pdf(const char *path, uint64_t total)
{
	static const char trailer[] = "\nendstream\nendobj\n"
	                              "trailer\n<< /Size 2 >>\n%EOF\n";
	char head[512];
	uint64_t body;
	int n;
	FILE *f = open_out(path);

	if (total < 1024)
		total = 1024;
	/* Length has a fixed width so the header size does not depend on it. */
	body = total - (sizeof(trailer) - 1);
	n = snprintf(head, sizeof(head),
	    "%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /XObject "
	    "/Subtype /Image /Width 2480 /Height 3508 /BitsPerComponent 8 "
	    "/ColorSpace /DeviceRGB /Filter /DCTDecode /Length %012" PRIu64
	    " >>\nstream\n",
	    (uint64_t)0);
	body -= (uint64_t)n;
	n = snprintf(head, sizeof(head),
	    "%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /XObject "
	    "/Subtype /Image /Width 2480 /Height 3508 /BitsPerComponent 8 "
	    "/ColorSpace /DeviceRGB /Filter /DCTDecode /Length %012" PRIu64
	    " >>\nstream\n",
	    body);
	put(f, head, (size_t)n, path);
	put_random(f, body, NULL, path);
	put(f, trailer, sizeof(trailer) - 1, path);
	close_out(f, path);
}

/* A plain-text field note of about total bytes. */
static void
write_note(const char *path, uint64_t total)
{
	static const char *const words[] = {"scene", "arrived", "photographed",
	    "north", "wall", "door", "vehicle", "witness", "statement", "bag",
	    "sealed", "label", "evidence", "item", "recovered", "from", "under",
	    "the", "and", "at", "hours", "officer", "notes", "room", "window",
	    "damage", "receipt", "phone", "laptop", "camera", "card", "copied",
	    "hash", "checked", "handed", "over", "to", "lab", "signed"};
	const size_t nw = sizeof(words) / sizeof(words[0]);
	char line[160];
	uint64_t done = 0;
	FILE *f = open_out(path);

	while (done < total) {
		size_t len = 0;

		while (len < 70) {
			const char *w = words[rng_next() % nw];
			size_t wl = strlen(w);

			memcpy(line + len, w, wl);
			len += wl;
			line[len++] = ' ';
		}
		line[len - 1] = '.';
		line[len++] = '\n';
		put(f, line, len, path);
		done += len;
	}
	close_out(f, path);
}

static uint64_t
scaled(uint64_t n, unsigned pct)
{
	uint64_t s = n * pct / 100;

	return s < 256 ? 256 : s;
}

static int
gen_dump(const char *dir, unsigned nfiles, unsigned pct)
{
	unsigned nvid = nfiles >= 500 ? nfiles / 500 : 1;
	unsigned nnote = nfiles * 12 / 100;
	unsigned npdf = nfiles * 8 / 100;
	unsigned npng = nfiles * 15 / 100;
	unsigned njpg, i;
	char path[4096];

	if (nfiles < nvid + nnote + npdf + npng + 1) {
		fprintf(stderr, "gencorpus: need at least 10 files\n");
		return 2;
	}
	njpg = nfiles - nvid - nnote - npdf - npng;
	mkdir_p(dir);
	for (i = 0; i < njpg; i++) {
		if (i % 250 == 0) {
			snprintf(path, sizeof(path), "%s/DCIM/%03u_FIELD", dir,
			    100 + i / 250);
			mkdir_p(path);
		}
		snprintf(path, sizeof(path), "%s/DCIM/%03u_FIELD/IMG_%04u.JPG",
		    dir, 100 + i / 250, i + 1);
		write_jpeg(path, scaled(rng_logsize(50 * KIB, 3 * MIB), pct));
	}
	snprintf(path, sizeof(path), "%s/Pictures/Screenshots", dir);
	mkdir_p(path);
	for (i = 0; i < npng; i++) {
		snprintf(path, sizeof(path),
		    "%s/Pictures/Screenshots/Screenshot_%04u.png", dir, i + 1);
		write_png(path, scaled(rng_logsize(20 * KIB, 2 * MIB), pct));
	}
	snprintf(path, sizeof(path), "%s/Documents/scans", dir);
	mkdir_p(path);
	for (i = 0; i < npdf; i++) {
		snprintf(path, sizeof(path), "%s/Documents/scans/scan_%04u.pdf",
		    dir, i + 1);
		write_pdf(path, scaled(rng_logsize(30 * KIB, 4 * MIB), pct));
	}
	snprintf(path, sizeof(path), "%s/DCIM/Video", dir);
	mkdir_p(path);
	for (i = 0; i < nvid; i++) {
		snprintf(path, sizeof(path), "%s/DCIM/Video/VID_%04u.mp4", dir,
		    i + 1);
		write_mp4(path, scaled(rng_range(16 * MIB, 64 * MIB), pct));
	}
	snprintf(path, sizeof(path), "%s/Notes", dir);
	mkdir_p(path);
	for (i = 0; i < nnote; i++) {
		snprintf(
		    path, sizeof(path), "%s/Notes/note_%04u.txt", dir, i + 1);
		write_note(path, rng_logsize(200, 8 * KIB));
	}
	printf("%s: %u files (%u jpeg, %u png, %u pdf, %u mp4, %u txt), "
	       "%" PRIu64 " bytes\n",
	    dir, nfiles, njpg, npng, npdf, nvid, nnote, total_bytes);
	return 0;
}

static int
gen_small(const char *dir, unsigned nfiles)
{
	unsigned counts[4] = {0, 0, 0, 0}, i;
	char path[4096];

	mkdir_p(dir);
	for (i = 0; i < nfiles; i++) {
		uint64_t size = rng_logsize(1, 64 * KIB),
		         kind = rng_next() % 100;

		if (i % 1000 == 0) {
			snprintf(path, sizeof(path), "%s/d%04u", dir, i / 1000);
			mkdir_p(path);
		}
		if (kind < 40) {
			snprintf(path, sizeof(path), "%s/d%04u/IMG_%06u.JPG",
			    dir, i / 1000, i);
			write_jpeg(path, size);
			counts[0]++;
		} else if (kind < 60) {
			snprintf(path, sizeof(path), "%s/d%04u/shot_%06u.png",
			    dir, i / 1000, i);
			write_png(path, size);
			counts[1]++;
		} else if (kind < 75) {
			snprintf(path, sizeof(path), "%s/d%04u/scan_%06u.pdf",
			    dir, i / 1000, i);
			write_pdf(path, size);
			counts[2]++;
		} else {
			snprintf(path, sizeof(path), "%s/d%04u/note_%06u.txt",
			    dir, i / 1000, i);
			write_note(path, size);
			if (truncate(path, (off_t)size) != 0)
				die("truncate", path);
			counts[3]++;
		}
	}
	printf("%s: %u files (%u jpeg, %u png, %u pdf, %u txt), "
	       "%" PRIu64 " bytes\n",
	    dir, nfiles, counts[0], counts[1], counts[2], counts[3],
	    total_bytes);
	return 0;
}

static unsigned long long
num(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0') {
		fprintf(stderr, "gencorpus: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: gencorpus big FILE SIZE_MB [SEED]\n"
	    "       gencorpus dump DIR [NFILES [SCALE_PCT [SEED]]]\n"
	    "       gencorpus small DIR NFILES [SEED]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	uint64_t seed = DEFAULT_SEED;
	int rc;

	if (argc < 3)
		usage();
	buf = malloc(BUF_LEN);
	if (buf == NULL) {
		perror("gencorpus");
		return 1;
	}
	crc_init();
	if (strcmp(argv[1], "big") == 0) {
		unsigned long long mb;

		if (argc < 4 || argc > 5)
			usage();
		mb = num(argv[3], "SIZE_MB");
		if (mb == 0 || mb > 1024ull * 1024)
			usage();
		if (argc == 5)
			seed = num(argv[4], "SEED");
		rng_seed(seed);
		write_mp4(argv[2], mb * MIB);
		printf("%s: %" PRIu64 " bytes\n", argv[2], total_bytes);
		rc = 0;
	} else if (strcmp(argv[1], "dump") == 0) {
		unsigned long long n = 3000, pct = 100;

		if (argc > 6)
			usage();
		if (argc > 3)
			n = num(argv[3], "NFILES");
		if (argc > 4)
			pct = num(argv[4], "SCALE_PCT");
		if (argc > 5)
			seed = num(argv[5], "SEED");
		if (n > 1000000 || pct == 0 || pct > 10000)
			usage();
		rng_seed(seed);
		rc = gen_dump(argv[2], (unsigned)n, (unsigned)pct);
	} else if (strcmp(argv[1], "small") == 0) {
		unsigned long long n;

		if (argc < 4 || argc > 5)
			usage();
		n = num(argv[3], "NFILES");
		if (n == 0 || n > 1000000)
			usage();
		if (argc == 5)
			seed = num(argv[4], "SEED");
		rng_seed(seed);
		rc = gen_small(argv[2], (unsigned)n);
	} else {
		usage();
	}
	free(buf);
	return rc;
}
