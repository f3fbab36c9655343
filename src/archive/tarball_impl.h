/*
 * tarball_impl.h - what tarball.c (the writer) shares with tarball_read.c
 * (the reader): the thread-local UTF-8 locale switch and the error-string
 * formatter; not public API.  Must not know either side's state.
 */
#ifndef CAIRN_TARBALL_IMPL_H
#define CAIRN_TARBALL_IMPL_H

#include <locale.h>
#include <stddef.h>

/* Size of the writer's and the reader's error-string buffer. */
#define TB_ERRLEN 320

/* 0 when names can be handled as UTF-8, else CAIRN_ERR_UNSUPPORTED. */
int tb_locale_usable(void);

/* Switch the calling thread to the UTF-8 locale; returns the previous
 * one (or (locale_t)0 when no switch was made) for tb_leave(). */
locale_t tb_enter(void);

/* Restore the locale tb_enter() returned. */
void tb_leave(locale_t old);

/* buf (cap bytes) = reason [: "name"], with no control characters left. */
void tb_format(char *buf, size_t cap, const char *reason, const char *name);

#endif
