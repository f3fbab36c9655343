#!/usr/bin/env bats
# tests/cli/oom.bats - allocation failures everywhere, not only through
# the cio seam: tests/tools/failmalloc.c (LD_PRELOAD) makes the Nth
# malloc/calloc/realloc/aligned_alloc counted from main() fail
# (CAIRN_FAILMALLOC=N; N+: that one and every later one), including
# those inside libarchive, libmagic, jansson, libcrypto, libqrencode and
# glibc.  For each operation the allocation count K of a clean run is
# read first (CAIRN_FAILMALLOC_REPORT); then N sweeps 1..K, once and
# sticky.  After every injected failure: no crash (exit < 128), and
# either success with complete, correct output (a library may recover
# by itself) or a non-zero exit other than 3, 4 and 5 (no key matched,
# corrupt input, bad signature: verdicts that memory cannot justify)
# with a "cairn: error:" line, nothing at the final path and nothing
# else in the output directory (no temp file, no staging directory); the
# inputs are never touched.  The number of
# allocation points and the N actually tried are printed as TAP comments.
# K is in the thousands (libcrypto's first use alone makes ~6700
# allocations, libmagic's database ~15000), far too many for one run of
# this file: the first 20 and last 40 N are all tried (cairn's own
# start-up, output and reports), and every STEP-th in between, about
# $CAIRN_OOM_POINTS of them (default 100; CAIRN_OOM_FULL=1: every N).
#
# Skipped under ASan (it owns malloc; the shim cannot work there) and
# when the shim was not built (make unit builds it for non-sanitizer
# builds as BUILD/tools/failmalloc.so).

load helpers

FAILMALLOC=$(dirname "$CAIRN")/tools/failmalloc.so
POINTS=${CAIRN_OOM_POINTS:-100}

eval "orig_$(declare -f setup)"
setup() {
	orig_setup
	if nm -D "$CAIRN" 2>/dev/null | grep -q '__asan_init'; then
		skip "sanitizer build: ASan replaces malloc, LD_PRELOAD shim cannot work"
	fi
	[ -f "$FAILMALLOC" ] || skip "no $FAILMALLOC (make unit builds it)"
	# A tmpfs when there is one: every run fsyncs its output.
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		T=$(mktemp -d /dev/shm/cairn-oom.XXXXXX)
		cd "$T" || return 1
		export CAIRN_HOME="$T/home"
	fi
	ulimit -c 0
}

teardown() {
	case ${T:-} in /dev/shm/cairn-oom.*) rm -rf "$T" ;; esac
}

# quick: names, modes, sizes and change times of everything under in/
# (one process; snapshot in helpers.bash also hashes).
quick() { # (the key home's custody log and outbox are not inputs)
	find in \( -path in/home/custody -o -path in/home/outbox \) -prune \
	    -o -type d -printf '%p %m\n' -o -printf '%p %m %s %T@ %C@\n'
}

# points K STEP: the N to try: every one of the first HEAD and the last
# TAIL (cairn's own start-up and its output and reports), every STEP-th
# in between (mostly libcrypto's, libmagic's and libarchive's set-up).
HEAD=20 TAIL=40
points() {
	local k=$1 step=$2 n
	for ((n = 1; n <= k; n++)); do
		if [ "$n" -le "$HEAD" ] || [ "$n" -gt $((k - TAIL)) ] ||
		    [ $((n % step)) -eq 0 ]; then
			echo "$n"
		fi
	done
}

