/*
 * cio.h - cairn's I/O seam: byte sources and sinks, atomic output files,
 * careful reading of secret files, and fault injection for tests.
 *
 * Every module that reads or writes bytes goes through a cio_source or
 * cio_sink, so that the format code never knows whether it talks to a file,
 * a pipe, libarchive or another layer, and so that tests can fail the Nth
 * I/O or allocation call (see cio_fault_*).  Knows nothing of age, tar or
 * the terminal.
 */
#ifndef CAIRN_CIO_H
#define CAIRN_CIO_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A pull source.  read() returns the number of bytes placed in buf (> 0),
 * 0 at end of input, or a negative enum cairn_err.  It may return fewer
 * bytes than asked for.
 *
 * read_held and release are optional (NULL, or both set).  read_held()
 * is read(), except that the source may go on reading the bytes it
 * placed in buf after it returns (the archive's hash, on another
 * thread, without a copy).  A reader that uses it must call release(ctx,
 * p, len) before it changes or frees any of [p, p + len) that a
 * read_held() filled; release() returns once the source no longer
 * reads there.  A reader that cannot keep that promise uses read().
 */
struct cio_source {
	ssize_t (*read)(void *ctx, uint8_t *buf, size_t len);
	void *ctx;
	ssize_t (*read_held)(void *ctx, uint8_t *buf, size_t len);
	void (*release)(void *ctx, const uint8_t *p, size_t len);
};

/*
 * The input buffers of a reader that lends what it reads (a source's
 * read_held(), tarball_reader_lend()): n buffers of cap bytes used in
 * turn, each release()d before it is handed out again or freed, so that
 * whoever still reads a lent one is done with it first (cio_ring.c).
 * cio_ring_init() makes one buffer and nothing to release (the ring
 * then always hands out the same buffer); cio_ring_lend() grows it to n
 * (at most CIO_RING_MAX) with release(ctx, p, len).  Both return 0 or
 * CAIRN_ERR_NOMEM.  cio_ring_next() returns the buffer to fill next
 * (buf[cur] until then), cio_ring_holds() 1 when [p, p + len) lies in a
 * lent buffer, cio_ring_free() releases and frees every buffer.
 */
#define CIO_RING_MAX 8
struct cio_ring {
	uint8_t *buf[CIO_RING_MAX];
	unsigned n, cur;
	size_t cap;
	void (*release)(void *ctx, const uint8_t *p, size_t len);
	void *ctx;
};
int cio_ring_init(struct cio_ring *g, size_t cap);
int cio_ring_lend(struct cio_ring *g, unsigned n,
    void (*release)(void *ctx, const uint8_t *p, size_t len), void *ctx);
uint8_t *cio_ring_next(struct cio_ring *g);
int cio_ring_holds(const struct cio_ring *g, const uint8_t *p, size_t len);
void cio_ring_free(struct cio_ring *g);

/*
 * A push sink.  write() consumes all len bytes and returns 0, or a
 * negative enum cairn_err.
 */
struct cio_sink {
	int (*write)(void *ctx, const uint8_t *buf, size_t len);
	void *ctx;
};

/* Read up to len bytes, retrying short reads, until len or EOF.  Returns
 * the count read (< len only at EOF) or a negative enum cairn_err. */
ssize_t cio_read_full(const struct cio_source *src, uint8_t *buf, size_t len);

/* File-descriptor source/sink.  ctx points at an int holding the fd.
 * Short reads/writes and EINTR are handled. */
ssize_t cio_fd_read(void *fdp, uint8_t *buf, size_t len);
int cio_fd_write(void *fdp, const uint8_t *buf, size_t len);

/* A sink that appends into a growable heap buffer (not for secrets). */
struct cio_membuf {
	uint8_t *data;
	size_t len, cap;
	size_t max; /* 0 = unlimited, else CAIRN_ERR_LIMIT beyond it */
};
int cio_membuf_write(void *membuf, const uint8_t *buf, size_t len);
void cio_membuf_free(struct cio_membuf *m);

/* A source reading from a fixed buffer (ctx: struct cio_memsrc). */
struct cio_memsrc {
	const uint8_t *data;
	size_t len, off;
};
ssize_t cio_memsrc_read(void *memsrc, uint8_t *buf, size_t len);

