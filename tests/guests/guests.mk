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

test-guests-qemu: $(GUEST_BINS)
	@tests/guests/run.sh --qemu none $(GUEST_BINS)

TEST_TARGETS += test-guests
.PHONY: guests test-guests test-guests-qemu
