/*
 * age_wstate.h - the rule every age writer keeps (age_writer in age.c,
 * age_stream_writer in age_stream.c, age_armor_writer in age_armor.c):
 * once finished, a write or another finish is CAIRN_ERR_INVAL; the first
 * error a call meets is kept and returned by every later call.  Inline
 * only (the writers' hot paths call it per write).  Not public API;
 * knows nothing of what the writers write.
 */
#ifndef CAIRN_AGE_WSTATE_H
#define CAIRN_AGE_WSTATE_H

#include "cairn/err.h"

struct age_wstate {
	int finished; /* finish was called */
	int err;      /* the first error met, 0 while none */
};

/* Before a write: 0 when the writer may go on, CAIRN_ERR_INVAL once it is
 * finished, else the error it met earlier. */
static inline int
age_wstate_check(const struct age_wstate *s)
{
	return s->finished ? CAIRN_ERR_INVAL : s->err;
}

/* Before a finish: age_wstate_check(), marking the writer finished when
 * that is 0. */
static inline int
age_wstate_finish(struct age_wstate *s)
{
	int ret = age_wstate_check(s);

	if (ret == 0)
		s->finished = 1;
	return ret;
}

/* After a write or finish: returns ret, kept as the writer's error when
 * it is one. */
static inline int
age_wstate_keep(struct age_wstate *s, int ret)
{
	if (ret != 0)
		s->err = ret;
	return ret;
}

#endif
