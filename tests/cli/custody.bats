#!/usr/bin/env bats
# tests/cli/custody.bats - the custody log in the key home: seal, verify,
# open and stamp each append an entry (time, action, result, version,
# archive id, file SHA-256 and size; never names, notes or case labels),
# hash-chained, signed when seal had the signing key; `cairn log`,
# `log verify` (a deleted, reordered or edited entry, a missing or wrong
# signature caught, with the first bad entry) and `log export`; no entry
# chained onto a log whose newest entry is renamed, cut or has another
# seq; each entry checked with stock sha256sum and minisign.

load helpers

setup_file() {
	export DOWN_URL="http://127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')/"
}

# history: keys, two archives, and seal / verify / open / stamp /
# unsigned seal / failed verify in the log (6 entries).
history() {
	"$CAIRN" keygen >/dev/null 2>&1
	mkdir ev && echo "secret ledger" >ev/ledger-of-minister.txt
	"$CAIRN" seal -q -m "NOTE-TEXT-XYZ" --case "CASE-LABEL-XYZ" -o a.cairn ev
	"$CAIRN" verify -q a.cairn
	"$CAIRN" open -q -C out a.cairn
	"$CAIRN" stamp -q --tsa "$DOWN_URL" a.cairn 2>/dev/null || true
	"$CAIRN" seal -q --no-sign -o b.cairn ev
	cp a.cairn c.cairn
	flip_byte c.cairn 3000
	"$CAIRN" verify -q c.cairn 2>/dev/null || true
	L=$CAIRN_HOME/custody
}

@test "every action is logged, chained, and the seal signed" {
	history
	expect_exit 0 "$CAIRN" log
	[ "$(wc -l <<<"$output")" -eq 6 ]
	[ "$(awk '{print $3}' <<<"$output" | tr '\n' ' ')" = "seal verify open stamp seal verify " ]
	[ "$(awk '{print $4}' <<<"$output" | tr '\n' ' ')" = "ok ok ok exit1 ok exit4 " ]
	[ "$(awk '{print $7}' <<<"$output" | tr '\n' ' ')" = "signed unsigned unsigned unsigned unsigned unsigned " ]
	id=$("$CAIRN" list a.cairn | awk '/^archive id:/ {print $3}')
	sha=$(sha256sum <a.cairn | cut -d' ' -f1)
	[ "$(sed -n 1p <<<"$output" | awk '{print $5, $6}')" = "$id $sha" ]
	# verify and open hash the archive file for the log when a key home
	# exists (they skip that hash only when nothing would record it)
	[ "$(sed -n 2p <<<"$output" | awk '{print $5, $6}')" = "$id $sha" ]
	[ "$(sed -n 3p <<<"$output" | awk '{print $5, $6}')" = "$id $sha" ]
	[ "$(sed -n 4p <<<"$output" | awk '{print $5, $6}')" = "- $sha" ]
	expect_exit 0 "$CAIRN" log --json
	[ "$(jq -r '.entries | length' <<<"$output")" -eq 6 ]
	[ "$(jq -r '.entries[0].size' <<<"$output")" -eq "$(stat -c %s a.cairn)" ]
	[ "$(jq -r '.entries[0].tool' <<<"$output")" = "cairn/$("$CAIRN" --version | awk '{print $2}')" ]
	[ "$(jq -r '.entries[1].signer' <<<"$output")" = null ]
	expect_exit 0 "$CAIRN" log verify
	assert_output_has "custody log: 6 entries, chain intact, every signature good"
	assert_output_has "the last 5 entries are not yet covered by a signature"
	# a new signed seal covers them
	"$CAIRN" seal -q -o d.cairn ev
	expect_exit 0 "$CAIRN" log verify --json
	[ "$(jq -r .unsigned_tail <<<"$output")" -eq 0 ]
	[ "$(jq -r .entries <<<"$output")" -eq 7 ]
}

