# ehshim build. Outputs go under build/. See README.md.
#   make          build the library, the tool and the tests
#   make test     run every test (unit, integration; kernel VM tests when QEMU exists)
#   make demo     install missing build dependencies, build, show events
#   make bench    run the benchmarks

CC       ?= cc
BUILD    ?= build
WARN     := -Wall -Wextra -Werror -Wformat-security
CFLAGS   ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -Icore/include -Icore/src -Iconfig/include -Iconfig/src
ALL_CFLAGS = -std=gnu11 $(WARN) -fPIC -fvisibility=hidden $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS_CONFIG := -lpcre2-8 -lcjson
LDLIBS_TEST := -lcmocka

CORE_SRC  := $(wildcard core/src/*.c)
CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/%.o)
CONFIG_SRC := $(wildcard config/src/*.c)
CONFIG_OBJ := $(CONFIG_SRC:%.c=$(BUILD)/%.o)
TOOL_SRC  := $(wildcard tools/*.c)
TOOL_OBJ  := $(TOOL_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTLIB_SRC := $(wildcard tests/lib/*.c)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(BUILD)/%.o)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
EXAMPLE_SRC := $(wildcard examples/*.c)
EXAMPLE_BIN := $(EXAMPLE_SRC:examples/%.c=$(BUILD)/examples/%)
SHIM_TEST_SRC := $(wildcard tests/shim/*.c)
SHIM_TEST_BIN := $(SHIM_TEST_SRC:tests/shim/%.c=$(BUILD)/tests/shim/%)

KTEST_SRC := $(wildcard tests/kernel/*.c)
KTEST_BIN := $(KTEST_SRC:tests/kernel/%.c=$(BUILD)/tests/kernel/%)

LIBCORE := $(BUILD)/libehd.a
LIBCONFIG := $(BUILD)/libehsconfig.a
EHSHIM  := $(BUILD)/ehshim
SHIM_SRC := $(wildcard shim/*.c)
SHIM_OBJ := $(SHIM_SRC:%.c=$(BUILD)/%.o)
LIBSHIM := $(BUILD)/libehshim.so

.PHONY: all test asan-build demo bench clean deps check-kernel
all: $(LIBCORE) $(LIBCONFIG) $(EHSHIM) $(LIBSHIM) $(UNIT_BIN) $(BENCH_BIN) $(EXAMPLE_BIN) $(SHIM_TEST_BIN) $(KTEST_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

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
$(BUILD)/tests/shim/%: tests/shim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) $(CFLAGS) -O2 -fno-builtin -o $@ $< -lpthread

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

$(LIBSHIM): $(SHIM_OBJ) $(LIBCONFIG) $(LIBCORE) shim/libehshim.map
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

# Where the reference vectors are; tests that need them say SKIP without them.
EHSHIM_VECTORS ?= $(wildcard ../shared/vectors)
export EHSHIM_VECTORS

INTEGRATION := $(sort $(wildcard tests/integration/test_*.sh))
# The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer.
ASAN_BUILD := $(BUILD)/asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

asan-build:
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) EXTRA_CFLAGS='$(ASAN_FLAGS)' \
	    LDFLAGS='$(ASAN_FLAGS)' all

test: all asan-build
	@BUILD=$(BUILD) bash tests/run.sh \
	    --build $(BUILD) $(UNIT_BIN) $(INTEGRATION) \
	    --build $(ASAN_BUILD) $(UNIT_BIN:$(BUILD)/%=$(ASAN_BUILD)/%) $(INTEGRATION)

bench: all
	@BUILD=$(BUILD) bash bench/run.sh

deps:
	@bash tools/install-deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) bash examples/demo.sh

clean:
	rm -rf $(BUILD)

-include $(CORE_OBJ:.o=.d) $(CONFIG_OBJ:.o=.d) $(SHIM_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.d) $(TESTLIB_OBJ:.o=.d)
-include $(KTEST_SRC:tests/kernel/%.c=$(BUILD)/tests/kernel/%.d)
