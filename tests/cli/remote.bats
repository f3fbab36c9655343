#!/usr/bin/env bats
# tests/cli/remote.bats - remotes without a server: `cairn remote
# add|list|remove`, the URL rules (plain HTTP, .onion and proxies),
# credentials kept off the command line and out of every output, the
# outbox that seal fills, and push/pull with a directory remote (object
# names, confirmation, --remove-after-push, a damaged copy refused by
# pull).  The S3 cases against a real Ceph RGW are in remote_s3.bats.

load helpers

setup_keys() {
	"$CAIRN" keygen </dev/null >/dev/null 2>&1
	printf 'evidence %s\n' "$RANDOM" >note.txt
}

@test "remote add, list, remove; the config and credentials are 0600" {
	printf 'access_key=AKIDTEST\nsecret_key=SuperSecret123\n' >cred
	chmod 600 cred
	expect_exit 0 "$CAIRN" remote add ceph s3://s3.example.org/bucket/pre --credentials-file cred --region eu-1
	expect_exit 0 "$CAIRN" remote add stick "$T/store"
	expect_exit 0 "$CAIRN" remote list
	[ "${lines[0]}" = "ceph	s3://s3.example.org/bucket/pre" ]
	[ "${lines[1]}" = "stick	$T/store" ]
	expect_exit 0 "$CAIRN" remote list --json
	[ "$(printf '%s' "$output" | jq -r '.[0].stored_credentials')" = true ]
	[ "$(printf '%s' "$output" | jq -r '.[1].stored_credentials')" = false ]
	[ "$(stat -c %a "$CAIRN_HOME/remotes/ceph/credentials")" = 600 ]
	[ "$(stat -c %a "$CAIRN_HOME/remotes/ceph/config.json")" = 600 ]
	! grep -r SuperSecret "$CAIRN_HOME/remotes/ceph/config.json"
	expect_exit 1 "$CAIRN" remote add ceph "$T/other"
	assert_stderr_has "remote ceph: already exists"
	expect_exit 0 "$CAIRN" remote remove ceph
	[ ! -e "$CAIRN_HOME/remotes/ceph" ]
	expect_exit 0 "$CAIRN" remote list
	[ "$output" = "stick	$T/store" ]
	expect_exit 2 "$CAIRN" remote remove ceph
}

@test "remote add refuses bad URLs, plain HTTP, and .onion without socks5h" {
	expect_exit 2 "$CAIRN" remote add x s3+http://s3.example.org/bucket
	assert_stderr_has "allowed only for loopback and .onion hosts unless --allow-plain-http"
	expect_exit 0 "$CAIRN" remote add x s3+http://s3.example.org/bucket --allow-plain-http
	expect_exit 0 "$CAIRN" remote add lo s3+http://127.0.0.1:9000/bucket
	expect_exit 2 "$CAIRN" remote add o1 s3+http://abcdefgh.onion/bucket
	assert_stderr_has "reachable only through Tor"
	expect_exit 2 "$CAIRN" remote add o2 s3+http://abcdefgh.onion/bucket --proxy socks5://127.0.0.1:9050
	assert_stderr_has "with socks5:// or http:// the name would be resolved on this machine"
	expect_exit 0 "$CAIRN" remote add o3 s3+http://abcdefgh.onion/bucket --proxy socks5h://127.0.0.1:9050
	expect_exit 2 "$CAIRN" remote add b1 s3://host/x
	assert_stderr_has "bucket name"
	expect_exit 2 "$CAIRN" remote add b2 s3://host/bucket/../up
	expect_exit 2 "$CAIRN" remote add b3 ftp://host/dir
	expect_exit 2 "$CAIRN" remote add 'bad name' "$T/store"
	expect_exit 2 "$CAIRN" remote add d "$T/store" --credentials-env
	[ ! -e "$CAIRN_HOME/remotes/b1" ] && [ ! -e "$CAIRN_HOME/remotes/d" ]
}

@test "credentials: from a file or the environment, never printed, 0600 required" {
	printf 'access_key=AKIDTEST\nsecret_key=SuperSecret123\n' >cred
	chmod 644 cred
	expect_exit 1 "$CAIRN" remote add c s3://s3.example.org/bucket --credentials-file cred
	assert_stderr_has "chmod 600"
	CAIRN_S3_ACCESS_KEY=AKIDENV CAIRN_S3_SECRET_KEY=EnvSecret456 \
	    expect_exit 0 "$CAIRN" remote add c s3://s3.example.org/bucket --credentials-env
	grep -q '^secret_key=EnvSecret456$' "$CAIRN_HOME/remotes/c/credentials"
	expect_exit 2 "$CAIRN" remote add e s3://s3.example.org/bucket --credentials-env
	assert_stderr_has "set CAIRN_S3_ACCESS_KEY and CAIRN_S3_SECRET_KEY"
	expect_exit 0 "$CAIRN" remote list --json
	[[ "$output" != *EnvSecret456* ]] && [[ "$stderr" != *EnvSecret456* ]]
	expect_exit 2 "$CAIRN" remote add f s3://s3.example.org/bucket --secret-key x
	# a push without any credentials says where they come from
	expect_exit 0 "$CAIRN" remote add n s3+http://127.0.0.1:1/bucket
	expect_exit 2 "$CAIRN" push n
	assert_stderr_has "remote n: no credentials"
}

