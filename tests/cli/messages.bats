#!/usr/bin/env bats
# messages.bats - what real users ran into (issue 14, items 13, 18 and 19):
# no-terminal hints that name the option of that prompt, share check on a
# plain share without the key home's passphrase, messages for mistakes,
# and a passphrase-protected signing key under low memory.  Each with its
# must-fail case.

load helpers

# A key home whose identity and signing key need a passphrase.
protected_home() {
	printf 'correct horse battery\n' >pf
	chmod 600 pf
	expect_exit 0 "$CAIRN" keygen --passphrase-file pf
	mkdir -p ev
	printf 'x\n' >ev/a.txt
}

@test "seal without a terminal names --signing-passphrase-file, not --passphrase-file" {
	protected_home
	expect_exit 2 setsid "$CAIRN" seal -o a.cairn ev </dev/null
	assert_stderr_has "cairn: hint: use --signing-passphrase-file FILE"
	[[ "$stderr" != *"use --passphrase-file"* ]]
	[ ! -e a.cairn ]
	# following the hint works, and the archive is sealed to the key home
	expect_exit 0 setsid "$CAIRN" seal --signing-passphrase-file pf -o a.cairn ev </dev/null
	expect_exit 0 "$CAIRN" list --passphrase-file pf a.cairn
	# other prompts keep their own option
	expect_exit 2 setsid "$CAIRN" encrypt -p -o b.age ev/a.txt </dev/null
	assert_stderr_has "cairn: hint: use --passphrase-file FILE"
}

@test "share check on a plain share does not ask for the key home's passphrase" {
	protected_home
	"$CAIRN" keygen -o me.key >/dev/null 2>&1
	expect_exit 0 "$CAIRN" split -q -t 3 -n 5 -o sd me.key
	# the key home's identity is passphrase-protected; no terminal
	expect_exit 0 setsid "$CAIRN" share check sd/share-03.txt </dev/null
	assert_output_has "member: 3 of 5 (3 shares of the group needed)"
	expect_exit 0 setsid "$CAIRN" share check --json sd/share-03.txt </dev/null
	printf '%s' "$output" | jq -en 'input | .member == 3 and .member_count == 5'
	# must-fail: an encrypted share still needs (and asks for) an identity
	"$CAIRN" keygen -o c.key >/dev/null 2>&1
	rec=$("$CAIRN" pubkey -i c.key)
	expect_exit 0 "$CAIRN" split -q -t 2 -n 2 --to "$rec" --to "$rec" -o se me.key
	expect_exit 2 setsid "$CAIRN" share check se/share-01.age </dev/null
	expect_exit 0 "$CAIRN" share check -i c.key se/share-01.age
}

@test "share check without a '# share:' count says member N only" {
	"$CAIRN" keygen -o me.key >/dev/null 2>&1
	expect_exit 0 "$CAIRN" split -q -t 2 -n 3 -o sd me.key
	grep -v '^# share:' sd/share-02.txt >bare.txt
	chmod 600 bare.txt
	expect_exit 0 "$CAIRN" share check bare.txt
	assert_output_has "member: 2 (2 shares of the group needed)"
}

@test "a passphrase-protected signing key under low memory says why" {
	if nm -D "$CAIRN" 2>/dev/null | grep -q '__asan_init'; then
		skip "sanitizer build: ulimit -v breaks ASan's shadow memory"
	fi
	protected_home
	run --separate-stderr bash -c 'ulimit -v 700000 && exec "$0" seal --signing-passphrase-file pf -o a.cairn ev' "$CAIRN"
	[ "$status" -eq 1 ] || { echo "$status $stderr"; return 1; }
	assert_stderr_has "not enough memory to unlock the signing key: its passphrase protection (minisign's scrypt) needs about 1 GiB"
	assert_stderr_has "cairn: hint: free memory or raise the limit (ulimit -v)"
	[ ! -e a.cairn ]
	# must-fail: with the memory, the same command works
	expect_exit 0 "$CAIRN" seal --signing-passphrase-file pf -o a.cairn ev
}

@test "--passphrase written in full is not called an abbreviation" {
	expect_exit 2 "$CAIRN" decrypt --passphrase x.age
	assert_stderr_has "cairn: error: decrypt: unknown option --passphrase"
	assert_stderr_has "did you mean --passphrase-file?"
	[[ "$stderr" != *"unknown option --passphrase (long"* ]]
	# a real abbreviation is still refused, and its value never echoed
	expect_exit 2 "$CAIRN" decrypt --pass=s3cret x.age
	[[ "$stderr" != *s3cret* ]]
}

@test "open ARCHIVE DIR hints -C" {
	expect_exit 2 "$CAIRN" open a.cairn outdir
	assert_stderr_has "cairn: error: open: more than one ARCHIVE ('outdir')"
	assert_stderr_has "cairn: hint: to open into a directory, give it with -C: cairn open -C outdir a.cairn"
	expect_exit 2 "$CAIRN" open a.cairn b.cairn c.cairn
	[[ "$stderr" != *"give it with -C"* ]]
}

@test "a plain age file given to verify is not a cairn archive" {
	"$CAIRN" keygen >/dev/null 2>&1
	printf 'hello\n' >p.txt
	"$CAIRN" encrypt -o p.age p.txt
	expect_exit 4 "$CAIRN" verify p.age
	assert_stderr_has "p.age: not a cairn archive: it decrypts, but holds no cairn archive"
	assert_stderr_has "cairn: hint: a plain age file is opened with 'cairn decrypt'"
	[[ "$stderr" != *"tampered"* ]]
	# must-fail: a damaged archive is still called damaged
	mkdir ev && printf 'x\n' >ev/a
	"$CAIRN" seal -q -o a.cairn ev
	flip_byte a.cairn 3000
	expect_exit 4 "$CAIRN" verify a.cairn
	[[ "$stderr" != *"not a cairn archive"* ]]
}

@test "keygen warns about a one-letter passphrase" {
	printf 'x\n' >short
	chmod 600 short
	expect_exit 0 "$CAIRN" keygen -o k.key --passphrase-file short
	assert_stderr_has "cairn: warning: the passphrase is only 1 character long"
	printf 'correct horse battery staple\n' >long
	chmod 600 long
	expect_exit 0 "$CAIRN" keygen -o k2.key --passphrase-file long
	[[ "$stderr" != *"warning: the passphrase"* ]]
}

@test "verbs with subcommands name them when none or an unknown one is given" {
	expect_exit 2 "$CAIRN" signer
	assert_stderr_has "cairn: error: signer: give a subcommand: add, list or remove"
	expect_exit 2 "$CAIRN" recovery bogus
	assert_stderr_has "cairn: error: recovery: unknown subcommand 'bogus' (give init or list)"
	expect_exit 2 "$CAIRN" remote
	assert_stderr_has "give a subcommand: add, list or remove"
	expect_exit 0 "$CAIRN" remote --help
	expect_exit 0 "$CAIRN" signer list
}
