#!/usr/bin/env bats
# tests/cli/hostile.bats - hostile input through the CLI, each case with
# the exit code it must give: the CCTV age vectors, cut and reordered
# STREAM chunks, oversized headers, hostile identity and passphrase files,
# and (once seal/open land) hostile archives.  Every failure must leave no
# output file and no temp file, and stderr must hold no raw control bytes.
#
# Exit codes (README, cairn --help): 1 other (I/O, permissions, limits,
# unsupported), 2 usage, 3 no match, 4 integrity, 5 signature.

load helpers

CCTV="$CAIRN_TOP/tests/vectors/age-cctv"

# cctv_body VECTOR OUT: the age file of a CCTV vector (zlib-inflated when
# the vector says "compressed: zlib").
cctv_body() {
	perl -MCompress::Zlib -e '
		local $/; open(my $f, "<", $ARGV[0]) or die; binmode $f;
		my ($h, $b) = split(/\n\n/, <$f>, 2);
		$b = uncompress($b) if $h =~ /^compressed: zlib$/m;
		defined $b or die "bad zlib"; binmode STDOUT; print $b;' "$1" >"$2"
}

# header_len FILE: bytes of the age header (up to and including the MAC
# line) of a binary age file.
header_len() {
	local off
	off=$(grep -abo -m1 -- '^--- ' "$1" | head -1 | cut -d: -f1)
	echo $((off + 48)) # "--- " + 43 base64 + "\n"
}

# expect_fail CODE OUT CMD...: CMD exits CODE, OUT does not exist, no temp
# file is left in the directory, stderr has no raw control bytes.
expect_fail() {
	local code=$1 out=$2
	shift 2
	expect_exit "$code" "$@"
	[ ! -e "$out" ] || { echo "$out exists after a failure"; return 1; }
	assert_no_temp "$(dirname "$out")"
	assert_no_stderr_control
}

# ---- the CCTV vectors ------------------------------------------------------

