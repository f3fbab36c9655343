/*
 * cli_tty.h - internal to src/cli: the terminal state shared between
 * cli_pass.c (which turns echo off) and the signal handler in
 * cli_common.c (which turns it back on).  Not for command files.
 */
#ifndef CAIRN_CLI_TTY_H
#define CAIRN_CLI_TTY_H

/* Restore the terminal if a passphrase prompt turned echo off.  Uses only
 * tcsetattr() and write(), so it is safe in a signal handler. */
void cli_tty_restore_signal_safe(void);

#endif
