#!/usr/bin/env bats
# tests/cli/age.bats - the CLI foundation and the age verbs (keygen,
# pubkey, encrypt, decrypt): help/usage/exit codes, round trips, interop
# with Debian's age binary in both directions, and must-fail cases.

load helpers

SIZES="0 1 65535 65536 65537 5242881"

# keygen KEYFILE -> recipient on stdout
cairn_key() {
	"$CAIRN" keygen -o "$1"
}

age_key() {
	age-keygen -o "$1" 2>/dev/null && age-keygen -y "$1"
}

# ---- help, version, usage ---------------------------------------------

@test "--help lists the verbs and the exit codes" {
	expect_exit 0 "$CAIRN" --help
	for v in keygen pubkey encrypt decrypt; do assert_output_has "$v"; done
	assert_output_has "Exit status"
	assert_output_has "4  integrity failure"
}

@test "--version prints the version" {
	expect_exit 0 "$CAIRN" --version
	[[ "$output" =~ ^cairn\ [0-9]+\.[0-9]+ ]]
}

@test "help VERB and VERB --help print the verb's usage" {
	for v in keygen pubkey encrypt decrypt; do
		expect_exit 0 "$CAIRN" help "$v"
		assert_output_has "usage: cairn $v"
		expect_exit 0 "$CAIRN" "$v" --help
		assert_output_has "usage: cairn $v"
	done
}

@test "no command, unknown verb, unknown option, missing argument: exit 2" {
	expect_exit 2 "$CAIRN"
	expect_exit 2 "$CAIRN" frobnicate
	assert_stderr_has "cairn: error: unknown command 'frobnicate'"
	assert_stderr_has "cairn: hint:"
	expect_exit 2 "$CAIRN" help frobnicate
	expect_exit 2 "$CAIRN" --bogus
	expect_exit 2 "$CAIRN" encrypt --bogus
	assert_stderr_has "unknown option --bogus"
	expect_exit 2 "$CAIRN" decrypt -Z
	assert_stderr_has "unknown option -Z"
	expect_exit 2 "$CAIRN" decrypt -i
	assert_stderr_has "needs an argument"
	expect_exit 2 "$CAIRN" encrypt -r
	expect_exit 2 "$CAIRN" pubkey extra-arg
	expect_exit 2 "$CAIRN" keygen extra-arg
}

@test "control characters in user strings are escaped on stderr" {
	expect_exit 1 "$CAIRN" decrypt -i id $'no\x1b[31mfile\x07'
	assert_stderr_has 'no\x1b[31mfile\x07'
	assert_no_stderr_control
	expect_exit 2 "$CAIRN" $'verb\x1b]0;x\x07'
	assert_no_stderr_control
}

# ---- keygen / pubkey ----------------------------------------------------

@test "keygen writes an age identity file, mode 0600, prints the recipient" {
	expect_exit 0 "$CAIRN" keygen -o key
	rec=$output
	[[ "$rec" =~ ^age1[02-9ac-hj-np-z]{58}$ ]]
	[ "$(stat -c %a key)" = 600 ]
	[ "$(wc -l <key)" -eq 3 ]
	grep -Eq '^# created: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9]{2}:[0-9]{2})$' key
	grep -qx "# public key: $rec" key
	grep -Eqx 'AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}' key
	[ "$(age-keygen -y key)" = "$rec" ]
	assert_no_temp .
}

@test "keygen refuses to overwrite an existing file" {
	echo precious >key
	expect_exit 1 "$CAIRN" keygen -o key
	assert_stderr_has "file exists"
	[ "$(cat key)" = precious ]
	expect_exit 2 "$CAIRN" keygen -o -
}

@test "pubkey prints the recipient, also of age-keygen keys" {
	rec=$(cairn_key key)
	expect_exit 0 "$CAIRN" pubkey -i key
	[ "$output" = "$rec" ]
	arec=$(age_key akey)
	expect_exit 0 "$CAIRN" pubkey -i key -i akey
	[ "$output" = "$rec"$'\n'"$arec" ]
	cat key akey >both && chmod 600 both
	expect_exit 0 "$CAIRN" pubkey -i both
	[ "$output" = "$rec"$'\n'"$arec" ]
}

