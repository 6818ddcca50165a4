# boot.mk — system tests with SeaBIOS and the Debian Linux guest
# (tests/boot/run.sh). Part of `make test`.
test-boot: $(X86BT)
	@tests/boot/run.sh $(X86BT) $(BUILD)

TEST_TARGETS += test-boot
.PHONY: test-boot
