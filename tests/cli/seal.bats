#!/usr/bin/env bats
# tests/cli/seal.bats - the sealed archive: seal, list, verify, open, and
# the signing keys of keygen/pubkey.  Round trips of a realistic corpus,
# verification with Debian's age, tar, minisign and sha256sum, archives
# repacked with stock tools, and must-fail cases (damage, truncation,
# wrong keys, hostile tar members, manifest/tar disagreement, inputs
# changing while sealed), each checked for exit code and for leaving no
# output, no DIR and no staging directory behind.

load helpers

# ---- fixtures -------------------------------------------------------------

# keys: age identity "id" (recipient in $R) and an unencrypted minisign
# key pair sign.key/sign.pub, made with the stock tools.
keys() {
	stock_keys
	# The test key home trusts sign.pub, as a coordinator's would.
	"$CAIRN" signer add tester sign.pub >/dev/null
}

# other_keys: a second minisign key pair other.key/other.pub.
other_keys() {
	minisign -G -W -p other.pub -s other.key >/dev/null </dev/null
	chmod 600 other.key
}

# head_bytes HEX FILE SIZE: a file starting with the given magic bytes
# (printf escapes), padded with random bytes to SIZE.
head_bytes() {
	printf "$1" >"$2"
	head -c "$(($3 - $(stat -c %s "$2")))" /dev/urandom >>"$2"
}

# corpus DIR: photos, videos, PDFs, notes, an empty file, nested and
# empty directories, non-ASCII names.
corpus() {
	mkdir -p "$1/photos/2026 trip" "$1/videos" "$1/docs/deep/er/still" \
	    "$1/empty dir" "$1/Ünïcødé ✓"
	head_bytes '\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00' \
	    "$1/photos/IMG_0001.jpg" 150000
	head_bytes '\xff\xd8\xff\xe1\x00\x18Exif\x00\x00MM\x00*\x00\x00\x00\x08' \
	    "$1/photos/2026 trip/IMG_0002.jpeg" 80000
	head_bytes '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x90\x91h6' \
	    "$1/photos/screenshot.png" 20000
	head_bytes '\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x00\x08free' \
	    "$1/videos/clip.mp4" 2200000
	head_bytes '%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' \
	    "$1/docs/report.pdf" 30000
	printf 'Interview notes\nline two\n' >"$1/docs/deep/er/still/notes.txt"
	printf 'caf\xc3\xa9 na\xc3\xafve\n' >"$1/Ünïcødé ✓/résumé.txt"
	: >"$1/docs/empty.txt"
	chmod 640 "$1/docs/report.pdf"
	chmod 750 "$1/videos"
	touch -d '2024-02-29 12:34:56 UTC' "$1/photos/IMG_0001.jpg"
}

# keyid PUBFILE: the key id of a minisign public key file, 16 upper-case
# hex digits (the little-endian id bytes reversed).
keyid() {
	tail -1 "$1" | base64 -d | od -An -tx1 -j2 -N8 |
	    tr -d ' \n' | fold -w2 | tac | tr -d '\n' | tr a-f A-F
}

# no_staging DIR: nothing named .*.cairn-* in DIR (an open's staging).
no_staging() {
	local left
	left=$(find "$1" -maxdepth 1 -name '.*.cairn-*')
	if [ -n "$left" ]; then
		echo "staging directories left in $1: $left"
		return 1
	fi
}

# seal_small: a small signed archive a.cairn of dir "in".
seal_small() {
	mkdir -p in/sub
	printf 'hello\n' >in/hello.txt
	payload 300000 in/sub/data.bin
	"$CAIRN" seal -r "$R" -s sign.key -o a.cairn in
}

# header_len FILE: bytes of the age header of a binary age file.
header_len() {
	local off
	off=$(grep -abo -m1 -- '^--- ' "$1" | head -1 | cut -d: -f1)
	echo $((off + 48))
}

# unpack ARCHIVE DIR: the plaintext tar of ARCHIVE extracted into DIR
# with stock tools (permissions and times kept).
unpack() {
	mkdir -p "$2"
	age -d -i id "$1" | tar -xpf - -C "$2"
}

# repack DIR OUT MEMBER...: tar the members of DIR in exactly this order
# (GNU tar, ustar, no recursion, -P keeps hostile names; $REPACK_OPTS
# adds options) and encrypt the tar to $R with age.
repack() {
	local dir=$1 out=$2
	shift 2
	# shellcheck disable=SC2086
	(cd "$dir" && tar --format=ustar -P --no-recursion --owner=0 \
	    --group=0 --numeric-owner ${REPACK_OPTS:-} -cf - -- "$@") |
	    age -r "$R" -o "$out"
}

# resign DIR: recompute SHA256SUMS of DIR's manifest (from its file
# list) and sign it with sign.key and the trusted comment cairn expects.
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
	minisign -S -s sign.key -m "$1/SHA256SUMS" \
	    -t "cairn-archive archive_id:$id sealed_at:$at" >/dev/null </dev/null
}

# members DIR: the member list of a cairn archive's directory, in order
# (manifest.json, entries, SHA256SUMS, SHA256SUMS.minisig).
members() {
	echo manifest.json
	jq -r '.entries[].path' "$1/manifest.json"
	echo SHA256SUMS
	[ -e "$1/SHA256SUMS.minisig" ] && echo SHA256SUMS.minisig
	return 0
}

