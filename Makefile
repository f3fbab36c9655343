# cairn - build, test and install.
#   make            build build/cairn
#   make check      install missing deps, build, run every test (also under
#                   ASan+UBSan); ends with "N passed, N failed"
#   make demo       install missing deps, build, run the end-to-end story
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS each
#   make bench      benchmarks (bench/), not part of check
#   make lint       clang-format check + cppcheck

BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
SAN     ?=
VERSION := 0.1.0

PKGS := libsodium libarchive libmagic jansson nettle libqrencode libcrypto

CC ?= cc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion
ifneq ($(SAN),fuzz)
ifeq ($(CI),true)
WARN += -Werror
endif
endif
ifeq ($(WERROR),1)
WARN += -Werror
endif

ifeq ($(SAN),1)
OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
       -fno-sanitize-recover=undefined
HARDEN := -fstack-protector-strong
LDHARDEN := -fsanitize=address,undefined
else ifeq ($(SAN),fuzz)
# libFuzzer build (clang): library instrumented, targets link -fsanitize=fuzzer.
CC := clang
OPT := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
HARDEN :=
LDHARDEN := -fsanitize=address,undefined
else
OPT := -O2 -g
HARDEN := -D_FORTIFY_SOURCE=3 -fstack-protector-strong \
          -fstack-clash-protection -fPIE
LDHARDEN := -pie -Wl,-z,relro,-z,now
endif

CPPFLAGS += -Iinclude -D_GNU_SOURCE -DCAIRN_VERSION=\"$(VERSION)\"
CFLAGS   += -std=c11 $(OPT) $(WARN) $(HARDEN) $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread
# Test builds compile in fault injection and injectable randomness.
TEST_CPPFLAGS := -DCAIRN_TESTING

LIB_SRC := $(sort $(wildcard src/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/lib/%.o)
CLI_OBJ := $(CLI_SRC:src/cli/%.c=$(BUILD)/cli/%.o)
TLIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/tlib/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Test-only helper programs for the bats tests (tests/tools/*.c).
TOOL_BIN := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,\
    $(filter-out tests/tools/failmalloc.c,$(wildcard tests/tools/*.c)))
# LD_PRELOAD malloc-failure shim for tests/cli/oom.bats; not built with
# sanitizers (ASan owns malloc, so the shim cannot work there).
ifeq ($(SAN),)
FAILMALLOC := $(BUILD)/tools/failmalloc.so
endif

.PHONY: all deps check check-fast demo fuzz bench lint install uninstall \
        clean unit deb fuzz-build

all: $(BUILD)/cairn

# The release binary.
$(BUILD)/cairn: $(CLI_OBJ) $(BUILD)/libcairn.a
	$(CC) $(CFLAGS) $(LDHARDEN) -o $@ $^ $(LDLIBS)

# The test binary: same CLI, library built with -DCAIRN_TESTING.
$(BUILD)/cairn-test: $(CLI_OBJ:$(BUILD)/cli/%=$(BUILD)/tcli/%) $(BUILD)/libcairn-test.a
	$(CC) $(CFLAGS) $(LDHARDEN) -o $@ $^ $(LDLIBS)

$(BUILD)/libcairn.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libcairn-test.a: $(TLIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/%.o: src/%.c $(wildcard include/*.h) | $(BUILD)/lib
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tlib/%.o: src/%.c $(wildcard include/*.h) | $(BUILD)/tlib
	$(CC) $(CPPFLAGS) $(TEST_CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/cli/%.o: src/cli/%.c $(wildcard include/*.h src/cli/*.h) | $(BUILD)/cli
	$(CC) $(CPPFLAGS) -Isrc/cli $(CFLAGS) -c -o $@ $<

$(BUILD)/tcli/%.o: src/cli/%.c $(wildcard include/*.h src/cli/*.h) | $(BUILD)/tcli
	$(CC) $(CPPFLAGS) $(TEST_CPPFLAGS) -Isrc/cli $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h $(BUILD)/libcairn-test.a | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(TEST_CPPFLAGS) -Itests/unit $(CFLAGS) $(LDHARDEN) -o $@ $< \
	    $(BUILD)/libcairn-test.a $(LDLIBS) -lz

$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libcairn-test.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TEST_CPPFLAGS) $(CFLAGS) $(LDHARDEN) -o $@ $< \
	    $(BUILD)/libcairn-test.a $(LDLIBS)

$(BUILD)/tools/failmalloc.so: tests/tools/failmalloc.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -shared -o $@ $< -ldl

# libFuzzer targets: tests/fuzz/fuzz_<name>.c (built with SAN=fuzz).
$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/libcairn-test.a | $(BUILD)/fuzz
	$(CC) $(CPPFLAGS) $(TEST_CPPFLAGS) -Itests/fuzz $(CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(BUILD)/libcairn-test.a $(LDLIBS)

FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
fuzz-build: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

$(BUILD)/fuzz $(BUILD)/lib $(BUILD)/tlib $(BUILD)/cli $(BUILD)/tcli $(BUILD)/tests:
	mkdir -p $@

unit: $(UNIT_BIN) $(TOOL_BIN) $(FAILMALLOC) $(BUILD)/cairn $(BUILD)/cairn-test

deps:
	@sh scripts/install-deps

# Full check: deps, release build + tests, then the sanitizer build + tests.
check: deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory BUILD=build-san SAN=1 unit
	@sh tests/run build build-san

# Quick loop for development: release build only, no sanitizers/fuzz.
check-fast: unit
	@CAIRN_SKIP_FUZZ=1 sh tests/run $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/cairn
	@sh scripts/demo $(BUILD)/cairn

FUZZ_SECONDS ?= 60
fuzz: deps
	@sh tests/fuzz/run $(FUZZ_SECONDS)

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/cairn
	@sh bench/run

lint:
	clang-format --dry-run --Werror src/*.c src/*.h src/cli/*.c src/cli/*.h include/*.h
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr -Iinclude -Isrc/cli src

install: $(BUILD)/cairn
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions \
	    $(DESTDIR)$(PREFIX)/share/doc/cairn
	install -m 0755 $(BUILD)/cairn $(DESTDIR)$(PREFIX)/bin/cairn
	install -m 0644 docs/cairn.1 $(DESTDIR)$(PREFIX)/share/man/man1/cairn.1
	install -m 0644 docs/cairn-format.5 $(DESTDIR)$(PREFIX)/share/man/man5/cairn-format.5
	install -m 0644 completions/cairn.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/cairn
	install -m 0644 completions/_cairn $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_cairn
	install -m 0644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/cairn/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/cairn \
	    $(DESTDIR)$(PREFIX)/share/man/man1/cairn.1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5/cairn-format.5 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/cairn \
	    $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_cairn
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/cairn

deb: deps
	sh packaging/build-deb

clean:
	rm -rf build build-san build-fuzz
