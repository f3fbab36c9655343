# cairn - build, test and install.
#   make            build build/cairn
#   make check      install missing deps, build, run every test (also under
#                   ASan+UBSan); ends with "N passed, N failed"
#   make demo       install missing deps, build, run the end-to-end story
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS each
#   make tsan       ThreadSanitizer pass of the threaded code (check runs it)
#   make bench      benchmarks (bench/), not part of check
#   make lint       clang-format check + cppcheck + layer and message rules

BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
SAN     ?=
VERSION := 0.1.0

# Libraries the binary links; test programs also need TEST_PKGS.
PKGS      := libsodium libarchive libmagic jansson libqrencode libcrypto libcurl \
             libexif
TEST_PKGS := nettle zlib

CC ?= cc
# A missing -dev package is one clear error, not a wall of undefined
# references (skipped for targets that build nothing).
NOBUILD_GOALS := deps clean lint install-deps
ifneq ($(filter-out $(NOBUILD_GOALS),$(or $(MAKECMDGOALS),all)),)
MISSING_PKGS := $(shell for p in $(PKGS) $(TEST_PKGS); do \
    pkg-config --exists $$p 2>/dev/null || printf '%s ' $$p; done)
ifneq ($(strip $(MISSING_PKGS)),)
ifeq ($(filter deps check demo fuzz bench deb,$(MAKECMDGOALS)),)
$(error pkg-config cannot find: $(MISSING_PKGS)-- run scripts/install-deps (Debian 12) to install the -dev packages)
endif
endif
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_LIBS  := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

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
else ifeq ($(SAN),thread)
OPT := -O1 -g -fsanitize=thread
HARDEN :=
LDHARDEN := -fsanitize=thread
else
OPT := -O2 -g
HARDEN := -D_FORTIFY_SOURCE=3 -fstack-protector-strong \
          -fstack-clash-protection -fPIE
LDHARDEN := -pie -Wl,-z,relro,-z,now
endif

# The project's own flags.  CFLAGS, CPPFLAGS and LDFLAGS from the command
# line are added after these (make CFLAGS=-O0 lowers the optimisation but
# keeps -std, the warnings and the hardening).
CAIRN_CPPFLAGS := -D_GNU_SOURCE -DCAIRN_VERSION=\"$(VERSION)\" \
    -DCAIRN_DOCDIR=\"$(PREFIX)/share/doc/cairn\" -MMD -MP
CAIRN_CFLAGS   := -std=c11 $(OPT) $(WARN) $(HARDEN) $(PKG_CFLAGS)
ALL_CFLAGS      = $(CAIRN_CPPFLAGS) $(CPPFLAGS) $(CAIRN_CFLAGS) $(CFLAGS)
ALL_LDFLAGS     = $(CAIRN_CFLAGS) $(CFLAGS) $(LDHARDEN) $(LDFLAGS)
LIBS           := $(PKG_LIBS) -lpthread $(LDLIBS)
# Test builds compile in fault injection and injectable randomness.
TEST_CPPFLAGS := -DCAIRN_TESTING

# The layers (docs/architecture.md).  Library code sees the public headers
# (include/cairn/) and its own layer's internal headers (beside the code);
# the CLI sees only include/ and src/cli/, so an internal header included
# from the CLI does not compile.  Unit tests and fuzzers may see internals.
LAYERS   := base age slip39 minisig meta archive tsa custody remote parity
LIB_INC  := -Iinclude
CLI_INC  := -Iinclude -Isrc/cli
TEST_INC := -Iinclude $(LAYERS:%=-Isrc/%)

LIB_SRC := $(sort $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c)))
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
        clean unit deb fuzz-build tsan tsan-build

all: $(BUILD)/cairn

# The release binary.
$(BUILD)/cairn: $(CLI_OBJ) $(BUILD)/libcairn.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The test binary: same CLI, library built with -DCAIRN_TESTING.
$(BUILD)/cairn-test: $(CLI_OBJ:$(BUILD)/cli/%=$(BUILD)/tcli/%) $(BUILD)/libcairn-test.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/libcairn.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libcairn-test.a: $(TLIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(LIB_INC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tlib/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(LIB_INC) $(TEST_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/cli/%.o: src/cli/%.c
	@mkdir -p $(@D)
	$(CC) $(CLI_INC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tcli/%.o: src/cli/%.c
	@mkdir -p $(@D)
	$(CC) $(CLI_INC) $(TEST_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcairn-test.a
	@mkdir -p $(@D)
	$(CC) $(TEST_INC) -Itests/unit $(TEST_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
	    $(BUILD)/libcairn-test.a $(LIBS) $(TEST_LIBS)

$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libcairn-test.a
	@mkdir -p $(@D)
	$(CC) $(TEST_INC) $(TEST_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
	    $(BUILD)/libcairn-test.a $(LIBS)

$(BUILD)/tools/failmalloc.so: tests/tools/failmalloc.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $< -ldl

# libFuzzer targets: tests/fuzz/fuzz_<name>.c (built with SAN=fuzz).
$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/libcairn-test.a
	@mkdir -p $(@D)
	$(CC) $(TEST_INC) -Itests/fuzz $(TEST_CPPFLAGS) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(BUILD)/libcairn-test.a $(LIBS) $(TEST_LIBS)

# Header dependencies written by -MMD (touching an internal header rebuilds
# exactly the objects that include it).
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
fuzz-build: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

unit: $(UNIT_BIN) $(TOOL_BIN) $(FAILMALLOC) $(BUILD)/cairn $(BUILD)/cairn-test

deps:
	@sh scripts/install-deps

# Full check: deps, release build + tests, then the sanitizer build + tests,
# then the ThreadSanitizer pass (see tsan).
check: deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory BUILD=build-san SAN=1 unit
	@$(MAKE) --no-print-directory tsan-build
	@CAIRN_TSAN=build-tsan sh tests/run build build-san

# ThreadSanitizer over the threaded code: the AEAD workers
# (test_age_parallel), the hashing thread (test_digest_async), open's file writer (test_extract_async) and seal's
# two-thread pipeline (tests/tsan-smoke: seal, verify and open of 32 MiB and of 400 small files) and pull's download
# thread.  About a minute.
tsan-build:
	@$(MAKE) --no-print-directory BUILD=build-tsan SAN=thread \
	    build-tsan/tests/test_age_parallel \
	    build-tsan/tests/test_digest_async \
	    build-tsan/tests/test_extract_async \
	    build-tsan/tests/test_cio_thread build-tsan/cairn-test

tsan: tsan-build
	@CAIRN_TSAN=build-tsan CAIRN_SKIP_FUZZ=1 sh tests/run

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
	@sh bench/parity
	@sh bench/remote

# The test, tool, fuzz and bench sources follow the same layout.
FORMAT_TESTS := $(wildcard tests/unit/*.[ch] tests/tools/*.[ch] \
    tests/fuzz/*.[ch] bench/*.[ch])

lint:
	clang-format --dry-run --Werror src/*/*.c src/*/*.h include/cairn/*.h \
	    $(FORMAT_TESTS)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr $(TEST_INC) -Isrc/cli src
	sh tests/lint-layers
	python3 tests/lint-messages

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
