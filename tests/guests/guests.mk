# guests.mk — bare-metal nasm guest tests (tests/guests/*.asm).
# Each test is assembled into a 128 KB BIOS image and booted under both tiers
# by tests/guests/run.sh; `make test-guests` fails if any test fails.
# `make test-guests-qemu` runs the same images under qemu-system-i386 (to
# check the tests themselves against a reference implementation).

GUEST_SRCS := $(sort $(wildcard tests/guests/*.asm))
GUEST_BINS := $(GUEST_SRCS:tests/guests/%.asm=$(BUILD)/guests/%.bin)
GUEST_LIBS := $(wildcard tests/guests/lib/*.inc)

$(BUILD)/guests/%.bin: tests/guests/%.asm $(GUEST_LIBS)
	@mkdir -p $(dir $@)
	nasm -f bin -I tests/guests/ -o $@ $<

guests: $(GUEST_BINS)

test-guests: $(X86BT) $(GUEST_BINS)
	@tests/guests/run.sh $(X86BT) $(GUEST_BINS)
	@GUEST_ARGS="-icount 2" tests/guests/run.sh $(X86BT) $(BUILD)/guests/pit_calib.bin

# QEMU's TCG does not check data-segment limits or null selectors on use;
# those checks are assembled out with -DQEMU (%ifndef QEMU in the tests).
# Pending tests (tests/guests/pending: not yet passing on x86bt) run here too.
GUEST_PSRCS := $(sort $(wildcard tests/guests/pending/*.asm))
GUEST_QBINS := $(GUEST_SRCS:tests/guests/%.asm=$(BUILD)/guests-qemu/%.bin) \
               $(GUEST_PSRCS:tests/guests/pending/%.asm=$(BUILD)/guests-qemu/pending-%.bin)

$(BUILD)/guests-qemu/%.bin: tests/guests/%.asm $(GUEST_LIBS)
	@mkdir -p $(dir $@)
	nasm -f bin -DQEMU -I tests/guests/ -o $@ $<

$(BUILD)/guests-qemu/pending-%.bin: tests/guests/pending/%.asm $(GUEST_LIBS)
	@mkdir -p $(dir $@)
	nasm -f bin -DQEMU -I tests/guests/ -o $@ $<

test-guests-qemu: $(GUEST_QBINS)
	@tests/guests/run.sh --qemu none $(GUEST_QBINS)

TEST_TARGETS += test-guests
.PHONY: guests test-guests test-guests-qemu
