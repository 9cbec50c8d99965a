# ehshim build. Outputs go under build/. See README.md ("Build targets").
#   make          the libraries, the shim, the ehshim tool, the examples, the
#                 benchmarks and the programs the tests run; needs only the
#                 build packages (make deps), not cmocka
#   make unit-tests  the cmocka unit test binaries (needs libcmocka-dev)
#   make test     run every test (unit, integration; kernel VM tests when QEMU exists)
#   make test-asan  the unit and integration tests of the ASan/UBSan build only
#   make demo     install missing build dependencies, build, show events
#   make bench    install the peer tools the benchmarks compare with, then
#                 run the benchmarks
#   make install  install under PREFIX (default /usr/local), DESTDIR honoured;
#                 make uninstall removes it again (README.md, "Install")

CC       ?= cc
BUILD    ?= build
WARN     := -Wall -Wextra -Werror -Wformat-security
# CFLAGS, CPPFLAGS and LDFLAGS are the user's: make CFLAGS="-O3 -g" replaces
# the optimisation and debug flags only, since what the build relies on
# (warnings, -fPIC, hidden visibility, include paths) is added beside them.
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) -fPIC -fvisibility=hidden $(CFLAGS) $(EXTRA_CFLAGS)
# glibc warns about _FORTIFY_SOURCE without optimisation, which -Werror
# turns into a failed build: it is defined unless the last -O is -O0.
OPT_LEVEL = $(lastword $(filter -O%,$(CFLAGS) $(EXTRA_CFLAGS)))
FORTIFY = $(if $(filter-out -O0,$(OPT_LEVEL)),-D_FORTIFY_SOURCE=2)
# Every directory includes its own private headers as "name.h", found beside
# the source; the -I paths are the public headers, and DIR_CPPFLAGS gives a
# directory the private headers of another where it needs them (below).
PUBLIC_INC := -Icore/include -Iconfig/include
DIR_CPPFLAGS :=
ALL_CPPFLAGS = -D_GNU_SOURCE $(FORTIFY) $(PUBLIC_INC) $(DIR_CPPFLAGS) $(CPPFLAGS)
LDLIBS_CONFIG := -lpcre2-8 -lcjson
LDLIBS_TEST := -lcmocka

