#!/usr/bin/env bats
# trust.bats - whose signatures count: a coordinator's key home trusts the
# journalist (cairn signer add); archives signed by a stranger, by a key
# made to carry the journalist's key id, and unsigned ones are refused
# by verify and open (exit 5, nothing left) with messages that say what
# happened, pass only with the documented opt-in (--any-signer,
# --allow-unsigned; JSON says so), and pass after the stranger is
# trusted.  Also the signers file and verb, StrictModes for the key
# home's public files, and pubkey --signing against a replaced
# signing.pub.

load helpers

# fp PUBFILE: the fingerprint of a minisign .pub file, with stock tools.
fp() {
	tail -1 "$1" | base64 -d | tail -c 32 | sha256sum | cut -c1-32 |
	    sed 's/..../& /g; s/ $//'
}

# kid PUBFILE: the key id as minisign prints it.
kid() {
	tail -1 "$1" | base64 -d | od -An -tx1 -j2 -N8 | tr -d ' \n' |
	    fold -w2 | tac | tr -d '\n' | tr a-f A-F
}

# spoof SRC_KEY ID_PUB OUT_KEY: an unencrypted minisign secret key SRC
# rewritten to carry the key id of ID_PUB (checksum recomputed).
spoof() {
	python3 - "$1" "$2" "$3" <<'EOF'
import base64, hashlib, sys
src, idpub, out = sys.argv[1:]
lines = open(src).read().splitlines()
b = bytearray(base64.b64decode(lines[1]))
assert b[2:4] == b"\0\0", "encrypted key"
kid = base64.b64decode(open(idpub).read().splitlines()[1])[2:10]
b[54:62] = kid
b[126:158] = hashlib.blake2b(b"Ed" + bytes(b[54:126]), digest_size=32).digest()
open(out, "w").write(lines[0] + "\n" + base64.b64encode(bytes(b)).decode() + "\n")
EOF
	chmod 600 "$3"
}

# The coordinator ($T/home) trusts the journalist (J); a stranger (S)
# has keys too.  Archives for the coordinator: good (journalist),
# stranger, spoofed (stranger's key with the journalist's key id),
# unsigned.
setup_world() {
	CAIRN_HOME=$T/J "$CAIRN" keygen >/dev/null 2>&1
	CAIRN_HOME=$T/S "$CAIRN" keygen >/dev/null 2>&1
	"$CAIRN" keygen >rec 2>/dev/null
	"$CAIRN" signer add journalist J/signing.pub >/dev/null
	spoof S/signing.key J/signing.pub spoof.key
	mkdir ev && echo "evidence" >ev/note.txt
	CAIRN_HOME=$T/J "$CAIRN" seal -r "$(cat rec)" -o good.cairn ev
	CAIRN_HOME=$T/S "$CAIRN" seal -r "$(cat rec)" -o stranger.cairn ev
	CAIRN_HOME=$T/S "$CAIRN" seal -r "$(cat rec)" -s spoof.key -o spoof.cairn ev
	"$CAIRN" seal -r "$(cat rec)" --no-sign -o unsigned.cairn ev 2>/dev/null
}

# refused ARCHIVE TEXT [OPTION...]: verify and open exit 5 naming TEXT,
# open leaves nothing.
refused() {
	local a=$1 text=$2
	shift 2
	expect_exit 5 "$CAIRN" verify "$@" "$a"
	assert_stderr_has "$text"
	[ -z "$output" ]
	expect_exit 5 "$CAIRN" open "$@" -C out "$a"
	assert_stderr_has "$text"
	[ ! -e out ]
	[ -z "$(ls -A | grep '^\.out\.')" ]
}

@test "the journalist's archive: trusted by name and fingerprint" {
	setup_world
	expect_exit 0 "$CAIRN" verify good.cairn
	assert_output_has "signature:   good, by trusted signer journalist (fingerprint $(fp J/signing.pub))"
	expect_exit 0 "$CAIRN" verify --json good.cairn
	jq -en --arg f "$(fp J/signing.pub)" 'input | .ok and .signer_trusted and
	    .signer_name == "journalist" and .signer_fingerprint == $f' <<<"$output"
	expect_exit 0 "$CAIRN" list good.cairn
	assert_output_has "signer:      trusted: journalist (fingerprint $(fp J/signing.pub))"
	expect_exit 0 "$CAIRN" open -q -C out good.cairn
	cmp ev/note.txt out/ev/note.txt
}

