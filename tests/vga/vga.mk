# vga.mk — VGA system check with the real firmware (tests/vga/).
test-vga-seabios: $(X86BT)
	@tests/vga/seabios_screen.sh $(X86BT)

TEST_TARGETS += test-vga-seabios
.PHONY: test-vga-seabios