/*
 * Atomic output file.  cio_atomic_open() creates a temp file beside path
 * (".<name>.XXXXXX", O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, given mode) and
 * refuses with CAIRN_ERR_EXISTS when path exists and !force.  Write to
 * a->fd (or use cio_fd_write with &a->fd).  cio_atomic_commit() fsyncs,
 * renames over path (or links, when !force, so an existing file is never
 * replaced; without hard links, as on FAT and exFAT, it uses
 * cio_rename_noreplace()) and fsyncs the directory; on any error (with
 * !force) nothing is left at path, even when only the directory fsync
 * failed.
 * cio_atomic_abort() unlinks the temp file.  Either one must be called
 * exactly once; both are safe to call after the other (no-op).
 * a->published says, after cio_atomic_commit(), whether path is now the
 * new file: with force, a failed directory fsync leaves it there (the old
 * file is gone), so a caller that must leave path as it was on an error
 * has to put the old content back itself.
 */
/*
 * Early writeback for a file written front to back: cio_writeback(fd, wb,
 * n) records n more bytes written and, each time CIO_WRITEBACK_STEP bytes
 * have piled up, asks the kernel to start writing them out
 * (sync_file_range(SYNC_FILE_RANGE_WRITE), which does not wait; a no-op
 * where it does not exist).  The fsync() that publishes the file then
 * waits only for the tail instead of the whole file, and dirty page cache
 * stays bounded.  Purely a hint: errors are left for fsync() to report.
 */
#define CIO_WRITEBACK_STEP (8u << 20)
struct cio_writeback {
	uint64_t written; /* bytes written so far */
	uint64_t started; /* bytes whose writeback has been started */
};
void cio_writeback(int fd, struct cio_writeback *wb, size_t n);

struct cio_pending;
struct cio_atomic {
	int fd;
	int force;
	char *path;
	char *tmp;
	struct cio_pending *pend; /* its entry in the signal-cleanup list */
	struct cio_writeback wb;  /* see cio_writeback() */
	int published;            /* see cio_atomic_commit() */
};
int cio_atomic_open(
    struct cio_atomic *a, const char *path, mode_t mode, int force);
int cio_atomic_commit(struct cio_atomic *a);
void cio_atomic_abort(struct cio_atomic *a);

/*
 * Rename old to newpath (relative to the directory fds, or AT_FDCWD)
 * without replacing anything there: renameat2(RENAME_NOREPLACE), and
 * where the file system does not support it (FAT and exFAT through FUSE:
 * EINVAL), claim newpath with an empty placeholder created exclusively
 * (O_EXCL file or mkdir, of old's kind) and rename over it.  That fallback
 * is not atomic: a crash between the two steps can leave the empty
 * placeholder, and a process that deletes and recreates newpath in that
 * window would be replaced.  Returns 0, CAIRN_ERR_EXISTS or CAIRN_ERR_IO
 * (errno set).  cio_atomic_commit() uses it when link() is not supported.
 */
int cio_rename_noreplace(
    int olddirfd, const char *old, int newdirfd, const char *newpath);

/* Remove every pending atomic temp file, however many (safe in a signal
 * handler: uses only unlink()).  Called by the CLI's SIGINT/SIGTERM
 * handler.  Threads started by cairn block signals, so that the handler
 * runs in a thread that changes the list only with signals blocked. */
void cio_atomic_abort_all_signal_safe(void);

/*
 * Read a whole small file (at most max bytes) into sodium_malloc'd memory,
 * NUL-terminated.  With secret != 0 the file is opened O_NOFOLLOW and
 * refused (CAIRN_ERR_PERM) when readable or writable by group or others,
 * unless it sits on a file system that cannot store permissions (FAT,
 * exFAT; on FUSE, one where making the file private does not take: the
 * attempt is made, and on a file system that stores permissions it
 * leaves the file private).  Callers warn about those with
 * cio_secret_on_modeless_fs().  "-" reads standard input.  *out must be
 * freed with cio_secret_free().
 */
int cio_read_file(
    const char *path, size_t max, int secret, char **out, size_t *outlen);
void cio_secret_free(void *p, size_t len);

/* 1 when path is a regular file accessible by group or others that
 * cio_read_file(secret) accepts only because its file system cannot
 * store permissions (so anyone with the medium can read it); else 0. */
int cio_secret_on_modeless_fs(const char *path);

/* Write a small file atomically with the given mode (0600 for secrets),
 * refusing to overwrite. */
int cio_write_file(const char *path, const void *buf, size_t len, mode_t mode);

/* 1 when a and b name the same existing file (same st_dev/st_ino). */
int cio_same_file(int fd_a, const char *path_b);

