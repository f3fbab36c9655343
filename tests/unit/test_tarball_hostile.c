/*
 * test_tarball_hostile.c - the tar reader (tarball.h) against hostile and
 * damaged archives: crafted header by header here, and made with GNU tar
 * and bsdtar when installed.  Each must fail with the documented error,
 * never with a short success.  A few benign archives of the same shapes
 * show the checks do not simply refuse everything.
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
#include "tap.h"
#include "tar_craft.h"
#include "tarball.h"

#define LONG100                                                                \
	"0123456789012345678901234567890123456789"                             \
	"0123456789012345678901234567890123456789"                             \
	"01234567890123456789"

/* Read m (then free it) and check the outcome. */
static void
expect(struct cio_membuf *m, int want, int want_entries, const char *what)
{
	int rc = read_all(m->data, m->len);

	tap_check(rc == want && last_entries == want_entries,
	    "%s: %d after %d entries (want %d after %d) [%s]", what, rc,
	    last_entries, want, want_entries, last_why);
	if (!no_controls(last_why))
		TAP_OK(0, "reason holds control characters");
	cio_membuf_free(m);
}

/* A one-file archive whose member is called name. */
static void
expect_name(const char *name, int want, const char *what)
{
	struct cio_membuf m = {0};

	put_file(&m, name, "data");
	put_end(&m);
	expect(&m, want, want == 1 ? 1 : 0, what);
}

static void
test_names(void)
{
	char longname[300], path4096[4200], path4097[4200];
	struct cio_membuf m = {0};
	size_t i;

	expect_name("plain.txt", 1, "benign ustar name");
	expect_name("/abs", CAIRN_ERR_UNSAFE, "absolute path");
	expect_name("../x", CAIRN_ERR_UNSAFE, "../x");
	expect_name("a/../../x", CAIRN_ERR_UNSAFE, "a/../../x");
	expect_name("a/..", CAIRN_ERR_UNSAFE, "a/..");
	expect_name("./a", CAIRN_ERR_UNSAFE, "./a");
	expect_name("a//b", CAIRN_ERR_UNSAFE, "a//b");
	expect_name("..\\x", CAIRN_ERR_UNSAFE, "backslash");
	expect_name("evil\x1b[2J", CAIRN_ERR_UNSAFE, "ANSI escape in name");
	expect_name("new\nline", CAIRN_ERR_UNSAFE, "newline in name");
	expect_name("del\x7f", CAIRN_ERR_UNSAFE, "DEL in name");
	// clang-format off
	expect_name("c1\xc2\x9b" "31m", CAIRN_ERR_UNSAFE, "C1 CSI in name");
	expect_name("gpj.\xe2\x80\xae" "exe", CAIRN_ERR_UNSAFE,
	    "bidi override in name");
	// clang-format on
	expect_name("bad\xff", CAIRN_ERR_UNSAFE, "invalid UTF-8");
	expect_name(
	    "\xc0\xae\xc0\xae/x", CAIRN_ERR_UNSAFE, "overlong UTF-8 dots");
	expect_name("\xed\xa0\x80", CAIRN_ERR_UNSAFE, "UTF-16 surrogate");
	expect_name("caf\xc3\xa9", 1, "benign UTF-8 ustar name");

	/* An empty ustar name: some error, never an entry. */
	put_file(&m, "", "data");
	put_end(&m);
	i = (size_t)-read_all(m.data, m.len);
	TAP_OK(i > 0 && i < 100 && last_entries == 0,
	    "empty name is an error [%s]", last_why);
	cio_membuf_free(&m);

	/* pax path= overrides a benign ustar name. */
	put_pax(&m, 'x', "path", "../evil");
	put_file(&m, "benign", "data");
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "pax path=../evil over a benign name");
	TAP_OK(strstr(last_why, "'..'") != NULL, "reason names '..': %s",
	    last_why);

	put_pax(&m, 'x', "path", "/etc/passwd");
	put_file(&m, "benign", "data");
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "pax path=/etc/passwd");

	put_pax(&m, 'x', "path", "evil\x1b]0;pwned\x07");
	put_file(&m, "benign", "data");
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "pax path with OSC escape");

	put_pax(&m, 'x', "path", "bad\xff\xfe");
	put_file(&m, "benign", "data");
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "pax path with invalid UTF-8");

	put_pax(&m, 'x', "path", "pax/long/benign/" LONG100 "/ok");
	put_file(&m, "benign", "data");
	put_end(&m);
	expect(&m, 1, 1, "benign pax path is accepted");

	/* A global header must not smuggle a name either. */
	put_pax(&m, 'g', "path", "../evil");
	put_file(&m, "benign", "data");
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0,
	    "pax global header refused (GNU tar applies its path=)");

	/* GNU long names. */
	snprintf(longname, sizeof(longname), "a/../%s/x", LONG100 LONG100);
	put_longname(&m, longname);
	put_file(&m, "benign", "data");
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "GNU long name with ..");
	snprintf(longname, sizeof(longname), "gnu/%s/x", LONG100 LONG100);
	put_longname(&m, longname);
	put_file(&m, "benign", "data");
	put_end(&m);
	expect(&m, 1, 1, "benign GNU long name is accepted");

	/* The length limit applies to the final name. */
	for (i = 0; i < 4096; i++)
		path4096[i] = i % 200 == 199 ? '/' : 'p';
	path4096[4096] = '\0';
	memcpy(path4097, path4096, 4097);
	strcat(path4097, "q");
	put_pax(&m, 'x', "path", path4096);
	put_file(&m, "benign", "data");
	put_end(&m);
	expect(&m, 1, 1, "4096-byte name is accepted");
	put_pax(&m, 'x', "path", path4097);
	put_file(&m, "benign", "data");
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "4097-byte name is refused");
	memset(longname, 'c', 256);
	longname[256] = '\0';
	put_pax(&m, 'x', "path", longname);
	put_file(&m, "benign", "data");
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "256-byte component is refused");
}