# sweep NAME FINAL VERIFY CMD...: the loop described above.  FINAL is the
# path the operation creates (inside out/; "-" when it writes stdout
# only); VERIFY FINAL is run after each successful run (stdout in
# ./stdout) and must check the result.
sweep() {
	local name=$1 final=$2 verify=$3 mode n k rc before q step tried magic note
	shift 3
	before=$(snapshot)
	q=$(quick)
	rm -rf out && mkdir out
	CAIRN_FAILMALLOC_REPORT="$T/count" LD_PRELOAD="$FAILMALLOC" \
	    "$@" >stdout 2>stderr </dev/null || {
		echo "$name: clean run under the shim failed"
		cat stderr
		return 1
	}
	"$verify" "$final" || { echo "$name: clean run: bad output"; return 1; }
	k=$(cat "$T/count")
	[ "$k" -gt 0 ] || { echo "$name: no allocation counted"; return 1; }
	step=$(((k + POINTS - 1) / POINTS))
	[ -n "${CAIRN_OOM_FULL:-}" ] && step=1
	shopt -s dotglob nullglob
	for mode in "" "+"; do
		tried=0 magic=0
		rm -rf out && mkdir out
		for n in $(points "$k" "$step"); do
			tried=$((tried + 1))
			set +e
			# in a subshell, whose stderr takes bash's
			# "Aborted" / "Segmentation fault" line
			(CAIRN_FAILMALLOC="$n$mode" LD_PRELOAD="$FAILMALLOC" \
			    "$@") >stdout 2>stderr </dev/null
			rc=$?
			set -e
			[ "$(quick)" = "$q" ] || {
				echo "$name: fault $n$mode changed the inputs"
				return 1
			}
			if [ "$rc" -ge 128 ]; then
				# Known libmagic 5.44 limitation (docs/testing.md):
				# after a failed allocation inside magic_load() or
				# magic_buffer(), libmagic (or glibc's regcomp()
				# under it) may crash (SIGSEGV, or SIGABRT from a
				# double free).  The shim says where a fatal
				# signal struck; only these two calls are
				# tolerated, and only with nothing left behind.
				if [ "$rc" -ne 134 ] && [ "$rc" -ne 139 ] ||
				    ! grep -Eq "^failmalloc: signal $((rc - 128)) inside magic_(load|buffer)\$" stderr; then
					echo "$name: fault $n$mode: killed by signal $((rc - 128))"
					cat stderr
					return 1
				fi
				out_empty "$name: fault $n$mode: libmagic crash" || return 1
				magic=$((magic + 1))
				continue
			fi
			if [ "$rc" -eq 0 ]; then
				"$verify" "$final" || {
					echo "$name: fault $n$mode: exit 0 but bad output"
					cat stderr
					return 1
				}
				rm -rf out && mkdir out
				continue
			fi
			# Out of memory is exit 1, never a verdict on the
			# input: 3 (no key matched), 4 (corrupt), 5 (signature),
			# 7 (salvage: partially recovered).
			if { [ "$rc" -ge 3 ] && [ "$rc" -le 5 ]; } || [ "$rc" -eq 7 ]; then
				echo "$name: fault $n$mode: out of memory reported as exit $rc"
				cat stderr
				return 1
			fi
			mapfile -t lines <stderr
			if [[ "${lines[*]}" != *"cairn: error: "* ]]; then
				echo "$name: fault $n$mode: exit $rc without 'cairn: error:'"
				cat stderr
				return 1
			fi
			out_empty "$name: fault $n$mode: exit $rc" || return 1
		done
		[ "$(snapshot)" = "$before" ] || {
			echo "$name: the inputs changed"
			return 1
		}
		note=""
		[ "$magic" -eq 0 ] || note="; $magic known libmagic crashes"
		echo "# $name: $k allocations; tried $tried N$mode (first $HEAD, last $TAIL, every $step in between)$note" >&3
	done
}

# in/data: a PNG-like and a JPEG-like file and a text note, so that
# libmagic has something to recognise; in/a.cairn sealed from it.
setup_data() {
	mkdir -p in/data/sub
	printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\2\0\0\0' >in/data/img.png
	head -c 3000 /dev/urandom >>in/data/img.png
	printf '\377\330\377\340\0\20JFIF\0\1\1\0\0\1\0\1\0\0' >in/data/sub/photo.jpg
	head -c 5000 /dev/urandom >>in/data/sub/photo.jpg
	printf 'Seized laptop, serial 1234.\nChain of custody: A -> B.\n' >in/data/note.txt
}

# ---- verifiers ---------------------------------------------------------------

# types ARCHIVE: the TYPE and PATH columns of list (libmagic's verdicts).
types() {
	"$CAIRN" list -i in/home/identity "$1" 2>/dev/null | awk 'NF == 4 && $2 ~ /^[0-9][0-9][0-9][0-9]-/ { print $3, $4 }'
}

