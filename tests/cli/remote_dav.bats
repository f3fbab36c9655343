#!/usr/bin/env bats
# tests/cli/remote_dav.bats - push and pull against a real WebDAV server:
# Debian's Apache 2 with mod_dav and mod_dav_fs (tests/remote/webdav),
# started once for this file on 127.0.0.1 with a free port and stopped in
# teardown_file.  Round trip, a write-only account (PUT and MOVE only),
# wrong password, an existing object that must not be replaced, a server
# that is down, a cut connection, the plain-HTTP rule and the SOCKS5h
# proxy (Debian's microsocks).  Skipped, with the reason, where Apache
# cannot run.

load helpers
load remote_helpers

setup_file() {
	export SKIP_WHY="$BATS_FILE_TMPDIR/skip" DAVDIR="$BATS_FILE_TMPDIR/dav"
	remote_server_start webdav "$DAVDIR" "Apache WebDAV" apache2 htpasswd python3 curl
}

teardown_file() {
	"$CAIRN_TOP/tests/remote/webdav" stop "$BATS_FILE_TMPDIR/dav" >/dev/null 2>&1
	return 0
}

setup() { remote_setup; }

teardown() { remote_teardown; }

# need_dav: skip without the server; else a key home, credentials, and
# a fresh collection $PREFIX (made with curl: push creates none)
need_dav() {
	[ ! -s "$BATS_FILE_TMPDIR/skip" ] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	# shellcheck disable=SC1091
	. "$BATS_FILE_TMPDIR/env"
	"$CAIRN" keygen </dev/null >/dev/null 2>&1
	printf 'user=writer\npassword=%s\n' "$DAV_PASSWORD" >writer.cred
	printf 'user=coordinator\npassword=%s\n' "$DAV_PASSWORD" >coord.cred
	chmod 600 writer.cred coord.cred
	curl -sS -f -u "coordinator:$DAV_PASSWORD" -X MKCOL "$DAV_URL/$PREFIX/" >/dev/null
	URL="webdav+http://127.0.0.1:$DAV_PORT/dav/$PREFIX"
	STORE="$DAV_ROOT/$PREFIX"
}

@test "WebDAV round trip: a write-only account pushes, the coordinator pulls" {
	need_dav
	big a 3
	big b 1
	expect_exit 0 "$CAIRN" remote add dav "$URL" --credentials-file writer.cred
	expect_exit 0 "$CAIRN" push --json dav
	[ "$(printf '%s' "$output" | jq '[.archives[] | select(.sent)] | length')" = 2 ]
	ida=$(archive_id a.cairn)
	idb=$(archive_id b.cairn)
	cmp "$STORE/$ida.cairn" a.cairn
	cmp "$STORE/$idb.cairn" b.cairn
	# published by MOVE from a temp name: none is left behind
	[ "$(ls -A "$STORE" | sort)" = "$(printf '%s\n' "$ida.cairn" "$idb.cairn" | sort)" ]
	grep -q "writer MOVE /dav/$PREFIX/.$ida.cairn.part 201" "$DAVDIR/logs/access.log"
	expect_exit 0 "$CAIRN" push dav
	[ "$output" = "nothing to push to dav" ]
	# the writer may not read or list
	expect_exit 6 "$CAIRN" pull dav got
	assert_stderr_has "remote dav: refused the credentials: HTTP 401"
	# a download cut earlier resumes with a Range request
	mkdir -p got
	head -c 1000000 a.cairn >"got/.$ida.cairn.part"
	rm -f a.cairn b.cairn # the laptop is gone
	expect_exit 0 "$CAIRN" remote add coord "$URL" --credentials-file coord.cred
	expect_exit 0 "$CAIRN" pull --json coord got
	grep -q "coordinator GET /dav/$PREFIX/$ida.cairn 206" "$DAVDIR/logs/access.log"
	cmp "got/$ida.cairn" "$STORE/$ida.cairn"
	[ "$(printf '%s' "$output" | jq '[.archives[] | select(.verified and .status == "fetched")] | length')" = 2 ]
	expect_exit 0 "$CAIRN" open -C out "got/$ida.cairn"
	cmp out/src-a/data.bin src-a/data.bin
}

