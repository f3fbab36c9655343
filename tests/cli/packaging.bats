#!/usr/bin/env bats
# tests/cli/packaging.bats - what ships: `make install`/`make uninstall`
# layout, the bash and zsh completions kept in step with the CLI's own
# --help texts, and the Debian package built by packaging/build-deb,
# unpacked with dpkg -x (about 20 s on 2 busy cores; CAIRN_TEST_DEB=0
# skips it).
#
# Nothing here installs system-wide: every install goes to a DESTDIR or a
# scratch root under the test's temp directory.

load helpers

MANPAGES="docs/cairn.1 docs/cairn-format.5"

# Flags of the CLI contract that the completions already offer but the
# verb does not have yet (VERB:FLAG).  The "no flag the verb lacks" check
# ignores these; drop an entry once the verb gains the flag.
# (Every contract flag exists now.)
PENDING=""

# The build directory under test (build or build-san), from $CAIRN.
build_args() {
	local b
	b=$(basename "$(dirname "$CAIRN")")
	case $b in
	build-san) echo "BUILD=$CAIRN_TOP/build-san SAN=1" ;;
	*) echo "BUILD=$CAIRN_TOP/build" ;;
	esac
}

# make ARGS... in directory $1 with a clean make environment.
run_make() {
	local dir=$1
	shift
	# shellcheck disable=SC2046
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    make --no-print-directory -C "$dir" $(build_args) "$@"
}

# A source tree for `make install`: the real one when every installed
# document exists; otherwise a scratch tree of symlinks into it in which
# the documents not written yet are empty files (the real tree is never
# touched).  Prints the directory.
install_tree() {
	local f missing=""
	for f in $MANPAGES README.md; do
		[ -f "$CAIRN_TOP/$f" ] || missing="$missing $f"
	done
	if [ -z "$missing" ]; then
		echo "$CAIRN_TOP"
		return
	fi
	local s=$T/srctree
	mkdir -p "$s/docs"
	for f in Makefile src include completions scripts tests README.md; do
		[ -e "$CAIRN_TOP/$f" ] && ln -s "$CAIRN_TOP/$f" "$s/$f"
	done
	for f in "$CAIRN_TOP"/docs/*; do
		[ -e "$f" ] && ln -s "$f" "$s/docs/"
	done
	for f in $missing; do
		: >"$s/$f"
	done
	echo "$s"
}

# Completion candidates, one per line, for a command line ending at the
# cursor (a trailing space starts an empty word).
bash_complete() {
	bash --norc --noprofile -c '
		source "$1" || exit 1
		line=$2
		read -ra COMP_WORDS <<<"$line"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		_cairn cairn "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}" | sort -u
		exit 0
	' _ "$CAIRN_TOP/completions/cairn.bash" "$1"
}

# Same for zsh: drive an interactive zsh on a pty (zsh/zpty), press TAB,
# and record every candidate handed to compadd.
zsh_complete() {
	cat >"$T/zcap.zsh" <<'EOF'
zmodload zsh/zpty || exit 1
out=$2
rm -f $out.ready $out.done
: >$out
zpty z zsh -f -i
zpty -w z "fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "compadd() { if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd \"\$@\"; return; fi; typeset -a __h; builtin compadd -A __h \"\$@\"; (( \$#__h )) && print -rl -- \$__h >>$out; builtin compadd \"\$@\"; }"
zpty -w z "zle -C __capc complete-word _main_complete; __capw() { zle __capc; print -r -- DONE >$out.done; }; zle -N __capw; bindkey '^I' __capw"
zpty -w z "print -r -- READY >$out.ready"
for i in {1..400}; do [[ -e $out.ready ]] && break; sleep 0.05; done
# TAB runs the completion and then writes the marker; nothing else is
# typed until it has (typeahead could cut completion short).
zpty -n -w z "$3"$'\t'
for i in {1..400}; do [[ -e $out.done ]] && break; sleep 0.05; done
zpty -d z
[[ -e $out.done ]] || exit 1
sort -u $out
EOF
	(cd "$T" && zsh -f "$T/zcap.zsh" "$CAIRN_TOP/completions" "$T/zcap.out" "$1")
}

# The verbs `cairn --help` lists.
cli_verbs() {
	"$CAIRN" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'
}

# The flags `cairn VERB --help` documents in its option list.
cli_flags() {
	"$CAIRN" "$@" --help | awk '/^ +-/ {
		for (i = 1; i <= NF; i++) {
			t = $i; sub(/,$/, "", t); sub(/=.*/, "", t)
			if (t !~ /^--?[A-Za-z0-9]/) break
			print t
			if ($i !~ /,$/) break
		}
	}' | sort -u
}

# Verbs whose flags belong to sub-verbs: the candidates of all its
# sub-verbs together must match the verb's --help.
SUBVERBS="share:check share:reveal recovery:init recovery:list parity:create parity:verify remote:add remote:list remote:remove signer:add signer:list signer:remove"

