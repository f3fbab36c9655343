/*
 * cli_parity_impl.h - helpers shared by cli_parity.c and
 * cli_parity_repair.c (not for verbs: they use cli_parity.h).
 */
#ifndef CAIRN_CLI_PARITY_IMPL_H
#define CAIRN_CLI_PARITY_IMPL_H

/* par2 exit statuses (par2cmdline's "Result" enum). */
#define PAR2_OK             0
#define PAR2_REPAIRABLE     1
#define PAR2_NOT_REPAIRABLE 2

/* Recovery blocks are whole multiples of a 4 KiB sector, at most about
 * PARITY_BLOCKS of them. */
#define PARITY_SECTOR 4096ULL
#define PARITY_BLOCKS 2000ULL

/* Malloc'd absolute path of par2 on PATH, or NULL (nothing printed). */
char *parity_find_par2(void);
/* Run par2 with argv (argv[0] included, NULL-terminated): its exit
 * status, or -1 (errno set) when it could not run or died. */
int parity_run(const char *par2, const char *const *argv);
/* *dir = realpath of archive's directory (malloc'd), *base points into
 * archive.  Returns 0 or a negative enum cairn_err. */
int parity_split(const char *archive, char **dir, const char **base);
/* Malloc'd "a/bc", or NULL. */
char *parity_join(const char *a, const char *b, const char *c);
/* A fresh private directory "<dir>/.cairn-<what>.XXXXXX" (malloc'd). */
char *parity_tmpdir(const char *dir, const char *what);
/* Remove tmp and the files in it (it holds only ours); frees tmp. */
void parity_rmdir(char *tmp);
int parity_fsync_dir(const char *dir);
/* Why par2 failed with status st, as text. */
const char *parity_why(int st);

#endif
