# golden.mk — translator golden tests (tests/golden/*.asm): guest snippet
# -> expected host disassembly from `-trace translate`. See run.sh.

GOLDEN_SRCS := $(sort $(wildcard tests/golden/*.asm))
GOLDEN_BINS := $(GOLDEN_SRCS:tests/golden/%.asm=$(BUILD)/golden/%.bin)

$(BUILD)/golden/%.bin: tests/golden/%.asm tests/golden/lib/golden.inc
	@mkdir -p $(dir $@)
	nasm -f bin -I tests/golden/ -o $@ $<

test-golden: $(X86BT) $(GOLDEN_BINS)
	@tests/golden/run.sh $(X86BT) $(GOLDEN_BINS)

golden-update: $(X86BT) $(GOLDEN_BINS)
	@GOLDEN_UPDATE=1 tests/golden/run.sh $(X86BT) $(GOLDEN_BINS)

TEST_TARGETS += test-golden
.PHONY: test-golden golden-update
