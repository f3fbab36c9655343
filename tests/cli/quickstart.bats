#!/usr/bin/env bats
# quickstart.bats - the README's quick starts, run as written: the backup
# script is examples/nightly-seal (quoted verbatim in the README), run in
# its success and failure cases.

load helpers

README=$CAIRN_TOP/README.md
SCRIPT=$CAIRN_TOP/examples/nightly-seal

# The 4-space indented code block of README.md that starts with "$1".
readme_block() {
	awk -v first="    $1" '
		!on && $0 == first { on = 1 }
		on && /^    / { sub(/^    /, ""); print; next }
		on && /^$/ { blank++; next }
		on { exit }
	' "$README"
}

# bin/cairn runs the binary under test; etc/ holds a key home.
backup_setup() {
	mkdir -p bin etc srv/evidence backup
	ln -s "$CAIRN" bin/cairn
	PATH="$T/bin:$PATH"
	CAIRN_HOME="$T/etc" "$CAIRN" keygen >/dev/null 2>&1
	printf 'statement\n' >srv/evidence/a.txt
	payload 100000 srv/evidence/clip.mp4
	export CAIRN_ETC="$T/etc"
}

@test "README quotes examples/nightly-seal exactly" {
	# blank lines inside the block are kept by awk as empty lines
	awk -v first="    #!/bin/sh" '
		!on && $0 == first { on = 1 }
		on && (/^    / || /^$/) { sub(/^    /, ""); print; next }
		on { exit }
	' "$README" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >quoted
	diff -u "$SCRIPT" quoted
}