# complete_flags SHELL VERB: the flag candidates the completion offers.
complete_flags() {
	local p subs=""
	for p in $SUBVERBS; do
		[[ $p == "$2":* ]] && subs="$subs ${p#*:}"
	done
	if [ -z "$subs" ]; then
		"$1_complete" "cairn $2 -"
	else
		for p in $subs; do
			"$1_complete" "cairn $2 $p -"
		done | sort -u
	fi
}

# Completion candidates for VERB's flags that are not pending.
not_pending() { # not_pending VERB LIST
	local f
	for f in $2; do
		case " $(echo $PENDING) " in *" $1:$f "*) continue ;; esac
		echo "$f"
	done
}

# Lines of $1 that are not lines of $2 (both newline lists).
missing_from() {
	comm -23 <(printf '%s\n' "$1" | sort -u) <(printf '%s\n' "$2" | sort -u)
}

# ---- make install / uninstall ------------------------------------------

@test "make install puts the binary, completions and docs under DESTDIR" {
	local src root=$T/root
	src=$(install_tree)
	run_make "$src" install DESTDIR="$root" PREFIX=/usr >"$T/make.log" 2>&1 ||
	    { cat "$T/make.log"; false; }
	[ -x "$root/usr/bin/cairn" ]
	run "$root/usr/bin/cairn" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^cairn\ [0-9]+\.[0-9]+ ]]
	cmp "$CAIRN_TOP/completions/cairn.bash" \
	    "$root/usr/share/bash-completion/completions/cairn"
	cmp "$CAIRN_TOP/completions/_cairn" \
	    "$root/usr/share/zsh/vendor-completions/_cairn"
	[ -f "$root/usr/share/doc/cairn/README.md" ]
	# the guide `recovery init` and the kits name by this path
	[ -f "$root/usr/share/doc/cairn/recovery-guide.md" ]
	# nothing lands outside PREFIX
	[ -z "$(find "$root" -mindepth 1 -maxdepth 1 ! -name usr)" ]
}

@test "make install puts the man pages in man1 and man5" {
	local f
	for f in $MANPAGES; do
		[ -f "$CAIRN_TOP/$f" ] || skip "$f not written yet"
	done
	run_make "$CAIRN_TOP" install DESTDIR="$T/root" PREFIX=/usr \
	    >"$T/make.log" 2>&1 || { cat "$T/make.log"; false; }
	cmp "$CAIRN_TOP/docs/cairn.1" "$T/root/usr/share/man/man1/cairn.1"
	cmp "$CAIRN_TOP/docs/cairn-format.5" \
	    "$T/root/usr/share/man/man5/cairn-format.5"
}

@test "make uninstall removes every installed file" {
	local src root=$T/root
	src=$(install_tree)
	run_make "$src" install DESTDIR="$root" PREFIX=/usr >"$T/make.log" 2>&1 ||
	    { cat "$T/make.log"; false; }
	[ -n "$(find "$root" -type f)" ]
	run_make "$src" uninstall DESTDIR="$root" PREFIX=/usr >>"$T/make.log" 2>&1 ||
	    { cat "$T/make.log"; false; }
	run find "$root" -type f
	[ -z "$output" ] || { echo "left behind: $output"; false; }
}

# ---- completions ---------------------------------------------------------

@test "completion scripts parse (bash -n, zsh -n)" {
	bash -n "$CAIRN_TOP/completions/cairn.bash"
	command -v zsh >/dev/null || skip "zsh not installed (make deps)"
	zsh -n "$CAIRN_TOP/completions/_cairn"
}

@test "bash completion offers every verb of cairn --help" {
	local verbs got miss
	verbs=$(cli_verbs)
	[ -n "$verbs" ]
	got=$(bash_complete "cairn ")
	miss=$(missing_from "$verbs" "$got")
	[ -z "$miss" ] || { echo "not completed: $miss"; false; }
	run bash_complete "cairn enc"
	[ "$output" = encrypt ]
}