# must_not_open ARCHIVE CODE: verify and open both exit CODE, and open
# leaves neither its directory nor a staging directory.
must_not_open() {
	expect_exit "$2" "$CAIRN" verify -i id "$1"
	assert_no_stderr_control
	expect_exit "$2" "$CAIRN" open -i id -C out "$1"
	[ ! -e out ]
	no_staging .
}

# ---- help and usage -----------------------------------------------------------

@test "help: the archive verbs are listed and each has usage" {
	expect_exit 0 "$CAIRN" --help
	for v in seal list verify open; do
		assert_output_has "  $v "
	done
	for v in seal list verify open; do
		expect_exit 0 "$CAIRN" "$v" --help
		assert_output_has "usage: cairn $v"
	done
	expect_exit 0 "$CAIRN" seal --help
	assert_output_has "symbolic links are skipped"
}

@test "seal: no PATH, bad options and conflicting options are usage errors" {
	keys
	expect_exit 2 "$CAIRN" seal -r "$R" --no-sign
	expect_exit 2 "$CAIRN" seal --bogus x
	expect_exit 2 "$CAIRN" seal -r "$R" -p --passphrase-file /dev/null x
	expect_exit 2 "$CAIRN" seal -r "$R" --no-sign -s sign.key x
	expect_exit 2 "$CAIRN" list
	expect_exit 2 "$CAIRN" verify
	expect_exit 2 "$CAIRN" open a b c
	expect_exit 2 "$CAIRN" open -
	assert_stderr_has "give -C DIR"
}

@test "seal: no recipients at all is a usage error (2)" {
	keys
	echo x >f
	expect_exit 2 "$CAIRN" seal -s sign.key -o a.cairn f
	assert_stderr_has "no recipients"
	[ ! -e a.cairn ]
	expect_exit 2 "$CAIRN" seal -r "not-a-recipient" --no-sign f
}

@test "seal: without a signing key it refuses unless --no-sign" {
	keys
	echo x >f
	expect_exit 2 "$CAIRN" seal -r "$R" -o a.cairn f
	assert_stderr_has "no signing key"
	assert_stderr_has "--no-sign"
	[ ! -e a.cairn ]
	expect_exit 0 "$CAIRN" seal -r "$R" --no-sign -o a.cairn f
	expect_exit 0 "$CAIRN" list -i id --json a.cairn
	[ "$(jq -r .signer <<<"$output")" = null ]
	[ "$(jq -r .signer_key_id <<<"$output")" = null ]
	age -d -i id a.cairn | tar -tf - >members
	! grep -q minisig members
}

# ---- round trip -----------------------------------------------------------------

@test "round trip: seal, list (MIME types), verify and open a corpus byte-identical" {
	keys
	corpus ev
	printf 'second arg\n' >loose.txt
	expect_exit 0 "$CAIRN" seal -r "$R" -s sign.key -m "seized 2026-11-28" \
	    -m "chain of custody: A. Example" --case "CASE-42" ev/ loose.txt
	a=$output
	[[ "$a" =~ ^cairn-[0-9]{8}T[0-9]{6}Z-[a-z2-9]{6}\.cairn$ ]]
	[ -f "$a" ]
	assert_no_temp .

	expect_exit 0 "$CAIRN" list -i id "$a"
	assert_output_has "not verified; run cairn verify"
	assert_output_has "CASE-42"
	assert_output_has "chain of custody: A. Example"
	grep -q "image/jpeg  *ev/photos/IMG_0001.jpg" <<<"$output"
	grep -q "image/jpeg  *ev/photos/2026 trip/IMG_0002.jpeg" <<<"$output"
	grep -q "image/png  *ev/photos/screenshot.png" <<<"$output"
	grep -q "video/mp4  *ev/videos/clip.mp4" <<<"$output"
	grep -q "application/pdf  *ev/docs/report.pdf" <<<"$output"
	grep -q "text/plain  *ev/docs/deep/er/still/notes.txt" <<<"$output"
	grep -q "inode/x-empty  *ev/docs/empty.txt" <<<"$output"
	grep -q "2024-02-29T12:34:56Z" <<<"$output"
	grep -q "ev/Ünïcødé ✓/résumé.txt" <<<"$output"
	grep -q " loose.txt$" <<<"$output"

	expect_exit 0 "$CAIRN" list -i id --json "$a"
	[ "$(jq -r '.entries[0].path' <<<"$output")" = ev ]
	[ "$(jq -r '.entries | map(select(.type == "file")) | length' <<<"$output")" = 9 ]
	[ "$(jq -r '.case' <<<"$output")" = CASE-42 ]
	[ "$(jq -r '.entries[] | select(.path == "ev/docs/report.pdf") | .mode' <<<"$output")" = 0640 ]

	expect_exit 0 "$CAIRN" verify -i id --signer sign.pub "$a"
	assert_output_has "result:      OK"
	assert_output_has "signature:   good"
	expect_exit 0 "$CAIRN" verify -i id --json "$a"
	[ "$(jq -r .ok <<<"$output")" = true ]
	[ "$(jq -r .signature_verified <<<"$output")" = true ]
	[ "$(jq -r .files_checked <<<"$output")" = 9 ]

	expect_exit 0 "$CAIRN" open -i id --signer sign.pub "$a"
	d=${a%.cairn}
	[ -d "$d" ]
	diff -r ev "$d/ev"
	cmp loose.txt "$d/loose.txt"
	no_staging .
	# modes: read bits kept, execute and write-for-others never.
	[ "$(stat -c %a "$d/ev/docs/report.pdf")" = 640 ]
	[ "$(stat -c %a "$d/ev/videos")" = 750 ]
	[ "$(stat -c %a "$d/ev/photos/IMG_0001.jpg")" = 644 ]
	[ "$(stat -c %Y "$d/ev/photos/IMG_0001.jpg")" = "$(stat -c %Y ev/photos/IMG_0001.jpg)" ]
	[ "$(stat -c %Y "$d/ev/photos")" = "$(stat -c %Y ev/photos)" ]
}

