#!/usr/bin/env bats
# progress.bats - the progress line of seal, verify, open, encrypt and
# decrypt, run on a pseudo-terminal (script -qfec): it appears when
# standard error is a terminal ("cairn VERB: ... MiB ... %"), is wiped
# ("\r", spaces, "\r") before the report, an error message or the end,
# is redrawn at most ~10 times a second, and never appears with -q,
# --json, standard error redirected to a file, or the output going to
# the same terminal.

load helpers

# tty CMD: run the shell command CMD with a terminal on stdin, stdout and
# stderr; everything the terminal got is in $output, the exit code
# (CMD's, not script's) in $status.
tty() {
	run bash -c 'timeout 120 script -qfec "$1" /dev/null </dev/null' tty "$1"
}

# shows VERB: fail unless $output has a progress line for VERB.
shows() {
	if [[ "$output" != *"cairn $1: "*"MiB"*"%"* ]]; then
		echo "no progress line for $1 in:"
		printf '%s' "$output" | cat -v | head -c 2000
		return 1
	fi
}

# shows_none: fail if $output has any progress line.
shows_none() {
	if [[ "$output" =~ cairn\ (seal|verify|open|encrypt|decrypt):\  ]]; then
		echo "unexpected progress line:"
		printf '%s' "$output" | cat -v | head -c 2000
		return 1
	fi
}

