#!/usr/bin/env bats
# tests/cli/interrupt.bats - interrupted runs and races beside the
# destination (issue 13): a signal at an exact point (the test build's
# CAIRN_TEST_SIGNAL=POINT:N sends SIGTERM to cairn itself there) must
# leave no share, temp file or staging directory; open must never
# publish or delete a directory it did not create (CAIRN_TEST_AT plays
# the attacker who swaps the staging directory).

load helpers

# key NAME: an identity NAME.key; its recipient in NAME.pub.
key() {
	"$CAIRN" keygen -o "$1.key" >"$1.pub"
}

# interrupted POINT:N CMD...: CMD must die of the SIGTERM sent at POINT:N.
interrupted() {
	local at=$1
	shift
	run --separate-stderr env CAIRN_TEST_SIGNAL="$at" "$@"
	if [ "$status" -ne 143 ]; then
		echo "$at: exit $status, not 143: $stderr"
		return 1
	fi
}

@test "Ctrl-C: exit 130 and one line saying nothing partial was left" {
	key me
	mkfifo in.fifo
	"$CAIRN" encrypt -r "$(cat me.pub)" -o out.age in.fifo 2>err &
	pid=$!
	exec 8>in.fifo
	printf "the start of a file" >&8
	sleep 1
	kill -INT "$pid"
	st=0
	wait "$pid" || st=$?
	exec 8>&-
	[ "$st" -eq 130 ] || { echo "exit $st: $(cat err)"; return 1; }
	[ "$(cat err)" = "cairn: error: interrupted (Ctrl-C): nothing partial was left behind" ]
	[ ! -e out.age ]
	assert_no_temp .
}

@test "SIGTERM during split -n 16 leaves no share and no temp file" {
	key me
	for at in share-written:1 share-written:9 share-written:16 \
	    share-published:1 share-published:9 share-published:15; do
		interrupted "$at" "$CAIRN" split -t 2 -n 16 -o shares me.key
		[ "$stderr" = "cairn: error: terminated: nothing partial was left behind" ]
		[ ! -e shares ] || { echo "$at: left $(ls -A shares)"; false; }
		[ "$(ls -A)" = "$(printf 'me.key\nme.pub')" ]
		# an existing directory stays, empty
		mkdir kept
		interrupted "$at" "$CAIRN" split -t 2 -n 16 -o kept me.key
		[ -z "$(ls -A kept)" ] || { echo "$at: left $(ls -A kept)"; false; }
		rmdir kept
	done
	expect_exit 0 "$CAIRN" split -t 2 -n 16 -o shares me.key
	[ "$(ls shares | wc -l)" -eq 16 ]
}

@test "SIGTERM during recovery init with 16 contacts leaves no share file" {
	args=()
	for i in $(seq 16); do
		key "c$i"
		args+=(--contact "c$i=$(cat "c$i.pub")")
	done
	for at in share-written:12 share-published:10; do
		interrupted "$at" "$CAIRN" recovery init -t 2 "${args[@]}" -o out
		[ ! -e out ] || { echo "$at: left $(ls -A out)"; false; }
		[ ! -e home/recipients ]
	done
}

@test "recovery init: a signal before the recipients file has the key removes the set; after, both stay" {
	args=()
	for i in 1 2 3; do
		key "c$i"
		args+=(--contact "c$i=$(cat "c$i.pub")")
	done
	# shares and kits written, recipients not yet updated: nothing stays
	interrupted recovery-shares-written "$CAIRN" recovery init -t 2 "${args[@]}" -o out
	[ ! -e out ] || { echo "left $(find out)"; false; }
	[ ! -e home/recipients ]
	# recipients updated: the signal waits, and the set is complete
	interrupted recovery-recipients-written "$CAIRN" recovery init -t 2 "${args[@]}" -o out
	[ "$(find out -name 'share-*' -type f | wc -l)" -eq 3 ]
	key=$(grep -m1 '^age1' home/recipients)
	for f in $(find out -name 'share-*' -type f); do
		age -d -i c1.key "$f" >/dev/null 2>&1 || age -d -i c2.key "$f" >/dev/null 2>&1 ||
		    age -d -i c3.key "$f" >/dev/null 2>&1 || { echo "$f unreadable"; false; }
	done
	expect_exit 0 "$CAIRN" recovery list
	assert_output_has "$key"
}

# sealed: in/a.cairn holding in/data (three files and a deep directory).
sealed() {
	setup_keys
	mkdir -p in/data/sub "in/data/$(printf 'd/%.0s' $(seq 60))"
	echo one >in/data/f1
	echo two >in/data/sub/f2
	echo three >in/data/sub/f3
	echo deep >"in/data/$(printf 'd/%.0s' $(seq 60))deep"
	"$CAIRN" seal -r "$REC" --no-sign -o in/a.cairn in/data 2>/dev/null
	mkdir out
}

# theirs_intact: the swapped-in directory still holds the other user's
# file; our moved staging tree (out/.moved) holds no plaintext.
theirs_intact() {
	local d
	d=$(ls -d out/.x.cairn-*)
	[ -e "$d/theirs" ] || { echo "their file was deleted"; false; }
	[ -z "$(find out/.moved -type f)" ] || { echo "plaintext left: $(find out/.moved -type f)"; false; }
}

