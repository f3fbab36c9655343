/*
 * test_age_wstate.c - the rule the three age writers share
 * (age_wstate.h): age_writer, age_stream_writer and age_armor_writer each
 * keep the first error their sink returned and give it back on every
 * later write and finish, without calling the sink again, and refuse a
 * write or a finish after finish with CAIRN_ERR_INVAL.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age_armor.h"
#include "age_stream.h"
#include "cairn/age.h"
#include "cairn/err.h"
#include "tap.h"

#define BIG (2 * 1024 * 1024) /* more than any writer buffers */

/* A sink that fails with CAIRN_ERR_IO while fail is set, counting calls. */
struct flaky {
	int fail, calls;
};

static int
flaky_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct flaky *f = ctx;

	(void)buf;
	(void)len;
	f->calls++;
	return f->fail ? CAIRN_ERR_IO : 0;
}

/* The writer's entry points, to run the same checks on each. */
struct wops {
	const char *name;
	int (*write)(void *w, const uint8_t *buf, size_t len);
	int (*finish)(void *w);
};

static int
w_age_write(void *w, const uint8_t *buf, size_t len)
{
	return age_writer_write(w, buf, len);
}
static int
w_age_finish(void *w)
{
	return age_writer_finish(w);
}
static int
w_stream_write(void *w, const uint8_t *buf, size_t len)
{
	return age_stream_writer_write(w, buf, len);
}
static int
w_stream_finish(void *w)
{
	return age_stream_writer_finish(w);
}
static int
w_armor_finish(void *w)
{
	return age_armor_writer_finish(w);
}

/* w writes to f: the first failure is kept (the sink is not asked again),
 * even once the sink would work. */
static void
check_sticky(const struct wops *o, void *w, struct flaky *f, const uint8_t *d)
{
	int first = o->write(w, d, BIG), calls;

	f->fail = 0;
	calls = f->calls;
	TAP_OK(first == CAIRN_ERR_IO && o->write(w, d, 1) == CAIRN_ERR_IO &&
	        o->finish(w) == CAIRN_ERR_IO && f->calls == calls,
	    "%s: the sink's error is kept for later calls (%d)", o->name,
	    first);
}

/* w writes to a working sink: finish once, then nothing more. */
static void
check_finished(const struct wops *o, void *w, const uint8_t *d)
{
	TAP_OK(o->write(w, d, 100) == 0 && o->finish(w) == 0 &&
	        o->write(w, d, 1) == CAIRN_ERR_INVAL &&
	        o->finish(w) == CAIRN_ERR_INVAL,
	    "%s: write or finish after finish refused", o->name);
}

int
main(void)
{
	static const struct wops age = {
	    "age_writer", w_age_write, w_age_finish};
	static const struct wops stream = {
	    "age_stream_writer", w_stream_write, w_stream_finish};
	static const struct wops armor = {
	    "age_armor_writer", age_armor_write, w_armor_finish};
	uint8_t fk[AGE_FILE_KEY_LEN], sk[32], pk[32], *d;
	char r[AGE_RECIPIENT_STR_LEN];
	struct age_recipients rs = {0};

	if (sodium_init() < 0 || (d = calloc(1, BIG)) == NULL)
		return 1;
	randombytes_buf(fk, sizeof(fk));
	age_x25519_generate(sk);
	age_x25519_public(sk, pk);
	age_x25519_recipient_string(pk, r);
	age_recipients_add_string(&rs, r);
	for (int fail = 1; fail >= 0; fail--) {
		struct flaky f = {fail, 0};
		struct cio_sink sink = {flaky_write, &f};
		struct age_writer *aw = NULL;
		struct age_stream_writer *sw = NULL;
		struct age_armor_writer *arw = NULL;

		TAP_OK(age_writer_new(&aw, &rs, 0, &sink) == 0 &&
		        age_stream_writer_new(&sw, fk, &sink) == 0 &&
		        age_armor_writer_new(&arw, &sink) == 0,
		    "writers made (sink %s)", fail ? "failing" : "working");
		if (fail) {
			check_sticky(&age, aw, &f, d);
			f.fail = 1;
			check_sticky(&stream, sw, &f, d);
			f.fail = 1;
			check_sticky(&armor, arw, &f, d);
		} else {
			check_finished(&age, aw, d);
			check_finished(&stream, sw, d);
			check_finished(&armor, arw, d);
		}
		age_writer_free(aw);
		age_stream_writer_free(sw);
		age_armor_writer_free(arw);
	}
	age_recipients_free(&rs);
	free(d);
	return tap_done();
}
