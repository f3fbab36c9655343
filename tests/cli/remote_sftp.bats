#!/usr/bin/env bats
# tests/cli/remote_sftp.bats - push and pull against a real SFTP server:
# Debian's OpenSSH sshd (tests/remote/sshd) with a throw-away host key and
# an authorized user key, started once for this file on 127.0.0.1 with a
# free port and stopped in teardown_file.  Round trip, strict host key
# checking (unknown and changed keys refused, with the fingerprint and
# how to add the key), a refused key and password, an existing object
# that must not be replaced, a server that is down, a connection cut
# mid-upload that the next push resumes, and the SOCKS5h proxy (Debian's
# microsocks).  Skipped, with the reason, where sshd cannot run.

load helpers
load remote_helpers

setup_file() {
	export SKIP_WHY="$BATS_FILE_TMPDIR/skip"
	[ -x /usr/sbin/sshd ] || { echo "sshd not installed (scripts/install-deps)" >"$SKIP_WHY"; return 0; }
	remote_server_start sshd "$BATS_FILE_TMPDIR/ssh" sshd ssh-keygen ssh-keyscan python3
}

teardown_file() {
	"$CAIRN_TOP/tests/remote/sshd" stop "$BATS_FILE_TMPDIR/ssh" >/dev/null 2>&1
	return 0
}

setup() { remote_setup; }

teardown() { remote_teardown; }

# known_host PORT: the server's key for 127.0.0.1:PORT, as ssh writes it
known_host() { echo "[127.0.0.1]:$1 $(cut -d' ' -f1,2 "$SFTP_HOSTKEY_PUB")"; }

# need_sftp: skip without the server; else a key home, credentials, the
# server's key in ~/.ssh/known_hosts and a fresh directory $PREFIX
need_sftp() {
	[ ! -s "$BATS_FILE_TMPDIR/skip" ] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	# shellcheck disable=SC1091
	. "$BATS_FILE_TMPDIR/env"
	"$CAIRN" keygen </dev/null >/dev/null 2>&1
	printf 'key_file=%s\n' "$SFTP_KEY" >key.cred
	chmod 600 key.cred
	mkdir -p "$HOME/.ssh"
	known_host "$SFTP_PORT" >"$HOME/.ssh/known_hosts"
	STORE="$SFTP_DIR/$PREFIX"
	mkdir "$STORE"
	URL="sftp://$SFTP_USER@127.0.0.1:$SFTP_PORT$STORE"
}

@test "SFTP round trip: push with a key, publish by rename, pull and verify" {
	need_sftp
	big a 3
	big b 1
	expect_exit 0 "$CAIRN" remote add sf "$URL" --credentials-file key.cred
	expect_exit 0 "$CAIRN" push --json sf
	[ "$(printf '%s' "$output" | jq '[.archives[] | select(.sent)] | length')" = 2 ]
	ida=$(archive_id a.cairn)
	idb=$(archive_id b.cairn)
	cmp "$STORE/$ida.cairn" a.cairn
	cmp "$STORE/$idb.cairn" b.cairn
	[ "$(ls -A "$STORE" | sort)" = "$(printf '%s\n' "$ida.cairn" "$idb.cairn" | sort)" ]
	[ -z "$(ls -A "$CAIRN_HOME/remotes/sf/uploads")" ]
	expect_exit 0 "$CAIRN" push sf
	[ "$output" = "nothing to push to sf" ]
	# a download cut earlier resumes from where the file ends
	mkdir -p got
	head -c 1000000 a.cairn >"got/.$ida.cairn.part"
	rm -f a.cairn b.cairn
	expect_exit 0 "$CAIRN" pull --json sf got
	cmp "got/$ida.cairn" "$STORE/$ida.cairn"
	[ "$(printf '%s' "$output" | jq '[.archives[] | select(.verified and .status == "fetched")] | length')" = 2 ]
	expect_exit 0 "$CAIRN" open -C out "got/$ida.cairn"
	cmp out/src-a/data.bin src-a/data.bin
}