@test "round trip: armored archive, -o -, archive on stdin, open -C" {
	keys
	corpus ev
	"$CAIRN" seal -a -r "$R" -s sign.key -o - ev >a.txt
	head -1 a.txt | grep -qx -- '-----BEGIN AGE ENCRYPTED FILE-----'
	expect_exit 0 "$CAIRN" list -i id - <a.txt
	assert_output_has "ev/videos/clip.mp4"
	expect_exit 0 "$CAIRN" verify -i id - <a.txt
	expect_exit 0 "$CAIRN" open -i id -C restored - <a.txt
	diff -r ev restored/ev
	age -d -i id a.txt | tar -tf - | head -1 | grep -qx manifest.json
}

@test "reports count in the singular for one: 1 file, 1 byte, 1 directory" {
	keys
	mkdir one && printf x >one/a
	"$CAIRN" seal -r "$R" -s sign.key -o one.cairn one
	expect_exit 0 "$CAIRN" verify -i id one.cairn
	assert_output_has "content:     1 file (1 byte) and 1 directory match the manifest and SHA256SUMS"
	expect_exit 0 "$CAIRN" list -i id one.cairn
	assert_output_has "1 file, 1 byte, 2 entries"
	mkdir two two/d && printf xy >two/a && printf z >two/d/b
	"$CAIRN" seal -r "$R" -s sign.key -o two.cairn two
	expect_exit 0 "$CAIRN" open -i id -C out two.cairn
	assert_output_has "content:     2 files (3 bytes) and 2 directories match the manifest and SHA256SUMS"
	expect_exit 0 "$CAIRN" list -i id two.cairn
	assert_output_has "2 files, 3 bytes, 4 entries"
}

@test "seal --json summary parses and matches the archive" {
	keys
	corpus ev
	expect_exit 0 "$CAIRN" seal -r "$R" -r "$R" -s sign.key -o a.cairn --json ev
	s=$output
	[ "$(jq -r .output <<<"$s")" = a.cairn ]
	[ "$(jq -r .files <<<"$s")" = 8 ]
	[ "$(jq -r .recipients <<<"$s")" = 2 ]
	[ "$(jq -r .bytes <<<"$s")" = "$(find ev -type f -printf '%s\n' | awk '{n += $1} END {print n}')" ]
	kid=$(jq -r .signer_key_id <<<"$s")
	[[ "$kid" =~ ^[0-9A-F]{16}$ ]]
	[ "$kid" = "$(keyid sign.pub)" ]
	expect_exit 0 "$CAIRN" list -i id --json a.cairn
	[ "$(jq -r .archive_id <<<"$output")" = "$(jq -r .archive_id <<<"$s")" ]
	[ "$(jq -r .signer_key_id <<<"$output")" = "$kid" ]
}

@test "stock tools: age -d | tar -x, minisign -V and sha256sum -c verify a sealed archive" {
	keys
	corpus ev
	"$CAIRN" seal -r "$R" -s sign.key -m "stock tools" -o a.cairn ev
	mkdir x
	age -d -i id a.cairn | (cd x && tar -xf -)
	[ "$(age -d -i id a.cairn | tar -tf - | head -1)" = manifest.json ]
	[ "$(age -d -i id a.cairn | tar -tf - | tail -2 | head -1)" = SHA256SUMS ]
	[ "$(age -d -i id a.cairn | tar -tf - | tail -1)" = SHA256SUMS.minisig ]
	cd x
	run minisign -Vm SHA256SUMS -p ../sign.pub
	[ "$status" -eq 0 ]
	id=$(jq -r .archive_id manifest.json)
	[[ "$output" == *"Trusted comment: cairn-archive archive_id:$id sealed_at:"* ]]
	run sha256sum -c SHA256SUMS
	[ "$status" -eq 0 ]
	[ "$(grep -c ': OK$' <<<"$output")" = 9 ]
	diff -r ../ev ev
}