# verifies, and libmagic named each file as it does without the shim
# (a failed magic_buffer() must not pass for "application/octet-stream").
verifies_same_types() {
	verifies "$1" && [ "$(types "$1")" = "$(cat in/types)" ]
}

same_tree() {
	diff -r "$1/data" in/data >/dev/null
}

# stdout equals that of a run without the shim (in/expected).
same_stdout() {
	cmp -s stdout in/expected
}

combines() {
	local files
	files=$(ls "$1"/* | head -2)
	# shellcheck disable=SC2086
	[ "$("$CAIRN" combine $files 2>/dev/null | "$CAIRN" pubkey -i - 2>/dev/null)" = "$REC" ]
}

is_identity() {
	[ "$("$CAIRN" pubkey -i "$1" 2>/dev/null)" = "$REC" ]
}

# ---- the operations ------------------------------------------------------------

@test "oom: encrypt -o" {
	setup_keys
	payload 70000 in/p
	sweep encrypt out/c decrypts_to_p "$CAIRN" encrypt -r "$REC" -o out/c in/p
}

@test "oom: decrypt -o" {
	setup_keys
	payload 70000 in/p
	"$CAIRN" encrypt -r "$REC" -o in/c in/p
	sweep decrypt out/p same_as_p "$CAIRN" decrypt -i in/home/identity -o out/p in/c
}

@test "oom: seal -o (signed, with a note; libmagic, jansson, libarchive)" {
	setup_keys
	setup_data
	"$CAIRN" seal -r "$REC" --no-sign -o types.cairn in/data 2>/dev/null
	types types.cairn >in/types
	rm types.cairn
	grep -q 'image/png data/img.png' in/types
	grep -q 'text/plain data/note.txt' in/types
	# One thread (CAIRN_THREADS=1): with libmagic typing on a second
	# thread too, a sticky failure crashes libmagic's own clean-up in
	# either thread, outside the calls the shim can name.  The threaded
	# paths' failures are swept by faults.bats (CAIRN_FAULT).
	export CAIRN_THREADS=1
	sweep seal out/a.cairn verifies_same_types "$CAIRN" seal -r "$REC" \
	    -s in/home/signing.key -m 'seized 2026-11-29' -o out/a.cairn in/data
}

@test "oom: open -C" {
	setup_keys
	setup_data
	"$CAIRN" seal -r "$REC" -s in/home/signing.key -o in/a.cairn in/data 2>/dev/null
	sweep open out/x same_tree "$CAIRN" open -q -i in/home/identity \
	    -C out/x in/a.cairn
}

@test "oom: verify --json and list" {
	setup_keys
	setup_data
	"$CAIRN" seal -r "$REC" -s in/home/signing.key -m note -o in/a.cairn in/data 2>/dev/null
	"$CAIRN" verify --json -i in/home/identity in/a.cairn >in/expected
	sweep verify - same_stdout "$CAIRN" verify --json -i in/home/identity in/a.cairn
	"$CAIRN" list -i in/home/identity in/a.cairn >in/expected
	sweep list - same_stdout "$CAIRN" list -i in/home/identity in/a.cairn
}

@test "oom: split -o DIR --print (libqrencode)" {
	setup_keys
	sweep split out/shares combines "$CAIRN" split -t 2 -n 3 --print \
	    -o out/shares in/home/identity
}

@test "oom: combine -o" {
	setup_keys
	"$CAIRN" split -q -t 2 -n 3 -o in/shares in/home/identity
	sweep combine out/id is_identity "$CAIRN" combine -o out/id \
	    in/shares/*
}

# salvaged DIR: every file came back verified, with the report.
salvaged() {
	diff -r "$1/verified/data" in/data >/dev/null && [ -f "$1/salvage-report.txt" ] &&
	    [ ! -e "$1/unverified" ]
}

@test "oom: salvage -C (never a verdict: no exit 3-5 or 7)" {
	setup_keys
	setup_data
	"$CAIRN" seal -r "$REC" -s in/home/signing.key -o in/a.cairn in/data 2>/dev/null
	sweep salvage out/x salvaged "$CAIRN" salvage -q -i in/home/identity \
	    -C out/x in/a.cairn
}