@test "pubkey of a malformed identity file fails" {
	printf 'AGE-SECRET-KEY-1NOTAKEY\n' >bad && chmod 600 bad
	expect_exit 1 "$CAIRN" pubkey -i bad
	assert_stderr_has "bad"
	printf '# only a comment\n' >empty && chmod 600 empty
	expect_exit 1 "$CAIRN" pubkey -i empty
}

@test "key home: encrypt and decrypt use CAIRN_HOME by default" {
	mkdir -m 700 "$CAIRN_HOME"
	rec=$(cairn_key "$CAIRN_HOME/identity")
	echo "$rec" >"$CAIRN_HOME/recipients"
	echo secret >plain
	expect_exit 0 "$CAIRN" encrypt -o c.age plain
	expect_exit 0 "$CAIRN" decrypt -o out c.age
	assert_same plain out
	expect_exit 0 "$CAIRN" pubkey
	[ "$output" = "$rec" ]
	unset CAIRN_HOME
	export XDG_CONFIG_HOME="$T/xdg"
	expect_exit 2 "$CAIRN" encrypt plain
	assert_stderr_has "no recipients"
}

# ---- round trips ----------------------------------------------------------

@test "cairn -> cairn round trip, binary and armored, all sizes" {
	rec=$(cairn_key key)
	for n in $SIZES; do
		payload "$n" "p$n"
		"$CAIRN" encrypt -r "$rec" -o "c$n" "p$n"
		"$CAIRN" decrypt -i key -o "d$n" "c$n"
		assert_same "p$n" "d$n"
		"$CAIRN" encrypt -a -r "$rec" <"p$n" >"a$n"
		head -1 "a$n" | grep -qx -- '-----BEGIN AGE ENCRYPTED FILE-----'
		"$CAIRN" decrypt -i key <"a$n" >"e$n"
		assert_same "p$n" "e$n"
	done
	assert_no_temp .
}

@test "recipients files (-R) with comments, several recipients" {
	r1=$(cairn_key k1)
	r2=$(age_key k2)
	r3=$(cairn_key k3)
	printf '# team\n\n%s\n%s\n' "$r1" "$r2" >recips
	echo hello >p
	expect_exit 0 "$CAIRN" encrypt -R recips -r "$r3" -o c p
	for k in k1 k2 k3; do
		expect_exit 0 "$CAIRN" decrypt -i "$k" c
		[ "$output" = hello ]
	done
	echo "$r1" | "$CAIRN" encrypt -R - -o c2 p
	expect_exit 0 "$CAIRN" decrypt -i k1 c2
	[ "$output" = hello ]
	printf '%s\nnot-a-recipient\n' "$r1" >badr
	expect_exit 1 "$CAIRN" encrypt -R badr p
	assert_stderr_has "badr:2"
	expect_exit 2 "$CAIRN" encrypt -r age1bogus p
	assert_stderr_has "invalid recipient"
}

@test "a secret key given as -r is refused and not echoed" {
	cairn_key key >/dev/null
	sk=$(grep AGE-SECRET-KEY key)
	expect_exit 2 "$CAIRN" encrypt -r "$sk" /dev/null
	[[ "$stderr" != *"$sk"* ]]
}

# ---- interop with age ----------------------------------------------------

@test "interop: cairn encrypt -> age -d, binary and armored, all sizes" {
	rec=$(age_key akey)
	for n in $SIZES; do
		payload "$n" "p$n"
		"$CAIRN" encrypt -r "$rec" -o "c$n" "p$n"
		# (age -o creates no file for empty output: use stdout)
		age -d -i akey "c$n" >"d$n" || { echo "size $n"; false; }
		assert_same "p$n" "d$n"
		"$CAIRN" encrypt -a -r "$rec" -o "a$n" "p$n"
		age -d -i akey "a$n" >"e$n" || { echo "armored size $n"; false; }
		assert_same "p$n" "e$n"
	done
}