# stock_check IDENTITY ARCHIVE PUBKEY_B64: docs/format.md's stock-tools
# recipe, word for word, in an empty directory chk/.
stock_check() {
	rm -rf chk && mkdir chk && (
		cd chk || exit 1
		age -d -i "../$1" "../$2" | tar -x || exit 1
		minisign -Vm SHA256SUMS -P "$3" || exit 1
		sha256sum -c --strict SHA256SUMS || exit 1
		diff <(age -d -i "../$1" "../$2" | tar -t --quoting-style=literal |
		       grep -v '/$' | sort) \
		     <({ cut -c67- SHA256SUMS; echo SHA256SUMS;
		         echo SHA256SUMS.minisig; } | sort)
	)
}

@test "stock-tools recipe (full key, listing vs SHA256SUMS) catches a planted file" {
	keys
	corpus ev
	"$CAIRN" seal -r "$R" -s sign.key -o a.cairn ev
	key=$(tail -1 sign.pub)
	run stock_check id a.cairn "$key"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# the fingerprint recipe gives cairn's digits
	fp=$(printf %s "$key" | base64 -d | tail -c 32 | sha256sum | cut -c1-32)
	expect_exit 0 "$CAIRN" verify -i id --json a.cairn
	[ "$(jq -r '.signer_fingerprint | gsub(" "; "")' <<<"$output")" = "$fp" ]
	# another key fails: the whole key is what minisign -P checks
	other_keys
	run stock_check id a.cairn "$(tail -1 other.pub)"
	[ "$status" -ne 0 ]
	# a file planted after the signature, re-encrypted: signature and
	# sha256sum -c still pass, the listing check does not
	age -d -i id a.cairn >a.tar
	mkdir -p p/ev && echo planted >p/ev/planted.txt
	tar -rf a.tar -C p ev/planted.txt
	age -r "$R" -o planted.cairn a.tar
	run stock_check id planted.cairn "$key"
	[ "$status" -eq 1 ] || { echo "status $status: $output"; false; }
	[[ "$output" == *"< ev/planted.txt"* ]]
	[ -f chk/ev/planted.txt ]
	(cd chk && minisign -Vm SHA256SUMS -P "$key" && sha256sum -c --strict SHA256SUMS) >/dev/null
	# cairn refuses it too
	expect_exit 4 "$CAIRN" verify -i id planted.cairn
}

@test "symlinks are skipped with a warning; FIFOs and sockets are refused" {
	keys
	mkdir d
	echo x >d/real
	ln -s real d/link
	ln -s /etc/passwd d/abs
	expect_exit 0 "$CAIRN" seal -r "$R" --no-sign -o a.cairn d
	assert_stderr_has "d/link: symbolic link, skipped"
	assert_stderr_has "d/abs: symbolic link, skipped"
	expect_exit 0 "$CAIRN" list -i id --json a.cairn
	[ "$(jq -r '[.entries[].path] | join(",")' <<<"$output")" = "d,d/real" ]
	mkfifo d/fifo
	expect_exit 1 "$CAIRN" seal -r "$R" --no-sign -o b.cairn d
	assert_stderr_has "d/fifo: not a regular file or directory"
	[ ! -e b.cairn ]
	assert_no_temp .
}

@test "seal: duplicate top-level names, reserved names and '.' are refused" {
	keys
	mkdir -p a/x b/x
	echo 1 >a/x/f
	echo 2 >b/x/f
	expect_exit 1 "$CAIRN" seal -r "$R" --no-sign -o o.cairn a/x b/x/
	assert_stderr_has "same name"
	echo m >manifest.json
	expect_exit 1 "$CAIRN" seal -r "$R" --no-sign -o o.cairn manifest.json
	assert_stderr_has "reserved"
	expect_exit 1 "$CAIRN" seal -r "$R" --no-sign -o o.cairn .
	[ ! -e o.cairn ]
	assert_no_temp .
}

@test "seal: a name with a control character is refused, naming the file" {
	keys
	mkdir d
	echo x >"d/bad$(printf '\033')name"
	expect_exit 1 "$CAIRN" seal -r "$R" --no-sign -o o.cairn d
	assert_stderr_has 'bad\x1bname'
	assert_no_stderr_control
	[ ! -e o.cairn ]
}

@test "seal: notes from --note-file, one per line; bad notes are usage errors" {
	keys
	echo x >f
	printf 'first line\r\n\nsecond line\n' >notes
	expect_exit 0 "$CAIRN" seal -r "$R" --no-sign --note-file notes -m cli -o a.cairn f
	expect_exit 0 "$CAIRN" list -i id --json a.cairn
	[ "$(jq -r '.notes | join("|")' <<<"$output")" = "cli|first line|second line" ]
	# a tab is kept (issue 14); other control characters are refused
	expect_exit 2 "$CAIRN" seal -r "$R" --no-sign -m "$(printf 'a\bb')" -o b.cairn f
	[ ! -e b.cairn ]
}

@test "seal: refuses an existing output without --force, replaces it with" {
	keys
	echo x >f
	echo old >a.cairn
	expect_exit 1 "$CAIRN" seal -r "$R" --no-sign -o a.cairn f
	assert_stderr_has "exists"
	[[ "$stderr" != *"--force"* ]] # never suggested for an archive
	assert_stderr_has "leave -o out for a new name"
	[ "$(cat a.cairn)" = old ]
	expect_exit 0 "$CAIRN" seal -r "$R" --no-sign -o a.cairn --force f
	expect_exit 0 "$CAIRN" verify -i id --allow-unsigned a.cairn
}

