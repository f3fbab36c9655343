#!/usr/bin/env bats
# salvage.bats - `cairn salvage`: an archive damaged the ways media fail
# (zeroed 4 KiB sectors, bit flips in the first, a middle and the last
# chunk, truncation, the header, the nonce) gives back exactly the files
# outside the damage, each byte-identical; verified ones only when the
# signed manifest and SHA256SUMS survived, else under unverified/; the
# rest listed as partial or lost with byte ranges; exit 7.  Which files
# lie outside the damage is computed independently from GNU tar's block
# numbers (tar -tvR) of the intact plaintext and the chunk geometry.

load helpers

CHUNK=65536
ENC=65552

# A signed archive a.cairn of files of known sizes (plain names: no pax).
sealed() {
	"$CAIRN" keygen >/dev/null 2>&1
	mkdir data
	local i
	for i in 1 2 3 4 5 6 7 8; do
		payload $((i * 61000)) data/f$i.bin
	done
	echo note >data/small.txt
	mkdir data/empty
	"$CAIRN" seal -q -o a.cairn data
	age -d -i "$CAIRN_HOME/identity" a.cairn >plain.tar
}

# The offset of the first payload chunk (after the MAC line and nonce).
payload_at() {
	grep -abo -m1 -- '^--- ' "$1" | head -1 | cut -d: -f1 |
	    { read -r o; echo $((o + 48 + 16)); }
}

# outside Z0 Z1: the files (from plain.tar) whose header and data lie
# outside the chunks holding ciphertext bytes [Z0, Z1).
outside() {
	local p k0 k1
	p=$(payload_at a.cairn)
	k0=$((($1 - p) / ENC))
	k1=$((($2 - 1 - p) / ENC))
	tar -tvRf plain.tar | awk -v lo=$((k0 * CHUNK)) -v hi=$(((k1 + 1) * CHUNK)) '
		$1 == "block" && $3 ~ /^-/ {
			b = $2; sub(/:/, "", b); start = b * 512
			end = start + 512 + $5
			name = $NF
			if (name == "manifest.json" || name ~ /^SHA256SUMS/) next
			if (end <= lo || start >= hi) print name
		}' | sort
}

# got DIR/SUB: the files salvage wrote there, sorted.
got() {
	[ -d "$1" ] || return 0
	(cd "$1" && find . -type f | sed 's|^\./||' | sort)
}

# same_as_sealed DIR/SUB: each file there is identical to the original.
same_as_sealed() {
	local f
	for f in $(got "$1"); do
		assert_same "$1/$f" "$f"
	done
}

@test "salvage of an intact archive: everything verified, exit 0" {
	sealed
	expect_exit 0 "$CAIRN" salvage a.cairn -C out
	assert_output_has "9 verified, 0 unverified, 0 partial, 0 lost"
	[ "$(got out/verified)" = "$(cd . && find data -type f | sort)" ]
	same_as_sealed out/verified
	[ -d out/verified/data/empty ]
	[ ! -e out/unverified ]
	[ -f out/salvage-report.txt ]
}

@test "salvage names what an interrupted salvage left beside -C, as open does" {
	sealed
	mkdir .out.cairn-k1ll3d
	echo plaintext >.out.cairn-k1ll3d/secret
	expect_exit 0 "$CAIRN" salvage a.cairn -C out
	assert_stderr_has ".out.cairn-k1ll3d: left by an interrupted cairn run (killed or a power loss); it may hold plaintext"
	[ -e .out.cairn-k1ll3d/secret ] # never removed on its own
}

@test "zeroed 4 KiB sectors in the middle: exactly the files outside are verified; the rest partial or lost" {
	sealed
	local z0=$((300 * 1024)) z1=$((312 * 1024)) want
	dd if=/dev/zero of=a.cairn bs=4096 seek=$((z0 / 4096)) count=3 conv=notrunc status=none
	want=$(outside $z0 $z1)
	[ "$(echo "$want" | wc -l)" -ge 5 ] && [ "$(echo "$want" | wc -l)" -le 8 ]
	expect_exit 4 "$CAIRN" verify a.cairn
	assert_stderr_has "'cairn salvage a.cairn -C DIR' recovers"
	expect_exit 7 "$CAIRN" salvage a.cairn -C out
	assert_stderr_has "partially recovered into out"
	[ "$(got out/verified)" = "$want" ] || { echo "want: $want"; echo "got: $(got out/verified)"; false; }
	same_as_sealed out/verified
	[ ! -e out/unverified ]
	assert_output_has "signature:      verified"
	# every file not recovered is in the report, partial or lost, with bytes
	local f
	for f in $(cd . && find data -type f | sort); do
		grep -qx "$f" <<<"$want" && continue
		grep -E "^(PARTIAL|LOST) +$f  \(.*lost bytes [0-9]+-[0-9]+" out/salvage-report.txt
	done
}

@test "bit flips in two separate middle chunks: same rule" {
	sealed
	local p want
	p=$(payload_at a.cairn)
	flip_byte a.cairn $((p + 3 * ENC + 100))
	flip_byte a.cairn $((p + 7 * ENC + 9))
	want=$(comm -12 <(outside $((p + 3 * ENC)) $((p + 4 * ENC))) \
	    <(outside $((p + 7 * ENC)) $((p + 8 * ENC))))
	[ "$(echo "$want" | wc -l)" -le 7 ]
	expect_exit 7 "$CAIRN" salvage -q a.cairn -C out
	[ -z "$output" ]
	[ "$(got out/verified)" = "$want" ]
	same_as_sealed out/verified
}