@test "interop: age -e -> cairn decrypt, binary and armored, all sizes" {
	rec=$(cairn_key key)
	for n in $SIZES; do
		payload "$n" "p$n"
		age -r "$rec" -o "c$n" "p$n"
		"$CAIRN" decrypt -i key -o "d$n" "c$n" || { echo "size $n"; false; }
		assert_same "p$n" "d$n"
		age -a -r "$rec" -o "a$n" "p$n"
		"$CAIRN" decrypt -i key -o "e$n" "a$n" || { echo "armored $n"; false; }
		assert_same "p$n" "e$n"
	done
}

@test "interop: several recipients both directions" {
	r1=$(cairn_key k1)
	r2=$(age_key k2)
	r3=$(age_key k3)
	payload 70000 p
	"$CAIRN" encrypt -r "$r1" -r "$r2" -r "$r3" -o c1 p
	for k in k2 k3; do age -d -i "$k" c1 | cmp - p; done
	age -r "$r1" -r "$r2" -r "$r3" -a -o c2 p
	for k in k1 k2 k3; do "$CAIRN" decrypt -i "$k" c2 | cmp - p; done
}

@test "interop: cairn identity file used by age -d -i" {
	rec=$(cairn_key key)
	echo "evidence" >p
	age -r "$rec" -o c p
	[ "$(age -d -i key c)" = evidence ]
	"$CAIRN" encrypt -r "$rec" -o c2 p
	[ "$(age -d -i key c2)" = evidence ]
}

@test "interop: age-keygen identity used by cairn decrypt and pubkey" {
	rec=$(age_key akey)
	chmod 600 akey
	echo "evidence" >p
	age -r "$rec" -o c p
	expect_exit 0 "$CAIRN" decrypt -i akey c
	[ "$output" = evidence ]
	expect_exit 0 "$CAIRN" pubkey -i akey
	[ "$output" = "$rec" ]
}

# ---- passphrases ------------------------------------------------------------

@test "passphrase: cairn -> cairn with --passphrase-file, wrong one fails 3" {
	printf 'correct horse\n' >pw && chmod 600 pw
	printf 'battery staple\n' >wrong && chmod 600 wrong
	payload 70000 p
	expect_exit 0 "$CAIRN" encrypt -p --passphrase-file pw -o c p
	expect_exit 0 "$CAIRN" decrypt --passphrase-file pw -o d c
	assert_same p d
	# repeated --passphrase-file: each is tried
	expect_exit 0 "$CAIRN" decrypt --passphrase-file wrong --passphrase-file pw -o d2 c
	assert_same p d2
	expect_exit 3 "$CAIRN" decrypt --passphrase-file wrong -o d3 c
	[ ! -e d3 ]
	assert_no_temp .
	# a trailing newline is stripped: the same passphrase without it works
	printf 'correct horse' >pw2 && chmod 600 pw2
	expect_exit 0 "$CAIRN" decrypt --passphrase-file pw2 c
	# armored and --passphrase-file implying -p
	expect_exit 0 "$CAIRN" encrypt -a --passphrase-file pw -o ca p
	expect_exit 0 "$CAIRN" decrypt --passphrase-file pw -o da ca
	assert_same p da
}

@test "passphrase: empty or oversized passphrase files are refused" {
	: >empty
	printf '\n' >nl
	head -c 2000 /dev/zero | tr '\0' x >big
	echo x >p
	expect_exit 1 "$CAIRN" encrypt --passphrase-file empty p
	assert_stderr_has "empty passphrase"
	expect_exit 1 "$CAIRN" encrypt --passphrase-file nl p
	expect_exit 1 "$CAIRN" encrypt --passphrase-file big p
	assert_stderr_has "too long"
	expect_exit 2 "$CAIRN" encrypt -r age1x --passphrase-file nl p
}

@test "passphrase: scrypt file and no terminal gives exit 3 with a hint" {
	printf 'pw\n' >pw
	echo x | "$CAIRN" encrypt --passphrase-file pw -o c
	expect_exit 3 setsid -w "$CAIRN" decrypt c </dev/null
	assert_stderr_has "--passphrase-file"
}

