#!/usr/bin/env bats
# skip.bats - seal --skip-unreadable (issue 14, item 14): a file or
# directory that cannot be read, or a file that changes while it is
# sealed, is left out instead of failing the nightly seal; it is named on
# stderr and in --json, and recorded in the manifest's skipped list
# (version 2), which list, verify and open show.  Without the option each
# case fails and leaves nothing (the must-fail cases).
#
# "Cannot be read" is real: chmod 000, and when the tests run as root
# (who reads anything) cairn runs as nobody through setpriv(1).  "Grows
# while sealed" uses the test build's point CAIRN_TEST_AT=seal-grow[:N]
# (the Nth file read gets one byte appended after its first block).

load helpers

setup_file() {
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	"$CAIRN" keygen >/dev/null 2>&1
}

tree() {
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	mkdir -p ev/sub
	printf 'first\n' >ev/a.txt
	printf 'log\n' >ev/b.log
	payload 200000 ev/sub/c.bin
}

# not_in ARCHIVE PATH: open ARCHIVE and check PATH did not come out while
# the other files did.
not_in() {
	rm -rf out
	expect_exit 0 "$CAIRN" open -q -C out "$1"
	[ ! -e "out/$2" ] || { echo "$2 was extracted"; return 1; }
	[ -f out/ev/a.txt ] && [ -f out/ev/sub/c.bin ]
}

@test "a file that grows while sealed fails the seal, and nothing is left" {
	tree
	CAIRN_TEST_AT=seal-grow:2 expect_exit 1 "$CAIRN" seal -o a.cairn ev
	assert_stderr_has "cairn: error: seal: ev/b.log: grew while being sealed"
	assert_stderr_has "--skip-unreadable"
	[ ! -e a.cairn ]
	assert_no_temp .
}

@test "--skip-unreadable: a growing file is left out and recorded (both streaming modes)" {
	for threads in 0 1; do
		rm -rf ev && tree
		rm -f a.cairn
		CAIRN_SEAL_THREADS=$threads CAIRN_TEST_AT=seal-grow:2 \
		    expect_exit 0 "$CAIRN" seal --skip-unreadable -o a.cairn ev
		assert_stderr_has "cairn: warning: ev/b.log: not sealed (--skip-unreadable): grew while being sealed"
		assert_stderr_has "1 path was not sealed"
		assert_no_temp .
		expect_exit 0 "$CAIRN" verify a.cairn
		assert_output_has "skipped:     ev/b.log (not in the archive: grew while being sealed)"
		assert_output_has "2 files (200006 bytes)"
		expect_exit 0 "$CAIRN" list a.cairn
		assert_output_has "skipped:     ev/b.log (not in the archive: grew while being sealed)"
		not_in a.cairn ev/b.log
	done
}

@test "--skip-unreadable --json: the skipped list in the summary" {
	tree
	CAIRN_TEST_AT=seal-grow:3 expect_exit 0 "$CAIRN" seal --json \
	    --skip-unreadable -o a.cairn ev
	printf '%s' "$output" >s.json
	jq -se 'length == 1 and .[0].ok == true and .[0].files == 2 and
	    .[0].skipped == [{"path": "ev/sub/c.bin",
	        "reason": "grew while being sealed"}]' s.json
	expect_exit 0 "$CAIRN" list --json a.cairn
	printf '%s' "$output" >l.json
	jq -se '.[0].version == 2 and
	    ([.[0].entries[].path] | index("ev/sub/c.bin") == null)' l.json
	# nothing skipped: version 1 and an empty list
	expect_exit 0 "$CAIRN" seal --json --skip-unreadable -o b.cairn ev
	printf '%s' "$output" >s.json
	jq -se '.[0].skipped == [] and .[0].files == 3' s.json
	expect_exit 0 "$CAIRN" list --json b.cairn
	printf '%s' "$output" >l.json
	jq -se '.[0].version == 1 and (.[0] | has("skipped") | not)' l.json
}