@test "seal to a passphrase (-p with --passphrase-file); open with it" {
	keys
	corpus ev
	echo 'correct horse battery staple' >pass
	expect_exit 0 "$CAIRN" seal --passphrase-file pass -s sign.key -o a.cairn ev
	expect_exit 0 "$CAIRN" verify --passphrase-file pass a.cairn
	echo wrong >bad
	expect_exit 3 "$CAIRN" verify --passphrase-file bad a.cairn
	expect_exit 0 "$CAIRN" open --passphrase-file pass -C out a.cairn
	diff -r ev out/ev
}

# ---- keys -----------------------------------------------------------------------------

@test "no matching identity: list, verify, open exit 3 and write nothing" {
	keys
	seal_small
	age-keygen -o other 2>/dev/null
	expect_exit 3 "$CAIRN" list -i other a.cairn
	assert_stderr_has "no identity matched"
	expect_exit 3 "$CAIRN" verify -i other a.cairn
	expect_exit 3 "$CAIRN" open -i other -C out a.cairn
	[ ! -e out ]
	no_staging .
}

@test "--signer: another key's archive and an unsigned archive exit 5" {
	keys
	other_keys
	seal_small
	# --signer replaces the key home's signers (which trust sign.pub)
	expect_exit 5 "$CAIRN" verify -i id --signer other.pub a.cairn
	assert_stderr_has "which is UNTRUSTED"
	expect_exit 5 "$CAIRN" open -i id --signer other.pub -C out a.cairn
	[ ! -e out ]
	no_staging .
	expect_exit 0 "$CAIRN" verify -i id --signer other.pub --signer sign.pub a.cairn
	expect_exit 0 "$CAIRN" verify -i id --signer "$(tail -1 sign.pub)" a.cairn
	"$CAIRN" seal -r "$R" --no-sign -o u.cairn in
	expect_exit 0 "$CAIRN" verify -i id --allow-unsigned u.cairn
	assert_stderr_has "archive is unsigned"
	expect_exit 0 "$CAIRN" open -i id --allow-unsigned -C uo u.cairn
	assert_stderr_has "archive is unsigned"
	expect_exit 5 "$CAIRN" verify -i id --signer sign.pub u.cairn
	assert_stderr_has "unsigned"
	expect_exit 5 "$CAIRN" open -i id --signer sign.pub -C out u.cairn
	[ ! -e out ]
	no_staging .
	expect_exit 2 "$CAIRN" verify -i id --signer sign.key a.cairn
}

@test "keygen fills the key home; seal/list/verify/open use its defaults" {
	corpus ev
	expect_exit 0 "$CAIRN" keygen
	rec=$output
	[[ "$rec" =~ ^age1 ]]
	[ "$(stat -c %a home)" = 700 ]
	[ "$(stat -c %a home/identity)" = 600 ]
	[ "$(stat -c %a home/signing.key)" = 600 ]
	grep -qx "$rec" home/recipients
	grep -q '^#' home/recipients
	head -1 home/signing.pub | grep -q '^untrusted comment: '
	expect_exit 0 "$CAIRN" pubkey --signing
	[ "$output" = "$(cat home/signing.pub)" ]
	expect_exit 0 "$CAIRN" pubkey --signing -s home/signing.key
	[ "$output" = "$(cat home/signing.pub)" ]
	# refuses to overwrite anything
	expect_exit 1 "$CAIRN" keygen
	assert_stderr_has "refusing to overwrite"

	expect_exit 0 "$CAIRN" seal -o a.cairn ev
	expect_exit 0 "$CAIRN" list a.cairn
	expect_exit 0 "$CAIRN" verify --signer home/signing.pub a.cairn
	expect_exit 0 "$CAIRN" open -C out a.cairn
	diff -r ev out/ev
	# stock tools accept the key home's files
	mkdir x
	age -d -i home/identity a.cairn | tar -xf - -C x
	(cd x && minisign -Vm SHA256SUMS -p ../home/signing.pub >/dev/null)
	echo msg >m
	minisign -S -s home/signing.key -m m </dev/null >/dev/null
	minisign -Vm m -p home/signing.pub >/dev/null
}

@test "keygen --passphrase-file protects identity and signing key; seal asks for it" {
	echo x >f
	echo 'pass phrase' >pp
	expect_exit 0 "$CAIRN" keygen --passphrase-file pp
	grep -q -- '-----BEGIN AGE ENCRYPTED FILE-----' home/identity
	expect_exit 2 setsid -w "$CAIRN" seal -o a.cairn f </dev/null
	expect_exit 0 "$CAIRN" seal --signing-passphrase-file pp -o a.cairn f
	echo nope >bad
	expect_exit 3 "$CAIRN" seal --signing-passphrase-file bad -o b.cairn f
	[ ! -e b.cairn ]
	expect_exit 0 "$CAIRN" verify --passphrase-file pp a.cairn
	expect_exit 0 "$CAIRN" pubkey --signing --passphrase-file pp -s home/signing.key
	[ "$output" = "$(cat home/signing.pub)" ]
}

# ---- damage -----------------------------------------------------------------------------

