#!/usr/bin/env bats
# recovery_kit.bats - recovery kits carry the journalist's signing key
# (issue 12, item 4): `recovery init` writes per contact a kit (the
# share, signing.pub, README.txt with the fingerprint), the share file
# records the key ("# signer:"), `share check` shows it, and a
# coordinator with no key home at all who opens with --share trusts that
# key and nothing else: a stranger's archive sealed to the same recovery
# key, and shares that name different keys, are refused with exit 5.

load helpers

key() {
	"$CAIRN" keygen -o "$1.key" >"$1.pub"
}

# fp PUBFILE: the fingerprint of a minisign .pub file, with stock tools.
fp() {
	tail -1 "$1" | base64 -d | tail -c 32 | sha256sum | cut -c1-32 |
	    sed 's/..../& /g; s/ $//'
}

# The journalist (key home J) makes a 3-of-5 recovery set for c1..c5 and
# seals good.cairn; a stranger (key home S) seals forged.cairn to the
# same recovery key; three contacts reveal their shares to the
# coordinator (s1.age, s3.age, s4.age).  The coordinator has no key home.
world() {
	CAIRN_HOME=$T/J "$CAIRN" keygen >/dev/null 2>&1
	CAIRN_HOME=$T/S "$CAIRN" keygen >/dev/null 2>&1
	for c in c1 c2 c3 c4 c5 co; do key $c; done
	CAIRN_HOME=$T/J "$CAIRN" recovery init -t 3 \
	    --contact "Ana=$(cat c1.pub)" --contact "Ben=$(cat c2.pub)" \
	    --contact "Cy=$(cat c3.pub)" --contact "Dee=$(cat c4.pub)" \
	    --contact "Eli=$(cat c5.pub)" -o kits >/dev/null
	REC=$(grep '^age1' J/recipients | tail -1)
	mkdir ev
	echo "statement" >ev/a.txt
	CAIRN_HOME=$T/J "$CAIRN" seal -q -o good.cairn ev
	CAIRN_HOME=$T/S "$CAIRN" seal -q -r "$REC" -o forged.cairn ev
	CAIRN_HOME=$T/S "$CAIRN" seal -q -r "$REC" --no-sign -o unsigned.cairn ev 2>/dev/null
	for i in 1 3 4; do
		"$CAIRN" share reveal -i "c$i.key" --to "$(cat co.pub)" \
		    -o "s$i.age" kits/kit-0"$i"-*/share-*.age >/dev/null
	done
	SH=(-i co.key --share s1.age --share s3.age --share s4.age)
	[ ! -e home ]
}

@test "recovery init writes a kit per contact: share, signing.pub, README with the fingerprint" {
	world
	want=$(fp J/signing.pub)
	[ "$(ls kits)" = "$(printf 'kit-01-ana\nkit-02-ben\nkit-03-cy\nkit-04-dee\nkit-05-eli')" ]
	for d in kits/kit-*; do
		[ "$(stat -c %a "$d")" = 700 ]
		[ "$(ls "$d" | grep -c .)" -eq 3 ]
		assert_same J/signing.pub "$d/signing.pub"
		grep -qx "       $want" "$d/README.txt"
		[ "$(stat -c %a "$d"/share-*.age)" = 600 ]
		assert_no_temp "$d"
	done
	grep -q "^cairn recovery kit for Dee$" kits/kit-04-dee/README.txt
	grep -q "cairn share reveal --to age1... -o for-coordinator.age share-04-dee.age" kits/kit-04-dee/README.txt
	grep -qx "Needed:     any 3 of the 5 shares" kits/kit-04-dee/README.txt
	# the README and signing.pub hold nothing secret; the share is encrypted
	! grep -rq "AGE-SECRET-KEY" kits
	# inside the share: the key and its fingerprint; share check shows them
	age -d -i c2.key kits/kit-02-ben/share-02-ben.age >ben.txt
	grep -qx "# signer: $(tail -1 J/signing.pub)" ben.txt
	grep -qx "# signer fingerprint: $want" ben.txt
	expect_exit 0 "$CAIRN" share check -i c2.key kits/kit-02-ben/share-02-ben.age
	assert_output_has "signer fingerprint: $want"
	assert_output_has "signer key: $(tail -1 J/signing.pub)"
	expect_exit 0 "$CAIRN" share check --json -i c2.key kits/kit-02-ben/share-02-ben.age
	jq -en --arg f "$want" --arg k "$(tail -1 J/signing.pub)" \
	    'input | .signer_fingerprint == $f and .signer_public_key == $k' <<<"$output"
	# recovery init told the journalist the same fingerprint
	CAIRN_HOME=$T/J2 "$CAIRN" keygen >/dev/null 2>&1
	expect_exit 0 env CAIRN_HOME="$T/J2" "$CAIRN" recovery init -t 2 \
	    --contact "Ana=$(cat c1.pub)" --contact "Ben=$(cat c2.pub)" -o kits2
	assert_output_has "fingerprint $(fp J2/signing.pub): confirm it with each contact"
	assert_output_has "kits2/kit-01-ana "
}