@test "WebDAV wrong password: exit 6, a clear error, nothing marked pushed" {
	need_dav
	big x 1
	printf 'user=writer\npassword=WRONGwrongWRONG\n' >bad.cred
	chmod 600 bad.cred
	expect_exit 0 "$CAIRN" remote add dav "$URL"
	expect_exit 6 "$CAIRN" push --credentials-file bad.cred dav
	assert_stderr_has "remote dav: refused the credentials: HTTP 401"
	assert_stderr_has "cairn: hint: check"
	[[ "$stderr" != *WRONGwrong* ]]
	[ -z "$(ls -A "$CAIRN_HOME/remotes/dav/pushed" 2>/dev/null)" ]
	[ -z "$(ls -A "$STORE")" ]
	# the environment's credentials for scripts
	CAIRN_REMOTE_USER=writer CAIRN_REMOTE_PASSWORD=$DAV_PASSWORD \
	    expect_exit 0 "$CAIRN" push dav
	[ "$(ls "$CAIRN_HOME/remotes/dav/pushed" | wc -l)" = 1 ]
}

@test "WebDAV: an existing object with other content is not replaced" {
	need_dav
	big e 1
	id=$(archive_id e.cairn)
	echo "someone else's bytes" >"$STORE/$id.cairn"
	chown --reference="$STORE" "$STORE/$id.cairn" 2>/dev/null || true
	expect_exit 0 "$CAIRN" remote add dav "$URL" --credentials-file coord.cred
	expect_exit 6 "$CAIRN" push dav
	assert_stderr_has "remote dav: already there: /dav/$PREFIX/$id.cairn exists with other content"
	assert_stderr_has "cairn never replaces one"
	[ "$(cat "$STORE/$id.cairn")" = "someone else's bytes" ]
	[ ! -e "$CAIRN_HOME/remotes/dav/pushed/$id" ]
	grep -q "coordinator MOVE /dav/$PREFIX/.$id.cairn.part 412" "$DAVDIR/logs/access.log"
	# the same bytes already there (a push whose answer was lost) count
	cp e.cairn "$STORE/$id.cairn"
	expect_exit 0 "$CAIRN" push dav
	[ -f "$CAIRN_HOME/remotes/dav/pushed/$id" ]
}

@test "WebDAV server down, or a missing collection: exit 6, nothing marked" {
	need_dav
	big d 1
	port=$(free_port)
	expect_exit 0 "$CAIRN" remote add down "webdav+http://127.0.0.1:$port/dav" \
	    --credentials-file writer.cred
	expect_exit 6 "$CAIRN" push --retries 0 down
	assert_stderr_has "remote down: network:"
	[ -z "$(ls -A "$CAIRN_HOME/remotes/down/pushed" 2>/dev/null)" ]
	expect_exit 0 "$CAIRN" remote add nocol "$URL/no-such-dir" --credentials-file writer.cred
	expect_exit 6 "$CAIRN" push nocol
	assert_stderr_has "remote nocol: not found: HTTP 409"
}

@test "WebDAV: a connection cut mid-upload fails with exit 6, the next push completes" {
	need_dav
	big c 4
	"$CAIRN_TOP/build/tests/tools/cutproxy" "$T/proxy.port" "$DAV_PORT" \
	    $((2 * 1048576)) 0 "$T/proxy.log" &
	PROXY_PID=$!
	for _ in $(seq 50); do [ -s "$T/proxy.port" ] && break; sleep 0.1; done
	expect_exit 0 "$CAIRN" remote add cut \
	    "webdav+http://127.0.0.1:$(cat "$T/proxy.port")/dav/$PREFIX" --credentials-file writer.cred
	expect_exit 6 "$CAIRN" push --retries 0 cut
	assert_stderr_has "remote cut: network:"
	id=$(archive_id c.cairn)
	[ ! -e "$CAIRN_HOME/remotes/cut/pushed/$id" ]
	[ ! -e "$STORE/$id.cairn" ]
	expect_exit 0 "$CAIRN" push cut
	cmp "$STORE/$id.cairn" c.cairn
}

