#!/usr/bin/env bats
# tests/cli/shares.bats - key splitting and recovery: split, combine,
# share check/reveal, recovery init and --share on decrypt/list/verify/
# open.  Round trips (one group, two levels, 1-of-N copies, encrypted
# shares, passphrases, raw secrets), interop with the SLIP-39 reference
# vectors and with Debian's age, the whole arrest-and-recovery story, and
# must-fail cases: too few shares, changed words, other sets, tampering,
# wrong passphrases, existing files, secrets never written.

load helpers

VECTORS=$CAIRN_TOP/tests/vectors/slip39/vectors.json

# vector N: the mnemonics of reference vector "N. ...", one per line.
vector() {
	awk -v name="\"$1. " '
		index($0, name) { on = 1; next }
		on && !inlist && /\[/ { inlist = 1; next }
		on && inlist && /\]/ { exit }
		on && inlist { s = $0; gsub(/^ *"|",? *$/, "", s); print s }
	' "$VECTORS"
}

# vector_secret N: the master secret (hex) of vector N.
vector_secret() {
	awk -v name="\"$1. " '
		index($0, name) { on = 1; next }
		on && /\]/ { getline; s = $0; gsub(/^ *"|",? *$/, "", s); print s; exit }
	' "$VECTORS"
}

# vector_files N: write vector N's mnemonics to v1.txt, v2.txt, ...
vector_files() {
	local i=0 m
	while IFS= read -r m; do
		i=$((i + 1))
		printf '%s\n' "$m" >"v$i.txt"
	done < <(vector "$1")
	[ "$i" -gt 0 ]
}

# key NAME: an identity NAME.key; its recipient in NAME.pub.
key() {
	"$CAIRN" keygen -o "$1.key" >"$1.pub"
}

# secret_of KEYFILE: its AGE-SECRET-KEY line.
secret_of() {
	grep '^AGE-SECRET-KEY-1' "$1"
}

# word_at FILE N: the Nth mnemonic word of a plain share file.
word_at() {
	grep -v '^#' "$1" | tr -s ' \n' '\n\n' | sed -n "${2}p"
}

# set_word FILE N WORD: replace the Nth mnemonic word in place.
set_word() {
	local words
	words=$(grep -v '^#' "$1" | tr -s ' \n' '  ' | awk -v n="$2" -v w="$3" \
	    '{ $n = w; print }')
	{ grep '^#' "$1"; printf '%s\n' "$words"; } >"$1.new"
	mv "$1.new" "$1"
}

# refute CMD...: fail unless CMD fails (a bare "! CMD" does not stop a
# bats test under set -e).
refute() {
	if "$@"; then
		echo "unexpectedly succeeded: $*"
		return 1
	fi
}

