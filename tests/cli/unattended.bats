#!/usr/bin/env bats
# unattended.bats - cairn in scripts and on seal-only devices (issue 14,
# items 13-17): --json error objects, the archive's SHA-256 and size,
# several archives for verify and list, reading the archive back after
# sealing, and --remove-originals.  Each feature with its must-fail case.

load helpers

setup_file() {
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	"$CAIRN" keygen >/dev/null 2>&1
}

# A small tree in ev/ and its archive a.cairn.
tree() {
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	mkdir -p ev/sub
	printf 'note\n' >ev/notes.txt
	payload 70000 ev/sub/photo.jpg
}

# is_error_object FILE CODE: one JSON object saying ok false, exit CODE,
# with an error message.
is_error_object() {
	# jq -e on an empty file exits 0: slurp, so nothing is a failure
	jq -se --argjson c "$2" 'length == 1 and (.[0] | .ok == false and
	    .exit_code == $c and (.error | type == "string" and length > 0) and
	    (.hint == null or (.hint | type == "string")))' "$1"
}

@test "--json: a failing seal prints an error object, never nothing" {
	tree
	expect_exit 0 "$CAIRN" seal -q -o a.cairn ev
	expect_exit 1 "$CAIRN" seal --json -o a.cairn ev
	printf '%s' "$output" >err.json
	is_error_object err.json 1
	jq -en 'input | .error == "a.cairn: file exists"' err.json
	expect_exit 2 "$CAIRN" seal --json --bogus ev
	printf '%s' "$output" >err.json
	is_error_object err.json 2
	expect_exit 1 "$CAIRN" seal --json -o b.cairn missing/
	printf '%s' "$output" >err.json
	is_error_object err.json 1
	[ ! -e b.cairn ]
	# the message on stderr is the same text
	assert_stderr_has "cairn: error: $(jq -r .error err.json)"
}

@test "--json: every --json verb prints an error object on failure" {
	tree
	for cmd in "list --json nope.cairn" "verify --json nope.cairn" \
	    "open --json -C out nope.cairn" "share check --json nope.age" \
	    "pubkey --json -i nope" "split --json -t 2 -n 3 -o s nope"; do
		run --separate-stderr $CAIRN $cmd
		[ "$status" -ne 0 ] || { echo "$cmd: exit 0"; return 1; }
		printf '%s' "$output" >err.json
		is_error_object err.json "$status" || { echo "$cmd: $output"; return 1; }
	done
	# the verbs that keep state in the key home: a key home that is a
	# file makes each fail
	printf 'x\n' >notadir
	for cmd in "log --json" "log verify --json" "signer list --json" \
	    "push --json nosuch" "pull --json nosuch d" \
	    "remote add --json r http://127.0.0.1:9/"; do
		run --separate-stderr env CAIRN_HOME="$PWD/notadir" $CAIRN $cmd
		[ "$status" -ne 0 ] || { echo "$cmd: exit 0"; return 1; }
		printf '%s' "$output" >err.json
		is_error_object err.json "$status" || { echo "$cmd: $output"; return 1; }
	done
	# without --json, nothing on stdout
	expect_exit 1 "$CAIRN" verify nope.cairn
	[ -z "$output" ]
}

@test "--json: list/verify/open error objects name the archive" {
	expect_exit 1 "$CAIRN" verify --json nope.cairn
	printf '%s' "$output" >err.json
	jq -en 'input | .archive == "nope.cairn"' err.json
}

@test "seal --json: the archive's SHA-256 and size as written" {
	tree
	expect_exit 0 "$CAIRN" seal --json -o a.cairn ev
	printf '%s' "$output" >seal.json
	[ "$(jq -r .sha256 seal.json)" = "$(sha256sum a.cairn | cut -d' ' -f1)" ]
	[ "$(jq -r .size seal.json)" = "$(stat -c %s a.cairn)" ]
	jq -en 'input | .ok == true and .exit_code == 0 and .error == null and
	    .read_back == true and .removed == null' seal.json
	# must-fail: another archive of the same tree has another digest
	expect_exit 0 "$CAIRN" seal --json -a -o b.cairn ev
	[ "$(printf '%s' "$output" | jq -r .sha256)" != "$(jq -r .sha256 seal.json)" ]
	[ "$(printf '%s' "$output" | jq -r .sha256)" = "$(sha256sum b.cairn | cut -d' ' -f1)" ]
}

