#!/usr/bin/env bats
# tests/cli/secrets.bats - secret hygiene: no core dumps and no access to
# a running cairn's memory by other processes of the same user, secret
# files created 0600 whatever the umask, unsafe identity and key files
# refused, no plaintext or key staged outside the output directory (not
# in $TMPDIR, not anywhere: strace), and passphrases never taken from the
# command line or the environment.

load helpers

NOBODY=65534

# as_nobody CMD...: run CMD as uid/gid 65534 (the checks below need a
# non-root process: root may read any process's memory).
as_nobody() {
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$@"
}

# bg_nobody CMD...: the same in the background, stdin from fd 7, output
# discarded; $! is CMD's pid (setpriv execs it).
bg_nobody() {
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$@" <&7 \
	    >/dev/null 2>&1 3>&- &
}

# nobody_copy: $NB, a fresh directory uid $NOBODY can use as its working
# directory, holding $NB/cairn, a copy of $CAIRN it can run: the checkout
# (and so $CAIRN) may sit below a directory it cannot traverse (a 0700
# temp directory, as some CI clones are).  Skips with the reason when no
# such copy can be made.
nobody_copy() {
	NB=$(mktemp -d "${TMPDIR:-/tmp}/cairn-nobody.XXXXXX")
	chmod 0777 "$NB"
	cp "$CAIRN" "$NB/cairn"
	chmod 0755 "$NB/cairn"
	as_nobody sh -c 'cd "$1" && test -x ./cairn' _ "$NB" ||
	    skip "uid $NOBODY cannot reach or run a copy of cairn in $NB (a 0700 or noexec TMPDIR?)"
}

# wait_exec PID BIN [nolimit]: wait until PID runs BIN and has been set up
# (its core limit is 0: cli_setup() ran; not checked with "nolimit");
# fail after 5 s.
wait_exec() {
	for _ in $(seq 100); do
		if [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$2" ] &&
		    { [ -n "${3:-}" ] ||
		    grep -Eq '^Max core file size +0 +0 ' "/proc/$1/limits" 2>/dev/null; }; then
			return 0
		fi
		sleep 0.05
	done
	echo "process $1 never reached $2 with core dumps off"
	cat "/proc/$1/limits" 2>/dev/null
	return 1
}

# private_memory PID: PID's /proc files are root's and another process
# of the same uid cannot read them (the process is not dumpable).
private_memory() {
	[ "$(stat -c %u "/proc/$1/environ")" -eq 0 ] || {
		echo "/proc/$1/environ owned by $(stat -c %u "/proc/$1/environ")"
		return 1
	}
	if as_nobody head -c 1 "/proc/$1/environ" >/dev/null 2>&1 ||
	    as_nobody head -c 1 "/proc/$1/maps" >/dev/null 2>&1; then
		echo "another process of the same user reads /proc/$1"
		return 1
	fi
}

@test "a waiting cairn has core dumps off and is not dumpable (and the check can fail)" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch to uid $NOBODY"
	command -v setpriv >/dev/null || skip "no setpriv"
	mkfifo in
	exec 7<>in
	# control: an ordinary process of that user is readable
	bg_nobody sleep 30
	ctl=$!
	wait_exec "$ctl" "$(readlink -f "$(command -v sleep)")" nolimit
	run private_memory "$ctl"
	kill "$ctl"
	[ "$status" -ne 0 ]
	# cairn decrypt and open, blocked reading their input from the FIFO,
	# run from a copy in a directory that uid 65534 can use
	nobody_copy
	cd "$NB"
	for verb in "decrypt" "open -C out -"; do
		# shellcheck disable=SC2086
		bg_nobody env CAIRN_HOME=/nonexistent "$NB/cairn" $verb
		pid=$!
		wait_exec "$pid" "$(readlink -f "$NB/cairn")"
		private_memory "$pid"
		kill -TERM "$pid"
		wait "$pid" || true
	done
	exec 7>&-
	cd "$T"
	rm -rf "$NB"
}