@test "recovery init: --signer names the key; no signing key: warned, kit without it" {
	for c in c1 c2; do key $c; done
	minisign -G -W -p sign.pub -s sign.key >/dev/null </dev/null
	expect_exit 0 "$CAIRN" recovery init -t 2 --signer sign.pub \
	    --contact "Ana=$(cat c1.pub)" --contact "Ben=$(cat c2.pub)" -o k1
	[ "$(tail -1 sign.pub)" = "$(tail -1 k1/kit-01-ana/signing.pub)" ]
	grep -qx "       $(fp sign.pub)" k1/kit-02-ben/README.txt
	# must fail: --signer that is not a public key
	expect_exit 2 "$CAIRN" recovery init -t 2 --signer sign.key \
	    --contact "Ana=$(cat c1.pub)" --contact "Ben=$(cat c2.pub)" -o k2
	[ ! -e k2 ]
	# no signing key anywhere: a warning, and kits without signing.pub
	expect_exit 0 "$CAIRN" recovery init -t 2 \
	    --contact "Ana=$(cat c1.pub)" --contact "Ben=$(cat c2.pub)" -o k3
	assert_stderr_has "the kits carry no signing key"
	[ "$(ls k3/kit-01-ana)" = "$(printf 'README.txt\nshare-01-ana.age')" ]
	grep -q "This kit holds no signing key" k3/kit-01-ana/README.txt
	expect_exit 0 "$CAIRN" share check -i c1.key k3/kit-01-ana/share-01-ana.age
	assert_output_has "signer fingerprint: (not recorded)"
}

@test "recovery init refuses a replaced signing.pub and an existing kit, leaving nothing" {
	"$CAIRN" keygen >/dev/null 2>&1
	for c in c1 c2; do key $c; done
	minisign -G -W -p other.pub -s other.key >/dev/null </dev/null
	cp home/signing.pub real.pub
	cp other.pub home/signing.pub
	cp home/recipients before
	expect_exit 1 "$CAIRN" recovery init -t 2 \
	    --contact "Ana=$(cat c1.pub)" --contact "Ben=$(cat c2.pub)" -o k1
	assert_stderr_has "home/signing.pub: does not match"
	[ ! -e k1 ]
	assert_same before home/recipients
	cp real.pub home/signing.pub
	chmod 666 home/signing.pub
	expect_exit 1 "$CAIRN" recovery init -t 2 \
	    --contact "Ana=$(cat c1.pub)" --contact "Ben=$(cat c2.pub)" -o k1
	assert_stderr_has "chmod"
	[ ! -e k1 ]
	chmod 644 home/signing.pub
	mkdir -p k2/kit-02-ben
	expect_exit 1 "$CAIRN" recovery init -t 2 \
	    --contact "Ana=$(cat c1.pub)" --contact "Ben=$(cat c2.pub)" -o k2
	assert_stderr_has "k2/kit-02-ben: exists, refusing to overwrite a kit"
	[ "$(ls k2)" = kit-02-ben ]
	assert_same before home/recipients
}