@test "a flipped byte in the header, early or late payload: verify/open exit 4, nothing left" {
	keys
	seal_small
	size=$(stat -c %s a.cairn)
	hl=$(header_len a.cairn)
	for off in $((hl - 5)) $((hl + 40)) $((hl + 70000)) $((size - 30)); do
		cp a.cairn b.cairn
		flip_byte b.cairn "$off"
		must_not_open b.cairn 4
	done
}

@test "a truncated archive exits 4 (verify, open) at any length" {
	keys
	seal_small
	size=$(stat -c %s a.cairn)
	hl=$(header_len a.cairn)
	for n in $((hl + 10)) $((hl + 65536 + 16)) $((size / 2)) $((size - 1)); do
		head -c "$n" a.cairn >t.cairn
		must_not_open t.cairn 4
	done
	head -c 20 a.cairn >t.cairn
	must_not_open t.cairn 4
}

@test "list reads only the head: a 12 MiB archive cut to 256 KiB still lists" {
	keys
	mkdir big
	payload $((12 * 1024 * 1024)) big/video.bin
	echo small >big/z.txt
	"$CAIRN" seal -r "$R" -s sign.key -o big.cairn big
	head -c 262144 big.cairn >head.cairn
	expect_exit 0 "$CAIRN" list -i id head.cairn
	assert_output_has "big/video.bin"
	assert_output_has "big/z.txt"
	expect_exit 4 "$CAIRN" verify -i id head.cairn
	# from a pipe that blocks after the head: list returns all the same
	mkfifo p
	(cat head.cairn; sleep 30) >p &
	w=$!
	expect_exit 0 timeout 20 "$CAIRN" list -i id - <p
	kill "$w" 2>/dev/null || true
	assert_output_has "big/z.txt"
}

# ---- hostile and inconsistent archives ------------------------------------------------

@test "repacked with GNU tar and re-signed with minisign: cairn verifies it" {
	keys
	corpus ev
	"$CAIRN" seal -r "$R" -s sign.key -o a.cairn ev
	unpack a.cairn x
	mapfile -t m < <(members x)
	repack x b.cairn "${m[@]}"
	expect_exit 0 "$CAIRN" verify -i id --signer sign.pub b.cairn
	resign x
	repack x c.cairn "${m[@]}"
	expect_exit 0 "$CAIRN" verify -i id --signer sign.pub c.cairn
	expect_exit 0 "$CAIRN" open -i id -C out c.cairn
	diff -r ev out/ev
}

@test "manifest and tar disagree (extra, missing, reordered, resized): 4" {
	keys
	seal_small
	unpack a.cairn x
	mapfile -t m < <(members x)
	# m: manifest.json in in/hello.txt in/sub in/sub/data.bin SHA256SUMS .minisig
	echo extra >x/in/extra.txt
	touch -r x/in/sub x/in/extra.txt
	touch -r x/manifest.json x/in
	touch -d "@$(jq -r '.entries[0].mtime' x/manifest.json | xargs -I{} date -d {} +%s)" x/in
	repack x e.cairn manifest.json in in/hello.txt in/extra.txt in/sub in/sub/data.bin SHA256SUMS SHA256SUMS.minisig
	must_not_open e.cairn 4
	assert_stderr_has "in/extra.txt"
	repack x m.cairn manifest.json in in/sub in/sub/data.bin SHA256SUMS SHA256SUMS.minisig
	must_not_open m.cairn 4
	assert_stderr_has "where the manifest lists in/hello.txt"
	repack x r.cairn manifest.json in in/sub in/sub/data.bin in/hello.txt SHA256SUMS SHA256SUMS.minisig
	must_not_open r.cairn 4
	assert_stderr_has "where the manifest lists"
	REPACK_OPTS=--hard-dereference repack x d.cairn manifest.json in in/hello.txt in/hello.txt in/sub in/sub/data.bin SHA256SUMS SHA256SUMS.minisig
	must_not_open d.cairn 4
	assert_stderr_has "member in/hello.txt where the manifest lists in/sub"
	repack x f.cairn in manifest.json in/hello.txt in/sub in/sub/data.bin SHA256SUMS SHA256SUMS.minisig
	must_not_open f.cairn 4
	assert_stderr_has "not manifest.json"
	repack x s.cairn manifest.json in in/hello.txt in/sub in/sub/data.bin SHA256SUMS.minisig SHA256SUMS
	must_not_open s.cairn 4
	assert_stderr_has "SHA256SUMS should follow"
	REPACK_OPTS=--hard-dereference repack x t.cairn "${m[@]}" in/hello.txt
	must_not_open t.cairn 4
	assert_stderr_has "after SHA256SUMS.minisig"
	# a changed size (and content), even with SHA256SUMS recomputed
	cp -p x/in/hello.txt keep
	echo "hello, longer now" >x/in/hello.txt
	touch -r keep x/in/hello.txt
	repack x z.cairn "${m[@]}"
	must_not_open z.cairn 4
	assert_stderr_has "in/hello.txt: size 18 in tar, 6 in the manifest"
	resign x
	repack x z2.cairn "${m[@]}"
	must_not_open z2.cairn 4
	assert_stderr_has "size 18 in tar"
	# same size, other content: the SHA-256 catches it
	printf 'HELLO\n' >x/in/hello.txt
	touch -r keep x/in/hello.txt
	repack x h.cairn "${m[@]}"
	must_not_open h.cairn 4
	assert_stderr_has "SHA-256 differs"
}

