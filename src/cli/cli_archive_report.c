/*
 * cli_archive_report.c - what list/verify/open print about an archive:
 * the manifest table, skipped paths, the signer, and the verify/open
 * report (human and JSON).  See cli_archive.h.
 *
 * Knows manifest.h, unseal.h, minisig.h and jansson (for JSON output
 * only); nothing of reading or decrypting.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cairn/err.h"
#include "cli.h"
#include "cli_archive.h"
#include "cli_json.h"
#include "cli_exif.h"
#include "cli_stamp.h"
#include "cli_trust.h"
#include "cairn/manifest.h"
#include "cairn/unseal.h"

/* one when n is 1, else many ("1 file", "2 files", "0 files"). */
static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void
time_str(int64_t t, char out[MANIFEST_TIME_LEN])
{
	if (manifest_time_format(t, out) != 0)
		snprintf(out, MANIFEST_TIME_LEN, "?");
}

/* The header lines shared by list and the verify report. */
static void
print_head(const struct manifest *m)
{
	char id[MANIFEST_ID_HEX_LEN], t[MANIFEST_TIME_LEN];

	manifest_archive_id_hex(m, id);
	time_str(m->sealed_at, t);
	printf("archive id:  %s\n", id);
	printf("sealed at:   %s\n", t);
	printf("sealed with: %s\n", m->tool);
	printf("case:        %s\n",
	    m->case_label != NULL ? m->case_label : "(none)");
	for (size_t i = 0; i < m->nnotes; i++) {
		const char *n = m->notes[i], *e;

		printf("note:        ");
		/* a note's further lines are indented like its first */
		while ((e = strchr(n, '\n')) != NULL) {
			printf("%.*s\n             ", (int)(e - n), n);
			n = e + 1;
		}
		printf("%s\n", n);
	}
}

/* What the seal left out (--skip-unreadable), one line each. */
static void
print_skipped(const struct manifest *m)
{
	for (size_t i = 0; i < m->nskipped; i++)
		printf("skipped:     %s (not in the archive: %s)\n",
		    m->skipped[i].path, m->skipped[i].reason);
}

json_t *
cli_skipped_json(const struct manifest *m)
{
	json_t *a = json_array(), *o;

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < m->nskipped; i++) {
		if ((o = json_object()) == NULL) {
			json_decref(a);
			return NULL;
		}
		cli_json_set(o, "path", json_string(m->skipped[i].path));
		cli_json_set(o, "reason", json_string(m->skipped[i].reason));
		cli_json_append(a, o);
	}
	return a;
}

/* list's signer line: who the manifest names, as tr knows them. */
static void
print_list_signer(const struct unseal_result *res, const struct cli_trust *tr)
{
	const char *name = cli_archive_signer_name(res, tr);

	printf("signer:      ");
	fflush(stdout);
	if (!res->m->has_signer)
		printf("none, the archive is unsigned");
	else if (name != NULL) {
		printf("trusted: ");
		fflush(stdout);
		cli_print_escaped(STDOUT_FILENO, name);
		printf(" (fingerprint %s)", res->signer_fingerprint);
	} else
		printf("unknown key %s", res->signer_fingerprint);
	if (res->key_id_clash >= 0 && tr != NULL) {
		printf(", with the key id of trusted signer ");
		fflush(stdout);
		cli_print_escaped(
		    STDOUT_FILENO, tr->t.v[res->key_id_clash].name);
		printf(" but a different key");
	}
	printf(" (not verified; run cairn verify)\n");
}

/* v in decimal, NUL-terminated (out: at least 21 bytes). */
static void
u64_str(uint64_t v, char *out)
{
	char tmp[20];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*out++ = tmp[--n];
	*out = '\0';
}

/* s padded with spaces to width w (on the left when right is set), then
 * two spaces. */
static char *
put_field(char *p, const char *s, size_t n, size_t w, int right)
{
	size_t pad = n < w ? w - n : 0;

	if (right)
		p = (char *)memset(p, ' ', pad) + pad;
	p = (char *)memcpy(p, s, n) + n;
	if (!right)
		p = (char *)memset(p, ' ', pad) + pad;
	return (char *)memcpy(p, "  ", 2) + 2;
}

/* One row of the entry table in one write: what printf("%14s  %-20s
 * %-28s  %s%s\n") writes, without its cost at 100,000 rows. */
static void
print_row(const char *size, const char *t, const char *type, const char *path,
    const char *tail)
{
	char line[24 + MANIFEST_TIME_LEN + MANIFEST_MIME_MAX +
	    MANIFEST_PATH_MAX + 16];
	size_t ns = strlen(size), nt = strlen(t), ny = strlen(type);
	size_t np = strlen(path), nl = strlen(tail);
	char *p = line;

	if (ns > 23 || nt >= MANIFEST_TIME_LEN || ny > MANIFEST_MIME_MAX ||
	    np > MANIFEST_PATH_MAX || nl > 1) {
		printf("%14s  %-20s  %-28s  %s%s\n", size, t, type, path, tail);
		return;
	}
	p = put_field(p, size, ns, 14, 1);
	p = put_field(p, t, nt, 20, 0);
	p = put_field(p, type, ny, 28, 0);
	p = (char *)memcpy(p, path, np) + np;
	p = (char *)memcpy(p, tail, nl) + nl;
	*p++ = '\n';
	fwrite(line, 1, (size_t)(p - line), stdout);
}