@test "secret files are created 0600 (and the key home 0700) even with umask 000" {
	umask 000
	"$CAIRN" keygen -o id >rec
	[ "$(stat -c %a id)" = 600 ]
	"$CAIRN" keygen >/dev/null 2>&1
	[ "$(stat -c %a "$CAIRN_HOME")" = 700 ]
	[ "$(stat -c %a "$CAIRN_HOME/identity")" = 600 ]
	[ "$(stat -c %a "$CAIRN_HOME/signing.key")" = 600 ]
	# nothing in the key home is writable by others
	[ -z "$(find "$CAIRN_HOME" -perm /022)" ]
	"$CAIRN" split -t 2 -n 3 -o shares id >/dev/null
	[ "$(stat -c %a shares)" = 700 ]
	for f in shares/*; do [ "$(stat -c %a "$f")" = 600 ]; done
	"$CAIRN" combine -o back shares/share-01.txt shares/share-02.txt >/dev/null
	[ "$(stat -c %a back)" = 600 ]
	"$CAIRN" share reveal -o revealed shares/share-03.txt
	[ "$(stat -c %a revealed)" = 600 ]
	printf 'plain' | "$CAIRN" encrypt -r "$(cat rec)" -o c
	"$CAIRN" decrypt -i id -o p c
	[ "$(stat -c %a p)" = 600 ]
	# the must-fail side: an existing file of ours is not made 0600 by
	# accident (the checks above do look at modes)
	: >plain.txt
	[ "$(stat -c %a plain.txt)" = 666 ]
}

@test "unsafe secret files are refused: identity/signing key 0644, 0660, symlinked" {
	"$CAIRN" keygen >/dev/null 2>&1
	printf 'x' >f
	"$CAIRN" encrypt -R "$CAIRN_HOME/recipients" -o c f
	for m in 644 640 604 660 606; do
		chmod "$m" "$CAIRN_HOME/identity"
		expect_exit 1 "$CAIRN" decrypt -o o c
		assert_stderr_has "chmod 600"
		[ ! -e o ]
	done
	chmod 600 "$CAIRN_HOME/identity"
	expect_exit 0 "$CAIRN" decrypt -o o c
	chmod 644 "$CAIRN_HOME/signing.key"
	expect_exit 1 "$CAIRN" seal -o a.cairn f
	[ ! -e a.cairn ]
	chmod 600 "$CAIRN_HOME/signing.key"
	ln -s "$CAIRN_HOME/signing.key" link.key
	expect_exit 1 "$CAIRN" seal -s link.key -o a.cairn f
	[ ! -e a.cairn ]
	ln -s "$CAIRN_HOME/identity" link.id
	expect_exit 1 "$CAIRN" decrypt -i link.id -o o2 c
	assert_stderr_has "symbolic link"
	[ ! -e o2 ]
}

# no_creations TRACE DIR: every file or directory the traced process
# created (open with O_CREAT, mkdir, link, rename target) is relative or
# under DIR.
no_creations() {
	local bad
	bad=$(grep -E 'O_CREAT|mkdir|link|rename' "$1" |
	    grep -oE '"/[^"]*"' | tr -d '"' | grep -v "^$2/" | sort -u)
	if [ -n "$bad" ]; then
		echo "created outside $2:"
		echo "$bad"
		return 1
	fi
}

@test "no plaintext or key staged outside the output directory (TMPDIR, strace)" {
	mkdir tmp
	export TMPDIR="$T/tmp"
	"$CAIRN" keygen >/dev/null 2>&1
	mkdir -p data/sub
	payload 200000 data/sub/b.bin
	printf 'notes\n' >data/a.txt
	"$CAIRN" seal -o a.cairn data 2>/dev/null
	"$CAIRN" encrypt -R "$CAIRN_HOME/recipients" -o c data/a.txt
	"$CAIRN" open -C out a.cairn >/dev/null
	"$CAIRN" verify a.cairn >/dev/null
	"$CAIRN" decrypt -o d c
	"$CAIRN" decrypt c >/dev/null
	"$CAIRN" split -t 2 -n 2 -o s "$CAIRN_HOME/identity" >/dev/null
	"$CAIRN" combine s/share-01.txt s/share-02.txt >/dev/null
	[ -z "$(ls -A tmp)" ] || { ls -la tmp; false; }
	command -v strace >/dev/null || skip "no strace"
	# LeakSanitizer cannot run under ptrace
	tr='env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o trace -e trace=open,openat,creat,mkdir,mkdirat,link,linkat,rename,renameat,renameat2'
	rm -rf out && $tr "$CAIRN" open -C "$T/out" "$T/a.cairn" >/dev/null
	no_creations trace "$T"
	grep -q 'O_CREAT' trace # the trace does see creations
	$tr "$CAIRN" seal -o "$T/b.cairn" "$T/data" 2>/dev/null
	no_creations trace "$T"
	$tr "$CAIRN" decrypt -o "$T/d2" "$T/c"
	no_creations trace "$T"
	$tr "$CAIRN" combine -o "$T/k" "$T/s/share-01.txt" "$T/s/share-02.txt" >/dev/null
	no_creations trace "$T"
	# the check can fail: a creation elsewhere is reported
	$tr sh -c ": >/tmp/cairn-secrets-probe.$$; rm -f /tmp/cairn-secrets-probe.$$"
	run no_creations trace "$T"
	[ "$status" -ne 0 ]
}

@test "passphrases never come from argv or the environment" {
	printf 'x' >f
	expect_exit 2 "$CAIRN" encrypt --passphrase=secret -o c f
	expect_exit 2 "$CAIRN" keygen --passphrase=secret -o id
	expect_exit 2 "$CAIRN" seal --passphrase=secret --no-sign -o a.cairn f
	[ ! -e c ] && [ ! -e id ] && [ ! -e a.cairn ]
	# every passphrase option of every verb is a flag or names a file
	for v in keygen pubkey encrypt decrypt seal list verify open split \
	    combine share recovery; do
		"$CAIRN" "$v" --help | grep -oE -- '--[a-z-]*pass[a-z-]*( [A-Z_]+)?' |
		    while read -r opt arg; do
			case "$opt $arg" in
			"--passphrase " | *-file\ F | *-file\ ) ;;
			*) echo "$v: $opt $arg"; exit 1 ;;
			esac
		done
	done
	# with no terminal, a passphrase in the environment is not used
	for var in CAIRN_PASSPHRASE AGE_PASSPHRASE PASSPHRASE; do
		env "$var=secret" setsid -w "$CAIRN" encrypt -p -o c f </dev/null >out 2>err && false
		[ ! -e c ]
		grep -q 'passphrase-file' err
	done
}