@test "the log never holds file names, notes or case labels" {
	history
	! grep -rq -e ledger -e NOTE-TEXT -e CASE-LABEL -e minister "$L"
	expect_exit 0 "$CAIRN" log --json
	! grep -q -e ledger -e NOTE-TEXT -e CASE-LABEL <<<"$output"
}

@test "each entry checks with stock sha256sum and minisign" {
	history
	for n in 2 3 4 5 6; do
		p=$(printf '%08d' $((n - 1)))
		want=$(sha256sum <"$L/$p.entry" | cut -d' ' -f1)
		grep -q " prev=$want\$" "$L/$(printf '%08d' "$n").entry"
	done
	grep -q ' prev=0\{64\}$' "$L/00000001.entry"
	minisign -Vm "$L/00000001.entry" -p "$CAIRN_HOME/signing.pub"
	# must fail: an edited entry against its signature
	sed 's/result=ok/result=exit4/' "$L/00000001.entry" >edited
	! minisign -Vm edited -x "$L/00000001.entry.minisig" -p "$CAIRN_HOME/signing.pub" 2>/dev/null
}

@test "log verify: a deleted entry is exit 4 naming the first bad one" {
	history
	rm "$L/00000003.entry"
	expect_exit 4 "$CAIRN" log verify
	assert_stderr_has "custody: entry 3: out of sequence"
	# and a new action is not chained onto a broken log silently
	expect_exit 0 "$CAIRN" verify -q a.cairn
	assert_stderr_has "custody: the custody log is broken; this verify was not logged"
	[ ! -e "$L/00000007.entry" ]
}

@test "an action on a log whose newest entry is bad is not logged" {
	history
	cp -r "$L" saved
	# renamed, truncated, seq edited: each refused, nothing written
	mv "$L/00000006.entry" "$L/00000009.entry"
	expect_exit 0 "$CAIRN" verify -q a.cairn
	assert_stderr_has "custody: the custody log is broken; this verify was not logged"
	[ ! -e "$L/00000007.entry" ] && [ ! -e "$L/00000010.entry" ]
	rm -rf "$L" && cp -r saved "$L"
	head -c 40 saved/00000006.entry >"$L/00000006.entry"
	expect_exit 0 "$CAIRN" verify -q a.cairn
	assert_stderr_has "custody: the custody log is broken; this verify was not logged"
	[ ! -e "$L/00000007.entry" ]
	sed 's/ seq=6 / seq=5 /' saved/00000006.entry >"$L/00000006.entry"
	expect_exit 0 "$CAIRN" verify -q a.cairn
	assert_stderr_has "custody: the custody log is broken; this verify was not logged"
	[ ! -e "$L/00000007.entry" ]
	# restored: logged as entry 7, chained to entry 6
	rm -rf "$L" && cp -r saved "$L"
	expect_exit 0 "$CAIRN" verify -q a.cairn
	[ -z "$stderr" ]
	grep -q " seq=7 .* prev=$(sha256sum <"$L/00000006.entry" | cut -d' ' -f1)\$" "$L/00000007.entry"
	expect_exit 0 "$CAIRN" log verify
	assert_output_has "custody log: 7 entries, chain intact"
}

@test "log verify: reordered entries are exit 4" {
	history
	mv "$L/00000002.entry" x && mv "$L/00000003.entry" "$L/00000002.entry"
	mv x "$L/00000003.entry"
	expect_exit 4 "$CAIRN" log verify
	assert_stderr_has "entry 2: out of sequence"
	# renumbered to look in order: the chain still breaks
	sed 's/seq=3/seq=2/' "$L/00000002.entry" >y && sed 's/seq=2/seq=3/' "$L/00000003.entry" >z
	mv y "$L/00000002.entry" && mv z "$L/00000003.entry"
	expect_exit 4 "$CAIRN" log verify
	assert_stderr_has "entry 2: the previous entry is not the one chained"
}

