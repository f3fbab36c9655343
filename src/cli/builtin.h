/*
 * builtin.h - every verb's entry point, as git's builtin.h: one line per
 * cmd_<verb>.c.  main.c's table is the only caller.  Each verb parses its
 * own argv (argv[0] is the verb) and returns the process exit code
 * (CLI_EXIT_*, cli.h).
 *
 * To add a verb: write src/cli/cmd_<verb>.c, add its line here and one line
 * to main.c's table (docs/architecture.md).
 */
#ifndef CAIRN_BUILTIN_H
#define CAIRN_BUILTIN_H

int cmd_keygen(int argc, char **argv);
int cmd_pubkey(int argc, char **argv);
int cmd_encrypt(int argc, char **argv);
int cmd_decrypt(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_combine(int argc, char **argv);
int cmd_share(int argc, char **argv);
int cmd_recovery(int argc, char **argv);
int cmd_parity(int argc, char **argv);
int cmd_repair(int argc, char **argv);
int cmd_salvage(int argc, char **argv);
int cmd_stamp(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_remote(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_signer(int argc, char **argv);

#endif