@test "passphrase on a terminal (pty): encrypt asks twice, decrypt once" {
	echo "typed secret" >p
	on_pty "$CAIRN encrypt -p -o c p" 'hunter2\nhunter2\n'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Confirm passphrase"* ]]
	on_pty "$CAIRN decrypt -o d c" 'hunter2\n'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	assert_same p d
	on_pty "$CAIRN decrypt -o d2 c" 'wrong\n'
	[ "$status" -eq 3 ]
	# a mistyped confirmation is asked again (issue 14, item 18) ...
	on_pty "$CAIRN encrypt -p -o c3 p" 'one\ntwo\nhunter3\nhunter3\n'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"passphrases do not match; try again (2 of 3)"* ]]
	on_pty "$CAIRN decrypt -o d3 c3" 'hunter3\n'
	[ "$status" -eq 0 ] && assert_same p d3
	# ... three times at most
	on_pty "$CAIRN encrypt -p -o c4 p" 'a\nb\nc\nd\ne\nf\ng\ng\n'
	[ "$status" -eq 1 ]
	[[ "$output" == *"passphrases do not match (3 tries)"* ]]
	[ ! -e c4 ]
}

@test "interop: age -p (via pty) -> cairn, and cairn -p -> age -d (via pty)" {
	printf 'pw-interop\n' >pw
	payload 100000 p
	on_pty "age -p -o c1 p" 'pw-interop\npw-interop\n'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	expect_exit 0 "$CAIRN" decrypt --passphrase-file pw -o d1 c1
	assert_same p d1
	"$CAIRN" encrypt -a --passphrase-file pw -o c2 p
	on_pty "age -d -o d2 c2" 'pw-interop\n'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	assert_same p d2
}

@test "keygen --passphrase-file: encrypted identity usable by cairn and age" {
	printf 'idpass\n' >pw
	printf 'other\n' >wrong
	expect_exit 0 "$CAIRN" keygen --passphrase-file pw -o key
	rec=$output
	[ "$(stat -c %a key)" = 600 ]
	head -1 key | grep -qx -- '-----BEGIN AGE ENCRYPTED FILE-----'
	run ! grep -q AGE-SECRET-KEY key
	expect_exit 0 "$CAIRN" pubkey -i key --passphrase-file pw
	[ "$output" = "$rec" ]
	expect_exit 3 "$CAIRN" pubkey -i key --passphrase-file wrong
	expect_exit 2 setsid -w "$CAIRN" pubkey -i key </dev/null
	assert_stderr_has "no terminal"
	echo "locked" | "$CAIRN" encrypt -r "$rec" -o c
	expect_exit 0 "$CAIRN" decrypt -i key --passphrase-file wrong --passphrase-file pw c
	[ "$output" = locked ]
	# age decrypts the identity file itself to age's plain format
	on_pty "age -d -o plainkey key" 'idpass\n'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	grep -qx "# public key: $rec" plainkey
	[ "$(age-keygen -y plainkey)" = "$rec" ]
	# and cairn asks for the identity passphrase on a terminal
	on_pty "$CAIRN decrypt -i key -o d c" 'idpass\n'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(cat d)" = locked ]
}

# ---- must-fail cases --------------------------------------------------------

@test "wrong key: exit 3 with a hint, nothing written" {
	rec=$(cairn_key k1)
	cairn_key k2 >/dev/null
	echo x | "$CAIRN" encrypt -r "$rec" -o c
	expect_exit 3 "$CAIRN" decrypt -i k2 -o out c
	assert_stderr_has "no identity matched"
	assert_stderr_has "cairn: hint:"
	[ ! -e out ]
	assert_no_temp .
}