@test "open: a staging directory swapped before the rename is never published" {
	sealed
	run --separate-stderr env CAIRN_TEST_AT=extract-commit \
	    "$CAIRN" open -i in/home/identity --allow-unsigned -C out/x in/a.cairn
	[ "$status" -eq 1 ] || { echo "exit $status: $stderr"; false; }
	[[ "$stderr" == *"the staging directory was replaced while the archive was being opened; nothing was published"* ]]
	[ ! -e out/x ]
	theirs_intact
}

@test "open: cleanup after a swap deletes nothing of theirs, leaves nothing of ours" {
	sealed
	# swapped at the 2nd file, interrupted at the 3rd
	run --separate-stderr env CAIRN_TEST_AT=extract-file:2 \
	    CAIRN_TEST_SIGNAL=extract-file:3 \
	    "$CAIRN" open -i in/home/identity --allow-unsigned -C out/x in/a.cairn
	[ "$status" -eq 143 ] || { echo "exit $status: $stderr"; false; }
	[ ! -e out/x ]
	theirs_intact
	# swapped, then the commit refuses: the same cleanup without a signal
	rm -rf out && mkdir out
	run --separate-stderr env CAIRN_TEST_AT=extract-file:1 \
	    "$CAIRN" open -i in/home/identity --allow-unsigned -C out/x in/a.cairn
	[ "$status" -eq 1 ]
	[ ! -e out/x ]
	theirs_intact
}

@test "open: an interrupted deep tree (60 levels) is removed completely" {
	sealed
	run --separate-stderr env CAIRN_TEST_SIGNAL=extract-file:4 \
	    "$CAIRN" open -i in/home/identity --allow-unsigned -C out/x in/a.cairn
	[ "$status" -eq 143 ]
	[ -z "$(ls -A out)" ] || { echo "left: $(find out)"; false; }
}

@test "open: warns about a parent others can write without the sticky bit" {
	sealed
	mkdir -m 0777 out/shared out/sticky && chmod 1777 out/sticky
	chmod 0777 out/shared # against the umask
	expect_exit 0 "$CAIRN" open -i in/home/identity --allow-unsigned -C out/shared/x in/a.cairn
	assert_stderr_has "out/shared/x: other users can write the directory it is made in (not sticky)"
	expect_exit 0 "$CAIRN" open -i in/home/identity --allow-unsigned -C out/sticky/x in/a.cairn
	[[ "$stderr" != *"other users can write"* ]]
	expect_exit 0 "$CAIRN" open -i in/home/identity --allow-unsigned -C out/x in/a.cairn
	[[ "$stderr" != *"other users can write"* ]]
}

@test "the leftover hint, pasted into a shell, removes exactly that directory" {
	sealed
	local d="out/it's \$HOME; x" hint
	mkdir -p "out/.it's \$HOME; x.cairn-k1ll3d" "out/keep"
	expect_exit 0 "$CAIRN" open -i in/home/identity --allow-unsigned -C "$d" in/a.cairn
	hint=$(printf '%s\n' "$stderr" | grep -m1 'remove it: rm -rf -- ')
	[ -n "$hint" ]
	sh -c "${hint#*remove it: }"
	[ ! -e "out/.it's \$HOME; x.cairn-k1ll3d" ]
	[ -d "out/keep" ] && [ -d "$d" ]
}

@test "open and seal -o name what a killed run left beside the destination" {
	sealed
	mkdir out/.x.cairn-k1ll3d out/.x.cairn-notours1 out/.y.cairn-abc123
	echo plaintext >out/.x.cairn-k1ll3d/secret
	expect_exit 0 "$CAIRN" open -i in/home/identity --allow-unsigned -C out/x in/a.cairn
	assert_stderr_has "out/.x.cairn-k1ll3d: left by an interrupted cairn run (killed or a power loss); it may hold plaintext"
	assert_stderr_has "hint: unless a cairn is still running there, remove it: rm -rf -- out/.x.cairn-k1ll3d"
	[[ "$stderr" != *notours1* && "$stderr" != *.y.cairn* ]]
	[ -e out/.x.cairn-k1ll3d/secret ] # never removed on its own
	# an output's temp file after SIGKILL during seal -o
	touch out/.a.cairn.q1w2e3
	expect_exit 0 "$CAIRN" seal -r "$REC" --no-sign -o out/a.cairn in/data
	assert_stderr_has "out/.a.cairn.q1w2e3: left by an interrupted cairn run"
	# a real SIGKILL during open leaves a staging directory: named next time
	rm -rf out && mkdir out
	mkfifo fifo
	exec 7<>fifo
	"$CAIRN" open -i in/home/identity --allow-unsigned -C out/z - <fifo >/dev/null 2>/dev/null 3>&- &
	pid=$!
	head -c 200000 in/a.cairn >&7
	for _ in $(seq 100); do
		[ -n "$(ls -A out)" ] && break
		sleep 0.05
	done
	kill -KILL "$pid"
	wait "$pid" || true
	exec 7>&-
	left=$(ls -A out)
	[[ "$left" == .z.cairn-* ]]
	expect_exit 0 "$CAIRN" open -i in/home/identity --allow-unsigned -C out/z in/a.cairn
	assert_stderr_has "out/$left: left by an interrupted cairn run"
}
