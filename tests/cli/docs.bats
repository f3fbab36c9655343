#!/usr/bin/env bats
# docs.bats - the manual pages agree with the program: every verb that
# `cairn --help` lists has a "cairn VERB" subsection in docs/cairn.1
# whose option tags (the lines after .TP) name exactly the long options
# `cairn VERB --help` shows (--help itself is documented once, for all);
# both man pages render without a single groff warning; must-fail cases
# show the checks catch a missing option, an undocumented one and a
# broken page.

load helpers

MAN1=$CAIRN_TOP/docs/cairn.1
MAN5=$CAIRN_TOP/docs/cairn-format.5

# verbs: the commands `cairn --help` lists, one per line.
verbs() {
	"$CAIRN" --help | awk '/^Commands:/ { on = 1; next }
	    on && /^$/ { exit } on { print $1 }'
}

# help_opts VERB: the long options VERB's --help text lists (the first
# long option of each indented option line), sorted.
help_opts() {
	"$CAIRN" "$1" --help | sed -nE 's/^ +(-[a-zA-Z], )?(--[a-z][a-z0-9-]*).*/\2/p' |
	    grep -vx -- --help | sort -u
}

# man_opts PAGE VERB: the long options in the tags of PAGE's
# "cairn VERB" subsection, sorted.
man_opts() {
	awk -v verb="$2" '
		/^\.SS / {
			s = $0; sub(/^\.SS +"?/, "", s); sub(/"$/, "", s)
			on = (s == "cairn " verb); next
		}
		/^\.SH / { on = 0 }
		on && tag { print; tag = 0; next }
		on && /^\.TP/ { tag = 1 }
	' "$1" | sed 's/\\-/-/g' | grep -o -- '--[a-z][a-z0-9-]*' |
	    grep -vx -- --help | sort -u
}

# compare PAGE VERB: fail, naming the options, unless the help text and
# the page list the same long options for VERB.
compare() {
	local h m
	h=$(help_opts "$2")
	m=$(man_opts "$1" "$2")
	if ! grep -q '^\.SS "*cairn '"$2"'"*$' "$1"; then
		echo "$1: no 'cairn $2' subsection"
		return 1
	fi
	if [ "$h" != "$m" ]; then
		echo "cairn $2: --help and $1 disagree"
		diff <(echo "$h") <(echo "$m") | sed 's/^</  only in --help:/; s/^>/  only in the man page:/' |
		    grep only
		return 1
	fi
}

# render PAGE: groff's warnings while man(1) formats PAGE (stderr).
render() {
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 \
	    -l "$1" 2>&1 >/dev/null
}

@test "cairn --help lists the twelve verbs" {
	run verbs
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 12 ]
	[[ " ${lines[*]} " == *" seal "* ]]
	[[ " ${lines[*]} " == *" recovery "* ]]
}

@test "every verb's long options are in cairn.1, and only those" {
	local v bad=0 n=0
	for v in $(verbs); do
		n=$((n + 1))
		[ -n "$(help_opts "$v")" ] || { echo "$v: no options?"; bad=1; }
		compare "$MAN1" "$v" || bad=1
	done
	[ "$n" -ge 12 ]
	[ "$bad" -eq 0 ]
}

@test "cairn.1 has the exit codes, environment and key-home files" {
	local t
	t=$(render "$MAN1"; LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$MAN1" 2>/dev/null)
	for s in "EXIT STATUS" ENVIRONMENT FILES EXAMPLES CAIRN_HOME \
	    XDG_CONFIG_HOME signing.key signing.pub recipients identity; do
		[[ "$t" == *"$s"* ]] || { echo "cairn.1 lacks $s"; return 1; }
	done
	# Every exit code of `cairn --help` is documented.
	local codes
	codes=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$MAN1" 2>/dev/null |
	    sed -n '/^EXIT STATUS/,/^[A-Z]/p')
	for c in 0 1 2 3 4 5 129 130 141 143; do
		"$CAIRN" --help | grep -qw "$c"
		grep -qw "$c" <<<"$codes" ||
		    { echo "exit code $c missing"; return 1; }
	done
}

@test "must fail: an option missing from the man page is caught" {
	sed '/^\.BI \\-\\-note\\-file/d' "$MAN1" >cairn.1
	run compare cairn.1 seal
	[ "$status" -ne 0 ]
	[[ "$output" == *"only in --help: --note-file"* ]]
	# ... and one the program does not have.
	sed 's/^\.BI \\-\\-case " LABEL"/.BI \\-\\-casefile " LABEL"/' \
	    "$MAN1" >cairn.1
	run compare cairn.1 seal
	[ "$status" -ne 0 ]
	[[ "$output" == *"only in the man page: --casefile"* ]]
	# ... and a verb without a subsection.
	sed 's/^\.SS cairn combine$/.SS cairn kombine/' "$MAN1" >cairn.1
	run compare cairn.1 combine
	[ "$status" -ne 0 ]
}

@test "cairn.1 and cairn-format.5 render without warnings" {
	run render "$MAN1"
	[ "$status" -eq 0 ]
	[ -z "$output" ] || { echo "$output"; return 1; }
	run render "$MAN5"
	[ "$status" -eq 0 ]
	[ -z "$output" ] || { echo "$output"; return 1; }
	run bash -c "LC_ALL=C.UTF-8 MANWIDTH=80 man -l '$MAN5' 2>/dev/null"
	[[ "$output" == *"manifest.json"* ]]
	[[ "$output" == *"SHA256SUMS.minisig"* ]]
}

@test "must fail: a broken page produces warnings" {
	sed 's/^\.SH NAME$/.SH NAME\n.BOGUS macro/' "$MAN1" >broken.1
	run render broken.1
	[[ "$output" == *"warning"* ]]
}

# Issue 14, item 18: docs quoted messages that differ from the real ones.
@test "every cairn: error/hint/warning the docs quote is a real message" {
	run python3 "$CAIRN_TOP/tests/tools/doc-messages" "$CAIRN_TOP/src" \
	    "$CAIRN_TOP/README.md" "$CAIRN_TOP"/docs/*.md
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "must fail: a misquoted message is caught" {
	printf 'See `cairn: hint: run cairn repiar now`.\n\n    cairn: error: x.cairn: no identity matchd\n' >bad.md
	printf 'See `cairn: warning: PATH: symbolic link, skipped (cairn seals regular files and directories only)`.\n' >good.md
	run python3 "$CAIRN_TOP/tests/tools/doc-messages" "$CAIRN_TOP/src" bad.md good.md
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.md:1: cairn: hint: run cairn repiar now"* ]]
	[[ "$output" == *"bad.md:3: cairn: error: x.cairn: no identity matchd"* ]]
	[[ "$output" != *good.md* ]]
}