@test "forged content with recomputed SHA256SUMS: signature fails (5)" {
	keys
	other_keys
	seal_small
	unpack a.cairn x
	mapfile -t m < <(members x)
	cp -p x/in/hello.txt keep
	printf 'HELLO\n' >x/in/hello.txt
	touch -r keep x/in/hello.txt
	(cd x && sha256sum manifest.json in/hello.txt in/sub/data.bin >SHA256SUMS)
	repack x f.cairn "${m[@]}"
	must_not_open f.cairn 5
	# signed by another key, manifest still naming the original signer
	minisign -S -s other.key -m x/SHA256SUMS -t "x" >/dev/null </dev/null
	repack x g.cairn "${m[@]}"
	must_not_open g.cairn 5
	# signature member dropped
	repack x n.cairn manifest.json in in/hello.txt in/sub in/sub/data.bin SHA256SUMS
	must_not_open n.cairn 5
	assert_stderr_has "signature missing"
}

@test "hostile tar members (../x, /abs, symlink, hardlink, FIFO, device): 4, nothing written" {
	keys
	seal_small
	unpack a.cairn x
	mapfile -t m < <(members x)
	# m: manifest.json in in/hello.txt in/sub in/sub/data.bin SHA256SUMS
	# SHA256SUMS.minisig.  Each hostile member takes in/hello.txt's place
	# in an otherwise valid archive.
	tail=("${m[@]:3}")
	# ../x and /abs: GNU tar's --transform, -P keeps them
	for t in dotdot,../escaped abs,/tmp/cairn-abs-$$; do
		(cd x && tar --format=ustar -P --no-recursion -cf ../t.tar \
		    --transform "s,^in/hello.txt\$,${t#*,}," "${m[@]}") &&
		    age -r "$R" -o "${t%%,*}.cairn" t.tar
		tar -tf t.tar | grep -qxF -- "${t#*,}"
	done
	# bsdtar: ../x
	(cd x && bsdtar --format ustar -P -n -cf ../t.tar \
	    -s ',^in/hello.txt$,../bsd,' "${m[@]}") && age -r "$R" -o bsd.cairn t.tar
	bsdtar -tf t.tar | grep -qx '../bsd'
	# a symlink, a hard link, a FIFO, (as root) a device, in place of
	# in/hello.txt
	for k in link hard fifo dev; do
		rm -rf y && cp -a x y
		case $k in
		hard) rm y/in/sub/data.bin
		      ln y/in/hello.txt y/in/sub/data.bin ;;
		*) rm y/in/hello.txt ;;
		esac
		case $k in
		link) ln -s /etc/passwd y/in/hello.txt ;;
		fifo) mkfifo y/in/hello.txt ;;
		dev) [ "$(id -u)" = 0 ] || continue
		     mknod y/in/hello.txt c 1 3 ;;
		esac
		touch -r x/in y/in
		touch -r x/in/sub y/in/sub
		repack y $k.cairn "${m[@]}"
	done
	for a in dotdot abs bsd link hard fifo dev; do
		[ -e $a.cairn ] || continue
		must_not_open $a.cairn 4
		[[ "$stderr" == *"tar stream:"* ]]
	done
	[ "$(id -u)" != 0 ] || assert_stderr_has "character device"
	[ ! -e ../escaped ] && [ ! -e escaped ] && [ ! -e "/tmp/cairn-abs-$$" ]
	[ ! -e ../bsd ] && [ ! -e bsd ]
	# a FIFO member first: refused before anything is created
	mkfifo w
	(tar --format=ustar -cf t.tar w) && age -r "$R" -o f1.cairn t.tar
	must_not_open f1.cairn 4
}

@test "open: an existing DIR is refused; a dangling symlink counts as existing" {
	keys
	seal_small
	mkdir out
	expect_exit 1 "$CAIRN" open -i id -C out a.cairn
	assert_stderr_has "already exists"
	ln -s nowhere out2
	expect_exit 1 "$CAIRN" open -i id -C out2 a.cairn
	[ -L out2 ]
	no_staging .
}

@test "open: SIGTERM while extracting removes the staging directory" {
	keys
	mkdir in
	payload 3000000 in/a.bin
	"$CAIRN" seal -r "$R" --no-sign -o a.cairn in
	mkfifo p
	"$CAIRN" open -i id -C out - <p &
	pid=$!
	exec 5>p
	head -c 2000000 a.cairn >&5
	for _ in $(seq 50); do
		[ -n "$(find . -maxdepth 1 -name '.out.cairn-*')" ] && break
		sleep 0.1
	done
	[ -n "$(find . -maxdepth 1 -name '.out.cairn-*')" ]
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	exec 5>&-
	[ "$st" -eq 143 ]
	[ ! -e out ]
	no_staging .
}

# ---- inputs changing while sealed ----------------------------------------------------------

