/*
 * parity_impl.h - helpers shared by parity.c and parity_repair.c (not for
 * other layers: they use cairn/parity.h).
 */
#ifndef CAIRN_PARITY_IMPL_H
#define CAIRN_PARITY_IMPL_H

#include <sys/types.h>

/* Recovery blocks are whole multiples of a 4 KiB sector, at most about
 * PARITY_BLOCKS of them. */
#define PARITY_SECTOR 4096ULL
#define PARITY_BLOCKS 2000ULL

/* An archive's names: dir = realpath of its directory, base = its last
 * component, side = dir/base.par2, path = dir/base (all malloc'd). */
struct parity_paths {
	char *dir, *base, *side, *path;
};
/* Fill p from archive; returns 0 or a negative enum cairn_err. */
int parity_paths_get(const char *archive, struct parity_paths *p);
void parity_paths_free(struct parity_paths *p);

/* Run par2 with argv (argv[0] included, NULL-terminated): its exit
 * status, or -1 (errno set) when it could not run or died. */
int parity_run(const char *par2, const char *const *argv);
/* par2 verify of side with data files in datadir: its status. */
int parity_run_verify(const char *par2, const char *datadir, const char *side);
/* A fresh private directory "<dir>/.cairn-<what>.XXXXXX" (malloc'd), or
 * NULL (errno set). */
char *parity_tmpdir(const char *dir, const char *what);
/* Remove tmp and the files in it (it holds only ours); frees tmp. */
void parity_rmdir(char *tmp);
/* fsync directory dir; 0 or -1 (errno set). */
int parity_fsync_dir(const char *dir);

#endif