# The sources of $(BUILD)/DIR/NAME.o are DIR/NAME.c.
objs = $(patsubst %.c,$(BUILD)/%.o,$(1))
CORE_SRC  := $(wildcard core/src/*.c)
CORE_OBJ  := $(call objs,$(CORE_SRC))
CONFIG_SRC := $(wildcard config/src/*.c)
CONFIG_OBJ := $(call objs,$(CONFIG_SRC))
TOOL_SRC  := $(wildcard tools/*.c)
# `ehshim parse` splits its input with the shim's line assembler and reads
# journal entries with the shim's reader.
TOOL_OBJ  := $(call objs,$(TOOL_SRC)) $(BUILD)/shim/lines.o $(BUILD)/shim/journal_wire.o
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTLIB_SRC := $(wildcard tests/lib/*.c)
TESTLIB_OBJ := $(call objs,$(TESTLIB_SRC))
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
EXAMPLE_SRC := $(wildcard examples/*.c)
EXAMPLE_BIN := $(EXAMPLE_SRC:examples/%.c=$(BUILD)/examples/%)
SHIM_TEST_SRC := $(wildcard tests/shim/*.c)
SHIM_TEST_BIN := $(SHIM_TEST_SRC:tests/shim/%.c=$(BUILD)/tests/shim/%)
# Libraries the shim tests preload in front of it; each file says what it
# is for.
PRELOAD_TEST_SRC := $(wildcard tests/preload/*.c)
PRELOAD_TEST_LIB := $(PRELOAD_TEST_SRC:tests/preload/%.c=$(BUILD)/tests/preload/%.so)
KTEST_SRC := $(wildcard tests/kernel/*.c)
KTEST_BIN := $(KTEST_SRC:tests/kernel/%.c=$(BUILD)/tests/kernel/%)
SHIM_SRC := $(wildcard shim/*.c)
SHIM_OBJ := $(call objs,$(SHIM_SRC))

# The core library, static and shared, under the name it is installed as
# (see "Install" below); the tool, the shim and the tests link the static one.
EHD_LIB := libeventheader-dynamic
EHD_SOVERSION := 1
EHD_VERSION := 1.0.0
LIBCORE := $(BUILD)/$(EHD_LIB).a
LIBCORE_SO := $(BUILD)/$(EHD_LIB).so.$(EHD_VERSION)
LIBCONFIG := $(BUILD)/libehsconfig.a
EHSHIM  := $(BUILD)/ehshim
LIBSHIM := $(BUILD)/libehshim.so

# core/private holds what core/src and config/src share of the builder and
# no installed header may show. core/src's internal helpers that the static
# libraries share (grow_array.h, utf8.h, tracing_dir.h: hidden in the shared
# library) serve config/src and the tool too, and the tool reads hex digits
# with config/src's hex_digits.h. The unit tests test internals: the rules
# engine's pieces (config/src, whose headers reach core/private), the
# builder's fast path, the helpers, and in test_backend_user_events.c the
# backend interface (core/src/backend.h). The shim's start-up hands the
# backends the real writev (core/private/ehd_backend_writev.h).
$(BUILD)/core/src/%.o: DIR_CPPFLAGS := -Icore/private
$(BUILD)/config/src/%.o: DIR_CPPFLAGS := -Icore/private -Icore/src
$(BUILD)/tools/%.o: DIR_CPPFLAGS := -Icore/src -Iconfig/src
$(BUILD)/shim/init.o: DIR_CPPFLAGS := -Icore/private
$(BUILD)/shim/writer_ids.o: DIR_CPPFLAGS := -Icore/private
$(BUILD)/tests/unit/%.o: DIR_CPPFLAGS := -Icore/private -Icore/src -Iconfig/src

.PHONY: all unit-tests test test-real test-asan asan-build demo bench bench-deps clean deps test-deps check-kernel install uninstall
# Nothing here links cmocka: a machine with the build packages alone builds it.
all: $(LIBCORE) $(LIBCONFIG) $(EHSHIM) $(LIBSHIM) $(LIBCORE_SO) $(BENCH_BIN) $(EXAMPLE_BIN) $(SHIM_TEST_BIN) $(PRELOAD_TEST_LIB) $(KTEST_BIN)

unit-tests: $(UNIT_BIN)

# The objects of programs are intermediate files to make; kept, they are not
# compiled again on every make.
.SECONDARY:

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIBCORE): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(LIBCONFIG): $(CONFIG_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(EHSHIM): $(TOOL_OBJ) $(LIBCONFIG) $(LIBCORE)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(TOOL_OBJ) $(LIBCONFIG) $(LIBCORE) $(LDLIBS_CONFIG) -lpthread

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TESTLIB_OBJ) $(LIBCONFIG) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIBCONFIG) $(LIBCORE) $(LDLIBS_CONFIG) $(LDLIBS_TEST) -lpthread

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIBCONFIG) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBCONFIG) $(LIBCORE) $(LDLIBS_CONFIG) -lpthread

# bench/decode decodes the round-trip tests' random events.
$(BUILD)/bench/decode: $(BUILD)/bench/decode.o $(BUILD)/tests/lib/roundtrip_gen.o $(LIBCONFIG) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/tests/lib/roundtrip_gen.o $(LIBCONFIG) $(LIBCORE) $(LDLIBS_CONFIG) -lpthread

$(BUILD)/examples/%: $(BUILD)/examples/%.o $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBCORE) -lpthread

# Programs the shim integration tests run under the shim, one per
# interposed call and a few stress cases. They stand for the programs the
# shim goes into, so they are plain: not linked with the shim, never
# sanitized (EXTRA_CFLAGS/LDFLAGS are left out even in the ASan build).
# -O2 with _FORTIFY_SOURCE=2 makes fortified calls (__fprintf_chk ...) real;
# sources that test the plain call #undef _FORTIFY_SOURCE. -fno-builtin
# keeps the compiler from turning one stdio call into another (fputs of a
# constant into fwrite). The tests check the called symbols with nm.
# They include no header of the project. Their dependency files go to
# SHIM_TEST_DEP, apart: the tests take every file of the directory named
# call_* or pass_* for a program.
SHIM_TEST_DEP := $(BUILD)/deps/tests/shim
$(BUILD)/tests/shim/%: tests/shim/%.c
	@mkdir -p $(dir $@) $(SHIM_TEST_DEP)
	$(CC) -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 $(CPPFLAGS) -std=gnu11 $(WARN) $(CFLAGS) -O2 -fno-builtin \
	    -MMD -MP -MF $(SHIM_TEST_DEP)/$*.d -o $@ $< -lpthread

$(BUILD)/tests/preload/%.so: tests/preload/%.c tests/preload/count_report.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -O2 -fPIC -shared -o $@ $< -ldl

# The preloaded library. It goes into programs that have their own copies of
# libraries, so nothing of ours may clash: only the interposed libc names are
# exported (version script), the static libs' symbols are hidden
# (--exclude-libs), and PCRE2 is linked statically. cJSON has no static
# library on Debian: it is linked as libcjson.so.1, which a host using cJSON
# shares (same soname, same ABI). -z now binds every symbol at load time, so
# no lazy PLT resolution ever runs in a signal handler or a vfork child.
PCRE2_STATIC ?= $(shell $(CC) -print-file-name=libpcre2-8.a)
SHIM_LDFLAGS := -shared -Wl,--version-script=shim/libehshim.map -Wl,--exclude-libs,ALL \
    -Wl,-z,now -Wl,-z,relro -Wl,--no-undefined
# After set-up the shim's allocations go to mmap, never to malloc, which a
# signal handler may have interrupted (shim/alloc.c): every allocator call of
# the shim and of the static libraries is wrapped.
SHIM_LDFLAGS += $(foreach f,malloc calloc realloc reallocarray free,-Wl,--wrap=$(f))

# Without libpcre2-8.a, -print-file-name gives back the bare name: say which
# package has it rather than leave it to the linker's "No such file".
$(LIBSHIM): $(SHIM_OBJ) $(LIBCONFIG) $(LIBCORE) shim/libehshim.map
	@[ -f '$(PCRE2_STATIC)' ] || { echo "ehshim: $(LIBSHIM) links PCRE2 statically, but" \
	    "$(PCRE2_STATIC) is not there: install libpcre2-dev (make deps does)," \
	    "or name the file with PCRE2_STATIC=" >&2; exit 1; }
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(SHIM_LDFLAGS) -o $@ $(SHIM_OBJ) $(LIBCONFIG) $(LIBCORE) \
	    $(PCRE2_STATIC) -lcjson -ldl -lpthread

# Programs the kernel (VM) tests run inside the guest: plain programs with
# the core library and the round-trip generator of tests/lib.
$(BUILD)/tests/kernel/%: $(BUILD)/tests/kernel/%.o $(TESTLIB_OBJ) $(LIBCONFIG) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIBCONFIG) $(LIBCORE) $(LDLIBS_CONFIG) -lpthread

# The kernel tests alone: boots a user_events kernel under QEMU (see
# tests/kernel/run.sh; EHSHIM_TEST_KERNEL names the kernel).
check-kernel: all
	@BUILD=$(BUILD) bash tests/kernel/run.sh

# The reference vectors, kept in the repository (tests/vectors/README.md
# says where they come from); EHSHIM_VECTORS may point elsewhere.
EHSHIM_VECTORS ?= $(CURDIR)/tests/vectors
export EHSHIM_VECTORS

INTEGRATION := $(sort $(wildcard tests/integration/test_*.sh))
# Real Debian daemons under the shim with real traffic (tests/real/README.md):
# the plain build only, since a sanitized shim in nginx or PostgreSQL tests
# the sanitizer's interposers more than ours.
REAL_TESTS := $(sort $(wildcard tests/real/test_*.sh))
# The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer.
ASAN_BUILD := $(BUILD)/asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

# Everything the suites below run, unit tests included (needs cmocka).
asan-build:
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) EXTRA_CFLAGS='$(ASAN_FLAGS)' \
	    LDFLAGS='$(ASAN_FLAGS)' all unit-tests

# The suites of each build, as tests/run.sh takes them. The shim's
# integration scripts preload the sanitizer runtime ahead of the sanitized
# shim in the ASan build (tests/integration/shim_lib.sh); valgrind's skips
# there, the VM suite boots with the plain build only.
TESTS_PLAIN := --build $(BUILD) $(UNIT_BIN) $(INTEGRATION) $(REAL_TESTS)
TESTS_ASAN := --build $(ASAN_BUILD) $(UNIT_BIN:$(BUILD)/%=$(ASAN_BUILD)/%) $(INTEGRATION)

# Everything, both builds, one summary line. CI runs this (.ci/run), which
# includes test-asan's suite: it is not run a second time.
# make test first installs what the tests need (a fresh machine has none of
# it), then builds and runs both suites; test-deps does nothing when all is there.
test: test-deps
	@$(MAKE) --no-print-directory all unit-tests asan-build
	@BUILD=$(BUILD) bash tests/run.sh $(TESTS_PLAIN) $(TESTS_ASAN)

# The real-daemon suite alone (installs the daemons it needs; root).
test-real: all
	@BUILD=$(BUILD) bash tests/run.sh --build $(BUILD) $(REAL_TESTS)

# The unit and integration suites of the ASan/UBSan build alone.
test-asan: asan-build
	@BUILD=$(BUILD) bash tests/run.sh $(TESTS_ASAN)

# make bench first installs the peers bench/peers.sh measures ehshim
# parse against (nothing when they are there), as make test does its own.
bench: bench-deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) bash bench/run.sh

deps:
	@bash tools/install-deps.sh

test-deps:
	@bash tools/install-deps.sh --test

bench-deps:
	@bash tools/install-deps.sh --bench

# The build packages only (no cmocka), and only what the demo runs.
demo: deps
	@$(MAKE) --no-print-directory $(EHSHIM) $(LIBSHIM) $(EXAMPLE_BIN)
	@BUILD=$(BUILD) bash examples/demo.sh

# ---- Fuzzing ----------------------------------------------------------------
# make fuzz [FUZZ_SECONDS=60]: libFuzzer harnesses (fuzz/fuzz_*.c) for every
# parser of untrusted input, each run FUZZ_SECONDS on a corpus seeded from
# the repo and the reference vectors (fuzz/run.sh); one line per harness
# goes to $(BUILD)/fuzz/summary.txt. libFuzzer needs clang and its runtime
# (Debian: clang, libclang-rt-dev), so the libraries are compiled again
# with clang, with the same sanitizers, into a tree of their own.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# No _FORTIFY_SOURCE: the sanitizers check every access themselves.
FUZZ_CPPFLAGS = -D_GNU_SOURCE $(PUBLIC_INC) $(DIR_CPPFLAGS) $(CPPFLAGS)
FUZZ_CFLAGS := -std=gnu11 $(WARN) -O1 -g $(FUZZ_SAN)
FUZZ_LIB_SRC := $(CORE_SRC) $(CONFIG_SRC) shim/lines.c shim/syslog_wire.c shim/journal_wire.c \
    tools/journal_export.c tools/learn_templates.c tools/learn_rules.c tools/learn_prefix.c
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_LIB := $(FUZZ_DIR)/libehshim-fuzz.a
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=$(FUZZ_DIR)/%)

# Says what to install when clang or its libFuzzer runtime is missing,
# instead of a linker error about libclang_rt.fuzzer.
$(FUZZ_DIR)/toolchain-ok:
	@mkdir -p $(dir $@)
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }\n' \
	    >$(FUZZ_DIR)/toolchain.c
	@$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $(FUZZ_DIR)/toolchain $(FUZZ_DIR)/toolchain.c || \
	    { echo "make fuzz needs clang with libFuzzer (Debian: clang libclang-rt-dev;" \
	        "bash tools/install-deps.sh --test installs them)" >&2; exit 1; }
	@touch $@

$(FUZZ_DIR)/obj/core/src/%.o: DIR_CPPFLAGS := -Icore/private
$(FUZZ_DIR)/obj/config/src/%.o: DIR_CPPFLAGS := -Icore/private -Icore/src
$(FUZZ_DIR)/obj/tools/%.o: DIR_CPPFLAGS := -Icore/src -Iconfig/src
# The harnesses test internals: the matchers of config/src (whose headers
# reach core/private and core/src), shim/lines.h. (In the recipe, not a
# target variable, which $(FUZZ_LIB)'s objects would inherit when the
# harness makes them.)
FUZZ_HARNESS_INC := -Iconfig/src -Icore/private -Icore/src -Ishim -Itools

$(FUZZ_DIR)/obj/%.o: %.c | $(FUZZ_DIR)/toolchain-ok
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_HARNESS_INC) -DFUZZ_SOURCE_DIR='"$(CURDIR)"' $(FUZZ_CFLAGS) -fsanitize=fuzzer \
	    -MMD -MP -MF $@.d \
	    -o $@ $< $(FUZZ_LIB) $(LDLIBS_CONFIG) -lpthread

# Splits the reference capture into one-record seeds (plain build).
$(FUZZ_DIR)/split_dat: fuzz/split_dat.c $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -MF $@.d -o $@ $< $(LIBCORE)

.PHONY: fuzz
fuzz: $(FUZZ_BIN) $(FUZZ_DIR)/split_dat
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh $(FUZZ_BIN)

# ---- Install ---------------------------------------------------------------
# The core as a library of its own: the shared library has a soname and a
# version script that exports exactly the functions of core/include/ehd/*.h
# (tests/integration/test_core_exports.sh compares them); the static one is
# $(LIBCORE), built above.
EHD_MAP := core/$(EHD_LIB).map

$(LIBCORE_SO): $(CORE_OBJ) $(EHD_MAP)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(EHD_LIB).so.$(EHD_SOVERSION) \
	    -Wl,--version-script=$(EHD_MAP) -Wl,-z,relro -Wl,--no-undefined \
	    -o $@ $(CORE_OBJ) -lpthread
	ln -sf $(EHD_LIB).so.$(EHD_VERSION) $(BUILD)/$(EHD_LIB).so.$(EHD_SOVERSION)
	ln -sf $(EHD_LIB).so.$(EHD_SOVERSION) $(BUILD)/$(EHD_LIB).so

# make install [PREFIX=/usr/local] [DESTDIR=] [BUILD=build] installs what
# BUILD holds (it builds only what is missing there, with the flags given).
# ehshim run finds libehshim.so at ../lib/ehshim/ from the ehshim binary,
# so those two places follow PREFIX alone; LIBDIR, INCLUDEDIR, MANDIR and
# PKGCONFIGDIR may be moved (a distribution's multiarch libdir, say).
PREFIX ?= /usr/local
BINDIR := $(PREFIX)/bin
SHIMDIR := $(PREFIX)/lib/ehshim
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DATADIR ?= $(PREFIX)/share/ehshim
EHD_HEADERS := $(sort $(wildcard core/include/ehd/*.h))
# Example configs, the systemd drop-in and the pkg-config sample, under
# DATADIR/examples/ (only files in git: no build output of the sample).
INSTALL_EXAMPLES := examples/README.md examples/demo.json \
    $(sort $(wildcard examples/*/config.json examples/*/args examples/*/input.log \
        examples/*/expected.jsonl)) \
    examples/systemd/myservice.json examples/systemd/myservice.service.d/ehshim.conf \
    examples/systemd/ehshim-user-events.conf \
    examples/pkgconfig_sample/Makefile examples/pkgconfig_sample/sample.c
# In the .pc file, directories under PREFIX are written as ${prefix}/...
pc_dir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

install: $(EHSHIM) $(LIBSHIM) $(LIBCORE_SO) $(LIBCORE)
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(SHIMDIR)' '$(DESTDIR)$(LIBDIR)' \
	    '$(DESTDIR)$(INCLUDEDIR)/ehd' '$(DESTDIR)$(PKGCONFIGDIR)' \
	    '$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(MANDIR)/man5'
	install -m 0755 $(EHSHIM) '$(DESTDIR)$(BINDIR)/ehshim'
	install -m 0644 $(LIBSHIM) '$(DESTDIR)$(SHIMDIR)/libehshim.so'
	install -m 0644 $(LIBCORE_SO) $(LIBCORE) '$(DESTDIR)$(LIBDIR)/'
	ln -sf $(EHD_LIB).so.$(EHD_VERSION) '$(DESTDIR)$(LIBDIR)/$(EHD_LIB).so.$(EHD_SOVERSION)'
	ln -sf $(EHD_LIB).so.$(EHD_SOVERSION) '$(DESTDIR)$(LIBDIR)/$(EHD_LIB).so'
	install -m 0644 $(EHD_HEADERS) '$(DESTDIR)$(INCLUDEDIR)/ehd/'
	sed -e 's|@prefix@|$(PREFIX)|' -e 's|@libdir@|$(call pc_dir,$(LIBDIR))|' \
	    -e 's|@includedir@|$(call pc_dir,$(INCLUDEDIR))|' -e 's|@version@|$(EHD_VERSION)|' \
	    core/eventheader-dynamic.pc.in >'$(DESTDIR)$(PKGCONFIGDIR)/eventheader-dynamic.pc'
	install -m 0644 man/ehshim.1 '$(DESTDIR)$(MANDIR)/man1/ehshim.1'
	install -m 0644 man/ehshim.json.5 '$(DESTDIR)$(MANDIR)/man5/ehshim.json.5'
	for f in $(INSTALL_EXAMPLES); do \
	    install -D -m 0644 "$$f" '$(DESTDIR)$(DATADIR)'/"$$f" || exit 1; done
	@if [ -z '$(DESTDIR)' ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
	    ldconfig; fi

# Removes exactly what install put (and the directories that held only that).
uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/ehshim' '$(DESTDIR)$(SHIMDIR)/libehshim.so' \
	    '$(DESTDIR)$(LIBDIR)/$(EHD_LIB).so.$(EHD_VERSION)' \
	    '$(DESTDIR)$(LIBDIR)/$(EHD_LIB).so.$(EHD_SOVERSION)' '$(DESTDIR)$(LIBDIR)/$(EHD_LIB).so' \
	    '$(DESTDIR)$(LIBDIR)/$(EHD_LIB).a' '$(DESTDIR)$(PKGCONFIGDIR)/eventheader-dynamic.pc' \
	    '$(DESTDIR)$(MANDIR)/man1/ehshim.1' '$(DESTDIR)$(MANDIR)/man5/ehshim.json.5'
	rm -f $(EHD_HEADERS:core/include/%='$(DESTDIR)$(INCLUDEDIR)/%')
	rm -f $(INSTALL_EXAMPLES:%='$(DESTDIR)$(DATADIR)/%')
	rmdir '$(DESTDIR)$(SHIMDIR)' '$(DESTDIR)$(INCLUDEDIR)/ehd' 2>/dev/null || true
	[ ! -d '$(DESTDIR)$(DATADIR)' ] || find '$(DESTDIR)$(DATADIR)' -depth -type d -empty -delete
	@if [ -z '$(DESTDIR)' ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
	    ldconfig; fi

clean:
	rm -rf $(BUILD)

# What -MMD wrote beside every object and every program compiled in one step.
-include $(patsubst %.o,%.d,$(CORE_OBJ) $(CONFIG_OBJ) $(SHIM_OBJ) $(TOOL_OBJ) $(TESTLIB_OBJ) \
    $(call objs,$(UNIT_SRC) $(BENCH_SRC) $(EXAMPLE_SRC) $(KTEST_SRC)) $(FUZZ_LIB_OBJ))
-include $(addsuffix .d,$(FUZZ_BIN) $(FUZZ_DIR)/split_dat) \
    $(SHIM_TEST_SRC:tests/shim/%.c=$(SHIM_TEST_DEP)/%.d)
