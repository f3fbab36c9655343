#!/usr/bin/env bats
# tests/cli/stamp.bats - RFC 3161 time-stamps: seal --tsa, cairn stamp and
# verify's check of ARCHIVE.tsr, against local time-stamping authorities
# on 127.0.0.1 (tests/tools/tsa_server.py around `openssl ts -reply`,
# throwaway CAs made by tests/tools/tsa-setup, free ports, stopped after).
# Good tokens, tokens for other data, a wrong CA, an expired TSA
# certificate, a TSA that is down at seal time and stamped later, two
# TSAs, stamp through a SOCKS5h proxy (Debian's microsocks, for Tor) and
# with that proxy down, and the stock `openssl ts -verify` recipe of
# docs/format.md.

load helpers

# start_tsa NAME [--expired]: a TSA in $BATS_FILE_TMPDIR/NAME; exports
# NAME_URL.
start_tsa() {
	local d="$BATS_FILE_TMPDIR/$1" i
	sh "$CAIRN_TOP/tests/tools/tsa-setup" "$d" "TSA $1" "${2:-}"
	python3 "$CAIRN_TOP/tests/tools/tsa_server.py" "$d" 3>&- &
	echo $! >"$d/pid"
	for i in $(seq 100); do
		[ -s "$d/port" ] && break
		sleep 0.05
	done
	[ -s "$d/port" ]
	export "$1_URL=http://127.0.0.1:$(cat "$d/port")/tsr"
}

setup_file() {
	command -v python3 >/dev/null || skip "python3 missing"
	start_tsa one
	start_tsa two
	start_tsa old --expired
	# A port nobody listens on: bound, then closed.
	DOWN_URL="http://127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')/tsr"
	export DOWN_URL
	export CA1="$BATS_FILE_TMPDIR/one/ca.pem" CA2="$BATS_FILE_TMPDIR/two/ca.pem"
	export CAOLD="$BATS_FILE_TMPDIR/old/ca.pem"
}

teardown_file() {
	local d
	for d in one two old; do
		[ -s "$BATS_FILE_TMPDIR/$d/pid" ] &&
		    kill "$(cat "$BATS_FILE_TMPDIR/$d/pid")" 2>/dev/null
	done
	return 0
}

keys() {
	"$CAIRN" keygen >/dev/null 2>&1
	mkdir -p ev && echo "the ledger" >ev/ledger.txt
}