@test "a stranger's archive: exit 5 naming its fingerprint UNTRUSTED, hint; --any-signer; signer add" {
	setup_world
	refused stranger.cairn "signed by key $(fp S/signing.pub), which is UNTRUSTED"
	assert_stderr_has "hint: if this should be the journalist's key, confirm the fingerprint $(fp S/signing.pub)"
	assert_stderr_has "cairn signer add NAME $(tail -1 S/signing.pub)"
	expect_exit 5 "$CAIRN" verify --json stranger.cairn
	jq -en 'input | .ok == false and .exit_code == 5 and .signature_verified and
	    .signer_trusted == false and .signer_name == null' <<<"$output"
	# --allow-unsigned does not admit it
	refused stranger.cairn UNTRUSTED --allow-unsigned
	# --any-signer accepts it and says plainly it is not trusted
	expect_exit 0 "$CAIRN" verify --any-signer stranger.cairn
	assert_output_has "good, but by a key you do NOT trust: fingerprint $(fp S/signing.pub)"
	assert_stderr_has "NOT one of your trusted signers"
	expect_exit 0 "$CAIRN" verify --any-signer --json stranger.cairn
	jq -en 'input | .ok and .signer_trusted == false' <<<"$output"
	expect_exit 0 "$CAIRN" open -q --any-signer -C out stranger.cairn
	[ -f out/ev/note.txt ] && rm -r out
	# list shows it, never fails for it
	expect_exit 0 "$CAIRN" list stranger.cairn
	assert_output_has "signer:      unknown key $(fp S/signing.pub) (not verified"
	# trusted from now on
	expect_exit 0 "$CAIRN" signer add stranger "$(tail -1 S/signing.pub)"
	assert_output_has "fingerprint:    $(fp S/signing.pub)"
	expect_exit 0 "$CAIRN" verify stranger.cairn
	assert_output_has "by trusted signer stranger"
	expect_exit 0 "$CAIRN" open -q -C out stranger.cairn
	rm -r out
	# --signer replaces the store for the call
	refused stranger.cairn UNTRUSTED --signer J/signing.pub
	expect_exit 0 "$CAIRN" verify --signer "$(tail -1 S/signing.pub)" stranger.cairn
}

@test "a key with the journalist's key id: refused as exactly that" {
	setup_world
	[ "$(kid J/signing.pub)" != "$(kid S/signing.pub)" ]
	expect_exit 0 "$CAIRN" list --json spoof.cairn
	[ "$(jq -r .signer_key_id <<<"$output")" = "$(kid J/signing.pub)" ]
	refused spoof.cairn "signed by key $(fp S/signing.pub), which is UNTRUSTED: it has the key id $(kid J/signing.pub) of trusted signer 'journalist', but it is a different key"
	assert_stderr_has "compare fingerprints, never key ids"
	expect_exit 0 "$CAIRN" list spoof.cairn
	assert_output_has "unknown key $(fp S/signing.pub), with the key id of trusted signer journalist but a different key"
	expect_exit 0 "$CAIRN" verify --any-signer --json spoof.cairn
	jq -en --arg f "$(fp S/signing.pub)" --arg k "$(kid J/signing.pub)" \
	    'input | .ok and .signer_trusted == false and .signer_fingerprint == $f and
	    .signer_key_id == $k' <<<"$output"
	assert_stderr_has "that key has the key id of trusted signer 'journalist', but it is a different key"
	# what the key is (the stranger's), not what it claims, decides
	"$CAIRN" signer add stranger S/signing.pub >/dev/null
	expect_exit 0 "$CAIRN" verify spoof.cairn
	assert_output_has "by trusted signer stranger"
	expect_exit 0 "$CAIRN" open -q -C out spoof.cairn
}