@test "--skip-unreadable: every file skipped is 'nothing to seal'" {
	tree
	printf 'x\n' >ev/only.txt
	CAIRN_TEST_AT=seal-grow expect_exit 1 "$CAIRN" seal --skip-unreadable \
	    -o a.cairn ev/only.txt
	assert_stderr_has "nothing to seal"
	[ ! -e a.cairn ]
	assert_no_temp .
}

@test "--skip-unreadable: a missing argument is still an error" {
	tree
	expect_exit 1 "$CAIRN" seal --skip-unreadable -o a.cairn ev nope
	assert_stderr_has "nope: No such file or directory"
	[ ! -e a.cairn ]
}

@test "--skip-unreadable -o -: a change cannot be taken back, so it fails" {
	tree
	CAIRN_TEST_AT=seal-grow:2 expect_exit 1 "$CAIRN" seal \
	    --skip-unreadable -o - ev
	assert_stderr_has "grew while being sealed"
	assert_stderr_has "seal to a file (-o FILE)"
}

# as_user CMD...: run CMD as an unprivileged user (nobody when root).
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}

@test "unreadable file and directory: refused, or left out with --skip-unreadable" {
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || skip "root, and no setpriv to drop to nobody"
	fi
	# a world-traversable work directory that nobody may write in
	W=$(mktemp -d /tmp/cairn-skip.XXXXXX)
	chmod 755 "$W"
	mkdir -p "$W/ev/locked"
	printf 'ok\n' >"$W/ev/ok.txt"
	printf 'secret\n' >"$W/ev/secret.txt"
	printf 'x\n' >"$W/ev/locked/x"
	chmod 000 "$W/ev/secret.txt" "$W/ev/locked"
	# a copy nobody can run: the checkout may sit in a 0700 directory
	cp "$CAIRN" "$W/cairn"
	chmod 755 "$W/cairn"
	[ "$(id -u)" != 0 ] || chown 65534:65534 "$W"
	as_user sh -c 'test -x "$1"' _ "$W/cairn" ||
	    skip "the unprivileged user cannot run a copy of cairn in $W (noexec /tmp?)"
	rec=$(grep '^age1' "$BATS_FILE_TMPDIR/home/recipients")
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	cd "$W"
	run --separate-stderr as_user env CAIRN_HOME="$W/h" "$W/cairn" seal \
	    --no-sign -r "$rec" -o a.cairn ev
	[ "$status" -eq 1 ] || { echo "exit $status: $stderr"; return 1; }
	assert_stderr_has "Permission denied"
	assert_stderr_has "--skip-unreadable"
	[ ! -e a.cairn ]
	run --separate-stderr as_user env CAIRN_HOME="$W/h" "$W/cairn" seal \
	    --no-sign -r "$rec" --skip-unreadable -o a.cairn ev
	[ "$status" -eq 0 ] || { echo "exit $status: $stderr"; return 1; }
	assert_stderr_has "ev/secret.txt: not sealed (--skip-unreadable): Permission denied"
	assert_stderr_has "ev/locked: not sealed (--skip-unreadable): Permission denied"
	expect_exit 0 "$CAIRN" list a.cairn
	assert_output_has "skipped:     ev/locked (not in the archive: Permission denied)"
	assert_output_has "skipped:     ev/secret.txt (not in the archive: Permission denied)"
	assert_output_has "1 file, 3 bytes, 2 entries"
	expect_exit 0 "$CAIRN" verify --allow-unsigned a.cairn
	cd "$T"
	chmod -R u+rwx "$W"
	rm -rf "$W"
}

# ---- item 18: mistakes in seal's PATHs ------------------------------------

