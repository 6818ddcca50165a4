# seabios.mk — SeaBIOS boots on the 440BX/PIIX4 board from IDE disk and
# ATAPI CD (tests/seabios/run.sh); needs build/roms/bios.bin (roms/).

# Also Debian's prebuilt image, which exercises the pre-shadow fallback.
SEABIOS_PREBUILT := /usr/share/seabios/bios-256k.bin

test-seabios: $(X86BT) build/roms/bios.bin
	@tests/seabios/run.sh $(X86BT) $(BUILD)/seabios
	@if [ -r $(SEABIOS_PREBUILT) ] && ! cmp -s $(SEABIOS_PREBUILT) build/roms/bios.bin; then \
	    tests/seabios/run.sh $(X86BT) $(BUILD)/seabios-prebuilt $(SEABIOS_PREBUILT); fi

TEST_TARGETS += test-seabios
.PHONY: test-seabios