@test "flipped byte in the header (MAC, stanza) fails with 4" {
	rec=$(cairn_key key)
	payload 1000 p
	"$CAIRN" encrypt -r "$rec" -o c p
	mac=$(grep -abo -- '--- ' c | head -1 | cut -d: -f1)
	cp c c1 && flip_byte c1 $((mac + 4))
	expect_exit 4 "$CAIRN" decrypt -i key -o out c1
	[ ! -e out ]
	# the version line
	cp c c2 && flip_byte c2 3
	expect_exit 4 "$CAIRN" decrypt -i key c2
	[ -z "$output" ]
	# the same against age-made files
	age -r "$rec" -o ac p
	mac=$(grep -abo -- '--- ' ac | head -1 | cut -d: -f1)
	flip_byte ac $((mac + 10))
	expect_exit 4 "$CAIRN" decrypt -i key ac
	assert_no_temp .
}

@test "flipped byte in the payload fails with 4, no output file" {
	rec=$(cairn_key key)
	payload 200000 p
	"$CAIRN" encrypt -r "$rec" -o c p
	size=$(stat -c %s c)
	for off in $((size - 1)) $((size - 70000)) $((size - 150000)); do
		cp c cf && flip_byte cf "$off"
		expect_exit 4 "$CAIRN" decrypt -i key -o out cf
		[ ! -e out ]
	done
	assert_no_temp .
	# armored: a flipped base64 character
	"$CAIRN" encrypt -a -r "$rec" -o ca p
	sed '5s/^A/B/;t;5s/^./A/' ca >caf
	run ! cmp -s ca caf
	expect_exit 4 "$CAIRN" decrypt -i key caf
}

@test "truncated file fails with 4; -o leaves no file; stdout gets only authenticated chunks" {
	rec=$(cairn_key key)
	payload $((3 * 65536 + 100)) p
	"$CAIRN" encrypt -r "$rec" -o c p
	size=$(stat -c %s c)
	head -c $((size - 50)) c >t1
	expect_exit 4 "$CAIRN" decrypt -i key -o out t1
	assert_stderr_has "corrupted or truncated"
	[ ! -e out ]
	assert_no_temp .
	# truncated at a chunk boundary (final chunk missing)
	head -c $((size - 116)) c >t2
	expect_exit 4 "$CAIRN" decrypt -i key -o out t2
	[ ! -e out ]
	# truncated inside the header
	head -c 40 c >t3
	expect_exit 4 "$CAIRN" decrypt -i key -o out t3
	[ ! -e out ]
	: >t4
	expect_exit 4 "$CAIRN" decrypt -i key -o out t4
	[ ! -e out ]
	assert_no_temp .
	# to stdout: exactly the three authenticated chunks come out
	set +e
	"$CAIRN" decrypt -i key t1 >partial 2>/dev/null
	rc=$?
	set -e
	[ "$rc" -eq 4 ]
	[ "$(stat -c %s partial)" -eq $((3 * 65536)) ]
	head -c $((3 * 65536)) p | cmp - partial
}

@test "same input and output file refused (exit 2), also with --force" {
	rec=$(cairn_key key)
	echo data >f
	expect_exit 2 "$CAIRN" encrypt -r "$rec" -o f f
	assert_stderr_has "same file"
	expect_exit 2 "$CAIRN" encrypt -r "$rec" --force -o f f
	[ "$(cat f)" = data ]
	ln f hard
	expect_exit 2 "$CAIRN" encrypt -r "$rec" --force -o hard f
	"$CAIRN" encrypt -r "$rec" -o c f
	cp c c.orig
	expect_exit 2 "$CAIRN" decrypt -i key --force -o c c
	assert_same c c.orig
	# stdout appended to the input file
	run bash -c '"$CAIRN" decrypt -i key c >>c'
	[ "$status" -eq 2 ]
	assert_same c c.orig
}

@test "existing output refused without --force, replaced with it" {
	rec=$(cairn_key key)
	echo new >p
	echo old >out
	expect_exit 1 "$CAIRN" encrypt -r "$rec" -o out p
	assert_stderr_has "file exists"
	assert_stderr_has "--force"
	[ "$(cat out)" = old ]
	expect_exit 0 "$CAIRN" encrypt -r "$rec" --force -o out p
	expect_exit 0 "$CAIRN" decrypt -i key -o d out
	[ "$(cat d)" = new ]
	expect_exit 1 "$CAIRN" decrypt -i key -o d out
	expect_exit 0 "$CAIRN" decrypt -i key --force -o d out
	[ "$(stat -c %a d)" = 600 ]
	assert_no_temp .
}

