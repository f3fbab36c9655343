/*
 * extract_impl.h - internals shared by extract.c and extract_rm.c; not
 * public API.
 */
#ifndef CAIRN_EXTRACT_IMPL_H
#define CAIRN_EXTRACT_IMPL_H

#include <fcntl.h>

#define X_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/*
 * Remove parentfd/name and everything below it, using only
 * async-signal-safe system calls (openat, getdents64, unlinkat,
 * fchmodat, close) and no memory allocation.  Best effort: what cannot
 * be removed stays.
 */
void extract_rm_tree(int parentfd, const char *name);

#endif
