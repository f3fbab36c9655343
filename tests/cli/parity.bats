#!/usr/bin/env bats
# parity.bats - PAR2 recovery data: `cairn seal --parity`, `cairn parity
# create/verify`, `cairn repair`, the hint of `cairn verify`, and stock
# `par2 verify/repair` on the same files.  Archives are damaged the ways
# media fail (bit flips in the header, the nonce, the first, a middle
# and the last chunk; runs of zeroed 4 KiB sectors; truncation) and must
# come back byte-identical within the parity budget; beyond it repair
# exits 4 and leaves the archive as it was.

load helpers

need_par2() {
	command -v par2 >/dev/null || skip "par2 not installed (scripts/install-deps)"
}

# keys, then a ~600 KiB archive a.cairn with 10 % parity; orig = copy.
sealed() {
	need_par2
	age-keygen -o id 2>/dev/null
	R=$(age-keygen -y id)
	mkdir data
	payload 400000 data/one.bin
	payload 200000 data/two.bin
	echo note >data/three.txt
	expect_exit 0 "$CAIRN" seal -r "$R" --no-sign --parity 10 -o a.cairn data
	cp a.cairn orig
}

# The offset of the payload nonce (the end of the header's MAC line).
nonce_at() {
	grep -abo -m1 -- '^--- ' "$1" | head -1 | cut -d: -f1 |
	    { read -r o; echo $((o + 48)); }
}

@test "seal --parity writes ARCHIVE.par2 and one volume; names reveal only the archive's name" {
	sealed
	assert_output_has "a.cairn.par2"
	assert_output_has "parity: 10% recovery data"
	run ls
	[ -f a.cairn.par2 ]
	ls a.cairn.vol*.par2
	[ "$(ls | grep -c par2)" -eq 2 ]
	! ls -a | grep -q '^\.cairn-'
	! grep -q one.bin a.cairn.par2 a.cairn.vol*.par2
	expect_exit 0 par2 verify -q a.cairn.par2
	expect_exit 0 "$CAIRN" parity verify a.cairn
	assert_output_has "intact"
	# the overhead: about PERCENT of the archive, plus the index
	local a p
	a=$(stat -c %s a.cairn)
	p=$(cat a.cairn.par2 a.cairn.vol*.par2 | wc -c)
	[ "$p" -gt $((a / 10)) ]
	[ "$p" -lt $((a * 16 / 100)) ]
}

@test "repair restores byte-identical archives: header, nonce, first/middle/last chunk, sectors, truncation" {
	sealed
	local size n off
	size=$(stat -c %s a.cairn)
	n=$(nonce_at a.cairn)
	for off in 40 $((n - 10)) $((n + 3)) $((n + 16 + 100)) $((size / 2)) $((size - 20)); do
		cp orig a.cairn
		flip_byte a.cairn "$off"
		expect_exit 4 "$CAIRN" verify -i id a.cairn
		assert_stderr_has "run 'cairn repair a.cairn'"
		expect_exit 0 "$CAIRN" repair a.cairn
		assert_output_has "repaired a.cairn"
		assert_same a.cairn orig
	done
	# three 4 KiB sectors zeroed in a row, twice
	cp orig a.cairn
	dd if=/dev/zero of=a.cairn bs=4096 seek=20 count=3 conv=notrunc status=none
	dd if=/dev/zero of=a.cairn bs=4096 seek=100 count=3 conv=notrunc status=none
	expect_exit 0 "$CAIRN" repair a.cairn
	assert_output_has "bytes 81920-94207"
	assert_same a.cairn orig
	expect_exit 0 "$CAIRN" verify -i id --allow-unsigned a.cairn
	# truncated by 5 %
	head -c $((size * 95 / 100)) orig >a.cairn
	expect_exit 0 "$CAIRN" repair a.cairn
	assert_output_has "truncated"
	assert_same a.cairn orig
	assert_no_temp .
	! ls -a | grep -q '^\.cairn-'
}

@test "stock par2 repair restores the same damage" {
	sealed
	local size
	size=$(stat -c %s a.cairn)
	flip_byte a.cairn $(nonce_at a.cairn)
	dd if=/dev/zero of=a.cairn bs=4096 seek=50 count=4 conv=notrunc status=none
	expect_exit 1 par2 verify -q a.cairn.par2
	expect_exit 0 par2 repair -q a.cairn.par2
	assert_same a.cairn orig
	head -c $((size - 30000)) orig >a.cairn
	expect_exit 0 par2 repair -q a.cairn.par2
	assert_same a.cairn orig
}

@test "beyond the parity budget: repair exits 4, leaves the archive, hints salvage" {
	sealed
	dd if=/dev/zero of=a.cairn bs=4096 seek=10 count=40 conv=notrunc status=none
	cp a.cairn damaged
	expect_exit 4 "$CAIRN" verify -i id a.cairn
	assert_stderr_has "cairn salvage a.cairn -C DIR"
	expect_exit 4 "$CAIRN" repair a.cairn
	assert_stderr_has "not enough recovery data"
	assert_same a.cairn damaged
	expect_exit 4 "$CAIRN" parity verify a.cairn
	! ls -a | grep -q '^\.cairn-'
}

@test "parity create on an existing archive; refuses to replace; intact repair is a no-op" {
	need_par2
	payload 100000 x.cairn
	expect_exit 0 "$CAIRN" parity create x.cairn 5
	assert_output_has "parity: 5% recovery data"
	expect_exit 1 "$CAIRN" parity create x.cairn
	assert_stderr_has "x.cairn.par2 already exists"
	cp x.cairn before
	expect_exit 0 "$CAIRN" repair x.cairn
	assert_output_has "intact, nothing to repair"
	assert_same x.cairn before
	mkdir sub
	cp x.cairn sub/-odd.cairn
	expect_exit 0 "$CAIRN" parity create -q sub/-odd.cairn 7
	[ -z "$output" ]
	flip_byte sub/-odd.cairn 500
	expect_exit 0 "$CAIRN" repair -q sub/-odd.cairn
	assert_same sub/-odd.cairn before
}

@test "parity: usage errors, no parity files, par2 missing" {
	need_par2
	payload 1000 x.cairn
	expect_exit 2 "$CAIRN" parity
	expect_exit 2 "$CAIRN" parity frobnicate x.cairn
	expect_exit 2 "$CAIRN" parity create x.cairn 0
	expect_exit 2 "$CAIRN" parity create x.cairn 101
	expect_exit 2 "$CAIRN" parity create x.cairn 5x
	expect_exit 2 "$CAIRN" parity create x.cairn 5 6
	expect_exit 2 "$CAIRN" parity create -
	expect_exit 2 "$CAIRN" repair
	expect_exit 2 "$CAIRN" repair -
	expect_exit 2 "$CAIRN" seal --parity 0 x.cairn
	expect_exit 2 "$CAIRN" seal --parity 5 -o - x.cairn
	expect_exit 1 "$CAIRN" repair x.cairn
	assert_stderr_has "no parity files"
	expect_exit 1 "$CAIRN" parity verify x.cairn
	expect_exit 1 "$CAIRN" parity create nosuch.cairn
	expect_exit 1 env PATH=/nonexistent "$CAIRN" parity create x.cairn
	assert_stderr_has "par2 not found on PATH"
	assert_stderr_has "apt install par2"
	[ ! -e x.cairn.par2 ]
	expect_exit 1 env PATH=/nonexistent "$CAIRN" seal -r age1qqq --no-sign --parity 5 -o y.cairn x.cairn
	assert_stderr_has "par2 not found"
	[ ! -e y.cairn ]
}
