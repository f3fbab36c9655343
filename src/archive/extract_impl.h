/*
 * extract_impl.h - internals shared by extract.c and extract_rm.c; not
 * public API.
 */
#ifndef CAIRN_EXTRACT_IMPL_H
#define CAIRN_EXTRACT_IMPL_H

#include <fcntl.h>
#include <stdint.h>

#define X_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/*
 * Remove everything below the directory rootfd (borrowed, not closed),
 * then rmdir parentfd/name if that name is still the directory dev/ino.
 * Never opens the tree by name nor climbs "..".  Uses only
 * async-signal-safe system calls (openat, getdents64, unlinkat,
 * renameat, fchmodat, fstatat, close) and no memory allocation.  Best
 * effort: what cannot be removed stays.
 */
void extract_rm_tree(
    int parentfd, const char *name, int rootfd, uint64_t dev, uint64_t ino);

#endif