@test "share files: a signer field that is not right refuses the share (exit 4)" {
	world
	age -d -i c1.key kits/kit-01-ana/share-01-ana.age >p.txt
	chmod 600 p.txt
	expect_exit 0 "$CAIRN" share check p.txt
	# must fail: a fingerprint that is not the key's
	sed 's/^# signer fingerprint: ..../# signer fingerprint: 0000/' p.txt >bad1.txt
	expect_exit 4 "$CAIRN" share check bad1.txt
	assert_stderr_has "bad1.txt: '# signer fingerprint:' is not the fingerprint of the '# signer:' key: possibly tampered"
	# must fail: a key that is not one, and two keys
	sed 's/^# signer: RW/# signer: XX/' p.txt >bad2.txt
	expect_exit 4 "$CAIRN" share check bad2.txt
	assert_stderr_has "'# signer:' is not a minisign public key"
	sed 's/^\(# signer: .*\)$/\1\n\1/' p.txt >bad3.txt
	expect_exit 4 "$CAIRN" share check bad3.txt
	assert_stderr_has "a second '# signer:' line"
	# an older share file without the field still works
	grep -v '^# signer' p.txt >old.txt
	expect_exit 0 "$CAIRN" share check old.txt
	assert_output_has "signer fingerprint: (not recorded)"
}

@test "3-of-5 recovery with no key home: the shares' signer is trusted, a forged archive is not" {
	world
	want=$(fp J/signing.pub)
	expect_exit 0 "$CAIRN" open "${SH[@]}" -C out good.cairn
	assert_output_has "signature:   good, by trusted signer the journalist named by the recovery shares (fingerprint $want)"
	assert_output_has "result:      OK"
	diff -r ev out/ev
	expect_exit 0 "$CAIRN" verify --json "${SH[@]}" good.cairn
	jq -en --arg f "$want" 'input | .ok and .signer_trusted and .signer_fingerprint == $f and
	    .signer_name == "the journalist named by the recovery shares"' <<<"$output"
	expect_exit 0 "$CAIRN" list "${SH[@]}" good.cairn
	assert_output_has "trusted: the journalist named by the recovery shares"
	# must fail: the stranger's archive, sealed to the same recovery key
	for verb in verify "open -C out2"; do
		expect_exit 5 "$CAIRN" $verb "${SH[@]}" forged.cairn
		assert_stderr_has "forged.cairn: signed by key $(fp S/signing.pub), which is UNTRUSTED"
		assert_stderr_has "the recovery shares record the journalist's signing key, fingerprint $want; this archive was signed by another key"
		[ ! -e out2 ]
	done
	[ -z "$(ls -A | grep '^\.out2\.')" ]
	expect_exit 5 "$CAIRN" verify "${SH[@]}" unsigned.cairn
	# --signer replaces the shares' signer: the stranger's key admits the
	# forged archive and no longer the journalist's
	expect_exit 0 "$CAIRN" verify -q "${SH[@]}" --signer S/signing.pub forged.cairn
	expect_exit 5 "$CAIRN" verify -q "${SH[@]}" --signer S/signing.pub good.cairn
	[ ! -e home ]
}

@test "without the shares' signer field the journalist's archive is not trusted (exit 5)" {
	world
	# the same shares with the field stripped, as older cairn wrote them
	for i in 1 3 4; do
		age -d -i co.key "s$i.age" | grep -v '^# signer' >"old$i.txt"
		chmod 600 "old$i.txt"
	done
	expect_exit 5 "$CAIRN" verify --share old1.txt --share old3.txt --share old4.txt good.cairn
	assert_stderr_has "UNTRUSTED"
	expect_exit 0 "$CAIRN" verify -q --share old1.txt --share old3.txt --share old4.txt \
	    --signer J/signing.pub good.cairn
}

