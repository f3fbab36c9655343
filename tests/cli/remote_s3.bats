#!/usr/bin/env bats
# tests/cli/remote_s3.bats - push and pull against a real S3 server: a
# single-node Ceph cluster with the RADOS Gateway (tests/remote/ceph-rgw,
# Debian's ceph-mon ceph-osd ceph-mgr radosgw), started once for this file
# on 127.0.0.1 with free ports and stopped in teardown_file.  Round trip,
# write-only credentials (a bucket policy with an explicit Deny), wrong
# credentials, a quota, a connection cut mid-part (tests/tools/cutproxy),
# kill -9 in the middle of a multipart upload, a download cut or killed
# in the middle (tests/tools/faultproxy.py), and the SOCKS5h proxy
# (Debian's microsocks).  Skipped, with the reason, where Ceph cannot run.

load helpers

S3_BUCKET=evidence
EMPTY_SHA=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

# s3curl AK SK [CURL ARGS...]: an independent S3 client (curl's own SigV4,
# with the x-amz-content-sha256 header curl 7.88 leaves out).
s3curl() {
	local ak=$1 sk=$2 body_sha=$EMPTY_SHA
	shift 2
	[ -n "${S3_BODY:-}" ] && body_sha=$(sha256sum <"$S3_BODY" | cut -d' ' -f1)
	curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ak:$sk" \
	    -H "x-amz-content-sha256: $body_sha" "$@"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

setup_file() {
	export S3DIR="$BATS_FILE_TMPDIR/s3" SKIP_WHY="$BATS_FILE_TMPDIR/skip"
	local b
	for b in ceph-mon ceph-osd radosgw radosgw-admin python3 curl; do
		command -v "$b" >/dev/null || {
			echo "$b not installed (scripts/install-deps)" >"$SKIP_WHY"
			return 0
		}
	done
	[ "$(id -u)" = 0 ] || { echo "the Ceph daemons need root here" >"$SKIP_WHY"; return 0; }
	if ! CEPH_RGW_WITH_MGR=0 CEPH_RGW_TIMEOUT=120 "$CAIRN_TOP/tests/remote/ceph-rgw" \
	    start "$S3DIR" >"$BATS_FILE_TMPDIR/env" 2>"$BATS_FILE_TMPDIR/start.log"; then
		{ echo "Ceph RGW did not start:"; tail -5 "$BATS_FILE_TMPDIR/start.log"; } >"$SKIP_WHY"
		return 0
	fi
	# shellcheck disable=SC1091
	. "$BATS_FILE_TMPDIR/env"
	s3curl "$S3_ACCESS_KEY" "$S3_SECRET_KEY" -X PUT "$S3_ENDPOINT/$S3_BUCKET" >/dev/null
	# a PutObject-only user: uploaders own their objects, so Get, List
	# and Delete need an explicit Deny
	read -r WAK WSK < <("$CAIRN_TOP/tests/remote/ceph-rgw" user "$S3DIR" writer)
	cat >"$BATS_FILE_TMPDIR/policy.json" <<JSON
{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/writer"]},
 "Action":["s3:PutObject"],"Resource":["arn:aws:s3:::$S3_BUCKET/*"]},
{"Effect":"Deny","Principal":{"AWS":["arn:aws:iam:::user/writer"]},
 "Action":["s3:GetObject","s3:ListBucket","s3:DeleteObject","s3:ListBucketMultipartUploads","s3:AbortMultipartUpload"],
 "Resource":["arn:aws:s3:::$S3_BUCKET","arn:aws:s3:::$S3_BUCKET/*"]},
{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/s3test"]},
 "Action":["s3:GetObject","s3:ListBucket"],
 "Resource":["arn:aws:s3:::$S3_BUCKET","arn:aws:s3:::$S3_BUCKET/*"]}]}
JSON
	S3_BODY="$BATS_FILE_TMPDIR/policy.json" s3curl "$S3_ACCESS_KEY" "$S3_SECRET_KEY" \
	    -X PUT --data-binary @"$BATS_FILE_TMPDIR/policy.json" \
	    "$S3_ENDPOINT/$S3_BUCKET?policy=" >/dev/null
	printf 'export WAK=%s WSK=%s\n' "$WAK" "$WSK" >>"$BATS_FILE_TMPDIR/env"
}

