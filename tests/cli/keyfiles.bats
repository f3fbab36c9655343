#!/usr/bin/env bats
# keyfiles.bats - hand-edited key files, as people write them: recipients
# files that name contacts in "# alice" comment lines, with blank lines
# and CRLF; identity files and share files with comments and blank lines
# (as age's own files allow).  The same recipients file works with
# Debian's age.  Must-fail cases: text after a recipient on its line, a
# stray word, a share file whose words were edited.

load helpers

# key NAME: NAME.key and its recipient in NAME.pub.
key() {
	"$CAIRN" keygen -o "$1.key" >"$1.pub"
}

@test "a recipients file naming contacts in comments: encrypt, seal, age" {
	key alice
	key bob
	key carol
	{
		printf '# evidence team, updated 2026-11-28\n\n'
		printf '# alice (laptop)\n%s\n\n' "$(cat alice.pub)"
		printf '# bob\n%s\n' "$(cat bob.pub)"
		printf '\n# carol -- phone only\n%s\n\n' "$(cat carol.pub)"
	} >team
	printf 'the ledger\n' >note.txt
	expect_exit 0 "$CAIRN" encrypt -R team -o note.age note.txt
	for who in alice bob carol; do
		expect_exit 0 "$CAIRN" decrypt -i "$who.key" note.age
		[ "$output" = "the ledger" ]
	done
	# Debian's age reads the same file, and cairn decrypts its output.
	age -R team -o by-age.age note.txt
	expect_exit 0 "$CAIRN" decrypt -i carol.key by-age.age
	[ "$output" = "the ledger" ]
	# seal takes it with -R, and as the key home's recipients file.
	mkdir ev && cp note.txt ev/
	expect_exit 0 "$CAIRN" seal --no-sign -R team -o a.cairn ev
	expect_exit 0 "$CAIRN" list -i bob.key a.cairn
	assert_output_has "ev/note.txt"
	mkdir -m 700 home
	cp team home/recipients
	expect_exit 0 "$CAIRN" seal --no-sign -o b.cairn ev
	expect_exit 0 "$CAIRN" verify -i alice.key --allow-unsigned b.cairn
}

@test "CRLF line ends and indented comments are fine too" {
	key alice
	printf '\r\n  # alice, indented\r\n%s\r\n\r\n' "$(cat alice.pub)" >crlf
	printf 'x\n' >x
	expect_exit 0 "$CAIRN" encrypt -R crlf -o x.age x
	expect_exit 0 "$CAIRN" decrypt -i alice.key x.age
	[ "$output" = x ]
}

@test "identity files with comments and blank lines (cairn and age)" {
	key me
	printf 'secret\n' >s.txt
	"$CAIRN" encrypt -R me.pub -o s.age s.txt
	{
		printf '\n# my identity, kept on the USB stick\n\n'
		grep -v '^#' me.key
		printf '\n# end\n\n'
	} >edited.key
	chmod 600 edited.key
	expect_exit 0 "$CAIRN" decrypt -i edited.key s.age
	[ "$output" = secret ]
	expect_exit 0 "$CAIRN" pubkey -i edited.key
	[ "$output" = "$(cat me.pub)" ]
	run age -d -i edited.key s.age
	[ "$status" -eq 0 ]
	[ "$output" = secret ]
}

@test "share files with extra comments, blank lines and wrapped words" {
	key me
	expect_exit 0 "$CAIRN" split -t 2 -n 3 -o s me.key
	for i in 01 02; do
		{
			printf '\n# kept by a contact; notes added by hand\n\n'
			grep '^#' "s/share-$i.txt"
			printf '\n'
			grep -v '^#' "s/share-$i.txt" | tr ' ' '\n' | paste -d' ' - - - - - - - -
			printf '\n\n# end of share\n'
		} >"edited-$i.txt"
		chmod 600 "edited-$i.txt"
		expect_exit 0 "$CAIRN" share check "edited-$i.txt"
		assert_output_has "valid share"
	done
	expect_exit 0 "$CAIRN" combine -o back.key edited-01.txt edited-02.txt
	[ "$("$CAIRN" pubkey -i back.key)" = "$(cat me.pub)" ]
}

@test "must fail: text after a recipient, or a stray word, is refused" {
	key alice
	printf '%s  # alice\n' "$(cat alice.pub)" >trailing
	printf 'x\n' >x
	expect_exit 1 "$CAIRN" encrypt -R trailing -o x.age x
	assert_stderr_has "trailing:1: "
	[ ! -e x.age ]
	printf '# team\nalice\n%s\n' "$(cat alice.pub)" >stray
	expect_exit 1 "$CAIRN" encrypt -R stray -o x.age x
	assert_stderr_has "stray:2: "
	[ ! -e x.age ]
}

@test "must fail: an edited word in a commented share file is caught" {
	key me
	expect_exit 0 "$CAIRN" split -t 2 -n 3 -o s me.key
	{
		printf '# my notes\n\n'
		grep -v '^#' s/share-01.txt | awk '{ $5 = ($5 == "academic" ? "acid" : "academic"); print }'
	} >bad.txt
	chmod 600 bad.txt
	expect_exit 4 "$CAIRN" share check bad.txt
}

@test "keygen (key home): an existing recipients file gets the new recipient appended" {
	export CAIRN_HOME=$PWD/home
	mkdir -m 700 home
	key other
	# as 'recovery init' leaves it: a comment, a recipient, no final newline
	printf '# recovery key (2 of 3 contacts)\n%s' "$(cat other.pub)" >home/recipients
	before=$(cat home/recipients)
	run --separate-stderr "$CAIRN" keygen
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	rec=$output
	[[ "$rec" == age1* ]]
	# the old lines stay, byte for byte, the new recipient follows
	[ "$(head -c ${#before} home/recipients)" = "$before" ]
	[ "$(grep -c '^age1' home/recipients)" -eq 2 ]
	[ "$(grep '^age1' home/recipients | tail -1)" = "$rec" ]
	[ -z "$(find home -name '.*' ! -name . )" ] # no temp file left
	[ -e home/identity ] && [ -e home/signing.key ] && [ -e home/signing.pub ]
	# seal now encrypts to both; each can open
	mkdir ev && echo hi >ev/a
	"$CAIRN" seal -o a.cairn ev 2>/dev/null
	expect_exit 0 "$CAIRN" verify -q -i other.key a.cairn
	expect_exit 0 "$CAIRN" verify -q a.cairn
	# must fail: a second keygen refuses (identity and signing key exist)
	# and leaves recipients as it was
	cp home/recipients r.before
	expect_exit 1 "$CAIRN" keygen
	assert_stderr_has "refusing to overwrite a key"
	cmp home/recipients r.before
	# must fail: any one of the three keys present is enough to refuse
	for f in identity signing.key signing.pub; do
		rm -rf h2 && mkdir -m 700 h2 && : >"h2/$f"
		CAIRN_HOME=$PWD/h2 expect_exit 1 "$CAIRN" keygen
		[ "$(ls h2)" = "$f" ]
	done
}