@test "shares that record different signing keys are refused (exit 5), unless --signer" {
	world
	# Ben's share, altered to name the stranger's key, sent to the coordinator
	age -d -i c2.key kits/kit-02-ben/share-02-ben.age |
	    sed -e "s|^# signer: .*|# signer: $(tail -1 S/signing.pub)|" \
	        -e "s|^# signer fingerprint: .*|# signer fingerprint: $(fp S/signing.pub)|" |
	    age -r "$(cat co.pub)" -o s2.age
	for verb in verify "open -C out"; do
		expect_exit 5 "$CAIRN" $verb "${SH[@]}" --share s2.age good.cairn
		assert_stderr_has "s1.age and s2.age record different signing keys ($(fp J/signing.pub) and $(fp S/signing.pub))"
		assert_stderr_has "README.txt"
		[ ! -e out ]
	done
	# with the altered share alone among three it is refused all the same
	expect_exit 5 "$CAIRN" verify -i co.key --share s2.age --share s3.age --share s4.age forged.cairn
	# decrypt checks no signature: the signer field does not matter there
	echo "plain" >m.txt
	"$CAIRN" encrypt -r "$REC" -o m.age m.txt
	expect_exit 0 "$CAIRN" decrypt "${SH[@]}" --share s2.age -o m.out m.age
	assert_same m.txt m.out
	# --signer decides instead: a warning, and only that key is trusted
	expect_exit 0 "$CAIRN" verify -q "${SH[@]}" --share s2.age --signer J/signing.pub good.cairn
	assert_stderr_has "record different signing keys"
	expect_exit 5 "$CAIRN" verify -q "${SH[@]}" --share s2.age --signer J/signing.pub forged.cairn
}

# stock_open ARCHIVE KEYLINE: docs/recovery-guide.md section 6, run as
# written there, in a new directory "opened" (the key is the RW... line).
stock_open() {
	rm -rf opened
	mkdir opened
	(
		cd opened &&
		    age -d -i ../recovered-key "../$1" | tar -xf - &&
		    minisign -Vm SHA256SUMS -P "$2" &&
		    sha256sum -c --strict SHA256SUMS &&
		    diff <(age -d -i ../recovered-key "../$1" | tar -t --quoting-style=literal |
		        grep -v '/$' | sort) \
		        <({ cut -c67- SHA256SUMS; echo SHA256SUMS; echo SHA256SUMS.minisig; } | sort)
	)
}

@test "recovery without cairn: stock tools take the key from the shares, verify and open" {
	world
	for i in 1 3 4; do mv "s$i.age" "from-$i.age"; done
	"$CAIRN" combine -i co.key -o recovered-key from-1.age from-3.age from-4.age >/dev/null
	# the journalist's key, as the shares record it: exactly one line
	run bash -c 'for f in from-*.age; do age -d -i co.key "$f" | grep "^# signer:"; done | sort -u'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = "# signer: $(tail -1 J/signing.pub)" ]
	keyline=${lines[0]#\# signer: }
	# its fingerprint with stock tools is the one the kit's README gives
	got=$(printf %s "$keyline" | base64 -d | tail -c 32 | sha256sum | cut -c1-32)
	grep -qx "       $(sed 's/..../& /g; s/ $//' <<<"$got")" kits/kit-01-ana/README.txt
	run stock_open good.cairn "$keyline"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Signature and comment signature verified"* ]]
	[[ "$output" == *"ev/a.txt: OK"* ]]
	assert_same ev/a.txt opened/ev/a.txt
	# must fail: the stranger's archive, sealed to the same recovery key
	run stock_open forged.cairn "$keyline"
	[ "$status" -ne 0 ]
	[[ "$output" != *"Signature and comment signature verified"* ]]
	# must fail: a share naming another key makes the list two lines
	age -d -i c2.key kits/kit-02-ben/share-02-ben.age |
	    sed "s|^# signer: .*|# signer: $(tail -1 S/signing.pub)|" |
	    age -r "$(cat co.pub)" -o from-2.age
	run bash -c 'for f in from-*.age; do age -d -i co.key "$f" | grep "^# signer:"; done | sort -u'
	[ "${#lines[@]}" -eq 2 ]
}
