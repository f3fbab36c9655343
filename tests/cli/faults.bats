#!/usr/bin/env bats
# tests/cli/faults.bats - fault injection through the cio seam
# (CAIRN_FAULT=N fails the Nth allocation, read, write, atomic open/commit
# or fsync; N+ fails it and every later one).  For each operation, N goes
# from 1 upward, once and sticky, until the operation succeeds.  After
# every injected failure: exit 1 with a "cairn: error:" line, nothing at
# the final path and nothing else in the output directory (no temp file,
# no staging directory), the inputs untouched, and no sanitizer report
# (leaks included) when $CAIRN is the ASan build.  The number of fault
# points of each operation is printed as a TAP comment.  To keep the
# file's run time down, the sticky sweep tries every third N only
# (CAIRN_FAULTS_FULL=1: every N).
#
# Runs against the test binaries only (CAIRN_FAULT is compiled out of
# the release binary).

load helpers

MAXN=2000

# Work on a tmpfs when there is one: every run fsyncs its output, and
# hundreds of fsyncs on a real disk take most of this file's time.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	eval "orig_$(declare -f setup)"
	setup() {
		orig_setup
		T=$(mktemp -d /dev/shm/cairn-faults.XXXXXX)
		cd "$T" || return 1
		export CAIRN_HOME="$T/home"
	}
	teardown() {
		case ${T:-} in /dev/shm/cairn-faults.*) rm -rf "$T" ;; esac
	}
fi

# snapshot: names, modes, sizes and SHA-256 of everything under in/.
snapshot() {
	(cd in && find . -printf '%p %m %s\n' | sort && find . -type f -exec sha256sum {} + | sort)
}

# sweep NAME FINAL VERIFY CMD...: the loop described above.  FINAL is the
# path the operation creates (inside out/); VERIFY is run after the
# successful run and must check FINAL.
sweep() {
	local name=$1 final=$2 verify=$3 mode n rc before step
	shift 3
	before=$(snapshot)
	for mode in "" "+"; do
		n=1
		step=1
		[ -n "$mode" ] && [ -z "${CAIRN_FAULTS_FULL:-}" ] && step=3
		while :; do
			rm -rf out && mkdir out
			set +e
			CAIRN_FAULT="$n$mode" "$@" >stdout 2>stderr </dev/null
			rc=$?
			set -e
			if grep -Eq 'Sanitizer|runtime error' stderr; then
				echo "$name: fault $n$mode: sanitizer report:"
				cat stderr
				return 1
			fi
			[ "$(snapshot)" = "$before" ] || {
				echo "$name: fault $n$mode changed the inputs"
				return 1
			}
			if [ "$rc" -eq 0 ]; then
				"$verify" "$final" || {
					echo "$name: fault $n$mode: exit 0 but bad output"
					return 1
				}
				break
			fi
			if [ "$rc" -ne 1 ] || ! grep -q '^cairn: error: ' stderr; then
				echo "$name: fault $n$mode: exit $rc"
				cat stderr
				return 1
			fi
			if [ -n "$(ls -A out)" ]; then
				echo "$name: fault $n$mode: left in out/:"
				ls -la out
				cat stderr
				return 1
			fi
			n=$((n + step))
			[ "$n" -le "$MAXN" ] || {
				echo "$name: still failing at $MAXN"
				return 1
			}
		done
		[ -n "$mode" ] || echo "# $name: $((n - 1)) fault points" >&3
	done
}

setup_keys() {
	mkdir -p in
	export CAIRN_HOME="$T/in/home"
	"$CAIRN" keygen >/dev/null 2>&1
	REC=$(cat in/home/recipients | grep '^age1')
}

# ---- verifiers ---------------------------------------------------------------

decrypts_to_p() {
	"$CAIRN" decrypt -i in/home/identity "$1" | cmp -s - in/p
}

same_as_p() {
	cmp -s "$1" in/p
}

verifies() {
	"$CAIRN" verify -i in/home/identity "$1" >/dev/null 2>&1
}

same_tree() {
	diff -r "$1/data" in/data >/dev/null
}

combines() {
	local files
	files=$(ls "$1"/* | head -2)
	# shellcheck disable=SC2086
	[ "$("$CAIRN" combine $files 2>/dev/null | "$CAIRN" pubkey -i - 2>/dev/null)" = "$REC" ]
}

# ---- the operations ------------------------------------------------------------

@test "faults: encrypt -o (binary and armored)" {
	setup_keys
	payload 70000 in/p
	sweep encrypt out/c decrypts_to_p "$CAIRN" encrypt -r "$REC" -o out/c in/p
	sweep "encrypt -a" out/c decrypts_to_p "$CAIRN" encrypt -a -r "$REC" -o out/c in/p
}

@test "faults: decrypt -o" {
	setup_keys
	payload 70000 in/p
	"$CAIRN" encrypt -r "$REC" -o in/c in/p
	sweep decrypt out/p same_as_p "$CAIRN" decrypt -i in/home/identity -o out/p in/c
}

@test "faults: seal -o (signed)" {
	setup_keys
	mkdir -p in/data/sub
	printf 'hello\n' >in/data/a.txt
	payload 70000 in/data/sub/b.bin
	sweep seal out/a.cairn verifies "$CAIRN" seal -r "$REC" \
	    -s in/home/signing.key -o out/a.cairn in/data
}

@test "faults: open -C" {
	setup_keys
	mkdir -p in/data/sub
	printf 'hello\n' >in/data/a.txt
	payload 70000 in/data/sub/b.bin
	"$CAIRN" seal -r "$REC" -o in/a.cairn in/data 2>/dev/null
	sweep open out/x same_tree "$CAIRN" open -i in/home/identity \
	    -C out/x in/a.cairn
}

@test "faults: split -o DIR" {
	setup_keys
	sweep split out/shares combines "$CAIRN" split -t 2 -n 3 \
	    -o out/shares in/home/identity
}