# wiped_before TEXT: the last progress line is wiped ("\r", blanks,
# "\r") and TEXT follows it at the start of a line.
wiped_before() {
	local rest=${output##*left}
	if ! [[ "$rest" =~ ^\ *$'\r'\ +$'\r'"$1" ]]; then
		echo "progress line not wiped before '$1':"
		printf '%s' "$rest" | cat -v | head -c 600
		return 1
	fi
}

setup_file() {
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	"$CAIRN" keygen >/dev/null 2>&1
	cd "$BATS_FILE_TMPDIR"
	mkdir ev
	head -c 24000000 /dev/urandom >ev/video.mp4
	"$CAIRN" seal -q -o ev.cairn ev
}

setup() {
	T="$BATS_TEST_TMPDIR/w"
	mkdir -p "$T"
	cd "$T" || return 1
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	A="$BATS_FILE_TMPDIR/ev.cairn"
	EV="$BATS_FILE_TMPDIR/ev"
	unset CAIRN_FAULT
}

@test "seal shows progress on a terminal, wiped at the end" {
	tty "'$CAIRN' seal -o out.cairn '$EV'"
	[ "$status" -eq 0 ]
	shows seal
	[[ "$output" == *" of "*" MiB"* ]]
	# A rate ("-" until there is one to show).
	[[ "$output" =~ (-|[0-9.]+\ [KMG]?i?B)/s ]]
	# Nothing else is printed with -o: the output ends with the wipe.
	[[ "$output" =~ $'\r'\ +$'\r'$ ]]
	[ -s out.cairn ]
}

@test "verify and open show progress, wiped before the report" {
	tty "'$CAIRN' verify '$A'"
	[ "$status" -eq 0 ]
	shows verify
	wiped_before "archive:"
	tty "'$CAIRN' open -C out '$A'"
	[ "$status" -eq 0 ]
	shows open
	wiped_before "archive:"
	[ -f out/ev/video.mp4 ]
}

@test "encrypt and decrypt show progress with -o" {
	tty "'$CAIRN' encrypt -R '$CAIRN_HOME/recipients' -o v.age '$EV/video.mp4'"
	[ "$status" -eq 0 ]
	shows encrypt
	tty "'$CAIRN' decrypt -o v.out v.age"
	[ "$status" -eq 0 ]
	shows decrypt
	assert_same "$EV/video.mp4" v.out
}

@test "an error message starts on its own line" {
	cp "$A" bad.cairn
	flip_byte bad.cairn 20000000
	tty "'$CAIRN' verify bad.cairn"
	[ "$status" -eq 4 ]
	shows verify
	wiped_before "cairn: error: "
}

@test "must fail: nothing with -q" {
	tty "'$CAIRN' seal -q -o q.cairn '$EV'"
	[ "$status" -eq 0 ]
	shows_none
	tty "'$CAIRN' verify -q '$A'"
	[ "$status" -eq 0 ]
	shows_none
	[ -z "$output" ]
	tty "'$CAIRN' open -q -C q '$A'"
	[ "$status" -eq 0 ]
	shows_none
	tty "'$CAIRN' encrypt -q -R '$CAIRN_HOME/recipients' -o q.age '$EV/video.mp4'"
	[ "$status" -eq 0 ]
	shows_none
	tty "'$CAIRN' decrypt -q -o q.out q.age"
	[ "$status" -eq 0 ]
	shows_none
	[ -z "$output" ]
}

@test "must fail: nothing with --json" {
	tty "'$CAIRN' seal --json -o j.cairn '$EV'"
	[ "$status" -eq 0 ]
	shows_none
	[[ "$output" == *'"archive_id"'* ]]
	tty "'$CAIRN' verify --json '$A'"
	[ "$status" -eq 0 ]
	shows_none
	tty "'$CAIRN' open --json -C j '$A'"
	[ "$status" -eq 0 ]
	shows_none
}

@test "must fail: nothing when standard error is a file" {
	tty "'$CAIRN' verify '$A' 2>err.txt"
	[ "$status" -eq 0 ]
	shows_none
	[[ "$output" == *"result:      OK"* ]]
	[ ! -s err.txt ]
	tty "'$CAIRN' seal -o e.cairn '$EV' 2>err.txt"
	[ "$status" -eq 0 ]
	shows_none
	[ ! -s err.txt ]
	tty "'$CAIRN' encrypt -R '$CAIRN_HOME/recipients' -o e.age '$EV/video.mp4' 2>err.txt && '$CAIRN' decrypt -o e.out e.age 2>>err.txt"
	[ "$status" -eq 0 ]
	shows_none
	assert_same "$EV/video.mp4" e.out
	! grep -q 'cairn \(encrypt\|decrypt\):' err.txt
}

@test "must fail: nothing when the output goes to the same terminal" {
	printf 'plain text\n' >note.txt
	"$CAIRN" encrypt -R "$CAIRN_HOME/recipients" -o note.age note.txt
	tty "'$CAIRN' decrypt note.age"
	[ "$status" -eq 0 ]
	shows_none
	[[ "$output" == *"plain text"* ]]
	tty "'$CAIRN' encrypt -a -R '$CAIRN_HOME/recipients' note.txt"
	[ "$status" -eq 0 ]
	shows_none
	[[ "$output" == *"BEGIN AGE ENCRYPTED FILE"* ]]
}

@test "at most about 10 redraws a second" {
	local t0 t1 n ms
	head -c 200000000 /dev/zero >zeros
	t0=$(date +%s%N)
	# The pause keeps encrypt running past several redraw intervals
	# however fast the machine is, so a real rate must appear.
	tty "{ head -c 100000000 zeros; sleep 0.6; tail -c 100000000 zeros; } | '$CAIRN' encrypt -R '$CAIRN_HOME/recipients' -o z.age -; '$CAIRN' decrypt -o z.out z.age"
	t1=$(date +%s%N)
	[ "$status" -eq 0 ]
	shows decrypt
	n=$(printf '%s' "$output" | grep -o 'cairn \(encrypt\|decrypt\): ' | wc -l)
	ms=$(((t1 - t0) / 1000000))
	echo "$n redraws in $ms ms"
	# One immediate draw per command, then one per 100 ms at most.
	[ "$n" -ge 2 ]
	[ "$n" -le $((ms / 100 + 4)) ]
	# Over that long a run, a real rate is shown.
	[[ "$output" =~ [0-9.]+\ [KMG]iB/s ]]
}