@test "CCTV vectors through cairn decrypt: exit 0/3/4 as the vector expects" {
	# Deliberate differences from the vectors' classes (cairn's exit code
	# table): a version other than v1 and an scrypt work factor above 22
	# (also one that overflows) are "unsupported" (exit 1), not malformed.
	# Post-quantum hybrid identities are unsupported by cairn: skipped.
	local n=0 bad=0 v name want
	for v in "$CCTV"/*; do
		name=$(basename "$v")
		case $name in *.md | LICENSE | SOURCE) continue ;; esac
		grep -aq '^identity: AGE-SECRET-KEY-PQ-' "$v" && continue
		cctv_body "$v" in
		rm -f id pf* out
		args=()
		if grep -aq '^identity: ' "$v"; then
			sed -n 's/^identity: //p' "$v" >id
			chmod 600 id
			args+=(-i id)
		fi
		i=0
		while IFS= read -r p; do
			i=$((i + 1))
			printf '%s' "$p" >"pf$i"
			chmod 600 "pf$i"
			args+=(--passphrase-file "pf$i")
		done < <(sed -n 's/^passphrase: //p' "$v")
		case $(sed -n 's/^expect: //p' "$v" | head -1) in
		success) want=0 ;;
		"no match") want=3 ;;
		*) want=4 ;;
		esac
		case $name in
		version_unsupported | scrypt_work_factor_23 | \
		    scrypt_work_factor_overflow) want=1 ;;
		esac
		n=$((n + 1))
		run --separate-stderr "$CAIRN" decrypt "${args[@]}" -o out in
		if [ "$status" -ne "$want" ]; then
			echo "$name: want exit $want, got $status: $stderr"
			bad=$((bad + 1))
			continue
		fi
		if [ "$want" -eq 0 ]; then
			sum=$(sed -n 's/^payload: //p' "$v")
			[ "$(sha256sum <out | cut -d' ' -f1)" = "$sum" ] || {
				echo "$name: wrong plaintext"
				bad=$((bad + 1))
			}
		elif [ -e out ]; then
			echo "$name: output left after exit $status"
			bad=$((bad + 1))
		fi
		if printf '%s' "$stderr" | tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]'; then
			echo "$name: raw control bytes on stderr"
			bad=$((bad + 1))
		fi
	done
	echo "# $n vectors checked"
	[ "$n" -ge 120 ]
	[ "$bad" -eq 0 ]
	assert_no_temp .
}

# ---- STREAM chunks ---------------------------------------------------------

# A 4-chunk ciphertext c of p (3 full chunks and a short one) and the
# offsets: H = header + nonce, E = encrypted chunk size.
make_chunked() {
	rec=$("$CAIRN" keygen -o key)
	payload $((3 * 65536 + 1000)) p
	"$CAIRN" encrypt -r "$rec" -o c p
	H=$(($(header_len c) + 16))
	E=65552
	[ "$(stat -c %s c)" -eq $((H + 3 * E + 1000 + 16)) ]
}

# chunk N FILE: bytes of encrypted chunk N (0-based) of c.
chunk() {
	tail -c +$((H + $1 * E + 1)) c | head -c "$E"
}

@test "STREAM: reordered, duplicated, dropped, truncated chunks: exit 4" {
	make_chunked
	head -c "$H" c >pre
	# the pieces re-assembled in order give the original back (sanity)
	{ cat pre; chunk 0; chunk 1; chunk 2; chunk 3; } >same
	assert_same c same
	{ cat pre; chunk 1; chunk 0; chunk 2; chunk 3; } >swapped
	{ cat pre; chunk 0; chunk 0; chunk 1; chunk 2; chunk 3; } >dup
	{ cat pre; chunk 0; chunk 2; chunk 3; } >dropped
	{ cat pre; chunk 0; chunk 1; chunk 2; } >nofinal
	{ cat pre; chunk 0; chunk 1; chunk 3; chunk 3; } >twofinal
	{ cat c; printf 'x'; } >trailing
	head -c $((H + 2 * E)) c >cut_at_boundary
	head -c $(($(stat -c %s c) - 1)) c >cut_short
	head -c "$H" c >no_chunks
	head -c $((H - 5)) c >no_nonce
	for f in swapped dup dropped nofinal twofinal trailing \
	    cut_at_boundary cut_short no_chunks no_nonce; do
		expect_fail 4 "$f.out" "$CAIRN" decrypt -i key -o "$f.out" "$f"
	done
}

@test "STREAM: to stdout, only authenticated whole chunks come out" {
	make_chunked
	{ head -c "$H" c; chunk 0; chunk 1; chunk 3; } >bad
	expect_exit 4 "$CAIRN" decrypt -i key bad
	run bash -c '"$CAIRN" decrypt -i key bad 2>/dev/null | wc -c'
	[ "$output" -eq $((2 * 65536)) ]
	"$CAIRN" decrypt -i key bad 2>/dev/null | cmp -n $((2 * 65536)) - p
	flip_byte c $((H + E + 100))
	run bash -c '"$CAIRN" decrypt -i key c 2>/dev/null | wc -c'
	[ "$output" -eq 65536 ]
}

# ---- oversized headers -------------------------------------------------------

# with_stanzas K IN OUT: IN with K empty-body stanzas inserted after the
# version line (the MAC no longer matches).
with_stanzas() {
	{
		head -n 1 "$2"
		for _ in $(seq "$1"); do printf -- '-> x\n\n'; done
		tail -n +2 "$2"
	} >"$3"
}

@test "headers: stanza count and size limits (exit 1), bad MAC (exit 4)" {
	rec=$("$CAIRN" keygen -o key)
	printf 'secret' >p
	"$CAIRN" encrypt -r "$rec" -o c p
	n=$(grep -ac '^-> ' c)
	# up to AGE_MAX_STANZAS (64) stanzas parse; the MAC then fails
	with_stanzas $((64 - n)) c ok64
	expect_fail 4 o "$CAIRN" decrypt -i key -o o ok64
	assert_stderr_has "MAC"
	with_stanzas $((65 - n)) c over65
	expect_fail 1 o "$CAIRN" decrypt -i key -o o over65
	assert_stderr_has "limit"
	with_stanzas 5000 c over5000
	expect_fail 1 o "$CAIRN" decrypt -i key -o o over5000
	# one stanza with a body over AGE_MAX_HEADER_LEN (64 KiB)
	{
		head -n 1 c
		printf -- '-> big\n'
		for _ in $(seq 1400); do
			printf '%064d\n' 0 | tr 0 A
		done
		printf '\n'
		tail -n +2 c
	} >huge
	expect_fail 1 o "$CAIRN" decrypt -i key -o o huge
	assert_stderr_has "limit"
	# a header that never ends (full body lines forever): refused at the
	# limit, without reading all of it
	{
		head -n 1 c
		printf -- '-> x\n'
		for _ in $(seq 20000); do printf '%064d\n' 0 | tr 0 A; done
	} >endless
	expect_fail 1 o "$CAIRN" decrypt -i key -o o endless
	assert_stderr_has "limit"
	# an argument line of 100 KiB
	{ head -n 1 c; printf -- '-> '; head -c 102400 /dev/zero | tr '\0' a; printf '\n'; } >longline
	run --separate-stderr "$CAIRN" decrypt -i key -o o longline
	[ "$status" -eq 1 ] || [ "$status" -eq 4 ]
	[ ! -e o ]
}

@test "not an age file, empty input, binary garbage, armor garbage: exit 4" {
	rec=$("$CAIRN" keygen -o key)
	: >empty
	printf 'hello world\n' >text
	head -c 5000 /dev/urandom >garbage
	printf -- '-----BEGIN AGE ENCRYPTED FILE-----\n%%%%%%%%\n-----END AGE ENCRYPTED FILE-----\n' >badarmor
	printf 'age-encryption.org/v1\n' >versiononly
	for f in empty text garbage badarmor versiononly; do
		expect_fail 4 o "$CAIRN" decrypt -i key -o o "$f"
	done
}

# ---- identity and passphrase files -------------------------------------------

@test "identity files: world-readable, symlinked, malformed, empty, huge" {
	rec=$("$CAIRN" keygen -o key)
	printf 'x' | "$CAIRN" encrypt -r "$rec" -o c
	cp key open && chmod 644 open
	expect_fail 1 o "$CAIRN" decrypt -i open -o o c
	assert_stderr_has "chmod 600"
	cp key grp && chmod 640 grp
	expect_fail 1 o "$CAIRN" decrypt -i grp -o o c
	ln -s key link
	expect_fail 1 o "$CAIRN" decrypt -i link -o o c
	assert_stderr_has "symbolic link"
	printf 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n' >bad
	chmod 600 bad
	# a malformed key file is the user's bad argument: exit 1, with the line
	expect_fail 1 o "$CAIRN" decrypt -i bad -o o c
	assert_stderr_has "bad:1: malformed identity"
	printf '# only a comment\n' >nokey && chmod 600 nokey
	expect_fail 1 o "$CAIRN" decrypt -i nokey -o o c
	: >emptyid && chmod 600 emptyid
	expect_fail 1 o "$CAIRN" decrypt -i emptyid -o o c
	# a key line with an ANSI escape: reported escaped
	printf '# x\nAGE-SECRET-KEY-1\033[31mX\n' >esc && chmod 600 esc
	expect_fail 1 o "$CAIRN" decrypt -i esc -o o c
	assert_stderr_has "esc:2:"
	head -c $((2 * 1024 * 1024)) /dev/zero >huge && chmod 600 huge
	expect_fail 1 o "$CAIRN" decrypt -i huge -o o c
	mkdir dir
	expect_fail 1 o "$CAIRN" decrypt -i dir -o o c
	expect_fail 1 o "$CAIRN" decrypt -i missing -o o c
	# the right key still works, and wrong recipients give exit 3
	expect_exit 0 "$CAIRN" decrypt -i key -o o c
	"$CAIRN" keygen -o other >/dev/null
	expect_fail 3 o2 "$CAIRN" decrypt -i other -o o2 c
}

@test "passphrase files: empty, too long, missing; never from argv or env" {
	printf 'x' >p
	: >empty && chmod 600 empty
	expect_fail 1 c "$CAIRN" encrypt --passphrase-file empty -o c p
	head -c 1025 /dev/zero | tr '\0' a >long && chmod 600 long
	expect_fail 1 c "$CAIRN" encrypt --passphrase-file long -o c p
	expect_fail 1 c "$CAIRN" encrypt --passphrase-file nosuch -o c p
	expect_fail 2 c "$CAIRN" encrypt --passphrase=x -o c p
	expect_fail 2 c "$CAIRN" encrypt --passphrase x -o c p
	# decrypt has no --passphrase; getopt_long takes the abbreviation
	# as --passphrase-file, so "x" is a file name, never a passphrase
	expect_fail 1 o "$CAIRN" decrypt --passphrase=x -o o p
	assert_stderr_has "x: No such file"
	expect_fail 2 o "$CAIRN" decrypt -p x -o o p
	CAIRN_PASSPHRASE=x AGE_PASSPHRASE=x run --separate-stderr \
	    "$CAIRN" encrypt -p -o c p </dev/null
	[ "$status" -ne 0 ]
	[ ! -e c ]
}