teardown_file() {
	[ -d "$BATS_FILE_TMPDIR/s3" ] &&
	    "$CAIRN_TOP/tests/remote/ceph-rgw" stop "$BATS_FILE_TMPDIR/s3" --purge >/dev/null 2>&1
	return 0
}

setup() {
	[ ! -s "$BATS_FILE_TMPDIR/skip" ] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	# shellcheck disable=SC1091
	. "$BATS_FILE_TMPDIR/env"
	T="$BATS_TEST_TMPDIR/w"
	mkdir -p "$T"
	cd "$T" || return 1
	export CAIRN_HOME="$T/home" HOME="$T/userhome"
	unset XDG_CONFIG_HOME CAIRN_FAULT CAIRN_S3_ACCESS_KEY CAIRN_S3_SECRET_KEY
	"$CAIRN" keygen </dev/null >/dev/null 2>&1
	HOSTPORT=${S3_ENDPOINT#http://}
	printf 'access_key=%s\nsecret_key=%s\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" >admin.cred
	printf 'access_key=%s\nsecret_key=%s\n' "$WAK" "$WSK" >writer.cred
	chmod 600 admin.cred writer.cred
	PREFIX="t$RANDOM$RANDOM"
}

teardown() {
	[ -n "${PROXY_PID:-}" ] && kill "$PROXY_PID" 2>/dev/null
	return 0
}

# big NAME MIB: seal MIB MiB of random data into NAME.cairn
big() {
	mkdir -p "src-$1"
	head -c "$(($2 * 1048576))" /dev/urandom >"src-$1/data.bin"
	"$CAIRN" seal -q -o "$1.cairn" "src-$1"
}

object_list() { # the keys under $PREFIX, as the admin sees them
	s3curl "$S3_ACCESS_KEY" "$S3_SECRET_KEY" \
	    "$S3_ENDPOINT/$S3_BUCKET?list-type=2&prefix=$PREFIX%2F" |
	    grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g'
}

start_proxy() { # start_proxy CUT_BYTES RATE: cutproxy in front of the RGW
	"$CAIRN_TOP/build/tests/tools/cutproxy" "$T/proxy.port" "${HOSTPORT#*:}" \
	    "$1" "$2" "$T/proxy.log" &
	PROXY_PID=$!
	for _ in $(seq 50); do [ -s "$T/proxy.port" ] && break; sleep 0.1; done
	PROXY_PORT=$(cat "$T/proxy.port")
}

@test "S3 round trip: seal, push (multipart), pull and verify" {
	big a 12
	big b 1
	expect_exit 0 "$CAIRN" remote add ceph "s3+http://$HOSTPORT/$S3_BUCKET/$PREFIX" \
	    --credentials-file admin.cred --part-size 5
	expect_exit 0 "$CAIRN" push --json ceph
	[ "$(printf '%s' "$output" | jq '[.archives[] | select(.sent)] | length')" = 2 ]
	ida=$("$CAIRN" list --json a.cairn | jq -r .archive_id)
	idb=$("$CAIRN" list --json b.cairn | jq -r .archive_id)
	run object_list
	[ "$(printf '%s\n' "$output" | sort)" = "$(printf '%s\n' "$PREFIX/$ida.cairn" "$PREFIX/$idb.cairn" | sort)" ]
	# a multipart upload of 3 parts: its ETag ends in -3
	s3curl "$S3_ACCESS_KEY" "$S3_SECRET_KEY" -I "$S3_ENDPOINT/$S3_BUCKET/$PREFIX/$ida.cairn" >head.txt
	grep -qi '^etag: ".*-3"' head.txt
	[ -z "$(ls -A "$CAIRN_HOME/remotes/ceph/uploads")" ]
	expect_exit 0 "$CAIRN" push ceph
	[ "$output" = "nothing to push to ceph" ]
	rm -f a.cairn b.cairn # the laptop is gone
	expect_exit 0 "$CAIRN" pull --json ceph got
	[ "$(printf '%s' "$output" | jq '[.archives[] | select(.verified and .status == "fetched")] | length')" = 2 ]
	expect_exit 0 "$CAIRN" open -C out "got/$ida.cairn"
	cmp out/src-a/data.bin src-a/data.bin
}

@test "write-only credentials push, but cannot list, read or delete" {
	big w 7
	expect_exit 0 "$CAIRN" remote add wo "s3+http://$HOSTPORT/$S3_BUCKET/$PREFIX" \
	    --credentials-file writer.cred --part-size 5
	expect_exit 0 "$CAIRN" push wo
	id=$("$CAIRN" list --json w.cairn | jq -r .archive_id)
	[ -f "$CAIRN_HOME/remotes/wo/pushed/$id" ]
	run object_list
	[ "$output" = "$PREFIX/$id.cairn" ]
	run s3curl "$WAK" "$WSK" -o /dev/null -w '%{http_code}' "$S3_ENDPOINT/$S3_BUCKET/$PREFIX/$id.cairn"
	[ "$output" = 403 ]
	run s3curl "$WAK" "$WSK" -o /dev/null -w '%{http_code}' "$S3_ENDPOINT/$S3_BUCKET?list-type=2"
	[ "$output" = 403 ]
	run s3curl "$WAK" "$WSK" -o /dev/null -w '%{http_code}' -X DELETE "$S3_ENDPOINT/$S3_BUCKET/$PREFIX/$id.cairn"
	[ "$output" = 403 ]
	expect_exit 6 "$CAIRN" pull wo got
	assert_stderr_has "refused the credentials: HTTP 403 AccessDenied"
	# the object is still there, whole
	expect_exit 0 "$CAIRN" remote add rd "s3+http://$HOSTPORT/$S3_BUCKET/$PREFIX" --credentials-file admin.cred
	expect_exit 0 "$CAIRN" pull rd got
	cmp "got/$id.cairn" w.cairn
}

@test "wrong credentials: a clear error, exit 6, nothing marked pushed" {
	big x 1
	printf 'access_key=%s\nsecret_key=WRONGwrongWRONGwrong\n' "$S3_ACCESS_KEY" >bad.cred
	printf 'access_key=NOSUCHKEY1234\nsecret_key=whatever\n' >nokey.cred
	chmod 600 bad.cred nokey.cred
	expect_exit 0 "$CAIRN" remote add bad "s3+http://$HOSTPORT/$S3_BUCKET/$PREFIX"
	expect_exit 6 "$CAIRN" push --credentials-file bad.cred bad
	assert_stderr_has "remote bad: refused the credentials: HTTP 403 SignatureDoesNotMatch (wrong secret key)"
	assert_stderr_has "cairn: hint: check the access key and secret key"
	[[ "$stderr" != *WRONGwrong* ]]
	expect_exit 6 "$CAIRN" push --credentials-file nokey.cred bad
	assert_stderr_has "HTTP 403 InvalidAccessKeyId"
	[ -z "$(ls -A "$CAIRN_HOME/remotes/bad/pushed" 2>/dev/null)" ]
	run object_list
	[ -z "$output" ]
	# the same archive with the right key goes through
	CAIRN_S3_ACCESS_KEY=$S3_ACCESS_KEY CAIRN_S3_SECRET_KEY=$S3_SECRET_KEY \
	    expect_exit 0 "$CAIRN" push bad
	[ "$(ls "$CAIRN_HOME/remotes/bad/pushed" | wc -l)" = 1 ]
}

@test "a missing bucket and a full quota are reported as such" {
	big q 3
	expect_exit 0 "$CAIRN" remote add nob "s3+http://$HOSTPORT/no-such-bucket"
	CAIRN_S3_ACCESS_KEY=$S3_ACCESS_KEY CAIRN_S3_SECRET_KEY=$S3_SECRET_KEY \
	    expect_exit 6 "$CAIRN" push nob
	assert_stderr_has "remote nob: not found: HTTP 404 NoSuchBucket"
	read -r qak qsk < <("$CAIRN_TOP/tests/remote/ceph-rgw" user "$S3DIR" "q$PREFIX" 1048576)
	s3curl "$qak" "$qsk" -X PUT "$S3_ENDPOINT/b$PREFIX" >/dev/null
	expect_exit 0 "$CAIRN" remote add full "s3+http://$HOSTPORT/b$PREFIX"
	CAIRN_S3_ACCESS_KEY=$qak CAIRN_S3_SECRET_KEY=$qsk expect_exit 6 "$CAIRN" push full
	assert_stderr_has "remote full: no space or over quota: HTTP 403 QuotaExceeded"
	[ -z "$(ls -A "$CAIRN_HOME/remotes/full/pushed" 2>/dev/null)" ]
}

@test "a connection cut mid-part: exit 6, then the next push resumes" {
	big c 12
	start_proxy $((7 * 1048576)) 0
	# cutproxy relays one connection at a time: one connection
	expect_exit 0 "$CAIRN" remote add cut "s3+http://127.0.0.1:$PROXY_PORT/$S3_BUCKET/$PREFIX" \
	    --credentials-file admin.cred --part-size 5 --connections 1
	expect_exit 6 "$CAIRN" push --retries 0 cut
	assert_stderr_has "remote cut: network:"
	assert_stderr_has "it resumes where it stopped"
	id=$("$CAIRN" list --json c.cairn | jq -r .archive_id)
	[ ! -e "$CAIRN_HOME/remotes/cut/pushed/$id" ]
	grep -q '^part 1 ' "$CAIRN_HOME/remotes/cut/uploads/$id"
	! grep -q '^part 2 ' "$CAIRN_HOME/remotes/cut/uploads/$id"
	grep -q 'cut 1' proxy.log
	before=$(awk '{s += $4} END {print s}' proxy.log)
	expect_exit 0 "$CAIRN" push cut
	[ -f "$CAIRN_HOME/remotes/cut/pushed/$id" ]
	[ ! -e "$CAIRN_HOME/remotes/cut/uploads/$id" ]
	# the second push sent the parts after the first only (< 8 MiB)
	after=$(awk '{s += $4} END {print s}' proxy.log)
	[ $((after - before)) -lt $((8 * 1048576)) ]
	expect_exit 0 "$CAIRN" remote add rd "s3+http://$HOSTPORT/$S3_BUCKET/$PREFIX" --credentials-file admin.cred
	expect_exit 0 "$CAIRN" pull rd got
	cmp "got/$id.cairn" c.cairn
}

@test "kill -9 in the middle of a multipart upload, then push resumes" {
	big k 16
	start_proxy 0 $((6 * 1048576))
	expect_exit 0 "$CAIRN" remote add slow "s3+http://127.0.0.1:$PROXY_PORT/$S3_BUCKET/$PREFIX" \
	    --credentials-file admin.cred --part-size 5 --connections 1
	id=$("$CAIRN" list --json k.cairn | jq -r .archive_id)
	state="$CAIRN_HOME/remotes/slow/uploads/$id"
	"$CAIRN" push -q slow 2>/dev/null &
	pid=$!
	for _ in $(seq 300); do
		grep -q '^part 1 ' "$state" 2>/dev/null && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	grep -q '^part 1 ' "$state"
	[ ! -e "$CAIRN_HOME/remotes/slow/pushed/$id" ]
	# the proxy first relays what the killed push had already written
	# into the socket: wait for the line of its one connection (create
	# and every part went over it), so that only the second push's
	# bytes are counted below
	for _ in $(seq 200); do
		[ "$(wc -l <proxy.log)" -ge 1 ] && break
		sleep 0.05
	done
	before=$(awk '{s += $4} END {print s}' proxy.log)
	expect_exit 0 "$CAIRN" push slow
	[ -f "$CAIRN_HOME/remotes/slow/pushed/$id" ]
	[ ! -e "$state" ]
	# at least the first part was not sent again
	after=$(awk '{s += $4} END {print s}' proxy.log)
	[ $((after - before)) -lt $(($(stat -c %s k.cairn) - 5 * 1048576 + 65536)) ]
	expect_exit 0 "$CAIRN" remote add rd "s3+http://$HOSTPORT/$S3_BUCKET/$PREFIX" --credentials-file admin.cred
	expect_exit 0 "$CAIRN" pull rd got
	cmp "got/$id.cairn" k.cairn
}

@test "--proxy socks5h://: the traffic goes through the SOCKS5 proxy" {
	command -v microsocks >/dev/null || skip "microsocks not installed (scripts/install-deps)"
	big s 1
	port=$(free_port)
	microsocks -i 127.0.0.1 -p "$port" >socks.log 2>&1 &
	PROXY_PID=$!
	for _ in $(seq 50); do
		python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null && break
		sleep 0.1
	done
	expect_exit 0 "$CAIRN" remote add tor "s3+http://$HOSTPORT/$S3_BUCKET/$PREFIX" \
	    --credentials-file admin.cred --proxy "socks5h://127.0.0.1:$port"
	: >socks.log
	expect_exit 0 "$CAIRN" push tor
	grep -q "connected to $HOSTPORT" socks.log
	id=$("$CAIRN" list --json s.cairn | jq -r .archive_id)
	run object_list
	[ "$output" = "$PREFIX/$id.cairn" ]
	# the proxy gone: a proxy error, exit 6, not a direct connection
	kill "$PROXY_PID"
	wait "$PROXY_PID" 2>/dev/null || true
	PROXY_PID=
	big s2 1
	expect_exit 6 "$CAIRN" push --retries 0 tor
	assert_stderr_has "remote tor:"
	assert_stderr_has "hint: is the proxy (Tor) running?"
	run object_list
	[ "$(printf '%s\n' "$output" | wc -l)" = 1 ]
}

start_faults() { # start_faults RULE...: faultproxy in front of the RGW
	python3 "$CAIRN_TOP/tests/tools/faultproxy.py" "$T/fault.port" "${HOSTPORT#*:}" \
	    "$T/fault.log" "$@" &
	PROXY_PID=$!
	for _ in $(seq 50); do [ -s "$T/fault.port" ] && break; sleep 0.1; done
	FAULT_PORT=$(cat "$T/fault.port")
}

@test "a server answering 500/503, then recovering: push and pull retry and succeed" {
	big f 12
	cp f.cairn f.orig
	id=$("$CAIRN" list --json f.cairn | jq -r .archive_id)
	obj="/$S3_BUCKET/$PREFIX/$id.cairn"
	# CreateMultipartUpload fails once, the first part twice; the
	# listing twice, the download once
	start_faults POST:500:1 PUT:503:2 GET:503:2:list-type= GET:500:1:.cairn
	expect_exit 0 "$CAIRN" remote add flaky "s3+http://127.0.0.1:$FAULT_PORT/$S3_BUCKET/$PREFIX" \
	    --credentials-file admin.cred --part-size 5 --connections 1
	expect_exit 0 "$CAIRN" push flaky
	[ -f "$CAIRN_HOME/remotes/flaky/pushed/$id" ]
	[ "$(grep -c "^POST $obj?uploads= 500 injected" fault.log)" = 1 ]
	[ "$(grep -c "^PUT $obj?partNumber=1&.* 503 injected" fault.log)" = 2 ]
	# each failed request was sent again and then passed
	[ "$(grep -c "^PUT $obj?partNumber=1&.* 200 passed" fault.log)" = 1 ]
	[ "$(grep -c "^POST $obj?uploadId=.* 200 passed" fault.log)" = 1 ]
	rm f.cairn
	: >fault.log
	expect_exit 0 "$CAIRN" pull flaky got
	cmp "got/$id.cairn" f.orig
	[ "$(grep -c "^GET /$S3_BUCKET/?list-type=2.* 503 injected" fault.log)" = 2 ]
	[ "$(grep -c "^GET $obj 500 injected" fault.log)" = 1 ]
	[ "$(grep -c "^GET $obj 20[06] passed" fault.log)" = 1 ]
}

@test "a download cut in the middle: nothing published, the next pull resumes and verifies" {
	big d 12
	id=$("$CAIRN" list --json d.cairn | jq -r .archive_id)
	expect_exit 0 "$CAIRN" remote add rd "s3+http://$HOSTPORT/$S3_BUCKET/$PREFIX" --credentials-file admin.cred
	expect_exit 0 "$CAIRN" push rd
	# every download of the object is cut after half of what it asked
	# for: pull verifies while it downloads, but must publish nothing
	start_faults GET:cut:-1:.cairn
	expect_exit 0 "$CAIRN" remote add cutget "s3+http://127.0.0.1:$FAULT_PORT/$S3_BUCKET/$PREFIX" \
	    --credentials-file admin.cred
	expect_exit 6 "$CAIRN" pull --retries 0 cutget got
	assert_stderr_has "remote cutget: network:"
	grep -q "^GET /$S3_BUCKET/$PREFIX/$id.cairn 20[06] cut" fault.log
	[ ! -e "got/$id.cairn" ]
	[ ! -e "got/$id.cairn.unverified" ]
	part=$(stat -c %s "got/.$id.cairn.part")
	[ "$part" -gt 0 ] && [ "$part" -lt "$(stat -c %s d.cairn)" ]
	cmp -n "$part" "got/.$id.cairn.part" d.cairn
	expect_exit 0 "$CAIRN" pull --json rd got
	[ "$(echo "$output" | jq -r '.archives[0].status')" = fetched ]
	[ "$(echo "$output" | jq -r '.archives[0].verified')" = true ]
	cmp "got/$id.cairn" d.cairn
	[ ! -e "got/.$id.cairn.part" ]
}

@test "kill -9 in the middle of a download, then pull resumes and verifies" {
	big e 12
	id=$("$CAIRN" list --json e.cairn | jq -r .archive_id)
	expect_exit 0 "$CAIRN" remote add rd "s3+http://$HOSTPORT/$S3_BUCKET/$PREFIX" --credentials-file admin.cred
	expect_exit 0 "$CAIRN" push rd
	start_faults GET:slow:-1:.cairn
	expect_exit 0 "$CAIRN" remote add slowget "s3+http://127.0.0.1:$FAULT_PORT/$S3_BUCKET/$PREFIX" \
	    --credentials-file admin.cred
	"$CAIRN" pull -q slowget got 2>/dev/null &
	pid=$!
	for _ in $(seq 300); do
		[ "$(stat -c %s "got/.$id.cairn.part" 2>/dev/null || echo 0)" -gt 1048576 ] && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	part=$(stat -c %s "got/.$id.cairn.part")
	[ "$part" -gt 1048576 ] && [ "$part" -lt "$(stat -c %s e.cairn)" ]
	[ ! -e "got/$id.cairn" ] && [ ! -e "got/$id.cairn.unverified" ]
	expect_exit 0 "$CAIRN" pull rd got
	cmp "got/$id.cairn" e.cairn
	[ ! -e "got/.$id.cairn.part" ]
}

@test "a server that keeps failing: bounded retries with backoff, exit 6, a clear message" {
	big g 1
	start_faults ANY:503:-1
	expect_exit 0 "$CAIRN" remote add down "s3+http://127.0.0.1:$FAULT_PORT/$S3_BUCKET/$PREFIX" \
	    --credentials-file admin.cred
	t0=$(date +%s%N)
	expect_exit 6 "$CAIRN" push --retries 3 down
	ms=$((($(date +%s%N) - t0) / 1000000))
	assert_stderr_has "remote down: server error: HTTP 503 ServiceUnavailable (4 tries)"
	assert_stderr_has "cairn: hint: the server failed: try again later"
	# one request and three retries, waiting 0.5 + 1 + 2 s between them
	[ "$(grep -c ' 503 injected$' fault.log)" = 4 ]
	[ "$ms" -ge 3400 ] && [ "$ms" -lt 20000 ]
	[ -z "$(ls -A "$CAIRN_HOME/remotes/down/pushed" 2>/dev/null)" ]
	: >fault.log
	expect_exit 6 "$CAIRN" pull --retries 1 down got
	assert_stderr_has "server error: HTTP 503 ServiceUnavailable (2 tries)"
	[ "$(grep -c ' 503 injected$' fault.log)" = 2 ]
	run object_list
	[ -z "$output" ]
}

@test "remote add --create makes the bucket, and refuses a place that is not empty" {
	bucket="new$PREFIX"
	expect_exit 0 "$CAIRN" remote add fresh "s3+http://$HOSTPORT/$bucket/x" \
	    --credentials-file admin.cred --create
	run s3curl "$S3_ACCESS_KEY" "$S3_SECRET_KEY" -o /dev/null -w '%{http_code}' "$S3_ENDPOINT/$bucket?list-type=2"
	[ "$output" = 200 ]
	big n 1
	expect_exit 0 "$CAIRN" push fresh
	# the same bucket and prefix again: not empty, refused, not added
	expect_exit 1 "$CAIRN" remote add again "s3+http://$HOSTPORT/$bucket/x" \
	    --credentials-file admin.cred --create
	assert_stderr_has "remote add --create: remote again: not empty: something is already under its URL"
	assert_stderr_has "add it without --create to use it as it is"
	[ ! -e "$CAIRN_HOME/remotes/again" ]
	# another prefix of that bucket is empty; without --create any place
	# is taken as it is
	expect_exit 0 "$CAIRN" remote add other "s3+http://$HOSTPORT/$bucket/y" \
	    --credentials-file admin.cred --create
	expect_exit 0 "$CAIRN" remote add asis "s3+http://$HOSTPORT/$bucket/x" --credentials-file admin.cred
	# a bucket name another account owns
	expect_exit 6 "$CAIRN" remote add taken "s3+http://$HOSTPORT/$S3_BUCKET/z" \
	    --credentials-file writer.cred --create
	assert_stderr_has "HTTP 409 BucketAlreadyExists"
	[ ! -e "$CAIRN_HOME/remotes/taken" ]
}