@test "seal records the outbox; push to a directory sends it under its archive id" {
	setup_keys
	mkdir store
	expect_exit 0 "$CAIRN" seal -q -o "$T/secret-source-name.cairn" note.txt
	id=$("$CAIRN" list --json secret-source-name.cairn | jq -r .archive_id)
	[ -f "$CAIRN_HOME/outbox/$id.json" ]
	[ "$(jq -r .path "$CAIRN_HOME/outbox/$id.json")" = "$T/secret-source-name.cairn" ]
	expect_exit 0 "$CAIRN" remote add stick "$T/store"
	expect_exit 0 "$CAIRN" push stick
	[ "$output" = "pushed $id $T/secret-source-name.cairn" ]
	[ "$(ls store)" = "$id.cairn" ]
	assert_same store/"$id.cairn" secret-source-name.cairn
	[ -f "$CAIRN_HOME/remotes/stick/pushed/$id" ]
	expect_exit 0 "$CAIRN" push stick
	[ "$output" = "nothing to push to stick" ]
	expect_exit 0 "$CAIRN" push --json stick
	[ "$(printf '%s' "$output" | jq -c .archives)" = "[]" ]
}

@test "push to a missing directory fails with exit 6 and marks nothing" {
	setup_keys
	expect_exit 0 "$CAIRN" seal -q -o a.cairn note.txt
	expect_exit 0 "$CAIRN" remote add stick "$T/not-mounted"
	expect_exit 6 "$CAIRN" push stick
	assert_stderr_has "remote stick: not found"
	assert_stderr_has "hint:"
	[ -z "$(ls -A "$CAIRN_HOME/remotes/stick/pushed" 2>/dev/null)" ]
	mkdir not-mounted
	expect_exit 0 "$CAIRN" push stick
	[ "$(ls not-mounted | wc -l)" = 1 ]
}

@test "push ARCHIVE not sealed here goes under a random id; --remove-after-push" {
	setup_keys
	mkdir store
	expect_exit 0 "$CAIRN" seal -q -o "$T/copy.cairn" note.txt
	rm -rf "$CAIRN_HOME/outbox"
	expect_exit 0 "$CAIRN" remote add stick "$T/store"
	expect_exit 0 "$CAIRN" push --remove-after-push stick copy.cairn
	[ ! -e copy.cairn ]
	name=$(ls store)
	[[ "$name" =~ ^[0-9a-f]{32}\.cairn$ ]]
	[[ "$name" != *copy* ]]
}