@test "bash completion offers exactly the flags each verb's --help lists" {
	local v want got bad=0
	for v in $(cli_verbs); do
		[ "$v" = help ] && continue
		want=$(cli_flags "$v")
		got=$(complete_flags bash "$v")
		if [ -n "$(missing_from "$want" "$got")" ]; then
			echo "$v: not completed: $(missing_from "$want" "$got" | tr '\n' ' ')"
			bad=1
		fi
		got=$(not_pending "$v" "$got")
		if [ -n "$(missing_from "$got" "$want")" ]; then
			echo "$v: completed but not in --help: $(missing_from "$got" "$want" | tr '\n' ' ')"
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "bash completion: file, directory and free-text arguments" {
	mkdir adir
	: >afile
	run bash_complete "cairn decrypt -i a"
	[[ "$output" == *afile* ]] && [[ "$output" == *adir* ]]
	run bash_complete "cairn open -C a"
	[ "$output" = adir ]
	run bash_complete "cairn encrypt -r a"
	[ -z "$output" ]
	run bash_complete "cairn share "
	[ "$output" = "$(printf 'check\nreveal')" ]
	run bash_complete "cairn help se"
	[ "$output" = seal ]
	run bash_complete "cairn nosuchverb -"
	[ -z "$output" ]
}

@test "zsh completion offers every verb and each verb's flags" {
	command -v zsh >/dev/null || skip "zsh not installed (make deps)"
	local v verbs want got bad=0
	verbs=$(cli_verbs)
	got=$(zsh_complete "cairn ")
	[ -n "$(missing_from "$verbs" "$got")" ] && {
		echo "verbs not completed: $(missing_from "$verbs" "$got" | tr '\n' ' ')"
		bad=1
	}
	for v in $verbs; do
		[ "$v" = help ] && continue
		want=$(cli_flags "$v")
		got=$(complete_flags zsh "$v")
		if [ -n "$(missing_from "$want" "$got")" ]; then
			echo "$v: not completed: $(missing_from "$want" "$got" | tr '\n' ' ')"
			bad=1
		fi
		got=$(not_pending "$v" "$got")
		if [ -n "$(missing_from "$got" "$want")" ]; then
			echo "$v: completed but not in --help: $(missing_from "$got" "$want" | tr '\n' ' ')"
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "zsh completion: directory argument of open -C" {
	command -v zsh >/dev/null || skip "zsh not installed (make deps)"
	mkdir adir
	: >afile
	run zsh_complete "cairn open -C a"
	[ "$output" = adir ] || [ "$output" = adir/ ]
}

# ---- Debian package --------------------------------------------------------

@test "debian/control Build-Depends has every library -dev package of install-deps" {
	local devs d miss=""
	devs=$(sed -n '/^PKGS="/,/"$/p' "$CAIRN_TOP/scripts/install-deps" |
	    tr -d '"' | sed 's/^PKGS=//' | tr ' ' '\n' | grep -- '-dev$' |
	    grep -v -e '^libclang-rt-' -e '^libfuzzer-' -e '^dpkg-dev$')
	[ -n "$devs" ]
	for d in $devs; do
		grep -Eq "^(Build-Depends:)? +$d( |,|$)" \
		    "$CAIRN_TOP/packaging/debian/control" || miss="$miss $d"
	done
	[ -z "$miss" ] || { echo "missing from Build-Depends:$miss"; false; }
}

@test "packaging/build-deb builds a .deb whose cairn runs from dpkg -x" {
	[ "${CAIRN_TEST_DEB:-1}" = 1 ] || skip "CAIRN_TEST_DEB=0"
	# The package builds its own binary, so one run per `make check` is
	# enough: skip it for the sanitizer pass.
	[ "$(basename "$(dirname "$CAIRN")")" != build-san ] ||
	    skip "runs with the release build only"
	local f
	for f in $MANPAGES README.md; do
		[ -f "$CAIRN_TOP/$f" ] || skip "$f not written yet (make install needs it)"
	done
	command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
	    skip "dpkg-dev/debhelper not installed (make deps)"
	CAIRN_DEB_OUT="$T/out" sh "$CAIRN_TOP/packaging/build-deb" >"$T/deb.log" 2>&1 ||
	    { cat "$T/deb.log"; false; }
	local deb deps lib pkgs p ok
	deb=$(ls "$T"/out/cairn_*.deb)
	[ -f "$deb" ]
	[ "$(dpkg-deb -f "$deb" Package)" = cairn ]
	[ "$(dpkg-deb -f "$deb" Version)" = "$("$CAIRN" --version | awk '{ print $2 }')" ]
	dpkg -x "$deb" "$T/root"
	run "$T/root/usr/bin/cairn" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^cairn\ [0-9]+\.[0-9]+ ]]
	# ${shlibs:Depends} resolved: every library the binary links directly
	# (ELF NEEDED) comes from a package named in Depends.
	deps=$(dpkg-deb -f "$deb" Depends)
	[[ "$deps" == *libsodium* ]]
	local needed
	needed=$(objdump -p "$T/root/usr/bin/cairn" | awk '$1 == "NEEDED" { print $2 }')
	[ -n "$needed" ]
	for lib in $(ldd "$T/root/usr/bin/cairn" | awk -v n=" $(echo $needed) " \
	    '$2 == "=>" && $3 ~ /^\// && index(n, " " $1 " ") { print $3 }'); do
		pkgs=$(dpkg -S "*/$(basename "$(readlink -f "$lib")")" 2>/dev/null |
		    cut -d: -f1 | tr ', ' '\n\n')
		ok=0
		for p in $pkgs; do
			[[ "$deps" == *"$p "* || "$deps" == *"$p,"* || "$deps" == *"$p" ]] && ok=1
		done
		[ "$ok" -eq 1 ] || { echo "$lib (from: $pkgs) not in Depends: $deps"; false; }
	done
	[ -f "$T/root/usr/share/bash-completion/completions/cairn" ]
	[ -f "$T/root/usr/share/zsh/vendor-completions/_cairn" ]
	[ -f "$T/root/usr/share/man/man1/cairn.1.gz" ]
	[ -f "$T/root/usr/share/man/man5/cairn-format.5.gz" ]
	[ -f "$T/root/usr/share/doc/cairn/copyright" ]
}