# no_secret_keys DIR... [-- ALLOWED...]: no file under DIR holds an age
# secret key, except the ALLOWED paths.
no_secret_keys() {
	local dirs=() allowed=() f found=0
	while [ $# -gt 0 ] && [ "$1" != -- ]; do dirs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	allowed=("$@")
	while IFS= read -r f; do
		[[ " ${allowed[*]} " == *" $f "* ]] && continue
		echo "secret key found in $f"
		found=1
	done < <(grep -rl AGE-SECRET-KEY "${dirs[@]}" || true)
	[ "$found" -eq 0 ]
}

# ---- help and usage ---------------------------------------------------

@test "the share verbs are listed and have --help" {
	expect_exit 0 "$CAIRN" --help
	for v in split combine share recovery; do
		assert_output_has "$v"
		expect_exit 0 "$CAIRN" "$v" --help
		assert_output_has "usage: cairn $v"
	done
	expect_exit 0 "$CAIRN" share check --help
	expect_exit 0 "$CAIRN" recovery init --help
	expect_exit 0 "$CAIRN" decrypt --help
	assert_output_has "--share SHARE_FILE"
	for v in list verify open; do
		expect_exit 0 "$CAIRN" "$v" --help
		assert_output_has "--share SHARE_FILE"
	done
}

@test "usage errors: thresholds, counts, missing output, sub-verbs (exit 2)" {
	key me
	expect_exit 2 "$CAIRN" split -t 3 -o d me.key
	expect_exit 2 "$CAIRN" split -t 4 -n 3 -o d me.key
	expect_exit 2 "$CAIRN" split -t 0 -n 3 -o d me.key
	expect_exit 2 "$CAIRN" split -t 2 -n 17 -o d me.key
	expect_exit 2 "$CAIRN" split -t 2 -n 3 me.key
	assert_stderr_has "-o DIR"
	expect_exit 2 "$CAIRN" split --group 2/3 --group 2/2 -o d me.key
	assert_stderr_has "--group-threshold"
	expect_exit 2 "$CAIRN" split --group 2/3 --group 2/2 --group-threshold 3 -o d me.key
	expect_exit 2 "$CAIRN" split --group 2-3 -o d me.key
	expect_exit 2 "$CAIRN" split -t 2 -n 3 --group 2/3 -o d me.key
	expect_exit 2 "$CAIRN" split -t 2 -n 3 --name a --name b -o d me.key
	assert_stderr_has "once per share"
	expect_exit 2 "$CAIRN" split -t 2 -n 2 --to "$(cat me.pub)" -o d me.key
	expect_exit 2 "$CAIRN" split -t 2 -n 2 --to bogus --to bogus -o d me.key
	expect_exit 2 "$CAIRN" split -t 2 -n 2 --iteration-exponent 16 -o d me.key
	expect_exit 2 "$CAIRN" combine
	expect_exit 2 "$CAIRN" share
	expect_exit 2 "$CAIRN" share frob x
	expect_exit 2 "$CAIRN" share check
	expect_exit 2 "$CAIRN" share check a b
	expect_exit 2 "$CAIRN" share check --to x a
	expect_exit 2 "$CAIRN" recovery
	expect_exit 2 "$CAIRN" recovery init -t 2 --contact "a=$(cat me.pub)"
	expect_exit 2 "$CAIRN" recovery init -t 2 --contact "noequals"
	expect_exit 2 "$CAIRN" recovery init -t 4 --contact "a=$(cat me.pub)" \
	    --contact "b=$(cat me.pub)" --contact "c=$(cat me.pub)"
	[ ! -e d ]
	[ ! -e home ]
}

# ---- split and combine ------------------------------------------------

@test "split 3-of-5 and combine any 3: the same key, private files" {
	key me
	expect_exit 0 "$CAIRN" split -t 3 -n 5 -o shares me.key
	assert_output_has "any 3 of 5 shares"
	assert_output_has "recovers: $(cat me.pub)"
	[ "$(stat -c %a shares)" = 700 ]
	[ "$(ls shares | wc -l)" -eq 5 ]
	for f in shares/share-0{1,2,3,4,5}.txt; do
		[ "$(stat -c %a "$f")" = 600 ]
		grep -q "^# share: [1-5] of 5, set [0-9]*$" "$f"
		grep -q "^# threshold: any 3 of the 5 shares$" "$f"
		grep -qx "# recovers: $(cat me.pub)" "$f"
		[ "$(grep -v '^#' "$f" | wc -w)" -eq 33 ]
	done
	assert_no_temp shares
	expect_exit 0 "$CAIRN" combine -o back.key shares/share-05.txt \
	    shares/share-02.txt shares/share-04.txt
	[ "$output" = "$(cat me.pub)" ]
	[ "$(stat -c %a back.key)" = 600 ]
	[ "$(secret_of back.key)" = "$(secret_of me.key)" ]
	# stock age accepts the rebuilt identity
	printf 'evidence\n' >m.txt
	age -r "$(cat me.pub)" -o m.age m.txt
	[ "$(age -d -i back.key m.age)" = evidence ]
	# without -o, to a pipe
	"$CAIRN" combine shares/share-01.txt shares/share-03.txt \
	    shares/share-05.txt >piped.key
	[ "$(secret_of piped.key)" = "$(secret_of me.key)" ]
}

@test "combine: more shares than needed, duplicates, any order" {
	key me
	"$CAIRN" split -t 3 -n 5 -o s me.key >/dev/null
	expect_exit 0 "$CAIRN" combine -o all.key s/share-0{5,4,3,2,1}.txt
	[ "$(secret_of all.key)" = "$(secret_of me.key)" ]
	expect_exit 0 "$CAIRN" combine -o four.key s/share-01.txt \
	    s/share-01.txt s/share-03.txt s/share-04.txt
	[ "$(secret_of four.key)" = "$(secret_of me.key)" ]
}

@test "must fail: two shares of 3-of-5 (exit 3, need 3 shares, have 2)" {
	key me
	"$CAIRN" split -t 3 -n 5 -o s me.key >/dev/null
	expect_exit 3 "$CAIRN" combine -o k s/share-01.txt s/share-04.txt
	assert_stderr_has "need 3 shares, have 2"
	# the same share twice counts once
	expect_exit 3 "$CAIRN" combine -o k s/share-01.txt s/share-04.txt \
	    s/share-04.txt
	assert_stderr_has "need 3 shares, have 2"
	[ ! -e k ]
	assert_no_temp .
}

@test "must fail: a changed word (exit 4, names the file and the word)" {
	key me
	"$CAIRN" split -t 2 -n 3 -o s me.key >/dev/null
	# not a word at all
	cp s/share-02.txt bad1.txt
	set_word bad1.txt 12 notaword
	expect_exit 4 "$CAIRN" combine -o k s/share-01.txt bad1.txt
	assert_stderr_has "bad1.txt: word 12 is not in the SLIP-39 word list"
	assert_stderr_has "never corrects"
	# another valid word: the checksum catches it
	cp s/share-02.txt bad2.txt
	w=$(word_at bad2.txt 20)
	if [ "$w" = academic ]; then nw=acid; else nw=academic; fi
	set_word bad2.txt 20 "$nw"
	expect_exit 4 "$CAIRN" combine -o k s/share-01.txt bad2.txt
	assert_stderr_has "bad2.txt: checksum mismatch"
	# a missing word
	cp s/share-03.txt bad3.txt
	set_word bad3.txt 5 ""
	expect_exit 4 "$CAIRN" combine -o k bad3.txt s/share-01.txt
	assert_stderr_has "bad3.txt: 32 words is not a valid share length"
	expect_exit 4 "$CAIRN" share check bad2.txt
	assert_stderr_has "bad2.txt: checksum mismatch"
	[ ! -e k ]
}

@test "must fail: a share from another set (exit 4)" {
	key me
	"$CAIRN" split -t 2 -n 3 -o s1 me.key >/dev/null
	"$CAIRN" split -t 2 -n 3 -o s2 me.key >/dev/null
	expect_exit 4 "$CAIRN" combine -o k s1/share-01.txt s2/share-02.txt
	assert_stderr_has "s2/share-02.txt: from a different share set than s1/share-01.txt"
	[ ! -e k ]
}

@test "must fail: tampered recorded key and malformed share files" {
	key me
	key other
	"$CAIRN" split -t 2 -n 3 -o s me.key >/dev/null
	sed -i "s/^# recovers: .*/# recovers: $(cat other.pub)/" s/share-01.txt
	sed -i "s/^# recovers: .*/# recovers: $(cat other.pub)/" s/share-02.txt
	expect_exit 3 "$CAIRN" combine -o k s/share-01.txt s/share-02.txt
	assert_stderr_has "does not match the key the shares record"
	expect_exit 4 "$CAIRN" combine -o k s/share-01.txt s/share-03.txt
	assert_stderr_has "record different public keys"
	sed -i 's/^# recovers: .*/# recovers: age1nonsense/' s/share-03.txt
	expect_exit 4 "$CAIRN" share check s/share-03.txt
	assert_stderr_has "s/share-03.txt:4: '# recovers:' is not an age1"
	printf '# only comments\n\n' >empty.txt
	expect_exit 4 "$CAIRN" share check empty.txt
	assert_stderr_has "no share words found"
	printf 'abc\0def\n' >nul.txt
	expect_exit 4 "$CAIRN" share check nul.txt
	expect_exit 1 "$CAIRN" share check missing.txt
	[ ! -e k ]
}

@test "must fail: split never replaces files and leaves no partial set" {
	key me
	mkdir s
	echo keep >s/share-03.txt
	expect_exit 1 "$CAIRN" split -t 2 -n 3 -o s me.key
	assert_stderr_has "s/share-03.txt: file exists"
	[ "$(ls s)" = share-03.txt ]
	[ "$(cat s/share-03.txt)" = keep ]
	"$CAIRN" split -t 2 -n 3 -o t me.key >/dev/null
	"$CAIRN" combine -o k t/share-01.txt t/share-02.txt >/dev/null
	expect_exit 1 "$CAIRN" combine -o k t/share-01.txt t/share-02.txt
	assert_stderr_has "file exists"
	# a secret key is never printed on a terminal
	on_pty "'$CAIRN' combine t/share-01.txt t/share-02.txt" ""
	[ "$status" -eq 2 ]
	[[ "$output" != *AGE-SECRET-KEY* ]]
}

@test "split refuses unusable identity files" {
	key a
	key b
	cat a.key b.key >two.key
	chmod 600 two.key
	expect_exit 2 "$CAIRN" split -t 2 -n 2 -o s two.key
	assert_stderr_has "more than one identity"
	cp a.key open.key
	chmod 644 open.key
	expect_exit 1 "$CAIRN" split -t 2 -n 2 -o s open.key
	assert_stderr_has "chmod 600"
	printf 'pw\n' >pw
	"$CAIRN" keygen --passphrase-file pw -o enc.key >/dev/null
	# (setsid: no controlling terminal to ask on)
	expect_exit 2 setsid -w "$CAIRN" split -t 2 -n 2 -o s enc.key </dev/null
	assert_stderr_has "no terminal"
	expect_exit 1 "$CAIRN" split -t 2 -n 2 -o s
	[ ! -e s ]
}

@test "split defaults to the key home's identity" {
	mkdir -m 700 home
	"$CAIRN" keygen -o home/identity >me.pub
	expect_exit 0 "$CAIRN" split -t 2 -n 2 -o s
	"$CAIRN" combine -o k s/share-01.txt s/share-02.txt >/dev/null
	[ "$(secret_of k)" = "$(secret_of home/identity)" ]
}

@test "two-level groups: 2 of 3 colleagues AND 1 of 2 lawyers" {
	key me
	expect_exit 0 "$CAIRN" split --group 2/3 --group 1/2 --group-threshold 2 \
	    --name Ann --name Bob --name "Cy O'Neil" --name "Lawyer One" \
	    --name "Lawyer Two" -o g me.key
	assert_output_has "2 of 2 groups (2 of 3, 1 of 2)"
	ls g/share-01-ann.txt g/share-02-bob.txt g/share-03-cy-o-neil.txt \
	    g/share-04-lawyer-one.txt g/share-05-lawyer-two.txt
	grep -qx '# share: 2 of 3 in group 1 of 2, set [0-9]*' g/share-02-bob.txt
	grep -qx '# label: Lawyer One' g/share-04-lawyer-one.txt
	grep -q '^# share: copy 2 of 2 (group 2 of 2)' g/share-05-lawyer-two.txt
	# the two lawyers hold copies of the same share
	[ "$(grep -v '^#' g/share-04-lawyer-one.txt)" = \
	    "$(grep -v '^#' g/share-05-lawyer-two.txt)" ]
	expect_exit 0 "$CAIRN" combine -o k1 g/share-01-ann.txt \
	    g/share-03-cy-o-neil.txt g/share-05-lawyer-two.txt
	[ "$(secret_of k1)" = "$(secret_of me.key)" ]
	# all five at once: a valid subset is picked
	expect_exit 0 "$CAIRN" combine -o k2 g/*.txt
	[ "$(secret_of k2)" = "$(secret_of me.key)" ]
	# must fail: all colleagues but no lawyer; one colleague and a lawyer
	expect_exit 3 "$CAIRN" combine -o k3 g/share-0{1,2,3}-*.txt
	assert_stderr_has "need 2 complete groups of the 2, have 1"
	expect_exit 3 "$CAIRN" combine -o k3 g/share-01-ann.txt \
	    g/share-04-lawyer-one.txt
	assert_stderr_has "group 1: need 2 shares, have 1"
	[ ! -e k3 ]
}

@test "share files encrypted to contacts (--to): only the contacts read them" {
	key me
	for c in c1 c2 c3; do key $c; done
	expect_exit 0 "$CAIRN" split -t 2 -n 3 --to "$(cat c1.pub)" \
	    --to "$(cat c2.pub)" --to "$(cat c3.pub)" -o s me.key
	assert_output_has "encrypted to $(cat c2.pub)"
	for f in s/share-01.age s/share-02.age s/share-03.age; do
		[ "$(stat -c %a "$f")" = 600 ]
		head -1 "$f" | grep -qx -- '-----BEGIN AGE ENCRYPTED FILE-----'
		refute grep -q 'recovers\|academic' "$f"
	done
	# stock age decrypts a share file to the plain share file
	age -d -i c2.key s/share-02.age >plain.txt
	grep -qx "# recovers: $(cat me.pub)" plain.txt
	expect_exit 0 "$CAIRN" combine -i c1.key -i c3.key -o k s/share-01.age \
	    s/share-03.age
	[ "$(secret_of k)" = "$(secret_of me.key)" ]
	# mixing encrypted and plain shares is fine
	expect_exit 0 "$CAIRN" combine -i c1.key -o k2 s/share-01.age plain.txt
	# must fail: no identity, or the wrong one
	expect_exit 3 "$CAIRN" combine -o k3 s/share-01.age s/share-03.age
	assert_stderr_has "s/share-01.age: the share file is encrypted"
	expect_exit 3 "$CAIRN" combine -i c1.key -o k3 s/share-01.age s/share-03.age
	assert_stderr_has "s/share-03.age: encrypted share file, and no identity"
	[ ! -e k3 ]
}

@test "SLIP-39 passphrase: same key back; a wrong one reports a key mismatch" {
	key me
	printf 'correct horse\n' >pass
	printf 'wrong horse\n' >wrong
	expect_exit 0 "$CAIRN" split -t 2 -n 3 --passphrase-file pass -o s me.key
	expect_exit 0 "$CAIRN" combine --passphrase-file pass -o k \
	    s/share-01.txt s/share-03.txt
	[ "$(secret_of k)" = "$(secret_of me.key)" ]
	expect_exit 3 "$CAIRN" combine --passphrase-file wrong -o k2 \
	    s/share-01.txt s/share-03.txt
	assert_stderr_has "does not match the key the shares record"
	assert_stderr_has "wrong SLIP-39 passphrase"
	expect_exit 3 "$CAIRN" combine -o k2 s/share-01.txt s/share-03.txt
	assert_stderr_has "does not match"
	[ ! -e k2 ]
	printf 'caf\xc3\xa9\n' >nonascii
	expect_exit 2 "$CAIRN" split -t 2 -n 3 --passphrase-file nonascii -o t me.key
	assert_stderr_has "printable ASCII"
	[ ! -e t ]
}

@test "--print shows words and a QR code after a scrollback warning" {
	key me
	expect_exit 0 "$CAIRN" split -t 2 -n 2 --name Ann --name Bob --print me.key
	assert_stderr_has "scrollback"
	assert_output_has "==== Share 1 of 2: Ann ===="
	assert_output_has "==== Share 2 of 2: Bob ===="
	assert_output_has " 1 "
	assert_output_has "33 "
	assert_output_has "█"
	assert_output_has "▀"
	[ ! -e share-01-ann.txt ]
	# printed and written shares are the same
	expect_exit 0 "$CAIRN" split -t 2 -n 2 --print -o s me.key
	w=$(word_at s/share-01.txt 7)
	assert_output_has " 7 $w"
	# must fail: encrypted shares cannot go to the terminal only
	expect_exit 2 "$CAIRN" split -t 2 -n 2 --print --to "$(cat me.pub)" \
	    --to "$(cat me.pub)" me.key
	assert_stderr_has "--to needs -o DIR"
	[[ "$output" != *"█"* ]]
}

# ---- raw secrets and the reference vectors ----------------------------

@test "raw secret: split --secret-hex-file, combine --print-secret-hex" {
	printf 'bb54aac4b89dc868ba37d9cc21b2cece\n' >secret.hex
	chmod 600 secret.hex
	expect_exit 0 "$CAIRN" split --secret-hex-file secret.hex -t 2 -n 3 -o r
	for f in r/share-0{1,2,3}.txt; do
		refute grep -q '^#' "$f"
		[ "$(wc -w <"$f")" -eq 20 ]
	done
	expect_exit 0 "$CAIRN" combine --print-secret-hex r/share-03.txt r/share-01.txt
	[ "$output" = bb54aac4b89dc868ba37d9cc21b2cece ]
	# with a passphrase and a 256-bit secret
	printf '%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >s256.hex
	chmod 600 s256.hex
	printf 'TREZOR\n' >pass
	expect_exit 0 "$CAIRN" split --secret-hex-file s256.hex --passphrase-file pass \
	    --iteration-exponent 0 -t 3 -n 4 -o r2
	expect_exit 0 "$CAIRN" combine --print-secret-hex --passphrase-file pass \
	    r2/share-01.txt r2/share-02.txt r2/share-04.txt
	[ "$output" = "$(tr -d '\n' <s256.hex)" ]
	expect_exit 0 "$CAIRN" share check r2/share-04.txt
	assert_output_has "iteration exponent: 0"
	# must fail: bad lengths and non-hex, a readable secret file
	printf 'bb54aac4b89dc868ba37d9cc21b2ce\n' >short.hex
	printf 'zz54aac4b89dc868ba37d9cc21b2cece\n' >nothex.hex
	chmod 600 short.hex nothex.hex
	expect_exit 2 "$CAIRN" split --secret-hex-file short.hex -t 2 -n 3 -o x
	expect_exit 2 "$CAIRN" split --secret-hex-file nothex.hex -t 2 -n 3 -o x
	chmod 644 secret.hex
	expect_exit 1 "$CAIRN" split --secret-hex-file secret.hex -t 2 -n 3 -o x
	[ ! -e x ]
	expect_exit 1 "$CAIRN" combine -o k r/share-01.txt r/share-02.txt
	assert_stderr_has "16-byte secret, not an age identity"
}

@test "reference vectors combine to their master secrets (passphrase TREZOR)" {
	printf 'TREZOR\n' >pass
	for v in 1 4 17 18 19 20 23 36 37 38 41 42 43 44 45; do
		rm -f v*.txt
		vector_files $v
		run --separate-stderr "$CAIRN" combine --print-secret-hex \
		    --passphrase-file pass v*.txt
		if [ "$status" -ne 0 ] || [ "$output" != "$(vector_secret $v)" ]; then
			echo "vector $v: exit $status, got '$output', want '$(vector_secret $v)'"
			echo "$stderr"
			return 1
		fi
	done
}

@test "reference vectors that must fail, with the right exit code" {
	printf 'TREZOR\n' >pass
	check_vector() { # check_vector N CODE TEXT
		rm -f v*.txt
		vector_files "$1"
		expect_exit "$2" "$CAIRN" combine --print-secret-hex \
		    --passphrase-file pass v*.txt
		assert_stderr_has "$3"
	}
	check_vector 2 4 "v1.txt: checksum mismatch"
	check_vector 3 4 "v1.txt: not a valid share: "
	check_vector 5 3 "need 2 shares, have 1"
	check_vector 6 4 "from a different share set"
	check_vector 7 4 "set parameters differ"
	check_vector 11 4 "two different shares numbered"
	check_vector 12 4 "threshold"
	check_vector 13 4 "possibly tampered"
	check_vector 14 3 "too few shares"
	check_vector 16 3 "need 2 shares, have 1"
	check_vector 39 4 "not a valid share length"
}

@test "split a reference secret; other words, same secret" {
	vector_secret 23 >secret.hex
	chmod 600 secret.hex
	printf 'TREZOR\n' >pass
	"$CAIRN" split --secret-hex-file secret.hex --passphrase-file pass \
	    -t 2 -n 3 -o r >/dev/null
	vector_files 23
	# our shares and the vector's are different sets ...
	expect_exit 4 "$CAIRN" combine --print-secret-hex --passphrase-file pass \
	    r/share-01.txt v1.txt
	# ... of the same secret
	expect_exit 0 "$CAIRN" combine --print-secret-hex --passphrase-file pass \
	    r/share-01.txt r/share-02.txt
	[ "$output" = "$(vector_secret 23)" ]
	expect_exit 0 "$CAIRN" combine --print-secret-hex --passphrase-file pass \
	    v1.txt v2.txt
	[ "$output" = "$(vector_secret 23)" ]
}

# ---- share check and share reveal -------------------------------------

@test "share check prints set, indices, thresholds, label and key" {
	key me
	key c1
	"$CAIRN" split --group 2/3 --group 2/2 --group-threshold 2 \
	    --name a --name b --name c --name "Dr. Who" --name e -o s me.key >/dev/null
	set=$(sed -n 's/^# share: .*set \([0-9]*\)$/\1/p' s/share-04-dr-who.txt)
	expect_exit 0 "$CAIRN" share check s/share-04-dr-who.txt
	assert_output_has "s/share-04-dr-who.txt: valid share (words, checksum and padding)"
	assert_output_has "encrypted: no"
	assert_output_has "set: $set"
	assert_output_has "group: 2 of 2 (2 groups needed)"
	assert_output_has "member: 1 of 2 (2 shares of the group needed)"
	assert_output_has "secret: 32 bytes (33 words)"
	assert_output_has "extendable: yes"
	assert_output_has "iteration exponent: 1"
	assert_output_has "label: Dr. Who"
	assert_output_has "recovers: $(cat me.pub)"
	# encrypted share files need the contact's identity
	"$CAIRN" split -t 2 -n 2 --to "$(cat c1.pub)" --to "$(cat c1.pub)" -o e me.key >/dev/null
	expect_exit 3 "$CAIRN" share check e/share-01.age
	expect_exit 0 "$CAIRN" share check -i c1.key e/share-02.age
	assert_output_has "encrypted: yes"
	assert_output_has "member: 2 of 2 (2 shares of the group needed)"
	# the reference vectors record no key
	vector_files 1
	expect_exit 0 "$CAIRN" share check v1.txt
	assert_output_has "recovers: (not recorded)"
	assert_output_has "extendable: no"
}

@test "share reveal --to: the contact re-encrypts to the coordinator" {
	key me
	key contact
	key coord
	key stranger
	"$CAIRN" split -t 2 -n 2 --to "$(cat contact.pub)" --to "$(cat coord.pub)" \
	    -o s me.key >/dev/null
	expect_exit 0 "$CAIRN" share reveal -i contact.key --to "$(cat coord.pub)" \
	    -o for-coord.age s/share-01.age
	assert_output_has "encrypted to $(cat coord.pub)"
	head -1 for-coord.age | grep -qx -- '-----BEGIN AGE ENCRYPTED FILE-----'
	[ "$(stat -c %a for-coord.age)" = 600 ]
	# only the coordinator can read it now
	expect_exit 3 "$CAIRN" share check -i contact.key for-coord.age
	expect_exit 0 "$CAIRN" share check -i coord.key for-coord.age
	expect_exit 0 "$CAIRN" combine -i coord.key -o k for-coord.age s/share-02.age
	[ "$(secret_of k)" = "$(secret_of me.key)" ]
	# without --to: the plain share, to stdout
	expect_exit 0 "$CAIRN" share reveal -i contact.key s/share-01.age
	assert_output_has "# recovers: $(cat me.pub)"
	# must fail: wrong identity, existing output, a damaged share
	expect_exit 3 "$CAIRN" share reveal -i stranger.key --to "$(cat coord.pub)" \
	    -o x.age s/share-01.age
	expect_exit 1 "$CAIRN" share reveal -i contact.key --to "$(cat coord.pub)" \
	    -o for-coord.age s/share-01.age
	expect_exit 2 "$CAIRN" share reveal -i contact.key --to bogus s/share-01.age
	age -d -i contact.key s/share-01.age >plain.txt
	set_word plain.txt 9 zzz
	expect_exit 4 "$CAIRN" share reveal --to "$(cat coord.pub)" -o y.age plain.txt
	assert_stderr_has "plain.txt: word 9 is not in the SLIP-39 word list"
	[ ! -e x.age ]
	[ ! -e y.age ]
}

# ---- --share on decrypt -----------------------------------------------

@test "decrypt --share: the split key, rebuilt in memory only" {
	key me
	key c1
	printf 'secret evidence\n' >m.txt
	"$CAIRN" encrypt -r "$(cat me.pub)" -o m.age m.txt
	"$CAIRN" split -t 2 -n 3 --to "$(cat c1.pub)" --to "$(cat c1.pub)" \
	    --to "$(cat c1.pub)" -o s me.key >/dev/null
	rm me.key
	expect_exit 0 "$CAIRN" decrypt -i c1.key --share s/share-01.age \
	    --share s/share-03.age m.age
	[ "$output" = "secret evidence" ]
	[ "$(ls)" = "$(printf 'c1.key\nc1.pub\nm.age\nm.txt\nme.pub\ns')" ]
	expect_exit 3 "$CAIRN" decrypt -i c1.key --share s/share-01.age m.age
	assert_stderr_has "need 2 shares, have 1"
	expect_exit 3 "$CAIRN" decrypt --share s/share-01.age --share s/share-02.age m.age
	assert_stderr_has "encrypted"
}

@test "decrypt --share with a SLIP-39 passphrase" {
	key me
	printf 'x\n' >m.txt
	"$CAIRN" encrypt -r "$(cat me.pub)" -o m.age m.txt
	printf 'pass phrase\n' >pp
	"$CAIRN" split -t 2 -n 2 --passphrase-file pp -o s me.key >/dev/null
	expect_exit 0 "$CAIRN" decrypt --share s/share-01.txt --share s/share-02.txt \
	    --share-passphrase-file pp m.age
	[ "$output" = x ]
	expect_exit 3 "$CAIRN" decrypt --share s/share-01.txt --share s/share-02.txt m.age
	assert_stderr_has "does not match"
}

# ---- recovery init and the whole story --------------------------------

@test "recovery init: encrypted shares, recipients file, no secret on disk" {
	for c in alice bob carol dave erin; do key $c; done
	expect_exit 0 "$CAIRN" recovery init -t 3 --contact "alice=$(cat alice.pub)" \
	    --contact "bob=$(cat bob.pub)" --contact "carol=$(cat carol.pub)" \
	    --contact "dave=$(cat dave.pub)" --contact "erin=$(cat erin.pub)" -o out
	assert_output_has "out/kit-03-carol "
	assert_output_has "carol ($(cat carol.pub))"
	[ "$(stat -c %a out)" = 700 ]
	[ "$(stat -c %a home)" = 700 ]
	[ "$(stat -c %a home/recipients)" = 600 ]
	[ "$(ls out | wc -l)" -eq 5 ]
	for f in out/kit-*/*.age; do
		[ "$(stat -c %a "$f")" = 600 ]
		head -1 "$f" | grep -qx -- '-----BEGIN AGE ENCRYPTED FILE-----'
	done
	grep -q '^# cairn recovery key, SLIP-39 share set [0-9]*, any 3 of 5 contacts: alice, bob, carol, dave, erin$' home/recipients
	rec=$(grep '^age1' home/recipients)
	[ "$(echo "$rec" | wc -l)" -eq 1 ]
	assert_output_has "$rec"
	expect_exit 0 "$CAIRN" share check -i dave.key out/kit-04-dave/share-04-dave.age
	assert_output_has "recovers: $rec"
	assert_output_has "label: dave"
	# the secret is nowhere: not in files, not on stdout/stderr
	no_secret_keys out home
	[[ "$output$stderr" != *AGE-SECRET-KEY* ]]
	# the contacts together rebuild it
	expect_exit 0 "$CAIRN" combine -i alice.key -i carol.key -i erin.key \
	    -o rk out/kit-01-alice/share-01-alice.age out/kit-03-carol/share-03-carol.age \
	    out/kit-05-erin/share-05-erin.age
	[ "$output" = "$rec" ]
	# a second set is appended; the first line stays
	expect_exit 0 "$CAIRN" recovery init --group 2/2 --group 1/1 \
	    --group-threshold 2 --contact "alice=$(cat alice.pub)" \
	    --contact "bob=$(cat bob.pub)" --contact "lawyer=$(cat erin.pub)" -o out2
	[ "$(grep -c '^age1' home/recipients)" -eq 2 ]
	[ "$(grep '^age1' home/recipients | head -1)" = "$rec" ]
	grep -q '2 of 2 groups: 2 of 2 (alice, bob); 1 of 1 (lawyer)$' home/recipients
	assert_no_temp home
	no_secret_keys out2 home
}

@test "recovery init: appends to an existing recipients file; refuses bad input" {
	key alice
	key bob
	key me
	mkdir -m 700 home
	printf '# mine\n%s' "$(cat me.pub)" >home/recipients
	chmod 644 home/recipients
	expect_exit 0 "$CAIRN" recovery init -t 2 --contact "alice=$(cat alice.pub)" \
	    --contact "bob=$(cat bob.pub)"
	dir=$(ls -d recovery-*)
	[ "$(ls "$dir" | wc -l)" -eq 2 ]
	[ "$(sed -n 2p home/recipients)" = "$(cat me.pub)" ]
	[ "$(grep -c '^age1' home/recipients)" -eq 2 ]
	[ "$(stat -c %a home/recipients)" = 600 ]
	cp home/recipients before
	# must fail: bad recipient, same set written twice, bad names
	expect_exit 2 "$CAIRN" recovery init -t 2 --contact "alice=age1bogus" \
	    --contact "bob=$(cat bob.pub)" -o o2
	expect_exit 2 "$CAIRN" recovery init -t 2 --contact "$(printf 'a\tb')=$(cat alice.pub)" \
	    --contact "bob=$(cat bob.pub)" -o o3
	mkdir -p o4/kit-02-bob
	expect_exit 1 "$CAIRN" recovery init -t 2 --contact "alice=$(cat alice.pub)" \
	    --contact "bob=$(cat bob.pub)" -o o4
	assert_same before home/recipients
	[ ! -e o2 ]
	[ ! -e o3 ]
	[ "$(ls o4)" = kit-02-bob ]
	[ -z "$(ls -A o4/kit-02-bob)" ]
}

@test "the whole story: recovery init, seal, arrest, three contacts, open" {
	# The journalist: an age key kept elsewhere, a signing key, and on
	# the device only public keys in the key home.
	mkdir -m 700 home office
	"$CAIRN" keygen -o office/journalist.key >home/recipients
	chmod 600 home/recipients
	minisign -G -W -p sign.pub -s sign.key >/dev/null </dev/null
	chmod 600 sign.key
	for c in c1 c2 c3 c4 c5 coordinator; do key $c; done
	expect_exit 0 "$CAIRN" recovery init -t 3 \
	    --contact "Ana=$(cat c1.pub)" --contact "Ben=$(cat c2.pub)" \
	    --contact "Chloé=$(cat c3.pub)" --contact "Dev=$(cat c4.pub)" \
	    --contact "Eli=$(cat c5.pub)" -o to-send
	# Each contact receives their file.
	for i in 1 2 3 4 5; do mkdir -m 700 "contact$i"; done
	mv to-send/kit-01-ana/share-01-ana.age contact1/share.age
	mv to-send/kit-02-ben/share-02-ben.age contact2/share.age
	mv to-send/kit-03-chlo/share-03-chlo.age contact3/share.age
	mv to-send/kit-04-dev/share-04-dev.age contact4/share.age
	mv to-send/kit-05-eli/share-05-eli.age contact5/share.age
	rm -r to-send
	# Evidence sealed on the device, with public keys only.
	mkdir -p evidence/photos evidence/notes
	payload 300000 evidence/photos/IMG_0001.jpg
	payload 70000 evidence/photos/IMG_0002.jpg
	printf 'met the source at 10:00\n' >evidence/notes/interview.txt
	expect_exit 0 "$CAIRN" seal -R home/recipients -s sign.key -o evidence.cairn evidence
	no_secret_keys home
	# The arrest: the device's key home and the office key are gone.
	rm -rf home office
	# Three contacts reveal their shares to the coordinator.
	expect_exit 0 "$CAIRN" share reveal -i c1.key --to "$(cat coordinator.pub)" \
	    -o from-ana.age contact1/share.age
	expect_exit 0 "$CAIRN" share reveal -i c3.key --to "$(cat coordinator.pub)" \
	    -o from-chloe.age contact3/share.age
	expect_exit 0 "$CAIRN" share reveal -i c4.key --to "$(cat coordinator.pub)" \
	    -o from-dev.age contact4/share.age
	# Two are not enough.
	expect_exit 3 "$CAIRN" open --share from-ana.age --share from-dev.age \
	    -i coordinator.key --signer sign.pub -C nope evidence.cairn
	assert_stderr_has "need 3 shares, have 2"
	[ ! -e nope ]
	# Three are.
	expect_exit 0 "$CAIRN" verify --share from-ana.age --share from-chloe.age \
	    --share from-dev.age -i coordinator.key --signer sign.pub evidence.cairn
	expect_exit 0 "$CAIRN" list --share from-ana.age --share from-chloe.age \
	    --share from-dev.age -i coordinator.key evidence.cairn
	assert_output_has "interview.txt"
	expect_exit 0 "$CAIRN" open --share from-ana.age --share from-chloe.age \
	    --share from-dev.age -i coordinator.key --signer sign.pub \
	    -C recovered evidence.cairn
	assert_output_has "signature:   good"
	assert_output_has "result:      OK"
	diff -r evidence recovered/evidence
	assert_same evidence/photos/IMG_0001.jpg recovered/evidence/photos/IMG_0001.jpg
	# A share that was tampered with in transit is caught.
	age -d -i coordinator.key from-dev.age >dev-plain.txt
	set_word dev-plain.txt 15 zebra
	expect_exit 4 "$CAIRN" open --share from-ana.age --share from-chloe.age \
	    --share dev-plain.txt -i coordinator.key -C nope2 evidence.cairn
	assert_stderr_has "dev-plain.txt: "
	[ ! -e nope2 ]
	# No step wrote the recovery secret anywhere.
	no_secret_keys . -- ./c1.key ./c2.key ./c3.key ./c4.key ./c5.key \
	    ./coordinator.key
}

# Issue 14, item 4: each "no terminal" hint names the option that answers
# that prompt in that verb; for split, share and combine --passphrase-file
# is the SLIP-39 passphrase, so an encrypted identity needs its own.
@test "encrypted identity and no terminal: split, share and combine name --identity-passphrase-file" {
	printf 'pw-for-the-key\n' >pw
	chmod 600 pw
	"$CAIRN" keygen --passphrase-file pw -o enc.key >enc.pub
	expect_exit 2 setsid -w "$CAIRN" split -t 2 -n 2 -o s enc.key </dev/null
	assert_stderr_has "cairn: hint: give its passphrase with --identity-passphrase-file FILE"
	[[ "$stderr" != *"hint: use --passphrase-file"* ]]
	[ ! -e s ]
	expect_exit 0 setsid -w "$CAIRN" split -t 2 -n 2 -o s \
	    --identity-passphrase-file pw enc.key </dev/null
	# a share encrypted to that identity
	"$CAIRN" encrypt -r "$(cat enc.pub)" -o e1.age s/share-01.txt
	for cmd in "share check -i enc.key e1.age" \
	    "share reveal -i enc.key e1.age" \
	    "combine -i enc.key -o k e1.age s/share-02.txt"; do
		run --separate-stderr setsid -w $CAIRN $cmd </dev/null
		[ "$status" -ne 0 ] || { echo "$cmd: exit 0"; return 1; }
		[[ "$stderr" == *"cairn: hint: use --identity-passphrase-file FILE"* ]] ||
		    { echo "$cmd: $stderr"; return 1; }
	done
	expect_exit 0 setsid -w "$CAIRN" share check -i enc.key \
	    --identity-passphrase-file pw e1.age </dev/null
	expect_exit 0 setsid -w "$CAIRN" combine -i enc.key \
	    --identity-passphrase-file pw -o k e1.age s/share-02.txt </dev/null
	[ "$("$CAIRN" pubkey -i k)" = "$(cat enc.pub)" ]
}
