# tests/cli/remote_helpers.bash - helpers the WebDAV and SFTP remote tests
# share (load after helpers):
#   free_port            a TCP port free on 127.0.0.1 now
#   big NAME MIB         seal MIB MiB of random data into NAME.cairn
#   archive_id FILE      the archive id of a sealed file
#   start_socks          start microsocks on a free port: $SOCKS_PORT,
#                        $PROXY_PID (kill it in teardown), log socks.log
#   remote_teardown      kill $PROXY_PID if set
#   remote_server_start SCRIPT DIR WHAT CMD...
#                        setup_file: with every CMD installed, start
#                        tests/remote/SCRIPT in DIR (its exports in
#                        $BATS_FILE_TMPDIR/env); else, or when it does
#                        not start, write why to $SKIP_WHY
#   remote_setup         setup: a work directory $T (the current one),
#                        its own key home and HOME, no credentials from
#                        the environment, a fresh $PREFIX

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

big() {
	mkdir -p "src-$1"
	head -c "$(($2 * 1048576))" /dev/urandom >"src-$1/data.bin"
	"$CAIRN" seal -q -o "$1.cairn" "src-$1"
}

archive_id() { "$CAIRN" list --json "$1" | jq -r .archive_id; }

start_socks() {
	SOCKS_PORT=$(free_port)
	microsocks -i 127.0.0.1 -p "$SOCKS_PORT" >socks.log 2>&1 &
	PROXY_PID=$!
	for _ in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$SOCKS_PORT),1)" 2>/dev/null && break
		sleep 0.1
	done
}

remote_teardown() {
	[ -n "${PROXY_PID:-}" ] && kill "$PROXY_PID" 2>/dev/null
	return 0
}

remote_server_start() {
	local script=$1 dir=$2 what=$3 b
	shift 3
	for b in "$@"; do
		command -v "$b" >/dev/null || {
			echo "$b not installed (scripts/install-deps)" >"$SKIP_WHY"
			return 0
		}
	done
	if ! "$CAIRN_TOP/tests/remote/$script" start "$dir" \
	    >"$BATS_FILE_TMPDIR/env" 2>"$BATS_FILE_TMPDIR/start.log"; then
		{ echo "$what did not start:"; tail -3 "$BATS_FILE_TMPDIR/start.log"; } >"$SKIP_WHY"
	fi
}

remote_setup() {
	T="$BATS_TEST_TMPDIR/w"
	mkdir -p "$T"
	cd "$T" || return 1
	export CAIRN_HOME="$T/home" HOME="$T/userhome"
	unset XDG_CONFIG_HOME CAIRN_FAULT CAIRN_REMOTE_USER CAIRN_REMOTE_PASSWORD
	PREFIX="t$RANDOM$RANDOM"
}