static void
test_types(void)
{
	struct cio_membuf m = {0};

	put_hdr(&m, "link", '2', 0, "/etc/passwd", 0777);
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "symlink");

	/* The two-step trick: x -> .., then x/file. */
	put_hdr(&m, "x", '2', 0, "..", 0777);
	put_file(&m, "x/file", "owned");
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "symlink x -> .. then x/file");

	put_file(&m, "target", "data");
	put_hdr(&m, "hard", '1', 0, "target", 0644);
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 1, "hard link");

	put_hdr(&m, "hard", '1', 0, "/etc/shadow", 0644);
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "hard link to an absolute path");

	put_hdr(&m, "fifo", '6', 0, NULL, 0644);
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "FIFO");
	put_hdr(&m, "tty", '3', 0, NULL, 0644);
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "character device");
	put_hdr(&m, "sda", '4', 0, NULL, 0644);
	put_end(&m);
	expect(&m, CAIRN_ERR_UNSAFE, 0, "block device");

	put_hdr(&m, "dir", '5', 0, NULL, 0755);
	put_file(&m, "dir/f", "data");
	put_end(&m);
	expect(&m, 1, 2, "benign directory and file");
}

static void
test_damage(void)
{
	static uint8_t noise[20000], zero[512];
	struct cio_membuf m = {0}, tar = {0};
	size_t i;

	/* The header says 1 MiB, the data stops after 1000 bytes. */
	put_hdr(&m, "big", '0', MiB, NULL, 0644);
	put(&m, noise, 1000);
	expect(&m, CAIRN_ERR_PAYLOAD, 1, "size that lies (cut short)");
	put_hdr(&m, "big", '0', MiB, NULL, 0644);
	put(&m, noise, 1000);
	put_end(&m);
	expect(&m, CAIRN_ERR_PAYLOAD, 1, "size that lies (end marker follows)");

	/* Cut at an entry boundary: libarchive alone calls this the end. */
	put_file(&m, "a", "data");
	put_file(&m, "b", "data");
	expect(&m, CAIRN_ERR_PAYLOAD, 2, "no end-of-archive marker");
	put_file(&m, "a", "data");
	put(&m, zero, 512);
	expect(&m, CAIRN_ERR_PAYLOAD, 1, "a single zero block");
	put_file(&m, "a", "data");
	put_end(&m);
	put(&m, "junk", 4);
	expect(&m, CAIRN_ERR_PAYLOAD, 1, "bytes after the end marker");
	put_file(&m, "a", "data");
	put_end(&m);
	for (i = 0; i < 2 * MiB / 512; i++)
		put(&m, zero, 512);
	expect(&m, CAIRN_ERR_PAYLOAD, 1, "2 MiB of padding");
	put_file(&m, "a", "data");
	put_end(&m);
	for (i = 0; i < 40; i++)
		put(&m, zero, 512);
	expect(&m, 1, 1, "some zero padding is fine");

	put_file(&m, "a", "data");
	m.data[148] ^= 1; /* checksum */
	put_end(&m);
	expect(&m, CAIRN_ERR_PAYLOAD, 0, "bad header checksum");
	put_file(&m, "a", "data");
	put_file(&m, "b", "data");
	m.data[1024 + 148] ^= 1;
	put_end(&m);
	expect(&m, CAIRN_ERR_PAYLOAD, 1, "bad checksum on the second header");

	srand(7);
	for (i = 0; i < sizeof(noise); i++)
		noise[i] = (uint8_t)rand();
	put(&m, noise, sizeof(noise));
	expect(&m, CAIRN_ERR_PAYLOAD, 0, "random bytes");
	expect(&m, CAIRN_ERR_PAYLOAD, 0, "empty input");
	put(&m, zero, 100);
	expect(&m, CAIRN_ERR_PAYLOAD, 0, "100 zero bytes");

	/* A gzip'd valid tar: no decompression filters are enabled. */
	put_file(&tar, "a", "data");
	put_end(&tar);
	{
		uLongf zlen = compressBound((uLong)tar.len) + 32;
		z_stream z;

		memset(&z, 0, sizeof(z));
		m.data = malloc(zlen);
		if (deflateInit2(
		        &z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
			z.next_in = tar.data;
			z.avail_in = (uInt)tar.len;
			z.next_out = m.data;
			z.avail_out = (uInt)zlen;
			(void)deflate(&z, Z_FINISH);
			m.len = z.total_out;
			deflateEnd(&z);
		}
		TAP_OK(m.len > 2 && m.data[0] == 0x1f && m.data[1] == 0x8b,
		    "made a gzip stream");
		expect(&m, CAIRN_ERR_PAYLOAD, 0, "gzip'd tar");
	}
	TAP_EQ_INT(read_all(tar.data, tar.len), 1, "the same tar, plain");
	cio_membuf_free(&tar);
}

/* The source fails part-way (as an age reader does on a bad chunk). */
static void
test_source_error(void)
{
	struct cio_membuf m = {0};
	struct choppy c = {NULL, 0, 0, 1, 3000, CAIRN_ERR_HMAC};
	struct cio_source src = {.read = choppy_read, .ctx = &c};
	struct tarball_reader *r;
	struct tarball_entry e;
	static uint8_t buf[100000];
	ssize_t n = 0;
	int rc;

	put_hdr(&m, "f", '0', 50000, NULL, 0644);
	put(&m, buf, 50000);
	put_pad(&m);
	put_end(&m);
	c.data = m.data;
	c.len = m.len;
	TAP_EQ_INT(tarball_reader_new(&r, &src), 0, "reader_new");
	rc = tarball_next(r, &e);
	TAP_EQ_INT(rc, 0, "entry header before the failure");
	while (rc == 0 && (n = tarball_read_data(r, buf, sizeof(buf))) > 0)
		;
	TAP_EQ_INT(n, CAIRN_ERR_HMAC, "the source's error comes through");
	TAP_EQ_INT(tarball_next(r, &e), CAIRN_ERR_HMAC, "and stays");
	tarball_reader_free(r);
	cio_membuf_free(&m);
}

/* Serves count directory headers "dNNNNNNN", then the end marker. */
struct gen {
	uint64_t count, i;
	uint8_t blk[512];
	size_t off;
};

static ssize_t
gen_read(void *ctx, uint8_t *buf, size_t len)
{
	struct gen *g = ctx;
	size_t done = 0;

	while (done < len) {
		size_t n;

		if (g->off == sizeof(g->blk)) {
			struct cio_membuf m = {0};
			char name[32];

			if (g->i >= g->count + 2)
				break;
			if (g->i < g->count) {
				snprintf(name, sizeof(name), "d%07llu",
				    (unsigned long long)g->i);
				put_hdr(&m, name, '5', 0, NULL, 0755);
				memcpy(g->blk, m.data, sizeof(g->blk));
				cio_membuf_free(&m);
			} else {
				memset(g->blk, 0, sizeof(g->blk));
			}
			g->i++;
			g->off = 0;
		}
		n = sizeof(g->blk) - g->off;
		if (n > len - done)
			n = len - done;
		memcpy(buf + done, g->blk + g->off, n);
		g->off += n;
		done += n;
	}
	return (ssize_t)done;
}

static int
count_entries(uint64_t count, uint64_t *seen)
{
	struct gen g = {count, 0, {0}, 512};
	struct cio_source src = {.read = gen_read, .ctx = &g};
	struct tarball_reader *r;
	struct tarball_entry e;
	int rc;

	*seen = 0;
	if (tarball_reader_new(&r, &src) != 0)
		return CAIRN_ERR_NOMEM;
	while ((rc = tarball_next(r, &e)) == 0)
		(*seen)++;
	tarball_reader_free(r);
	return rc;
}

static void
test_entry_limit(void)
{
	uint64_t seen;
	clock_t t0 = clock();

	TAP_EQ_INT(count_entries(1000, &seen), 1, "1000 entries are fine");
	TAP_EQ_INT(seen, 1000, "all of them seen");
	TAP_EQ_INT(count_entries(TARBALL_MAX_ENTRIES + 1, &seen),
	    CAIRN_ERR_LIMIT, "TARBALL_MAX_ENTRIES + 1 is CAIRN_ERR_LIMIT");
	TAP_EQ_INT(seen, TARBALL_MAX_ENTRIES, "after exactly the limit");
	printf("# %.1f s for 1M headers\n",
	    (double)(clock() - t0) / CLOCKS_PER_SEC);
}

/* ---- archives made by GNU tar and bsdtar -------------------------------- */

static int
slurp(const char *path, struct cio_membuf *m)
{
	uint8_t buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		put(m, buf, n);
	fclose(f);
	return 0;
}

static void
test_tool_made(void)
{
	static const struct {
		const char *file, *cmd;
		int want, entries;
		const char *what;
	} T[] = {
	    {"gnu-dotdot.tar",
	        "tar --format=gnu -P --transform "
	        "'s,^l,a/../../l,' -cf gnu-dotdot.tar $L",
	        CAIRN_ERR_UNSAFE, 0, "GNU tar long name with .."},
	    {"pax-dotdot.tar",
	        "tar --format=pax -P --transform "
	        "'s,^f,../evil,' -cf pax-dotdot.tar f",
	        CAIRN_ERR_UNSAFE, 0, "GNU tar pax path ../evil"},
	    {"bsd-dotdot.tar",
	        "bsdtar -P -s ',^f,../evil,' -cf "
	        "bsd-dotdot.tar f",
	        CAIRN_ERR_UNSAFE, 0, "bsdtar ../evil"},
	    {"abs.tar", "tar -P -cf abs.tar \"$PWD/f\"", CAIRN_ERR_UNSAFE, 0,
	        "GNU tar -P absolute name"},
	    {"symlink.tar", "ln -s .. x && tar -cf symlink.tar x",
	        CAIRN_ERR_UNSAFE, 0, "GNU tar symlink to .."},
	    {"hardlink.tar", "ln f g && tar -cf hardlink.tar f g",
	        CAIRN_ERR_UNSAFE, 1, "GNU tar hard link"},
	    {"fifo.tar", "mkfifo p && tar -cf fifo.tar p", CAIRN_ERR_UNSAFE, 0,
	        "GNU tar FIFO"},
	    {"sparse-gnu.tar",
	        "truncate -s 1M s && printf abc >> s && "
	        "tar --format=gnu -S -cf sparse-gnu.tar s",
	        CAIRN_ERR_UNSAFE, 0, "GNU sparse file (gnu format)"},
	    {"sparse-pax.tar",
	        "truncate -s 1M t && printf abc >> t && "
	        "tar --format=pax -S -cf sparse-pax.tar t",
	        CAIRN_ERR_UNSAFE, 0, "GNU sparse file (pax format)"},
	    {"gz.tar", "tar -czf gz.tar f", CAIRN_ERR_PAYLOAD, 0,
	        "tar -z output"},
	    {"benign.tar", "tar --format=gnu -cf benign.tar $L f", 1, 2,
	        "benign GNU tar archive with a long name"},
	    {"benign-bsd.tar", "bsdtar --format=pax -cf benign-bsd.tar $L f", 1,
	        2, "benign bsdtar pax archive with a long name"},
	};
	char dir[] = "/tmp/cairn-test-tarball-XXXXXX", cmd[1024];
	size_t i;

	if (mkdtemp(dir) == NULL) {
		TAP_OK(0, "mkdtemp");
		return;
	}
	for (i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
		struct cio_membuf m = {0};
		char path[600];

		snprintf(cmd, sizeof(cmd),
		    "cd %s && L=$(printf 'l%%.0s' "
		    "$(seq 120)) && touch $L && echo x > f && { %s; } "
		    ">/dev/null 2>&1",
		    dir, T[i].cmd);
		snprintf(path, sizeof(path), "%s/%s", dir, T[i].file);
		if (system(cmd) != 0 || slurp(path, &m) != 0) {
			tap_skip("could not make %s", T[i].file);
			cio_membuf_free(&m);
			continue;
		}
		expect(&m, T[i].want, T[i].entries, T[i].what);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

int
main(void)
{
	test_names();
	test_types();
	test_damage();
	test_source_error();
	test_tool_made();
	test_entry_limit();
	return tap_done();
}
