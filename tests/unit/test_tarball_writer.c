/*
 * test_tarball_writer.c - the pax tar writer (tarball.h): what it refuses,
 * names in any Unicode normalisation, sink errors, and the exact bytes it
 * emits.
 */
#include "tarball_util.h"

static void
test_writer_refusals(void)
{
	static const char *bad[] = {"../x", "/abs", "a/./b", "a//b", "dir/",
	    "x\\y", "bad\xff", "esc\x1b[31m", "", "-"};
	struct cio_membuf m = {0};
	struct cio_sink sink = {cio_membuf_write, &m};
	struct tarball_writer *w;
	const char *why;
	size_t i;
	int rc;

	TAP_EQ_INT(tarball_writer_new(&w, &sink), 0, "writer_new");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = tarball_write_file_begin(w, bad[i], 1, 0644, 0);
		TAP_EQ_INT(
		    rc, CAIRN_ERR_UNSUPPORTED, "writer refuses a bad name");
		TAP_OK(tarball_writer_error(w)[0] != '\0' &&
		        no_controls(tarball_writer_error(w)),
		    "reason: %s", tarball_writer_error(w));
		TAP_EQ_INT(tarball_write_dir(w, bad[i], 0755, 0),
		    CAIRN_ERR_UNSUPPORTED, "also as a directory");
	}
	/* Nothing was written: the writer is still usable. */
	TAP_EQ_INT(tarball_write_file_begin(w, "ok", 2, 0644, 5), 0,
	    "a good name after refusals");
	TAP_EQ_INT(tarball_write_dir(w, "d", 0755, 0), CAIRN_ERR_INVAL,
	    "no directory while a file is open");
	TAP_EQ_INT(tarball_writer_finish(w), CAIRN_ERR_INVAL,
	    "no finish while a file is open");
	TAP_EQ_INT(tarball_write_data(w, (const uint8_t *)"hi", 2), 0, "data");
	TAP_EQ_INT(tarball_write_file_end(w), 0, "file_end");
	TAP_EQ_INT(tarball_write_data(w, (const uint8_t *)"x", 1),
	    CAIRN_ERR_INVAL, "no data without an open file");
	TAP_EQ_INT(tarball_write_file_end(w), CAIRN_ERR_INVAL,
	    "no file_end without an open file");
	TAP_EQ_INT(tarball_writer_finish(w), 0, "finish");
	TAP_EQ_INT(tarball_write_dir(w, "late", 0755, 0), CAIRN_ERR_INVAL,
	    "no entries after finish");
	tarball_writer_free(w);
	TAP_EQ_INT(read_all(m.data, m.len), 1, "refusals left a clean archive");
	TAP_EQ_INT(last_entries, 1, "holding the one good entry");
	cio_membuf_free(&m);

	TAP_EQ_INT(tarball_path_check("caf\xc3\xa9", &why), 0, "NFC name ok");
	TAP_EQ_INT(tarball_path_check("cafe\xcc\x81", &why), 0,
	    "NFD name accepted (stored byte for byte)");
	TAP_EQ_INT(tarball_path_check("-", &why), CAIRN_ERR_UNSAFE,
	    "'-' refused (sha256sum -c reads it as standard input)");
	TAP_EQ_INT(tarball_path_check("../x", &why), CAIRN_ERR_UNSAFE,
	    "path_check applies the syntax rules");
}

/* Names in any Unicode normalisation are written and read back byte for
 * byte (libarchive alone would hand out pax names normalised to NFC). */
static void
test_nfd_names(void)
{
	static const char *names[] = {"cafe\xcc\x81", "d/\xe2\x84\xab",
	    "caf\xc3\xa9", "a\xcc\x88o\xcc\x88"};
	struct cio_membuf m = {0};
	struct cio_sink sink = {cio_membuf_write, &m};
	struct tarball_writer *w;
	struct tarball_reader *r;
	struct choppy c = {NULL, 0, 0, 1, 0, 0};
	struct cio_source src = {.read = choppy_read, .ctx = &c};
	struct tarball_entry e;
	size_t i, n = sizeof(names) / sizeof(names[0]);
	char *nfc = NULL;

	TAP_EQ_INT(tarball_writer_new(&w, &sink), 0, "writer_new (NFD)");
	for (i = 0; i < n; i++)
		TAP_OK(tarball_write_file_begin(w, names[i], 0, 0644, 0) == 0 &&
		        tarball_write_file_end(w) == 0,
		    "write name %zu", i);
	TAP_EQ_INT(tarball_writer_finish(w), 0, "finish (NFD)");
	tarball_writer_free(w);
	c.data = m.data;
	c.len = m.len;
	TAP_EQ_INT(tarball_reader_new(&r, &src), 0, "reader_new (NFD)");
	for (i = 0; i < n; i++) {
		int rc = tarball_next(r, &e);

		TAP_OK(rc == 0 && strcmp(e.path, names[i]) == 0,
		    "name %zu read back byte for byte (rc %d, %s)", i, rc,
		    tarball_reader_error(r));
	}
	TAP_EQ_INT(tarball_next(r, &e), 1, "end (NFD)");
	tarball_reader_free(r);
	cio_membuf_free(&m);
	/* what libarchive itself makes of the NFD name: the NFC form */
	TAP_EQ_INT(tarball_name_nfc("cafe\xcc\x81", &nfc), 0, "name_nfc");
	TAP_OK(nfc != NULL && strcmp(nfc, "caf\xc3\xa9") == 0,
	    "libarchive normalises to NFC: %s", nfc ? nfc : "(null)");
	free(nfc);
}

