#!/usr/bin/env bats
# field.bats - the mistakes people make with keys and recovery (issue 14,
# items 7-12): an archive left out of the recovery set, recovery init's
# thresholds, repeated sets and 'recovery list', missing identities,
# public keys given for secret ones and mistyped recipients.  Every case
# checks the message that says what to do.

load helpers

key() {
	"$CAIRN" keygen -o "$1.key" >"$1.pub"
}

# A key home with a 2-of-3 recovery set; REC is its recovery key.
home_with_recovery() {
	"$CAIRN" keygen >/dev/null 2>&1
	for c in ana ben eli; do key $c; done
	"$CAIRN" recovery init -t 2 --contact "ana=$(cat ana.pub)" \
	    --contact "ben=$(cat ben.pub)" --contact "eli=$(cat eli.pub)" -o set1 >/dev/null
	REC=$(grep -A1 '^# cairn recovery key' home/recipients | grep '^age1')
	[ -n "$REC" ]
	mkdir -p ev
	echo "statement" >ev/a.txt
}

# ---- item 7: archives not sealed to the recovery key ------------------------

@test "seal -r without the recovery key warns and says how to add it" {
	home_with_recovery
	key other
	expect_exit 0 "$CAIRN" seal -q -r "$(cat other.pub)" -o x.cairn ev
	assert_stderr_has "warning: this archive is not sealed to the recovery key $REC"
	assert_stderr_has "your contacts will not be able to open it"
	assert_stderr_has "add -r $REC"
	assert_stderr_has "--no-recovery"
	# --no-recovery silences it deliberately
	expect_exit 0 "$CAIRN" seal -q --no-recovery -r "$(cat other.pub)" -o y.cairn ev
	[ -z "$stderr" ]
	# sealed to it (by -r, by -R or by the key home's recipients): no warning
	expect_exit 0 "$CAIRN" seal -q -r "$(cat other.pub)" -r "$REC" -o z.cairn ev
	[ -z "$stderr" ]
	expect_exit 0 "$CAIRN" seal -q -R home/recipients -o w.cairn ev
	[ -z "$stderr" ]
	expect_exit 0 "$CAIRN" seal -q -o v.cairn ev
	[ -z "$stderr" ]
}

@test "seal -p (passphrase only) warns about the recovery key too" {
	home_with_recovery
	echo 'correct horse battery staple' >pass
	chmod 600 pass
	expect_exit 0 "$CAIRN" seal -q --passphrase-file pass -o x.cairn ev
	assert_stderr_has "not sealed to the recovery key $REC"
	assert_stderr_has "seal without -p"
	expect_exit 0 "$CAIRN" seal -q --no-recovery --passphrase-file pass -o y.cairn ev
	[ -z "$stderr" ]
}

@test "seal -r with no recovery set in the key home: no warning" {
	"$CAIRN" keygen >/dev/null 2>&1
	key other
	mkdir ev
	echo x >ev/a
	expect_exit 0 "$CAIRN" seal -q -r "$(cat other.pub)" -o x.cairn ev
	[ -z "$stderr" ]
}

# ---- item 11: recovery init and recovery list ------------------------------

@test "recovery init without -t names an option that exists" {
	key ana
	key ben
	expect_exit 2 "$CAIRN" recovery init --contact "ana=$(cat ana.pub)" --contact "ben=$(cat ben.pub)"
	assert_stderr_has "give the threshold: -t T (how many of the 2 contacts are needed)"
	[[ "$stderr" != *"-n N"* ]]
	[ ! -e home/recipients ]
}

@test "recovery init -t 1 needs --any-one-can-recover" {
	key ana
	key ben
	expect_exit 2 "$CAIRN" recovery init -t 1 --contact "ana=$(cat ana.pub)" --contact "ben=$(cat ben.pub)" -o s
	assert_stderr_has "any single contact could open every archive alone"
	assert_stderr_has "--any-one-can-recover"
	[ ! -e s ]
	[ ! -e home/recipients ]
	expect_exit 0 "$CAIRN" recovery init -t 1 --any-one-can-recover \
	    --contact "ana=$(cat ana.pub)" --contact "ben=$(cat ben.pub)" -o s
	[ "$(ls s | wc -l)" -eq 2 ]
	# two levels where one group of one share suffices: the same rule
	key cy
	expect_exit 2 "$CAIRN" recovery init --group 1/1 --group 2/2 --group-threshold 1 \
	    --contact "ana=$(cat ana.pub)" --contact "ben=$(cat ben.pub)" --contact "cy=$(cat cy.pub)" -o t
	assert_stderr_has "any single contact could open every archive alone"
	[ ! -e t ]
}