@test "an unsigned archive: exit 5 unless --allow-unsigned (--any-signer is not enough)" {
	setup_world
	refused unsigned.cairn "archive is unsigned: nothing shows who sealed it"
	assert_stderr_has "run again with --allow-unsigned"
	refused unsigned.cairn unsigned --any-signer
	expect_exit 0 "$CAIRN" verify --allow-unsigned unsigned.cairn
	assert_output_has "signature:   none (the archive is unsigned; accepted because of --allow-unsigned)"
	assert_stderr_has "archive is unsigned"
	expect_exit 0 "$CAIRN" verify --allow-unsigned --json unsigned.cairn
	jq -en 'input | .ok and .signed == false and .signer_trusted == false and
	    .signer_fingerprint == null' <<<"$output"
	expect_exit 0 "$CAIRN" open -q --allow-unsigned -C out unsigned.cairn
	expect_exit 0 "$CAIRN" list unsigned.cairn
}

@test "no store at all: the key home's own signing.pub is trusted, nothing else" {
	CAIRN_HOME=$T/S "$CAIRN" keygen >/dev/null 2>&1
	"$CAIRN" keygen >rec 2>/dev/null
	echo x >f
	"$CAIRN" seal -o mine.cairn f
	CAIRN_HOME=$T/S "$CAIRN" seal -r "$(cat rec)" -o theirs.cairn f
	expect_exit 0 "$CAIRN" verify mine.cairn
	assert_output_has "by trusted signer you (this key home's signing.pub)"
	expect_exit 5 "$CAIRN" verify theirs.cairn
}

@test "signer add/list/remove: duplicates refused, file format, fingerprints" {
	CAIRN_HOME=$T/A "$CAIRN" keygen >/dev/null 2>&1
	CAIRN_HOME=$T/B "$CAIRN" keygen >/dev/null 2>&1
	"$CAIRN" keygen >/dev/null 2>&1
	expect_exit 0 "$CAIRN" signer add "Ana Example" A/signing.pub
	assert_output_has "trusted signer: Ana Example"
	assert_output_has "fingerprint:    $(fp A/signing.pub)"
	expect_exit 1 "$CAIRN" signer add "Ana Example" B/signing.pub
	assert_stderr_has "a signer named 'Ana Example' is already trusted"
	expect_exit 1 "$CAIRN" signer add other A/signing.pub
	assert_stderr_has "is already trusted as 'Ana Example'"
	expect_exit 1 "$CAIRN" signer add me home/signing.pub
	assert_stderr_has "this key home's own signing key"
	expect_exit 2 "$CAIRN" signer add "#x" B/signing.pub
	expect_exit 2 "$CAIRN" signer add ben home/signing.key
	expect_exit 0 "$CAIRN" signer add ben "$(tail -1 B/signing.pub)"
	grep -qx "$(tail -1 A/signing.pub) Ana Example" home/signers
	expect_exit 0 "$CAIRN" signer list
	assert_output_has "$(fp A/signing.pub)  $(tail -1 A/signing.pub)  Ana Example"
	assert_output_has "$(fp home/signing.pub)"
	expect_exit 0 "$CAIRN" signer list --json
	jq -en 'input | .signers | length == 3 and .[0].source == "signing.pub" and
	    .[1].name == "Ana Example" and .[2].name == "ben"' <<<"$output"
	# comments and blank lines survive a remove
	printf '# my contacts\n\n' | cat - home/signers >s && cat s >home/signers
	expect_exit 0 "$CAIRN" signer remove "Ana Example"
	assert_output_has "no longer trusted: Ana Example (fingerprint $(fp A/signing.pub))"
	grep -qx '# my contacts' home/signers
	! grep -q "Ana Example" home/signers
	expect_exit 1 "$CAIRN" signer remove "Ana Example"
	assert_stderr_has "no trusted signer is named 'Ana Example'"
	# a malformed line is refused, naming it
	echo "RWQnot-a-key someone" >>home/signers
	expect_exit 1 "$CAIRN" signer list
	assert_stderr_has "line 4"
}