@test "SFTP host keys: unknown and changed keys are refused, never added" {
	need_sftp
	big h 1
	: >"$HOME/.ssh/known_hosts"
	expect_exit 0 "$CAIRN" remote add sf "$URL" --credentials-file key.cred
	expect_exit 6 "$CAIRN" push sf
	fp=$(ssh-keygen -lf "$SFTP_HOSTKEY_PUB" | cut -d' ' -f2)
	assert_stderr_has "remote sf: unknown SSH host key: the server's ssh-ed25519 key $fp is not in $HOME/.ssh/known_hosts"
	assert_stderr_has "hint: ask the server's administrator for its key fingerprint"
	assert_stderr_has "ssh-keyscan -t ed25519 -p $SFTP_PORT 127.0.0.1 >>$HOME/.ssh/known_hosts"
	[ ! -s "$HOME/.ssh/known_hosts" ] # nothing was added
	[ -z "$(ls -A "$STORE")" ]
	[ -z "$(ls -A "$CAIRN_HOME/remotes/sf/pushed" 2>/dev/null)" ]
	# a different key for this host: an attack until proven otherwise
	echo "[127.0.0.1]:$SFTP_PORT $(cut -d' ' -f1,2 "$SFTP_KEY.pub")" >"$HOME/.ssh/known_hosts"
	expect_exit 6 "$CAIRN" push sf
	assert_stderr_has "remote sf: SSH host key CHANGED: the server's ssh-ed25519 key $fp is NOT the one in"
	assert_stderr_has "ssh-keygen -R '[127.0.0.1]:$SFTP_PORT'"
	[ -z "$(ls -A "$STORE")" ]
	# --known-hosts F (a name that needs quoting), filled by pasting the
	# hint's command into a shell
	: >"$T/known hosts"
	expect_exit 0 "$CAIRN" remote add sf2 "$URL" --credentials-file key.cred --known-hosts "$T/known hosts"
	expect_exit 6 "$CAIRN" push sf2
	cmd=${stderr##*and only then add the key: }
	[[ "$cmd" == "ssh-keyscan -t ed25519 -p $SFTP_PORT 127.0.0.1 >>'$T/known hosts'" ]]
	sh -c "$cmd" 2>/dev/null
	expect_exit 0 "$CAIRN" push sf2
	cmp "$STORE/$(archive_id h.cairn).cairn" h.cairn
}

@test "SFTP refused key or password: exit 6, nothing marked pushed" {
	need_sftp
	big x 1
	ssh-keygen -q -t ed25519 -N '' -f other_key
	printf 'key_file=%s\n' "$T/other_key" >other.cred
	printf 'password=WRONGwrongWRONG\n' >pw.cred
	printf 'key_file=relative/key\n' >rel.cred
	chmod 600 other.cred pw.cred rel.cred
	expect_exit 0 "$CAIRN" remote add sf "$URL"
	expect_exit 6 "$CAIRN" push --credentials-file other.cred sf
	assert_stderr_has "remote sf: refused the credentials:"
	expect_exit 6 "$CAIRN" push --credentials-file pw.cred sf
	assert_stderr_has "remote sf: refused the credentials:"
	[[ "$stderr" != *WRONGwrong* ]]
	expect_exit 2 "$CAIRN" push --credentials-file rel.cred sf
	assert_stderr_has "key_file= needs an absolute path"
	[ -z "$(ls -A "$CAIRN_HOME/remotes/sf/pushed" 2>/dev/null)" ]
	[ -z "$(ls -A "$STORE")" ]
	# no user in the URL nor the credentials
	expect_exit 0 "$CAIRN" remote add nouser "sftp://127.0.0.1:$SFTP_PORT$STORE" --credentials-file key.cred
	expect_exit 2 "$CAIRN" push nouser
	assert_stderr_has "no user: give one in the URL (sftp://USER@HOST/DIR)"
}

@test "SFTP: an existing object with other content is not replaced" {
	need_sftp
	big e 1
	id=$(archive_id e.cairn)
	echo "someone else's bytes" >"$STORE/$id.cairn"
	expect_exit 0 "$CAIRN" remote add sf "$URL" --credentials-file key.cred
	expect_exit 6 "$CAIRN" push sf
	assert_stderr_has "remote sf: already there: $STORE/$id.cairn exists with another size; not replaced"
	[ "$(cat "$STORE/$id.cairn")" = "someone else's bytes" ]
	# same size, other bytes
	head -c "$(stat -c %s e.cairn)" /dev/zero >"$STORE/$id.cairn"
	expect_exit 6 "$CAIRN" push sf
	assert_stderr_has "exists with other content"
	cmp "$STORE/$id.cairn" <(head -c "$(stat -c %s e.cairn)" /dev/zero)
	[ ! -e "$CAIRN_HOME/remotes/sf/pushed/$id" ]
	# the same bytes (a push whose answer was lost) count as confirmed
	cp e.cairn "$STORE/$id.cairn"
	expect_exit 0 "$CAIRN" push sf
	[ -f "$CAIRN_HOME/remotes/sf/pushed/$id" ]
}

@test "SFTP rename never replaces: the server refuses to rename over a file" {
	need_sftp
	# what push relies on, checked against this sshd with curl itself
	echo new >new.txt
	echo old >"$STORE/x.cairn"
	run curl -sS -u "$SFTP_USER:" --key "$SFTP_KEY" --pubkey '' -T new.txt \
	    -Q "-rename $STORE/.x.part $STORE/x.cairn" "sftp://127.0.0.1:$SFTP_PORT$STORE/.x.part"
	[ "$status" = 21 ] # CURLE_QUOTE_ERROR
	[ "$(cat "$STORE/x.cairn")" = old ]
}

@test "SFTP server down: exit 6, nothing marked pushed" {
	need_sftp
	big d 1
	port=$(free_port)
	known_host "$port" >>"$HOME/.ssh/known_hosts"
	expect_exit 0 "$CAIRN" remote add down "sftp://$SFTP_USER@127.0.0.1:$port/tmp" \
	    --credentials-file key.cred
	expect_exit 6 "$CAIRN" push --retries 0 down
	assert_stderr_has "remote down: network:"
	[ -z "$(ls -A "$CAIRN_HOME/remotes/down/pushed" 2>/dev/null)" ]
}

@test "SFTP: a connection cut mid-upload, then push resumes from the uploaded size" {
	need_sftp
	big c 8
	"$CAIRN_TOP/build/tests/tools/cutproxy" "$T/proxy.port" "$SFTP_PORT" \
	    $((3 * 1048576)) 0 "$T/proxy.log" &
	PROXY_PID=$!
	for _ in $(seq 50); do [ -s "$T/proxy.port" ] && break; sleep 0.1; done
	pport=$(cat "$T/proxy.port")
	known_host "$pport" >>"$HOME/.ssh/known_hosts"
	expect_exit 0 "$CAIRN" remote add cut "sftp://$SFTP_USER@127.0.0.1:$pport$STORE" \
	    --credentials-file key.cred
	expect_exit 6 "$CAIRN" push --retries 0 cut
	assert_stderr_has "remote cut: network:"
	id=$(archive_id c.cairn)
	[ ! -e "$CAIRN_HOME/remotes/cut/pushed/$id" ]
	[ -f "$CAIRN_HOME/remotes/cut/uploads/$id" ]
	[ ! -e "$STORE/$id.cairn" ]
	have=$(stat -c %s "$STORE/.$id.cairn.part")
	[ "$have" -gt 0 ]
	before=$(awk '{s += $4} END {print s}' proxy.log)
	expect_exit 0 "$CAIRN" push cut
	cmp "$STORE/$id.cairn" c.cairn
	[ ! -e "$STORE/.$id.cairn.part" ]
	[ ! -e "$CAIRN_HOME/remotes/cut/uploads/$id" ]
	# the second push sent about what was missing, not the whole archive
	# (plus reading the continued part back: download, not upload)
	after=$(awk '{s += $4} END {print s}' proxy.log)
	[ $((after - before)) -lt $(($(stat -c %s c.cairn) - have + 262144)) ]
}

@test "SFTP: kill -9 in the middle of an upload, then push resumes" {
	need_sftp
	big k 8
	"$CAIRN_TOP/build/tests/tools/cutproxy" "$T/proxy.port" "$SFTP_PORT" \
	    0 $((2 * 1048576)) "$T/proxy.log" &
	PROXY_PID=$!
	for _ in $(seq 50); do [ -s "$T/proxy.port" ] && break; sleep 0.1; done
	pport=$(cat "$T/proxy.port")
	known_host "$pport" >>"$HOME/.ssh/known_hosts"
	expect_exit 0 "$CAIRN" remote add slow "sftp://$SFTP_USER@127.0.0.1:$pport$STORE" \
	    --credentials-file key.cred
	id=$(archive_id k.cairn)
	part="$STORE/.$id.cairn.part"
	"$CAIRN" push -q slow 2>/dev/null &
	pid=$!
	for _ in $(seq 300); do
		[ "$(stat -c %s "$part" 2>/dev/null || echo 0)" -gt 1048576 ] && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	[ -f "$CAIRN_HOME/remotes/slow/uploads/$id" ]
	[ ! -e "$CAIRN_HOME/remotes/slow/pushed/$id" ]
	# let the proxy finish relaying the killed connection
	for _ in $(seq 100); do [ -s proxy.log ] && break; sleep 0.05; done
	sleep 0.3
	have=$(stat -c %s "$part")
	[ "$have" -gt 1048576 ]
	before=$(awk '{s += $4} END {print s}' proxy.log)
	expect_exit 0 "$CAIRN" push slow
	cmp "$STORE/$id.cairn" k.cairn
	[ -f "$CAIRN_HOME/remotes/slow/pushed/$id" ]
	after=$(awk '{s += $4} END {print s}' proxy.log)
	[ $((after - before)) -lt $(($(stat -c %s k.cairn) - have + 262144)) ]
}

@test "SFTP --proxy socks5h://: the traffic goes through the SOCKS5 proxy" {
	need_sftp
	command -v microsocks >/dev/null || skip "microsocks not installed (scripts/install-deps)"
	big s 1
	start_socks
	port=$SOCKS_PORT
	expect_exit 2 "$CAIRN" remote add web "$URL" --proxy "http://127.0.0.1:$port"
	assert_stderr_has "an sftp:// remote takes only a socks5h:// or socks5:// proxy"
	expect_exit 0 "$CAIRN" remote add tor "$URL" --credentials-file key.cred \
	    --proxy "socks5h://127.0.0.1:$port"
	: >socks.log
	expect_exit 0 "$CAIRN" push tor
	grep -q "connected to 127.0.0.1:$SFTP_PORT" socks.log
	cmp "$STORE/$(archive_id s.cairn).cairn" s.cairn
	kill "$PROXY_PID"
	wait "$PROXY_PID" 2>/dev/null || true
	PROXY_PID=
	big s2 1
	expect_exit 6 "$CAIRN" push --retries 0 tor
	assert_stderr_has "hint: is the proxy (Tor) running?"
	[ ! -e "$STORE/$(archive_id s2.cairn).cairn" ]
}

@test "SFTP remote add --create: mkdir with its parents; refused when not empty or impossible" {
	need_sftp
	expect_exit 0 "$CAIRN" remote add made "$URL/a/b" --credentials-file key.cred --create
	[ -d "$STORE/a/b" ]
	expect_exit 0 "$CAIRN" remote add again "$URL/a/b" --credentials-file key.cred --create
	expect_exit 1 "$CAIRN" remote add full "$URL/a" --credentials-file key.cred --create
	assert_stderr_has "remote add --create: remote full: not empty: something is already under its URL"
	[ ! -e "$CAIRN_HOME/remotes/full" ]
	# a parent that is a file: mkdir fails, and says so
	: >"$STORE/afile"
	expect_exit 6 "$CAIRN" remote add bad "$URL/afile/x" --credentials-file key.cred --create
	assert_stderr_has "remote add --create: remote bad: refused the credentials: cannot create $STORE/afile/x:"
	assert_stderr_has "a parent is not a directory they may write in"
	[ ! -e "$CAIRN_HOME/remotes/bad" ]
	# a missing directory is not made without --create
	expect_exit 0 "$CAIRN" remote add plain "$URL/c" --credentials-file key.cred
	[ ! -e "$STORE/c" ]
	# what --create made takes a push
	expect_exit 0 "$CAIRN" seal -q -o a.cairn "$CAIRN_HOME/recipients"
	expect_exit 0 "$CAIRN" push made
	[ "$(ls "$STORE/a/b" | wc -l)" = 1 ]
}
