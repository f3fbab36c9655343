/*
 * magic_flags.c - what each libmagic MAGIC_NO_CHECK_* flag costs and
 * changes, on the files named on stdin (one path a line; e.g. `find
 * bench/out/corpus/small-10000 -type f | ./magic_flags`).
 *
 * For cairn's flags (src/archive/filetype.c: MIME type, no decompressor,
 * no ELF or CDF parser) and for cairn's flags plus each further
 * MAGIC_NO_CHECK_* flag, it times magic_buffer() over the first 64 KiB
 * of every file (the bytes cairn sniffs; read once, before timing; CPU
 * time of this process, which a busy machine disturbs less) and
 * counts the files whose MIME type differs from the one cairn records.
 * Prints one line per flag set: milliseconds, microseconds per file,
 * types changed, and one example of a change.
 *
 * Standalone: links only libmagic.  Build and run:
 *   cc -O2 -o magic_flags bench/magic_flags.c -lmagic
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SNIFF (64 * 1024)
#define CAIRN                                                                  \
	(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_COMPRESS_FORK |  \
	    MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_CDF)

struct file {
	unsigned char *buf;
	size_t len;
	char path[512];
	char type[128];
};

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Type every file with flags; with record, keep the types as reference. */
static void
run(const char *name, int flags, struct file *f, size_t n, int record)
{
	magic_t m = magic_open(flags);
	size_t bytes = SNIFF, changed = 0, ex = n;
	double t0;

	if (m == NULL || magic_load(m, NULL) != 0 ||
	    magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &bytes) != 0) {
		fprintf(stderr, "magic_flags: cannot load libmagic\n");
		exit(1);
	}
	t0 = now_ms();
	for (size_t i = 0; i < n; i++) {
		const char *t = f[i].len == 0
		    ? "inode/x-empty"
		    : magic_buffer(m, f[i].buf, f[i].len);

		if (t == NULL)
			t = "?";
		if (record)
			snprintf(f[i].type, sizeof(f[i].type), "%s", t);
		else if (strcmp(t, f[i].type) != 0 && changed++ == 0)
			ex = i;
	}
	t0 = now_ms() - t0;
	printf("%-26s %9.1f ms %7.1f us/file %6zu changed", name, t0,
	    1e3 * t0 / (double)(n ? n : 1), changed);
	if (ex < n) {
		const char *t = magic_buffer(m, f[ex].buf, f[ex].len);

		printf("  (%s: %s -> %s)", f[ex].path, f[ex].type,
		    t != NULL ? t : "?");
	}
	putchar('\n');
	magic_close(m);
}

int
main(void)
{
	static const struct {
		const char *name;
		int flag;
	} extra[] = {
	    {"+NO_CHECK_TAR", MAGIC_NO_CHECK_TAR},
	    {"+NO_CHECK_SOFT", MAGIC_NO_CHECK_SOFT},
	    {"+NO_CHECK_APPTYPE", MAGIC_NO_CHECK_APPTYPE},
	    {"+NO_CHECK_TEXT", MAGIC_NO_CHECK_TEXT},
	    {"+NO_CHECK_CSV", MAGIC_NO_CHECK_CSV},
	    {"+NO_CHECK_TOKENS", MAGIC_NO_CHECK_TOKENS},
	    {"+NO_CHECK_ENCODING", MAGIC_NO_CHECK_ENCODING},
	    {"+NO_CHECK_JSON", MAGIC_NO_CHECK_JSON},
	    {"-NO_CHECK_ELF", -MAGIC_NO_CHECK_ELF},
	    {"-NO_CHECK_CDF", -MAGIC_NO_CHECK_CDF},
	    {"-NO_CHECK_COMPRESS", -MAGIC_NO_CHECK_COMPRESS},
	};
	struct file *f = NULL;
	size_t n = 0, cap = 0;
	char line[512];

	while (fgets(line, sizeof(line), stdin) != NULL) {
		int fd;
		ssize_t got;

		line[strcspn(line, "\n")] = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((f = realloc(f, cap * sizeof(*f))) == NULL)
				return 1;
		}
		if ((fd = open(line, O_RDONLY)) < 0)
			continue;
		f[n].buf = malloc(SNIFF);
		got = f[n].buf != NULL ? read(fd, f[n].buf, SNIFF) : -1;
		close(fd);
		if (got < 0)
			continue;
		f[n].len = (size_t)got;
		snprintf(f[n].path, sizeof(f[n].path), "%s", line);
		n++;
	}
	printf("%zu files\n", n);
	run("cairn's flags", CAIRN, f, n, 1);
	run("cairn's flags (again)", CAIRN, f, n, 0);
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		int fl = extra[i].flag;

		run(extra[i].name, fl > 0 ? CAIRN | fl : CAIRN & ~(-fl), f, n,
		    0);
	}
	return 0;
}