@test "signer add/list/remove: --help, unknown options and wrong operand counts are usage errors" {
	"$CAIRN" keygen >/dev/null 2>&1
	for sub in add list remove; do
		expect_exit 0 "$CAIRN" signer $sub --help
		assert_output_has "usage: cairn signer add NAME PUBKEY"
		expect_exit 2 "$CAIRN" signer $sub --bogus
		assert_stderr_has "signer $sub"
	done
	expect_exit 2 "$CAIRN" signer add onlyname
	assert_stderr_has "give NAME and PUBKEY"
	expect_exit 2 "$CAIRN" signer remove
	assert_stderr_has "give the NAME to remove"
	# an operand to list was a double free (exit 134) before
	expect_exit 2 "$CAIRN" signer list extra
	assert_stderr_has "no operands expected"
	# --json is list's alone
	expect_exit 2 "$CAIRN" signer add --json a b
	expect_exit 2 "$CAIRN" signer remove --json a
}

@test "StrictModes: group/world-writable recipients, signing.pub, signers, key home are refused" {
	CAIRN_HOME=$T/J "$CAIRN" keygen >/dev/null 2>&1
	"$CAIRN" keygen >rec 2>/dev/null
	"$CAIRN" signer add journalist J/signing.pub >/dev/null
	echo x >f
	CAIRN_HOME=$T/J "$CAIRN" seal -r "$(cat rec)" -o a.cairn f
	expect_exit 0 "$CAIRN" seal -o b.cairn f
	for p in signing.pub signers; do
		chmod o+w "home/$p"
		expect_exit 1 "$CAIRN" verify a.cairn
		expect_exit 1 "$CAIRN" list a.cairn
		chmod o-w "home/$p"
	done
	chmod o+w home/recipients
	expect_exit 1 "$CAIRN" seal -o c.cairn f
	assert_stderr_has "home/recipients: writable by group or others"
	assert_stderr_has "hint: check its content, then: chmod go-w $T/home/recipients"
	[ ! -e c.cairn ]
	expect_exit 1 "$CAIRN" encrypt -o c.age f
	[ ! -e c.age ]
	chmod o-w home/recipients
	chmod g+w home/signing.pub
	expect_exit 1 "$CAIRN" verify a.cairn
	assert_stderr_has "home/signing.pub: writable by group or others"
	expect_exit 1 "$CAIRN" pubkey --signing
	chmod g-w home/signing.pub
	chmod 666 home/signers
	expect_exit 1 "$CAIRN" open -C out a.cairn
	assert_stderr_has "home/signers: writable by group or others"
	[ ! -e out ]
	expect_exit 1 "$CAIRN" signer add x J/signing.pub
	chmod 644 home/signers
	chmod 777 home
	expect_exit 1 "$CAIRN" verify a.cairn
	assert_stderr_has "$T/home: writable by group or others"
	expect_exit 1 "$CAIRN" seal -o d.cairn f
	chmod 700 home
	expect_exit 0 "$CAIRN" verify a.cairn
	expect_exit 0 "$CAIRN" seal -o d.cairn f
}

@test "pubkey --signing refuses a signing.pub that does not match signing.key" {
	"$CAIRN" keygen >/dev/null 2>&1
	CAIRN_HOME=$T/S "$CAIRN" keygen >/dev/null 2>&1
	expect_exit 0 "$CAIRN" pubkey --signing
	[ "$output" = "$(cat home/signing.pub)" ]
	expect_exit 0 "$CAIRN" pubkey --signing --json
	[ "$(jq -r .signing_fingerprint <<<"$output")" = "$(fp home/signing.pub)" ]
	cp home/signing.pub right.pub
	cp S/signing.pub home/signing.pub
	expect_exit 1 "$CAIRN" pubkey --signing
	assert_stderr_has "home/signing.pub: does not match"
	assert_stderr_has "someone may have replaced it"
	[ -z "$output" ]
	# the secret key itself still gives the right one
	expect_exit 0 "$CAIRN" pubkey --signing -s home/signing.key
	[ "$output" = "$(cat right.pub)" ]
}