@test "nightly-seal: seals and verifies, exit 0" {
	backup_setup
	run --separate-stderr sh "$SCRIPT" "$T/srv/evidence" "$T/backup"
	[ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
	assert_output_has "sealed 2 files into $T/backup/evidence-"
	assert_output_has "verified $T/backup/evidence-"
	a=$(ls backup/*.cairn)
	[[ "$output" == *"(sha256 $(sha256sum "$a" | cut -d' ' -f1))"* ]]
	CAIRN_HOME="$T/etc" expect_exit 0 "$CAIRN" verify -q "$a"
}

@test "nightly-seal: a failed seal is exit 1 with the reason, nothing left" {
	backup_setup
	run --separate-stderr sh "$SCRIPT" "$T/srv/missing" "$T/backup"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"nightly-seal: seal failed: seal: $T/srv/missing: No such file or directory"* ]] || { echo "$stderr"; return 1; }
	[ -z "$(ls -A backup)" ]
	run --separate-stderr sh "$SCRIPT" "$T/srv/evidence" "$T/nowhere"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"nightly-seal: seal failed: "* ]]
}

@test "nightly-seal: an archive that does not verify is exit 1" {
	backup_setup
	# another signing key's public key: the signature check fails (5)
	mkdir other
	CAIRN_HOME="$T/other" "$CAIRN" keygen >/dev/null 2>&1
	cp other/signing.pub etc/signing.pub
	run --separate-stderr sh "$SCRIPT" "$T/srv/evidence" "$T/backup"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"does not verify:"* ]]
}

@test "nightly-seal: verify failing before any report (no identity) is exit 1" {
	# The old README pipeline `cairn verify --json ... | jq -e .ok` passed
	# here: cairn printed nothing and jq 1.6 -e exits 0 on empty input.
	backup_setup
	rm etc/identity
	run --separate-stderr sh "$SCRIPT" "$T/srv/evidence" "$T/backup"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"does not verify:"* ]]
	# must-fail: that pipeline on an empty output, as it was
	run sh -c 'true | jq -e .ok >/dev/null'
	[ "$status" -eq 0 ]
}

@test "nightly-seal: a verify that prints nothing and fails is exit 1" {
	backup_setup
	rm bin/cairn
	cat >bin/cairn <<EOS
#!/bin/sh
[ "\$1" = verify ] && exit 4
exec "$CAIRN" "\$@"
EOS
	chmod +x bin/cairn
	run --separate-stderr sh "$SCRIPT" "$T/srv/evidence" "$T/backup"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"does not verify:"* ]]
}

# ---- the journalist's and the coordinator's quick starts ------------------
# Each command block of README.md is taken from the README and run as
# written, with only its placeholders filled in: age1... (the contacts'
# and the coordinator's keys), /media/usb (a directory here), the archive
# name seal printed, and the kit file names recovery init wrote.

# qs BLOCK_FIRST_LINE SED_SCRIPT: run that README block (joined at its
# backslash line ends) through sed, then sh; fails when the block is gone.
qs() {
	local block
	block=$(readme_block "$1" | sed -e :a -e '/\\$/N; s/\\\n//; ta' | sed "$2")
	[ -n "$block" ] || { echo "README has no block starting: $1"; return 1; }
	run --separate-stderr sh -ec "$block"
	[ "$status" -eq 0 ] || { echo "block: $block"; echo "$output $stderr"; return 1; }
}

@test "README quick starts: the journalist, a contact and the coordinator, as written" {
	mkdir -p bin "$HOME" usb photos
	ln -s "$CAIRN" bin/cairn
	PATH="$T/bin:$PATH"
	unset CAIRN_HOME # ~/.config/cairn, as the README says
	payload 50000 photos/a.jpg
	printf 'notes\n' >notes.txt
	for c in ana ben chloe dev eli coordinator; do
		"$CAIRN" keygen -o "$c.key" >"$c.pub"
	done
	# the journalist
	qs "cairn keygen" ""
	[ -f "$HOME/.config/cairn/signing.key" ]
	subst=""
	for c in ana ben chloe dev eli; do
		subst="$subst; s|$c=age1\.\.\.|$c=$(cat $c.pub)|"
	done
	qs "cairn recovery init -t 3 --contact ana=age1... --contact ben=age1... \\" "$subst"
	kit=$(ls -d recovery-*/kit-03-chloe)
	qs "mv ~/.config/cairn/identity /media/usb/identity" "s|/media/usb|$T/usb|g"
	[ -f usb/identity ] && [ ! -e "$HOME/.config/cairn/identity" ]
	# the block seals, lists and verifies: the seal first, for its name
	seal='cairn seal --case "ledger story" -m "photos from source A" photos/ notes.txt'
	qs "$seal" "2,\$d"
	archive=$output
	[[ "$archive" == cairn-*.cairn ]] && [ -f "$archive" ]
	qs "$seal" "1d; s|/media/usb|$T/usb|g; s|cairn-20261128T214633Z-k7m2qp.cairn|$archive|"
	assert_output_has "ledger story"
	assert_output_has "result:      OK"
	# a contact (chloe, then ana and eli the same way), and the coordinator
	cp chloe.key my-key
	share=$(ls "$kit"/share-*.age)
	qs "cairn share check -i my-key kit-03-chloe/share-03-chloe.age" \
	    "s|kit-03-chloe/share-03-chloe.age|$share|"
	assert_output_has "signer fingerprint:"
	for c in ana chloe eli; do
		cp "$c.key" my-key
		share=$(ls recovery-*/kit-*-"$c"/share-*.age)
		qs "cairn share reveal -i my-key --to age1COORDINATOR... -o for-coordinator.age kit-03-chloe/share-03-chloe.age" \
		    "s|age1COORDINATOR\.\.\.|$(cat coordinator.pub)|; s|kit-03-chloe/share-03-chloe.age|$share|"
		mv for-coordinator.age "from-$c.age"
	done
	cp "$archive" evidence.cairn
	qs "cairn open --share from-ana.age --share from-chloe.age --share from-eli.age \\" \
	    "s|-i coordinator-key|-i coordinator.key|"
	assert_output_has "result:      OK"
	cmp photos/a.jpg recovered/photos/a.jpg
	cmp notes.txt recovered/notes.txt
}
