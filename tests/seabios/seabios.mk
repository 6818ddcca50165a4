# seabios.mk — SeaBIOS boots on the 440BX/PIIX4 board from IDE disk and
# ATAPI CD (tests/seabios/run.sh); needs build/roms/bios.bin (roms/).

test-seabios: $(X86BT) build/roms/bios.bin
	@tests/seabios/run.sh $(X86BT) $(BUILD)/seabios

TEST_TARGETS += test-seabios
.PHONY: test-seabios