@test "webdav+http:// only to loopback and .onion; webdav:// is HTTPS" {
	expect_exit 2 "$CAIRN" remote add x webdav+http://dav.example.org/evidence
	assert_stderr_has "webdav+http:// send data and credentials unencrypted"
	expect_exit 0 "$CAIRN" remote add x webdav+http://dav.example.org/evidence --allow-plain-http
	expect_exit 0 "$CAIRN" remote add y webdav://dav.example.org/remote.php/dav/files/a@b.org
	expect_exit 2 "$CAIRN" remote add z webdavs://dav.example.org/a/../b
	expect_exit 2 "$CAIRN" remote add o webdav+http://abcdef.onion/dav --proxy socks5://127.0.0.1:9050
	assert_stderr_has "a .onion host needs a socks5h:// proxy"
	expect_exit 0 "$CAIRN" remote list --json
	[ "$(printf '%s' "$output" | jq -r '.[] | select(.name == "y") | .url')" = \
	    webdav://dav.example.org/remote.php/dav/files/a@b.org ]
	printf 'access_key=a\nsecret_key=b\n' >s3.cred
	chmod 600 s3.cred
	expect_exit 2 "$CAIRN" remote add w webdav://dav.example.org/e --credentials-file s3.cred
	assert_stderr_has "need a user=... line and a password=... line"
}

@test "WebDAV --proxy socks5h://: the traffic goes through the SOCKS5 proxy" {
	need_dav
	command -v microsocks >/dev/null || skip "microsocks not installed (scripts/install-deps)"
	big s 1
	start_socks
	port=$SOCKS_PORT
	expect_exit 0 "$CAIRN" remote add tor "$URL" --credentials-file writer.cred \
	    --proxy "socks5h://127.0.0.1:$port"
	: >socks.log
	expect_exit 0 "$CAIRN" push tor
	grep -q "connected to 127.0.0.1:$DAV_PORT" socks.log
	id=$(archive_id s.cairn)
	cmp "$STORE/$id.cairn" s.cairn
	kill "$PROXY_PID"
	wait "$PROXY_PID" 2>/dev/null || true
	PROXY_PID=
	big s2 1
	expect_exit 6 "$CAIRN" push --retries 0 tor
	assert_stderr_has "hint: is the proxy (Tor) running?"
	[ ! -e "$STORE/$(archive_id s2.cairn).cairn" ]
}

@test "WebDAV remote add --create: MKCOL with its parents; refused when not empty or not allowed" {
	need_dav
	expect_exit 0 "$CAIRN" remote add made "$URL/a/b" --credentials-file coord.cred --create
	[ -d "$STORE/a/b" ]
	expect_exit 0 "$CAIRN" remote list
	[[ "$output" == *made* ]]
	# there already and empty: fine; with something in it: exit 1
	expect_exit 0 "$CAIRN" remote add again "$URL/a/b" --credentials-file coord.cred --create
	expect_exit 1 "$CAIRN" remote add full "$URL/a" --credentials-file coord.cred --create
	assert_stderr_has "remote add --create: remote full: not empty: something is already under its URL"
	[ ! -e "$CAIRN_HOME/remotes/full" ]
	# the write-only account may not MKCOL
	expect_exit 6 "$CAIRN" remote add wo "$URL/c" --credentials-file writer.cred --create
	assert_stderr_has "remote add --create: remote wo: refused the credentials: cannot create /dav/$PREFIX/c/: HTTP 401"
	assert_stderr_has "hint: the credentials may not create it there"
	[ ! -e "$STORE/c" ] && [ ! -e "$CAIRN_HOME/remotes/wo" ]
	# a parent the server may not write in
	mkdir "$STORE/ro"
	chmod 555 "$STORE/ro"
	expect_exit 6 "$CAIRN" remote add ro "$URL/ro/x/y" --credentials-file coord.cred --create
	assert_stderr_has "remote add --create: remote ro: refused the credentials: cannot create /dav/$PREFIX/ro/x/: HTTP 403"
	[ ! -e "$STORE/ro/x" ] && [ ! -e "$CAIRN_HOME/remotes/ro" ]
	# what --create made takes a push
	expect_exit 0 "$CAIRN" seal -q -o a.cairn "$CAIRN_HOME/recipients"
	expect_exit 0 "$CAIRN" push made
	[ "$(ls "$STORE/a/b" | wc -l)" = 1 ]
}
