#!/usr/bin/env bats
# tests/cli/open_files.bats - `cairn open` finishes small files (write,
# mode, times, close) on a second thread (issue 18): the tree it writes
# is the same as with one thread, and a failure met on that thread is
# reported against the file it belongs to, even though it is noticed
# while a later entry is being handled.

load helpers

# A tree of N small files of assorted sizes, modes and times, plus files
# just below and above the 256 KiB buffered size.
make_tree() {
	mkdir -p in/a/b in/c
	for i in $(seq 1 "$1"); do
		head -c $((i * 37 % 5000)) /dev/urandom >"in/a/f$i"
		[ $((i % 3)) -eq 0 ] && chmod 600 "in/a/f$i"
		touch -d "@$((1500000000 + i))" "in/a/f$i"
	done
	: >in/c/empty
	head -c 262144 /dev/urandom >in/c/at-limit
	head -c 262145 /dev/urandom >in/c/over-limit
	head -c 3000000 /dev/urandom >in/b-large
	touch -d @1600000000 in/c/* in/b-large # cairn keeps whole seconds
}

# mode, mtime, size and SHA-256 of every file under $1, by relative path
tree_facts() {
	(cd "$1" && find . -type f -printf '%P %m %T@ %s\n' | sort &&
	    find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

@test "open_files: two threads write the same tree as one" {
	stock_keys
	make_tree 400
	expect_exit 0 "$CAIRN" seal -r "$R" -s sign.key -o a.cairn in
	expect_exit 0 "$CAIRN" open -i id --signer sign.pub -C two a.cairn
	CAIRN_THREADS=1 expect_exit 0 "$CAIRN" open -i id --signer sign.pub -C one a.cairn
	[ "$(tree_facts two/in)" = "$(tree_facts one/in)" ]
	[ "$(tree_facts two/in)" = "$(tree_facts in)" ]
	[ "$(find two -type f | wc -l)" -eq 404 ]
}

@test "open_files: a file that cannot be written is named, nothing is left" {
	stock_keys
	mkdir -p in
	printf 'first\n' >in/a.txt
	head -c 150000 /dev/urandom >in/big.bin
	for i in 1 2 3 4 5 6 7 8; do printf '%s\n' "$i" >"in/c$i.txt"; done
	expect_exit 0 "$CAIRN" seal -r "$R" -s sign.key -o a.cairn in
	for threads in 1 2; do
		# files over 100 KiB fail with EFBIG (SIGXFSZ ignored)
		run bash -c "trap '' XFSZ; ulimit -f 100; CAIRN_THREADS=$threads \"\$0\" open -i id --signer sign.pub -C out a.cairn" "$CAIRN"
		[ "$status" -eq 1 ]
		[[ "$output" == *"cairn: error: a.cairn: in/big.bin: File too large"* ]]
		[[ "$output" != *"c1.txt"* ]]
		[ ! -e out ]
		[ -z "$(ls -A | grep cairn- || true)" ]
	done
}