@test "first chunk damaged: manifest lost, so complete files go to unverified/ only" {
	sealed
	local p want
	p=$(payload_at a.cairn)
	flip_byte a.cairn $((p + 10))
	want=$(outside $p $((p + 1)))
	expect_exit 7 "$CAIRN" salvage a.cairn -C out
	assert_output_has "manifest.json:  LOST"
	assert_output_has "cannot be checked (manifest lost)"
	[ ! -e out/verified ]
	[ "$(got out/unverified)" = "$want" ]
	same_as_sealed out/unverified
	grep -q "^UNVERIFIED  data/f8.bin  -- manifest lost" out/salvage-report.txt
}

@test "last chunk damaged or archive truncated: SHA256SUMS lost, complete files unverified" {
	sealed
	local size p want
	size=$(stat -c %s a.cairn)
	p=$(payload_at a.cairn)
	cp a.cairn orig.cairn
	flip_byte a.cairn $((size - 50))
	want=$(outside $((size - 50)) $((size - 49)))
	expect_exit 7 "$CAIRN" salvage a.cairn -C out
	assert_output_has "SHA256SUMS:     LOST"
	assert_output_has "end of archive: MISSING"
	[ ! -e out/verified ]
	[ "$(got out/unverified)" = "$want" ]
	same_as_sealed out/unverified
	# truncated in the middle of the payload
	head -c $((p + 6 * ENC + 1000)) orig.cairn >a.cairn
	want=$(outside $((p + 6 * ENC)) $size)
	expect_exit 7 "$CAIRN" salvage a.cairn -C out2
	[ "$(got out2/unverified)" = "$want" ]
	same_as_sealed out2/unverified
	grep -q "^PARTIAL " out2/salvage-report.txt
	grep -q "^LOST " out2/salvage-report.txt
}

@test "damaged header or nonce: nothing can be salvaged (exit 4), no directory" {
	sealed
	local p
	p=$(payload_at a.cairn)
	cp a.cairn orig.cairn
	flip_byte a.cairn $((p - 16 - 10))
	expect_exit 4 "$CAIRN" salvage a.cairn -C out
	assert_stderr_has "the age header is damaged"
	assert_stderr_has "only parity files can repair it"
	[ ! -e out ]
	cp orig.cairn a.cairn
	flip_byte a.cairn $((p - 5))
	expect_exit 4 "$CAIRN" salvage a.cairn -C out
	assert_stderr_has "no chunk authenticated"
	[ ! -e out ]
	assert_no_temp .
}

@test "salvage of a foreign tar: links and bad names refused, a duplicate not written, nothing verified" {
	"$CAIRN" keygen >/dev/null 2>&1
	mkdir src
	payload 5000 src/a.bin
	ln -s /etc/passwd src/link
	echo x >"src/bad$(printf '\033')name"
	mkdir src2
	echo other >src2/a.bin
	(cd src && tar --format=ustar -cf ../t.tar a.bin link bad*)
	tar --format=ustar -C src2 -rf t.tar a.bin
	age -r "$(grep '^age1' "$CAIRN_HOME/recipients")" -o t.cairn t.tar
	expect_exit 7 "$CAIRN" salvage t.cairn -C out
	assert_output_has "2 refused"
	assert_output_has "1 not written (name collision)"
	assert_output_has "NOT-WRITTEN  a.bin"
	assert_output_has "manifest.json:  LOST"
	assert_same out/unverified/a.bin src/a.bin
	[ -z "$(find out -type l)" ]
	[ "$(find out -type f | wc -l)" -eq 2 ]
	[ ! -e out/verified ]
}

@test "salvage: usage errors, existing directory, wrong key" {
	sealed
	expect_exit 2 "$CAIRN" salvage a.cairn
	assert_stderr_has "give -C DIR"
	expect_exit 2 "$CAIRN" salvage -C out -
	expect_exit 2 "$CAIRN" salvage -C out
	mkdir out
	expect_exit 1 "$CAIRN" salvage a.cairn -C out
	assert_stderr_has "already exists"
	age-keygen -o other 2>/dev/null
	chmod 600 other
	expect_exit 3 "$CAIRN" salvage -i other a.cairn -C out2
	[ ! -e out2 ]
	expect_exit 0 "$CAIRN" salvage --help
	assert_output_has "7 partially"
	expect_exit 0 "$CAIRN" --help
	assert_output_has "7  partially recovered"
}

@test "salvage verifies only for a trusted signer: a stranger's archive goes to unverified/, exit 5" {
	sealed
	rec=$(grep -m1 '^age1' "$CAIRN_HOME/recipients")
	# a stranger's signing key, sealed to the same recipient
	CAIRN_HOME="$PWD/stranger" "$CAIRN" keygen >/dev/null 2>&1
	CAIRN_HOME="$PWD/stranger" "$CAIRN" seal -q -r "$rec" -o s.cairn data
	expect_exit 5 "$CAIRN" salvage s.cairn -C out1
	assert_stderr_has "which you do not trust: every recovered file goes to unverified/"
	[ ! -e out1/verified/data/small.txt ]
	assert_same out1/unverified/data/small.txt data/small.txt
	grep -q 'signed by a key you do not trust' out1/salvage-report.txt
	# trusted for this call: verified, exit 0
	expect_exit 0 "$CAIRN" salvage --signer stranger/signing.pub s.cairn -C out2
	assert_same out2/verified/data/small.txt data/small.txt
	# the journalist's own archive: verified as before
	expect_exit 0 "$CAIRN" salvage a.cairn -C out3
	# unsigned: never verified (no signature to trust), as before
	"$CAIRN" seal -q --no-sign -o u.cairn data
	expect_exit 7 "$CAIRN" salvage u.cairn -C out4
	[ ! -e out4/verified/data/small.txt ]
	assert_same out4/unverified/data/small.txt data/small.txt
}