@test "verify and list take several archives; exit is the worst" {
	tree
	"$CAIRN" seal -q -o a.cairn ev
	"$CAIRN" seal -q -o b.cairn ev
	cp a.cairn bad.cairn
	flip_byte bad.cairn 5000
	expect_exit 0 "$CAIRN" verify -q a.cairn b.cairn
	expect_exit 4 "$CAIRN" verify --json a.cairn bad.cairn b.cairn nope.cairn
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 4 ]
	printf '%s\n' "$output" >lines.json
	jq -se 'length == 4 and
	    .[0].archive == "a.cairn" and .[0].ok == true and
	    .[1].archive == "bad.cairn" and .[1].ok == false and .[1].exit_code == 4 and
	    .[2].archive == "b.cairn" and .[2].ok == true and
	    .[3].archive == "nope.cairn" and .[3].ok == false and .[3].exit_code == 1' lines.json
	expect_exit 1 "$CAIRN" list --json a.cairn nope.cairn b.cairn
	printf '%s\n' "$output" >lines.json
	jq -se 'length == 3 and .[0].format == "cairn-archive" and
	    .[1].ok == false and .[1].archive == "nope.cairn" and
	    .[2].format == "cairn-archive"' lines.json
	expect_exit 0 "$CAIRN" list a.cairn b.cairn
	[ "$(grep -c '^archive id:' <<<"$output")" -eq 2 ]
	# one archive: still one pretty object
	expect_exit 0 "$CAIRN" verify --json a.cairn
	[ "$(printf '%s\n' "$output" | wc -l)" -gt 5 ]
}

@test "seal reads the archive back: a bad card is caught, nothing kept" {
	tree
	snap=$(find ev -type f -exec sha256sum {} + | sort)
	CAIRN_TEST_READBACK_FLIP=3000 expect_exit 1 "$CAIRN" seal -o a.cairn ev
	assert_stderr_has "a.cairn: reading the archive back gave other bytes than were written: the disk or card may be failing"
	[ ! -e a.cairn ]
	assert_no_temp .
	[ "$(find ev -type f -exec sha256sum {} + | sort)" = "$snap" ]
	# with --remove-originals too: nothing removed
	CAIRN_TEST_READBACK_FLIP=3000 expect_exit 1 "$CAIRN" seal --remove-originals -o a.cairn ev
	[ "$(find ev -type f -exec sha256sum {} + | sort)" = "$snap" ]
	# --no-readback does not read back
	CAIRN_TEST_READBACK_FLIP=3000 expect_exit 0 "$CAIRN" seal --no-readback --json -o a.cairn ev
	printf '%s' "$output" | jq -en 'input | .read_back == false'
}

@test "seal --remove-originals: exactly the sealed files, printed" {
	tree
	mkdir keep
	printf 'not sealed\n' >keep/other.txt
	ln -s ../keep/other.txt ev/link
	expect_exit 0 "$CAIRN" seal --remove-originals -o a.cairn ev
	assert_output_has "removed: ev/sub/photo.jpg"
	assert_output_has "removed: ev/notes.txt"
	assert_output_has "removed: ev/sub"
	# ev/ still holds the (unsealed) symlink: kept, with a warning
	assert_stderr_has "ev: directory kept"
	[ -L ev/link ] && [ ! -e ev/notes.txt ] && [ ! -e ev/sub ]
	[ -f keep/other.txt ]
	expect_exit 0 "$CAIRN" verify -q a.cairn
	expect_exit 0 "$CAIRN" open -q -C out a.cairn
	[ -f out/ev/sub/photo.jpg ]
}

@test "seal --remove-originals --json lists what was removed" {
	tree
	expect_exit 0 "$CAIRN" seal --remove-originals --json -o a.cairn ev
	printf '%s' "$output" >s.json
	jq -en 'input | .removed == ["ev/sub/photo.jpg", "ev/sub", "ev/notes.txt", "ev"]' s.json
	[ ! -e ev ]
}

@test "seal --remove-originals: nothing removed on failure" {
	tree
	"$CAIRN" seal -q -o a.cairn ev
	expect_exit 1 "$CAIRN" seal --remove-originals -o a.cairn ev
	[ -f ev/notes.txt ] && [ -f ev/sub/photo.jpg ]
	expect_exit 2 "$CAIRN" seal --remove-originals --no-readback -o b.cairn ev
	expect_exit 2 "$CAIRN" seal --remove-originals -o - ev
	[ -f ev/notes.txt ] && [ ! -e b.cairn ]
}
