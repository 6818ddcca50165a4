# platform.mk — PC platform system tests with Debian's memtest86+ and GRUB
# rescue floppy and the SeaBIOS boot menu (tests/platform/run.sh).
test-platform: $(X86BT)
	@tests/platform/run.sh $(X86BT) $(BUILD)

TEST_TARGETS += test-platform
.PHONY: test-platform