/*
 * Library options.  The library reads no environment variable: the caller
 * (the CLI, from CAIRN_THREADS, CAIRN_SEAL_THREADS, CAIRN_FAULT,
 * CAIRN_TEST_AT and CAIRN_TEST_SIGNAL) hands them over once with
 * cairn_set_options() before any other call; unit tests may call it again
 * between cases (it also restarts the fault and test-point counts).  NULL
 * restores the defaults ({0, -1, 0, 0, NULL, NULL}).  The strings must
 * stay valid while in use.
 */
struct cairn_options {
	int aead_threads; /* age payload and hashing: 0 by CPUs, 1 or 2 */
	int seal_threads; /* seal: -1 by CPUs, 0 one thread, 1 a reader */
	/* The rest acts only in test builds (-DCAIRN_TESTING): */
	long fault_at;           /* fail the Nth cio_fault_hit() (0: none) */
	int fault_sticky;        /* ... and every later one */
	const char *test_at;     /* "name[:N]" for cio_test_at() */
	const char *test_signal; /* "name[:N]" for cio_test_signal() */
};
void cairn_set_options(const struct cairn_options *o);
/* The options in force (never NULL). */
const struct cairn_options *cairn_options(void);

/*
 * Fault injection (test builds only).  With fault_at = N in the options,
 * the Nth call to cio_fault_hit() fails (and, with fault_sticky, every
 * later one too).  I/O and allocation wrappers call it; each returns
 * nonzero when the call must fail.  In normal builds it always returns 0.
 */
int cio_fault_hit(void);
/* Test builds: cio_fault_hit() calls so far (counted only while fault_at
 * > 0), so that a sweep knows how many fault points a run has.  0 in
 * normal builds. */
long cio_fault_count(void);

/*
 * Test points (test builds only; no-ops in normal builds).
 * cio_test_at(name) returns 1 at the Nth call with that name when the
 * options' test_at is "name[:N]" (N defaults to 1); the caller then plays
 * the attacker (for example swaps a directory).  cio_test_signal(name)
 * sends SIGTERM to the process at the Nth call when test_signal is
 * "name[:N]", so that tests can interrupt a run at an exact point.
 */
int cio_test_at(const char *name);
void cio_test_signal(const char *name);

/* sodium_malloc / sodium_allocarray (guarded, locked memory for
 * secrets; free with sodium_free) honouring fault injection. */
void *cio_secret_malloc(size_t n);
void *cio_secret_allocarray(size_t count, size_t size);

/* malloc/calloc/realloc wrappers honouring fault injection. */
void *cio_malloc(size_t n);
void *cio_calloc(size_t n, size_t m);
void *cio_realloc(void *p, size_t n);
char *cio_strdup(const char *s);

/*
 * Worker threads (cio_thread.c).  cio_thread_spawn() starts fn(arg) on a
 * new thread (the caller joins it) with every signal blocked but the
 * faults it may raise itself (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT),
 * so that the CLI's signal handlers run on the calling thread only.
 * Every thread cairn starts goes through it.  Returns pthread_create()'s
 * result (0 or an errno value).
 */
int cio_thread_spawn(pthread_t *tid, void *(*fn)(void *), void *arg);

/* "a/b" followed by suffix (NULL or "" for none), as one string the
 * caller frees with free(); NULL when out of memory.  a and b are taken
 * as they are: no slash is added or removed. */
char *cio_path_join(const char *a, const char *b, const char *suffix);

/*
 * Escape a name (or any text) for a terminal into out (cap >= 1 bytes,
 * always NUL-terminated, truncated at a whole escape): control bytes
 * (C0, DEL) and bytes that are not part of valid UTF-8 become \xNN; C1
 * controls, line and paragraph separators and the characters that
 * reorder a displayed line (U+061C, U+200E, U+200F, U+202A..U+202E,
 * U+2066..U+2069) become \u{NNNN}.  Other text is copied.  The one
 * escaping every name the CLI prints goes through.
 */
void cio_escape(char *out, size_t cap, const char *s);

/* 1 for ASCII whitespace (space, \t, \n, \v, \f, \r), whatever the
 * locale; else 0. */
int cio_is_space(int c);
/* Narrow [*b, *e) past leading and trailing cio_is_space bytes. */
void cio_trim(const char **b, const char **e);
/* The next line of the text [*p, end) as [*b, *e), trimmed (cio_trim),
 * moving *p past its '\n'.  Returns 1, or 0 when *p is at the end. */
int cio_next_line(
    const char **p, const char *end, const char **b, const char **e);

#endif
