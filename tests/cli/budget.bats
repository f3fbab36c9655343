#!/usr/bin/env bats
# tests/cli/budget.bats - hostile manifest sizes through list, verify and
# open (issue 13, findings 3-4): a manifest at the 64 MiB cap made of
# empty objects is refused as too large, and a valid-shaped one with the
# most entries the limits allow is read, each in under 256 MiB peak RSS;
# deep paths are checked in about the time of shallow ones.

load helpers

# packed KIND MIB: KIND.cairn, a tar holding only that manifest.json,
# encrypted to the key home's recipient.
packed() {
	mkdir -p "m$1"
	"$CAIRN_TOP/bench/genmanifest" "$1" "$2" >"m$1/manifest.json"
	tar -C "m$1" --format=pax -cf "$1.tar" manifest.json
	"$CAIRN" encrypt -r "$REC" -o "$1.cairn" "$1.tar"
}

# need_plain_build: skip in the sanitizer pass (ASan's shadow memory and
# quarantine make RSS and time say nothing about cairn's own use).
need_plain_build() {
	[ -x /usr/bin/time ] || skip "needs /usr/bin/time (Debian package time)"
	if nm "$CAIRN" 2>/dev/null | grep -q '__asan_init'; then
		skip "sanitizer build: RSS and time are ASan's"
	fi
}

# measured CODE VERB ARGS...: cairn VERB exits CODE; $kib is its peak RSS
# and $secs its CPU time.
measured() {
	local want=$1
	shift
	run --separate-stderr /usr/bin/time -f '%M %U %S' -o rss "$CAIRN" "$@"
	[ "$status" -eq "$want" ] || { echo "$*: exit $status: ${stderr:0:300}"; return 1; }
	read -r kib u s < <(tail -1 rss)
	secs=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
}

@test "a 64 MiB manifest of empty objects: 'manifest too large' in < 256 MiB" {
	need_plain_build
	setup_keys
	packed empty 63
	for verb in list verify; do
		measured 1 "$verb" empty.cairn
		[[ "$stderr" == *"manifest.json: manifest too large: more than 250000 entries, or more JSON values than they can hold"* ]]
		echo "# $verb: $kib KiB" >&3
		[ "$kib" -lt 262144 ]
	done
	measured 1 open -C out empty.cairn
	[ "$kib" -lt 262144 ]
	[ ! -e out ]
}

@test "the most entries the limits allow (250,000, 63 MiB): read in < 256 MiB" {
	need_plain_build
	setup_keys
	packed full 63
	measured 0 list full.cairn
	echo "# list: $kib KiB, $secs s CPU" >&3
	[ "$kib" -lt 262144 ]
	[ "$(printf '%s\n' "$output" | grep -c x00250000)" -eq 1 ]
	# verify and open get as far as the first missing member
	measured 4 verify full.cairn
	[ "$kib" -lt 262144 ]
	measured 4 open -C out full.cairn
	[ "$kib" -lt 262144 ]
	[ ! -e out ]
}

@test "deep paths (4,000 x 2,040 components) list in about the time of flat ones" {
	need_plain_build
	setup_keys
	packed deep 16
	packed flat 16
	measured 0 list deep.cairn
	deep=$secs
	measured 0 list flat.cairn
	flat=$secs
	echo "# list: deep $deep s, flat $flat s CPU" >&3
	# quadratic before: 3.5 s against 0.4 s
	awk -v d="$deep" -v f="$flat" 'BEGIN { exit !(d < 3 * f + 0.3) }'
}
