#!/usr/bin/env bats
# json.bats - every --json output against docs/json.md: each command
# prints one JSON object whose top-level keys are exactly those its
# section's table documents (nested "a[].b" rows are checked where the
# output has them); must-fail cases show a key missing from the document
# or from the output is caught, and --json errors are clean.

load helpers

DOC=$CAIRN_TOP/docs/json.md

# doc_keys HEADING [DOC]: the top-level fields of the table under
# "## HEADING" in docs/json.md, sorted.
doc_keys() {
	awk -v h="## $1" '
		$0 == h { on = 1; next }
		/^## / { on = 0 }
		on && /^\| `[a-z0-9_]+` \|/ { s = $2; gsub(/`/, "", s); print s }
	' "${2:-$DOC}" | sort -u
}

# doc_nested HEADING ARRAY: the fields of ARRAY[] documented there.
doc_nested() {
	awk -v h="## $1" -v a="$2" '
		$0 == h { on = 1; next }
		/^## / { on = 0 }
		on && index($0, "| `" a "[].") == 1 {
			s = $2; gsub(/`/, "", s); sub(/.*\[\]\./, "", s); print s
		}
	' "$DOC" | sort -u
}

# same_keys HEADING JSON_FILE [DOC]: fail unless the object's keys are
# exactly the documented ones (open's section adds to verify's).
same_keys() {
	local want got
	want=$(doc_keys "$1" "${3:-$DOC}")
	if [ "$1" = "cairn open --json" ]; then
		want=$( (doc_keys "cairn verify --json" "${3:-$DOC}"; echo "$want") |
		    sort -u)
	fi
	[ -n "$want" ] || { echo "no table for '$1'"; return 1; }
	got=$(jq -r 'keys_unsorted[]' "$2" | sort -u) || {
		echo "not JSON: $(cat "$2")"
		return 1
	}
	if [ "$want" != "$got" ]; then
		echo "$1: documented and printed keys differ"
		diff <(echo "$want") <(echo "$got") |
		    sed 's/^</  documented only:/; s/^>/  printed only:/' | grep only
		return 1
	fi
}

# nested_keys HEADING ARRAY JSON_FILE: each ARRAY element's keys are
# documented (files have size and mime, directories not: subset).
nested_keys() {
	local want k
	want=$(doc_nested "$1" "$2")
	[ -n "$want" ] || { echo "no $2[] rows for '$1'"; return 1; }
	for k in $(jq -r ".$2[] | keys_unsorted[]" "$3" | sort -u); do
		grep -qx "$k" <<<"$want" || { echo "$2[].$k undocumented"; return 1; }
	done
}

setup_file() {
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	"$CAIRN" keygen >/dev/null 2>&1
}

# A sealed archive of a small tree, in $T/a.cairn (JSON summary in
# seal.json).
sealed() {
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	mkdir -p ev/sub
	printf 'note\n' >ev/notes.txt
	payload 70000 ev/sub/photo.jpg
	"$CAIRN" seal --json --case C-1 -m "a note" -o a.cairn ev >seal.json
}

@test "every documented section exists and names fields" {
	for h in "cairn seal --json" "cairn list --json" "cairn verify --json" \
	    "cairn open --json" "cairn split --json" "cairn share check --json" \
	    "cairn pubkey --json" "cairn pubkey --signing --json"; do
		[ -n "$(doc_keys "$h")" ] || { echo "missing: $h"; return 1; }
	done
}

@test "seal --json: documented keys, values that fit" {
	sealed
	same_keys "cairn seal --json" seal.json
	jq -en 'input | .output == "a.cairn" and .files == 2 and .entries == 4 and
	    .bytes == 70005 and .signed == true and .recipients == 1 and
	    (.archive_id | test("^[0-9a-f]{32}$")) and
	    (.signer_key_id | test("^[0-9A-F]{16}$"))' seal.json
}

@test "list --json: the manifest, as documented" {
	sealed
	expect_exit 0 "$CAIRN" list --json a.cairn
	printf '%s\n' "$output" >list.json
	# version 1: no skipped key (documented as version 2 only)
	grep -v '^| `skipped` |' "$DOC" >json.md
	same_keys "cairn list --json" list.json json.md
	run same_keys "cairn list --json" list.json
	[ "$status" -ne 0 ]
	nested_keys "cairn list --json" entries list.json
	jq -en 'input | .case == "C-1" and .notes == ["a note"] and
	    ([.entries[].path] | index("ev/sub/photo.jpg") != null)' list.json
	[ "$(jq -r .archive_id list.json)" = "$(jq -r .archive_id seal.json)" ]
}

@test "list --json and verify --json: a version 2 manifest's skipped list" {
	sealed
	CAIRN_TEST_AT=seal-grow expect_exit 0 "$CAIRN" seal --json \
	    --skip-unreadable -o b.cairn ev
	printf '%s\n' "$output" >seal2.json
	same_keys "cairn seal --json" seal2.json
	nested_keys "cairn seal --json" skipped seal2.json
	expect_exit 0 "$CAIRN" list --json b.cairn
	printf '%s\n' "$output" >list.json
	same_keys "cairn list --json" list.json
	nested_keys "cairn list --json" skipped list.json
	jq -en 'input | .version == 2 and .skipped == [{"path": "ev/notes.txt",
	    "reason": "grew while being sealed"}]' list.json
	expect_exit 0 "$CAIRN" verify --json b.cairn
	printf '%s\n' "$output" >verify.json
	same_keys "cairn verify --json" verify.json
	jq -en 'input | .skipped[0].path == "ev/notes.txt"' verify.json
}

@test "verify --json: documented keys, on success and on failure" {
	sealed
	expect_exit 0 "$CAIRN" verify --json a.cairn
	printf '%s\n' "$output" >v.json
	same_keys "cairn verify --json" v.json
	jq -en 'input | .ok == true and .exit_code == 0 and .error == null and
	    .signature_verified == true and .files_checked == 2 and
	    .signer_trusted == true and
	    (.signer_fingerprint | test("^([0-9a-f]{4} ){7}[0-9a-f]{4}$"))' v.json
	# A damaged archive: still one object, ok false, the exit code.
	flip_byte a.cairn 5000
	expect_exit 4 "$CAIRN" verify --json a.cairn
	printf '%s\n' "$output" >bad.json
	jq -en 'input | .ok == false and .exit_code == 4 and (.error | length > 0)' bad.json
	for k in $(jq -r 'keys_unsorted[]' bad.json); do
		grep -qx "$k" <<<"$(doc_keys "cairn verify --json")"
	done
}

@test "open --json: verify's keys plus directory" {
	sealed
	expect_exit 0 "$CAIRN" open --json -C out a.cairn
	printf '%s\n' "$output" >o.json
	same_keys "cairn open --json" o.json
	jq -en 'input | .ok == true and .directory == "out"' o.json
	[ -f out/ev/sub/photo.jpg ]
}

@test "split --json and share check --json" {
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	"$CAIRN" keygen -o c1.key >c1.pub
	"$CAIRN" keygen -o c2.key >c2.pub
	"$CAIRN" keygen -o c3.key >c3.pub
	expect_exit 0 "$CAIRN" split --json -t 2 -n 3 -o shares \
	    --to "$(cat c1.pub)" --to "$(cat c2.pub)" --to "$(cat c3.pub)" \
	    --name ana --name ben --name chloe
	printf '%s\n' "$output" >split.json
	same_keys "cairn split --json" split.json
	nested_keys "cairn split --json" files split.json
	nested_keys "cairn split --json" groups split.json
	jq -en 'input | (.files | length) == 3 and .groups == [{"threshold": 2, "shares": 3}]
	    and .files[1].label == "ben" and (.recovers | startswith("age1"))' \
	    split.json
	f=$(jq -r '.files[0].path' split.json)
	[ -f "$f" ]
	expect_exit 0 "$CAIRN" share check --json -i c1.key "$f"
	printf '%s\n' "$output" >check.json
	same_keys "cairn share check --json" check.json
	jq -en --arg set "$(jq .set split.json)" 'input | .encrypted == true and
	    .member == 1 and .member_threshold == 2 and .label == "ana" and
	    (.set | tostring) == $set' check.json
	# --json needs the files and no words on stdout.
	expect_exit 2 "$CAIRN" split --json --print -t 2 -n 3 -o more
	expect_exit 2 "$CAIRN" share reveal --json -i c1.key "$f"
}

@test "pubkey --json and pubkey --signing --json" {
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	expect_exit 0 "$CAIRN" pubkey --json
	printf '%s\n' "$output" >p.json
	same_keys "cairn pubkey --json" p.json
	[ "$(jq -r '.recipients[0]' p.json)" = "$("$CAIRN" pubkey)" ]
	expect_exit 0 "$CAIRN" pubkey --signing --json
	printf '%s\n' "$output" >s.json
	same_keys "cairn pubkey --signing --json" s.json
	grep -qF "$(jq -r .signing_public_key s.json)" "$CAIRN_HOME/signing.pub"
}

@test "must fail: a key missing from the document or the output is caught" {
	sealed
	grep -v '^| `bytes` |' "$DOC" >json.md
	run same_keys "cairn seal --json" seal.json json.md
	[ "$status" -ne 0 ]
	[[ "$output" == *"printed only: bytes"* ]]
	jq 'del(.signed)' seal.json >less.json
	run same_keys "cairn seal --json" less.json
	[ "$status" -ne 0 ]
	[[ "$output" == *"documented only: signed"* ]]
	printf 'not json\n' >bad.json
	run same_keys "cairn seal --json" bad.json
	[ "$status" -ne 0 ]
}

@test "--json with -q still prints the JSON; -q alone prints nothing" {
	sealed
	expect_exit 0 "$CAIRN" verify --json -q a.cairn
	printf '%s\n' "$output" >v.json
	jq -en 'input | .ok' v.json
	expect_exit 0 "$CAIRN" verify -q a.cairn
	[ -z "$output" ]
	[ -z "$stderr" ]
	expect_exit 0 "$CAIRN" open -q -C q a.cairn
	[ -z "$output" ]
	[ -d q/ev ]
	expect_exit 0 "$CAIRN" seal -q ev
	[ -z "$output" ]
	expect_exit 0 "$CAIRN" split -q -t 2 -n 2 -o qs
	[ -z "$output" ]
	[ -f qs/share-01.txt ]
	# Without -q the same commands do print.
	expect_exit 0 "$CAIRN" verify a.cairn
	assert_output_has "result:      OK"
	expect_exit 0 "$CAIRN" split -t 2 -n 2 -o qs2
	assert_output_has "share set"
}

@test "push, pull and remote list --json: documented keys" {
	sealed
	mkdir store
	"$CAIRN" remote add stick "$T/store"
	"$CAIRN" push --json stick a.cairn >push.json
	same_keys "cairn push --json" push.json
	nested_keys "cairn push --json" archives push.json
	"$CAIRN" pull --json stick got >pull.json
	same_keys "cairn pull --json" pull.json
	nested_keys "cairn pull --json" archives pull.json
	[ "$(jq -r '.archives[0].status' pull.json)" = fetched ]
	"$CAIRN" remote list --json | jq '.[0]' >list.json
	same_keys "cairn remote list --json" list.json
}

@test "the tests' JSON checks (jq -en 'input | ...') fail on empty output" {
	# jq 1.6's -e exits 0 when there is no input at all, so a check
	# written as `jq -e FILTER` passes on a cairn that printed nothing
	run jq -en 'input | .ok' </dev/null
	[ "$status" -ne 0 ]
	run jq -en 'input | .ok' <<<'{"ok": false}'
	[ "$status" -ne 0 ]
	run jq -en 'input | .ok' <<<'{"ok": true}'
	[ "$status" -eq 0 ]
}
