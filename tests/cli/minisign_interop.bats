#!/usr/bin/env bats
# minisign_interop.bats - cairn's minisig module against the real minisign
# (0.11) binary, through the test-only helper tests/tools/minisig_tool.c:
# signatures made by cairn verify with `minisign -V`, keys and signatures
# made by minisign (unencrypted, passphrase-protected, legacy) work with
# cairn, and tampering is caught by both.

setup() {
	top=${CAIRN_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	bdir=$(dirname "${CAIRN:-$top/build/cairn-test}")
	TOOL="$bdir/tests/tools/minisig_tool"
	[ -x "$TOOL" ] || { echo "missing $TOOL (make unit)"; return 1; }
	command -v minisign >/dev/null || skip "minisign not installed"
	cd "$BATS_TEST_TMPDIR"
	printf '%s  %s\n' \
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
	    manifest.json >SHA256SUMS
}

@test "cairn-made key and signature verify with minisign -V" {
	run "$TOOL" keygen signing.pub signing.key
	[ "$status" -eq 0 ]
	run "$TOOL" sign signing.key SHA256SUMS SHA256SUMS.minisig \
	    "archive:00112233445566778899aabbccddeeff sealed:2026-11-28T21:30:00Z"
	[ "$status" -eq 0 ]
	run minisign -Vm SHA256SUMS -p signing.pub
	[ "$status" -eq 0 ]
	[[ "$output" == *"Trusted comment: archive:00112233445566778899aabbccddeeff sealed:2026-11-28T21:30:00Z"* ]]
	# -H: minisign insists on a prehashed signature; ours is one.
	run minisign -VHm SHA256SUMS -p signing.pub
	[ "$status" -eq 0 ]
	# minisign also takes the bare key line (-P).
	run minisign -Vm SHA256SUMS -P "$(sed -n 2p signing.pub)"
	[ "$status" -eq 0 ]
	# our own verifier agrees
	run "$TOOL" verify signing.pub SHA256SUMS SHA256SUMS.minisig
	[ "$status" -eq 0 ]
	[ "$output" = "archive:00112233445566778899aabbccddeeff sealed:2026-11-28T21:30:00Z" ]
}

@test "minisign -V and cairn both reject a cairn signature over changed data" {
	"$TOOL" keygen signing.pub signing.key
	"$TOOL" sign signing.key SHA256SUMS SHA256SUMS.minisig "tc"
	sed -i 's/^e3/f3/' SHA256SUMS
	run minisign -Vm SHA256SUMS -p signing.pub
	[ "$status" -ne 0 ]
	run "$TOOL" verify signing.pub SHA256SUMS SHA256SUMS.minisig
	[ "$status" -eq 1 ]
	[[ "$output" == *"(-10)"* ]]
}

@test "minisign -V rejects a cairn signature with an edited trusted comment" {
	"$TOOL" keygen signing.pub signing.key
	"$TOOL" sign signing.key SHA256SUMS SHA256SUMS.minisig "sealed:2026"
	sed -i 's/^trusted comment: sealed:2026$/trusted comment: sealed:2027/' \
	    SHA256SUMS.minisig
	grep -q 'sealed:2027' SHA256SUMS.minisig
	run minisign -Vm SHA256SUMS -p signing.pub
	[ "$status" -ne 0 ]
	run "$TOOL" verify signing.pub SHA256SUMS SHA256SUMS.minisig
	[ "$status" -eq 1 ]
}

@test "minisign -G -W keys and minisign -S signatures verify with cairn" {
	minisign -G -W -p mk.pub -s mk.key </dev/null >/dev/null
	minisign -S -W -s mk.key -m SHA256SUMS -t "made by minisign" \
	    </dev/null >/dev/null
	run "$TOOL" verify mk.pub SHA256SUMS SHA256SUMS.minisig
	[ "$status" -eq 0 ]
	[ "$output" = "made by minisign" ]
	# must-fail: another key
	"$TOOL" keygen other.pub other.key
	run "$TOOL" verify other.pub SHA256SUMS SHA256SUMS.minisig
	[ "$status" -eq 1 ]
	[[ "$output" == *"(-10)"* ]]
	# must-fail: changed data
	echo extra >>SHA256SUMS
	run "$TOOL" verify mk.pub SHA256SUMS SHA256SUMS.minisig
	[ "$status" -eq 1 ]
}

@test "legacy (minisign -l) signatures verify with cairn" {
	minisign -G -W -p mk.pub -s mk.key </dev/null >/dev/null
	minisign -S -l -W -s mk.key -m SHA256SUMS -t "legacy" \
	    </dev/null >/dev/null
	sed -n 2p SHA256SUMS.minisig | grep -q '^RW' # "Ed", not "ED" (RU)
	run "$TOOL" verify mk.pub SHA256SUMS SHA256SUMS.minisig
	[ "$status" -eq 0 ]
	[ "$output" = "legacy" ]
	printf 'x' >>SHA256SUMS
	run "$TOOL" verify mk.pub SHA256SUMS SHA256SUMS.minisig
	[ "$status" -eq 1 ]
}

@test "cairn signs with an unencrypted secret key made by minisign -G -W" {
	minisign -G -W -p mk.pub -s mk.key </dev/null >/dev/null
	run "$TOOL" sign mk.key SHA256SUMS SHA256SUMS.minisig "with minisign key"
	[ "$status" -eq 0 ]
	run minisign -Vm SHA256SUMS -p mk.pub
	[ "$status" -eq 0 ]
	[[ "$output" == *"Trusted comment: with minisign key"* ]]
}

@test "passphrase-protected minisign key: loads with the passphrase only" {
	# minisign reads the passphrase from stdin when it is not a terminal.
	printf 'sekrit pass\nsekrit pass\n' |
	    minisign -G -p mk.pub -s mk.key >/dev/null 2>&1
	sed -n 2p mk.key | grep -q '^RWRTY0Iy' # "Ed" "Sc" "B2"
	MINISIG_PASS="sekrit pass" run "$TOOL" sign mk.key SHA256SUMS \
	    SHA256SUMS.minisig "encrypted minisign key"
	[ "$status" -eq 0 ]
	run minisign -Vm SHA256SUMS -p mk.pub
	[ "$status" -eq 0 ]
	# must-fail: wrong passphrase is NO_MATCH (-4), not a format error
	MINISIG_PASS="sekrit pasS" run "$TOOL" sign mk.key SHA256SUMS x.minisig t
	[ "$status" -eq 1 ]
	[[ "$output" == *"(-4)"* ]]
	[ ! -e x.minisig ]
}

@test "cairn passphrase-protected key (minisign's defaults) works in minisign -S" {
	MINISIG_PASS="pw for cairn" run "$TOOL" keygen ck.pub ck.key
	[ "$status" -eq 0 ]
	sed -n 2p ck.key | grep -q '^RWRTY0Iy'
	printf 'pw for cairn\n' |
	    minisign -S -s ck.key -m SHA256SUMS -t "signed by minisign" \
	    >/dev/null 2>&1
	run "$TOOL" verify ck.pub SHA256SUMS SHA256SUMS.minisig
	[ "$status" -eq 0 ]
	[ "$output" = "signed by minisign" ]
	# must-fail: minisign refuses a wrong passphrase for our key
	rm SHA256SUMS.minisig
	run sh -c "printf 'wrong\n' | minisign -S -s ck.key -m SHA256SUMS"
	[ "$status" -ne 0 ]
	[ ! -e SHA256SUMS.minisig ]
}

@test "large message: streaming signatures agree with minisign" {
	head -c 3000000 /dev/urandom >big.bin
	"$TOOL" keygen signing.pub signing.key
	"$TOOL" sign signing.key big.bin big.bin.minisig "big"
	run minisign -Vm big.bin -p signing.pub
	[ "$status" -eq 0 ]
	minisign -G -W -p mk.pub -s mk.key </dev/null >/dev/null
	minisign -S -W -s mk.key -m big.bin -x big2.minisig -t big2 \
	    </dev/null >/dev/null
	run "$TOOL" verify mk.pub big.bin big2.minisig
	[ "$status" -eq 0 ]
	[ "$output" = "big2" ]
}
