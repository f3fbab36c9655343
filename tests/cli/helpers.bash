# tests/cli/helpers.bash - shared helpers for cairn's bats CLI tests.
#
# Load with `load helpers` at the top of a .bats file.  Provides:
#   $CAIRN       the binary under test (tests/run sets it; defaults to
#                $CAIRN_TOP/build/cairn-test)
#   $CAIRN_TOP   the repository root
#   $T           a fresh empty directory per test (cwd is set to it)
#   CAIRN_HOME   points at $T/home (not created), so no test touches ~
#   expect_exit CODE CMD...   run CMD (stdout in $output, stderr in
#                $stderr), fail showing both unless it exits with CODE
#   assert_stderr_has TEXT / assert_output_has TEXT   fixed-string match
#   assert_no_stderr_control  stderr holds no raw control bytes
#   assert_no_temp DIR        no leftover .NAME.XXXXXX temp files in DIR
#   assert_same FILE1 FILE2   byte-identical files
#   payload SIZE FILE         SIZE random bytes into FILE
#   flip_byte FILE OFFSET     invert one byte in place
#   on_pty CMD STDIN_TEXT     run CMD (a shell string) on a pseudo-
#                terminal via script(1), feeding STDIN_TEXT; stdout+tty
#                output in $output, exit code in $status
bats_require_minimum_version 1.5.0

: "${CAIRN_TOP:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
: "${CAIRN:=$CAIRN_TOP/build/cairn-test}"
export CAIRN CAIRN_TOP

setup() {
	T="$BATS_TEST_TMPDIR/w"
	mkdir -p "$T"
	cd "$T" || return 1
	export CAIRN_HOME="$T/home"
	export HOME="$T/userhome"
	unset XDG_CONFIG_HOME CAIRN_FAULT
	umask 022
}

expect_exit() {
	local want=$1
	shift
	run --separate-stderr "$@"
	if [ "$status" -ne "$want" ]; then
		echo "command: $*"
		echo "expected exit $want, got $status"
		echo "stdout: ${output:0:2000}"
		echo "stderr: ${stderr:0:2000}"
		return 1
	fi
}

assert_stderr_has() {
	if [[ "$stderr" != *"$1"* ]]; then
		echo "stderr lacks '$1':"
		echo "$stderr"
		return 1
	fi
}

assert_output_has() {
	if [[ "$output" != *"$1"* ]]; then
		echo "stdout lacks '$1':"
		echo "$output"
		return 1
	fi
}

assert_no_stderr_control() {
	if printf '%s' "$stderr" | tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]'; then
		echo "raw control bytes on stderr:"
		printf '%s' "$stderr" | od -c | head
		return 1
	fi
}

assert_no_temp() {
	local left
	left=$(find "$1" -maxdepth 1 -name '.*.??????' -type f)
	if [ -n "$left" ]; then
		echo "temp files left in $1: $left"
		return 1
	fi
}

assert_same() {
	if ! cmp -s "$1" "$2"; then
		echo "$1 and $2 differ ($(stat -c %s "$1") vs $(stat -c %s "$2") bytes)"
		return 1
	fi
}

payload() {
	head -c "$1" /dev/urandom >"$2"
}

flip_byte() {
	local b
	b=$(dd if="$1" bs=1 skip="$2" count=1 status=none | od -An -tu1 | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 0xff)))" |
	    dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}

on_pty() {
	run bash -c 'printf "%b" "$2" | timeout 60 script -qec "$1" /dev/null' \
	    on_pty "$1" "$2"
}

# ---- shared by the fault sweeps (faults.bats, oom.bats) ----------------------
# They work in $T with the inputs under in/ and keys in in/home.

# snapshot: names, modes, sizes and SHA-256 of everything under in/.
# (The key home's custody log, which actions append to, and its outbox,
# where seal records each archive it wrote, are not inputs; directory
# sizes are left out, as new entries in home change home's.)
snapshot() {
	(cd in && find . \( -path ./home/custody -o -path ./home/outbox \) -prune \
	    -o -type d -printf '%p %m\n' -o -printf '%p %m %s\n' | sort &&
	    find . \( -path ./home/custody -o -path ./home/outbox \) -prune \
	    -o -type f -exec sha256sum {} + | sort)
}

# stock_keys: keys made with the stock tools in the current directory:
# age identity "id" (its recipient in $R) and an unencrypted minisign key
# pair sign.key/sign.pub.
stock_keys() {
	age-keygen -o id 2>/dev/null
	R=$(age-keygen -y id)
	minisign -G -W -p sign.pub -s sign.key >/dev/null </dev/null
	chmod 600 sign.key
}

setup_keys() {
	mkdir -p in
	export CAIRN_HOME="$T/in/home"
	"$CAIRN" keygen >/dev/null 2>&1
	# The custody log exists before the first action, so that adding it
	# does not change in/home (snapshot leaves its contents out).
	mkdir -m 700 in/home/custody
	REC=$(grep '^age1' in/home/recipients)
}

decrypts_to_p() {
	"$CAIRN" decrypt -i in/home/identity "$1" | cmp -s - in/p
}

same_as_p() {
	cmp -s "$1" in/p
}

verifies() {
	"$CAIRN" verify -i in/home/identity "$1" >/dev/null 2>&1
}

# out_empty WHAT: true when out/ holds nothing, dot files included; else
# says WHAT left there, lists out/ and the run's stderr, and fails.
out_empty() {
	[ -z "$(ls -A out)" ] && return 0
	echo "$1, left in out/:"
	ls -la out
	cat stderr
	return 1
}