@test "a file appended to while being sealed: error, no output" {
	keys
	mkdir in
	payload 40000000 in/growing.log
	( while :; do echo line >>in/growing.log; done ) &
	app=$!
	run --separate-stderr "$CAIRN" seal -r "$R" --no-sign -o a.cairn in
	kill "$app"
	wait "$app" || true
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"in/growing.log"* ]]
	[[ "$stderr" == *"while being sealed"* || "$stderr" == *"since it was examined"* ]]
	[ ! -e a.cairn ]
	assert_no_temp .
}

# ---- default names (issue 14, items 5-6) -----------------------------------------

@test "seal: the default name tells nothing of the content; --name sets its start" {
	keys
	mkdir photos
	echo x >"photos/Bakı_mitinq.jpg"
	expect_exit 0 "$CAIRN" seal -r "$R" --no-sign photos/Bakı_mitinq.jpg
	[[ "$output" =~ ^cairn-[0-9]{8}T[0-9]{6}Z-[a-z2-9]{6}\.cairn$ ]]
	[[ "$output" != *Bak* && "$output" != *photos* ]]
	[ -f "$output" ]
	expect_exit 0 "$CAIRN" seal -r "$R" --no-sign --name trip photos
	[[ "$output" =~ ^trip-[0-9]{8}T[0-9]{6}Z-[a-z2-9]{6}\.cairn$ ]]
	expect_exit 2 "$CAIRN" seal -r "$R" --no-sign --name a/b photos
	assert_stderr_has "--name 'a/b' is not a file name"
	expect_exit 2 "$CAIRN" seal -r "$R" --no-sign --name .hidden photos
}

@test "seal: default names never collide, even many in the same second" {
	keys
	echo x >f
	for i in 1 2 3 4 5 6; do
		"$CAIRN" seal -q -r "$R" --no-sign f &
	done
	wait
	[ "$(ls ./*.cairn | wc -l)" -eq 6 ]
	for a in ./*.cairn; do
		"$CAIRN" verify -q -i id --allow-unsigned "$a"
	done
}

@test "seal -o DIR (an existing directory) writes a default-named archive into it" {
	keys
	echo x >f
	mkdir out
	expect_exit 0 "$CAIRN" seal -r "$R" --no-sign -o out/ f
	[[ "$output" =~ ^out/cairn-[0-9]{8}T[0-9]{6}Z-[a-z2-9]{6}\.cairn$ ]]
	[ -f "$output" ]
	expect_exit 0 "$CAIRN" seal -r "$R" --no-sign -o out f
	[[ "$output" =~ ^out/cairn- ]]
	[ "$(ls out | wc -l)" -eq 2 ]
	assert_no_temp out
	# a directory that does not exist is not created, nor taken as a file
	expect_exit 1 "$CAIRN" seal -r "$R" --no-sign -o nowhere/ f
	assert_stderr_has "nowhere/: no such directory"
	[ ! -e nowhere ]
}

# ---- MIME types of the bench/gencorpus kinds --------------------------------------

# kinds N: N files each of JPEG, PNG, PDF and text (bench/gencorpus's
# headers, random bodies of varied sizes) under kinds/.
kinds() {
	mkdir -p kinds
	for i in $(seq 1 "$1"); do
		n=$((i * 997 % 60000 + 300))
		{ printf '\377\330\377\340\000\020JFIF\000\001\001\001\000H\000H\000\000'
		  head -c "$n" /dev/urandom; printf '\377\331'; } >"kinds/img_$i.jpg"
		{ printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\003\040\000\000\002\025\010\006\000\000\000\001\002\003\004'
		  head -c "$n" /dev/urandom; } >"kinds/shot_$i.png"
		{ printf '%%PDF-1.7\n%%\342\343\317\323\n1 0 obj\n<< /Type /XObject /Subtype /Image /Length %d >>\nstream\n' "$n"
		  head -c "$n" /dev/urandom; printf '\nendstream\nendobj\ntrailer\n<< /Size 2 >>\n%%%%EOF\n'; } >"kinds/scan_$i.pdf"
		for j in $(seq 1 $((i % 9 + 1))); do
			echo "scene photographed north wall door vehicle witness statement $j."
		done >"kinds/note_$i.txt"
	done
}

# types ARCHIVE: "path mime" per file of the manifest.
types() {
	"$CAIRN" list -i id --json "$1" |
	    jq -r '.entries[] | select(.type == "file") | "\(.path) \(.mime)"'
}

@test "MIME types: JPEG/PNG/PDF/text as before, with CAIRN_THREADS=1 and 2" {
	command -v jq >/dev/null || skip "jq not installed"
	keys
	kinds 25
	CAIRN_THREADS=1 "$CAIRN" seal -q -r "$R" -s sign.key -o one.cairn kinds
	CAIRN_THREADS=2 "$CAIRN" seal -q -r "$R" -s sign.key -o two.cairn kinds
	types one.cairn >one.txt
	types two.cairn >two.txt
	[ "$(wc -l <one.txt)" -eq 100 ]
	cmp one.txt two.txt
	[ "$(grep -c '\.jpg image/jpeg$' two.txt)" -eq 25 ]
	[ "$(grep -c '\.png image/png$' two.txt)" -eq 25 ]
	[ "$(grep -c '\.pdf application/pdf$' two.txt)" -eq 25 ]
	[ "$(grep -c '\.txt text/plain$' two.txt)" -eq 25 ]
}
