/*
 * cli_remote.h - remotes for push, pull and seal --push: their settings
 * and credentials in the key home, the outbox of sealed archives, the
 * per-remote record of what the server confirmed, and one message per
 * failure class.
 *
 * Key home layout (all 0600 files in 0700 directories):
 *   remotes/NAME/config.json    url, region, virtual_host, proxy, ...
 *   remotes/NAME/credentials    access_key=, secret_key=, user=,
 *                               password=, key_file=, passphrase= lines
 *   remotes/NAME/pushed/ID      written once the server confirmed ID
 *   remotes/NAME/uploads/ID     multipart resume state (remote.h)
 *   outbox/ID.json              each archive seal wrote: id, path, size
 *
 * Credentials are never taken from the command line and never printed:
 * --credentials-file F, else the environment (cli_remote_env_credentials),
 * else the remote's stored credentials file.
 *
 * Follows cli.h's convention: int functions return 0 or an exit code
 * after printing.  Knows remote.h (and jansson, for remote list);
 * nothing of archive contents.
 */
#ifndef CAIRN_CLI_REMOTE_H
#define CAIRN_CLI_REMOTE_H

#include <stdint.h>

#include <jansson.h>

#include "cairn/remote.h"

struct cli_remote {
	char *name;
	char *dir;         /* key home's remotes/NAME */
	char *known_hosts; /* sftp: the known_hosts file in use */
	struct remote *r;
	int json, quiet;
};

/* Settings that override the stored ones for one call. */
struct cli_remote_opts {
	const char *proxy;            /* --proxy */
	const char *credentials_file; /* --credentials-file */
	long retries;                 /* --retries, -1 for the default */
};

/* Open the remote called name from the key home. */
int cli_remote_open(struct cli_remote *cr, const char *verb, const char *name,
    const struct cli_remote_opts *o);
void cli_remote_close(struct cli_remote *cr);

/* remote add --create: create the stored remote's bucket or directory
 * (remote_create); refused when something is already there. */
int cli_remote_create(const char *name);

/* Report a failed remote call (what: "push ID"): message and hint for
 * its class; returns CLI_EXIT_REMOTE for CAIRN_ERR_REMOTE, else the
 * error's exit code. */
int cli_remote_fail(const struct cli_remote *cr, int rc, const char *what);

/* --retries N (0..100) into *out; returns 0 or CLI_EXIT_USAGE. */
int cli_remote_parse_retries(const char *verb, const char *s, long *out);

/* A remote NAME is 1..32 letters, digits, '-' or '_'. */
int cli_remote_name_ok(const char *name);

/* Credentials read from a file or the environment.  S3: access_key and
 * secret_key; WebDAV: user and password; SFTP: key_file (absolute path,
 * with an optional passphrase) or password, and user unless the URL has
 * one.  The strings point into buf (sodium memory) or the environment. */
struct cli_creds {
	char *buf;
	size_t len;
	const char *access_key, *secret_key, *user, *password, *key_file,
	    *passphrase;
};

/* Read credentials (name=value lines) for a remote of this kind from
 * path (mode 0600).  Returns 0 or an exit code after printing. */
int cli_remote_read_credentials(
    const char *path, enum remote_kind kind, struct cli_creds *c);
/* The same from the environment: $CAIRN_S3_ACCESS_KEY and
 * $CAIRN_S3_SECRET_KEY for S3, $CAIRN_REMOTE_USER and
 * $CAIRN_REMOTE_PASSWORD for WebDAV and SFTP.  1 when they are set. */
int cli_remote_env_credentials(enum remote_kind kind, struct cli_creds *c);
void cli_creds_free(struct cli_creds *c);

/* The default known_hosts file, $HOME/.ssh/known_hosts (malloc'd). */
char *cli_remote_default_known_hosts(void);

/* ---- the outbox --------------------------------------------------------- */

struct cli_outbox_entry {
	char id[33];
	char *path; /* absolute */
	uint64_t size;
};

/* Record an archive seal wrote (silently nothing when the key home does
 * not exist).  A failure is an error (exit code returned) when must,
 * else a warning (0 returned: the archive itself is fine). */
int cli_outbox_record(const char *id, const char *path, int must);
/* Every entry; *v malloc'd (free with cli_outbox_free). */
int cli_outbox_load(struct cli_outbox_entry **v, size_t *n);
void cli_outbox_free(struct cli_outbox_entry *v, size_t n);
/* The entry for the file at path, recorded with a new random id when
 * there is none.  Returns 0 or an exit code. */
int cli_outbox_find_or_add(const char *path, struct cli_outbox_entry *e);

/*
 * Push one outbox entry to cr unless it is already confirmed there;
 * writes the confirmation; removes the local file when remove_after.
 * *pushed: 1 sent now, 0 already there.  Returns 0 or an exit code.
 */
int cli_remote_push_entry(struct cli_remote *cr,
    const struct cli_outbox_entry *e, int remove_after, int *pushed);
/* 1 when cr has confirmed entry id. */
int cli_remote_is_pushed(const struct cli_remote *cr, const char *id);

/* ---- stored remotes (cli_remote_store.c) ---- */

/* The names of the remotes in rdir (the key home's remotes/), sorted:
 * *names is a malloc'd array of malloc'd strings (the caller frees
 * both); none when rdir is missing.  Returns 0 or an exit code. */
int cli_remote_names(const char *rdir, char ***names, size_t *n);

/* What `remote list --json` shows of remote name: {"name", "url",
 * "proxy", "stored_credentials"} (the caller owns it), or NULL when its
 * config cannot be read. */
json_t *cli_remote_describe(const char *rdir, const char *name);

#endif