@test "recovery init refuses the same key for two contacts" {
	key ana
	key ben
	expect_exit 2 "$CAIRN" recovery init -t 2 --contact "ana=$(cat ana.pub)" \
	    --contact "ben=$(cat ben.pub)" --contact "anna=$(cat ana.pub)" -o s
	assert_stderr_has "ana and anna have the same key: one person would hold two shares"
	assert_stderr_has "give each contact their own key"
	[ ! -e s ]
	[ ! -e home/recipients ]
}

@test "recovery init again says a set is added; recovery list shows every set" {
	home_with_recovery
	expect_exit 0 "$CAIRN" recovery list
	assert_output_has "any 2 of 3 contacts: ana, ben, eli"
	assert_output_has "recovery key: $REC"
	[[ "$output" != *"already had"* ]]
	expect_exit 0 "$CAIRN" recovery init -t 2 --contact "ana=$(cat ana.pub)" --contact "ben=$(cat ben.pub)" -o set2
	assert_output_has "The key home already had 1 recovery set: this is one more"
	# the guide is named where `make install` put it, not in a source tree
	assert_output_has "/share/doc/cairn/recovery-guide.md"
	[[ "$output" != *" docs/recovery-guide.md"* ]]
	! grep -rq "docs/recovery-guide.md" set2
	grep -rq "/share/doc/cairn/recovery-guide.md" set2
	REC2=$(grep '^age1' home/recipients | tail -1)
	[ "$REC2" != "$REC" ]
	expect_exit 0 "$CAIRN" recovery list
	assert_output_has "recovery key: $REC"
	assert_output_has "any 2 of 2 contacts: ana, ben"
	assert_output_has "recovery key: $REC2"
	[ "$(grep -c 'recovery key: age1' <<<"$output")" -eq 2 ]
}

@test "recovery list with no set says how to make one; bad arguments are usage errors" {
	expect_exit 0 "$CAIRN" recovery list
	assert_output_has "No recovery set: create one with 'cairn recovery init'"
	expect_exit 2 "$CAIRN" recovery list extra
	expect_exit 2 "$CAIRN" recovery list --bogus
	expect_exit 2 "$CAIRN" recovery frobnicate
	assert_stderr_has "unknown subcommand 'frobnicate' (give init or list)"
}

# ---- item 8: no identity at all ----------------------------------------------

@test "no identity at all is reported as missing, not as a wrong one" {
	home_with_recovery
	"$CAIRN" seal -q -o x.cairn ev
	mv home/identity stick-identity
	for verb in list verify; do
		expect_exit 3 "$CAIRN" "$verb" x.cairn
		assert_stderr_has "x.cairn: no identity was given and the key home has none (this device is seal-only)"
		assert_stderr_has "--share"
		[[ "$stderr" != *"no identity matched"* ]]
		[[ "$stderr" != *"create the key home"* ]]
	done
	expect_exit 3 "$CAIRN" open -C out x.cairn
	assert_stderr_has "this device is seal-only"
	[ ! -e out ]
	"$CAIRN" encrypt -R home/recipients -o e.age ev/a.txt
	expect_exit 3 "$CAIRN" decrypt -o d e.age
	assert_stderr_has "this device is seal-only"
	# a wrong identity is still called a wrong one
	key other
	expect_exit 3 "$CAIRN" verify -i other.key x.cairn
	assert_stderr_has "no identity matched"
	[[ "$stderr" != *"seal-only"* ]]
	expect_exit 0 "$CAIRN" verify -q -i stick-identity x.cairn
}

# ---- item 12: public keys for secret ones; mistyped recipients --------------

@test "-i with a public key says it is one (not chmod 600, not malformed)" {
	home_with_recovery
	"$CAIRN" seal -q -o x.cairn ev
	"$CAIRN" pubkey >me.pub
	for mode in 644 600; do
		chmod "$mode" me.pub
		expect_exit 1 "$CAIRN" verify -i me.pub x.cairn
		assert_stderr_has "me.pub: this is an age public key (age1...), not the identity file (a secret key) expected here"
		[[ "$stderr" != *"chmod 600"* && "$stderr" != *"malformed"* ]]
	done
	# a really malformed identity is still called malformed
	echo "AGE-SECRET-KEY-1GARBAGE" >bad.key
	chmod 600 bad.key
	expect_exit 1 "$CAIRN" verify -i bad.key x.cairn
	assert_stderr_has "malformed identity"
}

