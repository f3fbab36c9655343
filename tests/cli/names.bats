#!/usr/bin/env bats
# tests/cli/names.bats - file names from macOS, phones and old cameras
# (issue 14 item 4): names are sealed byte for byte whatever their Unicode
# normalisation, names that collide once normalised are warned about, and
# names that are not UTF-8 are refused with the name escaped and a hint.

load helpers

@test "names: a macOS (NFD) folder seals, opens and lists with its bytes unchanged" {
	stock_keys
	mkdir Photos
	nfd=$(printf 'Bak\304\261_mitinq_cafe\314\201.jpg')
	printf 'jpeg\n' >"Photos/$nfd"
	expect_exit 0 "$CAIRN" seal -r "$R" -s sign.key -o a.cairn Photos
	[[ "$stderr" != *"normalisation"* ]]
	expect_exit 0 "$CAIRN" list -i id --json a.cairn
	[ "$(jq -r '.entries[] | select(.type == "file") | .path' <<<"$output")" = "Photos/$nfd" ]
	expect_exit 0 "$CAIRN" open -i id --signer sign.pub -C out a.cairn
	[ -f "out/Photos/$nfd" ]
	[ "$(ls out/Photos | od -An -tx1)" = "$(printf '%s\n' "$nfd" | od -An -tx1)" ]
}

@test "names: two names equal once normalised are both sealed, with a warning" {
	stock_keys
	mkdir d
	printf 'one\n' >"d/$(printf 'cafe\314\201')"
	printf 'two\n' >"d/$(printf 'caf\303\251')"
	expect_exit 0 "$CAIRN" seal -r "$R" -s sign.key -o a.cairn d
	assert_stderr_has "differ only in Unicode normalisation (NFC/NFD)"
	assert_stderr_has "macOS cannot hold both"
	expect_exit 0 "$CAIRN" open -i id --signer sign.pub -C out a.cairn
	[ "$(ls out/d | wc -l)" -eq 2 ]
	# a plain folder warns about nothing
	expect_exit 0 "$CAIRN" seal -r "$R" -s sign.key -o b.cairn id
	[[ "$stderr" != *"normalisation"* ]]
}

@test "names: a name that is not UTF-8 (Latin-1) is refused, escaped, with a hint" {
	stock_keys
	mkdir cam
	printf 'x\n' >cam/ok.jpg
	printf 'x\n' >"cam/$(printf 'caf\351.jpg')"
	expect_exit 1 "$CAIRN" seal -r "$R" -s sign.key -o a.cairn cam
	assert_stderr_has 'cam/caf\xe9.jpg: name is not valid UTF-8'
	assert_stderr_has "hint: cairn stores names as UTF-8: rename the file"
	assert_no_stderr_control
	if printf '%s' "$stderr" | grep -qaP '\xe9'; then
		echo "raw Latin-1 byte on stderr"
		return 1
	fi
	[ ! -e a.cairn ]
	assert_no_temp .
}
