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
	# One perl run unpacks every vector into v/NAME.{age,id,pass*,want,sum}.
	mkdir v
	perl -MCompress::Zlib -e '
		umask 077;
		for my $path (@ARGV) {
			my ($name) = $path =~ m{([^/]+)$};
			next if $name =~ /^(README\.md|LICENSE|SOURCE)$/;
			open(my $f, "<", $path) or die; binmode $f;
			local $/; my ($h, $b) = split(/\n\n/, <$f>, 2);
			next if $h =~ /^identity: AGE-SECRET-KEY-PQ-/m;
			$b = uncompress($b) if $h =~ /^compressed: zlib$/m;
			defined $b or die "$name: bad zlib";
			my %want = ("success" => 0, "no match" => 3);
			my ($exp) = $h =~ /^expect: (.*)$/m;
			my $w = exists $want{$exp} ? $want{$exp} : 4;
			$w = 1 if $name =~ /^(version_unsupported|scrypt_work_factor_(23|overflow))$/;
			my %out = (age => $b, want => "$w\n");
			($out{sum}) = $h =~ /^payload: (.*)$/m;
			my @ids = $h =~ /^identity: (.*)$/mg;
			$out{id} = join("", map { "$_\n" } @ids) if @ids;
			my @pw = $h =~ /^passphrase: (.*)$/mg;
			$out{"pass$_"} = $pw[$_ - 1] for 1 .. @pw;
			for my $k (keys %out) {
				next unless defined $out{$k};
				open(my $o, ">", "v/$name.$k") or die; binmode $o;
				print $o $out{$k}; close $o;
			}
		}' "$CCTV"/*
	local n=0 bad=0 a name want
	for a in v/*.age; do
		name=${a%.age}
		args=()
		[ -e "$name.id" ] && args+=(-i "$name.id")
		for p in "$name".pass*; do
			[ -e "$p" ] && args+=(--passphrase-file "$p")
		done
		want=$(cat "$name.want")
		n=$((n + 1))
		rm -f out
		run --separate-stderr "$CAIRN" decrypt "${args[@]}" -o out "$a"
		if [ "$status" -ne "$want" ]; then
			echo "${name#v/}: want exit $want, got $status: $stderr"
			bad=$((bad + 1))
			continue
		fi
		if [ "$want" -eq 0 ]; then
			[ "$(sha256sum <out | cut -d' ' -f1)" = "$(cat "$name.sum")" ] || {
				echo "${name#v/}: wrong plaintext"
				bad=$((bad + 1))
			}
		elif [ -e out ]; then
			echo "${name#v/}: output left after exit $status"
			bad=$((bad + 1))
		fi
		if [[ "$stderr" == *[$'\x01'-$'\x09'$'\x0b'-$'\x1f'$'\x7f']* ]]; then
			echo "${name#v/}: raw control bytes on stderr"
			bad=$((bad + 1))
		fi
	done
	echo "# $n vectors checked" >&3
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
	A64=$(printf 'A%.0s' $(seq 64))
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
		yes "$A64" | head -n 1400
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
		yes "$A64" | head -n 20000
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
	# decrypt has no --passphrase, and abbreviated long options are
	# refused (not taken as --passphrase-file); the value is never echoed
	expect_fail 2 o "$CAIRN" decrypt --passphrase=s3cr3t -o o p
	assert_stderr_has "long options must be written in full"
	[[ "$stderr" != *s3cr3t* ]]
	expect_fail 2 c "$CAIRN" encrypt --passph=s3cr3t -o c p
	[[ "$stderr" != *s3cr3t* ]]
	expect_fail 2 c "$CAIRN" encrypt --bogus=s3cr3t -o c p
	[[ "$stderr" != *s3cr3t* ]]
	expect_fail 2 o "$CAIRN" decrypt -p x -o o p
	CAIRN_PASSPHRASE=x AGE_PASSPHRASE=x run --separate-stderr \
	    "$CAIRN" encrypt -p -o c p </dev/null
	[ "$status" -ne 0 ]
	[ ! -e c ]
}

# ---- hostile archives ----------------------------------------------------------
#
# Built from a valid signed archive: decrypted with age, unpacked with tar,
# changed, repacked (GNU tar or bsdtar, members in a given order) and
# encrypted again with age, so that only the tar and what is inside it is
# hostile.  (seal.bats covers ../x, /abs, links, devices, and manifests
# that disagree with the tar; these are the remaining cases.)

MEMBERS=(manifest.json in in/hello.txt in/sub in/sub/data.bin SHA256SUMS SHA256SUMS.minisig)

# archive: keys (age "id", $R; minisign sign.key/sign.pub), a signed
# archive a.cairn of "in" and its members unpacked into x/.
archive() {
	stock_keys
	mkdir -p in/sub
	printf 'hello\n' >in/hello.txt
	payload 3000 in/sub/data.bin
	"$CAIRN" seal -r "$R" -s sign.key -o a.cairn in 2>/dev/null
	mkdir x
	age -d -i id a.cairn | tar -xpf - -C x
}

# pack DIR OUT [TAR OPTIONS...] -- MEMBER...: tar (ustar unless the options
# say otherwise; -P keeps hostile names) and encrypt to $R.
pack() {
	local dir=$1 out=$2 opts=()
	shift 2
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	(cd "$dir" && tar --format=ustar -P --no-recursion --owner=0 --group=0 \
	    --numeric-owner "${opts[@]}" -cf - -- "$@") >"$out.tar"
	age -r "$R" -o "$out" "$out.tar"
}

# resign DIR: SHA256SUMS recomputed from the manifest and signed with
# sign.key and the trusted comment cairn expects.
resign() {
	local id at
	id=$(jq -r .archive_id "$1/manifest.json")
	at=$(jq -r .sealed_at "$1/manifest.json")
	(cd "$1" && {
		sha256sum manifest.json
		jq -r '.entries[] | select(.type == "file") | .path' \
		    manifest.json | while IFS= read -r p; do sha256sum -- "$p"; done
	} >SHA256SUMS)
	rm -f "$1/SHA256SUMS.minisig"
	minisign -S -s sign.key -m "$1/SHA256SUMS" -t "${2:-cairn-archive archive_id:$id sealed_at:$at}" \
	    >/dev/null </dev/null
}

# refused CODE ARCHIVE: verify and open exit CODE; open leaves neither
# its directory nor a staging directory; nothing escaped; stderr holds no
# raw escape or other control byte.
refused() {
	expect_exit "$1" "$CAIRN" verify -i id "$2"
	assert_no_stderr_control
	expect_exit "$1" "$CAIRN" open -i id -C out "$2"
	assert_no_stderr_control
	if printf '%s' "$stderr" | grep -qP '\x1b'; then
		echo "raw ESC on stderr"
		return 1
	fi
	[ ! -e out ] || { echo "out exists"; return 1; }
	[ -z "$(find . -maxdepth 1 -name '.*cairn-*')" ] || {
		echo "staging left"
		return 1
	}
	[ ! -e escaped ] && [ ! -e ../escaped ] && [ ! -e ../../escaped ]
}

# tar_set_size TAR MEMBER SIZE: set a ustar member's size field (and
# header checksum) in place, so that the header lies about the data.
tar_set_size() {
	perl -e '
		my ($tar, $name, $size) = @ARGV;
		open(my $f, "+<", $tar) or die "$tar: $!"; binmode $f;
		my $off = 0;
		while (read($f, my $h, 512) == 512) {
			last if $h =~ /^\0{512}$/;
			my ($n) = unpack("Z100", $h);
			my $sz = oct(substr($h, 124, 12) =~ s/[\0 ]//gr);
			if ($n eq $name) {
				substr($h, 124, 12) = sprintf("%011o\0", $size);
				substr($h, 148, 8) = " " x 8;
				substr($h, 148, 8) = sprintf("%06o\0 ", unpack("%32C*", $h));
				seek($f, $off, 0); print $f $h; exit 0;
			}
			$off += 512 + int(($sz + 511) / 512) * 512;
			seek($f, $off, 0);
		}
		die "$name not found\n";' "$@"
}

@test "archive: the unchanged repack verifies (sanity for the cases below)" {
	archive
	pack x ok.cairn -- "${MEMBERS[@]}"
	expect_exit 0 "$CAIRN" verify -i id --signer sign.pub ok.cairn
}

@test "archive: '..' through a pax path= record and a GNU long name: 4" {
	archive
	long="in/$(printf 'd%.0s' $(seq 120))/../../../escaped"
	pack x pax.cairn --format=pax --transform "s,^in/hello.txt\$,$long," -- "${MEMBERS[@]}"
	grep -aq "path=$long" pax.cairn.tar
	refused 4 pax.cairn
	assert_stderr_has "'..' path component"
	pack x gnu.cairn --format=gnu --transform "s,^in/hello.txt\$,$long," -- "${MEMBERS[@]}"
	grep -aq '././@LongLink' gnu.cairn.tar
	refused 4 gnu.cairn
	assert_stderr_has "'..' path component"
	# a long name without '..' is fine in both forms (the reader applies
	# the records; the manifest then disagrees: 4 for that reason)
	ok="in/$(printf 'e%.0s' $(seq 120))"
	pack x paxok.cairn --format=pax --transform "s,^in/hello.txt\$,$ok," -- "${MEMBERS[@]}"
	refused 4 paxok.cairn
	assert_stderr_has "where the manifest lists in/hello.txt"
}

@test "archive: symlink x -> .. then x/escaped: refused at the link" {
	archive
	cp -a x y
	ln -s .. y/in/x
	cp x/in/hello.txt y/in/xfile
	touch -r x/in y/in
	pack y s.cairn --transform 's,^in/xfile$,in/x/escaped,' -- \
	    manifest.json in in/x in/xfile in/sub in/sub/data.bin SHA256SUMS SHA256SUMS.minisig
	tar -tf s.cairn.tar | grep -qx 'in/x/escaped'
	refused 4 s.cairn
	assert_stderr_has "symbolic link"
}

@test "archive: control characters and ANSI escapes in names are refused and never echoed raw" {
	archive
	n=0
	for name in $'in/\e[31mred\e[0m' $'in/\e]0;title\a' $'in/a\nb' $'in/a\rb' \
	    $'in/\x7f' $'in/\xc2\x9b1m' $'in/\xe2\x80\xaetxt.exe' $'in/bad\xff'; do
		n=$((n + 1))
		pack x "c$n.cairn" --format=pax --transform "s,^in/hello.txt\$,$name," -- "${MEMBERS[@]}"
		refused 4 "c$n.cairn"
		assert_stderr_has "tar stream:"
	done
	# the same in manifest.json (as JSON escapes): refused while parsing
	# the manifest, before SHA256SUMS or the signature matter
	for name in '\\u001b[31mred' 'a\\u0007b' '\\u202etxt' 'a\\\\b' '\\u0000'; do
		n=$((n + 1))
		rm -rf y && cp -a x y
		sed "s|\"path\": \"in/hello.txt\"|\"path\": \"in/$name\"|" x/manifest.json >y/manifest.json
		if cmp -s x/manifest.json y/manifest.json; then
			echo "manifest unchanged"
			return 1
		fi
		pack y "c$n.cairn" -- "${MEMBERS[@]}"
		refused 4 "c$n.cairn"
		assert_stderr_has "manifest.json"
	done
}

@test "archive: case-colliding names are distinct paths (opened as two files)" {
	# Policy: paths are compared byte for byte; "Case.txt" and
	# "case.txt" are two entries.  open creates every file with O_EXCL in
	# a fresh staging directory, so on a case-insensitive file system the
	# second one fails (exit 1, with a hint) and nothing is left; here
	# (case-sensitive) both come out.  seal warns about such pairs.
	mkdir in
	printf 'upper\n' >in/Case.txt
	printf 'lower\n' >in/case.txt
	printf 'other\n' >in/other.txt
	"$CAIRN" keygen -o id >rec
	expect_exit 0 "$CAIRN" seal -r "$(cat rec)" --no-sign -o a.cairn in
	assert_stderr_has "warning: in/Case.txt and in/case.txt differ only in letter case"
	[ "$(grep -c warning <<<"$stderr")" -eq 1 ]
	mv in/Case.txt in/Case2.txt
	expect_exit 0 "$CAIRN" seal -r "$(cat rec)" --no-sign -o b.cairn in
	[[ "$stderr" != *warning* ]]
	mv in/Case2.txt in/Case.txt
	expect_exit 0 "$CAIRN" open -i id --allow-unsigned -C out a.cairn
	[ "$(cat out/in/Case.txt)" = upper ] && [ "$(cat out/in/case.txt)" = lower ]
}

@test "archive: sizes that lie (tar vs manifest, tar vs data, huge manifest): 4 or 1" {
	archive
	pack x u.cairn -- "${MEMBERS[@]}"
	cp u.cairn.tar big.tar && tar_set_size big.tar in/hello.txt 1000000
	age -r "$R" -o big.cairn big.tar
	refused 4 big.cairn
	assert_stderr_has "size 1000000 in tar, 6 in the manifest"
	cp u.cairn.tar small.tar && tar_set_size small.tar in/hello.txt 3
	age -r "$R" -o small.cairn small.tar
	refused 4 small.cairn
	# manifest and tar header agree on a size the data does not have
	rm -rf y && cp -a x y
	jq '.entries[1].size = 1000000' x/manifest.json >y/manifest.json
	resign y
	pack y l.cairn -- "${MEMBERS[@]}"
	tar_set_size l.cairn.tar in/hello.txt 1000000
	age -r "$R" -o l.cairn l.cairn.tar
	refused 4 l.cairn
	assert_stderr_has "runcated"
	# a manifest.json member claiming more than MANIFEST_MAX_LEN (64 MiB)
	# and one claiming 8 GiB - 1: refused before reading it (limit, 1)
	for s in 67108865 8589934591; do
		cp u.cairn.tar m.tar && tar_set_size m.tar manifest.json $s
		age -r "$R" -o m.cairn m.tar
		refused 1 m.cairn
		assert_stderr_has "larger than 67108864 bytes"
	done
}

@test "archive: payloads that are not tar, or not a cairn tar: 4" {
	archive
	head -c 20000 /dev/urandom >random
	printf 'PK\003\004%0500d' 0 >zip
	: >empty
	head -c 10240 /dev/zero >zeros
	printf '{}' >json
	(cd x && tar --format=ustar -cf ../nomanifest.tar in)
	(cd x && tar --format=ustar -cf ../onlymanifest.tar manifest.json)
	for f in random zip empty zeros json nomanifest.tar onlymanifest.tar; do
		age -r "$R" -o "$f.cairn" "$f"
		refused 4 "$f.cairn"
	done
	# a valid cairn tar cut inside a member and re-encrypted
	pack x u.cairn -- "${MEMBERS[@]}"
	head -c 2000 u.cairn.tar >cut.tar
	age -r "$R" -o cut.cairn cut.tar
	refused 4 cut.cairn
}

@test "archive: manifest JSON attacks (duplicates, UTF-8, nesting, numbers): 4" {
	archive
	m=x/manifest.json
	n=0
	bad() { # bad TEXT-FILE: manifest.json replaced, SHA256SUMS re-signed
		n=$((n + 1))
		rm -rf y && cp -a x y
		cp "$1" y/manifest.json
		(cd y && sha256sum manifest.json in/hello.txt in/sub/data.bin >SHA256SUMS)
		rm y/SHA256SUMS.minisig
		minisign -S -s sign.key -m y/SHA256SUMS -t x >/dev/null </dev/null
		pack y "j$n.cairn" -- "${MEMBERS[@]}"
		refused 4 "j$n.cairn"
		assert_stderr_has "manifest.json"
	}
	sed 's/"version": 1,/"version": 1, "version": 1,/' $m >t && bad t
	sed 's/"case": null,/"case": null, "case": "x",/' $m >t && bad t
	sed '0,/"path": "in\/hello.txt"/s//"path": "in\/hello.txt", "path": "in\/hello.txt"/' $m >t && bad t
	sed 's/"tool": "cairn [^"]*"/"tool": "caf\xc3"/' $m >t && bad t
	sed 's/"tool": "cairn [^"]*"/"tool": "\xed\xa0\x80"/' $m >t && bad t
	sed 's/"tool": "cairn [^"]*"/"tool": "\\ud800"/' $m >t && bad t
	sed 's/"notes": \[\]/"notes": '"$(printf '[%.0s' $(seq 5000))$(printf ']%.0s' $(seq 5000))"'/' $m >t && bad t
	for num in 1e400 18446744073709551616 9223372036854775808 -1 6.0 0x10 '"6"' 1E1 00; do
		sed "s/\"size\": 6,/\"size\": $num,/" $m >t && bad t
	done
	sed 's/"version": 1,/"version": 1.0,/' $m >t && bad t
	{ printf '\xef\xbb\xbf'; cat $m; } >t && bad t
	{ cat $m; printf '{}'; } >t && bad t
	{ head -c 100 $m; printf '\0'; tail -c +101 $m; } >t && bad t
	printf '[]' >t && bad t
	# version 3: unsupported (exit 1), not malformed
	sed 's/"version": 1,/"version": 3,/' $m >t
	rm -rf y && cp -a x y && cp t y/manifest.json
	pack y v3.cairn -- "${MEMBERS[@]}"
	refused 1 v3.cairn
}

@test "archive: entry limit (a manifest of MANIFEST_MAX_ENTRIES + 1 entries): 1" {
	archive
	# 250001 file entries; the tar never gets that far
	{
		jq -c 'del(.entries)' x/manifest.json | sed 's/}$/,"entries":[/'
		awk 'BEGIN { for (i = 0; i < 250001; i++)
			printf "%s{\"path\":\"f%d\",\"type\":\"file\",\"size\":0,\"mode\":\"0644\",\"mtime\":\"2026-01-01T00:00:00Z\",\"mime\":\"text/plain\"}",
			    (i ? "," : ""), i }'
		printf ']}\n'
	} >bomb.json
	rm -rf y && mkdir y && cp bomb.json y/manifest.json
	pack y bomb.cairn -- manifest.json
	expect_exit 1 "$CAIRN" list -i id bomb.cairn
	assert_stderr_has "manifest too large"
	expect_exit 1 "$CAIRN" open -i id -C out bomb.cairn
	[ ! -e out ]
	[ -z "$(find . -maxdepth 1 -name '.*cairn-*')" ]
}

@test "archive: signatures: wrong trusted comment, garbage, oversized, swapped signer" {
	archive
	other() { minisign -G -W -p other.pub -s other.key >/dev/null </dev/null; }
	other
	# the right key, another trusted comment: 5
	rm -rf y && cp -a x y && resign y "cairn-archive archive_id:00 sealed_at:x"
	pack y tc.cairn -- "${MEMBERS[@]}"
	refused 5 tc.cairn
	# garbage and an oversized signature member: 5
	rm -rf y && cp -a x y && printf 'garbage\n' >y/SHA256SUMS.minisig
	pack y g.cairn -- "${MEMBERS[@]}"
	refused 5 g.cairn
	rm -rf y && cp -a x y && head -c 20000 /dev/zero | tr '\0' a >>y/SHA256SUMS.minisig
	pack y big.cairn -- "${MEMBERS[@]}"
	refused 5 big.cairn
	assert_stderr_has "SHA256SUMS.minisig: larger than 16384 bytes"
	# the attacker's key named in the manifest and signing: consistent,
	# so the signature is good, but by a key nobody trusts: refused by
	# default and with --signer sign.pub, naming its fingerprint; passes
	# only with --any-signer, which says it is not trusted
	rm -rf y && cp -a x y
	pub=$(tail -1 other.pub)
	kid=$(tail -1 other.pub | base64 -d | od -An -tx1 -j2 -N8 | tr -d ' \n' |
	    fold -w2 | tac | tr -d '\n' | tr a-f A-F)
	jq --arg s "$pub" --arg k "$kid" '.signer = $s | .signer_key_id = $k' \
	    x/manifest.json >y/manifest.json
	cp sign.key keep.key && cp other.key sign.key
	resign y
	cp keep.key sign.key
	pack y swap.cairn -- "${MEMBERS[@]}"
	fp=$(tail -1 other.pub | base64 -d | tail -c 32 | sha256sum |
	    cut -c1-32 | sed 's/..../& /g; s/ $//')
	expect_exit 5 "$CAIRN" verify -i id swap.cairn
	assert_stderr_has "signed by key $fp, which is UNTRUSTED"
	expect_exit 5 "$CAIRN" open -i id -C out swap.cairn
	[ ! -e out ]
	expect_exit 0 "$CAIRN" verify -i id --any-signer swap.cairn
	assert_output_has "good, but by a key you do NOT trust: fingerprint $fp"
	expect_exit 5 "$CAIRN" verify -i id --signer sign.pub swap.cairn
	expect_exit 5 "$CAIRN" open -i id --signer sign.pub -C out swap.cairn
	[ ! -e out ]
}

# ---- SLIP-39 shares ------------------------------------------------------------

# share_variant SRC DST AWK-PROGRAM: DST is share file SRC with its words
# (one line, space-separated) rewritten by the awk program.
share_variant() {
	{
		grep '^#' "$1"
		grep -v '^#' "$1" | tr -s ' \n' '  ' | awk "$3"
	} >"$2"
}

@test "shares: swapped, changed, look-alike, abbreviated, extra words: 4, never corrected" {
	"$CAIRN" keygen -o me.key >me.pub
	"$CAIRN" split -t 2 -n 3 -o s me.key >/dev/null
	ok=s/share-02.txt
	n=0
	for prog in \
	    '{ t = $10; $10 = $11; $11 = t; print }' \
	    '{ t = $1; $1 = $NF; $NF = t; print }' \
	    '{ for (i = 1; i <= NF; i++) $i = substr($i, 1, 4); print }' \
	    '{ $7 = $7 "s"; print }' \
	    '{ $3 = $3 " " $3; print }' \
	    '{ $NF = ""; print }' \
	    '{ print $0 " academic" }'; do
		n=$((n + 1))
		share_variant $ok "v$n.txt" "$prog"
		if cmp -s $ok "v$n.txt"; then continue; fi
		expect_exit 4 "$CAIRN" share check "v$n.txt"
		expect_exit 4 "$CAIRN" combine -o k s/share-01.txt "v$n.txt"
		[ ! -e k ]
		assert_stderr_has "v$n.txt"
	done
	# a Cyrillic 'а' (U+0430) for the Latin 'a', and an ANSI escape in a
	# word: not in the word list; the word is not echoed raw
	grep -v '^#' $ok | grep -q a
	{ grep '^#' $ok; grep -v '^#' $ok | sed '0,/a/s//\xd0\xb0/'; } >cyr.txt
	expect_exit 4 "$CAIRN" combine -o k s/share-01.txt cyr.txt
	assert_stderr_has "is not in the SLIP-39 word list"
	{ grep '^#' $ok; grep -v '^#' $ok | sed 's/^\([a-z]*\)/\1\x1b[31m/'; } >esc.txt
	expect_exit 4 "$CAIRN" share check esc.txt
	assert_no_stderr_control
	if printf '%s' "$stderr" | grep -qP '\x1b'; then false; fi
	# what is accepted: the same words in upper case or one per line
	{ grep '^#' $ok; grep -v '^#' $ok | tr a-z A-Z; } >upper.txt
	expect_exit 0 "$CAIRN" combine -o k1 s/share-01.txt upper.txt
	{ grep '^#' $ok; grep -v '^#' $ok | tr ' ' '\n'; } >lines.txt
	expect_exit 0 "$CAIRN" combine -o k2 s/share-01.txt lines.txt
	[ "$("$CAIRN" pubkey -i k1)" = "$(cat me.pub)" ]
}