@test "seal --push seals and pushes in one step" {
	setup_keys
	mkdir store
	expect_exit 0 "$CAIRN" remote add stick "$T/store"
	expect_exit 0 "$CAIRN" seal -q --push stick -o out.cairn note.txt
	[ "$(ls store | wc -l)" = 1 ]
	assert_same out.cairn store/*.cairn
	expect_exit 2 "$CAIRN" seal --push stick -o - note.txt
	expect_exit 2 "$CAIRN" seal -q --push nosuch -o out2.cairn note.txt
	assert_stderr_has "no remote named 'nosuch'"
}

@test "pull fetches and verifies; a damaged copy is kept aside, exit 4" {
	setup_keys
	mkdir store
	expect_exit 0 "$CAIRN" remote add stick "$T/store"
	expect_exit 0 "$CAIRN" seal -q -o a.cairn note.txt
	expect_exit 0 "$CAIRN" seal -q -o b.cairn note.txt
	expect_exit 0 "$CAIRN" push -q stick
	expect_exit 0 "$CAIRN" pull --json stick got
	[ "$(printf '%s' "$output" | jq '[.archives[] | select(.verified)] | length')" = 2 ]
	expect_exit 0 "$CAIRN" pull stick got
	[[ "$output" == *present* ]]
	victim=$(ls store | head -1)
	rm -f "got/$victim"
	flip_byte "store/$victim" 300
	expect_exit 4 "$CAIRN" pull stick got
	[ ! -e "got/$victim" ] && [ -f "got/$victim.unverified" ]
	expect_exit 2 "$CAIRN" pull --since yesterday stick got
	expect_exit 0 "$CAIRN" pull --since 2999-01-01 --json stick got2
	[ "$(printf '%s' "$output" | jq '.archives | length')" = 0 ]
}

@test "pull continues a partial download and verifies the bytes it already had too" {
	setup_keys
	mkdir src stick
	head -c 3000000 /dev/urandom >src/a.bin
	expect_exit 0 "$CAIRN" seal -q -o a.cairn src
	id=$("$CAIRN" list --json a.cairn | jq -r .archive_id)
	expect_exit 0 "$CAIRN" remote add stick "$T/stick"
	expect_exit 0 "$CAIRN" push -q stick
	# a download cut after 1 MB: the next pull continues it
	mkdir got
	head -c 1000000 a.cairn >"got/.$id.cairn.part"
	expect_exit 0 "$CAIRN" pull stick got
	cmp "got/$id.cairn" a.cairn
	[ ! -e "got/.$id.cairn.part" ]
	# the same with one byte of the kept part changed: the verify reads
	# it too, so the archive is kept aside, not given its name
	mkdir got2
	head -c 1000000 a.cairn >"got2/.$id.cairn.part"
	flip_byte "got2/.$id.cairn.part" 500000
	expect_exit 4 "$CAIRN" pull stick got2
	[ ! -e "got2/$id.cairn" ]
	[ -f "got2/$id.cairn.unverified" ]
	[ "$(stat -c %s "got2/$id.cairn.unverified")" = "$(stat -c %s a.cairn)" ]
}

@test "pull without an identity fails before downloading" {
	setup_keys
	mkdir store
	expect_exit 0 "$CAIRN" remote add stick "$T/store"
	expect_exit 0 "$CAIRN" seal -q --push stick -o a.cairn note.txt
	mv "$CAIRN_HOME/identity" "$T/id"
	expect_exit 2 "$CAIRN" pull stick got
	[ -z "$(ls -A got 2>/dev/null)" ]
	expect_exit 0 "$CAIRN" pull -i "$T/id" stick got
}

@test "exit code 6 is documented in --help" {
	expect_exit 0 "$CAIRN" --help
	assert_output_has "6  remote store unreachable or refused"
}

@test "remote add --create makes a directory remote (0700), refuses one that is not empty" {
	expect_exit 0 "$CAIRN" remote add fresh "$T/stick/outbox/cairn" --create
	[ -d "$T/stick/outbox/cairn" ]
	[ "$(stat -c %a "$T/stick/outbox/cairn")" = 700 ]
	# there already and empty: fine
	expect_exit 0 "$CAIRN" remote add fresh2 "$T/stick/outbox/cairn" --create
	: >"$T/stick/outbox/cairn/someone-elses-file"
	expect_exit 1 "$CAIRN" remote add full "$T/stick/outbox/cairn" --create
	assert_stderr_has "remote add --create: remote full: not empty: something is already under its URL"
	[ ! -e "$CAIRN_HOME/remotes/full" ]
	# nothing was removed or changed there
	[ -f "$T/stick/outbox/cairn/someone-elses-file" ]
	expect_exit 0 "$CAIRN" remote add full "$T/stick/outbox/cairn"
	# a place that cannot be made
	: >"$T/afile"
	expect_exit 6 "$CAIRN" remote add bad "$T/afile/sub" --create
	assert_stderr_has "remote add --create: remote bad:"
	[ ! -e "$CAIRN_HOME/remotes/bad" ]
	# without --create push makes nothing
	expect_exit 0 "$CAIRN" remote add nodir "$T/nowhere"
	[ ! -e "$T/nowhere" ]
}

@test "remote add --connections: 1..16, stored" {
	expect_exit 0 "$CAIRN" remote add c4 s3://s3.example.org/bucket --connections 4
	[ "$(jq .connections "$CAIRN_HOME/remotes/c4/config.json")" = 4 ]
	expect_exit 2 "$CAIRN" remote add c0 s3://s3.example.org/bucket --connections 0
	assert_stderr_has "--connections: a number 1..16"
	expect_exit 2 "$CAIRN" remote add c17 s3://s3.example.org/bucket --connections 17
	[ ! -e "$CAIRN_HOME/remotes/c0" ] && [ ! -e "$CAIRN_HOME/remotes/c17" ]
}

@test "remote add --create: a WebDAV server that cannot be reached adds nothing" {
	printf 'user=u\npassword=p\n' >cred
	chmod 600 cred
	expect_exit 6 "$CAIRN" remote add dav webdav+http://127.0.0.1:9/dav --create --credentials-file cred
	assert_stderr_has "remote add --create: remote dav: network:"
	[ ! -e "$CAIRN_HOME/remotes/dav" ]
}
