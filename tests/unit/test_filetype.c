/*
 * test_filetype.c - MIME detection through libmagic (filetype.h): small
 * real-looking files built here byte by byte (JPEG, PNG, GIF, MP4,
 * QuickTime, M4A, WebM, Matroska, PDF, text, MP3, Ogg, ZIP, DOCX, empty),
 * the sniff-length cut, the sanitiser (through a custom magic database in
 * $MAGIC) and the per-call cost.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "cairn/err.h"
#include "cairn/cio.h"
#include "filetype.h"
#include "tap.h"

static uint8_t buf[200000];
static size_t blen;

static void
add(const void *p, size_t n)
{
	memcpy(buf + blen, p, n);
	blen += n;
}

static void
add_be32(uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v};

	add(b, 4);
}

static void
add_le(uint32_t v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		uint8_t b = (uint8_t)(v >> (8 * i));

		add(&b, 1);
	}
}

static void
add_noise(size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[blen++] = (uint8_t)((i * 2654435761u) >> 13);
}

static void
png_chunk(const char *type, const uint8_t *data, uint32_t len)
{
	uLong crc = crc32(0, (const Bytef *)type, 4);

	add_be32(len);
	add(type, 4);
	if (len > 0)
		add(data, len);
	crc = crc32(crc, data, len);
	add_be32((uint32_t)crc);
}

/* A stored ZIP member (local header + data). */
static void
zip_member(const char *name, const char *data)
{
	uint32_t crc =
	    (uint32_t)crc32(0, (const Bytef *)data, (uInt)strlen(data));

	add("PK\3\4", 4);
	add_le(20, 2); /* version needed */
	add_le(0, 2);  /* flags */
	add_le(0, 2);  /* stored */
	add_le(0, 4);  /* time, date */
	add_le(crc, 4);
	add_le((uint32_t)strlen(data), 4);
	add_le((uint32_t)strlen(data), 4);
	add_le((uint32_t)strlen(name), 2);
	add_le(0, 2);
	add(name, strlen(name));
	add(data, strlen(data));
}

// clang-format off
static void
make(const char *kind)
{
	blen = 0;
	if (strcmp(kind, "jpeg") == 0) {
		add("\xff\xd8\xff\xe0\x00\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
		    "\xff\xdb\x00\x43\x00", 25);
		add_noise(3000);
	} else if (strcmp(kind, "png") == 0) {
		static const uint8_t ihdr[13] = { 0, 0, 2, 0x80, 0, 0, 1,
			0xe0, 8, 2, 0, 0, 0 };
		add("\x89PNG\r\n\x1a\n", 8);
		png_chunk("IHDR", ihdr, sizeof(ihdr));
		png_chunk("IEND", NULL, 0);
	} else if (strcmp(kind, "gif") == 0) {
		add("GIF89a\x0a\x00\x0a\x00\x80\x00\x00", 13);
		add_noise(500);
	} else if (strcmp(kind, "mp4") == 0) {
		add_be32(32);
		add("ftypisom\0\0\x02\0isomiso2avc1mp41", 28);
		add_be32(5008);
		add("mdat", 4);
		add_noise(5000);
	} else if (strcmp(kind, "mov") == 0) {
		add_be32(20);
		add("ftypqt  \0\0\x02\0qt  ", 16);
		add_be32(5008);
		add("mdat", 4);
		add_noise(5000);
	} else if (strcmp(kind, "m4a") == 0) {
		add_be32(28);
		add("ftypM4A \0\0\0\0M4A mp42isom", 24);
		add_be32(5008);
		add("mdat", 4);
		add_noise(5000);
	} else if (strcmp(kind, "webm") == 0 || strcmp(kind, "mkv") == 0) {
		int webm = kind[0] == 'w';

		add("\x1a\x45\xdf\xa3", 4);
		buf[blen++] = (uint8_t)(0x80 | (webm ? 23 : 27));
		add("\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04"
		    "\x42\xf3\x81\x08\x42\x82", 18);
		if (webm)
			add("\x84webm", 5);
		else
			add("\x88matroska", 9);
		add("\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff", 12);
		add_noise(3000);
	} else if (strcmp(kind, "pdf") == 0) {
		add("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog "
		    "/Pages 2 0 R >>\nendobj\n", 63);
		add_noise(2000);
	} else if (strcmp(kind, "text") == 0) {
		int i;

		for (i = 0; i < 40; i++)
			add("Witness: Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m \xe2\x80"
			    "\x94 caf\xc3\xa9 at 10:00, \xe6\x97\xa5\xe6\x9c"
			    "\xac.\n", 48);
	} else if (strcmp(kind, "longtext") == 0) {
		/* 100 000 bytes of two-byte characters: the 64 KiB cut
		 * falls inside one (65536 is even, so shift by one). */
		add("x", 1);
		while (blen + 2 <= 100000)
			add("\xc3\xa9", 2);
	} else if (strcmp(kind, "mp3") == 0) {
		add("ID3\x04\0\0\0\0\x02\x01", 10);
		memset(buf + blen, 0, 257);
		blen += 257;
		add("\xff\xfb\x90\x64", 4);
		add_noise(3000);
	} else if (strcmp(kind, "ogg") == 0) {
		add("OggS\0\x02\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0"
		    "\x01\x1e\x01vorbis\0\0\0\0\x02\x44\xac\0\0", 44);
		memset(buf + blen, 0, 12);
		blen += 12;
		add("\xb8\x01", 2);
		add_noise(3000);
	} else if (strcmp(kind, "zip") == 0) {
		zip_member("notes.txt", "hello hello hello");
		zip_member("more.txt", "world");
	} else if (strcmp(kind, "docx") == 0) {
		zip_member("[Content_Types].xml", "<?xml version=\"1.0\"?>"
		    "<Types xmlns=\"http://schemas.openxmlformats.org/package/"
		    "2006/content-types\"/>");
		zip_member("_rels/.rels", "<Relationships/>");
		zip_member("word/document.xml", "<w:document/>");
	} else if (strcmp(kind, "noise") == 0) {
		size_t i;

		srand(3);
		for (i = 0; i < 20000; i++)
			buf[blen++] = (uint8_t)rand();
	}
}
// clang-format on

