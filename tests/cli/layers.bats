#!/usr/bin/env bats
# layers.bats - the layering of docs/architecture.md holds, and the build
# knows its header dependencies:
#  - tests/lint-layers passes on the tree, and fails on a copy where the
#    CLI includes an internal header or a public header includes one;
#  - tests/lint-messages passes, and fails on a message split in two;
#  - the CLI's include path cannot reach an internal header (a one-line
#    program including "tarball.h" with the CLI's flags does not compile);
#  - touching an internal header makes exactly the objects that include it
#    out of date (make -n against a copy of the build directory).

load helpers

# copy_tree: the tracked sources (no build output) into $T/tree.
copy_tree() {
	mkdir -p "$T/tree"
	(cd "$CAIRN_TOP" && git ls-files -z 2>/dev/null | grep -zv '^tests/fuzz/corpus/' |
	    xargs -0 cp --parents -a -t "$T/tree") ||
	    (cd "$CAIRN_TOP" && tar -cf - --exclude=./build\* --exclude=./.git \
	        --exclude=./tests/fuzz/corpus . | tar -xf - -C "$T/tree")
}

@test "lint-layers passes on the tree" {
	run sh "$CAIRN_TOP/tests/lint-layers"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "lint-layers refuses a CLI file that includes an internal header" {
	copy_tree
	echo '#include "tarball.h"' >>"$T/tree/src/cli/cmd_list.c"
	run sh "$T/tree/tests/lint-layers"
	[ "$status" -eq 1 ]
	[[ "$output" == *'cmd_list.c'*'tarball.h'*'not a public or CLI header'* ]]
}

@test "lint-layers refuses a public header that includes an internal one" {
	copy_tree
	echo '#include "sums.h"' >>"$T/tree/include/cairn/seal.h"
	run sh "$T/tree/tests/lint-layers"
	[ "$status" -eq 1 ]
	[[ "$output" == *'include/cairn/seal.h'*'internal'* ]]
}

@test "lint-messages passes on the tree, and refuses a message split across lines" {
	run python3 "$CAIRN_TOP/tests/lint-messages" "$CAIRN_TOP"/src/cli/*.c
	echo "$output"
	[ "$status" -eq 0 ]
	printf 'void f(void)\n{\n\tcli_hint("one half "\n\t         "other half");\n}\n' >split.c
	run python3 "$CAIRN_TOP/tests/lint-messages" split.c
	[ "$status" -eq 1 ]
	[[ "$output" == 'split.c:3: message split across source lines'* ]]
}

@test "the CLI's include path cannot reach an internal header" {
	printf '#include "cairn/age.h"\nint main(void) { return 0; }\n' >ok.c
	printf '#include "tarball.h"\nint main(void) { return 0; }\n' >bad.c
	# the same -I flags as the Makefile's CLI_INC
	run cc -fsyntax-only -I"$CAIRN_TOP/include" -I"$CAIRN_TOP/src/cli" ok.c
	[ "$status" -eq 0 ]
	run cc -fsyntax-only -I"$CAIRN_TOP/include" -I"$CAIRN_TOP/src/cli" bad.c
	[ "$status" -ne 0 ]
	[[ "$output" == *'tarball.h'* ]]
	grep -q '^CLI_INC  *:= -Iinclude -Isrc/cli$' "$CAIRN_TOP/Makefile"
}

@test "touching an internal header rebuilds exactly its dependents" {
	b=$(dirname "$CAIRN")
	[ -d "$b/tlib/archive" ] || skip "no test library objects in $b"
	copy_tree
	cp -a "$b" "$T/tree/$(basename "$b")"
	cd "$T/tree"
	bn=$(basename "$b")
	# nothing to do before the touch (a freshly copied, complete build)
	run make -q BUILD="$bn" "$bn/libcairn-test.a"
	[ "$status" -eq 0 ] || skip "the build in $b is not up to date with the sources"
	touch src/archive/seal_impl.h
	run make -q BUILD="$bn" "$bn/libcairn-test.a"
	[ "$status" -ne 0 ]
	got=$(make -n BUILD="$bn" "$bn/libcairn-test.a" |
	    sed -n 's|.* -o '"$bn"'/tlib/\([^ ]*\)\.o .*|\1|p' | sort)
	want=$(grep -l '#include "seal_impl.h"' src/archive/*.c |
	    sed 's|^src/||; s|\.c$||' | sort)
	echo "rebuilt: $got"
	echo "dependents: $want"
	[ -n "$want" ]
	[ "$got" = "$want" ]
}