@test "log verify: an edited entry is exit 4, or 5 when it is signed" {
	history
	cp -r "$L" saved
	sed -i 's/result=exit4/result=ok/' "$L/00000006.entry"
	expect_exit 0 "$CAIRN" log verify # the unsigned tail: not yet covered
	sed -i 's/result=exit1/result=ok/' "$L/00000004.entry"
	expect_exit 4 "$CAIRN" log verify
	assert_stderr_has "entry 5: the previous entry is not the one chained"
	rm -rf "$L" && cp -r saved "$L"
	sed -i 's/size=[0-9]*/size=1/' "$L/00000001.entry"
	expect_exit 5 "$CAIRN" log verify
	assert_stderr_has "entry 1: signature does not verify"
	rm -rf "$L" && cp -r saved "$L"
	printf 'garbage\n' >"$L/00000002.entry"
	expect_exit 4 "$CAIRN" log verify
	assert_stderr_has "entry 2: not a custody entry"
	rm -rf "$L" && cp -r saved "$L"
	rm "$L/00000001.entry.minisig"
	expect_exit 5 "$CAIRN" log verify
	assert_stderr_has "entry 1: signature file missing"
	rm -rf "$L" && cp -r saved "$L"
	minisign -G -W -p other.pub -s other.key >/dev/null </dev/null
	expect_exit 5 "$CAIRN" log verify --signer other.pub
	assert_stderr_has "entry 1: signed by another key"
	expect_exit 0 "$CAIRN" log verify --signer "$CAIRN_HOME/signing.pub"
}

@test "log export: one archive's entries and signatures" {
	history
	id=$("$CAIRN" list a.cairn | awk '/^archive id:/ {print $3}')
	expect_exit 0 "$CAIRN" log export --archive "$id" -o handover
	assert_output_has "3 entries exported to handover"
	[ "$(ls handover | tr '\n' ' ')" = "00000001.entry 00000001.entry.minisig 00000002.entry 00000003.entry " ]
	minisign -Vm handover/00000001.entry -p "$CAIRN_HOME/signing.pub"
	expect_exit 1 "$CAIRN" log export --archive "$id" -o handover
	expect_exit 2 "$CAIRN" log export --archive XYZ -o h2
	expect_exit 2 "$CAIRN" log export -o h2
	expect_exit 2 "$CAIRN" log frobnicate
	[ ! -e h2 ]
}

@test "no key home: nothing is logged and nothing created" {
	echo x >f
	age-keygen -o id 2>/dev/null
	"$CAIRN" seal -q --no-sign -r "$(age-keygen -y id)" -o a.cairn f
	"$CAIRN" verify -q -i id --allow-unsigned a.cairn
	[ ! -e "$CAIRN_HOME" ]
	expect_exit 0 "$CAIRN" log
	[ -z "$output" ]
	expect_exit 0 "$CAIRN" log verify
	assert_output_has "custody log: 0 entries"
}

@test "seal to standard output logs the SHA-256 of the bytes it wrote" {
	"$CAIRN" keygen >/dev/null 2>&1
	head -c 300000 /dev/urandom >f
	"$CAIRN" seal -q -o - f >a.cairn
	expect_exit 0 "$CAIRN" log --json
	[ "$(jq -r '.entries[0].sha256' <<<"$output")" = "$(sha256sum <a.cairn | cut -d' ' -f1)" ]
	[ "$(jq -r '.entries[0].size' <<<"$output")" -eq "$(stat -c %s a.cairn)" ]
	# without a key home nothing uses that hash (it is skipped); the
	# archive is whole all the same
	age-keygen -o id 2>/dev/null
	CAIRN_HOME=$PWD/none "$CAIRN" seal -q -s "$CAIRN_HOME/signing.key" -r "$(age-keygen -y id)" -o - f >b.cairn
	[ ! -e none ]
	expect_exit 0 "$CAIRN" verify -q -i id --signer "$CAIRN_HOME/signing.pub" b.cairn
}
