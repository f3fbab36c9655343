/*
 * test_custody.c - custody log entries: exact encoding, strict decoding
 * (a must-fail case per rule), and custody_verify() on logs built in a
 * temp directory by custody_append(): intact, signed, and with an entry
 * removed, reordered, edited or re-signed by another key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/custody.h"
#include "cairn/err.h"
#include "cairn/minisig.h"
#include "tap.h"

#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"
#define SHA   "aa5a6fb31d6a437801fc606a73f77fce3607537202080a9c503edd98838013e6"
#define GOOD                                                                   \
	"cairn-custody v1 seq=1 time=2026-12-06T23:16:45Z action=seal "        \
	"result=ok tool=cairn/0.1.0 archive=58a1c8f2896ef4567659f1db7c37510f " \
	"sha256=" SHA " size=10594 signer=unsigned prev=" ZEROS "\n"

static int
dec(const char *s)
{
	struct custody_entry e;

	return custody_entry_decode(s, strlen(s), &e);
}

/* GOOD with the first "from" replaced by "to". */
static char *
variant(const char *from, const char *to)
{
	static char buf[1024];
	const char *p = strstr(GOOD, from);

	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - GOOD), GOOD, to,
	    p + strlen(from));
	return buf;
}

static void
test_codec(void)
{
	struct custody_entry e;
	char *out = NULL;
	size_t len = 0;

	TAP_EQ_INT(custody_entry_decode(GOOD, strlen(GOOD), &e), 0,
	    "a good entry decodes");
	TAP_OK(e.seq == 1 && e.has_size && e.size == 10594 &&
	        strcmp(e.action, "seal") == 0 &&
	        strcmp(e.archive_id, "58a1c8f2896ef4567659f1db7c37510f") == 0,
	    "fields as written");
	TAP_EQ_INT(custody_entry_encode(&e, &out, &len), 0, "re-encodes");
	TAP_OK(len == strlen(GOOD) && memcmp(out, GOOD, len) == 0,
	    "exact encoding");
	free(out);
	TAP_EQ_INT(dec(variant("size=10594", "size=-")), 0, "size may be -");
	TAP_EQ_INT(
	    dec(variant("sha256=" SHA, "sha256=-")), 0, "sha256 may be -");
	static const char *bad[][2] = {
	    {"seq=1", "seq=01"},
	    {"seq=1", "seq=0"},
	    {"seq=1", "seq=x"},
	    {"time=2026-12-06T23:16:45Z", "time=2026-12-06 23:16:45"},
	    {"action=seal", "action=Seal"},
	    {"result=ok", "result=OK!"},
	    {"archive=58a1", "archive=58A1"},
	    {"size=10594", "size=010594"},
	    {"signer=unsigned", "signer=abc"},
	    {"prev=0", "prev=x"},
	    {"v1 ", "v2 "},
	    {" tool", "  tool"},
	    {"\n", " \n"},
	    {"\n", ""},
	    {"tool=cairn/0.1.0 ", ""},
	    {"size=10594 ", "size=10594 extra=1 "},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TAP_EQ_INT(dec(variant(bad[i][0], bad[i][1])), CAIRN_ERR_FORMAT,
		    "malformed entry refused");
}

static int
verify_dir(const char *dir, const struct minisig_public *pk, size_t *bad)
{
	struct custody_log log;
	char why[CUSTODY_WHY_LEN];
	size_t unchecked;
	int rc = custody_load(dir, &log);

	if (rc == 0)
		rc = custody_verify(&log, pk, &unchecked, bad, why);
	custody_log_free(&log);
	return rc;
}

static void
test_chain(void)
{
	char dir[] = "/tmp/cairn-custody-XXXXXX", a[256], b[256], cmd[600];
	struct minisig_secret *sk = NULL, *other = NULL;
	struct minisig_public pk, opk;
	struct custody_entry e;
	size_t bad = 0;

	if (mkdtemp(dir) == NULL || minisig_keygen(&sk, &pk) != 0 ||
	    minisig_keygen(&other, &opk) != 0) {
		TAP_OK(0, "setup");
		return;
	}
	for (int i = 0; i < 4; i++) {
		memset(&e, 0, sizeof(e));
		e.time = 1796000000 + i;
		snprintf(e.action, sizeof(e.action), i ? "verify" : "seal");
		snprintf(e.result, sizeof(e.result), "ok");
		snprintf(e.tool, sizeof(e.tool), "cairn/test");
		snprintf(e.archive_id, sizeof(e.archive_id), "-");
		snprintf(e.sha256, sizeof(e.sha256), "-");
		TAP_EQ_INT(
		    custody_append(dir, &e, i == 0 || i == 2 ? sk : NULL), 0,
		    "append");
		TAP_EQ_INT(e.seq, i + 1, "sequence number given");
	}
	TAP_EQ_INT(verify_dir(dir, &pk, &bad), 0, "intact log verifies");
	TAP_EQ_INT(verify_dir(dir, &opk, &bad), CAIRN_ERR_SIGNATURE,
	    "another key: signature error");
	TAP_EQ_INT(bad, 1, "... at entry 1");
	snprintf(a, sizeof(a), "%s/00000002.entry", dir);
	snprintf(b, sizeof(b), "%s/00000002.saved", dir);
	TAP_OK(rename(a, b) == 0, "remove entry 2");
	TAP_EQ_INT(verify_dir(dir, &pk, &bad), CAIRN_ERR_INTEGRITY,
	    "removed entry: integrity error");
	TAP_EQ_INT(bad, 2, "... at entry 2");
	TAP_EQ_INT(custody_append(dir, &e, NULL), CAIRN_ERR_INTEGRITY,
	    "no append to a broken log");
	TAP_OK(rename(b, a) == 0, "put entry 2 back");
	TAP_EQ_INT(verify_dir(dir, &pk, &bad), 0, "intact again");
	snprintf(cmd, sizeof(cmd),
	    "sed -i 's/action=verify/action=open/' %s/00000002.entry", dir);
	TAP_OK(system(cmd) == 0, "edit entry 2");
	TAP_EQ_INT(verify_dir(dir, &pk, &bad), CAIRN_ERR_INTEGRITY,
	    "edited entry: the next one's prev breaks");
	TAP_EQ_INT(bad, 3, "... at entry 3");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	TAP_OK(system(cmd) == 0, "clean up");
	minisig_secret_free(sk);
	minisig_secret_free(other);
}

int
main(void)
{
	test_codec();
	test_chain();
	return tap_done();
}