@test "identity file readable by others refused (1) with chmod hint; symlink refused" {
	rec=$(cairn_key key)
	echo x | "$CAIRN" encrypt -r "$rec" -o c
	chmod 644 key
	expect_exit 1 "$CAIRN" decrypt -i key c
	assert_stderr_has "cairn: hint: chmod 600 key"
	[ -z "$output" ]
	expect_exit 1 "$CAIRN" pubkey -i key
	chmod 640 key
	expect_exit 1 "$CAIRN" decrypt -i key c
	chmod 600 key
	ln -s key link
	expect_exit 1 "$CAIRN" decrypt -i link c
	assert_stderr_has "symbolic link"
	expect_exit 0 "$CAIRN" decrypt -i key c
}

@test "stdin used twice is refused" {
	cairn_key key >/dev/null
	expect_exit 2 "$CAIRN" decrypt -i - </dev/null
	assert_stderr_has "standard input is used twice"
}

@test "binary ciphertext is not written to a terminal" {
	rec=$(cairn_key key)
	echo x >p
	on_pty "$CAIRN encrypt -r $rec p" ''
	[ "$status" -eq 2 ]
	[[ "$output" == *"terminal"* ]]
	on_pty "$CAIRN encrypt -a -r $rec p" ''
	[ "$status" -eq 0 ]
}

@test "closed stdout pipe: quiet exit 141" {
	rec=$(cairn_key key)
	payload 5000000 p
	"$CAIRN" encrypt -r "$rec" -o c p
	run bash -c '"$CAIRN" decrypt -i key c 2>err | head -c 10 >/dev/null; echo "${PIPESTATUS[0]}"'
	[ "$output" = 141 ]
	[ ! -s err ]
}

@test "closed stdout pipe: every verb that prints to stdout exits 141 quietly" {
	# closed CMD...: run CMD with stdout a pipe whose reader is already gone
	# (deterministic, unlike '| head -c1'); stderr must stay empty but for
	# split --print's warning that shares are on show.
	closed() {
		run --separate-stderr perl -e 'pipe(my $r, my $w) or die; close $r;
			open(STDOUT, ">&", $w) or die; exec @ARGV or die' -- "$@"
		stderr=$(printf '%s' "$stderr" | grep -v '^cairn: warning: the shares are shown' || true)
		if [ "$status" -ne 141 ] || [ -n "$stderr" ]; then
			echo "$*: exit $status, stderr: $stderr"
			return 1
		fi
	}
	export CAIRN_HOME=$PWD/home
	"$CAIRN" keygen >/dev/null 2>&1
	rec=$(cat home/recipients | grep '^age1')
	mkdir ev && echo hi >ev/a
	"$CAIRN" seal -r "$rec" -o a.cairn ev 2>/dev/null
	"$CAIRN" split -t 2 -n 2 -o sh home/identity >/dev/null
	closed "$CAIRN" pubkey
	closed "$CAIRN" pubkey --json
	closed "$CAIRN" pubkey --signing
	closed "$CAIRN" keygen -o k2
	closed "$CAIRN" list a.cairn
	closed "$CAIRN" list --json a.cairn
	closed "$CAIRN" verify a.cairn
	closed "$CAIRN" verify --json a.cairn
	closed "$CAIRN" open -C o1 a.cairn
	closed "$CAIRN" open --json -C o2 a.cairn
	(mkdir s && cd s && closed "$CAIRN" seal -r "$rec" ../ev) # names it
	closed "$CAIRN" seal --json -r "$rec" -o c.cairn ev
	closed "$CAIRN" share check sh/share-01.txt
	closed "$CAIRN" share check --json sh/share-01.txt
	closed "$CAIRN" split -t 2 -n 2 -o sh2 home/identity
	closed "$CAIRN" split --json -t 2 -n 2 -o sh3 home/identity
	closed "$CAIRN" split --print -t 2 -n 2 -o sh4 home/identity
	closed "$CAIRN" combine sh/share-01.txt sh/share-02.txt
	closed "$CAIRN" decrypt -i home/identity a.cairn
	# the must-fail side: a reader that stays gives exit 0
	"$CAIRN" share check sh/share-01.txt | cat >/dev/null
}