static void
test_writer_errors(void)
{
	struct counting c = {{0}, 0, 0};
	struct cio_sink sink = {counting_write, &c};
	struct tarball_writer *w;
	static uint8_t big[200000];
	size_t before;

	/* The file grows while read. */
	TAP_EQ_INT(tarball_writer_new(&w, &sink), 0, "writer_new");
	TAP_EQ_INT(tarball_write_file_begin(w, "f", 10, 0644, 0), 0, "begin");
	TAP_EQ_INT(tarball_write_data(w, big, 6), 0, "6 of 10 bytes");
	TAP_EQ_INT(tarball_write_data(w, big, 5), CAIRN_ERR_CHANGED,
	    "more than announced: CHANGED");
	TAP_EQ_INT(
	    tarball_writer_finish(w), CAIRN_ERR_CHANGED, "the error is sticky");
	tarball_writer_free(w);

	/* The file shrinks while read. */
	TAP_EQ_INT(tarball_writer_new(&w, &sink), 0, "writer_new");
	TAP_EQ_INT(tarball_write_file_begin(w, "f", 10, 0644, 0), 0, "begin");
	TAP_EQ_INT(tarball_write_data(w, big, 9), 0, "9 of 10 bytes");
	TAP_EQ_INT(tarball_write_file_end(w), CAIRN_ERR_CHANGED,
	    "less than announced: CHANGED");
	TAP_EQ_INT(
	    tarball_write_dir(w, "d", 0755, 0), CAIRN_ERR_CHANGED, "sticky");
	tarball_writer_free(w);

	/* The sink fails. */
	cio_membuf_free(&c.m);
	c.max = 20000;
	TAP_EQ_INT(tarball_writer_new(&w, &sink), 0, "writer_new");
	TAP_EQ_INT(
	    tarball_write_file_begin(w, "f", sizeof(big), 0644, 0), 0, "begin");
	TAP_EQ_INT(tarball_write_data(w, big, sizeof(big)), CAIRN_ERR_IO,
	    "the sink's error comes back");
	TAP_OK(strstr(tarball_writer_error(w), "output failed") != NULL,
	    "reason: %s", tarball_writer_error(w));
	TAP_EQ_INT(tarball_writer_finish(w), CAIRN_ERR_IO, "sticky");
	tarball_writer_free(w);

	/* Freeing an unfinished writer adds nothing (no end marker). */
	cio_membuf_free(&c.m);
	c.max = 0;
	TAP_EQ_INT(tarball_writer_new(&w, &sink), 0, "writer_new");
	TAP_EQ_INT(
	    tarball_write_file_begin(w, "f", sizeof(big), 0644, 0), 0, "begin");
	TAP_EQ_INT(tarball_write_data(w, big, 50000), 0, "part of the data");
	before = c.m.len;
	tarball_writer_free(w);
	TAP_EQ_INT(
	    c.m.len, before, "free of an unfinished writer writes nothing");
	TAP_OK(read_all(c.m.data, c.m.len) < 0,
	    "and what was written is "
	    "not a valid archive");
	cio_membuf_free(&c.m);
}

static void
test_writer_output(void)
{
	struct counting c = {{0}, 0, 0};
	struct cio_sink sink = {counting_write, &c};
	struct tarball_writer *w;
	uint8_t *big = malloc(3 * MiB);
	uint64_t huge = (uint64_t)9 << 30;
	static const uint8_t big20k[20000];

	/* One large write reaches the sink in whole records. */
	memset(big, 0xab, 3 * MiB);
	TAP_EQ_INT(tarball_writer_new(&w, &sink), 0, "writer_new");
	TAP_EQ_INT(tarball_write_file_begin(w, "big", 3 * MiB, 0644, 0), 0,
	    "begin 3 MiB");
	TAP_EQ_INT(tarball_write_data(w, big, 3 * MiB), 0, "one 3 MiB write");
	TAP_EQ_INT(tarball_write_file_end(w), 0, "end");
	TAP_EQ_INT(tarball_writer_finish(w), 0, "finish");
	tarball_writer_free(w);
	TAP_EQ_INT(
	    c.calls, c.m.len / 10240, "sink sees only 10240-byte records");
	printf("# %zu sink calls for %zu bytes\n", c.calls, c.m.len);
	cio_membuf_free(&c.m);
	free(big);

	/* Sizes beyond ustar's 8 GiB go into a pax size record. */
	TAP_EQ_INT(tarball_writer_new(&w, &sink), 0, "writer_new");
	TAP_EQ_INT(tarball_write_file_begin(w, "huge", huge, 0644, 0), 0,
	    "begin a 9 GiB file");
	TAP_EQ_INT(tarball_write_data(w, big20k, sizeof(big20k)), 0,
	    "some of its data");
	TAP_OK(contains(&c.m, "size=9663676416"), "pax size record");
	tarball_writer_free(w);
	cio_membuf_free(&c.m);
}

int
main(void)
{
	test_writer_refusals();
	test_nfd_names();
	test_writer_errors();
	test_writer_output();
	return tap_done();
}