static int
clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
test_types(struct filetype *ft)
{
	static const struct {
		const char *kind, *want;
	} T[] = {
	    {"jpeg", "image/jpeg"},
	    {"png", "image/png"},
	    {"gif", "image/gif"},
	    {"mp4", "video/mp4"},
	    {"mov", "video/quicktime"},
	    {"m4a", "audio/x-m4a"},
	    {"webm", "video/webm"},
	    {"mkv", "video/x-matroska"},
	    {"pdf", "application/pdf"},
	    {"text", "text/plain"},
	    {"longtext", "text/plain"},
	    {"mp3", "audio/mpeg"},
	    {"ogg", "audio/ogg"},
	    {"zip", "application/zip"},
	    {"docx",
	        "application/vnd.openxmlformats-officedocument."
	        "wordprocessingml.document"},
	    {"noise", FILETYPE_UNKNOWN},
	    {"empty", FILETYPE_EMPTY},
	};
	char out[FILETYPE_MIME_MAX];
	size_t i;

	for (i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
		double t0;
		int k, reps = 20;

		make(T[i].kind);
		strcpy(out, "unset");
		TAP_EQ_INT(filetype_buffer(ft, buf, blen, out, sizeof(out)), 0,
		    T[i].kind);
		TAP_OK(strcmp(out, T[i].want) == 0 && clean(out),
		    "%s is %s (got %s)", T[i].kind, T[i].want, out);
		t0 = now();
		for (k = 0; k < reps; k++)
			(void)filetype_buffer(ft, buf, blen, out, sizeof(out));
		printf("# %-8s %6zu bytes %.3f ms per call\n", T[i].kind, blen,
		    (now() - t0) * 1e3 / reps);
	}

	/* Only the first FILETYPE_SNIFF_LEN bytes count. */
	make("longtext");
	// clang-format off
	memcpy(buf + FILETYPE_SNIFF_LEN, "\x7f" "ELF", 4);
	// clang-format on
	TAP_EQ_INT(
	    filetype_buffer(ft, buf, blen, out, sizeof(out)), 0, "long buffer");
	TAP_OK(strcmp(out, "text/plain") == 0,
	    "bytes beyond FILETYPE_SNIFF_LEN are ignored (%s)", out);
	TAP_EQ_INT(filetype_buffer(ft, buf, blen, out, FILETYPE_MIME_MAX - 1),
	    CAIRN_ERR_INVAL, "cap below FILETYPE_MIME_MAX refused");
}

/* A custom database whose MIME strings are not restricted names. */
static void
test_sanitise(void)
{
	static const char magic[] =
	    "0\tstring\tCAIRNCOLON\tcolon\n!:mime\tapplication/x-a:b\n"
	    "0\tstring\tCAIRNNOSLASH\tno slash\n!:mime\tnoslash\n"
	    "0\tstring\tCAIRNBRACE\tbrace\n!:mime\tapplication/{x}\n"
	    "0\tstring\tCAIRNTWO\ttwo\n!:mime\ta/b/c\n"
	    "0\tstring\tCAIRNGOOD\tgood\n!:mime\tapplication/x-cairn-test\n";
	static const char *in[] = {"CAIRNCOLON", "CAIRNNOSLASH", "CAIRNBRACE",
	    "CAIRNTWO", "CAIRNGOOD"};
	char path[] = "/tmp/cairn-test-magic-XXXXXX", out[FILETYPE_MIME_MAX];
	struct filetype *ft;
	FILE *f;
	size_t i;
	int fd = mkstemp(path);

	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL || fputs(magic, f) == EOF || fclose(f) != 0) {
		TAP_OK(0, "write a custom magic file");
		return;
	}
	setenv("MAGIC", path, 1);
	TAP_EQ_INT(filetype_open(&ft), 0, "open with a custom database");
	for (i = 0; ft != NULL && i < sizeof(in) / sizeof(in[0]); i++) {
		TAP_EQ_INT(filetype_buffer(ft, (const uint8_t *)in[i],
		               strlen(in[i]), out, sizeof(out)),
		    0, in[i]);
		TAP_OK(strcmp(out,
		           i == 4 ? "application/x-cairn-test"
		                  : FILETYPE_UNKNOWN) == 0,
		    "%s gives %s", in[i], out);
	}
	filetype_close(ft);
	unlink(path);

	setenv("MAGIC", "/nonexistent/cairn.magic", 1);
	TAP_EQ_INT(filetype_open(&ft), CAIRN_ERR_IO,
	    "a database that cannot load is CAIRN_ERR_IO");
	TAP_OK(ft == NULL, "and no handle");
	unsetenv("MAGIC");
}

int
main(void)
{
	struct filetype *ft = NULL;
	double t0;

	unsetenv("MAGIC");
	t0 = now();
	TAP_EQ_INT(filetype_open(&ft), 0, "filetype_open");
	printf("# open: %.1f ms\n", (now() - t0) * 1e3);
	if (ft != NULL)
		test_types(ft);
	filetype_close(ft);
	filetype_close(NULL);
	test_sanitise();
	return tap_done();
}
