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

@test "SIGTERM during split -n 16 leaves no share and no temp file" {
	key me
	for at in share-written:1 share-written:9 share-written:16 \
	    share-published:1 share-published:9 share-published:15; do
		interrupted "$at" "$CAIRN" split -t 2 -n 16 -o shares me.key
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
