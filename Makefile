# x86bt — one Makefile for everything.
#   make              build build/x86bt (release, -O2)
#   make test         build and run every test suite (unit, diff, golden, guests, boot)
#   make MODE=asan test   the same under AddressSanitizer + UBSan
#   make demo         build everything and boot the default Linux guest in the terminal
#   make bench        run the benchmark suite (reports only, never fails on timing)
#   make clean / make format
#
# Sources are found by wildcard: every src/**/*.c is part of the emulator, every
# tests/unit/**/*_test.c is one check suite linked against all of src/ except main.c.
# Sub-systems add their own targets with make fragments (tests/*/*.mk, roms/*.mk,
# roms/*/*.mk, bench/*.mk) that append to TEST_TARGETS.

.DEFAULT_GOAL := all
MODE    ?= release
BUILD   := build/$(MODE)
CC      ?= gcc
PKGS    := capstone sdl2 libffi
TPKGS   := check unicorn

# Package flags are computed once into build/pkg.mk, after scripts/deps.sh
# has installed what is missing (make re-reads the makefiles after
# regenerating an included one, so a fresh machine needs no other step).
-include build/pkg.mk
build/pkg.mk: build/.deps-ok Makefile
	@{ echo "PKG_CFLAGS := $$(pkg-config --cflags $(PKGS))"; \
	   echo "PKG_LIBS := $$(pkg-config --libs $(PKGS))"; \
	   echo "T_CFLAGS := $$(pkg-config --cflags $(TPKGS))"; \
	   echo "T_LIBS := $$(pkg-config --libs $(TPKGS))"; } > $@.tmp && mv $@.tmp $@

WARN    := -Wall -Wextra -Werror
# -fvisibility=hidden: our globals must not interpose on the shared
# libraries we link (libunicorn exports a cpu_reset and an mmu_translate).
CFLAGS  = -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -g -Isrc -MMD -MP $(PKG_CFLAGS) $(SAN) -fvisibility=hidden
OPT     := -O2
LDLIBS  = $(PKG_LIBS) -lm -lpthread
ifeq ($(MODE),asan)
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=undefined -DX86BT_ASAN=1
OPT     := -O1
LDFLAGS += $(SAN)
endif

SRCS     := $(shell find src -name '*.c' | sort)
OBJS     := $(SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS := $(filter-out $(BUILD)/src/machine/main.o,$(OBJS))
UNIT_SRCS := $(shell find tests/unit -name '*_test.c' 2>/dev/null | sort)
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)
X86BT    := $(BUILD)/x86bt

TEST_TARGETS := test-unit

all: $(X86BT) build/x86bt

# Install missing Debian packages once per checkout (scripts/deps.sh).
build/.deps-ok: scripts/deps.sh scripts/deps-extra.txt
	@scripts/deps.sh

$(X86BT): $(OBJS)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

build/x86bt: $(X86BT)
	@if [ "$(MODE)" = release ]; then ln -sf release/x86bt build/x86bt; fi

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%_test: tests/unit/%_test.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  TEST-CC $<"
	@$(CC) $(CFLAGS) $(T_CFLAGS) -Itests/unit $(LDFLAGS) -MF $@.d -o $@ $< $(LIB_OBJS) $(T_LIBS) $(LDLIBS)

units: $(UNIT_BINS)

test-unit: $(UNIT_BINS)
	@scripts/run-units.sh $(UNIT_BINS)

-include $(wildcard tests/*/*.mk roms/*.mk roms/*/*.mk bench/*.mk)

test: all $(TEST_TARGETS)
	@echo "make test: all suites passed ($(TEST_TARGETS))"

demo: all
	@scripts/demo.sh $(X86BT)

bench: all
	$(MAKE) -C bench run X86BT=$(abspath $(X86BT))

format:
	clang-format -i $$(find src tests bench -name '*.[ch]' -not -path '*/build/*')

clean:
	rm -rf build

deps:
	scripts/deps.sh

.PHONY: all test test-unit units demo bench format clean deps
.SECONDARY:
-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)