# tsr_extract FILE N OUT: the Nth token of a sidecar into OUT with
# head/tail/sed/cut only (the recipe of docs/format.md); prints its
# header line.
tsr_extract() {
	local f=$1 n=$2 pos line len
	pos=$(head -1 "$f" | wc -c)
	while :; do
		line=$(tail -c +$((pos + 1)) "$f" | head -1)
		len=$(printf '%s' "$line" | cut -d' ' -f4)
		pos=$((pos + ${#line} + 1))
		n=$((n - 1))
		[ "$n" -eq 0 ] && break
		pos=$((pos + len + 1))
	done
	tail -c +$((pos + 1)) "$f" | head -c "$len" >"$3"
	printf '%s\n' "$line"
}

@test "seal --tsa: archive and SHA256SUMS stamped, verify shows the verified times" {
	keys
	expect_exit 0 "$CAIRN" seal --tsa "$one_URL" -o a.cairn ev
	[ "$(grep -c '^stamped: .* by CN=TSA one,O=cairn tests' <<<"$output")" -eq 2 ]
	head -1 a.cairn.tsr | grep -qx 'cairn-tsr v1'
	[ "$(grep -ac '^token ' a.cairn.tsr)" -eq 2 ]
	expect_exit 0 "$CAIRN" verify --tsa-ca "$CA1" a.cairn
	[ "$(grep -cE '^timestamp: +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z by CN=TSA one,O=cairn tests \(verified' <<<"$output")" -eq 2 ]
	assert_output_has "(verified, archive file)"
	assert_output_has "(verified, SHA256SUMS)"
	assert_output_has "result:      OK"
	expect_exit 0 "$CAIRN" verify --tsa-ca "$CA1" --json a.cairn
	[ "$(jq -r '.timestamps | length' <<<"$output")" -eq 2 ]
	# exactly the documented keys of docs/json.md
	[ "$(jq -r '.timestamps[0] | keys_unsorted[]' <<<"$output" | sort | tr '\n' ' ')" = \
	    "$(sed -n 's/^| `timestamps\[\]\.\([a-z_]*\)`.*/\1/p' "$CAIRN_TOP/docs/json.md" | sort | tr '\n' ' ')" ]
	[ "$(jq -r '[.timestamps[] | .verified] | all' <<<"$output")" = true ]
	[ "$(jq -r '.timestamps[0].stamped' <<<"$output")" = archive ]
	[ "$(jq -r '.timestamps[1].stamped' <<<"$output")" = sums ]
	[ "$(jq -r '.timestamps[0].tsa' <<<"$output")" = "CN=TSA one,O=cairn tests" ]
	jq -en 'input | .timestamps[0].time | test("^[0-9-]+T[0-9:]+Z$")' <<<"$output"
	# each request carried the query content type
	grep -q '^application/timestamp-query ' "$BATS_FILE_TMPDIR/one/requests"
}

@test "the stock openssl ts -verify recipe checks both tokens" {
	keys
	expect_exit 0 "$CAIRN" seal --tsa "$one_URL" -o a.cairn ev
	h1=$(tsr_extract a.cairn.tsr 1 tok1.der)
	h2=$(tsr_extract a.cairn.tsr 2 tok2.der)
	[ "$(cut -d' ' -f2 <<<"$h1")" = archive ]
	[ "$(cut -d' ' -f2 <<<"$h2")" = sums ]
	[ "$(cut -d' ' -f3 <<<"$h1")" = "$(sha256sum <a.cairn | cut -d' ' -f1)" ]
	run openssl ts -verify -digest "$(sha256sum <a.cairn | cut -d' ' -f1)" \
	    -token_in -in tok1.der -CAfile "$CA1"
	[ "$status" -eq 0 ] && [[ "$output" == *"Verification: OK"* ]]
	# the SHA256SUMS token against the member, taken out with age and tar
	sums=$(age -d -i "$CAIRN_HOME/identity" a.cairn | tar -xOf - SHA256SUMS | sha256sum | cut -d' ' -f1)
	[ "$(cut -d' ' -f3 <<<"$h2")" = "$sums" ]
	run openssl ts -verify -digest "$sums" -token_in -in tok2.der -CAfile "$CA1"
	[ "$status" -eq 0 ] && [[ "$output" == *"Verification: OK"* ]]
	# must fail: the same recipe with the wrong digest or CA
	run openssl ts -verify -digest "$sums" -token_in -in tok1.der -CAfile "$CA1"
	[ "$status" -ne 0 ]
	run openssl ts -verify -digest "$sums" -token_in -in tok2.der -CAfile "$CA2"
	[ "$status" -ne 0 ]
}

@test "verify: a token for other data is exit 5" {
	keys
	expect_exit 0 "$CAIRN" seal -q --tsa "$one_URL" -o a.cairn ev
	echo "more" >ev/more.txt
	expect_exit 0 "$CAIRN" seal -q --tsa "$one_URL" -o b.cairn ev
	cp b.cairn.tsr a.cairn.tsr
	expect_exit 5 "$CAIRN" verify --tsa-ca "$CA1" a.cairn
	assert_stderr_has "a.cairn.tsr: time-stamp 1 (archive file): the token stamps other data"
	assert_output_has "result:      FAILED"
	expect_exit 5 "$CAIRN" verify --tsa-ca "$CA1" --json a.cairn
	[ "$(jq -r .ok <<<"$output")" = false ]
	[ "$(jq -r '.timestamps[0].verified' <<<"$output")" = false ]
	jq -en 'input | .timestamps[0].error | test("other data")' <<<"$output"
	jq -en 'input | .error | test("other data")' <<<"$output"
	# and b's own tokens still verify
	expect_exit 0 "$CAIRN" verify --tsa-ca "$CA1" b.cairn
}

@test "verify: a token from a CA not trusted, or none trusted, is exit 5" {
	keys
	expect_exit 0 "$CAIRN" seal -q --tsa "$one_URL" -o a.cairn ev
	expect_exit 5 "$CAIRN" verify --tsa-ca "$CA2" a.cairn
	assert_stderr_has "time-stamp 1 (archive file): the token does not verify"
	expect_exit 5 "$CAIRN" verify a.cairn
	assert_stderr_has "no trusted TSA CA certificate"
	assert_stderr_has "hint: give the TSA's CA certificate with --tsa-ca FILE"
	# the key home's tsa-ca.pem is the default
	cp "$CA1" "$CAIRN_HOME/tsa-ca.pem"
	expect_exit 0 "$CAIRN" verify a.cairn
	assert_output_has "(verified, archive file)"
	expect_exit 1 "$CAIRN" verify --tsa-ca nosuch.pem a.cairn
	assert_stderr_has "nosuch.pem: cannot load CA certificates"
}

@test "verify: a token signed with an expired TSA certificate is exit 5" {
	keys
	expect_exit 0 "$CAIRN" seal -q --tsa "$old_URL" -o a.cairn ev
	[ -s a.cairn.tsr ]
	expect_exit 5 "$CAIRN" verify --tsa-ca "$CAOLD" a.cairn
	assert_stderr_has "the token does not verify"
	assert_stderr_has "expired"
}

@test "seal with the TSA down: archive written, warning; stamp later verifies" {
	keys
	expect_exit 0 "$CAIRN" seal --tsa "$DOWN_URL" -o a.cairn ev
	[ -s a.cairn ]
	[ ! -e a.cairn.tsr ]
	assert_stderr_has "warning: $DOWN_URL: no time-stamp:"
	assert_stderr_has "a.cairn: sealed, but not time-stamped by every TSA"
	assert_stderr_has "hint: run 'cairn stamp --tsa URL a.cairn'"
	expect_exit 0 "$CAIRN" verify a.cairn
	[[ "$output" != *timestamp:* ]]
	expect_exit 1 "$CAIRN" stamp --tsa "$DOWN_URL" a.cairn
	[ ! -e a.cairn.tsr ]
	expect_exit 0 "$CAIRN" stamp --tsa "$one_URL" a.cairn
	assert_output_has "(archive file)"
	[ "$(grep -ac '^token archive ' a.cairn.tsr)" -eq 1 ]
	expect_exit 0 "$CAIRN" verify --tsa-ca "$CA1" a.cairn
	[ "$(grep -c '^timestamp: .*(verified, archive file)' <<<"$output")" -eq 1 ]
	assert_no_temp .
}

@test "stamp --sums later: SHA256SUMS stamped too, as seal would have; must-fail cases" {
	keys
	expect_exit 0 "$CAIRN" seal --tsa "$DOWN_URL" -o a.cairn ev
	[ ! -e a.cairn.tsr ]
	expect_exit 0 "$CAIRN" stamp --sums --tsa "$one_URL" a.cairn
	assert_output_has "(archive file)"
	assert_output_has "(SHA256SUMS)"
	[ "$(grep -ac '^token archive ' a.cairn.tsr)" -eq 1 ]
	[ "$(grep -ac '^token sums ' a.cairn.tsr)" -eq 1 ]
	expect_exit 0 "$CAIRN" verify --tsa-ca "$CA1" a.cairn
	assert_output_has "(verified, archive file)"
	assert_output_has "(verified, SHA256SUMS)"
	# the sums token is the SHA-256 of the SHA256SUMS member, checked by
	# the stock tools as docs/format.md says
	age -d -i "$CAIRN_HOME/identity" a.cairn | tar -xOf - SHA256SUMS >sums
	tsr_extract a.cairn.tsr 2 tok.der >/dev/null
	openssl ts -verify -digest "$(sha256sum <sums | cut -d' ' -f1)" \
	    -token_in -in tok.der -CAfile "$CA1" >/dev/null 2>&1
	# must fail: without a key that opens it, nothing is stamped (exit 3)
	cp a.cairn.tsr before.tsr
	age-keygen -o other.id 2>/dev/null
	expect_exit 3 "$CAIRN" stamp --sums -i other.id --tsa "$one_URL" a.cairn
	assert_same before.tsr a.cairn.tsr
	# must fail: a damaged archive is not stamped (exit 4)
	cp a.cairn b.cairn
	flip_byte b.cairn 3000
	expect_exit 4 "$CAIRN" stamp --sums --tsa "$one_URL" b.cairn
	[ ! -e b.cairn.tsr ]
}

@test "two TSAs: four tokens, each checked against its own CA" {
	keys
	expect_exit 0 "$CAIRN" seal -q --tsa "$one_URL" --tsa "$two_URL" -o a.cairn ev
	[ "$(grep -ac '^token ' a.cairn.tsr)" -eq 4 ]
	expect_exit 0 "$CAIRN" verify --tsa-ca "$CA1" --tsa-ca "$CA2" a.cairn
	[ "$(grep -c '^timestamp: .* by CN=TSA one.*(verified' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^timestamp: .* by CN=TSA two.*(verified' <<<"$output")" -eq 2 ]
	expect_exit 5 "$CAIRN" verify --tsa-ca "$CA1" a.cairn
	assert_stderr_has "time-stamp 3 (archive file): the token does not verify"
	# stamp adds to the sidecar; one TSA down is exit 1, the other's kept
	expect_exit 1 "$CAIRN" stamp -q --tsa "$DOWN_URL" --tsa "$two_URL" a.cairn
	[ "$(grep -ac '^token ' a.cairn.tsr)" -eq 5 ]
	expect_exit 0 "$CAIRN" verify -q --tsa-ca "$CA1" --tsa-ca "$CA2" a.cairn
}

@test "a damaged sidecar or a token edited in place is refused" {
	keys
	expect_exit 0 "$CAIRN" seal -q --tsa "$one_URL" -o a.cairn ev
	cp a.cairn.tsr good.tsr
	printf 'cairn-tsr v2\n' >a.cairn.tsr
	expect_exit 4 "$CAIRN" verify --tsa-ca "$CA1" a.cairn
	assert_stderr_has "a.cairn.tsr: not a cairn time-stamp file"
	head -c 200 good.tsr >a.cairn.tsr
	expect_exit 4 "$CAIRN" verify --tsa-ca "$CA1" a.cairn
	# flip a byte near the end of the first token (its signature)
	cp good.tsr a.cairn.tsr
	h=$(head -2 good.tsr | wc -c)
	len=$(sed -n 2p good.tsr | cut -d' ' -f4)
	flip_byte a.cairn.tsr $((h + len - 10))
	expect_exit 5 "$CAIRN" verify --tsa-ca "$CA1" a.cairn
	assert_stderr_has "time-stamp 1 (archive file)"
}

@test "stamp and seal --tsa: usage errors" {
	keys
	expect_exit 2 "$CAIRN" stamp a.cairn
	assert_stderr_has "no TSA: give --tsa URL"
	expect_exit 2 "$CAIRN" stamp --tsa ftp://127.0.0.1/ a.cairn
	assert_stderr_has "not an http:// or https:// URL"
	expect_exit 2 "$CAIRN" stamp --tsa "$one_URL" -
	expect_exit 2 "$CAIRN" stamp --tsa "$one_URL"
	expect_exit 1 "$CAIRN" stamp --tsa "$one_URL" nosuch.cairn
	expect_exit 2 "$CAIRN" seal --tsa "$one_URL" -o - ev
	assert_stderr_has "give -o FILE"
	[ ! -e nosuch.cairn.tsr ]
}

@test "stamp --proxy socks5h://: through the SOCKS5 proxy; a clear message when it is down" {
	command -v microsocks >/dev/null || skip "microsocks not installed (scripts/install-deps)"
	keys
	expect_exit 0 "$CAIRN" seal -o a.cairn ev
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	microsocks -i 127.0.0.1 -p "$port" >socks.log 2>&1 3>&- &
	pid=$!
	for _ in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
		sleep 0.1
	done
	expect_exit 0 "$CAIRN" stamp --proxy "socks5h://127.0.0.1:$port" --tsa "$one_URL" a.cairn
	assert_output_has "stamped:"
	grep -q "connected to 127.0.0.1:$(cat "$BATS_FILE_TMPDIR/one/port")" socks.log
	expect_exit 0 "$CAIRN" verify --tsa-ca "$CA1" a.cairn
	assert_output_has "(verified, archive file)"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	# the proxy down: no direct connection instead, a warning, exit 1
	expect_exit 1 "$CAIRN" stamp --proxy "socks5h://127.0.0.1:$port" --tsa "$two_URL" a.cairn
	assert_stderr_has "$two_URL: no time-stamp: proxy: "
	[ "$(grep -ac '^token ' a.cairn.tsr)" -eq 1 ]
	# a .onion TSA needs socks5h:// (the name must not be resolved here)
	expect_exit 1 "$CAIRN" stamp --proxy "socks5://127.0.0.1:$port" --tsa http://tsaexample.onion/tsr a.cairn
	assert_stderr_has "a .onion host needs a socks5h:// proxy"
}