@test "seal old.cairn evidence/ (tar-style order) is refused with a hint" {
	tree
	expect_exit 0 "$CAIRN" seal -q -o old.cairn ev
	cp old.cairn before.cairn
	expect_exit 2 "$CAIRN" seal old.cairn ev
	assert_stderr_has "cairn: error: seal: old.cairn is an encrypted archive, given as the first PATH"
	assert_stderr_has "give -o FILE"
	cmp old.cairn before.cairn
	[ "$(ls *.cairn | wc -l)" -eq 2 ]
	# a new name that does not exist yet: the hint names -o
	expect_exit 2 "$CAIRN" seal new.cairn ev
	assert_stderr_has "cairn: hint: to name the new archive, give -o new.cairn"
	[ ! -e new.cairn ]
	# given after the other paths, or with -o, it is sealed as asked
	expect_exit 0 "$CAIRN" seal -q -o both.cairn ev old.cairn
	expect_exit 0 "$CAIRN" list both.cairn
	assert_output_has "old.cairn"
}

@test "a symbolic link to a folder: 'nothing to seal' hints Evidence/" {
	tree
	ln -s ev Evidence
	expect_exit 1 "$CAIRN" seal -o a.cairn Evidence
	assert_stderr_has "nothing to seal"
	assert_stderr_has "cairn: hint: Evidence is a symbolic link to a directory: give Evidence/ (with a slash) to seal the directory it points to"
	expect_exit 0 "$CAIRN" seal -o a.cairn Evidence/
	[ -s a.cairn ]
}

@test "multi-line -m notes and tabs in --note-file are kept; other controls refused" {
	tree
	printf 'seized at\tthe border\n\nsecond\tnote\n' >notes.txt
	expect_exit 0 "$CAIRN" seal -q -m "$(printf 'line one\nline two')" \
	    --note-file notes.txt -o a.cairn ev
	expect_exit 0 "$CAIRN" list --json a.cairn
	printf '%s' "$output" >l.json
	jq -se '.[0].version == 2 and .[0].notes == ["line one\nline two",
	    "seized at\tthe border", "second\tnote"]' l.json
	expect_exit 0 "$CAIRN" list a.cairn
	assert_output_has "$(printf 'note:        line one\n             line two')"
	expect_exit 0 "$CAIRN" verify a.cairn
	# still refused: other control characters
	expect_exit 2 "$CAIRN" seal -q -m "$(printf 'a\033[31mb')" -o b.cairn ev
	assert_stderr_has "without control characters but tabs and line breaks"
	printf 'bad\rline\n' >cr.txt
	expect_exit 2 "$CAIRN" seal -q --note-file cr.txt -o b.cairn ev
	[ ! -e b.cairn ]
	# a plain note stays version 1
	expect_exit 0 "$CAIRN" seal -q -m "plain" -o c.cairn ev
	expect_exit 0 "$CAIRN" list --json c.cairn
	printf '%s' "$output" >l.json
	jq -se '.[0].version == 1' l.json
}

@test "right-to-left override and invalid bytes in names are escaped in messages" {
	tree
	rlo=$(printf 'evil\342\200\256gpj.exe')
	latin1=$(printf 'caf\351.jpg')
	expect_exit 1 "$CAIRN" seal -o a.cairn "$rlo"
	assert_stderr_has 'cairn: error: seal: evil\u{202e}gpj.exe: No such file or directory'
	[[ "$stderr" != *$'\342\200\256'* ]]
	expect_exit 1 "$CAIRN" seal -o a.cairn "$latin1"
	assert_stderr_has 'caf\xe9.jpg: No such file or directory'
	[[ "$stderr" != *$'\351'* ]]
	# valid UTF-8 stays as it is
	expect_exit 1 "$CAIRN" seal -o a.cairn "café.jpg"
	assert_stderr_has "café.jpg: No such file or directory"
	# --json error objects carry the same escaped text
	expect_exit 1 "$CAIRN" seal --json -o a.cairn "$rlo"
	printf '%s' "$output" >e.json
	jq -se '.[0].error == "seal: evil\\u{202e}gpj.exe: No such file or directory"' e.json
}