void
cli_archive_print_manifest(
    const struct unseal_result *res, const struct cli_trust *tr)
{
	const struct manifest *m = res->m;
	char t[MANIFEST_TIME_LEN];
	uint64_t files = 0, bytes = 0;

	print_head(m);
	print_list_signer(res, tr);
	printf("\n%14s  %-20s  %-28s  %s\n", "SIZE", "MTIME", "TYPE", "PATH");
	for (size_t i = 0; i < m->nentries; i++) {
		const struct manifest_entry *e = &m->entries[i];
		char size[24];

		if (i == 0 || e->mtime != m->entries[i - 1].mtime)
			time_str(e->mtime, t); /* often the same */
		if (e->type == MANIFEST_FILE) {
			u64_str(e->size, size);
			files++;
			bytes += e->size;
		} else
			memcpy(size, "-", 2);
		print_row(size, t,
		    e->type == MANIFEST_FILE ? e->mime : "directory", e->path,
		    e->type == MANIFEST_DIR ? "/" : "");
		if (e->exif != NULL)
			cli_exif_print_row(e->exif);
	}
	printf("\n%" PRIu64 " %s, %" PRIu64 " %s, %zu %s\n", files,
	    plural(files, "file", "files"), bytes,
	    plural(bytes, "byte", "bytes"), m->nentries,
	    plural(m->nentries, "entry", "entries"));
	cli_exif_print_summary(m, "");
	print_skipped(m);
}

static int
report_json(const struct cli_archive *a, const struct cli_trust *tr,
    const struct unseal_result *res, int rc, int exit_code, const char *dest)
{
	const char *name = a->in.name;
	const char *sname = cli_archive_signer_name(res, tr);
	char id[MANIFEST_ID_HEX_LEN], t[MANIFEST_TIME_LEN];
	char kid[MINISIG_KEY_ID_HEX_LEN];
	json_t *o = json_object();

	if (o == NULL)
		return cli_fail(CAIRN_ERR_NOMEM, "report");
	cli_json_set(o, "archive", json_string(name));
	cli_json_set(o, "ok", json_boolean(rc == 0 && exit_code == 0));
	cli_json_set(o, "exit_code", json_integer(exit_code));
	cli_json_set(o, "error",
	    rc == 0 ? cli_stamp_json_error(a->stamps)
	            : json_string(res->error[0] != '\0' ? res->error
	                                                : cairn_strerror(rc)));
	if (res->m != NULL) {
		manifest_archive_id_hex(res->m, id);
		time_str(res->m->sealed_at, t);
		cli_archive_signer_id(res->m, kid);
		cli_json_set(o, "archive_id", json_string(id));
		cli_json_set(o, "sealed_at", json_string(t));
		cli_json_set(o, "case",
		    res->m->case_label != NULL ? json_string(res->m->case_label)
		                               : json_null());
		cli_json_set(o, "signed", json_boolean(res->is_signed));
		cli_json_set(o, "signer_key_id",
		    res->is_signed ? json_string(kid) : json_null());
		cli_json_set(
		    o, "entries", json_integer((json_int_t)res->m->nentries));
		cli_json_set(o, "skipped", cli_skipped_json(res->m));
		cli_json_set(o, "exif", cli_exif_json(res->m));
	}
	cli_json_set(o, "signature_verified", json_boolean(res->sig_ok));
	cli_json_set(o, "signer_fingerprint",
	    res->signer_fingerprint[0] != '\0'
	        ? json_string(res->signer_fingerprint)
	        : json_null());
	cli_json_set(o, "signer_trusted", json_boolean(sname != NULL));
	cli_json_set(
	    o, "signer_name", sname != NULL ? json_string(sname) : json_null());
	cli_json_set(o, "files_checked", json_integer((json_int_t)res->nfiles));
	cli_json_set(o, "dirs_checked", json_integer((json_int_t)res->ndirs));
	cli_json_set(o, "bytes_checked", json_integer((json_int_t)res->bytes));
	if (dest != NULL)
		cli_json_set(
		    o, "directory", rc == 0 ? json_string(dest) : json_null());
	cli_json_set(o, "timestamps", cli_stamp_json(a->stamps));
	return cli_json_print(o);
}

/* verify/open's signature line. */
static void
print_signature(const struct unseal_result *res, const struct cli_trust *tr)
{
	const char *name = cli_archive_signer_name(res, tr);

	if (!res->sig_ok) {
		printf("signature:   none (the archive is unsigned; accepted "
		       "because of --allow-unsigned)\n");
		return;
	}
	if (name == NULL) {
		printf("signature:   good, but by a key you do NOT trust: "
		       "fingerprint %s (accepted because of --any-signer)\n",
		    res->signer_fingerprint);
		return;
	}
	printf("signature:   good, by trusted signer ");
	fflush(stdout);
	cli_print_escaped(STDOUT_FILENO, name);
	printf(" (fingerprint %s)\n", res->signer_fingerprint);
}

int
cli_archive_report(const struct cli_archive *a, const struct cli_trust *tr,
    const struct unseal_result *res, int rc, int exit_code, const char *dest,
    int json)
{
	const char *name = a->in.name;

	if (json)
		return report_json(a, tr, res, rc, exit_code, dest);
	if (rc != 0 || res->m == NULL)
		return 0; /* the error is on stderr */
	printf("archive:     %s\n", name);
	print_head(res->m);
	print_signature(res, tr);
	printf("content:     %" PRIu64 " %s (%" PRIu64 " %s) and %" PRIu64
	       " %s match the manifest and SHA256SUMS\n",
	    res->nfiles, plural(res->nfiles, "file", "files"), res->bytes,
	    plural(res->bytes, "byte", "bytes"), res->ndirs,
	    plural(res->ndirs, "directory", "directories"));
	print_skipped(res->m);
	cli_exif_print_summary(res->m, "metadata:    ");
	if (a->stamps != NULL)
		cli_stamp_print(a->stamps);
	if (dest != NULL)
		printf("opened into: %s\n", dest);
	printf("result:      %s\n", exit_code == 0 ? "OK" : "FAILED");
	return cli_flush_stdout();
}