@test "SIGTERM while writing -o removes the temp file (exit 143)" {
	rec=$(cairn_key key)
	payload 300000 p
	"$CAIRN" encrypt -r "$rec" -o c p
	mkfifo fifo
	"$CAIRN" decrypt -i key -o out fifo 3>&- &
	pid=$!
	exec 5<>fifo
	head -c 100000 c >&5
	for _ in $(seq 100); do
		[ -n "$(find . -maxdepth 1 -name '.out.*')" ] && break
		sleep 0.05
	done
	[ -n "$(find . -maxdepth 1 -name '.out.*')" ]
	kill -TERM "$pid"
	set +e
	wait "$pid"
	rc=$?
	set -e
	exec 5>&-
	[ "$rc" -eq 143 ]
	[ ! -e out ]
	assert_no_temp .
}

@test "SIGINT at a passphrase prompt restores terminal echo (exit 130)" {
	printf 'pw\n' >pw
	echo x | "$CAIRN" encrypt --passphrase-file pw -o c
	cat >t.sh <<-EOF
	trap '' INT
	"$CAIRN" decrypt c
	echo "rc=\$?"
	stty -a | tr ' ;' '\n\n' | grep -x -e echo -e -echo
	EOF
	run bash -c '(sleep 2; printf "\003"; sleep 1) | timeout 60 script -qec "sh t.sh" /dev/null'
	[[ "$output" == *"Enter passphrase"* ]]
	[[ "$output" == *"rc=130"* ]] || { echo "$output"; false; }
	[[ "$output" == *$'\n'"echo"* ]] || { echo "$output"; false; }
	[[ "$output" != *"-echo"* ]]
}

@test "core dumps are off while cairn waits for input" {
	hard=$(ulimit -H -c)
	[ "$hard" != 0 ] || skip "core dumps already impossible (hard limit 0)"
	cairn_key key >/dev/null
	mkfifo fifo
	(ulimit -S -c "$hard"; exec "$CAIRN" decrypt -i key fifo 3>&- >/dev/null 2>&1) &
	pid=$!
	ok=
	for _ in $(seq 100); do
		if grep -Eq '^Max core file size +0 +0 ' "/proc/$pid/limits" 2>/dev/null; then
			ok=1
			break
		fi
		sleep 0.05
	done
	exec 5<>fifo
	exec 5>&-
	wait "$pid" || true
	[ -n "$ok" ] || { cat "/proc/$pid/limits" 2>/dev/null; false; }
}

@test "injected I/O and allocation failures: clean errors, no partial output" {
	rec=$(cairn_key key)
	payload 200000 p
	"$CAIRN" encrypt -r "$rec" -o c p
	for n in $(seq 1 70); do
		for verb in encrypt decrypt; do
			if [ $verb = encrypt ]; then
				args=(encrypt -r "$rec" -o "o$n" p)
				out="o$n"
			else
				args=(decrypt -i key -o "d$n" c)
				out="d$n"
			fi
			set +e
			CAIRN_FAULT=$n "$CAIRN" "${args[@]}" 2>err
			rc=$?
			set -e
			if grep -q -e Sanitizer -e 'runtime error' err; then
				echo "fault $n $verb:"; cat err; false
			fi
			if [ $rc -ne 0 ]; then
				[ $rc -eq 1 ] || { echo "fault $n $verb: exit $rc"; cat err; false; }
				grep -q '^cairn: error: ' err
			fi
			# whatever exists at OUT is complete
			if [ -e "$out" ] && [ $verb = decrypt ]; then
				assert_same p "$out"
			elif [ -e "$out" ]; then
				"$CAIRN" decrypt -i key "$out" | cmp - p
			fi
		done
	done
	assert_no_temp .
}