@test "-s with a minisign public key says it is one" {
	home_with_recovery
	"$CAIRN" pubkey --signing >signing.pub
	for mode in 644 600; do
		chmod "$mode" signing.pub
		expect_exit 1 "$CAIRN" seal -q -s signing.pub -o x.cairn ev
		assert_stderr_has "signing.pub: this is a minisign public key, not the signing key (a secret key) expected here"
		assert_stderr_has "--signer"
		[[ "$stderr" != *"chmod 600"* ]]
		[ ! -e x.cairn ]
	done
}

@test "a one-character typo in an age1 recipient says invalid checksum and which argument" {
	key ana
	key ben
	mkdir ev
	echo x >ev/a
	good=$(cat ana.pub)
	c=${good:20:1}
	[ "$c" = q ] && t=p || t=q
	typo=${good:0:20}$t${good:21}
	expect_exit 2 "$CAIRN" seal --no-sign -r "$(cat ben.pub)" -r "$typo" -o x.cairn ev
	assert_stderr_has "-r: invalid recipient '$typo': invalid checksum"
	assert_stderr_has "mistyped"
	[ ! -e x.cairn ]
	expect_exit 2 "$CAIRN" recovery init -t 2 --contact "ana=$typo" --contact "ben=$(cat ben.pub)" -o s
	assert_stderr_has "--contact ana: invalid recipient '$typo': invalid checksum"
	# not the shape of a key at all: no checksum claim
	expect_exit 2 "$CAIRN" seal --no-sign -r "age1short" -o x.cairn ev
	assert_stderr_has "-r: invalid recipient 'age1short'"
	[[ "$stderr" != *checksum* ]]
	# and the check agrees with age itself
	run age -r "$typo" -o /dev/null ev/a
	[ "$status" -ne 0 ]
	[[ "$output" == *checksum* ]]
}

# ---- item 9: shares of another set ------------------------------------------

@test "shares that do not match the archive name the key they rebuild" {
	home_with_recovery
	key other
	# sealed without the recovery key (deliberately), then opened with the shares
	"$CAIRN" seal -q --no-recovery -r "$(cat other.pub)" -o x.cairn ev
	expect_exit 3 "$CAIRN" verify -i ana.key -i ben.key --share set1/kit-01-ana/share-01-ana.age \
	    --share set1/kit-02-ben/share-02-ben.age x.cairn
	assert_stderr_has "x.cairn: the shares rebuild the recovery key $REC, which is not a recipient of this archive"
	assert_stderr_has "recovery list"
	# the same shares open an archive sealed to the key home (with the recovery key)
	"$CAIRN" seal -q -o y.cairn ev
	expect_exit 0 "$CAIRN" verify -q -i ana.key -i ben.key --share set1/kit-01-ana/share-01-ana.age \
	    --share set1/kit-02-ben/share-02-ben.age y.cairn
}

# ---- item 10: one damaged share among enough good ones ----------------------

@test "a damaged share is left out when the others are enough, and reported" {
	home_with_recovery
	"$CAIRN" seal -q -o x.cairn ev
	# plain shares: ana's and ben's good, eli's with one word changed
	for c in ana ben eli; do
		f=$(ls set1/kit-*"$c"/share-*)
		"$CAIRN" share reveal -i "$c.key" -o "$c.share" "$f" >/dev/null 2>&1
		chmod 600 "$c.share"
	done
	awk '!/^#/ && NF && !done { $3 = ($3 == "academic" ? "acid" : "academic"); done = 1 } { print }' eli.share >eli.bad
	chmod 600 eli.bad
	! cmp -s eli.share eli.bad
	expect_exit 0 "$CAIRN" verify -q --share eli.bad --share ana.share --share ben.share x.cairn
	assert_stderr_has "eli.bad: this share is damaged and is left out"
	# must fail: when the damaged share is needed, still exit 4 (damaged)
	expect_exit 4 "$CAIRN" verify -q --share eli.bad --share ana.share x.cairn
	assert_stderr_has "eli.bad: this share is damaged and is left out"
	expect_exit 0 "$CAIRN" combine -o rk eli.bad ana.share ben.share
	[ "$(grep '^age1' <<<"$output" || "$CAIRN" pubkey -i rk)" = "$REC" ]
}
